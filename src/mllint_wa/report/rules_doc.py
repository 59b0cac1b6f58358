"""``docs/rules.md``: one section per rule, generated from the registry, and the URL of each
rule's section, which ``explain`` prints and SARIF gives as the rule's ``helpUri``.

Only the built-in rules are documented there; a plugin's rules have no section, so they get
no documentation URL of ours.
"""

from __future__ import annotations

from collections.abc import Sequence

from mllint_wa import __version__
from mllint_wa.lens import PRACTICE_BY_ID
from mllint_wa.model import PHASE_BY_PREFIX, Rule
from mllint_wa.registry import BUILTIN_MODULES

# Where this project is published; pyproject.toml's [project.urls] say the same (a test
# keeps them in step). Links name the release's tag, so they show the rules as installed.
REPOSITORY_URL = "https://github.com/mllint-wa/mllint-wa"
RULES_DOC = "docs/rules.md"
_PREFIX_TITLES = {
    "BG": "Business goal",
    "PF": "Problem framing",
    "DP": "Data processing",
    "MD": "Model development",
    "DE": "Deployment",
    "MO": "Monitoring",
    "LN": "The manifest",
}


# What a preview rule is, wherever a rule is described.
PREVIEW = (
    "measured precision below 90% on the ecosystem check: runs only with `--preview` or "
    "`preview = true` in the settings"
)


def anchor(rule: Rule) -> str:
    """The rule's anchor in docs/rules.md: GitHub's slug of its heading (``BG001
    missing-business-goal`` → ``bg001-missing-business-goal``)."""
    return f"{rule.code.lower()}-{rule.name}"


def is_documented(rule: Rule) -> bool:
    return rule.check.__module__ in BUILTIN_MODULES


def doc_url(rule: Rule) -> str | None:
    """The URL of the rule's section in this release's docs/rules.md; None for a plugin's."""
    if not is_documented(rule):
        return None
    return f"{REPOSITORY_URL}/blob/v{__version__}/{RULES_DOC}#{anchor(rule)}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _fence(example: str) -> str:
    # Here, not at the top: `explain` imports this module and must load no parser.
    from mllint_wa.parsers.tomlcompat import tomllib

    try:
        tomllib.loads(example)
        language = "toml"
    except tomllib.TOMLDecodeError:
        language = ""
    return f"```{language}\n{example}\n```"


def _section(rule: Rule) -> list[str]:
    lines = [
        f"### {rule.code} {rule.name}",
        "",
        rule.summary,
        "",
        f"- **Risk:** {rule.risk.value}",
        f"- **Phase:** {rule.phase.value}",
        f"- **Pillars:** {', '.join(p.value for p in rule.pillars)}",
        f"- **Applies at stages:** {rule.stages_described}",
        f"- **Needs a lens.toml:** {'yes' if rule.requires_manifest else 'no'}",
        *([f"- **Preview:** {PREVIEW}"] if rule.preview else []),
        "",
        "#### Why",
        "",
        rule.explanation or rule.summary,
        "",
        "#### How to fix",
        "",
        rule.fix,
        "",
    ]
    if rule.example:
        lines += ["**Example**", "", _fence(rule.example), ""]
    lines += ["**ML Lens best practices**", ""]
    for ref in rule.lens_refs:
        practice = PRACTICE_BY_ID[ref]
        lines.append(
            f"- [{practice.id}]({practice.url}) {practice.title} "
            f"(2023 ID: {practice.legacy_id}; {practice.pillar.value}, {practice.phase.value})"
        )
    return lines


def render_rules_doc(rules: Sequence[Rule]) -> str:
    """docs/rules.md for ``rules`` (the documented ones are kept), grouped by code prefix."""
    documented = sorted((r for r in rules if is_documented(r)), key=lambda r: r.code)
    lines = [
        "# Rules",
        "",
        "<!-- Generated from the rule registry by `python scripts/update_rules_doc.py`;",
        "     edit the rules in src/mllint_wa/checks/, not this file. -->",
        "",
        f"mllint-wa has {len(documented)} rules. `mllint-wa explain CODE` prints a rule's "
        "section in the terminal, and every SARIF report links each rule to its section here.",
        "Risks are the Well-Architected Tool's (high, medium, low); a rule applies from the "
        "first stage listed. A rule marked *(preview)* runs only with `--preview` or "
        "`preview = true` in the settings.",
        "",
        "| Code | Name | Risk | Summary |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| [{r.code}](#{anchor(r)}) | `{r.name}`{' *(preview)*' if r.preview else ''} | "
        f"{r.risk.value} | {_cell(r.summary)} |"
        for r in documented
    ]
    for prefix in PHASE_BY_PREFIX:
        group = [r for r in documented if r.code.startswith(prefix)]
        if group:
            lines += ["", f"## {_PREFIX_TITLES.get(prefix, prefix)} ({prefix})"]
            for rule in group:
                lines += ["", *_section(rule)]
    return "\n".join(lines).rstrip("\n") + "\n"
