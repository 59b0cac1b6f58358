"""The files shipped beside the code stay in step with it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from ruamel.yaml import YAML

from mllint_wa.cli import main
from mllint_wa.registry import load_rules
from mllint_wa.report.rules_table import render_markdown
from mllint_wa.schema import json_schema

REPO = Path(__file__).resolve().parents[1]


def test_lens_schema_json_is_generated_from_the_schema_declaration() -> None:
    shipped = (REPO / "src/mllint_wa/schema/lens.schema.json").read_text(encoding="utf-8")
    assert shipped == json_schema()
    assert json.loads(shipped)["properties"]["schema_version"]["const"] == 1


def test_readme_rules_table_matches_the_registry() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- rules:start -->\n") + len("<!-- rules:start -->\n")
    end = readme.index("<!-- rules:end -->")
    assert readme[start:end] == render_markdown(load_rules())


def test_readme_gives_exactly_the_two_set_up_commands_that_ci_runs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci/run").read_text(encoding="utf-8")
    test_command = "python -m pip install -e '.[test]' && python -m pytest"
    assert f"&& {test_command}\n" in readme
    assert f"\n{test_command}\n" in ci
    assert "python -m pip install . && mllint-wa examples/churn-predictor" in readme


def test_pre_commit_hook_runs_the_console_script_on_the_whole_repository() -> None:
    hooks = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["mllint-wa"]
    hook = hooks[0]
    assert hook["entry"] == "mllint-wa check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'mllint-wa = "mllint_wa.cli:run_program"' in pyproject


def test_bundled_example_shows_real_findings(monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["--format", "json", "examples/churn-predictor"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["projects"] == [
        {
            "root": "examples/churn-predictor",
            "manifest": "examples/churn-predictor/lens.toml",
            "stage": "development",
        }
    ]
    found = {(f["code"], f["line"]) for f in report["findings"]}
    assert ("BG004", 15) in found  # ml_justification = "TODO"
    assert ("LN005", 40) in found  # direction = "maximise"
    assert ("BG014", 45) in found  # a source without a licence


def test_readme_shows_findings_as_the_example_prints_them(monkeypatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    monkeypatch.chdir(REPO)
    printed = CliRunner().invoke(main, ["--no-color", "examples/churn-predictor"]).output
    assert shown
    assert [line for line in shown if line not in printed.splitlines()] == []
