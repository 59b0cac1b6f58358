"""MD070 to MD075, DP050, MO020: what the project's AWS resources cost while they run and sit
idle, read from SDK and boto3 calls, CDK apps, CloudFormation templates and Terraform alike.

Each trigger fixture holds one file per source that can express its rule: `train.py` or
`setup_notebook.py` (SDK, boto3), `app.py` (CDK), `template.yaml` and `template.json`
(CloudFormation) and `main.tf` (Terraform). The training-job rules (MD071 to MD073) have SDK
fixtures only: CloudFormation, CDK's L1 constructs and the Terraform AWS provider have no
SageMaker training-job resource (jobs are started by the SDK, boto3 or a pipeline), so none of
them can define one."""

from __future__ import annotations

from mllint_wa.checks.infra_cost import PREVIOUS_GENERATION
from mllint_wa.evidence.instances import family, is_accelerated
from mllint_wa.registry import lookup
from trees import write_tree as _write


def test_previous_generation_instances_in_jobs_endpoints_variants_and_notebooks(lint):
    # Silent in the same fixture: local mode, ml.g4dn (current), a type from a parameter,
    # a family the table does not list, a current transform type, a serverless variant, a
    # CloudFormation parameter or Terraform variable whose default is a current family, a
    # Terraform variable without a default. A variable whose default is ml.m4 is a finding
    # (main.tf line 36). flow/ reaches the types through a helper, dicts, strings and
    # configuration files and imported constants (see test_value_flow_python.py);
    # typescript-flow/ through imports (see test_value_flow_typescript.py). In app.py a
    # construct's default (line 12) and a stack's type given by the app (line 71) fire; a
    # current type its caller gives and another stack's current type do not.
    assert lint("previous-generation-instance", "MD070") == [
        ("MD070", "previous-generation-instance", "app.py", 12, 31),
        ("MD070", "previous-generation-instance", "app.py", 32, 21),
        ("MD070", "previous-generation-instance", "app.py", 43, 31),
        ("MD070", "previous-generation-instance", "app.py", 71, 27),
        ("MD070", "previous-generation-instance", "configured/deploy/staging-config.json", 4, 5),
        ("MD070", "previous-generation-instance", "configured/mappings/endpoint.yaml", 11, 7),
        ("MD070", "previous-generation-instance", "configured/notebooks/buildspec.yml", 8, 22),
        ("MD070", "previous-generation-instance", "flow/config/training.json", 2, 3),
        ("MD070", "previous-generation-instance", "flow/pipelines/sizes.py", 3, 15),
        ("MD070", "previous-generation-instance", "flow/pipelines/sizes.py", 5, 12),
        ("MD070", "previous-generation-instance", "flow/train.py", 15, 23),
        ("MD070", "previous-generation-instance", "flow/train.py", 20, 8),
        ("MD070", "previous-generation-instance", "flow/train.py", 27, 40),
        ("MD070", "previous-generation-instance", "main.tf", 18, 3),
        ("MD070", "previous-generation-instance", "main.tf", 28, 5),
        ("MD070", "previous-generation-instance", "main.tf", 36, 5),
        ("MD070", "previous-generation-instance", "template.json", 7, 9),
        ("MD070", "previous-generation-instance", "template.yaml", 14, 11),
        ("MD070", "previous-generation-instance", "train.py", 14, 9),
        ("MD070", "previous-generation-instance", "train.py", 18, 47),
        ("MD070", "previous-generation-instance", "train.py", 21, 48),
        ("MD070", "previous-generation-instance", "typescript-flow/lib/hosting-stack.ts", 14, 51),
        ("MD070", "previous-generation-instance", "typescript-flow/lib/hosting-stack.ts", 23, 11),
        ("MD070", "previous-generation-instance", "typescript-flow/lib/hosting-stack.ts", 35, 7),
        ("MD070", "previous-generation-instance", "typescript/app.ts", 10, 7),
        ("MD070", "previous-generation-instance", "typescript/app.ts", 30, 11),
        ("MD070", "previous-generation-instance", "typescript/app.ts", 41, 7),
        ("MD070", "previous-generation-instance", "typescript/app.ts", 73, 33),
    ]


def test_previous_generation_messages_name_the_resource_the_type_and_the_successor(lint):
    messages = lint.messages("previous-generation-instance", "MD070")
    # A construct read once per call is named after the call when names would repeat.
    assert messages[0] == (
        "notebook-instance `Notebook (hosting/Defaulted)` uses `ml.t2.medium`, a "
        "previous-generation instance family (current choice: ml.t3)"
    )
    assert messages[1] == (
        "endpoint-config `Config` variant `Legacy` uses `ml.r4.large`, a previous-generation "
        "instance family (current choice: ml.r5 or a later memory-optimised family "
        "(ml.r6i, ml.r7i))"
    )
    assert messages[3] == (
        "endpoint-config `Batch (Legacy)` variant `Main` uses `ml.m4.xlarge`, a "
        "previous-generation instance family (current choice: ml.m5 or a later "
        "general-purpose family (ml.m6i, ml.m7i))"
    )
    assert messages[15] == (
        "endpoint-config `aws_sagemaker_endpoint_configuration.churn` variant `Cpu` uses "
        "`ml.m4.xlarge`, a previous-generation instance family (current choice: ml.m5 or a "
        "later general-purpose family (ml.m6i, ml.m7i))"
    )
    assert messages[20] == (
        "endpoint `estimator.deploy(…)` uses `ml.c4.large`, a previous-generation instance "
        "family (current choice: ml.c5 or a later compute-optimised family (ml.c6i, ml.c7i))"
    )


def test_instance_families_are_read_from_ml_types_only():
    assert family("ml.p3dn.24xlarge") == "p3dn"
    assert family("ml.p6-b200.48xlarge") == "p6-b200"
    assert family("ML.M4.XLarge") == "m4"
    assert [family(t) for t in ("local", "local_gpu", "m4.xlarge", "", None, 3)] == [None] * 6
    assert is_accelerated("ml.g5.xlarge") and is_accelerated("ml.trn1.32xlarge")
    assert not is_accelerated("ml.m5.xlarge") and not is_accelerated("ml.inf2.xlarge")
    # G4dn is a current family: it is not in the table.
    assert "g4dn" not in PREVIOUS_GENERATION


def test_training_without_max_runtime_only_on_accelerated_instances(lint):
    # Silent: a CPU job (SageMaker's one-day default costs little), a set cap, a cap from a
    # parameter, local mode, **kwargs.
    assert lint("training-without-max-runtime", "MD071") == [
        ("MD071", "training-without-max-runtime", "train.py", 9, 11),
    ]
    assert lint.messages("training-without-max-runtime", "MD071") == [
        "training-job `gpu` runs on `ml.g5.2xlarge` with no maximum runtime: a hung job bills "
        "its accelerated instances for SageMaker's default day"
    ]


def test_spot_training_without_checkpoints_in_sdk_and_boto3(lint):
    # Silent: a checkpoint location, one from a parameter, one set after construction,
    # on-demand capacity.
    assert lint("spot-training-without-checkpoints", "MD072") == [
        ("MD072", "spot-training-without-checkpoints", "train.py", 14, 9),
        ("MD072", "spot-training-without-checkpoints", "train.py", 27, 9),
    ]
    assert lint.messages("spot-training-without-checkpoints", "MD072")[1] == (
        "training-job `churn-spot` uses managed Spot training without a checkpoint location: "
        "an interruption restarts training from the beginning"
    )


def test_long_training_without_spot_past_the_default_day(lint):
    # max_run=3 * DAY is known through the module constant; silent: exactly one day, a long
    # job on Spot, a cap or a Spot setting from a parameter, and a generous cap on a job
    # that saves no checkpoints.
    assert lint("long-training-without-spot", "MD073") == [
        ("MD073", "long-training-without-spot", "train.py", 14, 9),
    ]
    assert lint.messages("long-training-without-spot", "MD073") == [
        "training-job `long_run` saves checkpoints and may run 3 days on on-demand capacity: "
        "managed Spot training resumes from them and costs up to 90% less"
    ]


def test_a_generous_maximum_runtime_is_no_finding_of_either_runtime_rule(lint):
    # training-without-max-runtime asks accelerated jobs for a cap; setting a generous one
    # must not trade its finding for long-training-without-spot's: the cap is a bound, not
    # the job's duration. `capped` (ml.g5.12xlarge, max_run five days, no checkpoints).
    messages = lint.messages("long-training-without-spot", "MD071", "MD073")
    assert messages and not any("`capped`" in message for message in messages)


def test_missing_cost_tags_across_sources(lint):
    # Silent: tags from a module constant or a parameter, local mode, **kwargs, a CDK
    # construct tagged after construction (positional and keyword Tags.of(x).add), a
    # CloudFormation tag whose value is a parameter, a template `cdk synth` wrote to cdk.out
    # (the app itself is the evidence), Terraform tags from a local or from a variable
    # without a default, and the provider's `default_tags` (tagged/main.tf); a stack class
    # in stacks/exploration.py that app.py instantiates with `tags=`. Models and endpoint
    # configurations, which bill nothing of their own, in every source.
    assert lint("missing-cost-tags", "MD074") == [
        ("MD074", "missing-cost-tags", "app.py", 9, 9),
        ("MD074", "missing-cost-tags", "main.tf", 21, 3),
        ("MD074", "missing-cost-tags", "pipeline.py", 40, 12),
        ("MD074", "missing-cost-tags", "pipelines/fraud.py", 11, 13),
        ("MD074", "missing-cost-tags", "template.json", 9, 9),
        ("MD074", "missing-cost-tags", "template.yaml", 6, 3),
        ("MD074", "missing-cost-tags", "train.py", 10, 16),
        ("MD074", "missing-cost-tags", "train.py", 13, 85),
        ("MD074", "missing-cost-tags", "train.py", 17, 5),
        ("MD074", "missing-cost-tags", "typescript/bin/app.ts", 9, 5),
        ("MD074", "missing-cost-tags", "unconfigured/endpoint.yml", 4, 3),
    ]
    messages = lint.messages("missing-cost-tags", "MD074")
    assert messages[1] == (
        "endpoint `aws_sagemaker_endpoint.churn` has no cost-allocation tags: its spend "
        "cannot be traced to a project or team"
    )
    assert messages[8] == (
        "endpoint `churn` has no cost-allocation tags: its spend cannot be traced to a "
        "project or team"
    )


def test_jobs_are_tagged_by_the_pipeline_that_runs_them(lint):
    # pipeline.py: a processor and an estimator run by the steps of a pipeline created with
    # `upsert(tags=…)`, one through step_args; an estimator in a pipeline created without
    # tags is still reported. pipelines/churn.py: a pipeline the module returns, for the
    # code that creates it to tag: its jobs' tags are decided there. pipelines/fraud.py: a
    # pipeline a function builds and main() upserts without tags: reported.
    findings = lint("missing-cost-tags", "MD074")
    assert [row[2:] for row in findings if "pipeline" in row[2]] == [
        ("pipeline.py", 40, 12),
        ("pipelines/fraud.py", 11, 13),
    ]


def test_stack_tags_from_a_template_configuration_or_a_deploy_script_count(lint):
    # codepipeline/: a CodePipeline template configuration file beside the template gives
    # the stack its tags; templates/research.yaml: scripts/deploy.py creates its stack with
    # Tags. unconfigured/: a JSON file with other members is no template configuration.
    reported = {row[2] for row in lint("missing-cost-tags", "MD074")}
    assert {"codepipeline/endpoint.yml", "templates/research.yaml"}.isdisjoint(reported)
    assert "unconfigured/endpoint.yml" in reported


def test_a_deploy_script_whose_template_cannot_be_told_leaves_stack_tags_unknown(lint, tmp_path):
    template = (
        "Resources:\n  Notebook:\n    Type: AWS::SageMaker::NotebookInstance\n"
        "    Properties:\n      InstanceType: ml.t3.medium\n      RoleArn: arn\n"
    )
    script = (
        "import sys\n\nimport boto3\n\n"
        "boto3.client('cloudformation').create_stack(\n"
        "    StackName='research', TemplateBody=open(sys.argv[1]).read(),\n"
        "    Tags=[{'Key': 'project', 'Value': 'churn'}],\n)\n"
    )
    alone = _write(tmp_path / "alone", {"template.yaml": template})
    assert [row[0] for row in lint(alone, "MD074")] == ["MD074"]
    deployed = _write(tmp_path / "deployed", {"template.yaml": template, "deploy.py": script})
    assert lint(deployed, "MD074") == []


def test_tags_on_the_whole_cdk_app_count(lint, tmp_path):
    repo = _write(
        tmp_path,
        {
            "app.py": """
                from aws_cdk import App, Stack, Tags
                from aws_cdk import aws_sagemaker as sagemaker


                class Notebooks(Stack):
                    def __init__(self, scope, construct_id):
                        super().__init__(scope, construct_id)
                        sagemaker.CfnNotebookInstance(
                            self, "Notebook", instance_type="ml.t3.medium", role_arn="arn"
                        )


                app = App()
                Notebooks(app, "notebooks")
                Tags.of(app).add("project", "churn")
                app.synth()
            """
        },
    )
    assert lint(repo, "MD074") == []


def test_missing_cost_tags_waits_for_development(lint, tmp_path):
    repo = _write(
        tmp_path,
        {
            "lens.toml": 'schema_version = 1\n[project]\nstage = "discovery"\n',
            "train.py": """
                from sagemaker.estimator import Estimator
                Estimator(image_uri="i", role="r", instance_count=1, instance_type="ml.m4.large")
            """,
        },
    )
    # A discovery spike is not asked for tags; its previous-generation instance is reported.
    assert lint(repo, "MD074", "MD070") == [
        ("MD070", "previous-generation-instance", "train.py", 2, 54),
    ]


def test_notebook_instances_without_auto_stop(lint):
    # Silent: an auto-stop on-start script (in Terraform linked by its literal name), a
    # configuration defined outside the project, a script from a file (`filebase64`); a
    # commented-out LifecycleConfigName or lifecycle_config_name does not count. The CDK
    # stack's script parameter holds the empty script its app gives it: a finding.
    assert lint("notebook-instance-without-auto-stop", "MD075") == [
        ("MD075", "notebook-instance-without-auto-stop", "app.py", 17, 9),
        ("MD075", "notebook-instance-without-auto-stop", "app.py", 26, 13),
        ("MD075", "notebook-instance-without-auto-stop", "app.py", 56, 13),
        ("MD075", "notebook-instance-without-auto-stop", "main.tf", 1, 1),
        ("MD075", "notebook-instance-without-auto-stop", "main.tf", 17, 3),
        ("MD075", "notebook-instance-without-auto-stop", "setup_notebook.py", 4, 1),
        ("MD075", "notebook-instance-without-auto-stop", "template.json", 15, 9),
        ("MD075", "notebook-instance-without-auto-stop", "template.yaml", 3, 3),
        ("MD075", "notebook-instance-without-auto-stop", "typescript/app.ts", 18, 5),
        ("MD075", "notebook-instance-without-auto-stop", "typescript/app.ts", 25, 7),
        ("MD075", "notebook-instance-without-auto-stop", "typescript/app.ts", 49, 7),
    ]
    messages = lint.messages("notebook-instance-without-auto-stop", "MD075")
    assert messages[0] == (
        "notebook-instance `Plain` has no lifecycle configuration, so nothing stops it when "
        "it is idle"
    )
    assert messages[1] == (
        "notebook-instance `Installed`: the on-start script of lifecycle configuration "
        "`InstallOnly` never stops the instance when it is idle"
    )


def test_buckets_without_lifecycle_and_a_broken_template_reported_once(lint):
    # Silent: an enabled rule, a rule added after construction, rules from a condition,
    # **kwargs; in Terraform a lifecycle configuration resource found by the
    # bucket's literal name, a `lifecycle_rule` inside the bucket, a rule status from a
    # variable without a default. A disabled rule is reported where it is written, and the
    # CDK stack's rules parameter where the app gives it no rule (`rules=[]`).
    assert lint("bucket-without-lifecycle", "DP050", "LN009") == [
        ("DP050", "bucket-without-lifecycle", "app.py", 8, 9),
        ("DP050", "bucket-without-lifecycle", "app.py", 12, 13),
        ("DP050", "bucket-without-lifecycle", "app.py", 26, 24),
        ("LN009", "unparseable-file", "broken.yaml", 6, 1),
        ("DP050", "bucket-without-lifecycle", "cdk/app.py", 10, 9),
        ("DP050", "bucket-without-lifecycle", "cdk/app.py", 13, 13),
        ("DP050", "bucket-without-lifecycle", "main.tf", 5, 1),
        ("DP050", "bucket-without-lifecycle", "main.tf", 16, 3),
        ("DP050", "bucket-without-lifecycle", "sam/staging.yaml", 5, 3),
        ("DP050", "bucket-without-lifecycle", "sam/template.yaml", 5, 3),
        ("DP050", "bucket-without-lifecycle", "template.json", 7, 36),
        ("DP050", "bucket-without-lifecycle", "template.yaml", 6, 3),
        ("DP050", "bucket-without-lifecycle", "typescript/app.ts", 12, 5),
        ("DP050", "bucket-without-lifecycle", "typescript/app.ts", 14, 7),
        ("DP050", "bucket-without-lifecycle", "typescript/app.ts", 29, 30),
        ("DP050", "bucket-without-lifecycle", "typescript/cdk/app.ts", 9, 5),
        ("DP050", "bucket-without-lifecycle", "typescript/cdk/app.ts", 12, 7),
    ]


def test_each_bucket_is_reported_once(lint):
    # sam/packaged.yaml is `sam package` output: sam/template.yaml with its CodeUri uploaded
    # to S3; sam/score-packaged.yml an older one that has drifted from it (another runtime).
    # cdk/synth/data.template.json is `cdk synth` output of cdk/app.py, which the project
    # holds. cdk/app.py defines its Features bucket in both branches of an `if`. Still
    # reported: sam/staging.yaml, a copy kept by hand that differs from its source.
    rows = [row[2:] for row in lint("bucket-without-lifecycle", "DP050")]
    copies = ("sam/packaged.yaml", "sam/score-packaged.yml", "cdk/synth/data.template.json")
    assert not any(path in copies for path, *_ in rows)
    assert ("sam/staging.yaml", 5, 3) in rows
    assert [row for row in rows if row[0] == "cdk/app.py"] == [
        ("cdk/app.py", 10, 9),
        ("cdk/app.py", 13, 13),
    ]
    assert [row for row in rows if row[0] == "sam/template.yaml"] == [("sam/template.yaml", 5, 3)]


def test_log_groups_kept_for_ever(lint):
    # Silent: CDK's LogGroup default (731 days), a period, a period from a parameter, a
    # Terraform variable's default (90), a variable without a default. Terraform's
    # `retention_in_days = 0` keeps logs for ever (main.tf line 16).
    assert lint("log-group-without-retention", "MO020") == [
        ("MO020", "log-group-without-retention", "app.py", 8, 40),
        ("MO020", "log-group-without-retention", "app.py", 9, 9),
        ("MO020", "log-group-without-retention", "main.tf", 10, 1),
        ("MO020", "log-group-without-retention", "main.tf", 16, 3),
        ("MO020", "log-group-without-retention", "template.json", 4, 5),
        ("MO020", "log-group-without-retention", "template.yaml", 6, 3),
        ("MO020", "log-group-without-retention", "typescript/app.ts", 8, 42),
        ("MO020", "log-group-without-retention", "typescript/app.ts", 9, 5),
    ]
    messages = lint.messages("log-group-without-retention", "MO020")
    assert messages[:2] == [
        "log-group `Forever` is set never to expire: its logs are kept, and billed, for ever",
        "log-group `Unset` sets no retention: its logs are kept, and billed, for ever",
    ]


def test_resource_rules_apply_at_every_stage_and_missing_tags_from_development():
    present = ("MD070", "MD071", "MD072", "MD073", "MD075", "DP050", "MO020")
    for code in present:
        found = lookup(code)
        assert found is not None and found.applies_from.value == "discovery", code
        assert not found.requires_manifest
    tags = lookup("MD074")
    assert tags is not None and tags.applies_from.value == "development"


def test_synthesised_templates_are_read_when_the_project_has_no_python_cdk_app(lint, tmp_path):
    # A TypeScript CDK app's `cdk synth` output is the only reading of its resources; and
    # two templates whose buckets differ are not copies of each other.
    synthesised = (
        '{"Resources": {"RawA1B2": {"Type": "AWS::S3::Bucket",'
        ' "Metadata": {"aws:cdk:path": "data/Raw/Resource"}}}}\n'
    )
    versioned = synthesised.replace(
        '"Metadata"', '"Properties": {"VersioningConfiguration": {"Status": "Enabled"}}, "Metadata"'
    )
    repo = _write(
        tmp_path,
        {"cdk.out.json": synthesised, "synth/data.template.json": versioned, "bin/app.ts": "//\n"},
    )
    assert [row[2] for row in lint(repo, "DP050")] == ["cdk.out.json", "synth/data.template.json"]
