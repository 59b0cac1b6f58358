"""Settings: ``[tool.mllint-wa]`` in pyproject.toml ▸ ``[lint]`` in lens.toml ▸ CLI flags.

Each source is a :class:`Layer`; layers apply in that order the way ruff's do: a layer's
``select`` replaces the rule set so far, ``extend-select`` adds to it, ``ignore`` removes from
it, ``exclude`` and ``extend-exclude`` patterns accumulate, and the last ``fail-on`` given
wins. As in ruff, the default exclusions (:data:`DEFAULT_EXCLUDE`) hold until a source sets
``exclude`` (``exclude = []`` included), which replaces them; ``extend-exclude`` keeps them.

Preview rules (``Rule.preview``) follow ruff's preview mode: the last ``preview`` given
(``--preview``/``--no-preview``, ``preview = true``) says whether they run. With preview on,
every selector that matches them selects them, the default ``ALL`` included; with it off,
none does, not even their exact code or name, and a selector that matches only preview rules
is reported as a warning, since it selects nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import field
from pathlib import Path

from mllint_wa.model import Risk, Rule
from mllint_wa.parsers.toml_reader import TomlError, read_toml
from mllint_wa.project import PYPROJECT_NAME, ExcludeGroup, settings_file_refusal
from mllint_wa.records import dataclass
from mllint_wa.registry import SelectorError, resolve
from mllint_wa.schema import FAIL_ON_CHOICES, SETTINGS
from mllint_wa.suggest import did_you_mean
from mllint_wa.wildmatch import InvalidPattern, parse_line

TOOL_TABLE = "mllint-wa"
SETTING_KEYS = tuple(SETTINGS)
_LIST_KEYS = tuple(key for key, spec in SETTINGS.items() if spec.kind == "string-list")
_SIZE_KEYS = ("large-file-threshold", "large-data-file-threshold")
_FLAG_KEYS = ("inline-ignores", "preview")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS.update({f"{unit[0]}ib": 1024 ** "bkmgt".index(unit[0]) for unit in _UNITS if unit != "b"})
# Folders excluded unless a source sets `exclude`: retired material that its repository keeps
# for reference, named `archived` (its name may carry a prefix that sorts it, ` archived`,
# `_archived`). Names that can hold live code or data (`archive`, `legacy`, `deprecated`,
# `old`) are not excluded.
DEFAULT_EXCLUDE = ("*[Aa]rchived/",)


class ConfigError(Exception):
    """A configuration that cannot be used; the CLI reports it and exits 2."""


@dataclass(frozen=True)
class Layer:
    """The settings one source gives; ``None`` means the source does not set it."""

    source: str
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # None: the source does not set `exclude`, so the default exclusions stay.
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    # Rule options this source sets, by setting name (e.g. "large-file-threshold"), in bytes.
    sizes: tuple[tuple[str, int], ...] = ()
    # Whether inline `mllint-wa: ignore[…]` comments suppress findings; None: not set here.
    inline_ignores: bool | None = None
    # Whether preview rules run; None: not set here.
    preview: bool | None = None
    # The folder the exclude patterns are relative to: the pyproject.toml's, the lens.toml's
    # or the --config file's; None for the command line (each linted folder).
    base: Path | None = None

    @property
    def exclude_patterns(self) -> tuple[str, ...]:
        """The patterns this source excludes, from ``exclude`` and ``extend-exclude``."""
        return (*(self.exclude or ()), *self.extend_exclude)

    def __post_init__(self) -> None:
        # Checked here, where the source is known: a bad pattern is a configuration error,
        # not an internal error of the walk or of a project's file filter.
        for pattern in self.exclude_patterns:
            try:
                parse_line(pattern)
            except InvalidPattern as error:
                raise ConfigError(
                    f"{self.source}: invalid exclude pattern {pattern!r}: {error}"
                ) from error


@dataclass(frozen=True)
class RuleOptions:
    """Settings that rules read through their context, in bytes."""

    large_file_threshold: int = 10 * 10**6
    large_data_file_threshold: int = 10**6
    # Off: inline ignores suppress nothing, and each one is reported instead.
    inline_ignores: bool = True


@dataclass(frozen=True)
class Settings:
    """The settings in force for one project."""

    rules: tuple[Rule, ...]
    fail_on: Risk | None  # None: no finding fails the run
    exclude: tuple[ExcludeGroup, ...]
    options: RuleOptions = field(default_factory=RuleOptions)
    preview: bool = False
    # What the run should say about these settings: selectors that select nothing.
    warnings: tuple[str, ...] = ()


def parse_size(value: object) -> int | None:
    """A size in bytes from a number or a string such as "10 MB" or "512KiB"; None when it
    is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    match = _SIZE.fullmatch(value.strip())
    if match is None:
        return None
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "b").lower()])


def layer_from_table(table: Mapping[str, object], source: str, base: Path | None = None) -> Layer:
    """Validate one settings table; unknown keys, wrong types and a setting given under
    both its spellings (`fail-on` and `fail_on`) are errors."""
    lists: dict[str, tuple[str, ...]] = {}
    fail_on: str | None = None
    sizes: dict[str, int] = {}
    flags: dict[str, bool] = {}
    spelled: dict[str, str] = {}
    for key, value in table.items():
        normalized = key.replace("_", "-")
        if normalized not in SETTING_KEYS:
            raise ConfigError(
                f"{source}: unknown setting `{key}`" + did_you_mean(normalized, SETTING_KEYS)
            )
        if normalized in spelled:
            # One would silently replace the other: say so rather than pick one.
            raise ConfigError(
                f"{source}: `{spelled[normalized]}` and `{key}` are the same setting; keep one"
            )
        spelled[normalized] = key
        if normalized in _LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{source}: `{key}` must be a list of strings")
            lists[normalized] = tuple(value)
        elif normalized in _SIZE_KEYS:
            size = parse_size(value)
            if size is None:
                raise ConfigError(
                    f"{source}: `{key}` must be a size in bytes or with a unit "
                    f'(e.g. "10 MB"), not {value!r}'
                )
            sizes[normalized] = size
        elif normalized in _FLAG_KEYS:
            if not isinstance(value, bool):
                raise ConfigError(f"{source}: `{key}` must be true or false, not {value!r}")
            flags[normalized] = value
        else:
            if value not in FAIL_ON_CHOICES:
                raise ConfigError(
                    f"{source}: `{key}` must be one of {', '.join(FAIL_ON_CHOICES)}, not {value!r}"
                )
            fail_on = str(value)
    return Layer(
        source=source,
        select=lists.get("select"),
        extend_select=lists.get("extend-select", ()),
        ignore=lists.get("ignore", ()),
        exclude=lists.get("exclude"),
        extend_exclude=lists.get("extend-exclude", ()),
        fail_on=fail_on,
        sizes=tuple(sorted(sizes.items())),
        inline_ignores=flags.get("inline-ignores"),
        preview=flags.get("preview"),
        base=base,
    )


def _read_toml(path: Path) -> dict[str, object]:
    """A settings file read with the manifest's bounds: a regular file of at most 1 MiB,
    bounded keys and lines, bounded nesting."""
    read = read_toml(path)
    if isinstance(read, TomlError):
        where = f" (line {read.line}, column {read.column})" if read.kind == "syntax" else ""
        raise ConfigError(f"{path} {read.message}{where}")
    return read.data


def load_config_file(path: Path) -> Layer:
    """A file named with --config: a pyproject.toml, a lens.toml, or a bare settings table."""
    data = _read_toml(path)
    tool = data.get("tool")
    if isinstance(tool, dict) and TOOL_TABLE in tool:
        table = tool[TOOL_TABLE]
    elif path.name == "pyproject.toml" or isinstance(tool, dict):
        # A pyproject-style file for other tools: reading it as a bare settings table would
        # report its [project] or [tool] table as an unknown setting.
        raise ConfigError(f"{path}: has no [tool.{TOOL_TABLE}] table")
    elif path.name == "lens.toml":
        table = data.get("lint", {})
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: the settings must be a table")
    return layer_from_table(table, str(path), path.resolve().parent)


class _PyprojectLayers:
    """``pyproject_layer(directory)``: the ``[tool.mllint-wa]`` table of the nearest
    pyproject.toml that has one, looking up from ``directory`` to the enclosing repository's
    root.

    Remembered for every folder on the way up, so that each pyproject.toml is read once
    however many projects lie below it. The folders are walked in a loop: a checkout may
    nest them deeper than Python recurses."""

    def __init__(self) -> None:
        self._layers: dict[Path, Layer | None] = {}

    def __call__(self, directory: Path) -> Layer | None:
        walked: list[Path] = []
        folder = directory
        while folder not in self._layers:
            walked.append(folder)
            found = _own_pyproject_layer(folder)
            if found is not None or (folder / ".git").exists() or folder.parent == folder:
                break
            folder = folder.parent
        else:
            found = self._layers[folder]
        self._layers.update(dict.fromkeys(walked, found))
        return found

    def cache_clear(self) -> None:
        """Read every pyproject.toml again: for a process that lints a tree it changed."""
        self._layers.clear()


pyproject_layer = _PyprojectLayers()


def _own_pyproject_layer(folder: Path) -> Layer | None:
    """The ``[tool.mllint-wa]`` table of the folder's own pyproject.toml, if it has one."""
    candidate = folder / PYPROJECT_NAME
    # A pyproject.toml that the walk refuses (a symlink out of the tree) is not read either.
    if candidate.is_file() and settings_file_refusal(candidate) is None:
        tool = _read_toml(candidate).get("tool")
        if isinstance(tool, dict) and TOOL_TABLE in tool:
            table = tool[TOOL_TABLE]
            if not isinstance(table, dict):
                raise ConfigError(f"{candidate}: [tool.{TOOL_TABLE}] must be a table")
            return layer_from_table(table, f"{candidate} [tool.{TOOL_TABLE}]", folder)
    return None


def resolve_settings(
    layers: Sequence[Layer], rules: Sequence[Rule], default_base: Path | None = None
) -> Settings:
    """Apply the layers in order to the full rule set; the default exclusions, when no layer
    replaces them, are relative to ``default_base`` (None: the folder linted)."""
    preview = next(
        (layer.preview for layer in reversed(layers) if layer.preview is not None), False
    )
    selected = [r for r in rules if preview or not r.preview]
    replaced = any(layer.exclude is not None for layer in layers)
    exclude: list[ExcludeGroup] = [] if replaced else [(default_base, DEFAULT_EXCLUDE)]
    fail_on = "low"
    sizes: dict[str, int] = {}
    inline_ignores = True
    warnings: list[str] = []
    for layer in layers:
        try:
            if layer.select is not None:
                selected = _selected(layer, layer.select, rules, preview, warnings)
            selected += _selected(layer, layer.extend_select, rules, preview, warnings)
            ignored = {
                r.code for s in layer.ignore for r in resolve(s, rules, unknown_code_ok=True)
            }
        except SelectorError as error:
            raise ConfigError(f"{layer.source}: {error}") from error
        selected = [r for r in selected if r.code not in ignored]
        if layer.exclude_patterns:
            exclude.append((layer.base, layer.exclude_patterns))
        fail_on = layer.fail_on or fail_on
        sizes.update(layer.sizes)
        if layer.inline_ignores is not None:
            inline_ignores = layer.inline_ignores
    unique = sorted({r.code: r for r in selected}.values(), key=lambda r: r.code)
    return Settings(
        rules=tuple(unique),
        fail_on=None if fail_on == "none" else Risk(fail_on),
        exclude=tuple(exclude),
        options=RuleOptions(
            large_file_threshold=sizes.get(
                "large-file-threshold", RuleOptions.large_file_threshold
            ),
            large_data_file_threshold=sizes.get(
                "large-data-file-threshold", RuleOptions.large_data_file_threshold
            ),
            inline_ignores=inline_ignores,
        ),
        preview=preview,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _selected(
    layer: Layer,
    selectors: Sequence[str],
    rules: Sequence[Rule],
    preview: bool,
    warnings: list[str],
) -> list[Rule]:
    """The rules ``selectors`` select: without preview, none of the preview rules, and a
    warning for each selector that matches preview rules only (ruff's behaviour)."""
    found: list[Rule] = []
    for selector in selectors:
        matched = resolve(selector, rules)
        kept = [r for r in matched if preview or not r.preview]
        if matched and not kept:
            warnings.append(
                f"{layer.source}: selection `{selector}` has no effect because preview is not "
                "enabled (--preview, or `preview = true`)"
            )
        found += kept
    return found
