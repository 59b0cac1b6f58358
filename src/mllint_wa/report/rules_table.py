"""The rule list as a Markdown table, for the README and `mllint-wa rules --format markdown`."""

from __future__ import annotations

from collections.abc import Sequence

from mllint_wa.model import Rule


def render_markdown(rules: Sequence[Rule]) -> str:
    lines = [
        "| Code | Name | Risk | Phase | Pillars | ML Lens practices | Summary |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in rules:
        pillars = ", ".join(p.value for p in rule.pillars)
        refs = ", ".join(rule.lens_refs_with_aliases)
        summary = rule.summary.replace("|", "\\|")
        preview = " (preview)" if rule.preview else ""
        lines.append(
            f"| {rule.code} | `{rule.name}`{preview} | {rule.risk.value} | {rule.phase.value} | "
            f"{pillars} | {refs} | {summary} |"
        )
    return "\n".join(lines) + "\n"
