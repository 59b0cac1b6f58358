"""TOML documents that are evidence (pyproject.toml, Pipfile, lock files), read in one place.

Every dependency reader goes through :func:`load_toml`, so that how TOML is read (the
standard library's reader today) is decided here once for all of them.
"""

from __future__ import annotations

from typing import Any

from mllint_wa.evidence import ParseError
from mllint_wa.manifest import _decode_error_position
from mllint_wa.parsers.tomlcompat import tomllib


def load_toml(text: str) -> dict[str, Any]:
    """The document as data; a syntax error is a :class:`ParseError` at its line."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
        return data
    except tomllib.TOMLDecodeError as error:
        line, column, message = _decode_error_position(error, text)
        raise ParseError(f"is not valid TOML: {message}", line, column) from None
