"""The cache: each project's findings kept between runs, reused while nothing that decides
them has changed.

One entry per project, in a JSON file of the cache folder, holds what linting the project
found (findings, inline-ignored findings, the rules that applied and ran) with what decided it:

- a key over the tool (its version, the digest of its installed files, Python's version,
  the plugins), the project's settings (rules selected, thresholds, preview, stage), the
  date (waivers expire), where the project is shown from and what the walk could not read;
- the content hash (SHA-256) of every file of the project, and of the files outside it that
  a run reads (git's configuration, the repository's CI files), and what the git index
  tracks (its paths, sizes and object ids: the index file itself changes with every
  ``git add``);
- the answer of every question a rule asked about a path outside the walked files (does
  the model card named in lens.toml exist?).

Beside each entry, the file facts of its project (see :mod:`mllint_wa.evidence.file_facts`):
what a run found in each file from its bytes alone, by content digest, for the next run that
lints the project again.

A file whose size, mtime, ctime and inode are those recorded is not read again (git's
stat shortcut); one whose stat changed is hashed, and the hash decides. An entry is used
only when the key, every hash and every answer match; otherwise the project is linted and
its entry replaced.

The cache folder may come with the repository being linted, so nothing in it is trusted: an
entry is JSON checked field by field (never pickle or anything that builds objects), and one
that is corrupt, truncated, too large, of another format or tool version, reached through a
symlink or not a regular file is ignored and rebuilt, never an error. A folder that git
tracks (or whose repository's index cannot be read to tell), or that is a symlink, is not
used at all. Entries are written to a temporary file
and renamed into place, so concurrent runs never see half an entry.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mllint_wa import __version__
from mllint_wa.bounded import READ_FLAGS
from mllint_wa.evidence.file_facts import Stat, stat_of
from mllint_wa.records import dataclass

if TYPE_CHECKING:
    from mllint_wa.evidence.git import Repository

CACHE_DIR_NAME = ".mllint_wa_cache"
# https://bford.info/cachedir/: backup and archiving tools skip a folder holding this tag.
CACHEDIR_TAG = (
    b"Signature: 8a477f597d28d172789f06886806bc55\n"
    b"# This file is a cache directory tag created by mllint-wa.\n"
    b"# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
_FORMAT = 2
# An entry larger than this is not read: a real one holds a project's findings, a few MiB.
_ENTRY_LIMIT = 256 * 1024 * 1024
_HASH_CHUNK = 1024 * 1024
# A file changed this recently may change again within the clock's resolution without its
# mtime moving (git's "racily clean" entries): its stat is not recorded, so it is hashed again.
_RACY_NS = 2 * 10**9
_NO_STAT = (-1, -1, -1, -1)
_SPLIT_INDEX = b"link"
# Beside each entry, the file facts of its project's files.
_FACTS = ".facts.json"

# (size, mtime_ns, ctime_ns, inode) and the content's digest.
Fingerprint = tuple[Stat, str]


class CacheUnusable(Exception):
    """The cache folder cannot be used; the run goes on without it and says why."""


def default_folder(cwd: Path) -> Path:
    """``.mllint_wa_cache`` at the root of the working tree holding ``cwd`` (the nearest
    folder with a ``.git``), else in ``cwd``, as ruff and mypy keep theirs."""
    for folder in (cwd, *cwd.parents):
        if os.path.lexists(folder / ".git"):
            return folder / CACHE_DIR_NAME
    return cwd / CACHE_DIR_NAME


@functools.cache
def tool_digest() -> str:
    """What the installed tool is: its version, the names, sizes and mtimes of its own
    files (so that an edited checkout is not taken for the version it claims), Python's
    version and the plugins' distributions."""
    from mllint_wa.registry import ENTRY_POINT_GROUP, may_declare_entry_points

    package = Path(__file__).parent
    parts: list[object] = [__version__, _FORMAT, sys.implementation.name, sys.version]
    for folder, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith((".py", ".json", ".txt")):
                info = os.stat(os.path.join(folder, name))
                parts.append((os.path.relpath(os.path.join(folder, name), package), info.st_size))
                parts.append(info.st_mtime_ns)
    if may_declare_entry_points(ENTRY_POINT_GROUP):
        from importlib.metadata import entry_points

        for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
            dist = point.dist
            parts.append((point.name, point.value, *((dist.name, dist.version) if dist else ())))
    return digest_of(parts)


def digest_of(value: object) -> str:
    """The SHA-256 of a JSON-able value, written in one canonical way."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One project's entry: the key, the fingerprints of the files its run read, and what
    the run found (``outcome``: plain JSON data, checked again as findings are rebuilt from
    it; see :mod:`mllint_wa.outcome`)."""

    key: str
    # Each file's fingerprint as stored, checked where it is used (see unchanged).
    files: Mapping[str, object]
    outcome: Mapping[str, object]
    # The git index's digest and the digest of what it tracks (see outside_inputs).
    index: tuple[str, str] | None = None


class Cache:
    """A cache folder: entries by name, read defensively, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def at(cls, folder: Path) -> Cache:
        """The cache in ``folder``, created with its ``CACHEDIR.TAG`` and its ``.gitignore``
        when missing; :class:`CacheUnusable` when it is a symlink or not a folder, is tracked
        by git, or cannot be created."""
        folder = Path(os.path.abspath(folder))
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            info = None
        except OSError as error:
            raise CacheUnusable(f"{folder}: {error.strerror or error}") from None
        if info is not None and stat.S_ISLNK(info.st_mode):
            raise CacheUnusable(f"{folder} is a symlink, which is not followed")
        if info is not None and not stat.S_ISDIR(info.st_mode):
            raise CacheUnusable(f"{folder} is not a folder")
        distrust = _why_untrusted(folder)
        if distrust is not None:
            raise CacheUnusable(f"{folder} {distrust}, so it is not trusted")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_new(folder / "CACHEDIR.TAG", CACHEDIR_TAG)
            # Everything in it, this file included: git never offers to commit the cache.
            _write_new(folder / ".gitignore", b"# Created by mllint-wa.\n*\n")
        except OSError as error:
            raise CacheUnusable(f"cannot create {folder}: {error.strerror or error}") from None
        return cls(folder)

    def load(self, name: str) -> Entry | None:
        """The entry ``name``, or None when there is none or it is not one this version
        wrote, whatever the reason."""
        try:
            data = _read_regular(self.folder / f"{name}.json")
            return _entry(json.loads(data))
        except (OSError, ValueError, RecursionError, MemoryError, _Invalid):
            return None

    def store(self, name: str, entry: Entry) -> None:
        """Write the entry under ``name`` in one step; a cache that cannot be written is
        only a slower next run."""
        document = {
            "format": _FORMAT,
            "key": entry.key,
            "files": entry.files,
            "index": entry.index and list(entry.index),
            "outcome": entry.outcome,
        }
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        with contextlib.suppress(OSError, ValueError):
            _replace(self.folder, f"{name}.json", data.encode("utf-8", "surrogateescape"))

    def load_facts(self, name: str) -> dict[str, dict[str, object]]:
        """The file facts stored beside the entry ``name`` by this version of the tool, by
        fact and content digest (each checked as it is used: see
        :mod:`mllint_wa.evidence.file_facts`); none when there are none or they are not
        ones it wrote."""
        try:
            document = json.loads(_read_regular(self.folder / f"{name}{_FACTS}"))
        except (OSError, ValueError, RecursionError, MemoryError):
            return {}
        if not isinstance(document, dict) or set(document) != {"format", "tool", "facts"}:
            return {}
        facts = document["facts"]
        if document["format"] != _FORMAT or document["tool"] != tool_digest():
            return {}
        if not isinstance(facts, dict) or not all(isinstance(f, dict) for f in facts.values()):
            return {}
        return facts

    def store_facts(self, name: str, facts: Mapping[str, Mapping[str, object]]) -> None:
        """Write the file facts kept beside the entry ``name`` in one step."""
        document = {"format": _FORMAT, "tool": tool_digest(), "facts": facts}
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        with contextlib.suppress(OSError, ValueError):
            _replace(self.folder, f"{name}{_FACTS}", data.encode("utf-8", "surrogateescape"))


# Files from this size on are hashed by threads: below it a thread switch costs more than the
# hashing it would overlap (30,000 small files took 0.6 s of CPU by two threads, 0.3 s by one).
_THREADED_FROM = 1 << 20


def entry_name(project_root: Path, shown_as: str) -> str:
    """The name of a project's entry: one per project and per place it is shown from."""
    return digest_of([os.fspath(project_root), shown_as])[:32]


def fingerprints(
    paths: Sequence[tuple[str, str]], known: Mapping[str, object], threads: int = 1
) -> dict[str, Fingerprint]:
    """Each (name, absolute path)'s fingerprint; a file whose stat is the one ``known``
    under its name keeps its recorded digest without being read. Files of
    :data:`_THREADED_FROM` bytes or more are hashed by ``threads`` threads (hashing releases
    the interpreter's lock on large buffers); smaller ones here, where threads would cost
    more in switching than they save."""
    found: dict[str, Fingerprint] = {}
    large: list[tuple[str, str, os.stat_result]] = []
    for name, path in paths:
        seen = _without_reading(path, known.get(name))
        if not isinstance(seen, os.stat_result):
            found[name] = seen
        elif seen.st_size >= _THREADED_FROM and threads > 1:
            large.append((name, path, seen))
        else:
            found[name] = stat_of(seen), _content_digest(path)

    def hashed(share: Sequence[tuple[str, str, os.stat_result]]) -> list[tuple[str, Fingerprint]]:
        return [(name, (stat_of(info), _content_digest(path))) for name, path, info in share]

    # One share a thread, not one task a file.
    shares = [large[start::threads] for start in range(threads)] if len(large) > 1 else [large]
    if len(shares) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(shares)) as pool:
            for done in pool.map(hashed, shares):
                found.update(done)
    else:
        found.update(hashed(large))
    # In the order given, whatever was hashed when.
    return {name: found[name] for name, _ in paths}


def _without_reading(path: str, known: object) -> Fingerprint | os.stat_result:
    """The fingerprint when it can be had without reading the file: what is not a regular
    file, and a file whose stat is the one ``known`` (as an entry stores it: ``[size, mtime,
    ctime, inode, digest]``); for a file to hash, its stat."""
    try:
        info = os.lstat(path)
    except OSError:
        return _NO_STAT, "absent"
    # The common case first: a regular file as the entry recorded it.
    if type(known) is list and len(known) == 5 and stat.S_ISREG(info.st_mode):
        now = stat_of(info)
        if known[:4] == [*now] and type(known[4]) is str:
            return now, known[4]
        return info
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            return _NO_STAT, "unreadable link"
        resolved = os.path.realpath(path)
        content = _content_digest(resolved) if os.path.isfile(resolved) else "not a file"
        return _NO_STAT, digest_of(["link", target, content])
    if not stat.S_ISREG(info.st_mode):
        return _NO_STAT, f"mode {stat.S_IFMT(info.st_mode):o}"
    return info


def _content_digest(path: str) -> str:
    digest = hashlib.sha256()
    try:
        descriptor = os.open(path, READ_FLAGS)
    except OSError:
        return "unreadable"
    try:
        while chunk := os.read(descriptor, _HASH_CHUNK):
            digest.update(chunk)
    except OSError:
        return "unreadable"
    finally:
        os.close(descriptor)
    return digest.hexdigest()


def regular_stats(files: Mapping[str, Fingerprint]) -> dict[str, Stat]:
    """The stats the regular files among ``files`` were hashed with."""
    return {name: info for name, (info, _) in files.items() if info != _NO_STAT}


def settled(files: Mapping[str, Fingerprint]) -> dict[str, Fingerprint]:
    """The fingerprints to record: a file changed in the last seconds keeps its digest but
    not its stat, so that the next run hashes it again instead of trusting a stat that a
    write within the clock's resolution would not move."""
    recent = time.time_ns() - _RACY_NS
    return {
        name: ((_NO_STAT, digest) if max(info[1], info[2]) >= recent else (info, digest))
        for name, (info, digest) in files.items()
    }


class _Invalid(Exception):
    """An entry that does not have the expected shape."""


def _entry(document: object) -> Entry:
    fields = {"format", "key", "files", "outcome", "index"}
    if not isinstance(document, dict) or set(document) != fields:
        raise _Invalid
    files, outcome, index = document["files"], document["outcome"], document["index"]
    if document["format"] != _FORMAT or not isinstance(document["key"], str):
        raise _Invalid
    if not isinstance(files, dict) or not isinstance(outcome, dict):
        raise _Invalid
    if not (isinstance(index, list) and len(index) == 2 and all(isinstance(i, str) for i in index)):
        raise _Invalid
    return Entry(document["key"], files, outcome, (index[0], index[1]))


def unchanged(stored: Mapping[str, object], now: Mapping[str, Fingerprint]) -> bool:
    """Whether the files an entry recorded (``[size, mtime, ctime, inode, digest]`` each)
    are exactly the files now, with the same digests."""
    if len(stored) != len(now):
        return False
    for name, (_, digest) in now.items():
        known = stored.get(name)
        if type(known) is not list or len(known) != 5 or known[4] != digest:
            return False
    return True


def stored_files(files: Mapping[str, Fingerprint]) -> dict[str, object]:
    """The fingerprints as an entry stores them, settled (see :func:`settled`)."""
    return {name: [*info, digest] for name, (info, digest) in settled(files).items()}


def _read_regular(path: Path) -> bytes:
    """A regular file's bytes, never through a symlink; OSError otherwise."""
    descriptor = os.open(path, READ_FLAGS)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _ENTRY_LIMIT:
            raise OSError(f"{path} is not a cache entry")
        chunks = []
        while chunk := os.read(descriptor, _HASH_CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that should be there, unless something already is (never through a
    symlink, which lexists sees)."""
    if not os.path.lexists(path):
        _replace(path.parent, path.name, data)


def _replace(folder: Path, name: str, data: bytes) -> None:
    """A temporary file in ``folder``, written and renamed over ``name``: readers see the
    old file or the new one, never part of one. Renaming replaces a symlink itself."""
    import tempfile

    descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.replace(temporary, folder / name)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _why_untrusted(folder: Path) -> str | None:
    """Why ``folder`` may have come with the repository: git tracks a path inside it (a
    cache committed to the repository is not the one this tool wrote), or git's index
    cannot be read to tell; None when it did not."""
    from mllint_wa.evidence.git import (
        IndexUnreadable,
        find_repository,
        plain_index,
        read_index_of,
    )

    repository = find_repository(folder.parent.resolve())
    if repository is None:
        return None
    try:
        relative = folder.parent.resolve().relative_to(repository.root.resolve()) / folder.name
    except ValueError:
        return None
    prefix = relative.as_posix() + "/"
    index = plain_index(repository)
    # A split index ("link" extension) holds only some paths; the rest are in a shared one.
    if index is not None and os.fsencode(prefix) not in index and _SPLIT_INDEX not in index:
        return None
    try:
        paths = read_index_of(repository)
    except IndexUnreadable as error:
        return f"is in a repository whose git index {error}"
    tracked = next((e.path for e in paths if e.path.startswith(prefix)), None)
    return None if tracked is None else f"is tracked by git ({tracked})"


def outside_inputs(
    project_root: Path, recorded: tuple[str, str] | None
) -> tuple[list[str], tuple[str, str]]:
    """What a run over the project reads besides its walked files: the paths of git's
    files it reads (the ``.git`` entry, ``commondir``, the configuration, the attributes)
    and of the repository's CI files above the project; and the digest of what the git
    index tracks, with the digest of the index it was read from. The index itself changes
    with every ``git add``, so only its paths and sizes go into the key; they are read
    again only when the index is not the ``recorded`` one."""
    from mllint_wa.evidence.ci_files import repository_ci_files
    from mllint_wa.evidence.git import find_repository

    paths: list[Path] = []
    index = ("", digest_of(None))
    repository = find_repository(project_root.resolve())
    if repository is not None:
        git_dir, common = repository.git_dir, repository.common_dir
        paths += [repository.root / ".git", git_dir / "commondir", common / "config"]
        paths.append(common / "info" / "attributes")
        # Read with O_NOFOLLOW: a linked index is read, and refused, by read_index_of.
        content = _content_digest(os.fspath(git_dir / "index"))
        if recorded is not None and recorded[0] == content and len(content) == 64:
            index = recorded
        else:
            index = (content, _tracked_digest(repository, content))
    found = repository_ci_files(project_root)
    if found is not None:
        ci_root, names = found
        paths += [ci_root / name for name in names]
    return [os.fspath(path) for path in paths], index


@functools.lru_cache(maxsize=4)
def _tracked_digest(repository: Repository, _content: str) -> str:
    """The digest of what the index tracks, once per index content for all the projects of
    a repository."""
    from mllint_wa.evidence.git import IndexUnreadable, read_index_of

    try:
        tracked: object = [
            [entry.path, entry.size, entry.object_id.hex()] for entry in read_index_of(repository)
        ]
    except IndexUnreadable as error:
        tracked = str(error)
    return digest_of(tracked)
