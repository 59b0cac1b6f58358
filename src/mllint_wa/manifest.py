"""lens.toml: read it, validate it against the schema, and answer questions about it with positions.

Nothing here raises on bad input. An unreadable or malformed manifest, unknown keys, wrong types
and values outside an enumeration all become :class:`ManifestProblem` records that the ``LN``
rules report.
"""

from __future__ import annotations

import datetime
import enum
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from mllint_wa.bounded import nesting_bounded
from mllint_wa.model import Location
from mllint_wa.parsers.toml_positions import KeyPath, KeyPosition, key_path, key_positions, render
from mllint_wa.parsers.toml_reader import (
    MAX_TOML_BYTES,
    TomlError,
    parse_toml,
    read_toml,
)
from mllint_wa.project import MANIFEST_NAME
from mllint_wa.records import dataclass
from mllint_wa.schema import MANIFEST, SCHEMA_VERSION, Spec
from mllint_wa.suggest import did_you_mean

MAX_MANIFEST_BYTES = MAX_TOML_BYTES

# A path as rules write it ("problem.metrics[0].target", bare keys only) or as a tuple.
AnyPath = KeyPath | str

_PLACEHOLDER_WORDS = frozenset(
    {"todo", "tbd", "tbc", "tba", "fixme", "xxx", "n/a", "na", "placeholder", "changeme"}
)
# "TODO: …", "TBD by Q3" — but not "Todo-list app" or "XXX-large model".
_PLACEHOLDER_PREFIX = re.compile(r"^(todo|tbd|tbc|fixme|xxx)(?=$|[\s:.,;!?)(])", re.IGNORECASE)


def is_number(value: object) -> bool:
    """Whether a value is a TOML integer or float (TOML's true is no number)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def as_number(value: object) -> float | None:
    """A TOML number as a finite float; None for anything else.

    ``nan``, ``inf`` and integers beyond a float's range are no usable figure: the schema
    reports them (LN005) and every rule that compares numbers treats them as no number."""
    if not is_number(value):
        return None
    assert isinstance(value, (int, float))
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


@nesting_bounded(False)
def is_placeholder(value: object) -> bool:
    """Whether a value only holds a place: ``""``, ``TODO``, ``TBD``, ``?``, ``n/a``, ``<…>``…

    Lists and tables count as placeholders when they hold nothing else.
    """
    if isinstance(value, str):
        text = value.strip()
        return (
            not any(ch.isalnum() for ch in text)
            or text.lower() in _PLACEHOLDER_WORDS
            or bool(_PLACEHOLDER_PREFIX.match(text))
            or (text.startswith("<") and text.endswith(">"))
        )
    if isinstance(value, list):
        return all(is_placeholder(item) for item in value)
    if isinstance(value, dict):
        return not value
    return False


class ProblemKind(str, enum.Enum):
    UNREADABLE = "unreadable"
    SYNTAX = "syntax"
    SCHEMA_VERSION = "schema-version"
    UNKNOWN_KEY = "unknown-key"
    WRONG_TYPE = "wrong-type"
    BAD_VALUE = "bad-value"


@dataclass(frozen=True)
class ManifestProblem:
    kind: ProblemKind
    message: str
    line: int = 1
    column: int = 1
    anchor: str = ""


def _as_path(path: AnyPath) -> KeyPath:
    return key_path(path) if isinstance(path, str) else path


@dataclass(frozen=True)
class Manifest:
    """A parsed lens.toml whose every value knows where it stands."""

    path: str
    data: Mapping[str, object]
    positions: Mapping[KeyPath, KeyPosition]

    def get(self, path: AnyPath) -> object | None:
        node: object = self.data
        for part in _as_path(path):
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    return None
                node = node[part]
            elif isinstance(node, Mapping) and part in node:
                node = node[part]
            else:
                return None
        return node

    def is_missing(self, path: AnyPath) -> bool:
        """Absent, or only a placeholder. A present value of the wrong type is not missing:
        the schema rules report that, and other rules stay quiet about it."""
        value = self.get(path)
        return value is None or is_placeholder(value)

    def location(self, path: AnyPath) -> Location:
        """Where a key stands; for an absent key, its nearest present parent, else line 1."""
        keys = _as_path(path)
        while keys:
            position = self.positions.get(keys)
            if position is not None:
                return Location(self.path, position.line, position.column)
            keys = keys[:-1]
        return Location(self.path)

    def value_location(self, path: AnyPath) -> Location:
        position = self.positions.get(_as_path(path))
        if position is None:
            return self.location(path)
        return Location(self.path, position.value_line, position.value_column)

    def tables(self, path: AnyPath) -> list[tuple[KeyPath, Mapping[str, object]]]:
        """The tables of an array of tables, each with its own path (``problem.metrics[0]``)."""
        keys = _as_path(path)
        value = self.get(keys)
        if not isinstance(value, list):
            return []
        return [((*keys, i), item) for i, item in enumerate(value) if isinstance(item, dict)]

    def waivers(self) -> list[Waiver]:
        """The [waivers.CODE] entries, in file order, each with what keeps it from applying."""
        table = self.get(("waivers",))
        if not isinstance(table, dict):
            return []
        found = []
        for selector, entry in table.items():
            if not isinstance(entry, dict):
                continue  # the schema rules report it
            lacking = [
                k
                for k in ("reason", "owner", "expires")
                if k not in entry or is_placeholder(entry[k])
            ]
            expires = entry.get("expires")
            if isinstance(expires, datetime.datetime):
                expires = expires.date()
            if not lacking and not isinstance(expires, datetime.date):
                lacking = ["a date in expires"]
            defect = f"it lacks {', '.join(lacking)}" if lacking else ""
            found.append(
                Waiver(
                    selector,
                    ("waivers", selector),
                    expires if isinstance(expires, datetime.date) else None,
                    defect,
                    _text_of(entry.get("reason")),
                    _text_of(entry.get("owner")),
                )
            )
        return found


@dataclass(frozen=True)
class Waiver:
    """An accepted risk: the findings of one rule (by code or name) that are not reported."""

    selector: str
    path: KeyPath
    expires: datetime.date | None
    defect: str
    reason: str = ""
    owner: str = ""

    @property
    def name(self) -> str:
        """The waiver as lens.toml spells it: ``waivers.DE003``."""
        return render(self.path)

    def applies_on(self, today: datetime.date) -> bool:
        return not self.defect and self.expires is not None and today <= self.expires


def _text_of(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


# -- loading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestLoad:
    """The outcome of reading a manifest: a manifest, or the problems that prevented one."""

    manifest: Manifest | None
    problems: tuple[ManifestProblem, ...]
    # The file's text when it could be read, for what else is read from it (ignore comments).
    text: str | None = None


def load_manifest(file: Path, relative_path: str = MANIFEST_NAME) -> ManifestLoad:
    read = read_toml(file, MAX_MANIFEST_BYTES)
    if isinstance(read, TomlError):
        return _failed(read, relative_path)
    return _loaded(read.text, read.data, relative_path)


def parse_manifest(text: str, relative_path: str = MANIFEST_NAME) -> ManifestLoad:
    data = parse_toml(text)
    if isinstance(data, TomlError):
        return _failed(data, relative_path)
    return _loaded(text, data, relative_path)


def _loaded(text: str, data: Mapping[str, object], relative_path: str) -> ManifestLoad:
    positions = key_positions(text)
    problems = tuple(_validate(data, positions))
    return ManifestLoad(Manifest(relative_path, data, positions), problems, text)


def _failed(error: TomlError, relative_path: str) -> ManifestLoad:
    kind = ProblemKind.SYNTAX if error.kind == "syntax" else ProblemKind.UNREADABLE
    message = f"{relative_path} {error.message}"
    return ManifestLoad(None, (ManifestProblem(kind, message, error.line, error.column),))


# -- validation -----------------------------------------------------------------------------

_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),
    (str, "a string"),
    (int, "an integer"),
    (float, "a number"),
    (datetime.datetime, "a date-time"),
    (datetime.date, "a date"),
    (datetime.time, "a time"),
    (list, "an array"),
    (dict, "a table"),
)

_EXPECTED: dict[str, str] = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "string-list": "an array of strings",
    "number-or-string": "a number or a string",
    "table": "a table",
    "table-list": "an array of tables ([[…]])",
    "any-table": "a table",
}


def _type_name(value: object) -> str:
    for python_type, name in _TYPE_NAMES:
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def _fits(spec: Spec, value: object) -> bool:
    number = is_number(value)
    checks = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": number,
        "boolean": isinstance(value, bool),
        "date": isinstance(value, datetime.date),
        "string-list": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "number-or-string": number or isinstance(value, str),
        "table": isinstance(value, dict),
        "table-list": isinstance(value, list) and all(isinstance(v, dict) for v in value),
        "any-table": isinstance(value, dict),
    }
    return checks[spec.kind]


def _number_problem(spec: Spec, value: object) -> str:
    """What is wrong with a number the schema asks for, or ""."""
    if spec.kind not in ("number", "number-or-string") or not is_number(value):
        return ""
    number = as_number(value)
    if number is None:
        return "give a finite number"
    if spec.minimum is not None and number < spec.minimum:
        return f"it cannot be less than {spec.minimum:g}"
    return ""


def shown_number(value: object) -> str:
    """A number as a message quotes it: a huge integer by its size, not its digits."""
    if isinstance(value, int) and abs(value) >= 10**21:
        return f"an integer of {len(str(abs(value)))} digits"
    return str(value)


def _validate(
    data: Mapping[str, object], positions: Mapping[KeyPath, KeyPosition]
) -> Iterator[ManifestProblem]:
    def at(path: KeyPath, kind: ProblemKind, message: str, on_value: bool) -> ManifestProblem:
        # The anchor is the path at fault even where the position is its parent's, so that
        # two problems never share a fingerprint.
        anchor = render(path)
        stands = path
        while stands and stands not in positions:
            stands = stands[:-1]
        position = positions.get(stands)
        if position is None:
            return ManifestProblem(kind, message, anchor=anchor)
        if on_value:
            return ManifestProblem(
                kind, message, position.value_line, position.value_column, anchor=anchor
            )
        return ManifestProblem(kind, message, position.line, position.column, anchor=anchor)

    @nesting_bounded(())
    def walk(spec: Spec, value: object, path: KeyPath) -> Iterator[ManifestProblem]:
        if is_placeholder(value) and spec.kind not in ("table", "any-table"):
            return  # missing, not mistyped: the rule that needs the value reports it
        shown = render(path)
        if not _fits(spec, value):
            yield at(
                path,
                ProblemKind.WRONG_TYPE,
                f"`{shown}` should be {_EXPECTED[spec.kind]}, not {_type_name(value)}",
                on_value=True,
            )
            return
        number_problem = _number_problem(spec, value)
        if number_problem:
            yield at(
                path,
                ProblemKind.BAD_VALUE,
                f"`{shown}` is {shown_number(value)}: {number_problem}",
                on_value=True,
            )
        if spec.enum and value not in spec.enum:
            yield at(
                path,
                ProblemKind.BAD_VALUE,
                f'`{shown}` is "{value}"; expected one of '
                + ", ".join(spec.enum)
                + did_you_mean(str(value), spec.enum),
                on_value=True,
            )
        if spec.kind == "table-list":
            assert isinstance(value, list)
            for index, item in enumerate(value):
                yield from walk(Spec("table", fields=spec.fields), item, (*path, index))
        elif spec.kind == "table":
            assert isinstance(value, dict)
            for key, item in value.items():
                child = (*path, key)
                if key in spec.fields:
                    yield from walk(spec.fields[key], item, child)
                else:
                    yield at(
                        child,
                        ProblemKind.UNKNOWN_KEY,
                        f"unknown key `{render(child)}`" + did_you_mean(key, spec.fields),
                        on_value=False,
                    )
        elif spec.kind == "any-table" and spec.entries is not None:
            assert isinstance(value, dict)
            for key, item in value.items():
                yield from walk(spec.entries, item, (*path, key))

    yield from walk(MANIFEST, data, ())
    version = data.get("schema_version")
    if version is None or is_placeholder(version):
        yield at(
            ("schema_version",),
            ProblemKind.SCHEMA_VERSION,
            f"lens.toml does not declare its format: add `schema_version = {SCHEMA_VERSION}`",
            on_value=True,
        )
    elif isinstance(version, int) and not isinstance(version, bool) and version != SCHEMA_VERSION:
        yield at(
            ("schema_version",),
            ProblemKind.SCHEMA_VERSION,
            f"schema_version {shown_number(version)} is not supported; this mllint-wa reads "
            f"version {SCHEMA_VERSION}",
            on_value=True,
        )
