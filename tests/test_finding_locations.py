"""Every finding stands on a file that exists.

GitHub code scanning and GitLab place an annotation on a file of the repository; a finding
about something missing (a model card, a datasheet, the manifest) that pointed at the file
it asks for could not be shown. This runs every rule over every fixture repository, at the
stage the manifest declares and at production (where every rule applies), and checks each
reported and suppressed finding's path, and the paths of its related places.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mllint_wa.config import Layer
from mllint_wa.model import Finding, Stage
from mllint_wa.runner import RunOptions, run
from test_rule_coverage import BUILT_IN_TMP

REPOS = Path(__file__).parent / "fixtures" / "repos"
FIXTURES = sorted(p.name for p in REPOS.iterdir() if p.is_dir())


def _lint_everything(directory: Path, monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    monkeypatch.chdir(directory)
    found: list[Finding] = []
    for stage in (None, Stage.PRODUCTION):
        options = RunOptions(cli=Layer("test", select=("ALL",)), stage=stage)
        result = run([Path(".")], options)
        assert result.errors == []
        found += result.findings + result.suppressed
    return found


def _standing_on_nothing(findings: list[Finding]) -> list[str]:
    """The findings, or their related places, whose file does not exist."""
    return [
        f"{path}:{line} {f.rule.code} {f.message}"
        for f in findings
        for path, line in [(f.path, f.line), *((r.path, r.line) for r in f.related)]
        if not os.path.lexists(path)
    ]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_finding_of_every_rule_stands_on_a_file_of_the_fixture(
    fixture: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _standing_on_nothing(_lint_everything(REPOS / fixture, monkeypatch)) == []


@pytest.mark.parametrize("name", sorted(BUILT_IN_TMP))
def test_every_finding_on_the_trees_built_for_a_test_stands_on_a_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = BUILT_IN_TMP[name](tmp_path)
    assert _standing_on_nothing(_lint_everything(root, monkeypatch)) == []
