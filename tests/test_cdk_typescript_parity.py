"""A CDK app in TypeScript gets the findings its Python twin gets.

Every rule fixture with a CDK app in Python holds the same app in TypeScript under
``typescript/`` (a project of its own, with the fixture's manifest, where the fixture has
one). The rule reports the same findings on both: the same codes and messages, at the
corresponding construct or property. What a finding points at is compared as written there,
in one spelling: ``new`` dropped, ``this`` read as ``self`` and camelCase as snake_case
(``managedPolicies`` is ``managed_policies``, ``false`` is ``False``), quotes left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPOS
from mllint_wa.model import Finding

TWIN = "typescript/"
FIXTURES = sorted(path.parent.parent.name for path in REPOS.glob("*/typescript/cdk.json"))
_WRITTEN = re.compile(r"""(?:new\s+)?([A-Za-z_$][\w$.]*|"[^"]*"|'[^']*')""")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_PLACE = re.compile(r"\(([\w./-]+):(\d+)\)")
_CONSTANTS = {"true": "True", "false": "False"}


def _python_cdk_files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if "aws_cdk" in path.read_text(encoding="utf-8")
    }


def _spelled(written: str) -> str:
    if written in _CONSTANTS:
        return _CONSTANTS[written]
    parts = written.strip("'\"").replace("this.", "self.").split(".")
    return ".".join(_CAMEL.sub("_", p).lower() if p[:1].islower() else p for p in parts)


def _pointed_at(root: Path, path: str, line: int, column: int | None = None) -> str:
    """What is written where a finding points: the name, call or string at its column (at
    the line's first word when there is no column)."""
    text = (root / path).read_text(encoding="utf-8").splitlines()[line - 1]
    start = column - 1 if column is not None else len(text) - len(text.lstrip())
    match = _WRITTEN.match(text, start)
    return _spelled(match.group(1)) if match else text[start:]


def _seen(root: Path, finding: Finding) -> tuple[str, str, str]:
    """A finding as both languages must give it: its code, its message (a place it names,
    ``(app.py:20)``, read as what is written there) and what it points at."""
    folder = finding.path.rpartition("/")[0]

    def place(match: re.Match[str]) -> str:
        named = f"{folder}/{match.group(1)}" if folder else match.group(1)
        return f"({_pointed_at(root, named, int(match.group(2)))})"

    message = _PLACE.sub(place, finding.message)
    return finding.rule.code, message, _pointed_at(root, finding.path, finding.line, finding.column)


def test_every_python_cdk_fixture_has_a_typescript_twin():
    with_python_cdk = sorted(
        path.name
        for path in REPOS.iterdir()
        if path.is_dir() and any("cdk.out" not in p for p in _python_cdk_files(path))
    )
    assert with_python_cdk == FIXTURES
    assert len(FIXTURES) == 29


@pytest.mark.parametrize("fixture", FIXTURES)
def test_the_typescript_app_gets_the_python_apps_findings(lint, fixture):
    root = REPOS / fixture
    python_files = _python_cdk_files(root)
    # A manifest finding belongs to the project of the app: the manifest beside it.
    python_places = python_files | {
        f"{p.rpartition('/')[0]}/lens.toml".lstrip("/") for p in python_files
    }
    findings = lint.result(fixture, fixture).findings
    python = [_seen(root, f) for f in findings if f.path in python_places]
    typescript = [_seen(root, f) for f in findings if f.path.startswith(TWIN)]
    assert python, "the fixture's Python app gives the rule nothing to compare"
    assert typescript == python
