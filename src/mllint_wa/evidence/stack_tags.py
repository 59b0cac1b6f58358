"""Tags a CloudFormation stack is created with, from outside its template.

CloudFormation propagates a stack's tags to the resources it creates (and to its nested
stacks), so a template whose own resources carry no ``Tags`` may still create tagged
resources. Two places give a stack its tags:

* a CodePipeline **template configuration file** beside the template
  (:func:`~mllint_wa.evidence.cfn_configurations.configuration_files`), its ``Tags`` a map of
  strings. It names no template: it counts for the templates in its folder;
* a **deploy script**'s boto3 ``create_stack``, ``update_stack`` or ``create_change_set``
  with ``Tags=[{"Key": …, "Value": …}]``: it counts for the template the call reads, found
  by a file name written in its ``TemplateBody``/``TemplateURL`` (``open("template.yaml")``,
  an S3 URL ending in the template's name). When the call's template cannot be told, or
  its tags cannot be read, every template's stack tags are unknown.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable, Iterator

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.cfn_configurations import (
    configuration_files,
    template_at,
    template_named,
)
from mllint_wa.evidence.code import modules
from mllint_wa.evidence.python_values import Val, Values, written
from mllint_wa.evidence.resources import ABSENT, Value, known, merged_tags, unknown
from mllint_wa.model import Location
from mllint_wa.parsers.json_positions import JsonDocument

_STACK_CALLS = frozenset({"create_stack", "update_stack", "create_change_set"})
_TEMPLATE_ARGUMENTS = ("TemplateBody", "TemplateURL")
_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# How many expressions a template argument is searched through for a file name.
_MAX_NODES = 200


def stack_tags(ev: Evidence, templates: Iterable[str]) -> dict[str, Value]:
    """Each template's stack tags (absent when nothing outside the template tags it)."""
    paths = sorted(templates)
    found: dict[str, Value] = dict.fromkeys(paths, ABSENT)
    for folder, tags in _configuration_tags(ev, set(paths)):
        for path in paths:
            if posixpath.dirname(path) == folder:
                found[path] = merged_tags(found[path], tags)
    for template, tags in _deploy_script_tags(ev, paths):
        for path in paths if template is None else [template]:
            found[path] = merged_tags(found[path], tags)
    return found


# Template configuration files -----------------------------------------------------------------


def _configuration_tags(ev: Evidence, templates: set[str]) -> Iterator[tuple[str, Value]]:
    """(folder, tags) of each template configuration file with tags."""
    for path, document in configuration_files(ev, templates, "Tags"):
        tags = _configured(path, document)
        if tags is not None:
            yield posixpath.dirname(path), tags


def _configured(path: str, document: JsonDocument) -> Value | None:
    """The tags of a template configuration file; None when it sets none."""
    tags = document.value.get("Tags")
    if not isinstance(tags, dict) or not tags:
        return None
    where = Location(path, *document.position(("Tags",)))
    if not all(isinstance(v, str) for v in tags.values()):
        return unknown("Tags", where)
    return known(dict(tags), where)


# Deploy scripts -------------------------------------------------------------------------------


def _deploy_script_tags(ev: Evidence, templates: list[str]) -> Iterator[tuple[str | None, Value]]:
    """(template or None for any, tags) of each boto3 call that creates a stack with tags."""
    for path, parsed in modules(ev, *(name.encode() for name in _STACK_CALLS)):
        if "boto3" not in parsed.imported_modules():
            continue
        values = Values(parsed)
        for node in parsed.index.of(ast.Call):
            if not (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in _STACK_CALLS
                and _keyword(node, "StackName") is not None
            ):
                continue
            given = _keyword(node, "Tags")
            if given is None:
                continue
            where = Location(path, *parsed.position(given))
            tags = _tags(values.value(given), where)
            if tags.known and not tags.value:
                continue
            named = _template_names(values, node)
            matched = _matching(path, named, templates)
            yield matched, tags if matched is not None else unknown(written(node.func), where)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _tags(found: Val, where: Location) -> Value:
    """boto3's ``[{"Key": k, "Value": v}, …]`` as a dict; unknown when it cannot be read."""
    plain = found.plain()
    if not isinstance(plain, list):
        return unknown(found.written, where)
    tags: dict[str, str] = {}
    for tag in plain:
        key = tag.get("Key") if isinstance(tag, dict) else None
        text = tag.get("Value") if isinstance(tag, dict) else None
        if not (isinstance(key, str) and isinstance(text, str)):
            return unknown(found.written, where)
        tags[key] = text
    return known(tags, where)


def _template_names(values: Values, call: ast.Call) -> list[str]:
    """File names written where the call's template comes from: string literals in its
    ``TemplateBody``/``TemplateURL``, names followed to what they hold."""
    pending: list[ast.AST] = [v for name in _TEMPLATE_ARGUMENTS if (v := _keyword(call, name))]
    names: list[str] = []
    for _ in range(_MAX_NODES):
        if not pending:
            break
        node = pending.pop()
        if isinstance(node, ast.Name):
            resolved = values.value(node)
            if resolved.known and isinstance(resolved.value, str):
                names.append(resolved.value)
            # The call or the expression (a path built with "/") it holds.
            source = resolved.call if resolved.known else resolved.expr
            if source is not None and source is not node:
                pending.append(source)
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.append(node.value)
        pending.extend(ast.iter_child_nodes(node))
    return [name for name in names if name.lower().endswith(_TEMPLATE_SUFFIXES)]


def _matching(script: str, names: list[str], templates: list[str]) -> str | None:
    """The template one of the names is: a path from the script's folder or the project's
    root, else the one template with that file name."""
    folder = posixpath.dirname(script)
    for name in names:
        found = template_at(name, folder, templates) or template_named(
            name.rpartition("/")[2], templates
        )
        if found is not None:
            return found
    return None
