"""Hostile git data: an index that stands for gigabytes of paths, git data through symlinks.

The index is read directly, within bounds: a version 4 index rebuilds each path from the one
before it, so its paths are read up to eight times the index's size in total; past that, the
index is unreadable and DP011 says so, with the reason. Nothing of git's is read through a
symlink (a linked index could be another repository's), and nothing inside `.git` is evidence:
a project file linked there is LN008, not parsed.
"""

from __future__ import annotations

import hashlib
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.git import PATH_EXPANSION, IndexUnreadable, parse_index
from mllint_wa.project import WalkProblem, discover
from trees import write_tree

MIB = 1024 * 1024


def growing_v4_index(size: int, step: int = 64) -> bytes:
    """A version 4 index of about ``size`` bytes whose every entry keeps the whole previous
    path and adds ``step`` bytes to it: its paths add up to size² / (2 * step) bytes."""
    entry = struct.pack(">10I", 0, 0, 0, 0, 0, 0, 0o100644, 0, 0, 10) + b"\0" * 20
    entry += struct.pack(">H", 0xFFF) + b"\0" + b"a" * step + b"\0"
    count = (size - 32) // len(entry)
    body = b"DIRC" + struct.pack(">II", 4, count) + entry * count
    return body + hashlib.sha1(body).digest()


def path_budget_message(index: bytes) -> str:
    return (
        f"holds more than {PATH_EXPANSION * len(index)} bytes of paths once their shared "
        "prefixes are expanded"
    )


def test_an_index_whose_prefix_compression_expands_too_far_is_refused():
    index = growing_v4_index(MIB)  # 2 GiB of paths, rebuilt one from another
    with pytest.raises(IndexUnreadable) as refused:
        parse_index(index)
    assert str(refused.value) == path_budget_message(index)


def test_a_crafted_index_is_reported_by_dp011_and_large_files_stay_unjudged(lint, tmp_path: Path):
    repo = write_tree(
        tmp_path, {"lens.toml": "schema_version = 1\n", "data/big.csv": "x" * 2_000_000}
    )
    index = growing_v4_index(MIB)
    (repo / ".git").mkdir()
    (repo / ".git" / "index").write_bytes(index)
    assert lint(repo, "DP010", "DP011") == [("DP011", "git-index-unavailable", ".git/index", 1, 1)]
    assert lint.messages(repo, "DP011") == [
        f"the git index {path_budget_message(index)}: files committed to git were not checked"
    ]


def test_paths_that_share_prefixes_within_the_budget_are_read():
    index = growing_v4_index(16 * 1024, step=1)  # 251 entries of 1 to 251 bytes
    paths = parse_index(index)
    assert [len(entry.path) for entry in paths] == list(range(1, len(paths) + 1))


# -- git data and evidence through symlinks ----------------------------------------------------


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def other_repository(tmp_path: Path) -> Path:
    """A repository next to the linted one that commits a 2 MB data file."""
    other = write_tree(tmp_path / "other", {"data/big.csv": "x" * 2_000_000})
    _git(other, "init", "-q")
    _git(other, "add", "-A")
    return other


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The linted repository: the same data file, not added; nothing else committed."""
    root = write_tree(
        tmp_path / "repo", {"lens.toml": "schema_version = 1\n", "data/big.csv": "x" * 2_000_000}
    )
    _git(root, "init", "-q")
    _git(root, "add", "lens.toml")
    return root


def test_an_index_linked_to_another_repository_decides_nothing(lint, repo, other_repository):
    (repo / ".git" / "index").unlink()
    (repo / ".git" / "index").symlink_to(other_repository / ".git" / "index")
    assert lint(repo, "DP010", "DP011") == [("DP011", "git-index-unavailable", ".git/index", 1, 1)]
    assert lint.messages(repo, "DP011") == [
        "the git index is a symlink, which is not followed: files committed to git were not checked"
    ]


def test_a_git_directory_linked_to_another_repository_decides_nothing(lint, repo, other_repository):
    shutil.rmtree(repo / ".git")
    (repo / ".git").symlink_to(other_repository / ".git")
    assert lint(repo, "DP010", "DP011") == [("DP011", "git-index-unavailable", ".git/index", 1, 1)]
    assert lint.messages(repo, "DP011") == [
        "the git index is in a git directory that is a symlink, which is not followed: files "
        "committed to git were not checked"
    ]


def test_the_index_of_the_repository_itself_is_still_read(lint, repo, other_repository):
    _git(repo, "add", "data/big.csv")
    assert lint(repo, "DP010", "DP011") == [("DP010", "large-file-in-git", "data/big.csv", 1, 1)]


@pytest.mark.parametrize(
    "target", [".git/config", ".git/index", ".git", "sub/.git/config", "sub/.git/HEAD"]
)
def test_a_file_linked_into_git_data_is_not_evidence(lint, repo, target):
    write_tree(repo, {"sub/.git/config": "[core]\n", "sub/.git/HEAD": "ref: x\n"})
    (repo / "Dockerfile").symlink_to(target)
    # Reported as a link no rule reads, and read by none.
    on_dockerfile = [row for row in lint(repo) if row[2] == "Dockerfile"]
    assert on_dockerfile == [("LN008", "unreadable-path", "Dockerfile", 1, 1)]
    assert lint.messages(repo, "LN008") == [
        "`Dockerfile` was not linted: symlink points into git's data (.git)"
    ]
    assert Evidence(repo, ("Dockerfile",)).data("Dockerfile") is None


def test_a_link_to_a_file_of_the_project_is_still_read(repo):
    write_tree(repo, {"docker/Dockerfile": "FROM python:3.12\n"})
    (repo / "Dockerfile").symlink_to("docker/Dockerfile")
    assert Evidence(repo, ("Dockerfile",)).data("Dockerfile") == b"FROM python:3.12\n"


def test_a_linked_info_exclude_is_not_read_and_is_reported(repo):
    write_tree(repo, {"excludes.txt": "*.csv\n", "train.csv": "1\n"})
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").unlink(missing_ok=True)
    (repo / ".git" / "info" / "exclude").symlink_to(repo / "excludes.txt")
    discovery = discover([repo])
    assert "train.csv" in discovery.projects[0].files
    assert discovery.problems == (
        WalkProblem(repo / ".git" / "info" / "exclude", "git data is not read through a symlink"),
    )
