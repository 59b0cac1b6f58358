"""The dependencies a ``setup.cfg`` declares: ``[options] install_requires`` and
``[options.extras_require]``, read line by line so that each keeps its line, and the
``[metadata] name`` of the distribution it builds."""

from __future__ import annotations

import re

from mllint_wa.parsers.pep508 import Dependency, requirement
from mllint_wa.parsers.pyproject import Declared

_SECTION = re.compile(r"^\[([^\]]+)\]\s*$")
_KEY = re.compile(r"^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$")
# An inline comment: a `#` after a blank (the blanks are stripped with it).
_COMMENT = re.compile(r"(?<=\s)#")


def parse_setup_cfg(text: str) -> Declared:
    found: list[Dependency] = []
    builds = ""
    section = ""
    key = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        header = _SECTION.match(stripped)
        if header and not raw[0].isspace():
            section, key = header.group(1).strip(), ""
            continue
        value = stripped
        if not raw[0].isspace():
            match = _KEY.match(stripped)
            if match is None:
                key = ""
                continue
            key, value = match.group(1), match.group(2).strip()
            if section == "metadata" and key == "name":
                builds = value
        group = _group(section, key)
        if group is None or not value or value.startswith("file:"):
            continue
        value = _COMMENT.split(value, maxsplit=1)[0].rstrip()
        column = raw.find(value) + 1
        found.append(requirement(value, number, column, group=group))
    line, column = (found[0].line, found[0].column) if found else (1, 1)
    return Declared("setuptools", tuple(found), line, column, builds)


def _group(section: str, key: str) -> str | None:
    """The group a key's values belong to, or None when they are no dependencies."""
    if section == "options" and key == "install_requires":
        return ""
    if section == "options.extras_require" and key:
        return key
    return None
