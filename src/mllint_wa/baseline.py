"""Baselines: the findings a repository had when it adopted mllint-wa, so CI fails on new ones.

A baseline file is JSON: a format ``version``, the tool, and one entry per finding with its
fingerprint, rule code and name, path from the repository root and message, sorted. A
finding is absorbed by an entry with the same fingerprint, which names the rule, the file
and the thing at fault but not the line, so lines inserted above a finding do not set it
free. Entries are counted: two identical findings need two entries.

Findings of the rules that judge suppressions (the ones that cannot be waived: broken,
expired or unused waivers and ignores) are never recorded nor absorbed: a baseline would
otherwise hide a broken suppression for good.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from mllint_wa import __version__
from mllint_wa.model import Finding
from mllint_wa.records import dataclass

VERSION = 1
# A baseline of a million findings is still well below this.
MAX_BYTES = 256 * 1024 * 1024
_FIELDS = ("fingerprint", "code", "name", "path", "message")


class BaselineError(Exception):
    """A baseline file that cannot be used; the CLI reports it and exits 2."""


@dataclass(frozen=True, order=True)
class BaselineEntry:
    path: str
    code: str
    fingerprint: str
    name: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in _FIELDS}


def baselinable(finding: Finding) -> bool:
    return finding.rule.waivable


def entry_of(finding: Finding) -> BaselineEntry:
    return BaselineEntry(
        path=finding.repository_path or finding.path,
        code=finding.rule.code,
        fingerprint=finding.fingerprint,
        name=finding.rule.name,
        message=finding.message,
    )


@dataclass(frozen=True)
class Baseline:
    """The entries of one baseline file; ``source`` is the file as the user named it."""

    source: str
    entries: tuple[BaselineEntry, ...]

    @classmethod
    def of(cls, source: str, findings: Iterable[Finding]) -> Baseline:
        return cls(source, tuple(sorted(entry_of(f) for f in findings if baselinable(f))))

    def document(self) -> str:
        """The file's text: stable, sorted, one entry per finding."""
        content = {
            "version": VERSION,
            "tool": {"name": "mllint-wa", "version": __version__},
            "findings": [entry.to_dict() for entry in self.entries],
        }
        return json.dumps(content, indent=2, ensure_ascii=True) + "\n"

    def split(
        self, findings: Sequence[Finding], ran: Collection[str]
    ) -> tuple[list[Finding], list[Finding], list[BaselineEntry]]:
        """(findings still reported, findings the baseline absorbs, stale entries). An entry
        is stale when no finding matched it and its rule ran to the end in this run: an
        entry of a rule left out by --select or by a failure is not judged."""
        remaining = Counter(entry.fingerprint for entry in self.entries)
        kept: list[Finding] = []
        absorbed: list[Finding] = []
        for finding in findings:
            if baselinable(finding) and remaining[finding.fingerprint] > 0:
                remaining[finding.fingerprint] -= 1
                absorbed.append(finding)
            else:
                kept.append(finding)
        stale: list[BaselineEntry] = []
        for entry in self.entries:
            if remaining[entry.fingerprint] > 0 and entry.code in ran:
                remaining[entry.fingerprint] -= 1
                stale.append(entry)
        return kept, absorbed, stale

    def mark(self, findings: Iterable[Finding]) -> list[Finding]:
        return [
            dataclasses.replace(
                f,
                suppressed_by=self.source,
                suppression_kind="baseline",
                justification=f"recorded in the baseline {self.source}",
            )
            for f in findings
        ]

    def without(self, stale: Iterable[BaselineEntry]) -> Baseline:
        dropped = Counter(stale)
        entries = []
        for entry in self.entries:
            if dropped[entry] > 0:
                dropped[entry] -= 1
            else:
                entries.append(entry)
        return Baseline(self.source, tuple(entries))


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; any problem is a :class:`BaselineError` with a one-line message."""
    where = f"baseline {path}"
    raw = _read(path, where)
    try:
        content = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        detail = f" (line {error.lineno})" if isinstance(error, json.JSONDecodeError) else ""
        raise BaselineError(f"{where} is not JSON{detail}") from None
    if not isinstance(content, dict) or not isinstance(content.get("findings"), list):
        raise BaselineError(f"{where} is not a mllint-wa baseline (no `findings` list)")
    if content.get("version") != VERSION:
        raise BaselineError(
            f"{where} has version {content.get('version')!r}; this mllint-wa reads version "
            f"{VERSION} (write it again with --write-baseline)"
        )
    entries = []
    for index, item in enumerate(content["findings"]):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in _FIELDS):
            raise BaselineError(
                f"{where}: finding {index + 1} needs the strings {', '.join(_FIELDS)}"
            )
        entries.append(BaselineEntry(**{key: item[key] for key in _FIELDS}))
    return Baseline(str(path), tuple(entries))


def _read(path: Path, where: str) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise BaselineError(f"cannot read {where}: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BaselineError(f"{where} is not a regular file")
        if info.st_size > MAX_BYTES:
            raise BaselineError(f"{where} is larger than {MAX_BYTES // 2**20} MiB")
        with os.fdopen(os.dup(fd), "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise BaselineError(f"cannot read {where}: {error.strerror or error}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise BaselineError(f"{where} is larger than {MAX_BYTES // 2**20} MiB")
    return data
