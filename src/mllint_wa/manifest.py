"""lens.toml: read it, validate it against the schema, and answer questions about it with positions.

Nothing here raises on bad input. An unreadable or malformed manifest, unknown keys, wrong types
and values outside an enumeration all become :class:`ManifestProblem` records that the ``LN``
rules report.
"""

from __future__ import annotations

import codecs
import datetime
import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from mllint_wa.model import Location
from mllint_wa.parsers.toml_positions import KeyPosition, key_positions
from mllint_wa.parsers.tomlcompat import tomllib
from mllint_wa.project import MANIFEST_NAME
from mllint_wa.schema import MANIFEST, SCHEMA_VERSION, Spec
from mllint_wa.suggest import did_you_mean

MAX_MANIFEST_BYTES = 1024 * 1024

_PLACEHOLDER_WORDS = frozenset(
    {"todo", "tbd", "tbc", "tba", "fixme", "xxx", "n/a", "na", "placeholder", "changeme"}
)
# "TODO: …", "TBD by Q3" — but not "Todo-list app" or "XXX-large model".
_PLACEHOLDER_PREFIX = re.compile(r"^(todo|tbd|tbc|fixme|xxx)(?=$|[\s:.,;!?)(])", re.IGNORECASE)
# Deeper nesting than any manifest needs; refusing it keeps every recursive walk safe.
MAX_NESTING = 64
_TOMLLIB_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def as_number(value: object) -> float | None:
    """A TOML integer or float as a float; None for anything else (TOML's true is no number)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


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


@dataclass(frozen=True)
class Manifest:
    """A parsed lens.toml whose every value knows where it stands."""

    path: str
    data: Mapping[str, object]
    positions: Mapping[str, KeyPosition]

    def get(self, path: str) -> object | None:
        node: object = self.data
        for name, index in _split(path):
            if not isinstance(node, Mapping) or name not in node:
                return None
            node = node[name]
            if index is not None:
                if not isinstance(node, list) or index >= len(node):
                    return None
                node = node[index]
        return node

    def is_missing(self, path: str) -> bool:
        """Absent, or only a placeholder. A present value of the wrong type is not missing:
        the schema rules report that, and other rules stay quiet about it."""
        value = self.get(path)
        return value is None or is_placeholder(value)

    def location(self, path: str) -> Location:
        """Where a key stands; for an absent key, its nearest present parent, else line 1."""
        while path:
            position = self.positions.get(path)
            if position is not None:
                return Location(self.path, position.line, position.column)
            path = _parent(path)
        return Location(self.path)

    def value_location(self, path: str) -> Location:
        position = self.positions.get(path)
        if position is None:
            return self.location(path)
        return Location(self.path, position.value_line, position.value_column)

    def tables(self, path: str) -> list[tuple[str, Mapping[str, object]]]:
        """The tables of an array of tables, each with its own path (``problem.metrics[0]``)."""
        value = self.get(path)
        if not isinstance(value, list):
            return []
        return [(f"{path}[{i}]", item) for i, item in enumerate(value) if isinstance(item, dict)]

    def waivers(self) -> list[Waiver]:
        """The [waivers.CODE] entries, in file order, each with what keeps it from applying."""
        table = self.get("waivers")
        if not isinstance(table, dict):
            return []
        found = []
        for selector, entry in table.items():
            if not isinstance(entry, dict):
                continue  # the schema rules report it
            path = f"waivers.{selector}"
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
                    selector, path, expires if isinstance(expires, datetime.date) else None, defect
                )
            )
        return found


@dataclass(frozen=True)
class Waiver:
    """An accepted risk: the findings of one rule (by code or name) that are not reported."""

    selector: str
    path: str
    expires: datetime.date | None
    defect: str

    def applies_on(self, today: datetime.date) -> bool:
        return not self.defect and self.expires is not None and today <= self.expires


def _split(path: str) -> Iterator[tuple[str, int | None]]:
    for part in path.split("."):
        name, bracket, rest = part.partition("[")
        index = rest.rstrip("]")
        if bracket and index.isdigit():
            yield name, int(index)
        else:
            yield part, None


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rpartition(".")[0]


# -- loading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestLoad:
    """The outcome of reading a manifest: a manifest, or the problems that prevented one."""

    manifest: Manifest | None
    problems: tuple[ManifestProblem, ...]


def load_manifest(file: Path, relative_path: str = MANIFEST_NAME) -> ManifestLoad:
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_MANIFEST_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return _unreadable(f"{relative_path} cannot be read: {reason}")
    if len(raw) > MAX_MANIFEST_BYTES:
        return _unreadable(f"{relative_path} is larger than {MAX_MANIFEST_BYTES // 1024} KiB")
    # A byte-order mark is legal at the start of a UTF-8 file and means nothing.
    raw = raw.removeprefix(codecs.BOM_UTF8)
    if b"\x00" in raw:
        return _unreadable(f"{relative_path} is a binary file, not TOML")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return ManifestLoad(
            None,
            (
                ManifestProblem(
                    ProblemKind.UNREADABLE,
                    f"{relative_path} is not valid UTF-8 (byte {raw[error.start]:#04x})",
                    line,
                    column,
                ),
            ),
        )
    return parse_manifest(text, relative_path)


def parse_manifest(text: str, relative_path: str = MANIFEST_NAME) -> ManifestLoad:
    try:
        data = tomllib.loads(text)
    except RecursionError:
        return _unreadable(f"{relative_path} nests arrays or tables too deeply to read")
    except tomllib.TOMLDecodeError as error:
        line, column, message = _decode_error_position(error, text)
        problem = ManifestProblem(
            ProblemKind.SYNTAX, f"{relative_path} is not valid TOML: {message}", line, column
        )
        return ManifestLoad(None, (problem,))
    if _depth(data) > MAX_NESTING:
        return _unreadable(f"{relative_path} nests arrays or tables more than {MAX_NESTING} deep")
    positions = key_positions(text)
    problems = tuple(_validate(data, positions))
    return ManifestLoad(Manifest(relative_path, data, positions), problems)


def _depth(data: object) -> int:
    """How deeply arrays and tables nest, measured without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _unreadable(message: str) -> ManifestLoad:
    return ManifestLoad(None, (ManifestProblem(ProblemKind.UNREADABLE, message),))


def _decode_error_position(error: tomllib.TOMLDecodeError, text: str) -> tuple[int, int, str]:
    # tomli and Python >= 3.14 carry lineno/colno; Python 3.11-3.13 only put them in the text.
    message = str(error)
    lineno = getattr(error, "lineno", None)
    colno = getattr(error, "colno", None)
    match = _TOMLLIB_POSITION.search(message)
    if lineno is None and match:
        lineno, colno = int(match.group(1)), int(match.group(2))
    message = _TOMLLIB_POSITION.sub("", getattr(error, "msg", message)).strip()
    if lineno is None:  # "(at end of document)"
        message = message.replace("(at end of document)", "").strip()
        lineno = text.count("\n") + 1
        colno = len(text) - (text.rfind("\n") + 1) + 1
    return lineno, colno or 1, message


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
    number = as_number(value) is not None
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


def _validate(
    data: Mapping[str, object], positions: Mapping[str, KeyPosition]
) -> Iterator[ManifestProblem]:
    def at(path: str, kind: ProblemKind, message: str, on_value: bool) -> ManifestProblem:
        while path and path not in positions:
            path = _parent(path)
        position = positions.get(path)
        if position is None:
            return ManifestProblem(kind, message, anchor=path)
        if on_value:
            return ManifestProblem(
                kind, message, position.value_line, position.value_column, anchor=path
            )
        return ManifestProblem(kind, message, position.line, position.column, anchor=path)

    def walk(spec: Spec, value: object, path: str) -> Iterator[ManifestProblem]:
        if is_placeholder(value) and spec.kind not in ("table", "any-table"):
            return  # missing, not mistyped: the rule that needs the value reports it
        if not _fits(spec, value):
            yield at(
                path,
                ProblemKind.WRONG_TYPE,
                f"`{path}` should be {_EXPECTED[spec.kind]}, not {_type_name(value)}",
                on_value=True,
            )
            return
        if spec.enum and value not in spec.enum:
            yield at(
                path,
                ProblemKind.BAD_VALUE,
                f'`{path}` is "{value}"; expected one of '
                + ", ".join(spec.enum)
                + did_you_mean(str(value), spec.enum),
                on_value=True,
            )
        if spec.kind == "table-list":
            assert isinstance(value, list)
            for index, item in enumerate(value):
                yield from walk(Spec("table", fields=spec.fields), item, f"{path}[{index}]")
        elif spec.kind == "table":
            assert isinstance(value, dict)
            for key, item in value.items():
                child = f"{path}.{key}" if path else key
                if key in spec.fields:
                    yield from walk(spec.fields[key], item, child)
                else:
                    yield at(
                        child,
                        ProblemKind.UNKNOWN_KEY,
                        f"unknown key `{child}`" + did_you_mean(key, spec.fields),
                        on_value=False,
                    )
        elif spec.kind == "any-table" and spec.entries is not None:
            assert isinstance(value, dict)
            for key, item in value.items():
                yield from walk(spec.entries, item, f"{path}.{key}")

    yield from walk(MANIFEST, data, "")
    version = data.get("schema_version")
    if version is None or is_placeholder(version):
        yield at(
            "schema_version",
            ProblemKind.SCHEMA_VERSION,
            f"lens.toml does not declare its format: add `schema_version = {SCHEMA_VERSION}`",
            on_value=True,
        )
    elif isinstance(version, int) and not isinstance(version, bool) and version != SCHEMA_VERSION:
        yield at(
            "schema_version",
            ProblemKind.SCHEMA_VERSION,
            f"schema_version {version} is not supported; this mllint-wa reads version "
            f"{SCHEMA_VERSION}",
            on_value=True,
        )
