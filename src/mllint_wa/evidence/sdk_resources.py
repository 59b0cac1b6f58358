"""SageMaker resources defined in Python: SageMaker Python SDK calls and boto3 clients.

Read from the project's Python files and notebooks (test code left out) that mention
``sagemaker``, through the import resolver, so ``from sagemaker.pytorch import PyTorch as PT``
is found as ``PT(...)``. A class is recognised by its last name under the ``sagemaker``
package, whatever module path the SDK version puts it in (v2's ``sagemaker.estimator``, v3's
``sagemaker.core`` / ``sagemaker.train``).

* Estimators (``Estimator``, the framework estimators, ``sagemaker.amazon`` algorithms, v3's
  ``ModelTrainer`` with its ``Compute``/``Networking``/``StoppingCondition`` objects) →
  training jobs; ``Processor``s → processing jobs; ``Model``s and ``ModelPackage`` → models;
  ``.deploy()`` on any of them (or on an object built from one) → an endpoint that carries
  its variant's settings; ``Transformer`` and ``.transformer()`` → transform jobs;
  ``HyperparameterTuner`` → tuning jobs; ``create_monitoring_schedule`` on a Model Monitor →
  monitoring schedules; ``Pipeline(steps=…)`` → pipelines; ``.register()`` and
  ``RegisterModel`` → model packages (and their group).
* boto3 ``create_*`` calls (and ``update_endpoint``) on a ``sagemaker`` client → the same
  kinds, from the API's PascalCase request (a request dict passed as ``**request`` is
  followed).

Values are followed by the project's Python resolver (:mod:`mllint_wa.evidence.python_values`
and :mod:`mllint_wa.evidence.python_flow`): names, dicts, strings, configuration files and
the project's own functions. A resource built inside a function the project calls is read
once per call, with that call's arguments, when the calls give it different values (see
:meth:`_File.per_call`). Settings made after construction (``est.enable_network_isolation =
True``) override the constructor's.
A ``**kwargs`` that cannot be followed makes the resource opaque and every property it did
not set unknown.

Names: what the resource is assigned to (``estimator``); for endpoints, pipelines and boto3
resources the AWS name when it is a literal (``endpoint_name="churn"``), because alarms,
scaling targets and schedules elsewhere refer to them by it; otherwise the call's text
(``PyTorch(…)``), numbered ``#2``, ``#3`` … when it repeats in the file, so that names do not
move with line numbers. Calls in one file that create or update an endpoint of one literal
name (a redeploy, boto3 ``update_endpoint``) are one endpoint, as the last of them leaves it.

A job run by a step of a pipeline the module creates with tags (``pipeline.upsert(tags=…)``)
carries the pipeline's tags; a job, model or endpoint given a ``LocalSession`` or
``LocalPipelineSession`` (or made from an object that is) runs in local mode.

SDK defaults are not filled in: an argument left out is absent. Each default a rule could
need is either "off" (network isolation, spot, inter-container encryption, data capture:
absent is falsy, as the default is), or not a constant the SDK fixes (instance counts are
required arguments in v2; a tuner's strategy defaults to Bayesian, which no rule faults).
A model's tags are unknown unless its constructor gives them: the SDK tags the model it
creates with what ``deploy()``, ``create()`` or ``transformer()`` is given.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import field, replace

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.code import modules
from mllint_wa.evidence.jobs import AMAZON_ALGORITHMS, aws_image
from mllint_wa.evidence.python_flow import flow
from mllint_wa.evidence.python_values import Context, Val, Values, written
from mllint_wa.model import Location
from mllint_wa.parsers.python_code import PythonModule
from mllint_wa.records import dataclass

SOURCE = "sdk"
Path = tuple[str | int, ...]

# Classes, by the last part of their qualified name under ``sagemaker``.
_ESTIMATORS = frozenset(
    {
        "Estimator",
        "EstimatorBase",
        "Framework",
        "PyTorch",
        "TensorFlow",
        "SKLearn",
        "XGBoost",
        "HuggingFace",
        "MXNet",
        "Chainer",
        "RLEstimator",
        "AlgorithmEstimator",
        "JumpStartEstimator",
        "ModelTrainer",
        *AMAZON_ALGORITHMS,
    }
)
_MODELS = frozenset(
    {
        "Model",
        "FrameworkModel",
        "PyTorchModel",
        "TensorFlowModel",
        "SKLearnModel",
        "XGBoostModel",
        "HuggingFaceModel",
        "MXNetModel",
        "ChainerModel",
        "SparkMLModel",
        "MultiDataModel",
        "PipelineModel",
        "JumpStartModel",
        "DJLModel",
        "ModelPackage",
        "ModelBuilder",
    }
)
_TUNERS = frozenset({"HyperparameterTuner"})
_TRANSFORMERS = frozenset({"Transformer"})
_PIPELINES = frozenset({"Pipeline"})
_REGISTER_STEPS = frozenset({"RegisterModel"})
_MODEL_PACKAGE_GROUPS = frozenset({"ModelPackageGroup"})
_MONITORS = {
    "DefaultModelMonitor": "data-quality",
    "ModelQualityMonitor": "model-quality",
    "ModelBiasMonitor": "model-bias",
    "ModelExplainabilityMonitor": "model-explainability",
}
# Pipeline step classes → the step kinds a pipeline resource lists.
_STEPS = {
    "TrainingStep": "training",
    "ProcessingStep": "processing",
    "ModelStep": "model",
    "CreateModelStep": "create-model",
    "RegisterModel": "register-model",
    "ConditionStep": "condition",
    "QualityCheckStep": "quality-check",
    "ClarifyCheckStep": "clarify-check",
    "TuningStep": "tuning",
    "TransformStep": "transform",
    "LambdaStep": "lambda",
    "CallbackStep": "callback",
    "FailStep": "fail",
    "EMRStep": "emr",
    "AutoMLStep": "automl",
    "NotebookJobStep": "notebook-job",
    "MonitorBatchTransformStep": "monitor-batch-transform",
}
# Leading positional parameters, by class or method, where the SDK's signature has them.
_POSITIONAL: Mapping[str, tuple[str, ...]] = {
    "Estimator": ("image_uri", "role", "instance_count", "instance_type"),
    "EstimatorBase": ("role", "instance_count", "instance_type"),
    "AlgorithmEstimator": ("algorithm_arn", "role", "instance_count", "instance_type"),
    **dict.fromkeys(AMAZON_ALGORITHMS, ("role", "instance_count", "instance_type")),
    "Processor": ("role", "image_uri", "instance_count", "instance_type"),
    **dict.fromkeys(_MONITORS, ("role", "instance_count", "instance_type")),
    "ModelMonitor": ("role", "image_uri", "instance_count", "instance_type"),
    "ScriptProcessor": ("role", "image_uri", "command", "instance_count", "instance_type"),
    "SKLearnProcessor": ("framework_version", "role", "instance_type", "instance_count"),
    "PySparkProcessor": ("role", "instance_type", "instance_count"),
    "SparkJarProcessor": ("role", "instance_type", "instance_count"),
    "FrameworkProcessor": (
        "estimator_cls",
        "framework_version",
        "role",
        "instance_count",
        "instance_type",
    ),
    "Model": ("image_uri", "model_data", "role"),
    "ModelPackage": ("role", "model_data", "algorithm_arn", "model_package_arn"),
    "Transformer": ("model_name", "instance_count", "instance_type"),
    "HyperparameterTuner": (
        "estimator",
        "objective_metric_name",
        "hyperparameter_ranges",
        "metric_definitions",
        "strategy",
        "objective_type",
        "max_jobs",
        "max_parallel_jobs",
    ),
    "deploy": ("initial_instance_count", "instance_type"),
    "transformer": ("instance_count", "instance_type"),
    "DataCaptureConfig": ("enable_capture", "sampling_percentage", "destination_s3_uri"),
    "NetworkConfig": (
        "enable_network_isolation",
        "security_group_ids",
        "subnets",
        "encrypt_inter_container_traffic",
    ),
    "EndpointInput": ("endpoint_name",),
    "WarmStartConfig": ("warm_start_type", "parents"),
}
# Sessions that run jobs, models and pipelines in local mode, on the developer's machine.
_LOCAL_SESSIONS = frozenset({"LocalSession", "LocalPipelineSession"})
_LOCAL_TRAINING_MODE = "LOCAL_CONTAINER"
# ``.deploy()`` keywords no other library's ``deploy`` takes: with one of them, a deploy on
# an object this reading cannot trace (``self.model``) is still a SageMaker endpoint.
_SAGEMAKER_DEPLOY_KEYWORDS = frozenset(
    {
        "initial_instance_count",
        "serverless_inference_config",
        "async_inference_config",
        "data_capture_config",
    }
)
# Model Monitor's CronExpressionGenerator methods that return a constant.
_CRON = {"hourly": "cron(0 * ? * * *)", "daily": "cron(0 0 ? * * *)", "now": "NOW"}
_MONITORING_TYPES = {
    "DataQuality": "data-quality",
    "ModelQuality": "model-quality",
    "ModelBias": "model-bias",
    "ModelExplainability": "model-explainability",
}


# Property readers ----------------------------------------------------------------------------


@dataclass
class _Args:
    """A call's arguments by name (keywords, named positionals, a followed ``**dict`` and
    later ``obj.attr = …`` settings), and the ``**kwargs`` that could not be followed."""

    values: dict[str, Val]
    opaque: ast.AST | None = None


Reader = Callable[["_File", _Args], rm.Value | None]


def _typed(*types: type) -> Callable[[object], bool]:
    def accepts(value: object) -> bool:
        if isinstance(value, bool) and bool not in types:
            return False
        return isinstance(value, types)

    return accepts


_STR = _typed(str)
_INT = _typed(int)
_BOOL = _typed(bool)
_NUMBER = _typed(int, float)


def _scalar(accepts: Callable[[object], bool], *paths: Path) -> Reader:
    """The first path that is set, its value when it has the accepted type (or is None)."""

    def read(file: _File, args: _Args) -> rm.Value | None:
        found = file.first(args, paths)
        if found is None:
            return None
        return file.convert(found, lambda v: v if v is None or accepts(v) else ...)

    return read


def _present(*paths: Path) -> Reader:
    """True when a configuration object is given, False for an explicit None."""

    def read(file: _File, args: _Args) -> rm.Value | None:
        found = file.first(args, paths)
        if found is None:
            return None
        if found.known and (found.call is not None or isinstance(found.value, (dict, list))):
            return rm.known(True, file.where(found))
        return file.convert(found, lambda v: False if v is None else ...)

    return read


def _enabled(*paths: Path) -> Reader:
    """The API's "Enabled" / "Disabled" as a bool."""
    states = {"Enabled": True, "Disabled": False}
    return _mapped(states, *paths)


def _mapped(table: Mapping[str, object], *paths: Path) -> Reader:
    def read(file: _File, args: _Args) -> rm.Value | None:
        found = file.first(args, paths)
        if found is None:
            return None
        return file.convert(found, lambda v: table.get(v, ...) if isinstance(v, str) else ...)

    return read


def _tags(*paths: Path) -> Reader:
    """``[{"Key": k, "Value": v}, …]`` or ``{k: v}`` as a dict."""

    def read(file: _File, args: _Args) -> rm.Value | None:
        found = file.first(args, paths)
        if found is None:
            return None
        return file.convert(found, _tag_dict)

    return read


def _tags_given_later(written: str) -> Reader:
    """Tags of an object the SDK creates in AWS later, by a method that takes them (a v2
    ``Model`` has no ``tags`` argument; ``deploy(tags=…)`` tags the model it creates):
    unknown from the constructor alone."""
    read_now = _tags(("tags",))

    def read(file: _File, args: _Args) -> rm.Value | None:
        return read_now(file, args) or rm.unknown(written)

    return read


def _tag_dict(value: object) -> object:
    if value is None:
        return {}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return value
    if isinstance(value, list):
        tags: dict[str, str] = {}
        for tag in value:
            if not isinstance(tag, dict):
                return ...
            key, text = tag.get("Key", tag.get("key")), tag.get("Value", tag.get("value"))
            if not (isinstance(key, str) and isinstance(text, str)):
                return ...
            tags[key] = text
        return tags
    return ...


def _given(*paths: Path) -> Reader:
    """True when an argument is given (whatever its value, unless it is None)."""

    def read(file: _File, args: _Args) -> rm.Value | None:
        found = file.first(args, paths)
        if found is None:
            return None
        return rm.known(not (found.known and found.value is None), file.where(found))

    return read


# ``image_uris.retrieve(framework, …)`` and the v1 SDK's ``get_image_uri(region, repo_name)``:
# where the name of an image AWS provides is the first or the second argument.
_IMAGE_LOOKUPS = {"retrieve": (0, "framework"), "get_image_uri": (1, "repo_name")}


def _aws_container(*paths: Path) -> Reader:
    """The container AWS provides that the job's image is, by its ``image_uris`` name:
    from an ``image_uris.retrieve(...)`` call or a literal ECR image URI; None for
    another image."""

    def read(file: _File, args: _Args) -> rm.Value | None:
        found = file.first(args, paths)
        if found is None:
            return None
        where = file.where(found)
        call = found.call
        if call is None:
            plain = found.plain()
            if not isinstance(plain, str):
                return rm.unknown(found.written, where) if plain is ... else None
            name = aws_image(plain)
            return rm.known(name, where) if name is not None else None
        home = found.home if found.home is not None else file.values
        qualified = home.module.qualified_name(call.func) or ""
        lookup = _IMAGE_LOOKUPS.get(qualified.rpartition(".")[2])
        if not qualified.startswith("sagemaker.") or lookup is None:
            return None
        index, keyword = lookup
        argument = next((k.value for k in call.keywords if k.arg == keyword), None)
        if argument is None and len(call.args) > index:
            argument = call.args[index]
        given = home.value(argument, context=found.context) if argument is not None else None
        framework = given.plain() if given is not None else ...
        if not isinstance(framework, str):
            return rm.unknown(written(call), where)
        return rm.known(framework, where)

    return read


def _vpc(*pairs: tuple[Path, Path]) -> Reader:
    """Whether both subnets and security groups are given (non-empty)."""

    def read(file: _File, args: _Args) -> rm.Value | None:
        for subnets_path, groups_path in pairs:
            subnets, groups = file.dig(args, subnets_path), file.dig(args, groups_path)
            if subnets is None and groups is None:
                continue
            where = file.where(subnets or groups)  # type: ignore[arg-type]
            parts = [p for p in (subnets, groups) if p is not None]
            plain = [p.plain() for p in parts]
            if len(parts) == 2 and all(v is not ... for v in plain):
                return rm.known(all(bool(v) for v in plain), where)
            if any(v is not ... and not v for v in plain):
                return rm.known(False, where)
            if len(parts) == 1:
                return rm.known(False, where)
            unknown = next(p for p, v in zip(parts, plain, strict=True) if v is ...)
            return rm.unknown(unknown.written, where)
        return None

    return read


def _link(kind: str, *paths: Path) -> Reader:
    """The name of another resource this one refers to (an object built in this module,
    or a literal name)."""

    def read(file: _File, args: _Args) -> rm.Value | None:
        found = file.first(args, paths)
        if found is None:
            return None
        return file.link(found, kind)

    return read


_TRAINING: Mapping[str, Reader] = {
    "instance_type": _scalar(
        _STR, ("instance_type",), ("train_instance_type",), ("compute", "instance_type")
    ),
    "instance_count": _scalar(
        _INT, ("instance_count",), ("train_instance_count",), ("compute", "instance_count")
    ),
    "network_isolation": _scalar(
        _BOOL, ("enable_network_isolation",), ("networking", "enable_network_isolation")
    ),
    "vpc": _vpc(
        (("subnets",), ("security_group_ids",)),
        (("networking", "subnets"), ("networking", "security_group_ids")),
    ),
    "volume_kms_key": _scalar(
        _STR, ("volume_kms_key",), ("train_volume_kms_key",), ("compute", "volume_kms_key_id")
    ),
    "output_kms_key": _scalar(_STR, ("output_kms_key",), ("output_data_config", "kms_key_id")),
    "inter_container_encryption": _scalar(
        _BOOL,
        ("encrypt_inter_container_traffic",),
        ("networking", "enable_inter_container_traffic_encryption"),
    ),
    "max_runtime": _scalar(
        _INT, ("max_run",), ("train_max_run",), ("stopping_condition", "max_runtime_in_seconds")
    ),
    "use_spot": _scalar(
        _BOOL,
        ("use_spot_instances",),
        ("train_use_spot_instances",),
        ("compute", "enable_managed_spot_training"),
    ),
    "max_wait": _scalar(
        _INT, ("max_wait",), ("train_max_wait",), ("stopping_condition", "max_wait_time_in_seconds")
    ),
    "checkpoint_uri": _scalar(_STR, ("checkpoint_s3_uri",), ("checkpoint_config", "s3_uri")),
    "tags": _tags(("tags",)),
    "role": _scalar(_STR, ("role",)),
    "image": _scalar(_STR, ("image_uri",), ("image_name",), ("training_image",)),
    "aws_container": _aws_container(("image_uri",), ("image_name",), ("training_image",)),
    "own_code": _given(("entry_point",), ("source_dir",), ("source_code",)),
}
_PROCESSING: Mapping[str, Reader] = {
    "instance_type": _scalar(_STR, ("instance_type",)),
    "instance_count": _scalar(_INT, ("instance_count",)),
    "network_isolation": _scalar(_BOOL, ("network_config", "enable_network_isolation")),
    "vpc": _vpc((("network_config", "subnets"), ("network_config", "security_group_ids"))),
    "volume_kms_key": _scalar(_STR, ("volume_kms_key",)),
    "output_kms_key": _scalar(_STR, ("output_kms_key",)),
    "inter_container_encryption": _scalar(
        _BOOL, ("network_config", "encrypt_inter_container_traffic")
    ),
    "max_runtime": _scalar(_INT, ("max_runtime_in_seconds",)),
    "tags": _tags(("tags",)),
    "role": _scalar(_STR, ("role",)),
    "image": _scalar(_STR, ("image_uri",)),
    "aws_container": _aws_container(("image_uri",)),
}
_MODEL: Mapping[str, Reader] = {
    "network_isolation": _scalar(_BOOL, ("enable_network_isolation",)),
    "vpc": _vpc((("vpc_config", "Subnets"), ("vpc_config", "SecurityGroupIds"))),
    "image": _scalar(_STR, ("image_uri",), ("image",)),
    "aws_container": _aws_container(("image_uri",), ("image",)),
    "own_code": _given(("entry_point",), ("source_dir",)),
    "model_package": _scalar(_STR, ("model_package_arn",)),
    "role": _scalar(_STR, ("role",), ("role_arn",)),
    "tags": _tags_given_later("tags are given to deploy(), create() or transformer()"),
}
_DEPLOY: Mapping[str, Reader] = {
    "instance_type": _scalar(_STR, ("instance_type",)),
    "instance_count": _scalar(_INT, ("initial_instance_count",)),
    "serverless": _present(("serverless_inference_config",)),
    "async_inference": _present(("async_inference_config",)),
    "data_capture": _scalar(_BOOL, ("data_capture_config", "enable_capture")),
    "kms_key": _scalar(_STR, ("kms_key",)),
    "tags": _tags(("tags",)),
}
_TRANSFORM: Mapping[str, Reader] = {
    "instance_type": _scalar(_STR, ("instance_type",)),
    "instance_count": _scalar(_INT, ("instance_count",)),
    # The key that encrypts the results at rest; the volume's when only that one is given.
    "kms_key": _scalar(_STR, ("output_kms_key",), ("volume_kms_key",)),
}
_TUNING: Mapping[str, Reader] = {
    "strategy": _scalar(_STR, ("strategy",)),
    "early_stopping": _scalar(_STR, ("early_stopping_type",)),
    "max_jobs": _scalar(_INT, ("max_jobs",)),
    "max_parallel_jobs": _scalar(_INT, ("max_parallel_jobs",)),
    "warm_start": _present(("warm_start_config",)),
    "training_job": _link(rm.TRAINING_JOB, ("estimator",)),
}
_MONITORING: Mapping[str, Reader] = {
    "endpoint": _link(rm.ENDPOINT, ("endpoint_input",)),
    "schedule": _scalar(_STR, ("schedule_cron_expression",)),
}
# What a schedule's job runs on, read from the monitor it is created on.
_MONITOR_CLUSTER: Mapping[str, Reader] = {
    "instance_count": _scalar(_INT, ("instance_count",)),
    "inter_container_encryption": _scalar(
        _BOOL, ("network_config", "encrypt_inter_container_traffic")
    ),
}
_REGISTER: Mapping[str, Reader] = {"approval_status": _scalar(_STR, ("approval_status",))}
_VARIANT: Mapping[str, Reader] = {
    "variant_name": _scalar(_STR, ("VariantName",)),
    "model": _link(rm.MODEL, ("ModelName",)),
    "instance_type": _scalar(_STR, ("InstanceType",)),
    "instance_count": _scalar(_INT, ("InitialInstanceCount",)),
    "serverless": _present(("ServerlessConfig",)),
}


def _monitored_endpoint(file: _File, args: _Args) -> rm.Value | None:
    """The endpoint a boto3 schedule's inline job definition reads; unknown when the job
    definition is a separate resource named here."""
    inputs = ("MonitoringScheduleConfig", "MonitoringJobDefinition", "MonitoringInputs")
    found = file.dig(args, (*inputs, 0, "EndpointInput", "EndpointName"))
    if found is not None:
        return file.link(found, rm.ENDPOINT)
    by_name = file.dig(args, ("MonitoringScheduleConfig", "MonitoringJobDefinitionName"))
    if by_name is not None:
        return rm.unknown(by_name.written, file.where(by_name))
    return None


def _variants(file: _File, args: _Args) -> rm.Value | None:
    found = file.dig(args, ("ProductionVariants",))
    if found is None:
        return None
    where = file.where(found)
    if not found.known or not isinstance(found.value, list):
        return rm.unknown(found.written, where)
    variants = []
    for item in found.value:
        if not item.known or not isinstance(item.value, dict):
            return rm.unknown(item.written, where)
        entry = _Args(item.value)
        variants.append({p: read(file, entry) or rm.ABSENT for p, read in _VARIANT.items()})
    return rm.known(variants, where)


def _alarm_names(file: _File, args: _Args) -> rm.Value | None:
    found = file.dig(args, ("DeploymentConfig", "AutoRollbackConfiguration", "Alarms"))
    if found is None:
        return None

    def names(value: object) -> object:
        if not isinstance(value, list):
            return ...
        alarms = [a.get("AlarmName") if isinstance(a, dict) else None for a in value]
        return alarms if all(isinstance(a, str) for a in alarms) else ...

    return file.convert(found, names)


_GROUP: Mapping[str, Reader] = {"tags": _tags(("tags",))}
# What CreateEndpoint and UpdateEndpoint requests say of an endpoint.
_ENDPOINT_REQUEST: Mapping[str, Reader] = {
    "endpoint_config": _link(rm.ENDPOINT_CONFIG, ("EndpointConfigName",)),
    "blue_green": _present(("DeploymentConfig", "BlueGreenUpdatePolicy")),
    "traffic_routing": _scalar(
        _STR,
        ("DeploymentConfig", "BlueGreenUpdatePolicy", "TrafficRoutingConfiguration", "Type"),
    ),
    "rolling_update": _present(("DeploymentConfig", "RollingUpdatePolicy")),
    "auto_rollback_alarms": _alarm_names,
}


def _api_monitoring_cluster(definition: Path, resources: str) -> Mapping[str, Reader]:
    """The readers of a monitoring job definition at ``definition`` in a boto3 request:
    its instance count and inter-container encryption."""
    return {
        "instance_count": _scalar(_INT, (*definition, resources, "ClusterConfig", "InstanceCount")),
        "inter_container_encryption": _scalar(
            _BOOL, (*definition, "NetworkConfig", "EnableInterContainerTrafficEncryption")
        ),
    }


# boto3 requests, by method: the resource kind, the request key holding its AWS name, and
# the property readers over the PascalCase request.
_VPC_API = (("VpcConfig", "Subnets"), ("VpcConfig", "SecurityGroupIds"))
_BOTO3: Mapping[str, tuple[str, str, Mapping[str, Reader]]] = {
    "create_training_job": (
        rm.TRAINING_JOB,
        "TrainingJobName",
        {
            "instance_type": _scalar(_STR, ("ResourceConfig", "InstanceType")),
            "instance_count": _scalar(_INT, ("ResourceConfig", "InstanceCount")),
            "network_isolation": _scalar(_BOOL, ("EnableNetworkIsolation",)),
            "vpc": _vpc(_VPC_API),
            "volume_kms_key": _scalar(_STR, ("ResourceConfig", "VolumeKmsKeyId")),
            "output_kms_key": _scalar(_STR, ("OutputDataConfig", "KmsKeyId")),
            "inter_container_encryption": _scalar(
                _BOOL, ("EnableInterContainerTrafficEncryption",)
            ),
            "max_runtime": _scalar(_INT, ("StoppingCondition", "MaxRuntimeInSeconds")),
            "use_spot": _scalar(_BOOL, ("EnableManagedSpotTraining",)),
            "max_wait": _scalar(_INT, ("StoppingCondition", "MaxWaitTimeInSeconds")),
            "checkpoint_uri": _scalar(_STR, ("CheckpointConfig", "S3Uri")),
            "tags": _tags(("Tags",)),
            "role": _scalar(_STR, ("RoleArn",)),
            "image": _scalar(_STR, ("AlgorithmSpecification", "TrainingImage")),
            "aws_container": _aws_container(("AlgorithmSpecification", "TrainingImage")),
            # Script mode in an AWS framework image names the script in a hyperparameter.
            "own_code": _given(("HyperParameters", "sagemaker_program")),
        },
    ),
    "create_processing_job": (
        rm.PROCESSING_JOB,
        "ProcessingJobName",
        {
            "instance_type": _scalar(
                _STR, ("ProcessingResources", "ClusterConfig", "InstanceType")
            ),
            "instance_count": _scalar(
                _INT, ("ProcessingResources", "ClusterConfig", "InstanceCount")
            ),
            "network_isolation": _scalar(_BOOL, ("NetworkConfig", "EnableNetworkIsolation")),
            "vpc": _vpc(
                (
                    ("NetworkConfig", "VpcConfig", "Subnets"),
                    ("NetworkConfig", "VpcConfig", "SecurityGroupIds"),
                )
            ),
            "volume_kms_key": _scalar(
                _STR, ("ProcessingResources", "ClusterConfig", "VolumeKmsKeyId")
            ),
            "output_kms_key": _scalar(_STR, ("ProcessingOutputConfig", "KmsKeyId")),
            "inter_container_encryption": _scalar(
                _BOOL, ("NetworkConfig", "EnableInterContainerTrafficEncryption")
            ),
            "max_runtime": _scalar(_INT, ("StoppingCondition", "MaxRuntimeInSeconds")),
            "tags": _tags(("Tags",)),
            "role": _scalar(_STR, ("RoleArn",)),
            "image": _scalar(_STR, ("AppSpecification", "ImageUri")),
            "aws_container": _aws_container(("AppSpecification", "ImageUri")),
        },
    ),
    "create_model": (
        rm.MODEL,
        "ModelName",
        {
            "network_isolation": _scalar(_BOOL, ("EnableNetworkIsolation",)),
            "vpc": _vpc(_VPC_API),
            "image": _scalar(_STR, ("PrimaryContainer", "Image"), ("Containers", 0, "Image")),
            "aws_container": _aws_container(
                ("PrimaryContainer", "Image"), ("Containers", 0, "Image")
            ),
            "own_code": _given(
                ("PrimaryContainer", "Environment", "SAGEMAKER_PROGRAM"),
                ("Containers", 0, "Environment", "SAGEMAKER_PROGRAM"),
            ),
            "model_package": _scalar(
                _STR,
                ("PrimaryContainer", "ModelPackageName"),
                ("Containers", 0, "ModelPackageName"),
            ),
            "role": _scalar(_STR, ("ExecutionRoleArn",)),
            "tags": _tags(("Tags",)),
        },
    ),
    "create_endpoint_config": (
        rm.ENDPOINT_CONFIG,
        "EndpointConfigName",
        {
            "kms_key": _scalar(_STR, ("KmsKeyId",)),
            "variants": _variants,
            "data_capture": _scalar(_BOOL, ("DataCaptureConfig", "EnableCapture")),
            "async_inference": _present(("AsyncInferenceConfig",)),
            "tags": _tags(("Tags",)),
        },
    ),
    "create_endpoint": (
        rm.ENDPOINT,
        "EndpointName",
        {**_ENDPOINT_REQUEST, "tags": _tags(("Tags",))},
    ),
    # A new configuration (and deployment policy) for an endpoint: read as the endpoint
    # defined again, which the endpoint's earlier definitions give way to.
    "update_endpoint": (rm.ENDPOINT, "EndpointName", _ENDPOINT_REQUEST),
    "create_notebook_instance": (
        rm.NOTEBOOK_INSTANCE,
        "NotebookInstanceName",
        {
            "instance_type": _scalar(_STR, ("InstanceType",)),
            "direct_internet_access": _enabled(("DirectInternetAccess",)),
            "root_access": _enabled(("RootAccess",)),
            "kms_key": _scalar(_STR, ("KmsKeyId",)),
            "imds_version": _scalar(
                _STR,
                ("InstanceMetadataServiceConfiguration", "MinimumInstanceMetadataServiceVersion"),
            ),
            "lifecycle_config": _scalar(_STR, ("LifecycleConfigName",)),
            "vpc": _vpc((("SubnetId",), ("SecurityGroupIds",))),
            "tags": _tags(("Tags",)),
        },
    ),
    "create_monitoring_schedule": (
        rm.MONITORING_SCHEDULE,
        "MonitoringScheduleName",
        {
            "monitor_type": _mapped(
                _MONITORING_TYPES, ("MonitoringScheduleConfig", "MonitoringType")
            ),
            "endpoint": _monitored_endpoint,
            "schedule": _scalar(
                _STR, ("MonitoringScheduleConfig", "ScheduleConfig", "ScheduleExpression")
            ),
            **_api_monitoring_cluster(
                ("MonitoringScheduleConfig", "MonitoringJobDefinition"), "MonitoringResources"
            ),
        },
    ),
    **{
        f"create_{prefix}_job_definition": (
            rm.MONITORING_JOB,
            "JobDefinitionName",
            _api_monitoring_cluster((), "JobResources"),
        )
        for prefix in ("data_quality", "model_quality", "model_bias", "model_explainability")
    },
    "create_domain": (
        rm.STUDIO_DOMAIN,
        "DomainName",
        {
            "app_network_access": _scalar(_STR, ("AppNetworkAccessType",)),
            "kms_key": _scalar(_STR, ("KmsKeyId",)),
        },
    ),
    "create_transform_job": (
        rm.TRANSFORM_JOB,
        "TransformJobName",
        {
            "instance_type": _scalar(_STR, ("TransformResources", "InstanceType")),
            "instance_count": _scalar(_INT, ("TransformResources", "InstanceCount")),
            "kms_key": _scalar(
                _STR, ("TransformOutput", "KmsKeyId"), ("TransformResources", "VolumeKmsKeyId")
            ),
        },
    ),
    "create_hyper_parameter_tuning_job": (
        rm.TUNING_JOB,
        "HyperParameterTuningJobName",
        {
            "strategy": _scalar(_STR, ("HyperParameterTuningJobConfig", "Strategy")),
            "early_stopping": _scalar(
                _STR, ("HyperParameterTuningJobConfig", "TrainingJobEarlyStoppingType")
            ),
            "max_jobs": _scalar(
                _INT,
                ("HyperParameterTuningJobConfig", "ResourceLimits", "MaxNumberOfTrainingJobs"),
            ),
            "max_parallel_jobs": _scalar(
                _INT,
                ("HyperParameterTuningJobConfig", "ResourceLimits", "MaxParallelTrainingJobs"),
            ),
            "warm_start": _present(("WarmStartConfig",)),
        },
    ),
    "create_model_package_group": (
        rm.MODEL_PACKAGE_GROUP,
        "ModelPackageGroupName",
        {"tags": _tags(("Tags",))},
    ),
    "create_model_package": (
        rm.MODEL_PACKAGE,
        "ModelPackageName",
        {"approval_status": _scalar(_STR, ("ModelApprovalStatus",))},
    ),
}

# The request key that tells a boto3 call is SageMaker's when the client cannot be traced,
# where the name key alone is shared with another service's API (Comprehend's endpoints).
_BOTO3_SIGNATURE = {
    "create_endpoint": "EndpointConfigName",
    "update_endpoint": "EndpointConfigName",
}


# Reading one file ----------------------------------------------------------------------------


@dataclass
class _File:
    path: str
    module: PythonModule
    values: Values
    found: list[rm.Resource] = field(default_factory=list)
    # id() of the call that built a resource → the resource
    built: dict[int, rm.Resource] = field(default_factory=dict)
    # A pipeline's anchor → the jobs its steps run, and the tags it is created with
    step_jobs: dict[str, list[rm.Resource]] = field(default_factory=dict)
    pipeline_tags: dict[str, rm.Value] = field(default_factory=dict)
    _names: dict[tuple[str, str], int] = field(default_factory=dict)
    # (kind, name) of the resources named by a literal AWS name
    aws_names: set[tuple[str, str]] = field(default_factory=set)
    # Names some assignment binds to a local session or a local instance type
    local_bindings: frozenset[str] = frozenset()
    # The call of the function being read whose arguments its parameters hold.
    context: Context | None = None

    # Locations and values ---------------------------------------------------------------

    def location(self, node: ast.AST | None) -> Location:
        line, column = self.module.position(node) if node is not None else (1, 1)
        return Location(self.path, line, column)

    def where(self, found: Val) -> Location:
        """Where a value is written: in this module, in the module of a call site or a
        helper it came from, or in a configuration file."""
        if found.place is not None:
            return found.place
        home = found.home if found.home is not None else self.values
        line, column = home.module.position(found.node) if found.node is not None else (1, 1)
        return Location(home.path or self.path, line, column)

    def module_of(self, found: Val) -> PythonModule:
        return found.home.module if found.home is not None else self.module

    def convert(self, found: Val, shape: Callable[[object], object]) -> rm.Value:
        where = self.where(found)
        plain = found.plain()
        converted = ... if plain is ... else shape(plain)
        if converted is ...:
            return rm.unknown(found.written, where)
        return rm.known(converted, where)

    def call_args(
        self, call: ast.Call, positional: tuple[str, ...] = (), made: Val | None = None
    ) -> _Args:
        """The arguments of ``call``, read in this module or where ``made`` (the value
        that is the call) was found."""
        values = made.home if made is not None and made.home is not None else self.values
        context = made.context if made is not None else self.context
        args = _Args({})

        def read(node: ast.expr, at: ast.AST) -> Val:
            found = values.value(node, context=context)
            # A value from this call's own module and call is reported at its argument;
            # one from a call site, another module or a file, where that writes it.
            if found.place is None and found.home is values and found.context is context:
                return found.moved(at, found.home, found.context)
            return found

        for name, node in zip(positional, call.args, strict=False):
            if isinstance(node, ast.Starred):
                break
            args.values[name] = read(node, node)
        if any(isinstance(node, ast.Starred) for node in call.args):
            args.opaque = next(n for n in call.args if isinstance(n, ast.Starred))
        for keyword in call.keywords:
            if keyword.arg is not None:
                args.values[keyword.arg] = read(keyword.value, keyword)
                continue
            spread = values.value(keyword.value, context=context)
            if spread.known and isinstance(spread.value, dict):
                args.values.update(spread.value)
            else:
                args.opaque = keyword
        return args

    @nesting_bounded(Val(False, written="a value nested too deeply"))
    def dig(self, args: _Args, path: Path) -> Val | None:
        """The value at ``path`` (argument name, then keys, indexes or a config object's
        arguments); None when it is not set, unknown when a step cannot be read."""
        head = path[0]
        current = args.values.get(head) if isinstance(head, str) else None
        if current is None:
            return None
        for step in path[1:]:
            if not current.known:
                return current
            container = current.value
            call = current.call
            if call is not None:
                positional = _POSITIONAL.get(_last(self.module_of(current), call), ())
                inner = self.call_args(call, positional, current)
                if isinstance(step, str) and step in inner.values:
                    current = inner.values[step]
                    continue
                if inner.opaque is not None:
                    return Val(False, node=inner.opaque, written=written(inner.opaque))
                return None
            if isinstance(container, dict) and isinstance(step, str):
                if step not in container:
                    return None
                current = container[step]
            elif isinstance(container, list) and isinstance(step, int):
                if step >= len(container):
                    return None
                current = container[step]
            elif container is None:
                return Val(True, None, current.node, current.written)
            else:
                return Val(False, node=current.node, written=current.written)
        return current

    def first(self, args: _Args, paths: tuple[Path, ...]) -> Val | None:
        for path in paths:
            # Most paths a reader knows start at an argument the call does not give.
            if path[0] not in args.values:
                continue
            found = self.dig(args, path)
            if found is not None:
                return found
        return None

    def link(self, found: Val, kind: str) -> rm.Value:
        """The name of the resource of ``kind`` a value refers to: an object built in this
        module, an attribute of one (``predictor.endpoint_name``), a literal name, or a
        ``Predictor``/``EndpointInput`` naming one."""
        where = self.where(found)
        target = self.resource_of(found)
        if target is not None and target.kind == kind:
            return rm.known(target.name, where)
        call = found.call
        if call is not None and _last(self.module_of(found), call) in (
            "Predictor",
            "EndpointInput",
        ):
            named = self.dig(self.call_args(call, ("endpoint_name",), found), ("endpoint_name",))
            if named is not None:
                return self.convert(named, lambda v: v if isinstance(v, str) else ...)
        if found.known and isinstance(found.value, str):
            return rm.known(found.value, where)
        return rm.unknown(found.written, where)

    def resource_of(self, found: Val) -> rm.Resource | None:
        """The resource a value is, or is built from (``est.create_model()``,
        ``builder.build()``, ``predictor.endpoint_name``)."""
        node: ast.AST | None = found.call if found.known else found.expr
        for _ in range(8):
            if isinstance(node, ast.Call):
                if id(node) in self.built:
                    return self.built[id(node)]
                node = node.func.value if isinstance(node.func, ast.Attribute) else None
            elif isinstance(node, ast.Attribute):
                node = node.value
            elif isinstance(node, ast.Name):
                bound = self.values.value(node, context=self.context)
                if not bound.known or bound.call is None:
                    return None
                node = bound.call
            else:
                return None
        return None

    # Resources --------------------------------------------------------------------------

    def name(
        self,
        kind: str,
        call: ast.Call,
        aws_name: Val | None,
        default: str,
        *,
        by_target: bool = True,
    ) -> str:
        """The resource's name: its literal AWS name when given, else the variable or
        attribute it is assigned to (unless that holds a response, ``by_target=False``),
        else ``default``; numbered when it repeats."""
        target = self.assigned_to(call) if by_target else None
        if target is None and by_target and self.context is not None:
            # Built in a helper and returned: named by what its call site is assigned to.
            target = _assigned_to(self.context.caller, self.context.call)
        if aws_name is not None and aws_name.known and isinstance(aws_name.value, str):
            base = aws_name.value
            self.aws_names.add((kind, base))
        else:
            base = written(target) if target is not None else default
        count = self._names.get((kind, base), 0) + 1
        self._names[(kind, base)] = count
        return base if count == 1 else f"{base} #{count}"

    def assigned_to(self, call: ast.AST) -> ast.expr | None:
        return _assigned_to(self.values, call)

    def add(
        self,
        kind: str,
        call: ast.Call,
        args: _Args,
        readers: Mapping[str, Reader],
        resource_type: str,
        name: str,
        extra: Mapping[str, rm.Value] = {},
    ) -> rm.Resource:
        self.apply_settings(call, args)
        properties: dict[str, rm.Value] = {}
        for prop, reader in readers.items():
            value = reader(self, args)
            if value is not None:
                properties[prop] = value
        local = self.local_mode(args)
        if local is not None:
            properties["local_mode"] = local
        properties.update(extra)
        if args.opaque is not None:
            where = self.location(args.opaque)
            # Local mode is a session the code chooses; **kwargs is not taken for one.
            for prop in rm.PROPERTIES.get(kind, {}).keys() - {"local_mode"}:
                properties.setdefault(prop, rm.unknown(written(args.opaque), where))
        resource = rm.Resource(
            kind,
            name,
            SOURCE,
            self.location(call),
            dict(sorted(properties.items())),
            resource_type,
            opaque=args.opaque is not None,
        )
        self.found.append(resource)
        self.built[id(call)] = resource
        return resource

    def per_call(self, call: ast.Call, read: Callable[[_File, ast.Call], None]) -> None:
        """``read`` the call once with its function's parameters unknown; when it builds a
        resource inside a function the project calls, read it again for each call of the
        function, and keep those resources instead when the calls give it different
        values."""
        names = dict(self._names)
        start = len(self.found)
        read(self, call)
        built = self.found[start:]
        contexts = self.values.contexts(call) if built else []
        if not contexts:
            return
        del self.found[start:]
        once_names, self._names = self._names, dict(names)
        for context in contexts:
            self.context = context
            read(self, call)
        self.context = None
        called = self.found[start:]
        if all(r.properties == built[0].properties for r in called) and len(built) == 1:
            self.found[start:] = built
            self._names = once_names
            self.built[id(call)] = built[0]

    def local_mode(self, args: _Args) -> rm.Value | None:
        """Known true when the call's session is a local one; unknown when its session or
        instance type is a variable that the module binds, on some path, to a local
        session or a ``local`` instance type (a sample's ``if local_mode:`` switch)."""
        session = args.values.get("sagemaker_session")
        if session is not None and _last(self.module_of(session), session.call) in _LOCAL_SESSIONS:
            return rm.known(True, self.where(session))
        # ModelTrainer's mode: `Mode.LOCAL_CONTAINER` runs the job in a container here.
        mode = args.values.get("training_mode")
        if mode is not None and _names_member(mode.expr, _LOCAL_TRAINING_MODE):
            return rm.known(True, self.where(mode))
        for key in ("sagemaker_session", "instance_type"):
            given = args.values.get(key)
            if given is None or given.known or not isinstance(given.expr, ast.Name):
                continue
            here = given.home is None or given.home is self.values
            if here and given.expr.id in self.local_bindings:
                return rm.unknown(given.written, self.where(given))
        return None

    def apply_settings(self, call: ast.Call, args: _Args) -> None:
        """``obj.attr = value`` after ``obj = Class(...)`` overrides the argument."""
        target = self.assigned_to(call)
        statement = self.values.statement_of(call)
        if not isinstance(target, ast.Name) or statement is None:
            return
        for setting in self.values.settings_after(target.id, statement):
            attribute = setting.attribute.lstrip("_")
            found = self.values.value(setting.value, context=self.context)
            if setting.conditional:
                found = Val(False, written=found.written)
            args.values[attribute] = replace(found, node=setting.target, home=self.values)


def _assigned_to(values: Values, call: ast.AST) -> ast.expr | None:
    """The one target a statement assigns ``call`` to."""
    statement = values.statement_of(call)
    if isinstance(statement, ast.Assign) and statement.value is call:
        return statement.targets[0] if len(statement.targets) == 1 else None
    if isinstance(statement, ast.AnnAssign) and statement.value is call:
        return statement.target
    return None


def _last(module: PythonModule, call: ast.Call | None) -> str:
    """The last part of a call's qualified name under ``sagemaker``; "" otherwise."""
    if call is None:
        return ""
    name = module.qualified_name(call.func) or ""
    if not name.startswith("sagemaker."):
        return ""
    return name.rpartition(".")[2]


def sdk_resources(ev: Evidence) -> Iterator[rm.Resource]:
    """Every SageMaker resource defined by SDK or boto3 calls in the project's code, a
    module at a time."""
    project = flow(ev)
    for path, parsed in modules(ev, b"sagemaker"):
        # A module that imports neither only talks about SageMaker.
        if parsed.imported_modules() & {"sagemaker", "boto3"}:
            yield from read_module(path, parsed, project.values(path, parsed))


def read_module(path: str, parsed: PythonModule, values: Values | None = None) -> list[rm.Resource]:
    """The resources one parsed module defines; a resource built inside a function the
    project calls is read once for each call (:meth:`_File.per_call`)."""
    file = _File(
        path,
        parsed,
        values if values is not None else Values(parsed, path),
        local_bindings=_local_bindings(parsed),
    )
    calls = sorted(
        parsed.index.of(ast.Call),
        key=lambda node: (node.lineno, node.col_offset),
    )
    # Constructors first, so that the methods called on their objects find them whatever
    # the nesting of the calls; then methods, in source order.
    for call in calls:
        file.per_call(call, _constructor)
    for call in calls:
        if isinstance(call.func, ast.Attribute) and id(call) not in file.built:
            file.per_call(call, _method)
    return _one_per_endpoint(_with_pipeline_tags(file), file.aws_names)


def _with_pipeline_tags(file: _File) -> list[rm.Resource]:
    """The module's resources, each job a pipeline's step runs tagged with what the
    pipeline is created with (``pipeline.upsert(tags=…)``), its own tags winning. A
    pipeline the module builds but does not create (a ``get_pipeline()`` that a deploy
    script or CI job calls) gets its tags there: its jobs' tags are unknown."""
    tagged: dict[int, rm.Resource] = {}
    for anchor, jobs in file.step_jobs.items():
        tags = file.pipeline_tags.get(anchor, _CREATED_ELSEWHERE)
        for job in jobs:
            tagged[id(job)] = rm.with_tags(tagged.get(id(job), job), tags)
    return [tagged.get(id(resource), resource) for resource in file.found]


_CREATED_ELSEWHERE = rm.unknown("tags given where the pipeline is created")


def _one_per_endpoint(
    found: list[rm.Resource], aws_names: set[tuple[str, str]]
) -> list[rm.Resource]:
    """One endpoint for the calls that create or update an endpoint of one literal name
    (a redeploy, ``update_endpoint``): the last call's, as the code leaves the endpoint,
    with the tags an earlier call gave it when the last gives none. A configuration that
    only the superseded calls named serves nothing any more and is left out."""
    definitions: dict[str, list[rm.Resource]] = {}
    for resource in found:
        base = resource.name.split(" #")[0]
        if resource.kind == rm.ENDPOINT and (rm.ENDPOINT, base) in aws_names:
            definitions.setdefault(base, []).append(resource)
    dropped: set[int] = set()
    kept: dict[int, rm.Resource] = {}
    for base, calls in definitions.items():
        if len(calls) < 2:
            continue
        last = max(calls, key=lambda r: r.location)
        tags = next((r.get("tags") for r in reversed(calls) if not r.get("tags").absent), None)
        properties = dict(last.properties)
        if tags is not None and last.get("tags").absent:
            properties["tags"] = tags
        kept[id(last)] = dataclasses.replace(last, name=base, properties=properties)
        dropped.update(id(r) for r in calls if r is not last)
        still = {_linked_config(last)}
        stale = {_linked_config(r) for r in calls if r is not last} - still
        dropped.update(id(r) for r in found if r.kind == rm.ENDPOINT_CONFIG and r.name in stale)
    return [kept.get(id(r), r) for r in found if id(r) not in dropped]


def _linked_config(endpoint: rm.Resource) -> str | None:
    link = endpoint.get("endpoint_config")
    return link.value if link.known and isinstance(link.value, str) else None


# Constructors: the kind, the property readers and the name of the resource a class builds.
_CLASSES: tuple[tuple[Callable[[str, str], bool], str, Mapping[str, Reader]], ...] = (
    (lambda last, _: last in _ESTIMATORS, rm.TRAINING_JOB, _TRAINING),
    (lambda last, _: last.endswith("Processor"), rm.PROCESSING_JOB, _PROCESSING),
    (
        lambda last, name: (
            last in _MODELS or (name.startswith("sagemaker.amazon.") and last.endswith("Model"))
        ),
        rm.MODEL,
        _MODEL,
    ),
    (lambda last, _: last in _TRANSFORMERS, rm.TRANSFORM_JOB, _TRANSFORM),
    (lambda last, _: last in _TUNERS, rm.TUNING_JOB, _TUNING),
)
# Objects a deploy, a transformer or a registration can be made from.
_DEPLOYABLE = (rm.MODEL, rm.TRAINING_JOB, rm.TUNING_JOB)


def _constructor(file: _File, call: ast.Call) -> None:
    last = _last(file.module, call)
    qualified = file.module.qualified_name(call.func) or ""
    if not last or qualified.startswith(("sagemaker.core.resources.", "sagemaker.core.shapes.")):
        return  # v3's resource API is read through its create() calls
    default = f"{last}(…)"
    for matches, kind, readers in _CLASSES:
        if matches(last, qualified):
            args = file.call_args(call, _POSITIONAL.get(last, ()))
            file.add(kind, call, args, readers, last, file.name(kind, call, None, default))
            return
    if last in _PIPELINES:
        args = file.call_args(call)
        name = file.name(rm.PIPELINE, call, file.dig(args, ("name",)), default)
        pipeline = file.add(rm.PIPELINE, call, args, {}, last, name, _steps(file, args))
        file.step_jobs[pipeline.anchor] = _step_jobs(file, args)
    elif last in _REGISTER_STEPS:
        _register(file, call, file.call_args(call), last)


def _method(file: _File, call: ast.Call) -> None:
    if not isinstance(call.func, ast.Attribute):
        return
    method = call.func.attr
    if method not in _METHODS and method not in _BOTO3:
        return
    receiver = file.values.value(call.func.value, context=file.context)
    origin = file.resource_of(receiver)
    deployable = origin is not None and origin.kind in _DEPLOYABLE
    default = f"{written(call.func)}(…)"
    if method == "deploy":
        args = file.call_args(call, _POSITIONAL["deploy"])
        if deployable or _SAGEMAKER_DEPLOY_KEYWORDS & set(args.values):
            _deploy(file, call, args, origin, default)
    elif method == "transformer" and deployable and origin is not None:
        args = file.call_args(call, _POSITIONAL["transformer"])
        name = file.name(rm.TRANSFORM_JOB, call, None, default)
        resource_type = f"{origin.type}.transformer"
        extra = {**_inherited_local_mode(origin), **_deployed_model(origin)}
        file.add(rm.TRANSFORM_JOB, call, args, _TRANSFORM, resource_type, name, extra)
    elif method == "register" and deployable and origin is not None:
        _register(file, call, file.call_args(call), f"{origin.type}.register")
    elif method in ("upsert", "create") and _created_pipeline(file, origin, method):
        pipeline = origin or next(r for r in file.found if r.kind == rm.PIPELINE)
        tags = _tags(("tags",))(file, file.call_args(call))
        file.pipeline_tags[pipeline.anchor] = tags or rm.ABSENT
    elif method == "create" and _group_create(file, call):
        args = file.call_args(call)
        aws_name = file.dig(args, ("model_package_group_name",))
        name = file.name(rm.MODEL_PACKAGE_GROUP, call, aws_name, default)
        file.add(rm.MODEL_PACKAGE_GROUP, call, args, _GROUP, "ModelPackageGroup", name)
    elif method == "create_monitoring_schedule" and not _pascal_case(call):
        _schedule(file, call, receiver, default)
    elif method in _BOTO3 and _is_sagemaker_client(file, call, receiver, method):
        kind, name_key, readers = _BOTO3[method]
        args = file.call_args(call)
        # What a boto3 call returns is the API's response, not the resource.
        name = file.name(kind, call, file.dig(args, (name_key,)), default, by_target=False)
        file.add(kind, call, args, readers, f"boto3 {method}", name)


_SDK_SCHEDULE_KEYWORDS = frozenset({"endpoint_input", "monitor_schedule_name"})
_METHODS = frozenset(
    {"deploy", "transformer", "register", "create", "upsert", "create_monitoring_schedule"}
)


def _deploy(
    file: _File, call: ast.Call, args: _Args, origin: rm.Resource | None, default: str
) -> None:
    extra = {**_inherited_local_mode(origin), **_deployed_model(origin)}
    if origin is not None and origin.kind == rm.MODEL and not origin.get("model_package").absent:
        extra["model_package"] = origin.get("model_package")
    resource_type = f"{origin.type}.deploy" if origin is not None else "deploy"
    name = file.name(rm.ENDPOINT, call, file.dig(args, ("endpoint_name",)), default)
    file.add(rm.ENDPOINT, call, args, _DEPLOY, resource_type, name, extra)


def _deployed_model(origin: rm.Resource | None) -> dict[str, rm.Value]:
    """The ``model`` link of a deploy or a transformer made from a model object: the
    SageMaker model that deploy creates is that object's."""
    if origin is None or origin.kind != rm.MODEL:
        return {}
    return {"model": rm.known(origin.name, origin.location)}


def _names_member(expr: ast.AST | None, member: str) -> bool:
    """Whether ``expr`` is ``Enum.member`` (or ``module.Enum.member``)."""
    return isinstance(expr, ast.Attribute) and expr.attr == member


def _local_bindings(parsed: PythonModule) -> frozenset[str]:
    """Names the module assigns, anywhere, a local session (``LocalSession()``,
    ``LocalPipelineSession()``) or a local-mode instance type (``"local"``, ``"local_gpu"``)."""
    found: set[str] = set()
    for node in parsed.index.of(ast.Assign):
        value = node.value
        local_type = isinstance(value, ast.Constant) and value.value in ("local", "local_gpu")
        session = isinstance(value, ast.Call) and _last(parsed, value) in _LOCAL_SESSIONS
        if local_type or session:
            found.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(found)


def _created_pipeline(file: _File, origin: rm.Resource | None, method: str) -> bool:
    """Whether the call creates a pipeline the module builds: ``upsert``/``create`` on it,
    or ``upsert`` on an object this reading cannot trace (``create_pipeline(...)``'s
    result) in a module that builds one pipeline only."""
    if origin is not None:
        return origin.kind == rm.PIPELINE
    pipelines = [r for r in file.found if r.kind == rm.PIPELINE]
    return method == "upsert" and len(pipelines) == 1


def _inherited_local_mode(origin: rm.Resource | None) -> dict[str, rm.Value]:
    """What a deploy or a transformer made from an object in local mode runs in: the same
    (or, when the object may run locally, maybe)."""
    if origin is not None and not origin.get("local_mode").absent:
        return {"local_mode": origin.get("local_mode")}
    return {}


def _group_create(file: _File, call: ast.Call) -> bool:
    """``ModelPackageGroup.create(...)`` of v3's resource API."""
    qualified = file.module.qualified_name(call.func) or ""
    return qualified.startswith("sagemaker") and qualified.endswith(".ModelPackageGroup.create")


def _pascal_case(call: ast.Call) -> bool:
    """A boto3 request: its keywords are the API's PascalCase names."""
    return any(k.arg and k.arg[0].isupper() for k in call.keywords) or any(
        k.arg is None for k in call.keywords
    )


def _register(file: _File, call: ast.Call, args: _Args, resource_type: str) -> None:
    """A model package registered in a group. The group is not a resource of its own here:
    registering needs it to exist already, defined elsewhere (a template, the console)."""
    name = file.name(rm.MODEL_PACKAGE, call, None, f"{written(call.func)}(…)")
    file.add(rm.MODEL_PACKAGE, call, args, _REGISTER, resource_type, name)


def _schedule(file: _File, call: ast.Call, receiver: Val, default: str) -> None:
    args = file.call_args(call)
    monitor = receiver.call
    monitor_class = _last(file.module_of(receiver), monitor) if monitor is not None else ""
    monitors = (*_MONITORS, "ModelMonitor")
    if monitor_class not in monitors and not _SDK_SCHEDULE_KEYWORDS & set(args.values):
        return
    where = file.where(receiver) if monitor is not None else file.location(call)
    monitor_type = (
        rm.known(_MONITORS[monitor_class], where)
        if monitor_class in _MONITORS
        else rm.unknown(receiver.written, where)
    )
    extra = {"monitor_type": monitor_type}
    if monitor is not None and monitor_class in monitors:
        monitor_args = file.call_args(monitor, _POSITIONAL.get(monitor_class, ()))
        if monitor_args.opaque is None:
            for prop, reader in _MONITOR_CLUSTER.items():
                if (value := reader(file, monitor_args)) is not None:
                    extra[prop] = value
    cron = file.dig(args, ("schedule_cron_expression",))
    if cron is not None and cron.call is not None:
        generator = cron.call.func
        if isinstance(generator, ast.Attribute) and generator.attr in _CRON:
            extra["schedule"] = rm.known(_CRON[generator.attr], file.where(cron))
    aws_name = file.dig(args, ("monitor_schedule_name",))
    name = file.name(rm.MONITORING_SCHEDULE, call, aws_name, default)
    resource_type = f"{monitor_class or 'ModelMonitor'}.create_monitoring_schedule"
    file.add(rm.MONITORING_SCHEDULE, call, args, _MONITORING, resource_type, name, extra)


def _steps(file: _File, args: _Args) -> dict[str, rm.Value]:
    """The pipeline's step kinds in order, condition branches after their condition; known
    only when every step can be told."""
    found = file.dig(args, ("steps",))
    if found is None:
        return {}
    where = file.where(found)
    kinds = _step_kinds(file, found, 0)
    return {
        "steps": rm.known(kinds, where) if kinds is not None else rm.unknown(found.written, where)
    }


# Step arguments that hold the job a step runs, or the call on it that made its arguments.
_STEP_JOB_ARGUMENTS = ("estimator", "processor", "tuner", "transformer", "step_args")
_JOB_KINDS = (rm.TRAINING_JOB, rm.PROCESSING_JOB, rm.TUNING_JOB, rm.TRANSFORM_JOB)
_MAX_STEP_LISTS = 64


def _step_jobs(file: _File, args: _Args) -> list[rm.Resource]:
    """The jobs a pipeline's steps run, condition branches included: the estimator,
    processor, tuner or transformer a step is given, or whose method made its
    ``step_args`` (``estimator.fit(...)`` with a pipeline session)."""
    found = file.dig(args, ("steps",))
    pending = [found] if found is not None else []
    jobs: list[rm.Resource] = []
    for _ in range(_MAX_STEP_LISTS):
        if not pending:
            break
        steps = pending.pop()
        for item in steps.value if steps.known and isinstance(steps.value, list) else ():
            if item.call is None:
                continue
            step_args = file.call_args(item.call, made=item)
            for key in _STEP_JOB_ARGUMENTS:
                given = step_args.values.get(key)
                job = file.resource_of(given) if given is not None else None
                if job is not None and job.kind in _JOB_KINDS:
                    jobs.append(job)
            pending.extend(
                branch
                for key in ("if_steps", "else_steps")
                if (branch := step_args.values.get(key)) is not None
            )
    return jobs


@nesting_bounded(None)
def _step_kinds(file: _File, found: Val, depth: int) -> list[str] | None:
    if depth > 8 or not found.known or not isinstance(found.value, list):
        return None
    kinds: list[str] = []
    for item in found.value:
        step = item.call
        last = _last(file.module_of(item), step) if step is not None else ""
        if step is None or last not in _STEPS:
            return None
        kind = _STEPS[last]
        step_args = file.call_args(step, made=item)
        if last == "ModelStep":
            made = file.dig(step_args, ("step_args",))
            made_by = made.call.func if made is not None and made.call is not None else None
            if isinstance(made_by, ast.Attribute) and made_by.attr in ("register", "create"):
                kind = f"{made_by.attr}-model"
        kinds.append(kind)
        if last == "ConditionStep":
            for branch in ("if_steps", "else_steps"):
                nested = file.dig(step_args, (branch,))
                if nested is not None:
                    inner = _step_kinds(file, nested, depth + 1)
                    if inner is None:
                        return None
                    kinds.extend(inner)
    return kinds


def _is_sagemaker_client(file: _File, call: ast.Call, receiver: Val, method: str) -> bool:
    """A boto3 SageMaker client (``boto3.client("sagemaker")``, a session's ``client``, the
    SDK session's ``sagemaker_client``) or, when the client cannot be traced, a request
    with the SageMaker API's own keys."""
    client = receiver.call
    if client is not None:
        if isinstance(client.func, ast.Attribute) and client.func.attr == "client":
            service = _first_argument(client, "service_name")
            return isinstance(service, ast.Constant) and service.value == "sagemaker"
        return False
    if isinstance(receiver.expr, ast.Attribute) and receiver.expr.attr == "sagemaker_client":
        return True
    signature = _BOTO3_SIGNATURE.get(method, _BOTO3[method][1])
    return signature in file.call_args(call).values


def _first_argument(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[0] if call.args else None
