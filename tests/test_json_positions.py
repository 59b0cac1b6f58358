"""JSON with positions: members at their key, items at their start, bad JSON at its line."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.json_positions import MAX_DEPTH, load_json

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


@settings(max_examples=60, deadline=2000)
@given(_json, st.sampled_from([None, 1, 2]))
def test_values_are_those_of_json_loads_in_any_layout(value, indent):
    text = json.dumps(value, indent=indent)
    assert load_json(text).value == value


@settings(max_examples=60, deadline=2000)
@given(st.text(alphabet='{}[]:,"\\ \n0a-', max_size=40))
def test_junk_is_a_parse_error_or_a_value(text):
    try:
        load_json(text)
    except ParseError as error:
        assert error.line >= 1 and error.column >= 1
