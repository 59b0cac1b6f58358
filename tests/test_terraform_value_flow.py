"""Terraform values followed to where they are written: variables and their defaults in any
file of the module, locals, the inputs of module calls (each caller judged on its own), the
functions lookup, try, coalesce, format, join and merge, conditionals whose condition is
known, and for_each resources judged once. In each fixture folder one value makes the rule
fire and another keeps it silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as model
from mllint_wa.evidence.tf_resources import extract
from mllint_wa.model import Location
from trees import write_tree

REPOS = Path(__file__).parent / "fixtures" / "repos"
# Under each rule's fixture repository, the folder of Terraform whose values are followed.
NOTEBOOKS = REPOS / "notebook-instance-internet-access" / "terraform-values"
ROLES = REPOS / "sagemaker-full-access-role" / "terraform-values"


def _rows(lint, folder: str) -> list[tuple[str, int, int]]:
    return [
        (path, line, column)
        for _, _, path, line, column in lint(NOTEBOOKS, "DP032")
        if path.startswith(folder)
    ]


def test_a_variable_default_in_another_file_decides(lint):
    # open_access defaults to Enabled, closed_access to Disabled, both in variables.tf.
    assert _rows(lint, "variables/") == [("variables/main.tf", 6, 3)]


def test_a_local_and_a_local_built_from_another_decide(lint):
    assert _rows(lint, "locals/") == [("locals/main.tf", 6, 3)]


def test_lookup_try_coalesce_merge_and_a_known_condition_decide(lint):
    # Each has a twin whose variable default gives Disabled: by_lookup_private and so on.
    assert _rows(lint, "functions/") == [
        ("functions/notebooks.tf", 13, 3),  # lookup's default: the settings lack the key
        ("functions/notebooks.tf", 29, 3),  # try's fallback: the attribute is missing
        ("functions/notebooks.tf", 45, 3),  # coalesce past a null variable
        ("functions/notebooks.tf", 61, 3),  # merge of a local's defaults and no overrides
        ("functions/notebooks.tf", 79, 3),  # var.subnet_id == null, so "Enabled"
    ]


def test_format_and_join_build_principals_and_policy_arns(lint):
    # training: format("sagemaker.%s", …) and join("/", [… , "AmazonSageMakerFullAccess"]);
    # scheduler has the same policy but SageMaker does not assume it; reviewer's join gives
    # the read-only policy.
    assert [row[2:] for row in lint(ROLES, "DP036")] == [("roles.tf", 11, 3)]


def test_a_module_is_judged_per_caller_at_the_argument_or_the_resource(lint):
    assert _rows(lint, "modules/") == [
        # labelling passes internet = "Enabled" to a module that passes it on: the caller's
        # argument is where the value is written.
        ("modules/main.tf", 22, 3),
        # research passes nothing: the module's default, where the module uses it.
        ("modules/modules/notebook/main.tf", 6, 3),
    ]
    messages = [m for m in lint.messages(NOTEBOOKS, "DP032") if "module." in m]
    assert messages == [
        "notebook instance `module.labelling.module.notebook.aws_sagemaker_notebook_instance"
        ".this` has direct internet access: `direct_internet_access` is `Enabled`",
        "notebook instance `module.research.aws_sagemaker_notebook_instance.this` has direct "
        "internet access: `direct_internet_access` is `Enabled`",
    ]


def test_a_for_each_or_count_resource_is_judged_once(lint):
    # team: every element Enabled; private_team (a for expression): every element Disabled;
    # mixed_team: Enabled for one, Disabled for the other, so not one value; pool: count = 3,
    # one finding.
    assert _rows(lint, "for-each/") == [("for-each/main.tf", 28, 3), ("for-each/main.tf", 56, 3)]


# The resolver on its own ------------------------------------------------------------------


def _notebooks(root: Path, files: dict[str, str]) -> dict[str, model.Value]:
    write_tree(root, files)
    paths = tuple(sorted(p.relative_to(root).as_posix() for p in root.rglob("*.tf")))
    found = extract(Evidence(root, paths))
    return {r.name: r.get("direct_internet_access") for r in found}


_NOTEBOOK = """
resource "aws_sagemaker_notebook_instance" "n" {
  direct_internet_access = %s
}
"""


@pytest.mark.parametrize(
    ("written", "variables", "expected"),
    [
        ('format("%sabled", "En")', "", "Enabled"),
        ('format("%5s", "Enabled")', "", None),  # a width: not rendered
        ('join("", ["En", var.rest])', 'variable "rest" { default = "abled" }', "Enabled"),
        ('lookup(var.m, "k")', 'variable "m" { default = {} }', None),  # an error: unknown
        ('try(var.m.k, var.m.j, "Enabled")', 'variable "m" { default = {} }', "Enabled"),
        ('try(var.m.k, "Disabled")', 'variable "m" { default = { k = var.x } }', None),
        ('coalesce(var.a, "Enabled")', 'variable "a" { default = "" }', "Enabled"),
        ('coalesce(var.a, "Enabled")', 'variable "a" {}', None),  # no default: unknown
        ('var.a == "1" ? "Enabled" : "Disabled"', 'variable "a" { default = 1 }', "Disabled"),
        ('var.a ? "Enabled" : "Enabled"', 'variable "a" {}', "Enabled"),  # either branch
        ('var.a ? "Enabled" : "Disabled"', 'variable "a" {}', None),
        ("var.l[1]", 'variable "l" { default = ["Disabled", "Enabled"] }', "Enabled"),
        ("var.l[var.i]", 'variable "l" { default = ["Enabled"] }', None),  # computed index
        ("var.l[2]", 'variable "l" { default = ["Enabled"] }', None),  # past the end
        # A type with optional attributes fills what a caller leaves out: not read.
        (
            "var.o.a",
            'variable "o" {\n  type = object({ a = optional(string, "Disabled") })\n'
            '  default = { a = "Enabled" }\n}',
            None,
        ),
    ],
)
def test_functions_and_expressions(tmp_path, written, variables, expected):
    (value,) = _notebooks(
        tmp_path, {"main.tf": _NOTEBOOK % written, "variables.tf": variables}
    ).values()
    # The property is a bool: whether the notebook has direct internet access.
    if expected is None:
        assert value.unknown
    else:
        assert value.is_(expected == "Enabled")


def test_values_that_refer_to_themselves_are_unknown(tmp_path):
    found = _notebooks(
        tmp_path,
        {
            "main.tf": _NOTEBOOK % "local.a",
            "locals.tf": 'locals {\n  a = "${local.b}x"\n  b = lookup({ k = local.a }, "k")\n}\n',
        },
    )
    assert found["aws_sagemaker_notebook_instance.n"].unknown


@pytest.mark.parametrize(
    "doubled",
    [
        '"${local.v%d}${local.v%d}"',
        "[local.v%d, local.v%d]",
        "concat(local.v%d, local.v%d)",
        'join("", [local.v%d, local.v%d])',
        'format("%%s%%s", local.v%d, local.v%d)',
    ],
)
def test_values_that_double_at_every_step_are_unknown_past_a_bound(tmp_path, doubled):
    # Twenty-four steps make a value of sixteen million parts; four make one of sixteen.
    for steps, known in ((4, True), (24, False)):
        made = [f"  v{n} = {doubled % (n - 1, n - 1)}" for n in range(1, steps + 1)]
        first = '["x"]' if doubled.startswith(("[", "concat")) else '"x"'
        found = _notebooks(
            tmp_path / str(steps),
            {
                "main.tf": _NOTEBOOK % f'local.v{steps} == local.v{steps} ? "Enabled" : "No"',
                "locals.tf": "locals {\n" + "\n".join([f"  v0 = {first}", *made]) + "\n}\n",
            },
        )
        value = found["aws_sagemaker_notebook_instance.n"]
        assert value.is_(True) if known else value.unknown


def test_calls_are_followed_to_a_bounded_depth_and_number_of_callers(tmp_path):
    files = {"main.tf": 'module "m0" {\n  source = "./m1"\n  access = "Disabled"\n}\n'}
    # m1 calls m2 … each passing `access` on; m5 holds the notebook: five calls deep.
    for level in range(1, 5):
        files[f"m{level}/main.tf"] = (
            'variable "access" {}\n'
            f'module "m{level}" {{\n  source = "../m{level + 1}"\n  access = var.access\n}}\n'
        )
    files["m5/main.tf"] = 'variable "access" {}\n' + _NOTEBOOK % "var.access"
    assert _notebooks(tmp_path / "deep", files) == {}
    callers = {
        "main.tf": "".join(
            f'module "c{i}" {{\n  source = "./nb"\n  access = "Enabled"\n}}\n' for i in range(10)
        ),
        "nb/main.tf": 'variable "access" {}\n' + _NOTEBOOK % "var.access",
    }
    found = _notebooks(tmp_path / "wide", callers)
    assert sorted(found) == [f"module.c{i}.aws_sagemaker_notebook_instance.n" for i in range(8)]
    assert found["module.c0.aws_sagemaker_notebook_instance.n"] == model.known(
        True, Location("main.tf", 3, 3)
    )


def test_callers_that_make_the_same_resource_make_it_once(tmp_path):
    found = _notebooks(
        tmp_path,
        {
            "examples/a/main.tf": 'module "nb" {\n  source = "../../"\n}\n',
            "examples/b/main.tf": 'module "nb" {\n  source = "../.."\n}\n',
            "main.tf": 'variable "access" { default = "Enabled" }\n' + _NOTEBOOK % "var.access",
        },
    )
    assert found == {
        "module.nb.aws_sagemaker_notebook_instance.n": model.known(True, Location("main.tf", 4, 3))
    }


def test_a_collection_empty_only_by_default_does_not_hide_a_resource(tmp_path):
    # `notebooks` defaults to []: an input not given yet, so what the module would make is
    # judged, with each.value unknown. A caller that passes [] makes none; count = 0 none.
    module = (
        'variable "notebooks" { default = [] }\n'
        'resource "aws_sagemaker_notebook_instance" "each" {\n'
        "  for_each = { for n in var.notebooks : n.name => n }\n"
        "  direct_internet_access = each.value.access\n"
        "}\n"
        'resource "aws_sagemaker_notebook_instance" "open" {\n'
        "  count = length(var.notebooks)\n"
        '  direct_internet_access = "Enabled"\n'
        "}\n"
        'resource "aws_sagemaker_notebook_instance" "none" {\n'
        "  count = 0\n"
        "}\n"
    )
    found = _notebooks(tmp_path / "alone", {"main.tf": module})
    assert sorted(found) == [
        "aws_sagemaker_notebook_instance.each",
        "aws_sagemaker_notebook_instance.open",
    ]
    assert found["aws_sagemaker_notebook_instance.each"].unknown
    called = _notebooks(
        tmp_path / "called",
        {
            "main.tf": 'module "nb" {\n  source = "./nb"\n  notebooks = []\n}\n',
            "nb/main.tf": module,
        },
    )
    assert sorted(called) == ["module.nb.aws_sagemaker_notebook_instance.open"]


def test_null_passed_to_a_variable_that_is_not_nullable_is_its_default(tmp_path):
    found = _notebooks(
        tmp_path,
        {
            "main.tf": (
                'module "a" {\n  source = "./nb"\n  access = null\n}\n'
                'module "b" {\n  source = "./nb"\n  nullable_access = null\n}\n'
            ),
            "nb/main.tf": (
                'variable "access" {\n  default = "Enabled"\n  nullable = false\n}\n'
                'variable "nullable_access" { default = "Enabled" }\n'
                'resource "aws_sagemaker_notebook_instance" "n" {\n'
                "  direct_internet_access = var.access\n"
                "}\n"
                'resource "aws_sagemaker_notebook_instance" "m" {\n'
                "  direct_internet_access = var.nullable_access\n"
                "}\n"
            ),
        },
    )
    assert found["module.a.aws_sagemaker_notebook_instance.n"].is_(True)
    # A nullable variable takes the null passed, not its default: not read as Enabled.
    assert found["module.b.aws_sagemaker_notebook_instance.m"].unknown


def test_for_expressions_nested_without_end_read_as_unknown(tmp_path):
    # Two `for` expressions in one another over 16 elements read 272 of them; six would read
    # 16**6: past the budget, what they make is unknown.
    sixteen = ", ".join(["1"] * 16)
    for depth, expected in ((2, True), (6, None)):
        nested = "var.l"
        for level in range(depth):
            nested = f"[for x{level} in var.l : {nested}]"
        last = "[15]" * (depth + 1)  # read last: past the budget when there is one
        found = _notebooks(
            tmp_path / str(depth),
            {
                "main.tf": _NOTEBOOK % f'local.deep{last} == 1 ? "Enabled" : "Disabled"',
                "locals.tf": f"locals {{\n  deep = {nested}\n}}\n",
                "variables.tf": f'variable "l" {{ default = [{sixteen}] }}\n',
            },
        )
        value = found["aws_sagemaker_notebook_instance.n"]
        assert value.is_(True) if expected else value.unknown
