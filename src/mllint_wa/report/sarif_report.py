"""SARIF 2.1.0, as GitHub code scanning reads it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import quote

from mllint_wa import __version__
from mllint_wa.lens import PRACTICE_BY_ID
from mllint_wa.model import Finding, Risk, Rule
from mllint_wa.report import ReportOptions, printable
from mllint_wa.report.rules_doc import doc_url

if TYPE_CHECKING:
    from mllint_wa.runner import RunResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Risk.HIGH: "error", Risk.MEDIUM: "warning", Risk.LOW: "note"}
# GitHub shows at most this many characters of a rule's descriptions.
_DESCRIPTION_LIMIT = 1024


def _text(text: str) -> dict[str, str]:
    if len(text) > _DESCRIPTION_LIMIT:
        text = text[: _DESCRIPTION_LIMIT - 1] + "…"
    return {"text": text}


def _uri(path: str) -> str:
    # A relative URI reference: non-UTF-8 bytes and reserved characters are percent-encoded.
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def _descriptor(rule: Rule) -> dict[str, object]:
    practices = [PRACTICE_BY_ID[ref] for ref in rule.lens_refs]
    references = "\n".join(f"- [{p.id}]({p.url}) {p.title}" for p in practices)
    tags = [rule.phase.value, *(p.value for p in rule.pillars), *rule.lens_refs_with_aliases]
    if rule.preview:
        tags.insert(0, "preview")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": _text(rule.summary),
        "fullDescription": _text(rule.explanation or rule.summary),
        # The rule's own section in docs/rules.md; a plugin's rule, which has none there,
        # points at the first practice it enforces.
        "helpUri": doc_url(rule) or practices[0].url,
        "help": {
            "text": f"{rule.fix}\n\nML Lens: {', '.join(rule.lens_refs_with_aliases)}",
            "markdown": f"{rule.fix}\n\n**ML Lens best practices**\n\n{references}",
        },
        "defaultConfiguration": {"level": LEVELS[rule.risk]},
        # A preview rule's measured precision is below 90%.
        "properties": {
            "tags": list(dict.fromkeys(tags))[:20],
            "precision": "medium" if rule.preview else "high",
        },
    }


def _physical(path: str, line: int, column: int) -> dict[str, object]:
    # From the repository root, as code scanning resolves it.
    return {
        "artifactLocation": {"uri": _uri(path)},
        "region": {"startLine": line, "startColumn": column},
    }


def _related(finding: Finding) -> dict[str, object]:
    """The finding's other places (the other objects of a notebook folded into it) as
    ``relatedLocations``, numbered from 1 so that each is distinct."""
    if not finding.related:
        return {}
    places = [
        {
            "id": number,
            "physicalLocation": _physical(
                place.repository_path or place.path, place.line, place.column
            ),
            "message": {"text": printable(place.message)},
        }
        for number, place in enumerate(finding.related, start=1)
    ]
    return {"relatedLocations": places}


def _suppressions(finding: Finding) -> dict[str, object]:
    """A suppressed finding's SARIF ``suppressions``: ``inSource`` for an ignore comment,
    ``external`` for a waiver in lens.toml or a baseline entry."""
    if not finding.suppression_kind:
        return {}
    kind = "inSource" if finding.suppression_kind == "inline" else "external"
    suppression: dict[str, object] = {"kind": kind, "status": "accepted"}
    if finding.justification:
        suppression["justification"] = printable(finding.justification)
    return {"suppressions": [suppression]}


def document(result: RunResult) -> dict[str, object]:
    reported = [*result.findings, *result.suppressed]
    rules = sorted({f.rule.code: f.rule for f in reported}.values(), key=lambda r: r.code)
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = [
        {
            "ruleId": f.rule.code,
            "ruleIndex": index[f.rule.code],
            "level": LEVELS[f.rule.risk],
            "message": {"text": printable(f.message)},
            "locations": [
                {"physicalLocation": _physical(f.repository_path or f.path, f.line, f.column)}
            ],
            "partialFingerprints": {"mllintWa/v1": f.fingerprint},
            **_related(f),
            **_suppressions(f),
        }
        for f in reported
    ]
    notifications = [
        {"level": "error", "message": {"text": printable(failure.message)}}
        for failure in result.errors
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mllint-wa",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_descriptor(rule) for rule in rules],
                    }
                },
                "automationDetails": {"id": "mllint-wa/"},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }


def render(result: RunResult, options: ReportOptions) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=True) + "\n"
