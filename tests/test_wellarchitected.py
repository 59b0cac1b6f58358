"""The Well-Architected Tool export: `export-lens` (a custom lens of the ML Lens practices the
rules check) and `--format wellarchitected` (the answers a linted repository gives to it)."""

from __future__ import annotations

import copy
import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from mllint_wa.cli import main
from mllint_wa.lens import PRACTICE_BY_ID
from mllint_wa.model import Finding, Risk, Stage, fingerprint
from mllint_wa.registry import load_rules, lookup
from mllint_wa.report import ReportOptions, render
from mllint_wa.report.wellarchitected_report import NOTES_LIMIT
from mllint_wa.runner import ProjectReport, RunResult
from mllint_wa.wellarchitected import build_lens, condition_choices, lens_problems

SCHEMA = Path(__file__).parent / "data" / "wa-custom-lens.schema.json"
COMPLETE = Path(__file__).parent / "fixtures" / "repos" / "complete"
# git run by a test must not act on the repository the tests run in (a hook's GIT_DIR).
GIT_ENV = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def lens() -> dict[str, Any]:
    result = invoke("export-lens")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def all_questions(lens: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for pillar in lens["pillars"] for q in pillar["questions"]]


# -- export-lens ---------------------------------------------------------------------------


def test_the_lens_validates_against_the_format(lens: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(lens)
    assert lens_problems(lens) == []
    assert len(json.dumps(lens).encode()) < 500_000


def test_every_practice_a_rule_checks_is_one_choice_under_its_ml_lens_question(
    lens: dict[str, Any],
) -> None:
    pillar_ids = {
        "operational-excellence": "operationalExcellence",
        "security": "security",
        "reliability": "reliability",
        "performance-efficiency": "performance",
        "cost-optimization": "costOptimization",
        "sustainability": "sustainability",
    }
    where = {
        choice["id"]: (pillar["id"], question["id"])
        for pillar in lens["pillars"]
        for question in pillar["questions"]
        for choice in question["choices"]
        if not choice["id"].endswith("_no")
    }
    cited = {ref for item in load_rules() for ref in item.lens_refs}
    assert sorted(where) == sorted(ref.replace("-", "_") for ref in cited)
    for ref in cited:
        practice = PRACTICE_BY_ID[ref]
        assert where[ref.replace("-", "_")] == (pillar_ids[practice.pillar.value], ref[:-5])


def test_a_choice_links_its_practice_and_plans_the_fixes_of_its_rules(
    lens: dict[str, Any],
) -> None:
    (question,) = (q for q in all_questions(lens) if q["id"] == "MLCOST02")
    choice = question["choices"][0]
    assert choice["id"] == "MLCOST02_BP01"
    assert choice["title"] == "Identify if machine learning is the right solution"
    url = "https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlcost02-bp01.html"
    assert choice["helpfulResource"]["url"] == url
    assert choice["improvementPlan"]["url"] == url
    for code in ("BG004", "BG005", "BG006", "PF003"):
        found = lookup(code)
        assert found is not None and "MLCOST02-BP01" in found.lens_refs
        assert f"{code}: {found.fix}" in choice["improvementPlan"]["displayText"]
        assert f"{code} {found.name}" in choice["description"]
    assert question["choices"][-1] == {
        "id": "MLCOST02_no",
        "title": "None of these",
        "description": "None of these practices is in place.",
    }


def test_risk_rules_all_met_is_no_risk_high_risk_practices_met_is_medium(
    lens: dict[str, Any],
) -> None:
    for question in all_questions(lens):
        practices = [c["id"] for c in question["choices"] if not c["id"].endswith("_no")]
        risks = {}
        for practice in practices:
            checked_by = [r for r in load_rules() if practice.replace("_", "-") in r.lens_refs]
            risks[practice] = max((r.risk for r in checked_by), key=lambda risk: risk.rank)
        high = [p for p in practices if risks[p] is Risk.HIGH]
        rules = question["riskRules"]
        assert rules[0] == {"condition": " && ".join(practices), "risk": "NO_RISK"}
        if not high:
            expected = [{"condition": "default", "risk": "MEDIUM_RISK"}]
        elif high == practices:
            expected = [{"condition": "default", "risk": "HIGH_RISK"}]
        else:
            expected = [
                {"condition": " && ".join(high), "risk": "MEDIUM_RISK"},
                {"condition": "default", "risk": "HIGH_RISK"},
            ]
        assert rules[1:] == expected, question["id"]


def test_the_lens_covers_the_six_pillars_in_framework_order(lens: dict[str, Any]) -> None:
    assert [p["id"] for p in lens["pillars"]] == [
        "operationalExcellence",
        "security",
        "reliability",
        "performance",
        "costOptimization",
        "sustainability",
    ]
    assert [q["id"] for q in lens["pillars"][0]["questions"]] == [
        "MLOPS01",
        "MLOPS02",
        "MLOPS03",
        "MLOPS04",
        "MLOPS05",
        "MLOPS06",
    ]


def test_export_lens_is_deterministic() -> None:
    assert invoke("export-lens").stdout == invoke("export-lens").stdout


@pytest.mark.parametrize(
    ("condition", "names"),
    [
        ("A_1", {"A_1"}),
        ("A_1 && !B_2", {"A_1", "B_2"}),
        ("(!PERF1_1) || (!PERF1_3)", {"PERF1_1", "PERF1_3"}),
        ("!!(a&&b)||c", {"a", "b", "c"}),
    ],
)
def test_a_condition_is_a_boolean_expression_of_choice_ids(condition: str, names: set[str]) -> None:
    assert condition_choices(condition) == names


@pytest.mark.parametrize("condition", ["", "A &&", "A B", "(A", "A)", "A & B", "A-1", "!"])
def test_a_malformed_condition_is_refused(condition: str) -> None:
    with pytest.raises(ValueError):
        condition_choices(condition)


def _first_question(lens: dict[str, Any]) -> dict[str, Any]:
    question: dict[str, Any] = lens["pillars"][0]["questions"][0]
    return question


def _hyphen_in_choice_id(lens: dict[str, Any]) -> None:
    _first_question(lens)["choices"][0]["id"] = "MLOPS01-BP01"


def _long_title(lens: dict[str, Any]) -> None:
    _first_question(lens)["title"] = "x" * 129


def _unknown_choice_in_condition(lens: dict[str, Any]) -> None:
    _first_question(lens)["riskRules"][0]["condition"] = "MLOPS01_BP01 && MLOPS01_BP09"


def _bad_condition(lens: dict[str, Any]) -> None:
    _first_question(lens)["riskRules"][0]["condition"] = "MLOPS01_BP01 &&"


def _no_default(lens: dict[str, Any]) -> None:
    _first_question(lens)["riskRules"].pop()


def _too_many_choices(lens: dict[str, Any]) -> None:
    choices = _first_question(lens)["choices"]
    choices.extend({**choices[0], "id": f"EXTRA_{i}"} for i in range(15))


def _no_improvement_plan(lens: dict[str, Any]) -> None:
    del _first_question(lens)["choices"][0]["improvementPlan"]


def _duplicate_question(lens: dict[str, Any]) -> None:
    lens["pillars"][1]["questions"].append(copy.deepcopy(_first_question(lens)))


def _duplicate_choice(lens: dict[str, Any]) -> None:
    choices = _first_question(lens)["choices"]
    choices.insert(0, copy.deepcopy(choices[0]))


def _relative_url(lens: dict[str, Any]) -> None:
    _first_question(lens)["choices"][0]["helpfulResource"]["url"] = "mlops01-bp01.html"


@pytest.mark.parametrize(
    ("break_it", "problem"),
    [
        (_hyphen_in_choice_id, "id 'MLOPS01-BP01' is not letters, digits and `_`"),
        (_long_title, "`title` is 129 characters, over 128"),
        (_unknown_choice_in_condition, "names no choice 'MLOPS01_BP09'"),
        (_bad_condition, "the condition ends where a choice id is expected"),
        (_no_default, "the risk rules do not end with the one `default` rule"),
        (_too_many_choices, "19 choices, not 1 to 15"),
        (_no_improvement_plan, "`improvementPlan` is missing"),
        (_duplicate_question, "lens questions: id 'MLOPS01' is used twice"),
        (_duplicate_choice, "id 'MLOPS01_BP01' is used twice"),
        (_relative_url, "'mlops01-bp01.html' is not an http(s) URL"),
    ],
)
def test_the_format_check_names_what_breaks_the_format(
    lens: dict[str, Any], break_it: Any, problem: str
) -> None:
    broken = copy.deepcopy(lens)
    break_it(broken)
    assert any(problem in found for found in lens_problems(broken)), lens_problems(broken)


def test_build_lens_of_no_rule_has_no_pillar_and_is_reported() -> None:
    assert "lens: 0 pillars, not 1 to 10" in lens_problems(build_lens([]))


# -- --format wellarchitected --------------------------------------------------------------


def answers_of(result: Result) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def by_question(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["question_id"]: a for a in document["answers"]}


@pytest.fixture
def complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The complete fixture repository, alone in a git repository (so the git index rules
    have one to read)."""
    target = tmp_path / "repo"
    shutil.copytree(COMPLETE, target)
    for command in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *command], cwd=target, check=True, env=GIT_ENV)
    monkeypatch.chdir(target)
    return target


def test_a_repository_that_passes_meets_every_practice_of_the_lens(
    complete: Path, lens: dict[str, Any]
) -> None:
    # The lens holds the practices of every rule, preview rules' too.
    result = invoke("--format", "wellarchitected", "--select", "ALL", "--preview")
    answers = by_question(answers_of(result))
    assert sorted(answers) == sorted(q["id"] for q in all_questions(lens))
    for question in all_questions(lens):
        practices = [c["id"] for c in question["choices"] if not c["id"].endswith("_no")]
        answer = answers[question["id"]]
        assert answer["update_answer"]["SelectedChoices"] == practices
        assert answer["contradicted"] == []


def test_a_preview_rule_speaks_against_its_practice_only_when_it_runs(complete: Path) -> None:
    dockerfile = complete / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "RUN pip install torch\n")
    question = "MLOPS04"  # MLOPS04-BP02, checked by MD023 unpinned-image-packages (preview)
    default = by_question(answers_of(invoke("--format", "wellarchitected", "--select", "ALL")))
    assert "MLOPS04_BP02" in default[question]["satisfied"]
    preview = by_question(
        answers_of(invoke("--format", "wellarchitected", "--select", "ALL", "--preview"))
    )
    assert "MLOPS04_BP02" in preview[question]["contradicted"]


def test_findings_contradict_their_practices_and_are_the_notes(complete: Path) -> None:
    text = (complete / "lens.toml").read_text()
    (complete / "lens.toml").write_text(text.replace('kpi_link = "each', 'kpi_lnk = "each'))
    result = invoke("--format", "wellarchitected")
    assert result.exit_code == 1
    answers = by_question(answers_of(result))
    # PF006 (no kpi_link) speaks against MLOPS01-BP03; LN003 (unknown key) against MLOPS02-BP02.
    mlops01 = answers["MLOPS01"]
    assert mlops01["satisfied"] == ["MLOPS01_BP01", "MLOPS01_BP02"]
    assert mlops01["contradicted"] == ["MLOPS01_BP03"]
    assert mlops01["update_answer"] == {
        "QuestionId": "MLOPS01",
        "SelectedChoices": ["MLOPS01_BP01", "MLOPS01_BP02"],
        "Notes": "mllint-wa 0.1.0 on .:\n"
        "met: MLOPS01_BP01, MLOPS01_BP02\n"
        "contradicted: MLOPS01_BP03\n"
        "lens.toml:33: PF006 [low] `problem.metrics[0].kpi_link` is missing: "
        "say how this metric moves the business KPI",
    }
    # The one practice of MLPERF02 is contradicted: "None of these" is the answer.
    assert answers["MLPERF02"]["update_answer"]["SelectedChoices"] == ["MLPERF02_no"]
    assert answers["MLOPS02"]["contradicted"] == ["MLOPS02_BP02"]


def test_practices_whose_rules_did_not_run_are_not_checked(complete: Path) -> None:
    result = invoke("--format", "wellarchitected", "--select", "BG", "--stage", "discovery")
    answers = by_question(answers_of(result))
    # MLOPS01-BP02 is also checked by MD040/MD041 and MLOPS01-BP03 by PF006, which did not run.
    assert answers["MLOPS01"]["satisfied"] == ["MLOPS01_BP01"]
    assert answers["MLOPS01"]["not_checked"] == ["MLOPS01_BP02", "MLOPS01_BP03"]
    # A question none of whose rules ran gets no answer.
    assert "MLOPS04" not in answers


def test_the_commands_record_the_answers_with_the_aws_cli(complete: Path) -> None:
    (complete / "lens.toml").write_text('schema_version = 1\n[project]\nname = "it\'s"\n')
    document = answers_of(invoke("--format", "wellarchitected"))
    assert len(document["commands"]) == len(document["answers"])
    for command, answer in zip(document["commands"], document["answers"], strict=True):
        update = answer["update_answer"]
        words = shlex.split(command.replace('"$WORKLOAD_ID"', "W").replace('"$LENS_ALIAS"', "L"))
        selected = update["SelectedChoices"] or ["[]"]
        assert words == [
            "aws",
            "wellarchitected",
            "update-answer",
            "--workload-id",
            "W",
            "--lens-alias",
            "L",
            "--question-id",
            update["QuestionId"],
            "--selected-choices",
            *selected,
            "--notes",
            update["Notes"],
        ]


def _finding(index: int) -> Finding:
    rule = lookup("BG008")
    assert rule is not None
    message = f"`business.costs.item{index}` is missing: estimate it " + "x" * 60
    return Finding(rule, "lens.toml", index, 1, message, ".", fingerprint("BG008", "", "", message))


def test_notes_stay_within_the_api_limit_and_count_what_they_leave_out() -> None:
    findings = [_finding(i) for i in range(1, 101)]
    run = RunResult(
        projects=[ProjectReport(".", "lens.toml", Stage.DEVELOPMENT, ("BG008",))],
        findings=findings,
    )
    document = json.loads(render("wellarchitected", run, ReportOptions()))
    notes = by_question(document)["MLCOST01"]["update_answer"]["Notes"]
    assert len(notes) <= NOTES_LIMIT
    shown = [line for line in notes.splitlines() if line.startswith("lens.toml:")]
    assert notes.endswith(f"\n… and {100 - len(shown)} more findings")
    assert shown[0] == f"lens.toml:1: BG008 [medium] {findings[0].message}"
    assert len(shown) > 10


def test_a_waived_finding_still_contradicts_its_practice_and_is_marked(tmp_path: Path) -> None:
    rule = lookup("BG013")
    assert rule is not None
    waived = Finding(rule, "lens.toml", 3, 1, "no goal", ".", "f", suppressed_by="BG013")
    run = RunResult(
        projects=[ProjectReport(".", "lens.toml", Stage.DEVELOPMENT, ("BG013",))],
        suppressed=[waived],
    )
    answer = by_question(json.loads(render("wellarchitected", run, ReportOptions())))["MLSUS01"]
    assert answer["contradicted"] == ["MLSUS01_BP01"]
    assert answer["update_answer"]["Notes"].endswith("lens.toml:3: BG013 [low] (waived) no goal")


def test_names_that_would_break_the_notes_are_escaped() -> None:
    rule = lookup("BG013")
    assert rule is not None
    odd = Finding(rule, "a\nb\x1b[31m.toml", 1, 1, "m", ".", "f")
    run = RunResult(
        projects=[ProjectReport(".", None, Stage.DEVELOPMENT, ("BG013",))], findings=[odd]
    )
    notes = by_question(json.loads(render("wellarchitected", run, ReportOptions())))["MLSUS01"][
        "update_answer"
    ]["Notes"]
    assert notes.splitlines()[-1] == "a\\nb\\x1b[31m.toml:1: BG013 [low] m"


def test_wellarchitected_is_one_of_the_lint_formats() -> None:
    result = invoke("check", "--help")
    assert "wellarchitected" in result.stdout
