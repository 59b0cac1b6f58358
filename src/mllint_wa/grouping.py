"""Folding the findings that repeat one fault into one.

**Objects of a notebook.** An example notebook creates one SDK object after another, and a
rule that finds a fault in one usually finds it in all (a dozen training jobs without a VPC).
The findings of one rule about the notebook's content fold into one, at the first object; the
message names the others with their lines, and they are kept as related locations (SARIF
``relatedLocations``, ``related`` in JSON). Its fingerprint names the rule and the notebook
only, never the objects, so it stays the same when an object is added, removed or moved: a
baseline keeps absorbing it, and code scanning keeps one alert. Folding happens after inline
ignores are applied, object by object (an ignore comment covers the lines it stands on), and
before waivers and the baseline, which then judge the folded finding.

A finding about something the project lacks (``Violation.about``: no model card) speaks of
the project, not of the file it stands on: it is never folded, and keeps the fingerprint that
names what is missing. Nor is a finding in a notebook whose anchor names no part of the
notebook (``data-versioning``, ``tests``: a fact of the project that merely stands there) one
of its objects: it keeps its own fingerprint too.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mllint_wa.evidence.kinds import NOTEBOOK, kinds_of
from mllint_wa.model import Finding, RelatedLocation, fingerprint
from mllint_wa.parsers.secrets import redact

# A message names this many of the other places; all of them are related locations.
MAX_NAMED = 10
# The first code span of a message names the object it is about (`estimator`).
_CODE_SPAN = re.compile(r"`([^`\n]{1,120})`")

# A finding's path relative to its project's root.
ProjectPath = Callable[[Finding], str]


@dataclass(frozen=True)
class Reported:
    """A finding with what folding needs to know of the violation behind it: its anchor, and
    the path of what it says is missing (``about``), if anything."""

    finding: Finding
    anchor: str = ""
    about: str = ""


def fold(reported: Sequence[Reported], project_path: ProjectPath) -> list[Finding]:
    """The findings of one project, those of one rule in one notebook folded into one."""
    standing = [item.finding for item in reported if item.about]
    foldable = [item for item in reported if not item.about]
    return standing + [item.finding for item in _fold_notebooks(foldable, project_path)]


# -- objects of a notebook ----------------------------------------------------------------------


def _fold_notebooks(reported: Sequence[Reported], project_path: ProjectPath) -> list[Reported]:
    folded: list[Reported] = []
    groups: dict[tuple[str, str], list[Finding]] = {}
    for item in reported:
        finding = item.finding
        relative = project_path(finding)
        # An anchor names what the finding is about; an object of the notebook is named
        # from the notebook's path, as is the notebook itself (and no anchor says nothing).
        of_notebook = not item.anchor or item.anchor.startswith(relative)
        if of_notebook and NOTEBOOK in kinds_of(relative):
            groups.setdefault((finding.rule.code, relative), []).append(finding)
        else:
            folded.append(item)
    for (_, relative), members in groups.items():
        first, *others = sorted(members, key=lambda f: f.sort_key)
        merged = _merged(first, others, _also_in_notebook(others))
        # The notebook's path is the anchor: a rule that reports a notebook as a whole
        # (anchored on its path) keeps the fingerprint it had before findings were folded.
        identity = fingerprint(first.rule.code, redact(first.repository_path), redact(relative), "")
        folded.append(Reported(dataclasses.replace(merged, fingerprint=identity), relative))
    return folded


def _also_in_notebook(others: list[Finding]) -> str:
    """``; also in this notebook at line 40 (`tuner`), line 88 and 3 more places``."""
    if not others:
        return ""
    return f"; also in this notebook at {_listed([_named(other) for other in others], 'place')}"


def _named(finding: Finding) -> str:
    span = _CODE_SPAN.search(finding.message)
    # A message that quotes the notebook itself names no object in it.
    if span is None or finding.path.endswith(span.group(1)):
        return f"line {finding.line}"
    return f"line {finding.line} ({span.group(0)})"


# -- shared -------------------------------------------------------------------------------------


def _merged(first: Finding, others: list[Finding], said: str) -> Finding:
    """``first`` saying ``said`` of the ``others``, which become its related places."""
    related = first.related + tuple(
        place for other in others for place in (_place(other), *other.related)
    )
    return dataclasses.replace(first, message=first.message + said, related=related)


def _place(finding: Finding) -> RelatedLocation:
    return RelatedLocation(
        finding.path, finding.line, finding.column, finding.message, finding.repository_path
    )


def _listed(names: list[str], unit: str = "") -> str:
    """``a, b and c``; beyond MAX_NAMED, ``a, b … and 3 more`` (``3 more places``)."""
    named = names[:MAX_NAMED]
    rest = len(names) - len(named)
    if rest:
        noun = f" {unit}{'s' if rest != 1 else ''}" if unit else ""
        named.append(f"{rest} more{noun}")
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
