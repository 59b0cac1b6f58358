"""TOML documents that are evidence (pyproject.toml, Pipfile, lock files), read in one place.

Every dependency reader goes through :func:`load_toml`, which applies the same bounds as the
manifest and settings reader (line, key and nesting limits) before tomllib sees the text.
"""

from __future__ import annotations

from typing import Any

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.toml_reader import parse_toml


def load_toml(text: str) -> dict[str, Any]:
    """The document as data; a syntax error or a bound hit is a :class:`ParseError` at its
    line."""
    parsed = parse_toml(text)
    if isinstance(parsed, dict):
        return parsed
    raise ParseError(parsed.message, parsed.line, parsed.column)
