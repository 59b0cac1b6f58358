"""Reading the linted tree: what every reader of it uses.

A bounded prefix of an open file, so that no file, however large or however fast it grows, is
read past its limit; files of git's own read only where no symlink leads to them; and which
symlinks lead to evidence at all (those that stay inside the project and out of git's data).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_CHUNK = 1024 * 1024


def read_prefix(descriptor: int, limit: int, expected: int = _CHUNK) -> bytes:
    """At most ``limit`` bytes from the start of an open regular file.

    ``expected`` is the size ``fstat`` gave, plus one: asking for that much at once reads a
    small file in one call without allocating a large buffer, and a short read is the end of
    a regular file. A file that grew is read on, chunk by chunk, up to ``limit``."""
    chunks: list[bytes] = []
    remaining = limit
    request = max(1, min(expected, _CHUNK))
    while remaining > 0:
        wanted = min(remaining, request)
        chunk = os.read(descriptor, wanted)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
        if len(chunk) < wanted:
            break
        request = _CHUNK
    return b"".join(chunks)


class NotRegularFile(OSError):
    """A folder, FIFO, device or socket where a regular file was to be read."""


def read_unlinked(path: Path, limit: int, links_from: Path) -> bytes:
    """At most ``limit`` bytes of the regular file ``path``, read only when no symlink lies on
    the way from ``links_from`` (exclusive) down to it: git's own files, whose links could
    name another repository's data. A symlink is an ``OSError`` with ``errno.ELOOP``, what is
    not a regular file a :class:`NotRegularFile`, a missing file a ``FileNotFoundError``."""
    folder = links_from
    for part in path.relative_to(links_from).parts[:-1]:
        folder = folder / part
        if stat.S_ISLNK(os.lstat(folder).st_mode):
            raise OSError(errno.ELOOP, "a symlink is on the way", os.fspath(folder))
    # Non-blocking, so that opening a FIFO returns at once and fstat can refuse it.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", os.fspath(path))
        return read_prefix(descriptor, limit, info.st_size + 1)
    finally:
        os.close(descriptor)


def symlink_refusal(target: str, root: str) -> str | None:
    """Why a symlink whose resolved target is ``target`` leads to nothing a rule may read of
    the project at (resolved) ``root``: out of the project, or into git's data (a ``.git``
    folder or file below the root: its config and index are never the project's evidence).
    None when it leads inside."""
    inside = root.rstrip(os.sep) + os.sep
    if target != root and not target.startswith(inside):
        return "symlink points outside the project"
    if ".git" in target[len(inside) :].split(os.sep):
        return "symlink points into git's data (.git)"
    return None
