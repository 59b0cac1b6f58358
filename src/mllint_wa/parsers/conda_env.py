"""Conda environment files (``environment.yml``): conda specs and the ``pip:`` sub-list.

Works on the documents :func:`mllint_wa.parsers.yaml_doc.load_yaml` loaded, so that the
YAML is parsed once for every reader. A conda spec is ``[channel::]name[ version[ build]]``
or ``name=version[=build]``, ``name==version``, ``name>=version``; ``name=1.2.3`` and
``name==1.2.3`` pin (conda's ``=`` matches the version and its builds), ``name=1.2.*`` or a
range does not.
"""

from __future__ import annotations

import re
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from mllint_wa.parsers.pep508 import Dependency, requirement
from mllint_wa.parsers.pyproject import Declared
from mllint_wa.parsers.yaml_doc import item_position, key_position

_SPEC = re.compile(r"^(?:[^:\s]+::)?([A-Za-z0-9_.\-]+)\s*(.*)$")


def conda_environment(documents: list[Any]) -> Declared | None:
    """The environment's dependencies; None when the documents are not a conda environment
    (no ``dependencies`` list at the top)."""
    if not documents or not isinstance(documents[0], dict):
        return None
    document = documents[0]
    items = document.get("dependencies")
    if not isinstance(items, list):
        return None
    found: list[Dependency] = []
    for index, item in enumerate(items):
        line, column = item_position(items, index)
        if isinstance(item, str):
            found.append(conda_spec(item, line, column))
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            pip = item["pip"]
            for pip_index, pip_item in enumerate(pip):
                if isinstance(pip_item, str) and not pip_item.lstrip().startswith("-"):
                    pip_line, pip_column = item_position(pip, pip_index)
                    found.append(requirement(pip_item, pip_line, pip_column, group="pip"))
    line, column = key_position(document, "dependencies")
    return Declared("conda", tuple(found), line, column)


def conda_spec(spec: str, line: int, column: int) -> Dependency:
    """A conda match spec; never fails (conda accepts more than any grammar here)."""
    match = _SPEC.match(spec.strip())
    if match is None:
        return Dependency("", spec, line, column)
    name, rest = canonicalize_name(match.group(1)), match.group(2).strip()
    exact = rest.startswith("==")
    fields = re.split(r"[=\s]+", rest.lstrip("="))
    version_text = fields[0] if rest.startswith("=") or rest[:1].isdigit() else ""
    has_build = len(fields) > 1 and bool(fields[1])
    version = None
    if version_text and not re.search(r"[*,|<>!~]", version_text):
        try:
            version = Version(version_text)
        except InvalidVersion:
            version = None
    pinned = version is not None and (exact or has_build or len(version.release) >= 3)
    return Dependency(name, spec, line, column, version if pinned else None, pinned)
