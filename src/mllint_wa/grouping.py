"""One finding per rule and notebook.

An example notebook creates one SDK object after another, and a rule that finds a fault in
one usually finds it in all (a dozen training jobs without a VPC): reported per object, the
same finding would repeat down the notebook. So the findings of one rule in one notebook are
folded into one, at the first object; the message names the others with their lines, and
they are kept as related locations (SARIF ``relatedLocations``, ``related`` in JSON).

The folded finding's fingerprint names the rule and the notebook only, never the objects, so
it stays the same when an object is added, removed or moved: a baseline keeps absorbing it,
and code scanning keeps one alert. Folding happens after inline ignores are applied, object
by object (an ignore comment covers the lines it stands on), and before waivers and the
baseline, which then judge the folded finding.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence

from mllint_wa.evidence.kinds import NOTEBOOK, kinds_of
from mllint_wa.model import Finding, RelatedLocation, fingerprint
from mllint_wa.parsers.secrets import redact

# The message names this many of the others; all of them are related locations.
MAX_NAMED = 10
# The first code span of a message names the object it is about (`estimator`).
_CODE_SPAN = re.compile(r"`([^`\n]{1,120})`")


def fold_notebooks(
    findings: Sequence[Finding], project_path: Callable[[Finding], str]
) -> list[Finding]:
    """``findings`` with those of one rule in one notebook folded into one; ``project_path``
    gives a finding's path relative to its project's root."""
    folded: list[Finding] = []
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        relative = project_path(finding)
        if NOTEBOOK in kinds_of(relative):
            groups.setdefault((finding.rule.code, relative), []).append(finding)
        else:
            folded.append(finding)
    for (_, relative), members in groups.items():
        folded.append(_folded(sorted(members, key=lambda f: f.sort_key), relative))
    return folded


def _folded(members: list[Finding], relative: str) -> Finding:
    first, others = members[0], members[1:]
    related = first.related + tuple(
        place for other in others for place in (_place(other), *other.related)
    )
    return dataclasses.replace(
        first,
        message=first.message + _also(others),
        related=related,
        # The notebook's path is the anchor: a rule that reports a notebook as a whole
        # (anchored on its path) keeps the fingerprint it had before findings were folded.
        fingerprint=fingerprint(
            first.rule.code, redact(first.repository_path), redact(relative), ""
        ),
    )


def _place(finding: Finding) -> RelatedLocation:
    return RelatedLocation(
        finding.path, finding.line, finding.column, finding.message, finding.repository_path
    )


def _also(others: list[Finding]) -> str:
    """``; also in this notebook at line 40 (`tuner`), line 88 and 3 more places``."""
    if not others:
        return ""
    named = [_named(other) for other in others[:MAX_NAMED]]
    rest = len(others) - len(named)
    if rest:
        named.append(f"{rest} more place{'s' if rest != 1 else ''}")
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"; also in this notebook at {listed}"


def _named(finding: Finding) -> str:
    span = _CODE_SPAN.search(finding.message)
    # A message that quotes the notebook itself names no object in it.
    if span is None or finding.path.endswith(span.group(1)):
        return f"line {finding.line}"
    return f"line {finding.line} ({span.group(0)})"
