"""Deployment rules (DE003, DE010 to DE015): endpoint capacity and scaling, release guardrails, the
model registry, and the manifest's `[deployment]` against what the code and infrastructure
define. Each trigger fixture holds one file per source — an SDK script (deploy.py), a CDK app
(app.py), CloudFormation in YAML and JSON (template.yaml, template.json) and Terraform
(main.tf) — with the traps each rule must stay silent on. The manifest cross-checks (DE014,
DE015) decide once per project, so their fixtures hold one sub-project (its own lens.toml) per
source."""

from __future__ import annotations

import shutil
from pathlib import Path

from mllint_wa.registry import lookup
from trees import write_tree as _write

REPOS = Path(__file__).parent / "fixtures" / "repos"
# The sub-project per infrastructure source in the DE014 and DE015 fixtures.
IAC_PROJECTS = ("cloudformation-json", "cloudformation-yaml", "terraform", "typescript")

SDK_DEPLOY = """
from sagemaker.pytorch import PyTorchModel

model = PyTorchModel(model_data="s3://acme-ml/model.tar.gz", role="arn:aws:iam::1:role/sm")
model.deploy(initial_instance_count=1, instance_type="ml.m5.large", endpoint_name="churn")
"""


def _manifest(stage: str, deployment: str = "") -> str:
    return f'schema_version = 1\n\n[project]\nstage = "{stage}"\n\n[deployment]\n{deployment}\n'


def test_the_waiver_example_of_the_manifest_names_single_instance_endpoint():
    assert lookup("DE003").name == "single-instance-endpoint"


# -- DE003 single-instance-endpoint --------------------------------------------------------------


def test_single_instance_endpoint_fires_on_a_known_count_of_one_in_every_source(lint):
    assert lint("single-instance-endpoint", "DE003") == [
        ("DE003", "single-instance-endpoint", "app.py", 15, 21),
        ("DE003", "single-instance-endpoint", "deploy.py", 5, 14),
        ("DE003", "single-instance-endpoint", "main.tf", 11, 5),
        # Projects of their own: endpoints deployed again or updated (redeploy/), and
        # throwaway endpoints beside a lasting one (throwaway/).
        ("DE003", "single-instance-endpoint", "redeploy/redeploy.py", 11, 18),
        ("DE003", "single-instance-endpoint", "redeploy/rollout.py", 29, 13),
        ("DE003", "single-instance-endpoint", "template.json", 8, 94),
        ("DE003", "single-instance-endpoint", "template.yaml", 14, 11),
        ("DE003", "single-instance-endpoint", "throwaway/hosting.py", 13, 13),
        ("DE003", "single-instance-endpoint", "typescript/app.ts", 13, 11),
    ]
    assert lint.messages("single-instance-endpoint", "DE003")[:2] == [
        "variant `AllTraffic` of endpoint configuration `Config` runs on one instance "
        "(`instance_count` is 1): run at least two for availability",
        "endpoint `churn` runs on one instance (`instance_count` is 1): run at least two for "
        "availability",
    ]


def test_a_broken_template_beside_them_is_reported_once(lint):
    assert lint("single-instance-endpoint", "LN009") == [
        ("LN009", "unparseable-file", "broken/template.yaml", 6, 1),
    ]


def test_single_instance_endpoint_is_fine_in_development(lint, tmp_path):
    repo = _write(tmp_path, {"lens.toml": _manifest("development"), "deploy.py": SDK_DEPLOY})
    assert lint(repo, "DE003") == []
    repo = _write(tmp_path, {"lens.toml": _manifest("production")})
    assert lint(repo, "DE003") == [("DE003", "single-instance-endpoint", "deploy.py", 4, 14)]


def test_single_instance_endpoint_is_waived_as_the_manifest_example_shows(lint, tmp_path):
    waiver = (
        '\n[waivers.DE003]\nreason = "single-instance endpoint is acceptable during the pilot"\n'
        'owner = "jane@example.com"\nexpires = 2027-03-31\n'
    )
    repo = _write(
        tmp_path, {"lens.toml": _manifest("production") + waiver, "deploy.py": SDK_DEPLOY}
    )
    assert lint(repo, "DE003") == []


# -- DE010 endpoint-without-autoscaling ---------------------------------------------------------


def test_endpoint_without_autoscaling_names_the_variant_no_target_points_at(lint):
    # A target whose resource ID interpolates the endpoint's name (`!Sub`, Terraform
    # `${…}`) still names its variant: JSON's `Blue` is scaled, `Green` is not. A serverless
    # endpoint is not asked.
    assert lint("endpoint-without-autoscaling", "DE010") == [
        ("DE010", "endpoint-without-autoscaling", "app.py", 21, 21),
        ("DE010", "endpoint-without-autoscaling", "deploy.py", 5, 1),
        ("DE010", "endpoint-without-autoscaling", "main.tf", 3, 5),
        ("DE010", "endpoint-without-autoscaling", "template.json", 9, 34),
        ("DE010", "endpoint-without-autoscaling", "template.yaml", 8, 11),
        ("DE010", "endpoint-without-autoscaling", "typescript/app.ts", 19, 11),
    ]
    assert lint.messages("endpoint-without-autoscaling", "DE010")[:2] == [
        "variant `Green` of endpoint configuration `Config` has no autoscaling: no scaling "
        "target points at endpoint `Endpoint` variant `Green`",
        "endpoint `churn` has no autoscaling: no scaling target points at its variant `AllTraffic`",
    ]


def test_endpoint_without_autoscaling_is_silent_when_boto3_registers_a_target(lint, tmp_path):
    scaling = """
    import boto3

    boto3.client("application-autoscaling").register_scalable_target(ResourceId=resource_id)
    """
    repo = _write(
        tmp_path,
        {"lens.toml": _manifest("production"), "deploy.py": SDK_DEPLOY, "scale.py": scaling},
    )
    assert lint(repo, "DE010") == []


def test_endpoint_without_autoscaling_is_silent_for_managed_instance_scaling(lint, tmp_path):
    # SageMaker scales a variant given ManagedInstanceScaling itself; one that may be given it
    # (a conditional) is no finding either. The same variant without it is.
    app = """
    from aws_cdk import App, Stack
    from aws_cdk import aws_sagemaker as sagemaker

    stack = Stack(App(), "Serving")
    scaling = sagemaker.CfnEndpointConfig.ManagedInstanceScalingProperty(
        status="ENABLED", min_instance_count=1, max_instance_count=4
    )
    managed = sagemaker.CfnEndpointConfig(
        stack,
        "Managed",
        production_variants=[
            sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name="A",
                model_name="m",
                instance_type="ml.m5.large",
                initial_instance_count=1,
                managed_instance_scaling=scaling if stack.region else None,
            )
        ],
    )
    fixed = sagemaker.CfnEndpointConfig(
        stack,
        "Fixed",
        production_variants=[
            sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name="A",
                model_name="m",
                instance_type="ml.m5.large",
                initial_instance_count=1,
            )
        ],
    )
    sagemaker.CfnEndpoint(stack, "One", endpoint_config_name=managed.attr_endpoint_config_name)
    sagemaker.CfnEndpoint(stack, "Two", endpoint_config_name=fixed.attr_endpoint_config_name)
    """
    template = """
    Resources:
      Config:
        Type: AWS::SageMaker::EndpointConfig
        Properties:
          ProductionVariants:
            - ModelName: m
              VariantName: A
              InstanceType: ml.m5.large
              InitialInstanceCount: 1
              ManagedInstanceScaling: {Status: ENABLED, MinInstanceCount: 1, MaxInstanceCount: 4}
      Endpoint:
        Type: AWS::SageMaker::Endpoint
        Properties:
          EndpointConfigName: !GetAtt Config.EndpointConfigName
    """
    terraform = """
    resource "aws_sagemaker_endpoint_configuration" "managed" {
      production_variants {
        variant_name           = "A"
        model_name             = "m"
        instance_type          = "ml.m5.large"
        initial_instance_count = 1
        managed_instance_scaling {
          status             = "ENABLED"
          min_instance_count = 1
          max_instance_count = 4
        }
      }
    }

    resource "aws_sagemaker_endpoint" "managed" {
      endpoint_config_name = aws_sagemaker_endpoint_configuration.managed.name
    }
    """
    repo = _write(
        tmp_path,
        {
            "lens.toml": _manifest("production"),
            "app.py": app,
            "template.yaml": template,
            "main.tf": terraform,
        },
    )
    # The fixed variant's name, line 26.
    assert [row[2:] for row in lint(repo, "DE010")] == [("app.py", 26, 13)]


def test_endpoint_without_autoscaling_waits_for_a_deployment_in_development(lint, tmp_path):
    training = "from sagemaker.pytorch import PyTorch\n\nPyTorch(entry_point='t.py').fit()\n"
    repo = _write(tmp_path, {"lens.toml": _manifest("development"), "train.py": training})
    assert lint(repo, "DE010") == []


# -- DE011 deployment-without-guardrails --------------------------------------------------------


def test_deployment_without_guardrails_when_the_manifest_asks_for_canary(lint):
    # In each source: an endpoint with no deployment policy (on the endpoint), and a
    # blue/green one with no rollback alarm (on the policy, or on an empty `Alarms`). Silent:
    # blue/green and rolling updates rolled back on an alarm, a guarded endpoint whose
    # variant count is a parameter, a serverless endpoint, a policy from a parameter.
    assert lint("deployment-without-guardrails", "DE011") == [
        ("DE011", "deployment-without-guardrails", "app.py", 23, 9),
        ("DE011", "deployment-without-guardrails", "app.py", 30, 17),
        ("DE011", "deployment-without-guardrails", "deploy.py", 4, 1),
        ("DE011", "deployment-without-guardrails", "main.tf", 15, 1),
        ("DE011", "deployment-without-guardrails", "main.tf", 23, 5),
        ("DE011", "deployment-without-guardrails", "template.json", 12, 5),
        ("DE011", "deployment-without-guardrails", "template.json", 22, 41),
        ("DE011", "deployment-without-guardrails", "template.yaml", 15, 3),
        ("DE011", "deployment-without-guardrails", "template.yaml", 25, 9),
        ("DE011", "deployment-without-guardrails", "typescript/app.ts", 21, 5),
        ("DE011", "deployment-without-guardrails", "typescript/app.ts", 26, 9),
    ]
    messages = lint.messages("deployment-without-guardrails", "DE011")
    assert messages[:2] == [
        "endpoint `Unguarded` has no `DeploymentConfig`: updates replace the model all at "
        "once, with no blue/green traffic shifting and no automatic rollback",
        "endpoint `NoRollback` shifts traffic without auto-rollback alarms: "
        "`AutoRollbackConfiguration` names no CloudWatch alarm",
    ]
    assert messages[3:5] == [
        "endpoint `aws_sagemaker_endpoint.unguarded` has no `DeploymentConfig`: updates "
        "replace the model all at once, with no blue/green traffic shifting and no automatic "
        "rollback",
        "endpoint `aws_sagemaker_endpoint.no_rollback` shifts traffic without auto-rollback "
        "alarms: `AutoRollbackConfiguration` names no CloudWatch alarm",
    ]


def test_deployment_without_guardrails_follows_stage_and_declared_strategy(lint, tmp_path):
    cases = {
        ("production", ""): 1,
        ("development", ""): 0,
        ("production", 'strategy = "all-at-once"'): 0,
        ("production", 'strategy = "shadow"'): 0,
        ("development", 'strategy = "blue-green"'): 1,
    }
    for (stage, deployment), expected in cases.items():
        repo = _write(
            tmp_path / f"{stage}{len(deployment)}",
            {"lens.toml": _manifest(stage, deployment), "deploy.py": SDK_DEPLOY},
        )
        assert len(lint(repo, "DE011")) == expected, (stage, deployment)


# -- DE012 deployment-strategy-mismatch ---------------------------------------------------------


def test_deployment_strategy_mismatch_reads_the_deployment_config_as_a_strategy(lint):
    # In each infrastructure source: blue/green shifting all traffic at once, and a rolling
    # update, against a declared canary release (each on its policy). Silent: canary and
    # linear shifting, a routing type from a parameter, a serverless endpoint.
    assert lint("deployment-strategy-mismatch", "DE012") == [
        ("DE012", "deployment-strategy-mismatch", "app.py", 28, 17),
        ("DE012", "deployment-strategy-mismatch", "app.py", 38, 17),
        ("DE012", "deployment-strategy-mismatch", "deploy.py", 4, 1),
        ("DE012", "deployment-strategy-mismatch", "main.tf", 21, 5),
        ("DE012", "deployment-strategy-mismatch", "main.tf", 32, 5),
        ("DE012", "deployment-strategy-mismatch", "template.json", 17, 30),
        ("DE012", "deployment-strategy-mismatch", "template.json", 24, 30),
        ("DE012", "deployment-strategy-mismatch", "template.yaml", 21, 9),
        ("DE012", "deployment-strategy-mismatch", "template.yaml", 29, 9),
        ("DE012", "deployment-strategy-mismatch", "typescript/app.ts", 22, 9),
        ("DE012", "deployment-strategy-mismatch", "typescript/app.ts", 30, 9),
    ]
    assert lint.messages("deployment-strategy-mismatch", "DE012")[:5] == [
        'lens.toml declares `strategy = "canary"` but endpoint `AllAtOnce` is released '
        "blue/green with all traffic shifted at once",
        'lens.toml declares `strategy = "canary"` but endpoint `Rolling` is released by a '
        "rolling update",
        'lens.toml declares `strategy = "canary"` but endpoint `churn` is released all at '
        "once (no `DeploymentConfig`)",
        'lens.toml declares `strategy = "canary"` but endpoint '
        "`aws_sagemaker_endpoint.all_at_once` is released blue/green with all traffic shifted "
        "at once",
        'lens.toml declares `strategy = "canary"` but endpoint `aws_sagemaker_endpoint.rolling` '
        "is released by a rolling update",
    ]


def test_deployment_strategy_mismatch_accepts_every_blue_green_form_for_blue_green(lint, tmp_path):
    fixture = REPOS / "deployment-strategy-mismatch"
    shutil.copytree(fixture, tmp_path, dirs_exist_ok=True)
    (tmp_path / "deploy.py").unlink()
    blue_green = _manifest("production", 'strategy = "blue-green"')
    _write(tmp_path, {"lens.toml": blue_green, "typescript/lens.toml": blue_green})
    # Only the rolling update of each source is not a blue/green release.
    assert lint(tmp_path, "DE012") == [
        ("DE012", "deployment-strategy-mismatch", "app.py", 38, 17),
        ("DE012", "deployment-strategy-mismatch", "main.tf", 32, 5),
        ("DE012", "deployment-strategy-mismatch", "template.json", 24, 30),
        ("DE012", "deployment-strategy-mismatch", "template.yaml", 29, 9),
        ("DE012", "deployment-strategy-mismatch", "typescript/app.ts", 30, 9),
    ]


# -- DE013 model-not-registered -----------------------------------------------------------------


def test_model_not_registered_stands_on_the_deploy_or_the_model(lint):
    # Silent in each source: a model built from a package whose ARN is a parameter (served by
    # a variant whose count is one too), a model no endpoint serves, an untraceable deploy.
    assert lint("model-not-registered", "DE013") == [
        ("DE013", "model-not-registered", "app.py", 8, 17),
        ("DE013", "model-not-registered", "deploy.py", 13, 1),
        ("DE013", "model-not-registered", "main.tf", 9, 1),
        ("DE013", "model-not-registered", "template.json", 5, 5),
        ("DE013", "model-not-registered", "template.yaml", 8, 3),
        ("DE013", "model-not-registered", "typescript/app.ts", 8, 19),
    ]
    assert lint.messages("model-not-registered", "DE013")[:3] == [
        "model `Model`, served by endpoint `Endpoint`, is not built from a registered model "
        "package (no `ModelPackageName`), and nothing in the project registers models",
        "endpoint `churn` deploys a model that is not a registered model package, and nothing "
        "in the project registers models",
        "model `aws_sagemaker_model.churn`, served by endpoint `aws_sagemaker_endpoint.churn`, "
        "is not built from a registered model package (no `ModelPackageName`), and nothing in "
        "the project registers models",
    ]


def test_a_model_package_group_in_any_source_is_a_registry(lint, tmp_path):
    groups = {
        "cloudformation.yaml": """
            Resources:
              Group:
                Type: AWS::SageMaker::ModelPackageGroup
                Properties:
                  ModelPackageGroupName: churn
            """,
        "registry.tf": """
            resource "aws_sagemaker_model_package_group" "churn" {
              model_package_group_name = "churn"
            }
            """,
        "typescript/registry.ts": """
            import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';

            export function registry(stack: Stack) {
              const group = { modelPackageGroupName: 'churn' };
              new sagemaker.CfnModelPackageGroup(stack, 'Group', group);
            }
            """,
    }
    for name, text in groups.items():
        repo = shutil.copytree(REPOS / "model-not-registered", tmp_path / name)
        _write(repo, {name: text})
        # The TypeScript app is a project of its own: a registry serves the project it is in.
        in_project = name.startswith("typescript/")
        found = [
            row for row in lint(repo, "DE013") if row[2].startswith("typescript/") == in_project
        ]
        assert found == [], name


def test_model_not_registered_is_silent_when_the_project_uses_a_registry(lint, tmp_path):
    registries = {
        "mlflow.py": "import mlflow\n\nmlflow.register_model('runs:/1/model', 'churn')\n",
        "log.py": "import mlflow\n\nmlflow.sklearn.log_model(m, 'm', registered_model_name='c')\n",
        "lookup.py": "import boto3\n\nboto3.client('sagemaker').list_model_packages()\n",
        "register.py": """
            from sagemaker.pytorch import PyTorchModel

            model = PyTorchModel(model_data="s3://b/m.tar.gz", role="r")
            model.register(model_package_group_name="churn", approval_status="Approved")
            """,
    }
    for name, code in registries.items():
        repo = _write(
            tmp_path / name,
            {"lens.toml": _manifest("production"), "deploy.py": SDK_DEPLOY, name: code},
        )
        assert lint(repo, "DE013") == [], name


# -- DE014 declared-deployment-not-found --------------------------------------------------------


def test_declared_deployment_not_found_stands_on_the_target(lint):
    # One project per source: a model, a bucket, an endpoint in a comment define no endpoint.
    assert lint("declared-deployment-not-found", "DE014") == [
        ("DE014", "declared-deployment-not-found", "cdk/lens.toml", 7, 10),
        ("DE014", "declared-deployment-not-found", "cloudformation-json/lens.toml", 7, 10),
        ("DE014", "declared-deployment-not-found", "cloudformation-yaml/lens.toml", 7, 10),
        ("DE014", "declared-deployment-not-found", "lens.toml", 7, 10),
        ("DE014", "declared-deployment-not-found", "terraform/lens.toml", 7, 10),
        ("DE014", "declared-deployment-not-found", "typescript/lens.toml", 7, 10),
    ]
    message = (
        '`deployment.target` is "sagemaker-endpoint" but no SageMaker endpoint is defined in '
        "the project's code or infrastructure"
    )
    assert lint.messages("declared-deployment-not-found", "DE014") == [message] * 6


def test_declared_deployment_is_found_in_every_source_even_serverless(lint, tmp_path):
    # The endpoints DE015 finds undeclared (a serverless one, a configuration alone, an
    # endpoint) are what a declared `sagemaker-endpoint` target needs.
    declared = (REPOS / "declared-deployment-not-found" / "lens.toml").read_text(encoding="utf-8")
    for project in IAC_PROJECTS:
        repo = shutil.copytree(REPOS / "undeclared-endpoint" / project, tmp_path / project)
        (repo / "lens.toml").write_text(declared, encoding="utf-8")
        assert lint(repo, "DE014") == [], project


def test_declared_batch_needs_a_transform_and_other_targets_are_not_checked(lint, tmp_path):
    batch = _manifest("production", 'target = "sagemaker-batch"')
    transform = """
    from sagemaker.transformer import Transformer

    Transformer("churn", 1, "ml.m5.large").transform("s3://b/in/")
    """
    missing = _write(tmp_path / "missing", {"lens.toml": batch, "deploy.py": SDK_DEPLOY})
    assert lint(missing, "DE014") == [
        ("DE014", "declared-deployment-not-found", "lens.toml", 7, 10)
    ]
    found = _write(tmp_path / "found", {"lens.toml": batch, "batch.py": transform})
    assert lint(found, "DE014") == []
    lam = _write(tmp_path / "lambda", {"lens.toml": _manifest("production", 'target = "lambda"')})
    assert lint(lam, "DE014") == []


# -- DE015 undeclared-endpoint ------------------------------------------------------------------


def test_undeclared_endpoint_in_every_source(lint):
    # One project per source: a serverless endpoint (YAML), an endpoint configuration whose
    # variant count is a parameter and no `[deployment]` table (JSON), an endpoint (Terraform).
    assert lint("undeclared-endpoint", "DE015") == [
        ("DE015", "undeclared-endpoint", "cloudformation-json/lens.toml", 1, 1),
        ("DE015", "undeclared-endpoint", "cloudformation-yaml/lens.toml", 7, 10),
        ("DE015", "undeclared-endpoint", "lens.toml", 7, 10),
        ("DE015", "undeclared-endpoint", "terraform/lens.toml", 7, 10),
        ("DE015", "undeclared-endpoint", "typescript/lens.toml", 7, 10),
    ]
    assert lint.messages("undeclared-endpoint", "DE015") == [
        "the project defines endpoint configuration `Config` (template.json:5) but "
        "`deployment.target` is not declared",
        '`deployment.target` is "none" but the project defines endpoint `Endpoint` '
        "(template.yaml:13)",
        '`deployment.target` is "none" but the project defines endpoint `Endpoint` (app.py:20)',
        '`deployment.target` is "none" but the project defines endpoint '
        "`aws_sagemaker_endpoint.churn` (main.tf:10)",
        '`deployment.target` is "none" but the project defines endpoint `Endpoint` (app.ts:18)',
    ]


def test_undeclared_endpoint_when_no_target_is_given_stands_on_the_table(lint, tmp_path):
    repo = _write(tmp_path, {"lens.toml": _manifest("development"), "deploy.py": SDK_DEPLOY})
    assert lint(repo, "DE015") == [("DE015", "undeclared-endpoint", "lens.toml", 6, 1)]
    assert lint.messages(repo, "DE015") == [
        "the project defines endpoint `churn` (deploy.py:4) but `deployment.target` is not "
        "declared",
    ]
    declared = _write(
        tmp_path / "declared",
        {"lens.toml": _manifest("development", 'target = "container"'), "deploy.py": SDK_DEPLOY},
    )
    assert lint(declared, "DE015") == []


def test_an_endpoint_the_code_deletes_further_on_is_a_throwaway_no_rule_holds(lint, tmp_path):
    demo = SDK_DEPLOY.replace("model.deploy(", "predictor = model.deploy(") + (
        "predictor.predict([1, 2])\npredictor.delete_endpoint()\n"
    )
    kept = _write(
        tmp_path / "kept", {"lens.toml": _manifest("production"), "deploy.py": SDK_DEPLOY}
    )
    demo_repo = _write(tmp_path / "demo", {"lens.toml": _manifest("production"), "deploy.py": demo})
    endpoint_rules = ("DE001", "DE003", "DE010", "MO001", "MO002", "MO003")
    assert {row[0] for row in lint(kept, *endpoint_rules)} == set(endpoint_rules)
    assert lint(demo_repo, *endpoint_rules) == []


def test_an_endpoint_deleted_through_its_estimator_or_its_name_is_a_throwaway(lint, tmp_path):
    estimator = (
        "from sagemaker.pytorch import PyTorch\n\n"
        "estimator = PyTorch(entry_point='t.py', role='r', instance_count=1,\n"
        "                    instance_type='ml.m5.large', framework_version='2.1')\n"
        "estimator.fit()\n"
        "predictor = estimator.deploy(initial_instance_count=1, instance_type='ml.m5.large')\n"
        "estimator.delete_endpoint()\n"
    )
    by_name = SDK_DEPLOY + (
        "import sagemaker\n\nendpoint_name = 'churn'\n"
        "sagemaker.Session().delete_endpoint(endpoint_name)\n"
    )
    for name, code in {"estimator": estimator, "by-name": by_name}.items():
        repo = _write(tmp_path / name, {"lens.toml": _manifest("production"), "deploy.py": code})
        assert lint(repo, "DE003", "DE010", "MO001") == [], name


def test_a_client_deleting_some_endpoint_does_not_make_every_endpoint_a_throwaway(lint, tmp_path):
    code = (
        "import boto3\n\nsm = boto3.client('sagemaker')\n"
        "sm.create_endpoint_config(EndpointConfigName='kept', ProductionVariants=[{\n"
        "    'VariantName': 'AllTraffic', 'ModelName': 'm', 'InitialInstanceCount': 1,\n"
        "    'InstanceType': 'ml.m5.large'}])\n"
        "sm.create_endpoint(EndpointName='kept', EndpointConfigName='kept')\n"
        "old_name = 'old'\n"
        "sm.delete_endpoint(EndpointName=old_name)\n"
    )
    repo = _write(tmp_path, {"lens.toml": _manifest("production"), "deploy.py": code})
    assert [row[0] for row in lint(repo, "DE010")] == ["DE010"]
    deleted = code.replace("old_name = 'old'", "old_name = 'kept'")
    repo = _write(
        tmp_path / "deleted", {"lens.toml": _manifest("production"), "deploy.py": deleted}
    )
    assert lint(repo, "DE010") == []


def test_endpoints_and_configurations_a_notebook_or_script_deletes_are_throwaways(lint):
    # A notebook creates a model, a configuration and an endpoint under generated names and
    # deletes them through a boto3 client; a script deletes SDK endpoints by a variable
    # copying the name the SDK gave one and by a predictor built on a name of its own
    # (sdk_demo.py); another deletes one through a predictor built on the deployed
    # endpoint (tuned.py); a configuration whose endpoint, created on it through one
    # variable, is deleted serves nothing (byo_model.py); a smoke-test endpoint is deleted
    # while the lasting endpoint sharing its configuration is kept, and only the lasting
    # one is reported.
    endpoint_rules = ("DE001", "DE003", "DE010", "DE011", "DE015", "MO001", "MO002", "MO003")
    findings = lint("single-instance-endpoint/throwaway", *endpoint_rules)
    assert {row[2] for row in findings} == {"hosting.py", "lens.toml"}
    assert [row[0] for row in findings] == [
        "DE001", "MO001", "DE010", "DE003", "DE011", "MO002", "MO003", "DE015"
    ]  # fmt: skip
    messages = lint.messages("single-instance-endpoint/throwaway", *endpoint_rules)
    assert not any("churn-smoke-test" in message for message in messages)
    assert messages[-1] == (
        "the project defines endpoint `churn` (hosting.py:18) but `deployment.target` is not "
        "declared"
    )


def test_an_endpoint_deployed_again_or_updated_is_reported_once(lint):
    # redeploy.py deploys two models to the endpoint `fraud`; rollout.py creates `churn` on
    # churn-v1 and updates it to churn-v2. Each endpoint is one, as the code leaves it: the
    # last call's settings, the tags an earlier call gave it; churn-v1 serves nothing.
    endpoint_rules = ("DE001", "DE003", "DE010", "DE011", "MD074", "MO001", "MO002", "MO003")
    messages = lint.messages("single-instance-endpoint/redeploy", *endpoint_rules)
    assert not any("#2" in message or "churn-v1" in message for message in messages)
    per_rule: dict[str, int] = {}
    for row in lint("single-instance-endpoint/redeploy", *endpoint_rules):
        per_rule[row[0]] = per_rule.get(row[0], 0) + 1
    # One finding for each endpoint (churn is tagged when it is created).
    assert per_rule == {code: 2 for code in endpoint_rules if code != "MD074"} | {"MD074": 1}
