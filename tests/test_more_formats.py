"""The reports for people and test tabs: JUnit XML, Markdown (pull-request comment, job
summary) and the self-contained HTML scorecard; several reports from one run."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner, Result

from mllint_wa.cli import main
from mllint_wa.config import Layer
from mllint_wa.model import Finding, Rule, Stage, fingerprint
from mllint_wa.registry import load_rules, lookup
from mllint_wa.report import ReportOptions, render
from mllint_wa.report.markdown_report import LIMIT, code, message
from mllint_wa.runner import ProjectReport, RuleFailure, RunOptions, RunResult, run

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/churn-predictor"
JUNIT_SCHEMA = xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "junit.xsd"))
HOSTILE = 'x/<script>alert("1")</script> & `tick` *b* _i_ [l](h) |p| #h @someone\n.toml'


def rule(code: str) -> Rule:
    found = lookup(code)
    assert found is not None
    return found


def finding(code: str, path: str = "lens.toml", line: int = 1, text: str = "m") -> Finding:
    return Finding(
        rule=rule(code),
        path=path,
        line=line,
        column=1,
        message=text,
        project=".",
        fingerprint=fingerprint(code, path, f"{line}", text),
    )


def result(
    *findings: Finding,
    waived: tuple[Finding, ...] = (),
    errors: tuple[RuleFailure, ...] = (),
    stage: Stage = Stage.DEVELOPMENT,
) -> RunResult:
    rules = load_rules()
    ran = tuple(r for r in rules if r.applies_from.rank <= stage.rank)
    return RunResult(
        projects=[
            ProjectReport(
                root=".",
                manifest="lens.toml",
                stage=stage,
                applicable=ran,
                not_applicable=tuple(r for r in rules if r not in ran),
            )
        ],
        findings=list(findings),
        failing=list(findings),
        suppressed=list(waived),
        errors=list(errors),
    )


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> RunResult:
    """The bundled example, linted from the repository root, preview rules included: the
    reports are shown with every kind of finding the example holds."""
    monkeypatch.chdir(ROOT)
    return run([Path(EXAMPLE)], RunOptions(cli=Layer("test", preview=True)))


def many(count: int) -> RunResult:
    rules = load_rules()
    return result(
        *sorted(
            (
                finding(
                    rules[i % len(rules)].code,
                    f"svc-{i % 7}/lens.toml",
                    i + 1,
                    f"`key.{i}` is missing: " + "a long explanation " * 8,
                )
                for i in range(count)
            ),
            key=lambda f: f.sort_key,
        )
    )


# -- JUnit -------------------------------------------------------------------------------------


def junit(run_result: RunResult) -> ET.Element:
    text = render("junit", run_result, ReportOptions())
    JUNIT_SCHEMA.validate(text)
    return ET.fromstring(text)


def test_junit_of_the_example_is_valid_and_counts_its_cases(example: RunResult) -> None:
    root = junit(example)
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert suite.get("name") == f"mllint-wa {EXAMPLE}"
    assert (
        int(suite.get("tests", ""))
        == len(cases)
        == len(example.projects[0].applicable) + len(example.projects[0].not_applicable)
    )
    assert int(suite.get("failures", "")) == len(
        [c for c in cases if c.find("failure") is not None]
    )
    assert int(suite.get("failures", "")) == len({f.rule.code for f in example.findings})
    assert int(suite.get("skipped", "")) == len([c for c in cases if c.find("skipped") is not None])
    assert suite.get("errors") == "0"
    assert [root.get(k) for k in ("tests", "failures", "errors")] == [
        suite.get(k) for k in ("tests", "failures", "errors")
    ]
    assert {c.get("classname") for c in cases} == {EXAMPLE}


def test_junit_failure_lists_the_findings_of_its_rule(example: RunResult) -> None:
    case = next(
        c for c in junit(example).iter("testcase") if c.get("name") == "BG008 missing-cost-estimate"
    )
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "medium"
    assert failure.get("message", "").startswith(
        "2 findings: `business.costs.wrong_prediction` is missing"
    )
    assert (failure.text or "").splitlines()[:2] == [
        f"{EXAMPLE}/lens.toml:19:1 `business.costs.wrong_prediction` is missing: estimate the "
        "cost of a wrong prediction (false positive and false negative)",
        f"{EXAMPLE}/lens.toml:22:1 `business.costs.inference` is only a placeholder: estimate "
        "the cost of serving predictions",
    ]
    assert "ML Lens: MLCOST01-BP01, MLCOST-01" in (failure.text or "")


def test_junit_skips_rules_the_stage_holds_back_and_passes_clean_ones() -> None:
    cases = {c.get("name"): c for c in junit(result(stage=Stage.DISCOVERY)).iter("testcase")}
    skipped = cases["DP012 missing-data-versioning"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == (
        "applies from the development stage; the project is at discovery"
    )
    assert list(cases["BG001 missing-business-goal"]) == []  # ran, nothing found: passed
    assert cases["BG001 missing-business-goal"].get("classname") == "(root)"


def test_junit_reports_a_rule_that_raised_as_an_error_and_waived_findings_as_output() -> None:
    failure = RuleFailure(
        "rule BG002 (missing-business-kpi) failed on .: KeyError: 'x'", "", "BG002", "."
    )
    waived = finding("BG013", text="sustainability goal is missing")
    waived = Finding(**{**waived.__dict__, "suppressed_by": "waivers.BG013"})
    root = junit(result(waived=(waived,), errors=(failure,)))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    error = cases["BG002 missing-business-kpi"].find("error")
    assert error is not None and error.text == failure.message
    out = cases["BG013 missing-sustainability-goal"].find("system-out")
    assert out is not None
    assert out.text == "lens.toml:1:1 sustainability goal is missing (waived by waivers.BG013)"
    assert cases["BG013 missing-sustainability-goal"].find("failure") is None
    assert root.get("errors") == "1" and root.get("failures") == "0"


def test_junit_escapes_file_names_and_keeps_the_xml_well_formed() -> None:
    root = junit(result(finding("BG001", HOSTILE, text='a <b> & "c" \x1b[31m')))
    failure = next(root.iter("failure"))
    first = (failure.text or "").splitlines()[0]
    assert first == (
        'x/<script>alert("1")</script> & `tick` *b* _i_ [l](h) |p| #h @someone\\n.toml:1:1 '
        'a <b> & "c" \\x1b[31m'
    )


def test_the_schema_refuses_a_suite_without_its_counts() -> None:
    text = render("junit", result(finding("BG001")), ReportOptions())
    assert JUNIT_SCHEMA.is_valid(text)
    assert not JUNIT_SCHEMA.is_valid(re.sub(r' failures="\d+"', "", text))


# -- Markdown ----------------------------------------------------------------------------------


RISKS = ("high", "medium", "low")


def test_markdown_of_the_example(example: RunResult) -> None:
    text = render("markdown", example, ReportOptions())
    lines = text.splitlines()
    counts = {risk: sum(f.rule.risk.value == risk for f in example.findings) for risk in RISKS}
    assert lines[0] == (
        f"## mllint-wa: {len(example.findings)} findings ({counts['high']} high, "
        f"{counts['medium']} medium, {counts['low']} low)"
    )
    assert f"1 project linted: `{EXAMPLE}` (development)." in lines
    assert f"| high | {counts['high']} |" in lines
    # A pillar with no rule that ran says so instead of showing a clean 0 (business goal has
    # no reliability rule).
    assert "| Business goal | 1 | 1 | — | 0 | 5 | 1 |" in lines
    assert any(line.startswith("| Deployment | ") for line in lines)
    # More than 25 findings: each phase is folded under its summary line.
    assert (
        "<details><summary>Business goal (7 findings: 1 high, 4 medium, 2 low)</summary>" in lines
    )
    assert (
        f"- `{EXAMPLE}/lens.toml:15:1` `business.ml_justification` is only a placeholder: say "
        "why ML beats a simpler non-ML approach" in lines
    )
    assert any(line.startswith("Fix: Say what the non-ML approach achieves") for line in lines)


def test_markdown_of_a_large_run_is_folded_and_fits_a_comment() -> None:
    run_result = many(4000)
    text = render("markdown", run_result, ReportOptions())
    assert len(text.encode("utf-8")) <= LIMIT
    assert text.count("<details>") == text.count("</details>") >= 1
    shown = len(re.findall(r"^- `svc-", text, re.MULTILINE))
    left_out = len(run_result.findings) - shown
    assert shown > 0 and left_out > 0
    assert (
        f"**{left_out} more findings not shown** (a comment holds at most 65,536 characters)"
        in text
    )
    assert text.startswith("## mllint-wa: 4000 findings")


def test_markdown_fits_whatever_the_size_of_each_finding() -> None:
    long_name = "d/" + "ü" * 3000 + ".toml"  # two bytes a character
    text = render(
        "markdown",
        result(*(finding("BG001", long_name, i) for i in range(1, 200))),
        ReportOptions(),
    )
    assert len(text.encode("utf-8")) <= LIMIT
    assert "not shown" in text


def test_markdown_escapes_file_names_and_messages() -> None:
    text = render(
        "markdown",
        result(finding("BG001", HOSTILE, text="<img src=x> *not* `ok`")),
        ReportOptions(),
    )
    line = next(line for line in text.splitlines() if line.startswith("- "))
    # The location is one code span (no mention, link, emphasis or HTML inside one); the
    # message's HTML is escaped and its emphasis neutralised, its `quoted` part stays code.
    assert line == (
        '- ``x/<script>alert("1")</script> & `tick` *b* _i_ [l](h) |p| #h @someone\\n'
        ".toml:1:1`` &lt;img src=x&gt; \\*not\\* `ok`"
    )


def test_markdown_code_spans_and_prose() -> None:
    assert code("a`b") == "``a`b``"
    assert code("`a") == "`` `a ``"
    assert code("plain") == "`plain`"
    assert message("`key` is *bad* <b>") == "`key` is \\*bad\\* &lt;b&gt;"
    assert message("one ` unpaired") == "one \\` unpaired"


# -- HTML --------------------------------------------------------------------------------------


def external_references(page: str) -> list[str]:
    """Whatever in the page could make a request (a URL, an element that loads something, an
    attribute that names a resource), except the href of a link a reader clicks."""
    without_links = re.sub(r'<a href="(https://|#)[^"<>]*"', "<a", page)
    tags = re.findall(r"<[a-zA-Z][^>]*>", without_links)
    loading = [t for t in tags if re.search(r"(?i)\b(src|srcset|href|action|data|poster)=", t)]
    return loading + re.findall(
        r"(?i)https?:|//[a-z0-9]|@import|url\(|<(?:link|script|img|iframe|object|embed)\b",
        without_links,
    )


def test_html_renders_every_finding_and_requests_nothing(example: RunResult) -> None:
    page = render("html", example, ReportOptions())
    assert external_references(page) == []
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    for f in example.findings:
        assert f"<code>{f.path}:{f.line}:{f.column}</code>" in page
    assert page.count("<tr><td><code>") == len(example.findings)
    assert (
        '<a href="https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlcost02-bp01.html"'
        in page
    )


def test_html_of_a_large_run_keeps_every_finding() -> None:
    run_result = many(3000)
    page = render("html", run_result, ReportOptions())
    assert page.count("<tr><td><code>") == 3000
    assert external_references(page) == []


def test_html_escapes_everything_taken_from_the_run() -> None:
    page = render(
        "html",
        result(finding("BG001", HOSTILE, text="<img src=x onerror=alert(1)>")),
        ReportOptions(),
    )
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert external_references(page) == []


def test_html_says_how_to_suppress_each_rule() -> None:
    page = render("html", result(finding("BG001"), finding("LN007")), ReportOptions())
    assert "# mllint-wa: ignore[BG001] &lt;reason&gt;" in page
    assert "[waivers.BG001]\nreason = &quot;TODO: why this risk is accepted&quot;" in page
    assert "[waivers.LN007]" not in page
    assert "This rule cannot be waived or ignored" in page


def test_html_heat_map_tells_unchecked_cells_from_clean_ones() -> None:
    page = render("html", result(finding("BG004")), ReportOptions())
    assert (
        'title="Business goal, Cost optimization: 1 finding"><a href="#phase-business-goal">1</a>'
        in page
    )
    assert 'title="Business goal, Security: checked, no finding">0<' in page
    assert 'title="Deployment, Operational excellence: no rule checked this">—<' in page


# -- every new format --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["junit", "markdown", "html"])
def test_same_input_gives_byte_identical_output(monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    monkeypatch.chdir(ROOT)
    first = CliRunner().invoke(main, ["--format", fmt, EXAMPLE])
    second = CliRunner().invoke(main, ["--format", fmt, EXAMPLE])
    assert first.exit_code == second.exit_code == 1
    assert first.stdout_bytes == second.stdout_bytes and first.stdout_bytes


@pytest.mark.parametrize("fmt", ["junit", "markdown", "html"])
def test_a_clean_run(fmt: str) -> None:
    text = render(fmt, result(), ReportOptions())
    assert text.endswith("\n")
    if fmt == "junit":
        JUNIT_SCHEMA.validate(text)
    else:
        assert "all checks passed" in text.lower()


# -- several reports from one run --------------------------------------------------------------


def invoke(
    tmp: Path, monkeypatch: pytest.MonkeyPatch, *args: str, env: dict[str, str] | None = None
) -> Result:
    monkeypatch.chdir(ROOT)
    return CliRunner(env=env).invoke(main, [*args, EXAMPLE])


def test_each_output_goes_with_the_format_of_its_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sarif, junit_file = tmp_path / "out.sarif", tmp_path / "out.xml"
    both = invoke(
        tmp_path,
        monkeypatch,
        "--format",
        "sarif",
        "-o",
        str(sarif),
        "--format",
        "junit",
        "-o",
        str(junit_file),
        "--format",
        "text",
    )
    assert both.exit_code == 1
    assert both.stdout == invoke(tmp_path, monkeypatch).stdout
    assert (
        sarif.read_text(encoding="utf-8")
        == invoke(tmp_path, monkeypatch, "--format", "sarif").stdout
    )
    JUNIT_SCHEMA.validate(str(junit_file))


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--format", "json", "--format", "text"], "2 formats would go to standard output"),
        (["-o", "a.json", "-o", "b.json", "--format", "json"], "2 --output files for 1 --format"),
        (
            ["--format", "json", "-o", "same", "--format", "text", "-o", "same"],
            "two reports would be written to same",
        ),
    ],
)
def test_formats_and_outputs_that_do_not_pair_are_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], error: str
) -> None:
    outcome = invoke(tmp_path, monkeypatch, *args)
    assert outcome.exit_code == 2
    assert outcome.stdout == ""
    assert outcome.stderr.startswith(f"mllint-wa: error: {error}")
    assert not (ROOT / "same").exists()


def test_github_format_appends_the_markdown_summary_to_the_job_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    outcome = invoke(tmp_path, monkeypatch, "--format", "github", env=env)
    assert outcome.exit_code == 1
    assert outcome.stdout.startswith("::")
    markdown = invoke(tmp_path, monkeypatch, "--format", "markdown").stdout
    assert summary.read_text(encoding="utf-8") == "earlier step\n" + markdown
    # Only with --format github.
    invoke(tmp_path, monkeypatch, "--format", "text", env=env)
    assert summary.read_text(encoding="utf-8") == "earlier step\n" + markdown


def test_the_job_summary_is_never_a_file_the_run_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = ROOT / EXAMPLE / "lens.toml"
    before = manifest.read_bytes()
    outcome = invoke(
        tmp_path, monkeypatch, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(manifest)}
    )
    assert outcome.exit_code == 2
    assert outcome.stdout == ""
    assert "refusing to write the job summary over" in outcome.stderr
    assert manifest.read_bytes() == before


@pytest.mark.parametrize("fmt", ["junit", "markdown", "html"])
def test_non_utf8_and_control_characters_are_shown_escaped(fmt: str) -> None:
    odd = result(finding("BG001", "a\udc80b\x00c\u2028.toml", text="m \udcff \x07"))
    text = render(fmt, odd, ReportOptions())
    text.encode("utf-8")  # no lone surrogate left
    assert "a\\x80b\\x00c\\u2028.toml:1:1" in text
    assert "\x00" not in text and "\x07" not in text and "\u2028" not in text
    if fmt == "junit":
        JUNIT_SCHEMA.validate(text)


def test_markdown_of_a_short_run_is_not_folded() -> None:
    text = render("markdown", many(5), ReportOptions())
    assert "<details>" not in text
