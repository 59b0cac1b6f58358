"""Hostile git data: an index that stands for gigabytes of paths.

The index is read directly, within bounds: a version 4 index rebuilds each path from the one
before it, so its paths are read up to eight times the index's size in total; past that, the
index is unreadable and DP011 says so, with the reason.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import pytest

from mllint_wa.evidence.git import PATH_EXPANSION, IndexUnreadable, parse_index
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
    assert [len(path) for path, _ in paths] == list(range(1, len(paths) + 1))
