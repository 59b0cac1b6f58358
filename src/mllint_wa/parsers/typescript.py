"""TypeScript source through tree-sitter's TypeScript grammar, its syntax tree with positions.

tree-sitter and the grammar are imported on the first parse, so that a run that reads no
TypeScript never loads them. The grammar recovers from what it cannot read by inserting ERROR
and MISSING nodes and reading on. A file whose tree holds one is refused here, with the place
of the first, as Python's parser refuses a syntax error: a property that the recovery swallowed
would read as absent, and absent is what rules fire on.

Bounds: the evidence layer reads at most its read limit of a file; a line longer than
Python's longest is minified or generated code, and a file of more names and numbers than a
Python module holds would cost its readers, which lower it into Python's syntax trees, as
much as such a module: both are refused before parsing, as Python's reader refuses them
(:func:`~mllint_wa.parsers.python_code.refuse_beyond_source_bounds`). One megabyte of
`f(a, b);` lines took 4.4 s and 490 MB.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.python_code import refuse_beyond_source_bounds
from mllint_wa.records import dataclass

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Tree


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
    refuse_beyond_source_bounds(text)
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
