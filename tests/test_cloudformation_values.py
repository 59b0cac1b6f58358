"""CloudFormation parameter values followed from outside the template, and Fn::FindInMap.

The fixtures sit in the rules' own fixture repositories, under ``configured/``:
previous-generation-instance holds an endpoint deployed by CodePipeline with a staging and a
prod template configuration file, a notebook a CodeBuild buildspec creates with
``--parameters`` and a CLI parameters file configures another way, and a template whose
instance types come from its ``Mappings``;
notebook-instance-internet-access holds notebooks a deploy script gives their internet
access with ``--parameter-overrides`` (literal, through ``sam package``/``sam deploy``, from
a shell variable) and a configuration file that sets a parameter no template there declares.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPOS
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as model
from mllint_wa.evidence.cfn_resources import extract
from mllint_wa.parsers.shell import commands
from mllint_wa.project import discover
from trees import write_tree


def _resources(root: Path) -> dict[str, model.Resource]:
    project = discover([root]).projects[0]
    return {r.name: r for r in extract(Evidence(project.root, project.files))}


def _variants(resource: model.Resource) -> dict[str, model.Value]:
    return {
        variant["variant_name"].value: variant["instance_type"]
        for variant in resource.get("variants").value
    }


# -- Template configuration files -----------------------------------------------------------


def test_a_template_configured_two_ways_is_judged_per_configuration(lint):
    found = lint.result("previous-generation-instance", "MD070").findings
    configured = [f for f in found if f.path.startswith("configured/deploy/")]
    # Staging runs on ml.m4 (a finding at the file that sets it); prod on ml.m5 (none).
    assert [(f.path, f.line, f.column) for f in configured] == [
        ("configured/deploy/staging-config.json", 4, 5)
    ]
    assert configured[0].message.startswith(
        "endpoint-config `EndpointConfig (staging-config.json)` variant `AllTraffic` uses "
        "`ml.m4.xlarge`"
    )


def test_each_configuration_names_its_resources_and_their_links():
    resources = _resources(REPOS / "previous-generation-instance" / "configured")
    staging = resources["EndpointConfig (staging-config.json)"]
    prod = resources["EndpointConfig (prod-config.json)"]
    assert _variants(staging)["AllTraffic"].value == "ml.m4.xlarge"
    assert _variants(prod)["AllTraffic"].value == "ml.m5.xlarge"
    count = prod.get("variants").value[0]["instance_count"]
    assert (count.value, count.location.path) == (2, "deploy/prod-config.json")
    # The endpoint links to its configuration's endpoint configuration.
    endpoint = resources["Endpoint (prod-config.json)"]
    assert endpoint.get("endpoint_config").value == "EndpointConfig (prod-config.json)"
    assert "EndpointConfig" not in resources and "Endpoint" not in resources


def test_json_with_other_members_or_undeclared_parameters_configures_nothing():
    # build-settings.json has a member a template configuration cannot have; in the
    # notebooks folder, internet-config.json sets a parameter no template declares.
    names = set(_resources(REPOS / "previous-generation-instance" / "configured"))
    assert not any("build-settings" in name for name in names)
    notebooks = _resources(REPOS / "notebook-instance-internet-access" / "configured")
    assert notebooks["UnsetNotebook"].get("direct_internet_access").unknown


# A notebook whose size has a default and whose internet access and stage have none.
_NOTEBOOK = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Size:
        Type: String
        Default: ml.m5.large
      Access:
        Type: String
      Stage:
        Type: String
    Resources:
      Notebook:
        Type: AWS::SageMaker::NotebookInstance
        Properties:
          InstanceType: !Ref Size
          DirectInternetAccess: !Ref Access
          Tags:
            - Key: stage
              Value: !Ref Stage
    """


def test_configurations_that_agree_leave_one_resource_reported_where_the_value_is_used(
    tmp_path,
):
    write_tree(
        tmp_path,
        {
            "infra/notebook.yaml": _NOTEBOOK,
            "infra/dev-config.json": '{"Parameters": {"Size": "ml.t2.medium", "Stage": "dev"}}',
            "infra/prod-config.json": '{"Parameters": {"Size": "ml.t2.medium", "Stage": "prod"}}',
        },
    )
    (notebook,) = _resources(tmp_path).values()
    size = notebook.get("instance_type")
    assert (notebook.name, size.value, size.location.path, size.location.line) == (
        "Notebook",
        "ml.t2.medium",
        "infra/notebook.yaml",
        14,
    )


def test_a_parameter_no_configuration_sets_keeps_its_default_or_stays_unknown(tmp_path):
    write_tree(
        tmp_path,
        {"notebook.yaml": _NOTEBOOK, "config.json": '{"Parameters": {"Stage": "prod"}}'},
    )
    (notebook,) = _resources(tmp_path).values()
    assert notebook.get("instance_type").value == "ml.m5.large"
    assert notebook.get("direct_internet_access").unknown


# -- Deploy commands in scripts and CI ------------------------------------------------------


def test_parameter_overrides_of_a_deploy_script_decide_both_ways(lint):
    found = lint.result("notebook-instance-internet-access", "DP032").findings
    # open.yaml is deployed with Enabled (a finding at the override); closed.yaml, through
    # `aws cloudformation package` and `sam deploy`, with Disabled; unset.yaml with a shell
    # variable; the echoed command deploys nothing.
    assert [(f.path, f.line, f.column) for f in found if f.path.startswith("configured/")] == [
        ("configured/scripts/deploy.sh", 7, 25)
    ]
    resources = _resources(REPOS / "notebook-instance-internet-access" / "configured")
    assert resources["ClosedNotebook"].get("direct_internet_access").value is False
    assert resources["UnsetNotebook"].get("direct_internet_access").written == (
        "InternetAccess=${ACCESS}"
    )


def test_create_stack_parameters_in_a_buildspec_set_the_instance_type(lint):
    # The buildspec creates the stack with ml.t2 (a finding); the CLI parameters file beside
    # the template gives ml.t3 (none): two configurations, each named.
    found = lint.result("previous-generation-instance", "MD070").findings
    (sized,) = [f for f in found if "SizedNotebook" in f.message]
    assert (sized.path, sized.line, sized.column) == ("configured/notebooks/buildspec.yml", 8, 22)
    assert "`SizedNotebook (configured/notebooks/buildspec.yml:6)`" in sized.message
    resources = _resources(REPOS / "previous-generation-instance" / "configured")
    size = resources["SizedNotebook (sized-parameters.json)"].get("instance_type")
    assert (size.value, size.location.path, size.location.line) == (
        "ml.t3.medium",
        "notebooks/sized-parameters.json",
        2,
    )


@pytest.mark.parametrize(
    ("template", "command", "size", "access"),
    [
        # SAM's shorthand, several pairs in one string.
        (
            "infra/t.yaml",
            "sam deploy -t ../infra/t.yaml --parameter-overrides 'ParameterKey=Size,"
            "ParameterValue=ml.m4.xlarge ParameterKey=Access,ParameterValue=Enabled'",
            "ml.m4.xlarge",
            True,
        ),
        # A JSON file of ParameterKey/ParameterValue pairs, from the project's root.
        (
            "infra/t.yaml",
            "aws cloudformation update-stack --stack-name s --template-body "
            "file://infra/t.yaml --parameters file://params/sizes.json",
            "ml.c4.large",
            None,
        ),
        # An S3 URL whose file name one template has; a parameter set to its previous value.
        (
            "infra/t.yaml",
            "aws cloudformation update-stack --stack-name s --template-url "
            "https://$BUCKET.s3.amazonaws.com/t.yaml --parameters "
            "ParameterKey=Size,UsePreviousValue=true",
            None,
            None,
        ),
        # The pairs as a JSON list in the command itself; one nested past reading sets
        # values no one can read.
        (
            "infra/t.yaml",
            "aws cloudformation create-stack --stack-name s --template-body file://infra/t.yaml"
            """ --parameters '[{"ParameterKey": "Size", "ParameterValue": "ml.c5.large"}]'""",
            "ml.c5.large",
            None,
        ),
        (
            "infra/t.yaml",
            "aws cloudformation create-stack --stack-name s --template-body file://infra/t.yaml"
            " --parameters '" + "[" * 100_000 + "'",
            None,
            None,
        ),
        # SAM's template.yaml by default; --guided asks for every value.
        ("scripts/template.yaml", "sam deploy --guided", None, None),
    ],
)
def test_each_way_of_giving_parameters_is_read(tmp_path, template, command, size, access):
    write_tree(
        tmp_path,
        {
            template: _NOTEBOOK,
            "params/sizes.json": '[{"ParameterKey": "Size", "ParameterValue": "ml.c4.large"}]',
            "scripts/deploy.sh": command + "\n",
        },
    )
    (notebook,) = _resources(tmp_path).values()
    found = notebook.get("instance_type"), notebook.get("direct_internet_access")
    assert [value.value if value.known else None for value in found] == [size, access]


def test_the_shell_reader_gives_the_words_of_what_runs():
    text = (
        "# aws cloudformation deploy --commented-out\n"
        "X=1 aws cloudformation deploy --parameter-overrides \"A=$B\" 'C=d e'\n"
        'echo "aws cloudformation deploy"\n'
        "out=$(sam deploy --parameter-overrides 'A=1 B=2')\n"
    )
    found = [[(w.value, w.literal) for w in words] for words in commands(text)]
    assert found == [
        [
            ("aws", True),
            ("cloudformation", True),
            ("deploy", True),
            ("--parameter-overrides", True),
            ("A=$B", False),
            ("C=d e", True),
        ],
        [("echo", True), ("aws cloudformation deploy", True)],
        [("sam", True), ("deploy", True), ("--parameter-overrides", True), ("A=1 B=2", True)],
    ]


# -- Fn::FindInMap --------------------------------------------------------------------------


def test_find_in_map_follows_literal_and_resolved_keys(lint):
    found = lint.result("previous-generation-instance", "MD070").findings
    mapped = [f for f in found if f.path == "configured/mappings/endpoint.yaml"]
    # The environment's default picks ml.c4 (reported at the map's entry); the literal prod
    # key picks ml.c5; the region is unknown and the regions disagree.
    assert [(f.line, f.column) for f in mapped] == [(11, 7)]
    assert "variant `FromDefault` uses `ml.c4.xlarge`" in mapped[0].message


def test_find_in_map_with_an_unknown_key_is_known_when_every_branch_agrees():
    resources = _resources(REPOS / "previous-generation-instance" / "configured")
    variants = _variants(resources["MappedConfig"])
    assert variants["Literal"].value == "ml.c5.xlarge"
    assert variants["AnyTier"].value == "ml.m5.large"
    assert variants["Regional"].unknown


def test_rules_about_production_leave_a_configuration_for_an_earlier_stage_alone(lint, tmp_path):
    template = (REPOS / "previous-generation-instance/configured/deploy/endpoint.yaml").read_text()
    write_tree(
        tmp_path,
        {
            "lens.toml": 'schema_version = 1\n\n[project]\nstage = "production"\n',
            "deploy/endpoint.yaml": template,
            "deploy/staging-config.json": (
                '{"Parameters": {"StageName": "staging", "EndpointInstanceType": "ml.m4.xlarge",'
                ' "EndpointInstanceCount": "1"}}'
            ),
            "deploy/prod-config.json": (
                '{"Parameters": {"StageName": "prod", "EndpointInstanceType": "ml.m5.xlarge",'
                ' "EndpointInstanceCount": "1"}}'
            ),
        },
    )
    found = lint.result(tmp_path, "DE003", "MO003", "MD070").findings
    # One instance is a finding in prod only; the staging endpoint's missing alarms are not
    # asked for; its previous-generation instance type is a cost either way.
    assert sorted((f.rule.code, f.path, f.line) for f in found) == [
        ("DE003", "deploy/prod-config.json", 1),
        ("MD070", "deploy/staging-config.json", 1),
        ("MO003", "deploy/endpoint.yaml", 26),
    ]
    assert next(f.message for f in found if f.rule.code == "MO003").startswith(
        "endpoint `Endpoint (prod-config.json)`"
    )
