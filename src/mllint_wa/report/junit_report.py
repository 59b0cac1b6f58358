"""JUnit XML, as GitLab (`artifacts:reports:junit`) and Jenkins read it.

One test suite a project and one test case a rule the project was checked against: the case
fails with the rule's findings, errs when the rule raised, and is skipped when the project's
stage (or its lack of a manifest) kept the rule from running. Rules left out by
``--select``/``--ignore`` are not listed. Waived findings leave their case passing and are
named in its ``system-out``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from mllint_wa.model import Finding, Rule
from mllint_wa.report import ReportOptions, printable
from mllint_wa.report.scorecard import plural

if TYPE_CHECKING:
    from mllint_wa.runner import ProjectReport, RuleFailure, RunResult

# XML 1.0 has no escape for these: a control character in a file name would make the whole
# report unreadable, so it is shown as a backslash escape, as the text report does.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MESSAGE_LIMIT = 200


def _xml_text(text: str) -> str:
    text = printable(text)
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _attr(text: str) -> str:
    return quoteattr(_xml_text(text))


def _body(lines: Sequence[str]) -> str:
    """Element text, one line each (a line's own control characters are escaped)."""
    return "\n".join(escape(_xml_text(line)) for line in lines)


def _classname(root: str) -> str:
    # Jenkins splits a class name at dots: the project at the working directory is not ".".
    return "(root)" if root == "." else root


def _line(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.column} {finding.message}"


def _clipped(text: str) -> str:
    text = printable(text)
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def _case(
    project: ProjectReport,
    rule: Rule,
    findings: Sequence[Finding],
    waived: Sequence[Finding],
    failure: RuleFailure | None,
    applies: bool,
) -> str:
    head = f"    <testcase classname={_attr(_classname(project.root))} "
    head += f'name={_attr(f"{rule.code} {rule.name}")} time="0"'
    children = []
    if not applies:
        reason = (
            "needs a lens.toml"
            if rule.requires_manifest and project.manifest is None
            else f"applies from the {rule.applies_from.value} stage; "
            f"the project is at {project.stage.value}"
        )
        children.append(f"      <skipped message={_attr(reason)}/>")
    elif failure is not None:
        children.append(
            f'      <error message={_attr(_clipped(failure.message))} type="rule-error">'
            f"{_body([failure.message])}</error>"
        )
    elif findings:
        message = f"{plural(len(findings), 'finding')}: {findings[0].message}"
        details = [
            *(_line(f) for f in findings),
            "",
            f"How to fix: {rule.fix}",
            f"ML Lens: {', '.join(rule.lens_refs_with_aliases)}",
        ]
        children.append(
            f"      <failure message={_attr(_clipped(message))} type={_attr(rule.risk.value)}>"
            f"{_body(details)}</failure>"
        )
    if waived:
        lines = [f"{_line(f)} (waived by {f.suppressed_by})" for f in waived]
        children.append(f"      <system-out>{_body(lines)}</system-out>")
    if not children:
        return head + "/>"
    return "\n".join([head + ">", *children, "    </testcase>"])


def _suite(project: ProjectReport, result: RunResult) -> tuple[str, dict[str, int]]:
    def of_project(items: Sequence[Finding]) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for f in items:
            if f.project == project.root:
                grouped.setdefault(f.rule.code, []).append(f)
        return grouped

    findings, waived = of_project(result.findings), of_project(result.suppressed)
    failures = {e.code: e for e in result.errors if e.project == project.root and e.code}
    # A finding's rule always has a case, even one the run reports outside the selection.
    ran = {r.code: r for r in project.applicable}
    ran.update(
        (items[0].rule.code, items[0].rule) for items in (*findings.values(), *waived.values())
    )
    rules = sorted(
        [(r, True) for r in ran.values()]
        + [(r, False) for r in project.not_applicable if r.code not in ran],
        key=lambda item: item[0].code,
    )
    cases = [
        _case(
            project,
            rule,
            findings.get(rule.code, []),
            waived.get(rule.code, []),
            failures.get(rule.code),
            applies,
        )
        for rule, applies in rules
    ]
    counts = {
        "tests": len(rules),
        "failures": sum(
            1 for r, yes in rules if yes and r.code in findings and r.code not in failures
        ),
        "errors": sum(1 for r, yes in rules if yes and r.code in failures),
        "skipped": sum(1 for _, yes in rules if not yes),
    }
    attributes = " ".join(f'{key}="{value}"' for key, value in counts.items())
    head = f'  <testsuite name={_attr(f"mllint-wa {project.root}")} {attributes} time="0"'
    if not cases:
        return head + "/>", counts
    return "\n".join([head + ">", *cases, "  </testsuite>"]), counts


def render(result: RunResult, options: ReportOptions) -> str:
    suites = [_suite(project, result) for project in result.projects]
    totals = {
        key: sum(counts[key] for _, counts in suites)
        for key in ("tests", "failures", "errors", "skipped")
    }
    # The schema's <testsuites> has no "skipped" attribute; each suite carries its own.
    attributes = " ".join(f'{key}="{totals[key]}"' for key in ("tests", "failures", "errors"))
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="mllint-wa" {attributes} time="0">',
        *(text for text, _ in suites),
        "</testsuites>",
    ]
    return "\n".join(lines) + "\n"
