"""The wording rules share: a count with its noun, and the first few names of a list."""

from __future__ import annotations

from mllint_wa.checks.wording import counted, first_named


def test_a_count_says_its_noun_in_the_plural_unless_it_is_one() -> None:
    assert [counted(n, "package") for n in (0, 1, 2)] == ["0 packages", "1 package", "2 packages"]


def test_a_list_names_its_first_few_and_counts_the_rest() -> None:
    assert first_named(["a"], 2) == "a"
    assert first_named(["a", "b"], 2) == "a, b"
    assert first_named(["a", "b", "c", "d"], 2) == "a, b and 2 more"
    assert first_named(["`x`", "`y`"], 1) == "`x` and 1 more"
