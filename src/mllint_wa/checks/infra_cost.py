"""What the project's AWS resources cost while they run and while they sit idle: instance
generations, runtime caps, Spot capacity, cost-allocation tags, and how long data and logs
are kept.

Every rule reads the resource model (:mod:`mllint_wa.evidence.resources`), so one rule
covers SageMaker SDK and boto3 calls, CDK apps and, as their extractors register,
CloudFormation and Terraform. A rule fires on an absent or known-bad value only; an unknown
value, an opaque resource (``**kwargs``), an instance type that is not an ``ml.*`` type
and the SDK's local mode stay silent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.endpoints import throwaways
from mllint_wa.evidence.instances import (
    family,
    instance_sites,
    is_accelerated,
    is_local_mode,
    shown,
)
from mllint_wa.model import Risk, Stage, Violation
from mllint_wa.registry import rule

# Previous-generation instance families SageMaker still accepts, with what replaces them.
# The EC2 "Previous Generation Instances" upgrade paths (https://aws.amazon.com/ec2/
# previous-generation/) list M4, C4, R4, T2's T3 successor and the P2/P3 GPUs; AWS retired
# P2 and M4 from its own SageMaker build fleet in 2024. G4dn is not here: it is a current
# family (SageMaker Studio's default GPU instance).
PREVIOUS_GENERATION: Mapping[str, str] = {
    "m4": "ml.m5 or a later general-purpose family (ml.m6i, ml.m7i)",
    "c4": "ml.c5 or a later compute-optimised family (ml.c6i, ml.c7i)",
    "r4": "ml.r5 or a later memory-optimised family (ml.r6i, ml.r7i)",
    "t2": "ml.t3",
    "p2": "ml.g4dn or ml.g5",
    "p3": "ml.g5 for single-GPU work, ml.p4d or ml.p5 for large training, ml.trn1 where "
    "the framework supports it",
    "p3dn": "ml.p4d or ml.p5",
}

# SageMaker stops a training job after one day when no maximum runtime is given (the v2
# SDK's `max_run` default is 24 * 60 * 60 and the API's StoppingCondition default is 1 day).
DEFAULT_MAX_RUNTIME = 24 * 60 * 60
# A job allowed to run past that default, where Spot savings outweigh the wait for capacity
# (`max_wait`). A cap is a bound, not a duration: it makes a job long only for one built to
# resume (it saves checkpoints).
LONG_TRAINING = DEFAULT_MAX_RUNTIME

# SageMaker resources that bill for their instances, and so need cost-allocation tags:
# models, endpoint configurations and pipelines bill nothing of their own (the endpoint and
# the jobs that run them do).
_BILLED_KINDS = (rm.TRAINING_JOB, rm.PROCESSING_JOB, rm.ENDPOINT, rm.NOTEBOOK_INSTANCE)


@rule(
    code="MD070",
    name="previous-generation-instance",
    risk=Risk.MEDIUM,
    summary="A job, endpoint or notebook runs on a previous-generation instance family.",
    fix="Move to the current family named in the message (e.g. `ml.m4.xlarge` → "
    "`ml.m5.xlarge`), then benchmark: it usually costs less for the same work.",
    lens_refs=("MLPERF04-BP01", "MLCOST04-BP01", "MLCOST05-BP02", "MLSUS05-BP02"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def previous_generation_instance(ctx: ProjectContext) -> Iterator[Violation]:
    """Previous-generation families (`ml.m4`, `ml.c4`, `ml.r4`, `ml.t2`, `ml.p2`, `ml.p3`)
    do less work per dollar and per watt than the families that replaced them, and AWS
    retires them over time. The ML Lens asks for deliberately chosen, efficient instance
    types for training and hosting.

    Read from training, processing and batch transform jobs, notebook instances, SDK
    `.deploy(...)` calls and each production variant of an endpoint configuration. An
    instance type from a parameter, what the SDK runs in local mode (a `local` instance
    type, or a `LocalSession` or `LocalPipelineSession`, whatever type it names) and types
    the table does not list are not findings."""
    for site in instance_sites(ctx.evidence):
        name = family(site.value.value) if site.value.known else None
        replacement = PREVIOUS_GENERATION.get(name or "")
        if replacement is None:
            continue
        yield Violation(
            f"{site.shown} uses `{site.value.value}`, a previous-generation instance "
            f"family (current choice: {replacement})",
            site.location,
            anchor=site.anchor,
        )


def _training_jobs(ctx: ProjectContext) -> Iterator[rm.Resource]:
    """Training jobs that run on AWS (not in the SDK's local mode)."""
    for resource in rm.resources(ctx.evidence, rm.TRAINING_JOB):
        if not is_local_mode(resource):
            yield resource


@rule(
    code="MD071",
    name="training-without-max-runtime",
    risk=Risk.LOW,
    summary="A GPU or Trainium training job leaves its maximum runtime to SageMaker's "
    "one-day default.",
    fix="Set the cap to a little above the expected duration: `max_run=` in the SDK, "
    "`StoppingCondition.MaxRuntimeInSeconds` in a request or template.",
    lens_refs=("MLCOST04-BP06", "MLCOST04-BP08", "MLSUS04-BP01"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def training_without_max_runtime(ctx: ProjectContext) -> Iterator[Violation]:
    """The maximum runtime is the stopping condition that caps what a hung or diverging
    job costs. Without one SageMaker stops a training job after one day (the SDK's
    `max_run` and the API's `MaxRuntimeInSeconds` both default to a day), so an absent cap
    is not an unbounded job, and on a CPU instance the default day costs little: those are
    not findings. On accelerated instances (the `ml.p*`, `ml.g*`, `ml.trn*` and `ml.dl*`
    families) a forgotten day is expensive, so there the cap should be a decision. Any cap
    answers it, a generous one too: MD073 `long-training-without-spot` does not take a cap
    by itself for the job's duration.

    A cap from a parameter, an unknown instance type, jobs in SageMaker local mode (a `local`
    instance type or a local session, a `ModelTrainer` in `Mode.LOCAL_CONTAINER`, or a variable the
    code may set to either) and `**kwargs` are not findings."""
    for resource in _training_jobs(ctx):
        instance = resource.get("instance_type")
        if resource.opaque or not resource.get("max_runtime").absent:
            continue
        if not (instance.known and is_accelerated(instance.value)):
            continue
        yield Violation(
            f"{shown(resource)} runs on `{instance.value}` with no maximum runtime: a "
            "hung job bills its accelerated instances for SageMaker's default day",
            resource.location,
            anchor=f"{resource.anchor}:max_runtime",
        )


@rule(
    code="MD072",
    name="spot-training-without-checkpoints",
    risk=Risk.MEDIUM,
    summary="A managed Spot training job has no checkpoint location.",
    fix="Give the job an S3 checkpoint location (`checkpoint_s3_uri=` in the SDK, "
    "`CheckpointConfig.S3Uri` in a request) and save checkpoints to `/opt/ml/checkpoints`.",
    lens_refs=("MLCOST04-BP10", "MLCOST04-BP06"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def spot_training_without_checkpoints(ctx: ProjectContext) -> Iterator[Violation]:
    """Spot capacity can be reclaimed at any time. With a checkpoint location SageMaker
    copies `/opt/ml/checkpoints` to S3 and restores it when the job resumes; without one,
    every interruption starts training again from the first step, so the Spot discount is
    paid back in repeated work, and a long job may never finish within `max_wait`.

    A checkpoint location from a parameter counts as set; jobs in SageMaker local mode (a `local`
    instance type or a local session, a `ModelTrainer` in `Mode.LOCAL_CONTAINER`, or a variable the
    code may set to either) are not checked."""
    for resource in _training_jobs(ctx):
        spot = resource.get("use_spot")
        if not spot.is_(True) or not resource.get("checkpoint_uri").absent:
            continue
        yield Violation(
            f"{shown(resource)} uses managed Spot training without a checkpoint location: "
            "an interruption restarts training from the beginning",
            resource.where("use_spot"),
            anchor=f"{resource.anchor}:checkpoint_uri",
        )


@rule(
    code="MD073",
    name="long-training-without-spot",
    risk=Risk.LOW,
    summary="A training job that saves checkpoints and may run longer than a day uses "
    "on-demand capacity.",
    fix="Use managed Spot training (`use_spot_instances=True` with `max_wait=` at or above "
    "`max_run`; `EnableManagedSpotTraining` in a request) where the schedule allows "
    "interruptions: the job resumes from its checkpoints.",
    lens_refs=("MLCOST04-BP06", "MLCOST04-BP10"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def long_training_without_spot(ctx: ProjectContext) -> Iterator[Violation]:
    """Managed Spot training costs up to 90% less than on-demand capacity. An interruption
    costs a job that saves checkpoints only the time to resume, so for a long job built to
    resume the saving comes almost free; for a short job the saving is small and waiting for
    capacity may cost more time than it saves.

    A definition does not say how long a job runs: its maximum runtime is a bound, which MD071
    `training-without-max-runtime` asks to set, a generous one included. So the rule fires only on a
    job that saves checkpoints (an S3 checkpoint location is given) and whose maximum runtime is
    known and longer than SageMaker's one-day default, when Spot training is not switched on. A job
    without checkpoints, however long its cap, is not a finding; nor is a runtime, checkpoint
    location or Spot setting from a parameter, or a job in SageMaker local mode (a `local` instance
    type or a local session, a `ModelTrainer` in `Mode.LOCAL_CONTAINER`, or a variable the code may
    set to either)."""
    for resource in _training_jobs(ctx):
        runtime = resource.get("max_runtime")
        if not (runtime.known and isinstance(runtime.value, int)):
            continue
        if runtime.value <= LONG_TRAINING or not resource.get("use_spot").falsy():
            continue
        if not resource.get("checkpoint_uri").known:
            continue
        yield Violation(
            f"{shown(resource)} saves checkpoints and may run {_duration(runtime.value)} on "
            "on-demand capacity: managed Spot training resumes from them and costs up to 90% "
            "less",
            resource.where("max_runtime"),
            anchor=f"{resource.anchor}:use_spot",
        )


def _duration(seconds: int) -> str:
    hours = seconds / 3600
    return f"{hours:g} hours" if hours < 48 else f"{hours / 24:g} days"


@rule(
    code="MD074",
    name="missing-cost-tags",
    risk=Risk.MEDIUM,
    summary="A SageMaker resource carries no cost-allocation tags.",
    fix="Tag it with at least the keys your cost-allocation reports group by (e.g. "
    '`tags=[{"Key": "project", "Value": "churn"}]`, or `Tags.of(app).add(...)` in CDK, '
    "`default_tags` in Terraform).",
    lens_refs=("MLCOST04-BP12", "MLCOST06-BP01"),
    requires_manifest=False,
    preview=True,
)
def missing_cost_tags(ctx: ProjectContext) -> Iterator[Violation]:
    """Cost Explorer and budgets attribute SageMaker spend to a project, team or
    environment only through cost-allocation tags; an untagged training job, endpoint or
    notebook is spend nobody can trace. The ML Lens asks for budgets and tags on ML
    resources.

    Checked on what bills for its instances: training and processing jobs, endpoints and
    notebook instances. Models, endpoint configurations and pipelines bill nothing of their own
    and are not asked. Tags given from outside a resource count: applied to a whole CDK app,
    stack or construct (`Tags.of(x).add(key, value)`, positional or by keyword, or `tags=` where
    the app instantiates a stack); Terraform's `default_tags`; a CloudFormation stack's tags,
    from a CodePipeline template configuration file (`{"Parameters": …, "Tags": {…}}`) in the
    template's folder or from a boto3 `create_stack`/`update_stack`/`create_change_set` with
    `Tags` whose template is named in the call (a parent stack's reach its nested stacks); and
    an SDK pipeline's tags (`pipeline.upsert(tags=…)` or `create(tags=…)`, also an `upsert`
    on a result this reading cannot trace in a module building one pipeline) for the jobs its
    steps run, unknown for a pipeline the module builds but does not create (a `get_pipeline()`
    that another script or a CI job creates, tagging it there). A deploy script that tags a
    stack whose template cannot be told leaves every template's tags unknown. Tags from a
    parameter, local-mode jobs and endpoints, endpoints that the code creating them deletes
    further on (a demo's throwaway) and `**kwargs` are not findings."""
    ev = ctx.evidence
    throwaway = throwaways(ev)
    for resource in rm.resources(ev, *_BILLED_KINDS):
        if resource.opaque or is_local_mode(resource) or resource.anchor in throwaway:
            continue
        if not resource.get("tags").falsy():
            continue
        yield Violation(
            f"{shown(resource)} has no cost-allocation tags: its spend cannot be traced to "
            "a project or team",
            resource.where("tags"),
            anchor=f"{resource.anchor}:tags",
        )


@rule(
    code="MD075",
    name="notebook-instance-without-auto-stop",
    risk=Risk.MEDIUM,
    summary="A notebook instance has nothing that stops it when it is idle.",
    fix="Attach a lifecycle configuration whose on-start script installs an idle auto-stop "
    "(e.g. the `auto-stop-idle` script of aws-samples/amazon-sagemaker-notebook-instance-"
    "lifecycle-config-samples).",
    lens_refs=("MLCOST04-BP08", "MLSUS03-BP01"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def notebook_instance_without_auto_stop(ctx: ProjectContext) -> Iterator[Violation]:
    """A notebook instance bills every hour it is running, used or not, and people forget
    to stop them. The usual remedy is a lifecycle configuration whose on-start script
    stops the instance after an idle period.

    Fires when a notebook instance has no lifecycle configuration, or when its lifecycle
    configuration is defined in the project and its on-start script mentions no idle
    auto-stop. A configuration defined elsewhere (named but not in the project), a script
    from a file or parameter, and `**kwargs` are not findings."""
    ev = ctx.evidence
    for notebook in rm.resources(ev, rm.NOTEBOOK_INSTANCE):
        if notebook.opaque:
            continue
        link = notebook.get("lifecycle_config")
        if link.absent:
            yield Violation(
                f"{shown(notebook)} has no lifecycle configuration, so nothing stops it "
                "when it is idle",
                notebook.location,
                anchor=f"{notebook.anchor}:lifecycle_config",
            )
            continue
        config = rm.by_name(ev, rm.NOTEBOOK_LIFECYCLE, link.value) if link.known else None
        if config is None or config.opaque or not config.get("auto_stop").falsy():
            continue
        yield Violation(
            f"{shown(notebook)}: the on-start script of lifecycle configuration "
            f"`{config.name}` never stops the instance when it is idle",
            notebook.where("lifecycle_config"),
            anchor=f"{notebook.anchor}:lifecycle_config",
        )


@rule(
    code="DP050",
    name="bucket-without-lifecycle",
    risk=Risk.MEDIUM,
    summary="An S3 bucket has no enabled lifecycle rule.",
    fix="Add a lifecycle rule that expires or transitions what the project no longer "
    "needs (raw extracts, intermediate features, old model artifacts, noncurrent versions).",
    lens_refs=("MLSEC03-BP05", "MLSUS03-BP02", "MLSUS04-BP03"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def bucket_without_lifecycle(ctx: ProjectContext) -> Iterator[Violation]:
    """ML projects accumulate data: raw extracts, features, checkpoints, model artifacts.
    Without a lifecycle rule a bucket keeps all of it, at full storage price, for ever —
    data the ML Lens asks to minimise (privacy), to move to colder storage or delete
    (sustainability, cost).

    Rules from a parameter, rules added after construction in CDK
    (`add_lifecycle_rule`), Terraform's separate lifecycle-configuration resource and
    `**kwargs` are read as the resource model reads them: only an absent or disabled rule
    set is a finding."""
    for bucket in rm.resources(ctx.evidence, rm.BUCKET):
        if bucket.opaque or not bucket.get("lifecycle_rules").falsy():
            continue
        yield Violation(
            f"{shown(bucket)} has no enabled lifecycle rule: everything written to it is "
            "kept, and billed, for ever",
            bucket.where("lifecycle_rules"),
            anchor=f"{bucket.anchor}:lifecycle_rules",
        )


@rule(
    code="MO020",
    name="log-group-without-retention",
    risk=Risk.LOW,
    summary="A CloudWatch log group keeps its logs for ever.",
    fix="Set a retention period that matches how long the logs are used (e.g. "
    "`RetentionInDays: 90`, `retention=logs.RetentionDays.THREE_MONTHS`).",
    lens_refs=("MLCOST06-BP04", "MLSUS04-BP03", "MLSEC03-BP05"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def log_group_without_retention(ctx: ProjectContext) -> Iterator[Violation]:
    """Training, processing and inference logs are useful for weeks, rarely for years. A
    log group without a retention period (CloudFormation and Terraform leave it unset, or
    set it to 0) or set to never expire keeps, and bills, every line for ever.

    CDK's `LogGroup` keeps logs for two years (731 days) when no retention is given: that
    is a known period, not a finding. A retention from a parameter is not a finding."""
    for group in rm.resources(ctx.evidence, rm.LOG_GROUP):
        retention = group.get("retention_days")
        if group.opaque or retention.unknown:
            continue
        if retention.known and retention.value:
            continue
        detail = "sets no retention" if retention.absent else "is set never to expire"
        yield Violation(
            f"{shown(group)} {detail}: its logs are kept, and billed, for ever",
            group.where("retention_days"),
            anchor=f"{group.anchor}:retention_days",
        )
