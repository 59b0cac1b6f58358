"""AWS CDK apps in Python, read into the resource model.

Each module that mentions ``aws_cdk`` is read through the project's Python import resolver:
``sagemaker.CfnEndpoint``, ``from aws_cdk.aws_s3 import Bucket`` and ``cdk.aws_iam.Role``
are recognised by what they refer to, not by how they are spelled. Nothing is imported or
run. Values are followed within the module: literals are known; module constants, local
variables, ``self.x`` attributes, dict and list literals and ``*Property(...)`` objects
assigned once are followed to what they hold; a ``CfnParameter``'s declared default is
known. A scalar this reader cannot follow is asked of the project's Python resolver
(:mod:`mllint_wa.evidence.python_values`): ``str.format`` and joins of known parts, values of
JSON and YAML files of the repository, what a project function returns. A construct made
inside a class, method or helper of the app is read once per call of it, its parameters
holding that call's arguments (:class:`Callers`); parameters of one called from nowhere it
can follow, ``self.node.try_get_context(...)``, f-strings with unknown parts and anything
else are unknown. A construct called with ``**kwargs`` that cannot be
followed is opaque. Changes made after construction within the module are applied:
``add_property_override``, L1 attribute assignments, ``add_lifecycle_rule``,
``add_to_policy``, ``add_managed_policy``, ``attach_inline_policy``, ``add_target``,
``scale_to_track_metric``, ``Tags.of(x).add``. Tags given to a stack where the app
instantiates it (``HostingStack(app, "Id", tags={...})``, the class found through the
project's imports) tag the resources of that stack class and of the construct classes it
instantiates (see :class:`_StackTags`).

A resource is named by its construct id (the second positional argument) when it is a
literal, else by the variable it is assigned to. Constructs of one kind and id in the
branches of one ``if`` are one resource, its properties known where the branches agree.
Links to other resources (``endpoint_config_name=config.attr_endpoint_config_name``) are the
other construct's name.

Where an L2 construct's default decides a property, the default is a known value at the
construct's call (the CDK v2 API reference):

- ``aws_s3.Bucket`` encryption: "KMS if encryptionKey is specified, or S3_MANAGED
  otherwise" (https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_s3/BucketProps.html).
- ``aws_logs.LogGroup`` retention: ``RetentionDays.TWO_YEARS``, 731 days
  (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_logs.LogGroupProps.html).

Other unset L2 properties are absent, as an unset CloudFormation property is: a Bucket's
``block_public_access`` (CDK sets no PublicAccessBlockConfiguration; S3's own account
default is not in the template), ``versioned`` (false), a Key's ``enable_key_rotation``
(false).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import field

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.code import bound_names, modules, project_files_named
from mllint_wa.evidence.python_flow import PythonFlow, flow
from mllint_wa.evidence.python_values import (
    MAX_CALL_SITES,
    Values,
    is_static,
    parameter_default,
    per_call,
    written_argument,
)
from mllint_wa.model import Location
from mllint_wa.parsers.python_code import PythonModule, literal, quote_expression
from mllint_wa.records import dataclass

SOURCE = "cdk"
_MAX_DEPTH = 25  # how many assignments a value is followed through
_WRITTEN = 60  # characters of an unknown value's source kept for messages
_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# A field of a construct or struct: where its key is written, and its value's expression.
Field = tuple[Location, ast.expr]


@dataclass(frozen=True)
class _Unread:
    """A value on the way to a field could not be followed (a parameter, a call)."""

    location: Location
    written: str


Lookup = Field | _Unread | None


def extract(ev: Evidence) -> Iterator[rm.Resource]:
    """Every resource the project's CDK apps define."""
    project = flow(ev)
    callers = _PythonCallers(project)
    cdk_modules = [
        _Module(path, parsed, project.values(path, parsed), callers)
        for path, parsed in modules(ev, b"aws_cdk")
    ]
    stacks = _StackTags(ev, cdk_modules)
    callers.start(cdk_modules, stacks)
    yield from app_resources(cdk_modules, stacks)


def app_resources(cdk_modules: list[_Module], stacks: _StackTags) -> list[rm.Resource]:
    """The resources the modules of one app define, tags from their stacks and the app
    applied (also the TypeScript reader's, whose modules are read into this form)."""
    found: list[rm.Resource] = []
    app_tags: list[tuple[Location, ast.expr, ast.expr, _Module]] = []
    for module in cdk_modules:
        for resource, construct in _one_per_branch(module, module.resources()):
            found.append(rm.with_tags(resource, stacks.of(module, construct)))
        app_tags.extend(module.app_tags)
    if app_tags:
        found = [_with_tags(resource, app_tags) for resource in found]
    return found


def _one_per_branch(
    module: _Module, found: list[tuple[rm.Resource, _Construct]]
) -> list[tuple[rm.Resource, _Construct]]:
    """One resource for the constructs of one kind and id that the branches of an ``if``
    each define their own way (a bucket configured by environment): CDK creates one of
    them. A property the branches set alike keeps its value; one they set differently is
    unknown."""
    kept: list[tuple[rm.Resource, _Construct]] = []
    first: dict[tuple[str, str], int] = {}
    for resource, construct in found:
        index = first.get((resource.kind, resource.name))
        if index is not None and module.exclusive(kept[index][1].call, construct.call):
            kept[index] = (_either(kept[index][0], resource), kept[index][1])
            continue
        first.setdefault((resource.kind, resource.name), len(kept))
        kept.append((resource, construct))
    return kept


def _either(one: rm.Resource, other: rm.Resource) -> rm.Resource:
    """The resource one branch or the other defines, as far as both agree."""
    properties: dict[str, rm.Value] = {}
    for name in sorted({*one.properties, *other.properties}):
        mine, theirs = one.get(name), other.get(name)
        if mine.state == theirs.state and mine.value == theirs.value:
            properties[name] = mine
        else:
            where = mine.location or theirs.location or one.location
            properties[name] = rm.unknown("set differently by branch", where)
    return dataclasses.replace(one, properties=properties, opaque=one.opaque or other.opaque)


def _snake(name: str) -> str:
    """``KmsKeyId`` / ``kmsKeyId`` / ``kms_key_id`` → ``kms_key_id``: CloudFormation
    property paths, camelCase dict keys and Python names meet on one spelling."""
    return _SNAKE.sub("_", name).lower()


def _kebab(name: str) -> str:
    return _snake(name).replace("_", "-")


def _short(qualified: str) -> str:
    """``aws_cdk.aws_s3.Bucket`` → ``aws_s3.Bucket``; CDK v1's ``aws_cdk.core.X`` → ``X``."""
    name = qualified.removeprefix("aws_cdk.")
    return name.removeprefix("core.")


# Values -------------------------------------------------------------------------------------


@dataclass
class _Construct:
    """One recognised construct call and what the module does to it later."""

    call: ast.Call
    type: str  # short qualified name, e.g. aws_sagemaker.CfnEndpoint
    name: str
    location: Location
    fields: dict[str, Field]
    opaque: bool
    overrides: dict[tuple[str, ...], Field] = field(default_factory=dict)


# The nodes that bind names or take parameters, which :meth:`_Module._index` reads.
_BINDERS = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Assign, ast.AnnAssign,
    ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension, ast.NamedExpr, ast.With,
    ast.AsyncWith,
)  # fmt: skip


class _Module:
    """One parsed module: its assignments, its constructs and the resources they make."""

    def __init__(
        self,
        path: str,
        parsed: PythonModule,
        values: Values | None = None,
        callers: Callers | None = None,
    ) -> None:
        self.path = path
        self.parsed = parsed
        # The project's Python resolver, asked for the scalars this reader cannot follow.
        self.values = values
        # The calls of the app's classes and functions, when constructs are read per call.
        self.callers = callers
        self.parents = parsed.index.parents()
        # What each function read for its value returns (id of the function).
        self._returns: dict[int, ast.expr | None] = {}
        # Scope (function, class or module node id) → name → assigned expressions;
        # None stands for an assignment that cannot be followed (a tuple target, +=).
        self.assigned: dict[int, dict[str, list[ast.expr | None]]] = {}
        self.params: dict[int, set[str]] = {}
        self.self_attrs: dict[int, dict[str, list[ast.expr | None]]] = {}
        self.target_names: dict[int, str] = {}  # id(value) → the variable it is assigned to
        # Classes the module defines at its top level: the stacks and constructs whose
        # instantiations may tag what they define.
        self.classes = {
            node.name: node for node in parsed.tree.body if isinstance(node, ast.ClassDef)
        }
        self._index()
        # Method calls by the id of the call that made their receiver.
        self.methods: dict[int, list[tuple[str, ast.Call]]] = {}
        self.constructs: dict[int, _Construct] = {}
        self.app_tags: list[tuple[Location, ast.expr, ast.expr, _Module]] = []
        self._scope_tags: dict[int, list[tuple[Location, ast.expr, ast.expr]]] = {}
        self._physical: dict[str, _Construct] | None = None
        self._find_constructs()
        self._find_changes()

    # Indexing ---------------------------------------------------------------------------

    def _index(self) -> None:
        for node in self.parsed.index.of_any(*_BINDERS):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                args = node.args
                names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
                names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
                self.params[id(node)] = set(names)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(target, node.value)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                self._bind(node.target, node.value)
            elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension)):
                self._bind(node.target, None)
            elif isinstance(node, ast.NamedExpr):
                self._bind(node.target, node.value)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, None)

    @nesting_bounded(None)
    def _bind(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            scope = self._scope(target)
            self.assigned.setdefault(id(scope), {}).setdefault(target.id, []).append(value)
            if value is not None:
                self.target_names.setdefault(id(value), target.id)
        elif (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            owner = self._enclosing(target, (ast.ClassDef,))
            if owner is not None:
                attrs = self.self_attrs.setdefault(id(owner), {})
                attrs.setdefault(target.attr, []).append(value)
            if value is not None:
                self.target_names.setdefault(id(value), target.attr)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element.value if isinstance(element, ast.Starred) else element, None)

    def exclusive(self, one: ast.AST, other: ast.AST) -> bool:
        """Whether two nodes sit in different branches of one ``if`` (or conditional
        expression), so that one runs or the other, never both."""
        sides = dict(self._branches(one))
        return any(sides.get(node, side) != side for node, side in self._branches(other))

    def _branches(self, node: ast.AST) -> Iterator[tuple[int, str]]:
        """(id of each enclosing ``if``, the branch ``node`` is in)."""
        child, parent = node, self.parents.get(node)
        while parent is not None:
            if isinstance(parent, (ast.If, ast.IfExp)):
                body = parent.body if isinstance(parent.body, list) else [parent.body]
                orelse = parent.orelse if isinstance(parent.orelse, list) else [parent.orelse]
                if any(child is statement for statement in body):
                    yield id(parent), "body"
                elif any(child is statement for statement in orelse):
                    yield id(parent), "orelse"
            child, parent = parent, self.parents.get(parent)

    def _enclosing(self, node: ast.AST, kinds: tuple[type, ...]) -> ast.AST | None:
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, kinds):
            parent = self.parents.get(parent)
        return parent

    def _scope(self, node: ast.AST) -> ast.AST:
        found = self._enclosing(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        return found if found is not None else self.parsed.tree

    def _scopes(self, node: ast.AST) -> Iterator[ast.AST]:
        """The functions enclosing ``node``, innermost first, then the module."""
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        scope = self._enclosing(node, kinds)
        while scope is not None:
            yield scope
            scope = self._enclosing(scope, kinds)
        yield self.parsed.tree

    # Following values -------------------------------------------------------------------

    def resolve(self, expr: ast.expr) -> ast.expr:
        """The expression a name, ``self.x`` attribute or constant subscript stands for,
        when it is assigned exactly once where it is visible; else ``expr`` itself."""
        for _ in range(_MAX_DEPTH):
            following = self.owner(expr)._follow(expr)
            if following is None:
                return expr
            expr = following
        return expr

    def owner(self, node: ast.AST) -> _Module:
        """The module whose code ``node`` is: this one, or the caller whose argument a
        parameter was followed to."""
        if self.callers is None or node in self.parents:
            return self
        return self.callers.owner(node) or self

    def origin(self, expr: ast.expr) -> Location | None:
        """Where a field's value is written when that is not where the field is: the
        argument of the call being read that gives it (or what :meth:`placed` says)."""
        if self.callers is None:
            return None
        node, given = expr, None
        for _ in range(_MAX_DEPTH):
            placed = self.placed(node)
            if placed is not None:
                return placed
            given = given or self.callers.crossed.get(id(node))
            following = self.owner(node)._follow(node)
            if following is None:
                break
            node = following
        return given

    def placed(self, node: ast.AST) -> Location | None:
        """Where a value read from a data file is written; none in Python."""
        return None

    def _follow(self, expr: ast.expr) -> ast.expr | None:
        if isinstance(expr, ast.Name):
            for scope in self._scopes(expr):
                values = self.assigned.get(id(scope), {}).get(expr.id)
                if values is not None:
                    return values[0] if len(values) == 1 else None
                if expr.id in self.params.get(id(scope), ()):
                    return self.callers.argument(scope, expr.id) if self.callers else None
            return None
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            if expr.value.id == "self":
                owner = self._enclosing(expr, (ast.ClassDef,))
                attrs = self.self_attrs.get(id(owner), {}) if owner is not None else {}
                values = attrs.get(expr.attr)
                return values[0] if values is not None and len(values) == 1 else None
            return None
        if isinstance(expr, ast.Subscript):
            key = literal(expr.slice)
            container = self.resolve(expr.value)
            if isinstance(container, ast.Dict) and isinstance(key, str):
                entries = self.struct(container)
                return entries[_snake(key)][1] if entries and _snake(key) in entries else None
            if isinstance(container, (ast.List, ast.Tuple)) and isinstance(key, int):
                items = self.seq(container)
                if items is not None and -len(items) <= key < len(items):
                    return items[key]
        return None

    def qualified(self, expr: ast.expr) -> str:
        """A callee's or enum member's qualified name, shortened (``aws_s3.Bucket``)."""
        owner = self.owner(expr)
        if owner is not self:
            return owner.qualified(expr)
        name = self.parsed.qualified_name(expr)
        return _short(name) if name is not None and name.startswith("aws_cdk") else ""

    @nesting_bounded(None)
    def struct(self, expr: ast.expr) -> dict[str, Field] | None:
        """The fields of a dict literal, a ``*Property(...)`` or other CDK struct call,
        or ``dict(...)``, keyed in snake_case; None when they cannot be read whole."""
        node = self.resolve(expr)
        fields: dict[str, Field] = {}
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is None:
                    spread = self.struct(value)
                    if spread is None:
                        return None
                    fields.update(spread)
                    continue
                name = literal(self.resolve(key))
                if not isinstance(name, str):
                    return None
                fields[_snake(name)] = (self.loc(key), value)
            return fields
        if isinstance(node, ast.Call):
            returned = self._returned(node)
            if returned is not None:
                return self.struct(returned)
            callee = self.parsed.qualified_name(node.func)
            if callee != "dict" and not self.qualified(node.func):
                return None
            for keyword in node.keywords:
                if keyword.arg is None:
                    spread = self.struct(keyword.value)
                    if spread is None:
                        return None
                    fields.update(spread)
                else:
                    fields[_snake(keyword.arg)] = (self.loc(keyword), keyword.value)
            return fields
        return None

    @nesting_bounded(None)
    def _returned(self, call: ast.Call) -> ast.expr | None:
        """What a module's own function returns, when it is one ``return`` of an expression
        (``**bucket_params("name")``); its parameters stay unknown."""
        owner = self.owner(call)
        if owner is not self:
            return owner._returned(call)
        if not isinstance(call.func, ast.Name):
            return None
        defined = [
            node
            for node in self.parsed.tree.body
            if isinstance(node, ast.FunctionDef) and node.name == call.func.id
        ]
        return self.returned_by(defined[0]) if len(defined) == 1 else None

    def returned_by(self, function: ast.FunctionDef) -> ast.expr | None:
        """What a function of this module returns, when it is one ``return`` of an
        expression; its body is searched once, however often it is called."""
        if id(function) not in self._returns:
            returns = [node for node in ast.walk(function) if isinstance(node, ast.Return)]
            self._returns[id(function)] = returns[0].value if len(returns) == 1 else None
        return self._returns[id(function)]

    @nesting_bounded(None)
    def seq(self, expr: ast.expr) -> list[ast.expr] | None:
        """The elements of a list or tuple literal (``*spread`` and ``+`` followed)."""
        node = self.resolve(expr)
        if isinstance(node, (ast.List, ast.Tuple)):
            items: list[ast.expr] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    spread = self.seq(element.value)
                    if spread is None:
                        return None
                    items.extend(spread)
                else:
                    items.append(element)
            return items
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.seq(node.left), self.seq(node.right)
            return None if left is None or right is None else left + right
        return None

    @nesting_bounded(...)
    def scalar(self, expr: ast.expr) -> object:
        """A literal value, followed; ``...`` when it cannot be known."""
        node = self.resolve(expr)
        value = literal(node)
        if value is not ...:
            return value
        if isinstance(node, ast.JoinedStr):
            parts: list[str] = []
            for part in node.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    parts.append(part.value)
                elif isinstance(part, ast.FormattedValue) and part.format_spec is None:
                    inner = self.scalar(part.value)
                    if inner is ... or part.conversion not in (-1, ord("s")):
                        return ...
                    parts.append(str(inner))
                else:
                    return ...
            return "".join(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.scalar(node.left), self.scalar(node.right)
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            if _number(left) and _number(right):
                return left + right  # type: ignore[operator]
            return ...
        if isinstance(node, ast.Attribute) and node.attr.startswith("value_as_"):
            # A CfnParameter's value: its declared default, like a CloudFormation parameter.
            parameter = self.resolve(node.value)
            if isinstance(parameter, ast.Call) and self.qualified(parameter.func) == "CfnParameter":
                default = _keyword(parameter, "default")
                return self.scalar(default) if default is not None else ...
        return self._shared_scalar(node)

    def _shared_scalar(self, node: ast.expr) -> object:
        """A scalar the project's resolver knows: ``str.format`` and joins of known parts,
        a value of a JSON or YAML file of the repository, what a project function returns;
        ``...`` otherwise."""
        values = self.owner(node).values
        if values is None:
            return ...
        found = values.value(node).plain()
        return found if found is None or isinstance(found, (str, int, float, bool)) else ...

    @nesting_bounded(...)
    def python(self, expr: ast.expr) -> object:
        """A whole literal structure (dicts, lists, scalars) as Python data, keys as
        written; ``...`` when any part is unknown."""
        node = self.resolve(expr)
        if isinstance(node, ast.Dict):
            result: dict[str, object] = {}
            for key, value in zip(node.keys, node.values, strict=True):
                name = literal(key) if key is not None else ...
                inner = self.python(value)
                if not isinstance(name, str) or inner is ...:
                    return ...
                result[name] = inner
            return result
        items = self.seq(node) if isinstance(node, (ast.List, ast.Tuple, ast.BinOp)) else None
        if items is not None:
            converted = [self.python(item) for item in items]
            return ... if any(item is ... for item in converted) else converted
        if isinstance(node, ast.Call) and self.parsed.qualified_name(node.func) == "json.dumps":
            return json.dumps(self.python(node.args[0])) if node.args else ...
        return self.scalar(node)

    def construct_of(self, expr: ast.expr) -> _Construct | None:
        """The construct an expression refers to: the construct itself, one of its
        attributes (``config.attr_endpoint_config_name``, ``role.role_arn``) or
        ``x.get_att(...)``."""
        node = self.resolve(expr)
        for _ in range(3):
            if isinstance(node, ast.Call):
                found = self.constructs.get(id(node))
                if found is not None:
                    return found
                if isinstance(node.func, ast.Attribute) and node.func.attr == "get_att":
                    node = self.resolve(node.func.value)
                    continue
                return None
            if isinstance(node, ast.Attribute):
                node = self.resolve(node.value)
                continue
            return None
        return None

    def name_of(self, expr: ast.expr) -> object:
        """A reference to another resource: its name (also when the physical name it is
        given is written instead, ``model_name="churn"``), or the literal; ``...``. A
        construct of the class or function being read for a call is named after the call."""
        target = self.target_of(expr)
        if target is None:
            return self.scalar(expr)
        callers = self.callers
        if callers is not None and callers.label:
            function = callers.function_of(self, target.call)
            if function is not None and id(function) in callers.active:
                return _called(target.name, callers.label)
        return target.name

    def target_of(self, expr: ast.expr) -> _Construct | None:
        """The construct an expression refers to, or whose physical name it writes."""
        target = self.construct_of(expr)
        literal = self.scalar(expr) if target is None else ...
        return self.named(literal) if isinstance(literal, str) else target

    def named(self, physical: str) -> _Construct | None:
        """The construct given this physical name (``endpoint_name="churn"``); a name
        given twice is ambiguous and finds none."""
        if self._physical is None:
            seen: dict[str, list[_Construct]] = {}
            for construct in self.constructs.values():
                given = construct.fields.get(_PHYSICAL_NAMES.get(construct.type, ""))
                literal = self.scalar(given[1]) if given is not None else ...
                if isinstance(literal, str):
                    seen.setdefault(literal, []).append(construct)
            self._physical = {k: v[0] for k, v in seen.items() if len(v) == 1}
        return self._physical.get(physical)

    def loc(self, node: ast.AST) -> Location:
        owner = self.owner(node)
        if owner is not self:
            return owner.loc(node)
        line, column = self.parsed.position(node)
        return Location(self.path, line, column)

    def written(self, expr: ast.expr) -> str:
        return quote_expression(expr, _WRITTEN)

    # Constructs -------------------------------------------------------------------------

    def _find_constructs(self) -> None:
        for node in self.parsed.index.of(ast.Call):
            kind = self.qualified(node.func)
            if kind in _HANDLERS:
                self._add_construct(node, kind)
            elif isinstance(node.func, ast.Attribute) and node.func.attr == "create_alarm":
                # metric.create_alarm(self, "Id", ...): an alarm on that metric.
                metric = self.resolve(node.func.value)
                is_call = isinstance(metric, ast.Call)
                if is_call and self.qualified(metric.func) == "aws_cloudwatch.Metric":  # type: ignore[attr-defined]
                    self._add_construct(node, _METRIC_ALARM)
                    self.constructs[id(node)].fields["metric"] = (self.loc(metric), metric)

    def _add_construct(self, call: ast.Call, kind: str) -> None:
        fields: dict[str, Field] = {}
        opaque = any(isinstance(arg, ast.Starred) for arg in call.args)
        for keyword in call.keywords:
            if keyword.arg is None:
                spread = self.struct(keyword.value)
                if spread is None:
                    opaque = True
                else:
                    fields.update(spread)
            elif keyword.arg not in ("scope", "id"):
                fields[_snake(keyword.arg)] = (self.loc(keyword), keyword.value)
        self.constructs[id(call)] = _Construct(
            call, kind, self._construct_name(call, kind), self.loc(call), fields, opaque
        )

    def _construct_name(self, call: ast.Call, kind: str) -> str:
        given = call.args[1] if len(call.args) > 1 else _keyword(call, "id")
        if given is not None:
            value = self.scalar(given)
            if isinstance(value, str) and value:
                return value
        variable = self.target_names.get(id(call))
        return variable if variable is not None else kind.rpartition(".")[2]

    def _find_changes(self) -> None:
        for node in self.parsed.index.of_any(ast.Call, ast.Assign):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                receiver = node.func.value
                if isinstance(receiver, ast.Call) and self.qualified(receiver.func) == "Tags.of":
                    # Tags.of(scope).add(key, value), positional or by keyword.
                    tag = node.args[0] if node.args else _keyword(node, "key")
                    text = node.args[1] if len(node.args) > 1 else _keyword(node, "value")
                    if node.func.attr == "add" and receiver.args and tag and text:
                        self._tag(receiver.args[0], node, tag, text)
                    continue
                made = self.resolve(receiver)
                if isinstance(made, ast.Call):
                    self.methods.setdefault(id(made), []).append((node.func.attr, node))
                    target = self.constructs.get(id(made))
                    if target is not None and node.func.attr in (
                        "add_property_override",
                        "add_override",
                    ):
                        self._override(target, node)
            elif isinstance(node, ast.Assign):
                for assigned in node.targets:
                    if isinstance(assigned, ast.Attribute):
                        made = self.resolve(assigned.value)
                        target = self.constructs.get(id(made))
                        # An L1 construct's properties are attributes that can be set later.
                        if target is not None and ".Cfn" in target.type:
                            key = (_snake(assigned.attr),)
                            target.overrides[key] = (self.loc(assigned), node.value)

    def _override(self, target: _Construct, call: ast.Call) -> None:
        if len(call.args) < 2:
            return
        path = self.scalar(call.args[0])
        if not isinstance(path, str):
            return
        if isinstance(call.func, ast.Attribute) and call.func.attr == "add_override":
            if not path.startswith("Properties."):
                return
            path = path.removeprefix("Properties.")
        key = tuple(_snake(part) for part in path.split("."))
        target.overrides[key] = (self.loc(call), call.args[1])

    def _tag(self, scope: ast.expr, call: ast.Call, key: ast.expr, value: ast.expr) -> None:
        entry = (self.loc(call), key, value)
        target = self.construct_of(scope)
        if target is not None and self.resolve(scope) is target.call:
            self._scope_tags.setdefault(id(target.call), []).append(entry)
            return
        owner = self._enclosing(call, (ast.ClassDef,))
        if owner is not None:
            # Tags.of(self) in a stack or construct class tags everything defined in it.
            self._scope_tags.setdefault(id(owner), []).append(entry)
        else:
            # Tags.of(app) (or a stack) in the app's entry point: every stack of the app.
            self.app_tags.append((*entry, self))

    # Resources --------------------------------------------------------------------------

    def resources(self) -> list[tuple[rm.Resource, _Construct]]:
        """Each resource with the construct call that defines it; the constructs of a class
        or function the app calls are read once for each call when the calls make them
        differently, named after the call."""
        callers = self.callers
        if callers is None:
            return [made for construct in self.constructs.values() for made in self.read(construct)]
        groups: dict[int, list[_Construct]] = {}
        functions: dict[int, ast.FunctionDef | None] = {}
        for construct in self.constructs.values():
            function = callers.function_of(self, construct.call)
            groups.setdefault(id(function), []).append(construct)
            functions[id(function)] = function
        found: list[tuple[rm.Resource, _Construct]] = []
        for key, constructs in groups.items():
            once = [made for construct in constructs for made in self.read(construct)]
            function = functions[key]
            chains = callers.contexts(self, function) if function is not None else []
            each_call = [self._read_called(constructs, chain, "") for chain in chains]
            if all(
                [r.properties for r, _ in made] == [r.properties for r, _ in once]
                for made in each_call
            ):
                found += once
                continue
            names = [(r.kind, r.name) for read in each_call for r, _ in read]
            if len(set(names)) < len(names):
                # The calls name their constructs alike (an id the function writes):
                # each is named after its call too.
                each_call = [
                    self._read_called(constructs, chain, label)
                    for chain, label in zip(chains, _labels(callers, chains), strict=True)
                ]
            found += [made for read in each_call for made in read]
        return found

    def _read_called(
        self, constructs: list[_Construct], chain: Chain, label: str
    ) -> list[tuple[rm.Resource, _Construct]]:
        assert self.callers is not None
        with self.callers.binding(chain, label):
            found = []
            for construct in constructs:
                # An id given by the call names the construct (``scope, id`` passed on).
                named = self._construct_name(construct.call, construct.type)
                read = self.read(dataclasses.replace(construct, name=named))
                found += [(_named(resource, label), construct) for resource, _ in read]
            return found

    def read(self, construct: _Construct) -> list[tuple[rm.Resource, _Construct]]:
        """The resources one construct makes (a scaling target's policies beside it)."""
        found: list[tuple[rm.Resource, _Construct]] = []
        handler = _HANDLERS.get(construct.type)
        if handler is not None:
            kind, mapper = handler
            reader = _Reader(self, construct)
            properties = mapper(reader)
            found.extend((extra, construct) for extra in reader.extra)
            if properties is not None:
                found.append((self._resource(reader, kind, properties), construct))
        return found

    def _resource(self, reader: _Reader, kind: str, properties: Properties) -> rm.Resource:
        construct = reader.c
        if "tags" in rm.PROPERTIES[kind]:
            properties["tags"] = self._tags(reader, construct)
        if construct.opaque:
            # What **kwargs may hold is unknown, never absent.
            for name in rm.PROPERTIES[kind]:
                if properties.get(name, rm.ABSENT).absent:
                    properties[name] = rm.unknown("**kwargs", construct.location)
        return rm.Resource(
            kind,
            construct.name,
            SOURCE,
            construct.location,
            {k: v for k, v in properties.items() if not v.absent},
            "aws_cdk." + construct.type,
            construct.opaque,
        )

    def _tags(self, reader: _Reader, construct: _Construct) -> rm.Value:
        entries: list[tuple[Location, ast.expr, ast.expr]] = []
        hit = reader.lookup("tags")
        if isinstance(hit, _Unread):
            return rm.unknown(hit.written, hit.location)
        if hit is not None:
            items = self.seq(hit[1])
            mapping = self.struct(hit[1]) if items is None else None
            if items is None and mapping is None:
                return rm.unknown(self.written(hit[1]), hit[0])
            if mapping is not None:  # L1 constructs of some services take a plain mapping
                entries += [(loc, ast.Constant(k), v) for k, (loc, v) in mapping.items()]
            for item in items or ():
                pair = self.struct(item)
                if pair is None or "key" not in pair or "value" not in pair:
                    return rm.unknown(self.written(item), hit[0])
                entries.append((hit[0], pair["key"][1], pair["value"][1]))
        entries += self._scope_tags.get(id(construct.call), [])
        owner = self._enclosing(construct.call, (ast.ClassDef,))
        if owner is not None:
            entries += self._scope_tags.get(id(owner), [])
        if not entries:
            return rm.ABSENT
        where = (self.origin(hit[1]) or hit[0]) if hit is not None else entries[0][0]
        return _tag_value(self, entries, where)


def _tag_value(
    module: _Module, entries: list[tuple[Location, ast.expr, ast.expr]], where: Location
) -> rm.Value:
    tags: dict[str, str] = {}
    for _, key, value in entries:
        name, text = module.scalar(key), module.scalar(value)
        if not isinstance(name, str) or not isinstance(text, str):
            return rm.unknown(module.written(key if not isinstance(name, str) else value), where)
        tags[name] = text
    return rm.known(tags, where)


def _with_tags(
    resource: rm.Resource, app_tags: list[tuple[Location, ast.expr, ast.expr, _Module]]
) -> rm.Resource:
    for location, key, value, module in app_tags:
        resource = rm.with_tags(resource, _tag_value(module, [(location, key, value)], location))
    return resource


# Constructs read once per call ---------------------------------------------------------------

# One call of a function: the function, the module defining it, the calling module, the call.
Site = tuple[ast.FunctionDef, "_Module", "_Module", ast.Call]
Chain = tuple[Site, ...]


class Callers:
    """The calls that run the app's construct classes and functions, and which of them is
    being read: a construct made inside ``__init__``, a method or a function of the app is
    read once for each call (:meth:`_Module.resources`), the function's parameters holding
    that call's arguments (:meth:`argument`), through at most
    :data:`~mllint_wa.evidence.python_values.MAX_CALL_DEPTH` levels of calls and for a
    function called at most :data:`~mllint_wa.evidence.python_values.MAX_CALL_SITES`
    times. Each language says where a function is called and how a call binds its
    parameters."""

    def __init__(self) -> None:
        # The calls the functions being read are called by: id of the function → its site.
        self.active: dict[int, Site] = {}
        self.label = ""
        # Where an argument the call being read gives is written: id of its expression.
        self.crossed: dict[int, Location] = {}
        self._owners: dict[int, _Module] = {}

    def call_sites(
        self, module: _Module, function: ast.FunctionDef
    ) -> list[tuple[_Module, ast.Call]] | None:
        """Every call of ``function`` in the app; None when they cannot all be found."""
        raise NotImplementedError

    def argument(self, scope: ast.AST, name: str) -> ast.expr | None:
        """What the call being read gives parameter ``name`` of ``scope``; None when no
        call is being read or the parameter cannot be told."""
        raise NotImplementedError

    def owner(self, node: ast.AST) -> _Module | None:
        """The module whose code ``node`` is, when it is a module of the app."""
        raise NotImplementedError

    def _owner_among(self, node: ast.AST, modules: Iterable[_Module | None]) -> _Module | None:
        """The one of ``modules`` whose tree holds ``node``, remembered for the node."""
        found = self._owners.get(id(node))
        if found is None:
            for module in modules:
                if module is not None and node in module.parents:
                    self._owners[id(node)] = found = module
                    break
        return found

    def function_of(self, module: _Module, node: ast.AST) -> ast.FunctionDef | None:
        """The named function (or method) whose body holds ``node``, callbacks passed over."""
        parent = module.parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.FunctionDef) and parent.name != "<lambda>":
                return parent
            parent = module.parents.get(parent)
        return None

    @nesting_bounded([])
    def contexts(self, module: _Module, function: ast.FunctionDef, depth: int = 1) -> list[Chain]:
        """The calls that run ``function``, each with the calls that run its caller, up to
        :data:`MAX_CALL_DEPTH` levels; none when it is called more than
        :data:`MAX_CALL_SITES` times, or not at all."""

        def callers(caller: _Module, call: ast.Call) -> list[Chain]:
            outer = self.function_of(caller, call)
            if outer is None or outer is function:
                return []
            return self.contexts(caller, outer, depth + 1)

        return per_call(
            self.call_sites(module, function),
            depth,
            callers,
            lambda caller, call, parent: ((function, module, caller, call), *(parent or ())),
        )

    @contextmanager
    def binding(self, chain: Chain, label: str) -> Iterator[None]:
        """Read with the functions of ``chain`` called as it calls them."""
        self.active = {id(site[0]): site for site in chain}
        self.label = label
        try:
            yield
        finally:
            self.active, self.label = {}, ""


class _PythonCallers(Callers):
    """Calls in a Python CDK app: a class's instantiations (found as its stack tags are,
    through the instantiating module's imports) run its ``__init__``; the project's Python
    resolver finds the calls of a function or method (:mod:`mllint_wa.evidence.python_flow`).
    A call made from a module that is not read for its constructs is not followed."""

    def __init__(self, project: PythonFlow) -> None:
        super().__init__()
        self.project = project
        self.by_path: dict[str, _Module] = {}
        self.stacks: _StackTags | None = None

    def start(self, cdk_modules: list[_Module], stacks: _StackTags) -> None:
        self.by_path = {module.path: module for module in cdk_modules}
        self.stacks = stacks

    def owner(self, node: ast.AST) -> _Module | None:
        return self._owner_among(node, self.by_path.values())

    def call_sites(
        self, module: _Module, function: ast.FunctionDef
    ) -> list[tuple[_Module, ast.Call]] | None:
        owner = module.parents.get(function)
        if isinstance(owner, ast.ClassDef) and function.name == "__init__":
            if self.stacks is None or module.classes.get(owner.name) is not owner:
                return None
            sites = self.stacks.sites.get((module.path, owner.name), [])
            return sites if len(sites) <= MAX_CALL_SITES else None
        if module.values is None:
            return None
        found = self.project.call_sites(module.values, function)
        if found is None or any(values.path not in self.by_path for values, _ in found):
            return None
        return [(self.by_path[values.path], call) for values, call in found]

    def argument(self, scope: ast.AST, name: str) -> ast.expr | None:
        site = self.active.get(id(scope))
        if site is None:
            return None
        function, callee, caller, call = site
        owner = callee.parents.get(function)
        receiver = isinstance(owner, ast.ClassDef) and not is_static(function)
        given = written_argument(function, call, name, receiver)
        if isinstance(given, ast.keyword):
            self.crossed.setdefault(id(given.value), caller.loc(given))
            return given.value
        if isinstance(given, ast.expr):
            self.crossed.setdefault(id(given), caller.loc(given))
            return given
        if given is None and not any(k.arg is None for k in call.keywords):
            return parameter_default(function.args, name)
        return None  # from *args, **kwargs or a ** spread: unknown


# Stack-level tags ----------------------------------------------------------------------------

ClassKey = tuple[str, str]  # (path, class name) of a class the project defines


class _StackTags:
    """Tags given where the project's stack and construct classes are instantiated.

    ``HostingStack(app, "Hosting", tags={"project": "churn"})`` tags every resource the
    ``HostingStack`` class defines, and, as CDK applies a scope's tags to its children, every
    resource of the project's construct classes instantiated inside it. The class is found
    through the instantiating module's imports (relative ones too), so a stack defined in
    ``stacks/hosting.py`` and instantiated in ``app.py`` is followed. So are ``tags=`` passed
    to ``super().__init__`` inside the class, and resources whose scope is a plain
    ``Stack(app, "Id", tags=...)`` of the same module.

    One class may be instantiated several times; the model has one resource per construct
    call, so tags are known only when every instantiation gives known tags, absent when none
    gives any, and unknown otherwise (tags from a parameter or ``**kwargs``, or a class
    tagged in some instantiations only: no instantiation-independent answer)."""

    def __init__(self, ev: Evidence, cdk_modules: list[_Module]) -> None:
        self.ev = ev
        self.by_path = {m.path: m for m in cdk_modules}
        self.bindings = {m.path: bound_names(m.path, m.parsed) for m in cdk_modules}
        self.sites: dict[ClassKey, list[tuple[_Module, ast.Call]]] = {}
        for module in cdk_modules:
            for node in module.parsed.index.of(ast.Call):
                key = self._class_called(module, node.func)
                if key is not None:
                    self.sites.setdefault(key, []).append((module, node))
        self._tags: dict[ClassKey, rm.Value] = {}

    def of(self, module: _Module, construct: _Construct) -> rm.Value:
        """The tags the construct receives from the stack or construct class it is
        defined in, or from the ``Stack(...)`` call that is its scope."""
        owner = module._enclosing(construct.call, (ast.ClassDef,))
        if isinstance(owner, ast.ClassDef) and module.classes.get(owner.name) is owner:
            return self._class_tags((module.path, owner.name), set())
        scope = construct.call.args[0] if construct.call.args else None
        made = module.resolve(scope) if scope is not None else None
        if isinstance(made, ast.Call) and module.qualified(made.func) == "Stack":
            return _given_tags(module, made)
        return rm.ABSENT

    def _class_called(self, module: _Module, func: ast.expr) -> ClassKey | None:
        """The project class a call instantiates, found through the module's imports."""
        if isinstance(func, ast.Name) and func.id in module.classes:
            return module.path, func.id
        parts: list[str] = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        bound = self.bindings[module.path].get(func.id) if isinstance(func, ast.Name) else None
        if bound is None or bound.startswith("aws_cdk"):
            return None
        head, _, name = ".".join([bound, *reversed(parts)]).rpartition(".")
        found = [
            path
            for path in self.files_named(module.path, head)
            if path in self.by_path and name in self.by_path[path].classes
        ]
        if not found:
            return None
        # Examples often repeat a module name: the file nearest the importer is meant.
        return min(found, key=lambda path: (-_shared_folders(path, module.path), path)), name

    def files_named(self, importer: str, module: str) -> set[str]:
        """The project files an import in ``importer`` of ``module`` may read."""
        return project_files_named(self.ev, module)

    @nesting_bounded(rm.unknown("…"))
    def _class_tags(self, key: ClassKey, seen: set[ClassKey]) -> rm.Value:
        if key in self._tags:
            return self._tags[key]
        if key in seen:  # a class instantiated inside itself: what it receives is unknown
            return rm.unknown(key[1], None)
        seen = seen | {key}
        module = self.by_path[key[0]]
        owner = module.classes[key[1]]
        forwards = _forwards_tags(owner)
        given: list[rm.Value] = []
        for site_module, call in self.sites.get(key, []):
            inherited = rm.ABSENT
            parent = site_module._enclosing(call, (ast.ClassDef,))
            if isinstance(parent, ast.ClassDef) and site_module.classes.get(parent.name) is parent:
                inherited = self._class_tags((site_module.path, parent.name), seen)
            own = _given_tags(site_module, call) if forwards else rm.ABSENT
            given.append(rm.merged_tags(own, inherited))
        tags = rm.merged_tags(_super_tags(module, owner), _combined(given))
        self._tags[key] = tags
        return tags


def _shared_folders(path: str, other: str) -> int:
    count = 0
    for mine, theirs in zip(path.split("/")[:-1], other.split("/")[:-1], strict=False):
        if mine != theirs:
            break
        count += 1
    return count


def _forwards_tags(owner: ast.ClassDef) -> bool:
    """Whether ``tags=`` given to the class reaches its base (the Stack): through
    ``**kwargs`` or an inherited ``__init__``, or a ``tags`` parameter passed on to
    ``super().__init__``. A class that takes ``tags`` for itself (and passes it to some of
    its constructs only) does not tag the rest of what it defines."""
    inits = [n for n in owner.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"]
    if not inits:
        return True
    args = inits[0].args
    if "tags" not in {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}:
        return True
    return any(
        isinstance(passed, ast.Name) and passed.id == "tags"
        for passed in _super_init_tags(inits[0])
    )


def _super_init_tags(node: ast.AST) -> Iterator[ast.expr]:
    """What ``super().__init__(..., tags=...)`` calls inside ``node`` pass as tags."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            base = call.func.value
            is_super = isinstance(base, ast.Call) and getattr(base.func, "id", "") == "super"
            tags = _keyword(call, "tags") if is_super and call.func.attr == "__init__" else None
            if tags is not None:
                yield tags


def _given_tags(module: _Module, call: ast.Call) -> rm.Value:
    """The ``tags=`` a stack or construct is instantiated with (also inside ``**props``)."""
    for keyword in call.keywords:
        if keyword.arg == "tags":
            return _tag_mapping(module, keyword.value, module.loc(keyword))
    for keyword in call.keywords:
        if keyword.arg is None:
            spread = module.struct(keyword.value)
            if spread is None:
                return rm.unknown(f"**{module.written(keyword.value)}", module.loc(keyword))
            if "tags" in spread:
                where, expr = spread["tags"]
                return _tag_mapping(module, expr, where)
    return rm.ABSENT


def _super_tags(module: _Module, owner: ast.ClassDef) -> rm.Value:
    """Tags a class passes to its base in ``super().__init__(..., tags=...)``; a parameter
    passed on is the instantiations' business."""
    for tags in _super_init_tags(owner):
        scope = module._enclosing(tags, (ast.FunctionDef, ast.AsyncFunctionDef))
        passed_on = module.resolve(tags)
        if isinstance(passed_on, ast.Name) and passed_on.id in module.params.get(id(scope), ()):
            return rm.ABSENT
        return _tag_mapping(module, tags, module.loc(tags))
    return rm.ABSENT


def _tag_mapping(module: _Module, expr: ast.expr, where: Location) -> rm.Value:
    """A stack's ``tags`` mapping: known when every key and value is a literal string."""
    value = module.python(expr)
    if value is None:
        return rm.ABSENT
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return rm.known(value, where)
    return rm.unknown(module.written(expr), where)


def _combined(given: list[rm.Value]) -> rm.Value:
    """What every instantiation of one class gives it (see :class:`_StackTags`)."""
    if all(value.absent for value in given):
        return rm.ABSENT
    for value in given:
        if value.unknown:
            return value
    first = next(value for value in given if value.known)
    if any(value.absent for value in given):
        return rm.unknown("tags given to some instances only", first.location)
    merged: dict[str, str] = {}
    for value in given:
        merged = {**value.value, **merged}
    return rm.known(merged, first.location)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _named(resource: rm.Resource, label: str) -> rm.Resource:
    return dataclasses.replace(resource, name=_called(resource.name, label))


def _called(name: str, label: str) -> str:
    return f"{name} ({label})" if label else name


def _construct_id(caller: _Module, call: ast.Call) -> object:
    return caller.scalar(call.args[1]) if len(call.args) > 1 else ...


def _labels(callers: Callers, chains: list[Chain]) -> list[str]:
    """How each call of a function is named: the construct ids on the way to it
    (``Dev/Training``; an id the caller builds from its own parameters read as the chain
    calls it, a call without an id passed over), or where the calls are when ids do not
    tell them apart."""
    by_id = []
    for chain in chains:
        with callers.binding(chain, ""):
            ids = [_construct_id(caller, call) for *_, caller, call in chain]
        by_id.append("/".join(reversed([written for written in ids if isinstance(written, str)])))
    if all(by_id) and len(set(by_id)) == len(by_id):
        return by_id
    return [
        ", ".join(f"{caller.path}:{caller.loc(call).line}" for *_, caller, call in chain)
        for chain in chains
    ]


# Reading one construct's properties ----------------------------------------------------------


class _Reader:
    """Reads a construct's fields by path (``deployment_config``, ``blue_green_update_policy``),
    overrides applied, into model values."""

    def __init__(self, module: _Module, construct: _Construct) -> None:
        self.m = module
        self.c = construct
        self.extra: list[rm.Resource] = []

    def lookup(self, *path: str) -> Lookup:
        overrides = self.c.overrides
        for cut in range(len(path), 0, -1):
            hit = overrides.get(path[:cut])
            if hit is not None:
                return self._walk(hit, path[cut:])
        start = self.c.fields.get(path[0])
        if start is not None:
            return self._walk(start, path[1:])
        # An override below an unset struct (``DataCaptureConfig.EnableCapture``) makes it.
        below = [field for key, field in overrides.items() if key[: len(path)] == path]
        return (below[0][0], ast.Dict(keys=[], values=[])) if below else None

    def _walk(self, start: Field, rest: tuple[str, ...]) -> Lookup:
        location, expr = start
        for key in rest:
            if key.isdigit():
                items = self.m.seq(expr)
                if items is None:
                    return _Unread(location, self.m.written(expr))
                if int(key) >= len(items):
                    return None
                expr = items[int(key)]
                location = self.m.loc(expr)
            else:
                entries = self.m.struct(expr)
                if entries is None:
                    return _Unread(location, self.m.written(expr))
                if key not in entries:
                    return None
                location, expr = entries[key]
        if literal(self.m.resolve(expr)) is None:
            return None  # ``kms_key_id=None`` is not setting it
        return location, expr

    def value(self, convert: Callable[[_Module, ast.expr], object], *path: str) -> rm.Value:
        hit = self.lookup(*path)
        if hit is None:
            return rm.ABSENT
        if isinstance(hit, _Unread):
            return rm.unknown(hit.written, hit.location)
        location, expr = hit
        result = convert(self.m, expr)
        location = self.m.origin(expr) or location
        if result is ...:
            return rm.unknown(self.m.written(expr), location)
        return rm.known(result, location)

    def items(self, *path: str) -> list[tuple[str, ...]] | rm.Value:
        """The paths of a list field's elements, or the field's value when it is absent or
        cannot be read as a list."""
        hit = self.lookup(*path)
        if hit is None:
            return rm.ABSENT
        if isinstance(hit, _Unread):
            return rm.unknown(hit.written, hit.location)
        elements = self.m.seq(hit[1])
        if elements is None:
            return rm.unknown(self.m.written(hit[1]), hit[0])
        return [(*path, str(index)) for index in range(len(elements))]

    def present(self, *path: str) -> rm.Value:
        """Known true when a struct is set there."""
        return self.value(lambda m, e: True, *path)

    def default(self, value: object) -> rm.Value:
        """An L2 construct's documented default, known at the construct."""
        return rm.known(value, self.c.location)

    def methods(self, *names: str) -> list[ast.Call]:
        return [call for method, call in self.m.methods.get(id(self.c.call), []) if method in names]


# Converters: module, expression → value, or ``...`` when unknown.


def _str(m: _Module, expr: ast.expr) -> object:
    value = m.scalar(expr)
    return value if isinstance(value, str) else ...


def _int(m: _Module, expr: ast.expr) -> object:
    value = m.scalar(expr)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else ...


def _bool(m: _Module, expr: ast.expr) -> object:
    value = m.scalar(expr)
    return value if isinstance(value, bool) else ...


def _enabled(m: _Module, expr: ast.expr) -> object:
    """CloudFormation's "Enabled" / "Disabled" switches as booleans."""
    return {"Enabled": True, "Disabled": False}.get(str(m.scalar(expr)), ...)


def _name(m: _Module, expr: ast.expr) -> object:
    value = m.name_of(expr)
    return value if isinstance(value, str) else ...


def _strings(m: _Module, expr: ast.expr) -> object:
    """A list of strings; a single string (IAM's ``"Action": "s3:*"``) is a list of one."""
    value = m.scalar(expr)
    if isinstance(value, str):
        return [value]
    items = m.seq(expr)
    if items is None:
        return ...
    values = [m.scalar(item) for item in items]
    return values if all(isinstance(v, str) for v in values) else ...


def _member(m: _Module, expr: ast.expr) -> str:
    """An enum member's name (``s3.BucketEncryption.KMS`` → ``KMS``), or ""."""
    node = m.resolve(expr)
    qualified = m.qualified(node) if isinstance(node, ast.Attribute) else ""
    return qualified.rpartition(".")[2] if qualified.count(".") >= 1 else ""


# Handlers: construct reader → properties ------------------------------------------------------

Properties = dict[str, rm.Value]
_METRIC_ALARM = "aws_cloudwatch.Metric.create_alarm"


def _model(r: _Reader) -> Properties:
    container: tuple[str, ...] = ("primary_container",)
    if r.lookup(*container) is None:
        # Containers in a list: the first (inference pipelines) is the one named here.
        container = ("containers", "0")
    return {
        "network_isolation": r.value(_bool, "enable_network_isolation"),
        "vpc": _vpc(r, ("vpc_config",)),
        "image": r.value(_str, *container, "image"),
        "model_package": r.value(_name, *container, "model_package_name"),
        "role": r.value(_name, "execution_role_arn"),
    }


def _vpc(r: _Reader, path: tuple[str, ...]) -> rm.Value:
    subnets = r.value(_present_list, *path, "subnets")
    if subnets.absent:
        return r.value(lambda m, e: False, *path) if r.lookup(*path) is not None else rm.ABSENT
    return subnets


def _present_list(m: _Module, expr: ast.expr) -> object:
    items = m.seq(expr)
    return bool(items) if items is not None else ...


def _endpoint_config(r: _Reader) -> Properties:
    return {
        "kms_key": r.value(_name, "kms_key_id"),
        "variants": _variants(r),
        "data_capture": _data_capture(r),
        "async_inference": r.present("async_inference_config"),
    }


def _variants(r: _Reader) -> rm.Value:
    paths = r.items("production_variants")
    if isinstance(paths, rm.Value):
        return paths
    hit = r.lookup("production_variants")
    assert hit is not None and not isinstance(hit, _Unread)
    variants = []
    for path in paths:
        element = r.lookup(*path)
        if element is None or isinstance(element, _Unread) or r.m.struct(element[1]) is None:
            where = element.location if isinstance(element, _Unread) else hit[0]
            written = r.m.written(hit[1])
            variants.append({p: rm.unknown(written, where) for p in _VARIANT_FIELDS})
            continue
        variants.append(
            {
                "variant_name": r.value(_str, *path, "variant_name"),
                "model": r.value(_name, *path, "model_name"),
                "instance_type": r.value(_str, *path, "instance_type"),
                "instance_count": r.value(_int, *path, "initial_instance_count"),
                "serverless": r.present(*path, "serverless_config"),
                "managed_scaling": r.present(*path, "managed_instance_scaling"),
            }
        )
    return rm.known(variants, hit[0])


_VARIANT_FIELDS = (
    "variant_name",
    "model",
    "instance_type",
    "instance_count",
    "serverless",
    "managed_scaling",
)


def _data_capture(r: _Reader) -> rm.Value:
    config = r.present("data_capture_config")
    if not config.known:
        return config
    enabled = r.value(_bool, "data_capture_config", "enable_capture")
    # EnableCapture defaults to true when a DataCaptureConfig is given.
    return config if enabled.absent else enabled


def _endpoint(r: _Reader) -> Properties:
    deployment = ("deployment_config",)
    blue_green = (*deployment, "blue_green_update_policy")
    return {
        "endpoint_config": r.value(_name, "endpoint_config_name"),
        "blue_green": r.present(*blue_green),
        "traffic_routing": r.value(_str, *blue_green, "traffic_routing_configuration", "type"),
        "rolling_update": r.present(*deployment, "rolling_update_policy"),
        "auto_rollback_alarms": _rollback_alarms(r, (*deployment, "auto_rollback_configuration")),
    }


def _rollback_alarms(r: _Reader, path: tuple[str, ...]) -> rm.Value:
    paths = r.items(*path, "alarms")
    if isinstance(paths, rm.Value):
        return paths
    hit = r.lookup(*path, "alarms")
    assert hit is not None and not isinstance(hit, _Unread)
    names = [r.value(_name, *alarm, "alarm_name") for alarm in paths]
    if any(not name.known for name in names):
        return rm.unknown(r.m.written(hit[1]), hit[0])
    return rm.known([name.value for name in names], hit[0])


def _notebook(r: _Reader) -> Properties:
    return {
        "instance_type": r.value(_str, "instance_type"),
        "direct_internet_access": r.value(_enabled, "direct_internet_access"),
        "root_access": r.value(_enabled, "root_access"),
        "kms_key": r.value(_name, "kms_key_id"),
        "imds_version": r.value(
            _str,
            "instance_metadata_service_configuration",
            "minimum_instance_metadata_service_version",
        ),
        "lifecycle_config": r.value(_name, "lifecycle_config_name"),
        "vpc": r.value(lambda m, e: True, "subnet_id"),
    }


def _lifecycle(r: _Reader) -> Properties:
    paths = r.items("on_start")
    if isinstance(paths, rm.Value):
        return {"auto_stop": paths}
    hit = r.lookup("on_start")
    assert hit is not None and not isinstance(hit, _Unread)
    scripts = [r.value(_script, *path, "content") for path in paths]
    if any(script.unknown for script in scripts):
        return {"auto_stop": rm.unknown(r.m.written(hit[1]), hit[0])}
    stops = any(script.known and rm.stops_when_idle(script.value) for script in scripts)
    return {"auto_stop": rm.known(stops, hit[0])}


def _script(m: _Module, expr: ast.expr) -> object:
    node = m.resolve(expr)
    if isinstance(node, ast.Call) and m.qualified(node.func) == "Fn.base64" and node.args:
        node = node.args[0]
    return _str(m, node)


def _domain(r: _Reader) -> Properties:
    return {
        "app_network_access": r.value(_str, "app_network_access_type"),
        "kms_key": r.value(_name, "kms_key_id"),
    }


_JOB_DEFINITIONS = {
    "aws_sagemaker.CfnDataQualityJobDefinition": ("data-quality", "data_quality_job_input"),
    "aws_sagemaker.CfnModelQualityJobDefinition": ("model-quality", "model_quality_job_input"),
    "aws_sagemaker.CfnModelBiasJobDefinition": ("model-bias", "model_bias_job_input"),
    "aws_sagemaker.CfnModelExplainabilityJobDefinition": (
        "model-explainability",
        "model_explainability_job_input",
    ),
}
_MONITORING_TYPES = {
    "DataQuality": "data-quality",
    "ModelQuality": "model-quality",
    "ModelBias": "model-bias",
    "ModelExplainability": "model-explainability",
}


def _monitoring_schedule(r: _Reader) -> Properties:
    config = ("monitoring_schedule_config",)
    monitor_type = r.value(
        lambda m, e: _MONITORING_TYPES.get(str(m.scalar(e)), ...), *config, "monitoring_type"
    )
    endpoint: rm.Value = rm.ABSENT
    inline = (*config, "monitoring_job_definition")
    if r.lookup(*inline) is not None:
        # The inline job definition is SageMaker's original (data quality) monitor.
        if monitor_type.absent:
            monitor_type = r.value(lambda m, e: "data-quality", *inline)
        endpoint = _endpoint_ref(r, (*inline, "monitoring_inputs", "0", "endpoint_input"))
    named = r.lookup(*config, "monitoring_job_definition_name")
    if isinstance(named, tuple):
        definition = r.m.target_of(named[1])
        if definition is not None and definition.type in _JOB_DEFINITIONS:
            kind, job_input = _JOB_DEFINITIONS[definition.type]
            if monitor_type.absent:
                monitor_type = rm.known(kind, named[0])
            endpoint = _endpoint_ref(_Reader(r.m, definition), (job_input, "endpoint_input"))
        elif monitor_type.absent:
            monitor_type = rm.unknown(r.m.written(named[1]), named[0])
    elif isinstance(named, _Unread) and monitor_type.absent:
        monitor_type = rm.unknown(named.written, named.location)
    return {
        "monitor_type": monitor_type,
        "endpoint": endpoint,
        "schedule": r.value(_str, *config, "schedule_config", "schedule_expression"),
        **_monitoring_cluster(r, (*inline, "monitoring_resources")),
    }


def _monitoring_job(r: _Reader) -> Properties:
    return _monitoring_cluster(r, ("job_resources",))


def _monitoring_cluster(r: _Reader, resources: tuple[str, ...]) -> Properties:
    """A monitoring job's instance count and inter-container encryption, from the job
    definition whose resources are at ``resources`` (its network setting beside them)."""
    network = (*resources[:-1], "network_config", "enable_inter_container_traffic_encryption")
    return {
        "instance_count": r.value(_int, *resources, "cluster_config", "instance_count"),
        "inter_container_encryption": r.value(_bool, *network),
    }


def _endpoint_ref(r: _Reader, path: tuple[str, ...]) -> rm.Value:
    return r.value(lambda m, e: _endpoint_name(m, e), *path, "endpoint_name")


def _endpoint_name(m: _Module, expr: ast.expr) -> object:
    """The endpoint resource an endpoint name refers to: the construct whose attribute it
    reads, or whose literal ``endpoint_name`` it equals, or the literal itself."""
    for node in ast.walk(m.resolve(expr)):
        if isinstance(node, (ast.Name, ast.Attribute)):
            target = m.construct_of(node)
            if target is not None and target.type == "aws_sagemaker.CfnEndpoint":
                return target.name
    literal = m.scalar(expr)
    if not isinstance(literal, str):
        return ...
    match = re.fullmatch(r"endpoint/([^/]+)/variant/.*", literal)
    physical = match.group(1) if match else literal
    target = m.named(physical)
    return target.name if target is not None else physical


def _pipeline(r: _Reader) -> Properties:
    return {"steps": r.value(_steps, "pipeline_definition", "pipeline_definition_body")}


def _steps(m: _Module, expr: ast.expr) -> object:
    body = m.python(expr)
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return ...
    steps = body.get("Steps") if isinstance(body, dict) else None
    if not isinstance(steps, list):
        return ...
    kinds = [step.get("Type") for step in steps if isinstance(step, dict)]
    return [_kebab(kind) for kind in kinds if isinstance(kind, str)]


def _model_package(r: _Reader) -> Properties:
    return {"approval_status": r.value(_str, "model_approval_status")}


# IAM ------------------------------------------------------------------------------------------


def _role(r: _Reader) -> Properties:
    return {
        "assumed_by": r.value(_principals, "assumed_by"),
        "managed_policies": _managed_policies(r),
        "statements": _concat(
            [
                r.value(_inline_policies, "inline_policies"),
                *_added_statements(r, "add_to_policy", "add_to_principal_policy"),
            ]
        ),
    }


@nesting_bounded(...)
def _principals(m: _Module, expr: ast.expr) -> object:
    """Service principals of ``ServicePrincipal`` / ``CompositePrincipal``; other
    principals (accounts, ARNs) are not services and are left out."""
    node = m.resolve(expr)
    if not isinstance(node, ast.Call):
        return ...
    kind = m.qualified(node.func)
    if kind == "aws_iam.ServicePrincipal":
        given = node.args[0] if node.args else _keyword(node, "service")
        service = m.scalar(given) if given is not None else ...
        if not isinstance(service, str):
            return ...
        # CDK completes a bare service name: ServicePrincipal("sagemaker") is
        # sagemaker.amazonaws.com in the template.
        return [service if "." in service else f"{service}.amazonaws.com"]
    if kind == "aws_iam.CompositePrincipal":
        found: list[str] = []
        for argument in node.args:
            inner = _principals(m, argument)
            if not isinstance(inner, list):
                return ...
            found += inner
        return found
    return [] if kind.startswith("aws_iam.") and kind.endswith("Principal") else ...


def _policy_name(m: _Module, expr: ast.expr) -> object:
    """A managed policy: the AWS-managed name, the ARN or name imported, or the
    ``ManagedPolicy`` construct's name."""
    node = m.resolve(expr)
    if isinstance(node, ast.Call):
        kind = m.qualified(node.func)
        if kind == "aws_iam.ManagedPolicy.from_aws_managed_policy_name" and node.args:
            return _str(m, node.args[0])
        if kind.startswith("aws_iam.ManagedPolicy.from_managed_policy_") and len(node.args) > 2:
            return _str(m, node.args[2])
    return _name(m, node)


def _managed_policies(r: _Reader) -> rm.Value:
    later = [
        _item(r.m, r.m.loc(call), call.args[0], _policy_name)
        for call in r.methods("add_managed_policy")
        if call.args
    ]
    for construct in r.m.constructs.values():
        if construct.type == "aws_iam.ManagedPolicy":
            roles = construct.fields.get("roles")
            places = [roles[0]] if roles and _lists(r.m, roles[1], r.c) else []
            for location in places + _attachments(r.m, construct, r.c, ()):
                later.append(rm.known([construct.name], location))
    listed = r.value(lambda m, e: _listed(m, e, _policy_name), "managed_policies")
    return _concat([listed, *later])


def _lists(m: _Module, expr: ast.expr, construct: _Construct) -> bool:
    return any(m.construct_of(item) is construct for item in m.seq(expr) or ())


def _attachments(
    m: _Module, policy: _Construct, role: _Construct, role_methods: tuple[str, ...]
) -> list[Location]:
    """Where ``policy.attach_to_role(role)`` or ``role.<role_methods>(policy)`` attach
    a policy to a role after construction."""
    found = []
    for method, call in m.methods.get(id(policy.call), []):
        if method == "attach_to_role" and call.args and m.construct_of(call.args[0]) is role:
            found.append(m.loc(call))
    for method, call in m.methods.get(id(role.call), []):
        if method in role_methods and call.args and m.construct_of(call.args[0]) is policy:
            found.append(m.loc(call))
    return found


def _listed(m: _Module, expr: ast.expr, convert: Callable[[_Module, ast.expr], object]) -> object:
    items = m.seq(expr)
    if items is None:
        return ...
    values = [convert(m, item) for item in items]
    return ... if any(v is ... for v in values) else values


def _item(
    m: _Module, location: Location, expr: ast.expr, convert: Callable[[_Module, ast.expr], object]
) -> rm.Value:
    """One item added to a list after construction, as a list value of one."""
    value = convert(m, expr)
    return rm.unknown(m.written(expr), location) if value is ... else rm.known([value], location)


def _concat(values: list[rm.Value]) -> rm.Value:
    """List values joined: unknown if any part is, absent if all are, else known at the
    first part written."""
    present = [value for value in values if not value.absent]
    for value in present:
        if value.unknown:
            return value
    if not present:
        return rm.ABSENT
    return rm.known([item for value in present for item in value.value], present[0].location)


def _inline_policies(m: _Module, expr: ast.expr) -> object:
    documents = m.struct(expr)
    if documents is None:
        return ...
    statements: list[dict[str, rm.Value]] = []
    for _, document in documents.values():
        read = _document(m, document)
        if read is ...:
            return ...
        statements += read  # type: ignore[arg-type]
    return statements


def _added_statements(r: _Reader, *methods: str) -> list[rm.Value]:
    return [
        rm.known([_statement(r.m, argument) for argument in call.args], r.m.loc(call))
        for call in r.methods(*methods)
    ]


def _document(m: _Module, expr: ast.expr) -> object:
    """The statements of a ``PolicyDocument(statements=[...])`` or a JSON policy document."""
    node = m.resolve(expr)
    if isinstance(node, ast.Call) and m.qualified(node.func) == "aws_iam.PolicyDocument.from_json":
        node = m.resolve(node.args[0]) if node.args else node
    fields = m.struct(node)
    if fields is None:
        return ...
    listed = fields.get("statements") or fields.get("statement")
    if listed is None:
        return []
    items = m.seq(listed[1])
    if items is None:  # JSON allows one statement object in place of a list
        return [_statement(m, listed[1])] if m.struct(listed[1]) is not None else ...
    return [_statement(m, item) for item in items]


def _statement(m: _Module, expr: ast.expr) -> dict[str, rm.Value]:
    """One IAM statement: ``PolicyStatement(...)`` (with later ``add_actions`` /
    ``add_resources`` / ``add_all_resources``) or a JSON statement dict."""
    where = m.loc(expr)
    node = m.resolve(expr)
    fields = m.struct(node)
    if fields is None:
        text = m.written(expr)
        return {name: rm.unknown(text, where) for name in ("effect", "actions", "resources")}

    def read(names: tuple[str, ...], convert: Callable[[_Module, ast.expr], object]) -> rm.Value:
        for name in names:
            if name in fields:
                location, value = fields[name]
                result = convert(m, value)
                if result is ...:
                    return rm.unknown(m.written(value), location)
                return rm.known(result, location)
        return rm.ABSENT

    effect = read(("effect",), lambda mm, e: _member(mm, e).title() or _str(mm, e))
    statement = {
        "effect": effect if not effect.absent else rm.known("Allow", where),
        "actions": read(("actions", "action"), _strings),
        "resources": read(("resources", "resource"), _strings),
    }
    later: dict[str, list[rm.Value]] = {"actions": [], "resources": []}
    for method, call in m.methods.get(id(node), []) if isinstance(node, ast.Call) else ():
        location = m.loc(call)
        if method == "add_all_resources":
            later["resources"].append(rm.known(["*"], location))
        elif method in ("add_actions", "add_resources"):
            listed = [m.scalar(argument) for argument in call.args]
            added = (
                rm.known(listed, location)
                if all(isinstance(value, str) for value in listed)
                else rm.unknown(m.written(call), location)
            )  # fmt: skip
            later[method.removeprefix("add_")].append(added)
    for name, added_values in later.items():
        statement[name] = _concat([statement[name], *added_values])
    return statement


def _policy(r: _Reader) -> Properties:
    attached = r.value(lambda m, e: _listed(m, e, _name), "roles")
    methods = ("attach_inline_policy", "add_managed_policy")
    later = [
        rm.known([role.name], location)
        for role in r.m.constructs.values()
        if role.type in _ROLES
        for location in _attachments(r.m, r.c, role, methods)
    ]
    return {
        "statements": _concat(
            [
                r.value(lambda m, e: _listed(m, e, _statement), "statements"),
                r.value(_document, "document"),
                r.value(_document, "policy_document"),
                *_added_statements(r, "add_statements"),
            ]
        ),
        "attached_to": _concat([attached, *later]),
    }


_ROLES = ("aws_iam.Role", "aws_iam.CfnRole")


def _cfn_role(r: _Reader) -> Properties:
    paths = r.items("policies")
    documents = (
        [paths]
        if isinstance(paths, rm.Value)
        else [r.value(_document, *path, "policy_document") for path in paths]
    )
    statements = _concat(documents)
    if statements.known and isinstance(paths, list):
        statements = rm.known(statements.value, r.c.fields["policies"][0])
    return {
        "assumed_by": r.value(_services, "assume_role_policy_document"),
        "managed_policies": r.value(lambda m, e: _listed(m, e, _name), "managed_policy_arns"),
        "statements": statements,
    }


def _services(m: _Module, expr: ast.expr) -> object:
    document = m.python(expr)
    if not isinstance(document, dict):
        return ...
    statements = document.get("Statement", [])
    found: list[str] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        service = principal.get("Service") if isinstance(principal, dict) else None
        if isinstance(service, str):
            found.append(service)
        elif isinstance(service, list):
            found += [s for s in service if isinstance(s, str)]
    return found


# Storage, keys, logs --------------------------------------------------------------------------

_ENCRYPTION = {
    "S3_MANAGED": "AES256",
    "KMS": "aws:kms",
    "KMS_MANAGED": "aws:kms",
    "DSSE": "aws:kms:dsse",
    "DSSE_MANAGED": "aws:kms:dsse",
    "UNENCRYPTED": None,
}


def _bucket(r: _Reader) -> Properties:
    encryption = r.value(lambda m, e: _ENCRYPTION.get(_member(m, e), ...), "encryption")
    if encryption.absent and not r.c.opaque:
        keyed = r.lookup("encryption_key") is not None
        encryption = r.default("aws:kms" if keyed else "AES256")
    lifecycle = r.value(_lifecycle_rules, "lifecycle_rules")
    for call in r.methods("add_lifecycle_rule"):
        enabled = _keyword(call, "enabled")
        if not lifecycle.is_(True) and (enabled is None or r.m.scalar(enabled) is True):
            lifecycle = rm.known(True, r.m.loc(call))
    return {
        "encryption": encryption,
        "public_access_block": r.value(_block_public_access, "block_public_access"),
        "versioning": r.value(_bool, "versioned"),
        "lifecycle_rules": lifecycle,
    }


def _lifecycle_rules(m: _Module, expr: ast.expr) -> object:
    items = m.seq(expr)
    if items is None:
        return ...
    for item in items:
        fields = m.struct(item)
        if fields is None:
            return ...
        enabled = m.scalar(fields["enabled"][1]) if "enabled" in fields else True
        if enabled is ...:
            return ...
        if enabled:
            return True
    return False


_PUBLIC_ACCESS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def _block_public_access(m: _Module, expr: ast.expr) -> object:
    member = _member(m, expr)
    if member:
        return member == "BLOCK_ALL"
    fields = m.struct(expr)
    if fields is None:
        return ...
    values = [m.scalar(fields[name][1]) if name in fields else False for name in _PUBLIC_ACCESS]
    if any(value is False for value in values):
        return False
    return True if all(value is True for value in values) else ...


def _cfn_bucket(r: _Reader) -> Properties:
    default = (
        "bucket_encryption",
        "server_side_encryption_configuration",
        "0",
        "server_side_encryption_by_default",
    )
    rules = r.items("lifecycle_configuration", "rules")
    lifecycle: rm.Value
    if isinstance(rules, rm.Value):
        lifecycle = rules
    else:
        statuses = [r.value(_str, *path, "status") for path in rules]
        hit = r.lookup("lifecycle_configuration", "rules")
        assert hit is not None and not isinstance(hit, _Unread)
        if any(status.is_("Enabled") for status in statuses):
            lifecycle = rm.known(True, hit[0])
        elif any(status.unknown for status in statuses):
            lifecycle = rm.unknown(r.m.written(hit[1]), hit[0])
        else:
            lifecycle = rm.known(False, hit[0])
    return {
        "encryption": r.value(_str, *default, "sse_algorithm"),
        "public_access_block": r.value(_block_public_access, "public_access_block_configuration"),
        "versioning": r.value(
            lambda m, e: _str(m, e) == "Enabled" if _str(m, e) is not ... else ...,
            "versioning_configuration",
            "status",
        ),
        "lifecycle_rules": lifecycle,
    }


def _key(r: _Reader) -> Properties:
    return {"rotation": r.value(_bool, "enable_key_rotation")}


_RETENTION = {
    "ONE_DAY": 1, "THREE_DAYS": 3, "FIVE_DAYS": 5, "ONE_WEEK": 7, "TWO_WEEKS": 14,
    "ONE_MONTH": 30, "TWO_MONTHS": 60, "THREE_MONTHS": 90, "FOUR_MONTHS": 120,
    "FIVE_MONTHS": 150, "SIX_MONTHS": 180, "ONE_YEAR": 365, "THIRTEEN_MONTHS": 400,
    "EIGHTEEN_MONTHS": 545, "TWO_YEARS": 731, "THREE_YEARS": 1096, "FIVE_YEARS": 1827,
    "SIX_YEARS": 2192, "SEVEN_YEARS": 2557, "EIGHT_YEARS": 2922, "NINE_YEARS": 3288,
    "TEN_YEARS": 3653, "INFINITE": None,
}  # fmt: skip


def _log_group(r: _Reader) -> Properties:
    retention = r.value(lambda m, e: _RETENTION.get(_member(m, e), ...), "retention")
    if retention.absent and not r.c.opaque:
        retention = r.default(731)
    return {"retention_days": retention}


def _cfn_log_group(r: _Reader) -> Properties:
    return {"retention_days": r.value(_int, "retention_in_days")}


# Scaling, alarms, events ----------------------------------------------------------------------


def _scaling_target(r: _Reader) -> Properties | None:
    namespace = r.value(lambda m, e: _member(m, e) or _str(m, e), "service_namespace")
    if namespace.known and str(namespace.value).lower() != "sagemaker":
        return None  # another service's scaling (ECS, DynamoDB): not in the model
    for method in ("scale_to_track_metric", "scale_on_metric", "scale_on_schedule"):
        for call in r.methods(method):
            policy_id = r.m.scalar(call.args[0]) if call.args else ...
            r.extra.append(
                rm.Resource(
                    rm.SCALING_POLICY,
                    policy_id if isinstance(policy_id, str) else method,
                    SOURCE,
                    r.m.loc(call),
                    {"target": rm.known(r.c.name, r.m.loc(call))},
                    "aws_cdk.aws_applicationautoscaling.ScalableTarget." + method,
                )
            )
    return {
        "resource_id": r.value(_str, "resource_id"),
        "endpoint": r.value(_endpoint_name, "resource_id"),
        "min_capacity": r.value(_int, "min_capacity"),
        "max_capacity": r.value(_int, "max_capacity"),
    }


def _scaling_policy(r: _Reader) -> Properties:
    return {"target": r.value(_name, "scaling_target")}


def _cfn_scaling_policy(r: _Reader) -> Properties:
    return {"target": r.value(_name, "scaling_target_id")}


def _alarm(r: _Reader) -> Properties:
    return _metric(r, ("metric",))


def _metric(r: _Reader, path: tuple[str, ...]) -> Properties:
    dimensions = r.lookup(*path, "dimensions_map")
    key = "dimensions_map" if dimensions is not None else "dimensions"
    return {
        "namespace": r.value(_str, *path, "namespace"),
        "metric_name": r.value(_str, *path, "metric_name"),
        "endpoint": r.value(_endpoint_name, *path, key, "endpoint_name"),
    }


def _cfn_alarm(r: _Reader) -> Properties:
    properties = {
        "namespace": r.value(_str, "namespace"),
        "metric_name": r.value(_str, "metric_name"),
        "endpoint": rm.ABSENT,
    }
    paths = r.items("dimensions")
    if isinstance(paths, rm.Value):
        properties["endpoint"] = paths if paths.unknown else rm.ABSENT
        return properties
    for path in paths:
        if r.value(_str, *path, "name").is_("EndpointName"):
            properties["endpoint"] = r.value(_endpoint_name, *path, "value")
    return properties


def _rule(r: _Reader) -> Properties:
    targets = r.value(lambda m, e: _listed(m, e, _target), "targets")
    added = [
        _item(r.m, r.m.loc(call), call.args[0], _target)
        for call in r.methods("add_target")
        if call.args
    ]
    return {"schedule": r.value(_schedule, "schedule"), "targets": _concat([targets, *added])}


def _target(m: _Module, expr: ast.expr) -> object:
    """An EventBridge target: the resource it starts when that is ours, else its kind
    (``SfnStateMachine``, ``LambdaFunction``)."""
    node = m.resolve(expr)
    if not isinstance(node, ast.Call):
        return ...
    kind = m.qualified(node.func)
    if node.args:
        target = m.construct_of(node.args[0])
        if target is not None:
            return target.name
    return kind.rpartition(".")[2] if kind else ...


_UNITS = {"days": "day", "hours": "hour", "minutes": "minute"}


def _schedule(m: _Module, expr: ast.expr) -> object:
    node = m.resolve(expr)
    if not isinstance(node, ast.Call):
        return _str(m, node)
    kind = m.qualified(node.func)
    if kind == "aws_events.Schedule.expression" and node.args:
        return _str(m, node.args[0])
    if kind == "aws_events.Schedule.rate" and node.args:
        return _rate(m, node.args[0])
    if kind == "aws_events.Schedule.cron":
        fields = m.struct(node)
        if fields is None or node.args:
            return ...
        parts: dict[str, str] = {}
        for name in ("minute", "hour", "day", "month", "week_day", "year"):
            if name in fields:
                value = m.scalar(fields[name][1])
                if not isinstance(value, str):
                    return ...
                parts[name] = value
        day = parts.get("day", "?" if "week_day" in parts else "*")
        return "cron({} {} {} {} {} {})".format(
            parts.get("minute", "*"),
            parts.get("hour", "*"),
            day,
            parts.get("month", "*"),
            parts.get("week_day", "?"),
            parts.get("year", "*"),
        )
    return ...


def _rate(m: _Module, expr: ast.expr) -> object:
    node = m.resolve(expr)
    if not isinstance(node, ast.Call) or not node.args:
        return ...
    unit = _UNITS.get(m.qualified(node.func).removeprefix("Duration."))
    amount = _int(m, node.args[0])
    if unit is None or not isinstance(amount, int):
        return ...
    return f"rate({amount} {unit}{'' if amount == 1 else 's'})"


def _cfn_rule(r: _Reader) -> Properties:
    paths = r.items("targets")
    targets: rm.Value
    if isinstance(paths, rm.Value):
        targets = paths
    else:
        names = [r.value(_name, *path, "arn") for path in paths]
        hit = r.lookup("targets")
        assert hit is not None and not isinstance(hit, _Unread)
        targets = (
            rm.known([n.value for n in names], hit[0])
            if all(n.known for n in names)
            else rm.unknown(r.m.written(hit[1]), hit[0])
        )
    return {"schedule": r.value(_str, "schedule_expression"), "targets": targets}


def _nothing(r: _Reader) -> Properties:
    return {}


# The property that gives a construct its physical name, which other resources may write
# instead of referring to the construct.
_PHYSICAL_NAMES = {
    "aws_sagemaker.CfnModel": "model_name",
    "aws_sagemaker.CfnEndpointConfig": "endpoint_config_name",
    "aws_sagemaker.CfnEndpoint": "endpoint_name",
    "aws_sagemaker.CfnNotebookInstanceLifecycleConfig": "notebook_instance_lifecycle_config_name",
    "aws_sagemaker.CfnDataQualityJobDefinition": "job_definition_name",
    "aws_sagemaker.CfnModelQualityJobDefinition": "job_definition_name",
    "aws_sagemaker.CfnModelBiasJobDefinition": "job_definition_name",
    "aws_sagemaker.CfnModelExplainabilityJobDefinition": "job_definition_name",
    "aws_iam.Role": "role_name",
    "aws_iam.CfnRole": "role_name",
    "aws_cloudwatch.Alarm": "alarm_name",
    "aws_cloudwatch.CfnAlarm": "alarm_name",
}

# Recognised constructs: short qualified name → (resource kind, mapper).
_Mapper = Callable[[_Reader], Properties | None]
_HANDLERS: Mapping[str, tuple[str, _Mapper]] = {
    "aws_sagemaker.CfnModel": (rm.MODEL, _model),
    "aws_sagemaker.CfnEndpointConfig": (rm.ENDPOINT_CONFIG, _endpoint_config),
    "aws_sagemaker.CfnEndpoint": (rm.ENDPOINT, _endpoint),
    "aws_sagemaker.CfnNotebookInstance": (rm.NOTEBOOK_INSTANCE, _notebook),
    "aws_sagemaker.CfnNotebookInstanceLifecycleConfig": (rm.NOTEBOOK_LIFECYCLE, _lifecycle),
    "aws_sagemaker.CfnDomain": (rm.STUDIO_DOMAIN, _domain),
    "aws_sagemaker.CfnMonitoringSchedule": (rm.MONITORING_SCHEDULE, _monitoring_schedule),
    "aws_sagemaker.CfnPipeline": (rm.PIPELINE, _pipeline),
    "aws_sagemaker.CfnModelPackageGroup": (rm.MODEL_PACKAGE_GROUP, _nothing),
    "aws_sagemaker.CfnModelPackage": (rm.MODEL_PACKAGE, _model_package),
    "aws_iam.Role": (rm.IAM_ROLE, _role),
    "aws_iam.CfnRole": (rm.IAM_ROLE, _cfn_role),
    "aws_iam.Policy": (rm.IAM_POLICY, _policy),
    "aws_iam.ManagedPolicy": (rm.IAM_POLICY, _policy),
    "aws_iam.CfnPolicy": (rm.IAM_POLICY, _policy),
    "aws_iam.CfnManagedPolicy": (rm.IAM_POLICY, _policy),
    "aws_s3.Bucket": (rm.BUCKET, _bucket),
    "aws_s3.CfnBucket": (rm.BUCKET, _cfn_bucket),
    "aws_kms.Key": (rm.KMS_KEY, _key),
    "aws_kms.CfnKey": (rm.KMS_KEY, _key),
    "aws_logs.LogGroup": (rm.LOG_GROUP, _log_group),
    "aws_logs.CfnLogGroup": (rm.LOG_GROUP, _cfn_log_group),
    "aws_applicationautoscaling.ScalableTarget": (rm.SCALING_TARGET, _scaling_target),
    "aws_applicationautoscaling.CfnScalableTarget": (rm.SCALING_TARGET, _scaling_target),
    "aws_applicationautoscaling.TargetTrackingScalingPolicy": (rm.SCALING_POLICY, _scaling_policy),
    "aws_applicationautoscaling.StepScalingPolicy": (rm.SCALING_POLICY, _scaling_policy),
    "aws_applicationautoscaling.CfnScalingPolicy": (rm.SCALING_POLICY, _cfn_scaling_policy),
    "aws_cloudwatch.Alarm": (rm.ALARM, _alarm),
    "aws_cloudwatch.CfnAlarm": (rm.ALARM, _cfn_alarm),
    _METRIC_ALARM: (rm.ALARM, _alarm),
    "aws_events.Rule": (rm.EVENT_RULE, _rule),
    "aws_events.CfnRule": (rm.EVENT_RULE, _cfn_rule),
    **dict.fromkeys(_JOB_DEFINITIONS, (rm.MONITORING_JOB, _monitoring_job)),
}
