"""One regex for many needles finds a needle exactly where a search a needle would."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.literals import any_of, any_of_bytes

# A small alphabet with regex metacharacters and letters beyond ASCII: needles share
# prefixes and hold what escaping must keep literal.
_ALPHABET = "ab.*(|\\-_:\u00e9\U0001f600"
_TEXT = st.text(alphabet=_ALPHABET, max_size=40)


_NEEDLE = st.text(alphabet=_ALPHABET, max_size=6)
_BYTES = st.binary(max_size=40)


@settings(deadline=None)
@given(needles=st.lists(_NEEDLE, max_size=12), text=_TEXT)
def test_the_pattern_finds_a_needle_exactly_when_one_is_in_the_text(
    needles: list[str], text: str
) -> None:
    assert (re.search(any_of(needles), text) is not None) == any(n in text for n in needles)


@settings(deadline=None)
@given(needles=st.lists(st.binary(max_size=6), max_size=12), data=_BYTES)
def test_the_byte_pattern_finds_a_needle_exactly_when_one_is_in_the_bytes(
    needles: list[bytes], data: bytes
) -> None:
    assert (re.search(any_of_bytes(needles), data) is not None) == any(n in data for n in needles)


def test_needles_sharing_a_prefix_are_written_as_a_trie_without_repetition() -> None:
    pattern = any_of(["AKIA", "ASIA", "ABIA", "sk-", "sk-ant-"])
    assert pattern == "(?:A(?:BIA|KIA|SIA)|sk\\-)"
    assert not any(mark in pattern.replace("(?:", "(") for mark in "*+?{")


def test_byte_needles_match_bytes_beyond_ascii() -> None:
    pattern = re.compile(any_of_bytes([b"caf\xc3\xa9", b"\xff\x00"]))
    assert pattern.search(b"un caf\xc3\xa9 noir")
    assert pattern.search(b"..\xff\x00..")
    assert not pattern.search(b"cafe \xff")


def test_no_needles_match_nothing_and_an_empty_needle_everything() -> None:
    assert re.search(any_of([]), "abc") is None
    assert re.search(any_of([]), "") is None
    assert re.search(any_of_bytes([]), b"abc") is None
    assert re.search(any_of(["", "abc"]), "xyz") is not None
