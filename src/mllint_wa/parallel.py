"""Work spread over processes, for trees large enough to pay for them (``--jobs``).

Workers are forked, so they start with the parent's state (the planned projects, the loaded
rules) and send back plain data only; the parent puts the answers back in the order asked,
so that the output never depends on which worker finished first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

# Below this many files to lint, starting processes costs more than it saves.
PARALLEL_FROM_FILES = 500


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def workers_for(requested: int | None, sizes: Sequence[int]) -> int:
    """How many processes lint ``sizes`` (each project's number of files): ``requested``
    (``--jobs``) at most one a project; by default one a CPU when there are several
    projects and at least :data:`PARALLEL_FROM_FILES` files, else one."""
    if requested is not None:
        return max(1, min(requested, len(sizes)))
    if len(sizes) < 2 or sum(sizes) < PARALLEL_FROM_FILES or not can_fork():
        return 1
    return min(len(sizes), available_cpus())


def threads_for(requested: int | None, files: int) -> int:
    """How many threads hash ``files`` files: ``requested`` (``--jobs``), by default one a
    CPU from :data:`PARALLEL_FROM_FILES` files on."""
    if requested is not None:
        return requested
    return available_cpus() if files >= PARALLEL_FROM_FILES else 1


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


_task: Callable[[int], object] | None = None


def _call(index: int) -> object:
    assert _task is not None  # set before the workers were forked
    return _task(index)


def map_indexed(task: Callable[[int], T], count: int, workers: int) -> list[T]:
    """``[task(0), …, task(count - 1)]``, computed by ``workers`` forked processes when
    there are more than one (and the platform forks), in this process otherwise. ``task``
    must return plain data (it crosses a pipe)."""
    global _task
    if workers <= 1 or count <= 1 or not can_fork():
        return [task(index) for index in range(count)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _task = task
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(workers, count), mp_context=context) as pool:
            return list(pool.map(_call, range(count)))  # type: ignore[arg-type]
    finally:
        _task = None
