"""Which experiment trackers the project uses, and where.

Code (Python files and notebooks) uses a tracker when it imports its client (``mlflow``,
``wandb``, ``dvclive``, ``sagemaker.experiments`` …), builds its logger or callback
(Lightning's ``WandbLogger``, Keras's ``TensorBoard``) or names it in ``report_to=`` (Hugging
Face). Configuration uses one when an ``MLproject`` (MLflow) or a ``dvc.yaml`` (DVC
experiments) is present, or a YAML file (Hydra, say) instantiates a tracker's logger.
A training recipe in YAML may name trackers in ``report_to``. SageMaker Pipelines record
their executions in SageMaker Experiments. Tracking that names no tool is kept apart:
``params.yaml`` (experiment configuration), and Hugging Face's ``Trainer`` and
``TrainingArguments`` (trl's too) or ``transformers.integrations``, which report to whichever
tracker is installed unless told ``report_to="none"``. A code file that mentions a tracker
but cannot be parsed leaves that tracker undecided: rules then stay silent about it.
"""

from __future__ import annotations

import ast
from typing import Any

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import code_files, is_test_path, module
from mllint_wa.evidence.kinds import DVC, MLPROJECT, PARAMS, YAML
from mllint_wa.parsers.python_code import PythonModule, keyword, literal
from mllint_wa.parsers.yaml_doc import load_yaml, value_position, walk
from mllint_wa.records import dataclass

# Tracker ids, as ``[model] tracking`` names them, and how messages name them.
TRACKERS = {
    "mlflow": "MLflow",
    "wandb": "Weights & Biases",
    "dvc": "DVC experiments",
    "sagemaker-experiments": "SageMaker Experiments",
    "neptune": "Neptune",
    "comet": "Comet",
    "clearml": "ClearML",
    "aim": "Aim",
    "tensorboard": "TensorBoard",
    "sacred": "Sacred",
}
_ALIASES = {
    "w&b": "wandb",
    "weights-and-biases": "wandb",
    "weights&biases": "wandb",
    "weights-&-biases": "wandb",
    "dvclive": "dvc",
    "dvc-experiments": "dvc",
    "sagemaker": "sagemaker-experiments",
    "comet-ml": "comet",
    "neptune-ai": "neptune",
    "tensorboard-hparams": "tensorboard",
}
# Imported packages (a dotted prefix) that are a tracker's client.
_PACKAGES = {
    "mlflow": "mlflow",
    "wandb": "wandb",
    "dvclive": "dvc",
    "sagemaker.experiments": "sagemaker-experiments",
    "sagemaker.workflow.pipeline": "sagemaker-experiments",
    "smexperiments": "sagemaker-experiments",
    "neptune": "neptune",
    "comet_ml": "comet",
    "clearml": "clearml",
    "aim": "aim",
    "tensorboard": "tensorboard",
    "tensorboardX": "tensorboard",
    "torch.utils.tensorboard": "tensorboard",
    "sacred": "sacred",
}
# Logger and callback classes of training frameworks that report to a tracker.
_CLASSES = {
    "WandbLogger": "wandb",
    "WandbCallback": "wandb",
    "MLFlowLogger": "mlflow",
    "MLflowCallback": "mlflow",
    "NeptuneLogger": "neptune",
    "CometLogger": "comet",
    "AimLogger": "aim",
    "DVCLiveLogger": "dvc",
    "TensorBoardLogger": "tensorboard",
    "TensorBoard": "tensorboard",
}
# ``report_to=`` values (Hugging Face) that are trackers.
_REPORT_TO = {
    "mlflow": "mlflow",
    "wandb": "wandb",
    "dvclive": "dvc",
    "neptune": "neptune",
    "comet_ml": "comet",
    "clearml": "clearml",
    "tensorboard": "tensorboard",
}
# Bytes whose absence rules a tracker out before a file is parsed.
_NEEDLES = {
    "mlflow": (b"mlflow", b"MLFlow", b"MLflow"),
    "wandb": (b"wandb", b"Wandb"),
    "dvc": (b"dvclive", b"DVCLive"),
    "sagemaker-experiments": (b"experiments", b"sagemaker.workflow"),
    "neptune": (b"neptune", b"Neptune"),
    "comet": (b"comet_ml", b"Comet"),
    "clearml": (b"clearml",),
    "aim": (b"aim", b"Aim"),
    "tensorboard": (b"tensorboard", b"TensorBoard"),
    "sacred": (b"sacred",),
}
_ALL_NEEDLES = tuple(needle for needles in _NEEDLES.values() for needle in needles)
# transformers names (and trl's trainers and configs) whose runs report to any installed
# tracker unless told otherwise.
_HF_REPORTING = frozenset(
    {"Trainer", "Seq2SeqTrainer", "TrainingArguments", "Seq2SeqTrainingArguments"}
)
# Logger classes whose name in a YAML file (a Hydra ``_target_``) configures a tracker.
_CONFIG_NEEDLES = {name.encode(): tracker for name, tracker in _CLASSES.items() if "Logger" in name}


def canonical_tracker(value: str) -> str | None:
    """The tracker id a manifest value names, or None when it names none we know."""
    key = value.strip().lower().replace("_", "-").replace(" ", "-")
    key = _ALIASES.get(key, key)
    return key if key in TRACKERS else None


@dataclass(frozen=True)
class TrackerUse:
    """The first place a tracker is used; ``in_code`` when code uses it (not only config)."""

    tracker: str
    path: str
    line: int
    column: int
    in_code: bool
    evidence: str  # what shows it: "`import mlflow`", "`MLproject`" …


@dataclass(frozen=True)
class Tracking:
    uses: tuple[TrackerUse, ...]  # one per tracker, the code use first
    unnamed: tuple[str, ...]  # files that track or configure runs naming no tool
    undecided: frozenset[str]  # trackers mentioned in code that could not be parsed

    @property
    def used(self) -> frozenset[str]:
        return frozenset(use.tracker for use in self.uses)

    def in_code(self) -> tuple[TrackerUse, ...]:
        return tuple(use for use in self.uses if use.in_code)


def tracking(ev: Evidence) -> Tracking:
    """The project's experiment tracking, computed once per run."""
    return ev.memo(tracking, lambda: _tracking(ev))


def _tracking(ev: Evidence) -> Tracking:
    found: dict[str, TrackerUse] = {}
    undecided: set[str] = set()
    unnamed = list(ev.files(PARAMS))
    for path in code_files(ev):
        if is_test_path(path) or not ev.mentions(path, *_ALL_NEEDLES, b"transformers"):
            continue
        parsed = module(ev, path)
        if parsed is None:
            undecided.update(t for t, needles in _NEEDLES.items() if ev.mentions(path, *needles))
            continue
        for use in sorted(_code_uses(path, parsed), key=lambda u: (u.line, u.column)):
            found.setdefault(use.tracker, use)
        if _reports_to_installed_trackers(parsed):
            unnamed.append(path)
    for use in _config_uses(ev):
        found.setdefault(use.tracker, use)
    uses = tuple(found[tracker] for tracker in TRACKERS if tracker in found)
    return Tracking(uses, tuple(unnamed), frozenset(undecided - found.keys()))


def _reports_to_installed_trackers(parsed: PythonModule) -> bool:
    if any(name.startswith("transformers.integrations") for name in parsed.imports.values()):
        return True
    for name, call in parsed.calls():
        top, last = name.partition(".")[0], name.rpartition(".")[2]
        if (top == "transformers" and last in _HF_REPORTING) or (
            top == "trl" and last.endswith(("Trainer", "Config"))
        ):
            report_to = keyword(call, "report_to")
            if report_to is None or literal(report_to) not in ("none", None):
                return True
    return False


def _code_uses(path: str, parsed: PythonModule) -> list[TrackerUse]:
    uses = []
    for node in parsed.index.imports():
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            tracker = _tracker_of(name)
            if tracker:
                line, column = parsed.position(node)
                uses.append(TrackerUse(tracker, path, line, column, True, f"`{name}`"))
    for name, call in parsed.calls():
        trackers = {_tracker_of(name)} | _reported_to(call)
        for tracker in sorted(t for t in trackers if t):
            line, column = parsed.position(call)
            uses.append(TrackerUse(tracker, path, line, column, True, f"`{name}(...)`"))
    return uses


def _tracker_of(dotted: str) -> str | None:
    for prefix, tracker in _PACKAGES.items():
        if dotted == prefix or dotted.startswith(prefix + "."):
            return tracker
    return _CLASSES.get(dotted.rpartition(".")[2]) if "." in dotted else None


def _reported_to(call: ast.Call) -> set[str | None]:
    value = keyword(call, "report_to")
    items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
    return {
        _REPORT_TO.get(item.value)
        for item in items
        if isinstance(item, ast.Constant) and isinstance(item.value, str)
    }


def _configured_report_to(path: str, documents: list[Any]) -> list[TrackerUse]:
    """Trackers a training configuration names in ``report_to`` (Hugging Face arguments
    kept in YAML recipes)."""
    uses = []
    for document in documents:
        for container, key, value in walk(document):
            if key != "report_to" or not isinstance(container, dict):
                continue
            names = value if isinstance(value, list) else [value]
            line, column = value_position(container, key)
            for name in names:
                tracker = _REPORT_TO.get(name) if isinstance(name, str) else None
                if tracker:
                    uses.append(TrackerUse(tracker, path, line, column, False, "`report_to`"))
    return uses


def _config_uses(ev: Evidence) -> list[TrackerUse]:
    uses = [TrackerUse("mlflow", path, 1, 1, False, "`MLproject`") for path in ev.files(MLPROJECT)]
    uses += [
        TrackerUse("dvc", path, 1, 1, False, "`dvc.yaml`")
        for path in ev.files(DVC)
        if path.rpartition("/")[2] == "dvc.yaml"
    ]
    for path, documents in ev.parsed_files(YAML, load_yaml, b"report_to"):
        uses += _configured_report_to(path, documents)
    for path in ev.files(YAML):
        if not ev.mentions(path, *_CONFIG_NEEDLES):
            continue
        for needle, tracker in _CONFIG_NEEDLES.items():
            at = ev.find(path, needle)
            if at is not None:
                uses.append(TrackerUse(tracker, path, *at, False, f"`{needle.decode()}`"))
    return uses
