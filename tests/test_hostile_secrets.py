"""Hostile input against what reaches a report: the secret scanner, the text that messages
quote from the project, and the readers that recurse into the project's code and data.

- Every repetition in a secret detector is bounded, and the notebook image blanker reads a
  list of strings in one way only: a scan is linear in its text, however the text is made.
- A message quotes the project's text through one helper that redacts before it cuts, so
  a cut never leaves a secret that redaction no longer recognises; ``--show-settings``
  redacts the settings it prints.
- Every recursive reader runs under one nesting bound, and ``ast.unparse`` only behind one
  guarded helper: a deeply nested expression reads as unknown or as a shortened quote; it
  never raises, and never takes other rules' findings with it.

Each input below used to hang, crash or leak; the tests assert what it now gives.
"""

from __future__ import annotations

import ast
import json
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import mllint_wa
from mllint_wa import runner
from mllint_wa.bounded import MAX_NESTING, nesting_bounded
from mllint_wa.cli import main
from mllint_wa.config import Layer
from mllint_wa.context import ProjectContext
from mllint_wa.evidence.python_values import written
from mllint_wa.parsers import secrets
from mllint_wa.parsers.notebook import parse_notebook
from mllint_wa.parsers.python_code import parse_python, quote_expression, quote_repeated
from mllint_wa.parsers.secrets import LONGEST_MATCH, find_secrets, quote, redact
from trees import write_files, write_tree

try:
    from re import _parser as sre_parser  # Python 3.11 and later
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as sre_parser  # type: ignore[no-redef]

TOKEN = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
PASSWORD = "Zq8vR2mXp4LwT9sKd7Nb"
KEY_ID = "AKIAQ7ZL4M2XKP9RWT3V"
AWS_SECRET = "Kx9/Lw8+Mv7Nu6Ot5Ps4Qr3Sq2Tp1Uo0Vn9Wm8Xy"
WANDB_KEY = "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b"


def shows_part_of(secret: str, text: str) -> bool:
    """Whether ``text`` shows any eight characters of ``secret`` in a row."""
    return any(secret[i : i + 8] in text for i in range(len(secret) - 7))


# -- the secret scanner ---------------------------------------------------------------------


def _upper_bounds(parsed: sre_parser.SubPattern) -> list[int]:
    """The upper bound of every repetition in a parsed regular expression."""
    bounds = []
    for operation, argument in parsed:
        if operation in (sre_parser.MAX_REPEAT, sre_parser.MIN_REPEAT):
            bounds.append(argument[1])
        for part in argument if isinstance(argument, (tuple, list)) else ():
            for inner in part if isinstance(part, list) else [part]:
                if isinstance(inner, sre_parser.SubPattern):
                    bounds += _upper_bounds(inner)
    return bounds


@pytest.mark.parametrize("detector", secrets._DETECTORS, ids=lambda d: d.kind)
def test_every_repetition_in_a_secret_detector_is_bounded(detector):
    pattern = detector.pattern
    parsed = sre_parser.parse(pattern.pattern, pattern.flags)
    bounds = _upper_bounds(parsed)
    assert bounds, pattern.pattern
    assert sre_parser.MAXREPEAT not in bounds, pattern.pattern
    # So a match has a longest length, which a quote relies on when it cuts (a lookahead
    # reads a few characters past the match).
    assert parsed.getwidth()[1] + 16 <= LONGEST_MATCH, pattern.pattern


# A detector's start followed by a long run of what its repetitions accept, and no value.
_RUNS = ("\n", " ", "\t", " \n", "=", "a", "1", "a-", "\\n")
_STARTS = (
    "# aws_secret_access_key",
    'AWS_SECRET_ACCESS_KEY="',
    "# wandb_api_key",
    "wandb login",
    "wandb.login(key=",
    "-----BEGIN ",
    "xoxb-123456",
    "xoxb-123456-",
    "ghp_",
    "github_pat_",
    "glpat-",
    "hf_",
    "sk-",
    "sk-proj-",
    "sk-ant-api03-",
    "hooks.slack.com/services/T0AB1CD2E/",
    "postgres://user",
    "postgres://user:",
    "AKIA",
    'api_key = "',
    "password: ",
    '{"X-Api-Key": "',
    "Authorization: Bearer ",
    "token",
)


@pytest.mark.parametrize("start", _STARTS)
def test_a_secret_detector_reads_a_long_run_after_its_start_in_one_pass(start):
    # `# aws_secret_access_key` and 20,000 newlines took 165 s: each blank was tried as the
    # end of the gap before the value, for each place the gap could start.
    for run in _RUNS:
        assert find_secrets(start + run * 20_000) == [], (start, run)
        assert find_secrets((start + run * 200) * 200) == [], (start, run)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"aws_secret_access_key = {AWS_SECRET}", "AWS secret access key"),
        (f'"aws_secret_access_key": "{AWS_SECRET}"', "AWS secret access key"),
        (f"aws_secret_access_key:\n  {AWS_SECRET}", "AWS secret access key"),
        (f"aws configure set aws_secret_access_key {AWS_SECRET}", "AWS secret access key"),
        (f"WANDB_API_KEY={WANDB_KEY}", "W&B API key"),
        (f"wandb login --relogin {WANDB_KEY}", "W&B API key"),
        (f'wandb.login(key = "{WANDB_KEY}")', "W&B API key"),
    ],
)
def test_a_secret_after_its_keyword_is_still_found(text, kind):
    assert [match.kind for match in find_secrets(text)] == [kind]


def test_a_secret_after_a_long_run_of_blanks_is_found_again_from_the_next_line():
    hostile = "# aws_secret_access_key" + "\n" * 20_000 + f"aws_secret_access_key={AWS_SECRET}\n"
    assert [(m.kind, m.line, m.column) for m in find_secrets(hostile)] == [
        ("AWS secret access key", 20_001, 23)
    ]


def test_one_secret_written_twenty_thousand_times_is_one_finding():
    # Each repeat copied the list of the places before it: 30 s for this text.
    text = f"token: {PASSWORD}\n" * 20_000
    (match,) = find_secrets(text)
    assert (match.line, len(match.also), match.also[-1]) == (1, 19_999, (20_000, 8))


def test_twenty_thousand_secrets_on_one_line_are_each_found_once():
    # A minified file: each secret compared itself with every one kept before it (6 s), and
    # its line was searched whole for another scanner's mark (60 s).
    text = "".join(f'"token": "{PASSWORD}{n:x}", ' for n in range(20_000))
    found = find_secrets(text)
    assert len(found) == 20_000
    assert [(m.line, m.column) for m in found[:2]] == [(1, 11), (1, 45)]
    assert redact(text).count('"token": "Zq8v…') == 20_000


def test_a_mark_at_the_end_of_a_long_line_is_read_within_its_reach():
    near = f'token = "{PASSWORD}"  # gitleaks:allow'
    far = f'token = "{PASSWORD}"{" " * 5000}# gitleaks:allow'
    assert find_secrets(near) == []
    assert [m.kind for m in find_secrets(far)] == ["token"]


# A notebook output holding an image list that is never closed: 181 bytes never finished.
_UNCLOSED_IMAGE = '{"cells": [], "outputs": [{"data": {"image/png": [' + '"a"   ' * 20


def test_an_unclosed_image_list_in_a_notebook_is_read_in_one_pass():
    assert find_secrets(_UNCLOSED_IMAGE, notebook=True) == []
    assert find_secrets(_UNCLOSED_IMAGE * 500, notebook=True) == []
    # What follows the unclosed list is still scanned.
    leaked = _UNCLOSED_IMAGE + f'\n"{TOKEN}"'
    assert [(m.kind, m.line) for m in find_secrets(leaked, notebook=True)] == [("GitHub token", 2)]


def test_an_image_list_is_blanked_whatever_the_blanks_between_its_strings():
    image = '{"image/png": [\n  "AKIAQ7ZL4M2XKP9RWT3V" ,\n\t"AKIAQ7ZL4M2XKP9RWT3V"\n ]}'
    # Read as text, the key ID stands twice: one secret, found at both places.
    assert [(m.line, m.also) for m in find_secrets(image)] == [(2, ((3, 3),))]
    assert find_secrets(image, notebook=True) == []


def test_the_unclosed_image_notebook_is_linted(lint, tmp_path):
    write_files(tmp_path, {"explore.ipynb": _UNCLOSED_IMAGE + f'"{TOKEN}"'})
    assert lint(tmp_path, "DP001", "LN009") == [
        ("LN009", "unparseable-file", "explore.ipynb", 1, 57),
        ("DP001", "hardcoded-secret", "explore.ipynb", 1, 172),
    ]


# -- quoting the project's text ---------------------------------------------------------------


def test_quote_redacts_before_it_cuts():
    url = f'fetch("https://svc:{PASSWORD}@host/m.pt")'
    assert quote(url, 40) == 'fetch("https://svc:…@host/m.pt")'
    assert quote(f"s3://bucket2/{KEY_ID}/m", 25) == "s3://bucket2/AKIA…T3V/m"
    assert quote(f"s3://bucket2/{KEY_ID}/m", 20) == "s3://bucket2/AKIA…T…"
    assert quote("nothing to hide here", 10) == "nothing t…"
    assert quote("short", 10) == redact("short") == "short"


def test_quote_reads_no_further_than_what_it_shows_needs(monkeypatch):
    seen: list[int] = []
    monkeypatch.setattr(secrets, "redact", lambda text: seen.append(len(text)) or text)
    assert quote("x" * 1_000_000, 40) == "x" * 39 + "…"
    assert seen == [40 + LONGEST_MATCH]


def test_a_message_quoting_code_shows_no_part_of_a_secret_it_cuts(lint, tmp_path):
    # The password lost its `@host` to the cut, the key ID its last characters: redaction
    # that came after the cut no longer recognised either.
    write_tree(
        tmp_path,
        {
            "train.py": f"""
                import torch

                model = torch.load(fetch("https://svc:{PASSWORD}@host/m.pt"), weights_only=False)
                state = torch.load(fetch("s3://bucket2/{KEY_ID}/m"), weights_only=False)
                """,
        },
    )
    messages = lint.messages(tmp_path, "MD022")
    assert [m.split(" unpickles ")[1] for m in messages] == [
        "`fetch('https://svc:…@host/m.pt')`: it can run any code",
        "`fetch('s3://bucket2/AKIA…T3V/m')`: it can run any code",
    ]


def test_a_parse_error_quoting_a_line_shows_no_part_of_a_secret_it_cuts(lint, tmp_path):
    write_files(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.12\n"
            f"https://deployment-bot:{PASSWORD}@github.example.com/ml/x.git\n"
        },
    )
    # LN009 reports the files other rules read: MD030 reads the Dockerfile.
    assert lint.messages(tmp_path, "LN009", "MD030") == [
        "`Dockerfile` has an unknown instruction `https://deployment-bot:…@github.example…`"
    ]


def test_terraform_and_cloudformation_quotes_are_redacted_before_they_are_cut():
    from mllint_wa.parsers.cloudformation import Intrinsic
    from mllint_wa.parsers.terraform import parse_terraform

    url = f"https://deployment-bot:{PASSWORD}@registry.example.com/models/churn/v1"
    sub = Intrinsic("Fn::Sub", f"{url}/${{Suffix}}/with/a/long/tail")
    assert (
        sub.written
        == "!Sub https://deployment-bot:…@registry.example.com/models/churn/v1/${Suffix}/wi…"
    )
    parsed = parse_terraform(f'locals {{\n  x = format("%s/%s", "{url}", var.tail)\n}}\n')
    (block,) = parsed.blocks
    text = block.attr("x").value.text
    assert not shows_part_of(PASSWORD, text)
    assert text.startswith('format("%s/%s", "https://deployment-bot:…@registry')


# -- --show-settings ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_show_settings_redacts_secrets_in_values(tmp_path, monkeypatch, fmt):
    (tmp_path / ".git").mkdir()
    write_files(
        tmp_path,
        {
            "pyproject.toml": "[tool.mllint-wa]\n"
            f'exclude = ["vendor/{TOKEN}/", "https://svc:{PASSWORD}@host/x"]\n'
        },
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--show-settings", "--format", fmt, "."])
    assert result.exit_code == 0, result.output
    assert not shows_part_of(TOKEN, result.stdout)
    assert not shows_part_of(PASSWORD, result.stdout)
    if fmt == "json":
        settings = json.loads(result.stdout)["projects"][0]["settings"]
        (exclude,) = [s["value"] for s in settings if s["key"] == "exclude"]
        assert exclude == ["vendor/ghp_…7r8/", "https://svc:…@host/x"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_show_settings_redacts_secrets_in_a_projects_folder_name(tmp_path, monkeypatch, fmt):
    (tmp_path / ".git").mkdir()
    write_files(
        tmp_path, {f"{TOKEN}/lens.toml": '[project]\nname = "x"\n[lint]\nfail_on = "high"\n'}
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--show-settings", "--format", fmt, "."])
    assert result.exit_code == 0, result.output
    assert "ghp_…7r8/lens.toml" in result.stdout
    assert not shows_part_of(TOKEN, result.stdout)


# -- recursion --------------------------------------------------------------------------------

_DEEP_SUM = "+".join(["a"] * 350)  # 350 nested BinOps: ast.unparse needs ~1,000 frames


def _cdk_app(expression: str) -> str:
    return f"""
        from aws_cdk import Stack
        from aws_cdk import aws_sagemaker as sagemaker


        class Serving(Stack):
            def __init__(self, scope, construct_id, a):
                super().__init__(scope, construct_id)
                sagemaker.CfnEndpoint(self, "Endpoint", endpoint_config_name={expression})
        """


_TERRAFORM_ENDPOINT = textwrap.dedent(
    """
    resource "aws_sagemaker_endpoint_configuration" "config" {
      name = "serving"
      production_variant {
        variant_name           = "AllTraffic"
        model_name             = "churn"
        initial_instance_count = 1
        instance_type          = "ml.m5.large"
      }
    }

    resource "aws_sagemaker_endpoint" "serving" {
      name                 = "serving"
      endpoint_config_name = aws_sagemaker_endpoint_configuration.config.name
    }
    """
).lstrip("\n")


def test_a_deeply_nested_cdk_argument_empties_no_report(tmp_path, monkeypatch):
    # The stage gate read the resource model outside every rule's guard: exit 2, no report.
    write_tree(tmp_path, {"app.py": _cdk_app(_DEEP_SUM)})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--format", "json", "--preview", "--select", "MO003", "."])
    assert result.exit_code == 1, result.output
    assert [(f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]] == [
        ("MO003", "app.py", 8)
    ]


def test_a_deeply_nested_cdk_argument_costs_no_rule_its_findings(lint, tmp_path):
    # At stage production 29 rules failed, and lost what they found in the other sources.
    write_tree(
        tmp_path,
        {
            "lens.toml": 'schema_version = 1\n[project]\nstage = "production"\n',
            "app.py": _cdk_app(_DEEP_SUM),
            "main.tf": _TERRAFORM_ENDPOINT,
        },
    )
    assert lint(tmp_path, "MO003") == [  # lint asserts that no rule failed
        ("MO003", "missing-endpoint-alarms", "app.py", 8, 9),
        ("MO003", "missing-endpoint-alarms", "main.tf", 11, 1),
    ]


def test_a_stage_gate_that_fails_costs_only_the_rules_it_gates(monkeypatch, tmp_path):
    # Deciding whether a production rule applies before production reads the resource
    # model; it runs behind the rule's own guard, not outside every guard.
    def broken(context: ProjectContext) -> bool:
        raise RuntimeError("the resource model broke")

    monkeypatch.setattr(ProjectContext, "has_deployment_artefacts", property(broken))
    write_files(tmp_path, {"train.py": "import torch\n"})
    monkeypatch.chdir(tmp_path)
    options = runner.RunOptions(cli=Layer("test", select=("MO003", "MD033"), preview=True))
    result = runner.run([Path(".")], options)
    assert [finding.rule.code for finding in result.findings] == ["MD033"]
    assert [(failure.code, failure.message) for failure in result.errors] == [
        (
            "MO003",
            "rule MO003 (missing-endpoint-alarms) failed on .: RuntimeError: "
            "the resource model broke",
        )
    ]


def test_terraform_locals_defined_through_each_other_read_as_unknown(lint, tmp_path):
    write_tree(
        tmp_path,
        {
            "main.tf": "locals {\n  a = [local.b]\n  b = [local.a]\n}\n"
            + _TERRAFORM_ENDPOINT.replace('"serving"\n', '"serving"\n  kms_key_arn = local.a\n', 1)
        },
    )
    assert lint(tmp_path, "MO003") == [
        ("MO003", "missing-endpoint-alarms", "main.tf", 16, 1),
    ]


def test_a_deeply_nested_load_argument_is_quoted_short(lint, tmp_path):
    load = f"import torch\n\nmodel = torch.load({_DEEP_SUM}, weights_only=False)\n"
    write_files(tmp_path, {"load.py": load})
    assert lint.messages(tmp_path, "MD022") == [
        "`torch.load(..., weights_only=False)` unpickles `…`: it can run any code"
    ]


def test_a_chain_of_build_stages_longer_than_the_bound_runs_as_someone_unknown(lint, tmp_path):
    stages = "".join(f"FROM stage{i} AS stage{i + 1}\n" for i in range(1_000))
    chained = "FROM python:3.12.4-slim AS stage0\n" + stages
    short = "FROM python:3.12.4-slim AS stage0\n" + stages[: stages.index("FROM stage3 ")]
    write_files(tmp_path, {"long/Dockerfile": chained, "short/Dockerfile": short})
    # The short chain runs as root, inherited from its first stage; the long one is unknown.
    assert lint(tmp_path, "MD031") == [
        ("MD031", "container-runs-as-root", "short/Dockerfile", 4, 1)
    ]


def test_each_of_six_thousand_build_stages_finds_the_stage_it_names_once(lint, tmp_path):
    # Each stage's name was looked for among all the stages: 20,000 took more than a minute.
    stages = "".join(f"FROM s{i} AS s{i + 1}\nCOPY --from={i} / .\n" for i in range(6_000))
    last = "FROM python AS last\nCOPY --from=s6000 / .\nCOPY --from=busybox /bin /bin\n"
    write_files(tmp_path, {"Dockerfile": f"FROM python:3.12.4-slim AS s0\n{stages}{last}"})
    assert lint(tmp_path, "MD030") == [
        ("MD030", "mutable-image-tag", "Dockerfile", 12_002, 6),
        ("MD030", "mutable-image-tag", "Dockerfile", 12_004, 13),
    ]


def test_a_cell_of_nested_cell_magics_reads_as_no_python(lint, tmp_path):
    # Each `%%time` line was taken off by a recursive call: 2,000 made the notebook unreadable.
    draw = "x = np.random.rand(3)\n"
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    notebook = {
        "cells": [
            {**cell, "source": ["%%time\n"] * 2_000 + [draw]},
            {**cell, "source": ["%%time\n", "import numpy as np\n", draw]},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(notebook, indent=1)
    module = parse_notebook(text).python(text)
    calls = [node for node in ast.walk(module.tree) if isinstance(node, ast.Call)]
    assert (module.imports, len(calls)) == ({"np": "numpy"}, 1)  # the second cell's code
    write_files(tmp_path, {"explore.ipynb": text})
    assert lint(tmp_path, "LN009") == []


@pytest.mark.parametrize(
    "expression",
    [
        _DEEP_SUM,
        "-" * 900 + "1",
        "a" + ".b" * 900,
        "f" + "()" * 900,
        "x if y else " * 300 + "z",
        "[" + ", ".join(["a"] * 5000) + "]",
    ],
    ids=["sum", "negation", "attributes", "calls", "conditions", "wide"],
)
def test_an_expression_too_deep_or_large_to_unparse_is_quoted_short(expression):
    node = parse_python(f"x = {expression}\n").tree.body[0].value  # type: ignore[attr-defined]
    quoted = quote_expression(node, 40)
    assert quoted == "…" or (len(quoted) <= 40 and quoted.endswith("…"))
    assert len(written(node)) <= 80


@pytest.mark.parametrize("padding", [0, 5_000], ids=["short", "long"])
def test_a_quote_made_once_for_a_repeated_text_is_what_quoting_it_gives(padding):
    text = f'login(password="{PASSWORD}", note="{"x" * padding}")'
    for _ in range(2):  # made, then remembered (a short text) or made again (a long one)
        assert quote_repeated(text, 80) == quote(text, 80)
        assert not shows_part_of(PASSWORD, quote_repeated(text, 80))


def test_a_long_chain_is_written_from_its_end():
    node = parse_python("x = " + "a" + ".b" * 900 + "()\n").tree.body[0].value  # type: ignore[attr-defined]
    assert written(node) == "a" + ".b" * 39 + "…"


def test_a_project_nested_deeper_than_python_recurses_is_linted(tmp_path):
    (tmp_path / ".git").mkdir()
    deep = tmp_path
    for _ in range(600):  # the lookup of settings recursed two frames a folder
        deep = deep / "a"
        os.mkdir(deep)
    (deep / "lens.toml").write_text("schema_version = 1\n", encoding="utf-8")
    try:
        result = CliRunner().invoke(main, ["--format", "json", "--select", "LN", str(tmp_path)])
        assert result.exit_code == 0, result.output
    finally:  # removed here: the temporary folders' own clean-up recurses into them
        (deep / "lens.toml").unlink()
        while deep != tmp_path:
            deep.rmdir()
            deep = deep.parent


# -- the nesting bound --------------------------------------------------------------------------


def test_a_bounded_reader_gives_its_fallback_past_the_bound_and_reads_above_it():
    @nesting_bounded("…")
    def depth(nested: object) -> str:
        return "[" + depth(nested[0]) + "]" if isinstance(nested, list) else "x"

    nested: object = "x"
    for _ in range(5_000):
        nested = [nested]
    assert depth(nested) == "[" * MAX_NESTING + "…" + "]" * MAX_NESTING
    assert depth([["x"]]) == "[[x]]"


def test_a_bounded_generator_counts_only_while_it_runs():
    @nesting_bounded(())
    def leaves(nested: object) -> Iterator[object]:
        if isinstance(nested, list):
            for item in nested:
                yield from leaves(item)
        else:
            yield nested

    @nesting_bounded("too deep")
    def inner() -> str:
        return "read"

    nested: object = "leaf"
    for _ in range(MAX_NESTING - 1):
        nested = [nested]
    # A consumer of a deep generator is not itself deep while it handles an item.
    assert [(leaf, inner()) for leaf in leaves(nested)] == [("leaf", "read")]
    assert list(leaves([nested])) == []


# -- every recursion is bounded ------------------------------------------------------------------

SOURCE = Path(mllint_wa.__file__).parent

# Cycles of calls that need no nesting bound, and why.
UNBOUNDED_CYCLES = {
    # Bounded by a depth parameter, or refused by the parser with a ParseError past a depth.
    ("evidence/python_values.py", "value"): "a depth parameter, _MAX_DEPTH",
    ("evidence/sdk_resources.py", "_step_kinds"): "a depth parameter, 8 levels",
    ("evidence/tf_resources.py", "_steps"): "a depth parameter, 3 levels",
    ("parsers/ml_config.py", "_strings"): "a depth parameter, _MAX_DEPTH",
    ("parsers/shell.py", "_reread"): "a depth parameter, _MAX_REREADS",
    ("parsers/terraform.py", "expr"): "ParseError past MAX_DEPTH",
    ("parsers/terraform.py", "block"): "ParseError past MAX_DEPTH",
    ("parsers/cloudformation.py", "convert"): "ParseError past MAX_DEPTH",
    ("parsers/cloudformation.py", "_long_form"): "a document convert or the JSON reader bounded",
    ("parsers/toml_positions.py", "value"): "a document the bounded TOML reader accepted",
    # The tool's own data, not the project's.
    ("schema/__init__.py", "_json_schema"): "the manifest's schema",
    ("scaffold.py", "_table"): "the manifest's schema",
    ("wellarchitected.py", "expression"): "the lens document this tool writes",
    ("literals.py", "_trie"): "the needles the program searches for, as long as the longest",
    # No recursion: a method of the same name on another object.
    ("cli.py", "main"): "click's, through super()",
    ("cli.py", "parse_args"): "click's, through super()",
    ("parsers/yaml_doc.py", "compose_document"): "ruamel's composer's, through super()",
    ("parsers/yaml_doc.py", "construct_yaml_int"): "ruamel's constructor's, through super()",
    ("parsers/yaml_doc.py", "fetch_more_tokens"): "ruamel's scanner's, through super()",
    ("evidence/endpoints.py", "where"): "the holder's",
    ("report/__init__.py", "render"): "the reporter module's",
    ("parsers/gitattributes.py", "matches"): "the compiled pattern's",
    ("model.py", "to_dict"): "a related place's, from a finding's",
    ("evidence/cdk_typescript.py", "_follow"): "the Python CDK reader's, through super()",
    ("evidence/cdk_resources.py", "owner"): "the app's callers', which find the owning module",
    ("evidence/cdk_resources.py", "call_sites"): "the project's Python resolver's",
    # The module that owns a node answers for it; it owns it, so it answers itself.
    ("evidence/cdk_resources.py", "loc"): "the owning module's",
    ("evidence/cdk_resources.py", "qualified"): "the owning module's",
    ("evidence/cdk_typescript.py", "_returned"): "the owning module's, or super()'s",
    ("evidence/cdk_typescript.py", "loc"): "super()'s",
    ("evidence/cdk_typescript.py", "written"): "the owning module's",
}
# Method names of built-in types: a call of one is not a call of the module's function.
_BUILT_IN = set().union(*(dir(kind) for kind in (dict, list, str, set, bytes, int, object)))


def _cycles(tree: ast.Module) -> Iterator[tuple[set[str], set[str]]]:
    """Each cycle of calls among a module's functions (called by name, or as a method of
    ``self`` or of any object by a name no built-in type has), with its bounded functions."""
    functions: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.setdefault(node.name, []).append(node)
    calls: dict[str, set[str]] = {name: set() for name in functions}
    bounded = set()
    for name, definitions in functions.items():
        for definition in definitions:
            if any("nesting_bounded" in ast.unparse(d) for d in definition.decorator_list):
                bounded.add(name)
            for node in ast.walk(definition):
                callee = node.func if isinstance(node, ast.Call) else None
                if isinstance(callee, ast.Name):
                    calls[name].add(callee.id)
                elif isinstance(callee, ast.Attribute):
                    receiver = callee.value
                    own = isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")
                    if own or callee.attr not in _BUILT_IN:
                        calls[name].add(callee.attr)
    reach = {name: _reachable(name, calls, functions) for name in functions}
    seen: set[str] = set()
    for name in sorted(functions):
        if name in reach[name] and name not in seen:
            cycle = {other for other in reach[name] if name in reach[other]}
            seen |= cycle
            yield cycle, cycle & bounded


def _reachable(start: str, calls: dict[str, set[str]], functions: dict) -> set[str]:
    found: set[str] = set()
    pending = [callee for callee in calls[start] if callee in functions]
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(callee for callee in calls[name] if callee in functions)
    return found


def test_every_recursion_in_the_source_is_bounded():
    unbounded, excused = [], set()
    for path in sorted(SOURCE.rglob("*.py")):
        module = path.relative_to(SOURCE).as_posix()
        for cycle, bounded in _cycles(ast.parse(path.read_text(encoding="utf-8"))):
            listed = {(module, name) for name in cycle} & UNBOUNDED_CYCLES.keys()
            excused |= listed
            if not bounded and not listed:
                unbounded.append((module, sorted(cycle)))
    assert unbounded == []
    assert sorted(UNBOUNDED_CYCLES.keys() - excused) == []  # no entry outlives its cycle


def test_only_the_quoting_helper_unparses_code():
    users = [
        path.relative_to(SOURCE).as_posix()
        for path in sorted(SOURCE.rglob("*.py"))
        if any(
            isinstance(node, ast.Attribute) and node.attr == "unparse"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]
    assert users == ["parsers/python_code.py"]
