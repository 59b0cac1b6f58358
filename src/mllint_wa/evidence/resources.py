"""One model of the AWS resources a project defines, whatever defines them.

SageMaker SDK calls, CloudFormation/SAM templates, Terraform and CDK apps are each read by an
extractor into :class:`Resource` records in one vocabulary (resource kinds below, property
names in :data:`PROPERTIES`), so that every infrastructure rule is written once, against this
model, instead of once per source.

Each property is a :class:`Value` that is **known** (a literal; also a CloudFormation
parameter's or Terraform variable's declared default), **unknown** (a parameter without a
default, a variable, a condition, an expression, ``**kwargs``) or **absent** (not set).
Rules fire on absent or known-bad values only: an unknown value is never a finding.

Extractors register themselves in :data:`EXTRACTORS` (source name → function taking an
:class:`~mllint_wa.evidence.Evidence` and yielding resources) and run on first use, once per
run; :func:`resources` returns everything, sorted by location.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import field
from types import TracebackType
from typing import Any, Generic, TypeVar

from mllint_wa.evidence import Evidence
from mllint_wa.evidence import kinds as file_kinds
from mllint_wa.model import Location
from mllint_wa.records import dataclass

T = TypeVar("T")

# Resource kinds -----------------------------------------------------------------------------
TRAINING_JOB = "training-job"  # Estimator, AWS::SageMaker::TrainingJob-like definitions
PROCESSING_JOB = "processing-job"
TUNING_JOB = "tuning-job"
TRANSFORM_JOB = "transform-job"  # batch transform: not an endpoint
MODEL = "model"
MODEL_PACKAGE_GROUP = "model-package-group"  # the model registry
MODEL_PACKAGE = "model-package"
ENDPOINT_CONFIG = "endpoint-config"
ENDPOINT = "endpoint"
NOTEBOOK_INSTANCE = "notebook-instance"
NOTEBOOK_LIFECYCLE = "notebook-lifecycle-config"
STUDIO_DOMAIN = "studio-domain"
MONITORING_SCHEDULE = "monitoring-schedule"
# A Model Monitor job definition of its own (data or model quality, bias, explainability),
# which schedules name; a schedule's inline definition is read into the schedule.
MONITORING_JOB = "monitoring-job"
PIPELINE = "pipeline"
IAM_ROLE = "iam-role"
IAM_POLICY = "iam-policy"
BUCKET = "bucket"
SCALING_TARGET = "scaling-target"
SCALING_POLICY = "scaling-policy"
ALARM = "alarm"
LOG_GROUP = "log-group"
EVENT_RULE = "event-rule"  # EventBridge rule or schedule
KMS_KEY = "kms-key"
BUDGET = "budget"

# What makes a project a deployed one, for stage gating.
DEPLOYMENT_KINDS = (ENDPOINT, ENDPOINT_CONFIG, TRANSFORM_JOB)
# Bytes one of a source's files must hold for the source to define one of DEPLOYMENT_KINDS:
# SDK deploy and transformer calls and boto3 requests; CloudFormation endpoint types, and
# the nested stacks that may hold them; CDK endpoint constructs, in Python or TypeScript (or
# a CfnResource of the type); Terraform endpoint resources, and module calls (a module named
# for an endpoint).
# A source not listed (a plugin's) is always read.
DEPLOYMENT_NEEDLES: dict[str, tuple[bytes, ...]] = {
    "cdk": (b"CfnEndpoint", b"AWS::SageMaker::Endpoint"),
    "cdk-typescript": (b"CfnEndpoint", b"AWS::SageMaker::Endpoint"),
    "cloudformation": (
        b"AWS::SageMaker::Endpoint",
        b"AWS::CloudFormation::Stack",
        b"AWS::Serverless::Application",
    ),
    "sdk": (b"deploy", b"ransform", b"ndpoint"),
    "terraform": (b"aws_sagemaker_endpoint", b"module"),
}

# Property vocabulary, by kind. Extractors set only these names; the comment says the value's
# shape when known. A property an extractor cannot express for a source is left absent only
# when the source really cannot set it; otherwise it is unknown.
PROPERTIES: Mapping[str, Mapping[str, str]] = {
    TRAINING_JOB: {
        "instance_type": "str, e.g. ml.m5.xlarge",
        "instance_count": "int",
        "network_isolation": "bool",
        "vpc": "bool: subnets and security groups are set",
        "volume_kms_key": "str: KMS key for the ML storage volume",
        "output_kms_key": "str: KMS key for the output",
        "inter_container_encryption": "bool",
        "max_runtime": "int seconds (StoppingCondition.MaxRuntimeInSeconds / max_run)",
        "use_spot": "bool",
        "max_wait": "int seconds",
        "checkpoint_uri": "str: S3 checkpoint location",
        "tags": "dict[str, str]",
        "role": "str",
        "image": "str: the container image URI",
        "aws_container": "str: the container AWS provides that the image is, by its "
        "`sagemaker.image_uris.retrieve` name (xgboost, kmeans …)",
        "own_code": "bool: a script of the project's is run in it (entry_point, source_dir)",
        "local_mode": "bool: the SDK runs it in local mode (a LocalSession or "
        "LocalPipelineSession is its sagemaker_session)",
    },
    PROCESSING_JOB: {
        "instance_type": "str",
        "instance_count": "int",
        "network_isolation": "bool",
        "vpc": "bool",
        "volume_kms_key": "str",
        "output_kms_key": "str",
        "inter_container_encryption": "bool",
        "max_runtime": "int seconds",
        "tags": "dict[str, str]",
        "role": "str",
        "image": "str",
        "aws_container": "str: as for training jobs (model-monitor, clarify, data-wrangler …)",
        "local_mode": "bool: the SDK runs it in local mode (a LocalSession or "
        "LocalPipelineSession is its sagemaker_session)",
    },
    TUNING_JOB: {
        "strategy": "str: Bayesian | Random | Hyperband | Grid",
        "early_stopping": "str: Auto | Off",
        "max_jobs": "int",
        "max_parallel_jobs": "int",
        "warm_start": "bool",
        "training_job": "str: name of the training-job resource it tunes",
    },
    TRANSFORM_JOB: {
        "instance_type": "str",
        "instance_count": "int",
        "kms_key": "str",
        "model": "str: name of the SDK model resource it runs",
        "local_mode": "bool: the SDK runs it in local mode (a LocalSession or "
        "LocalPipelineSession is its sagemaker_session)",
    },
    MODEL: {
        "network_isolation": "bool",
        "vpc": "bool",
        "image": "str",
        "aws_container": "str: as for training jobs (xgboost, kmeans …)",
        "own_code": "bool: a script of the project's is served (entry_point, source_dir, "
        "SAGEMAKER_PROGRAM)",
        "model_package": "str: a registry model package (ARN or name)",
        "role": "str",
        "tags": "dict[str, str]",
        "local_mode": "bool: the SDK runs it in local mode (a LocalSession or "
        "LocalPipelineSession is its sagemaker_session)",
    },
    MODEL_PACKAGE_GROUP: {"tags": "dict[str, str]"},
    MODEL_PACKAGE: {"approval_status": "str: Approved | PendingManualApproval | Rejected"},
    ENDPOINT_CONFIG: {
        "kms_key": "str",
        # list of dicts: variant_name, model, instance_type, instance_count (int),
        # serverless (bool), managed_scaling (bool: ManagedInstanceScaling written), each a Value
        "variants": "list[dict[str, Value]]",
        "data_capture": "bool: DataCaptureConfig enabled",
        "async_inference": "bool",
        "tags": "dict[str, str]",
    },
    ENDPOINT: {
        "endpoint_config": "str: name of the endpoint-config resource",
        "blue_green": "bool: DeploymentConfig BlueGreenUpdatePolicy present",
        "traffic_routing": "str: ALL_AT_ONCE | CANARY | LINEAR",
        "rolling_update": "bool: RollingUpdatePolicy present",
        "auto_rollback_alarms": "list[str]: alarm names",
        "tags": "dict[str, str]",
        # SDK .deploy(): the variant's settings live on the endpoint itself
        "instance_type": "str",
        "instance_count": "int",
        "serverless": "bool",
        "async_inference": "bool",
        "data_capture": "bool",
        "kms_key": "str",
        "model_package": "str: deployed from a registry model package",
        "model": "str: name of the SDK model resource deployed",
        "local_mode": "bool: the SDK runs it in local mode (a LocalSession or "
        "LocalPipelineSession is its sagemaker_session)",
    },
    NOTEBOOK_INSTANCE: {
        "instance_type": "str",
        "direct_internet_access": "bool",
        "root_access": "bool",
        "kms_key": "str",
        "imds_version": "str: the minimum instance metadata service version, 1 | 2",
        "lifecycle_config": "str: name of the notebook-lifecycle-config resource",
        "vpc": "bool",
        "tags": "dict[str, str]",
    },
    NOTEBOOK_LIFECYCLE: {"auto_stop": "bool: the on-start script stops an idle instance"},
    STUDIO_DOMAIN: {"app_network_access": "str: PublicInternetOnly | VpcOnly", "kms_key": "str"},
    MONITORING_SCHEDULE: {
        "monitor_type": "str: data-quality | model-quality | model-bias | model-explainability",
        "endpoint": "str: name of the endpoint resource monitored",
        "schedule": "str: cron expression",
        # the inline job definition's, absent when the schedule names a definition
        "instance_count": "int",
        "inter_container_encryption": "bool",
    },
    MONITORING_JOB: {"instance_count": "int", "inter_container_encryption": "bool"},
    PIPELINE: {
        "steps": "list[str]: step kinds, e.g. training, processing, register-model, condition, "
        "quality-check, clarify-check",
        "schedule": "str: a schedule that starts it",
        "local_mode": "bool: the SDK runs it in local mode (a LocalSession or "
        "LocalPipelineSession is its sagemaker_session)",
    },
    IAM_ROLE: {
        "assumed_by": "list[str]: service principals, e.g. sagemaker.amazonaws.com",
        "managed_policies": "list[str]: ARNs or names of attached managed policies",
        # list of dicts: effect (str), actions (list[str]), resources (list[str]), each a Value
        "statements": "list[dict[str, Value]]",
    },
    IAM_POLICY: {
        "statements": "list[dict[str, Value]]",
        "attached_to": "list[str]: role resource names",
    },
    BUCKET: {
        "encryption": "str: AES256 | aws:kms",
        "public_access_block": "bool: all four settings on",
        "versioning": "bool",
        "lifecycle_rules": "bool: at least one enabled rule",
        "tags": "dict[str, str]",
    },
    SCALING_TARGET: {
        "resource_id": "str: endpoint/<name>/variant/<variant>",
        "endpoint": "str: name of the endpoint resource",
        "min_capacity": "int",
        "max_capacity": "int",
    },
    SCALING_POLICY: {"target": "str: name of the scaling-target resource"},
    ALARM: {
        "namespace": "str, e.g. AWS/SageMaker",
        "metric_name": "str",
        "endpoint": "str: the EndpointName dimension",
    },
    LOG_GROUP: {"retention_days": "int"},
    EVENT_RULE: {"schedule": "str", "targets": "list[str]"},
    KMS_KEY: {"rotation": "bool"},
    BUDGET: {},
}


# What an on-start script that stops an idle notebook instance says: AWS's `autostop.py`
# sample, an IDLE_TIME setting, an "auto-stop" step.
_AUTO_STOP = re.compile(r"auto[-_ ]?stop|idle[-_ ]?time", re.IGNORECASE)


def stops_when_idle(script: str) -> bool:
    """Whether a notebook lifecycle script installs an idle auto-stop; every extractor asks
    this one question, so that the sources agree on what counts."""
    return _AUTO_STOP.search(script) is not None


# Words of a configuration's name that name a stage before production.
_PRE_PRODUCTION = frozenset(
    {"dev", "develop", "development", "test", "testing", "staging", "stage", "stg", "qa",
     "uat", "sandbox", "demo", "preprod", "beta"}
)  # fmt: skip
_WORDS = re.compile(r"[^a-z0-9]+")


class State(str, enum.Enum):
    KNOWN = "known"
    UNKNOWN = "unknown"
    ABSENT = "absent"


@dataclass(frozen=True)
class Value:
    """A property's value with where it is written. ``written`` is the source text of an
    unknown value (``!Ref KmsKeyId``, ``var.kms_key``, ``kwargs``), for messages."""

    state: State
    value: Any = None
    location: Location | None = None
    written: str = ""

    @property
    def known(self) -> bool:
        return self.state is State.KNOWN

    @property
    def absent(self) -> bool:
        return self.state is State.ABSENT

    @property
    def unknown(self) -> bool:
        return self.state is State.UNKNOWN

    def is_(self, expected: object) -> bool:
        """Known and equal to ``expected``."""
        return self.known and self.value == expected

    def falsy(self) -> bool:
        """Absent, or known and false/empty/zero: what "not set" rules fire on."""
        return self.absent or (self.known and not self.value)


ABSENT = Value(State.ABSENT)


def known(value: object, location: Location | None = None) -> Value:
    return Value(State.KNOWN, value, location)


def unknown(written: str, location: Location | None = None) -> Value:
    return Value(State.UNKNOWN, None, location, written)


@dataclass(frozen=True)
class Resource:
    """One resource: its kind, the name a user knows it by (a logical ID, a Terraform address,
    the SDK call and variable), where it is defined, and its properties."""

    kind: str
    name: str
    source: str  # "sdk" | "cloudformation" | "terraform" | "cdk"
    location: Location
    properties: Mapping[str, Value] = field(default_factory=dict)
    # The source's own type: AWS::SageMaker::Endpoint, aws_sagemaker_endpoint, Estimator …
    type: str = ""
    # The whole definition could not be read (a **kwargs constructor, a module call):
    # rules about missing properties must stay silent.
    opaque: bool = False
    # A template deployed several ways is read once per way its values differ: the
    # configuration this copy was read for (``staging-config.json``), "" for the others.
    configuration: str = ""

    def get(self, name: str) -> Value:
        return self.properties.get(name, ABSENT)

    def where(self, name: str) -> Location:
        """The property's location when it is written, else the resource's."""
        value = self.properties.get(name)
        return value.location if value is not None and value.location else self.location

    @property
    def pre_production(self) -> bool:
        """Read for a configuration whose name says it deploys a stage before production
        (``staging-config.json``, ``deploy-dev.sh:4``): rules about what production needs
        do not ask it."""
        words = _WORDS.split(self.configuration.lower())
        return any(word in _PRE_PRODUCTION for word in words)

    @property
    def anchor(self) -> str:
        """A stable identity for fingerprints: path, kind and name, no line."""
        return f"{self.location.path}:{self.kind}:{self.name}"


Extractor = Callable[[Evidence], Iterable[Resource]]

# Source name → "module:function". Imported only when resources are first asked for, so a run
# whose rules read no infrastructure imports none of the extractors.
EXTRACTORS: dict[str, str] = {
    "cdk": "mllint_wa.evidence.cdk_resources:extract",
    "cdk-typescript": "mllint_wa.evidence.cdk_typescript:extract",
    "cloudformation": "mllint_wa.evidence.cfn_resources:extract",
    "sdk": "mllint_wa.evidence.sdk_resources:sdk_resources",
    "terraform": "mllint_wa.evidence.tf_resources:extract",
}
# The file kinds each source is read from: a source none of whose kinds the project has is
# not even imported (a repository without `.tf` files never loads the HCL parser, one without
# `.ts` files never loads tree-sitter). A source
# not listed here (a plugin's) always runs.
SOURCE_KINDS: dict[str, tuple[str, ...]] = {
    "cdk": (file_kinds.PYTHON,),
    "cdk-typescript": (file_kinds.TYPESCRIPT,),
    "cloudformation": (file_kinds.YAML, file_kinds.JSON, file_kinds.CLOUDFORMATION),
    "sdk": (file_kinds.PYTHON, file_kinds.NOTEBOOK),
    "terraform": (file_kinds.TERRAFORM,),
}


def resources(ev: Evidence, *kinds: str) -> tuple[Resource, ...]:
    """Every resource the project defines (of ``kinds``, when given), sorted by location."""
    everything: tuple[Resource, ...] = ev.memo(resources, lambda: _extract_all(ev))
    if len(kinds) == 1:
        return _index(ev, everything).by_kind.get(kinds[0], ())
    if not kinds:
        return everything
    return tuple(r for r in everything if r.kind in kinds)


def named_resources(ev: Evidence, kind: str, name: str) -> tuple[Resource, ...]:
    """The resources of ``kind`` named ``name``, sorted by location: one look-up, however
    many resources the project defines and however many rules ask."""
    return _index(ev, resources(ev)).by_name.get((kind, name), ())


@dataclass(frozen=True)
class _Index:
    by_kind: Mapping[str, tuple[Resource, ...]]
    by_name: Mapping[tuple[str, str], tuple[Resource, ...]]


def _index(ev: Evidence, everything: tuple[Resource, ...]) -> _Index:
    def build() -> _Index:
        by_kind: dict[str, list[Resource]] = {}
        by_name: dict[tuple[str, str], list[Resource]] = {}
        for resource in everything:
            by_kind.setdefault(resource.kind, []).append(resource)
            by_name.setdefault((resource.kind, resource.name), []).append(resource)
        return _Index(
            {kind: tuple(found) for kind, found in by_kind.items()},
            {key: tuple(found) for key, found in by_name.items()},
        )

    return ev.memo(_index, build)


def defines_deployment(ev: Evidence) -> bool:
    """Whether the project defines any of :data:`DEPLOYMENT_KINDS`: what
    ``resources(ev, *DEPLOYMENT_KINDS)`` says, for less. A source none of whose files holds
    one of its :data:`DEPLOYMENT_NEEDLES` is not read, and the others are read only until
    the first deployment shows (SDK code a module at a time); what was read is kept for
    :func:`resources`."""
    for source in _present_sources(ev):
        needles = DEPLOYMENT_NEEDLES.get(source)
        read_from = SOURCE_KINDS.get(source, ())
        if needles is not None and not any(
            ev.mentions(path, *needles) for path in ev.files(*read_from)
        ):
            continue
        if any(r.kind in DEPLOYMENT_KINDS for r in _source_resources(ev, source)):
            return True
    return False


def _extract_all(ev: Evidence) -> tuple[Resource, ...]:
    found = [r for source in _present_sources(ev) for r in _source_resources(ev, source)]
    return tuple(sorted(found, key=lambda r: (r.location, r.kind, r.name)))


def _present_sources(ev: Evidence) -> list[str]:
    """The sources that may define something: a source none of whose file kinds the
    project has is not even imported (a repository without `.tf` files never loads the
    HCL parser)."""
    return [
        source
        for source in sorted(EXTRACTORS)
        if SOURCE_KINDS.get(source) is None or ev.files(*SOURCE_KINDS[source])
    ]


def _source_resources(ev: Evidence, source: str) -> Iterator[Resource]:
    """One source's resources, extracted once per run as far as they are read. An
    extractor that fails (at import, at its call or half-way through) fails once: each
    later reader is given the same error, and the extractor is not run again."""
    return iter(ev.memo((_source_resources, source), lambda: _Replayed(_extract(ev, source))))


def _extract(ev: Evidence, source: str) -> Iterator[Resource]:
    module_name, _, function = EXTRACTORS[source].partition(":")
    extract: Extractor = getattr(importlib.import_module(module_name), function)
    yield from extract(ev)


class _Replayed(Generic[T]):
    """An iterable's items, produced once, as far as a reader asks, and replayed to every
    later reader; an error that stopped it is raised again to each reader that gets there,
    so that nobody takes what was produced before it for the whole. Each is given the
    error with where it was first raised, not with every earlier reader's stack as well."""

    def __init__(self, items: Iterable[T]) -> None:
        self._items = iter(items)
        self._produced: list[T] = []
        self._error: BaseException | None = None
        self._traceback: TracebackType | None = None
        self._done = False

    def __iter__(self) -> Iterator[T]:
        index = 0
        while index < len(self._produced) or self._produce():
            yield self._produced[index]
            index += 1

    def _produce(self) -> bool:
        """Produce one more item; False at the end."""
        if self._error is not None:
            raise self._error.with_traceback(self._traceback)
        if self._done:
            return False
        try:
            self._produced.append(next(self._items))
        except StopIteration:
            self._done = True
            return False
        except BaseException as error:
            self._error, self._traceback = error, error.__traceback__
            raise
        return True


def by_name(ev: Evidence, kind: str, name: str) -> Resource | None:
    """The resource of ``kind`` the given name refers to (a logical ID, a Terraform address
    or its `name` attribute, an SDK variable)."""
    found = named_resources(ev, kind, name)
    return found[0] if found else None


def merged_tags(own: Value, added: Value) -> Value:
    """Tags applied to a resource from outside it (its stack, its app, the pipeline that
    runs it) merged into its own: its own win on a shared key; unknown on either side makes
    them unknown."""
    if own.unknown or added.absent:
        return own
    if added.unknown or own.absent:
        return added
    return known({**added.value, **own.value}, own.location or added.location)


def with_tags(resource: Resource, added: Value) -> Resource:
    """The resource with tags applied from outside it merged into its own."""
    if added.absent or "tags" not in PROPERTIES[resource.kind]:
        return resource
    tags = merged_tags(resource.get("tags"), added)
    return dataclasses.replace(resource, properties={**resource.properties, "tags": tags})


def iter_properties(resource: Resource) -> Iterator[tuple[str, Value]]:
    return iter(sorted(resource.properties.items()))
