"""One walk of a parsed module, its nodes kept by type for every extractor and rule.

A module's syntax tree is walked once, when it is parsed: each node is filed under its
type, in the order :func:`ast.walk` gives (breadth first), so that asking for the calls,
the assignments or the imports of a module costs as many steps as there are of them, not
a walk of every node. This is the one module that walks a whole tree; what walks a part
of one (a function's body, an expression) may still use :func:`ast.walk` on that part.
"""

from __future__ import annotations

import ast
import heapq
from array import array
from collections import deque
from collections.abc import Mapping, Sequence
from typing import TypeVar, cast

N = TypeVar("N", bound=ast.AST)

# Shared singletons that no extractor asks for (``Load``, ``Add`` …): not filed.
_UNFILED = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)


class NodeIndex:
    """The nodes of one tree by type, in :func:`ast.walk` order."""

    __slots__ = ("_by_type", "_matching", "_order", "tree")

    def __init__(self, tree: ast.AST) -> None:
        self.tree = tree
        by_type: dict[type[ast.AST], list[ast.AST]] = {}
        # Where each filed node stands in the walk, by type: what merges the nodes of
        # several types back into walk order.
        order: dict[type[ast.AST], array[int]] = {}
        pending = deque([tree])
        position = 0
        while pending:
            node = pending.popleft()
            kind = type(node)
            filed = by_type.get(kind)
            if filed is None:
                if issubclass(kind, _UNFILED):
                    continue
                filed = by_type[kind] = []
                order[kind] = array("i")
            filed.append(node)
            order[kind].append(position)
            position += 1
            pending.extend(ast.iter_child_nodes(node))
        self._by_type = by_type
        self._order = order
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
            types = [kind for kind in self._by_type if issubclass(kind, kinds)]
            if len(types) == 1:
                found = self._by_type[types[0]]
            else:
                merged = heapq.merge(
                    *(zip(self._order[kind], self._by_type[kind], strict=True) for kind in types),
                    key=lambda item: item[0],
                )
                found = [node for _, node in merged]
            self._matching[kinds] = found
        return found

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
        return {
            child: parent
            for nodes in self._by_type.values()
            for parent in nodes
            for child in ast.iter_child_nodes(parent)
        }
