"""One regex for many needles finds a needle exactly where a search a needle would."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.literals import any_of, any_of_bytes

# A small alphabet with regex metacharacters: needles share prefixes and hold what escaping
# must keep literal.
_TEXT = st.text(alphabet="ab.*(|\\-_:", max_size=40)


_NEEDLE = st.text(alphabet="ab.*(|\\-_:", min_size=1, max_size=6)


@settings(deadline=None)
@given(needles=st.lists(_NEEDLE, min_size=1, max_size=12), text=_TEXT)
def test_the_pattern_finds_a_needle_exactly_when_one_is_in_the_text(
    needles: list[str], text: str
) -> None:
    assert (re.search(any_of(needles), text) is not None) == any(n in text for n in needles)


def test_needles_sharing_a_prefix_are_written_as_a_trie_without_repetition() -> None:
    pattern = any_of(["AKIA", "ASIA", "ABIA", "sk-", "sk-ant-"])
    assert pattern == "(?:A(?:BIA|KIA|SIA)|sk\\-)"
    assert not any(mark in pattern.replace("(?:", "(") for mark in "*+?{")


def test_byte_needles_match_bytes_beyond_ascii() -> None:
    pattern = re.compile(any_of_bytes([b"caf\xc3\xa9", b"\xff\x00"]))
    assert pattern.search(b"un caf\xc3\xa9 noir")
    assert pattern.search(b"..\xff\x00..")
    assert not pattern.search(b"cafe \xff")
