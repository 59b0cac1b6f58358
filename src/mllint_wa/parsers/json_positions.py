"""JSON read as data, with the line and column where each value (or member key) stands.

The standard library's :mod:`json` gives values but no positions, so a small scanner walks
the raw text once, without recursion, and records where the values a caller wants start
and end, keyed by their path (``("Resources", "Bucket", "Type")``, ``("cells", 3)``). It
trusts the input to be JSON (``json.loads`` decides that afterwards, with its own line and
column) but refuses nesting deeper than :data:`MAX_DEPTH` before ``json.loads`` would
recurse into it.

:func:`load_json`, which wants where every value is written, keeps them as a tree shaped
like the document instead: a value's path is spelled out only when it is asked for, so a
deep document costs memory and time in its number of values, not that times its depth.
"""

from __future__ import annotations

import bisect
import json
import re
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from mllint_wa.evidence import ParseError

# Deeper JSON than this is no configuration anyone writes; the bound also keeps
# json.loads's recursion safe.
MAX_DEPTH = 64

Path = tuple[str | int, ...]
Spans = dict[Path, tuple[int, int]]

# A token after blanks: punctuation, a quoted string or another scalar, each its own group.
_TOKEN = re.compile(
    r'[ \t\n\r]*(([{}\[\],:])|("[^"\\]*(?:\\.[^"\\]*)*")'
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
    while (match := _TOKEN.match(text, position)) is not None:
        _, punctuation, string, _ = match.groups()
        start, position = match.span(1)
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
            top[3] = _member_name(string)
            if top[3] is None:  # a key with a bad escape: the text is not JSON
                return spans
            member: Path = (*top[0], top[3])
            if keys is not None and wanted(member):
                keys[member] = start
            continue
        path: Path = () if top is None else (*top[0], top[3])
        if punctuation in ("{", "["):
            _check_depth(text, len(stack), start)
            stack.append([path, start, punctuation == "{", 0, True])
        elif wanted(path):
            spans[path] = (start, position)
    return spans


# Where a value is written (a member's key, else the value's start) and, for an object or an
# array, its members by name or its items in order.
_Entry = tuple[int, "dict[str, _Entry] | list[_Entry] | None"]


def _tree(text: str) -> _Entry | None:
    """Where each value of ``text`` is written, as a tree of :data:`_Entry`; None for no
    value. Stops quietly where the text is not JSON, as :func:`scan` does, and refuses the
    same nesting."""
    document: list[_Entry] = []
    # Each open container: its members or items, whether it is an object, the name of the
    # member being read, whether a key is expected next, and where that key is written.
    stack: list[list[Any]] = []
    for punctuation, string, start in _tokens(text):
        top = stack[-1] if stack else None
        if punctuation in ("}", "]"):
            if top is None:
                break
            stack.pop()
        elif punctuation in (",", ":"):
            if top is not None and top[1]:
                top[3] = punctuation == ","
        elif top is not None and top[1] and top[3]:  # an object's key
            top[2] = _member_name(string)
            top[4] = start
            if top[2] is None:
                break
        else:
            children: dict[str, _Entry] | list[_Entry] | None = (
                {} if punctuation == "{" else [] if punctuation == "[" else None
            )
            if top is None:
                document.append((start, children))
            elif top[1]:
                top[0][top[2]] = (top[4], children)
            else:
                top[0].append((start, children))
            if children is not None:
                _check_depth(text, len(stack), start)
                stack.append([children, punctuation == "{", None, True, start])
    return document[0] if document else None


def _tokens(text: str) -> Iterator[tuple[str | None, str | None, int]]:
    """(punctuation, quoted string, start) of each token of ``text``, neither for the other
    scalars, up to the first character that is not JSON."""
    position = 0
    while (match := _TOKEN.match(text, position)) is not None:
        _, punctuation, string, _ = match.groups()
        start, position = match.span(1)
        yield punctuation, string, start


def _member_name(string: str | None) -> str | None:
    """A member's name from its quoted key; None when an escape in it is not JSON."""
    if string is None:
        return ""
    if "\\" not in string:
        return string[1:-1]
    try:
        name = json.loads(string)
    except json.JSONDecodeError:
        return None
    return name if isinstance(name, str) else None


def _check_depth(text: str, depth: int, start: int) -> None:
    if depth >= MAX_DEPTH:
        line, column = Positions(text).at(start)
        raise ParseError(f"is nested more than {MAX_DEPTH} levels deep", line, column)


class Positions:
    """Offsets to 1-based (line, column) by binary search over the line starts."""

    def __init__(self, text: str) -> None:
        self._starts = array("q", [0])
        self._starts.extend(match.end() for match in _NEWLINE.finditer(text))

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


class _Written(Mapping[Path, tuple[int, int]]):
    """Where each value of a document is written, looked up by path in its
    :func:`_tree` and turned into a line and a column only when asked."""

    def __init__(self, text: str, tree: _Entry | None) -> None:
        self._text = text
        self._tree = tree
        self._positions: Positions | None = None

    def __getitem__(self, path: Path) -> tuple[int, int]:
        entry = self._tree
        for part in path:
            children = None if entry is None else entry[1]
            if isinstance(children, dict) and isinstance(part, str):
                entry = children.get(part)
            elif isinstance(children, list) and _is_index(part):
                entry = children[part] if part < len(children) else None
            else:
                entry = None
        if entry is None:
            raise KeyError(path)
        if self._positions is None:
            self._positions = Positions(self._text)
        return self._positions.at(entry[0])

    def __iter__(self) -> Iterator[Path]:
        pending: list[tuple[Path, _Entry]] = [((), self._tree)] if self._tree else []
        while pending:
            path, (_, children) = pending.pop()
            yield path
            if isinstance(children, dict):
                pending.extend(((*path, name), child) for name, child in children.items())
            elif isinstance(children, list):
                pending.extend(((*path, index), child) for index, child in enumerate(children))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _is_index(part: object) -> TypeGuard[int]:
    return isinstance(part, int) and not isinstance(part, bool) and part >= 0


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
    tree = _tree(text)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"is not valid JSON: {error.msg}", error.lineno, error.colno) from None
    return JsonDocument(value, _Written(text, tree))
