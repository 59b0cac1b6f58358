"""Real-time, instance-based endpoint variants across sources: an SDK ``.deploy()`` holds its
variant itself, an IaC endpoint reaches its variants through its endpoint configuration;
serverless and asynchronous endpoints are left out; scaling targets are matched to them."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.endpoints import scaling, setting, variants
from mllint_wa.evidence.resources import ENDPOINT, resources
from mllint_wa.project import discover

SDK = """
from sagemaker.pytorch import PyTorchModel
from sagemaker.serverless import ServerlessInferenceConfig
from sagemaker.async_inference import AsyncInferenceConfig
from sagemaker.model_monitor import DataCaptureConfig

model = PyTorchModel(model_data="s3://b/m.tar.gz", role="r", framework_version="2.1")
predictor = model.deploy(
    initial_instance_count=1,
    instance_type="ml.m5.large",
    endpoint_name="churn",
    data_capture_config=DataCaptureConfig(enable_capture=True),
)
model.deploy(serverless_inference_config=ServerlessInferenceConfig(), endpoint_name="sl")
model.deploy(1, "ml.m5.large", async_inference_config=AsyncInferenceConfig(), endpoint_name="as")
"""

CDK = """
from aws_cdk import Stack
from aws_cdk import aws_applicationautoscaling as scaling
from aws_cdk import aws_sagemaker as sagemaker


class Serving(Stack):
    def __init__(self, scope, construct_id, count):
        super().__init__(scope, construct_id)
        config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            production_variants=[
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    model_name="m", variant_name="Blue", initial_instance_count=2,
                    instance_type="ml.m5.large",
                ),
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    model_name="m", variant_name="Green", initial_instance_count=count,
                    instance_type="ml.m5.large",
                ),
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    model_name="m", variant_name="Small",
                    serverless_config=sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
                        max_concurrency=5, memory_size_in_mb=2048,
                    ),
                ),
            ],
        )
        endpoint = sagemaker.CfnEndpoint(
            self, "Endpoint", endpoint_config_name=config.attr_endpoint_config_name
        )
        sagemaker.CfnEndpointConfig(
            self,
            "Spare",
            production_variants=[
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    model_name="m", initial_instance_count=1, instance_type="ml.m5.large",
                ),
            ],
        )
        scaling.CfnScalableTarget(
            self,
            "Scale",
            service_namespace="sagemaker",
            resource_id="endpoint/Endpoint/variant/Blue",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            min_capacity=2,
            max_capacity=4,
        )
"""


def _evidence(tmp_path: Path, **files: str) -> Evidence:
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    [project] = discover([tmp_path]).projects
    return Evidence(project.root, project.files)


def _rows(ev: Evidence) -> list[tuple[str, str | None, object, int]]:
    return [
        (
            v.describe(),
            v.endpoint.name if v.endpoint else None,
            v.get("instance_count").value,
            v.where("instance_count").line,
        )
        for v in variants(ev)
    ]


def test_sdk_deploy_holds_its_variant_and_serverless_and_async_are_left_out(tmp_path):
    ev = _evidence(tmp_path, **{"deploy.py": SDK})
    assert _rows(ev) == [("endpoint `churn`", "churn", 1, 8)]
    [variant] = variants(ev)
    assert variant.name == "AllTraffic"
    assert variant.anchor == "deploy.py:endpoint:churn"
    assert setting(ev, variant.holder, "data_capture").is_(True)


def test_iac_endpoint_reaches_its_variants_through_its_configuration(tmp_path):
    ev = _evidence(tmp_path, **{"app.py": CDK})
    assert _rows(ev) == [
        ("variant `Blue` of endpoint configuration `Config`", "Endpoint", 2, 14),
        ("variant `Green` of endpoint configuration `Config`", "Endpoint", None, 18),
        ("variant #1 of endpoint configuration `Spare`", None, 1, 37),
    ]
    green = variants(ev)[1]
    assert green.get("instance_count").unknown
    assert green.anchor == "app.py:endpoint-config:Config:variant:Green"
    [endpoint] = resources(ev, ENDPOINT)
    assert setting(ev, endpoint, "data_capture").absent


def test_scaling_targets_cover_the_variant_they_name(tmp_path):
    ev = _evidence(tmp_path, **{"app.py": CDK})
    covered = [scaling(ev).covers(v) for v in variants(ev)]
    # Blue is scaled, Green is not, and a configuration without an endpoint cannot be placed.
    assert covered == [True, False, None]


def test_a_scaling_target_registered_through_boto3_makes_every_variant_undecidable(tmp_path):
    boto3_scaling = """
    import boto3

    client = boto3.client("application-autoscaling")
    client.register_scalable_target(ResourceId=resource_id, MinCapacity=2, MaxCapacity=4)
    """
    ev = _evidence(tmp_path, **{"app.py": CDK, "scale.py": boto3_scaling})
    assert [scaling(ev).covers(v) for v in variants(ev)] == [True, None, None]


TWO_VARIANTS = """
resource "aws_sagemaker_endpoint_configuration" "main" {
  production_variants {
    variant_name           = "Blue"
    model_name             = "churn"
    instance_type          = "ml.m5.large"
    initial_instance_count = 2
  }
  production_variants {
    variant_name           = "Green"
    model_name             = "churn"
    instance_type          = "ml.m5.large"
    initial_instance_count = 2
  }
}

resource "aws_sagemaker_endpoint" "main" {
  endpoint_config_name = aws_sagemaker_endpoint_configuration.main.name
}

resource "aws_appautoscaling_target" "main" {
  service_namespace  = "sagemaker"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.main.name}/variant/%s"
  min_capacity       = 2
  max_capacity       = 4
}
"""


def test_a_resource_id_interpolating_the_endpoint_still_names_its_literal_variant(tmp_path):
    (tmp_path / "literal").mkdir()
    (tmp_path / "expression").mkdir()
    literal = _evidence(tmp_path / "literal", **{"main.tf": TWO_VARIANTS % "Blue"})
    assert [scaling(literal).covers(v) for v in variants(literal)] == [True, False]
    # A variant written as an expression may be either: the target counts for both.
    expression = _evidence(tmp_path / "expression", **{"main.tf": TWO_VARIANTS % "${var.v}"})
    assert [scaling(expression).covers(v) for v in variants(expression)] == [True, True]
