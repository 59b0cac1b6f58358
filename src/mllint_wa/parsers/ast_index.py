"""One walk of a parsed module, its nodes kept by type for every extractor and rule.

A module's syntax tree is walked once, when it is parsed: each node is kept in the order
:func:`ast.walk` gives (breadth first) with its type, so that asking for the calls, the
assignments or the imports of a module costs a byte search and a step for each of them,
not a walk of every node. This is the one module that walks a whole tree; what walks a part
of one (a function's body, an expression) may still use :func:`ast.walk` on that part.
"""

from __future__ import annotations

import ast
import heapq
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TypeVar, cast

N = TypeVar("N", bound=ast.AST)

# Shared singletons that no extractor asks for (``Load``, ``Add`` …): not filed.
_UNFILED = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
# A one-byte code for each node type seen, 0 for the unfiled ones: an index keeps a byte a
# node for its types instead of a list per type, which cost a small module kilobytes.
# Python has about 120 node types.
_CODES: dict[type[ast.AST], int] = {}


# The codes of the node types that are instances of a tuple of types, for each tuple asked
# (``(ast.Call,)``, ``(ast.Import, ast.ImportFrom)``), with how many types were coded when
# they were found: told once, not once a module, and told again once a new type is coded.
_WANTED: dict[tuple[type[ast.AST], ...], tuple[int, list[int]]] = {}


def _wanted(kinds: tuple[type[ast.AST], ...]) -> list[int]:
    found = _WANTED.get(kinds)
    if found is None or found[0] != len(_CODES):
        codes = [code for kind, code in _CODES.items() if code and issubclass(kind, kinds)]
        found = _WANTED[kinds] = (len(_CODES), codes)
    return found[1]


def _child_nodes(node: ast.AST) -> list[ast.AST]:
    """What :func:`ast.iter_child_nodes` gives, in its order, as a list: without its two
    generators a node, a walk takes a quarter less time."""
    found: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            found.append(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    found.append(item)
    return found


def _code(kind: type[ast.AST]) -> int:
    code = 0 if issubclass(kind, _UNFILED) else len(_CODES) + 1
    if code > 255:
        raise ValueError(f"more node types than one byte numbers, at {kind.__name__}")
    _CODES[kind] = code
    return code


class NodeIndex:
    """The nodes of one tree in :func:`ast.walk` order, with each one's type as a byte, so
    that the nodes of a type are found by a byte search."""

    __slots__ = ("_codes", "_matching", "_nodes", "tree")

    def __init__(self, tree: ast.AST) -> None:
        self.tree = tree
        nodes: list[ast.AST] = []
        codes = bytearray()
        pending = deque([tree])
        take, put_all = pending.popleft, pending.extend
        while pending:
            node = take()
            code = _CODES.get(type(node))
            if code is None:
                code = _code(type(node))
            if code:
                nodes.append(node)
                codes.append(code)
                put_all(_child_nodes(node))
        self._nodes = nodes
        self._codes = bytes(codes)
        self._matching: dict[tuple[type[ast.AST], ...], list[ast.AST]] = {}

    def of(self, kind: type[N]) -> Sequence[N]:
        """The nodes that are instances of ``kind`` (an abstract type such as
        :class:`ast.stmt` included), in walk order."""
        found: Sequence[N] = self.of_any(kind)  # type: ignore[assignment]
        return found

    def of_any(self, *kinds: type[ast.AST]) -> Sequence[ast.AST]:
        """The nodes that are instances of any of ``kinds``, in walk order."""
        found = self._matching.get(kinds)
        if found is None:
            wanted = _wanted(kinds)
            places: Iterable[int] = (
                self._places(wanted[0])
                if len(wanted) == 1
                else heapq.merge(*(self._places(code) for code in wanted))
            )
            found = self._matching[kinds] = [self._nodes[at] for at in places]
        return found

    def _places(self, code: int) -> Iterator[int]:
        at = self._codes.find(code)
        while at >= 0:
            yield at
            at = self._codes.find(code, at + 1)

    def imports(self) -> Sequence[ast.Import | ast.ImportFrom]:
        """The ``import`` and ``from … import`` statements, in walk order."""
        return cast(
            "Sequence[ast.Import | ast.ImportFrom]", self.of_any(ast.Import, ast.ImportFrom)
        )

    def functions(self) -> Sequence[ast.FunctionDef | ast.AsyncFunctionDef]:
        """The function definitions, ``async def`` included, in walk order."""
        return cast(
            "Sequence[ast.FunctionDef | ast.AsyncFunctionDef]",
            self.of_any(ast.FunctionDef, ast.AsyncFunctionDef),
        )

    def parents(self) -> Mapping[ast.AST, ast.AST]:
        """Each node's parent, the tree's own children included. Made anew on each call from
        the filed nodes and not kept: an index lasts as long as its module, the whole run,
        and a parent per node would double what it holds. Keep it while asking."""
        parents: dict[ast.AST, ast.AST] = {}
        for parent in self._nodes:
            for child in _child_nodes(parent):
                parents[child] = parent
        return parents
