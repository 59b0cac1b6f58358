"""The pre-commit hook as users run it: `pre-commit try-repo` installs this repository's hook
(its own virtualenv, built with pip from the checkout) into a scratch git repository, fails on
findings, and passes once they are fixed.

It builds a virtualenv, so it is left out of the default run (`-m "not precommit"` in the
pytest settings); `.ci/run` runs it with `pytest -m precommit`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPLETE = ROOT / "tests" / "fixtures" / "repos" / "complete"

pytestmark = pytest.mark.precommit


def _environment(home: Path) -> dict[str, str]:
    # Nothing of the repository the tests run in (a hook's GIT_DIR, GIT_INDEX_FILE) may leak
    # into the scratch repository; try-repo commits uncommitted changes to a shadow copy of
    # this repository, which needs an identity.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    identity = {"NAME": "mllint-wa tests", "EMAIL": "tests@example.invalid"}
    for role in ("AUTHOR", "COMMITTER"):
        env.update({f"GIT_{role}_{key}": value for key, value in identity.items()})
    env["PRE_COMMIT_HOME"] = str(home)
    return env


def _git(repo: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _try_repo(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "mllint-wa"]
    return subprocess.run(
        [*command, "--all-files"], cwd=repo, env=env, capture_output=True, text=True
    )


def test_try_repo_fails_on_findings_and_passes_once_they_are_fixed(tmp_path: Path) -> None:
    env = _environment(tmp_path / "pre-commit-home")
    is_repository = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if is_repository.returncode != 0 or Path(is_repository.stdout.strip()) != ROOT:
        pytest.skip("the hook repository must be a git checkout (pre-commit clones it)")

    repo = tmp_path / "scratch"
    shutil.copytree(COMPLETE, repo)
    manifest = repo / "lens.toml"
    fixed = manifest.read_text(encoding="utf-8")
    manifest.write_text(fixed.replace('kpi = "monthly churn rate"', 'kpi = "TODO"'), "utf-8")
    _git(repo, env, "init", "-q")
    _git(repo, env, "add", "-A")

    failed = _try_repo(repo, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "mllint-wa (AWS Well-Architected ML Lens)" in failed.stdout
    assert "Failed" in failed.stdout
    assert "lens.toml:11:1: BG002 [high] `business.kpi` is only a placeholder" in failed.stdout

    manifest.write_text(fixed, "utf-8")
    _git(repo, env, "add", "-A")
    passed = _try_repo(repo, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
