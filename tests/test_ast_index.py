"""One walk per module: the node index gives what a walk of the whole tree would."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from mllint_wa.parsers.ast_index import NodeIndex
from mllint_wa.parsers.python_code import parse_python

SOURCE = Path(__file__).resolve().parents[1] / "src" / "mllint_wa"
# Nodes the parser shares between parents (every ``Load``, every ``+``).
SHARED = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)

MODULE = textwrap.dedent(
    """
    import numpy as np
    from sklearn import svm as s

    def train(x, *, seed=lambda: 0):
        model = s.SVC().fit(x, np.ones(3))
        scores = [model.score(row) for row in x if (n := len(row))]
        return lambda y: model.predict(y)

    async def serve():
        from .local import handler
        return await handler()

    class Job:
        count: int = 2
    """
)


def walked(tree: ast.AST, *kinds: type[ast.AST]) -> list[ast.AST]:
    return [node for node in ast.walk(tree) if isinstance(node, kinds)]


@pytest.mark.parametrize(
    "kinds",
    [
        (ast.Call,),
        (ast.Name,),
        (ast.Import, ast.ImportFrom),
        (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda),
        (ast.stmt,),
        (ast.expr,),
        (ast.NamedExpr, ast.comprehension, ast.AnnAssign),
        (ast.Global,),
    ],
)
def test_the_index_gives_the_nodes_a_walk_finds_in_the_same_order(
    kinds: tuple[type[ast.AST], ...],
) -> None:
    tree = ast.parse(MODULE)
    index = NodeIndex(tree)
    assert list(index.of_any(*kinds)) == walked(tree, *kinds)
    if len(kinds) == 1:
        assert list(index.of(kinds[0])) == walked(tree, *kinds)


def test_imports_and_functions_are_asked_for_by_name() -> None:
    tree = ast.parse(MODULE)
    index = NodeIndex(tree)
    assert list(index.imports()) == walked(tree, ast.Import, ast.ImportFrom)
    assert [f.name for f in index.functions()] == ["train", "serve"]


def test_each_node_knows_its_parent() -> None:
    tree = ast.parse(MODULE)
    parents = NodeIndex(tree).parents()
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            if not isinstance(child, SHARED):
                assert parents[child] is parent
    assert tree not in parents
    assert ast.parse("x = 1").body[0] not in parents


def test_a_parsed_module_reads_its_calls_and_imports_from_its_index() -> None:
    parsed = parse_python(MODULE)
    assert [name for name, _ in parsed.calls()][:3] == [
        "sklearn.svm.SVC",
        "numpy.ones",
        "model.score",
    ]
    assert parsed.imports == {"np": "numpy", "s": "sklearn.svm"}
    assert parsed.index.tree is parsed.tree
