"""CDK apps in TypeScript read into the resource model: which files are read, how TypeScript is
spelled in the model's vocabulary, the values followed, and each construct with a value that
decides a finding both ways (a default that makes a rule fire, and one that makes it safe)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.cdk_typescript import cdk_apps, extract, module_name, python_name
from mllint_wa.model import Location
from mllint_wa.project import discover
from trees import write_tree

HEADER = """\
import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
"""
STACK = """
{module}
export class MlStack extends cdk.Stack {{
  constructor(scope: Construct, id: string, props: MlStackProps) {{
    super(scope, id, props);
{body}
  }}
{fields}
}}
"""
# The first line of a stack's body in lib/stack.ts, with no module code.
BODY_LINE = len(HEADER.splitlines()) + 6
S3 = "import * as s3 from 'aws-cdk-lib/aws-s3';\n"
CDK_JSON = json.dumps({"app": "npx ts-node --prefer-ts-exts bin/app.ts"})
PII = 'schema_version = 1\n\n[[data.sources]]\nname = "tickets"\ncontains_pii = true\n'
S3_VERSIONS = 'schema_version = 1\n\n[data]\nversioning = "s3-versioning"\n'
ROLE = (
    "new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') })"
)
VARIANT = (
    "{ variantName: 'AllTraffic', modelName: 'churn', initialInstanceCount: 2, "
    "instanceType: 'ml.m5.large' }"
)


def _stack(body: str, module: str = "", fields: str = "") -> str:
    """A stack whose constructor runs ``body``, with ``module`` code before the class and
    ``fields`` declared in it."""
    return HEADER + STACK.format(
        module=textwrap.dedent(module).strip("\n"),
        body=textwrap.indent(textwrap.dedent(body).strip("\n"), "    "),
        fields=textwrap.indent(fields, "  "),
    )


def _app(
    root: Path, body: str, module: str = "", manifest: str | None = None, fields: str = ""
) -> Path:
    """A CDK app whose one stack (lib/stack.ts) runs ``body`` in its constructor."""
    files = {"cdk.json": CDK_JSON, "lib/stack.ts": _stack(body, module, fields)}
    if manifest is not None:
        files["lens.toml"] = manifest
    return write_tree(root, files)


def _evidence(root: Path) -> Evidence:
    [project] = discover([root]).projects
    return Evidence(project.root, project.files)


def _resources(root: Path) -> dict[str, rm.Resource]:
    return {r.name: r for r in extract(_evidence(root))}


def _findings(lint, root: Path, code: str) -> list[tuple[str, int]]:
    return [(row[2], row[3]) for row in lint(root, code)]


# Each construct, and the value that decides a finding both ways --------------------------------

# (rule, manifest, body that fires, line of the finding in it, body that is safe)
BOTH_WAYS = {
    "CfnEndpointConfig without a KMS key": (
        "DE001",
        None,
        f"new sagemaker.CfnEndpointConfig(this, 'Config', {{ productionVariants: [{VARIANT}] }});",
        1,
        f"""
        const key = new kms.Key(this, 'Key', {{ enableKeyRotation: true }});
        new sagemaker.CfnEndpointConfig(this, 'Config', {{
          kmsKeyId: key.keyArn,
          productionVariants: [{VARIANT}],
        }});
        """,
    ),
    "CfnNotebookInstance's internet access defaults to Enabled": (
        "DP032",
        None,
        "new sagemaker.CfnNotebookInstance(this, 'Nb', { instanceType: 'ml.t3.medium', "
        "roleArn: 'arn:aws:iam::1:role/nb' });",
        1,
        "new sagemaker.CfnNotebookInstance(this, 'Nb', { instanceType: 'ml.t3.medium', "
        "roleArn: 'arn:aws:iam::1:role/nb', directInternetAccess: 'Disabled', "
        "subnetId: 'subnet-1' });",
    ),
    "Bucket blocking only ACLs leaves public policies open": (
        "DP038",
        None,
        "new s3.Bucket(this, 'Data', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS });",
        1,
        "new s3.Bucket(this, 'Data', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });",
    ),
    "Bucket keeps no versions by default": (
        "DP039",
        S3_VERSIONS,
        "new s3.Bucket(this, 'Data');",
        1,
        "new s3.Bucket(this, 'Data', { versioned: true });",
    ),
    "Bucket is encrypted with S3 managed keys by default": (
        "DP037",
        PII,
        "new s3.Bucket(this, 'Data');",
        1,
        """
        const key = new kms.Key(this, 'Key');
        new s3.Bucket(this, 'Data', { encryptionKey: key });
        """,
    ),
    "Bucket has no lifecycle rule by default": (
        "DP050",
        None,
        "new s3.Bucket(this, 'Data');",
        1,
        "new s3.Bucket(this, 'Data', { lifecycleRules: [{ expiration: cdk.Duration.days(30) }] });",
    ),
    "Role with ManagedPolicy.fromAwsManagedPolicyName": (
        "DP036",
        None,
        """
        new iam.Role(this, 'Role', {
          assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
          managedPolicies: [
            iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSageMakerFullAccess'),
          ],
        });
        """,
        3,
        """
        new iam.Role(this, 'Role', {
          assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
          managedPolicies: [
            iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSageMakerReadOnly'),
          ],
        });
        """,
    ),
    "Role.addManagedPolicy": (
        "DP036",
        None,
        f"""
        const role = {ROLE};
        role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3FullAccess'));
        role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSageMakerFullAccess'));
        """,
        2,
        f"""
        const role = {ROLE};
        role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess'));
        """,
    ),
    "Role.addToPolicy(new PolicyStatement)": (
        "DP035",
        None,
        f"""
        const role = {ROLE};
        role.addToPolicy(new iam.PolicyStatement({{ actions: ['s3:*'], resources: ['*'] }}));
        """,
        2,
        f"""
        const role = {ROLE};
        role.addToPolicy(new iam.PolicyStatement({{
          actions: ['s3:GetObject'],
          resources: ['arn:aws:s3:::acme-data/*'],
        }}));
        """,
    ),
    "LogGroup kept for ever (its default is two years)": (
        "MO020",
        None,
        "new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.INFINITE });",
        1,
        "new logs.LogGroup(this, 'Logs');",
    ),
    "Tags.of(scope).add tags what the scope defines": (
        "MD074",
        None,
        "new sagemaker.CfnNotebookInstance(this, 'Nb', { instanceType: 'ml.t3.medium', "
        "roleArn: 'arn:aws:iam::1:role/nb' });",
        1,
        """
        const nb = { instanceType: 'ml.t3.medium', roleArn: 'r' };
        new sagemaker.CfnNotebookInstance(this, 'Nb', nb);
        cdk.Tags.of(this).add('project', 'churn');
        """,
    ),
}


@pytest.mark.parametrize(
    ("code", "manifest", "fires", "line", "safe"), BOTH_WAYS.values(), ids=list(BOTH_WAYS)
)
def test_each_construct_fires_on_its_default_and_is_safe_with_a_value(
    lint, tmp_path, code, manifest, fires, line, safe
):
    firing = _app(tmp_path / "fires", fires, manifest=manifest)
    assert _findings(lint, firing, code) == [("lib/stack.ts", BODY_LINE + line - 1)]
    assert _findings(lint, _app(tmp_path / "safe", safe, manifest=manifest), code) == []


def test_a_sagemaker_role_with_full_access_policies_in_a_typescript_stack_is_seen(lint, tmp_path):
    root = _app(
        tmp_path,
        """
        new iam.Role(this, 'TrainingRole', {
          assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
          managedPolicies: [
            iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSageMakerFullAccess'),
            iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3FullAccess'),
          ],
        });
        """,
    )
    assert lint.messages(root, "DP036") == [
        "SageMaker role `TrainingRole` has the AWS managed policy AmazonSageMakerFullAccess: it "
        "can create, change and delete any SageMaker resource in the account"
    ]


# Values followed ---------------------------------------------------------------------------

FULL_ACCESS = "iam.ManagedPolicy.fromAwsManagedPolicyName({})"


def _role_with(policy: str) -> str:
    return f"""
    new iam.Role(this, 'Role', {{
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      managedPolicies: [{FULL_ACCESS.format(policy)}],
    }});
    """


# (module code, constructor body, whether DP036 fires): known values decide, unknown stay silent.
FOLLOWED = {
    "a module constant": ("const POLICY = 'AmazonSageMakerFullAccess';", _role_with("POLICY"), 1),
    "a constant of the function": (
        "",
        "const policy = 'AmazonSageMakerFullAccess';\n" + _role_with("policy"),
        1,
    ),
    "a template literal with known parts": (
        "const KIND = 'Full';",
        _role_with("`AmazonSageMaker${KIND}Access`"),
        1,
    ),
    "string concatenation": ("", _role_with("'AmazonSageMaker' + 'FullAccess'"), 1),
    "a class field assigned once": ("", _role_with("this.policy"), 1),
    "props spread from a constant": (
        """
        const base = { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') };
        const FULL = iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSageMakerFullAccess');
        """,
        "new iam.Role(this, 'Role', { ...base, managedPolicies: [FULL] });",
        1,
    ),
    "props returned by the module's own function": (
        """
        const FULL = iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSageMakerFullAccess');
        function roleProps(): iam.RoleProps {
          return {
            assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
            managedPolicies: [FULL],
          };
        }
        """,
        "new iam.Role(this, 'Role', roleProps());",
        1,
    ),
    "a let assigned twice": (
        "",
        "let policy = 'AmazonSageMakerReadOnly';\npolicy = 'AmazonSageMakerFullAccess';\n"
        + _role_with("policy"),
        0,
    ),
    "a template literal with a part from a parameter": ("", _role_with("`${id}FullAccess`"), 0),
    "props given by the caller": ("", "new iam.Role(this, 'Role', props.role);", 0),
    "a value that is chosen at run time": (
        "",
        _role_with("props.policy ?? 'AmazonSageMakerFullAccess'"),
        0,
    ),
}


@pytest.mark.parametrize(("module", "body", "count"), FOLLOWED.values(), ids=list(FOLLOWED))
def test_values_are_followed_to_what_they_hold_and_unknown_is_silent(
    lint, tmp_path, module, body, count
):
    field = "private readonly policy = 'AmazonSageMakerFullAccess';"
    assert len(lint(_app(tmp_path, body, module, fields=field), "DP036")) == count


def test_enum_members_and_defaults_are_read_as_the_python_cdk_reads_them(tmp_path):
    root = _app(
        tmp_path,
        """
        new logs.LogGroup(this, 'Week', { retention: logs.RetentionDays.ONE_WEEK });
        new logs.LogGroup(this, 'Default');
        new s3.Bucket(this, 'Kms', { encryption: s3.BucketEncryption.KMS_MANAGED });
        new s3.Bucket(this, 'Acls', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS });
        new s3.Bucket(this, 'Given', { encryption: props.encryption });
        """,
    )
    found = _resources(root)
    week, default = found["Week"].get("retention_days"), found["Default"].get("retention_days")
    assert (week.value, week.location) == (7, Location("lib/stack.ts", BODY_LINE, 39))
    # The L2 default is known at the construct.
    assert (default.value, default.location) == (731, Location("lib/stack.ts", BODY_LINE + 1, 5))
    assert found["Kms"].get("encryption").value == "aws:kms"
    assert found["Acls"].get("public_access_block").value is False
    given = found["Given"].get("encryption")
    # An unknown value is quoted as the TypeScript writes it.
    assert (given.state, given.written) == (rm.State.UNKNOWN, "props.encryption")


# Spelling: imports, names, literals ---------------------------------------------------------


@pytest.mark.parametrize(
    "imported",
    [
        "import * as s3 from 'aws-cdk-lib/aws-s3';",
        "import { aws_s3 as s3 } from 'aws-cdk-lib';",
        "import * as s3 from '@aws-cdk/aws-s3';",
        "import s3 = require('aws-cdk-lib/aws-s3');",
    ],
)
def test_every_way_of_importing_a_construct_is_recognised(tmp_path, imported):
    write_tree(
        tmp_path,
        {
            "cdk.json": CDK_JSON,
            "lib/stack.ts": f"{imported}\n\nnew s3.Bucket(this, 'Data', {{ versioned: true }});\n",
        },
    )
    [bucket] = _resources(tmp_path).values()
    assert (bucket.kind, bucket.type) == (rm.BUCKET, "aws_cdk.aws_s3.Bucket")
    assert bucket.get("versioning").is_(True)


def test_a_construct_imported_by_its_own_name(tmp_path):
    write_tree(
        tmp_path,
        {
            "cdk.json": CDK_JSON,
            "lib/stack.ts": "import { Bucket as B } from 'aws-cdk-lib/aws-s3';\n\n"
            "new B(this, 'Data');\n",
        },
    )
    assert [r.type for r in _resources(tmp_path).values()] == ["aws_cdk.aws_s3.Bucket"]


def test_module_and_member_names_as_the_python_cdk_spells_them():
    assert module_name("aws-cdk-lib") == "aws_cdk"
    assert module_name("aws-cdk-lib/aws-sagemaker") == "aws_cdk.aws_sagemaker"
    assert module_name("@aws-cdk/aws-sagemaker-alpha") == "aws_cdk.aws_sagemaker_alpha"
    assert module_name("@aws-cdk/core") == "aws_cdk.core"
    assert module_name("./stacks/hosting") == "./stacks/hosting"
    assert python_name("fromAwsManagedPolicyName") == "from_aws_managed_policy_name"
    assert python_name("attrEndpointConfigName") == "attr_endpoint_config_name"
    assert python_name("ManagedPolicy") == "ManagedPolicy"
    assert python_name("ONE_WEEK") == "ONE_WEEK"


def test_strings_numbers_and_escapes_are_read_as_javascript_reads_them(tmp_path):
    root = _app(
        tmp_path,
        r"""
        new sagemaker.CfnEndpointConfig(this, 'Config', {
          productionVariants: [{
            variantName: 'it\'s\u0020all',
            modelName: "m\x31",
            initialInstanceCount: 1_0,
            instanceType: `ml.m5.\u{6C}arge`,
          }],
        });
        """,
    )
    [variant] = _resources(root)["Config"].get("variants").value
    values = {name: value.value for name, value in variant.items() if value.known}
    assert values == {
        "variant_name": "it's all",
        "model": "m1",
        "instance_count": 10,
        "instance_type": "ml.m5.large",
    }


# Which files are read --------------------------------------------------------------------------


def test_only_typescript_of_a_cdk_app_is_read_and_not_its_tests_or_declarations(tmp_path):
    bucket = f"{S3}new s3.Bucket(this, 'B');\n"
    write_tree(
        tmp_path,
        {
            "infra/cdk.json": CDK_JSON,
            "infra/bin/app.ts": bucket,
            "infra/lib/stack.d.ts": bucket,
            "infra/test/stack.test.ts": bucket,
            "infra/lib/stack.spec.ts": bucket,
            "infra/cdk.out/asset.ts": bucket,
            "infra/node_modules/aws-cdk-lib/index.ts": bucket,
            # No cdk.json: a web front end, not a CDK app.
            "web/src/main.ts": bucket,
        },
    )
    assert cdk_apps(_evidence(tmp_path)) == {"infra/cdk.json": ["infra/bin/app.ts"]}


def test_an_app_command_may_name_a_file_outside_the_apps_folder(tmp_path):
    write_tree(
        tmp_path,
        {
            "deploy/cdk.json": json.dumps({"app": "npx ts-node ../infra/main.ts"}),
            "infra/main.ts": f"{S3}new s3.Bucket(this, 'B');\n",
            "outside.ts": f"{S3}new s3.Bucket(this, 'C');\n",
        },
    )
    assert cdk_apps(_evidence(tmp_path)) == {"deploy/cdk.json": ["infra/main.ts"]}
    assert list(_resources(tmp_path)) == ["B"]


def test_a_cdk_command_with_an_app_makes_an_app_of_its_folder(tmp_path):
    deployspec = """
        deploy:
          phases:
            build:
              commands:
                - cdk deploy --require-approval never --app "npx ts-node --prefer-ts-exts index.ts"
        """
    write_tree(
        tmp_path,
        {
            "modules/endpoint/deployspec.yaml": deployspec,
            "modules/endpoint/index.ts": f"{S3}new s3.Bucket(this, 'B');\n",
            "modules/endpoint/lib/stack.ts": f"{S3}new s3.Bucket(this, 'C');\n",
            # An unclosed quote is no command; a command without --app names no app.
            "scripts/broken.sh": "cdk deploy --app 'npx ts-node app.ts\n",
            "scripts/app.ts": f"{S3}new s3.Bucket(this, 'D');\n",
            "deploy.sh": "npx cdk deploy --all\n",
            "web/main.ts": f"{S3}new s3.Bucket(this, 'E');\n",
        },
    )
    assert cdk_apps(_evidence(tmp_path)) == {
        "modules/endpoint/deployspec.yaml": [
            "modules/endpoint/index.ts",
            "modules/endpoint/lib/stack.ts",
        ]
    }


def test_tags_given_to_one_app_tag_that_apps_stacks_only(tmp_path):
    notebook = (
        "import * as cdk from 'aws-cdk-lib';\n"
        "import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';\n"
        "const app = new cdk.App();\n"
        "const stack = new cdk.Stack(app, 'S');\n"
        "new sagemaker.CfnNotebookInstance(stack, '{name}', {{ instanceType: 'ml.t3.medium', "
        "roleArn: 'r' }});\n"
    )
    write_tree(
        tmp_path,
        {
            "tagged/cdk.json": CDK_JSON,
            "tagged/bin/app.ts": notebook.format(name="Tagged")
            + "cdk.Tags.of(app).add('project', 'churn');\n",
            "untagged/cdk.json": CDK_JSON,
            "untagged/bin/app.ts": notebook.format(name="Untagged"),
        },
    )
    found = _resources(tmp_path)
    assert found["Tagged"].get("tags").value == {"project": "churn"}
    assert found["Untagged"].get("tags").absent


def test_stack_tags_reach_a_stack_class_imported_from_another_file(tmp_path):
    write_tree(
        tmp_path,
        {
            "cdk.json": CDK_JSON,
            "bin/app.ts": """
                import * as cdk from 'aws-cdk-lib';
                import { Hosting } from '../lib/hosting';

                const app = new cdk.App();
                new Hosting(app, 'Hosting', { tags: { team: 'ml' } });
                """,
            "lib/hosting.ts": _stack(
                "new sagemaker.CfnNotebookInstance(this, 'Nb', { instanceType: 'ml.t3.medium', "
                "roleArn: 'r' });"
            ).replace("MlStack", "Hosting"),
        },
    )
    assert _resources(tmp_path)["Nb"].get("tags").value == {"team": "ml"}


# Unreadable files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        ("new s3.Bucket(this, 'B', {\n  versioned: true,\n", 1, 1, "has a syntax error"),
        ("const x = ;\nnew s3.Bucket(this, 'B');\n", 1, 11, "has a syntax error"),
        (f"const x = '{'a' * 20_001}';\n", 1, 1, "line 2 is longer than 20000 characters"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_ln009_finding_and_nothing_else(
    lint, tmp_path, source, line, column, message
):
    write_tree(
        tmp_path,
        {
            "cdk.json": CDK_JSON,
            "lib/broken.ts": S3 + source,
            "lib/stack.ts": S3
            + "new s3.Bucket(this, 'Good', {\n"
            + "  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS });\n",
        },
    )
    result = lint.result(tmp_path, "LN009", "DP038")
    assert [(f.rule.code, f.path, f.line, f.column, f.message) for f in result.findings] == [
        ("LN009", "lib/broken.ts", line + 1, column, f"`lib/broken.ts` {message}"),
        ("DP038", "lib/stack.ts", 3, 3, result.findings[1].message),
    ]


def test_code_nested_without_end_is_read_as_unknown(tmp_path):
    deep = "[\n" * 3000 + "true" + "]\n" * 3000
    root = _app(tmp_path, f"new s3.Bucket(this, 'Data', {{ versioned: {deep} }});")
    versioning = _resources(root)["Data"].get("versioning")
    assert versioning.unknown


# What a run without TypeScript or Terraform loads -------------------------------------------

_LOADED = """
import sys
from pathlib import Path
from mllint_wa.runner import RunOptions, run

run([Path(sys.argv[1])], RunOptions())
parsers = ("tree_sitter", "tree_sitter_typescript", "hcl2", "lark")
print(sorted({name.split(".")[0] for name in sys.modules} & set(parsers)))
"""


def _loaded(root: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, str(root)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_run_without_typescript_or_terraform_imports_neither_parser(tmp_path):
    write_tree(
        tmp_path / "python",
        {
            "lens.toml": "schema_version = 1\n",
            "cdk.json": CDK_JSON,
            "app.py": "from aws_cdk import aws_s3 as s3\ns3.Bucket(None, 'B')\n",
            "template.yaml": "Resources:\n  B:\n    Type: AWS::S3::Bucket\n",
        },
    )
    assert _loaded(tmp_path / "python") == "[]"
    write_tree(tmp_path / "typescript", {"cdk.json": CDK_JSON, "lib/stack.ts": _stack("")})
    assert _loaded(tmp_path / "typescript") == "['tree_sitter', 'tree_sitter_typescript']"
    write_tree(tmp_path / "terraform", {"main.tf": 'resource "aws_s3_bucket" "b" {}\n'})
    assert _loaded(tmp_path / "terraform") == "['hcl2', 'lark']"
