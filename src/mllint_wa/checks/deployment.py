"""DE: deployment — how the model is served: endpoint capacity and scaling, safe releases, the
model registry, and what lens.toml says about the deployment against what the
infrastructure defines.

Every rule reads the resource model (SDK calls, CloudFormation/SAM, Terraform, CDK) through
:mod:`mllint_wa.evidence.endpoints`, so each is written once for every source. A value the
sources leave unknown (a parameter without a default, a variable, ``**kwargs``) is never a
finding.
"""

from __future__ import annotations

from collections.abc import Iterator

from mllint_wa.context import ProjectContext
from mllint_wa.evidence.deployment import SAGEMAKER_BATCH, SAGEMAKER_ENDPOINT, deployment
from mllint_wa.evidence.endpoints import Variant, scaling, throwaways, variants
from mllint_wa.evidence.model_registry import unregistered_models, uses_model_registry
from mllint_wa.evidence.resources import (
    ENDPOINT,
    ENDPOINT_CONFIG,
    Resource,
    resources,
)
from mllint_wa.model import Location, Risk, Stage, Violation
from mllint_wa.registry import rule

# `[deployment] strategy` values that ask for a guarded (gradual or blue/green) release.
GUARDED_STRATEGIES = ("blue-green", "canary")
# What an endpoint's DeploymentConfig does, in the manifest's vocabulary, and which
# configured strategies satisfy each declared one. Canary and linear traffic shifting are
# forms of SageMaker blue/green; an endpoint with no DeploymentConfig is updated all at once.
LINEAR = "linear"
ROLLING = "rolling"
ALL_AT_ONCE = "all-at-once"
SATISFIES = {
    "blue-green": ("blue-green", "canary", LINEAR),
    "canary": ("canary", LINEAR),
    ALL_AT_ONCE: (ALL_AT_ONCE, "blue-green"),
}
_TRAFFIC = {"ALL_AT_ONCE": "blue-green", "CANARY": "canary", "LINEAR": LINEAR}
# Where a configured strategy is written; all-at-once, written nowhere, is the endpoint's.
_STRATEGY_PROPERTY = {
    "blue-green": "blue_green",
    "canary": "traffic_routing",
    LINEAR: "traffic_routing",
    ROLLING: "rolling_update",
}


def _endpoints(ctx: ProjectContext) -> Iterator[Resource]:
    """Each endpoint serving at least one real-time, instance-based variant, once; not one
    a configuration deploys for a stage before production."""
    seen: set[str] = set()
    for variant in variants(ctx.evidence):
        endpoint = variant.endpoint
        if variant.pre_production:
            continue
        if endpoint is not None and endpoint.anchor not in seen:
            seen.add(endpoint.anchor)
            yield endpoint


@rule(
    code="DE003",
    name="single-instance-endpoint",
    risk=Risk.HIGH,
    summary="A production endpoint variant runs on one instance: one failure takes it down.",
    fix="Run at least two instances (`InitialInstanceCount: 2`, `initial_instance_count=2`) so "
    "that SageMaker spreads them across Availability Zones, or scale from a minimum of two.",
    lens_refs=("MLREL05-BP01", "MLREL05-BP02"),
    requires_manifest=False,
)
def single_instance_endpoint(ctx: ProjectContext) -> Iterator[Violation]:
    """SageMaker spreads an endpoint's instances across Availability Zones; a variant with one
    instance has nowhere to fail over to, so an instance or zone failure, or a host replacement,
    is an outage. The rule reads each real-time, instance-based production variant (an SDK
    ``.deploy()``, or an endpoint configuration's ``ProductionVariants``) and fires when its
    initial instance count is known to be 1 — a literal, a parameter's or variable's default, or
    the value a template configuration file or deploy command gives a CloudFormation parameter.
    It applies when the project's stage is ``production``: one instance is the right size for a
    development endpoint, and so for an endpoint a template is deployed with by a configuration
    named for an earlier stage (``staging-config.json``, ``deploy-dev.sh``; a word of the name
    is dev, develop, development, test, testing, staging, stage, stg, qa, uat, sandbox, demo,
    preprod or beta), which is not asked. Serverless and asynchronous endpoints have no
    instance count and are not asked; an unknown count is not a finding. Endpoints the SDK
    runs in local mode (`instance_type="local"`, a local session, or a variable the code may
    set to either), and endpoints and configurations that the code creating them deletes
    further on (`predictor.delete_endpoint()`, a boto3 `delete_endpoint`/
    `delete_endpoint_config` by name, with the configurations only such endpoints serve), are
    demos' throwaways and are not reported. A pilot that accepts the risk says so with a
    `[waivers.DE003]` entry."""
    if ctx.stage is not Stage.PRODUCTION:
        return
    reported: set[str] = set()
    for variant in variants(ctx.evidence):
        if variant.pre_production:
            continue
        if variant.get("instance_count").is_(1) and variant.anchor not in reported:
            reported.add(variant.anchor)
            yield Violation(
                f"{variant.describe()} runs on one instance (`instance_count` is 1): "
                "run at least two for availability",
                variant.where("instance_count"),
                anchor=f"{variant.anchor}:instance_count",
            )


@rule(
    code="DE010",
    name="endpoint-without-autoscaling",
    risk=Risk.MEDIUM,
    summary="A real-time endpoint variant has no Application Auto Scaling target.",
    fix="Register the variant as a scalable target (`AWS::ApplicationAutoScaling::"
    "ScalableTarget`, `aws_appautoscaling_target`, CDK `ScalableTarget`) with ResourceId "
    "`endpoint/<name>/variant/<variant>` and a target-tracking policy on "
    "`SageMakerVariantInvocationsPerInstance`.",
    lens_refs=("MLREL05-BP01", "MLCOST05-BP03", "MLCOST06-BP03"),
    requires_manifest=False,
    preview=True,
)
def endpoint_without_autoscaling(ctx: ProjectContext) -> Iterator[Violation]:
    """A fixed fleet is both too small for a traffic peak and too large at night: the lens asks for
    automatic scaling of the endpoint variant, with a target-tracking policy on invocations per
    instance. The rule fires for each real-time, instance-based variant of an endpoint the
    project defines when no scaling target's resource ID (or endpoint link) points at that
    endpoint and variant. It stays silent when a scaling target cannot be placed (its resource
    ID is an expression, or boto3 registers one in code), for a configuration no endpoint here
    names, and for serverless or asynchronous endpoints, which scale by themselves or
    differently, or for a variant given SageMaker's managed instance scaling (or one whose
    setting may give it). Endpoints the SDK runs in local mode (`instance_type="local"`, a local
    session, or a variable the code may set to either), and endpoints and configurations that
    the code creating them deletes further on (`predictor.delete_endpoint()`, a boto3
    `delete_endpoint`/`delete_endpoint_config` by name, with the configurations only such
    endpoints serve), are demos' throwaways and are not reported, nor is an endpoint read for a
    configuration named for a stage before production (as DE003 `single-instance-endpoint`
    tells). It is about something missing, so it applies in production, or as soon as the
    project defines an endpoint."""
    targets = scaling(ctx.evidence)
    for variant in variants(ctx.evidence):
        managed = variant.get("managed_scaling")
        if not (managed.absent or managed.is_(False)):
            continue
        if targets.covers(variant) is False and not variant.pre_production:
            yield Violation(
                f"{variant.describe()} has no autoscaling: no scaling target points at "
                f"{_served(variant)}",
                variant.where("variant_name"),
                anchor=f"{variant.anchor}:{_served(variant)}:autoscaling",
            )


def _served(variant: Variant) -> str:
    """The endpoint and variant a scaling target would name."""
    assert variant.endpoint is not None  # Scaling.covers decides only for served variants
    shown = f"`{variant.name}`" if variant.name else f"#{variant.index + 1}"
    if variant.config is None:
        return f"its variant {shown}"
    return f"endpoint `{variant.endpoint.name}` variant {shown}"


def _guardrails(endpoint: Resource) -> Violation | None:
    """Why an endpoint's updates are unguarded, or None when they are guarded or cannot
    be read."""
    blue_green, rolling = endpoint.get("blue_green"), endpoint.get("rolling_update")
    alarms = endpoint.get("auto_rollback_alarms")
    if blue_green.unknown or rolling.unknown or alarms.unknown:
        return None
    if blue_green.falsy() and rolling.falsy():
        if endpoint.opaque:
            return None
        return Violation(
            f"endpoint `{endpoint.name}` has no `DeploymentConfig`: updates replace the model "
            "all at once, with no blue/green traffic shifting and no automatic rollback",
            endpoint.location,
            anchor=f"{endpoint.anchor}:deployment_config",
        )
    if alarms.falsy():
        policy = "blue_green" if blue_green.is_(True) else "rolling_update"
        return Violation(
            f"endpoint `{endpoint.name}` shifts traffic without auto-rollback alarms: "
            "`AutoRollbackConfiguration` names no CloudWatch alarm",
            endpoint.where("auto_rollback_alarms" if not alarms.absent else policy),
            anchor=f"{endpoint.anchor}:auto_rollback_alarms",
        )
    return None


@rule(
    code="DE011",
    name="deployment-without-guardrails",
    risk=Risk.MEDIUM,
    summary="Endpoint updates have no blue/green or canary deployment with auto-rollback alarms.",
    fix="Add a `DeploymentConfig` with a `BlueGreenUpdatePolicy` (canary or linear traffic "
    "routing) and an `AutoRollbackConfiguration` naming the CloudWatch alarms (5xx errors, "
    "latency) that roll a bad release back.",
    lens_refs=("MLREL04-BP02", "MLREL04-BP01"),
    requires_manifest=False,
)
def deployment_without_guardrails(ctx: ProjectContext) -> Iterator[Violation]:
    """A new model version that misbehaves in production should reach a fraction of the traffic and
    be rolled back automatically, not replace the old one for everyone. SageMaker does this with
    an endpoint's ``DeploymentConfig``: a blue/green update (all at once after baking, canary or
    linear traffic shifting) or a rolling update, with ``AutoRollbackConfiguration`` alarms. The
    rule fires for each endpoint serving real-time, instance-based variants that has no such
    policy, or has one with no rollback alarm — when `[deployment] strategy` is ``blue-green``
    or ``canary``, or when the stage is ``production`` and no strategy is declared. A declared
    ``all-at-once`` or ``shadow`` strategy is the team's recorded choice (DE012 checks it
    against the configuration). SDK ``.deploy()`` calls cannot set a deployment policy, so they
    are held to it too. Endpoints the SDK runs in local mode (`instance_type="local"`, a local
    session, or a variable the code may set to either), and endpoints and configurations that
    the code creating them deletes further on (`predictor.delete_endpoint()`, a boto3
    `delete_endpoint`/`delete_endpoint_config` by name, with the configurations only such
    endpoints serve), are demos' throwaways and are not reported; nor is an endpoint read for a
    configuration named for a stage before production (as DE003 `single-instance-endpoint`
    tells)."""
    strategy = ctx.declared("deployment.strategy")
    asked = strategy in GUARDED_STRATEGIES or (strategy is None and ctx.stage is Stage.PRODUCTION)
    if not asked:
        return
    for endpoint in _endpoints(ctx):
        found = _guardrails(endpoint)
        if found is not None:
            yield found


def _configured_strategy(endpoint: Resource) -> str | None:
    """The endpoint's release strategy in the manifest's vocabulary; None when unreadable."""
    blue_green, rolling = endpoint.get("blue_green"), endpoint.get("rolling_update")
    if blue_green.is_(True):
        routing = endpoint.get("traffic_routing")
        if routing.absent:
            return "blue-green"
        return _TRAFFIC.get(routing.value) if routing.known else None
    if rolling.is_(True):
        return ROLLING
    if blue_green.falsy() and rolling.falsy() and not endpoint.opaque:
        return ALL_AT_ONCE
    return None


@rule(
    code="DE012",
    name="deployment-strategy-mismatch",
    risk=Risk.MEDIUM,
    summary="`[deployment] strategy` says one release strategy; the endpoint configures another.",
    fix="Make the endpoint's `DeploymentConfig` do what `[deployment] strategy` says, or "
    "correct the manifest.",
    lens_refs=("MLREL04-BP02",),
    example='[deployment]\nstrategy = "canary"',
)
def deployment_strategy_mismatch(ctx: ProjectContext) -> Iterator[Violation]:
    """The manifest's release strategy is what reviewers and on-call engineers rely on; an endpoint
    that releases differently makes the manifest wrong and the release riskier than everyone
    believes. Each endpoint's ``DeploymentConfig`` is read as a strategy: a
    ``BlueGreenUpdatePolicy`` shifting traffic ``ALL_AT_ONCE`` is ``blue-green``, ``CANARY`` is
    ``canary``, ``LINEAR`` is a gradual (canary-like) shift, a ``RollingUpdatePolicy`` is a
    rolling update, and no ``DeploymentConfig`` at all (an SDK ``.deploy()`` included) is
    ``all-at-once``. Declared ``blue-green`` accepts every blue/green form; ``canary`` accepts
    canary and linear; ``all-at-once`` accepts all-at-once and blue/green without a gradual
    shift. ``shadow`` (shadow variants) is not read, so it is never a mismatch; an unknown
    policy is not a finding. Endpoints the SDK runs in local mode (`instance_type="local"`, a
    local session), and endpoints and configurations that the code creating them deletes further
    on (`predictor.delete_endpoint()`, a boto3 `delete_endpoint`/`delete_endpoint_config` by
    name, with the configurations only such endpoints serve), are demos' throwaways and are not
    reported; nor is an endpoint read for a configuration named for a stage before production
    (as DE003 `single-instance-endpoint` tells)."""
    strategy = ctx.declared("deployment.strategy")
    accepted = SATISFIES.get(strategy or "")
    if accepted is None:
        return
    for endpoint in _endpoints(ctx):
        configured = _configured_strategy(endpoint)
        if configured is None or configured in accepted:
            continue
        yield Violation(
            f'lens.toml declares `strategy = "{strategy}"` but endpoint `{endpoint.name}` '
            f"is released {_shown(configured)}",
            endpoint.where(_STRATEGY_PROPERTY.get(configured, "deployment_config")),
            anchor=f"{endpoint.anchor}:strategy",
        )


def _shown(strategy: str) -> str:
    return {
        ALL_AT_ONCE: "all at once (no `DeploymentConfig`)",
        ROLLING: "by a rolling update",
        LINEAR: "by linear traffic shifting",
        "canary": "by canary traffic shifting",
        "blue-green": "blue/green with all traffic shifted at once",
    }[strategy]


@rule(
    code="DE013",
    name="model-not-registered",
    risk=Risk.MEDIUM,
    summary="A deployed model bypasses a model registry: no model package, and nothing in the "
    "project registers models.",
    fix="Register each trained model in a SageMaker model package group (a pipeline "
    "`RegisterModel`/`ModelStep`, or `model.register(...)`) with an approval status, and "
    "deploy the approved package (`ModelPackageName`, `ModelPackage(...)`).",
    lens_refs=("MLREL05-BP02", "MLREL03-BP01", "MLOPS02-BP04"),
    requires_manifest=False,
    preview=True,
)
def model_not_registered(ctx: ProjectContext) -> Iterator[Violation]:
    """A model registry gives every deployed model a version, its lineage (data, code, metrics) and
    an approval status, so that a release is reviewed and a rollback is a redeploy of the
    previous approved version. The rule fires on each model an endpoint serves that is not built
    from a model package — an SDK ``estimator.deploy()`` or ``Model(...).deploy()``, or an IaC
    model with an image and model data but no ``ModelPackageName`` — when nothing in the project
    registers models either: no model package group or package in any source, no pipeline with a
    register step, no MLflow or W&B registry call, no boto3 lookup of approved model packages. A
    model package given as a parameter counts as registered; a model this reading cannot trace
    is not a finding. Endpoints the SDK runs in local mode (`instance_type="local"`, a local
    session, or a variable the code may set to either), and endpoints and configurations that
    the code creating them deletes further on (`predictor.delete_endpoint()`, a boto3
    `delete_endpoint`/`delete_endpoint_config` by name, with the configurations only such
    endpoints serve), are demos' throwaways and are not reported."""
    ev = ctx.evidence
    if uses_model_registry(ev):
        return
    for found in unregistered_models(ev, variants(ev)):
        model = found.resource
        if model.kind == ENDPOINT:
            message = (
                f"{found.served_by} deploys a model that is not a registered model package, "
                "and nothing in the project registers models"
            )
        else:
            message = (
                f"model `{model.name}`, served by {found.served_by}, is not built from a "
                "registered model package (no `ModelPackageName`), and nothing in the "
                "project registers models"
            )
        yield Violation(message, model.location, anchor=f"{model.anchor}:model_package")


@rule(
    code="DE014",
    name="declared-deployment-not-found",
    risk=Risk.MEDIUM,
    summary="`[deployment] target` names a SageMaker endpoint or batch transform that nothing "
    "in the project defines.",
    fix="Define the endpoint or batch transform in the project's code or infrastructure (and "
    "list it in `[deployment] iac`), or correct `[deployment] target`.",
    lens_refs=("MLREL04-BP01", "MLOPS04-BP01"),
)
def declared_deployment_not_found(ctx: ProjectContext) -> Iterator[Violation]:
    """`[deployment] target` tells readers and the other rules how the model is served. When
    it says ``sagemaker-endpoint`` and no endpoint or endpoint configuration is defined
    anywhere (SDK ``.deploy()``, boto3, CloudFormation/SAM, Terraform, CDK), or says
    ``sagemaker-batch`` and no batch transform is, either the deployment lives outside
    version control — not reproducible, not reviewable — or the manifest is wrong. The
    finding stands on the manifest's `target`. Other targets (``lambda``, ``container``) are
    not checked: their serving code is not told apart from the rest reliably."""
    target = ctx.declared("deployment.target")
    if target not in (SAGEMAKER_ENDPOINT, SAGEMAKER_BATCH):
        return
    if any(site.target == target for site in deployment(ctx.evidence).sites):
        return
    assert ctx.manifest is not None  # ctx.declared read the target from it
    needed = "endpoint" if target == SAGEMAKER_ENDPOINT else "batch transform"
    yield Violation(
        f'`deployment.target` is "{target}" but no SageMaker {needed} is defined in the '
        "project's code or infrastructure",
        ctx.manifest.value_location("deployment.target"),
        anchor="deployment.target",
    )


@rule(
    code="DE015",
    name="undeclared-endpoint",
    risk=Risk.LOW,
    summary="The project defines a SageMaker endpoint, but `[deployment] target` is `none` or "
    "not given.",
    fix='Declare it: `[deployment] target = "sagemaker-endpoint"` (with `strategy`, `rollback` '
    "and `iac`), or remove the endpoint if it is not meant to be deployed.",
    lens_refs=("MLPERF05-BP02", "MLOPS04-BP01"),
)
def undeclared_endpoint(ctx: ProjectContext) -> Iterator[Violation]:
    """An endpoint the manifest does not declare is a deployment nobody signed up for: the
    deployment and monitoring rules that the manifest's `[deployment]` and `[monitoring]` tables
    drive do not know about it, and readers of lens.toml believe nothing is served. The rule
    fires once per project when an endpoint or endpoint configuration is defined (in any source
    the resource model reads) and `[deployment] target` is ``none``, missing or a placeholder;
    it stands on `target` when it is written, else where it belongs. A project that declares
    another target (``sagemaker-batch``, ``container``) while also defining an endpoint is not
    reported: the manifest holds one target. Endpoints the SDK runs in local mode
    (`instance_type="local"`, a local session, or a variable the code may set to either), and
    endpoints and configurations that the code creating them deletes further on
    (`predictor.delete_endpoint()`, a boto3 `delete_endpoint`/`delete_endpoint_config` by name,
    with the configurations only such endpoints serve), are demos' throwaways and are not
    reported."""
    manifest = ctx.manifest
    assert manifest is not None  # requires_manifest
    target = ctx.declared("deployment.target")
    if target not in (None, "none"):
        return
    ev = ctx.evidence
    throwaway = throwaways(ev)
    defined = [r for r in resources(ev, ENDPOINT) if r.anchor not in throwaway] or [
        r for r in resources(ev, ENDPOINT_CONFIG) if r.anchor not in throwaway
    ]
    if not defined:
        return
    first = defined[0]
    kind = "endpoint" if first.kind == ENDPOINT else "endpoint configuration"
    shown = f"{kind} `{first.name}` ({_at(first.location)})"
    if target == "none":
        message = f'`deployment.target` is "none" but the project defines {shown}'
        where = manifest.value_location("deployment.target")
    else:
        message = f"the project defines {shown} but `deployment.target` is not declared"
        where = manifest.location("deployment.target")
    yield Violation(message, where, anchor="deployment.target")


def _at(location: Location) -> str:
    return f"{location.path}:{location.line}"
