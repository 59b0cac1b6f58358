"""Shared helpers for the rule tests: lint a fixture repository and get its findings as tuples."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from mllint_wa import registry
from mllint_wa.config import Layer
from mllint_wa.registry import ENTRY_POINT_GROUP, load_rules
from mllint_wa.runner import RunOptions, RunResult, run
from plugins import FakeEntryPoint

REPOS = Path(__file__).parent / "fixtures" / "repos"
TODAY = date(2026, 1, 1)

# (code, name, path, line, column) of one finding.
Row = tuple[str, str, str, int, int]


class Linter:
    """Lints a repository from inside it, so finding paths read ``lens.toml``.

    ``repo`` is a path, or the name of a directory under ``tests/fixtures/repos``. ``select``
    holds rule selectors (codes, prefixes or names); none means the project's own settings.
    Preview rules run too: a rule's tests hold whether or not it is in the default set.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch

    def result(self, repo: Path | str, *select: str, today: date = TODAY) -> RunResult:
        directory = repo if isinstance(repo, Path) else REPOS / repo
        assert directory.is_dir(), f"no fixture repository {directory}"
        self._monkeypatch.chdir(directory)
        options = RunOptions(cli=Layer("test", select=select or None, preview=True), today=today)
        result = run([Path(".")], options)
        assert result.errors == [], result.errors
        return result

    def __call__(self, repo: Path | str, *select: str, today: date = TODAY) -> list[Row]:
        return [
            (f.rule.code, f.rule.name, f.path, f.line, f.column)
            for f in self.result(repo, *select, today=today).findings
        ]

    def messages(self, repo: Path | str, *select: str, today: date = TODAY) -> list[str]:
        return [f.message for f in self.result(repo, *select, today=today).findings]


@pytest.fixture(autouse=True)
def no_cache_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Command-line runs keep no cache in the fixture trees, or wherever a test runs them
    from; the cache's own tests take this away."""
    monkeypatch.setenv("MLLINT_WA_NO_CACHE", "1")


@pytest.fixture
def lint(monkeypatch: pytest.MonkeyPatch) -> Linter:
    """``lint(repo, *select, today=TODAY)`` → [(code, name, path, line, column), …]."""
    return Linter(monkeypatch)


@pytest.fixture
def manifest(tmp_path: Path) -> Callable[[str], Path]:
    """Write a lens.toml (dedented, leading newline dropped) into a fresh project; its path."""

    def write(text: str) -> Path:
        (tmp_path / "lens.toml").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return tmp_path

    return write


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[FakeEntryPoint]]:
    """The installed plugins: append FakeEntryPoints (tests/plugins.py) to this list. The
    rules are loaded afresh before and after the test."""
    installed: list[FakeEntryPoint] = []
    monkeypatch.setattr(
        registry,
        "entry_points",
        lambda *, group: list(installed) if group == ENTRY_POINT_GROUP else [],
    )
    load_rules.cache_clear()
    yield installed
    load_rules.cache_clear()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose lens.toml holds only its schema version, as the working
    directory."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "lens.toml").write_text("schema_version = 1\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return root
