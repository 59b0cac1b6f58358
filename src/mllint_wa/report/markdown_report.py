"""GitHub-flavoured Markdown for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

Risk counts, the phase-by-pillar grid, then the findings grouped by phase, each rule with its
fix. Beyond ``COLLAPSE_AFTER`` findings every phase is folded into a ``<details>`` block, and
the document never exceeds ``LIMIT`` bytes of UTF-8 (GitHub refuses a longer comment): the
findings that do not fit are counted in a closing line instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mllint_wa.lens import PRACTICE_BY_ID
from mllint_wa.model import Finding, Phase, Pillar, Risk, Rule
from mllint_wa.report import ReportOptions, printable
from mllint_wa.report.scorecard import (
    PHASE_LABELS,
    PILLAR_LABELS,
    by_phase,
    checked,
    grid,
    plural,
    prose,
    risk_counts,
    risk_summary,
)

if TYPE_CHECKING:
    from mllint_wa.runner import RunResult

# GitHub's limit on a comment is 65,536 characters. Counting UTF-8 bytes bounds it however
# characters are counted (code points or UTF-16 units are never more than the bytes).
LIMIT = 65_536
COLLAPSE_AFTER = 25
PROJECTS_LISTED = 10
# Room kept for the closing lines: the open <details>, the omission note.
_RESERVE = 400
_SPECIAL = re.compile(r"[\\`*_\[\]|~<>&#!]")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def text(value: str) -> str:
    """Plain text that no Markdown or HTML in it can format: entities for ``<>&``, a
    backslash before every other character that could open emphasis, code, a link, a table
    cell or a heading."""
    return _SPECIAL.sub(lambda m: _ENTITIES.get(m.group(), "\\" + m.group()), printable(value))


def code(value: str) -> str:
    """A code span holding ``value`` literally, backticks included (CommonMark: a fence
    longer than any run of backticks inside, padded when the value starts or ends with one)."""
    value = printable(value)
    runs = [len(run) for run in re.findall("`+", value)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if value[:1] in ("`", " ") or value[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def message(value: str) -> str:
    """A rule's prose: its `quoted` parts stay code spans, the rest is escaped text."""
    return "".join(code(part) if is_code else text(part) for is_code, part in prose(value))


def _header(result: RunResult) -> list[str]:
    findings = result.findings
    counts = risk_counts(findings)
    if findings:
        title = f"## mllint-wa: {plural(len(findings), 'finding')} ({risk_summary(counts)})"
    else:
        title = "## mllint-wa: all checks passed"
    lines = [title, ""]
    projects = [f"{code(p.root)} ({p.stage.value})" for p in result.projects]
    if projects:
        more = len(projects) - PROJECTS_LISTED
        listed = ", ".join(projects[:PROJECTS_LISTED]) + (f" and {more} more" if more > 0 else "")
        lines.append(f"{plural(len(projects), 'project')} linted: {listed}.")
    if result.suppressed:
        lines.append(f"{plural(len(result.suppressed), 'finding')} waived.")
    if result.errors:
        lines.append(f"**{plural(len(result.errors), 'rule')} failed to run**; see the log.")
    lines += ["", "| Risk | Findings |", "|---|---:|"]
    lines += [f"| {risk.value} | {counts[risk]} |" for risk in Risk]
    if result.projects:
        lines += ["", *_grid(result)]
    return lines


def _grid(result: RunResult) -> list[str]:
    cells, covered = grid(result.findings), checked(result.projects)

    def cell(phase: Phase, pillar: Pillar) -> str:
        count = cells[phase, pillar]
        return str(count) if count or (phase, pillar) in covered else "—"

    head = "| Phase | " + " | ".join(PILLAR_LABELS[p] for p in Pillar) + " |"
    rows = [
        f"| {PHASE_LABELS[phase]} | " + " | ".join(cell(phase, p) for p in Pillar) + " |"
        for phase in Phase
    ]
    note = (
        "Findings per phase and pillar (a finding counts under each pillar its rule belongs "
        "to); — : no rule checked this cell."
    )
    return [head, "|---" + "|---:" * len(Pillar) + "|", *rows, "", note]


def _rule_head(rule: Rule, count: int) -> list[str]:
    refs = ", ".join(
        f"[{ref}]({PRACTICE_BY_ID[ref].url})" if ref in PRACTICE_BY_ID else text(ref)
        for ref in rule.lens_refs
    )
    return [
        "",
        f"**{text(rule.code)} {text(rule.name)}** · {rule.risk.value} · "
        f"{plural(count, 'finding')} · {refs}",
        "",
        f"Fix: {message(rule.fix)}",
        "",
    ]


def _finding_line(finding: Finding) -> str:
    return f"- {code(f'{finding.path}:{finding.line}:{finding.column}')} {message(finding.message)}"


class _Budget:
    """Lines added while they fit under the limit; what does not fit is counted."""

    def __init__(self, lines: list[str], limit: int) -> None:
        self.lines = lines
        self.size = sum(len(line.encode("utf-8")) + 1 for line in lines)
        self.limit = limit
        self.full = False

    def add(self, *lines: str) -> bool:
        size = sum(len(line.encode("utf-8")) + 1 for line in lines)
        if self.full or self.size + size > self.limit:
            self.full = True
            return False
        self.force(*lines)
        return True

    def force(self, *lines: str) -> None:
        """Lines that must follow what was added (they come out of the reserve)."""
        self.lines.extend(lines)
        self.size += sum(len(line.encode("utf-8")) + 1 for line in lines)


def render(result: RunResult, options: ReportOptions) -> str:
    lines = _header(result)
    budget = _Budget(lines, LIMIT - _RESERVE)
    collapse = len(result.findings) > COLLAPSE_AFTER
    shown = 0
    if result.findings:
        budget.add("", "### Findings by phase")
    for group in by_phase(result.findings):
        counts = risk_counts(f for g in group.rules for f in g.findings)
        label = f"{PHASE_LABELS[group.phase]} ({plural(group.count, 'finding')}"
        label += f": {risk_summary(counts)})"
        opening = (
            ["", f"<details><summary>{label}</summary>", ""] if collapse else ["", f"#### {label}"]
        )
        if not budget.add(*opening):
            break
        for rule_group in group.rules:
            if not budget.add(*_rule_head(rule_group.rule, len(rule_group.findings))):
                break
            for finding in rule_group.findings:
                if not budget.add(_finding_line(finding)):
                    break
                shown += 1
        if collapse:
            # Reserved room: a block opened is always closed.
            budget.force("", "</details>")
        if budget.full:
            break
    left_out = len(result.findings) - shown
    if left_out:
        budget.force(
            "",
            f"**{plural(left_out, 'more finding')} not shown** (a comment holds at most "
            f"{LIMIT:,} characters); `mllint-wa --format text` lists every one.",
        )
    return "\n".join(lines) + "\n"
