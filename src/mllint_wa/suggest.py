"""Did-you-mean hints for misspelt keys, values and rule selectors."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[object]) -> str:
    """A ``; did you mean `x`?`` suffix, or nothing when no choice is close."""
    matches = difflib.get_close_matches(word, sorted(str(c) for c in choices), n=1, cutoff=0.6)
    return f"; did you mean `{matches[0]}`?" if matches else ""
