"""A Python CDK app's construct classes and helpers judged per caller: a construct made inside
a stack's or construct's ``__init__``, a method or a helper of the app is read once for each
call, its parameters holding that call's arguments (keyword or positional; the default when
the call leaves one out), within the Python resolver's bounds. Each decides a finding both
ways in the ``app.py`` of the rules' fixtures, beside their TypeScript twins."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import REPOS
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.cdk_resources import extract
from mllint_wa.evidence.python_values import MAX_CALL_DEPTH, MAX_CALL_SITES
from trees import write_tree

TYPES = "previous-generation-instance"
ISOLATION = "model-without-network-isolation"
HEADER = """\
from aws_cdk import App, Stack
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct
"""
# A stack whose model's instance type and isolation are the app's to give.
SERVING = (
    HEADER
    + """

class ServingStack(Stack):
    def __init__(self, scope, construct_id, *, instance_type: str, isolate: bool = True, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn="arn:aws:iam::1:role/serving",
            enable_network_isolation=isolate,
        )
        sagemaker.CfnEndpointConfig(
            self,
            "Config",
            production_variants=[
                {"variant_name": "Main", "model_name": "m", "instance_type": instance_type}
            ],
        )
"""
)


def _resources(root: Path) -> dict[str, rm.Resource]:
    files = tuple(sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py")))
    return {r.name: r for r in extract(Evidence(root, files))}


def _app(root: Path, files: dict[str, str]) -> dict[str, rm.Resource]:
    return _resources(write_tree(root, {p: textwrap.dedent(t) for p, t in files.items()}))


def _where(value: rm.Value) -> tuple[object, str, int]:
    assert value.location is not None
    return value.value, value.location.path, value.location.line


def _instance_type(config: rm.Resource) -> rm.Value:
    [variant] = config.get("variants").value
    return variant["instance_type"]  # type: ignore[no-any-return]


# The fixtures, both ways ------------------------------------------------------------------------


def test_a_stack_and_a_construct_class_are_judged_per_caller(lint):
    # Fires: the ranker its caller opens (False, at the caller's argument) and the stack the
    # app opens (isolate=False). Silent: the construct's default (True), the stack the app
    # isolates.
    rows = [row[2:] for row in lint(ISOLATION, "DE021") if row[2] == "app.py"]
    assert rows == [("app.py", 28, 9), ("app.py", 44, 41), ("app.py", 63, 30)]
    models = _resources(REPOS / ISOLATION)
    assert _where(models["Model (Serving/OpenRanker)"].get("network_isolation")) == (
        False,
        "app.py",
        44,
    )
    assert _where(models["Model (Serving/Ranker)"].get("network_isolation")) == (
        True,
        "app.py",
        21,
    )
    assert _where(models["Scorer (Staging)"].get("network_isolation")) == (False, "app.py", 63)
    assert _where(models["Scorer (Production)"].get("network_isolation")) == (True, "app.py", 64)


def test_an_instance_type_from_the_caller_or_the_constructs_default(lint):
    # Fires: the notebook construct's default ml.t2.medium (at the construct), the stack the
    # app gives ml.m4.xlarge (at the app's keyword). Silent: ml.t3.medium given by the
    # caller, the stack given ml.m5.xlarge.
    rows = [row[2:] for row in lint(TYPES, "MD070") if row[2] == "app.py"]
    assert rows == [("app.py", 12, 31), ("app.py", 32, 21), ("app.py", 43, 31), ("app.py", 71, 27)]
    found = _resources(REPOS / TYPES)
    notebook = found["Notebook (hosting/Chosen)"].get("instance_type")
    assert _where(notebook) == ("ml.t3.medium", "app.py", 47)
    assert _where(_instance_type(found["Batch (Current)"])) == ("ml.m5.xlarge", "app.py", 72)


# How a call binds the parameters ----------------------------------------------------------------


def test_keyword_arguments_and_defaults_of_a_stack_in_another_module(tmp_path):
    found = _app(
        tmp_path,
        {
            "stacks/serving.py": SERVING,
            "app.py": """
                from aws_cdk import App
                from stacks.serving import ServingStack

                app = App()
                ServingStack(app, "Prod", instance_type="ml.m4.xlarge", isolate=False)
                ServingStack(app, "Dev", instance_type="ml.m5.large")
            """,
        },
    )
    # Each resource is named by the id its stack is given, after the call when names repeat.
    assert _where(found["Model (Prod)"].get("network_isolation")) == (False, "app.py", 5)
    assert _where(found["Model (Dev)"].get("network_isolation")) == (
        True,
        "stacks/serving.py",
        13,
    )
    assert _where(_instance_type(found["Config (Prod)"])) == ("ml.m4.xlarge", "app.py", 5)
    assert _where(_instance_type(found["Config (Dev)"])) == ("ml.m5.large", "app.py", 6)


def test_one_call_reads_the_class_once_under_its_own_names(tmp_path):
    found = _app(
        tmp_path,
        {
            "app.py": SERVING
            + """
app = App()
ServingStack(app, "Prod", instance_type="ml.m4.xlarge")
""",
        },
    )
    assert sorted(found) == ["Config", "Model"]
    assert found["Model"].get("network_isolation").value is True
    assert _instance_type(found["Config"]).value == "ml.m4.xlarge"


def test_positional_arguments_skip_self_and_a_helper_is_read_per_call(tmp_path):
    found = _app(
        tmp_path,
        {
            "app.py": HEADER
            + """

def scorer(scope, construct_id, isolated=True):
    return sagemaker.CfnModel(
        scope, construct_id, execution_role_arn="r", enable_network_isolation=isolated
    )


class Served(Construct):
    def __init__(self, scope, construct_id, isolated):
        super().__init__(scope, construct_id)
        sagemaker.CfnModel(self, "Model", execution_role_arn="r", enable_network_isolation=isolated)


class ServingStack(Stack):
    def __init__(self, scope, construct_id):
        super().__init__(scope, construct_id)
        Served(self, "Open", False)
        Served(self, "Closed", True)
        scorer(self, "Scorer")
        scorer(self, "OpenScorer", False)


ServingStack(App(), "Serving")
""",
        },
    )
    isolation = {name: model.get("network_isolation").value for name, model in found.items()}
    assert isolation == {
        "Model (Serving/Open)": False,
        "Model (Serving/Closed)": True,
        "Scorer": True,
        "OpenScorer": False,
    }


# What stays unknown ----------------------------------------------------------------------------


def _isolation(tmp_path: Path, call: str) -> dict[str, str]:
    found = _app(tmp_path, {"app.py": SERVING + "\nimport os\napp = App()\n" + call})
    return {
        name: model.get("network_isolation").state.value
        for name, model in found.items()
        if model.kind == rm.MODEL
    }


def test_what_the_caller_cannot_tell_stays_unknown(tmp_path):
    # A value the app reads from its environment, a ** spread, an argument through *args.
    environment = 'ServingStack(app, "P", instance_type="x", isolate=os.environ["ISOLATE"])'
    assert _isolation(tmp_path / "environment", environment) == {"Model": "unknown"}
    spread = 'ServingStack(app, "P", instance_type="x", **os.environ)'
    assert _isolation(tmp_path / "spread", spread) == {"Model": "unknown"}
    # Never instantiated: the parameter's default is no caller's choice.
    assert _isolation(tmp_path / "none", "") == {"Model": "unknown"}


def test_kwargs_stay_unknown(tmp_path):
    found = _app(
        tmp_path,
        {
            "app.py": HEADER
            + """

class ServingStack(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id)
        sagemaker.CfnModel(self, "Model", execution_role_arn="r", **kwargs)


ServingStack(App(), "Serving", enable_network_isolation=True)
""",
        },
    )
    assert found["Model"].opaque
    assert found["Model"].get("network_isolation").unknown


def _callers(count: int) -> str:
    calls = "".join(
        f'ServingStack(app, "S{index}", instance_type="x", isolate=False)\n'
        for index in range(count)
    )
    return SERVING + "\napp = App()\n" + calls


def test_a_class_instantiated_more_often_than_call_sites_are_followed_stays_unknown(tmp_path):
    assert MAX_CALL_SITES == 8
    most = _app(tmp_path / "most", {"app.py": _callers(MAX_CALL_SITES)})
    models = [model for model in most.values() if model.kind == rm.MODEL]
    assert len(models) == MAX_CALL_SITES
    assert {model.get("network_isolation").value for model in models} == {False}
    beyond = _app(tmp_path / "beyond", {"app.py": _callers(MAX_CALL_SITES + 1)})
    assert beyond["Model"].get("network_isolation").unknown


def _nested(levels: int) -> str:
    """Construct classes each instantiating the next, the outermost given the value by the
    app."""
    classes = [
        f"""
class Level{level}(Construct):
    def __init__(self, scope, construct_id, isolated):
        super().__init__(scope, construct_id)
        Level{level + 1}(self, "L{level}", isolated)
"""
        for level in range(1, levels)
    ]
    last = f"""
class Level{levels}(Construct):
    def __init__(self, scope, construct_id, isolated):
        super().__init__(scope, construct_id)
        sagemaker.CfnModel(self, "Model", execution_role_arn="r", enable_network_isolation=isolated)
"""
    return HEADER + "".join(classes) + last + '\nLevel1(App(), "L0", False)\n'


def test_calls_are_followed_as_deep_as_the_resolvers_bound(tmp_path):
    assert MAX_CALL_DEPTH == 3
    deepest = _app(tmp_path / "deep", {"app.py": _nested(MAX_CALL_DEPTH)})
    assert deepest["Model"].get("network_isolation").value is False
    beyond = _app(tmp_path / "beyond", {"app.py": _nested(MAX_CALL_DEPTH + 1)})
    assert beyond["Model"].get("network_isolation").unknown


def test_a_stack_id_built_by_its_caller_names_the_resources_of_each_call(tmp_path):
    # The id is read as each call of the helper gives it; the helper's own call has none.
    found = _app(
        tmp_path,
        {
            "app.py": SERVING
            + """

def create_stage(app, *, stage, isolate):
    return ServingStack(app, f"serve-{stage}", instance_type="ml.m5.large", isolate=isolate)


app = App()
create_stage(app, stage="staging", isolate=False)
create_stage(app, stage="prod", isolate=True)
""",
        },
    )
    isolation = {
        name: model.get("network_isolation").value
        for name, model in found.items()
        if model.kind == rm.MODEL
    }
    assert isolation == {"Model (serve-staging)": False, "Model (serve-prod)": True}
