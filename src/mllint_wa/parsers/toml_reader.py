"""The one way mllint-wa reads a TOML file: lens.toml, pyproject.toml and ``--config`` alike.

tomllib parses whatever it is given, at whatever cost: a dotted key of 40,000 parts takes it
half a minute and gigabytes, an integer of 5,000 digits raises ``ValueError``, deep nesting
raises ``RecursionError``, and ``open()`` on a FIFO or ``/dev/zero`` never returns. So the text
is bounded before tomllib sees it, and every way the read can fail is a :class:`TomlError`
with a position, never an exception.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path
from typing import Literal

from mllint_wa.bounded import read_prefix
from mllint_wa.parsers.tomlcompat import tomllib
from mllint_wa.records import dataclass

MAX_TOML_BYTES = 1024 * 1024
# Deeper nesting than any manifest or pyproject.toml needs; refusing it keeps every
# recursive walk safe.
MAX_NESTING = 64
# tomllib and the position scanner spend time and memory on every prefix of a dotted key, so
# a file of many long keys costs the square of their parts: 16 is four times what lens.toml
# needs and more than any [tool.…] table uses.
MAX_KEY_PARTS = 16
# A bare key or a bare value (number, date, boolean) longer than this is no real setting;
# it also keeps integers far below the digits that Python refuses to convert.
MAX_BARE_CHARS = 1024
MAX_LINE_CHARS = 64 * 1024

_TOMLLIB_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_DELIMITERS = frozenset("=,[]{}\n")


@dataclass(frozen=True)
class TomlError:
    """Why a TOML file could not be read; ``message`` follows the file's name
    (``"is not valid TOML: …"``)."""

    kind: Literal["unreadable", "syntax"]
    message: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class TomlDocument:
    text: str
    data: dict[str, object]


def read_toml(path: Path, max_bytes: int = MAX_TOML_BYTES) -> TomlDocument | TomlError:
    """Read and parse a regular file of at most ``max_bytes``."""
    try:
        # Non-blocking, so that opening a FIFO returns at once and fstat can refuse it; the
        # check is on what was opened, not on the name, which may change in between.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                return TomlError("unreadable", "is not a regular file")
            raw = read_prefix(descriptor, max_bytes + 1, info.st_size + 1)
        finally:
            os.close(descriptor)
    except OSError as error:
        return TomlError("unreadable", f"cannot be read: {error.strerror or type(error).__name__}")
    if len(raw) > max_bytes:
        return TomlError("unreadable", f"is larger than {max_bytes // 1024} KiB")
    return decode_toml(raw)


def decode_toml(raw: bytes) -> TomlDocument | TomlError:
    # A byte-order mark is legal at the start of a UTF-8 file and means nothing.
    raw = raw.removeprefix(codecs.BOM_UTF8)
    if b"\x00" in raw:
        return TomlError("unreadable", "is a binary file, not TOML")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return TomlError(
            "unreadable", f"is not valid UTF-8 (byte {raw[error.start]:#04x})", line, column
        )
    parsed = parse_toml(text)
    return TomlDocument(text, parsed) if isinstance(parsed, dict) else parsed


def parse_toml(text: str) -> dict[str, object] | TomlError:
    """tomllib's reading of ``text``, once the text is known to be cheap to read."""
    bound = _bound_exceeded(text)
    if bound is not None:
        return bound
    try:
        data: dict[str, object] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, column, message = _decode_error_position(error, text)
        return TomlError("syntax", f"is not valid TOML: {message}", line, column)
    except (RecursionError, MemoryError):
        return TomlError("unreadable", "nests arrays or tables too deeply to read")
    except ValueError as error:  # e.g. an integer Python refuses to convert
        return TomlError("syntax", f"is not valid TOML: {str(error).split(';')[0]}")
    if _depth(data) > MAX_NESTING:
        return TomlError("unreadable", f"nests arrays or tables more than {MAX_NESTING} deep")
    return data


def _bound_exceeded(text: str) -> TomlError | None:
    """The first line too long, bare token too long, or key of too many parts.

    A lexical pass only: strings and comments are skipped, and every run of text between
    ``=``, ``,``, brackets and line ends counts its dots, so a dotted key cannot hide its
    parts behind quotes. A value such as ``1.5`` has one dot, far below the bound."""
    length = len(text)
    i = line_start = 0
    line = 1
    dots = bare = 0
    # A comment may be as long as it likes: it costs tomllib nothing.
    content_end: int | None = None
    while i < length:
        ch = text[i]
        if ch in _DELIMITERS:
            dots = bare = 0
            if ch == "\n":
                if (i if content_end is None else content_end) - line_start > MAX_LINE_CHARS:
                    return _too_long(line)
                line += 1
                line_start = i + 1
                content_end = None
        elif ch == "#":
            content_end = i
            end = text.find("\n", i)
            i = length if end < 0 else end
            continue
        elif ch in "\"'":
            end = _string_end(text, i)
            newlines = text.count("\n", i, end)
            if newlines:
                last = text.rfind("\n", i, end)
                if max(len(part) for part in text[line_start:last].split("\n")) > MAX_LINE_CHARS:
                    return _too_long(line)
                line += newlines
                line_start = last + 1
            bare = 0
            i = end
            continue
        elif ch == ".":
            dots += 1
            bare = 0
            if dots >= MAX_KEY_PARTS:
                return TomlError(
                    "syntax",
                    f"has a dotted key of more than {MAX_KEY_PARTS} parts",
                    line,
                    i - line_start + 1,
                )
        elif ch in " \t\r":
            bare = 0
        else:
            bare += 1
            if bare > MAX_BARE_CHARS:
                return TomlError(
                    "syntax",
                    f"has a bare key or value longer than {MAX_BARE_CHARS} characters",
                    line,
                    i - line_start - bare + 2,
                )
        i += 1
    if (length if content_end is None else content_end) - line_start > MAX_LINE_CHARS:
        return _too_long(line)
    return None


def _too_long(line: int) -> TomlError:
    return TomlError("syntax", f"has a line longer than {MAX_LINE_CHARS} characters", line)


def _string_end(text: str, start: int) -> int:
    """The index just past the string that starts at ``start`` (or past what was meant as
    one: an unterminated single-line string ends with its line, for tomllib to report)."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        i = start + 3
        while True:
            end = text.find(quote * 3, i)
            if end < 0:
                return len(text)
            if quote == '"' and _escaped(text, start + 3, end):
                i = end + 1
                continue
            # Up to two quotes may stand just before the closing delimiter.
            while text.startswith(quote, end + 3) and end + 3 < len(text):
                end += 1
            return end + 3
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == quote:
            return i + 1
        if ch == "\n":
            return i
        i += 2 if quote == '"' and ch == "\\" else 1
    return i


def _escaped(text: str, start: int, at: int) -> bool:
    """Whether the character at ``at`` is escaped by an odd run of backslashes."""
    backslashes = 0
    while at - backslashes - 1 >= start and text[at - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _depth(data: object) -> int:
    """How deeply arrays and tables nest, measured without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _decode_error_position(error: tomllib.TOMLDecodeError, text: str) -> tuple[int, int, str]:
    # tomli and Python >= 3.14 carry lineno/colno; Python 3.11-3.13 only put them in the text.
    message = str(error)
    lineno = getattr(error, "lineno", None)
    colno = getattr(error, "colno", None)
    match = _TOMLLIB_POSITION.search(message)
    if lineno is None and match:
        lineno, colno = int(match.group(1)), int(match.group(2))
    message = _TOMLLIB_POSITION.sub("", getattr(error, "msg", message)).strip()
    if lineno is None:  # "(at end of document)"
        message = message.replace("(at end of document)", "").strip()
        lineno = text.count("\n") + 1
        colno = len(text) - (text.rfind("\n") + 1) + 1
    return lineno, colno or 1, message
