"""MO001 to MO005: data capture, monitoring schedules, endpoint alarms, retraining triggers and
the monitoring lens.toml declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint_wa.config import Layer
from mllint_wa.model import Stage
from mllint_wa.parsers.ci import ci_definition, parse_jenkinsfile
from mllint_wa.parsers.yaml_doc import load_yaml
from mllint_wa.runner import RunOptions, run
from trees import write_tree as _write

MODEL = (
    "from sagemaker.model import Model\n"
    "model = Model(image_uri='churn:1', model_data='s3://b/m.tar.gz', role='r')\n"
)
DEPLOY = (
    "model.deploy(initial_instance_count=2, instance_type='ml.m5.large', endpoint_name='churn')\n"
)
PRODUCTION = '[project]\nname = "churn"\nstage = "production"\n'


def _manifest(monitoring: str) -> str:
    return f"schema_version = 1\n{PRODUCTION}\n[monitoring]\n{monitoring}\n"


# MO001 endpoint-without-data-capture ---------------------------------------------------------


def test_data_capture_missing_or_off_on_real_time_endpoints(lint):
    # Captured, serverless, asynchronous and **settings endpoints, and a capture setting
    # from a template parameter, are not reported.
    assert lint("endpoint-without-data-capture", "MO001") == [
        ("MO001", "endpoint-without-data-capture", "app.py", 17, 1),
        ("MO001", "endpoint-without-data-capture", "deploy.py", 12, 1),
        ("MO001", "endpoint-without-data-capture", "deploy.py", 20, 9),
        ("MO001", "endpoint-without-data-capture", "main.tf", 12, 5),
        ("MO001", "endpoint-without-data-capture", "template.json", 11, 11),
        ("MO001", "endpoint-without-data-capture", "template.yaml", 6, 3),
        ("MO001", "endpoint-without-data-capture", "typescript/app.ts", 17, 1),
    ]
    assert lint.messages("endpoint-without-data-capture", "MO001")[:3] == [
        "endpoint configuration `ChurnConfig` has no `DataCaptureConfig`: the requests and "
        "predictions of real-time endpoint traffic are not recorded for monitoring",
        "endpoint `churn` has no `DataCaptureConfig`: the requests and predictions of "
        "real-time endpoint traffic are not recorded for monitoring",
        "endpoint `churn-shadow` turns data capture off: the requests and predictions of "
        "real-time endpoint traffic are not recorded for monitoring",
    ]


def test_data_capture_turned_on_after_deployment_is_not_reported(lint, tmp_path):
    later = "predictor = " + DEPLOY + "predictor.update_data_capture_config(capture)\n"
    repo = _write(tmp_path, {"deploy.py": MODEL + later})
    assert lint(repo, "MO001") == []


def test_data_capture_is_asked_once_of_a_configuration_two_endpoints_share(lint, tmp_path):
    config = "{'EndpointConfigName': 'churn', 'ProductionVariants': [{'VariantName': 'a', "
    config += "'ModelName': 'm', 'InitialInstanceCount': 2, 'InstanceType': 'ml.m5.large'}]}"
    code = f"""\
        import boto3
        sm = boto3.client("sagemaker")
        sm.create_endpoint_config(**{config})
        sm.create_endpoint(EndpointName="a", EndpointConfigName="churn")
        sm.create_endpoint(EndpointName="b", EndpointConfigName="churn")
    """
    repo = _write(tmp_path, {"provision.py": code})
    assert lint(repo, "MO001") == [("MO001", "endpoint-without-data-capture", "provision.py", 3, 1)]


def test_data_capture_from_a_parameter_is_not_reported(lint, tmp_path):
    code = MODEL + (
        "def deploy(capture):\n"
        "    model.deploy(initial_instance_count=2, instance_type='ml.m5.large',\n"
        "                 data_capture_config=capture)\n"
    )
    assert lint(_write(tmp_path, {"deploy.py": code}), "MO001") == []


# MO002 missing-monitoring-schedule -----------------------------------------------------------


def test_monitoring_schedule_missing_for_each_unwatched_endpoint(lint):
    # `churn` has a DefaultModelMonitor schedule; `churn-eu` and the CDK endpoint do not. In
    # each template, `Unwatched` has none; the endpoint a schedule names (directly or through
    # its job definition) and a serverless endpoint are not reported.
    assert lint("missing-monitoring-schedule", "MO002") == [
        ("MO002", "missing-monitoring-schedule", "app.py", 26, 1),
        ("MO002", "missing-monitoring-schedule", "deploy.py", 16, 1),
        ("MO002", "missing-monitoring-schedule", "main.tf", 17, 1),
        ("MO002", "missing-monitoring-schedule", "template.json", 17, 5),
        ("MO002", "missing-monitoring-schedule", "template.yaml", 16, 3),
        ("MO002", "missing-monitoring-schedule", "typescript/app.ts", 24, 1),
    ]
    assert lint.messages("missing-monitoring-schedule", "MO002")[1] == (
        "endpoint `churn-eu` serves predictions in real time and nothing monitors it: no Model "
        "Monitor schedule names it, and the project has no drift job or monitoring library "
        "(Evidently, NannyML, whylogs, alibi-detect, Deepchecks)"
    )


@pytest.mark.parametrize(
    "monitor",
    [
        "from evidently.report import Report\n",
        "import nannyml as nml\n",
        "from deepchecks.tabular.checks import FeatureDrift\n",
        "from sagemaker.workflow.quality_check_step import QualityCheckStep\n"
        "QualityCheckStep(name='drift', check_job_config=job, quality_check_config=config)\n",
        # A schedule on an endpoint named by a parameter may watch this one.
        "from sagemaker.model_monitor import DefaultModelMonitor\n"
        "def watch(name):\n"
        "    DefaultModelMonitor(role='r').create_monitoring_schedule(endpoint_input=name)\n",
    ],
    ids=["evidently", "nannyml", "deepchecks-drift", "quality-check-step", "schedule-by-param"],
)
def test_monitoring_anywhere_is_enough(lint, tmp_path, monitor):
    repo = _write(tmp_path, {"deploy.py": MODEL + DEPLOY, "monitor.py": monitor})
    assert lint(repo, "MO002") == []


def test_a_deepchecks_test_suite_is_not_monitoring(lint, tmp_path):
    suite = "from deepchecks.tabular.suites import data_integrity\n"
    repo = _write(tmp_path, {"deploy.py": MODEL + DEPLOY, "checks.py": suite})
    assert [row[2:] for row in lint(repo, "MO002")] == [("deploy.py", 3, 1)]


def test_declared_monitoring_with_nothing_is_reported_once_at_the_manifest(lint, tmp_path):
    repo = _write(
        tmp_path,
        {"deploy.py": MODEL + DEPLOY, "lens.toml": _manifest("data_drift = true")},
    )
    assert lint(repo, "MO002", "MO005") == [
        ("MO005", "declared-monitoring-not-found", "lens.toml", 7, 1)
    ]


def test_serverless_endpoints_are_not_asked_for_a_schedule(lint, tmp_path):
    serverless = "model.deploy(serverless_inference_config=config, endpoint_name='churn')\n"
    repo = _write(tmp_path, {"deploy.py": MODEL + serverless})
    assert lint(repo, "MO001", "MO002") == []


# MO003 missing-endpoint-alarms ---------------------------------------------------------------


def test_endpoint_alarms_missing(lint):
    # ChurnEndpoint has a ModelLatency alarm, the Terraform endpoint an Invocation5XXErrors
    # one; ChurnEuEndpoint only one on its traffic. In template.yaml, `Alarmed` has a latency
    # alarm on its `EndpointName` and `RollsBack` a rollback alarm; `Unalarmed` has none.
    assert lint("missing-endpoint-alarms", "MO003") == [
        ("MO003", "missing-endpoint-alarms", "app.py", 28, 13),
        ("MO003", "missing-endpoint-alarms", "deploy.py", 7, 1),
        ("MO003", "missing-endpoint-alarms", "template.json", 4, 5),
        ("MO003", "missing-endpoint-alarms", "template.yaml", 3, 3),
        ("MO003", "missing-endpoint-alarms", "typescript/app.ts", 24, 19),
    ]
    assert lint.messages("missing-endpoint-alarms", "MO003")[0] == (
        "endpoint `ChurnEuEndpoint` has no CloudWatch alarm on its errors "
        "(`Invocation5XXErrors`), latency (`ModelLatency`) or Model Monitor violations"
    )


def test_alarms_created_with_boto3_count_for_every_endpoint(lint, tmp_path):
    alarm = "import boto3\nboto3.client('cloudwatch').put_metric_alarm(**spec)\n"
    repo = _write(tmp_path, {"deploy.py": MODEL + DEPLOY, "alarms.py": alarm})
    assert lint(repo, "MO003") == []


def test_rollback_alarms_and_monitor_violation_alarms_count(lint):
    # The CDK fixture's endpoint rolls back on an Invocation5XXErrors alarm.
    assert lint(Path(__file__).parent / "fixtures" / "infra" / "cdk" / "app", "MO003") == []


def test_a_monitor_violation_alarm_counts(lint, tmp_path):
    app = """\
        import aws_cdk as cdk
        from aws_cdk import aws_cloudwatch as cloudwatch
        from aws_cdk import aws_sagemaker as sagemaker
        stack = cdk.Stack(cdk.App(), "S")
        sagemaker.CfnEndpoint(stack, "Endpoint", endpoint_name="churn", endpoint_config_name="c")
        cloudwatch.Alarm(
            stack,
            "Drift",
            metric=cloudwatch.Metric(
                namespace="aws/sagemaker/Endpoints/data-metrics",
                metric_name="feature_baseline_drift_tenure_months",
                dimensions_map={"Endpoint": "churn", "MonitoringSchedule": "churn-data"},
            ),
            threshold=0.2,
            evaluation_periods=1,
        )
    """
    assert lint(_write(tmp_path, {"app.py": app}), "MO003") == []


# MO004 missing-retraining-trigger ------------------------------------------------------------


def test_retraining_planned_and_nothing_triggers_it(lint):
    # An Airflow DAG with `schedule=None` and a push-only workflow trigger nothing; nor do
    # EventBridge rules (CloudFormation YAML and JSON, Terraform) that only notify or log.
    assert lint("missing-retraining-trigger", "MO004") == [
        ("MO004", "missing-retraining-trigger", "lens.toml", 9, 1)
    ]


@pytest.mark.parametrize(
    "files",
    [
        {".github/workflows/retrain.yml": "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs: {}\n"},
        {
            ".gitlab-ci.yml": "retrain:\n  script: [python train.py]\n  rules:\n"
            '    - if: $CI_PIPELINE_SOURCE == "schedule"\n'
        },
        {"Jenkinsfile": "pipeline {\n  triggers { cron('H 3 * * 1') }\n}\n"},
        {"dags/retrain.py": "from airflow import DAG\nDAG('retrain', schedule='@weekly')\n"},
        # Airflow 2 schedules a DAG daily unless told otherwise.
        {"dags/retrain.py": "from airflow.models import DAG\nDAG('retrain')\n"},
        {
            "pipeline.py": "from sagemaker.workflow.triggers import PipelineSchedule\n"
            "PipelineSchedule(name='monthly', cron='0 3 1 * ? *')\n"
        },
        {
            "app.py": "import aws_cdk as cdk\nfrom aws_cdk import aws_events as events\n"
            "stack = cdk.Stack(cdk.App(), 'S')\n"
            "events.Rule(stack, 'Retrain', schedule=events.Schedule.expression('rate(30 days)'))\n"
        },
        {
            "template.yaml": "Resources:\n  Retrain:\n    Type: AWS::Events::Rule\n"
            "    Properties:\n      ScheduleExpression: rate(30 days)\n"
        },
        {
            "template.json": '{"Resources": {"OnDrift": {"Type": "AWS::Events::Rule", '
            '"Properties": {"EventPattern": {"source": ["aws.cloudwatch"]}, "Targets": [{"Id": '
            '"train", "Arn": "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/churn-train"}]}}}}'
        },
        {
            "main.tf": 'resource "aws_scheduler_schedule" "retrain" {\n'
            '  schedule_expression = "rate(30 days)"\n}\n'
        },
    ],
    ids=[
        "github",
        "gitlab",
        "jenkins",
        "airflow",
        "airflow-default",
        "pipeline",
        "eventbridge",
        "cloudformation-yaml-schedule",
        "cloudformation-json-pipeline-target",
        "terraform-scheduler",
    ],
)
def test_a_trigger_anywhere_is_enough(lint, tmp_path, files):
    repo = _write(tmp_path, {"lens.toml": _manifest('retraining = "monthly"'), **files})
    assert lint(repo, "MO004") == []


@pytest.mark.parametrize(
    "plan", ["manual", "Manually, after review", " none ", "On demand\\n", "never", "TODO"]
)
def test_manual_or_no_retraining_is_not_reported(lint, tmp_path, plan):
    repo = _write(tmp_path, {"lens.toml": _manifest(f'retraining = "{plan}"')})
    assert lint(repo, "MO004") == []


def test_a_manual_plan_followed_by_another_line_is_judged_at_once(lint, tmp_path):
    # Every space after `manual` once made the pattern retry all the blank lines after it.
    blank = " " * 60_000 + "\n"
    plan = "manual" + blank * 15 + "then weekly"
    repo = _write(tmp_path, {"lens.toml": _manifest(f'retraining = """{plan}"""')})
    assert lint(repo, "MO004") == [("MO004", "missing-retraining-trigger", "lens.toml", 7, 1)]


# MO005 declared-monitoring-not-found ---------------------------------------------------------


def test_declared_model_quality_with_only_a_drift_detector(lint):
    assert lint("declared-monitoring-not-found", "MO005") == [
        ("MO005", "declared-monitoring-not-found", "lens.toml", 9, 1)
    ]
    assert lint.messages("declared-monitoring-not-found", "MO005") == [
        "lens.toml declares model quality monitoring (`model_quality = true`) but nothing in "
        "the repository monitors model quality: no model-quality monitoring schedule, "
        "drift-check step or monitoring library"
    ]


@pytest.mark.parametrize(
    "monitor",
    [
        "import whylogs as why\n",
        "from sagemaker.model_monitor import ModelQualityMonitor, DefaultModelMonitor\n"
        "DefaultModelMonitor(role='r').create_monitoring_schedule(endpoint_input='churn')\n"
        "ModelQualityMonitor(role='r').create_monitoring_schedule(endpoint_input='churn')\n",
    ],
    ids=["whylogs", "model-monitor-schedules"],
)
def test_declared_monitoring_implemented(lint, tmp_path, monitor):
    manifest = _manifest("data_drift = true\nmodel_quality = true")
    repo = _write(tmp_path, {"lens.toml": manifest, "monitor.py": monitor})
    assert lint(repo, "MO005") == []


@pytest.mark.parametrize(
    "files",
    [
        {
            "template.yaml": "Resources:\n  Quality:\n"
            "    Type: AWS::SageMaker::MonitoringSchedule\n    Properties:\n"
            "      MonitoringScheduleConfig:\n        MonitoringType: ModelQuality\n"
        },
        {
            "template.json": '{"Resources": {"Quality": {"Type": '
            '"AWS::SageMaker::MonitoringSchedule", "Properties": {"MonitoringScheduleConfig": '
            '{"MonitoringType": "ModelQuality"}}}}}'
        },
        {
            "main.tf": 'resource "aws_sagemaker_monitoring_schedule" "quality" {\n'
            "  monitoring_schedule_config {\n"
            '    monitoring_type = "ModelQuality"\n  }\n}\n'
        },
    ],
    ids=["cloudformation-yaml", "cloudformation-json", "terraform"],
)
def test_declared_model_quality_implemented_by_a_template_schedule(lint, tmp_path, files):
    manifest = _manifest("model_quality = true")
    assert lint(_write(tmp_path, {"lens.toml": manifest, **files}), "MO005") == []
    # A data-quality schedule is not a model-quality one.
    data_quality = {
        name: text.replace("ModelQuality", "DataQuality") for name, text in files.items()
    }
    assert lint(_write(tmp_path, data_quality), "MO005") == [
        ("MO005", "declared-monitoring-not-found", "lens.toml", 7, 1)
    ]


def test_monitoring_declared_false_asks_for_nothing(lint, tmp_path):
    repo = _write(tmp_path, {"lens.toml": _manifest("data_drift = false")})
    assert lint(repo, "MO005") == []


# CI schedules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (".github/workflows/a.yml", "on:\n  push:\n  schedule:\n    - cron: '0 3 * * *'\n", (3, 3)),
        (".github/workflows/a.yml", "on: [push, pull_request]\njobs: {}\n", None),
        ("azure-pipelines.yml", "schedules:\n- cron: '0 3 * * *'\n", (1, 1)),
        (
            ".circleci/config.yml",
            "workflows:\n  nightly:\n    triggers:\n      - schedule:\n"
            "          cron: '0 3 * * *'\n",
            (4, 9),
        ),
        (".gitlab-ci.yml", "train:\n  script: [make]\n  only:\n    - schedules\n", (4, 1)),
        (".gitlab-ci.yml", "train:\n  script: [make]\n", None),
    ],
)
def test_ci_definitions_know_when_they_run_on_a_timer(path, text, expected):
    from mllint_wa.parsers.ci_systems import ci_system

    system = ci_system(path)
    assert system is not None
    assert ci_definition(path, system, load_yaml(text), text).schedule == expected


def test_a_jenkins_cron_trigger_is_a_schedule_but_not_in_a_comment():
    assert parse_jenkinsfile("pipeline {\n  triggers { cron('H 3 * * *') }\n}\n").schedule == (
        2,
        14,
    )
    assert parse_jenkinsfile("// triggers { cron('H 3 * * *') }\n").schedule is None


def test_an_endpoint_its_own_code_deletes_is_not_held_to_monitoring(lint, tmp_path):
    # A notebook's cleanup cell; the second endpoint is deleted before it is created.
    code = MODEL + (
        "predictor = " + DEPLOY + "predictor.delete_endpoint()\n"
        "tuned = model.deploy(initial_instance_count=2, instance_type='ml.m5.large')\n"
        "session.delete_endpoint(tuned.endpoint_name)\n"
        "session.delete_endpoint('kept')\n"
        "model.deploy(initial_instance_count=2, instance_type='ml.m5.large',\n"
        "             endpoint_name='kept')\n"
    )
    repo = _write(tmp_path, {"deploy.py": code})
    assert lint(repo, "MO001", "MO002", "MO003") == [
        ("MO001", "endpoint-without-data-capture", "deploy.py", 8, 1),
        ("MO002", "missing-monitoring-schedule", "deploy.py", 8, 1),
        ("MO003", "missing-endpoint-alarms", "deploy.py", 8, 1),
    ]


def test_endpoint_rules_hold_a_defined_endpoint_from_development_not_in_discovery(tmp_path):
    # `--stage discovery` (or `stage = "discovery"`) says the project explores: the endpoint
    # it deploys is a demo, so neither the alarm rule nor the other production rules apply.
    # At development (the default) they apply to the endpoint the project defines.
    repo = _write(tmp_path, {"deploy.py": MODEL + DEPLOY})
    production_rules = ("MO001", "MO002", "MO003", "DE010")

    def codes(stage: Stage | None) -> list[str]:
        options = RunOptions(cli=Layer("test", select=production_rules, preview=True), stage=stage)
        result = run([repo], options)
        assert result.errors == []
        return sorted({finding.rule.code for finding in result.findings})

    assert codes(Stage.DISCOVERY) == []
    assert codes(None) == codes(Stage.DEVELOPMENT) == sorted(production_rules)


def test_a_terraform_endpoint_on_a_configuration_from_a_variable_is_not_read_as_python(
    lint, tmp_path
):
    # Finding which configuration an endpoint serves reads boto3 calls; an endpoint whose
    # configuration name is a Terraform variable is not looked for in Python, so its file
    # is no Python syntax error.
    terraform = """\
        variable "config_name" {
          type = string
        }

        resource "aws_sagemaker_endpoint_configuration" "churn" {
          name = var.config_name
          production_variants {
            variant_name           = "all"
            model_name             = "churn"
            initial_instance_count = 1
            instance_type          = "ml.m5.large"
          }
        }

        resource "aws_sagemaker_endpoint" "churn" {
          name                 = "churn"
          endpoint_config_name = var.config_name
        }
    """
    repo = _write(tmp_path, {"main.tf": terraform})
    found = lint(repo, "MO001", "LN009")
    assert [row[0] for row in found] == ["MO001"]
