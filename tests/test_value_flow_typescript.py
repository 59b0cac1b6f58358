"""Values followed across a TypeScript CDK app: names imported from its modules, construct
classes and helpers judged per caller, and JSON files imported, read by path or given as
``cdk.json`` context. Each decides a finding both ways in the ``typescript-flow/`` folders of
the rules' fixtures; the bounds are the Python resolver's."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

from conftest import REPOS
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.cdk_typescript import (
    TypeScriptModule,
    _other_module,
    extract,
    lower_typescript,
)
from mllint_wa.evidence.cdk_typescript_flow import AppFlow
from mllint_wa.evidence.python_values import MAX_CALL_DEPTH, MAX_CALL_SITES
from mllint_wa.project import discover
from trees import write_tree

TYPES = "previous-generation-instance"
ISOLATION = "model-without-network-isolation"
FULL_ACCESS = "sagemaker-full-access-role"
FOLDER = "typescript-flow/"
CDK_JSON = json.dumps({"app": "npx ts-node bin/app.ts"})
HEADER = """\
import { App, Stack } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
"""
# A construct class whose model's isolation is its caller's to give.
SERVED = (
    HEADER
    + """
export class Served extends Construct {
  constructor(scope: Construct, id: string, props: { isolated?: boolean }) {
    super(scope, id);
    new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: 'arn:aws:iam::1:role/serving',
      primaryContainer: { image: '1.dkr.ecr.eu-west-1.amazonaws.com/scorer:1' },
      enableNetworkIsolation: props.isolated,
    });
  }
}
"""
)


def _flow(rows: list[tuple[str, str, str, int, int]]) -> list[tuple[str, int, int]]:
    return [(path, line, column) for _, _, path, line, column in rows if path.startswith(FOLDER)]


def _models(root: Path) -> dict[str, rm.Resource]:
    [project] = discover([root]).projects
    found = extract(Evidence(project.root, project.files))
    return {r.name: r for r in found if r.kind == rm.MODEL}


def _app(root: Path, files: dict[str, str]) -> Path:
    texts = {path: textwrap.dedent(text) for path, text in files.items()}
    return write_tree(root, {"cdk.json": CDK_JSON, **texts})


def _isolation(models: dict[str, rm.Resource]) -> dict[str, object]:
    return {name: model.get("network_isolation").state.value for name, model in models.items()}


# The fixtures, both ways ------------------------------------------------------------------------


def test_instance_types_imported_from_the_apps_modules(lint):
    # Silent: ml.c5 by a named import, ml.m5 by a namespace import's member, ml.t3 by a
    # default import's member. Fires: their previous-generation neighbours.
    assert _flow(lint(TYPES, "MD070")) == [
        ("typescript-flow/lib/hosting-stack.ts", 14, 51),
        ("typescript-flow/lib/hosting-stack.ts", 23, 11),
        ("typescript-flow/lib/hosting-stack.ts", 35, 7),
    ]
    messages = [m for m in lint.messages(TYPES, "MD070") if "Research" in m or "`Old`" in m]
    assert messages == [
        "endpoint-config `Config` variant `Old` uses `ml.c4.xlarge`, a previous-generation "
        "instance family (current choice: ml.c5 or a later compute-optimised family (ml.c6i, "
        "ml.c7i))",
        "notebook-instance `Research` uses `ml.t2.medium`, a previous-generation instance "
        "family (current choice: ml.t3)",
    ]


def test_a_construct_class_and_a_helper_are_judged_per_caller(lint):
    # Silent: Churn in Production (the app gives true), the helper's default (true).
    # Fires: Churn in Staging (false, at the stack's argument), Ranker in both (never
    # given: at the construct), OpenScorer in both (false, at the call).
    assert _flow(lint(ISOLATION, "DE021")) == [
        ("typescript-flow/lib/served-model.ts", 14, 5),
        ("typescript-flow/lib/served-model.ts", 14, 5),
        ("typescript-flow/lib/serving-stack.ts", 19, 7),
        ("typescript-flow/lib/serving-stack.ts", 25, 37),
        ("typescript-flow/lib/serving-stack.ts", 25, 37),
    ]
    findings = lint.result(ISOLATION, "DE021").findings
    named = [f.message.partition(" (CfnModel)")[0] for f in findings if f.path.startswith(FOLDER)]
    assert [m for m in named if "/" in m] == [
        "model `Model (Production/Ranker)`",
        "model `Model (Staging/Ranker)`",
        "model `Model (Staging/Churn)`",
        "model `OpenScorer (Production/OpenScorer)`",
        "model `OpenScorer (Staging/OpenScorer)`",
    ]


def test_managed_policies_from_json_files_and_cdk_json_context(lint):
    # Silent: the roles whose policy the same files name AmazonSageMakerReadOnly or
    # CloudWatchReadOnlyAccess.
    assert _flow(lint(FULL_ACCESS, "DP036")) == [("typescript-flow/lib/access-stack.ts", 14, 5)] * 3
    findings = lint.result(FULL_ACCESS, "DP036").findings
    roles = [f.message.split("`")[1] for f in findings if f.path.startswith(FOLDER)]
    assert roles == ["NotebookRole", "PipelineRole", "TrainingRole"]


def test_a_value_from_the_caller_is_reported_at_the_caller_and_any_other_at_the_construct():
    models = _models(REPOS / ISOLATION / "typescript-flow")
    staging = models["Model (Staging/Churn)"].get("network_isolation")
    assert (staging.value, staging.location.path, staging.location.line) == (
        False,
        "lib/serving-stack.ts",
        19,
    )
    ranker = models["Model (Staging/Ranker)"]
    assert ranker.get("network_isolation").absent
    assert (ranker.location.path, ranker.location.line) == ("lib/served-model.ts", 14)
    image = ranker.get("image")
    assert (image.location.path, image.location.line) == ("lib/serving-stack.ts", 22)


def test_a_value_of_a_json_file_is_reported_where_the_file_writes_it(tmp_path):
    root = _app(
        tmp_path,
        {
            "config/model.json": '{\n  "isolated": false\n}\n',
            "bin/app.ts": HEADER
            + """
            import config from '../config/model.json';

            class ServingStack extends Stack {
              constructor(scope: Construct, id: string) {
                super(scope, id);
                new sagemaker.CfnModel(this, 'Model', {
                  executionRoleArn: 'arn:aws:iam::1:role/serving',
                  enableNetworkIsolation: config.isolated,
                });
              }
            }
            new ServingStack(new App(), 'Serving');
            """,
        },
    )
    isolation = _models(root)["Model"].get("network_isolation")
    assert (isolation.value, isolation.location.path, isolation.location.line) == (
        False,
        "config/model.json",
        2,
    )


# One caller or many: a class used once keeps its name ------------------------------------------


def test_a_class_instantiated_once_keeps_its_constructs_names(tmp_path):
    root = _app(
        tmp_path,
        {
            "lib/served.ts": SERVED,
            "bin/app.ts": HEADER
            + """
            import { Served } from '../lib/served';
            const stack = new Stack(new App(), 'Serving');
            new Served(stack, 'Scorer', { isolated: false });
            """,
        },
    )
    assert _isolation(_models(root)) == {"Model": "known"}


# Bounds ------------------------------------------------------------------------------------------


def _callers(count: int) -> str:
    calls = "\n".join(
        f"new Served(stack, 'S{index}', {{ isolated: false }});" for index in range(count)
    )
    return (
        HEADER
        + "import { Served } from '../lib/served';\n"
        + "const stack = new Stack(new App(), 'Serving');\n"
        + calls
    )


def test_a_class_called_more_often_than_call_sites_are_followed_stays_unknown(tmp_path):
    most = _models(_app(tmp_path / "most", {"lib/served.ts": SERVED, "bin/app.ts": _callers(8)}))
    assert MAX_CALL_SITES == 8
    assert set(_isolation(most).values()) == {"known"}
    assert len(most) == MAX_CALL_SITES
    files = {"lib/served.ts": SERVED, "bin/app.ts": _callers(9)}
    beyond = _models(_app(tmp_path / "beyond", files))
    assert _isolation(beyond) == {"Model": "unknown"}


def _nested(levels: int) -> str:
    """Classes each instantiating the next, the outermost given the value by the app."""
    classes = [
        f"""
        class Level{level} extends Construct {{
          constructor(scope: Construct, id: string, props: {{ isolated?: boolean }}) {{
            super(scope, id);
            new Level{level + 1}(this, 'L{level}', {{ isolated: props.isolated }});
          }}
        }}
        """
        for level in range(1, levels)
    ]
    last = f"""
        class Level{levels} extends Construct {{
          constructor(scope: Construct, id: string, props: {{ isolated?: boolean }}) {{
            super(scope, id);
            new sagemaker.CfnModel(this, 'Model', {{
              executionRoleArn: 'arn:aws:iam::1:role/serving',
              enableNetworkIsolation: props.isolated,
            }});
          }}
        }}
        """
    app = "new Level1(new Stack(new App(), 'S'), 'Top', { isolated: false });\n"
    return HEADER + "".join(textwrap.dedent(c) for c in [*classes, last]) + app


def test_calls_are_followed_as_deep_as_the_python_resolvers(tmp_path):
    assert MAX_CALL_DEPTH == 3
    deepest = _models(_app(tmp_path / "deep", {"bin/app.ts": _nested(MAX_CALL_DEPTH)}))
    assert _isolation(deepest) == {"Model": "known"}
    beyond = _models(_app(tmp_path / "beyond", {"bin/app.ts": _nested(MAX_CALL_DEPTH + 1)}))
    assert _isolation(beyond) == {"Model": "unknown"}


# What stays unknown ----------------------------------------------------------------------------


def _imported_isolation(tmp_path: Path, files: dict[str, str], written: str) -> object:
    stack = (
        HEADER
        + written
        + """
        const stack = new Stack(new App(), 'Serving');
        new sagemaker.CfnModel(stack, 'Model', {
          executionRoleArn: 'arn:aws:iam::1:role/serving',
          enableNetworkIsolation: ISOLATED,
        });
        """
    )
    root = _app(tmp_path, {**files, "bin/app.ts": stack})
    return _isolation(_models(root))["Model"]


def test_a_package_is_never_read_even_with_its_sources_in_node_modules(tmp_path):
    package = {"node_modules/isolation/index.ts": "export const ISOLATED = false;\n"}
    written = "import { ISOLATED } from 'isolation';\n"
    assert _imported_isolation(tmp_path, package, written) == "unknown"


def test_a_json_file_is_required_by_its_relative_path_and_a_bare_name_is_a_package(tmp_path):
    files = {"bin/isolation.json": '{"isolated": false}'}
    for name, specifier, found in [
        ("relative", "./isolation.json", "known"),
        ("bare", "isolation.json", "unknown"),
    ]:
        written = f"const ISOLATED = require('{specifier}').isolated;\n"
        assert _imported_isolation(tmp_path / name, files, written) == found, name


def test_a_module_is_found_by_its_relative_path_its_index_or_its_js_name(tmp_path):
    module = {"lib/isolation/index.ts": "export const ISOLATED = false;\n"}
    for name, specifier in [
        ("folder", "../lib/isolation"),
        ("index", "../lib/isolation/index"),
        ("js", "../lib/isolation/index.js"),
    ]:
        written = f"import {{ ISOLATED }} from '{specifier}';\n"
        assert _imported_isolation(tmp_path / name, module, written) == "known", name
    written = "import { ISOLATED } from './isolation';\n"  # bin/isolation.ts: none
    assert _imported_isolation(tmp_path / "elsewhere", module, written) == "unknown"


def test_an_object_changed_after_it_is_written_is_not_followed(tmp_path):
    module = {
        "lib/config.ts": "export const CONFIG = { isolated: true };\nCONFIG.isolated = false;\n"
    }
    written = "import { CONFIG } from '../lib/config';\nconst ISOLATED = CONFIG.isolated;\n"
    assert _imported_isolation(tmp_path, module, written) == "unknown"


def test_context_that_cdk_json_does_not_set_may_come_from_the_command_line(tmp_path):
    written = "const ISOLATED = new App().node.tryGetContext('isolated');\n"
    assert _imported_isolation(tmp_path, {}, written) == "unknown"


def test_a_json_file_read_outside_the_app_or_by_a_computed_path_is_unknown(tmp_path):
    files = {"isolation.json": '{"isolated": false}'}
    for name, path in [
        ("absolute", "'/etc/isolation.json'"),
        ("outside", "'../isolation.json'"),
        ("computed", "process.env.CONFIG_FILE"),
    ]:
        written = (
            "import * as fs from 'fs';\n"
            f"const ISOLATED = JSON.parse(fs.readFileSync({path}, 'utf8')).isolated;\n"
        )
        assert _imported_isolation(tmp_path / name, files, written) == "unknown", name
    written = (
        "import * as fs from 'fs';\n"
        "const ISOLATED = JSON.parse(fs.readFileSync('isolation.json', 'utf8')).isolated;\n"
    )
    assert _imported_isolation(tmp_path / "read", files, written) == "known"


def test_a_member_is_found_however_the_object_spells_its_key(tmp_path):
    module = {"lib/config.ts": "export const CONFIG = { EnableIsolation: false };\n"}
    written = "import { CONFIG } from '../lib/config';\nconst ISOLATED = CONFIG.EnableIsolation;\n"
    assert _imported_isolation(tmp_path / "pascal", module, written) == "known"
    written = "import { CONFIG } from '../lib/config';\nconst ISOLATED = CONFIG.Isolation;\n"
    assert _imported_isolation(tmp_path / "missing", module, written) == "absent"


def test_every_way_of_reading_json_is_followed_to_the_policy_it_names():
    [project] = discover([REPOS / FULL_ACCESS / "typescript-flow"]).projects
    roles = {
        r.name: r.get("managed_policies").value
        for r in extract(Evidence(project.root, project.files))
        if r.kind == rm.IAM_ROLE
    }
    assert roles == {
        "TrainingRole": ["AmazonSageMakerFullAccess"],  # import of a JSON file
        "InferenceRole": ["AmazonSageMakerReadOnly"],
        "NotebookRole": ["AmazonSageMakerFullAccess"],  # cdk.json context
        "ReviewRole": ["AmazonSageMakerReadOnly"],
        "PipelineRole": ["AmazonSageMakerFullAccess"],  # read from the app's folder
        "MonitoringRole": ["CloudWatchReadOnlyAccess"],  # path.join(__dirname, …)
    }


def test_a_module_of_thousands_of_functions_knows_each_name_it_defines_once(tmp_path):
    # Each name is counted once for the whole module, not once for each function.
    defined = "".join(f"function helper{i}() {{ return {i}; }}\n" for i in range(12_000))
    lowered = lower_typescript(HEADER + defined + "function helper7() { return 0; }\n")
    flow = AppFlow(Evidence(tmp_path, []), "cdk.json", lambda path, app: None)
    functions = TypeScriptModule("lib/helpers.ts", lowered, flow).functions
    assert len(functions) == 11_999
    assert "helper7" not in functions
    assert functions["helper11999"].name == "helper11999"


def test_calls_through_a_namespace_of_thousands_of_helpers_each_find_their_helper(tmp_path):
    # The helpers are looked up by their Python spelling once for the module, not per call.
    helpers = "".join(
        f"export function helperNumber{i}() {{ return {i}; }}\n" for i in range(3_000)
    )
    calls = "".join(f"h.helperNumber{i}();\n" for i in range(3_000))
    root = _app(
        tmp_path,
        {
            "lib/h.ts": helpers + "export function helper_number7() {}\n",
            "bin/app.ts": HEADER + "import * as h from '../lib/h';\n" + calls,
        },
    )
    [project] = discover([root]).projects
    flow = AppFlow(Evidence(project.root, project.files), "cdk.json", _other_module)
    app = flow.module("bin/app.ts")
    assert app is not None
    flow.start([app])
    called = [flow.callee(app, call.func) for call in app.parsed.index.of(ast.Call)]
    assert called[2_999] == ("function", "lib/h.ts", "helperNumber2999")
    assert called[7] is None  # two functions spell `helper_number7`


def test_each_of_thousands_of_members_of_a_namespace_import_is_the_constant_it_names(tmp_path):
    # The module's names are spelled as the Python CDK does once, not once per member read.
    constants = "".join(f"export const roleNumber{i} = 'arn:{i}';\n" for i in range(1_000))
    models = "".join(
        f"new sagemaker.CfnModel(stack, 'M{i}', {{ executionRoleArn: cfg.roleNumber{i} }});\n"
        for i in range(1_000)
    )
    root = _app(
        tmp_path,
        {
            "lib/cfg.ts": constants + "export const role_number7 = 'arn:other';\n",
            "bin/app.ts": HEADER
            + "import * as cfg from '../lib/cfg';\n"
            + "const stack = new Stack(new App(), 'S');\n"
            + models,
        },
    )
    [project] = discover([root]).projects
    roles = {r.name: r.get("role") for r in extract(Evidence(project.root, project.files))}
    assert roles["M999"].value == "arn:999"
    assert roles["M999"].location.path == "bin/app.ts"
    assert not roles["M7"].known  # two constants spell `role_number7`
    assert sum(role.known for role in roles.values()) == 999


def test_a_long_helper_called_by_hundreds_of_constructs_returns_its_value_to_each(tmp_path):
    # The helper's body is searched for its `return` once, not once per call.
    body = "".join(f"  const part{i} = [{i}, {i}, {i}];\n" for i in range(1_000))
    models = "".join(
        f"new sagemaker.CfnModel(stack, 'M{i}', {{ executionRoleArn: role() }});\n"
        for i in range(500)
    )
    app = HEADER + "function role() {\n" + body + "  return 'arn:aws:iam::1:role/x';\n}\n"
    app += "const stack = new Stack(new App(), 'S');\n" + models
    root = _app(tmp_path, {"bin/app.ts": app})
    [project] = discover([root]).projects
    roles = [r.get("role").value for r in extract(Evidence(project.root, project.files))]
    assert roles == ["arn:aws:iam::1:role/x"] * 500
