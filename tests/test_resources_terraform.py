"""Terraform read into the resource model: each resource by its address, each property known
(a literal, a variable's default, a literal local), unknown (anything Terraform evaluates)
or absent, with the line and column where it is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence, ParseError
from mllint_wa.evidence import resources as model
from mllint_wa.evidence.tf_resources import extract
from mllint_wa.model import Location, Stage
from mllint_wa.parsers.terraform import LITERAL, OTHER, REF, TEMPLATE, parse_terraform
from mllint_wa.project import Project

FIXTURES = Path(__file__).parent / "fixtures" / "infra" / "terraform"


def _evidence(root: Path) -> Evidence:
    files = tuple(sorted(p.relative_to(root).as_posix() for p in root.rglob("*.tf")))
    return Evidence(root, files)


def _value(value: model.Value) -> tuple[Any, ...]:
    where = (value.location.line, value.location.column) if value.location else None
    listed = value.value if value.known and isinstance(value.value, list) else []
    if listed and isinstance(listed[0], dict):
        return ("known", [{k: _value(v) for k, v in d.items()} for d in value.value], where)
    shown = value.value if value.known else value.written
    return (value.state.value, shown, where)


def _resources(folder: str) -> dict[str, tuple[Any, ...]]:
    """Every resource of a fixture folder: address → (kind, path, line, column, properties)."""
    found = {}
    for resource in extract(_evidence(FIXTURES)):
        if resource.location.path.startswith(folder + "/"):
            assert resource.source == "terraform"
            loc = resource.location
            properties = {k: _value(v) for k, v in resource.properties.items()}
            found[resource.name] = (resource.kind, loc.path, loc.line, loc.column, properties)
    return found


@pytest.fixture(scope="module")
def endpoint() -> dict[str, tuple[Any, ...]]:
    return _resources("endpoint")


@pytest.fixture(scope="module")
def iam() -> dict[str, tuple[Any, ...]]:
    return _resources("iam")


@pytest.fixture(scope="module")
def platform() -> dict[str, tuple[Any, ...]]:
    return _resources("platform")


def test_a_model_links_its_role_by_address(endpoint):
    assert endpoint["aws_sagemaker_model.churn"] == (
        "model",
        "endpoint/main.tf",
        8,
        1,
        {
            "image": (
                "known",
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1.4.2",
                (14, 5),
            ),
            "network_isolation": ("known", True, (11, 3)),
            "role": ("known", "aws_iam_role.sagemaker", (10, 3)),
            "vpc": ("known", True, (17, 3)),
        },
    )


def test_an_instance_count_from_a_variable_default_is_known_and_a_key_without_one_is_not(
    endpoint,
):
    kind, path, line, column, properties = endpoint["aws_sagemaker_endpoint_configuration.churn"]
    assert (kind, path, line, column) == ("endpoint-config", "endpoint/main.tf", 23, 1)
    assert properties == {
        # data_capture_config without enable_capture: capture is on
        "data_capture": ("known", True, (34, 3)),
        "kms_key": ("unknown", "var.kms_key_arn", (25, 3)),
        "tags": ("known", {"CostCenter": "ml"}, (42, 3)),
        "variants": (
            "known",
            [
                {
                    "variant_name": ("known", "AllTraffic", (28, 5)),
                    # a literal name is the address of the model that declares it
                    "model": ("known", "aws_sagemaker_model.churn", (29, 5)),
                    "instance_type": ("known", "ml.m5.large", (30, 5)),
                    "instance_count": ("known", 2, (31, 5)),
                    "serverless": ("absent", "", None),
                    "managed_scaling": ("absent", "", None),
                }
            ],
            (27, 3),
        ),
    }


def test_a_serverless_variant_and_a_commented_out_key(endpoint):
    properties = endpoint["aws_sagemaker_endpoint_configuration.serverless"][4]
    assert "kms_key" not in properties  # `# kms_key_arn = …` is a comment: absent
    (variant,) = properties["variants"][1]
    assert variant["serverless"] == ("known", True, (54, 5))
    assert variant["instance_count"] == ("absent", "", None)
    assert variant["model"] == ("known", "aws_sagemaker_model.churn", (53, 5))


def test_a_dynamic_variant_is_its_content_with_the_iterator_unknown(endpoint):
    properties = endpoint["aws_sagemaker_endpoint_configuration.shadow"][4]
    assert properties["variants"] == (
        "known",
        [
            {
                "variant_name": ("unknown", "production_variants.value.name", (67, 7)),
                "model": ("known", "aws_sagemaker_model.churn", (68, 7)),
                "instance_type": ("known", "ml.c5.xlarge", (69, 7)),
                "instance_count": ("known", 1, (70, 7)),
                "serverless": ("absent", "", None),
                "managed_scaling": ("absent", "", None),
            }
        ],
        (66, 5),
    )
    assert properties["data_capture"] == ("known", False, (75, 5))


def test_an_endpoint_with_canary_deployment_and_rollback_alarms(endpoint):
    assert endpoint["aws_sagemaker_endpoint.churn"] == (
        "endpoint",
        "endpoint/main.tf",
        84,
        1,
        {
            "auto_rollback_alarms": ("known", ["aws_cloudwatch_metric_alarm.errors"], (96, 7)),
            "blue_green": ("known", True, (89, 5)),
            "endpoint_config": ("known", "aws_sagemaker_endpoint_configuration.churn", (86, 3)),
            "traffic_routing": ("known", "CANARY", (91, 9)),
        },
    )


def test_a_resource_with_count_zero_does_not_exist(endpoint):
    assert "aws_sagemaker_endpoint.legacy" not in endpoint


def test_alarms_and_scaling_link_to_the_endpoint(endpoint):
    assert endpoint["aws_cloudwatch_metric_alarm.errors"][4] == {
        "endpoint": ("known", "aws_sagemaker_endpoint.churn", (117, 20)),
        "metric_name": ("known", "Invocation5XXErrors", (112, 3)),
        "namespace": ("known", "AWS/SageMaker", (111, 3)),
    }
    target = endpoint["aws_appautoscaling_target.churn"][4]
    assert target["endpoint"] == ("known", "aws_sagemaker_endpoint.churn", (124, 3))
    assert target["resource_id"][0] == "unknown"
    assert (target["min_capacity"], target["max_capacity"]) == (
        ("known", 2, (126, 3)),
        ("known", 6, (127, 3)),
    )
    assert endpoint["aws_appautoscaling_policy.churn"][4] == {
        "target": ("known", "aws_appautoscaling_target.churn", (133, 3))
    }
    # A DynamoDB table's scaling is no endpoint's.
    assert "endpoint" not in endpoint["aws_appautoscaling_target.table"][4]


def test_roles_trust_attachments_and_inline_policies(iam):
    assert iam["aws_iam_role.sagemaker"] == (
        "iam-role",
        "iam/main.tf",
        24,
        1,
        {
            "assumed_by": ("known", ["sagemaker.amazonaws.com"], (26, 3)),
            # attached by aws_iam_role_policy_attachment resources, by reference and by name
            "managed_policies": (
                "known",
                ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess", "aws_iam_policy.data_access"],
                (56, 3),
            ),
            "statements": (
                "known",
                [
                    {
                        "effect": ("known", "Allow", (33, 20)),
                        "actions": ("known", ["logs:*"], (34, 20)),
                        "resources": ("known", ["*"], (35, 20)),
                    }
                ],
                (28, 3),
            ),
        },
    )
    assert iam["aws_iam_role.pipeline"][4] == {
        "assumed_by": ("known", ["events.amazonaws.com", "sagemaker.amazonaws.com"], (43, 3)),
        "managed_policies": (
            "known",
            ["arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"],
            (51, 3),
        ),
    }


def test_policies_from_documents_heredocs_and_files(iam):
    assert iam["aws_iam_policy.data_access"][4] == {
        "attached_to": ("known", ["aws_iam_role.sagemaker"], (65, 3)),
        "statements": (
            "known",
            [
                {
                    "effect": ("known", "Allow", (12, 3)),
                    "actions": ("known", ["s3:GetObject", "s3:ListBucket"], (14, 5)),
                    "resources": (
                        "unknown",
                        '[aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]',
                        (15, 5),
                    ),
                },
                {
                    "effect": ("known", "Allow", (18, 5)),
                    "actions": ("known", ["kms:*"], (19, 5)),
                    "resources": ("known", ["*"], (20, 5)),
                },
            ],
            (61, 3),
        ),
    }
    (legacy,) = iam["aws_iam_policy.legacy"][4]["statements"][1]
    assert legacy["actions"] == ("known", ["sagemaker:*"], (71, 3))
    from_file = iam["aws_iam_role_policy.from_file"][4]
    assert from_file["attached_to"] == ("known", ["aws_iam_role.pipeline"], (85, 3))
    (unread,) = from_file["statements"][1]
    assert unread["actions"] == ("unknown", 'file("${path.module}/policy.json")', (86, 3))


def test_notebooks_lifecycle_scripts_and_studio(platform):
    assert platform["aws_sagemaker_notebook_instance.research"][4] == {
        "direct_internet_access": ("known", False, (29, 3)),
        "instance_type": ("known", "ml.t3.medium", (28, 3)),
        "kms_key": ("known", "aws_kms_key.ml", (31, 3)),
        "lifecycle_config": (
            "known",
            "aws_sagemaker_notebook_instance_lifecycle_configuration.auto_stop",
            (33, 3),
        ),
        "root_access": ("known", True, (30, 3)),
        # the provider's default_tags merged with the resource's own
        "tags": ("known", {"Project": "churn", "Owner": "ml-platform"}, (34, 3)),
        "vpc": ("known", True, (32, 3)),
    }
    lifecycle = "aws_sagemaker_notebook_instance_lifecycle_configuration"
    assert platform[f"{lifecycle}.auto_stop"][4] == {"auto_stop": ("known", True, (17, 3))}
    assert platform[f"{lifecycle}.from_file"][4] == {
        "auto_stop": ("unknown", 'filebase64("${path.module}/on-start.sh")', (22, 3))
    }
    assert platform["aws_sagemaker_domain.studio"][4] == {
        "app_network_access": ("known", "PublicInternetOnly", (44, 3))
    }


def test_bucket_settings_written_as_separate_resources_are_merged(platform):
    assert platform["aws_s3_bucket.data"] == (
        "bucket",
        "platform/main.tf",
        51,
        1,
        {
            "encryption": ("known", "aws:kms", (59, 7)),
            "lifecycle_rules": ("known", True, (86, 3)),  # the enabled rule
            "public_access_block": ("known", False, (65, 1)),  # restrict_public_buckets off
            "tags": ("known", {"Project": "churn"}, (4, 5)),
            "versioning": ("known", True, (76, 5)),  # found by the bucket's literal name
        },
    )
    assert platform["aws_s3_bucket.legacy"][4] == {
        "tags": ("known", {"Project": "legacy"}, (97, 3)),
        "versioning": ("known", False, (95, 5)),
    }


def test_pipelines_schedules_and_monitoring(platform):
    assert platform["aws_sagemaker_pipeline.retrain"][4] == {
        "schedule": ("known", "cron(0 3 1 * ? *)", (125, 3)),
        "steps": ("known", ["processing", "training", "condition", "register-model"], (106, 3)),
    }
    assert platform["aws_cloudwatch_event_rule.monthly"][4] == {
        "schedule": ("known", "cron(0 3 1 * ? *)", (125, 3)),
        "targets": ("known", ["aws_sagemaker_pipeline.retrain"], (130, 3)),
    }
    assert platform["aws_sagemaker_monitoring_schedule.churn"] == (
        "monitoring-schedule",
        "platform/main.tf",
        146,
        1,
        {
            # the endpoint named in the job definition the schedule runs
            "endpoint": ("known", "aws_sagemaker_endpoint.churn", (141, 7)),
            "monitor_type": ("known", "data-quality", (150, 5)),
            "schedule": ("known", "cron(0 * ? * * *)", (152, 7)),
        },
    )


def test_supporting_resources_and_remote_modules(platform):
    assert platform["aws_kms_key.ml"][4] == {"rotation": ("known", True, (12, 3))}
    assert platform["aws_cloudwatch_log_group.endpoint"][4] == {
        "retention_days": ("known", 30, (159, 3))
    }
    assert platform["aws_cloudwatch_log_group.training"][4] == {}
    assert platform["aws_budgets_budget.ml"][:3] == ("budget", "platform/main.tf", 166)
    assert platform["module.inference"] == ("endpoint", "platform/main.tf", 174, 1, {})
    assert "module.network" not in platform  # not a SageMaker module


def test_a_remote_module_is_opaque():
    (module,) = [r for r in extract(_evidence(FIXTURES)) if r.name == "module.inference"]
    assert module.opaque and module.type == "module"


def test_a_syntax_error_is_one_parse_failure_at_its_line():
    ev = _evidence(FIXTURES)
    list(extract(ev))
    list(extract(ev))  # parsed once per run, whoever asks
    assert [(f.path, f.message, f.line, f.column) for f in ev.failures] == [
        ("broken/main.tf", "has a syntax error", 3, 25)
    ]


def test_the_syntax_error_is_reported_once_by_unparseable_file():
    from mllint_wa.checks.files import unparseable_file

    files = tuple(sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.tf")))
    context = ProjectContext(Project(FIXTURES, files), Stage.DEVELOPMENT, None)
    assert context.has_deployment_artefacts  # the extractor ran through the resource model
    findings = list(unparseable_file.check(context))
    assert [(v.location, v.message) for v in findings] == [
        (Location("broken/main.tf", 3, 25), "`broken/main.tf` has a syntax error")
    ]


def test_a_reusable_module_and_its_examples():
    found = _resources("reusable")
    # The same address in two example folders is two resources.
    buckets = [r for r in extract(_evidence(FIXTURES)) if r.name == "aws_s3_bucket.artifacts"]
    assert [r.location.path for r in buckets] == [
        "reusable/examples/basic/main.tf",
        "reusable/examples/encrypted/main.tf",
    ]
    # Each example calls the module ("../.." is its folder) and the module is judged once
    # per caller: the example that passes kms_key_arn has that key, located at its argument;
    # the other has the variable's null default, located where the module uses it. Neither
    # passes instance_type, so its default is the value.
    configs = [
        r
        for r in extract(_evidence(FIXTURES))
        if r.name == "module.endpoint.aws_sagemaker_endpoint_configuration.this"
    ]
    assert [_value(c.get("kms_key")) for c in configs] == [
        ("known", None, (37, 3)),
        ("known", "aws_kms_key.endpoint", (3, 3)),  # the caller's key
    ]
    assert configs[1].get("kms_key").location.path == "reusable/examples/encrypted/main.tf"
    for config in configs:
        assert _value(config.get("variants"))[1][0]["instance_type"] == (
            "known",
            "ml.m5.large",
            (42, 5),
        )
    assert "module.endpoint.aws_sagemaker_endpoint_configuration.this" in found


def test_aws_managed_policies_and_services_built_from_the_partition():
    role = _resources("reusable")["module.endpoint.aws_iam_role.endpoint"]
    assert role[4] == {
        # "sagemaker.${data.aws_partition.current.dns_suffix}"
        "assumed_by": ("known", ["sagemaker.amazonaws.com"], (22, 3)),
        # a data "aws_iam_policy" lookup, and format() with a module's partition output
        "managed_policies": (
            "known",
            [
                "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            ],
            (27, 3),
        ),
    }


def test_local_module_inputs_override_variable_defaults(tmp_path: Path):
    (tmp_path / "modules" / "endpoint").mkdir(parents=True)
    (tmp_path / "main.tf").write_text(
        'module "churn" {\n  source = "./modules/endpoint"\n  instance_count = 1\n}\n'
    )
    (tmp_path / "modules" / "endpoint" / "main.tf").write_text(
        'variable "instance_count" { default = 2 }\n'
        'variable "instance_type" { default = "ml.m5.large" }\n'
        'resource "aws_sagemaker_endpoint_configuration" "c" {\n'
        "  production_variants {\n"
        "    initial_instance_count = var.instance_count\n"
        "    instance_type = var.instance_type\n"
        "  }\n"
        "}\n"
    )
    (config,) = extract(_evidence(tmp_path))
    assert config.name == "module.churn.aws_sagemaker_endpoint_configuration.c"
    (variant,) = config.get("variants").value
    # The caller passes it: its value, where the caller writes it.
    assert variant["instance_count"] == model.known(1, Location("main.tf", 3, 3))
    # The caller does not: the default, where the module uses it.
    assert variant["instance_type"] == model.known(
        "ml.m5.large", Location("modules/endpoint/main.tf", 6, 5)
    )


def test_locals_that_refer_to_each_other_are_unknown(tmp_path: Path):
    (tmp_path / "main.tf").write_text(
        "locals {\n  a = local.b\n  b = local.a\n}\n"
        'resource "aws_kms_key" "k" {\n  enable_key_rotation = local.a\n}\n'
    )
    (key,) = extract(_evidence(tmp_path))
    assert key.get("rotation") == model.unknown("local.a", Location("main.tf", 6, 3))


def test_expressions_are_data_with_positions():
    parsed = parse_terraform(
        'resource "aws_x" "y" {\n'
        '  a = "${var.name}-x"\n'
        '  b = "${aws_s3_bucket.b[0].arn}"\n'
        "  c = var.n * 2\n"
        '  d = "a\\n\\u00e9 $${x}"\n'
        "  e = -3\n"
        "}\n"
    )
    (block,) = parsed.blocks
    assert (block.type, block.labels) == ("resource", ("aws_x", "y"))
    assert (block.line, block.column) == (1, 1)
    a, b, c, d, e = (block.attributes[name].value for name in "abcde")
    assert a.kind == TEMPLATE and [i.kind for i in a.items] == [REF, LITERAL]
    assert (b.kind, b.ref, b.line, b.column) == (REF, ("aws_s3_bucket", "b", "arn"), 3, 10)
    assert (c.kind, c.text) == (OTHER, "var.n * 2")
    assert (d.kind, d.value) == (LITERAL, "a\n\u00e9 ${x}")
    assert (e.kind, e.value) == (LITERAL, -3)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('resource "a" "b" {\n  x = [1,\n', 2),  # input ends inside the tuple
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", 1),  # too deep: refused at its line
        ("x {" + "\n" * 3, 3),
    ],
)
def test_broken_or_absurd_input_is_a_parse_error_with_a_line(text: str, line: int):
    with pytest.raises(ParseError) as raised:
        parse_terraform(text)
    assert raised.value.line == line


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                'resource "aws_sagemaker_endpoint_configuration" "c" {',
                'resource "aws_iam_role" "r" {',
                'data "aws_iam_policy_document" "d" {',
                "  production_variants {",
                "  statement {",
                '  dynamic "production_variants" {',
                "  content {",
                "  assume_role_policy = jsonencode({ Statement = [{ Principal = var.p }] })",
                '  policy = <<EOF\n{"Statement": 3}\nEOF',
                "  initial_instance_count = var.n",
                "  kms_key_arn = local.k",
                '  count = "0"',
                "  for_each = {}",
                'variable "n" { default = [1, {a = 2}] }',
                "locals { k = local.k }",
                "}",
                "  x = ",
                "  = 1",
                '"unterminated',
                "\x00\xff",
            ]
        ),
        max_size=12,
    )
)
def test_the_extractor_never_raises_on_junk(tmp_path_factory: pytest.TempPathFactory, lines):
    root = tmp_path_factory.mktemp("tf")
    (root / "main.tf").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="replace")
    ev = _evidence(root)
    for resource in extract(ev):
        assert resource.kind in model.PROPERTIES
        assert set(resource.properties) <= set(model.PROPERTIES[resource.kind])
