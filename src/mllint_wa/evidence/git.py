"""What git tracks, read from the repository's index file, never by running git.

Running git would run hooks and the fsmonitor of the repository being linted, so the index
(``.git/index``, versions 2, 3 and 4) is read here directly, within bounds: the repository is
found from the project upward (a ``.git`` folder, or a ``.git`` file whose ``gitdir:`` line
names it, as worktrees and submodules have), and the index is read only when it is a regular
file under :data:`INDEX_LIMIT`. Nothing of git's is read through a symlink: a linked index or
git directory could name another repository's, and decide what counts as committed here.

A version 4 index keeps each path's prefix shared with the previous one, so a small index can
stand for gigabytes of paths: an index's paths are read up to :data:`PATH_EXPANSION` times
its size in total (real trees share about half of each path with the one before), never more
than :data:`INDEX_LIMIT`.

A size comes from the entry's 32-bit size field, which git keeps equal to the working-tree
file's size modulo 2**32; only when that field says 0 (git zeroes it for "racily clean"
entries, and a multiple of 4 GiB wraps to it) or the file is a data or model file (where a
wrapped size is plausible) is the file itself ``lstat``-ed.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import struct
from collections.abc import Iterator
from dataclasses import field
from pathlib import Path
from typing import NamedTuple

from mllint_wa.bounded import NotRegularFile, read_unlinked, refused_as_symlink
from mllint_wa.evidence import Evidence
from mllint_wa.evidence.kinds import DATA, MODEL
from mllint_wa.records import dataclass

INDEX_LIMIT = 256 * 1024 * 1024
PATH_EXPANSION = 8
# A ".git" file holds one "gitdir:" line; anything much larger is not one.
_GITFILE_LIMIT = 4096
_ENTRIES_LIMIT = 10_000_000
_WRAP = 1 << 32


class IndexUnreadable(Exception):
    """An index that cannot be read; the message says why, for the one note about it."""


@dataclass(frozen=True)
class Repository:
    """Where a work tree's repository lives: the work tree's root and its git directory."""

    root: Path
    git_dir: Path
    common_dir: Path


class IndexEntry(NamedTuple):
    """A file the index holds: its path, its recorded size and its object id (the hash git
    gave its content when it was added)."""

    path: str
    size: int
    object_id: bytes


@dataclass(frozen=True)
class TrackedFiles:
    """The project's files that git tracks, with their sizes in bytes and object ids.

    ``repository`` is None outside a repository; ``problem`` says why the index could not be
    read (then nothing is known to be tracked); ``index_path`` is the index's path relative
    to the project when it lies inside the project.
    """

    repository: Repository | None
    sizes: dict[str, int] = field(default_factory=dict)
    problem: str | None = None
    index_path: str | None = None
    object_ids: dict[str, bytes] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        """Whether the rules can tell tracked files from the rest."""
        return self.repository is not None and self.problem is None


def find_repository(start: Path) -> Repository | None:
    """The repository whose work tree holds ``start``, resolved statically: the nearest
    ``.git`` folder, or ``.git`` file naming its git directory, at or above ``start``."""
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        try:
            mode = os.lstat(dot_git).st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode):
            git_dir = _gitdir_from_file(dot_git)
            return None if git_dir is None else Repository(folder, git_dir, _common_dir(git_dir))
        # A folder, or a symlink: still the repository's root, but a linked one is not read.
        if stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
            return Repository(folder, dot_git, _common_dir(dot_git))
        return None
    return None


def _read_git_file(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a file in a git directory (``path``'s parent), when neither
    the file nor that directory is a symlink; ``OSError`` otherwise (``errno.ELOOP`` for a
    symlink, :class:`~mllint_wa.bounded.NotRegularFile` for what is not a regular file)."""
    return read_unlinked(path, limit, path.parent.parent)


def _gitdir_from_file(dot_git: Path) -> Path | None:
    try:
        head = read_unlinked(dot_git, _GITFILE_LIMIT + 1, dot_git.parent)
    except OSError:
        return None
    if len(head) > _GITFILE_LIMIT or not head.startswith(b"gitdir:"):
        return None
    target = os.fsdecode(head[len(b"gitdir:") :].strip())
    if not target or "\n" in target or "\0" in target:
        return None
    git_dir = (dot_git.parent / target) if not os.path.isabs(target) else Path(target)
    return git_dir if git_dir.is_dir() else None


def _common_dir(git_dir: Path) -> Path:
    """A linked worktree's git directory names the main one in ``commondir``; the
    repository's configuration lives there."""
    try:
        target = os.fsdecode(_read_git_file(git_dir / "commondir", _GITFILE_LIMIT).strip())
    except OSError:
        return git_dir
    common = git_dir / target if target else git_dir
    try:
        return common if stat.S_ISDIR(os.lstat(common).st_mode) else git_dir
    except OSError:
        return git_dir


def _hash_size(common_dir: Path) -> int:
    """20 bytes (SHA-1), or 32 when the repository says ``objectformat = sha256``."""
    try:
        config = _read_git_file(common_dir / "config", 64 * 1024).lower()
    except OSError:
        return 20
    compact = config.replace(b" ", b"").replace(b"\t", b"")
    return 32 if b"objectformat=sha256" in compact else 20


def tracked_files(ev: Evidence) -> TrackedFiles:
    """The project's tracked files and sizes, computed once per run (``ev.memo``)."""
    return ev.memo(_TRACKED, lambda: _tracked_files(ev))


_TRACKED = object()


def _tracked_files(ev: Evidence) -> TrackedFiles:
    root = ev.root.resolve()
    repository = find_repository(root)
    if repository is None:
        return TrackedFiles(None)
    index = repository.git_dir / "index"
    index_path = _inside(index, root)
    try:
        entries = read_index_of(repository)
    except IndexUnreadable as error:
        return TrackedFiles(repository, problem=str(error), index_path=index_path)
    lead = _lead(root, repository)
    if lead is None:
        return TrackedFiles(repository, problem="the project lies outside its repository")
    sizes: dict[str, int] = {}
    object_ids: dict[str, bytes] = {}
    for relative, entry in _below(entries, lead):
        sizes[relative] = _size(ev, relative, entry.size)
        object_ids[relative] = entry.object_id
    return TrackedFiles(repository, sizes, index_path=index_path, object_ids=object_ids)


def tracked_below(root: Path) -> tuple[str, ...]:
    """The paths git tracks under the folder ``root``, relative to it, read from the index
    as :func:`tracked_files` reads it (and cached with it); none outside a repository or when
    the index cannot be read."""
    root = root.resolve()
    repository = find_repository(root)
    if repository is None:
        return ()
    try:
        entries = read_index_of(repository)
    except IndexUnreadable:
        return ()
    lead = _lead(root, repository)
    return () if lead is None else tuple(relative for relative, _ in _below(entries, lead))


def plain_index(repository: Repository) -> bytes | None:
    """The repository's index as bytes when it is of version 2 or 3, which store every path
    whole: a byte search then tells that no path holds some text without reading a single
    entry. None when it is of another version or cannot be read (in or through a symlink,
    too large, missing)."""
    try:
        data = _read_git_file(repository.git_dir / "index", INDEX_LIMIT + 1)
    except OSError:
        return None
    versions = (b"\0\0\0\x02", b"\0\0\0\x03")
    return data if len(data) <= INDEX_LIMIT and data[4:8] in versions else None


def _lead(root: Path, repository: Repository) -> str | None:
    """What the index's paths of files under ``root`` start with; None when ``root`` lies
    outside the repository's work tree."""
    prefix = _inside(root, repository.root.resolve())
    if prefix is None:
        return None
    return "" if prefix == "." else prefix + "/"


def _below(entries: tuple[IndexEntry, ...], lead: str) -> Iterator[tuple[str, IndexEntry]]:
    for entry in entries:
        if entry.path.startswith(lead):
            yield entry.path[len(lead) :], entry


def _inside(path: Path, root: Path) -> str | None:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None


def _size(ev: Evidence, path: str, recorded: int) -> int:
    if recorded != 0 and not ev.kinds(path) & {DATA, MODEL}:
        return recorded
    actual = ev.size(path)
    if actual is None:
        return recorded
    # A zeroed field says nothing; otherwise only a size git wrapped is taken from lstat.
    if recorded == 0 or actual % _WRAP == recorded:
        return actual
    return recorded


def read_index_of(repository: Repository) -> tuple[IndexEntry, ...]:
    """The entries of the repository's index; :class:`IndexUnreadable` when it cannot be
    read (in or through a symlink, too large, malformed)."""
    if os.path.islink(repository.git_dir):
        raise IndexUnreadable("is in a git directory that is a symlink, which is not followed")
    index = repository.git_dir / "index"
    try:
        info = os.lstat(index)
    except FileNotFoundError:
        return ()  # a repository where nothing was ever added
    except OSError as error:
        raise _unreadable(error) from None
    if stat.S_ISLNK(info.st_mode):
        raise IndexUnreadable(_LINKED)
    if not stat.S_ISREG(info.st_mode):
        raise IndexUnreadable("is not a regular file")
    if info.st_size > INDEX_LIMIT:
        raise IndexUnreadable(f"is larger than {INDEX_LIMIT // (1024 * 1024)} MiB and was not read")
    hash_size = _hash_size(repository.common_dir)
    return _read_index(index, info.st_mtime_ns, info.st_size, hash_size)


_LINKED = "is a symlink, which is not followed"


def _unreadable(error: OSError) -> IndexUnreadable:
    if isinstance(error, NotRegularFile):
        return IndexUnreadable("is not a regular file")
    if refused_as_symlink(error):
        return IndexUnreadable(_LINKED)
    return IndexUnreadable(f"cannot be read: {error.strerror or error}")


@functools.lru_cache(maxsize=4)
def _read_index(index: Path, _mtime: int, _size: int, hash_size: int) -> tuple[IndexEntry, ...]:
    # Keyed by mtime and size, so that several projects of one repository (and the walk that
    # found them) read it once.
    try:
        data = _read_git_file(index, INDEX_LIMIT + 1)
    except OSError as error:
        raise _unreadable(error) from None
    return parse_index(data, hash_size)


def parse_index(data: bytes, hash_size: int = 20) -> tuple[IndexEntry, ...]:
    """Each regular file or symlink at stage 0 of a git index, in index order.

    Raises :class:`IndexUnreadable` for anything that is not a well-formed index of version 2,
    3 or 4, or one split across a shared index file (``core.splitIndex``), which is not read.
    """
    if len(data) > INDEX_LIMIT:
        raise IndexUnreadable("is too large to be read")
    if len(data) < 12 + hash_size or data[:4] != b"DIRC":
        raise IndexUnreadable("is not a git index")
    version, count = struct.unpack_from(">II", data, 4)
    if version not in (2, 3, 4):
        raise IndexUnreadable(f"has version {version}; versions 2, 3 and 4 are read")
    if count > _ENTRIES_LIMIT:
        raise IndexUnreadable(f"claims {count} entries")
    body_end = len(data) - hash_size
    trailer = data[body_end:]
    if (
        trailer.strip(b"\0")
        and hash_size == 20
        and hashlib.sha1(data[:body_end]).digest() != trailer
    ):
        raise IndexUnreadable("fails its checksum")
    entries: list[IndexEntry] = []
    offset = 12
    previous = b""
    path_bytes = 0
    path_limit = min(PATH_EXPANSION * len(data), INDEX_LIMIT)
    # An entry's fixed part: stat data (its mode at 24 and size at 36), object id, flags.
    fixed_part = struct.Struct(f">24xI8xI{hash_size}xH")
    fixed = fixed_part.size
    for _ in range(count):
        start = offset
        if offset + fixed > body_end:
            raise IndexUnreadable("ends in the middle of an entry")
        mode, size, flags = fixed_part.unpack_from(data, offset)
        offset += fixed
        if flags & 0x4000:
            if version < 3:
                raise IndexUnreadable("has an extended entry in a version 2 index")
            offset += 2
        kept = 0
        if version == 4:
            strip, offset = _varint(data, offset, body_end)
            kept = len(previous) - strip
        end = data.find(b"\0", offset, body_end)
        if end < 0 or kept < 0:
            raise IndexUnreadable("has a malformed path")
        # Counted before the path is built: a compressed path is where the bytes multiply.
        path_bytes += kept + end - offset
        if path_bytes > path_limit:
            raise IndexUnreadable(
                f"holds more than {path_limit} bytes of paths once their shared prefixes are "
                "expanded"
            )
        path = previous[:kept] + data[offset:end]
        # Version 4 entries end with their path's NUL; earlier ones are padded with 1 to 8
        # NULs to a multiple of 8 bytes.
        offset = end + 1 if version == 4 else start + ((end - start) // 8 + 1) * 8
        if offset > body_end:
            raise IndexUnreadable("ends in the middle of an entry")
        previous = path
        stage_number = (flags >> 12) & 0x3
        kind = mode & 0o170000
        if stage_number == 0 and kind in (0o100000, 0o120000):
            if not path or path.startswith(b"/") or b"\0" in path:
                raise IndexUnreadable("has a malformed path")
            object_id = data[start + 40 : start + 40 + hash_size]
            entries.append(IndexEntry(os.fsdecode(path), size, object_id))
    _check_extensions(data, offset, body_end)
    return tuple(entries)


def _check_extensions(data: bytes, offset: int, body_end: int) -> None:
    while offset + 8 <= body_end:
        signature = data[offset : offset + 4]
        (length,) = struct.unpack_from(">I", data, offset + 4)
        if signature == b"link":
            raise IndexUnreadable("is a split index (core.splitIndex), which is not read")
        offset += 8 + length
    if offset != body_end:
        raise IndexUnreadable("has a malformed extension")


def _varint(data: bytes, offset: int, end: int) -> tuple[int, int]:
    """git's offset encoding (varint.c): big-endian 7-bit groups, each continuation adding
    one, so that every number has a single encoding."""
    if offset >= end:
        raise IndexUnreadable("has a malformed path")
    byte = data[offset]
    offset += 1
    value = byte & 0x7F
    while byte & 0x80:
        if offset >= end or value > (1 << 32):
            raise IndexUnreadable("has a malformed path")
        byte = data[offset]
        offset += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, offset
