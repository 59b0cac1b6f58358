"""What linting one project found, and the same as plain JSON data: what the cache keeps
and what a worker process sends back (see :mod:`mllint_wa.cache`, :mod:`mllint_wa.parallel`).

Plain data is read back strictly: every field of the expected type, every rule code one of
the project's selected rules. Anything else is :class:`NotAnOutcome`, and the project is
linted afresh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mllint_wa.model import Finding, RelatedLocation, Rule
from mllint_wa.records import dataclass


@dataclass(frozen=True)
class RuleFailure:
    """A rule that raised: the run goes on without it and ends with exit code 2."""

    message: str
    traceback: str
    code: str = ""
    project: str = ""


@dataclass
class Outcome:
    """What linting one project found, before waivers: its findings (inline ignores applied,
    notebook objects folded), the findings its inline ignores suppressed, whether each
    selected rule applied, the codes of the rules that ran to the end, the rules that
    failed, the questions the rules asked about paths outside the walked files, and the
    warnings of files the rules could not check (syntax newer than this Python)."""

    findings: list[Finding]
    ignored: list[Finding]
    applicable: dict[Rule, bool]
    ran: set[str]
    errors: list[RuleFailure]
    probes: dict[str, bool | None]
    warnings: list[str]


class NotAnOutcome(Exception):
    """Plain data that is not an outcome of the expected shape."""


def to_data(outcome: Outcome) -> dict[str, object]:
    """The outcome as JSON-able data (lists, strings, numbers, booleans)."""
    return {
        "findings": [_finding_data(f) for f in outcome.findings],
        "ignored": [_finding_data(f) for f in outcome.ignored],
        "applicable": [rule.code for rule, yes in outcome.applicable.items() if yes],
        "not_applicable": [rule.code for rule, yes in outcome.applicable.items() if not yes],
        "ran": sorted(outcome.ran),
        "errors": [[e.message, e.traceback, e.code, e.project] for e in outcome.errors],
        "probes": dict(outcome.probes),
        "warnings": list(outcome.warnings),
    }


def from_data(data: Mapping[str, object], rules: Sequence[Rule]) -> Outcome:
    """The outcome :func:`to_data` made, for a project whose selected rules are ``rules``;
    :class:`NotAnOutcome` for anything else."""
    if set(data) != {"findings", "ignored", "applicable", "not_applicable", "ran", "errors"} | {
        "probes",
        "warnings",
    }:
        raise NotAnOutcome("unexpected fields")
    by_code = {rule.code: rule for rule in rules}
    applicable = set(_strings(data["applicable"]))
    not_applicable = set(_strings(data["not_applicable"]))
    if applicable & not_applicable or applicable | not_applicable != set(by_code):
        raise NotAnOutcome("the rules do not match the project's")
    ran = set(_strings(data["ran"]))
    if not ran <= applicable:
        raise NotAnOutcome("a rule ran that did not apply")
    errors = [RuleFailure(*_strings(error, 4)) for error in _list(data["errors"])]
    probes = data["probes"]
    if not isinstance(probes, dict) or not all(
        isinstance(path, str) and (answer is None or isinstance(answer, bool))
        for path, answer in probes.items()
    ):
        raise NotAnOutcome("malformed probes")
    return Outcome(
        findings=[_finding(item, by_code) for item in _list(data["findings"])],
        ignored=[_finding(item, by_code) for item in _list(data["ignored"])],
        applicable={rule: rule.code in applicable for rule in rules},
        ran=ran,
        errors=errors,
        probes=dict(probes),
        warnings=_strings(data["warnings"]),
    )


def _finding_data(finding: Finding) -> list[object]:
    return [
        finding.rule.code,
        finding.path,
        finding.line,
        finding.column,
        finding.message,
        finding.project,
        finding.fingerprint,
        finding.repository_path,
        finding.suppressed_by,
        finding.suppression_kind,
        finding.justification,
        [[p.path, p.line, p.column, p.message, p.repository_path] for p in finding.related],
    ]


def _finding(item: object, by_code: Mapping[str, Rule]) -> Finding:
    fields = _list(item, 12)
    code, path, message, project, fingerprint = _strings(
        [fields[0], fields[1], fields[4], fields[5], fields[6]], 5
    )
    repository_path, suppressed_by, kind, justification = _strings(fields[7:11], 4)
    rule = by_code.get(code)
    if rule is None:
        raise NotAnOutcome(f"no selected rule {code}")
    related = []
    for place in _list(fields[11]):
        parts = _list(place, 5)
        where, text, repository = _strings([parts[0], parts[3], parts[4]], 3)
        related.append(RelatedLocation(where, _line(parts[1]), _line(parts[2]), text, repository))
    return Finding(
        rule=rule,
        path=path,
        line=_line(fields[2]),
        column=_line(fields[3]),
        message=message,
        project=project,
        fingerprint=fingerprint,
        repository_path=repository_path,
        suppressed_by=suppressed_by,
        suppression_kind=kind,
        justification=justification,
        related=tuple(related),
    )


def _list(value: object, length: int | None = None) -> list[object]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise NotAnOutcome("expected a list")
    return value


def _strings(value: object, length: int | None = None) -> list[str]:
    items = _list(value, length)
    if not all(isinstance(item, str) for item in items):
        raise NotAnOutcome("expected strings")
    return [str(item) for item in items]


def _line(value: object) -> int:
    if type(value) is not int or value < 1:
        raise NotAnOutcome("expected a line or column number")
    return value
