"""Whether a project trains or uses ML models at all: rules about missing ML documentation
need that before they can say anything."""

from __future__ import annotations

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
_NEEDLES = tuple(f"import {name}".encode() for name in ML_FRAMEWORKS) + tuple(
    f"from {name}".encode() for name in ML_FRAMEWORKS
)


def uses_ml(ev: Evidence) -> bool:
    """The project holds model files, or code or notebooks importing an ML framework."""
    return ev.memo(uses_ml, lambda: _uses_ml(ev))


def _uses_ml(ev: Evidence) -> bool:
    if ev.files(MODEL):
        return True
    for path in ev.files(NOTEBOOK):
        if ev.mentions(path, *_NEEDLES):
            return True
    return any(
        module.imported_modules() & ML_FRAMEWORKS
        for _, module in ev.parsed_files(PYTHON, parse_python, *_NEEDLES)
    )
