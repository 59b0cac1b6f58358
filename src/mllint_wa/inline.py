"""Inline ignores: ``mllint-wa: ignore[CODE-or-name, …] reason`` in a comment.

An ignore covers the findings of the rules it names on its own line and on the line below,
in the file it is written in. It is read from comments only (see
:mod:`mllint_wa.parsers.comments` for how strictly each file kind is read), from every file
of a kind that has comments, through the evidence layer (lens.toml from the text the
manifest was read from), and only from files whose bytes hold ``mllint-wa``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Sequence

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import kinds
from mllint_wa.model import Finding, Location, Rule
from mllint_wa.parsers import comments
from mllint_wa.project import MANIFEST_NAME
from mllint_wa.records import dataclass
from mllint_wa.registry import find_rule

NEEDLE = "mllint-wa:"
_MARKER = re.compile(r"mllint-wa:\s*ignore\b(?:\[([^\]]*)\])?(.*)", re.IGNORECASE | re.DOTALL)
_SEPARATORS = " \t:-\u2013\u2014"  # and the en and em dashes

Reader = Callable[[str, str], Iterator[comments.Comment]]

# The first kind of a file in this order decides how its comments are read.
_READER_BY_KIND: tuple[tuple[str, Reader], ...] = (
    (kinds.NOTEBOOK, comments.notebook_comments),
    (kinds.PYTHON, comments.python_comments),
    (kinds.MARKDOWN, comments.markdown_comments),
    (kinds.TERRAFORM, comments.hcl_comments),
    (kinds.INI, comments.ini_comments),
    (kinds.SETUP_CFG, comments.ini_comments),
    *(
        (kind, comments.hash_comments)
        for kind in (
            kinds.YAML,
            kinds.TOML,
            kinds.SHELL,
            kinds.DOCKERFILE,
            kinds.REQUIREMENTS,
            kinds.DOTENV,
            kinds.PIPFILE,
            kinds.DVC,
            kinds.MLPROJECT,
            kinds.GITATTRIBUTES,
        )
    ),
)
_KINDS = tuple(kind for kind, _ in _READER_BY_KIND)


@dataclass(frozen=True)
class Ignore:
    """One ignore comment; ``path`` is relative to the project root."""

    path: str
    line: int
    column: int
    # The rules as written, in order; empty when the brackets are missing or empty.
    selectors: tuple[str, ...]
    reason: str
    # The how-manieth ignore of its file: what identifies it when lines move.
    ordinal: int

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column)

    def anchor(self, selector: str = "") -> str:
        return f"{self.path}:ignore:{self.ordinal}:{selector}"

    def shown(self) -> str:
        return f"mllint-wa: ignore[{', '.join(self.selectors)}]"

    def covers(self, location: Location) -> bool:
        return location.path == self.path and location.line in (self.line, self.line + 1)

    def rules(self, rules: Sequence[Rule]) -> set[str]:
        """The codes of the rules it names that exist and may be suppressed."""
        found = (find_rule(selector, rules) for selector in self.selectors)
        return {rule.code for rule in found if rule is not None and rule.waivable}


def _reader(path: str) -> Reader | None:
    found = kinds.kinds_of(path)
    return next((reader for kind, reader in _READER_BY_KIND if kind in found), None)


def parse_marker(comment: str) -> tuple[tuple[str, ...], str] | None:
    """``(selectors, reason)`` of a comment that starts with ``mllint-wa: ignore``."""
    match = _MARKER.match(comment)
    if match is None:
        return None
    listed = match.group(1) or ""
    selectors = tuple(s.strip() for s in re.split(r"[,\s]+", listed) if s.strip())
    reason = comments.strip_closer(match.group(2)).strip().lstrip(_SEPARATORS).strip()
    return selectors, " ".join(reason.split())


def read_ignores(path: str, text: str, reader: Reader) -> list[Ignore]:
    found: list[Ignore] = []
    for line, column, comment in reader(text, NEEDLE):
        parsed = parse_marker(comment)
        if parsed is not None:
            found.append(Ignore(path, line, column, *parsed, ordinal=len(found) + 1))
    return found


def project_ignores(ctx: ProjectContext) -> tuple[Ignore, ...]:
    """Every ignore comment of the project, read once per run."""
    return ctx.evidence.memo(_IGNORES, lambda: tuple(_scan(ctx)))


def _scan(ctx: ProjectContext) -> Iterator[Ignore]:
    evidence = ctx.evidence
    needle = NEEDLE.encode()
    for path in evidence.files(*_KINDS):
        manifest = path == MANIFEST_NAME and ctx.manifest_text is not None
        if not (manifest or evidence.mentions(path, needle)):
            continue  # most files: no reader is looked up for them
        # Every file of these kinds has a reader; the test only narrows the type.
        reader = _reader(path)
        if reader is None:
            continue
        text = ctx.manifest_text if manifest else evidence.text(path)
        if text is not None and NEEDLE in text:
            yield from read_ignores(path, text, reader)


def apply_ignores(
    findings: Sequence[Finding],
    ignores: Sequence[Ignore],
    rules: Sequence[Rule],
    project_path: Callable[[Finding], str],
) -> tuple[list[Finding], list[Finding]]:
    """Split findings into those still reported and those an ignore comment suppresses.
    ``project_path`` gives a finding's path relative to the project root."""
    by_path: dict[str, list[tuple[Ignore, set[str]]]] = {}
    for ignore in ignores:
        by_path.setdefault(ignore.path, []).append((ignore, ignore.rules(rules)))
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        location = Location(project_path(finding), finding.line, finding.column)
        match = next(
            (
                ignore
                for ignore, codes in by_path.get(location.path, ())
                if finding.rule.code in codes and ignore.covers(location)
            ),
            None,
        )
        if match is None:
            kept.append(finding)
            continue
        where = finding.path[: len(finding.path) - len(location.path)] + match.path
        suppressed.append(
            dataclasses.replace(
                finding,
                suppressed_by=f"{where}:{match.line}",
                suppression_kind="inline",
                justification=match.reason,
            )
        )
    return kept, suppressed


_IGNORES = object()
