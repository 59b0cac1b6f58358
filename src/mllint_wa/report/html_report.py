"""One self-contained HTML page: a scorecard to send to a Well-Architected reviewer.

Risk counts, the 6-by-6 phase-by-pillar heat map, then every finding grouped by phase and
rule, each rule with its fix, its ML Lens practices and how to suppress it. The page makes
no request of its own (inline CSS, no script, no image, no font; a Content-Security-Policy
forbids any): the only URLs in it are links to the ML Lens documentation that a reader may
click. Everything taken from the run is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mllint_wa import __version__
from mllint_wa.lens import PRACTICE_BY_ID
from mllint_wa.model import Finding, Phase, Pillar, Risk, Rule
from mllint_wa.report import ReportOptions, printable
from mllint_wa.report.scorecard import (
    INLINE_IGNORE,
    PHASE_LABELS,
    PILLAR_LABELS,
    PhaseGroup,
    RuleGroup,
    by_phase,
    checked,
    grid,
    plural,
    prose,
    risk_counts,
    risk_summary,
    waiver_snippet,
)

if TYPE_CHECKING:
    from mllint_wa.runner import RunResult

# Heat map shades: a cell's share of the busiest cell, in five steps.
_SHADES = 5
# A rule's findings beyond these are folded (still in the page, found by the browser's search).
SHOWN_PER_RULE = 10
_PROJECTS_OPEN = 5
_STYLE = """
:root { color-scheme: light; --high: #b42318; --medium: #b54708; --low: #175cd3;
  --line: #d0d5dd; --muted: #475467; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #101828;
  margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 2px solid var(--line);
  padding-bottom: 4px; }
h2 small { font-size: 15px; font-weight: 400; color: var(--muted); margin-left: 8px; }
h3 { font-size: 16px; margin: 0; }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: #f2f4f7; border-radius: 4px; padding: 0 4px; overflow-wrap: anywhere; }
pre { background: #f2f4f7; border-radius: 6px; padding: 8px 12px; margin: 4px 0;
  white-space: pre-wrap; overflow-wrap: anywhere; }
a { color: #175cd3; }
.muted { color: var(--muted); }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 130px; }
.tile b { display: block; font-size: 28px; line-height: 1.2; }
.tile.high b { color: var(--high); } .tile.medium b { color: var(--medium); }
.tile.low b { color: var(--low); }
table { border-collapse: collapse; }
.heat th, .heat td { border: 1px solid var(--line); padding: 6px 10px; text-align: center; }
.heat th { background: #f9fafb; font-weight: 600; font-size: 13px; }
.heat th[scope=row] { text-align: left; }
.heat td { min-width: 96px; font-variant-numeric: tabular-nums; }
.heat td a { color: inherit; text-decoration: none; display: block; }
.heat td.unchecked { background: repeating-linear-gradient(45deg, #f9fafb 0 6px, #eaecf0 6px 12px);
  color: #98a2b3; }
.heat td.total { font-weight: 600; background: #f9fafb; }
.index { font-size: 14px; margin: 8px 0; }
.index th, .index td { border-bottom: 1px solid #eaecf0; padding: 3px 12px 3px 0;
  text-align: left; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; }
details.more > summary { margin: 4px 8px; }
.s0 { background: #fff; color: #667085; } .s1 { background: #fee4e2; }
.s2 { background: #fecdca; } .s3 { background: #fda29b; } .s4 { background: #f97066; }
.s5 { background: #d92d20; color: #fff; }
.rule { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; padding: 12px 16px; }
.rule header { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
.badge { border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600;
  color: #fff; text-transform: uppercase; }
.badge.high { background: var(--high); } .badge.medium { background: var(--medium); }
.badge.low { background: var(--low); }
.meta { font-size: 13px; color: var(--muted); margin: 4px 0; }
.fix { margin: 8px 0; }
.findings { width: 100%; margin: 8px 0; font-size: 14px; }
.findings td { border-top: 1px solid #eaecf0; padding: 4px 8px; vertical-align: top; }
.findings td:first-child { width: 38%; overflow-wrap: anywhere; }
details > summary { cursor: pointer; color: var(--muted); font-size: 14px; }
footer { margin-top: 40px; font-size: 13px; color: var(--muted); }
"""
# No request of any kind: styles only from the <style> element, nothing else from anywhere.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _e(text: str) -> str:
    return html.escape(printable(text), quote=True)


def _prose(text: str) -> str:
    return "".join(
        f"<code>{html.escape(part)}</code>" if is_code else html.escape(part)
        for is_code, part in prose(text)
    )


def _anchor(phase: Phase) -> str:
    return f"phase-{phase.value}"


def _tiles(result: RunResult) -> str:
    counts = risk_counts(result.findings)
    tiles = [f'<div class="tile"><b>{len(result.findings)}</b>findings</div>']
    tiles += [
        f'<div class="tile {risk.value}"><b>{counts[risk]}</b>{risk.value} risk</div>'
        for risk in Risk
    ]
    tiles.append(f'<div class="tile"><b>{len(result.suppressed)}</b>waived</div>')
    if result.errors:
        tiles.append(f'<div class="tile high"><b>{len(result.errors)}</b>rules failed</div>')
    return f'<div class="tiles">{"".join(tiles)}</div>'


def _heat_map(result: RunResult) -> str:
    cells, covered = grid(result.findings), checked(result.projects)
    busiest = max(cells.values(), default=0)
    per_phase = {group.phase: group.count for group in by_phase(result.findings)}
    head = "".join(f'<th scope="col">{PILLAR_LABELS[p]}</th>' for p in Pillar)
    rows = []
    for phase in Phase:
        row = [f'<th scope="row">{PHASE_LABELS[phase]}</th>']
        for pillar in Pillar:
            count = cells[phase, pillar]
            where = f"{PHASE_LABELS[phase]}, {PILLAR_LABELS[pillar]}"
            if count:
                shade = 1 + (count * (_SHADES - 1)) // busiest
                row.append(
                    f'<td class="s{shade}" title="{where}: {plural(count, "finding")}">'
                    f'<a href="#{_anchor(phase)}">{count}</a></td>'
                )
            elif (phase, pillar) in covered:
                row.append(f'<td class="s0" title="{where}: checked, no finding">0</td>')
            else:
                row.append(f'<td class="unchecked" title="{where}: no rule checked this">—</td>')
        row.append(f'<td class="total">{per_phase.get(phase, 0)}</td>')
        rows.append(f"<tr>{''.join(row)}</tr>")
    return (
        '<table class="heat"><thead><tr><th scope="col">Phase \\ Pillar</th>'
        f'{head}<th scope="col">Findings</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="muted">Findings per phase and pillar: a finding counts under each pillar its '
        "rule belongs to, so a row may add up to more than the phase's findings. "
        "0: checked, nothing found. —: no rule checked this (none exists yet, or the "
        "project's stage holds it back).</p>"
    )


def _index(groups: list[PhaseGroup]) -> str:
    rows = "".join(
        f'<tr><td><a href="#rule-{_e(g.rule.code)}">{_e(g.rule.code)}</a></td>'
        f"<td>{_e(g.rule.name)}</td>"
        f'<td><span class="badge {g.rule.risk.value}">{g.rule.risk.value}</span></td>'
        f'<td>{PHASE_LABELS[g.rule.phase]}</td><td class="num">{len(g.findings)}</td></tr>'
        for phase_group in groups
        for g in phase_group.rules
    )
    return (
        '<table class="index"><thead><tr><th>Rule</th><th>Name</th><th>Risk</th>'
        f'<th>Phase</th><th class="num">Findings</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _practices(rule: Rule) -> str:
    links = []
    for ref in rule.lens_refs:
        practice = PRACTICE_BY_ID.get(ref)
        if practice is None:
            links.append(_e(ref))
        else:
            links.append(
                f'<a href="{_e(practice.url)}" title="{_e(practice.title)}">{_e(ref)}</a>'
                f" ({_e(practice.legacy_id)}) {_e(practice.title)}"
            )
    return "; ".join(links)


def _how_to_suppress(rule: Rule) -> str:
    if not rule.waivable:
        return (
            '<p class="meta">This rule cannot be waived or ignored: its findings are about '
            "the suppressions themselves. Fix them.</p>"
        )
    inline = "# " + INLINE_IGNORE.format(code=rule.code)
    return (
        "<details><summary>How to suppress</summary>"
        "<p>Accept the risk on one line with a comment on that line or the line above "
        "(in the file's own comment syntax), giving the reason:</p>"
        f"<pre>{_e(inline)}</pre>"
        "<p>or for the whole project, in <code>lens.toml</code> (a waiver needs a reason, "
        "an owner and an expiry date; until they are filled in it waives nothing):</p>"
        # Escaped as a whole: printable() would turn its line breaks into "\\n".
        f"<pre>{html.escape(waiver_snippet(rule))}</pre></details>"
    )


def _finding_rows(findings: Sequence[Finding], waived: bool = False) -> str:
    rows = []
    for f in findings:
        by = f' <span class="muted">(waived by {_e(f.suppressed_by)})</span>' if waived else ""
        rows.append(
            f"<tr><td><code>{_e(f'{f.path}:{f.line}:{f.column}')}</code></td>"
            f"<td>{_prose(f.message)}{by}</td></tr>"
        )
    table = '<table class="findings"><tbody>{}</tbody></table>'
    if len(rows) <= SHOWN_PER_RULE:
        return table.format("".join(rows))
    folded = len(rows) - SHOWN_PER_RULE
    return table.format("".join(rows[:SHOWN_PER_RULE])) + (
        f'<details class="more"><summary>{plural(folded, "more finding")}</summary>'
        f"{table.format(''.join(rows[SHOWN_PER_RULE:]))}</details>"
    )


def _rule(group: RuleGroup) -> str:
    rule = group.rule
    pillars = ", ".join(PILLAR_LABELS[p] for p in rule.pillars)
    return (
        f'<article class="rule" id="rule-{_e(rule.code)}"><header>'
        f'<span class="badge {rule.risk.value}">{rule.risk.value}</span>'
        f"<h3>{_e(rule.code)} {_e(rule.name)}</h3>"
        f'<span class="muted">{plural(len(group.findings), "finding")}</span></header>'
        f'<p class="meta">Pillars: {pillars} · ML Lens: {_practices(rule)}</p>'
        f'<p class="fix"><b>Fix:</b> {_prose(rule.fix)}</p>'
        f"{_finding_rows(group.findings)}{_how_to_suppress(rule)}</article>"
    )


def _projects(result: RunResult) -> str:
    items = "".join(
        f"<li><code>{_e(p.root)}</code> · stage {p.stage.value}"
        + (f" · manifest <code>{_e(p.manifest)}</code>" if p.manifest else " · no manifest")
        + "</li>"
        for p in result.projects
    )
    summary = plural(len(result.projects), "project")
    opened = " open" if len(result.projects) <= _PROJECTS_OPEN else ""
    return f"<details{opened}><summary>{summary}</summary><ul>{items}</ul></details>"


def render(result: RunResult, options: ReportOptions) -> str:
    counts = risk_counts(result.findings)
    verdict = (
        f"{plural(len(result.findings), 'finding')} ({risk_summary(counts)})"
        if result.findings
        else "All checks passed"
    )
    body = [
        "<header><h1>mllint-wa: AWS Well-Architected ML Lens scorecard</h1>",
        f'<p class="muted">{verdict}</p>{_projects(result)}</header>',
        "<section><h2>Scorecard</h2>",
        _tiles(result),
        _heat_map(result),
        "</section>",
    ]
    groups = by_phase(result.findings)
    if groups:
        body.append(f"<section><h2>Rules with findings</h2>{_index(groups)}</section>")
    if result.errors:
        items = "".join(f"<li>{_e(e.message)}</li>" for e in result.errors)
        body.append(f"<section><h2>Rules that failed to run</h2><ul>{items}</ul></section>")
    for group in groups:
        phase_counts = risk_counts(f for g in group.rules for f in g.findings)
        body.append(
            f'<section id="{_anchor(group.phase)}"><h2>{PHASE_LABELS[group.phase]} '
            f"<small>{plural(group.count, 'finding')}: {risk_summary(phase_counts)}</small></h2>"
        )
        body.extend(_rule(rule_group) for rule_group in group.rules)
        body.append("</section>")
    if result.suppressed:
        body.append(
            f'<section><h2>Waived <span class="muted">{plural(len(result.suppressed), "finding")}'
            f"</span></h2>{_finding_rows(result.suppressed, waived=True)}</section>"
        )
    body.append(f"<footer>mllint-wa {_e(__version__)}</footer>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>mllint-wa: {_e(verdict)}</title><style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
