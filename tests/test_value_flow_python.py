"""Values followed across Python code: helpers judged per call, dicts unpacked with ``**``,
f-strings and ``str.format``, and JSON and YAML configuration files of the repository. Each
construct decides a finding both ways in the ``flow/`` folders of the rules' fixtures."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from dataclasses import replace
from pathlib import Path

from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.python_values import Val, Values
from mllint_wa.evidence.sdk_resources import read_module
from mllint_wa.parsers.python_code import parse_python
from mllint_wa.project import discover
from trees import write_tree

REPOS = Path(__file__).parent / "fixtures" / "repos"
TYPES = "previous-generation-instance"
ISOLATION = "training-without-network-isolation"


def _training_jobs(repo: str) -> dict[str, rm.Resource]:
    (project,) = discover([REPOS / repo / "flow"]).projects
    found = rm.resources(Evidence(project.root, project.files))
    return {r.name: r for r in found if r.kind == rm.TRAINING_JOB}


def _flow(rows: list[tuple[str, str, str, int, int]]) -> list[tuple[str, int, int]]:
    return [(path, line, column) for _, _, path, line, column in rows if path.startswith("flow/")]


def test_previous_generation_types_reached_through_calls_dicts_strings_and_files(lint):
    # Silent: ml.m5 given to the helper, ml.c5 in dict(...), ml.c5 built by str.format,
    # ml.m5 in the YAML file, the types given to a helper never called or called more
    # often than calls are followed, an imported ml.g5 and an imported name assigned twice.
    assert _flow(lint(TYPES, "MD070")) == [
        ("flow/config/training.json", 2, 3),
        ("flow/pipelines/sizes.py", 3, 15),
        ("flow/pipelines/sizes.py", 5, 12),
        ("flow/train.py", 15, 23),
        ("flow/train.py", 20, 8),
        ("flow/train.py", 27, 40),
    ]
    messages = [m for m in lint.messages(TYPES, "MD070") if "`legacy`" in m]
    assert messages == [
        "training-job `legacy` uses `ml.m4.xlarge`, a previous-generation instance family "
        "(current choice: ml.m5 or a later general-purpose family (ml.m6i, ml.m7i))"
    ]


def test_network_isolation_reached_through_defaults_dicts_and_files(lint):
    # Silent: the helper's default (isolated=True), dict(...) with True, true in the JSON file.
    assert _flow(lint(ISOLATION, "DP030")) == [
        ("flow/config/open.yaml", 1, 11),
        ("flow/train.py", 16, 39),
        ("flow/train.py", 19, 42),
    ]


def test_a_constant_imported_from_a_project_module_is_read_where_it_is_written():
    # `from pipelines.sizes import LEGACY_TYPE` and `sizes.GPU_TYPE` after
    # `from pipelines import sizes`; a name the module assigns twice stays unknown.
    jobs = _training_jobs(TYPES)
    by_name, through_module = jobs["by_name"], jobs["through_module"]
    assert [
        (job.get("instance_type").value, job.get("instance_type").location.line)
        for job in (by_name, through_module)
    ] == [("ml.p2.xlarge", 3), ("ml.p3.2xlarge", 5)]
    assert by_name.get("instance_type").location.path == "pipelines/sizes.py"
    assert jobs["current_type"].get("instance_type").value == "ml.g5.xlarge"
    assert jobs["changing"].get("instance_type").unknown


def test_a_helper_builds_one_resource_per_call_with_each_call_sites_values():
    jobs = _training_jobs(TYPES)
    legacy, current, spot = jobs["legacy"], jobs["current"], jobs["spot"]
    for job in (legacy, current, spot):
        # The resource stands where the helper constructs it.
        assert (job.location.path, job.location.line) == ("pipelines/jobs.py", 10)
    # An argument is reported where the call writes it, any other value where the helper does.
    instance = legacy.get("instance_type")
    assert (instance.value, instance.location.path, instance.location.line) == (
        "ml.m4.xlarge",
        "train.py",
        15,
    )
    assert current.get("instance_type").value == "ml.m5.xlarge"
    isolated = legacy.get("network_isolation")
    assert (isolated.value, isolated.location.path) == (True, "pipelines/jobs.py")
    # Keywords that reach the constructor through **settings.
    assert spot.get("use_spot").value is True
    assert spot.get("max_runtime").value == 3600


def test_the_cdk_reader_asks_the_shared_resolver_for_what_it_cannot_follow(lint, tmp_path):
    # A Python CDK app (the TypeScript reader keeps its own values): a type from a JSON file
    # is reported there; one that str.format builds from known parts is read and safe.
    write_tree(
        tmp_path,
        {
            "config/notebook.json": '{"instance_type": "ml.t2.medium"}\n',
            "app.py": """
                import json

                from aws_cdk import App, Stack
                from aws_cdk import aws_sagemaker as sagemaker

                ROLE = "arn:aws:iam::111122223333:role/notebook"
                with open("config/notebook.json") as handle:
                    NOTEBOOK = json.load(handle)


                class NotebookStack(Stack):
                    def __init__(self, scope, construct_id):
                        super().__init__(scope, construct_id)
                        configured = NOTEBOOK["instance_type"]
                        formatted = "ml.{}.medium".format("t3")
                        sagemaker.CfnNotebookInstance(
                            self, "Configured", instance_type=configured, role_arn=ROLE
                        )
                        sagemaker.CfnNotebookInstance(
                            self, "Formatted", instance_type=formatted, role_arn=ROLE
                        )


                NotebookStack(App(), "notebooks")
            """,
        },
    )
    (project,) = discover([tmp_path]).projects
    found = rm.resources(Evidence(project.root, project.files))
    types = {r.name: r.get("instance_type").value for r in found if r.kind == rm.NOTEBOOK_INSTANCE}
    assert types == {"Configured": "ml.t2.medium", "Formatted": "ml.t3.medium"}
    assert lint(tmp_path, "MD070") == [("MD070", "previous-generation-instance", "app.py", 17, 33)]


def test_a_default_is_read_where_the_helper_writes_it():
    jobs = _training_jobs(ISOLATION)
    kept, opened = jobs["kept"].get("network_isolation"), jobs["opened"].get("network_isolation")
    assert (kept.value, kept.location.path, kept.location.line) == (True, "jobs/build.py", 9)
    assert (opened.value, opened.location.path, opened.location.line) == (False, "train.py", 16)


def test_parameters_of_helpers_not_followed_stay_unknown():
    jobs = _training_jobs(TYPES)
    helpers = [r for r in jobs.values() if r.location.path == "pipelines/jobs.py"]
    unused = [r for r in helpers if r.location.line == 15]
    many = [r for r in helpers if r.location.line == 20]
    assert len(unused) == 1 and len(many) == 1
    assert unused[0].get("instance_type").unknown
    assert many[0].get("instance_type").unknown


def test_configuration_values_are_read_where_the_file_writes_them():
    jobs = _training_jobs(TYPES)
    instance = jobs["from_json"].get("instance_type")
    assert (instance.value, instance.location.path, instance.location.line) == (
        "ml.p2.xlarge",
        "config/training.json",
        2,
    )
    isolated = _training_jobs(ISOLATION)["from_yaml"].get("network_isolation")
    assert (isolated.value, isolated.location.path, isolated.location.line) == (
        False,
        "config/open.yaml",
        1,
    )


def _vpc_of(source: str) -> dict[str, tuple[str, object]]:
    found = read_module("train.py", parse_python(textwrap.dedent(source)))
    return {r.name: (r.get("vpc").state.value, r.get("vpc").value) for r in found}


def test_a_dict_changed_in_place_is_read_with_its_changes_or_not_at_all():
    assert _vpc_of(
        """
        from sagemaker.estimator import Estimator

        args = dict(role="r", instance_count=1, instance_type="ml.m5.xlarge")
        args["subnets"] = ["subnet-0a1b"]
        args["security_group_ids"] = ["sg-0c2d"]
        inside = Estimator("image", **args)

        gs = []
        gs.append("sg-0c2d")  # a list changed by a method is no longer known
        appended = Estimator("image", "r", 1, "ml.m5.large", subnets=["s"], security_group_ids=gs)

        maybe = dict(role="r", instance_count=1, instance_type="ml.m5.xlarge")
        if use_vpc:  # only the keys it sets become unknown
            maybe["subnets"] = ["subnet-0a1b"]
            maybe["security_group_ids"] = ["sg-0c2d"]
        conditional = Estimator("image", **maybe)

        updated = dict(role="r", instance_count=1, instance_type="ml.m5.xlarge")
        updated.update({"subnets": ["subnet-0a1b"]})
        updated.update(security_group_ids=["sg-0c2d"])
        by_update = Estimator("image", **updated)

        open_args = dict(role="r", instance_count=1, instance_type="ml.m5.xlarge")
        outside = Estimator("image", **open_args)
        open_args["subnets"] = ["subnet-0a1b"]  # after the use: not seen by it
        """
    ) == {
        "inside": ("known", True),
        "appended": ("unknown", None),
        "conditional": ("unknown", None),
        "by_update": ("known", True),
        "outside": ("absent", None),
    }


def test_a_function_calling_itself_or_a_cycle_of_names_stays_unknown():
    found = read_module(
        "train.py",
        parse_python(
            textwrap.dedent(
                """
                from sagemaker.estimator import Estimator

                def grow(kind):
                    return grow(kind + "x")

                a = b
                b = a
                job = Estimator("image", "r", 1, grow("ml."), subnets=a, security_group_ids=b)
                """
            )
        ),
    )
    (job,) = found
    assert job.get("instance_type").unknown and job.get("vpc").unknown


def test_strings_built_from_known_parts_are_known_and_others_are_not():
    module = parse_python(
        textwrap.dedent(
            """
            family = "m5"
            size = "xlarge"
            a = f"ml.{family}.{size}"
            b = "ml.{}.{size}".format(family, size=size)
            c = "ml." + family + "." + size
            d = ".".join(["ml", family, size])
            e = f"ml.{unknown}.xlarge"
            f = "ml.{0:>4}".format(family)
            g = "{x.attr}".format(x=family)
            """
        )
    )
    values = Values(module)
    read = {
        statement.targets[0].id: values.value(statement.value).plain()  # type: ignore[attr-defined]
        for statement in module.tree.body[2:]
    }
    assert read == {
        "a": "ml.m5.xlarge",
        "b": "ml.m5.xlarge",
        "c": "ml.m5.xlarge",
        "d": "ml.m5.xlarge",
        "e": ...,
        "f": ...,
        "g": ...,
    }


def test_a_string_built_past_the_bound_is_unknown_before_it_is_built():
    long = "x" * 4000
    module = parse_python(
        textwrap.dedent(
            f"""
            a = "{long}"
            fits = f"{{a}}-{{a}}"
            f_string = f"{{a}}{{a}}{{a}}"
            joined = "".join([a, a, a])
            formatted = "{{0}}{{0}}{{0}}".format(a)
            """
        )
    )
    values = Values(module)
    read = {
        statement.targets[0].id: values.value(statement.value).plain()  # type: ignore[attr-defined]
        for statement in module.tree.body[1:]
    }
    assert read == {"fits": f"{long}-{long}", "f_string": ..., "joined": ..., "formatted": ...}


def test_an_integer_too_long_to_write_in_decimal_is_unknown_wherever_it_is_written(tmp_path):
    # Python refuses to write an integer of more than 4,300 digits in decimal: a literal or
    # a YAML value that large would have made every resource rule fail.
    huge = "0x" + "f" * 4000
    write_tree(
        tmp_path,
        {
            "sizes.yaml": f"count: {huge}\n",
            "train.py": textwrap.dedent(
                f"""
                import yaml
                from sagemaker.estimator import Estimator

                sizes = yaml.safe_load(open("sizes.yaml"))
                HUGE = {huge}
                Estimator(image_uri=f"{{HUGE}}", instance_count=sizes["count"], max_run=HUGE)
                """
            ),
        },
    )
    (project,) = discover([tmp_path]).projects
    (job,) = rm.resources(Evidence(project.root, project.files))
    assert [job.get(name).state.value for name in ("image", "instance_count", "max_runtime")] == [
        "unknown"
    ] * 3


def test_a_helper_is_judged_at_its_call_from_a_notebook_cell_written_as_one_string(tmp_path):
    # The cell's source is one JSON string: its "\n" and "\t" stand right before the
    # helper's name, in the import and in the call.
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "outputs": [],
        "source": 'from jobs.job_factory import (\n\tbuild_job,\n)\nbuild_job("ml.m4.xlarge")\n',
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    write_tree(
        tmp_path,
        {
            "jobs/job_factory.py": """
                from sagemaker.estimator import Estimator

                def build_job(instance_type):
                    return Estimator("image", "arn:aws:iam::1:role/r", 1, instance_type)
                """,
            "explore.ipynb": json.dumps(notebook),
        },
    )
    files = ("explore.ipynb", "jobs/job_factory.py")
    found = rm.resources(Evidence(tmp_path, files))
    jobs = [r for r in found if r.kind == rm.TRAINING_JOB]
    instances = [job.get("instance_type") for job in jobs]
    assert [(i.value, i.location and i.location.path) for i in instances] == [
        ("ml.m4.xlarge", "explore.ipynb")
    ]


def test_a_value_moved_to_another_place_keeps_every_other_field():
    # Val.moved copies the fields one by one: a field added to Val must be carried too.
    fields = {f.name: object() for f in dataclasses.fields(Val)}
    original = Val(**fields)  # type: ignore[arg-type]
    node, home, context = object(), object(), object()
    moved = original.moved(node, home, context)  # type: ignore[arg-type]
    expected = replace(original, node=node, home=home, context=context)
    assert all(getattr(moved, name) is getattr(expected, name) for name in fields)
