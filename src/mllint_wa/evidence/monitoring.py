"""What watches a deployed model and what retrains it, found once per run.

Monitors are Model Monitor schedules (the resource model), pipelines with drift checks
(``QualityCheckStep``, ``MonitorBatchTransformStep``) and third-party drift and
model-quality libraries imported by the project's own code (test code left out): Evidently,
NannyML, whylogs, Deepchecks' monitoring client and its drift checks, alibi-detect, Frouros,
TorchDrift and River's drift detectors. Each says which kinds of monitoring it can stand
for; a monitor that may watch any endpoint (a library, a schedule whose endpoint is not one
the project defines by that name) has no ``endpoint``.

Retraining triggers are EventBridge rules and EventBridge Scheduler schedules (any with a
schedule, or whose targets are a pipeline, a state machine or a build), SageMaker pipelines
with a schedule, CI definitions that run on a timer (GitHub Actions ``on: schedule``, Azure
Pipelines ``schedules``, CircleCI scheduled workflows, Jenkins ``cron``, a GitLab job ruled to
scheduled pipelines: GitLab and Bitbucket keep their schedules outside the repository), and
code that schedules a workflow: SageMaker ``PipelineSchedule``/``put_triggers``, an Airflow
DAG whose schedule is not ``None``, Dagster schedules, Prefect cron deployments, Kubeflow
recurring runs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping

from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.automation import ci_evidence
from mllint_wa.evidence.code import modules
from mllint_wa.parsers.python_code import PythonModule, keyword, literal
from mllint_wa.records import dataclass

DATA_QUALITY = "data-quality"
MODEL_QUALITY = "model-quality"
ALL_KINDS = frozenset({DATA_QUALITY, MODEL_QUALITY, "model-bias", "model-explainability"})
_BOTH = frozenset({DATA_QUALITY, MODEL_QUALITY})
_DRIFT = frozenset({DATA_QUALITY})

# Imported module prefixes → the monitoring they can do.
_LIBRARIES: Mapping[str, frozenset[str]] = {
    "evidently": _BOTH,
    "nannyml": _BOTH,
    "whylogs": _BOTH,
    "deepchecks_client": _BOTH,
    "alibi_detect": _DRIFT,
    "frouros": _DRIFT,
    "torchdrift": _DRIFT,
    "river.drift": _DRIFT,
}
_LIBRARY_NEEDLES = (
    b"evidently",
    b"nannyml",
    b"whylogs",
    b"deepchecks",
    b"alibi_detect",
    b"frouros",
    b"torchdrift",
    b"river",
)
# SageMaker Pipelines steps that check captured or batch data against a baseline.
_DRIFT_STEPS = frozenset({"quality-check", "monitor-batch-transform"})
_DRIFT_STEP_CLASSES = ("QualityCheckStep", "MonitorBatchTransformStep")


@dataclass(frozen=True)
class Monitor:
    kinds: frozenset[str]
    endpoint: str | None  # the endpoint resource it watches; None: it may watch any
    what: str


def monitors(ev: Evidence) -> tuple[Monitor, ...]:
    """Everything in the project that monitors a model in production."""
    return ev.memo(monitors, lambda: tuple(_monitors(ev)))


def _monitors(ev: Evidence) -> Iterator[Monitor]:
    endpoints = {r.name for r in rm.resources(ev, rm.ENDPOINT)}
    for schedule in rm.resources(ev, rm.MONITORING_SCHEDULE):
        kind = schedule.get("monitor_type")
        kinds = frozenset({kind.value}) if kind.known else ALL_KINDS
        target = schedule.get("endpoint")
        # A name the project defines no endpoint by may be any of them, spelled otherwise.
        watched = target.value if target.known and target.value in endpoints else None
        yield Monitor(kinds, watched, f"monitoring schedule `{schedule.name}`")
    for pipeline in rm.resources(ev, rm.PIPELINE):
        steps = pipeline.get("steps")
        if steps.known and _DRIFT_STEPS & set(steps.value):
            yield Monitor(_BOTH, None, f"pipeline `{pipeline.name}`")
    for path, parsed in modules(ev, *(c.encode() for c in _DRIFT_STEP_CLASSES)):
        for name, _ in parsed.calls():
            last = name.rpartition(".")[2]
            if name.startswith("sagemaker.") and last in _DRIFT_STEP_CLASSES:
                yield Monitor(_BOTH, None, f"`{last}` in `{path}`")
                break
    for path, parsed in modules(ev, *_LIBRARY_NEEDLES):
        for library, kinds in _libraries(parsed):
            yield Monitor(kinds, None, f"`{library}` in `{path}`")


def _libraries(parsed: PythonModule) -> Iterator[tuple[str, frozenset[str]]]:
    """The monitoring libraries a module imports, each once."""
    seen: set[str] = set()
    for node in parsed.index.imports():
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            found = _library(name)
            if found is not None and found[0] not in seen:
                seen.add(found[0])
                yield found


def _library(dotted: str) -> tuple[str, frozenset[str]] | None:
    for prefix, kinds in _LIBRARIES.items():
        if dotted == prefix or dotted.startswith(f"{prefix}."):
            return prefix, kinds
    # Deepchecks is a testing suite first: only its drift checks monitor.
    if dotted.startswith("deepchecks.") and "Drift" in dotted.rpartition(".")[2]:
        return "deepchecks", _DRIFT
    return None


# Alarms and data capture set up by code the resource model does not read ----------------


def files_calling(ev: Evidence, method: str, package: str) -> frozenset[str]:
    """Project code files (importing ``package``) that call ``.method(...)`` on anything."""

    def compute() -> frozenset[str]:
        found = set()
        for path, parsed in modules(ev, f"{method}(".encode()):
            if package in parsed.imported_modules() and any(
                isinstance(node.func, ast.Attribute) and node.func.attr == method
                for node in parsed.index.of(ast.Call)
            ):
                found.add(path)
        return frozenset(found)

    return ev.memo((files_calling, method, package), compute)


def alarms_in_code(ev: Evidence) -> frozenset[str]:
    """Files that create CloudWatch alarms through boto3 (``put_metric_alarm``): which
    endpoint and metric they watch is not read, so they may watch any."""
    return files_calling(ev, "put_metric_alarm", "boto3")


def capture_updates(ev: Evidence) -> frozenset[str]:
    """Files that turn data capture on after deployment
    (``predictor.update_data_capture_config(...)``)."""
    return files_calling(ev, "update_data_capture_config", "sagemaker")


# Retraining triggers --------------------------------------------------------------------------

_STARTS_WORK = re.compile(r"(?i)pipeline|state-?machine|states:|sfn|codebuild|training")


def retraining_triggers(ev: Evidence) -> tuple[str, ...]:
    """What in the project starts a pipeline, a training job or a workflow by itself: a
    description of each."""
    return ev.memo(retraining_triggers, lambda: tuple(_triggers(ev)))


def _triggers(ev: Evidence) -> Iterator[str]:
    pipelines = {r.name for r in rm.resources(ev, rm.PIPELINE)}
    for rule in rm.resources(ev, rm.EVENT_RULE):
        targets = rule.get("targets")
        starts_work = not targets.known or any(
            str(t) in pipelines or _STARTS_WORK.search(str(t)) for t in targets.value or ()
        )
        if rule.opaque or not rule.get("schedule").absent or starts_work:
            yield f"event rule `{rule.name}`"
    for pipeline in rm.resources(ev, rm.PIPELINE):
        if not pipeline.get("schedule").absent:
            yield f"pipeline `{pipeline.name}` schedule"
    for definition in ci_evidence(ev).pipelines:
        if definition.schedule is not None:
            yield f"scheduled CI `{definition.path}`"
    for path, parsed in modules(ev, *_SCHEDULER_NEEDLES):
        packages = parsed.imported_modules()
        for name, call in parsed.calls():
            if _schedules(name, call, packages):
                yield f"`{name}` in `{path}`"
                break


_SCHEDULER_NEEDLES = (
    b"PipelineSchedule",
    b"put_triggers",
    b"airflow",
    b"dagster",
    b"prefect",
    b"create_recurring_run",
)
_AIRFLOW_DAGS = frozenset({"airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG"})
_AIRFLOW_DECORATORS = frozenset({"airflow.decorators.dag", "airflow.sdk.dag", "airflow.sdk.DAG"})
_AIRFLOW_SCHEDULES = ("schedule", "schedule_interval", "timetable")
_DAGSTER = frozenset({"dagster.ScheduleDefinition", "dagster.schedule"})
_DAGSTER_BUILDERS = ("build_schedule_from_partitioned_job",)
_PREFECT_SCHEDULES = ("cron", "interval", "rrule", "schedule", "schedules")


def _schedules(name: str, call: ast.Call, packages: frozenset[str]) -> bool:
    """Whether a call makes a workflow run on a schedule."""
    last = name.rpartition(".")[2]
    if "sagemaker" in packages and (
        (name.startswith("sagemaker.") and last == "PipelineSchedule") or last == "put_triggers"
    ):
        return True
    if name in _AIRFLOW_DAGS or name in _AIRFLOW_DECORATORS:
        # Airflow 2's default schedule is daily; only an explicit None (or "@once") stops it.
        given = [keyword(call, key) for key in _AIRFLOW_SCHEDULES]
        stated = [literal(value) for value in given if value is not None]
        return not stated or any(value not in (None, "@once") for value in stated)
    if name in _DAGSTER or (name.startswith("dagster.") and last in _DAGSTER_BUILDERS):
        return True
    if "prefect" in packages and last in ("serve", "deploy", "build_from_flow"):
        return any(keyword(call, key) is not None for key in _PREFECT_SCHEDULES)
    return "kfp" in packages and last == "create_recurring_run"
