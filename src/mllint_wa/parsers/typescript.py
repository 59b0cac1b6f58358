"""TypeScript source through tree-sitter's TypeScript grammar, its syntax tree with positions.

tree-sitter and the grammar are imported on the first parse, so that a run that reads no
TypeScript never loads them. The grammar recovers from what it cannot read by inserting ERROR
and MISSING nodes and reading on. A file whose tree holds one is refused here, with the place
of the first, as Python's parser refuses a syntax error: a property that the recovery swallowed
would read as absent, and absent is what rules fire on.

Bounds: the evidence layer reads at most its read limit of a file; a line longer than
:data:`MAX_LINE` characters is minified or generated code, refused before it is parsed, as
Python's reader refuses it. Parsing is linear in the file's size.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from mllint_wa.evidence import ParseError
from mllint_wa.records import dataclass

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Tree

# Lines longer than this are minified or generated code, as for Python.
MAX_LINE = 20_000


@dataclass(frozen=True)
class TypeScriptSource:
    """A parsed file: its syntax tree and the bytes its positions and spans index."""

    tree: Tree
    source: bytes

    @property
    def root(self) -> Node:
        return self.tree.root_node


def parse_typescript(text: str) -> TypeScriptSource:
    """Parse TypeScript; a line too long or a syntax error is a :class:`ParseError` at
    its line and column."""
    for number, written in enumerate(text.splitlines(), start=1):
        if len(written) > MAX_LINE:
            raise ParseError(f"line {number} is longer than {MAX_LINE} characters", number)
    source = text.encode("utf-8")
    tree = _parser().parse(source)
    if tree.root_node.has_error:
        line, column = _first_error(tree.root_node)
        raise ParseError("has a syntax error", line, column)
    return TypeScriptSource(tree, source)


@functools.lru_cache(maxsize=1)
def _parser() -> Parser:
    # Imported here: only a run that parses TypeScript pays for the library and grammar.
    import tree_sitter
    import tree_sitter_typescript

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_typescript.language_typescript()))


def _first_error(root: Node) -> tuple[int, int]:
    """The 1-based line and column of the first ERROR or MISSING node, in source order,
    descending only into subtrees that hold one (no recursion, however deep the tree)."""
    node = root
    while True:
        if node.is_error or node.is_missing:
            break
        following = next((child for child in node.children if child.has_error), None)
        if following is None:
            break
        node = following
    row, column = node.start_point
    return row + 1, column + 1
