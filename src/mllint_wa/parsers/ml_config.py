"""ML configuration in YAML: MLflow's ``MLproject``, DVC's ``params.yaml``, Hydra configs.

Each parser gives the file's string values with their key paths and positions (where a rule
looks for data locations, seeds or tracking URIs) and what is specific to the format:
``MLproject`` entry points with their parameters, a Hydra config's ``defaults`` list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mllint_wa.evidence import Derived, ParseError
from mllint_wa.parsers.yaml_doc import item_position, load_yaml, value_position
from mllint_wa.records import dataclass

# Key paths are at most this deep; deeper nesting is data, not configuration.
_MAX_DEPTH = 32


@dataclass(frozen=True)
class ConfigValue:
    """A string in a configuration file: ``key`` is its dotted path (``data.train.url``)."""

    key: str
    value: str
    line: int
    column: int


@dataclass(frozen=True)
class EntryPoint:
    name: str
    command: str
    parameters: tuple[ConfigValue, ...]


@dataclass(frozen=True)
class MLProject:
    name: str | None
    entry_points: tuple[EntryPoint, ...]
    values: tuple[ConfigValue, ...]


@dataclass(frozen=True)
class ConfigFile:
    """``params.yaml`` or a Hydra config; ``defaults`` is Hydra's defaults list, as written."""

    values: tuple[ConfigValue, ...]
    defaults: tuple[str, ...] = ()


def string_values(node: Any, prefix: str = "") -> Iterator[ConfigValue]:
    """Every string below ``node`` in document order, with its key path and position.
    Aliases are shared nodes: each container is visited once."""
    yield from _strings(node, prefix, 0, set())


def _strings(node: Any, path: str, depth: int, seen: set[int]) -> Iterator[ConfigValue]:
    if id(node) in seen or depth > _MAX_DEPTH:
        return
    seen.add(id(node))
    if isinstance(node, Mapping):
        items = [(str(k), v, value_position(node, k)) for k, v in node.items()]
    elif isinstance(node, list):
        items = [(str(i), v, item_position(node, i)) for i, v in enumerate(node)]
    else:
        return
    for key, value, (line, column) in items:
        child = f"{path}.{key}" if path else key
        if isinstance(value, str):
            yield ConfigValue(child, value, line, column)
        else:
            yield from _strings(value, child, depth + 1, seen)


def _mapping(documents: list[Any], what: str) -> Mapping[str, Any]:
    if not documents:
        return {}
    if not isinstance(documents[0], Mapping):
        raise ParseError(f"is not a mapping of {what}")
    return documents[0]


def _mlproject(documents: list[Any]) -> MLProject:
    document = _mapping(documents, "MLproject settings")
    entry_points = []
    raw_entry_points = document.get("entry_points")
    if isinstance(raw_entry_points, Mapping):
        for name, entry in raw_entry_points.items():
            if not isinstance(entry, Mapping):
                continue
            command = entry.get("command")
            parameters = entry.get("parameters")
            entry_points.append(
                EntryPoint(
                    str(name),
                    command if isinstance(command, str) else "",
                    tuple(string_values(parameters, f"entry_points.{name}.parameters"))
                    if isinstance(parameters, Mapping)
                    else (),
                )
            )
    name = document.get("name")
    return MLProject(
        name if isinstance(name, str) else None,
        tuple(entry_points),
        tuple(string_values(document)),
    )


def _config(documents: list[Any]) -> ConfigFile:
    document = _mapping(documents, "settings")
    defaults: list[str] = []
    raw = document.get("defaults")
    if isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, str):
                defaults.append(entry)
            elif isinstance(entry, Mapping):
                defaults.extend(f"{key}: {value}" for key, value in entry.items())
    return ConfigFile(tuple(string_values(document)), tuple(defaults))


# Read from the documents every other reader of the file shares: the YAML is parsed once.
parse_mlproject = Derived(load_yaml, _mlproject)
# ``params.yaml`` or a Hydra config file.
parse_config = Derived(load_yaml, _config)
