"""An ignore file hides untracked files only: git never ignores a file its index tracks, so
neither does discovery. A `.gitignore` that matches every dot-file or every notebook still
leaves the committed CI workflow and notebooks to be read; exclude patterns still exclude."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Linter
from mllint_wa import project as discovery_module
from mllint_wa.project import discover
from trees import write_files

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

FIXTURE = Path(__file__).parent / "fixtures" / "tracked-ignored"
# What the fixture's .gitignore hides, and its maintainers committed all the same.
FORCED = (".github/workflows/testing.yml", "data/README.md", "notebooks/explore.ipynb")
# What git shows of the fixture once those are committed and two ignored files are made.
SEEN = (
    ".github/workflows/testing.yml",
    ".gitignore",
    "data/README.md",
    "lens.toml",
    "notebooks/explore.ipynb",
    "src/scoring.py",
    "tests/test_scoring.py",
)


def git(repo: Path, *args: str) -> str:
    assert GIT is not None
    # A developer's global excludesFile or templates must not leak into the comparison.
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        [GIT, "-C", str(repo), *args], capture_output=True, check=True, env=env, text=True
    ).stdout


def copy_of_fixture(base: Path, *, repository: bool = True) -> Path:
    """The fixture as its maintainers have it: the ignored files in FORCED committed with
    `git add -f`, and an untracked scratch notebook and data export that stay ignored."""
    root = base.resolve() / "project"
    shutil.copytree(FIXTURE, root)
    (root / "gitignore").rename(root / ".gitignore")
    write_files(root, {"notebooks/scratch.ipynb": "{}", "data/raw.csv": "a,b\n1,2\n"})
    if repository:
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "add", "-f", *FORCED)
    return root


def files_of(root: Path, *exclude: str) -> tuple[str, ...]:
    found = discover([root], exclude=[(None, exclude)] if exclude else ())
    assert found.problems == ()
    (project,) = found.projects
    return project.files


def test_tracked_files_an_ignore_file_matches_are_kept(tmp_path: Path) -> None:
    assert files_of(copy_of_fixture(tmp_path)) == SEEN


def test_the_files_kept_are_those_git_shows(tmp_path: Path) -> None:
    root = copy_of_fixture(tmp_path)
    listed = git(root, "ls-files", "--cached", "--others", "--exclude-standard")
    assert tuple(sorted(listed.splitlines())) == SEEN


def test_exclude_patterns_still_exclude_tracked_files(tmp_path: Path) -> None:
    root = copy_of_fixture(tmp_path)
    kept = files_of(root, "notebooks/", "/.github/")
    assert ".github/workflows/testing.yml" not in kept
    assert "notebooks/explore.ipynb" not in kept
    assert "data/README.md" in kept


def test_outside_a_repository_ignore_files_hide_as_before(tmp_path: Path) -> None:
    root = copy_of_fixture(tmp_path, repository=False)
    assert files_of(root) == (".gitignore", "lens.toml", "src/scoring.py", "tests/test_scoring.py")


def test_the_index_is_read_only_once_a_pattern_hides_something(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Path] = []
    real = discovery_module.tracked_below

    def counted(root: Path) -> tuple[str, ...]:
        reads.append(root)
        return real(root)

    monkeypatch.setattr(discovery_module, "tracked_below", counted)
    root = copy_of_fixture(tmp_path)
    files_of(root)
    assert reads == [root]
    (root / ".gitignore").write_text("*.log\n", encoding="utf-8")
    reads.clear()
    files_of(root)
    assert reads == []


def test_a_ci_workflow_and_a_notebook_the_gitignore_hides_are_read(
    tmp_path: Path, lint: Linter
) -> None:
    root = copy_of_fixture(tmp_path)
    notebook = (root / "notebooks" / "explore.ipynb").read_text(encoding="utf-8").splitlines()
    # The cell run second stands after the one run third.
    line = next(n for n, text in enumerate(notebook, 1) if '"execution_count": 2' in text)
    column = notebook[line - 1].index("2") + 1
    # The workflow runs pytest, so the tests are run in CI; the notebook was run out of order.
    assert lint(root, "missing-ci-tests", "notebook-without-execution-order") == [
        ("MD003", "notebook-without-execution-order", "notebooks/explore.ipynb", line, column)
    ]
