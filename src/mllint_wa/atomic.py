"""Files written all at once: a temporary file in the same folder, renamed over the target.

A run that fails half-way (a full disk, an interrupt) leaves the old file or none, never an
empty or truncated one: a CI step that reads the report afterwards, or the next run that
reads a manifest written by ``init``, sees either the complete text or nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


def _new_file_mode() -> int:
    # The mode open() would give a new file; mkstemp's 0600 would hide a report from the
    # rest of a CI job running as another user.
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write ``data`` to ``path`` in one step; raises ``OSError`` (``FileExistsError`` when
    ``overwrite`` is false and something is already there) and leaves no temporary file.

    A symlink at ``path`` is written through, so the file it names gets the data; a device or
    a pipe (``-o /dev/stdout``) is written as it is, having no folder to rename in.
    """
    mode = _new_file_mode()
    if overwrite:
        try:
            existing = os.stat(path).st_mode
        except FileNotFoundError:
            pass
        else:
            if not stat.S_ISREG(existing):
                with open(path, "wb") as stream:
                    stream.write(data)
                return
            mode = stat.S_IMODE(existing)
    target = Path(os.path.realpath(path)) if overwrite else path
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if overwrite:
            os.replace(temporary, target)
        else:
            _link_unless_present(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _link_unless_present(temporary: str, target: Path) -> None:
    """Give the written file its name only if the name is free, without a window in which
    another process could create it in between (a hard link fails on an existing name)."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError:
        # File systems without hard links: check, then rename.
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.replace(temporary, target)
