"""The rule registry: the ``@rule`` decorator, rule discovery and rule selection.

Built-in rules live in the modules of ``mllint_wa.checks``; third-party packages add theirs
through the ``mllint_wa.checks`` entry-point group (a module, a Rule, or an iterable of Rules).
Nothing here knows any rule by code or name.

The commands that only describe rules (``rules``, ``explain``, ``export-lens``) read the
built-in rules from their descriptions, ``mllint_wa/data/rules.json``, generated from the
checks by ``scripts/update_rules_doc.py``: importing the checks imports every parser.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import json
import os
import pkgutil
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib.machinery import PathFinder
from types import ModuleType
from typing import TYPE_CHECKING, Any

from mllint_wa.lens import PRACTICE_BY_ID
from mllint_wa.model import PHASE_BY_PREFIX, Check, Risk, Rule, Stage, Violation
from mllint_wa.suggest import did_you_mean

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from mllint_wa.context import ProjectContext

ENTRY_POINT_GROUP = "mllint_wa.checks"
BUILTIN_MODULES = (
    "mllint_wa.checks.manifest",
    "mllint_wa.checks.business",
    "mllint_wa.checks.framing",
    "mllint_wa.checks.files",
    "mllint_wa.checks.secrets",
    "mllint_wa.checks.development",
    "mllint_wa.checks.dependencies",
    "mllint_wa.checks.data",
    "mllint_wa.checks.containers",
    "mllint_wa.checks.automation",
    "mllint_wa.checks.documentation",
    "mllint_wa.checks.deployment",
    "mllint_wa.checks.infra_cost",
    "mllint_wa.checks.infra_security",
    "mllint_wa.checks.suppression",
    "mllint_wa.checks.infra_access",
    "mllint_wa.checks.monitoring",
)

_CODE = re.compile(r"^[A-Z]{2}\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class RegistryError(Exception):
    """A rule or plugin that cannot be used; the CLI reports it and exits 2."""


class SelectorError(ValueError):
    """A --select/--ignore value that matches no rule."""


def rule(
    *,
    code: str,
    name: str,
    risk: Risk,
    summary: str,
    fix: str,
    lens_refs: Sequence[str],
    requires_manifest: bool = True,
    first_stage: Stage | None = None,
    runs_last: bool = False,
    sees_findings: bool = False,
    waivable: bool = True,
    example: str = "",
    preview: bool = False,
) -> Callable[[Check], Rule]:
    """Turn a check function into a Rule; its docstring is what `mllint-wa explain` prints.
    A ``preview`` rule runs only when preview is on (see mllint_wa.config)."""

    def wrap(check: Check) -> Rule:
        return Rule(
            code=code,
            name=name,
            risk=risk,
            summary=summary,
            fix=fix,
            lens_refs=tuple(lens_refs),
            check=check,
            explanation=_unwrapped(inspect.cleandoc(check.__doc__ or "")),
            requires_manifest=requires_manifest,
            first_stage=first_stage,
            runs_last=runs_last,
            sees_findings=sees_findings,
            waivable=waivable,
            example=inspect.cleandoc(example),
            preview=preview,
        )

    return wrap


def _unwrapped(text: str) -> str:
    """Paragraphs on one line each, so that every output can wrap them its own way."""
    paragraphs = (" ".join(p.split()) for p in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _rules_in(obj: object) -> list[Rule]:
    if isinstance(obj, Rule):
        return [obj]
    if isinstance(obj, ModuleType):
        return [value for value in vars(obj).values() if isinstance(value, Rule)]
    if isinstance(obj, Iterable) and not isinstance(obj, (str, bytes)):
        found = list(obj)
        if all(isinstance(item, Rule) for item in found):
            return found
    raise RegistryError(f"{obj!r} is not a rule, a module of rules or a list of rules")


def _validate(rules: list[Rule]) -> None:
    codes: dict[str, Rule] = {}
    names: dict[str, Rule] = {}
    for item in rules:
        if not _CODE.match(item.code) or item.code[:2] not in PHASE_BY_PREFIX:
            raise RegistryError(
                f"rule code {item.code!r} must be a phase prefix "
                f"({', '.join(PHASE_BY_PREFIX)}) and three digits"
            )
        if not _NAME.match(item.name):
            raise RegistryError(f"rule name {item.name!r} ({item.code}) must be kebab-case")
        unknown = [ref for ref in item.lens_refs if ref not in PRACTICE_BY_ID]
        if unknown or not item.lens_refs:
            raise RegistryError(
                f"rule {item.code} cites unknown ML Lens practices: {', '.join(unknown) or 'none'}"
            )
        for index, key in ((codes, item.code), (names, item.name)):
            if key in index and index[key] is not item:
                raise RegistryError(f"two rules are registered as {key}")
            index[key] = item


@functools.cache
def load_rules() -> tuple[Rule, ...]:
    """Every available rule, built-in and from plugins, sorted by code."""
    builtin = [r for name in BUILTIN_MODULES for r in _rules_in(importlib.import_module(name))]
    return _with_plugins(builtin)


def described_rules() -> tuple[Rule, ...]:
    """Every available rule, as :func:`load_rules` gives it, without importing a built-in
    check: the built-in rules are read from their descriptions, and each one's module is
    imported only if its check runs. Plugins are loaded as by :func:`load_rules`."""
    return _with_plugins(_described_builtins())


def entry_points(*, group: str) -> Sequence[EntryPoint]:
    """The installed entry points of ``group``. Importing importlib.metadata costs more than
    the rest of `mllint-wa rules`, so it is imported only when an installed distribution
    may declare one (see :func:`may_declare_entry_points`)."""
    if not may_declare_entry_points(group):
        return ()
    from importlib.metadata import entry_points as installed

    return tuple(installed(group=group))


def may_declare_entry_points(group: str) -> bool:
    """False only when no distribution importlib.metadata would find names ``group``: the
    only finder of distributions is the standard path finder, no entry of ``sys.path`` is
    an archive or an egg, and no ``*.dist-info`` or ``*.egg-info`` folder in them has an
    ``entry_points.txt`` that mentions the group. Anything else is left to
    importlib.metadata."""
    if any(
        finder is not PathFinder and hasattr(finder, "find_distributions")
        for finder in sys.meta_path
    ):
        return True
    for entry in sys.path:
        folder = entry or "."
        if folder.lower().endswith(".egg"):
            return True
        try:
            with os.scandir(folder) as children:
                metadata = [c.path for c in children if c.name.lower().endswith(_METADATA)]
        except NotADirectoryError:
            return True  # a zip archive, whose distributions importlib.metadata also reads
        except OSError:
            continue
        for path in metadata:
            try:
                with open(os.path.join(path, "entry_points.txt"), encoding="utf-8") as text:
                    if group in text.read():
                        return True
            except OSError:
                continue
            except UnicodeDecodeError:
                return True
    return False


_METADATA = (".dist-info", ".egg-info")


def _with_plugins(builtin: list[Rule]) -> tuple[Rule, ...]:
    found = list(builtin)
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        try:
            loaded = entry_point.load()
        except Exception as error:
            raise RegistryError(
                f"plugin {entry_point.name!r} ({entry_point.value}) failed to load: {error}"
            ) from error
        found.extend(_rules_in(loaded))
    unique = list(dict.fromkeys(found))
    _validate(unique)
    return tuple(sorted(unique, key=lambda r: r.code))


# Rule descriptions ---------------------------------------------------------------------------

DESCRIPTIONS = "rules.json"
# The fields of a Rule that are not plain JSON values, read back from what is stored.
_DECODED: dict[str, Callable[[Any], Any]] = {
    "risk": Risk,
    "first_stage": lambda value: None if value is None else Stage(value),
    "lens_refs": tuple,
}


def describe(rules: Iterable[Rule]) -> str:
    """The built-in rules among ``rules``, described as :func:`described_rules` reads them
    (the contents of ``mllint_wa/data/rules.json``)."""
    described = []
    for item in rules:
        module = item.check.__module__
        if module not in BUILTIN_MODULES:
            continue
        fields = {f.name: getattr(item, f.name) for f in dataclasses.fields(Rule)}
        del fields["check"]
        fields["risk"] = item.risk.value
        fields["first_stage"] = item.first_stage.value if item.first_stage else None
        described.append({"module": module, **fields})
    return json.dumps(described, indent=1, ensure_ascii=False) + "\n"


@functools.cache
def _described_builtins() -> list[Rule]:
    # pkgutil rather than importlib.resources, which imports tempfile, shutil and zipfile.
    stored = pkgutil.get_data("mllint_wa.data", DESCRIPTIONS)
    if stored is None:
        raise RegistryError(f"the rule descriptions (mllint_wa/data/{DESCRIPTIONS}) cannot be read")
    rules = []
    for entry in json.loads(stored.decode("utf-8")):
        module = entry.pop("module")
        for name, decode in _DECODED.items():
            entry[name] = decode(entry[name])
        rules.append(Rule(**entry, check=_deferred_check(module, entry["code"])))
    return rules


def _deferred_check(module_name: str, code: str) -> Check:
    """The check of the built-in rule ``code`` of ``module_name``, imported when it runs."""

    def deferred(context: ProjectContext) -> Iterable[Violation]:
        module = importlib.import_module(module_name)
        return next(r for r in _rules_in(module) if r.code == code).check(context)

    # Where the rule is defined, as for a loaded rule (documentation links go by it).
    deferred.__module__ = module_name
    return deferred


def import_checks(rules: Iterable[Rule]) -> None:
    """Import the modules that define ``rules``' checks now, as :func:`load_rules` does:
    before worker processes are forked, so that each does not import them again."""
    for module in sorted({item.check.__module__ for item in rules}):
        importlib.import_module(module)


def resolve(selector: str, rules: Sequence[Rule], *, unknown_code_ok: bool = False) -> list[Rule]:
    """Rules matched by one selector: ``ALL``, a code or code prefix (``PF``, ``PF0``,
    ``PF001``), or a rule name (``missing-success-metric``).

    With ``unknown_code_ok``, a well-formed code that no installed rule has matches nothing
    instead of being an error, so that ignoring a rule of a newer release or of an absent
    plugin does not break the run."""
    text = selector.strip()
    if text.upper() == "ALL":
        return list(rules)
    by_name = [r for r in rules if r.name == text.lower()]
    if by_name:
        return by_name
    by_code = [r for r in rules if r.code.startswith(text.upper())]
    if by_code and re.fullmatch(r"[A-Za-z]{2}\d{0,3}", text):
        return by_code
    if unknown_code_ok and is_rule_code(text):
        return []
    hint = did_you_mean(text, [r.name for r in rules] + [r.code for r in rules])
    raise SelectorError(f"unknown rule selector `{selector}`{hint}")


def is_rule_code(text: str) -> bool:
    """Whether ``text`` has the form of a rule code (``PF001``), whether or not a rule has it."""
    code = text.strip().upper()
    return bool(_CODE.match(code)) and code[:2] in PHASE_BY_PREFIX


def find_rule(code_or_name: str, rules: Sequence[Rule]) -> Rule | None:
    """The one rule among ``rules`` with this exact code or name (any case)."""
    wanted = code_or_name.strip()
    for item in rules:
        if wanted.upper() == item.code or wanted.lower() == item.name:
            return item
    return None


def lookup(code_or_name: str) -> Rule | None:
    """The one available rule with this exact code or name, as described (see
    :func:`described_rules`)."""
    return find_rule(code_or_name, described_rules())
