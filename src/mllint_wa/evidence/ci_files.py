"""A project's repository's CI files, when the project lies in a sub-folder of it.

CI definitions normally live at the repository root (``.github/workflows/``,
``.gitlab-ci.yml`` …), which lies above the root of a project in a sub-folder of a monorepo,
outside the files the project was given. :func:`repository_ci_files` looks there, and only
there: it climbs at most :data:`MAX_LEVELS` folders to the nearest one holding ``.git``
(never past it, never outside a repository), lists at most :data:`MAX_ENTRIES` names in each
of the three folders CI systems read (the root, ``.github/workflows``, ``.circleci``) and
keeps regular files only (no symlinks). Finding them reads no file, so that the cache can ask
for them without the parsers :mod:`mllint_wa.evidence.automation` reads them with.
"""

from __future__ import annotations

import os
from pathlib import Path

from mllint_wa.parsers.ci_systems import ci_system

MAX_LEVELS = 32
MAX_ENTRIES = 256
_CI_FOLDERS = ("", ".github/workflows", ".circleci")
# Definitions of CI systems not read here: where one exists, what CI runs is unknown.
UNREAD_CI = frozenset(
    {".travis.yml", ".drone.yml", "appveyor.yml", ".appveyor.yml", "cloudbuild.yaml",
     "cloudbuild.yml", "prow_config.yaml", ".prow.yaml", ".woodpecker.yml", "codefresh.yml",
     ".buildkite", ".tekton", ".semaphore", "Earthfile"}
)  # fmt: skip


def repository_ci_files(project_root: Path) -> tuple[Path, tuple[str, ...]] | None:
    """The root of the repository enclosing ``project_root`` (strictly above it) and the
    CI definitions there, relative to it (those of :data:`UNREAD_CI` included); None when
    the project is itself a repository root or lies in none."""
    if os.path.lexists(project_root / ".git"):
        return None
    root = None
    for level, directory in enumerate(project_root.parents):
        if level >= MAX_LEVELS:
            return None
        if os.path.lexists(directory / ".git"):
            root = directory
            break
    if root is None:
        return None
    found = []
    for folder in _CI_FOLDERS:
        names = []
        try:
            with os.scandir(root / folder) as entries:
                for count, entry in enumerate(entries):
                    if count >= MAX_ENTRIES:
                        break
                    if entry.is_file(follow_symlinks=False) or (
                        not folder and entry.name in UNREAD_CI
                    ):
                        names.append(entry.name)
        except OSError:
            continue
        for name in sorted(names):
            path = f"{folder}/{name}" if folder else name
            if ci_system(path) is not None or path in UNREAD_CI:
                found.append(path)
    return root, tuple(found)
