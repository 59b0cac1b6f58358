"""The dependencies a ``pyproject.toml`` declares: PEP 621 ``[project]`` (with optional
dependencies), PEP 735 ``[dependency-groups]``, Poetry, PDM and uv tables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mllint_wa.parsers.pep508 import Dependency, requirement, table_dependency
from mllint_wa.parsers.toml_doc import load_toml
from mllint_wa.parsers.toml_positions import KeyPath, KeyPosition, key_path, key_positions
from mllint_wa.records import dataclass


@dataclass(frozen=True)
class Declared:
    """Dependencies a manifest declares, for ``tool`` (``poetry``, ``pdm``, ``uv``,
    ``pep621``, ``pipenv``, ``setuptools``, ``conda``), where the first declaration stands,
    and the name of the distribution the manifest builds (empty when it names none)."""

    tool: str
    dependencies: tuple[Dependency, ...]
    line: int
    column: int
    builds: str = ""

    @property
    def third_party(self) -> tuple[Dependency, ...]:
        return tuple(d for d in self.dependencies if not d.local and d.name != "python")


# The group of the dependencies that uv and Poetry declare for development only, in a
# table of that name and no group of their own.
DEVELOPMENT_GROUP = "dev"
# (key path, group name) of arrays of PEP 508 strings, and of Poetry-style tables.
_STRING_ARRAYS = (("project.dependencies", ""), ("tool.uv.dev-dependencies", DEVELOPMENT_GROUP))
_STRING_ARRAY_TABLES = (
    "project.optional-dependencies",
    "dependency-groups",
    "tool.pdm.dev-dependencies",
)
_POETRY_TABLES = (
    ("tool.poetry.dependencies", ""),
    ("tool.poetry.dev-dependencies", DEVELOPMENT_GROUP),
)


def parse_pyproject(text: str) -> Declared:
    data = load_toml(text)
    positions = key_positions(text)
    found = list(_declared(data, positions))
    tool = next((t for t in ("poetry", "pdm", "uv") if t in data.get("tool", {})), "pep621")
    line, column = (found[0].line, found[0].column) if found else (1, 1)
    name = _get(data, "project.name") or _get(data, "tool.poetry.name")
    return Declared(tool, tuple(found), line, column, name if isinstance(name, str) else "")


def _declared(data: dict[str, Any], positions: dict[KeyPath, KeyPosition]) -> Iterator[Dependency]:
    for path, group in _STRING_ARRAYS:
        yield from _strings(_get(data, path), path, group, positions)
    for table_path in _STRING_ARRAY_TABLES:
        table = _get(data, table_path)
        if isinstance(table, dict):
            for group, items in table.items():
                yield from _strings(items, f"{table_path}.{group}", group, positions)
    poetry_tables = list(_POETRY_TABLES)
    groups = _get(data, "tool.poetry.group")
    if isinstance(groups, dict):
        poetry_tables += [(f"tool.poetry.group.{g}.dependencies", g) for g in groups]
    for path, group in poetry_tables:
        yield from table_entries(data, positions, path, group)


def _strings(
    items: object, path: str, group: str, positions: dict[KeyPath, KeyPosition]
) -> Iterator[Dependency]:
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, str):  # PEP 735 also allows {include-group = "…"} tables
            line, column = _at(positions, (*key_path(path), index))
            if item.strip().startswith("-e "):  # PDM's editable entries
                item = item.strip()[3:]
            yield requirement(item, line, column, group=group)


def _get(data: dict[str, Any], path: str) -> object:
    node: object = data
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def table_entries(
    data: dict[str, Any], positions: dict[KeyPath, KeyPosition], path: str, group: str = ""
) -> Iterator[Dependency]:
    """Poetry- or Pipenv-style ``name = spec`` entries of the table at ``path``."""
    table = _get(data, path)
    if isinstance(table, dict):
        for name, value in table.items():
            line, column = _at(positions, (*key_path(path), name))
            yield table_dependency(name, value, line, column, group)


def _at(positions: dict[KeyPath, KeyPosition], path: KeyPath) -> tuple[int, int]:
    position = positions.get(path)
    return (position.line, position.column) if position else (1, 1)
