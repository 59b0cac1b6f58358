"""DP030 to DP034, MD050 to MD054 and DE021: the security of training, processing and
monitoring jobs, notebook instances, Studio domains and models, read from SDK and boto3
calls, CDK apps (Python and TypeScript), CloudFormation templates (YAML and JSON) and
Terraform alike."""

from __future__ import annotations

import pytest

from mllint_wa.evidence.instances import has_instance_storage
from trees import write_files as _write


def _rule(
    code: str, name: str, *places: tuple[str, int, int]
) -> list[tuple[str, str, str, int, int]]:
    return [(code, name, path, line, column) for path, line, column in places]


def test_training_without_network_isolation(lint):
    # Silent in the same fixture: a processor isolated through NetworkConfig, an estimator
    # isolated after construction, local mode, a built-in algorithm (KMeans), a value from a
    # parameter, **kwargs, an isolated boto3 request, and test code.
    # flow/ reaches the setting through a helper, dicts and configuration files (see
    # test_value_flow_python.py).
    assert lint("training-without-network-isolation", "DP030") == _rule(
        "DP030",
        "training-without-network-isolation",
        ("aws_containers.py", 51, 12),
        ("aws_containers.py", 58, 15),
        ("aws_containers.py", 65, 8),
        ("aws_containers.py", 72, 9),
        ("flow/config/open.yaml", 1, 11),
        ("flow/train.py", 16, 39),
        ("flow/train.py", 19, 42),
        ("local-mode/on_sagemaker.py", 5, 13),
        ("requests.py", 4, 1),
        ("requests.py", 33, 1),
        ("train.py", 12, 13),  # the commented-out argument is no setting
        ("train.py", 25, 5),
        ("train.py", 28, 8),
    )
    assert lint.messages("training-without-network-isolation", "DP030")[8:] == [
        "training job `churn-train` (boto3 create_training_job) runs without network "
        "isolation: `EnableNetworkIsolation` is not set",
        "training job `churn-xgboost-script` (boto3 create_training_job) runs without "
        "network isolation: `EnableNetworkIsolation` is not set",
        "training job `estimator` (PyTorch) runs without network isolation: "
        "`enable_network_isolation` is not set",
        "training job `hub` (HuggingFace) runs without network isolation: "
        "`enable_network_isolation` is `False`",
        "processing job `prep` (ScriptProcessor) runs without network isolation: "
        "`network_config.enable_network_isolation` is not set",
    ]


def test_jobs_running_aws_code_need_no_network_isolation(lint):
    # AWS's own containers: a built-in algorithm through a generic Estimator (an
    # image_uris.retrieve name, also through a variable or keywords), SageMaker Clarify's
    # processor, Model Monitor and Data Wrangler images, a literal Model Monitor image URI,
    # and boto3 requests with a built-in algorithm's or Clarify's image. Still reported: the
    # project's script in an AWS framework image, XGBoost in script mode (entry_point, or the
    # sagemaker_program hyperparameter), ScriptProcessors in the scikit-learn image and in
    # the XGBoost algorithm's image, which run the project's script.
    findings = lint.result("training-without-network-isolation", "DP030").findings
    own = ("aws_containers.py", "requests.py")
    assert [f.message.partition(" runs ")[0] for f in findings if f.path in own] == [
        "training job `scripted` (Estimator)",
        "training job `script_mode` (Estimator)",
        "processing job `prep` (ScriptProcessor)",
        "processing job `score` (ScriptProcessor)",
        "training job `churn-train` (boto3 create_training_job)",
        "training job `churn-xgboost-script` (boto3 create_training_job)",
    ]


def test_training_without_vpc(lint):
    # Silent: subnets and security groups both given, both from parameters, local_gpu.
    assert lint("training-without-vpc", "DP031") == _rule(
        "DP031",
        "training-without-vpc",
        ("notebooks/train.ipynb", 18, 18),  # the line in the .ipynb file
        ("train.py", 11, 9),
        ("train.py", 19, 5),
        ("train.py", 27, 34),
    )
    messages = lint.messages("training-without-vpc", "DP031")
    assert messages[1] == (
        "training job `plain` (Estimator) runs outside any VPC: subnets and security groups "
        "are not given (`subnets` and `security_group_ids`)"
    )
    assert messages[3] == (
        "processing job `processor` (Processor) runs outside any VPC: subnets and security "
        "groups are not both given (`network_config.subnets` and "
        "`network_config.security_group_ids`)"
    )


def test_training_without_encryption_names_the_missing_keys(lint):
    # Silent: a g4dn instance (local NVMe storage, no volume key allowed) with an output key,
    # an instance type from a parameter with an output key, keys from parameters, local mode.
    # The pipeline parameter's default instance type is known, so its volume key is asked.
    assert lint("training-without-encryption", "MD050") == _rule(
        "MD050",
        "training-without-encryption",
        ("train.py", 12, 11),
        ("train.py", 22, 5),
        ("train.py", 25, 8),
        ("train.py", 58, 1),
    )
    assert lint.messages("training-without-encryption", "MD050") == [
        "training job `neither` (PyTorch) sets no KMS key for its storage volume "
        "(`volume_kms_key` is not set) or for its output (`output_kms_key` is not set)",
        "training job `volume_only` (PyTorch) sets no KMS key for its output "
        "(`output_kms_key` is empty)",
        "processing job `prep` (SKLearnProcessor) sets no KMS key for its storage volume "
        "(`volume_kms_key` is not set)",
        "training job `churn-train` (boto3 create_training_job) sets no KMS key for its "
        "storage volume (`ResourceConfig.VolumeKmsKeyId` is not set) or for its output "
        "(`OutputDataConfig.KmsKeyId` is not set)",
    ]


def test_inter_container_traffic_only_on_more_than_one_instance(lint):
    # Silent: one instance, encryption switched on after construction, a count from a
    # parameter, two instances in local mode. A pipeline parameter's default of 2 is known.
    # Model Monitor's jobs in every source: silent for an SDK monitor that encrypts, one on
    # one instance, an inline boto3 definition that encrypts, a bias job that encrypts, an
    # explainability job on one instance, a schedule naming its definition (judged on the
    # definition), a CDK inline definition on one instance.
    assert lint("inter-container-traffic-unencrypted", "MD051") == _rule(
        "MD051",
        "inter-container-traffic-unencrypted",
        ("app.py", 12, 9),
        ("main.tf", 1, 1),
        ("monitor.py", 10, 1),
        ("provision.py", 7, 1),
        ("template.yaml", 4, 3),
        ("template.yaml", 26, 13),
        ("train.py", 16, 5),
        ("train.py", 19, 25),
        ("train.py", 26, 9),
        ("typescript/app.ts", 12, 5),
    )
    messages = lint.messages("inter-container-traffic-unencrypted", "MD051")
    assert messages[7] == (
        "training job `from_pipeline_default` (TensorFlow) runs on 2 instances and does not "
        "encrypt the traffic between them: `encrypt_inter_container_traffic` is not set"
    )
    assert messages[2] == (
        "monitoring schedule `churn-data-quality` (DefaultModelMonitor.create_monitoring_schedule)"
        " runs on 2 instances and does not encrypt the traffic between them: the monitor's "
        "`network_config.encrypt_inter_container_traffic` is not set"
    )
    assert messages[5] == (
        "monitoring schedule `InlineSchedule` (AWS::SageMaker::MonitoringSchedule) runs on 3 "
        "instances and does not encrypt the traffic between them: "
        "`MonitoringJobDefinition.NetworkConfig.EnableInterContainerTrafficEncryption` is `false`"
    )


def test_notebook_instance_internet_access_in_every_source(lint):
    # Silent: Disabled (literal, or by add_property_override), a CDK parameter or a
    # CloudFormation parameter or Terraform variable without a default, an !If, **kwargs.
    # Fires on a parameter whose default is Enabled, and on a commented-out setting. The
    # template CDK synthesised into cdk.out/ is a build's output, not a second definition.
    assert lint("notebook-instance-internet-access", "DP032") == _rule(
        "DP032",
        "notebook-instance-internet-access",
        ("app.py", 15, 9),
        ("app.py", 27, 13),
        ("app.py", 34, 13),
        ("configured/scripts/deploy.sh", 7, 25),
        ("main.tf", 10, 1),
        ("main.tf", 20, 3),
        ("provision.py", 4, 1),
        ("template.json", 9, 9),
        ("template.yaml", 12, 3),
        ("template.yaml", 23, 7),
        # Terraform values followed: test_terraform_value_flow.py tells them apart.
        ("terraform-values/for-each/main.tf", 28, 3),
        ("terraform-values/for-each/main.tf", 56, 3),
        ("terraform-values/functions/notebooks.tf", 13, 3),
        ("terraform-values/functions/notebooks.tf", 29, 3),
        ("terraform-values/functions/notebooks.tf", 45, 3),
        ("terraform-values/functions/notebooks.tf", 61, 3),
        ("terraform-values/functions/notebooks.tf", 79, 3),
        ("terraform-values/locals/main.tf", 6, 3),
        ("terraform-values/modules/main.tf", 22, 3),
        ("terraform-values/modules/modules/notebook/main.tf", 6, 3),
        ("terraform-values/variables/main.tf", 6, 3),
        ("typescript/app.ts", 15, 5),
        ("typescript/app.ts", 23, 7),
        ("typescript/app.ts", 28, 7),
    )
    messages = lint.messages("notebook-instance-internet-access", "DP032")
    assert messages[0] == (
        "notebook instance `Research` (CfnNotebookInstance) has direct internet access: "
        "`direct_internet_access` is not set and defaults to `Enabled`"
    )
    assert messages[4] == (
        "notebook instance `aws_sagemaker_notebook_instance.research` has direct internet "
        "access: `direct_internet_access` is not set and defaults to `Enabled`"
    )
    assert messages[9] == (
        "notebook instance `FromDefault` (AWS::SageMaker::NotebookInstance) has direct "
        "internet access: `DirectInternetAccess` is `Enabled`"
    )


def test_notebook_instance_root_access(lint):
    # A CDK attribute set after construction (root_access = "Enabled") wins over the
    # constructor's Disabled. boto3: explicit and defaulted root access; silent when
    # disabled or given as a parameter.
    assert lint("notebook-instance-root-access", "DP033") == _rule(
        "DP033",
        "notebook-instance-root-access",
        ("app.py", 14, 9),
        ("app.py", 25, 9),
        ("main.tf", 10, 1),
        ("main.tf", 20, 3),
        ("provision.py", 10, 5),
        ("provision.py", 12, 1),
        ("template.json", 9, 9),
        ("template.yaml", 12, 3),
        ("template.yaml", 23, 7),
        ("typescript/app.ts", 14, 5),
        ("typescript/app.ts", 25, 5),
    )
    messages = lint.messages("notebook-instance-root-access", "DP033")
    assert messages[5] == (
        "notebook instance `defaulted` (boto3 create_notebook_instance) gives its users root "
        "access: `RootAccess` is not set and defaults to `Enabled`"
    )
    assert messages[6] == (
        "notebook instance `Explicit` (AWS::SageMaker::NotebookInstance) gives its users root "
        "access: `RootAccess` is `Enabled`"
    )


def test_notebook_instance_without_kms(lint):
    # Silent: a key of the stack (key.key_arn), a literal key ARN, a key from a parameter
    # without a default, an !If. An empty key (a parameter's default "") is no key.
    assert lint("notebook-instance-without-kms", "MD052") == _rule(
        "MD052",
        "notebook-instance-without-kms",
        ("app.py", 16, 9),
        ("main.tf", 10, 1),
        ("main.tf", 20, 3),
        ("provision.py", 7, 5),
        ("template.json", 9, 9),
        ("template.yaml", 12, 3),
        ("template.yaml", 23, 7),
        ("typescript/app.ts", 16, 5),
    )
    assert lint.messages("notebook-instance-without-kms", "MD052")[3] == (
        "notebook instance `exploration` (boto3 create_notebook_instance) sets no KMS key for "
        "its storage volume: `KmsKeyId` is empty"
    )


def test_studio_domain_public_internet_and_a_broken_template_reported_once(lint):
    # Silent: VpcOnly, a parameter or variable without a default. The broken template is
    # one LN009 finding and stops nothing else.
    assert lint("studio-domain-public-internet", "MD053", "LN009") == [
        *_rule(
            "MD053",
            "studio-domain-public-internet",
            ("app.py", 14, 9),
            ("app.py", 26, 13),
        ),
        ("LN009", "unparseable-file", "infra/broken.yaml", 7, 15),
        *_rule(
            "MD053",
            "studio-domain-public-internet",
            ("main.tf", 10, 1),
            ("main.tf", 26, 3),
            ("template.json", 7, 9),
            ("template.yaml", 11, 3),
            ("template.yaml", 24, 7),
            ("typescript/app.ts", 15, 5),
            ("typescript/app.ts", 22, 7),
        ),
    ]
    assert lint.messages("studio-domain-public-internet", "MD053")[5] == (
        "Studio domain `Studio` (AWS::SageMaker::Domain) sends its apps' traffic through the "
        "public internet: `AppNetworkAccessType` is not set and defaults to `PublicInternetOnly`"
    )


def test_rules_apply_at_discovery_and_without_a_manifest(lint, tmp_path):
    train = (
        "from sagemaker.estimator import Estimator\n"
        'job = Estimator("image:1", "role", 2, "ml.m5.xlarge")\n'
    )
    with_manifest = _write(
        tmp_path / "discovery",
        {"lens.toml": 'schema_version = 1\n[project]\nstage = "discovery"\n', "train.py": train},
    )
    without = _write(tmp_path / "bare", {"train.py": train})
    expected = [
        ("DP030", "training-without-network-isolation", "train.py", 2, 7),
        ("DP031", "training-without-vpc", "train.py", 2, 7),
        ("MD050", "training-without-encryption", "train.py", 2, 7),
        ("MD051", "inter-container-traffic-unencrypted", "train.py", 2, 7),
    ]
    assert lint(with_manifest, "DP030", "DP031", "MD050", "MD051") == expected
    assert lint(without, "DP030", "DP031", "MD050", "MD051") == expected


def test_a_well_configured_training_job_passes(lint, tmp_path):
    repo = _write(
        tmp_path,
        {
            "train.py": (
                "from sagemaker.pytorch import PyTorch\n"
                'KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd"\n'
                "job = PyTorch(\n"
                '    entry_point="train.py",\n'
                '    role="arn:aws:iam::111122223333:role/training",\n'
                '    instance_type="ml.m5.xlarge",\n'
                "    instance_count=2,\n"
                "    enable_network_isolation=True,\n"
                '    subnets=["subnet-0a1b"],\n'
                '    security_group_ids=["sg-0c2d"],\n'
                "    volume_kms_key=KEY,\n"
                "    output_kms_key=KEY,\n"
                "    encrypt_inter_container_traffic=True,\n"
                ")\n"
            )
        },
    )
    assert lint(repo, "DP030", "DP031", "DP032", "DP033", "MD050", "MD051", "MD052", "MD053") == []


@pytest.mark.parametrize(
    ("instance_type", "expected"),
    [
        ("ml.g4dn.xlarge", True),
        ("ml.p3dn.24xlarge", True),
        ("ml.m5d.large", True),
        ("ml.c6id.large", True),
        ("ml.p4d.24xlarge", True),
        ("ml.g5.2xlarge", True),
        ("ml.trn1.32xlarge", True),
        ("ml.p6-b200.48xlarge", True),
        ("ml.m5.xlarge", False),
        ("ml.p3.2xlarge", False),
        ("ml.c5n.xlarge", False),
        ("ml.inf2.xlarge", False),
        ("local", False),
        ("", False),
        ("m5d.large", False),
    ],
)
def test_instance_types_with_local_storage(instance_type, expected):
    assert has_instance_storage(instance_type) is expected


def test_studio_domain_without_kms_in_every_source(lint):
    # Silent: a key of the stack, of the Terraform configuration or of the template, a
    # literal key ARN in a boto3 request, a key from a parameter or variable without a
    # default. An empty key (a parameter's default "") is no key.
    assert lint("studio-domain-without-kms", "MD054") == _rule(
        "MD054",
        "studio-domain-without-kms",
        ("app.py", 16, 9),
        ("main.tf", 5, 1),
        ("provision.py", 7, 1),
        ("template.yaml", 10, 3),
        ("template.yaml", 30, 7),
        ("typescript/app.ts", 15, 5),
    )
    messages = lint.messages("studio-domain-without-kms", "MD054")
    assert messages[2] == (
        "Studio domain `research` (boto3 create_domain) sets no KMS key for its users' "
        "storage: `KmsKeyId` is not set"
    )
    assert messages[4] == (
        "Studio domain `FromEmptyDefault` (AWS::SageMaker::Domain) sets no KMS key for its "
        "users' storage: `KmsKeyId` is empty"
    )


def test_notebook_instance_imdsv1_by_default_and_by_choice(lint):
    # Silent: version 2 (a string, or a number in YAML), a version from a parameter or a
    # variable without a default.
    assert lint("notebook-instance-imdsv1", "DP034") == _rule(
        "DP034",
        "notebook-instance-imdsv1",
        ("app.py", 14, 9),
        ("app.py", 23, 17),
        ("main.tf", 5, 1),
        ("provision.py", 8, 43),
        ("template.yaml", 7, 3),
        ("typescript/app.ts", 14, 5),
        ("typescript/app.ts", 21, 47),
    )
    messages = lint.messages("notebook-instance-imdsv1", "DP034")
    assert messages[3] == (
        "notebook instance `exploration` (boto3 create_notebook_instance) answers IMDSv1 "
        "requests for its role's credentials: "
        "`InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion` is `1`"
    )
    assert messages[4] == (
        "notebook instance `Research` (AWS::SageMaker::NotebookInstance) answers IMDSv1 "
        "requests for its role's credentials: "
        "`InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion` is not "
        "set and defaults to `1`"
    )


def test_model_without_network_isolation_in_every_source(lint):
    # Silent: isolated models, isolation from a parameter, an SDK model deployed only in
    # local mode, one only registered, a JumpStart model, an estimator's deploy, and the
    # built-in XGBoost algorithm's container without a script (from image_uris.retrieve in
    # the SDK, a literal ECR image in boto3 and CloudFormation). With a script it fires.
    assert lint("model-without-network-isolation", "DE021") == _rule(
        "DE021",
        "model-without-network-isolation",
        ("app.py", 13, 9),
        ("main.tf", 1, 1),
        ("provision.py", 10, 1),
        ("serve.py", 10, 9),
        ("serve.py", 20, 37),
        ("serve.py", 55, 12),
        ("template.yaml", 8, 3),
        ("template.yaml", 19, 7),
        # Per caller (see test_value_flow_typescript.py).
        ("typescript-flow/lib/served-model.ts", 14, 5),
        ("typescript-flow/lib/served-model.ts", 14, 5),
        ("typescript-flow/lib/serving-stack.ts", 19, 7),
        ("typescript-flow/lib/serving-stack.ts", 25, 37),
        ("typescript-flow/lib/serving-stack.ts", 25, 37),
        ("typescript/app.ts", 13, 5),
    )
    messages = lint.messages("model-without-network-isolation", "DE021")
    assert messages[3] == (
        "model `churn` (PyTorchModel) serves without network isolation: "
        "`enable_network_isolation` is not set"
    )
    assert messages[4] == (
        "model `scorer` (Model) serves without network isolation: "
        "`enable_network_isolation` is `False`"
    )
    assert messages[7] == (
        "model `OpenModel` (AWS::SageMaker::Model) serves without network isolation: "
        "`EnableNetworkIsolation` is `false`"
    )


def test_an_sdk_model_is_judged_by_where_it_is_deployed(lint, tmp_path):
    # The same model object deployed in local mode and in AWS is reported; a model package,
    # whose isolation the SDK decides, is not.
    repo = _write(
        tmp_path,
        {
            "serve.py": (
                "from sagemaker.model import Model, ModelPackage\n"
                'model = Model(image_uri="scorer:1", role="arn:aws:iam::1:role/r")\n'
                'model.deploy(initial_instance_count=1, instance_type="local")\n'
                'model.deploy(initial_instance_count=1, instance_type="ml.m5.large")\n'
                'package = ModelPackage(role="r", model_package_arn="arn:aws:sagemaker:x")\n'
                'package.deploy(initial_instance_count=1, instance_type="ml.m5.large")\n'
            )
        },
    )
    assert lint(repo, "DE021") == [("DE021", "model-without-network-isolation", "serve.py", 2, 9)]


def test_jobs_and_endpoints_in_local_mode_are_not_held_to_aws_settings(lint):
    # A pipeline tried out with a LocalPipelineSession (its processor and estimator name
    # ml.* instance types), an estimator with a LocalSession and its deploy to the "local"
    # instance type, a ModelTrainer in Mode.LOCAL_CONTAINER: nothing runs in AWS. A
    # session and an instance type a switch sets to a local one or not (switch.py) cannot
    # be told. The same estimator without the local session is still reported by every
    # rule.
    rules = ("DP030", "DP031", "MD050", "MD070", "MD071", "MD074", "DE", "MO")
    assert lint("training-without-network-isolation/local-mode", *rules) == [
        ("DP030", "training-without-network-isolation", "on_sagemaker.py", 5, 13),
        ("DP031", "training-without-vpc", "on_sagemaker.py", 5, 13),
        ("MD050", "training-without-encryption", "on_sagemaker.py", 5, 13),
        ("MD071", "training-without-max-runtime", "on_sagemaker.py", 5, 13),
        ("MD074", "missing-cost-tags", "on_sagemaker.py", 5, 13),
    ]
