"""Whether a project trains or uses ML models at all: rules about missing ML documentation
need that before they can say anything."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.kinds import MODEL, NOTEBOOK, PYTHON
from mllint_wa.parsers.python_code import parse_python

ML_FRAMEWORKS = frozenset(
    {
        "sklearn",
        "torch",
        "tensorflow",
        "keras",
        "xgboost",
        "lightgbm",
        "catboost",
        "transformers",
        "sagemaker",
        "jax",
        "flax",
        "lightning",
        "pytorch_lightning",
        "statsmodels",
        "prophet",
        "autogluon",
        "mxnet",
    }
)
_TEXT_NEEDLES = tuple(
    f"{keyword} {name}" for name in sorted(ML_FRAMEWORKS) for keyword in ("import", "from")
)
_NEEDLES = tuple(needle.encode() for needle in _TEXT_NEEDLES)


@dataclass(frozen=True)
class MlUse:
    """Where a project first shows that it uses ML: a model file, or an import of an ML
    framework; ``what`` says which, for messages."""

    path: str
    line: int
    column: int
    what: str


def uses_ml(ev: Evidence) -> bool:
    """The project holds model files, or code or notebooks importing an ML framework."""
    return ml_use(ev) is not None


def ml_use(ev: Evidence) -> MlUse | None:
    """The first model file, else the first notebook or module that imports an ML
    framework, with where; None when the project shows no use of ML."""
    return ev.memo(ml_use, lambda: _ml_use(ev))


def _ml_use(ev: Evidence) -> MlUse | None:
    models = ev.files(MODEL)
    if models:
        return MlUse(models[0], 1, 1, "is a model file")
    for path in ev.files(NOTEBOOK):
        if ev.mentions(path, *_NEEDLES):
            return _mentioned(ev, path)
    for path, module in ev.parsed_files(PYTHON, parse_python, *_NEEDLES):
        if module.imported_modules() & ML_FRAMEWORKS:
            found = [
                (module.position(node), framework)
                for node in ast.walk(module.tree)
                if isinstance(node, ast.stmt)
                for framework in [_framework_imported(node)]
                if framework is not None
            ]
            if found:
                (line, column), framework = min(found)
                return MlUse(path, line, column, f"imports `{framework}`")
    return None


def _framework_imported(node: ast.stmt) -> str | None:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
        names = [node.module]
    else:
        return None
    return next((n.split(".")[0] for n in names if n.split(".")[0] in ML_FRAMEWORKS), None)


def _mentioned(ev: Evidence, path: str) -> MlUse:
    """A notebook's first import of an ML framework, found in its text as stored."""
    text = ev.text(path) or ""
    for number, line in enumerate(text.splitlines(), start=1):
        for needle in _TEXT_NEEDLES:
            column = line.find(needle)
            if column >= 0:
                return MlUse(path, number, column + 1, f"imports `{needle.split()[1]}`")
    return MlUse(path, 1, 1, "imports an ML framework")
