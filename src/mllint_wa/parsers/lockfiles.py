"""Lock files: the exact version of each package they resolve.

``poetry.lock``, ``uv.lock``, ``pdm.lock`` and PEP 751 ``pylock.toml`` hold
``[[package]]`` tables; ``Pipfile.lock`` is JSON with ``default``/``develop`` maps of
``"==version"``; ``conda-lock.yml`` lists ``package`` entries. Only names and versions are
read: positions in a generated file help nobody.
"""

from __future__ import annotations

import json
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.pep508 import exact_version
from mllint_wa.parsers.toml_doc import load_toml
from mllint_wa.parsers.yaml_doc import load_yaml

Locked = dict[str, Version]


def parse_toml_lock(text: str) -> Locked:
    """poetry.lock, uv.lock, pdm.lock, pylock.toml."""
    data = load_toml(text)
    packages = data.get("package", data.get("packages", []))
    return _from_entries(packages if isinstance(packages, list) else [])


def parse_pipfile_lock(text: str) -> Locked:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"is not valid JSON: {error.msg}", error.lineno, error.colno) from None
    locked: Locked = {}
    if isinstance(data, dict):
        for section in ("default", "develop"):
            entries = data.get(section)
            if isinstance(entries, dict):
                for name, entry in entries.items():
                    spec = entry.get("version") if isinstance(entry, dict) else None
                    _, version = exact_version(spec) if isinstance(spec, str) else (False, None)
                    if version is not None:
                        _keep_lowest(locked, str(name), version)
    return locked


def parse_conda_lock(text: str) -> Locked:
    documents = load_yaml(text)
    packages = documents[0].get("package") if documents and isinstance(documents[0], dict) else []
    return _from_entries(packages if isinstance(packages, list) else [])


def _from_entries(entries: list[Any]) -> Locked:
    locked: Locked = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            try:
                version = Version(str(entry.get("version", "")))
            except InvalidVersion:
                continue
            _keep_lowest(locked, entry["name"], version)
    return locked


def _keep_lowest(locked: Locked, name: str, version: Version) -> None:
    # A lock may resolve a package differently per platform; the oldest is the one to worry about.
    key = canonicalize_name(name)
    if key not in locked or version < locked[key]:
        locked[key] = version
