"""Bounds on what reading the linted tree may cost, shared by every reader of it.

- :func:`read_prefix`: no file, however large or however fast it grows, is read past its
  limit.
- :func:`nesting_bounded`: no reader that recurses into what it reads (a Python expression,
  a value followed through names, a data structure) recurses past :data:`MAX_NESTING`
  levels, so that nothing the project writes can raise ``RecursionError``.
- :func:`fan_out_bounded`: no reader that follows what it reads into more of the same (a
  value into the names it is built from) makes more than its budget of calls for one
  outermost read, however the input multiplies them.
- :func:`read_unlinked`: git's own files are read only where no symlink leads to them, and
  :func:`symlink_refusal` says which symlinks lead to evidence at all (those that stay
  inside the project and out of git's data).
"""

from __future__ import annotations

import errno
import functools
import inspect
import os
import stat
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

_CHUNK = 1024 * 1024

# Nested calls of bounded readers, all of them together. Real code and configuration nest a
# handful of levels; a few hundred Python frames stay free below the interpreter's limit.
MAX_NESTING = 60

_F = TypeVar("_F", bound=Callable[..., Any])


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


class _Nesting(threading.local):
    depth = 0


_nesting = _Nesting()


def nesting_bounded(unreadable: object) -> Callable[[_F], _F]:
    """A recursive reader that gives ``unreadable`` instead of going deeper than
    :data:`MAX_NESTING` nested calls of bounded readers: what is nested without end
    (``a+a+…+a``, a class built from itself, a value defined through itself) reads as
    unknown where the bound is hit, and the levels above it still read what they can.

    One count serves every bounded reader, so readers that call each other stay within the
    bound too. A generator gives the items of ``unreadable`` (an empty tuple: nothing) past
    the bound; it counts as nested only while it runs, not while it waits for its consumer."""

    def decorate(function: _F) -> _F:
        if inspect.isgeneratorfunction(function):

            @functools.wraps(function)
            def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
                if _nesting.depth >= MAX_NESTING:
                    yield from cast(Iterable[Any], unreadable)
                    return
                items = function(*args, **kwargs)
                while True:
                    _nesting.depth += 1
                    try:
                        item = next(items, _DONE)
                    finally:
                        _nesting.depth -= 1
                    if item is _DONE:
                        return
                    yield item

            return cast(_F, generator)

        @functools.wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            if _nesting.depth >= MAX_NESTING:
                return unreadable
            _nesting.depth += 1
            try:
                return function(*args, **kwargs)
            finally:
                _nesting.depth -= 1

        return cast(_F, bounded)

    return decorate


_DONE = object()


class _FanOut(threading.local):
    def __init__(self) -> None:
        # By reader: the calls under way, and the calls left to the outermost one (below
        # zero once a call was refused).
        self.active: dict[object, int] = {}
        self.left: dict[object, int] = {}


_fan_out = _FanOut()


def fan_out_bounded(
    unreadable: object,
    budget: int,
    read: Callable[..., tuple[dict[Hashable, int], Hashable]],
) -> Callable[[_F], _F]:
    """A recursive reader that gives ``unreadable`` once one outermost call of it has made
    ``budget`` calls of it, nested or one after another: what fans out through itself
    without end (a list of ten names each holding a list of ten of the next, twenty deep; a
    dict set at each of its keys to itself) reads as unknown past the budget, in work that
    grows with the budget, not with the fan-out. The outermost call starts a new budget.

    A call in which the budget ran out gives ``unreadable`` as a whole, and so does each
    call under way around it: what a call gives depends on what it reads, never on what
    was read before it. ``read(*args, **kwargs)`` says where a call's reader keeps what ran
    out (a dict of the reader's own) and what the call reads there; a call that ran out
    with some budget left to it is remembered with that budget, and gives ``unreadable``
    at once when called again with no more, so that reading it again, as thousands of
    reads of it may, costs nothing."""

    def decorate(function: _F) -> _F:
        reader = object()

        @functools.wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            active = _fan_out.active.get(reader, 0)
            if active == 0:
                _fan_out.left[reader] = budget
            left = _fan_out.left[reader]
            ran_out, subject = read(*args, **kwargs) if left > 0 else ({}, None)
            if left <= 0 or left <= ran_out.get(subject, 0):
                _fan_out.left[reader] = -1
                return unreadable
            _fan_out.left[reader] = left - 1
            _fan_out.active[reader] = active + 1
            try:
                found = function(*args, **kwargs)
            finally:
                _fan_out.active[reader] = active
            if _fan_out.left[reader] >= 0:
                return found
            ran_out[subject] = left
            return unreadable

        return cast(_F, bounded)

    return decorate


# How files the project or the cache holds are opened to read: never through a symlink, and
# without waiting on a FIFO (non-blocking, so that opening one returns at once and fstat can
# refuse it).
READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class NotRegularFile(OSError):
    """A folder, FIFO, device or socket where a regular file was to be read."""


# How open() with O_NOFOLLOW refuses a symlink: ELOOP on Linux and macOS, EMLINK on FreeBSD
# and DragonFly, EFTYPE on NetBSD (no open() reports EMLINK or EFTYPE for anything else).
_SYMLINK_REFUSALS = frozenset(
    {errno.ELOOP, errno.EMLINK, *((errno.EFTYPE,) if hasattr(errno, "EFTYPE") else ())}
)


def refused_as_symlink(error: OSError) -> bool:
    """Whether ``error`` is how the platform's open() with O_NOFOLLOW refuses a symlink."""
    return error.errno in _SYMLINK_REFUSALS


def read_unlinked(path: Path, limit: int, links_from: Path) -> bytes:
    """At most ``limit`` bytes of the regular file ``path``, read only when no symlink lies on
    the way from ``links_from`` (exclusive) down to it: git's own files, whose links could
    name another repository's data. A symlink is an ``OSError`` that
    :func:`refused_as_symlink` tells, what is not a regular file a :class:`NotRegularFile`, a
    missing file a ``FileNotFoundError``."""
    folder = links_from
    for part in path.relative_to(links_from).parts[:-1]:
        folder = folder / part
        if stat.S_ISLNK(os.lstat(folder).st_mode):
            raise OSError(errno.ELOOP, "a symlink is on the way", os.fspath(folder))
    descriptor = os.open(path, READ_FLAGS)
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
