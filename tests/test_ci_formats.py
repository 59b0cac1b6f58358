"""The CI formats: SARIF for code scanning, GitHub annotations, GitLab Code Quality."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator

from mllint_wa.cli import main
from mllint_wa.model import Finding, Rule, Stage, fingerprint
from mllint_wa.registry import lookup
from mllint_wa.report import ReportOptions, render
from mllint_wa.runner import ProjectReport, RuleFailure, RunResult

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "churn-predictor"


def rule(code: str) -> Rule:
    found = lookup(code)
    assert found is not None
    return found


def finding(code: str, path: str, line: int, column: int, message: str) -> Finding:
    return Finding(
        rule=rule(code),
        path=path,
        line=line,
        column=column,
        message=message,
        project=".",
        fingerprint=fingerprint(code, path, "", message),
    )


def run_result(*findings: Finding, errors: tuple[RuleFailure, ...] = ()) -> RunResult:
    return RunResult(
        projects=[ProjectReport(root=".", manifest="lens.toml", stage=Stage.DEVELOPMENT)],
        findings=list(findings),
        failing=list(findings),
        errors=list(errors),
    )


def sarif(result: RunResult) -> dict[str, object]:
    document: dict[str, object] = json.loads(render("sarif", result, ReportOptions()))
    return document


def test_sarif_of_the_example_is_valid_against_the_official_schema(monkeypatch) -> None:
    monkeypatch.chdir(EXAMPLE)
    output = CliRunner().invoke(main, ["--format", "sarif"]).stdout
    document = json.loads(output)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft4Validator(SARIF_SCHEMA).iter_errors(document)
    ]
    assert errors == []
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    # GitHub's profile on top of the schema: every result points at its own rule, has one
    # location with a relative forward-slash URI, and every rule has its descriptions.
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        # From the repository root, whichever folder mllint-wa ran in.
        assert uri.startswith("examples/churn-predictor/")
        assert result["partialFingerprints"]["mllintWa/v1"]
    for descriptor in rules:
        assert descriptor["shortDescription"]["text"] and descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"] and len(descriptor["properties"]["tags"]) <= 20
    assert [r["id"] for r in rules] == sorted({r["ruleId"] for r in run["results"]})


def test_sarif_levels_locations_and_uris() -> None:
    path = "data dir/caf" + b"\xe9".decode("utf-8", "surrogateescape") + ".csv"
    document = sarif(
        run_result(
            finding("BG001", "svc/lens.toml", 4, 1, "goal"),
            finding("BG003", "svc/lens.toml", 5, 7, "requirements"),
            finding("LN008", path, 1, 1, "unreadable"),
        )
    )
    results = document["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("BG001", "error"),
        ("BG003", "warning"),
        ("LN008", "note"),
    ]
    region = results[1]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 5, "startColumn": 7}
    uri = results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "data%20dir/caf%E9.csv"
    assert document["runs"][0]["columnKind"] == "unicodeCodePoints"
    assert document["runs"][0]["invocations"] == [
        {"executionSuccessful": True, "toolExecutionNotifications": []}
    ]


def test_sarif_of_a_run_with_a_failed_rule_says_so() -> None:
    failure = RuleFailure("rule PF901 (x) failed on .: RuntimeError: kaboom", "Traceback …")
    document = sarif(run_result(errors=(failure,)))
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": failure.message}}
    ]
    assert not list(Draft4Validator(SARIF_SCHEMA).iter_errors(document))


def test_github_annotations_escape_what_the_runner_would_parse() -> None:
    out = render(
        "github",
        run_result(
            finding("BG001", "dir,x/a:b.toml", 3, 1, "50% done; next: a,b"),
            finding("BG013", "lens.toml", 9, 2, "sustainability"),
        ),
        ReportOptions(),
    )
    assert out.splitlines() == [
        "::error file=dir%2Cx/a%3Ab.toml,line=3,col=1,"
        "title=BG001 missing-business-goal::50%25 done; next: a,b",
        "::notice file=lens.toml,line=9,col=2,"
        "title=BG013 missing-sustainability-goal::sustainability",
        "Found 2 findings (1 high, 1 low).",
    ]
    quiet = render("github", run_result(), ReportOptions(quiet=True))
    assert quiet == ""


def test_ci_formats_show_odd_file_names_as_one_printable_line() -> None:
    path = "new\nline/caf" + b"\xe9".decode("utf-8", "surrogateescape") + ".toml"
    odd = run_result(finding("BG001", path, 1, 1, f"`{path}` is odd"))
    (annotation, _) = render("github", odd, ReportOptions()).splitlines()
    assert annotation == (
        "::error file=new\\nline/caf\\xe9.toml,line=1,col=1,"
        "title=BG001 missing-business-goal::`new\\nline/caf\\xe9.toml` is odd"
    )
    (issue,) = json.loads(render("gitlab", odd, ReportOptions()))
    assert issue["location"]["path"] == "new\\nline/caf\\xe9.toml"
    result = sarif(odd)["runs"][0]["results"][0]
    assert result["message"]["text"] == "`new\\nline/caf\\xe9.toml` is odd"
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "new%0Aline/caf%E9.toml"


def test_ci_formats_use_the_path_from_the_repository_root() -> None:
    found = Finding(
        rule=rule("BG001"),
        path="lens.toml",
        line=2,
        column=1,
        message="goal",
        project=".",
        fingerprint="f",
        repository_path="services/churn/lens.toml",
    )
    run = run_result(found)
    assert "file=services/churn/lens.toml," in render("github", run, ReportOptions())
    (issue,) = json.loads(render("gitlab", run, ReportOptions()))
    assert issue["location"]["path"] == "services/churn/lens.toml"
    location = sarif(run)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "services/churn/lens.toml"
    assert "lens.toml:2:1: BG001" in render("text", run, ReportOptions())


def test_gitlab_code_quality_issues() -> None:
    out = render(
        "gitlab",
        run_result(finding("BG003", "svc/lens.toml", 5, 7, "requirements")),
        ReportOptions(),
    )
    found = finding("BG003", "svc/lens.toml", 5, 7, "requirements")
    assert json.loads(out) == [
        {
            "description": "BG003 missing-business-requirements: requirements",
            "check_name": "BG003",
            "fingerprint": found.fingerprint,
            "severity": "minor",
            "location": {"path": "svc/lens.toml", "lines": {"begin": 5}},
        }
    ]
    assert json.loads(render("gitlab", run_result(), ReportOptions())) == []


@pytest.mark.parametrize("fmt", ["sarif", "github", "gitlab"])
def test_every_ci_format_is_chosen_from_the_command_line(monkeypatch, fmt: str) -> None:
    monkeypatch.chdir(EXAMPLE)
    result = CliRunner().invoke(main, ["--format", fmt, "--select", "BG004"])
    assert result.exit_code == 1
    assert "BG004" in result.stdout
