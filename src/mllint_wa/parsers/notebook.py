"""Jupyter notebooks (nbformat 4, and the older 3), read as JSON, positions in the ``.ipynb``.

The standard library's :mod:`json` gives values but no positions, so a small scanner walks
the raw text once and records where the values that matter start and end: each cell, its
source strings, its execution count and its outputs. Whatever the layout (one source line
per JSON line as nbformat writes it, or a whole notebook minified onto one line), every
line of code therefore maps to the line and column in the file where it is stored.

Code cells become one Python module for the rules that read code; a cell that is not
Python (a fill-in placeholder, Python 2) is left out of it without costing the others.
IPython syntax that is not Python is neutralised line by line without moving anything:
``%line`` magics, ``!shell`` commands, ``x = !cmd`` captures and ``obj?`` help; a cell that
starts with a cell magic (``%%bash``, ``%%sql``) is not Python and is left out, except the
magics whose body is Python (``%%time``, ``%%capture`` …). Nothing is imported or executed.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import ParseError
from mllint_wa.parsers.json_positions import Path, Positions, Spans, scan
from mllint_wa.parsers.python_code import (
    LeftOut,
    NotPython,
    PythonModule,
    newer_python,
    python_module,
    syntax_problem,
    syntax_tree,
)

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


@dataclass(frozen=True)
class Cell:
    """One cell. ``line``/``column`` are where its source starts in the file (its first
    source string, else the cell itself); ``count_line``/``count_column`` where its
    execution count stands."""

    index: int
    cell_type: str
    source: str
    line: int
    column: int
    execution_count: int | None = None
    count_line: int = 1
    count_column: int = 1
    outputs: tuple[Output, ...] = ()


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
    line_map: tuple[int, ...]
    column_offsets: tuple[int, ...]
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
            try:
                syntax_tree("\n".join(lines[span.first : span.end]))
            except (SyntaxError, ValueError) as error:
                row = span.first
                column = 1
                if isinstance(error, SyntaxError):
                    row = min(span.first + (error.lineno or 1) - 1, span.end - 1)
                    column = (error.offset or 1) + self.column_offsets[row]
                syntax = error if isinstance(error, SyntaxError) else None
                what = "null bytes" if syntax is None else syntax_problem(syntax)
                newer = syntax is not None and newer_python(syntax)
                yield LeftOut(f"cell {span.cell + 1}", what, self.line_map[row], column, newer)
                lines[span.first : span.end] = [""] * (span.end - span.first)


def parse_notebook(text: str) -> Notebook:
    """Read a notebook; input that is not a JSON notebook is a :class:`ParseError` at the
    line and column where it goes wrong."""
    spans = scan(text, _wanted)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"is not valid JSON: {error.msg}", error.lineno, error.colno) from None
    if not isinstance(document, dict):
        raise ParseError("is not a Jupyter notebook: the top level is not a JSON object")
    version = document.get("nbformat")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ParseError("is not a Jupyter notebook: it has no `nbformat` number")
    if version < 3:
        raise ParseError(f"is nbformat {version}, too old to be read (3 and later are)")
    positions = Positions(text)
    raw_cells = list(_raw_cells(document, version))
    cells = [
        _cell(text, spans, positions, index, path, raw)
        for index, (path, raw) in enumerate(raw_cells)
    ]
    code, line_map, column_offsets, code_spans = _module_source(
        text, spans, positions, raw_cells, cells
    )
    return Notebook(
        nbformat=version,
        language=_language(document, raw_cells),
        cells=tuple(cells),
        code=code,
        line_map=line_map,
        column_offsets=column_offsets,
        code_spans=code_spans,
    )


# What the scanner records -------------------------------------------------------------------


def _wanted(path: Path) -> bool:
    """Whether the scanner records a value's span: cells, their fields, and the items of
    their source and outputs (not the insides of outputs, which can be huge)."""
    if path[:1] == ("worksheets",):  # nbformat 3: worksheets[w].cells[i]…
        path = path[2:]
    return len(path) <= 3 or (len(path) == 4 and path[2] in ("source", "input", "outputs"))


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


def _cell(
    text: str,
    spans: Spans,
    positions: Positions,
    index: int,
    path: Path,
    raw: dict[str, Any],
) -> Cell:
    cell_type = raw.get("cell_type")
    key = _source_key(raw)
    source = _joined(raw.get(key))
    first = spans.get((*path, key, 0)) or spans.get((*path, key)) or spans.get(path)
    line, column = positions.at(first[0]) if first else (1, 1)
    count_key = "prompt_number" if "prompt_number" in raw else "execution_count"
    count = raw.get(count_key)
    count_span = spans.get((*path, count_key)) or spans.get(path)
    count_line, count_column = positions.at(count_span[0]) if count_span else (line, column)
    outputs = []
    raw_outputs = raw.get("outputs")
    for j, output in enumerate(raw_outputs if isinstance(raw_outputs, list) else []):
        span = spans.get((*path, "outputs", j))
        at = positions.at(span[0]) if span else (line, column)
        size = _size(text[span[0] : span[1]]) if span else len(json.dumps(output))
        outputs.append(Output(at[0], at[1], size, _images(output)))
    return Cell(
        index=index,
        cell_type=cell_type if isinstance(cell_type, str) else "",
        source=source,
        line=line,
        column=column,
        execution_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        count_line=count_line,
        count_column=count_column,
        outputs=tuple(outputs),
    )


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


def _module_source(
    text: str,
    spans: Spans,
    positions: Positions,
    raw_cells: list[tuple[Path, dict[str, Any]]],
    cells: list[Cell],
) -> tuple[str, tuple[int, ...], tuple[int, ...], tuple[CodeSpan, ...]]:
    """The code cells' lines, one module, with each line's (line, column offset) in the
    file and where each cell's lines stand; lines are kept in place so that positions stay
    exact."""
    lines: list[str] = []
    line_map: list[int] = []
    offsets: list[int] = []
    code_spans: list[CodeSpan] = []
    for (path, raw), cell in zip(raw_cells, cells, strict=True):
        if cell.cell_type != "code":
            continue
        first = len(lines)
        cell_lines, starts = _source_lines(text, spans, path, raw)
        for source_line, start in zip(_python_lines(cell_lines), starts, strict=True):
            shift, code = source_line
            lines.append(code)
            line, column = positions.at(start) if start >= 0 else (cell.line, cell.column)
            line_map.append(line)
            offsets.append(column - 1 + shift)
        if len(lines) > first:
            code_spans.append(CodeSpan(cell.index, first, len(lines)))
    return "\n".join(lines) + "\n", tuple(line_map), tuple(offsets), tuple(code_spans)


def _source_lines(
    text: str, spans: Spans, path: Path, raw: dict[str, Any]
) -> tuple[list[str], list[int]]:
    """A cell's source lines and the offset in the file where each starts (-1: unknown).

    A source is one string or a list of strings; a line may span several strings (when a
    string does not end in a newline), and a string may hold several lines, whose starts
    are found after the ``\\n`` escapes of the raw JSON string.
    """
    key = _source_key(raw)
    source = raw.get(key)
    items = [source] if isinstance(source, str) else source if isinstance(source, list) else []
    lines: list[str] = []
    starts: list[int] = []
    open_line = False
    for j, item in enumerate(items):
        if not isinstance(item, str) or not item:
            continue
        span = spans.get((*path, key, j) if isinstance(source, list) else (*path, key))
        breaks = _line_breaks(text, span) if span else []
        pieces = item.split("\n")
        for k, piece in enumerate(pieces):
            if k and k == len(pieces) - 1 and not piece:
                break  # the string ended with a newline
            if k == 0 and open_line:
                lines[-1] += piece
                continue
            if not span:
                start = -1
            elif k == 0:
                start = span[0] + 1
            else:
                start = breaks[k - 1] if k - 1 < len(breaks) else span[0] + 1
            lines.append(piece)
            starts.append(start)
        open_line = not item.endswith("\n")
    return lines, starts


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
