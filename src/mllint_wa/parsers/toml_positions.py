"""Where every key and value of a TOML document stands.

tomllib gives values without positions, so this scanner walks the same text once more and
records, for each key path, the line and column of the key and of its value. A key path is a
tuple of the keys and array indices that lead to a value (``("problem", "metrics", 1,
"target")``), never a dotted string: the key ``"costs.x"`` and the path ``costs.x`` are two
different places. :func:`render` writes a path the way TOML would (``problem.metrics[1].target``,
``business."costs.x"``), for messages and fingerprints. The scanner assumes the text already
parsed as TOML, so it never has to report syntax errors itself.
"""

from __future__ import annotations

import json

from mllint_wa.records import dataclass

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class KeyPosition:
    """1-based line and column of a key and of its value (a header has no separate value)."""

    line: int
    column: int
    value_line: int
    value_column: int


_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}#\n\r")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.line_start = 0
        self.positions: dict[KeyPath, KeyPosition] = {}
        self.array_table_counts: dict[KeyPath, int] = {}
        # Tables recorded only where a header of a sub-table implied them; their own header,
        # if one comes later, is where they stand.
        self.implied: set[KeyPath] = set()

    # -- low-level movement -------------------------------------------------------------------

    def peek(self, n: int = 1) -> str:
        return self.text[self.i : self.i + n]

    def here(self) -> tuple[int, int]:
        return self.line, self.i - self.line_start + 1

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i >= len(self.text):
                return
            if self.text[self.i] == "\n":
                self.line += 1
                self.line_start = self.i + 1
            self.i += 1

    def skip_blank(self, newlines: bool) -> None:
        """Skip spaces, tabs, comments and (if asked) newlines."""
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch in " \t" or (newlines and ch in "\r\n"):
                self.advance()
            elif ch == "#":
                while self.i < len(self.text) and self.text[self.i] != "\n":
                    self.advance()
            else:
                return

    def record(
        self,
        path: KeyPath,
        key_at: tuple[int, int],
        value_at: tuple[int, int],
        implied: bool = False,
    ) -> None:
        # The first occurrence wins (later ones can only be inner keys of the same table),
        # except that a table's own header replaces where a sub-table's header implied it.
        if path in self.positions and (implied or path not in self.implied):
            return
        self.positions[path] = KeyPosition(*key_at, *value_at)
        if implied:
            self.implied.add(path)
        else:
            self.implied.discard(path)

    # -- keys -----------------------------------------------------------------------------

    def simple_key(self) -> str:
        ch = self.peek()
        if ch == '"':
            # A quoted key names what its escapes spell, as in tomllib's result.
            return _unescape(self.string_literal())
        if ch == "'":
            return self.string_literal()
        start = self.i
        while self.i < len(self.text) and self.text[self.i] in _BARE_KEY_CHARS:
            self.advance()
        return self.text[start : self.i]

    def dotted_key(self) -> list[str]:
        parts = [self.simple_key()]
        self.skip_blank(newlines=False)
        while self.peek() == ".":
            self.advance()
            self.skip_blank(newlines=False)
            parts.append(self.simple_key())
            self.skip_blank(newlines=False)
        return parts

    # -- values ---------------------------------------------------------------------------

    def string_literal(self) -> str:
        """Consume a string of any of TOML's four kinds and return its raw content."""
        quote = self.peek()
        if self.peek(3) == quote * 3:
            self.advance(3)
            start = self.i
            while self.i < len(self.text):
                if quote == '"' and self.peek() == "\\":
                    self.advance(2)
                    continue
                if self.peek(3) == quote * 3:
                    # Up to two quotes may stand just before the closing delimiter.
                    while self.peek(4) == quote * 4:
                        self.advance()
                    content = self.text[start : self.i]
                    self.advance(3)
                    return content
                self.advance()
            return self.text[start:]
        self.advance()
        start = self.i
        while self.i < len(self.text) and self.peek() != quote:
            if quote == '"' and self.peek() == "\\":
                self.advance()
            self.advance()
        content = self.text[start : self.i]
        self.advance()
        return content

    def value(self, path: KeyPath) -> None:
        ch = self.peek()
        if ch in "\"'":
            self.string_literal()
        elif ch == "[":
            self.array(path)
        elif ch == "{":
            self.inline_table(path)
        else:
            while self.i < len(self.text) and self.text[self.i] not in _SCALAR_END:
                self.advance()

    def array(self, path: KeyPath) -> None:
        self.advance()  # [
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.peek() in ("]", ""):
                self.advance()
                return
            item_path = (*path, index)
            at = self.here()
            self.record(item_path, at, at)
            self.value(item_path)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()
            index += 1

    def inline_table(self, path: KeyPath) -> None:
        self.advance()  # {
        while True:
            self.skip_blank(newlines=True)
            if self.peek() in ("}", ""):
                self.advance()
                return
            self.key_value(path)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()

    def key_value(self, table: KeyPath) -> None:
        key_at = self.here()
        parts = self.dotted_key()
        path = (*table, *parts)
        self.skip_blank(newlines=False)
        self.advance()  # =
        self.skip_blank(newlines=False)
        value_at = self.here()
        # Each implicit parent of a dotted key stands where the key does.
        for n in range(1, len(parts)):
            self.record((*table, *parts[:n]), key_at, key_at)
        self.record(path, key_at, value_at)
        self.value(path)

    # -- document -------------------------------------------------------------------------

    def header(self, array_of_tables: bool) -> KeyPath:
        at = self.here()
        self.advance(2 if array_of_tables else 1)
        self.skip_blank(newlines=False)
        parts = self.dotted_key()
        self.advance(2 if array_of_tables else 1)
        table = self.resolve_header(parts)
        # A header also defines its parent tables implicitly (`[[problem.metrics]]` → problem).
        for length in range(len(table) - 1, 0, -1):
            self.record(table[:length], at, at, implied=True)
        if array_of_tables:
            index = self.array_table_counts.get(table, 0)
            self.array_table_counts[table] = index + 1
            self.record(table, at, at)
            table = (*table, index)
        self.record(table, at, at)
        return table

    def resolve_header(self, parts: list[str]) -> KeyPath:
        """Point a header's parents at the latest element of any array of tables among them."""
        path: KeyPath = ()
        for depth, part in enumerate(parts, start=1):
            path = (*path, part)
            count = self.array_table_counts.get(path)
            if count and depth < len(parts):
                path = (*path, count - 1)
        return path

    def scan(self) -> dict[KeyPath, KeyPosition]:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.i >= len(self.text):
                return self.positions
            if self.peek(2) == "[[":
                table = self.header(array_of_tables=True)
            elif self.peek() == "[":
                table = self.header(array_of_tables=False)
            else:
                self.key_value(table)


_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(raw: str) -> str:
    """The text a single-line basic string spells (keys can only be single-line)."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch != "\\" or i + 1 >= len(raw):
            out.append(ch)
            i += 1
            continue
        code = raw[i + 1]
        width = {"u": 4, "U": 8}.get(code)
        if width is not None:
            out.append(chr(int(raw[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        else:
            out.append(_ESCAPES.get(code, code))
            i += 2
    return "".join(out)


def key_positions(text: str) -> dict[KeyPath, KeyPosition]:
    """Map every key path in a valid TOML document to its position."""
    return _Scanner(text).scan()


def render(path: KeyPath) -> str:
    """A key path as TOML writes it: bare keys as they are, others quoted, indices in brackets."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
            continue
        if out:
            out.append(".")
        if part and all(ch in _BARE_KEY_CHARS for ch in part):
            out.append(part)
        else:
            out.append(json.dumps(part, ensure_ascii=False))
    return "".join(out)


def key_path(text: str) -> KeyPath:
    """The path a rule writes with bare keys (``problem.metrics[0].target``) as a tuple."""
    path: list[str | int] = []
    for part in text.split("."):
        name, _, indices = part.partition("[")
        path.append(name)
        if indices:
            path.extend(int(index) for index in indices.rstrip("]").split("]["))
    return tuple(path)
