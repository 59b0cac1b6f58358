"""Terraform (``.tf``, HCL2): blocks and attributes with their positions, expressions as data.

The grammar is python-hcl2's (the Lark LALR grammar most Python IaC tools use), imported only
when a ``.tf`` file is parsed. Its raw parse tree is read rather than its dict output because
the tree carries the line and column of every block, attribute and expression, which the dict
output gives for blocks only.

Expressions are kept as data, never evaluated: a literal is a value; a tuple, an object, a
reference (``var.x``, ``aws_s3_bucket.b.id``), a function call, a string template, a
conditional, an equality test and a ``for`` expression keep their parts, so that the resource
extractor decides what it can resolve; anything else (arithmetic, template directives) is
:data:`OTHER`, which no one can know without running Terraform.
"""

from __future__ import annotations

import gc
import re
import textwrap
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.secrets import LONGEST_MATCH, quote
from mllint_wa.records import dataclass

# Expression kinds.
LITERAL = "literal"  # value: str, int, float, bool or None
TUPLE = "tuple"  # items
OBJECT = "object"  # fields; a key that is an expression is None
REF = "ref"  # ref: the names of a traversal, indices dropped (aws_x.y[0].id → aws_x, y, id)
CALL = "call"  # name, items (the arguments)
TEMPLATE = "template"  # items: literal text and interpolated expressions, in order
CONDITIONAL = "conditional"  # items: the condition, the value if true, the value if false
COMPARISON = "comparison"  # name: == or !=; items: the two sides
# items: the collection, then the key (an object's) and the value made of each element, then
# the condition when there is one (value: True); ref: the names given to the key and element.
FOR_OBJECT = "for-object"
FOR_TUPLE = "for-tuple"
OTHER = "other"  # anything that cannot be known without evaluating it

# Nesting deeper than this (blocks in blocks, expressions in expressions) is refused with the
# line where it happens: real configurations nest a handful of levels.
MAX_DEPTH = 100
# What python-hcl2 is given at most: about four times the largest file of the common AWS
# modules. It spends some 65 µs on a line of a real configuration, so such a file is read in
# under a second, and its heredoc pattern, which rescans a run of blank lines from each of
# their ends, in about as long. A larger file is reported, not read.
MAX_BYTES = 256 * 1024
MAX_LINES = 10_000
# Its parser spends some 16 µs on a token, however the tokens are laid out: a file under the
# two bounds above that packs them densely (256 KiB of `1,1,1,…` on one line) would take five
# seconds. Counted about as its lexer cuts them (see _check_bounds), 75,000 tokens keep every
# file's parse to about a second, as 10,000 lines of a real configuration (some 70,000) do.
MAX_TOKENS = 75_000
_WRITTEN = 120  # characters of source kept per expression, for messages
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_HEREDOC = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n(.*?)^[ \t]*\2\r?\n?\Z", re.S | re.M)
_SKIPPED = frozenset({"new_line_or_comment"})
# What the bounds check skips to find heredocs: strings, comments, and the heredoc openers
# themselves (python-hcl2's: `<<` or `<<-`, an identifier, the end of the line).
_LEXEME = re.compile(r'"|#|//|/\*|<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n')
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.S)
# The tokens of code, as the bounds check counts them: a name or a number, a line end, any
# other character but a space (a number's `.` counts as one more: a little more than python-hcl2
# cuts, never less).
_CODE_TOKEN = re.compile(r"\w[\w-]*|\n|[^\s\w]")
# What of a string is code: the expression of each interpolation or directive, up to its
# first closing brace.
_INTERPOLATION = re.compile(r"[$%]\{([^}]*)")


@dataclass(frozen=True)
class Expr:
    """An expression as written, with where it starts and its source text (shortened)."""

    kind: str
    line: int
    column: int
    text: str = ""
    value: Any = None
    items: tuple[Expr, ...] = ()
    fields: tuple[tuple[str | None, Expr], ...] = ()
    ref: tuple[str, ...] = ()
    name: str = ""
    # A reference's whole traversal: names, literal indices (``["k"]``, ``[0]``), and None for
    # an index computed or a splat, which no one knows without running Terraform.
    path: tuple[str | int | None, ...] = ()

    def field(self, key: str) -> Expr | None:
        """An object's field by key (the first one written)."""
        return next((value for name, value in self.fields if name == key), None)


@dataclass(frozen=True)
class Attribute:
    name: str
    value: Expr
    line: int
    column: int


@dataclass(frozen=True)
class Block:
    """``type "label" … { attributes and nested blocks }``."""

    type: str
    labels: tuple[str, ...]
    line: int
    column: int
    attributes: Mapping[str, Attribute] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()

    def attr(self, name: str) -> Attribute | None:
        return self.attributes.get(name)

    def children(self, block_type: str) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.type == block_type)

    def child(self, block_type: str) -> Block | None:
        return next((b for b in self.blocks if b.type == block_type), None)


@dataclass(frozen=True)
class TerraformFile:
    blocks: tuple[Block, ...]


def parse_terraform(text: str) -> TerraformFile:
    """Parse HCL2 text; a syntax error or a bound hit is a :class:`ParseError` at its line."""
    _check_bounds(text)
    collecting = gc.isenabled()
    # A parse allocates millions of small objects that all stay alive until it ends: the
    # cyclic collector's passes over them would make its time grow with the square of the
    # file's size (23 s instead of 5 s for 1 MB).
    gc.disable()
    try:
        return _parse(text)
    finally:
        if collecting:
            gc.enable()


def _check_bounds(text: str) -> None:
    """Refuse what python-hcl2 would spend more than a second on: a file larger than
    :data:`MAX_BYTES`, longer than :data:`MAX_LINES` or of more than :data:`MAX_TOKENS`
    tokens, and a heredoc that is never closed, which its lexer looks for a closing line for
    from every line end to the end of the file.

    One pass over the text: strings and comments are skipped, so that a ``<<EOT`` in them
    opens nothing, and each heredoc's body is read once, up to its closing line. Tokens are
    counted on the way: those of the code between them, a comment or a heredoc as one, a
    string as its quotes and text with the tokens of its interpolations."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ParseError(
            f"is larger than {MAX_BYTES // 1024} KiB: a Terraform file is read up to that size"
        )
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise ParseError(
            f"has more than {MAX_LINES:,} lines: a Terraform file is read up to that length",
            MAX_LINES + 1,
        )
    position = 0
    tokens = 0
    while (lexeme := _LEXEME.search(text, position)) is not None:
        tokens += _code_tokens(text, position, lexeme.start()) + 1
        token = lexeme.group()
        if token == '"':
            rest = _STRING_REST.match(text, lexeme.end())
            end = rest.end() if rest else -1
            tokens += 2 + _interpolated_tokens(text[lexeme.end() : end]) if end >= 0 else 0
        elif token in ("#", "//"):
            end = text.find("\n", lexeme.end())
        elif token == "/*":
            end = text.find("*/", lexeme.end())
            end = end + 2 if end >= 0 else end
        else:
            end = _heredoc_end(text, lexeme.end(), lexeme.group(1))
            if end < 0:
                line = text.count("\n", 0, lexeme.start()) + 1
                column = lexeme.start() - text.rfind("\n", 0, lexeme.start())
                message = f"has a heredoc `{token.rstrip()}` that is never closed"
                raise ParseError(message, line, column)
        _check_tokens(tokens)
        if end < 0:  # an unclosed string or comment: python-hcl2 reports it at once
            return
        position = end
    _check_tokens(tokens + _code_tokens(text, position, len(text)))


def _code_tokens(text: str, start: int, end: int) -> int:
    return len(_CODE_TOKEN.findall(text, start, end))


def _interpolated_tokens(string: str) -> int:
    """The tokens of a string's interpolations and directives, their braces included."""
    if "{" not in string:
        return 0
    return sum(2 + _code_tokens(code, 0, len(code)) for code in _INTERPOLATION.findall(string))


def _check_tokens(tokens: int) -> None:
    if tokens > MAX_TOKENS:
        raise ParseError(
            f"has more than {MAX_TOKENS:,} tokens (names, numbers, operators, strings, line "
            "ends): a Terraform file is read up to that many"
        )


def _heredoc_end(text: str, start: int, identifier: str) -> int:
    """Where the line that closes a heredoc whose body starts at ``start`` ends (the line
    holds the identifier alone, indented or not), or -1."""
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if text[start:end].lstrip().removesuffix("\r") == identifier:
            return end
        start = end + 1
    return -1


def _parse(text: str) -> TerraformFile:
    from hcl2.api import parses_to_tree  # a run that reads no Terraform never imports it
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = parses_to_tree(text)
    except UnexpectedInput as error:
        # The token's text is not quoted: it may be a secret written in the file.
        line, column = _clamp(text, error.line, error.column)
        raise ParseError("has a syntax error", line, column) from None
    except LarkError:
        raise ParseError("could not be parsed as HCL") from None
    body = _first_tree(tree, "body")
    return TerraformFile(_Reader(text).body(body, 0)[1] if body is not None else ())


def _clamp(text: str, line: int, column: int) -> tuple[int, int]:
    # Errors at the end of input point past the newline the grammar needs appended.
    lines = text.splitlines() or [""]
    if line < 1 or line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, max(1, column)


def _first_tree(tree: Any, data: str) -> Any:
    return next((c for c in tree.children if getattr(c, "data", None) == data), None)


def _parts(tree: Any) -> list[Any]:
    """Children that carry meaning: comments and newlines dropped."""
    return [c for c in tree.children if getattr(c, "data", None) not in _SKIPPED]


def _subtrees(tree: Any) -> list[Any]:
    return [c for c in _parts(tree) if hasattr(c, "data")]


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def _where(self, node: Any) -> tuple[int, int]:
        meta = getattr(node, "meta", None)
        if meta is not None and not meta.empty:
            return meta.line, meta.column
        return getattr(node, "line", 1) or 1, getattr(node, "column", 1) or 1

    def _text(self, node: Any) -> str:
        meta = getattr(node, "meta", None)
        if meta is None or meta.empty:
            return str(node) if not hasattr(node, "data") else ""
        end = min(meta.end_pos, meta.start_pos + _WRITTEN + LONGEST_MATCH)
        return " ".join(quote(self.source[meta.start_pos : end], _WRITTEN).split())

    def _deeper(self, node: Any, depth: int) -> int:
        if depth >= MAX_DEPTH:
            line, column = self._where(node)
            raise ParseError("is nested too deeply to be read", line, column)
        return depth + 1

    # Structure -------------------------------------------------------------------------

    def body(self, body: Any, depth: int) -> tuple[dict[str, Attribute], tuple[Block, ...]]:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for node in _subtrees(body):
            if node.data == "attribute":
                attribute = self.attribute(node, depth)
                attributes.setdefault(attribute.name, attribute)
            elif node.data == "block":
                blocks.append(self.block(node, depth))
        return attributes, tuple(blocks)

    def attribute(self, node: Any, depth: int) -> Attribute:
        parts = _parts(node)
        line, column = self._where(node)
        return Attribute(self._name(parts[0]), self.expr(parts[-1], depth), line, column)

    def block(self, node: Any, depth: int) -> Block:
        depth = self._deeper(node, depth)
        parts = _parts(node)
        line, column = self._where(node)
        labels = []
        body = None
        for part in parts[1:]:
            data = getattr(part, "data", None)
            if data == "body":
                body = part
            elif data == "string":
                labels.append(self._string_text(part))
            elif data is not None:
                labels.append(self._name(part))
        attributes, blocks = self.body(body, depth) if body is not None else ({}, ())
        return Block(self._name(parts[0]), tuple(labels), line, column, attributes, blocks)

    def _name(self, node: Any) -> str:
        if hasattr(node, "data"):
            return "".join(str(t) for t in node.scan_values(lambda _: True))
        return str(node)

    def _string_text(self, node: Any) -> str:
        expr = self.string(node, 0)
        return expr.value if expr.kind == LITERAL and isinstance(expr.value, str) else ""

    # Expressions -----------------------------------------------------------------------

    def expr(self, node: Any, depth: int) -> Expr:
        depth = self._deeper(node, depth)
        line, column = self._where(node)
        data = getattr(node, "data", None)
        parts = _parts(node) if data is not None else []
        if data == "expr_term":
            inner = [p for p in parts if hasattr(p, "data")]
            return self.expr(inner[0], depth) if len(inner) == 1 else self._other(node)
        if data in ("int_lit", "float_lit"):
            raw = str(parts[0])
            try:
                number: float = int(raw) if data == "int_lit" else float(raw)
            except ValueError:  # more digits than Python converts
                return self._other(node)
            return Expr(LITERAL, line, column, raw, number)
        if data == "literal_value":
            raw = str(parts[0])
            return Expr(LITERAL, line, column, raw, {"true": True, "false": False}.get(raw))
        if data == "string":
            return self.string(node, depth)
        if data in ("heredoc_template", "heredoc_template_trim"):
            return self._heredoc(node, line, column)
        if data == "tuple":
            items = tuple(self.expr(p, depth) for p in parts if hasattr(p, "data"))
            return Expr(TUPLE, line, column, self._text(node), items=items)
        if data == "object":
            return self._object(node, parts, depth)
        if data == "identifier":
            name = str(parts[0])
            return Expr(REF, line, column, name, ref=(name,), path=(name,))
        if data in ("get_attr_expr_term", "index_expr_term"):
            return self._traversal(node, parts, depth)
        if data in ("attr_splat_expr_term", "full_splat_expr_term"):
            return self._traversal(node, parts, depth)
        if data == "function_call":
            return self._call(node, parts, depth)
        if data == "conditional":
            items = tuple(self.expr(p, depth) for p in parts if hasattr(p, "data"))
            return Expr(CONDITIONAL, line, column, self._text(node), items=items)
        if data == "binary_op":
            return self._comparison(node, parts, depth)
        if data in ("for_object_expr", "for_tuple_expr"):
            return self._for(node, parts, depth)
        if data == "unary_op":
            operand = self.expr(parts[-1], depth)
            negated = operand.value if operand.kind == LITERAL else None
            if str(parts[0]) == "-" and isinstance(negated, (int, float)):
                return Expr(LITERAL, line, column, self._text(node), -negated)
        return self._other(node)

    def _other(self, node: Any) -> Expr:
        line, column = self._where(node)
        return Expr(OTHER, line, column, self._text(node))

    def string(self, node: Any, depth: int) -> Expr:
        line, column = self._where(node)
        items: list[Expr] = []
        chunk: list[str] = []
        for part in _subtrees(node):
            inner = part.children[0]
            kind = getattr(inner, "type", None)
            if kind == "STRING_CHARS":
                chunk.append(_unescape(str(inner)))
            elif kind in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                chunk.append(str(inner)[1:])
            elif getattr(inner, "data", None) == "interpolation":
                if chunk:
                    items.append(Expr(LITERAL, line, column, value="".join(chunk)))
                    chunk = []
                expression = next(p for p in _parts(inner) if hasattr(p, "data"))
                items.append(self.expr(expression, depth))
            else:  # a template directive (%{ if }, %{ for }): evaluation only
                return self._other(node)
        if chunk:
            items.append(Expr(LITERAL, line, column, value="".join(chunk)))
        text = self._text(node)
        if not items:
            return Expr(LITERAL, line, column, text, "")
        if len(items) == 1:
            only = items[0]
            # "${x}" is x itself in HCL; plain text is a literal.
            if only.kind == LITERAL and not only.text:
                return Expr(LITERAL, line, column, text, only.value)
            return only
        return Expr(TEMPLATE, line, column, text, items=tuple(items))

    def _heredoc(self, node: Any, line: int, column: int) -> Expr:
        raw = str(node.children[0])
        match = _HEREDOC.match(raw)
        body = match.group(3) if match else ""
        if match and match.group(1):
            body = textwrap.dedent(body)
        if "${" in body.replace("$${", "") or "%{" in body.replace("%%{", ""):
            return Expr(OTHER, line, column, self._text(node))
        return Expr(LITERAL, line, column, self._text(node), body)

    def _object(self, node: Any, parts: list[Any], depth: int) -> Expr:
        line, column = self._where(node)
        fields: list[tuple[str | None, Expr]] = []
        for element in parts:
            if getattr(element, "data", None) != "object_elem":
                continue
            key_node, *_, value_node = _parts(element)
            key_expr = _parts(key_node)[0]
            key: str | None = None
            if getattr(key_expr, "data", None) == "keyword":
                key = self._name(key_expr)
            else:
                written = self.expr(key_expr, depth)
                if written.kind == REF and len(written.ref) == 1:
                    key = written.ref[0]  # a bare name is the key itself
                elif written.kind == LITERAL and isinstance(written.value, str):
                    key = written.value
            fields.append((key, self.expr(value_node, depth)))
        return Expr(OBJECT, line, column, self._text(node), fields=tuple(fields))

    def _traversal(self, node: Any, parts: list[Any], depth: int) -> Expr:
        line, column = self._where(node)
        base = self.expr(parts[0], depth)
        if base.kind != REF:
            return self._other(node)
        names = list(base.ref)
        path = list(base.path)
        for part in parts[1:]:
            # get_attr adds a name; an index or a splat selects elements of the same thing.
            splat = part.data in ("attr_splat", "full_splat")
            steps = _subtrees(part) if splat else [part]
            if splat:
                path.append(None)
            for step in steps:
                if step.data == "get_attr":
                    names.append(self._name(_parts(step)[-1]))
                    path.append(names[-1])
                else:  # braces_index, short_index (the legacy `.0`)
                    path.append(self._index(step, depth))
        return Expr(REF, line, column, self._text(node), ref=tuple(names), path=tuple(path))

    def _index(self, node: Any, depth: int) -> str | int | None:
        """A literal index (``["name"]``, ``[0]``, the legacy ``.0``), else None."""
        inner = [p for p in _parts(node) if hasattr(p, "data") or str(p).isdigit()]
        if len(inner) != 1:
            return None
        if not hasattr(inner[0], "data"):
            return int(str(inner[0]))
        written = self.expr(inner[0], depth)
        value = written.value if written.kind == LITERAL else None
        return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None

    def _comparison(self, node: Any, parts: list[Any], depth: int) -> Expr:
        line, column = self._where(node)
        term = parts[-1] if len(parts) == 2 else None
        inner = _parts(term) if getattr(term, "data", None) == "binary_term" else []
        operator = self._name(inner[0]).strip() if len(inner) == 2 else ""
        if operator not in ("==", "!="):
            return self._other(node)
        items = (self.expr(parts[0], depth), self.expr(inner[1], depth))
        return Expr(COMPARISON, line, column, self._text(node), name=operator, items=items)

    def _for(self, node: Any, parts: list[Any], depth: int) -> Expr:
        line, column = self._where(node)
        if any(str(p) == "..." for p in parts):  # grouping: values collected under each key
            return self._other(node)
        intro = next(p for p in parts if getattr(p, "data", None) == "for_intro")
        intro_parts = _subtrees(intro)
        names = tuple(str(_parts(p)[0]) for p in intro_parts if p.data == "identifier")
        collection = self.expr(intro_parts[-1], depth)
        results = [self.expr(p, depth) for p in parts if getattr(p, "data", None) == "expr_term"]
        condition = next((p for p in parts if getattr(p, "data", None) == "for_cond"), None)
        items = [collection, *results]
        if condition is not None:
            items.append(self.expr(_subtrees(condition)[0], depth))
        kind = FOR_OBJECT if node.data == "for_object_expr" else FOR_TUPLE
        return Expr(
            kind,
            line,
            column,
            self._text(node),
            value=condition is not None,
            items=tuple(items),
            ref=names,
        )

    def _call(self, node: Any, parts: list[Any], depth: int) -> Expr:
        line, column = self._where(node)
        names = [self._name(p) for p in parts if getattr(p, "data", None) == "identifier"]
        arguments = next((p for p in parts if getattr(p, "data", None) == "arguments"), None)
        items: tuple[Expr, ...] = ()
        if arguments is not None:
            items = tuple(self.expr(p, depth) for p in _subtrees(arguments))
        return Expr(CALL, line, column, self._text(node), name="::".join(names), items=items)


def _unescape(raw: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        if code:
            try:
                return chr(int(code, 16))
            except ValueError:  # beyond Unicode: kept as written
                return match.group(0)
        return _ESCAPES.get(match.group(3), match.group(0))

    return _ESCAPE.sub(replace, raw)
