"""Folding the findings that repeat one fault into one.

Two kinds of repetition are folded, each into the finding at its first place; the message
names the others, and they are kept as related locations (SARIF ``relatedLocations``,
``related`` in JSON):

- **Objects of a notebook.** An example notebook creates one SDK object after another, and a
  rule that finds a fault in one usually finds it in all (a dozen training jobs without a
  VPC). The findings of one rule about the notebook's content fold into one, at the first
  object. Its fingerprint names the rule and the notebook only, never the objects, so it
  stays the same when an object is added, removed or moved.
- **Copies of one file.** An example copied into sibling folders repeats each of its findings
  in each copy. The findings of one rule at the same line and column of files with the same
  content, whose messages and anchors are the same but for the file's own path, fold into the
  one in the first copy in path order, which keeps its own fingerprint: copies added or
  removed after it in path order leave it as it was. Content is compared by git's object id,
  computed from the bytes the rules had read, else taken from the index for a tracked file;
  a file read by no rule and tracked by no index is compared with nothing.
- **Copies of one part of a file.** A translated copy of a documentation notebook keeps the
  code cells of its original, and with them their faults, at other lines. The findings of
  one rule about one part of a file (``Violation.copy_of``: a notebook cell that is not
  Python) whose parts have the same content fold into the one in the first file in path
  order, which keeps its own fingerprint.

Either way a baseline keeps absorbing the folded finding and code scanning keeps one alert.
Folding happens after inline ignores are applied, place by place (an ignore comment covers
the lines it stands on, in each copy), and before waivers and the baseline, which then judge
the folded finding.

A finding about something the project lacks (``Violation.about``: no model card) speaks of
the project, not of the file it stands on: it is never folded, and keeps the fingerprint that
names what is missing. Nor is a finding in a notebook whose anchor names no part of the
notebook (``data-versioning``, ``tests``: a fact of the project that merely stands there) one
of its objects: it keeps its own fingerprint too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Sequence

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.git import tracked_files
from mllint_wa.evidence.kinds import NOTEBOOK, kinds_of
from mllint_wa.model import Finding, RelatedLocation, fingerprint
from mllint_wa.parsers.secrets import redact
from mllint_wa.records import dataclass

# A message names this many of the other places; all of them are related locations.
MAX_NAMED = 10
# The first code span of a message names the object it is about (`estimator`).
_CODE_SPAN = re.compile(r"`([^`\n]{1,120})`")
_GIT_SHA256_ID = 32

# A finding's path relative to its project's root.
ProjectPath = Callable[[Finding], str]
# The git object id of a project file's content, or None when it is not known.
ContentId = Callable[[str], bytes | None]


@dataclass(frozen=True)
class Reported:
    """A finding with what folding needs to know of the violation behind it: its anchor, and
    the path of what it says is missing (``about``), if anything."""

    finding: Finding
    anchor: str = ""
    about: str = ""
    copy_of: str = ""


def fold(
    reported: Sequence[Reported], project_path: ProjectPath, content_id: ContentId
) -> list[Finding]:
    """The findings of one project, those of one rule in one notebook folded into one, then
    those repeated in copies of one file folded into one."""
    standing = [item.finding for item in reported if item.about]
    foldable = [item for item in reported if not item.about]
    by_notebook = _fold_notebooks(foldable, project_path)
    return standing + _fold_copies(by_notebook, project_path, content_id)


def content_ids(evidence: Evidence) -> ContentId:
    """The git object id of a project file's content: of the bytes a rule had read (never
    reading a file for this), else the one the index records for it. The index is read when
    first asked, which is only when two findings could stand on copies."""

    def content_id(path: str) -> bytes | None:
        tracked = tracked_files(evidence)
        data = evidence.read_already(path)
        if data is None:
            return tracked.object_ids.get(path)
        any_id = next(iter(tracked.object_ids.values()), b"")
        # The repository's own hash, so that a file read and a file not read compare.
        digest = hashlib.sha256() if len(any_id) == _GIT_SHA256_ID else hashlib.sha1()
        digest.update(b"blob %d\0" % len(data))
        digest.update(data)
        return digest.digest()

    return content_id


# -- objects of a notebook ----------------------------------------------------------------------


def _fold_notebooks(reported: Sequence[Reported], project_path: ProjectPath) -> list[Reported]:
    folded: list[Reported] = []
    groups: dict[tuple[str, str], list[Reported]] = {}
    for item in reported:
        relative = project_path(item.finding)
        # An anchor names what the finding is about; an object of the notebook is named
        # from the notebook's path, as is the notebook itself (and no anchor says nothing).
        of_notebook = not item.anchor or item.anchor.startswith(relative)
        if of_notebook and NOTEBOOK in kinds_of(relative):
            groups.setdefault((item.finding.rule.code, relative), []).append(item)
        else:
            folded.append(item)
    for (_, relative), members in groups.items():
        first_item, *other_items = sorted(members, key=lambda item: item.finding.sort_key)
        first, others = first_item.finding, [item.finding for item in other_items]
        merged = _merged(first, others, _also_in_notebook(others))
        # The notebook's path is the anchor: a rule that reports a notebook as a whole
        # (anchored on its path) keeps the fingerprint it had before findings were folded.
        identity = fingerprint(first.rule.code, redact(first.repository_path), redact(relative), "")
        # A part's copies are told apart only while the finding speaks of that part alone.
        copy_of = "" if others else first_item.copy_of
        merged = dataclasses.replace(merged, fingerprint=identity)
        folded.append(Reported(merged, relative, copy_of=copy_of))
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


# -- copies of one file -------------------------------------------------------------------------


def _fold_copies(
    reported: Sequence[Reported], project_path: ProjectPath, content_id: ContentId
) -> list[Finding]:
    # Grouped first by what can be told without content, so that content is asked only of
    # files that stand to fold.
    groups: dict[tuple[str, int, int, str, str], dict[str, Finding]] = {}
    parts: dict[tuple[str, str], dict[str, Finding]] = {}
    for item in reported:
        finding = item.finding
        relative = project_path(finding)
        if item.copy_of:
            parts.setdefault((finding.rule.code, item.copy_of), {}).setdefault(relative, finding)
            continue
        key = (
            finding.rule.code,
            finding.line,
            finding.column,
            _without(finding.message, relative),
            _without(item.anchor, relative),
        )
        # Equal findings in one file are one finding.
        groups.setdefault(key, {}).setdefault(relative, finding)
    folded: list[Finding] = []
    for copies_of_part in parts.values():
        first, *others = (finding for _, finding in sorted(copies_of_part.items()))
        folded.append(_merged(first, others, _also_in_parts(others)) if others else first)
    for members in groups.values():
        if len(members) == 1:
            folded.extend(members.values())
            continue
        copies: dict[bytes, list[Finding]] = {}
        for relative, finding in sorted(members.items()):
            identity = content_id(relative)
            if identity is None:
                folded.append(finding)
            else:
                copies.setdefault(identity, []).append(finding)
        for first, *others in copies.values():
            folded.append(_merged(first, others, _also_in_copies(others)) if others else first)
    return folded


def _without(text: str, path: str) -> str:
    """``text`` with the file's own path left out: a message or anchor that names the file
    it stands on says the same of every copy."""
    return text.replace(path, "\0") if path else text


def _also_in_copies(others: list[Finding]) -> str:
    """``; the same in 2 identical copies of this file: `b/train.py` and `c/train.py```."""
    copies = f"{len(others)} identical cop{'ies' if len(others) != 1 else 'y'}"
    return f"; the same in {copies} of this file: {_listed([f'`{f.path}`' for f in others])}"


def _also_in_parts(others: list[Finding]) -> str:
    """``; the same in 2 other files that hold this code as it is: `ko/nb.ipynb` and …``."""
    files = f"{len(others)} other file{'s' if len(others) != 1 else ''}"
    listed = _listed([f"`{f.path}`" for f in others])
    holds = "holds" if len(others) == 1 else "hold"
    return f"; the same in {files} that {holds} this code as it is: {listed}"


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
