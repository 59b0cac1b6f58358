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

:class:`Locator`, for a text that ``json.loads`` has already read (:func:`loads_bounded`),
finds the span of one path when asked, entering only the containers on the way there and
stepping over every other value with the json module's own decoder, so that a caller who
needs the positions of a few parts of a large document pays for those alone.
"""

from __future__ import annotations

import bisect
import json
import re
from array import array
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeGuard

from mllint_wa.evidence import ParseError
from mllint_wa.records import dataclass

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


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_SEPARATOR = re.compile(r"[ \t\n\r]*(?:,[ \t\n\r]*)?")
# Texts up to this many characters are placed by counting their line breaks: nothing kept.
_COUNTED = 16_384
# What a container must span (in characters) for what is learnt of it to be kept.
_KEPT = 4096
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def loads_bounded(text: str) -> Any:
    """``json.loads(text)``, refusing nesting deeper than :data:`MAX_DEPTH` as :func:`scan`
    does, at the same place. Bad JSON is a :class:`ParseError` at its line, unless it is
    nested too deeply before it goes wrong, as :func:`scan` would find first.

    The text is decoded first, at the json module's speed; the scanner runs only to place
    an error."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        scan(text, _nothing)  # raises when the text nests too deeply before its error
        raise ParseError(f"is not valid JSON: {error.msg}", error.lineno, error.colno) from None
    except RecursionError:
        scan(text, _nothing)  # deeper than json.loads recurses is deeper than MAX_DEPTH
        raise
    # Each level of nesting opens with a bracket: a text with no more of them than the limit
    # cannot pass it, which counting them tells at C speed, without a walk of the value.
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        scan(text, _nothing)
    return value


def _nothing(_path: Path) -> bool:
    return False


def _deeper_than(value: Any, depth: int) -> bool:
    """Whether a decoded JSON value nests containers more than ``depth`` levels deep."""
    pending = [(value, 1)] if type(value) in (dict, list) else []
    while pending:
        container, level = pending.pop()
        if level > depth:
            return True
        for item in container.values() if type(container) is dict else container:
            if type(item) in (dict, list):  # exact types: json.loads makes no subclasses
                pending.append((item, level + 1))
    return False


class Locator:
    """Where the values of a valid JSON text start and end, found on demand.

    Asked for a path, it enters the containers on the way there and steps over every
    member's value with the json module's decoder: what is never asked for is never walked
    in Python. What it learns of a large container (where the container is, where its
    members are) is kept for the whole run; what it learns of the small ones on the way to
    a question is kept for the next question only, which mostly takes the same way (the
    cells of a notebook, one after the other) and so does not read a small document again
    from its top. The text must be JSON that ``json.loads`` has read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._members: dict[int, _Members] = {}  # by the container's offset
        self._containers: dict[Path, int] = {}  # the container's offset, by its path
        # The small containers read for the question being answered, and for the last one.
        self._way: dict[int, _Members] = {}
        self._last_way: dict[int, _Members] = {}

    def span(self, path: Path) -> tuple[int, int] | None:
        """The offsets (start, end) of the value at ``path``, or None when there is none;
        of repeated object keys the last one counts, as in ``json.loads``."""
        self._last_way, self._way = self._way, {}
        if not path:
            start = _after(_SPACE, self.text, 0)
            return start, _DECODER.raw_decode(self.text, start)[1]
        parent = path[:-1]
        container = self._containers.get(parent)
        if container is None:
            found = self._walk(parent)
            if found is None:
                return None
            container = found[0]
            if found[1] - found[0] >= _KEPT:
                self._containers[parent] = container
        return self.members(container).find(path[-1])

    def items(self, path: Path) -> list[tuple[int, int]] | None:
        """The span of each item of the array at ``path``, or None when there is none."""
        found = self.span(path)
        if found is None or not self.text.startswith("[", found[0]):
            return None
        members = self.members(found[0])
        return list(zip(members.starts, members.ends, strict=True))

    def _walk(self, path: Path) -> tuple[int, int] | None:
        start = _after(_SPACE, self.text, 0)
        found: tuple[int, int] | None = start, len(self.text)
        for step in path:
            found = None if found is None else self.members(found[0]).find(step)
        return found

    def members(self, container: int) -> _Members:
        """The members of the object or array that starts at offset ``container``; none
        for a value that is no container."""
        found = self._members.get(container)
        if found is not None:
            return found
        found = self._last_way.get(container)
        if found is None:
            found = self._read_members(container)
            if found.ends and found.ends[-1] - container >= _KEPT:
                self._members[container] = found
                return found
        self._way[container] = found
        return found

    def _read_members(self, container: int) -> _Members:
        text = self.text
        opening = text[container : container + 1]
        members = _Members([] if opening == "{" else None)
        if opening not in ("{", "["):
            return members
        position = _after(_SPACE, text, container + 1)
        while text[position] not in "}]":
            if members.keys is not None:
                key, position = _DECODER.raw_decode(text, position)
                members.keys.append(key)
                position = _after(_COLON, text, position)
            members.starts.append(position)
            if text[position] == '"':  # most values of a notebook: stepped over, not decoded
                position = _after(_STRING, text, position)
            else:
                position = _DECODER.raw_decode(text, position)[1]
            members.ends.append(position)
            position = _after(_SEPARATOR, text, position)
        return members


class _Members:
    """A container's members: their keys (None for an array, whose keys are the indexes),
    and the offsets where their values start and end."""

    __slots__ = ("ends", "keys", "starts")

    def __init__(self, keys: list[str] | None) -> None:
        self.keys = keys
        self.starts = array("q")
        self.ends = array("q")

    def __len__(self) -> int:
        return len(self.starts)

    def find(self, step: str | int) -> tuple[int, int] | None:
        """The span of member ``step`` (a key, or an index), or None."""
        index = -1
        if isinstance(step, int):
            index = step if self.keys is None and 0 <= step < len(self) else -1
        elif self.keys is not None:
            keys = self.keys
            for candidate in range(len(keys) - 1, -1, -1):  # the last of repeated keys counts
                if keys[candidate] == step:
                    index = candidate
                    break
        return None if index < 0 else (self.starts[index], self.ends[index])


def _after(pattern: re.Pattern[str], text: str, position: int) -> int:
    """The offset after what ``pattern`` matches at ``position`` (always something, in
    JSON that ``json.loads`` has read)."""
    found = pattern.match(text, position)
    return position if found is None else found.end()


class Positions:
    """Offsets to 1-based (line, column): in a short text by counting its line breaks, in a
    longer one by binary search over its line starts, counted on the first question."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: array[int] | None = None

    def at(self, offset: int) -> tuple[int, int]:
        text = self._text
        if len(text) <= _COUNTED:
            return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        if self._starts is None:
            # Four bytes a line where offsets fit (every file the evidence layer reads).
            self._starts = array("i" if len(text) < 2**31 else "q", [0])
            self._starts.extend(match.end() for match in _NEWLINE.finditer(text))
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
