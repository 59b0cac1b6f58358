"""Writing small trees of files for tests: one helper instead of one per test module."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Each file under ``root`` exactly as given (text as UTF-8); ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Like :func:`write_files`, with text dedented and its leading newline dropped, so that
    tests can write files as indented triple-quoted strings."""
    return write_files(
        root,
        {
            name: content if isinstance(content, bytes) else textwrap.dedent(content).lstrip("\n")
            for name, content in files.items()
        },
    )
