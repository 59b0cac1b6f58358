"""What the people-facing summaries (markdown, html) share: counts by risk, the phase-by-pillar
grid, findings grouped by phase and rule, and how to suppress a rule's findings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from mllint_wa.model import Finding, Phase, Pillar, Risk, Rule
from mllint_wa.records import dataclass
from mllint_wa.report import printable

if TYPE_CHECKING:
    from mllint_wa.runner import ProjectReport

PHASE_LABELS = {
    Phase.BUSINESS_GOAL: "Business goal",
    Phase.PROBLEM_FRAMING: "Problem framing",
    Phase.DATA_PROCESSING: "Data processing",
    Phase.MODEL_DEVELOPMENT: "Model development",
    Phase.DEPLOYMENT: "Deployment",
    Phase.MONITORING: "Monitoring",
}
PILLAR_LABELS = {
    Pillar.OPERATIONAL_EXCELLENCE: "Operational excellence",
    Pillar.SECURITY: "Security",
    Pillar.RELIABILITY: "Reliability",
    Pillar.PERFORMANCE_EFFICIENCY: "Performance efficiency",
    Pillar.COST_OPTIMIZATION: "Cost optimization",
    Pillar.SUSTAINABILITY: "Sustainability",
}
# The inline form, in whatever comment syntax the file has (`#`, `//`, `<!-- -->`).
INLINE_IGNORE = "mllint-wa: ignore[{code}] <reason>"


def risk_counts(findings: Iterable[Finding]) -> dict[Risk, int]:
    counts = Counter(f.rule.risk for f in findings)
    return {risk: counts[risk] for risk in Risk}


def grid(findings: Iterable[Finding]) -> dict[tuple[Phase, Pillar], int]:
    """Findings per (phase, pillar): a finding counts once under each pillar its rule touches,
    so a row may add up to more than the phase's findings."""
    counts = Counter((f.rule.phase, pillar) for f in findings for pillar in f.rule.pillars)
    return {(phase, pillar): counts[phase, pillar] for phase in Phase for pillar in Pillar}


def checked(projects: Iterable[ProjectReport]) -> set[tuple[Phase, Pillar]]:
    """The cells of the grid that some rule that ran looks at: an empty cell outside them was
    not checked (no rule covers it yet, or the projects' stage holds its rules back), which a
    scorecard must not present as clean."""
    return {(r.phase, pillar) for p in projects for r in p.applicable for pillar in r.pillars}


@dataclass(frozen=True)
class RuleGroup:
    rule: Rule
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class PhaseGroup:
    phase: Phase
    rules: tuple[RuleGroup, ...]

    @property
    def count(self) -> int:
        return sum(len(group.findings) for group in self.rules)


def by_phase(findings: Sequence[Finding]) -> list[PhaseGroup]:
    """Phases in lifecycle order (only those with findings); within one, rules by risk, then
    code; a rule's findings in report order."""
    per_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        per_rule.setdefault(finding.rule.code, []).append(finding)
    groups = [RuleGroup(items[0].rule, tuple(items)) for items in per_rule.values()]
    groups.sort(key=lambda g: (-g.rule.risk.rank, g.rule.code))
    return [
        PhaseGroup(phase, tuple(g for g in groups if g.rule.phase == phase))
        for phase in Phase
        if any(g.rule.phase == phase for g in groups)
    ]


def waiver_snippet(rule: Rule) -> str:
    """A [waivers.CODE] entry to paste into lens.toml. Its placeholders are valid TOML that
    waives nothing (LN007 reports them) until a person fills them in."""
    return (
        f"[waivers.{rule.code}]\n"
        'reason = "TODO: why this risk is accepted"\n'
        'owner = "TODO: who answers for it"\n'
        'expires = "TODO: a date such as 2027-03-31, when it is reviewed again"\n'
    )


def prose(text: str) -> list[tuple[bool, str]]:
    """A rule's message or fix as (is_code, part) pieces: its `quoted` parts are code. With
    an unpaired backtick nothing is taken for code."""
    parts = printable(text).split("`")
    if len(parts) % 2 == 0:
        return [(False, printable(text))]
    return [(i % 2 == 1, part) for i, part in enumerate(parts) if part]


def risk_summary(counts: dict[Risk, int]) -> str:
    """``1 high, 2 low``: the risks that occur."""
    return ", ".join(f"{counts[risk]} {risk.value}" for risk in Risk if counts[risk])


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
