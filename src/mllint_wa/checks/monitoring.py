"""MO: monitoring a deployed model: data capture, Model Monitor schedules or drift jobs,
CloudWatch alarms, retraining triggers, and what the manifest promises of them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.endpoints import throwaways, variants
from mllint_wa.evidence.monitoring import (
    DATA_QUALITY,
    MODEL_QUALITY,
    alarms_in_code,
    capture_updates,
    monitors,
    retraining_triggers,
)
from mllint_wa.model import Risk, Violation
from mllint_wa.records import dataclass
from mllint_wa.registry import rule

_OBSERVABILITY = ("MLOPS06-BP02", "MLPERF06-BP03", "MLPERF06-BP04")
_DECLARED = {"monitoring.data_drift": DATA_QUALITY, "monitoring.model_quality": MODEL_QUALITY}
_LIBRARIES = "Evidently, NannyML, whylogs, alibi-detect, Deepchecks"
_NOUNS = {rm.ENDPOINT: "endpoint", rm.ENDPOINT_CONFIG: "endpoint configuration"}


@dataclass(frozen=True)
class _Serving:
    """A real-time, instance-based endpoint: the endpoint resource (None for a
    configuration no endpoint in the project names) and the resource holding its variant
    settings (its configuration, or the endpoint itself for an SDK ``.deploy()``)."""

    endpoint: rm.Resource | None
    settings: rm.Resource

    @property
    def shown(self) -> rm.Resource:
        return self.endpoint or self.settings


def _realtime_endpoints(ev: Evidence) -> list[_Serving]:
    """Each lasting endpoint (or unused configuration) that serves in real time from
    instances: demos' throwaways (local mode, deleted further on) are left out, and so is one a
    configuration deploys for a stage before production."""
    found: dict[tuple[str, str], _Serving] = {}
    for variant in variants(ev):  # throwaway endpoints are already left out
        settings, endpoint = variant.holder, variant.endpoint
        if settings.opaque or variant.pre_production:
            continue
        key = (endpoint.anchor if endpoint is not None else "", settings.anchor)
        found.setdefault(key, _Serving(endpoint, settings))
    return list(found.values())


def _named(resource: rm.Resource) -> str:
    return f"{_NOUNS.get(resource.kind, resource.kind)} `{resource.name}`"


@rule(
    code="MO001",
    name="endpoint-without-data-capture",
    risk=Risk.MEDIUM,
    summary="A real-time endpoint does not capture the requests and predictions it serves.",
    fix="Add a `DataCaptureConfig` (SDK `data_capture_config=DataCaptureConfig("
    "enable_capture=True, …)`, CloudFormation/CDK `DataCaptureConfig`, Terraform "
    "`data_capture_config`) to the endpoint configuration, with a sampling percentage and "
    "an S3 destination.",
    lens_refs=_OBSERVABILITY,
    requires_manifest=False,
    preview=True,
)
def endpoint_without_data_capture(ctx: ProjectContext) -> Iterator[Violation]:
    """Model Monitor, drift analysis, ground-truth labelling and the next training set all
    start from the requests and predictions an endpoint actually served; an endpoint that
    does not capture them can be watched only by its error rate. Data capture is set on
    the endpoint configuration (or on ``.deploy()``), so the finding stands there: at
    ``EnableCapture: false`` when it is turned off, at the configuration when it is absent.

    Serverless endpoints do not support data capture and asynchronous endpoints are not
    monitored through it, so neither is reported; nor is a configuration whose variants or
    capture setting are not known (a parameter, ``**kwargs``), nor an SDK endpoint in a file
    that turns capture on later (``update_data_capture_config``). Endpoints the SDK runs in
    local mode (`instance_type="local"`, a local session, or a variable the code may set to
    either), and endpoints and configurations that the code creating them deletes further on
    (`predictor.delete_endpoint()`, a boto3 `delete_endpoint`/`delete_endpoint_config` by name,
    with the configurations only such endpoints serve), are demos' throwaways and are not
    reported; nor is an endpoint read for a configuration named for a stage before
    production (as DE003 `single-instance-endpoint` tells)."""
    updated = capture_updates(ctx.evidence)
    reported: set[str] = set()
    for serving in _realtime_endpoints(ctx.evidence):
        settings = serving.settings
        capture = settings.get("data_capture")
        if settings.anchor in reported or settings.location.path in updated:
            continue
        if capture.absent:
            problem = "has no `DataCaptureConfig`"
        elif capture.is_(False):
            problem = "turns data capture off"
        else:
            continue
        reported.add(settings.anchor)
        yield Violation(
            f"{_named(settings)} {problem}: the requests and predictions of real-time "
            "endpoint traffic are not recorded for monitoring",
            settings.where("data_capture"),
            anchor=f"{settings.anchor}:data_capture",
        )


def _declared_monitoring(ctx: ProjectContext) -> list[tuple[str, str]]:
    """The ``[monitoring]`` keys set to true, with the kind of monitoring each asks for."""
    manifest = ctx.manifest
    if manifest is None:
        return []
    return [(key, kind) for key, kind in _DECLARED.items() if manifest.get(key) is True]


@rule(
    code="MO002",
    name="missing-monitoring-schedule",
    risk=Risk.HIGH,
    summary="A real-time endpoint serves predictions and nothing monitors its data or "
    "model quality.",
    fix="Create a Model Monitor schedule for the endpoint (`DefaultModelMonitor` / "
    "`ModelQualityMonitor.create_monitoring_schedule`, `AWS::SageMaker::MonitoringSchedule`, "
    "`aws_sagemaker_monitoring_schedule`), or a scheduled drift job (a pipeline "
    "`QualityCheckStep`, Evidently, NannyML, whylogs).",
    lens_refs=(*_OBSERVABILITY, "MLOPS01-BP03"),
    requires_manifest=False,
    preview=True,
)
def missing_monitoring_schedule(ctx: ProjectContext) -> Iterator[Violation]:
    """A model in production degrades silently: the data it is sent drifts away from the
    data it learnt from, and its quality falls with nobody told. A Model Monitor schedule
    on the endpoint, or a drift job that compares live data with the training baseline,
    is how it is noticed.

    Reported at each real-time, instance-based endpoint that no monitoring schedule names when
    the project also has no drift job (a pipeline with a ``QualityCheckStep`` or
    ``MonitorBatchTransformStep``) and imports no drift or model-quality library (Evidently,
    NannyML, whylogs, alibi-detect, Deepchecks' drift checks or monitoring client, Frouros,
    TorchDrift, River's drift detectors). A schedule whose endpoint is not known, or named
    otherwise than any endpoint the project defines, counts for every endpoint. Serverless and
    asynchronous endpoints, which Model Monitor does not watch through data capture, are not
    reported. When lens.toml declares `data_drift` or `model_quality` monitoring and nothing
    monitors at all, MO005 `declared-monitoring-not-found` reports it instead, once, at the
    manifest. Endpoints the SDK runs in local mode (`instance_type="local"`, a local session, or
    a variable the code may set to either), and endpoints and configurations that the code
    creating them deletes further on (`predictor.delete_endpoint()`, a boto3
    `delete_endpoint`/`delete_endpoint_config` by name, with the configurations only such
    endpoints serve), are demos' throwaways and are not reported; nor are endpoints read for a
    configuration named for a stage before production (as DE003 `single-instance-endpoint`
    tells)."""
    found = monitors(ctx.evidence)
    if not found and _declared_monitoring(ctx):
        return
    if any(monitor.endpoint is None for monitor in found):
        return
    watched = {monitor.endpoint for monitor in found}
    reported: set[str] = set()
    for serving in _realtime_endpoints(ctx.evidence):
        shown = serving.shown
        if serving.endpoint is not None and serving.endpoint.name in watched:
            continue
        if shown.anchor in reported or (serving.endpoint is None and found):
            continue
        reported.add(shown.anchor)
        yield Violation(
            f"{_named(shown)} serves predictions in real time and nothing monitors it: no "
            "Model Monitor schedule names it, and the project has no drift job or "
            f"monitoring library ({_LIBRARIES})",
            shown.location,
            anchor=f"{shown.anchor}:monitoring",
        )


_ERRORS = frozenset({"Invocation5XXErrors", "Invocation4XXErrors", "InvocationModelErrors"})
_LATENCY = frozenset({"ModelLatency", "OverheadLatency"})
# Model Monitor's metrics: /aws/sagemaker/Endpoints/data-metrics, …/model-metrics, …
_MONITOR_NAMESPACE = re.compile(r"(?i)^/?aws/sagemaker/(endpoints?|modelmonitoring)/")


def _alarms_watching(ev: Evidence, endpoint: rm.Resource, names: set[str]) -> bool:
    """Whether an alarm may watch the endpoint's errors, latency or monitor violations."""
    for alarm in rm.resources(ev, rm.ALARM):
        target = alarm.get("endpoint")
        namespace = alarm.get("namespace")
        violations = namespace.known and _MONITOR_NAMESPACE.search(str(namespace.value))
        if target.absent and not (violations or alarm.opaque):
            continue  # an alarm on something other than an endpoint
        if target.known and target.value in names and target.value != endpoint.name:
            continue  # another endpoint's
        metric = alarm.get("metric_name")
        if not metric.known or metric.value in _ERRORS | _LATENCY or violations:
            return True
    return False


@rule(
    code="MO003",
    name="missing-endpoint-alarms",
    risk=Risk.MEDIUM,
    summary="No CloudWatch alarm watches an endpoint's errors, latency or monitoring violations.",
    fix="Add CloudWatch alarms on the endpoint's `Invocation5XXErrors` (and "
    "`Invocation4XXErrors`) and `ModelLatency` in the `AWS/SageMaker` namespace with the "
    "`EndpointName` dimension, and on Model Monitor's violation metrics, with an action "
    "that notifies the owners.",
    lens_refs=("MLOPS05-BP01", "MLCOST06-BP03", "MLPERF06-BP04"),
    requires_manifest=False,
    preview=True,
)
def missing_endpoint_alarms(ctx: ProjectContext) -> Iterator[Violation]:
    """Metrics nobody is alerted on are read after the incident. An endpoint needs an
    alarm on its errors (``Invocation5XXErrors``, ``Invocation4XXErrors``,
    ``InvocationModelErrors``), its latency (``ModelLatency``, ``OverheadLatency``) or its
    Model Monitor violations (the ``aws/sagemaker/Endpoints/…-metrics`` namespaces); this
    rule reports an endpoint that has none of them.

    An alarm counts for an endpoint when its ``EndpointName`` (or Model Monitor's ``Endpoint``)
    dimension names it, or names something the project defines no endpoint by, or cannot be
    read; an alarm whose metric cannot be read counts too. Rollback alarms in the endpoint's
    deployment configuration, and alarms created in code with boto3's ``put_metric_alarm``,
    count for every endpoint. Serverless and asynchronous endpoints are held to this too: they
    publish the same invocation metrics. Endpoints the SDK runs in local mode
    (`instance_type="local"`, a local session, or a variable the code may set to either), and
    endpoints and configurations that the code creating them deletes further on
    (`predictor.delete_endpoint()`, a boto3 `delete_endpoint`/`delete_endpoint_config` by name,
    with the configurations only such endpoints serve), are demos' throwaways and are not
    reported; nor is an endpoint read for a configuration named for a stage before
    production (as DE003 `single-instance-endpoint` tells)."""
    ev = ctx.evidence
    if alarms_in_code(ev):
        return
    endpoints = rm.resources(ev, rm.ENDPOINT)
    names = {endpoint.name for endpoint in endpoints}
    deleted = throwaways(ev)
    for endpoint in endpoints:
        if endpoint.anchor in deleted or endpoint.pre_production:
            continue
        rollback = endpoint.get("auto_rollback_alarms")
        if not rollback.falsy() or _alarms_watching(ev, endpoint, names):
            continue
        yield Violation(
            f"{_named(endpoint)} has no CloudWatch alarm on its errors "
            "(`Invocation5XXErrors`), latency (`ModelLatency`) or Model Monitor violations",
            endpoint.location,
            anchor=f"{endpoint.anchor}:alarms",
        )


_RETRAINING = "monitoring.retraining"
# Matched against the plan stripped: a `.*` followed by `\s*$` would backtrack over every
# trailing space.
_NO_RETRAINING = re.compile(r"(?i)none|no|never|(manual(ly)?|on[ -]demand)\b.*")


@rule(
    code="MO004",
    name="missing-retraining-trigger",
    risk=Risk.MEDIUM,
    summary="lens.toml plans retraining and nothing in the repository schedules or triggers it.",
    fix="Start the retraining pipeline automatically: an EventBridge rule or EventBridge "
    "Scheduler schedule targeting the SageMaker pipeline (on a schedule or on a Model "
    "Monitor alarm), a SageMaker `PipelineSchedule`, a scheduled CI workflow or an Airflow "
    'DAG schedule; or say `retraining = "manual"`.',
    lens_refs=("MLPERF06-BP05", "MLOPS02-BP05", "MLSUS06-BP02"),
)
def missing_retraining_trigger(ctx: ProjectContext) -> Iterator[Violation]:
    """A retraining plan that someone has to remember to run is not carried out when it
    matters: the model keeps serving on stale data after the drift that should have
    retrained it. The plan in ``[monitoring] retraining`` needs something that starts it.

    Accepted triggers: an EventBridge rule or Scheduler schedule with a schedule, or
    whose targets are a pipeline, a state machine or a build, or whose targets are not
    known; a SageMaker pipeline with a schedule or ``PipelineSchedule``/``put_triggers``;
    a CI definition that runs on a timer (GitHub Actions ``on: schedule``, Azure Pipelines
    ``schedules``, CircleCI scheduled workflows, Jenkins ``cron``, and a GitLab job ruled
    to scheduled pipelines, GitLab keeping the schedules themselves outside the
    repository); an Airflow DAG whose schedule is not ``None``, Dagster schedules, Prefect
    cron deployments, Kubeflow recurring runs. A plan that says retraining is manual or
    none is not reported."""
    plan = ctx.declared(_RETRAINING)
    if ctx.manifest is None or plan is None or _NO_RETRAINING.fullmatch(plan.strip()):
        return
    if retraining_triggers(ctx.evidence):
        return
    yield Violation(
        "lens.toml plans retraining but nothing in the repository schedules or triggers it "
        "(no EventBridge rule or schedule, pipeline schedule, scheduled CI workflow or "
        "scheduled DAG)",
        ctx.manifest.location(_RETRAINING),
        anchor="lens.toml:monitoring.retraining",
    )


@rule(
    code="MO005",
    name="declared-monitoring-not-found",
    risk=Risk.HIGH,
    summary="lens.toml declares data-drift or model-quality monitoring that nothing in "
    "the repository implements.",
    fix="Implement the declared monitoring: a Model Monitor schedule of that type "
    "(`DefaultModelMonitor` for data quality, `ModelQualityMonitor` for model quality), "
    "a pipeline `QualityCheckStep`, or a drift job using Evidently, NannyML or whylogs; "
    "or set the key to false until it exists.",
    lens_refs=(*_OBSERVABILITY, "MLOPS01-BP03"),
)
def declared_monitoring_not_found(ctx: ProjectContext) -> Iterator[Violation]:
    """Reviewers and auditors read the manifest: monitoring it declares but nothing
    implements means drift or falling quality goes unseen while everyone believes it is
    watched. Each of ``data_drift = true`` and ``model_quality = true`` is reported at its
    key when the repository has nothing of that kind: a monitoring schedule of that type
    (or of a type that cannot be read), a drift-check pipeline step, or a library that
    does it (Evidently, NannyML, whylogs and Deepchecks' monitoring client do both;
    alibi-detect, Deepchecks' drift checks, Frouros, TorchDrift and River's drift
    detectors do data drift). This rule is about the manifest's promise; MO002
    `missing-monitoring-schedule` is about each endpoint, and stays silent when this rule
    already reports that nothing monitors at all."""
    manifest = ctx.manifest
    if manifest is None:
        return
    found = monitors(ctx.evidence)
    for key, kind in _declared_monitoring(ctx):
        if any(kind in monitor.kinds for monitor in found):
            continue
        label = "data drift" if kind == DATA_QUALITY else "model quality"
        yield Violation(
            f"lens.toml declares {label} monitoring (`{key.rpartition('.')[2]} = true`) but "
            f"nothing in the repository monitors {label}: no {kind} monitoring schedule, "
            f"drift-check step or monitoring library",
            manifest.location(key),
            anchor=f"lens.toml:{key}",
        )
