"""Terraform configurations read into the resource model.

A Terraform module is a folder: every ``.tf`` file in a folder that mentions an AWS resource
or SageMaker is parsed, and its ``variable``, ``locals``, ``resource``, ``data``, ``module`` and
``provider`` blocks are read together. Resources are named by their Terraform address
(``aws_sagemaker_endpoint.main``); a link to another resource (``endpoint_config_name =
aws_sagemaker_endpoint_configuration.main.name``) is stored as that address, and a literal
name is turned into the address of the resource that declares it, when one does.

Values are resolved without evaluating Terraform, by one resolver that every resource reader
asks, so that no reader learns where a value came from:

- literals, tuples and objects are known, part by part; so is a template whose parts all are;
- ``var.x`` is what the module's caller passes for ``x`` (located at the caller's argument),
  else the variable's ``default`` (known, ``null`` included), else unknown; a variable whose
  type has ``optional(…)`` attributes is unknown, since the type fills what a caller leaves out;
- ``local.x`` is the local's expression, resolved the same way; a value that refers to
  itself, however indirectly, is unknown;
- object keys and list indices written as literals are followed (``local.m["k"]``,
  ``var.l[0]``); a computed index or a splat is unknown;
- ``lookup``, ``try`` (past what Terraform would refuse: a key a known object lacks),
  ``coalesce``, ``format`` (``%s``, ``%d``, ``%v``, ``%t``), ``join``, ``merge``, ``concat``,
  ``jsonencode`` and the ``to…`` conversions of known values are known; so are ``==``/``!=``,
  a conditional whose condition is known or whose branches agree, and a ``for`` expression
  over a known collection; every other function and operator is unknown;
- a value built from others that grows past 64 Ki characters and parts (locals that each
  hold the previous one twice double at every step) is unknown;
- a local module (``source = "./…"``) is read once per caller (an instance), 4 calls deep and
  for 8 callers of a module at most; its resources are named ``module.<call>.<address>``, and
  callers that make the same resource make it once;
- a ``for_each`` resource is one resource: it is read for each element of a known collection
  of up to 16 (``each.key``, ``each.value``), and a property that differs between elements is
  unknown;
- a ``dynamic`` block stands for its ``content``: in a list (production variants, policy
  statements) it is one entry whose values are as written, iterator references unknown; for
  a single setting (a ``vpc_config``) its presence is unknown, since ``for_each`` may be empty;
- a resource whose ``count`` (or ``for_each``) is zero (empty) as written or as a caller
  passes it does not exist; a variable's default does not decide it;
- the separate S3 bucket settings resources (encryption, public access block, versioning,
  lifecycle), IAM policy attachments, EventBridge targets and the provider's ``default_tags``
  are merged into the resource they configure.

A call of a module from a registry or a remote source whose name says SageMaker is one
opaque resource of the kind its source or name says (endpoint, notebook, domain, pipeline,
model): its inputs are not interpreted, so rules about missing settings stay silent on it.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import field
from typing import Any

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.kinds import TERRAFORM
from mllint_wa.evidence.resources import ABSENT, Resource, Value, known, unknown
from mllint_wa.model import Location
from mllint_wa.parsers.terraform import (
    CALL,
    COMPARISON,
    CONDITIONAL,
    FOR_OBJECT,
    FOR_TUPLE,
    LITERAL,
    OBJECT,
    REF,
    TEMPLATE,
    TUPLE,
    Attribute,
    Block,
    Expr,
    TerraformFile,
    parse_terraform,
)
from mllint_wa.records import dataclass

SOURCE = "terraform"
# AWS resources, SageMaker modules, and module calls (whose inputs override defaults).
_NEEDLES = (b'"aws_', b"sagemaker", b"module")
_UNKNOWN = object()  # an expression whose value cannot be had
_ERROR = object()  # what Terraform refuses: a key a known object lacks, null in a template
_DEREF_STEPS = 8
# How far values are followed: module calls this many deep, this many callers of one module
# (each judged on its own), collections (`for_each`, `for`) of this many elements.
_MODULE_DEPTH = 4
_CALLERS = 8
_ELEMENTS = 16
# Elements that `for` expressions may read in one project, all together: `for` in `for` in
# `for` would otherwise multiply.
_FOR_BUDGET = 20_000
# How large a value made of others may grow: the characters of its strings and keys, and one
# for each other part. Larger, it is unknown; a configuration's values are far smaller.
_MAX_VALUE = 65_536
# Reference roots that are not resources.
_NOT_RESOURCES = frozenset(
    {"var", "local", "module", "data", "each", "count", "path", "self", "terraform"}
)
_PARTITION = {"partition": "aws", "dns_suffix": "amazonaws.com", "id": "aws"}
_MANAGED_POLICY = re.compile(r":iam::aws:policy/([\w+=,.@/-]+)$")
_PASSTHROUGH = frozenset({"tolist", "toset", "tomap", "tostring", "tonumber", "tobool"})
_ENABLED = {"Enabled": True, "Disabled": False}
_MONITOR_TYPES = {
    "DataQuality": "data-quality",
    "ModelQuality": "model-quality",
    "ModelBias": "model-bias",
    "ModelExplainability": "model-explainability",
}
_JOB_DEFINITION = re.compile(r"aws_sagemaker_(\w+?)_job_definition")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# A remote module's kind, from words in its source or its name; checked in this order.
_MODULE_KINDS = (
    ("notebook", rm.NOTEBOOK_INSTANCE),
    ("domain", rm.STUDIO_DOMAIN),
    ("studio", rm.STUDIO_DOMAIN),
    ("pipeline", rm.PIPELINE),
    ("endpoint", rm.ENDPOINT),
    ("inference", rm.ENDPOINT),
    ("model", rm.MODEL),
)


def extract(ev: Evidence) -> Iterator[Resource]:
    """Every resource the project's Terraform defines."""
    modules = _modules(ev)
    if not modules:
        return
    project = _Project(_instances(modules))
    yield from project.resources()


# Reading modules ------------------------------------------------------------------------


@dataclass
class _Module:
    folder: str
    files: list[tuple[str, TerraformFile]] = field(default_factory=list)
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, tuple[str, Attribute]] = field(default_factory=dict)
    # The local modules this one calls: the file of the call, the call, the module called.
    calls: list[tuple[str, Block, _Module]] = field(default_factory=list)

    def blocks(self, block_type: str) -> Iterator[tuple[str, Block]]:
        for path, parsed in self.files:
            for block in parsed.blocks:
                if block.type == block_type:
                    yield path, block


def _modules(ev: Evidence) -> list[_Module]:
    folders: dict[str, list[str]] = {}
    for path in ev.files(TERRAFORM):
        folders.setdefault(posixpath.dirname(path), []).append(path)
    modules = []
    for folder, paths in sorted(folders.items()):
        # Variables and locals often sit in files that name no resource: once one file of
        # the folder is relevant, all of them are read.
        if not any(ev.mentions(path, *_NEEDLES) for path in paths):
            continue
        module = _Module(folder)
        for path in paths:
            parsed = ev.parse(path, parse_terraform)
            if parsed is not None:
                module.files.append((path, parsed))
        for _, block in module.blocks("variable"):
            if block.labels:
                module.variables.setdefault(block.labels[0], block)
        for path, block in module.blocks("locals"):
            for name, attribute in block.attributes.items():
                module.locals.setdefault(name, (path, attribute))
        modules.append(module)
    by_folder = {m.folder: m for m in modules}
    for module in modules:
        for path, call in module.blocks("module"):
            source = _literal(call.attr("source"))
            if isinstance(source, str) and source.startswith(("./", "../")):
                folder = posixpath.normpath(posixpath.join(module.folder, source))
                callee = by_folder.get("" if folder == "." else folder)
                if callee is not None and call.labels:
                    module.calls.append((path, call, callee))
    return modules


def _literal(attribute: Attribute | None) -> Any:
    if attribute is None or attribute.value.kind != LITERAL:
        return None
    return attribute.value.value


@dataclass
class _Instance:
    """One use of a module: a root, which nothing calls and whose variables are their
    defaults, or a call of a local module, whose variables are what the caller passes."""

    module: _Module
    root: str  # the folder of the root the calls start from
    key: str  # unique among the instances
    prefix: str = ""  # "module.churn." for a call, repeated for calls in calls
    call: Block | None = None
    caller: _Scope | None = None
    parent: _Instance | None = None
    # Elements `for` expressions may still read, shared by every instance of the project.
    budget: list[int] = field(default_factory=lambda: [_FOR_BUDGET])
    # var.x and local.x as resolved once for this instance, with where they come from.
    values: dict[tuple[str, str, bool], tuple[Any, Location | None]] = field(default_factory=dict)

    def chain(self) -> Iterator[_Instance]:
        instance: _Instance | None = self
        while instance is not None:
            yield instance
            instance = instance.parent


def _instances(modules: list[_Module]) -> list[_Instance]:
    """The roots, then the calls they make, each module judged once per caller: at most
    :data:`_CALLERS` callers of one module and :data:`_MODULE_DEPTH` calls deep."""
    called = {callee.folder for module in modules for _, _, callee in module.calls}
    budget = [_FOR_BUDGET]
    instances = [
        _Instance(m, m.folder, m.folder, budget=budget) for m in modules if m.folder not in called
    ]
    uses: dict[str, int] = {}
    pending = list(instances)
    while pending:
        parent = pending.pop(0)
        depth = sum(1 for _ in parent.chain())
        for path, call, callee in parent.module.calls:
            folders = {i.module.folder for i in parent.chain()}
            if depth > _MODULE_DEPTH or callee.folder in folders:
                continue
            caller = _Scope(parent, path)
            if not _exists(caller, call) or uses.get(callee.folder, 0) >= _CALLERS:
                continue
            uses[callee.folder] = uses.get(callee.folder, 0) + 1
            child = _Instance(
                callee,
                parent.root,
                f"{parent.key}>{path}:{call.line}",
                f"{parent.prefix}module.{call.labels[0]}.",
                call,
                caller,
                parent,
                budget=parent.budget,
            )
            instances.append(child)
            pending.append(child)
    return instances


# Values -------------------------------------------------------------------------------

_Resolved = tuple[Any, "Location | None"]


class _Scope:
    """Resolves the expressions written in one file of one module instance. A value is
    resolved with where it comes from when that is a caller's argument (the location of the
    argument), else None: it is then where it is used."""

    def __init__(
        self,
        instance: _Instance,
        path: str,
        project: _Project | None = None,
        bindings: dict[str, _Resolved] | None = None,
        defaults: bool = True,
    ) -> None:
        self.instance = instance
        self.path = path
        self._project = project
        # each.key, each.value, count.index and the names a for expression gives.
        self.bindings = bindings or {}
        # Whether a variable no caller sets is its default, or unknown.
        self.defaults = defaults

    @property
    def module(self) -> _Module:
        return self.instance.module

    @property
    def project(self) -> _Project:
        assert self._project is not None
        return self._project

    def bound(self, names: dict[str, _Resolved]) -> _Scope:
        """The same scope with more names bound."""
        bindings = {**self.bindings, **names}
        return _Scope(self.instance, self.path, self._project, bindings, self.defaults)

    def inputs_only(self) -> _Scope:
        """The same scope with the variables no caller sets unknown, not their defaults."""
        return _Scope(self.instance, self.path, self._project, self.bindings, defaults=False)

    def at(self, item: Expr | Attribute | Block) -> Location:
        return Location(self.path, item.line, item.column)

    def follow(self, expr: Expr) -> tuple[Expr, _Scope, Location | None] | None:
        """The expression a ``var.``/``local.`` reference stands for, the scope it is
        written in (a caller's, for an input passed) and then the caller's argument that
        holds it; a conditional whose condition is known stands for its branch. None when
        there is no such expression."""
        scope: _Scope = self
        origin: Location | None = None
        seen: set[tuple[str, tuple[str | int | None, ...]]] = set()
        for _ in range(_DEREF_STEPS):
            if expr.kind == CONDITIONAL and len(expr.items) == 3:
                condition = scope.evaluate(expr.items[0])
                if not isinstance(condition, bool):
                    return expr, scope, origin
                expr = expr.items[1 if condition else 2]
                continue
            path = expr.path
            if expr.kind != REF or len(path) != 2 or path[0] not in ("var", "local"):
                return expr, scope, origin
            if (scope.instance.key, path) in seen:
                return None
            seen.add((scope.instance.key, path))
            name = str(path[1])
            if path[0] == "local":
                local = scope.module.locals.get(name)
                if local is None:
                    return None
                expr = local[1].value
                continue
            call, caller = scope.instance.call, scope.instance.caller
            if call is not None and caller is not None and name in call.attributes:
                argument = call.attributes[name]
                expr, scope, origin = argument.value, caller, caller.at(argument)
                continue
            default = scope._default(name)
            if default is None:
                return None
            expr = default.value
        return None

    def deref(self, expr: Expr) -> Expr | None:
        """The expression a reference stands for when it is written in this module
        instance (a default, a local); None when unknown or passed by a caller."""
        found = self.follow(expr)
        if found is None or found[1].instance is not self.instance:
            return None
        return found[0]

    def _variable_setting(self, name: str, setting: str) -> Attribute | None:
        variable = self.module.variables.get(name)
        return variable.attr(setting) if variable is not None else None

    def _default(self, name: str) -> Attribute | None:
        """A variable's default; None when it has none, or when its type has optional
        attributes, whose defaults fill what a caller leaves out and are not read."""
        declared = self._variable_setting(name, "type")
        if declared is not None and "optional(" in declared.value.text:
            return None
        return self._variable_setting(name, "default")

    def evaluate(self, expr: Expr | None) -> Any:
        """The Python value of an expression, or ``_UNKNOWN`` unless all of it is known."""
        value = self.resolve(expr)[0]
        return value if _complete(value) else _UNKNOWN

    @nesting_bounded((_UNKNOWN, None))
    def resolve(self, expr: Expr | None) -> _Resolved:
        """An expression's value, parts of which may be ``_UNKNOWN`` (an object with one
        field unknown) or ``_ERROR``, and where it comes from."""
        if expr is None:
            return _UNKNOWN, None
        kind = expr.kind
        if kind == LITERAL:
            return expr.value, None
        if kind == REF:
            return self._reference(expr)
        value, origin = self._built(expr)
        return (value, origin) if _small(value) else (_UNKNOWN, None)

    def _built(self, expr: Expr) -> _Resolved:
        """A value made of others: each of them is within :data:`_MAX_VALUE`, but a
        local that holds another twice, held twice in turn, doubles at every step."""
        kind = expr.kind
        if kind == TUPLE:
            items = [self.resolve(item) for item in expr.items]
            return [value for value, _ in items], _origin(items)
        if kind == OBJECT:
            if any(key is None for key, _ in expr.fields):
                return _UNKNOWN, None
            fields = [(key, self.resolve(value)) for key, value in expr.fields]
            return {str(k): v for k, (v, _) in fields}, _origin([f for _, f in fields])
        if kind == TEMPLATE:
            parts = [self.resolve(item) for item in expr.items]
            texts = [_text(value) for value, _ in parts]
            if any(text is None for text in texts):
                return _UNKNOWN, None
            return _joined("", [t for t in texts if t is not None]), _origin(parts)
        if kind == CALL:
            return self._call(expr)
        if kind == CONDITIONAL and len(expr.items) == 3:
            return self._conditional(*expr.items)
        if kind == COMPARISON and len(expr.items) == 2:
            left, right = (self.evaluate(item) for item in expr.items)
            if left is _UNKNOWN or right is _UNKNOWN:
                return _UNKNOWN, None
            return _equal(left, right) == (expr.name == "=="), None
        if kind in (FOR_OBJECT, FOR_TUPLE):
            return self._for(expr)
        return _UNKNOWN, None

    def _reference(self, expr: Expr) -> _Resolved:
        path = expr.path
        root = path[0] if path else ""
        if isinstance(root, str) and root in self.bindings:
            value, origin = self.bindings[root]
            return _walk(value, path[1:]), origin
        if root in ("each", "count") and len(path) >= 2:
            value, origin = self.bindings.get(f"{root}.{path[1]}", (_UNKNOWN, None))
            return _walk(value, path[2:]), origin
        if root in ("var", "local") and len(path) >= 2 and isinstance(path[1], str):
            value, origin = self._named(root, path[1])
            return _walk(value, path[2:]), origin
        if expr.ref[:2] == ("data", "aws_partition") and len(expr.ref) == 4:
            # Policy and service names are the same in every partition: read the ARNs and
            # principals built from it in the commercial one.
            return _PARTITION.get(expr.ref[3], _UNKNOWN), None
        return _UNKNOWN, None

    def _named(self, root: str, name: str) -> _Resolved:
        """``var.name`` or ``local.name``, resolved once per instance; one that refers to
        itself, however indirectly, is unknown."""
        values = self.instance.values
        key = (root, name, self.defaults)
        if key not in values:
            values[key] = (_UNKNOWN, None)
            values[key] = self._declared(root, name)
        return values[key]

    def _declared(self, root: str, name: str) -> _Resolved:
        # No each, no names of for expressions.
        scope = _Scope(self.instance, self.path, self._project, defaults=self.defaults)
        if root == "local":
            local = self.module.locals.get(name)
            return scope.resolve(local[1].value) if local is not None else (_UNKNOWN, None)
        call, caller = self.instance.call, self.instance.caller
        if call is not None and caller is not None and name in call.attributes:
            argument = call.attributes[name]
            caller = caller if self.defaults else caller.inputs_only()
            value, origin = caller.resolve(argument.value)
            if value is not None or _literal(self._variable_setting(name, "nullable")) is not False:
                return value, origin or caller.at(argument)
        default = self._default(name) if self.defaults else None
        return scope.resolve(default.value) if default is not None else (_UNKNOWN, None)

    def _conditional(self, condition: Expr, yes: Expr, no: Expr) -> _Resolved:
        decided = self.evaluate(condition)
        if isinstance(decided, bool):
            return self.resolve(yes if decided else no)
        # Whichever branch is taken, the value is the same.
        first, second = self.resolve(yes), self.resolve(no)
        if _complete(first[0]) and _complete(second[0]) and _equal(first[0], second[0]):
            return first
        return _UNKNOWN, None

    def elements(self, expr: Expr) -> list[tuple[Any, _Resolved]] | None:
        """The keys and elements of a collection known to hold at most :data:`_ELEMENTS`."""
        collection, origin = self.resolve(expr)
        if isinstance(collection, dict) and len(collection) <= _ELEMENTS:
            return [(key, (value, origin)) for key, value in collection.items()]
        if isinstance(collection, list) and len(collection) <= _ELEMENTS:
            return [(index, (value, origin)) for index, value in enumerate(collection)]
        return None

    def _for(self, expr: Expr) -> _Resolved:
        collection, *results = expr.items
        condition = results.pop() if expr.value else None
        elements = self.elements(collection)
        names = expr.ref
        if elements is None or len(names) not in (1, 2) or len(results) not in (1, 2):
            return _UNKNOWN, None
        keyed = expr.kind == FOR_OBJECT
        budget = self.instance.budget
        if budget[0] < len(elements):
            return _UNKNOWN, None
        budget[0] -= len(elements)
        made: list[tuple[Any, Any]] = []
        for key, element in elements:
            bound = {names[-1]: element}
            if len(names) == 2:
                bound[names[0]] = (key, element[1])
            scope = self.bound(bound)
            if condition is not None:
                kept = scope.evaluate(condition)
                if not isinstance(kept, bool):
                    return _UNKNOWN, None
                if not kept:
                    continue
            made_key = scope.evaluate(results[0]) if keyed else None
            if keyed and not isinstance(made_key, (str, int, float)):
                return _UNKNOWN, None
            made.append((_text(made_key), scope.resolve(results[-1])[0]))
        origin = elements[0][1][1] if elements else None
        if not keyed:
            return [value for _, value in made], origin
        produced = dict(made)
        # A key made twice is an error without the grouping `...`.
        return (produced if len(produced) == len(made) else _ERROR), origin

    def _call(self, call: Expr) -> _Resolved:
        name, items = call.name, call.items
        if name == "try":
            for item in items:  # the first argument that is not an error
                value, origin = self.resolve(item)
                if value is not _ERROR:
                    return value, origin
            return _UNKNOWN, None
        if name == "coalesce":
            for item in items:  # the first argument that is neither null nor ""
                value, origin = self.resolve(item)
                if not _complete(value):
                    return _UNKNOWN, None
                if value is not None and value != "":
                    return value, origin
            return _ERROR, None
        resolved = [self.resolve(item) for item in items]
        arguments = [value for value, _ in resolved]
        if name == "lookup" and len(arguments) in (2, 3):
            table, key = arguments[0], arguments[1]
            if not isinstance(table, dict) or not isinstance(key, str):
                return _UNKNOWN, None
            if key in table:
                return table[key], resolved[0][1]
            return resolved[2] if len(resolved) == 3 else (_ERROR, None)
        if name == "merge" and all(isinstance(a, dict) for a in arguments):
            merged: dict[str, Any] = {}
            for argument in arguments:
                merged.update(argument)
            return merged, _origin(resolved)
        if not all(_complete(a) for a in arguments):
            return _UNKNOWN, None
        return _function(name, arguments), _origin(resolved)

    def value(
        self, attribute: Attribute | None, convert: Callable[[Any], Any] | None = None
    ) -> Value:
        """An attribute's value where it is written: known, unknown or absent."""
        if attribute is None:
            return ABSENT
        return self.of(attribute.value, self.at(attribute), convert)

    def of(self, expr: Expr, where: Location, convert: Callable[[Any], Any] | None = None) -> Value:
        """An expression's value, located at the caller's argument it comes from, if any."""
        result, origin = self.resolve(expr)
        if not _complete(result):
            return unknown(expr.text, where)
        if convert is not None:
            result = convert(result)
            if result is _UNKNOWN:
                return unknown(expr.text, where)
        return known(result, origin or where)

    def address(self, expr: Expr) -> str | None:
        """The address a reference points at (``aws_x.y``, ``data.aws_x.y``), else None. A
        resource in a called module has the calls in its address (``module.a.aws_x.y``)."""
        found = self.follow(expr)
        return self._address(found) if found is not None else None

    def _address(self, found: tuple[Expr, _Scope, Location | None]) -> str | None:
        if found[0].kind != REF:
            return None
        ref, instance = found[0].ref, found[1].instance
        if ref[0] == "data" and len(ref) >= 3 and instance is self.instance:
            return ".".join(ref[:3])
        if ref[0] not in _NOT_RESOURCES and len(ref) >= 2:
            return instance.prefix + ".".join(ref[:2])
        return None

    def link(self, attribute: Attribute | None, *types: str, by: str = "name") -> Value:
        """A reference to another resource as its address: a reference to one of ``types``
        (any resource when none are given), or a literal name a resource of those types
        declares in its ``by`` attribute; another literal is kept as written."""
        if attribute is None:
            return ABSENT
        return self.link_expr(attribute.value, self.at(attribute), types, by)

    def link_expr(self, expr: Expr, where: Location, types: tuple[str, ...], by: str) -> Value:
        found = self.follow(expr)
        address = self._address(found) if found is not None else None
        if found is not None and found[2] is not None:
            where = found[2]  # the reference is a caller's argument
        if address is not None and address.startswith("data.aws_iam_policy."):
            # A managed policy looked up by a data source: its ARN or name as written there.
            written = self.project.data_attribute(self.instance, address, "arn", "name")
            return known(written if isinstance(written, str) else address, where)
        if address is not None:
            kind = address.split(".")[1 if address.startswith("data.") else -2]
            if not types or kind in types or address.startswith("data."):
                return known(address, where)
            return unknown(expr.text, where)
        written, origin = self.resolve(expr)
        where = origin or where
        if isinstance(written, str):
            named = self.project.named(self.instance.root, types, by, written)
            return known(named or written, where)
        if written is None:
            return known(None, where)
        return unknown(expr.text, where)

    def presence(self, attribute: Attribute | None) -> Value:
        """Whether a setting is given a value: a reference to a resource is one."""
        if attribute is None:
            return ABSENT
        found = self.follow(attribute.value)
        if found is not None and self._address(found) is not None:
            return known(True, found[2] or self.at(attribute))
        return self.value(attribute, bool)

    def tags(self, block: Block) -> Value:
        return self.value(block.attr("tags"), _string_map)


def _origin(resolved: list[_Resolved]) -> Location | None:
    """Where a value made of several comes from: the first of them that comes from a
    caller's argument."""
    return next((origin for _, origin in resolved if origin is not None), None)


def _complete(value: Any) -> bool:
    """Whether a value is known all through: no part of it unknown or an error."""
    pending = [value]
    while pending:
        item = pending.pop()
        if item is _UNKNOWN or item is _ERROR:
            return False
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def _small(value: Any) -> bool:
    """Whether a value is within :data:`_MAX_VALUE`, counted up to that bound only: the
    parts a value shares are counted wherever they stand."""
    budget = _MAX_VALUE
    pending = [value]
    while pending:
        item = pending.pop()
        budget -= len(item) if isinstance(item, str) else 1
        if budget < 0:
            return False
        if isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def _joined(separator: str, texts: list[str]) -> Any:
    """Strings joined, unknown when the result would be larger than :data:`_MAX_VALUE`."""
    if sum(map(len, texts)) + len(separator) * len(texts) > _MAX_VALUE:
        return _UNKNOWN
    return separator.join(texts)


def _equal(left: Any, right: Any) -> bool:
    """Terraform's ``==``: values of different types differ (``1 != "1"``, ``true != 1``)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    numbers = (int, float)
    if isinstance(left, numbers) and isinstance(right, numbers):
        return left == right
    return type(left) is type(right) and left == right


def _walk(value: Any, steps: tuple[str | int | None, ...]) -> Any:
    """The part of a value a traversal selects: ``_ERROR`` where Terraform would refuse
    it (a key a known object lacks, an index past a list's end, an attribute of null)."""
    for step in steps:
        if value is _UNKNOWN or value is _ERROR:
            return value
        if step is None:  # an index computed, a splat
            return _UNKNOWN
        if isinstance(value, dict):
            value = value.get(str(step), _ERROR)
        elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            value = value[step]
        else:
            return _ERROR
    return value


def _text(value: Any) -> str | None:
    """A value as a string template writes it; None for what it cannot hold."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return None


_VERB = re.compile(r"%(.?)")


def _format(template: Any, arguments: list[Any]) -> Any:
    """``format`` with the verbs ``%s``, ``%d``, ``%v``, ``%t`` and ``%%``; any other verb
    (widths, precisions, ``%q``) is not rendered."""
    if not isinstance(template, str):
        return _UNKNOWN
    remaining = list(arguments)
    parts: list[str] = []
    position = 0
    for match in _VERB.finditer(template):
        parts.append(template[position : match.start()])
        position = match.end()
        verb = match.group(1)
        if verb == "%":
            parts.append("%")
            continue
        if verb not in ("s", "d", "v", "t") or not remaining:
            return _UNKNOWN
        argument = remaining.pop(0)
        text = _text(argument)
        if text is None or (verb == "d" and not isinstance(argument, int)):
            return _UNKNOWN
        if verb == "t" and not isinstance(argument, bool):
            return _UNKNOWN
        parts.append(text)
    if remaining:
        return _UNKNOWN
    parts.append(template[position:])
    return _joined("", parts)


def _function(name: str, arguments: list[Any]) -> Any:
    """A function of values all known."""
    if name in _PASSTHROUGH and len(arguments) == 1:
        return arguments[0]
    if name == "jsonencode" and len(arguments) == 1:
        return json.dumps(arguments[0])
    if name == "concat" and all(isinstance(a, list) for a in arguments):
        if sum(map(len, arguments)) > _MAX_VALUE:
            return _UNKNOWN
        return [item for a in arguments for item in a]
    if name == "format" and arguments:
        return _format(arguments[0], arguments[1:])
    if name == "join" and len(arguments) >= 2 and isinstance(arguments[0], str):
        lists = arguments[1:]
        texts = [_text(item) for a in lists if isinstance(a, list) for item in a]
        if all(isinstance(a, list) for a in lists) and None not in texts:
            return _joined(arguments[0], [t for t in texts if t is not None])
    return _UNKNOWN


def _string_map(value: Any) -> Any:
    if not isinstance(value, dict):
        return _UNKNOWN
    texts = {str(k): _text(v) for k, v in value.items() if v is not None}
    return _UNKNOWN if None in texts.values() else texts


def _enabled(value: Any) -> Any:
    return _ENABLED.get(value, _UNKNOWN) if isinstance(value, str) else _UNKNOWN


def _strings(value: Any) -> Any:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return _UNKNOWN


def _nested(block: Block, block_type: str) -> list[tuple[Block, bool]]:
    """The blocks of a type, static ones and the content of ``dynamic`` ones (flagged)."""
    found = [(child, False) for child in block.children(block_type)]
    for dynamic in block.children("dynamic"):
        content = dynamic.child("content")
        if dynamic.labels and dynamic.labels[0] == block_type and content is not None:
            found.append((content, True))
    return found


def _single(scope: _Scope, block: Block, block_type: str) -> tuple[Block | None, Value]:
    """A block set at most once and whether it is: known True when written, unknown when
    it comes from a ``dynamic`` block, absent otherwise."""
    found = _nested(block, block_type)
    if not found:
        return None, ABSENT
    child, dynamic = found[0]
    where = scope.at(child)
    return child, unknown(f'dynamic "{block_type}"', where) if dynamic else known(True, where)


# Policies -----------------------------------------------------------------------------

_STATEMENT_KEYS = ("effect", "actions", "resources")


@dataclass(frozen=True)
class _Node:
    """A piece of a policy document: an expression, or JSON already decoded. ``here`` says
    the expression is written in the file being read (not reached through a variable or
    local declared elsewhere), so that its own position can be given."""

    expr: Expr | None = None
    data: Any = None
    here: bool = True


def _follow(scope: _Scope, node: _Node) -> _Node | None:
    if node.expr is None:
        return node
    target = scope.deref(node.expr)
    return None if target is None else _Node(target, here=node.here and target is node.expr)


def _document(scope: _Scope, node: _Node) -> _Node | None:
    """A JSON document written as ``jsonencode({…})`` or as a JSON string or heredoc."""
    followed = _follow(scope, node)
    target = followed.expr if followed is not None else None
    if followed is None or target is None:
        return followed
    if target.kind == CALL and target.name == "jsonencode" and len(target.items) == 1:
        return _follow(scope, _Node(target.items[0], here=followed.here))
    written = scope.evaluate(target)
    if not isinstance(written, str):
        return None
    try:
        return _Node(data=json.loads(written))
    except ValueError:
        return None


def _statement_nodes(scope: _Scope, policy: _Node) -> list[_Node] | None:
    """The statements of a policy document; None when it cannot be read."""
    document = _document(scope, policy)
    if document is None or (document.expr is not None and document.expr.kind != OBJECT):
        return None
    if document.expr is None and not isinstance(document.data, dict):
        return None
    statements = _field(scope, document, "Statement")
    return [] if statements is None else _items(scope, statements)


def _items(scope: _Scope, node: _Node) -> list[_Node] | None:
    followed = _follow(scope, node)
    if followed is None:
        return None
    if followed.expr is None:
        data = followed.data
        return [_Node(data=d) for d in data] if isinstance(data, list) else [followed]
    if followed.expr.kind == TUPLE:
        return [_Node(item, here=followed.here) for item in followed.expr.items]
    return [followed]


def _field(scope: _Scope, node: _Node, key: str) -> _Node | None:
    followed = _follow(scope, node)
    if followed is None:
        return None
    if followed.expr is None:
        data = followed.data
        return _Node(data=data[key]) if isinstance(data, dict) and key in data else None
    value = followed.expr.field(key) if followed.expr.kind == OBJECT else None
    return _Node(value, here=followed.here) if value is not None else None


def _json_statement(scope: _Scope, node: _Node, where: Location) -> dict[str, Value]:
    def get(key: str, convert: Callable[[Any], Any]) -> Value:
        found = _field(scope, node, key)
        if found is None:
            return ABSENT
        if found.expr is None:
            converted = convert(found.data)
            return unknown("", where) if converted is _UNKNOWN else known(converted, where)
        return scope.of(found.expr, scope.at(found.expr) if found.here else where, convert)

    return {
        "effect": get("Effect", lambda v: v if isinstance(v, str) else _UNKNOWN),
        "actions": get("Action", _strings),
        "resources": get("Resource", _strings),
        "principals": get("Principal", _service_principals),
    }


def _service_principals(value: Any) -> Any:
    if value == "*":
        return ["*"]
    if isinstance(value, dict):
        return _strings(value.get("Service", []))
    return _UNKNOWN


def _unknown_statement(written: str, where: Location) -> dict[str, Value]:
    return {key: unknown(written, where) for key in (*_STATEMENT_KEYS, "principals")}


def _policy(scope: _Scope, attribute: Attribute | None) -> list[dict[str, Value]] | None:
    """The statements of a policy attribute, each a dict of Values; None when absent.
    A document that cannot be read is one statement whose values are all unknown."""
    if attribute is None:
        return None
    where = scope.at(attribute)
    target = scope.deref(attribute.value)
    address = scope.address(target) if target is not None else None
    found: list[dict[str, Value]] | None = None
    if address is not None and address.startswith("data.aws_iam_policy_document."):
        found = scope.project.document(scope.instance, address)
    elif target is not None:
        nodes = _statement_nodes(scope, _Node(target, here=target is attribute.value))
        if nodes is not None:
            found = [_json_statement(scope, node, where) for node in nodes]
    return found if found is not None else [_unknown_statement(attribute.value.text, where)]


def _public(statements: list[dict[str, Value]]) -> list[dict[str, Value]]:
    return [{key: s[key] for key in _STATEMENT_KEYS} for s in statements]


def _document_statements(scope: _Scope, block: Block) -> list[dict[str, Value]]:
    """The ``statement`` blocks of a ``data "aws_iam_policy_document"``."""
    statements = []
    for name in ("source_policy_documents", "override_policy_documents"):
        merged = block.attr(name)
        if merged is not None:  # other documents merged in: their statements are not read
            statements.append(_unknown_statement(merged.value.text, scope.at(merged)))
    for statement, dynamic in _nested(block, "statement"):
        where = scope.at(statement)
        if dynamic:
            statements.append(_unknown_statement('dynamic "statement"', where))
            continue
        effect = statement.attr("effect")
        statements.append(
            {
                "effect": scope.value(effect) if effect else known("Allow", where),
                "actions": scope.value(statement.attr("actions"), _strings),
                "resources": scope.value(statement.attr("resources"), _strings),
                "principals": _document_principals(scope, statement),
            }
        )
    return statements


def _document_principals(scope: _Scope, statement: Block) -> Value:
    """The service principals of a statement (``*`` for anyone); other principal types
    (AWS accounts, federated users) are not services and are left out."""
    found = _nested(statement, "principals")
    if not found:
        return ABSENT
    services: list[str] = []
    for principal, dynamic in found:
        kind = scope.evaluate(_expr(principal.attr("type")))
        identifiers = scope.value(principal.attr("identifiers"), _strings)
        if dynamic or kind is _UNKNOWN or not identifiers.known:
            return unknown("principals", scope.at(principal))
        if kind == "Service":
            services.extend(identifiers.value)
        elif kind == "*" or "*" in identifiers.value:
            services.append("*")
    return known(services, scope.at(found[0][0]))


# Resources ----------------------------------------------------------------------------


@dataclass
class _Draft:
    kind: str
    name: str
    type: str
    location: Location
    properties: dict[str, Value] = field(default_factory=dict)
    opaque: bool = False
    block: Block | None = None
    scope: _Scope | None = None


Mapper = Callable[[_Scope, Block], dict[str, Value]]


class _Project:
    """Every module instance's resources, by root and full address: addresses repeat across
    roots (examples of one module often define the same ones), and references stay in
    theirs."""

    def __init__(self, instances: list[_Instance]) -> None:
        self.instances = instances
        for instance in instances:
            if instance.caller is not None:
                instance.caller._project = self
        self.drafts: dict[tuple[str, str], _Draft] = {}
        self.data: dict[tuple[str, str], tuple[_Scope, Block]] = {}
        self._names: dict[tuple[str, str], dict[str, list[tuple[str, str]]]] = {}

    def find(self, root: str, address: object, resource_type: str = "") -> _Draft | None:
        draft = self.drafts.get((root, address)) if isinstance(address, str) else None
        if draft is None or (resource_type and draft.type != resource_type):
            return None
        return draft

    def named(self, root: str, types: tuple[str, ...], by: str, name: str) -> str | None:
        """The address of the resource of ``types`` whose ``by`` attribute is ``name``, in
        ``root`` first, else in any root."""
        for resource_type in types:
            key = (resource_type, by)
            if key not in self._names:
                index: dict[str, list[tuple[str, str]]] = {}
                for (where, address), draft in self.drafts.items():
                    if draft.type == resource_type and draft.block and draft.scope:
                        written = draft.scope.evaluate(_expr(draft.block.attr(by)))
                        if isinstance(written, str):
                            index.setdefault(written, []).append((where, address))
                self._names[key] = index
            found = self._names[key].get(name, [])
            for where, address in found:
                if where == root:
                    return address
            if found:
                return found[0][1]
        return None

    def document(self, instance: _Instance, address: str) -> list[dict[str, Value]] | None:
        """The statements of a ``data "aws_iam_policy_document"``."""
        found = self.data.get((instance.key, address))
        return _document_statements(*found) if found is not None else None

    def data_attribute(self, instance: _Instance, address: str, *names: str) -> Any:
        """The first of ``names`` a data source sets to a known value."""
        found = self.data.get((instance.key, address))
        if found is None:
            return _UNKNOWN
        scope, block = found
        for name in names:
            written = scope.evaluate(_expr(block.attr(name)))
            if written is not _UNKNOWN and written is not None:
                return written
        return _UNKNOWN

    def resources(self) -> Iterator[Resource]:
        blocks: list[tuple[_Scope, Block]] = []
        for instance in self.instances:
            for path, parsed in instance.module.files:
                scope = _Scope(instance, path, self)
                for block in parsed.blocks:
                    if block.type == "data" and len(block.labels) == 2:
                        address = "data." + ".".join(block.labels)
                        self.data.setdefault((instance.key, address), (scope, block))
                    elif block.type in ("resource", "module"):
                        blocks.append((scope, block))
        # First every resource by its address, so that links by literal name can be found.
        for scope, block in blocks:
            if block.type == "resource" and len(block.labels) == 2 and _exists(scope, block):
                kind = _KINDS.get(block.labels[0])
                address = scope.instance.prefix + ".".join(block.labels)
                draft = _Draft(kind or "", address, block.labels[0], scope.at(block))
                draft.block, draft.scope = block, scope
                self.drafts.setdefault((scope.instance.root, address), draft)
        for draft in list(self.drafts.values()):
            mapper = _MAPPERS.get(draft.type)
            if mapper is not None and draft.scope is not None and draft.block is not None:
                draft.properties = _judged_once(mapper, draft.scope, draft.block)
        for scope, block in blocks:
            if block.type == "module":
                opaque = _module_call(scope, block)
                if opaque is not None:
                    self.drafts.setdefault((scope.instance.root, opaque.name), opaque)
        for merge in _MERGES:
            for draft in list(self.drafts.values()):
                if draft.scope is not None and draft.block is not None:
                    merge(self, draft)
        self._default_tags()
        emitted: dict[tuple[str, str, Location], list[Resource]] = {}
        for draft in self.drafts.values():
            if not draft.kind:
                continue
            resource = Resource(
                draft.kind,
                draft.name,
                SOURCE,
                draft.location,
                {k: v for k, v in sorted(draft.properties.items()) if not v.absent},
                draft.type,
                draft.opaque,
            )
            # Roots that call a module alike (its examples, its tests) make the same
            # resource: it is one.
            same = emitted.setdefault((draft.kind, draft.name, draft.location), [])
            if resource not in same:
                same.append(resource)
                yield resource

    def _default_tags(self) -> None:
        """The AWS provider's ``default_tags`` apply to every resource that takes tags, in
        the provider's module and the local modules it calls."""
        defaults: dict[str, Value] = {}
        for instance in self.instances:  # a caller comes before the modules it calls
            inherited = defaults.get(instance.parent.key, ABSENT) if instance.parent else ABSENT
            defaults[instance.key] = inherited
            for path, provider in instance.module.blocks("provider"):
                block = provider.child("default_tags")
                if provider.labels[:1] == ("aws",) and block is not None:
                    provider_scope = _Scope(instance, path, self)
                    tags = provider_scope.value(block.attr("tags"), _string_map)
                    defaults[instance.key] = tags
                    break
        for draft in self.drafts.values():
            scope = draft.scope
            tags = defaults.get(scope.instance.key, ABSENT) if scope else ABSENT
            if tags.absent or "tags" not in rm.PROPERTIES.get(draft.kind, {}):
                continue
            own = draft.properties.get("tags", ABSENT)
            if own.absent:
                draft.properties["tags"] = tags
            elif own.known and tags.known:
                draft.properties["tags"] = known({**tags.value, **own.value}, own.location)
            else:
                draft.properties["tags"] = unknown(own.written or tags.written, own.location)


def _judged_once(mapper: Mapper, scope: _Scope, block: Block) -> dict[str, Value]:
    """A resource's properties, once however many ``for_each`` makes: read for each known
    element (``each.key``, ``each.value``), a property is known when it is the same for all
    of them, else unknown. A collection not known is read with ``each`` unknown."""
    for_each = block.attr("for_each")
    elements = scope.elements(for_each.value) if for_each is not None else None
    if not elements:
        return mapper(scope, block)
    runs = [
        mapper(scope.bound({"each.key": (key, element[1]), "each.value": element}), block)
        for key, element in elements
    ]
    judged: dict[str, Value] = {}
    for run in runs:
        for name in run:
            if name in judged:
                continue
            values = [other.get(name, ABSENT) for other in runs]
            if all(value == values[0] for value in values):
                judged[name] = values[0]
            else:
                shown = next(value for value in values if not value.absent)
                judged[name] = unknown(shown.written or name, shown.location)
    return judged


def _expr(attribute: Attribute | None) -> Expr | None:
    return attribute.value if attribute is not None else None


def _exists(scope: _Scope, block: Block) -> bool:
    """False when ``count`` is known to be 0 or ``for_each`` known to be empty. A
    variable's default does not decide it: a collection empty by default (``[]``, a flag
    ``false``) is an input not given yet, and what the module would make stays judged."""
    written = scope.inputs_only()
    count = written.evaluate(_expr(block.attr("count")))
    for_each = written.resolve(_expr(block.attr("for_each")))[0]
    if isinstance(count, (int, float)) and count == 0:
        return False
    return not (isinstance(for_each, (list, dict)) and not for_each)


def _module_call(scope: _Scope, block: Block) -> _Draft | None:
    source = scope.evaluate(_expr(block.attr("source")))
    if not isinstance(source, str) or source.startswith(("./", "../")):
        return None
    name = block.labels[0] if block.labels else ""
    words = f"{source} {name}".lower()
    if "sagemaker" not in words:
        return None
    kind = next((k for word, k in _MODULE_KINDS if word in source.lower()), None)
    kind = kind or next((k for word, k in _MODULE_KINDS if word in name.lower()), None)
    if kind is None:
        return None
    address = f"{scope.instance.prefix}module.{name}"
    return _Draft(kind, address, "module", scope.at(block), opaque=True)


def _link_list(
    scope: _Scope, attribute: Attribute | None, link: Callable[[Expr, Location], Value]
) -> Value:
    """A list of references or names, each as an address when it is one."""
    if attribute is None:
        return ABSENT
    where = scope.at(attribute)
    target = scope.deref(attribute.value)
    if target is None or target.kind != TUPLE:
        return scope.value(attribute, _strings)
    links = [link(item, where) for item in target.items]
    if all(link.known and isinstance(link.value, str) for link in links):
        return known([link.value for link in links], where)
    return unknown(attribute.value.text, where)


def _policy_link(scope: _Scope, expr: Expr, where: Location) -> Value:
    """A policy as its address, its ARN or, for an AWS managed policy whose ARN is built
    from an unknown partition (``"arn:${…}:iam::aws:policy/Name"``, ``format(…)``), the
    ARN in the commercial partition: the policy's name is what matters."""
    linked = scope.link_expr(expr, where, ("aws_iam_policy",), "name")
    if not linked.unknown:
        return linked
    target = scope.deref(expr)
    literal = None
    if target is not None and target.kind == TEMPLATE:
        literal = target.items[-1]
    elif target is not None and target.kind == CALL and target.name == "format" and target.items:
        literal = target.items[0]
    text = literal.value if literal is not None and literal.kind == LITERAL else None
    match = _MANAGED_POLICY.search(text) if isinstance(text, str) else None
    return known(f"arn:aws:iam::aws:policy/{match.group(1)}", where) if match else linked


def _block_list(scope: _Scope, block: Block, block_type: str, attribute: str, *types: str) -> Value:
    """One attribute of each repeated block (``alarms { alarm_name = … }``) as a list."""
    found = _nested(block, block_type)
    if not found:
        return ABSENT
    where = scope.at(found[0][0])
    links = [scope.link(child.attr(attribute), *types, by=attribute) for child, _ in found]
    if all(link.known and isinstance(link.value, str) for link in links):
        return known([link.value for link in links], where)
    return unknown(f"{block_type} {{ {attribute} }}", where)


def _model(s: _Scope, b: Block) -> dict[str, Value]:
    container = b.child("primary_container") or b.child("container")
    return {
        "network_isolation": s.value(b.attr("enable_network_isolation")),
        "vpc": _single(s, b, "vpc_config")[1],
        "image": s.value(container.attr("image")) if container else ABSENT,
        "model_package": s.value(container.attr("model_package_name")) if container else ABSENT,
        "role": s.link(b.attr("execution_role_arn"), "aws_iam_role"),
        "tags": s.tags(b),
    }


def _kms(s: _Scope, attribute: Attribute | None) -> Value:
    return s.link(attribute, "aws_kms_key", "aws_kms_alias")


def _endpoint_config(s: _Scope, b: Block) -> dict[str, Value]:
    variants = []
    found = _nested(b, "production_variants")
    for variant, _ in found:
        variants.append(
            {
                "variant_name": s.value(variant.attr("variant_name")),
                "model": s.link(variant.attr("model_name"), "aws_sagemaker_model"),
                "instance_type": s.value(variant.attr("instance_type")),
                "instance_count": s.value(variant.attr("initial_instance_count")),
                "serverless": _single(s, variant, "serverless_config")[1],
                "managed_scaling": _single(s, variant, "managed_instance_scaling")[1],
            }
        )
    capture_block, capture = _single(s, b, "data_capture_config")
    if capture_block is not None and capture.known and capture_block.attr("enable_capture"):
        capture = s.value(capture_block.attr("enable_capture"))  # true when not written
    return {
        "kms_key": _kms(s, b.attr("kms_key_arn")),
        "variants": known(variants, s.at(found[0][0])) if found else ABSENT,
        "data_capture": capture,
        "async_inference": _single(s, b, "async_inference_config")[1],
        "tags": s.tags(b),
    }


def _endpoint(s: _Scope, b: Block) -> dict[str, Value]:
    properties = {
        "endpoint_config": s.link(
            b.attr("endpoint_config_name"), "aws_sagemaker_endpoint_configuration"
        ),
        "tags": s.tags(b),
    }
    deployment = b.child("deployment_config")
    if deployment is not None:
        policy, properties["blue_green"] = _single(s, deployment, "blue_green_update_policy")
        routing = policy.child("traffic_routing_configuration") if policy else None
        if routing is not None:
            properties["traffic_routing"] = s.value(routing.attr("type"))
        properties["rolling_update"] = _single(s, deployment, "rolling_update_policy")[1]
        rollback = deployment.child("auto_rollback_configuration")
        if rollback is not None:
            properties["auto_rollback_alarms"] = _block_list(
                s, rollback, "alarms", "alarm_name", "aws_cloudwatch_metric_alarm"
            )
    return properties


def _notebook(s: _Scope, b: Block) -> dict[str, Value]:
    return {
        "instance_type": s.value(b.attr("instance_type")),
        "direct_internet_access": s.value(b.attr("direct_internet_access"), _enabled),
        "root_access": s.value(b.attr("root_access"), _enabled),
        "kms_key": _kms(s, b.attr("kms_key_id")),
        "imds_version": _imds_version(s, b),
        "lifecycle_config": s.link(
            b.attr("lifecycle_config_name"),
            "aws_sagemaker_notebook_instance_lifecycle_configuration",
        ),
        "vpc": s.presence(b.attr("subnet_id")),
        "tags": s.tags(b),
    }


def _imds_version(s: _Scope, b: Block) -> Value:
    imds = b.child("instance_metadata_service_configuration")
    if imds is None:
        return ABSENT
    return s.value(imds.attr("minimum_instance_metadata_service_version"), str)


def _monitoring_job(s: _Scope, b: Block) -> dict[str, Value]:
    resources = b.child("job_resources")
    cluster = resources.child("cluster_config") if resources else None
    network = b.child("network_config")
    encryption = network.attr("enable_inter_container_traffic_encryption") if network else None
    return {
        "instance_count": s.value(cluster.attr("instance_count")) if cluster else ABSENT,
        "inter_container_encryption": s.value(encryption),
    }


def _script(s: _Scope, attribute: Attribute) -> str | None:
    """A lifecycle script's text: ``base64encode("…")`` or an already encoded literal."""
    target = s.deref(attribute.value)
    if target is not None and target.kind == CALL and target.name == "base64encode":
        text = s.evaluate(target.items[0]) if len(target.items) == 1 else _UNKNOWN
        return text if isinstance(text, str) else None
    text = s.evaluate(target)
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return text


def _lifecycle(s: _Scope, b: Block) -> dict[str, Value]:
    scripts = [a for a in (b.attr("on_start"), b.attr("on_create")) if a is not None]
    if not scripts:
        return {}
    texts = [(a, _script(s, a)) for a in scripts]
    for attribute, text in texts:
        if text is not None and rm.stops_when_idle(text):
            return {"auto_stop": known(True, s.at(attribute))}
    unread = [a for a, text in texts if text is None]
    if unread:
        return {"auto_stop": unknown(unread[0].value.text, s.at(unread[0]))}
    return {"auto_stop": known(False, s.at(scripts[0]))}


def _domain(s: _Scope, b: Block) -> dict[str, Value]:
    return {
        "app_network_access": s.value(b.attr("app_network_access_type")),
        "kms_key": _kms(s, b.attr("kms_key_id")),
    }


def _monitoring_schedule(s: _Scope, b: Block) -> dict[str, Value]:
    config = b.child("monitoring_schedule_config")
    if config is None:
        return {}
    schedule = config.child("schedule_config")
    properties = {
        "monitor_type": s.value(
            config.attr("monitoring_type"), lambda v: _MONITOR_TYPES.get(v, _UNKNOWN)
        ),
        "schedule": s.value(schedule.attr("schedule_expression")) if schedule else ABSENT,
    }
    job = s.link(config.attr("monitoring_job_definition_name"))
    draft = s.project.find(s.instance.root, job.value) if job.known else None
    match = _JOB_DEFINITION.fullmatch(draft.type) if draft is not None else None
    if draft is None or match is None or draft.block is None or draft.scope is None:
        return properties
    if properties["monitor_type"].absent:
        monitor = match.group(1).replace("_", "-")
        properties["monitor_type"] = known(monitor, job.location)
    for job_input in draft.block.blocks:
        endpoint_input = job_input.child("endpoint_input")
        if job_input.type.endswith("_job_input") and endpoint_input is not None:
            properties["endpoint"] = draft.scope.link(
                endpoint_input.attr("endpoint_name"), "aws_sagemaker_endpoint"
            )
    return properties


def _pipeline(s: _Scope, b: Block) -> dict[str, Value]:
    definition = b.attr("pipeline_definition")
    if definition is None:
        return {"steps": unknown("pipeline_definition_s3_location", s.at(b))}
    where = s.at(definition)
    document = _document(s, _Node(definition.value))
    listed = _field(s, document, "Steps") if document is not None else None
    steps = _steps(s, listed, 0) if listed is not None else None
    if steps is None:
        return {"steps": unknown(definition.value.text, where)}
    return {"steps": known(steps, where)}


def _steps(s: _Scope, listed: _Node, depth: int) -> list[str] | None:
    """The kinds of a pipeline's steps (``RegisterModel`` → ``register-model``), the
    branches of condition steps included; None when one cannot be read."""
    steps = _items(s, listed)
    if steps is None or depth > 3:
        return None
    kinds: list[str] = []
    for step in steps:
        written = _field(s, step, "Type")
        kind = None
        if written is not None:
            kind = written.data if written.expr is None else s.evaluate(written.expr)
        if not isinstance(kind, str):
            return None
        kinds.append(_CAMEL.sub("-", kind).lower())
        arguments = _field(s, step, "Arguments")
        for branch in ("IfSteps", "ElseSteps"):
            nested = _field(s, arguments, branch) if arguments is not None else None
            inner = _steps(s, nested, depth + 1) if nested is not None else []
            if inner is None:
                return None
            kinds.extend(inner)
    return kinds


def _tags_only(s: _Scope, b: Block) -> dict[str, Value]:
    return {"tags": s.tags(b)}


def _statements_value(
    s: _Scope, where: Location, statements: list[dict[str, Value]] | None
) -> Value:
    return ABSENT if statements is None else known(_public(statements), where)


def _role(s: _Scope, b: Block) -> dict[str, Value]:
    managed = _link_list(s, b.attr("managed_policy_arns"), lambda e, w: _policy_link(s, e, w))
    properties = {"managed_policies": managed}
    trust = b.attr("assume_role_policy")
    statements = _policy(s, trust)
    if trust is not None and statements is not None:
        principals = [st["principals"] for st in statements if not st["principals"].absent]
        if all(p.known for p in principals):
            services = sorted({service for p in principals for service in p.value})
            properties["assumed_by"] = known(services, s.at(trust))
        else:
            properties["assumed_by"] = unknown(trust.value.text, s.at(trust))
    inline: list[dict[str, Value]] = []
    found = _nested(b, "inline_policy")
    for policy, dynamic in found:
        if dynamic:
            inline.append(_unknown_statement('dynamic "inline_policy"', s.at(policy)))
        else:
            inline.extend(_policy(s, policy.attr("policy")) or [])
    if found:
        properties["statements"] = _statements_value(s, s.at(found[0][0]), inline)
    return properties


def _iam_policy(s: _Scope, b: Block) -> dict[str, Value]:
    policy = b.attr("policy")
    where = s.at(policy) if policy is not None else s.at(b)
    return {"statements": _statements_value(s, where, _policy(s, policy))}


def _role_policy(s: _Scope, b: Block) -> dict[str, Value]:
    properties = _iam_policy(s, b)
    role = s.link(b.attr("role"), "aws_iam_role")
    if role.known:
        properties["attached_to"] = known([role.value], role.location)
    elif role.unknown:
        properties["attached_to"] = role
    return properties


def _bucket(s: _Scope, b: Block) -> dict[str, Value]:
    """A bucket with the settings provider versions before 4 wrote inside it."""
    properties = {"tags": s.tags(b)}
    encryption = b.child("server_side_encryption_configuration")
    if encryption is not None:
        properties["encryption"] = _sse(s, encryption)
    versioning = b.child("versioning")
    if versioning is not None:
        properties["versioning"] = (
            s.value(versioning.attr("enabled"))
            if versioning.attr("enabled")
            else known(False, s.at(versioning))
        )
    rules = _nested(b, "lifecycle_rule")
    if rules:
        properties["lifecycle_rules"] = _any_enabled(s, rules, "enabled", bool)
    return properties


def _sse(s: _Scope, block: Block) -> Value:
    for rule, _ in _nested(block, "rule"):
        default = rule.child("apply_server_side_encryption_by_default")
        if default is not None:
            return s.value(default.attr("sse_algorithm"))
    return unknown("rule", s.at(block))


def _any_enabled(
    s: _Scope, rules: list[tuple[Block, bool]], attribute: str, convert: Callable[[Any], Any]
) -> Value:
    """Whether at least one of the rules is enabled."""
    values = [(rule, s.value(rule.attr(attribute), convert)) for rule, _ in rules]
    for rule, value in values:
        if value.known and value.value is True:
            return known(True, s.at(rule))
    unread = [(rule, v) for rule, v in values if not v.known]
    if unread:
        return unknown(unread[0][1].written or attribute, s.at(unread[0][0]))
    return known(False, s.at(rules[0][0]))


def _scaling_target(s: _Scope, b: Block) -> dict[str, Value]:
    resource_id = b.attr("resource_id")
    properties = {
        "resource_id": s.value(resource_id),
        "min_capacity": s.value(b.attr("min_capacity")),
        "max_capacity": s.value(b.attr("max_capacity")),
    }
    if resource_id is not None:
        properties["endpoint"] = _scaled_endpoint(s, resource_id)
    return properties


def _scaled_endpoint(s: _Scope, resource_id: Attribute) -> Value:
    """The endpoint in ``endpoint/<name>/variant/<variant>``, written or interpolated."""
    where = s.at(resource_id)
    target = s.deref(resource_id.value)
    if target is not None and target.kind == TEMPLATE and len(target.items) >= 2:
        prefix, written_name = target.items[0], target.items[1]
        if prefix.kind == LITERAL and prefix.value == "endpoint/":
            return s.link_expr(written_name, where, ("aws_sagemaker_endpoint",), "name")
    written = s.evaluate(target) if target is not None else _UNKNOWN
    if isinstance(written, str):
        parts = written.split("/")
        if len(parts) >= 2 and parts[0] == "endpoint":
            name = s.project.named(s.instance.root, ("aws_sagemaker_endpoint",), "name", parts[1])
            return known(name or parts[1], where)
        return ABSENT  # another service's scalable resource
    return unknown(resource_id.value.text, where)


def _scaling_policy(s: _Scope, b: Block) -> dict[str, Value]:
    return {"target": s.link(b.attr("resource_id"), "aws_appautoscaling_target", by="resource_id")}


def _alarm(s: _Scope, b: Block) -> dict[str, Value]:
    metric: Block = b
    if b.attr("metric_name") is None:
        # A metric-math alarm: the first metric it queries.
        for query in b.children("metric_query"):
            inner = query.child("metric")
            if inner is not None:
                metric = inner
                break
    properties = {
        "namespace": s.value(metric.attr("namespace")),
        "metric_name": s.value(metric.attr("metric_name")),
    }
    dimensions = metric.attr("dimensions")
    target = s.deref(dimensions.value) if dimensions is not None else None
    if dimensions is not None and target is not None and target.kind == OBJECT:
        endpoint = target.field("EndpointName")
        if endpoint is not None:
            where = s.at(endpoint) if target is dimensions.value else s.at(dimensions)
            properties["endpoint"] = s.link_expr(
                endpoint, where, ("aws_sagemaker_endpoint",), "name"
            )
    elif dimensions is not None:
        properties["endpoint"] = unknown(dimensions.value.text, s.at(dimensions))
    return properties


def _log_group(s: _Scope, b: Block) -> dict[str, Value]:
    return {"retention_days": s.value(b.attr("retention_in_days"))}


def _event_rule(s: _Scope, b: Block) -> dict[str, Value]:
    return {"schedule": s.value(b.attr("schedule_expression"))}


def _schedule(s: _Scope, b: Block) -> dict[str, Value]:
    properties = _event_rule(s, b)
    target = b.child("target")
    if target is not None:
        arn = s.link(target.attr("arn"))
        properties["targets"] = known([arn.value], arn.location) if arn.known else arn
    return properties


def _kms_key(s: _Scope, b: Block) -> dict[str, Value]:
    return {"rotation": s.value(b.attr("enable_key_rotation"))}


def _nothing(s: _Scope, b: Block) -> dict[str, Value]:
    return {}


_RESOURCE_TYPES: dict[str, tuple[str, Mapper]] = {
    "aws_sagemaker_model": (rm.MODEL, _model),
    "aws_sagemaker_endpoint_configuration": (rm.ENDPOINT_CONFIG, _endpoint_config),
    "aws_sagemaker_endpoint": (rm.ENDPOINT, _endpoint),
    "aws_sagemaker_notebook_instance": (rm.NOTEBOOK_INSTANCE, _notebook),
    "aws_sagemaker_notebook_instance_lifecycle_configuration": (rm.NOTEBOOK_LIFECYCLE, _lifecycle),
    "aws_sagemaker_domain": (rm.STUDIO_DOMAIN, _domain),
    "aws_sagemaker_monitoring_schedule": (rm.MONITORING_SCHEDULE, _monitoring_schedule),
    "aws_sagemaker_data_quality_job_definition": (rm.MONITORING_JOB, _monitoring_job),
    "aws_sagemaker_pipeline": (rm.PIPELINE, _pipeline),
    "aws_sagemaker_model_package_group": (rm.MODEL_PACKAGE_GROUP, _tags_only),
    "aws_iam_role": (rm.IAM_ROLE, _role),
    "aws_iam_policy": (rm.IAM_POLICY, _iam_policy),
    "aws_iam_role_policy": (rm.IAM_POLICY, _role_policy),
    "aws_s3_bucket": (rm.BUCKET, _bucket),
    "aws_appautoscaling_target": (rm.SCALING_TARGET, _scaling_target),
    "aws_appautoscaling_policy": (rm.SCALING_POLICY, _scaling_policy),
    "aws_cloudwatch_metric_alarm": (rm.ALARM, _alarm),
    "aws_cloudwatch_log_group": (rm.LOG_GROUP, _log_group),
    "aws_cloudwatch_event_rule": (rm.EVENT_RULE, _event_rule),
    "aws_scheduler_schedule": (rm.EVENT_RULE, _schedule),
    "aws_kms_key": (rm.KMS_KEY, _kms_key),
    "aws_budgets_budget": (rm.BUDGET, _nothing),
}
_KINDS = {t: kind for t, (kind, _) in _RESOURCE_TYPES.items()}
_MAPPERS = {t: mapper for t, (_, mapper) in _RESOURCE_TYPES.items()}


# Settings written as resources of their own -----------------------------------------


def _target(project: _Project, draft: _Draft, value: Value, resource_type: str) -> _Draft | None:
    """The resource of ``resource_type`` a link written in ``draft`` points at."""
    if not value.known or draft.scope is None:
        return None
    return project.find(draft.scope.instance.root, value.value, resource_type)


def _append(draft: _Draft, name: str, item: str, where: Location) -> None:
    """Add to a list property. Items that cannot be resolved are left out: the rules look
    for known-bad items, and an unresolved one is none."""
    current = draft.properties.get(name, ABSENT)
    if current.unknown:
        return
    items = list(current.value) if current.known else []
    if item not in items:
        items.append(item)
    draft.properties[name] = known(items, current.location or where)


def _merge_attachment(project: _Project, draft: _Draft) -> None:
    s, b = draft.scope, draft.block
    assert s is not None and b is not None
    if draft.type == "aws_iam_role_policy_attachment":
        roles = [s.link(b.attr("role"), "aws_iam_role")]
    elif draft.type == "aws_iam_policy_attachment":
        listed = _link_list(
            s, b.attr("roles"), lambda e, w: s.link_expr(e, w, ("aws_iam_role",), "name")
        )
        roles = [known(r, listed.location) for r in listed.value] if listed.known else []
    else:
        return
    arn = b.attr("policy_arn")
    policy = _policy_link(s, arn.value, s.at(arn)) if arn is not None else ABSENT
    if not policy.known or not isinstance(policy.value, str):
        return
    for role in roles:
        target = _target(project, draft, role, "aws_iam_role")
        if target is not None:
            _append(target, "managed_policies", policy.value, policy.location or draft.location)
        attached = _target(project, draft, policy, "aws_iam_policy")
        if attached is not None and role.known and isinstance(role.value, str):
            _append(attached, "attached_to", role.value, role.location or draft.location)


def _merge_bucket_settings(project: _Project, draft: _Draft) -> None:
    s, b = draft.scope, draft.block
    assert s is not None and b is not None
    prefix = "aws_s3_bucket_"
    if not draft.type.startswith(prefix):
        return
    setting = draft.type[len(prefix) :]
    link = s.link(b.attr("bucket"), "aws_s3_bucket", by="bucket")
    bucket = _target(project, draft, link, "aws_s3_bucket")
    if bucket is None:
        return
    if setting == "server_side_encryption_configuration":
        bucket.properties["encryption"] = _sse(s, b)
    elif setting == "public_access_block":
        bucket.properties["public_access_block"] = _all_blocked(s, b)
    elif setting == "versioning":
        configuration = b.child("versioning_configuration")
        status = configuration.attr("status") if configuration else None
        bucket.properties["versioning"] = s.value(status, lambda v: v == "Enabled")
    elif setting == "lifecycle_configuration":
        rules = _nested(b, "rule")
        if rules:
            bucket.properties["lifecycle_rules"] = _any_enabled(
                s, rules, "status", lambda v: v == "Enabled"
            )


_BLOCKS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def _all_blocked(s: _Scope, b: Block) -> Value:
    """True when all four settings are on; an unset one is off."""
    values = [s.value(b.attr(name)) for name in _BLOCKS]
    unread = [v for v in values if v.unknown]
    if unread:
        return unread[0]
    return known(all(v.known and v.value is True for v in values), s.at(b))


def _merge_event_target(project: _Project, draft: _Draft) -> None:
    s, b = draft.scope, draft.block
    assert s is not None and b is not None
    if draft.type != "aws_cloudwatch_event_target":
        return
    link = s.link(b.attr("rule"), "aws_cloudwatch_event_rule")
    rule = _target(project, draft, link, "aws_cloudwatch_event_rule")
    arn = s.link(b.attr("arn"))
    if rule is not None and arn.known and isinstance(arn.value, str):
        _append(rule, "targets", arn.value, arn.location or draft.location)


def _merge_pipeline_schedule(project: _Project, draft: _Draft) -> None:
    """A pipeline started by a scheduled EventBridge rule has that schedule."""
    schedule = draft.properties.get("schedule", ABSENT)
    targets = draft.properties.get("targets", ABSENT)
    if draft.kind != rm.EVENT_RULE or not schedule.known or not targets.known:
        return
    for address in targets.value:
        pipeline = _target(project, draft, known(address), "aws_sagemaker_pipeline")
        if pipeline is not None:
            pipeline.properties.setdefault("schedule", schedule)


_MERGES: tuple[Callable[[_Project, _Draft], None], ...] = (
    _merge_attachment,
    _merge_bucket_settings,
    _merge_event_target,
    _merge_pipeline_schedule,
)
