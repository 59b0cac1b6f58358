"""One walk per module: the node index every extractor reads gives what a walk of the whole
tree would, and nothing else walks a whole module again."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Linter
from mllint_wa.parsers import python_code
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


def _walks_a_tree(call: ast.Call) -> bool:
    is_walk = isinstance(call.func, ast.Attribute) and call.func.attr == "walk"
    if not is_walk or not call.args:
        return False
    argument = call.args[0]
    named = argument.attr if isinstance(argument, ast.Attribute) else getattr(argument, "id", "")
    return named in ("tree", "module")


def test_no_code_but_the_index_walks_a_whole_module() -> None:
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name == "ast_index.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _walks_a_tree(node):
                offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(
    "repo",
    [
        "complete",
        "unseeded-randomness",
        "unsafe-model-deserialization",
        "model-not-registered",
        "training-without-vpc",
        "endpoint-without-autoscaling",
        "missing-endpoint-alarms",
        "missing-data-validation",
        "declared-tracking-not-used",
    ],
)
def test_a_run_walks_no_module_but_in_its_index(
    repo: str, lint: Linter, monkeypatch: pytest.MonkeyPatch
) -> None:
    walked_modules: list[ast.Module] = []
    indexed: list[ast.AST] = []
    walk = ast.walk

    def watched(node: ast.AST) -> Iterator[ast.AST]:
        if isinstance(node, ast.Module):
            walked_modules.append(node)
        return walk(node)

    class Counted(NodeIndex):
        def __init__(self, tree: ast.AST) -> None:
            indexed.append(tree)
            super().__init__(tree)

    monkeypatch.setattr(ast, "walk", watched)
    monkeypatch.setattr(python_code, "NodeIndex", Counted)
    lint(repo)
    assert indexed  # the run read Python code
    assert walked_modules == []
