"""Answers to the ``export-lens`` custom lens for a Well-Architected Tool workload review.

Per question: the choices (practices) the repository's evidence satisfies — every rule that
checks the practice ran and found nothing — and those its findings contradict, with the
findings as the answer's notes. Each answer carries the ``UpdateAnswer`` input and the
``aws wellarchitected update-answer`` command line that records it; nothing is sent anywhere.
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING

from mllint_wa import __version__
from mllint_wa.model import Finding
from mllint_wa.registry import described_rules
from mllint_wa.report import ReportOptions, printable
from mllint_wa.wellarchitected import (
    LENS_NAME,
    PILLARS,
    Question,
    choice_id,
    none_choice_id,
    question_title,
    questions,
)

if TYPE_CHECKING:
    from mllint_wa.runner import RunResult

# UpdateAnswer's Notes: at most 2,084 characters (AWS Well-Architected API reference).
NOTES_LIMIT = 2084
# The workload and the lens's ARN are the user's: the commands read them from the shell.
COMMAND_PREFIX = (
    'aws wellarchitected update-answer --workload-id "$WORKLOAD_ID" --lens-alias "$LENS_ALIAS"'
)


def render(result: RunResult, options: ReportOptions) -> str:
    answers = [answer for q in questions(described_rules()) if (answer := _answer(q, result))]
    document = {
        "tool": {"name": "mllint-wa", "version": __version__},
        "lens": LENS_NAME,
        "projects": [p.root for p in result.projects],
        "answers": answers,
        "commands": [_command(a["update_answer"]) for a in answers],
    }
    # Surrogate-escaped (non-UTF-8) project names become \udcxx escapes, as in --format json.
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _answer(question: Question, result: RunResult) -> dict[str, object] | None:
    """The question's answer, or None when no rule of it ran (nothing to say)."""
    reported = [*result.findings, *result.suppressed]
    satisfied: list[str] = []
    contradicted: list[str] = []
    not_checked: list[str] = []
    evidence: list[Finding] = []
    for practice, rules in question.practices:
        codes = {r.code for r in rules}
        against = [f for f in reported if f.rule.code in codes]
        evidence.extend(f for f in against if f not in evidence)
        # Over several projects, a practice is met only where it is met in every one. A
        # preview rule speaks against a practice when it runs, but a practice needs only
        # the default set to be met.
        required = {r.code for r in rules if not r.preview}
        fully_run = bool(result.projects) and all(
            required <= set(p.rules_run) for p in result.projects
        )
        if against:
            contradicted.append(choice_id(practice.id))
        elif fully_run:
            satisfied.append(choice_id(practice.id))
        else:
            not_checked.append(choice_id(practice.id))
    if not satisfied and not contradicted:
        return None
    selected = satisfied or ([none_choice_id(question.id)] if not not_checked else [])
    evidence.sort(key=lambda f: f.sort_key)
    return {
        "pillar": PILLARS[question.pillar][0],
        "question_id": question.id,
        "question_title": question_title(question),
        "satisfied": satisfied,
        "contradicted": contradicted,
        "not_checked": not_checked,
        "update_answer": {
            "QuestionId": question.id,
            "SelectedChoices": selected,
            "Notes": _notes(satisfied, contradicted, not_checked, evidence, result),
        },
    }


def _notes(
    satisfied: list[str],
    contradicted: list[str],
    not_checked: list[str],
    evidence: list[Finding],
    result: RunResult,
) -> str:
    """What the answer rests on, within NOTES_LIMIT: the findings that do not fit are
    counted instead."""
    head = [f"mllint-wa {__version__} on {', '.join(p.root for p in result.projects)}:"]
    for label, ids in (
        ("met", satisfied),
        ("contradicted", contradicted),
        ("not checked", not_checked),
    ):
        if ids:
            head.append(f"{label}: {', '.join(ids)}")
    lines = [
        printable(
            f"{f.path}:{f.line}: {f.rule.code} [{f.rule.risk.value}]"
            f"{' (waived)' if f.suppressed_by else ''} {f.message}"
        )
        for f in evidence
    ]
    text = "\n".join(printable(line) for line in head)
    for shown, line in enumerate(lines):
        # Room for this line and, after it, for the count of the ones that would not fit.
        if len(text) + 1 + len(line) + len(_more(len(lines) - shown - 1)) > NOTES_LIMIT:
            return _clipped(text, _more(len(lines) - shown))
        text += "\n" + line
    return _clipped(text, "")


def _more(count: int) -> str:
    return f"\n… and {count} more finding{'s' if count != 1 else ''}" if count else ""


def _clipped(text: str, tail: str) -> str:
    room = NOTES_LIMIT - len(tail)
    return (text if len(text) <= room else text[: room - 1] + "…") + tail


def _command(update: object) -> str:
    assert isinstance(update, dict)
    selected = update["SelectedChoices"]
    # The CLI reads a list parameter as its words, or as JSON: an empty list needs the JSON.
    choices = " ".join(shlex.quote(c) for c in selected) if selected else shlex.quote("[]")
    return (
        f"{COMMAND_PREFIX} --question-id {shlex.quote(update['QuestionId'])} "
        f"--selected-choices {choices} --notes {shlex.quote(update['Notes'])}"
    )
