"""SageMaker resources read from SDK and boto3 calls: kinds, names and every property's
state, value and position, followed through variables, settings and notebooks."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.checks.files import unparseable_file
from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.sdk_resources import read_module, sdk_resources
from mllint_wa.model import Stage
from mllint_wa.parsers.python_code import parse_python
from mllint_wa.project import discover

FIXTURE = Path(__file__).parent / "fixtures" / "infra" / "sdk"

# (kind, name, type, line, column, opaque) → {property: (state, value, line, column)}
Summary = dict[tuple[str, str, str, int, int, bool], dict[str, tuple[str, object, int, int]]]


# An SDK model's tags are given to the method that creates it in AWS (deploy(tags=…)).
LATER_TAGS = ("unknown", "tags are given to deploy(), create() or transformer()", 0, 0)
# A pipeline step's job is tagged where its pipeline is created.
PIPELINE_TAGS = ("unknown", "tags given where the pipeline is created", 0, 0)


def _evidence(root: Path = FIXTURE) -> Evidence:
    (project,) = discover([root]).projects
    return Evidence(project.root, project.files)


def _summary(found: list[rm.Resource] | tuple[rm.Resource, ...], path: str) -> Summary:
    summary: Summary = {}
    for r in found:
        if r.location.path != path:
            continue
        key = (r.kind, r.name, r.type, r.location.line, r.location.column, r.opaque)
        summary[key] = {
            name: (
                value.state.value,
                value.value if value.known else value.written,
                value.location.line if value.location else 0,
                value.location.column if value.location else 0,
            )
            for name, value in r.properties.items()
            if name != "variants"
        }
    return summary


def _resources() -> tuple[rm.Resource, ...]:
    return rm.resources(_evidence())


def test_an_estimator_reads_constants_pipeline_parameter_defaults_and_later_settings():
    assert _summary(_resources(), "train.py") == {
        ("training-job", "estimator", "PyTorch", 11, 17, False): {
            # ParameterInteger(default_value=2) reads as its default, like a template's.
            "instance_count": ("known", 2, 15, 9),
            "instance_type": ("known", "ml.p3.2xlarge", 14, 9),
            # Set after construction: est.encrypt_inter_container_traffic = True
            "inter_container_encryption": ("known", True, 26, 5),
            "max_runtime": ("known", 3600, 21, 9),
            "max_wait": ("known", 7200, 23, 9),
            "output_kms_key": ("known", "arn:aws:kms:eu-west-1:111122223333:key/abcd", 17, 9),
            "own_code": ("known", True, 12, 9),  # entry_point
            # A parameter of the enclosing function: its callers decide.
            "role": ("unknown", "role", 13, 9),
            "tags": ("known", {"cost-center": "ml"}, 24, 9),
            "use_spot": ("known", True, 22, 9),
            "volume_kms_key": ("unknown", "kms_key", 16, 9),
            "vpc": ("known", True, 19, 9),
            # enable_network_isolation is commented out: absent, not listed.
        },
        ("endpoint", "churn", "PyTorch.deploy", 28, 17, False): {
            # DataCaptureConfig(enable_capture=True) followed through a variable.
            "data_capture": ("known", True, 27, 57),
            "instance_count": ("known", 1, 28, 34),
            "instance_type": ("known", "ml.m5.large", 28, 37),
        },
    }


def test_models_endpoints_transform_tuning_and_monitoring():
    summary = _summary(_resources(), "deploy.py")
    role = "arn:aws:iam::111122223333:role/sagemaker-execution"
    package = "arn:aws:sagemaker:eu-west-1:1:model-package/churn/3"
    unknown_kwargs = ("unknown", "**kwargs", 38, 56)
    assert summary == {
        ("model", "model", "Model", 16, 9, False): {
            "image": ("known", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn:1.4.0", 17, 5),
            "network_isolation": ("known", True, 20, 5),
            "role": ("known", role, 19, 5),
            "tags": LATER_TAGS,
        },
        ("endpoint", "churn-prod", "Model.deploy", 22, 13, False): {
            "data_capture": ("known", True, 14, 29),
            # SETTINGS["instance_count"]: a subscript into a module-level dict literal.
            "instance_count": ("known", 2, 23, 5),
            "instance_type": ("known", "ml.m5.xlarge", 24, 5),
            "kms_key": ("known", "alias/endpoint", 27, 5),
            # The model object deployed: the SageMaker model the deploy creates.
            "model": ("known", "model", 16, 9),
        },
        ("model", "serverless", "HuggingFaceModel", 30, 14, False): {
            "role": ("known", role, 30, 31),
            "tags": LATER_TAGS,
        },
        # Serverless: no instance type or count to ask for.
        ("endpoint", "serverless.deploy(…)", "HuggingFaceModel.deploy", 31, 1, False): {
            "model": ("known", "serverless", 30, 14),
            "serverless": ("known", True, 31, 19),
        },
        ("model", "package", "ModelPackage", 33, 11, False): {
            "model_package": ("known", package, 33, 35),
            "role": ("known", role, 33, 24),
            "tags": LATER_TAGS,
        },
        ("endpoint", "package.deploy(…)", "ModelPackage.deploy", 34, 1, False): {
            "instance_count": ("known", 1, 34, 16),
            "instance_type": ("known", "ml.c5.large", 34, 42),
            "model": ("known", "package", 33, 11),
            "model_package": ("known", package, 33, 35),
        },
        # **kwargs: opaque, and everything it might set is unknown.
        ("training-job", "sklearn", "SKLearn", 38, 15, True): {
            # Every property **kwargs may set is unknown; local mode is not taken from it.
            **{
                name: unknown_kwargs
                for name in rm.PROPERTIES[rm.TRAINING_JOB]
                if name not in ("role", "own_code", "local_mode")
            },
            "own_code": ("known", True, 38, 23),
            "role": ("known", role, 38, 45),
        },
        ("tuning-job", "tuner", "HyperparameterTuner", 39, 13, False): {
            "early_stopping": ("known", "Auto", 40, 74),
            "max_jobs": ("known", 20, 40, 40),
            "max_parallel_jobs": ("known", 4, 40, 53),
            "training_job": ("known", "sklearn", 40, 9),
        },
        ("transform-job", "transformer", "Model.transformer", 45, 15, False): {
            "instance_count": ("known", 1, 45, 33),
            "instance_type": ("known", "ml.m5.large", 45, 51),
            "kms_key": ("known", None, 45, 80),
            "model": ("known", "model", 16, 9),
        },
        (
            "monitoring-schedule",
            "monitor.create_monitoring_schedule(…)",
            "DefaultModelMonitor.create_monitoring_schedule",
            48,
            1,
            False,
        ): {
            # predictor.endpoint_name → the endpoint deployed above, by its name.
            "endpoint": ("known", "churn-prod", 49, 5),
            # The monitor's own instance count: its job runs on one instance.
            "instance_count": ("known", 1, 47, 71),
            "monitor_type": ("known", "data-quality", 47, 11),
            "schedule": ("known", "cron(0 * ? * * *)", 50, 5),
        },
    }
    endpoint = rm.by_name(_evidence(), rm.ENDPOINT, "churn-prod")
    assert endpoint is not None and endpoint.source == "sdk"


def test_a_pipeline_lists_its_steps_and_its_jobs_are_resources():
    assert _summary(_resources(), "pipeline.py") == {
        ("processing-job", "processor", "SKLearnProcessor", 19, 17, False): {
            # Positional arguments by the SDK's signature.
            "instance_count": ("known", 1, 23, 9),
            "instance_type": ("known", "ml.m5.large", 22, 9),
            "inter_container_encryption": ("known", True, 24, 69),
            "network_isolation": ("known", True, 24, 38),
            "role": ("unknown", "role", 21, 9),
            # The module builds the pipeline and leaves creating (and tagging) it to others.
            "tags": PIPELINE_TAGS,
            "volume_kms_key": ("unknown", "pipeline parameter KmsKeyId", 25, 9),
        },
        ("training-job", "estimator", "Estimator", 28, 17, False): {
            # The built-in XGBoost algorithm's image, by the name image_uris.retrieve takes.
            "aws_container": ("known", "xgboost", 29, 9),
            "image": ("unknown", "sagemaker.image_uris.retrieve(…)", 29, 9),
            "instance_count": ("known", 1, 32, 9),
            "instance_type": ("known", "ml.m5.xlarge", 31, 9),
            "role": ("unknown", "role", 30, 9),
            "tags": PIPELINE_TAGS,
        },
        ("model", "model", "Model", 37, 13, False): {
            "image": ("unknown", "estimator.training_image_uri(…)", 37, 35),
            "role": ("unknown", "role", 37, 77),
            "tags": LATER_TAGS,
        },
        ("model-package", "model.register(…)", "Model.register", 40, 19, False): {
            "approval_status": ("known", "PendingManualApproval", 40, 68),
        },
        ("pipeline", "churn-training", "Pipeline", 43, 12, False): {
            "steps": (
                "known",
                ["processing", "training", "quality-check", "condition", "register-model"],
                46,
                9,
            ),
        },
    }


def test_boto3_requests_map_the_api_names_to_the_vocabulary():
    found = _resources()
    assert _summary(found, "provision.py") == {
        ("training-job", "churn-train", "boto3 create_training_job", 16, 1, False): {
            "image": ("known", "img:1", 10, 32),
            "instance_count": ("known", 2, 11, 56),
            "instance_type": ("known", "ml.m5.xlarge", 11, 24),
            "max_runtime": ("known", 86400, 12, 27),
            "network_isolation": ("known", True, 13, 5),
            "role": ("known", "arn:aws:iam::111122223333:role/sagemaker-execution", 9, 5),
            "tags": ("known", {"team": "churn"}, 14, 5),
        },
        ("endpoint-config", "churn-config", "boto3 create_endpoint_config", 18, 1, False): {
            "data_capture": ("known", False, 23, 24),
        },
        ("endpoint", "churn-endpoint", "boto3 create_endpoint", 25, 1, False): {
            "auto_rollback_alarms": ("known", ["churn-5xx"], 30, 39),
            "blue_green": ("known", True, 29, 9),
            "endpoint_config": ("known", "churn-config", 27, 5),
            "traffic_routing": ("known", "CANARY", 29, 67),
        },
        ("notebook-instance", "research", "boto3 create_notebook_instance", 33, 1, False): {
            "direct_internet_access": ("known", True, 37, 5),
            "instance_type": ("known", "ml.t3.medium", 35, 5),
            "root_access": ("known", False, 38, 5),
        },
        (
            "monitoring-schedule",
            "churn-drift",
            "boto3 create_monitoring_schedule",
            40,
            1,
            False,
        ): {
            # The job definition is a resource of its own: its endpoint is not read here.
            "endpoint": ("unknown", "'churn-data-quality'", 44, 9),
            "monitor_type": ("known", "data-quality", 45, 9),
            "schedule": ("known", "cron(0 * ? * * *)", 43, 28),
        },
        # The variable holds the API's response: the f-string's known value names the model.
        ("model", "churn-1", "boto3 create_model", 49, 12, False): {
            "role": ("known", "arn:aws:iam::111122223333:role/x", 49, 52),
        },
    }
    config = next(r for r in found if r.name == "churn-config")
    (variant,) = config.get("variants").value
    assert {k: v.value for k, v in variant.items()} == {
        "variant_name": "AllTraffic",
        "model": "churn-model",
        "instance_type": "ml.m5.large",
        "instance_count": 1,
        "serverless": None,
    }
    assert variant["serverless"].absent
    assert variant["instance_count"].location == rm.Location("provision.py", 21, 98)


def test_a_notebook_is_read_at_its_own_lines():
    assert _summary(_resources(), "notebook.ipynb") == {
        ("training-job", "sk", "SKLearn", 27, 11, False): {
            "instance_count": ("known", 1, 30, 10),
            "instance_type": ("known", "ml.c5.xlarge", 29, 10),
            "network_isolation": ("known", True, 32, 6),
            "own_code": ("known", True, 28, 10),
        },
    }


def test_traps_predictors_other_libraries_conditions_and_test_code():
    found = _resources()
    assert _summary(found, "traps.py") == {
        # A **request dict literal is followed; a value set under a condition is unknown.
        ("training-job", "xgb", "XGBoost", 20, 7, False): {
            "instance_count": ("known", 3, 19, 12),
            "instance_type": ("unknown", "instance_type", 20, 64),
            # The instance type is "local" on one path: the job may run in local mode.
            "local_mode": ("unknown", "instance_type", 20, 64),
            "network_isolation": ("unknown", "True", 22, 5),
            "own_code": ("known", True, 20, 15),
            "role": ("known", "arn:aws:iam::111122223333:role/train", 19, 33),
        },
    }
    # A Predictor attaches to an endpoint defined elsewhere; test code is not evidence.
    assert not any(r.location.path.startswith("tests/") for r in found)
    assert [r.name for r in found if r.kind == rm.ENDPOINT and r.name == "churn-prod"] == [
        "churn-prod"
    ]


def test_a_syntax_error_is_one_parse_failure_and_no_resources():
    ev = _evidence()
    assert not any(r.location.path == "broken.py" for r in rm.resources(ev))
    failures = [f for f in ev.failures if f.path == "broken.py"]
    assert [(f.line, f.column, f.message) for f in failures] == [
        (3, 20, "has a syntax error: '(' was never closed")
    ]


def test_names_repeat_with_a_number_not_a_line(tmp_path: Path):
    (tmp_path / "twice.py").write_text(
        "from sagemaker.pytorch import PyTorch\n"
        "PyTorch(entry_point='a.py')\n"
        "\n"
        "PyTorch(entry_point='b.py')\n"
    )
    names = [r.name for r in sdk_resources(_evidence(tmp_path))]
    assert names == ["PyTorch(…)", "PyTorch(…) #2"]


_FRAGMENTS = st.sampled_from(
    [
        "from sagemaker.pytorch import PyTorch\n",
        "import boto3\nsm = boto3.client('sagemaker')\n",
        "x = PyTorch(**x)\n",
        "x = x\n",
        "x.deploy(initial_instance_count=x)\n",
        "sm.create_endpoint_config(**{**x})\n",
        "sm.create_training_job(ResourceConfig=[1][5])\n",
        "def f(x=1):\n    return PyTorch(*x, subnets=x)\n",
        "p = Pipeline(steps=[p, p])\n",
        "x.enable_network_isolation = x\n",
        "for x in []: x.create_monitoring_schedule(endpoint_input=x)\n",
        "y = {'a': [-x, lambda x: x]}\n",
        "x.transformer(1, 2, *x)\n",
        "x = -(-1)\n",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=8))
def test_never_raises_on_odd_code(fragments: list[str]):
    source = "".join(fragments)
    try:
        parsed = parse_python(source)
    except Exception:
        return
    for resource in read_module("odd.py", parsed):
        assert resource.source == "sdk"


def test_deep_nesting_is_bounded():
    source = "from sagemaker.pytorch import PyTorch\nx = 1\n" + "".join(
        f"x{i} = x{i - 1 if i else ''}\n" for i in range(200)
    )
    source += "PyTorch(instance_count=x199, tags=" + "[" * 50 + "]" * 50 + ")\n"
    (resource,) = read_module("deep.py", parse_python(source))
    assert resource.get("instance_count").unknown
    assert isinstance(ast.parse(source), ast.Module)


def test_the_broken_file_is_one_ln009_finding_once_resources_were_read():
    (project,) = discover([FIXTURE]).projects
    context = ProjectContext(project, Stage.DEVELOPMENT, None)
    rm.resources(context.evidence)
    rm.resources(context.evidence)
    found = [
        (v.location.path, v.location.line, v.location.column)
        for v in unparseable_file.check(context)
    ]
    assert found == [("broken.py", 3, 20)]
