"""Python source through :mod:`ast`, with the names its imports bind.

``import numpy as np`` binds ``np`` to ``numpy``; ``from sklearn.model_selection import
train_test_split as tts`` binds ``tts`` to ``sklearn.model_selection.train_test_split``.
:meth:`PythonModule.qualified_name` turns an expression such as ``np.random.seed`` into
``numpy.random.seed`` by those bindings, so that rules match what code refers to, not how it
spells it. Nothing is imported or executed.
"""

from __future__ import annotations

import ast
import functools
import itertools
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import field

from mllint_wa.evidence import NewerSyntax, ParseError
from mllint_wa.parsers.ast_index import NodeIndex
from mllint_wa.parsers.secrets import quote
from mllint_wa.records import dataclass

# Lines longer than this are minified or generated code, not worth an AST.
MAX_LINE = 20_000
# Parsing and the rules' walks cost a few microseconds a node of the AST, and a module takes
# one or two nodes a name or number it holds (counted at C speed before parsing); this many
# make about a second and 100 MB, three times the largest hand-written modules' count.
# Larger modules are generated code or data written as code.
MAX_WORDS = 60_000
_WORD = re.compile(r"\w+")
# Expressions are unparsed for messages only up to this depth and size: ast.unparse recurses
# up to six frames per level, and a message keeps a few dozen characters of what it makes.
_QUOTED_DEPTH = 32
_QUOTED_NODES = 400
_QUOTED_NAME = 40
# Code repeats its small expressions (`1`, `role`, `"ml.m5.xlarge"`) module after module: a
# short text is redacted once, not at every place it is quoted (redacting is a function of
# the text alone); a longer one, seldom repeated, is not kept.
_REPEATED_TEXT = 200
_quote_short = functools.lru_cache(maxsize=4096)(quote)
# A fill-in placeholder where code is expected: `project_name = <PROJECT NAME>`.
_PLACEHOLDER = re.compile(r"<[A-Za-z][\w .-]{0,60}>")
# A value left blank for the reader to fill in: `TRACKING_ARN = # "arn:…" or None`.
_BLANK_VALUE = re.compile(r"[ \t]*[A-Za-z_][\w.]*[ \t]*=[ \t]*(?:#.*)?")
# Where an f-string opens: its prefix (f, rf, fr in any case) and quote.
_FSTRING_START = re.compile(r"(?<![\w'\"])[rR]?[fF][rR]?(['\"])")
# Documentation's `...` for arguments it leaves out, after keyword ones: `Trainer(model=m, ...)`.
_ELIDED_ARGUMENTS = re.compile(r"[(,][ \t]*\.\.\.[ \t]*[,)]")
# Python 2 constructs, by what Python 3 says of them or by what the line holds there.
_PYTHON2_MESSAGES = (
    ("Missing parentheses in call to 'print'", "`print` used as a statement"),
    ("Missing parentheses in call to 'exec'", "`exec` used as a statement"),
    ("leading zeros in decimal integer literals", "an octal literal without `0o`"),
)
_PYTHON2_LINES = (
    (re.compile(r"[ \t]*print[ \t]+[\w\"']"), "`print` used as a statement"),
    (re.compile(r"[ \t]*except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:"), "`except E, name:`"),
    (re.compile(r"[ \t]*raise[ \t]+[\w.]+[ \t]*,"), "`raise E, message`"),
)
_PYTHON2_AT_ERROR = (
    (re.compile(r"`"), "backquotes for `repr`"),
    (re.compile(r"<>"), "the `<>` operator"),
    (re.compile(r"\d+[lL]\b"), "a long integer literal"),
)


class NotPython(ParseError):
    """Source that is not Python (a syntax error), as opposed to source too large to read."""


class NewerPython(NotPython, NewerSyntax):
    """Source that a newer Python may read: whether it is Python cannot be told here."""


@dataclass(frozen=True)
class LeftOut:
    """A part of the source (``part``: "cell 4" of a notebook) that is not Python and was
    left out of the module, with its problem (:func:`syntax_problem`) and where that
    stands in the file."""

    part: str
    problem: str
    line: int
    column: int
    newer_python: bool = False  # a newer Python may read it (:func:`newer_python`)
    fill_in: bool = False  # the reader is to fill it in (:func:`fill_in`)
    # The part's source, digested: the same part in another file is a copy of this one.
    content: str = ""


@dataclass
class PythonModule:
    """A parsed module. ``line_map`` maps the module's line numbers to the lines of the file
    it came from, and ``column_offsets`` the columns, when they differ (notebooks);
    ``left_out`` lists the parts that were not Python and were left out."""

    tree: ast.Module
    imports: dict[str, str]
    line_map: Sequence[int] = ()
    column_offsets: Sequence[int] = ()
    left_out: tuple[LeftOut, ...] = ()
    _calls: list[tuple[str, ast.Call]] | None = field(default=None, repr=False)
    _unnamed: list[ast.Call] = field(default_factory=list, repr=False)
    _index: NodeIndex | None = field(default=None, repr=False)

    @property
    def index(self) -> NodeIndex:
        """The module's nodes by type, from its one walk: what every extractor reads
        instead of walking the tree again."""
        if self._index is None:
            self._index = NodeIndex(self.tree)
        return self._index

    def qualified_name(self, node: ast.AST) -> str | None:
        """The dotted name an expression refers to through the module's imports, or None
        when it is not a plain name or attribute chain. Names not bound by an import are
        returned as written (``seed`` stays ``seed``)."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.imports.get(node.id, node.id)
        return ".".join([head, *reversed(parts)])

    def calls(self) -> list[tuple[str, ast.Call]]:
        """Every call whose callee has a qualified name, in source order, computed once."""
        if self._calls is None:
            found = []
            for node in self.index.of(ast.Call):
                name = self.qualified_name(node.func)
                if name is not None:
                    found.append((name, node))
                else:
                    self._unnamed.append(node)
            found.sort(key=lambda item: (item[1].lineno, item[1].col_offset))
            self._calls = found
        return self._calls

    def unnamed_calls(self) -> list[ast.Call]:
        """The calls whose callee has no qualified name (``make().fit(x)``,
        ``rows[0].strip()``), found with :meth:`calls`."""
        self.calls()
        return self._unnamed

    def calls_to(self, *names: str) -> Iterator[ast.Call]:
        """Calls whose qualified name is one of ``names``."""
        wanted = set(names)
        for name, call in self.calls():
            if name in wanted:
                yield call

    def imported_modules(self) -> frozenset[str]:
        """Top-level packages the module imports (``sklearn`` for ``sklearn.svm``)."""
        return frozenset(target.split(".")[0] for target in self.imports.values())

    def position(self, node: ast.AST) -> tuple[int, int]:
        """The node's 1-based line and column in the file it came from."""
        line = getattr(node, "lineno", 1)
        column = getattr(node, "col_offset", 0) + 1
        if self.line_map and 1 <= line <= len(self.line_map):
            if self.column_offsets:
                column += self.column_offsets[line - 1]
            line = self.line_map[line - 1]
        return line, column


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value passed as ``name=`` in a call, or None."""
    for item in call.keywords:
        if item.arg == name:
            return item.value
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    """Whether a call passes ``**kwargs`` or ``*args``: then its arguments cannot be known."""
    return any(item.arg is None for item in call.keywords) or any(
        isinstance(arg, ast.Starred) for arg in call.args
    )


def quote_repeated(text: str, limit: int) -> str:
    """:func:`~mllint_wa.parsers.secrets.quote`, remembered for short texts."""
    return _quote_short(text, limit) if len(text) <= _REPEATED_TEXT else quote(text, limit)


def quote_expression(node: ast.AST, limit: int) -> str:
    """An expression's source as a message quotes it: unparsed, redacted, then cut to
    ``limit`` characters (see :func:`~mllint_wa.parsers.secrets.quote`). An expression
    nested too deeply or too large to be unparsed safely is quoted as ``…``. This is the
    one place that unparses the project's code."""
    pending = [(node, 1)]
    counted = 0
    while pending:
        current, depth = pending.pop()
        counted += 1
        if depth > _QUOTED_DEPTH or counted > _QUOTED_NODES:
            return "…"
        pending.extend((child, depth + 1) for child in ast.iter_child_nodes(current))
    try:
        return quote_repeated(ast.unparse(node), limit)
    except ValueError:  # a node ast.unparse cannot write (an odd f-string)
        return "…"


def literal(node: ast.expr | None) -> object:
    """A constant's value, negated numbers included (``-1``, ``--1``); ``...`` (Ellipsis)
    when the expression is not a literal."""
    negations = 0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        negations, node = negations + 1, node.operand
    if not isinstance(node, ast.Constant):
        return ...
    value = node.value
    if negations == 0:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return -value if negations % 2 else value
    return ...


def import_bindings(index: NodeIndex) -> dict[str, str]:
    """Names bound by imports anywhere in the module, to the dotted names they stand for."""
    bindings: dict[str, str] = {}
    for node in index.imports():
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bindings[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bindings[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    bindings[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bindings


def refuse_beyond_source_bounds(text: str) -> None:
    """A :class:`ParseError` for source with a line longer than :data:`MAX_LINE` characters
    or more than :data:`MAX_WORDS` names and numbers: Python's, and TypeScript's, which is
    read into the same trees."""
    for number, source_line in enumerate(text.splitlines(), start=1):
        if len(source_line) > MAX_LINE:
            raise ParseError(f"line {number} is longer than {MAX_LINE} characters", number)
    if sum(1 for _ in itertools.islice(_WORD.finditer(text), MAX_WORDS + 1)) > MAX_WORDS:
        raise ParseError(f"is too large to be read: more than {MAX_WORDS:,} names and numbers")


def parse_python(text: str) -> PythonModule:
    """Parse source text; a syntax error is a :class:`ParseError` at its line and column."""
    return python_module(text)


def python_module(
    text: str, line_map: Sequence[int] = (), column_offsets: Sequence[int] = ()
) -> PythonModule:
    """Parse source text whose lines come from elsewhere (a notebook's cells)."""
    refuse_beyond_source_bounds(text)
    try:
        tree = syntax_tree(text)
    except SyntaxError as error:
        line = error.lineno or 1
        column = error.offset or 1
        if line_map and 1 <= line <= len(line_map):
            column += column_offsets[line - 1] if column_offsets else 0
            line = line_map[line - 1]
        kind = NewerPython if newer_python(error) else NotPython
        raise kind(f"has {syntax_problem(error)}", line, column) from None
    except ValueError as error:  # null bytes in source
        raise ParseError(f"is not Python source: {error}") from None
    index = NodeIndex(tree)
    return PythonModule(tree, import_bindings(index), line_map, column_offsets, _index=index)


def syntax_tree(text: str) -> ast.Module:
    """``ast.parse`` without the warnings that invalid escape sequences and the like raise:
    they are the project's business, not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)


def newer_python(error: SyntaxError) -> bool:
    """Whether a newer Python than the one running may read what raised ``error``: Python
    3.12 lets an f-string's expressions reuse its quotes and hold backslashes (PEP 701), so
    an f-string error on an older Python, on a line whose f-string does either and closes
    as 3.12 reads it, is no judgement on the code. An empty ``{}`` or an unclosed brace is
    a syntax error on every Python."""
    return (
        error.msg.startswith("f-string")
        and sys.version_info < (3, 12)
        and reads_as_pep701(error.text or "")
    )


def reads_as_pep701(line: str) -> bool:
    """Whether a one-line f-string of ``line`` closes as Python 3.12 reads it and reuses
    its quote or holds a backslash inside its braces. Each character is looked at once."""
    at = 0
    while (start := _FSTRING_START.search(line, at)) is not None:
        quote, at = start.group(1), start.end()
        if line.startswith(quote * 2, at):
            at += 2  # triple-quoted: older Pythons read quotes inside it already
            continue
        closed, newer, at = _scan_fstring(line, at, quote)
        if not closed:
            return False
        if newer:
            return True
    return False


def _scan_fstring(line: str, at: int, quote: str) -> tuple[bool, bool, int]:
    """From just after an f-string's opening ``quote``: whether it closes on the line,
    whether its braces reuse the quote or hold a backslash, and where it ends."""
    depth, newer = 0, False
    while at < len(line):
        char = line[at]
        if char == "\\":
            newer = newer or depth > 0
            at += 2
            continue
        if depth == 0 and char == quote:
            return True, newer, at + 1
        if depth > 0 and char in "'\"":
            end = line.find(char, at + 1)  # a string inside the expression
            if end < 0:
                return False, newer, len(line)
            newer = newer or char == quote or "\\" in line[at + 1 : end]
            at = end + 1
            continue
        if depth == 0 and line.startswith("{{", at):
            at += 2  # a literal brace
            continue
        if char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        at += 1
    return False, newer, at


def _placeholder_at(error: SyntaxError) -> re.Match[str] | None:
    """The fill-in placeholder (`<PROJECT NAME>`) the error stands on, if any."""
    line = error.text or ""
    at = (error.offset or 1) - 1
    return next((m for m in _PLACEHOLDER.finditer(line) if m.start() <= at < m.end()), None)


def _left_blank(error: SyntaxError) -> bool:
    """Whether the error's line assigns nothing (`ARN = # …`): a value left blank."""
    return bool(_BLANK_VALUE.fullmatch((error.text or "").rstrip("\r\n")))


def _elided_arguments(error: SyntaxError) -> bool:
    """Whether the error is arguments left out as `...` after keyword ones
    (`Trainer(model=model, ...)`), as documentation writes the ones it does not show."""
    return error.msg == "positional argument follows keyword argument" and bool(
        _ELIDED_ARGUMENTS.search(error.text or "")
    )


def fill_in(error: SyntaxError) -> bool:
    """Whether the error is a fill-in placeholder, a value left blank or arguments left out
    as `...`: a place the reader of an example is to complete, not code that is broken."""
    return _placeholder_at(error) is not None or _left_blank(error) or _elided_arguments(error)


def syntax_problem(error: SyntaxError) -> str:
    """What a syntax error is, for a message: a fill-in placeholder, a value left blank,
    arguments left out as `...`, Python 2 code, or the error as Python states it."""
    line = error.text or ""
    at = (error.offset or 1) - 1
    placeholder = _placeholder_at(error)
    if placeholder is not None:
        return f"a fill-in placeholder `{placeholder.group()}` where code belongs"
    if _left_blank(error):
        name = line.partition("=")[0].strip()
        return (
            f"a value left blank to fill in (`{quote(name, _QUOTED_NAME)} =` and nothing after it)"
        )
    if _elided_arguments(error):
        return "an ellipsis (`...`) standing for arguments the example leaves out"
    if newer_python(error):
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        return (
            f"an f-string that the Python {running} running mllint-wa cannot read "
            f"({error.msg}); Python 3.12 reads more f-strings"
        )
    construct = next((what for text, what in _PYTHON2_MESSAGES if text in error.msg), None)
    construct = construct or next(
        (what for pattern, what in _PYTHON2_LINES if pattern.match(line)), None
    )
    construct = construct or next(
        (what for pattern, what in _PYTHON2_AT_ERROR if pattern.match(line, at)), None
    )
    if construct is not None:
        return f"Python 2 code ({construct}), which Python 3 cannot run"
    return f"a syntax error: {error.msg}"
