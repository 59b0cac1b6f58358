"""Findings the project has accepted: waivers in lens.toml (``[waivers.CODE]``)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence

from mllint_wa.manifest import Waiver
from mllint_wa.model import Finding, Rule
from mllint_wa.registry import find_rule


def apply_waivers(
    findings: Sequence[Finding],
    waivers: Sequence[Waiver],
    today: datetime.date,
    rules: Sequence[Rule],
) -> tuple[list[Finding], list[Finding]]:
    """Split findings into those still reported and those an applicable waiver suppresses.

    A waiver names one rule by code or name; an incomplete or expired waiver suppresses
    nothing (the invalid-waiver rule reports it), and neither does a waiver of a rule that is
    not ``waivable``.
    """
    waived: dict[str, Waiver] = {}
    for waiver in waivers:
        rule = find_rule(waiver.selector, rules)
        if rule is not None and rule.waivable and waiver.applies_on(today):
            waived.setdefault(rule.code, waiver)
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        match = waived.get(finding.rule.code)
        if match is None:
            kept.append(finding)
        else:
            suppressed.append(
                dataclasses.replace(
                    finding,
                    suppressed_by=match.name,
                    suppression_kind="waiver",
                    justification=f"{match.reason} ({match.owner}, until {match.expires})",
                )
            )
    return kept, suppressed
