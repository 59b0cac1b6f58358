"""CDK apps in Python read into the resource model: which constructs become which resources,
named by their construct ids, with each property known, unknown or absent where it is written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mllint_wa.checks.files import unparseable_file
from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.cdk_resources import extract
from mllint_wa.model import Location, Stage
from mllint_wa.project import Project, discover

FIXTURES = Path(__file__).parent / "fixtures" / "infra" / "cdk"
APP = FIXTURES / "app"


def _evidence(root: Path) -> Evidence:
    [project] = discover([root]).projects
    return Evidence(project.root, project.files)


@pytest.fixture(scope="module")
def app() -> dict[str, rm.Resource]:
    found = sorted(extract(_evidence(APP)), key=lambda r: (r.location, r.kind))
    return {r.name: r for r in found}


def _show(value: rm.Value) -> tuple[object, ...]:
    """(state, value or written, line, column): one property as a test reads it."""
    shown = value.value if value.known else value.written
    if isinstance(shown, list) and shown and isinstance(shown[0], dict):
        shown = [{k: _show(v) for k, v in item.items()} for item in shown]
    where = (value.location.line, value.location.column) if value.location else ()
    return (value.state.value, shown, *where)


def _props(resource: rm.Resource) -> dict[str, tuple[object, ...]]:
    return {name: _show(value) for name, value in rm.iter_properties(resource)}


def _write(tmp_path: Path, source: str, name: str = "stack.py") -> Evidence:
    (tmp_path / name).write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return Evidence(tmp_path, (name,))


def _one(tmp_path: Path, source: str) -> rm.Resource:
    [resource] = extract(_write(tmp_path, source))
    return resource


KNOWN, UNKNOWN, ABSENT = "known", "unknown", "absent"
SERVING = "stacks/serving.py"
TRAPS = "stacks/traps.py"


def test_every_construct_becomes_one_resource_named_by_its_construct_id(app):
    assert [(r.kind, r.name, r.location, r.opaque) for r in app.values()] == [
        ("notebook-lifecycle-config", "AutoStop", Location("stacks/lifecycle.py", 24, 16), False),
        ("notebook-instance", "Notebook", Location("stacks/lifecycle.py", 29, 9), False),
        ("studio-domain", "Studio", Location("stacks/lifecycle.py", 39, 9), False),
        ("monitoring-job", "QualityJob", Location("stacks/lifecycle.py", 49, 19), False),
        ("monitoring-schedule", "QualitySchedule", Location("stacks/lifecycle.py", 54, 9), False),
        ("pipeline", "Pipeline", Location("stacks/lifecycle.py", 65, 9), False),
        ("model-package-group", "Registry", Location("stacks/lifecycle.py", 72, 17), False),
        ("model-package", "Package", Location("stacks/lifecycle.py", 78, 9), False),
        ("kms-key", "Key", Location(SERVING, 25, 15), False),
        ("bucket", "Data", Location(SERVING, 27, 16), False),
        ("iam-role", "ExecutionRole", Location(SERVING, 37, 16), False),
        ("model", "Model", Location(SERVING, 47, 17), False),
        ("endpoint-config", "Config", Location(SERVING, 57, 18), False),
        ("alarm", "Errors", Location(SERVING, 69, 18), False),
        ("endpoint", "Endpoint", Location(SERVING, 81, 20), False),
        ("scaling-target", "Scaling", Location(SERVING, 98, 18), False),
        ("scaling-policy", "Invocations", Location(SERVING, 107, 9), False),
        ("log-group", "Logs", Location(SERVING, 113, 9), False),
        ("event-rule", "Retrain", Location(SERVING, 115, 9), False),
        ("endpoint-config", "ParamConfig", Location(TRAPS, 16, 9), False),
        ("endpoint-config", "Commented", Location(TRAPS, 36, 21), False),
        ("endpoint-config", "Later", Location(TRAPS, 43, 17), False),
        ("endpoint-config", "Serverless", Location(TRAPS, 46, 9), False),
        ("endpoint", "Passed", Location(TRAPS, 61, 9), True),
        ("bucket", "Defaults", Location(TRAPS, 62, 9), False),
        ("bucket", "Spread", Location(TRAPS, 64, 9), False),
        ("bucket", "Raw", Location(TRAPS, 66, 9), False),
        ("iam-policy", "Wildcard", Location(TRAPS, 78, 18), False),
        ("iam-role", "Plain", Location(TRAPS, 83, 16), False),
    ]
    assert {r.source for r in app.values()} == {"cdk"}
    assert app["Endpoint"].type == "aws_cdk.aws_sagemaker.CfnEndpoint"


def test_endpoint_config_variants_kms_and_data_capture(app):
    variant = {
        "variant_name": (KNOWN, "AllTraffic", 15, 5),
        "model": (KNOWN, "churn-model", 16, 5),
        "instance_type": (KNOWN, "ml.m5.large", 17, 5),
        "instance_count": (KNOWN, 2, 18, 5),
        "serverless": (ABSENT, ""),
        "managed_scaling": (ABSENT, ""),
    }
    assert _props(app["Config"]) == {
        # A reference to the Key construct is the key's name, as every link is.
        "kms_key": (KNOWN, "Key", 60, 13),
        # A *Property object held in a module constant is followed.
        "variants": (KNOWN, [variant], 61, 13),
        # A plain dict in place of DataCaptureConfigProperty, as CDK accepts.
        "data_capture": (KNOWN, True, 62, 13),
        # cdk.Tags.of(self) in the stack class and cdk.Tags.of(app) in app.py.
        "tags": (KNOWN, {"project": "churn", "cost-center": "ml-platform"}, 121, 9),
    }


def test_endpoint_links_and_blue_green_with_rollback_alarms(app):
    assert _props(app["Endpoint"]) == {
        "endpoint_config": (KNOWN, "Config", 85, 13),
        "blue_green": (KNOWN, True, 87, 17),
        "traffic_routing": (KNOWN, "CANARY", 89, 25),
        "auto_rollback_alarms": (KNOWN, ["Errors"], 93, 21),
        "tags": (KNOWN, {"project": "churn", "cost-center": "ml-platform"}, 121, 9),
    }


def test_scaling_alarm_logs_and_schedule(app):
    assert _props(app["Scaling"]) == {
        # The f-string is not a literal, but the endpoint it reads is known.
        "resource_id": (
            UNKNOWN,
            "f'endpoint/{endpoint.attr_endpoint_name}/variant/AllTraffic'",
            102,
            13,
        ),
        "endpoint": (KNOWN, "Endpoint", 102, 13),
        "min_capacity": (KNOWN, 2, 104, 13),
        "max_capacity": (KNOWN, 6, 105, 13),
    }
    assert _props(app["Invocations"]) == {"target": (KNOWN, "Scaling", 107, 9)}
    # The EndpointName dimension is the endpoint's physical name: the endpoint it names.
    assert _props(app["Errors"]) == {
        "namespace": (KNOWN, "AWS/SageMaker", 73, 17),
        "metric_name": (KNOWN, "Invocation5XXErrors", 74, 17),
        "endpoint": (KNOWN, "Endpoint", 75, 33),
    }
    assert _props(app["Logs"]) == {"retention_days": (KNOWN, 30, 113, 37)}
    assert _props(app["Retrain"]) == {
        "schedule": (KNOWN, "cron(0 3 ? * MON *)", 118, 13),
        "targets": (KNOWN, ["LambdaFunction"], 119, 13),
    }


def test_role_bucket_key_and_model(app):
    assert _props(app["ExecutionRole"]) == {
        "assumed_by": (KNOWN, ["sagemaker.amazonaws.com"], 40, 13),
        "managed_policies": (KNOWN, ["AmazonSageMakerFullAccess"], 41, 13),
        "statements": (
            KNOWN,
            [
                {
                    "effect": (KNOWN, "Allow", 45, 28),
                    "actions": (KNOWN, ["s3:GetObject"], 45, 48),
                    "resources": (KNOWN, ["*"], 45, 74),
                }
            ],
            45,
            9,
        ),
    }
    assert _props(app["Data"]) == {
        "encryption": (KNOWN, "aws:kms", 30, 13),
        "public_access_block": (KNOWN, True, 32, 13),
        "versioning": (KNOWN, True, 33, 13),
        # bucket.add_lifecycle_rule(...) after construction.
        "lifecycle_rules": (KNOWN, True, 35, 9),
        "tags": (KNOWN, {"project": "churn", "cost-center": "ml-platform"}, 121, 9),
    }
    assert _props(app["Key"]) == {"rotation": (KNOWN, True, 25, 36)}
    assert _props(app["Model"]) == {
        "network_isolation": (KNOWN, True, 51, 13),
        "image": (KNOWN, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1.4.2", 53, 17),
        "role": (KNOWN, "ExecutionRole", 50, 13),
        "tags": (KNOWN, {"project": "churn", "cost-center": "ml-platform"}, 121, 9),
    }


def test_notebooks_studio_monitoring_pipeline_and_registry(app):
    app_tag = (KNOWN, {"cost-center": "ml-platform"}, 7, 1)
    assert _props(app["AutoStop"]) == {"auto_stop": (KNOWN, True, 27, 13)}
    assert _props(app["Notebook"]) == {
        "instance_type": (KNOWN, "ml.t3.medium", 32, 13),
        "direct_internet_access": (KNOWN, False, 34, 13),
        "root_access": (KNOWN, False, 35, 13),
        "vpc": (KNOWN, True, 36, 13),
        "lifecycle_config": (KNOWN, "AutoStop", 37, 13),
        "tags": app_tag,
    }
    assert app["Notebook"].get("tags").location == Location("app.py", 7, 1)
    assert _props(app["Studio"]) == {"app_network_access": (KNOWN, "VpcOnly", 43, 13)}
    assert _props(app["QualitySchedule"]) == {
        # From the job definition the schedule names.
        "monitor_type": (KNOWN, "model-quality", 59, 17),
        "endpoint": (KNOWN, "churn-prod", 52, 57),
        "schedule": (KNOWN, "cron(0 * ? * * *)", 61, 21),
    }
    assert _props(app["Pipeline"]) == {
        "steps": (KNOWN, ["processing", "training", "quality-check", "register-model"], 70, 34)
    }
    assert _props(app["Registry"]) == {
        "tags": (KNOWN, {"team": "ml", "cost-center": "ml-platform"}, 76, 13)
    }
    assert _props(app["Package"]) == {"approval_status": (KNOWN, "PendingManualApproval", 82, 13)}


def test_parameters_context_and_function_arguments(app):
    [variant] = app["ParamConfig"].get("variants").value
    # A CfnParameter without a default is unknown; with a default of 3 it is known 3.
    assert _show(app["ParamConfig"].get("kms_key")) == (
        UNKNOWN,
        "key_param.value_as_string",
        19,
        13,
    )
    assert {k: _show(v) for k, v in variant.items()} == {
        "variant_name": (KNOWN, "AllTraffic", 22, 21),
        "model": (UNKNOWN, "self.node.try_get_context('model')", 23, 21),
        "instance_type": (UNKNOWN, "instance_type", 24, 21),
        "instance_count": (KNOWN, 3, 25, 21),
        "serverless": (ABSENT, ""),
        "managed_scaling": (ABSENT, ""),
    }


def test_commented_key_is_absent_and_later_settings_count(app):
    commented = app["Commented"]
    assert commented.get("kms_key").absent
    # add_property_override("DataCaptureConfig.EnableCapture", False)
    assert _show(commented.get("data_capture")) == (KNOWN, False, 42, 9)
    [variant] = commented.get("variants").value
    # A module constant INSTANCE_COUNT = 2 is known; an f-string with a context lookup is not.
    assert _show(variant["instance_count"]) == (KNOWN, 2, 34, 13)
    assert variant["instance_type"].unknown
    # later.kms_key_id = "alias/later": an L1 property set after construction.
    assert _show(app["Later"].get("kms_key")) == (KNOWN, "alias/later", 44, 9)


def test_serverless_variant_has_no_instances(app):
    [variant] = app["Serverless"].get("variants").value
    assert _show(variant["serverless"]) == (KNOWN, True, 53, 21)
    assert variant["instance_type"].absent
    assert variant["instance_count"].absent
    assert app["Serverless"].get("async_inference").absent  # =None is not setting it


def test_star_kwargs_make_a_construct_opaque_with_every_property_unknown(app):
    passed = app["Passed"]
    assert passed.opaque
    assert set(passed.properties) == set(rm.PROPERTIES[rm.ENDPOINT])
    assert _show(passed.get("kms_key")) == (UNKNOWN, "**kwargs", 61, 9)
    # A **spread of a dict literal in the module is read like keywords.
    assert not app["Spread"].opaque
    assert _show(app["Spread"].get("versioning")) == (KNOWN, True, 63, 18)


def test_bucket_defaults_and_l1_bucket(app):
    # CDK v2 encrypts a Bucket with S3-managed keys unless told otherwise.
    assert _props(app["Defaults"]) == {
        "encryption": (KNOWN, "AES256", 62, 9),
        "tags": (KNOWN, {"cost-center": "ml-platform"}, 7, 1),
    }
    assert _props(app["Raw"]) == {
        "versioning": (KNOWN, False, 69, 39),
        "public_access_block": (KNOWN, False, 70, 13),
        "tags": (KNOWN, {"cost-center": "ml-platform"}, 7, 1),
    }


def test_inline_policy_attached_after_construction(app):
    assert _props(app["Wildcard"]) == {
        "statements": (
            KNOWN,
            [
                {
                    "effect": (KNOWN, "Allow", 81, 25),
                    "actions": (KNOWN, ["sagemaker:*"], 81, 45),
                    "resources": (KNOWN, ["*"], 81, 70),
                }
            ],
            81,
            13,
        ),
        "attached_to": (KNOWN, ["Plain"], 84, 9),
    }
    assert _props(app["Plain"]) == {"assumed_by": (KNOWN, [], 83, 40)}


def test_a_syntax_error_is_one_unparseable_file_finding_not_a_crash():
    root = FIXTURES / "broken"
    context = ProjectContext(Project(root, ("stack.py",)), Stage.DEVELOPMENT, None)
    assert rm.resources(context.evidence) == ()
    [violation] = unparseable_file.check(context)
    assert (violation.location, violation.message) == (
        Location("stack.py", 3, 33),
        "`stack.py` has a syntax error: '(' was never closed",
    )


# Spellings and smaller cases -------------------------------------------------------------------


def test_cdk_v1_and_from_imports_are_resolved(tmp_path):
    resource = _one(
        tmp_path,
        """
        from aws_cdk import core
        from aws_cdk.aws_sagemaker import CfnEndpoint

        class S(core.Stack):
            def __init__(self, scope, id):
                super().__init__(scope, id)
                self.endpoint = CfnEndpoint(self, f"{id}-endpoint", endpoint_config_name="c")
                core.Tags.of(self.endpoint).add("owner", "ml")
        """,
    )
    # A construct id that is not a literal: the attribute it is assigned to names it.
    assert (resource.kind, resource.name) == (rm.ENDPOINT, "endpoint")
    assert _props(resource) == {
        "endpoint_config": (KNOWN, "c", 7, 61),
        "tags": (KNOWN, {"owner": "ml"}, 8, 9),
    }


def test_unknown_tag_values_make_tags_unknown(tmp_path):
    resource = _one(
        tmp_path,
        """
        import aws_cdk as cdk

        def build(stack, team):
            cdk.aws_sagemaker.CfnModelPackageGroup(stack, "G", model_package_group_name="g")
            cdk.Tags.of(stack).add("team", team)
        """,
    )
    assert _show(resource.get("tags")) == (UNKNOWN, "team", 5, 5)


def _project(tmp_path: Path, files: dict[str, str]) -> dict[str, rm.Resource]:
    """Several modules of one CDK app, read together: resource name → resource."""
    for name, source in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return {r.name: r for r in extract(Evidence(tmp_path, tuple(sorted(files))))}


_NOTEBOOK_STACK = """
    from aws_cdk import Stack
    from aws_cdk import aws_sagemaker as sagemaker


    class NotebookStack(Stack):
        def __init__(self, scope, construct_id, **kwargs):
            super().__init__(scope, construct_id, **kwargs)
            sagemaker.CfnNotebookInstance(
                self, "Notebook", instance_type="ml.t3.medium", role_arn="arn"
            )
            sagemaker.CfnModelPackageGroup(
                self, "Registry", model_package_group_name="g", tags=[{"key": "team", "value": "x"}]
            )
    """


def test_tags_given_to_a_stack_where_the_app_instantiates_it(tmp_path):
    found = _project(
        tmp_path,
        {
            "infra/stacks/notebooks.py": _NOTEBOOK_STACK,
            "infra/app.py": """
                import aws_cdk as cdk
                from stacks.notebooks import NotebookStack

                TAGS = {"project": "churn"}
                app = cdk.App()
                NotebookStack(app, "Notebooks", tags=TAGS)
                app.synth()
            """,
        },
    )
    # The stack's tags, where the app gives them; a resource's own tags are merged in.
    assert _show(found["Notebook"].get("tags")) == (KNOWN, {"project": "churn"}, 6, 33)
    assert _show(found["Registry"].get("tags")) == (
        KNOWN,
        {"project": "churn", "team": "x"},
        12,
        61,
    )


def test_stack_tags_reach_nested_constructs_through_relative_imports_and_super(tmp_path):
    found = _project(
        tmp_path,
        {
            "deploy/constructs.py": """
                from aws_cdk import aws_sagemaker as sagemaker
                from constructs import Construct


                class Hosting(Construct):
                    def __init__(self, scope, construct_id):
                        super().__init__(scope, construct_id)
                        sagemaker.CfnEndpoint(self, "Endpoint", endpoint_config_name="churn")
            """,
            "deploy/stack.py": """
                from aws_cdk import Stack

                from .constructs import Hosting


                class ServingStack(Stack):
                    def __init__(self, scope, construct_id):
                        super().__init__(scope, construct_id, tags={"team": "ml"})
                        Hosting(self, "Hosting")
            """,
            "deploy/app.py": """
                from aws_cdk import App, Stack
                from aws_cdk import aws_logs as logs

                from . import stack

                app = App()
                stack.ServingStack(app, "Serving")
                plain = Stack(app, "Plain", tags={"cost-center": "42"})
                logs.CfnLogGroup(plain, "Logs")
            """,
        },
    )
    assert _show(found["Endpoint"].get("tags")) == (KNOWN, {"team": "ml"}, 8, 52)
    # Log groups take no tags in the model: a Stack(...) scope's tags are not invented.
    assert "tags" not in found["Logs"].properties


@pytest.mark.parametrize(
    ("instantiations", "expected"),
    [
        # Tags from a parameter or an unread **props are unknown, not absent.
        ('NotebookStack(app, "A", tags=load_tags())', (UNKNOWN, "load_tags()", 4, 25)),
        ('NotebookStack(app, "A", **settings())', (UNKNOWN, "**settings()", 4, 25)),
        # **props read whole: its tags count.
        (
            'NotebookStack(app, "A", **{"tags": {"project": "churn"}})',
            (KNOWN, {"project": "churn"}, 4, 28),
        ),
        # Tagged in one instantiation only: no answer that holds for every instance.
        (
            'NotebookStack(app, "A", tags={"project": "churn"})\nNotebookStack(app, "B")',
            (UNKNOWN, "tags given to some instances only", 4, 25),
        ),
        # Never tagged: still absent.
        ('NotebookStack(app, "A")\nNotebookStack(app, "B", tags=None)', (ABSENT, "")),
    ],
)
def test_stack_tags_known_only_when_every_instantiation_gives_known_tags(
    tmp_path, instantiations, expected
):
    app = "from aws_cdk import App\nfrom notebooks import NotebookStack\napp = App()\n"
    found = _project(
        tmp_path, {"notebooks.py": _NOTEBOOK_STACK, "app.py": app + instantiations + "\n"}
    )
    assert _show(found["Notebook"].get("tags")) == expected


def test_a_stack_that_keeps_its_tags_parameter_for_some_constructs_tags_those_alone(tmp_path):
    found = _project(
        tmp_path,
        {
            "stack.py": """
                from aws_cdk import Stack
                from aws_cdk import aws_sagemaker as sagemaker


                class ServingStack(Stack):
                    def __init__(self, scope, construct_id, tags, **kwargs):
                        super().__init__(scope, construct_id, **kwargs)
                        sagemaker.CfnModel(self, "Model", execution_role_arn="arn")
                        sagemaker.CfnEndpoint(
                            self, "Endpoint", endpoint_config_name="c", tags=tags
                        )
            """,
            "app.py": """
                from aws_cdk import App
                from stack import ServingStack

                ServingStack(App(), "Serving", tags=[{"key": "project", "value": "churn"}])
            """,
        },
    )
    # `tags` is the class's own parameter, not passed to the Stack: only the endpoint has it,
    # as the app gives it.
    assert _show(found["Model"].get("tags")) == (ABSENT, "")
    assert _show(found["Endpoint"].get("tags")) == (KNOWN, {"project": "churn"}, 4, 32)


def test_role_policies_added_later_and_statement_changes(tmp_path):
    [policy, role] = sorted(
        extract(
            _write(
                tmp_path,
                """
                from aws_cdk import aws_iam as iam

                role = iam.Role(None, "R", assumed_by=iam.CompositePrincipal(
                    iam.ServicePrincipal("sagemaker.amazonaws.com"),
                    iam.ServicePrincipal(service="events"),
                ))
                statement = iam.PolicyStatement(effect=iam.Effect.DENY, actions=["s3:Delete*"])
                statement.add_all_resources()
                role.add_to_principal_policy(statement)
                full = iam.ManagedPolicy.from_managed_policy_arn(
                    None, "Full", "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
                )
                role.add_managed_policy(full)
                mine = iam.ManagedPolicy(None, "Mine", roles=[role], document=iam.PolicyDocument(
                    statements=[iam.PolicyStatement(actions=["sagemaker:*"], resources=["*"])]
                ))
                """,
            )
        ),
        key=lambda r: r.kind,
    )
    assert _props(role) == {
        "assumed_by": (KNOWN, ["sagemaker.amazonaws.com", "events.amazonaws.com"], 3, 28),
        "managed_policies": (
            KNOWN,
            ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess", "Mine"],
            13,
            1,
        ),
        "statements": (
            KNOWN,
            [
                {
                    "effect": (KNOWN, "Deny", 7, 33),
                    "actions": (KNOWN, ["s3:Delete*"], 7, 57),
                    "resources": (KNOWN, ["*"], 8, 1),
                }
            ],
            9,
            1,
        ),
    }
    assert _props(policy)["attached_to"] == (KNOWN, ["R"], 14, 40)
    assert _props(policy)["statements"][1][0]["actions"] == (KNOWN, ["sagemaker:*"], 15, 37)


def test_l1_role_reads_json_policy_documents(tmp_path):
    resource = _one(
        tmp_path,
        """
        from aws_cdk import aws_iam as iam

        iam.CfnRole(
            None,
            "Execution",
            assume_role_policy_document={
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "sagemaker.amazonaws.com"}}],
            },
            managed_policy_arns=["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"],
            policies=[iam.CfnRole.PolicyProperty(policy_name="p", policy_document={
                "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            })],
        )
        """,
    )
    assert _props(resource) == {
        "assumed_by": (KNOWN, ["sagemaker.amazonaws.com"], 6, 5),
        "managed_policies": (
            KNOWN,
            ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"],
            11,
            5,
        ),
        "statements": (
            KNOWN,
            [
                {
                    "effect": (KNOWN, "Allow", 13, 23),
                    "actions": (KNOWN, ["s3:*"], 13, 42),
                    "resources": (KNOWN, ["*"], 13, 60),
                }
            ],
            12,
            5,
        ),
    }


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("", ("known", 731)),  # RetentionDays.TWO_YEARS by default
        ("retention=logs.RetentionDays.INFINITE", ("known", None)),
        ("retention=props.retention", ("unknown", "props.retention")),
    ],
)
def test_log_group_retention(tmp_path, argument, expected):
    resource = _one(
        tmp_path,
        f"""
        from aws_cdk import aws_logs as logs

        def make(scope, props):
            logs.LogGroup(scope, "Logs", {argument})
        """,
    )
    assert _show(resource.get("retention_days"))[:2] == expected


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("encryption=s3.BucketEncryption.UNENCRYPTED", ("encryption", KNOWN, None)),
        ("encryption_key=key", ("encryption", KNOWN, "aws:kms")),
        ("lifecycle_rules=[s3.LifecycleRule(enabled=False)]", ("lifecycle_rules", KNOWN, False)),
        ("lifecycle_rules=[{'expiration': exp}]", ("lifecycle_rules", KNOWN, True)),
        (
            "block_public_access=s3.BlockPublicAccess.BLOCK_ACLS",
            ("public_access_block", KNOWN, False),
        ),
        ("versioned=flag", ("versioning", UNKNOWN, "flag")),
    ],
)
def test_bucket_properties(tmp_path, arguments, expected):
    resource = _one(
        tmp_path,
        f"""
        from aws_cdk import aws_s3 as s3

        def make(scope, key, exp, flag):
            s3.Bucket(scope, "B", {arguments})
        """,
    )
    name, *shown = expected
    assert list(_show(resource.get(name))[:2]) == shown


def test_event_rule_rates_and_targets_added_later(tmp_path):
    [_, resource] = extract(
        _write(
            tmp_path,
            """
        from aws_cdk import Duration
        from aws_cdk import aws_events as events, aws_events_targets as targets
        from aws_cdk import aws_sagemaker as sm

        pipeline = sm.CfnPipeline(None, "Train", pipeline_definition=definition)
        rule = events.Rule(None, "Daily", schedule=events.Schedule.rate(Duration.days(1)))
        rule.add_target(targets.SageMakerPipeline(pipeline))
        """,
        )
    )
    assert resource.name == "Daily"
    assert _props(resource) == {
        "schedule": (KNOWN, "rate(1 day)", 6, 35),
        "targets": (KNOWN, ["Train"], 7, 1),
    }


def test_other_services_scaling_targets_are_not_sagemaker_ones(tmp_path):
    ev = _write(
        tmp_path,
        """
        from aws_cdk import aws_applicationautoscaling as appscaling

        dynamodb = appscaling.ServiceNamespace.DYNAMODB
        appscaling.ScalableTarget(None, "Tables", service_namespace=dynamodb, resource_id="table/t",
                                  scalable_dimension="x", min_capacity=1, max_capacity=2)
        """,
    )
    assert list(extract(ev)) == []


def test_monitoring_schedule_with_inline_definition(tmp_path):
    [_, resource] = extract(
        _write(
            tmp_path,
            """
        from aws_cdk import aws_sagemaker as sm

        ep = sm.CfnEndpoint(None, "Ep", endpoint_config_name="c")
        schedule = sm.CfnMonitoringSchedule(None, "Drift", monitoring_schedule_config={
            "monitoring_job_definition": {
                "monitoring_inputs": [{"endpoint_input": {"endpoint_name": ep.attr_endpoint_name}}],
            },
        })
        """,
        )
    )
    assert _props(resource) == {
        "monitor_type": (KNOWN, "data-quality", 5, 5),
        "endpoint": (KNOWN, "Ep", 6, 51),
    }


def test_a_module_function_returning_keywords_is_followed(tmp_path):
    resource = _one(
        tmp_path,
        """
        from aws_cdk import aws_s3 as s3

        def bucket_params(name):
            return {"bucket_name": name, "block_public_access": s3.BlockPublicAccess.BLOCK_ALL}

        s3.Bucket(None, "Data", **bucket_params("data"))
        """,
    )
    assert not resource.opaque
    assert _props(resource) == {
        "encryption": (KNOWN, "AES256", 6, 1),
        "public_access_block": (KNOWN, True, 4, 34),
    }


def test_reassigned_variables_and_loops_are_unknown(tmp_path):
    resource = _one(
        tmp_path,
        """
        from aws_cdk import aws_kms as kms

        rotate = True
        if something:
            rotate = False
        for flag in flags:
            pass
        kms.Key(None, "K", enable_key_rotation=rotate)
        """,
    )
    assert _show(resource.get("rotation")) == (UNKNOWN, "rotate", 8, 20)


def test_test_code_and_modules_without_aws_cdk_are_not_read(tmp_path):
    (tmp_path / "tests").mkdir()
    source = 'from aws_cdk import aws_kms as kms\nkms.Key(None, "K")\n'
    (tmp_path / "tests" / "test_stack.py").write_text(source, encoding="utf-8")
    (tmp_path / "other.py").write_text("Key(None, 'K')\n", encoding="utf-8")
    assert list(extract(Evidence(tmp_path, ("other.py", "tests/test_stack.py")))) == []


def test_self_referencing_values_end(tmp_path):
    ev = _write(
        tmp_path,
        """
        from aws_cdk import aws_s3 as s3

        rules = [*rules]
        props = {**props}
        s3.Bucket(None, "B", lifecycle_rules=rules, **props)
        """,
    )
    [bucket] = extract(ev)
    assert bucket.opaque
    assert bucket.get("lifecycle_rules").unknown


# Never raising -----------------------------------------------------------------------------------

SERVING_SOURCE = (APP / "stacks" / "serving.py").read_text(encoding="utf-8").splitlines()
TOKENS = [
    "from aws_cdk import aws_sagemaker as sm\n",
    "import aws_cdk as cdk\n",
    "x = ",
    "sm.CfnEndpoint(",
    "cdk.aws_s3.Bucket(",
    "self, ",
    '"Id", ',
    "x",
    ".attr_endpoint_name",
    "**x",
    "*x",
    "[x, *x]",
    "{**x}",
    '{"a": x}',
    "kms_key_id=",
    "production_variants=",
    "x.add_property_override(",
    '"A.0.B", ',
    "cdk.Tags.of(x).add(",
    "x.add_to_policy(",
    "f'{x}'",
    "x[0]",
    'x["a"]',
    ")",
    "\n",
    "    ",
    "def f(x):\n    ",
    "class C:\n    ",
    "lambda x: ",
    "None",
    "-1",
    "1 + x",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_never_raises_on_token_soup(tmp_path_factory, tokens):
    root = tmp_path_factory.mktemp("soup")
    (root / "stack.py").write_text("import aws_cdk\n" + "".join(tokens), encoding="utf-8")
    ev = Evidence(root, ("stack.py",))
    for resource in extract(ev):
        assert resource.kind in rm.PROPERTIES


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_never_raises_on_a_damaged_stack(tmp_path_factory, data):
    lines = list(SERVING_SOURCE)
    start = data.draw(st.integers(0, len(lines) - 1))
    stop = data.draw(st.integers(start, len(lines)))
    del lines[start:stop]
    root = tmp_path_factory.mktemp("damaged")
    (root / "stack.py").write_text("\n".join(lines), encoding="utf-8")
    ev = Evidence(root, ("stack.py",))
    for resource in extract(ev):
        assert set(resource.properties) <= set(rm.PROPERTIES[resource.kind])
