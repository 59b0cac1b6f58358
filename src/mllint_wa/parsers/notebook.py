"""Jupyter notebooks (nbformat 4, and the older 3), read as JSON, positions in the ``.ipynb``.

A notebook is read with :mod:`json`, which gives values but no positions. Where a cell,
its source strings, its execution count and its outputs stand in the file is found only
when a rule asks, for that cell alone (:class:`~mllint_wa.parsers.json_positions.Locator`):
most of a notebook's bytes are outputs that no position is ever asked of. Whatever the
layout (one source line per JSON line as nbformat writes it, or a whole notebook minified
onto one line), every line of code maps to the line and column in the file where it is
stored.

Code cells become one Python module for the rules that read code; a cell that is not
Python (a fill-in placeholder, Python 2) is left out of it without costing the others.
IPython syntax that is not Python is neutralised line by line without moving anything:
``%line`` magics, ``!shell`` commands, ``x = !cmd`` captures and ``obj?`` help; a cell that
starts with a cell magic (``%%bash``, ``%%sql``) is not Python and is left out, except the
magics whose body is Python (``%%time``, ``%%capture`` …). Nothing is imported or executed.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
from array import array
from collections.abc import Iterator, Sequence
from typing import Any, overload

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import ParseError
from mllint_wa.parsers.json_positions import Locator, Path, Positions, loads_bounded
from mllint_wa.parsers.python_code import (
    LeftOut,
    NotPython,
    PythonModule,
    fill_in,
    newer_python,
    python_module,
    syntax_problem,
    syntax_tree,
)
from mllint_wa.records import dataclass

# The bound python_code applies to a .py line, checked here so that the error points into
# the .ipynb instead of at a line of the concatenated cells.
_MAX_CODE_LINE = 20_000
# Cell magics whose body is Python: the cell is kept without its first line.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
# Line magics followed by a Python statement (``%time model.fit(x, y)``).
_PYTHON_LINE_MAGICS = frozenset({"time", "timeit", "prun", "debug"})

_ESCAPE = re.compile(r"\\(.)", re.S)
# A capture's target starts after the indentation: were its first character a blank too,
# each blank of a long indentation would be tried as its start.
_MAGIC = re.compile(r"(?P<indent>[ \t]*)(?P<target>[\w.,\[\]()][\w.,\[\]() \t]*?=[ \t]*)?[!%]")
_LINE_MAGIC = re.compile(r"(?P<indent>[ \t]*)%(?P<name>\w+)[ \t]+(?P<rest>[^-\s].*)")
_HELP = re.compile(r"[ \t]*(\?{1,2}[A-Za-z_][\w.]*|[A-Za-z_][\w.]*\?{1,2})[ \t]*")
# IPython's automagics and default shell aliases, which run without `%` or `!`
# (`pip install x`, `cd data/`): a line starting with one that is not Python is a command.
_AUTOMAGIC = re.compile(
    r"(?P<indent>[ \t]*)(?:pip3?|conda|mamba|cd|ls|rm|rmdir|mkdir|cp|mv|cat|pwd|env|less|"
    r"man|clear|history|load_ext|matplotlib|autoreload|reset|who|whos|run|pylab)[ \t]"
)
# What a line needs to hold to be anything but Python: a magic or shell escape, help, a
# capture or an automagic. A cell with no such line, and not indented as a whole, is Python
# as it stands and is not compiled on its own first.
_MAYBE_IPYTHON = re.compile(
    r"[ \t]*[%!?]|.*\?[ \t]*$|.*=[ \t]*[!%]|"
    r"[ \t]*(?:pip3?|conda|mamba|cd|ls|rm|rmdir|mkdir|cp|mv|cat|pwd|env|less|man|clear|"
    r"history|load_ext|matplotlib|autoreload|reset|who|whos|run|pylab)[ \t]"
)


@dataclass(frozen=True)
class Output:
    """One output of a code cell, where it starts in the file and what it holds."""

    line: int
    column: int
    size: int  # bytes the output takes in the file
    images: tuple[str, ...]  # MIME types of the images it embeds (``image/png`` …)


class _Layout:
    """Where the parts of one notebook's text stand: the JSON is entered only along the
    paths asked about, and its line starts are counted on the first position asked for."""

    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def _locator(self) -> Locator:
        return Locator(self.text)

    @functools.cached_property
    def _positions(self) -> Positions:
        return Positions(self.text)

    def first_span(self, *paths: Path) -> tuple[int, int] | None:
        """The span of the first of ``paths`` that the text holds, or None."""
        for path in paths:
            found = self._locator.span(path)
            if found is not None:
                return found
        return None

    def items(self, path: Path) -> list[tuple[int, int]] | None:
        """The span of each item of the array at ``path``, or None."""
        return self._locator.items(path)

    def place(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of an offset."""
        return self._positions.at(offset)


class Cell:
    """One cell. Its type, source and execution count are read with the notebook; where it
    stands in the file is found when first asked for: ``line``/``column`` where its source
    starts (its first source string, else the cell itself), ``count_line``/``count_column``
    where its execution count stands, and its outputs with their places and sizes."""

    # A notebook may have thousands of cells, each kept for the whole run.
    __slots__ = (
        "_breaks",
        "_count_at",
        "_count_key",
        "_images",
        "_layout",
        "_listed",
        "_outputs",
        "_start_at",
        "_strings",
        "cell_type",
        "execution_count",
        "index",
        "path",
        "source",
        "source_key",
    )

    def __init__(self, layout: _Layout, index: int, path: Path, raw: dict[str, Any]) -> None:
        self.index = index
        cell_type = raw.get("cell_type")
        self.cell_type = cell_type if isinstance(cell_type, str) else ""
        self.source_key = _source_key(raw)
        self.source = _joined(raw.get(self.source_key))
        self._count_key = "prompt_number" if "prompt_number" in raw else "execution_count"
        count = raw.get(self._count_key)
        self.execution_count = (
            count if isinstance(count, int) and not isinstance(count, bool) else None
        )
        # What placing the cell's parts needs of its JSON, which is not kept: its outputs
        # can be most of the notebook.
        self._listed = isinstance(raw.get(self.source_key), list)
        outputs = raw.get("outputs")
        listed = outputs if isinstance(outputs, list) else ()
        self._images = tuple(_images(output) for output in listed)
        self.path = path
        self._layout = layout
        # Found when first asked for.
        self._start_at: tuple[int, int] | None = None
        self._count_at: tuple[int, int] | None = None
        self._outputs: tuple[Output, ...] | None = None
        self._strings: array[int] | None = None  # the source strings' spans, flat
        self._breaks: dict[int, list[int]] | None = None  # by source string

    @property
    def line(self) -> int:
        return self._start[0]

    @property
    def column(self) -> int:
        return self._start[1]

    @property
    def _start(self) -> tuple[int, int]:
        if self._start_at is None:
            key = self.source_key
            first = self._layout.first_span((*self.path, key, 0), (*self.path, key), self.path)
            self._start_at = self._layout.place(first[0]) if first else (1, 1)
        return self._start_at

    @property
    def count_line(self) -> int:
        return self._count[0]

    @property
    def count_column(self) -> int:
        return self._count[1]

    @property
    def _count(self) -> tuple[int, int]:
        if self._count_at is None:
            span = self._layout.first_span((*self.path, self._count_key), self.path)
            self._count_at = self._layout.place(span[0]) if span else self._start
        return self._count_at

    @property
    def outputs(self) -> tuple[Output, ...]:
        if self._outputs is None:
            outputs = []
            # The whole array in one walk: json.loads read the outputs from this text.
            spans = (self._layout.items((*self.path, "outputs")) or []) if self._images else []
            for j, images in enumerate(self._images):
                start, end = spans[j] if j < len(spans) else (-1, -1)
                line, column = self.position(start)
                size = _size(self._layout.text[start:end])
                outputs.append(Output(line, column, size, images))
            self._outputs = tuple(outputs)
        return self._outputs

    def line_start(self, string: int, piece: int) -> int:
        """The offset in the file where line ``piece`` of source string ``string`` starts
        (-1: unknown): after the opening quote, or after its ``piece``-th ``\\n`` escape."""
        span = self._string_span(string)
        if span is None:
            return -1
        if piece == 0:
            return span[0] + 1
        if self._breaks is None:
            self._breaks = {}
        breaks = self._breaks.get(string)
        if breaks is None:
            breaks = self._breaks[string] = _line_breaks(self._layout.text, span)
        return breaks[piece - 1] if piece - 1 < len(breaks) else span[0] + 1

    def _string_span(self, string: int) -> tuple[int, int] | None:
        if self._strings is None:
            source = (*self.path, self.source_key)
            if self._listed:
                spans = self._layout.items(source) or []
            else:
                found = self._layout.first_span(source)
                spans = [] if found is None else [found]
            self._strings = array("q", (offset for span in spans for offset in span))
        if 2 * string + 1 >= len(self._strings):
            return None
        return self._strings[2 * string], self._strings[2 * string + 1]

    def position(self, offset: int) -> tuple[int, int]:
        """The line and column of an offset, the cell's own place for an unknown one."""
        return self._layout.place(offset) if offset >= 0 else self._start


@dataclass(frozen=True)
class CodeSpan:
    """Where a code cell's lines stand in :attr:`Notebook.code`: ``first`` and ``end`` are
    0-based line numbers of the module, ``end`` excluded."""

    cell: int
    first: int
    end: int


@dataclass(eq=False)
class Notebook:
    """A parsed notebook; compared by identity, so that :meth:`python` can serve as a
    parser key of its own in the evidence cache."""

    nbformat: int
    language: str
    cells: tuple[Cell, ...]
    code: str
    line_map: Sequence[int]
    column_offsets: Sequence[int]
    code_spans: tuple[CodeSpan, ...] = ()

    @property
    def is_python(self) -> bool:
        return self.language.lower() in ("python", "python3", "ipython", "")

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(cell for cell in self.cells if cell.cell_type == "code")

    def python(self, _text: str = "") -> PythonModule:
        """The code cells as one module, every position mapped to the ``.ipynb``.

        Shaped as a parser (text in, parsed form out) so that the evidence layer can cache
        it and record its syntax error once, at the notebook's line: pass the bound method
        to ``Evidence.parse``. The text is ignored; the notebook already holds its code.

        A cell that is not Python (a fill-in placeholder, Python 2, a syntax error) does
        not cost the others: it is left out, blanked in place so that every other line
        keeps its position, and named in :attr:`PythonModule.left_out`.
        """
        lines = self.code.split("\n")
        for number, line in enumerate(lines):
            if len(line) > _MAX_CODE_LINE:
                at = self.line_map[number] if number < len(self.line_map) else 1
                raise ParseError(f"has a code line longer than {_MAX_CODE_LINE} characters", at)
        try:
            return python_module(self.code, self.line_map, self.column_offsets)
        except NotPython as whole:
            left_out = list(self._cells_not_python(lines))
            if not left_out:
                raise
            try:
                module = python_module("\n".join(lines), self.line_map, self.column_offsets)
            except ParseError:
                raise whole from None
        module.left_out = tuple(left_out)
        return module

    def _cells_not_python(self, lines: list[str]) -> Iterator[LeftOut]:
        """Each code cell that does not parse on its own, described where its error
        stands in the file; its lines in ``lines`` are blanked."""
        for span in self.code_spans:
            source = "\n".join(lines[span.first : span.end])
            try:
                syntax_tree(source)
            except (SyntaxError, ValueError) as error:
                row = span.first
                column = 1
                if isinstance(error, SyntaxError):
                    row = min(span.first + (error.lineno or 1) - 1, span.end - 1)
                    column = (error.offset or 1) + self.column_offsets[row]
                syntax = error if isinstance(error, SyntaxError) else None
                what = "null bytes" if syntax is None else syntax_problem(syntax)
                newer = syntax is not None and newer_python(syntax)
                blank = syntax is not None and fill_in(syntax)
                content = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
                yield LeftOut(
                    f"cell {span.cell + 1}",
                    what,
                    self.line_map[row],
                    column,
                    newer,
                    blank,
                    content[:32],
                )
                lines[span.first : span.end] = [""] * (span.end - span.first)


def parse_notebook(text: str) -> Notebook:
    """Read a notebook; input that is not a JSON notebook is a :class:`ParseError` at the
    line and column where it goes wrong."""
    document = loads_bounded(text)
    if not isinstance(document, dict):
        raise ParseError("is not a Jupyter notebook: the top level is not a JSON object")
    version = document.get("nbformat")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ParseError("is not a Jupyter notebook: it has no `nbformat` number")
    if version < 3:
        raise ParseError(f"is nbformat {version}, too old to be read (3 and later are)")
    layout = _Layout(text)
    raw_cells = list(_raw_cells(document, version))
    cells = [Cell(layout, index, path, raw) for index, (path, raw) in enumerate(raw_cells)]
    code, places, code_spans = _module_source(raw_cells, cells)
    return Notebook(
        nbformat=version,
        language=_language(document, raw_cells),
        cells=tuple(cells),
        code=code,
        line_map=_Coordinate(places, 0),
        column_offsets=_Coordinate(places, 1),
        code_spans=code_spans,
    )


# Cells -------------------------------------------------------------------------------------


def _raw_cells(document: dict[str, Any], version: int) -> Iterator[tuple[Path, dict[str, Any]]]:
    if version == 3:
        worksheets = document.get("worksheets")
        for w, sheet in enumerate(worksheets if isinstance(worksheets, list) else []):
            cells = sheet.get("cells") if isinstance(sheet, dict) else None
            for i, cell in enumerate(cells if isinstance(cells, list) else []):
                if isinstance(cell, dict):
                    yield ("worksheets", w, "cells", i), cell
        return
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise ParseError("is not a Jupyter notebook: it has no list of `cells`")
    for i, cell in enumerate(cells):
        if isinstance(cell, dict):
            yield ("cells", i), cell


def _language(document: dict[str, Any], raw_cells: list[tuple[Path, dict[str, Any]]]) -> str:
    metadata = document.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    for section, key in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(section)
        if isinstance(value, dict) and isinstance(value.get(key), str):
            return str(value[key])
    for _, cell in raw_cells:  # nbformat 3 names the language per code cell
        if cell.get("cell_type") == "code" and isinstance(cell.get("language"), str):
            return str(cell["language"])
    return "python"


def _source_key(cell: dict[str, Any]) -> str:
    return "input" if "input" in cell and "source" not in cell else "source"


def _joined(source: object) -> str:
    if isinstance(source, str):
        return source
    if isinstance(source, list):
        return "".join(item for item in source if isinstance(item, str))
    return ""


def _size(raw: str) -> int:
    return len(raw) if raw.isascii() else len(raw.encode("utf-8", "surrogatepass"))


def _images(output: object) -> tuple[str, ...]:
    if not isinstance(output, dict):
        return ()
    data = output.get("data")
    keys = list(data) if isinstance(data, dict) else list(output)  # nbformat 3: png, jpeg…
    found = []
    for key in keys:
        if key.startswith("image/"):
            found.append(key)
        elif key in ("png", "jpeg", "gif", "svg"):
            found.append("image/svg+xml" if key == "svg" else f"image/{key}")
    return tuple(found)


# Code cells as one module ------------------------------------------------------------------


class _CodePlaces:
    """Where each line of the notebook's code stands in the file, as (line, column offset),
    found when asked, for the lines a position is asked of."""

    def __init__(self, cells: list[Cell]) -> None:
        self._cells = cells
        # Each code line: its cell (an index in ``cells``), where it starts in that cell's
        # source (the source string, the line in the string) and how far its text moved
        # right; compact, since a notebook's code may run to many thousand lines.
        self._cell = array("i")
        self._string = array("i")
        self._piece = array("i")
        self._shift = array("i")
        # The last line placed: its line and its column are asked one after the other.
        self._last = (-1, (1, 0))

    def add(self, cell: int, string: int, piece: int, shift: int) -> None:
        self._cell.append(cell)
        self._string.append(string)
        self._piece.append(piece)
        self._shift.append(shift)

    def __len__(self) -> int:
        return len(self._cell)

    def placed(self, number: int) -> tuple[int, int]:
        """Where code line ``number`` (from 0) stands: its line and column offset."""
        if number < 0:
            number += len(self)
        if number == self._last[0]:
            return self._last[1]
        cell = self._cells[self._cell[number]]  # IndexError past the end, as a sequence's
        line, column = cell.position(cell.line_start(self._string[number], self._piece[number]))
        self._last = number, (line, column - 1 + self._shift[number])
        return self._last[1]


class _Coordinate(Sequence[int]):
    """One coordinate of :class:`_CodePlaces` (0: the line, 1: the column offset), as the
    sequence a :class:`~mllint_wa.parsers.python_code.PythonModule` maps its lines by."""

    def __init__(self, places: _CodePlaces, which: int) -> None:
        self._places = places
        self._which = which

    def __len__(self) -> int:
        return len(self._places)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...

    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [self[number] for number in range(*index.indices(len(self)))]
        return self._places.placed(index)[self._which]


def _module_source(
    raw_cells: list[tuple[Path, dict[str, Any]]], cells: list[Cell]
) -> tuple[str, _CodePlaces, tuple[CodeSpan, ...]]:
    """The code cells' lines, one module, with where each line stands in the file and where
    each cell's lines stand in the module; lines are kept in place so that positions stay
    exact."""
    lines: list[str] = []
    places = _CodePlaces(cells)
    code_spans: list[CodeSpan] = []
    for number, ((_, raw), cell) in enumerate(zip(raw_cells, cells, strict=True)):
        if cell.cell_type != "code":
            continue
        first = len(lines)
        cell_lines, origins = _source_lines(raw.get(cell.source_key))
        for (shift, code), (string, piece) in zip(_python_lines(cell_lines), origins, strict=True):
            lines.append(code)
            places.add(number, string, piece, shift)
        if len(lines) > first:
            code_spans.append(CodeSpan(cell.index, first, len(lines)))
    return "\n".join(lines) + "\n", places, tuple(code_spans)


def _source_lines(source: object) -> tuple[list[str], list[tuple[int, int]]]:
    """A cell's source lines, each with where it starts: the index of its source string
    and its line in that string.

    A source is one string or a list of strings; a line may span several strings (when a
    string does not end in a newline), and a string may hold several lines.
    """
    items = [source] if isinstance(source, str) else source if isinstance(source, list) else []
    lines: list[str] = []
    origins: list[tuple[int, int]] = []
    open_line = False
    for string, item in enumerate(items):
        if not isinstance(item, str) or not item:
            continue
        pieces = item.split("\n")
        for piece, text in enumerate(pieces):
            if piece and piece == len(pieces) - 1 and not text:
                break  # the string ended with a newline
            if piece == 0 and open_line:
                lines[-1] += text
                continue
            lines.append(text)
            origins.append((string, piece))
        open_line = not item.endswith("\n")
    return lines, origins


def _line_breaks(text: str, span: tuple[int, int]) -> list[int]:
    """Offsets in the file just after each ``\\n`` escape of the JSON string at ``span``."""
    raw = text[span[0] : span[1]]
    return [span[0] + m.end() for m in _ESCAPE.finditer(raw) if m.group(1) == "n"]


def _python_lines(lines: list[str]) -> list[tuple[int, str]]:
    """A code cell's lines as Python, each with how far its text moved right (a line
    magic's statement keeps its column); every line blank when the cell is not Python."""
    return _python_view(lines) or [(0, "") for _ in lines]


@nesting_bounded(None)
def _python_view(lines: list[str]) -> list[tuple[int, str]] | None:
    """What :func:`_python_lines` gives, or None for a cell in another language (a cell
    magic such as ``%%bash``) or that nests cell magics and indentation past reading."""
    if lines and lines[0].startswith("%%"):
        name = lines[0][2:].split(maxsplit=1)[0] if lines[0][2:].strip() else ""
        if name not in _PYTHON_CELL_MAGICS:
            return None
        rest = _python_view(lines[1:])
        return None if rest is None else [(0, ""), *rest]
    plain = not (lines and lines[0][:1].isspace()) and not any(
        _MAYBE_IPYTHON.match(line) for line in lines
    )
    if plain or _parses("\n".join(lines)):
        return [(0, line) for line in lines]
    # IPython removes the indentation common to a cell's lines before running it.
    indent = _common_indent(lines)
    if indent:
        dedented = _python_view([x[indent:] for x in lines])
        return None if dedented is None else [(shift + indent, text) for shift, text in dedented]
    converted: list[tuple[int, str]] = []
    continued = False
    for line in lines:
        if continued:
            # The rest of a shell command or magic continued with a trailing backslash.
            converted.append((0, ""))
        else:
            converted.append(_python_line(line))
            # Only a line turned into a placeholder drops its continuation lines; a magic
            # whose Python statement goes on keeps them.
            kept = converted[-1][1]
            continued = kept != line and not kept.rstrip().endswith("\\")
        continued = continued and line.rstrip().endswith("\\")
    return converted


def _python_line(line: str) -> tuple[int, str]:
    magic = _LINE_MAGIC.match(line)
    if magic and magic["name"] in _PYTHON_LINE_MAGICS:
        return magic.start("rest") - magic.end("indent"), magic["indent"] + magic["rest"]
    shell = _MAGIC.match(line)
    if shell:
        target = (shell["target"] or "").rstrip(" \t=")
        statement = f"{target} = None" if target else "pass"
        return 0, shell["indent"] + statement
    if _HELP.fullmatch(line):
        return 0, line[: len(line) - len(line.lstrip())] + "pass"
    automagic = _AUTOMAGIC.match(line)
    if automagic and not _parses(line.strip()):
        return 0, automagic["indent"] + "pass"
    return 0, line


def _common_indent(lines: list[str]) -> int:
    """The width of the leading whitespace every non-blank line shares."""
    widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    return min(widths, default=0)


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True
