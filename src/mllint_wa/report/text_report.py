"""``path:line:col: CODE [risk] message``, one finding a line, then a summary."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from mllint_wa.model import Risk
from mllint_wa.report import ReportOptions, printable

if TYPE_CHECKING:
    from mllint_wa.runner import RunResult

_RISK_COLOR = {Risk.HIGH: "red", Risk.MEDIUM: "yellow", Risk.LOW: "cyan"}
_ANSI = {"red": 31, "yellow": 33, "cyan": 36, "bold": 1}


def _paint(text: str, style: str, color: bool) -> str:
    return f"\x1b[{_ANSI[style]}m{text}\x1b[0m" if color else text


def render(result: RunResult, options: ReportOptions) -> str:
    color = options.color
    lines = []
    for finding in result.findings:
        risk = finding.rule.risk
        where = _paint(f"{printable(finding.path)}:{finding.line}:{finding.column}:", "bold", color)
        code = _paint(finding.rule.code, _RISK_COLOR[risk], color)
        lines.append(f"{where} {code} [{risk.value}] {printable(finding.message)}")
    if options.statistics and result.findings:
        lines.extend(["", *_statistics(result)])
    if not options.quiet:
        lines.extend(["", summary(result)] if lines else [summary(result)])
    return "\n".join(lines) + "\n" if lines else ""


def _statistics(result: RunResult) -> list[str]:
    counts = Counter(f.rule for f in result.findings)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0].code))
    width = len(str(max(counts.values())))
    return [
        f"{count:>{width}}  {rule.code}  [{rule.risk.value}]  {rule.name}"
        for rule, count in ordered
    ]


_SUPPRESSED_AS = {"inline": "ignored inline", "waiver": "waived", "baseline": "in the baseline"}


def summary(result: RunResult) -> str:
    """The closing line: how many findings of each risk, and how many were suppressed how."""
    by_kind = Counter(f.suppression_kind for f in result.suppressed)
    counts = [f"{by_kind[kind]} {said}" for kind, said in _SUPPRESSED_AS.items() if by_kind[kind]]
    suppressed = f"; {', '.join(counts)}" if counts else ""
    if not result.findings:
        return f"All checks passed{suppressed}."
    by_risk = Counter(f.rule.risk for f in result.findings)
    parts = ", ".join(f"{by_risk[r]} {r.value}" for r in Risk if by_risk[r])
    noun = "finding" if len(result.findings) == 1 else "findings"
    return f"Found {len(result.findings)} {noun} ({parts}){suppressed}."
