"""The README's CI snippets and the GitHub Action: each snippet parses, and everything it names
exists — the action's inputs, the pre-commit hook id, the mllint-wa subcommands, flags and
formats, the report files the CI system collects."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
from ruamel.yaml import YAML

from mllint_wa.cli import main
from mllint_wa.report import FORMATS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Being added in parallel with these snippets; the only format a snippet may name before it exists.


def load_yaml(text: str) -> Any:
    return YAML(typ="safe").load(text)


def snippet(language: str, marker: str) -> str:
    """The one fenced ``language`` block of the README that contains ``marker``."""
    blocks = re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)
    found = [block for block in blocks if marker in block]
    assert len(found) == 1, f"{len(found)} {language} blocks with {marker!r}"
    return str(found[0])


ACTION = load_yaml((ROOT / "action.yml").read_text(encoding="utf-8"))


def check_command(line: str) -> dict[str, str]:
    """Every flag of an ``mllint-wa`` command line exists, and a format exists; the options
    with their values."""
    words = shlex.split(line)
    assert words[0] == "mllint-wa"
    command: click.Command = main.commands["check"]
    if len(words) > 1 and words[1] in main.commands:
        command = main.commands[words[1]]
        words = words[1:]
    known = {opt: p for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    given: dict[str, str] = {}
    rest = iter(words[1:])
    for word in rest:
        if not word.startswith("-"):
            continue
        assert word in known, f"{line}: no option {word}"
        parameter = known[word]
        value = "" if getattr(parameter, "is_flag", False) else next(rest)
        given[word] = value
    # A shell variable (the action's input) is checked where it is set.
    if "--format" in given and not given["--format"].startswith("$"):
        assert given["--format"] in FORMATS, line
    return given


def test_the_pre_commit_snippet_uses_the_hook_this_repository_declares() -> None:
    config = load_yaml(snippet("yaml", ".pre-commit-config.yaml"))
    hooks = load_yaml((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert set(repo) == {"repo", "rev", "hooks"}
    assert [h["id"] for h in repo["hooks"]] == ["mllint-wa"]
    assert {h["id"] for h in hooks} >= {"mllint-wa"}


def test_the_action_installs_from_its_own_path_and_passes_inputs_by_environment() -> None:
    assert ACTION["runs"]["using"] == "composite"
    steps = ACTION["runs"]["steps"]
    assert '"$GITHUB_ACTION_PATH"' in steps[0]["run"]
    scripts = [step.get("run", "") for step in steps]
    # Expressions pasted into a script would let an input inject shell code.
    assert not any("${{" in script for script in scripts)
    used = {
        name
        for step in steps
        for value in (*step.get("env", {}).values(), step.get("if", ""))
        for name in re.findall(r"inputs\.([\w-]+)", str(value))
    }
    assert used == set(ACTION["inputs"]) == {"paths", "fail-on", "format", "sarif-file", "summary"}
    assert ACTION["outputs"]["exit-code"]["value"] == "${{ steps.lint.outputs.exit-code }}"
    assert steps[-1]["run"] == 'exit "${CODE:-2}"'


def test_the_action_runs_mllint_wa_with_flags_it_has() -> None:
    lint = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "lint")
    lines = [line.strip() for line in lint["run"].splitlines()]
    commands = [
        "mllint-wa " + line.split("mllint-wa ", 1)[1]
        for line in lines
        if re.match(r"(env -u \w+ )?mllint-wa ", line)
    ]
    assert len(commands) == 2  # with and without the job summary
    added = [
        f"mllint-wa {found}" for line in lines for found in re.findall(r"options\+=\((.*)\)", line)
    ]
    assert any("--format sarif" in line for line in added)
    assert any("--format markdown" in line for line in added)
    assert ACTION["inputs"]["format"]["default"] in FORMATS
    for line in commands + added:
        check_command(line.replace('"${options[@]}" ', "").replace(' -- "${paths[@]}"', ""))
    assert '>> "$GITHUB_STEP_SUMMARY"' in lint["run"]


def test_the_github_workflow_snippet_uses_the_action_and_uploads_its_sarif() -> None:
    workflow = load_yaml(snippet("yaml", "upload-sarif"))
    steps = workflow["jobs"]["mllint-wa"]["steps"]
    ours = next(step for step in steps if re.search(r"/mllint-wa@", step.get("uses", "")))
    assert set(ours["with"]) <= set(ACTION["inputs"])
    assert ours["with"]["fail-on"] in {"high", "medium", "low", "none"}
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == ours["with"]["sarif-file"]
    assert workflow["permissions"]["security-events"] == "write"


def test_the_gitlab_snippet_writes_the_reports_it_collects() -> None:
    job = load_yaml(snippet("yaml", "codequality"))["mllint-wa"]
    written = {}
    for line in job["script"]:
        if line.startswith("mllint-wa "):
            given = check_command(line)
            written[given["--format"]] = given["-o"]
    reports = job["artifacts"]["reports"]
    assert written == {"gitlab": reports["codequality"], "junit": reports["junit"]}
    assert job["artifacts"]["when"] == "always"


def test_the_well_architected_walkthrough_uses_commands_and_flags_that_exist() -> None:
    lines = snippet("sh", "export-lens").splitlines()
    ours = [line for line in lines if line.startswith("mllint-wa ")]
    assert [shlex.split(line)[1] for line in ours] == ["export-lens", "--format"]
    for line in ours:
        check_command(line.split(" > ")[0])
    assert lines[-1] == "jq -r '.commands[]' answers.json | sh"


def test_the_usage_block_lists_every_subcommand() -> None:
    for name in main.commands:
        if name != "check":
            assert f"\nmllint-wa {name} " in README, name
