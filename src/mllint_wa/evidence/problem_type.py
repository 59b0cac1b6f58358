"""The kind of ML problem the project's code solves, when its estimators and losses agree.

Signals come from calls into ML libraries, resolved through each module's imports: scikit-learn
style estimators (``LogisticRegression``, ``*Classifier`` → classification; ``*Regressor``,
``LinearRegression``, ``Ridge`` … → regression), PyTorch and Keras losses (``BCEWithLogitsLoss``
→ binary; ``CrossEntropyLoss`` → multiclass; ``MSELoss`` → regression), and the string a call
passes as ``loss=``, ``objective=`` or ``task=`` (``"binary_crossentropy"``,
``"binary:logistic"``, ``"multiclass"``, ``"mse"``). Regression beside any classification
signal is ambiguous, and so no problem type is inferred; binary and multiclass signals together
make plain classification. Test code is not evidence.
"""

from __future__ import annotations

import ast

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import ML_PACKAGES, modules
from mllint_wa.parsers.python_code import PythonModule, has_star_kwargs, keyword, literal
from mllint_wa.records import dataclass

CLASSIFICATION = "classification"
BINARY = "binary-classification"
MULTICLASS = "multiclass-classification"
REGRESSION = "regression"

_CLASSIFIERS = frozenset({"LogisticRegression", "SVC", "LinearSVC", "NuSVC", "GaussianNB"})
_REGRESSORS = frozenset(
    {
        "LinearRegression",
        "Ridge",
        "Lasso",
        "ElasticNet",
        "SVR",
        "LinearSVR",
        "BayesianRidge",
        "MSELoss",
        "mse_loss",
        "MeanSquaredError",
    }
)
_BINARY = frozenset(
    {
        "BCEWithLogitsLoss",
        "BCELoss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "BinaryCrossentropy",
    }
)
_MULTICLASS = frozenset(
    {
        "CrossEntropyLoss",
        "NLLLoss",
        "cross_entropy",
        "nll_loss",
        "CategoricalCrossentropy",
        "SparseCategoricalCrossentropy",
    }
)
# scikit-learn scores whose default average="binary" accepts two classes only.
_BINARY_AVERAGED = frozenset({"precision_score", "recall_score", "f1_score", "fbeta_score"})
# Values of loss=, objective= and task= keywords.
_KEYWORDS = ("loss", "objective", "task")
_VALUES = {
    "binary_crossentropy": BINARY,
    "binary": BINARY,
    "categorical_crossentropy": MULTICLASS,
    "sparse_categorical_crossentropy": MULTICLASS,
    "multiclass": MULTICLASS,
    "mse": REGRESSION,
    "mean_squared_error": REGRESSION,
    "regression": REGRESSION,
}
_OBJECTIVE_FAMILIES = {"binary": BINARY, "multi": MULTICLASS, "reg": REGRESSION}
_NEEDLES = (
    b"Classifier",
    b"Regress",
    b"Ridge",
    b"Lasso",
    b"ElasticNet",
    b"SVC",
    b"SVR",
    b"GaussianNB",
    b"Loss",
    b"loss",
    b"entropy",
    b"Entropy",
    b"MeanSquaredError",
    b"objective=",
    b"_score",
    b"task=",
)


@dataclass(frozen=True)
class ProblemSignal:
    kind: str  # one of the four constants above
    path: str
    line: int
    column: int
    evidence: str  # "calls `torch.nn.CrossEntropyLoss(...)`", "passes `loss=\"mse\"`"


def problem_type(ev: Evidence) -> ProblemSignal | None:
    """The problem type the code shows, with its first signal; None when the code shows
    none or disagrees with itself."""
    return ev.memo(problem_type, lambda: _decide(_signals(ev)))


def _decide(signals: list[ProblemSignal]) -> ProblemSignal | None:
    kinds = {signal.kind for signal in signals}
    if not kinds or (REGRESSION in kinds and len(kinds) > 1):
        return None
    specific = kinds & {BINARY, MULTICLASS}
    if len(specific) == 1 or kinds == {REGRESSION}:
        # An estimator that classifies and a binary (or multiclass) loss agree.
        return next(s for s in signals if s.kind in specific | {REGRESSION})
    first = signals[0]
    return ProblemSignal(CLASSIFICATION, first.path, first.line, first.column, first.evidence)


def _signals(ev: Evidence) -> list[ProblemSignal]:
    found: list[ProblemSignal] = []
    for path, parsed in modules(ev, *_NEEDLES):
        if not parsed.imported_modules() & ML_PACKAGES:
            continue
        for name, call in parsed.calls():
            found.extend(_call_signals(path, parsed, name, call))
    return sorted(found, key=lambda s: (s.path, s.line, s.column))


def _call_signals(
    path: str, parsed: PythonModule, name: str, call: ast.Call
) -> list[ProblemSignal]:
    line, column = parsed.position(call)
    signals = []
    if _binary_metric(name, call):
        evidence = f"scores two classes with `{name}(...)`"
        signals.append(ProblemSignal(BINARY, path, line, column, evidence))
    kind = _estimator_kind(name)
    if kind is not None:
        signals.append(ProblemSignal(kind, path, line, column, f"calls `{name}(...)`"))
    for key in _KEYWORDS:
        value = literal(keyword(call, key))
        kind = _VALUES.get(value.lower()) if isinstance(value, str) else None
        if isinstance(value, str) and kind is None and ":" in value:
            # XGBoost objectives: "reg:linear", "binary:hinge", "multi:softprob" …
            kind = _OBJECTIVE_FAMILIES.get(value.partition(":")[0].lower())
        if kind is not None:
            evidence = f'passes `{key}="{value}"` to `{name}(...)`'
            signals.append(ProblemSignal(kind, path, line, column, evidence))
    return signals


def _binary_metric(name: str, call: ast.Call) -> bool:
    """scikit-learn scores that accept only two classes as called: precision, recall and F
    scores with the default ``average="binary"``, ROC AUC without ``multi_class``."""
    if not name.startswith("sklearn.metrics.") or has_star_kwargs(call):
        return False
    last = name.rpartition(".")[2]
    if last in _BINARY_AVERAGED:
        average = keyword(call, "average")
        return average is None or literal(average) == "binary"
    return last == "roc_auc_score" and keyword(call, "multi_class") is None


def _estimator_kind(name: str) -> str | None:
    """What an ML library's class or function says of the problem; None for anything
    else, or for a name that is not an ML library's."""
    if name.partition(".")[0] not in ML_PACKAGES:
        return None
    last = name.rpartition(".")[2]
    if last in _BINARY:
        return BINARY
    if last in _MULTICLASS:
        return MULTICLASS
    if last in _REGRESSORS or last.endswith("Regressor"):
        return REGRESSION
    if last in _CLASSIFIERS or last.endswith("Classifier"):
        return CLASSIFICATION
    return None
