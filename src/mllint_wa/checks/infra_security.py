"""Security of the environments where data is processed and models are built: training and
processing jobs, notebook instances and Studio domains, read from the resource model (SDK
and boto3 calls, CloudFormation, Terraform and CDK alike)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence
from mllint_wa.evidence.instances import has_instance_storage, is_local_mode
from mllint_wa.evidence.jobs import (
    AMAZON_ALGORITHMS,
    BUILT_IN_ALGORITHM_IMAGES,
    aws_image,
    aws_jobs,
    runs_aws_code,
)
from mllint_wa.evidence.resources import (
    ENDPOINT,
    MODEL,
    MONITORING_JOB,
    MONITORING_SCHEDULE,
    NOTEBOOK_INSTANCE,
    PROCESSING_JOB,
    STUDIO_DOMAIN,
    TRAINING_JOB,
    TRANSFORM_JOB,
    Resource,
    Value,
    resources,
)
from mllint_wa.model import Risk, Stage, Violation
from mllint_wa.registry import rule

_ENVIRONMENT = ("MLSEC03-BP02", "MLSEC04-BP01")
_ENCRYPTION = ("MLSEC02-BP01", "MLSEC04-BP01")

_KINDS = {
    TRAINING_JOB: "training job",
    PROCESSING_JOB: "processing job",
    NOTEBOOK_INSTANCE: "notebook instance",
    STUDIO_DOMAIN: "Studio domain",
    MODEL: "model",
    MONITORING_JOB: "monitoring job definition",
    MONITORING_SCHEDULE: "monitoring schedule",
}

# How each source spells a property, for messages. Styles: "sdk" (SageMaker Python SDK v2
# arguments), "v3" (ModelTrainer's configuration objects), "api" (the PascalCase API of boto3
# requests and CloudFormation), "snake" (Terraform and CDK).
_SPELLING: Mapping[tuple[str, str], Mapping[str, str]] = {
    (TRAINING_JOB, "network_isolation"): {
        "sdk": "`enable_network_isolation`",
        "v3": "`networking.enable_network_isolation`",
        "api": "`EnableNetworkIsolation`",
    },
    (TRAINING_JOB, "vpc"): {
        "sdk": "`subnets` and `security_group_ids`",
        "v3": "`networking.subnets` and `networking.security_group_ids`",
        "api": "`VpcConfig`",
    },
    (TRAINING_JOB, "volume_kms_key"): {
        "sdk": "`volume_kms_key`",
        "v3": "`compute.volume_kms_key_id`",
        "api": "`ResourceConfig.VolumeKmsKeyId`",
    },
    (TRAINING_JOB, "output_kms_key"): {
        "sdk": "`output_kms_key`",
        "v3": "`output_data_config.kms_key_id`",
        "api": "`OutputDataConfig.KmsKeyId`",
    },
    (TRAINING_JOB, "inter_container_encryption"): {
        "sdk": "`encrypt_inter_container_traffic`",
        "v3": "`networking.enable_inter_container_traffic_encryption`",
        "api": "`EnableInterContainerTrafficEncryption`",
    },
    (PROCESSING_JOB, "network_isolation"): {
        "sdk": "`network_config.enable_network_isolation`",
        "api": "`NetworkConfig.EnableNetworkIsolation`",
    },
    (PROCESSING_JOB, "vpc"): {
        "sdk": "`network_config.subnets` and `network_config.security_group_ids`",
        "api": "`NetworkConfig.VpcConfig`",
    },
    (PROCESSING_JOB, "volume_kms_key"): {
        "sdk": "`volume_kms_key`",
        "api": "`ProcessingResources.ClusterConfig.VolumeKmsKeyId`",
    },
    (PROCESSING_JOB, "output_kms_key"): {
        "sdk": "`output_kms_key`",
        "api": "`ProcessingOutputConfig.KmsKeyId`",
    },
    (PROCESSING_JOB, "inter_container_encryption"): {
        "sdk": "`network_config.encrypt_inter_container_traffic`",
        "api": "`NetworkConfig.EnableInterContainerTrafficEncryption`",
    },
    (NOTEBOOK_INSTANCE, "direct_internet_access"): {
        "api": "`DirectInternetAccess`",
        "snake": "`direct_internet_access`",
    },
    (NOTEBOOK_INSTANCE, "root_access"): {"api": "`RootAccess`", "snake": "`root_access`"},
    (NOTEBOOK_INSTANCE, "kms_key"): {"api": "`KmsKeyId`", "snake": "`kms_key_id`"},
    (NOTEBOOK_INSTANCE, "imds_version"): {
        "api": "`InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion`",
        "snake": "`instance_metadata_service_configuration."
        "minimum_instance_metadata_service_version`",
    },
    (STUDIO_DOMAIN, "kms_key"): {"api": "`KmsKeyId`", "snake": "`kms_key_id`"},
    (MODEL, "network_isolation"): {
        "sdk": "`enable_network_isolation`",
        "api": "`EnableNetworkIsolation`",
        "snake": "`enable_network_isolation`",
    },
    (MONITORING_JOB, "inter_container_encryption"): {
        "api": "`NetworkConfig.EnableInterContainerTrafficEncryption`",
        "snake": "`network_config.enable_inter_container_traffic_encryption`",
    },
    (MONITORING_SCHEDULE, "inter_container_encryption"): {
        "sdk": "the monitor's `network_config.encrypt_inter_container_traffic`",
        "api": "`MonitoringJobDefinition.NetworkConfig.EnableInterContainerTrafficEncryption`",
        "snake": "`monitoring_job_definition.network_config."
        "enable_inter_container_traffic_encryption`",
    },
    (STUDIO_DOMAIN, "app_network_access"): {
        "api": "`AppNetworkAccessType`",
        "snake": "`app_network_access_type`",
    },
}


def _style(resource: Resource) -> str:
    if resource.source == "sdk":
        if resource.type.startswith("boto3"):
            return "api"
        return "v3" if resource.type == "ModelTrainer" else "sdk"
    return "api" if resource.source == "cloudformation" else "snake"


def _setting(resource: Resource, prop: str) -> str:
    """The property as the resource's source spells it."""
    spellings = _SPELLING.get((resource.kind, prop), {})
    for style in (_style(resource), "sdk", "api"):
        if style in spellings:
            return spellings[style]
    return f"`{prop}`"


def _described(resource: Resource) -> str:
    shown = f"{_KINDS.get(resource.kind, resource.kind)} `{resource.name}`"
    # A CDK construct by its class (CfnNotebookInstance), not its module path.
    kind = resource.type.rpartition(".")[2] if resource.source == "cdk" else resource.type
    # A Terraform address (aws_sagemaker_domain.studio, module.a.aws_sagemaker_domain.studio)
    # already says its type.
    if not kind or resource.name == kind or f".{kind}." in f".{resource.name}":
        return shown
    return f"{shown} ({kind})"


def _unset(resource: Resource, prop: str) -> bool:
    """Absent, or known and off/empty; a property an opaque definition may set is not."""
    value = resource.get(prop)
    return value.falsy() and not (resource.opaque and value.absent)


def _state(resource: Resource, value: Value) -> str:
    if value.absent:
        return "is not set"
    if value.value is False:
        return "is `False`" if _style(resource) in ("sdk", "v3") else "is `false`"
    return "is empty"


def _violation(resource: Resource, prop: str, message: str) -> Violation:
    return Violation(message, resource.where(prop), anchor=f"{resource.anchor}:{prop}")


def _off(resource: Resource, prop: str, problem: str) -> Violation:
    """A finding for a protection that is not switched on."""
    value = resource.get(prop)
    return _violation(
        resource,
        prop,
        f"{_described(resource)} {problem}: {_setting(resource, prop)} {_state(resource, value)}",
    )


def _risky_default(
    resource: Resource, prop: str, risky: object, shown: str, problem: str
) -> Iterator[Violation]:
    """A finding for a setting that is left out, when leaving it out means the risky
    ``shown`` value, or that is set to it (``risky``, as the resource model holds it)."""
    value = resource.get(prop)
    if (resource.opaque and value.absent) or not (value.absent or value.is_(risky)):
        return
    state = f"is not set and defaults to `{shown}`" if value.absent else f"is `{shown}`"
    yield _violation(
        resource, prop, f"{_described(resource)} {problem}: {_setting(resource, prop)} {state}"
    )


# Estimator classes whose jobs take their isolation from elsewhere: AWS Marketplace
# algorithms (SageMaker isolates them itself), JumpStart models (isolated as each model's
# specification says), and the Chainer and reinforcement-learning containers, which
# SageMaker cannot run isolated.
_ISOLATION_EXEMPT = frozenset(
    {"AlgorithmEstimator", "JumpStartEstimator", "Chainer", "RLEstimator"}
)


@rule(
    code="DP030",
    name="training-without-network-isolation",
    risk=Risk.MEDIUM,
    summary="A SageMaker training or processing job runs with network access from its containers.",
    fix="Pass `enable_network_isolation=True` to the estimator (`NetworkConfig("
    "enable_network_isolation=True)` for a processor; `EnableNetworkIsolation: true` in an API "
    "request), after staging what the job downloads (pre-trained weights, packages) in S3 or "
    "a private repository reached through the job's VPC.",
    lens_refs=_ENVIRONMENT,
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def training_without_network_isolation(ctx: ProjectContext) -> Iterator[Violation]:
    """Training and processing containers run the project's code and every dependency it
    installs, on the project's data. With network isolation SageMaker gives the containers
    no network at all (it still fetches the input and stores the output itself), so neither
    a compromised dependency nor a mistake can send the data elsewhere or pull in code that
    was never reviewed.

    Some jobs need the network: a Hugging Face job that downloads its base model from the
    Hub, a script that installs packages at start. For them the safer design is to stage
    those artefacts in S3 (or a private package repository) and isolate the job; where that
    is not possible, run the job in a VPC whose egress you control and record the accepted
    risk as a waiver. That is why the risk is medium and not high.

    Jobs in SageMaker local mode (`instance_type="local"` or `"local_gpu"`, or a `LocalSession`
    or `LocalPipelineSession` as their `sagemaker_session`, or a `ModelTrainer` given
    `training_mode=Mode.LOCAL_CONTAINER`; also a session or instance type variable that some
    path of the code sets to a local one) do not run in AWS and are not
    checked. Nor are jobs whose container runs AWS's code and none of the project's: Amazon's
    algorithm estimators (`KMeans`, `LinearLearner` …); a generic `Estimator` or a boto3
    training request whose image is a built-in algorithm's (`image_uris.retrieve("xgboost", …)`,
    or a literal image URI in that algorithm's ECR repository) when no script of the project's
    is given (`entry_point`, `source_dir`, the `sagemaker_program` hyperparameter);
    `SageMakerClarifyProcessor`; and processors or requests running the Model Monitor, Clarify,
    Data Wrangler or Debugger-rules images (a processor on an algorithm's image runs the
    project's script and is checked). Nor are jobs whose isolation SageMaker decides: AWS
    Marketplace algorithms (`AlgorithmEstimator`), JumpStart estimators, and the Chainer and
    reinforcement-learning containers, which cannot run isolated. Models (inference containers)
    have the same setting; it is a deployment concern and not checked here. A value SageMaker
    gets from a parameter or `**kwargs` is not judged."""
    for job in aws_jobs(ctx.evidence):
        if runs_aws_code(job) or (job.source == "sdk" and job.type in _ISOLATION_EXEMPT):
            continue
        if _unset(job, "network_isolation"):
            yield _off(job, "network_isolation", "runs without network isolation")


@rule(
    code="DP031",
    name="training-without-vpc",
    risk=Risk.MEDIUM,
    summary="A SageMaker training or processing job runs outside any VPC.",
    fix="Give the job private subnets and security groups (`subnets=` and "
    "`security_group_ids=`, `NetworkConfig(subnets=…, security_group_ids=…)` for a processor; "
    "`VpcConfig` in an API request), with S3 reached through a VPC endpoint.",
    lens_refs=_ENVIRONMENT,
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def training_without_vpc(ctx: ProjectContext) -> Iterator[Violation]:
    """A job without a VPC configuration runs in a network SageMaker manages for it: its
    containers reach the internet and its traffic to S3 cannot be held to a VPC endpoint, so bucket
    policies cannot require that the data is read only from inside the project's network, and
    security groups and flow logs cannot govern or record what the job talks to. Subnets and
    security groups are both needed; one without the other, or an empty list, is no VPC. Jobs in
    SageMaker local mode (a `local` instance type, a local session, a `ModelTrainer` in
    `Mode.LOCAL_CONTAINER`, or a variable the code may set to either) are not checked; values from
    parameters or `**kwargs` are not judged."""
    for job in aws_jobs(ctx.evidence):
        if _unset(job, "vpc"):
            given = "are not given" if job.get("vpc").absent else "are not both given"
            yield _violation(
                job,
                "vpc",
                f"{_described(job)} runs outside any VPC: subnets and security groups {given} "
                f"({_setting(job, 'vpc')})",
            )


@rule(
    code="MD050",
    name="training-without-encryption",
    risk=Risk.MEDIUM,
    summary="A SageMaker training or processing job sets no KMS key of the project's for its "
    "storage volume or for its output.",
    fix="Pass `volume_kms_key=` and `output_kms_key=` with a customer-managed KMS key "
    "(`ResourceConfig.VolumeKmsKeyId` and `OutputDataConfig.KmsKeyId` in an API request).",
    lens_refs=_ENCRYPTION,
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def training_without_encryption(ctx: ProjectContext) -> Iterator[Violation]:
    """Training data, checkpoints and the model land on the job's storage volume and in its
    S3 output. Without a customer-managed KMS key SageMaker encrypts them with keys the
    project does not manage: no key policy says who may decrypt the data, and the key
    cannot be disabled to cut access. The finding names which of the two keys is missing.

    Instance types with local instance storage (`ml.g4dn`, `ml.p3dn`, `ml.m5d`, `ml.g5`, `ml.p4d` …)
    encrypt it in hardware and SageMaker refuses a volume key for them: only the output key is asked
    of them. When the instance type is not known (a parameter), the volume key is not asked either,
    because it may not be allowed. Jobs in SageMaker local mode (a `local` instance type, a local
    session, a `ModelTrainer` in `Mode.LOCAL_CONTAINER`, or a variable the code may set to either)
    are not checked; keys from parameters, variables or `**kwargs` are not judged."""
    for job in aws_jobs(ctx.evidence):
        missing = [
            prop
            for prop in ("volume_kms_key", "output_kms_key")
            if _unset(job, prop) and (prop != "volume_kms_key" or _volume_key_allowed(job))
        ]
        if not missing:
            continue
        what = {"volume_kms_key": "its storage volume", "output_kms_key": "its output"}
        parts = [
            f"{what[prop]} ({_setting(job, prop)} {_state(job, job.get(prop))})" for prop in missing
        ]
        yield Violation(
            f"{_described(job)} sets no KMS key for {' or for '.join(parts)}",
            job.where(missing[0]),
            anchor=f"{job.anchor}:kms",
        )


def _volume_key_allowed(job: Resource) -> bool:
    instance_type = job.get("instance_type")
    if instance_type.unknown:
        return False
    return not (instance_type.known and has_instance_storage(str(instance_type.value)))


@rule(
    code="MD051",
    name="inter-container-traffic-unencrypted",
    risk=Risk.MEDIUM,
    summary="A distributed SageMaker training, processing or monitoring job does not encrypt "
    "the traffic between its instances.",
    fix="Pass `encrypt_inter_container_traffic=True` to the estimator "
    "(`NetworkConfig(encrypt_inter_container_traffic=True)` for a processor or a model "
    "monitor; `EnableInterContainerTrafficEncryption: true` in an API request or a "
    "monitoring job definition's `NetworkConfig`).",
    lens_refs=("MLSEC04-BP02",),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def inter_container_traffic_unencrypted(ctx: ProjectContext) -> Iterator[Violation]:
    """A job on several instances exchanges gradients, parameters and data between them.
    Inter-container traffic encryption has SageMaker encrypt that traffic, so the data is
    protected in transit inside the cluster as it is at rest; it costs some training time,
    which is the trade-off to make knowingly.

    Model Monitor's jobs (a data or model quality, bias or explainability job definition,
    the job a monitoring schedule defines inline, or the SDK monitor a schedule is created
    on) have the same setting and are checked the same way: they read the endpoint's
    captured requests and predictions.

    Only jobs known to run on more than one instance are checked: one instance has no inter-node
    traffic, and an instance count from a parameter without a default is not judged (a parameter's
    default counts); nor is a schedule that names a job definition defined apart, whose definition
    is checked instead. Jobs in SageMaker local mode (a `local` instance type, a local session, a
    `ModelTrainer` in `Mode.LOCAL_CONTAINER`, or a variable the code may set to either) are not
    checked."""
    ev = ctx.evidence
    for job in (*aws_jobs(ev), *resources(ev, MONITORING_JOB, MONITORING_SCHEDULE)):
        count = job.get("instance_count")
        if not (count.known and isinstance(count.value, int) and count.value > 1):
            continue
        if _unset(job, "inter_container_encryption"):
            yield _off(
                job,
                "inter_container_encryption",
                f"runs on {count.value} instances and does not encrypt the traffic between them",
            )


@rule(
    code="DP032",
    name="notebook-instance-internet-access",
    risk=Risk.HIGH,
    summary="A SageMaker notebook instance has direct internet access.",
    fix='Set `DirectInternetAccess: Disabled` (`direct_internet_access = "Disabled"` in '
    "Terraform and CDK) and put the instance in a private subnet (`SubnetId`, "
    "`SecurityGroupIds`), reaching AWS services through VPC endpoints.",
    lens_refs=_ENVIRONMENT,
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def notebook_instance_internet_access(ctx: ProjectContext) -> Iterator[Violation]:
    """A notebook instance holds credentials for the project's data and whatever its users
    copied onto it. With direct internet access SageMaker gives it a route to the internet
    outside the project's VPC, so data can leave, and code can come in, past every network
    control the project has. CloudFormation, Terraform, CDK and the API all default to
    `Enabled` when the setting is left out, so an instance that does not say `Disabled`
    has direct internet access. SageMaker accepts `Disabled` only for an instance in a
    subnet. A value from a parameter without a default is not judged."""
    for notebook in resources(ctx.evidence, NOTEBOOK_INSTANCE):
        yield from _risky_default(
            notebook, "direct_internet_access", True, "Enabled", "has direct internet access"
        )


@rule(
    code="DP033",
    name="notebook-instance-root-access",
    risk=Risk.MEDIUM,
    summary="A SageMaker notebook instance gives its users root access.",
    fix='Set `RootAccess: Disabled` (`root_access = "Disabled"` in Terraform and CDK); '
    "install what the users need in a lifecycle configuration, which still runs as root.",
    lens_refs=("MLSEC03-BP02", "MLSEC03-BP01"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def notebook_instance_root_access(ctx: ProjectContext) -> Iterator[Violation]:
    """With root access every notebook user can change the instance itself: install
    software, alter its network settings and security tooling, and read every file on it,
    the other users' included. Least privilege keeps the users unprivileged and installs
    what they need in the lifecycle configuration. CloudFormation, Terraform, CDK and the
    API all default to `Enabled` when the setting is left out. A value from a parameter
    without a default is not judged."""
    for notebook in resources(ctx.evidence, NOTEBOOK_INSTANCE):
        yield from _risky_default(
            notebook, "root_access", True, "Enabled", "gives its users root access"
        )


@rule(
    code="MD052",
    name="notebook-instance-without-kms",
    risk=Risk.MEDIUM,
    summary="A SageMaker notebook instance sets no KMS key for its storage volume.",
    fix="Set `KmsKeyId` (`kms_key_id` in Terraform and CDK) to a customer-managed KMS key.",
    lens_refs=_ENCRYPTION,
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def notebook_instance_without_kms(ctx: ProjectContext) -> Iterator[Violation]:
    """A notebook instance's volume keeps the data its users load, intermediate results and
    often credentials. Without a customer-managed KMS key it is encrypted with a key the
    project does not manage: no key policy says who may decrypt it, and the key cannot be
    disabled to cut access. A key from a parameter or variable is not judged."""
    for notebook in resources(ctx.evidence, NOTEBOOK_INSTANCE):
        if _unset(notebook, "kms_key"):
            yield _off(notebook, "kms_key", "sets no KMS key for its storage volume")


@rule(
    code="MD053",
    name="studio-domain-public-internet",
    risk=Risk.HIGH,
    summary="A SageMaker Studio domain sends its apps' traffic through the public internet.",
    fix='Set `AppNetworkAccessType: VpcOnly` (`app_network_access_type = "VpcOnly"` in '
    "Terraform and CDK) with the domain's subnets and security groups, and VPC endpoints for "
    "the AWS services the users need.",
    lens_refs=("MLSEC04-BP01", "MLSEC03-BP02"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def studio_domain_public_internet(ctx: ProjectContext) -> Iterator[Violation]:
    """In `PublicInternetOnly` mode a Studio domain's apps reach the internet through a
    network SageMaker manages, outside the project's VPC: data can leave and packages come
    in with no security group, route or proxy of the project's in the way. `VpcOnly`
    routes every app's traffic through the domain's own subnets. CloudFormation, Terraform,
    CDK and the API all default to `PublicInternetOnly` when the setting is left out. A
    value from a parameter without a default is not judged."""
    for domain in resources(ctx.evidence, STUDIO_DOMAIN):
        yield from _risky_default(
            domain,
            "app_network_access",
            "PublicInternetOnly",
            "PublicInternetOnly",
            "sends its apps' traffic through the public internet",
        )


@rule(
    code="MD054",
    name="studio-domain-without-kms",
    risk=Risk.MEDIUM,
    summary="A SageMaker Studio domain sets no KMS key for its users' storage.",
    fix="Set `KmsKeyId` (`kms_key_id` in Terraform and CDK) to a customer-managed KMS key.",
    lens_refs=_ENCRYPTION,
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def studio_domain_without_kms(ctx: ProjectContext) -> Iterator[Violation]:
    """A Studio domain keeps every user's home directory on the domain's Amazon EFS volume,
    and each space's files on an EBS volume: notebooks, the data the users load,
    intermediate results, often credentials. Without a customer-managed KMS key SageMaker
    encrypts them with an AWS managed key: no key policy of the project's says who may
    decrypt them, and the key cannot be disabled to cut access. CloudFormation, Terraform,
    CDK and the API all leave the key out unless it is given. A key from a parameter or
    variable is not judged."""
    for domain in resources(ctx.evidence, STUDIO_DOMAIN):
        if _unset(domain, "kms_key"):
            yield _off(domain, "kms_key", "sets no KMS key for its users' storage")


@rule(
    code="DP034",
    name="notebook-instance-imdsv1",
    risk=Risk.MEDIUM,
    summary="A SageMaker notebook instance answers IMDSv1 requests for its role's credentials.",
    fix='Set `InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: "2"}`'
    " (`instance_metadata_service_configuration { minimum_instance_metadata_service_version "
    '= "2" }` in Terraform, the same property in CDK), after checking that nothing on the '
    "instance still calls IMDSv1.",
    lens_refs=("MLSEC03-BP02", "MLSEC03-BP01"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def notebook_instance_imdsv1(ctx: ProjectContext) -> Iterator[Violation]:
    """The instance metadata service hands out the credentials of the notebook instance's
    execution role. Version 1 answers any plain GET request, so a server-side request
    forgery in anything the instance runs (a notebook's web app, a proxied dashboard, a
    library that fetches URLs it is given) can read the role's keys and use them from
    anywhere. Version 2 asks for a session token obtained with a PUT first, which such a
    request cannot send. The API reference says that when
    `MinimumInstanceMetadataServiceVersion` is not given to `CreateNotebookInstance`, it
    defaults to `1`, IMDSv1 and IMDSv2 both allowed; CloudFormation, Terraform and CDK pass
    nothing when the setting is left out. A value from a parameter without a default is not
    judged."""
    for notebook in resources(ctx.evidence, NOTEBOOK_INSTANCE):
        yield from _risky_default(
            notebook, "imds_version", "1", "1", "answers IMDSv1 requests for its role's credentials"
        )


# SDK model classes whose container runs none of the project's code, or whose isolation is
# not the project's to set: Amazon's built-in algorithms' models (KMeansModel …), JumpStart
# models (isolated as each model's specification says), model packages (the SDK isolates a
# Marketplace package, as SageMaker requires, and takes no setting for the others), the
# Chainer container, which SageMaker cannot run isolated, and ModelBuilder, whose model's
# settings come from what it builds.
_MODEL_ISOLATION_EXEMPT = frozenset(
    {
        *(f"{algorithm}Model" for algorithm in AMAZON_ALGORITHMS),
        "JumpStartModel",
        "ModelPackage",
        "ChainerModel",
        "ModelBuilder",
    }
)


@rule(
    code="DE021",
    name="model-without-network-isolation",
    risk=Risk.MEDIUM,
    summary="A SageMaker model's inference container runs with network access.",
    fix="Pass `enable_network_isolation=True` to the model (`EnableNetworkIsolation: true` in "
    "an API request or CloudFormation, `enable_network_isolation = true` in Terraform and "
    "CDK), with everything the container loads (weights, packages) in the model artefact or "
    "the image.",
    lens_refs=_ENVIRONMENT,
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def model_without_network_isolation(ctx: ProjectContext) -> Iterator[Violation]:
    """An endpoint's or a batch transform's container runs the project's inference code and
    every dependency it loads, on every request sent to it. With network isolation
    SageMaker gives the container no network at all (it still loads the model artefact
    itself), so neither a compromised dependency nor an input crafted to exploit the code
    can send requests and predictions elsewhere or fetch code that was never reviewed.

    A container that downloads its model at start (a Hugging Face model named by
    `HF_MODEL_ID`) needs the network; the safer design packs the weights into the model
    artefact and isolates the container. Where that is not possible, keep the model in a
    VPC whose egress is controlled and record the accepted risk as a waiver. That is why
    the risk is medium.

    Read: `AWS::SageMaker::Model`, `aws_sagemaker_model`, CDK's `CfnModel` (Python and
    TypeScript), boto3's `create_model`, and the SDK's model classes (`Model`,
    `PyTorchModel`, `HuggingFaceModel` …) that the same file deploys or runs a batch
    transform with, in AWS rather than local mode. A model an estimator's `deploy()`
    creates has the estimator's setting, which `training-without-network-isolation`
    reports. Not checked: models whose container runs AWS's code and none of the
    project's — the SDK's models of Amazon's built-in algorithms (`KMeansModel` …), and a
    model on a built-in algorithm's image (`image_uris.retrieve("xgboost", …)`, or a
    literal image URI in that algorithm's ECR repository) with no script of the project's
    (`entry_point`, `source_dir`, a `SAGEMAKER_PROGRAM` environment variable); JumpStart
    models, model packages (SageMaker isolates a Marketplace package itself), Chainer
    models, whose container cannot run isolated, and ModelBuilder. A value from a
    parameter or `**kwargs` is not judged."""
    ev = ctx.evidence
    for model in resources(ev, MODEL):
        if _serves_algorithm(model) or (
            _sdk_object(model)
            and (model.type in _MODEL_ISOLATION_EXEMPT or not _served_in_aws(ev, model))
        ):
            continue
        if _unset(model, "network_isolation"):
            yield _off(model, "network_isolation", "serves without network isolation")


def _serves_algorithm(model: Resource) -> bool:
    """Whether a model serves a built-in algorithm's container (by its ``image_uris`` name,
    or a literal image URI in the algorithm's ECR repository) with no script of the
    project's: AWS's code only."""
    container = model.get("aws_container")
    image = model.get("image")
    if container.known:
        name = container.value
    elif image.known and isinstance(image.value, str):
        name = aws_image(image.value)
    else:
        return False
    return name in BUILT_IN_ALGORITHM_IMAGES and model.get("own_code").falsy()


def _sdk_object(resource: Resource) -> bool:
    """A resource the SageMaker Python SDK builds, not a boto3 request."""
    return resource.source == "sdk" and not resource.type.startswith("boto3")


def _served_in_aws(ev: Evidence, model: Resource) -> bool:
    """Whether an SDK model object is deployed or runs a batch transform, in AWS: the SDK
    creates the SageMaker model only then."""
    served = ev.memo(_models_served_in_aws, lambda: _models_served_in_aws(ev))
    return (model.location.path, model.name) in served


def _models_served_in_aws(ev: Evidence) -> frozenset[tuple[str, str]]:
    """The models that endpoints and batch transforms in AWS serve, by file and name: found
    in one pass, not among every endpoint and transform again for each model."""
    return frozenset(
        (use.location.path, served.value)
        for use in resources(ev, ENDPOINT, TRANSFORM_JOB)
        if (served := use.get("model")).known
        and isinstance(served.value, str)
        and not is_local_mode(use)
    )
