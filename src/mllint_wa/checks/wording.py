"""Wording the rules' messages share: how many of a thing, and which."""

from __future__ import annotations

from collections.abc import Sequence


def counted(number: int, noun: str) -> str:
    """``1 package``, ``3 packages``."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def first_named(names: Sequence[str], at_most: int) -> str:
    """The first ``at_most`` names, then how many more there are: ``a, b and 3 more``."""
    shown = ", ".join(names[:at_most])
    return shown + (f" and {len(names) - at_most} more" if len(names) > at_most else "")
