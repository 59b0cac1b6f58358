"""Reporters: the text line format and summary, and the JSON document."""

from __future__ import annotations

import dataclasses
import json

import pytest

from mllint_wa import __version__
from mllint_wa.model import Finding, Risk, Rule, Stage, fingerprint
from mllint_wa.registry import lookup
from mllint_wa.report import ReportOptions, render
from mllint_wa.runner import ProjectReport, RunResult


def rule(code: str) -> Rule:
    found = lookup(code)
    assert found is not None
    return found


HIGH, MEDIUM, LOW = rule("BG001"), rule("BG003"), rule("BG013")
assert (HIGH.risk, MEDIUM.risk, LOW.risk) == (Risk.HIGH, Risk.MEDIUM, Risk.LOW)


def finding(
    item: Rule = HIGH,
    path: str = "lens.toml",
    line: int = 1,
    column: int = 1,
    message: str = "`business.goal` is missing",
    project: str = ".",
) -> Finding:
    return Finding(
        rule=item,
        path=path,
        line=line,
        column=column,
        message=message,
        project=project,
        fingerprint=fingerprint(item.code, path, "", message),
    )


def result(*findings: Finding, suppressed: int = 0) -> RunResult:
    return RunResult(
        projects=[ProjectReport(root=".", manifest="lens.toml", stage=Stage.DEVELOPMENT)],
        findings=list(findings),
        failing=list(findings),
        suppressed=[
            dataclasses.replace(
                finding(LOW, message=f"waived {i}"),
                suppressed_by="waivers.LN009",
                suppression_kind="waiver",
                justification="r (o, until 2030-01-01)",
            )
            for i in range(suppressed)
        ],
    )


def text(run: RunResult, **options: bool) -> str:
    return render("text", run, ReportOptions(**options))


# -- text --------------------------------------------------------------------------------------


def test_text_line_format() -> None:
    out = text(result(finding(HIGH, "svc/lens.toml", 9, 3, "goal is missing")), quiet=True)
    assert out == "svc/lens.toml:9:3: BG001 [high] goal is missing\n"


def test_text_lines_in_the_given_order_then_a_blank_line_and_the_summary() -> None:
    out = text(
        result(
            finding(HIGH, line=2, message="a"),
            finding(MEDIUM, line=5, message="b"),
            finding(LOW, path="src/x.py", line=1, message="c"),
        )
    )
    assert out.splitlines() == [
        "lens.toml:2:1: BG001 [high] a",
        "lens.toml:5:1: BG003 [medium] b",
        "src/x.py:1:1: BG013 [low] c",
        "",
        "Found 3 findings (1 high, 1 medium, 1 low).",
    ]
    assert out.endswith(".\n")


@pytest.mark.parametrize(
    ("findings", "suppressed", "summary"),
    [
        ([], 0, "All checks passed."),
        ([], 2, "All checks passed; 2 waived."),
        ([finding(HIGH)], 0, "Found 1 finding (1 high)."),
        (
            [finding(MEDIUM, message="x"), finding(MEDIUM, message="y")],
            0,
            "Found 2 findings (2 medium).",
        ),
        ([finding(LOW), finding(HIGH)], 1, "Found 2 findings (1 high, 1 low); 1 waived."),
    ],
)
def test_summary_wording(findings: list[Finding], suppressed: int, summary: str) -> None:
    assert text(result(*findings, suppressed=suppressed)).splitlines()[-1] == summary


def test_a_clean_run_prints_only_the_summary() -> None:
    assert text(result()) == "All checks passed.\n"


def test_quiet_drops_the_summary() -> None:
    assert (
        text(result(finding()), quiet=True)
        == "lens.toml:1:1: BG001 [high] `business.goal` is missing\n"
    )
    assert text(result(), quiet=True) == ""


def test_statistics_count_findings_per_rule() -> None:
    findings = [finding(MEDIUM, message=str(i)) for i in range(10)]
    findings += [finding(HIGH), finding(LOW, message="l")]
    out = text(result(*findings), statistics=True)
    assert out.splitlines()[-6:] == [
        "",
        "10  BG003  [medium]  missing-business-requirements",
        " 1  BG001  [high]  missing-business-goal",
        " 1  BG013  [low]  missing-sustainability-goal",
        "",
        "Found 12 findings (1 high, 10 medium, 1 low).",
    ]


def test_statistics_of_a_clean_run_print_nothing_more() -> None:
    assert text(result(), statistics=True) == "All checks passed.\n"


def test_color() -> None:
    out = text(
        result(finding(HIGH, message="h"), finding(MEDIUM, message="m"), finding(LOW, message="l")),
        color=True,
        quiet=True,
    )
    assert out.splitlines() == [
        "\x1b[1mlens.toml:1:1:\x1b[0m \x1b[31mBG001\x1b[0m [high] h",
        "\x1b[1mlens.toml:1:1:\x1b[0m \x1b[33mBG003\x1b[0m [medium] m",
        "\x1b[1mlens.toml:1:1:\x1b[0m \x1b[36mBG013\x1b[0m [low] l",
    ]


def test_no_color_has_no_escape_codes() -> None:
    assert "\x1b" not in text(result(finding(), finding(LOW)), color=False, statistics=True)


def test_text_with_a_non_utf8_file_name() -> None:
    path = b"data/caf\xe9.csv".decode("utf-8", "surrogateescape")
    out = text(result(finding(LOW, path=path, message=f"`{path}` was not linted")), quiet=True)
    assert out == "data/caf\\xe9.csv:1:1: BG013 [low] `data/caf\\xe9.csv` was not linted\n"
    out.encode("utf-8")  # printable as it is


def test_text_finding_stays_on_one_line_whatever_the_file_name() -> None:
    path = "a\nb\x1b[31m.py"
    out = text(result(finding(LOW, path=path, message="broken symlink")), quiet=True)
    assert out == "a\\nb\\x1b[31m.py:1:1: BG013 [low] broken symlink\n"


# -- json --------------------------------------------------------------------------------------


def document(run: RunResult) -> dict[str, object]:
    out = render("json", run, ReportOptions())
    assert out.endswith("}\n")
    loaded: dict[str, object] = json.loads(out)
    return loaded


def test_json_document_shape() -> None:
    doc = document(result(finding(HIGH, "svc/lens.toml", 21, 1, "m", "svc"), suppressed=1))
    assert list(doc) == ["tool", "projects", "findings", "summary", "suppressed"]
    assert doc["tool"] == {"name": "mllint-wa", "version": __version__}
    assert doc["projects"] == [{"root": ".", "manifest": "lens.toml", "stage": "development"}]
    assert doc["summary"] == {
        "high": 1,
        "medium": 0,
        "low": 0,
        "suppressed": 1,
        "inline": 0,
        "waiver": 1,
        "baseline": 0,
    }
    (waived,) = doc["suppressed"]  # type: ignore[misc]
    assert waived["message"] == "waived 0"
    assert waived["suppression"] == {
        "kind": "waiver",
        "by": "waivers.LN009",
        "justification": "r (o, until 2030-01-01)",
    }
    (item,) = doc["findings"]  # type: ignore[misc]
    assert item == {
        "code": "BG001",
        "name": "missing-business-goal",
        "risk": "high",
        "phase": "business-goal",
        "pillars": ["performance-efficiency", "cost-optimization"],
        "path": "svc/lens.toml",
        "line": 21,
        "column": 1,
        "message": "m",
        "fix": HIGH.fix,
        "lens_refs": ["MLPERF01-BP01", "MLCOST01-BP01", "MLPER-01", "MLCOST-01"],
        "fingerprint": fingerprint("BG001", "svc/lens.toml", "", "m"),
        "project": "svc",
        "related": [],
    }


def test_json_of_a_clean_run() -> None:
    doc = document(RunResult())
    assert doc["projects"] == [] and doc["findings"] == []
    assert doc["summary"] == {
        "high": 0,
        "medium": 0,
        "low": 0,
        "suppressed": 0,
        "inline": 0,
        "waiver": 0,
        "baseline": 0,
    }
    assert doc["suppressed"] == []


def test_json_project_without_a_manifest() -> None:
    run = RunResult(projects=[ProjectReport(root="svc", manifest=None, stage=Stage.PRODUCTION)])
    assert document(run)["projects"] == [{"root": "svc", "manifest": None, "stage": "production"}]


def test_json_with_a_non_utf8_file_name() -> None:
    path = b"data/caf\xe9.csv".decode("utf-8", "surrogateescape")
    out = render("json", result(finding(LOW, path=path, message=f"`{path}`")), ReportOptions())
    out.encode("ascii")  # nothing to choke on in any encoding
    (item,) = json.loads(out)["findings"]
    assert item["path"] == path
    assert item["path"].encode("utf-8", "surrogateescape") == b"data/caf\xe9.csv"


def test_json_ignores_text_options() -> None:
    run = result(finding())
    plain = render("json", run, ReportOptions())
    assert render("json", run, ReportOptions(color=True, quiet=True, statistics=True)) == plain
