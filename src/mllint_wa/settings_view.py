"""``mllint-wa --show-settings``: the settings each project would be linted with, each with
the source that set it.

Sources apply in order (pyproject.toml ``[tool.mllint-wa]`` or ``--config``, then
``lens.toml [lint]``, then the command line). A setting that one source replaces
(``select``, ``fail-on``, ``preview``, the size thresholds) is shown with the last source
that set it; a setting that sources add to (``extend-select``, ``ignore``, ``exclude``,
``extend-exclude``) is shown once for each source that adds to it — for ``extend-select`` and
``ignore``, only from the last ``select`` on, since a ``select`` starts the rule set afresh.
``exclude`` is shown with its defaults until a source sets it.

Values are shown redacted, like every report: an ``exclude`` pattern may hold a token, or a
URL with its password.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from mllint_wa.config import DEFAULT_EXCLUDE, Layer, RuleOptions
from mllint_wa.parsers.secrets import redact
from mllint_wa.records import dataclass
from mllint_wa.runner import Plan, Prepared, RunOptions, display_path, stage_and_source

DEFAULT = "default"
_Values = Callable[[Layer], tuple[str, ...]]
_Value = Callable[[Layer], object]


@dataclass(frozen=True)
class Setting:
    key: str
    value: object  # a string, a number or a list of strings
    source: str


def effective_settings(item: Prepared, options: RunOptions, cwd: Path) -> list[Setting]:
    """The settings of one project, in a fixed order, each with its source."""
    layers = item.layers
    stage, stage_source = stage_and_source(item.load.manifest, options.stage)
    if stage_source == "[project] stage":
        stage_source = f"{display_path(item.project.manifest_path, cwd)} [project] stage"
    found = [Setting("stage", stage.value, stage_source)]
    last_select = max((i for i, layer in enumerate(layers) if layer.select is not None), default=-1)
    if last_select < 0:
        found.append(Setting("select", ["ALL"], DEFAULT))
    else:
        chosen = layers[last_select]
        found.append(Setting("select", list(chosen.select or ()), chosen.source))
    since_select = layers[max(last_select, 0) :]
    found += _added("extend-select", since_select, lambda layer: layer.extend_select)
    found += _added("ignore", since_select, lambda layer: layer.ignore)
    found += _exclude(layers)
    found += _added("extend-exclude", layers, lambda layer: layer.extend_exclude)
    found.append(_replaced("fail-on", layers, lambda layer: layer.fail_on, "low"))
    found.append(_replaced("preview", layers, lambda layer: layer.preview, False))
    defaults = RuleOptions()
    for key, default in (
        ("large-file-threshold", defaults.large_file_threshold),
        ("large-data-file-threshold", defaults.large_data_file_threshold),
    ):
        found.append(_replaced(key, layers, _size(key), default))
    return found


def _size(key: str) -> _Value:
    return lambda layer: dict(layer.sizes).get(key)


def _added(key: str, layers: Sequence[Layer], values: _Values) -> list[Setting]:
    added = [Setting(key, list(values(layer)), layer.source) for layer in layers if values(layer)]
    return added or [Setting(key, [], DEFAULT)]


def _exclude(layers: Sequence[Layer]) -> list[Setting]:
    """``exclude`` from each source that sets it, ``exclude = []`` included since it drops
    the default exclusions; the defaults when none does."""
    given = [layer for layer in layers if layer.exclude is not None]
    if not given:
        return [Setting("exclude", list(DEFAULT_EXCLUDE), DEFAULT)]
    return [Setting("exclude", list(layer.exclude or ()), layer.source) for layer in given]


def _replaced(key: str, layers: Sequence[Layer], value: _Value, default: object) -> Setting:
    for layer in reversed(layers):
        given = value(layer)
        if given is not None:
            return Setting(key, given, layer.source)
    return Setting(key, default, DEFAULT)


def _project(item: Prepared, options: RunOptions, cwd: Path) -> dict[str, object]:
    project = item.project
    manifest = display_path(project.manifest_path, cwd) if project.has_manifest else None
    # A folder's name may hold a credential, as it may in a report's paths.
    return {
        "root": redact(display_path(project.root, cwd)),
        "manifest": manifest and redact(manifest),
        "settings": [
            {"key": s.key, "value": _redacted(s.value), "source": redact(s.source)}
            for s in effective_settings(item, options, cwd)
        ],
        "rules": [rule.code for rule in item.settings.rules],
    }


def _redacted(value: object) -> object:
    """A setting's value (a string, a number or a list of strings) with anything that looks
    like a credential redacted."""
    if isinstance(value, list):
        return [redact(item) if isinstance(item, str) else item for item in value]
    return redact(value) if isinstance(value, str) else value


def render(plan: Plan, options: RunOptions, format_name: str = "text") -> str:
    """The settings of every project the run would lint, as text or as JSON."""
    cwd = Path.cwd()
    projects = [_project(item, options, cwd) for item in plan.linted]
    if format_name == "json":
        return json.dumps({"projects": projects}, indent=2, ensure_ascii=False) + "\n"
    blocks = []
    for project in projects:
        manifest = project["manifest"] or "no lens.toml"
        lines = [f"Settings for {project['root']} ({manifest})"]
        settings = project["settings"]
        assert isinstance(settings, list)
        rules = project["rules"]
        assert isinstance(rules, list)
        rows = [(f"{s['key']} = {json.dumps(s['value'])}", s["source"]) for s in settings]
        rows.append((f"rules = {json.dumps(rules)}", f"{len(rules)} rules run"))
        # Comments line up, except after the values too long to wait for.
        width = max((len(text) for text, _ in rows if len(text) <= 60), default=0)
        lines += [f"  {text:<{width}}  # {source}" for text, source in rows]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
