"""JSON with positions: members at their key, items at their start, bad JSON at its line;
located on demand, every value where the scanner finds it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.json_positions import MAX_DEPTH, Locator, load_json, loads_bounded, scan

TEXT = """{
  "Resources": {
    "Bucket": {"Type": "AWS::S3::Bucket",
               "Tags": [{"Key": "team"}, 7]}
  },
  "esc\\"aped": true
}
"""


def test_members_are_at_their_key_and_items_at_their_start():
    document = load_json(TEXT)
    assert document.value["Resources"]["Bucket"]["Type"] == "AWS::S3::Bucket"
    assert document.positions[("Resources",)] == (2, 3)
    assert document.positions[("Resources", "Bucket", "Type")] == (3, 16)
    assert document.positions[("Resources", "Bucket", "Tags", 0)] == (4, 25)
    assert document.positions[("Resources", "Bucket", "Tags", 1)] == (4, 42)
    assert document.positions[('esc"aped',)] == (6, 3)
    assert document.position(("Resources", "Bucket", "Tags", 0, "Missing")) == (4, 25)


def test_bad_json_is_a_parse_error_at_its_line():
    with pytest.raises(ParseError) as raised:
        load_json('{\n  "a": 1,\n  "b": }\n')
    assert (raised.value.line, raised.value.column) == (3, 8)
    assert raised.value.message == "is not valid JSON: Expecting value"


def test_nesting_is_bounded_before_json_recursion():
    with pytest.raises(ParseError) as raised:
        load_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert raised.value.message == f"is nested more than {MAX_DEPTH} levels deep"
    assert raised.value.column == MAX_DEPTH + 1


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(_json, st.sampled_from([None, 1, 2]))
def test_values_are_those_of_json_loads_in_any_layout(value, indent):
    text = json.dumps(value, indent=indent)
    assert load_json(text).value == value


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet='{}[]:,"\\ \n0a-', max_size=40))
def test_junk_is_a_parse_error_or_a_value(text):
    try:
        load_json(text)
    except ParseError as error:
        assert error.line >= 1 and error.column >= 1


_layouts = st.sampled_from(
    [
        {"indent": None},
        {"indent": 1},
        {"indent": "\t"},
        {"separators": (",", ":")},
        {"indent": 2, "ensure_ascii": False},
    ]
)


@settings(max_examples=80, deadline=None)
@given(_json, _layouts, st.booleans())
def test_the_locator_finds_every_value_where_the_scanner_does(value, layout, crlf):
    text = json.dumps(value, **layout)
    if crlf:
        text = text.replace("\n", "\r\n")
    spans = scan(text)
    locator = Locator(text)
    assert {path: locator.span(path) for path in spans} == spans


def _entered(locator: Locator, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The offsets of the containers whose members the locator reads, in order."""
    entered: list[int] = []
    read = locator._read_members

    def counted(container: int) -> object:
        entered.append(container)
        return read(container)

    monkeypatch.setattr(locator, "_read_members", counted)
    return entered


def test_the_locator_enters_only_the_containers_on_the_way(monkeypatch: pytest.MonkeyPatch):
    text = '{"skip": [[1, 2], {"a": "]"}], "cells": [{"x": 1}, {"source": ["a\\n", "b"]}]}'
    locator = Locator(text)
    entered = _entered(locator, monkeypatch)
    start, end = locator.span(("cells", 1, "source", 1))  # type: ignore[misc]
    assert text[start:end] == '"b"'
    assert entered == [0, text.index('[{"x"'), text.index('{"source"'), text.index('["a')]
    assert locator.span(("skip", 5)) is None
    assert locator.span(("cells", "0")) is None  # an array has no keys
    assert locator.span((0,)) is None  # an object has no indexes


def test_the_locator_keeps_large_containers_and_the_way_to_the_last_question(
    monkeypatch: pytest.MonkeyPatch,
):
    cells = [{"source": [f"x = {i}\n", "y = x\n"], "outputs": ["o" * 2000]} for i in range(4)]
    text = json.dumps({"cells": cells, "metadata": {}}, indent=1)
    locator = Locator(text)
    entered = _entered(locator, monkeypatch)
    for cell in range(4):
        for line in range(2):
            start, end = locator.span(("cells", cell, "source", line))  # type: ignore[misc]
            assert json.loads(text[start:end]) == cells[cell]["source"][line]
    # The document and its cells (over 4,000 characters) once; each cell (2,000 characters)
    # and its source once too, kept from one line's question to the next.
    assert len(entered) == 2 + 4 * 2
    assert entered[:2] == [0, text.index("[", text.index('"cells"'))]
    # A cell asked about again after another is read again: small ones are not kept.
    locator.span(("cells", 0, "source", 0))
    assert len(entered) == 2 + 4 * 2 + 2


def test_the_locator_reads_a_small_document_once_for_questions_taking_its_way(
    monkeypatch: pytest.MonkeyPatch,
):
    cells = [
        {"source": [f"x = {i}\n"], "outputs": [{"text": "a"}, {"text": "b"}]} for i in range(3)
    ]
    text = json.dumps({"metadata": {}, "cells": cells})
    locator = Locator(text)
    entered = _entered(locator, monkeypatch)
    for cell in range(3):
        spans = locator.items(("cells", cell, "outputs"))
        assert [json.loads(text[start:end]) for start, end in spans or ()] == cells[cell]["outputs"]
    # The document and its cells once, then each cell and its outputs.
    assert len(entered) == 2 + 3 * 2


def test_the_locator_reads_a_repeated_key_as_json_loads_does():
    text = '{"a": [1], "a": {"b": 2}}'
    assert json.loads(text)["a"] == {"b": 2}
    assert Locator(text).span(("a", "b")) == (text.index("2"), text.index("2") + 1)
    assert Locator(text).span(("a", 0)) is None


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        # Read by json.loads, but deeper than the bound.
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "is nested more than", MAX_DEPTH + 1),
        # Deeper than json.loads recurses.
        ("[" * 100_000 + "]" * 100_000, "is nested more than", MAX_DEPTH + 1),
        # Too deep before it goes wrong: the depth is what the scanner meets first.
        ("[" * (MAX_DEPTH + 1) + "}", "is nested more than", MAX_DEPTH + 1),
        # Wrong before it is too deep.
        ("[x" + "[" * (MAX_DEPTH + 1), "is not valid JSON: Expecting value", 2),
        (
            "[" * MAX_DEPTH + "]" * MAX_DEPTH + "x",
            "is not valid JSON: Extra data",
            2 * MAX_DEPTH + 1,
        ),
    ],
)
def test_decoding_refuses_what_the_scanner_refuses_at_the_same_place(text, message, column):
    with pytest.raises(ParseError) as raised:
        loads_bounded(text)
    assert raised.value.message.startswith(message)
    assert (raised.value.line, raised.value.column) == (1, column)
    assert loads_bounded("[" * MAX_DEPTH + "]" * MAX_DEPTH) == json.loads(
        "[" * MAX_DEPTH + "]" * MAX_DEPTH
    )
