"""CloudFormation and SAM templates, YAML or JSON, read as plain data with positions.

Both syntaxes become one form: dicts, lists and scalars, with every intrinsic function —
YAML's short form (``!Ref Name``, ``!GetAtt A.B``, ``!If [...]``) as much as the long form
(``{"Fn::If": [...]}``) — as an :class:`Intrinsic` that names the function and holds its
argument. Nothing is evaluated here: which values a template decides is the extractor's
business. Positions are kept by path: an object member at its key, a list item at its start,
and an intrinsic's argument below the function's long name (``(..., "Fn::If", 1)``), in both
syntaxes.

A file is a template by its content — ``AWSTemplateFormatVersion``, or ``Resources`` whose
entries have an ``AWS::`` type — not by its name or folder; anything else parses to None.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.json_positions import MAX_DEPTH, Path, load_json, nearest_position
from mllint_wa.parsers.secrets import quote
from mllint_wa.parsers.yaml_doc import TooLarge, item_position, key_position, load_yaml
from mllint_wa.records import dataclass

# CloudFormation itself takes templates of at most 1 MB. A larger file that reads like a
# template is reported rather than read: it would cost seconds and hundreds of megabytes.
MAX_TEMPLATE = 1024 * 1024
_WRITTEN_LENGTH = 80


@dataclass(frozen=True)
class Intrinsic:
    """An intrinsic function: ``Ref``, ``Condition`` or ``Fn::…``, and its argument."""

    function: str
    argument: Any

    @property
    def written(self) -> str:
        """The short YAML form, for messages: ``!Ref KmsKeyId``, ``!GetAtt Model.Arn``."""
        name = self.function.removeprefix("Fn::")
        argument = self.argument
        if name == "GetAtt" and isinstance(argument, list):
            argument = ".".join(str(part) for part in argument)
        shown = argument if isinstance(argument, str) else json.dumps(argument, default=_shown)
        return quote(f"!{name} {shown}", _WRITTEN_LENGTH)


def _shown(value: object) -> str:
    return value.written if isinstance(value, Intrinsic) else str(value)


@dataclass(frozen=True)
class Template:
    """A template's body and where its parts are written."""

    body: Mapping[str, Any]
    positions: Mapping[Path, tuple[int, int]]

    def position(self, path: Path) -> tuple[int, int]:
        """Where ``path`` is written, else its nearest written ancestor."""
        return nearest_position(self.positions, path)

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.body.get(name)
        return value if isinstance(value, dict) else {}


def parse_template(text: str) -> Template | None:
    """The template in ``text``, None when it is YAML or JSON but no template; bad syntax is
    a :class:`ParseError` at its line. A file too large to be read (over
    :data:`MAX_TEMPLATE`, or over the bounds of YAML) is one too when it reads like a
    template; any other large file that mentions ``AWS::`` is no template."""
    start = text.lstrip()[:1]
    if start == "[":  # a list, in JSON or YAML, is no template
        return None
    if len(text) > MAX_TEMPLATE:
        if _reads_like_template(text):
            raise ParseError(
                f"is larger than {MAX_TEMPLATE >> 20} MiB, more than CloudFormation takes "
                "in a template: not read"
            )
        return None
    if start == "{":
        document = load_json(text)
        return _template(_long_form(document.value), document.positions)
    try:
        roots = load_yaml(text)
    except TooLarge:
        if _reads_like_template(text):
            raise
        return None
    for root in roots:
        positions: dict[Path, tuple[int, int]] = {}
        body = _Converter(positions).convert(root, (), 0)
        found = _template(body, positions)
        if found is not None:
            return found
    return None


def _reads_like_template(text: str) -> bool:
    return "AWSTemplateFormatVersion" in text or "Resources" in text


def _template(body: Any, positions: Mapping[Path, tuple[int, int]]) -> Template | None:
    if not isinstance(body, dict):
        return None
    resources = body.get("Resources")
    typed = isinstance(resources, dict) and any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::")
        for r in resources.values()
    )
    if "AWSTemplateFormatVersion" in body or typed:
        return Template(body, positions)
    return None


# Long form ---------------------------------------------------------------------------------


def _long_form(value: Any) -> Any:
    """Long-form intrinsics (``{"Ref": …}``, ``{"Fn::…": …}``) become :class:`Intrinsic`;
    the scanner bounded the depth, so this recursion is bounded too."""
    if isinstance(value, dict):
        return _intrinsic({key: _long_form(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_long_form(item) for item in value]
    return value


def _intrinsic(mapping: dict[str, Any]) -> Any:
    """A one-member mapping named like an intrinsic function is that function."""
    if len(mapping) == 1:
        ((key, argument),) = mapping.items()
        if key == "Ref" or key.startswith("Fn::"):
            return Intrinsic(key, argument)
    return mapping


# YAML --------------------------------------------------------------------------------------


class _Converter:
    """ruamel's round-trip nodes to plain data, short-form tags to :class:`Intrinsic`,
    positions recorded as it goes; bounded in depth. Aliased nodes are converted at each
    path that names them, which :func:`load_yaml`'s budget on their expansion bounds."""

    def __init__(self, positions: dict[Path, tuple[int, int]]) -> None:
        self.positions = positions

    def convert(self, node: Any, path: Path, depth: int) -> Any:
        if depth > MAX_DEPTH:
            line, column = self.positions.get(path, (1, 1))
            raise ParseError(f"is nested more than {MAX_DEPTH} levels deep", line, column)
        tag = getattr(getattr(node, "tag", None), "value", None)
        if isinstance(tag, str) and tag.startswith("!") and not tag.startswith("!!"):
            name = tag[1:]
            function = name if name in ("Ref", "Condition") else f"Fn::{name}"
            inner = (*path, function)
            if isinstance(node, (dict, list)):
                return Intrinsic(function, self._container(node, inner, depth, long_form=False))
            argument = _scalar(getattr(node, "value", node))
            if function == "Fn::GetAtt" and isinstance(argument, str):
                argument = argument.split(".", 1)
            return Intrinsic(function, argument)
        if isinstance(node, (dict, list)):
            return self._container(node, path, depth)
        return _scalar(node)

    def _container(self, node: Any, path: Path, depth: int, long_form: bool = True) -> Any:
        if isinstance(node, dict):
            result: dict[str, Any] = {}
            for key, value in node.items():
                member: Path = (*path, _scalar_key(key))
                self.positions[member] = key_position(node, key)
                result[_scalar_key(key)] = self.convert(value, member, depth + 1)
            return _intrinsic(result) if long_form else result
        items = []
        for index, value in enumerate(node):
            item: Path = (*path, index)
            self.positions[item] = item_position(node, index)
            items.append(self.convert(value, item, depth + 1))
        return items


def _scalar_key(key: object) -> str:
    return key if isinstance(key, str) else str(_scalar(key))


def _scalar(value: object) -> Any:
    """Plain Python scalars: ruamel's subclasses (ScalarInt, ScalarBoolean, quoted strings)
    and dates (an unquoted ``2010-09-09``) become bool, int, float or str."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value).__name__ == "ScalarBoolean":
        return bool(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)
