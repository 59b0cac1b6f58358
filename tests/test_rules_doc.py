"""docs/rules.md: a section per rule, generated from the registry and never stale; `explain`
and SARIF's `helpUri` point at the rule's section."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner

from mllint_wa import __version__
from mllint_wa.cli import main
from mllint_wa.context import ProjectContext
from mllint_wa.lens import PRACTICE_BY_ID
from mllint_wa.manifest import ProblemKind, parse_manifest
from mllint_wa.model import Finding, Risk, Rule, Stage, Violation
from mllint_wa.parsers.tomlcompat import tomllib
from mllint_wa.registry import load_rules, lookup, rule
from mllint_wa.report import ReportOptions, render
from mllint_wa.report.rules_doc import REPOSITORY_URL, anchor, doc_url, render_rules_doc
from mllint_wa.runner import ProjectReport, RunResult

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "rules.md"
RULES = load_rules()


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation other than "-"
    and "_" dropped, spaces turned into hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def section(code: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n### {code} ")
    end = text.find("\n### ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    assert DOC.read_text(encoding="utf-8") == render_rules_doc(RULES), (
        "docs/rules.md is stale: run `python scripts/update_rules_doc.py`"
    )


def test_every_rule_has_a_heading_whose_github_anchor_is_its_own() -> None:
    headings = re.findall(r"^### (.+)$", DOC.read_text(encoding="utf-8"), flags=re.M)
    # Grouped by phase, so compared as sorted lists: each rule once, no other heading.
    assert sorted(github_slug(h) for h in headings) == sorted(anchor(r) for r in RULES)
    assert [anchor(r) for r in RULES if r.code == "PF001"] == ["pf001-missing-success-metric"]
    assert len({anchor(r) for r in RULES}) == len(RULES)


def test_a_section_says_what_why_how_to_fix_and_which_practices() -> None:
    for item in RULES:
        text = section(item.code)
        assert item.summary in text
        assert (item.explanation or item.summary) in text
        assert item.fix in text
        assert f"- **Risk:** {item.risk.value}" in text
        assert f"- **Applies at stages:** {', '.join(s.value for s in item.stages)}" in text
        for ref in item.lens_refs:
            practice = PRACTICE_BY_ID[ref]
            assert f"[{ref}]({practice.url}) {practice.title}" in text
        assert f"| [{item.code}](#{anchor(item)}) |" in DOC.read_text(encoding="utf-8")


def test_an_example_is_shown_where_a_rule_has_one_and_its_toml_fits_the_schema() -> None:
    with_example = [r for r in RULES if r.example]
    assert {"PF001", "BG008", "LN007"} <= {r.code for r in with_example}
    for item in with_example:
        assert f"```toml\n{item.example}\n```" in section(item.code)
        tomllib.loads(item.example)
        problems = parse_manifest(f"schema_version = 1\n{item.example}\n").problems
        assert [p for p in problems if p.kind != ProblemKind.SCHEMA_VERSION] == []
    assert "**Example**" not in section("BG001")


def test_explain_prints_the_url_of_the_rules_section() -> None:
    result = CliRunner().invoke(main, ["explain", "missing-success-metric"])
    assert result.exit_code == 0
    url = f"{REPOSITORY_URL}/blob/v{__version__}/docs/rules.md#pf001-missing-success-metric"
    assert result.stdout.endswith(f"\nDocumentation: {url}\n")
    assert "  target = 0.75\n" in result.stdout


def plugin_rule() -> Rule:
    """A rule as a plugin package defines it: its check lives outside mllint_wa.checks."""

    def check(ctx: ProjectContext) -> Iterator[Violation]:
        yield from ()

    check.__module__ = "acme_lint.rules"
    return rule(
        code="MD901",
        name="acme-check",
        risk=Risk.LOW,
        summary="s",
        fix="f",
        lens_refs=("MLOPS02-BP02",),
    )(check)


def test_sarif_help_uri_is_the_rules_section_and_a_plugins_rule_keeps_its_practice() -> None:
    builtin = lookup("BG001")
    assert builtin is not None
    plugin = plugin_rule()
    findings = [Finding(r, "lens.toml", 1, 1, "m", ".", "f" + r.code) for r in (builtin, plugin)]
    result = RunResult(
        projects=[ProjectReport(".", "lens.toml", Stage.DEVELOPMENT)], findings=findings
    )
    document = json.loads(render("sarif", result, ReportOptions()))
    uris = {r["id"]: r["helpUri"] for r in document["runs"][0]["tool"]["driver"]["rules"]}
    assert uris == {
        "BG001": doc_url(builtin),
        "MD901": PRACTICE_BY_ID["MLOPS02-BP02"].url,
    }
    assert doc_url(builtin) == (
        f"{REPOSITORY_URL}/blob/v{__version__}/docs/rules.md#bg001-missing-business-goal"
    )


def test_a_plugins_rules_are_not_documented_here() -> None:
    plugin = plugin_rule()
    assert doc_url(plugin) is None
    assert "MD901" not in render_rules_doc([*RULES, plugin])


def test_the_repository_url_is_the_one_pyproject_toml_publishes() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    urls = pyproject["project"]["urls"]
    assert urls["Repository"] == REPOSITORY_URL
    assert urls["Documentation"].startswith(REPOSITORY_URL)
