"""Each file's own contribution to the evidence, kept between runs by the file's content.

A fact is what a function of one file's bytes alone finds in it (the credentials its text
holds). When the project's findings cannot be reused (a file changed), the run still has the
facts of every file whose content it has seen before, by the SHA-256 the cache computed to
compare the files, and computes only those of the files that changed.

Facts come from the cache folder, which is not trusted: each one is plain JSON, decoded by
its codec field by field; one that does not decode is computed again. A fact is taken only
for a file whose stat when its reading began, and still when it ended, is the stat it was
hashed with (the digest is then the content's, as git's stat check assumes), and not for a file
changed in the last seconds (see :func:`mllint_wa.cache.settled`): a file written while it
is read never leaves a fact of other content behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from mllint_wa.records import dataclass

T = TypeVar("T")
# (size, mtime_ns, ctime_ns, inode): what a file's stat is compared by.
Stat = tuple[int, int, int, int]


def stat_of(info: os.stat_result) -> Stat:
    """What ``info`` is compared by."""
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


class NotAFact(ValueError):
    """Stored data that is not a fact its codec wrote."""


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How a fact is written as JSON data and read back; ``read`` raises :class:`NotAFact`
    (or any ValueError, TypeError or LookupError) for anything it did not write. ``write``
    gives None for a value not to keep: one the run must find again for what finding it
    brings besides (the failure of a file that is not text)."""

    write: Callable[[T], object]
    read: Callable[[object], T]


class FileFacts:
    """The facts of one project's files: those stored by earlier runs, by content digest,
    and those this run found or confirmed, to store for the next."""

    def __init__(self) -> None:
        # path -> (stat, digest) of the files whose digest may key a fact.
        self._hashed: Mapping[str, tuple[Stat, str]] = {}
        # fact -> digest -> JSON data, as read from the cache: not trusted.
        self._stored: Mapping[str, Mapping[str, object]] = {}
        # fact -> digest -> JSON data, computed or decoded by this run.
        self.found: dict[str, dict[str, object]] = {}

    def use(
        self,
        hashed: Mapping[str, tuple[Stat, str]],
        stored: Mapping[str, Mapping[str, object]],
    ) -> None:
        """Key facts by ``hashed`` (each file's stat and digest as the cache took them) and
        start from ``stored``."""
        self._hashed, self._stored = hashed, stored

    def get(
        self, path: str, read_as: Stat | None, fact: str, compute: Callable[[], T], codec: Codec[T]
    ) -> T:
        """The ``fact`` of the file at ``path``, whose bytes were read with stat
        ``read_as``: as stored for its content when it decodes, else ``compute()``."""
        hashed = self._hashed.get(path)
        if hashed is None or read_as is None or hashed[0] != read_as:
            return compute()
        digest = hashed[1]
        data = self._stored.get(fact, {}).get(digest)
        if data is not None:
            try:
                value = codec.read(data)
            except (ValueError, TypeError, LookupError):
                pass
            else:
                self.found.setdefault(fact, {})[digest] = data
                return value
        value = compute()
        written = codec.write(value)
        if written is not None:
            self.found.setdefault(fact, {})[digest] = written
        return value

    def kept(self, found: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, object]]:
        """What to store: ``found`` (this run's facts, from whichever process found them),
        then the stored facts of contents the project still holds that this run did not ask
        for (a run of a few rules keeps the others' facts)."""
        digests = {digest for _, digest in self._hashed.values()}
        kept: dict[str, dict[str, object]] = {}
        for fact, by_digest in self._stored.items():
            still = {d: data for d, data in by_digest.items() if d in digests}
            if still:
                kept[fact] = still
        for fact, by_digest in found.items():
            kept.setdefault(fact, {}).update(by_digest)
        return {fact: dict(sorted(kept[fact].items())) for fact in sorted(kept)}
