"""CloudFormation and SAM templates, YAML and JSON, read into the resource model.

Each fixture template under tests/fixtures/infra/cloudformation holds the cases a rule
depends on: a parameterised KMS key without a default (unknown), an instance count from a
parameter whose default is 2 (known 2), a commented-out key (absent), a serverless variant,
links written with !Ref, !GetAtt and !Sub, a nested stack passing a parameter, a broken
template (one LN009 finding), a CI workflow and a YAML file that are no templates.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mllint_wa.evidence import Evidence, ParseError
from mllint_wa.evidence import resources as model
from mllint_wa.evidence.cfn_resources import extract
from mllint_wa.parsers.cloudformation import Intrinsic, parse_template
from mllint_wa.project import discover

INFRA = Path(__file__).parent / "fixtures" / "infra" / "cloudformation"


def _flat(value: Any, positions: bool = True) -> Any:
    """A value as (state, value, line, column), nested values (variants, statements) too."""
    if isinstance(value, model.Value):
        inner = _flat(value.value, positions) if value.known else (value.written or None)
        where = (value.location.line, value.location.column) if value.location else ()
        return (value.state.value, inner, *(where if positions else ()))
    if isinstance(value, list):
        return [_flat(item, positions) for item in value]
    if isinstance(value, dict):
        return {key: _flat(item, positions) for key, item in value.items()}
    return value


def _extracted(root: Path) -> tuple[dict[tuple[str, str, str, int, int], Any], Evidence]:
    project = discover([root]).projects[0]
    ev = Evidence(project.root, project.files)
    found = {}
    for r in extract(ev):
        assert r.source == "cloudformation"
        properties = {name: _flat(v) for name, v in r.properties.items() if not v.absent}
        found[(r.kind, r.name, r.location.path, r.location.line, r.location.column)] = properties
    return found, ev


EXPECTED = {
    ("model", "Model", "endpoint.yaml", 15, 3): {
        "image": ("known", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1.4", 21, 9),
        "network_isolation": ("known", True, 19, 7),
        "role": ("known", "ExecutionRole", 18, 7),
    },
    ("endpoint-config", "EndpointConfig", "endpoint.yaml", 22, 3): {
        "data_capture": ("known", True, 31, 7),
        "kms_key": ("unknown", "!Ref KmsKeyId", 25, 7),
        "tags": ("known", {"cost-center": "ml-platform"}, 35, 7),
        "variants": (
            "known",
            [
                {
                    "instance_count": ("known", 2, 30, 11),
                    "instance_type": ("known", "ml.m5.large", 29, 11),
                    "model": ("known", "Model", 28, 11),
                    "serverless": ("absent", None),
                    "managed_scaling": ("absent", None),
                    "variant_name": ("known", "AllTraffic", 27, 11),
                }
            ],
            26,
            7,
        ),
    },
    ("endpoint", "Endpoint", "endpoint.yaml", 38, 3): {
        "auto_rollback_alarms": ("known", ["ErrorAlarm"], 48, 11),
        "blue_green": ("known", True, 44, 9),
        "endpoint_config": ("known", "EndpointConfig", 42, 7),
        "traffic_routing": ("known", "CANARY", 46, 13),
    },
    ("endpoint-config", "ServerlessConfig", "endpoint.yaml", 50, 3): {
        "data_capture": (
            "unknown",
            '!If ["IsProd", {"EnableCapture": true}, "!Ref AWS::NoValue"]',
            61,
            7,
        ),
        "variants": (
            "known",
            [
                {
                    "instance_count": ("absent", None),
                    "instance_type": ("absent", None),
                    "model": ("known", "Model", 57, 11),
                    "serverless": ("known", True, 58, 11),
                    "managed_scaling": ("absent", None),
                    "variant_name": ("known", "AllTraffic", 56, 11),
                }
            ],
            55,
            7,
        ),
    },
    ("scaling-target", "ScalingTarget", "endpoint.yaml", 62, 3): {
        "endpoint": ("known", "Endpoint", 65, 7),
        "max_capacity": ("known", 6, 69, 7),
        "min_capacity": ("known", 2, 68, 7),
        "resource_id": (
            "unknown",
            "!Sub endpoint/${Endpoint.EndpointName}/variant/AllTraffic",
            65,
            7,
        ),
    },
    ("scaling-policy", "ScalingPolicy", "endpoint.yaml", 70, 3): {
        "target": ("known", "ScalingTarget", 75, 7)
    },
    ("alarm", "ErrorAlarm", "endpoint.yaml", 76, 3): {
        "endpoint": ("known", "Endpoint", 83, 11),
        "metric_name": ("known", "Invocation5XXErrors", 80, 7),
        "namespace": ("known", "AWS/SageMaker", 79, 7),
    },
    ("bucket", "Bucket", "endpoint.yaml", 86, 3): {
        "encryption": ("known", "aws:kms", 92, 15),
        "lifecycle_rules": ("known", True, 101, 9),
        "public_access_block": ("known", False, 93, 7),
        "versioning": ("known", True, 99, 9),
    },
    ("iam-role", "ExecutionRole", "endpoint.yaml", 105, 3): {
        "assumed_by": ("known", ["sagemaker.amazonaws.com"], 109, 9),
        "managed_policies": (
            "known",
            ["arn:${AWS::Partition}:iam::aws:policy/AmazonSageMakerFullAccess"],
            114,
            7,
        ),
        "statements": (
            "known",
            [
                {
                    "actions": ("known", ["s3:GetObject"], 121, 17),
                    "effect": ("known", "Allow", 120, 17),
                    "resources": ("known", ["${Bucket.Arn}/*"], 122, 17),
                }
            ],
            116,
            7,
        ),
    },
    ("iam-policy", "WidePolicy", "endpoint.yaml", 123, 3): {
        "attached_to": ("known", ["ExecutionRole"], 127, 7),
        "statements": (
            "known",
            [
                {
                    "actions": ("known", ["*"], 131, 13),
                    "effect": ("known", "Allow", 130, 13),
                    "resources": ("known", ["*"], 132, 13),
                }
            ],
            129,
            9,
        ),
    },
    ("log-group", "Logs", "endpoint.yaml", 133, 3): {},
    ("kms-key", "Key", "endpoint.yaml", 137, 3): {"rotation": ("known", True, 140, 7)},
    ("endpoint-config", "BatchConfig", "nested/child.template", 9, 3): {
        "kms_key": ("unknown", "!Ref KeyFromSomewhere", 12, 7),
        "variants": (
            "known",
            [
                {
                    "instance_count": ("known", 3, 17, 11),
                    "instance_type": ("known", "ml.c5.xlarge", 16, 11),
                    "model": ("known", "batch", 15, 11),
                    "serverless": ("absent", None),
                    "managed_scaling": ("absent", None),
                    "variant_name": ("known", "AllTraffic", 14, 11),
                }
            ],
            13,
            7,
        ),
    },
    ("notebook-instance", "Notebook", "notebook.json", 5, 5): {
        "direct_internet_access": ("known", False, 10, 9),
        "instance_type": ("known", "ml.t2.medium", 8, 9),
        "lifecycle_config": ("known", "AutoStop", 12, 9),
        "vpc": ("known", True, 11, 9),
    },
    ("notebook-lifecycle-config", "AutoStop", "notebook.json", 15, 5): {
        "auto_stop": ("known", True, 18, 9)
    },
    ("monitoring-schedule", "Schedule", "notebook.json", 25, 5): {
        "endpoint": ("known", "Endpoint", 38, 52),
        "monitor_type": ("known", "model-quality", 30, 11),
        "schedule": ("known", "cron(0 * ? * * *)", 31, 30),
    },
    ("monitoring-job", "Quality", "notebook.json", 35, 5): {},
    ("pipeline", "Pipeline", "notebook.json", 41, 5): {
        "steps": ("known", ["training", "condition", "register-model"], 46, 32)
    },
    ("studio-domain", "Studio", "notebook.json", 49, 5): {
        "app_network_access": ("known", "PublicInternetOnly", 51, 22)
    },
    ("event-rule", "Nightly", "notebook.json", 53, 5): {
        "schedule": ("known", "rate(1 day)", 56, 9),
        "targets": ("known", ["arn:aws:sagemaker:eu-west-1:123456789012:pipeline/train"], 57, 9),
    },
    ("budget", "Budget", "notebook.json", 60, 5): {},
    ("event-rule", "RetrainWeekly", "sam.yaml", 9, 9): {
        "schedule": ("known", "cron(0 3 ? * MON *)", 12, 13),
        "targets": ("known", ["Retrain"], 9, 9),
    },
}


def test_every_resource_is_read_with_each_property_where_it_is_written():
    found, _ = _extracted(INFRA)
    assert found == EXPECTED


def test_a_commented_out_key_is_absent():
    project = discover([INFRA]).projects[0]
    [serverless] = [
        r for r in extract(Evidence(project.root, project.files)) if r.name == "ServerlessConfig"
    ]
    assert serverless.get("kms_key").absent


def _template(tmp_path: Path, text: str, name: str = "stack.yaml") -> list[model.Resource]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return extract(Evidence(tmp_path, (name,)))


def test_a_parameter_default_is_the_value_and_no_value_is_absent(tmp_path: Path):
    [config] = _template(
        tmp_path,
        """\
Parameters:
  Key: {Type: String, Default: alias/ml}
  Count: {Type: Number, Default: "2"}
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      KmsKeyId: !Ref Key
      AsyncInferenceConfig: !Ref AWS::NoValue
      DataCaptureConfig:
        EnableCapture: !If [Prod, true, true]
      ProductionVariants:
        - InitialInstanceCount: !Ref Count
          InstanceType: !If [Prod, ml.m5.large, ml.m5.xlarge]
""",
    )
    assert _flat(config.get("kms_key")) == ("known", "alias/ml", 8, 7)
    assert config.get("async_inference").absent
    assert _flat(config.get("data_capture")) == ("known", True, 11, 9)  # both branches agree
    [variant] = config.get("variants").value
    assert _flat(variant["instance_count"]) == ("known", 2, 13, 11)
    assert _flat(variant["instance_type"]) == (
        "unknown",
        '!If ["Prod", "ml.m5.large", "ml.m5.xlarge"]',
        14,
        11,
    )


def test_a_data_capture_block_without_enable_capture_captures(tmp_path: Path):
    [config] = _template(
        tmp_path,
        """\
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      DataCaptureConfig: {InitialSamplingPercentage: 100}
""",
    )
    assert _flat(config.get("data_capture")) == ("known", True, 5, 7)


def test_properties_written_as_a_condition_make_the_resource_opaque(tmp_path: Path):
    [endpoint] = _template(
        tmp_path,
        """\
Resources:
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties: !If [Prod, {EndpointConfigName: a}, {EndpointConfigName: b}]
""",
    )
    assert endpoint.opaque
    assert endpoint.properties == {}


def test_json_and_yaml_templates_read_the_same(tmp_path: Path):
    yaml = _template(
        tmp_path,
        """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters: {Count: {Type: Number}}
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      KmsKeyId: {"Fn::GetAtt": [Key, Arn]}
      ProductionVariants: [{InitialInstanceCount: !Ref Count, ModelName: !Sub "m-${Count}"}]
  Key: {Type: AWS::KMS::Key}
""",
    )
    json = _template(
        tmp_path,
        """\
{"AWSTemplateFormatVersion": "2010-09-09",
 "Parameters": {"Count": {"Type": "Number"}},
 "Resources": {
  "Config": {"Type": "AWS::SageMaker::EndpointConfig",
   "Properties": {"KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
    "ProductionVariants": [{"InitialInstanceCount": {"Ref": "Count"},
                            "ModelName": {"Fn::Sub": "m-${Count}"}}]}},
  "Key": {"Type": "AWS::KMS::Key"}}}
""",
        "stack.json",
    )

    def values(resources: list[model.Resource]) -> list[Any]:
        return [
            (r.kind, r.name, {k: _flat(v, positions=False) for k, v in r.properties.items()})
            for r in resources
        ]

    assert values(yaml) == values(json)
    [variant] = yaml[0].get("variants").value
    assert _flat(variant["instance_count"])[:2] == ("unknown", "!Ref Count")
    assert _flat(yaml[0].get("kms_key"))[:2] == ("known", "Key")


def test_a_broken_template_is_one_unparseable_file_finding(lint):
    assert lint(INFRA, "LN009") == [("LN009", "unparseable-file", "broken.yaml", 6, 1)]
    assert lint.messages(INFRA, "LN009") == [
        "`broken.yaml` is not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_short_form_tags_are_data_never_constructed():
    template = parse_template(
        "Resources:\n  X:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      BucketName: !Join ['-', [!Ref AWS::StackName, data]]\n"
    )
    assert template is not None
    name = template.body["Resources"]["X"]["Properties"]["BucketName"]
    assert name == Intrinsic("Fn::Join", ["-", [Intrinsic("Ref", "AWS::StackName"), "data"]])
    assert name.written == '!Join ["-", ["!Ref AWS::StackName", "data"]]'


@pytest.mark.parametrize(
    "text",
    [
        "types: [AWS::S3::Bucket]\n",
        "Resources: {X: {Type: Custom::Thing}}\n",
        '{"Resources": [1, 2], "note": "AWS::"}',
        "- AWS::SageMaker::Endpoint\n",
    ],
)
def test_yaml_and_json_that_is_no_template_is_none(text: str):
    assert parse_template(text) is None


def test_aliases_cannot_expand_without_bound():
    lines = ["a0: &a0 [AWS::x, AWS::x, AWS::x, AWS::x, AWS::x, AWS::x, AWS::x, AWS::x]"]
    lines += [
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
        for i in range(1, 9)
    ]
    with pytest.raises(ParseError) as raised:
        parse_template("\n".join(lines) + "\n")
    assert "more than" in raised.value.message


_TEMPLATE_WORDS = st.sampled_from(
    [
        "Resources:",
        "  E:",
        "    Type: AWS::SageMaker::Endpoint",
        "    Properties:",
        "      EndpointConfigName: !Ref C",
        "      DeploymentConfig: !If [A, {}, []]",
        "      Tags: [{Key: 1}, !Ref X]",
        "      ProductionVariants:",
        "        - !GetAtt",
        "  B:",
        "    Type: AWS::S3::Bucket",
        "      PublicAccessBlockConfiguration: 3",
        "    Type: AWS::CloudWatch::Alarm",
        "      Dimensions: [{Name: EndpointName}]",
        "    Type: AWS::ApplicationAutoScaling::ScalableTarget",
        "      ResourceId: !Join [/, [endpoint, !Ref E, x]]",
        "      ResourceId: !Sub [a, 3]",
        "    Type: AWS::IAM::Role",
        "      Policies: [{PolicyDocument: {Statement: 7}}]",
        "      AssumeRolePolicyDocument: {Statement: [x, {Principal: {Service: !Ref P}}]}",
        "    Type: AWS::SageMaker::Pipeline",
        "      PipelineDefinition: {PipelineDefinitionBody: '{\"Steps\": [1]}'}",
        "    Type: AWS::SageMaker::MonitoringSchedule",
        "      MonitoringScheduleConfig: {MonitoringJobDefinitionName: !Ref B}",
        "    Type: AWS::CloudFormation::Stack",
        "      TemplateURL: ../x.yaml",
        "      TemplateURL: stack.yaml",
        "Parameters: {C: {Default: !Ref X}}",
        "[",
        "{",
        "&a",
        "*a",
        "AWSTemplateFormatVersion: 1",
    ]
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_TEMPLATE_WORDS, max_size=14), st.text(string.printable, max_size=20))
def test_the_extractor_never_raises_on_junk(tmp_path: Path, lines: list[str], noise: str):
    text = "\n".join(lines) + "\n" + noise
    for name in ("stack.yaml", "stack.json"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    ev = Evidence(tmp_path, ("stack.yaml", "stack.json"))
    for resource in extract(ev):
        assert resource.location.line >= 1
    assert all(failure.line >= 1 for failure in ev.failures)


PRODUCTION = """\
Parameters:
  ModelName: {Type: String}
  JobId: {Type: String}
Resources:
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: !Sub ${ModelName}-prd-${JobId}
      EndpointConfigName: config
      Tags: [{Key: owner, Value: !GetAtt Lookup.Owner}]
  Scaling:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ResourceId: !Sub endpoint/${ModelName}-prd-${JobId}/variant/AllTraffic
  OtherScaling:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ResourceId: !Join [/, [endpoint, !Sub "${ModelName}-dev", variant, AllTraffic]]
  DriftAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: aws/sagemaker/Endpoints/data-metrics
      Dimensions:
        - {Name: Endpoint, Value: !Sub "${ModelName}-prd-${JobId}"}
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
  Role:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns: [!Ref Policy]
"""


def test_names_built_from_parameters_link_within_their_template(tmp_path: Path):
    found = {r.name: r for r in _template(tmp_path, PRODUCTION)}
    # The scaling target builds the endpoint's name the way the endpoint does.
    assert _flat(found["Scaling"].get("endpoint")) == ("known", "Endpoint", 14, 7)
    assert _flat(found["OtherScaling"].get("endpoint")) == ("unknown", "${ModelName}-dev", 18, 7)
    # Model Monitor's metrics name the endpoint in an `Endpoint` dimension.
    assert _flat(found["DriftAlarm"].get("endpoint")) == ("known", "Endpoint", 24, 28)


def test_a_managed_policy_is_attached_to_the_roles_that_list_it(tmp_path: Path):
    found = {r.name: r for r in _template(tmp_path, PRODUCTION)}
    assert _flat(found["Policy"].get("attached_to")) == ("known", ["Role"], 32, 7)


def test_tag_values_that_are_references_are_shown_as_written(tmp_path: Path):
    found = {r.name: r for r in _template(tmp_path, PRODUCTION)}
    assert found["Endpoint"].get("tags").value == {"owner": "!GetAtt Lookup.Owner"}


def test_templates_in_test_folders_are_fixtures_not_the_projects_infrastructure(tmp_path: Path):
    (tmp_path / "tests").mkdir()
    assert (
        _template(tmp_path, "Resources: {E: {Type: AWS::SageMaker::Endpoint}}\n", "tests/e.yaml")
        == []
    )
