"""JSON read as data, with the line and column where each value (or member key) stands.

The standard library's :mod:`json` gives values but no positions, so a small scanner walks
the raw text once, without recursion, and records where the values a caller wants start
and end, keyed by their path (``("Resources", "Bucket", "Type")``, ``("cells", 3)``). It
trusts the input to be JSON (``json.loads`` decides that afterwards, with its own line and
column) but refuses nesting deeper than :data:`MAX_DEPTH` before ``json.loads`` would
recurse into it.
"""

from __future__ import annotations

import bisect
import json
import re
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mllint_wa.evidence import ParseError

# Deeper JSON than this is no configuration anyone writes; the bound also keeps
# json.loads's recursion safe.
MAX_DEPTH = 64

Path = tuple[str | int, ...]
Spans = dict[Path, tuple[int, int]]

_TOKEN = re.compile(
    r'[ \t\n\r]*(?:([{}\[\],:])|("[^"\\]*(?:\\.[^"\\]*)*")'
    r"|(-?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|Infinity)|true|false|null|NaN))",
    re.S,
)
_NEWLINE = re.compile("\n")


def _everything(_path: Path) -> bool:
    return True


def scan(
    text: str,
    wanted: Callable[[Path], bool] = _everything,
    keys: dict[Path, int] | None = None,
) -> Spans:
    """Offsets (start, end) of the ``wanted`` values by path; when ``keys`` is given, it
    receives the offset of each wanted object member's key. Stops quietly where the text
    is not JSON; raises :class:`ParseError` on nesting deeper than :data:`MAX_DEPTH`."""
    spans: Spans = {}
    # Each open container: its path, start, whether it is an object, the key or index of
    # the value being read in it, and (objects) whether a key is expected next.
    stack: list[list[Any]] = []
    position = 0
    while True:
        match = _TOKEN.match(text, position)
        if match is None:
            return spans
        position = match.end()
        punctuation, string, _ = match.groups()
        start = match.start(1) if punctuation else match.start(2) if string else match.start(3)
        top = stack[-1] if stack else None
        if punctuation in ("}", "]"):
            if top is None:
                return spans
            stack.pop()
            if wanted(top[0]):
                spans[top[0]] = (top[1], position)
            continue
        if punctuation == ",":
            if top is not None:
                if top[2]:
                    top[4] = True
                else:
                    top[3] += 1
            continue
        if punctuation == ":":
            if top is not None:
                top[4] = False
            continue
        if top is not None and top[2] and top[4]:  # an object's key
            top[3] = json.loads(string) if string and "\\" in string else (string or "")[1:-1]
            member: Path = (*top[0], top[3])
            if keys is not None and wanted(member):
                keys[member] = start
            continue
        path: Path = () if top is None else (*top[0], top[3])
        if punctuation in ("{", "["):
            if len(stack) >= MAX_DEPTH:
                line, column = Positions(text).at(start)
                raise ParseError(f"is nested more than {MAX_DEPTH} levels deep", line, column)
            stack.append([path, start, punctuation == "{", 0, True])
        elif wanted(path):
            spans[path] = (start, position)


class Positions:
    """Offsets to 1-based (line, column) by binary search over the line starts."""

    def __init__(self, text: str) -> None:
        self._starts = array("q", [0])
        self._starts.extend(match.end() for match in _NEWLINE.finditer(text))

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


@dataclass(frozen=True)
class JsonDocument:
    """A JSON value and where its parts are written: an object member at its key, an
    array item (and the whole document) at the value's start."""

    value: Any
    positions: Mapping[Path, tuple[int, int]]

    def position(self, path: Path) -> tuple[int, int]:
        """Where ``path`` is written, else its nearest written ancestor."""
        return nearest_position(self.positions, path)


def nearest_position(positions: Mapping[Path, tuple[int, int]], path: Path) -> tuple[int, int]:
    """Where ``path`` is written in ``positions``, else its nearest written ancestor, else
    the document's first line."""
    for end in range(len(path), -1, -1):
        found = positions.get(path[:end])
        if found is not None:
            return found
    return 1, 1


def load_json(text: str) -> JsonDocument:
    """``text`` as JSON with positions; bad JSON is a :class:`ParseError` at its line."""
    keys: dict[Path, int] = {}
    spans = scan(text, keys=keys)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"is not valid JSON: {error.msg}", error.lineno, error.colno) from None
    positions = Positions(text)
    where = {path: positions.at(start) for path, (start, _) in spans.items()}
    where.update((path, positions.at(start)) for path, start in keys.items())
    return JsonDocument(value, where)
