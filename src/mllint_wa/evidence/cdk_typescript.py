"""AWS CDK apps in TypeScript, read into the resource model.

A TypeScript file is read when it belongs to a CDK app: a ``cdk.json`` lies in its folder or
a folder above it, or the app command of a ``cdk.json`` names it (``npx ts-node
bin/app.ts``). A script, CI file or Seed-Farmer ``deployspec.yaml`` that runs the CDK CLI with
an app command (``cdk deploy --app "npx ts-node index.ts"``) makes an app of its folder too.
Declaration files (``*.d.ts``), tests (``test/``, ``*.test.ts``, ``*.spec.ts``),
``node_modules/`` and ``cdk.out/`` are not read; nor is a file that imports nothing from
``aws-cdk-lib`` or ``@aws-cdk/*``. Each app is read on its own: ``Tags.of(app)`` in one app's
entry point tags that app's stacks only.

The file is parsed by tree-sitter's TypeScript grammar (:mod:`mllint_wa.parsers.typescript`)
and its syntax tree lowered into the expression forms the Python CDK reader follows
(:mod:`mllint_wa.evidence.cdk_resources`), by the rule that maps one language's CDK to the
other's (jsii's): a construct's props object is its keyword arguments, camelCase names are
snake_case (``managedPolicies`` → ``managed_policies``, ``addToPolicy`` → ``add_to_policy``,
``ManagedPolicy.fromAwsManagedPolicyName`` → ``from_aws_managed_policy_name``), ``this`` is
``self`` and a constructor is ``__init__``. The same construct handlers, defaults and value
follower then read both languages, so the constructs covered, their defaults and what is
followed are the Python reader's, word for word:

- literals, template literals whose parts are known, ``+`` of known strings or numbers;
- names assigned once in their function or at module level (``const``; a ``let`` assigned
  once), ``this.x`` fields assigned once in a class, object literals, spreads
  (``{...base, versioned: true}``), array literals and spreads, an index into them;
- a props object held in a name, or returned by one of the module's own functions with one
  ``return``; enum members (``logs.RetentionDays.ONE_WEEK``, ``s3.BucketEncryption.KMS``);
- ``new cdk.CfnParameter(...)``'s ``default`` through ``.valueAsString``/``.valueAsNumber``;
- changes after construction: ``addPropertyOverride``, L1 property assignments,
  ``addLifecycleRule``, ``addToPolicy``, ``addManagedPolicy``, ``attachInlinePolicy``,
  ``addTarget``, ``scaleToTrackMetric``, ``Tags.of(x).add``; tags given where a stack class
  is instantiated (``new HostingStack(app, 'Hosting', { tags: {...} })``), the class found
  through the file's relative imports.

Values also cross the app's modules (:mod:`mllint_wa.evidence.cdk_typescript_flow`): names
imported from its modules, members of object literals and JSON files, what its functions
return, and a construct made inside a class or function of the app read once per call of it,
its parameters holding the call's arguments (the props a construct class is given by its
caller), within the Python resolver's bounds. A destructured parameter, ``a ?? b``,
conditionals, ``process.env`` and anything else are unknown, and unknown is silent; a
construct whose props object cannot be followed is opaque. ``ec2.InstanceType.of(...)`` is
not followed (nor is its Python twin): SageMaker constructs take instance types as strings.
"""

from __future__ import annotations

import ast
import functools
import json
import posixpath
import shlex
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import field
from typing import TYPE_CHECKING, cast

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import cdk_resources as cdk
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.cdk_typescript_flow import UNDEFINED, AppFlow, module_files, python_name
from mllint_wa.evidence.kinds import CI, JSON, SHELL, TYPESCRIPT, YAML
from mllint_wa.model import Location
from mllint_wa.parsers.python_code import PythonModule
from mllint_wa.parsers.secrets import LONGEST_MATCH, quote
from mllint_wa.parsers.typescript import TypeScriptSource, parse_typescript
from mllint_wa.records import dataclass

if TYPE_CHECKING:
    from tree_sitter import Node

_NEEDLE = b"aws-cdk"  # aws-cdk-lib (CDK v2) and @aws-cdk/... (v1)
_TEST_FOLDERS = frozenset({"test", "tests", "testing", "__tests__"})
_TEST_SUFFIXES = (".test.ts", ".spec.ts")
# What lies deeper than the shared nesting bound (mllint_wa.bounded) reads as unknown: an
# expression no one can know, no statements. Shared, never changed.
_UNREADABLE: ast.expr = ast.Set([])
_NOTHING: list[ast.stmt] = []


def extract(ev: Evidence) -> Iterator[rm.Resource]:
    """Every resource the project's TypeScript CDK apps define."""
    for app, files in cdk_apps(ev).items():
        flow = AppFlow(ev, app, _other_module)
        modules = [
            TypeScriptModule(path, lowered, flow)
            for path in files
            if ev.mentions(path, _NEEDLE)
            and (lowered := ev.parse(path, lower_typescript)) is not None
        ]
        if modules:
            flow.start(modules)
            read: list[cdk._Module] = list(modules)
            yield from cdk.app_resources(read, _StackTags(ev, read))


def _other_module(path: str, flow: AppFlow) -> TypeScriptModule | None:
    """A module of the app a value is followed into (not one read for its constructs:
    a test, a declaration file or a file of a package is none)."""
    if not path.endswith(".ts") or path.endswith(".d.ts") or _is_test(path):
        return None
    lowered = flow.ev.parse(path, lower_typescript)
    return TypeScriptModule(path, lowered, flow) if lowered is not None else None


# The apps ------------------------------------------------------------------------------------


def cdk_apps(ev: Evidence) -> dict[str, list[str]]:
    """The TypeScript files of each CDK app, by the file that makes the app (a ``cdk.json``,
    or a file that runs ``cdk … --app "…"``); a file two apps may claim belongs to the
    nearest."""
    entries = {
        path: _entry_points(path, ev.parse(path, _app_command))
        for path in ev.files(JSON)
        if path.rpartition("/")[2] == "cdk.json"
    }
    for path in ev.files(YAML, SHELL, CI):
        if ev.mentions(path, b"--app"):
            commands = _app_options(ev.text(path) or "")
            if commands:
                entries[path] = _entry_points(path, " ".join(commands))
    apps = sorted(entries)
    found: dict[str, list[str]] = {}
    for path in ev.files(TYPESCRIPT):
        if path.endswith(".d.ts") or _is_test(path):
            continue
        owners = [app for app in apps if path in entries[app] or _inside(path, app)]
        if owners:
            nearest = max(owners, key=lambda app: (path in entries[app], app.count("/"), app))
            found.setdefault(nearest, []).append(path)
    return found


def _inside(path: str, app: str) -> bool:
    folder = app.rpartition("/")[0]
    return not folder or path.startswith(folder + "/")


def _entry_points(app: str, command: str | None) -> frozenset[str]:
    """The ``.ts`` files an app's command runs (``npx ts-node --prefer-ts-exts
    bin/app.ts``), as project paths."""
    folder = app.rpartition("/")[0]
    found = set()
    for word in (command or "").replace('"', " ").replace("'", " ").split():
        path = posixpath.normpath(posixpath.join(folder, word))
        if word.endswith(".ts") and not path.startswith("../"):
            found.add(path)
    return frozenset(found)


def _app_command(text: str) -> str:
    """The ``app`` command of a ``cdk.json``, "" when it has none."""
    settings = json.loads(text)
    command = settings.get("app") if isinstance(settings, dict) else None
    return command if isinstance(command, str) else ""


def _app_options(text: str) -> list[str]:
    """The app commands a script, CI file or Seed-Farmer ``deployspec.yaml`` gives the CDK
    CLI: ``cdk deploy --app "npx ts-node index.ts"``."""
    found = []
    for line in text.splitlines():
        if "--app" not in line or "cdk" not in line:
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError:  # an unclosed quote: the line is not a command
            continue
        for word, following in zip(words, [*words[1:], ""], strict=True):
            if word == "--app":
                found.append(following)
            elif word.startswith("--app="):
                found.append(word.removeprefix("--app="))
    return found


def _is_test(path: str) -> bool:
    *folders, _ = path.split("/")
    return any(folder in _TEST_FOLDERS for folder in folders) or path.endswith(_TEST_SUFFIXES)


# Reading the lowered modules ---------------------------------------------------------------


class TypeScriptModule(cdk._Module):
    """A lowered TypeScript file, read by the Python CDK reader; messages quote the
    TypeScript as written. Values are followed out of it through its app
    (:mod:`mllint_wa.evidence.cdk_typescript_flow`), and a construct made inside a function
    the app calls is read once per call."""

    def __init__(self, path: str, lowered: LoweredModule, flow: AppFlow) -> None:
        self.lowered = lowered
        self.flow = flow
        # Top-level functions by name (a name defined twice is none).
        defined = [node for node in lowered.tree.body if isinstance(node, ast.FunctionDef)]
        times = Counter(node.name for node in defined)
        self.functions = {node.name: node for node in defined if times[node.name] == 1}
        # Names whose objects are changed in place (``config.x = …``): not followed into.
        self.changed = {
            root.id
            for node in lowered.index.of(ast.Assign)
            for target in node.targets
            if isinstance(target, (ast.Attribute, ast.Subscript))
            and isinstance(root := _root(target), ast.Name)
            and root.id != "self"
        }
        super().__init__(path, lowered, callers=flow)

    @functools.cached_property
    def python_names(self) -> dict[str, list[str]]:
        """The module's classes and top-level functions by their Python CDK spelling
        (``cfg.make_bucket`` of ``import * as cfg``), gathered once for all its callers."""
        return _by_python_name((*self.classes, *self.functions))

    @functools.cached_property
    def top_level_names(self) -> dict[str, list[str]]:
        """The names the module assigns at its top level, by their Python CDK spelling
        (``cfg.instance_type`` of ``import * as cfg``), gathered once for all its readers."""
        return _by_python_name(self.assigned.get(id(self.parsed.tree), {}))

    # Following values across the app ------------------------------------------------------

    def _follow(self, expr: ast.expr) -> ast.expr | None:
        flow = self.flow
        if not flow.ready:
            return super()._follow(expr)
        if isinstance(expr, ast.Name):
            for scope in self._scopes(expr):
                if expr.id in self.assigned.get(id(scope), {}):
                    return super()._follow(expr)
                if expr.id in self.params.get(id(scope), ()):
                    return flow.argument(scope, expr.id)
            return flow.imported(self, expr.id)
        if isinstance(expr, ast.Attribute) and not _on_self(expr):
            return self._member_of(expr)
        if isinstance(expr, ast.Call):
            return flow.data(self, expr) or self._returned(expr)
        return super()._follow(expr)

    def _member_of(self, expr: ast.Attribute) -> ast.expr | None:
        """``config.instanceType``: a member of an object literal (``undefined`` when it has
        none), of a JSON file, or of an imported module."""
        base = expr.value
        if isinstance(base, ast.Name) and not self._binds(base):
            found = self.flow.namespace_member(self, base.id, expr.attr)
            if found is not None:
                return found
        root = _root(expr)
        if isinstance(root, ast.Name) and root.id in self.changed:
            return None
        container = self.resolve(base)
        fields = self.struct(container) if isinstance(container, ast.Dict) else None
        if fields is None:
            return None
        key = cdk._snake(expr.attr)  # as the object's keys are (``KmsKeyId``, ``kmsKeyId``)
        if key not in fields:
            return UNDEFINED
        where, value = fields[key]
        if self.flow.is_given_props(container):
            self.flow.crossed.setdefault(id(value), where)
        return value

    def _binds(self, name: ast.Name) -> bool:
        return any(
            name.id in self.assigned.get(id(scope), {}) or name.id in self.params.get(id(scope), ())
            for scope in self._scopes(name)
        )

    def _returned(self, call: ast.Call) -> ast.expr | None:
        owner = self.owner(call)
        if owner is not self:
            return owner._returned(call)
        found = self.flow.function(self, call.func) if self.flow.ready else None
        if found is None:
            return super()._returned(call)
        defining, function = found
        return defining.returned_by(function)

    def placed(self, node: ast.AST) -> Location | None:
        """Where a JSON file writes a value."""
        return self.flow.places.get(id(node))

    def loc(self, node: ast.AST) -> Location:
        place = self.flow.places.get(id(node))
        return place if place is not None else super().loc(node)

    def written(self, expr: ast.expr) -> str:
        owner = self.owner(expr)
        if owner is not self:
            return owner.written(expr)
        span = self.lowered.spans.get(id(expr))
        if span is None:
            return "…"
        start, end = span
        text = self.lowered.source[start : min(end, start + cdk._WRITTEN + LONGEST_MATCH)]
        return quote(" ".join(text.decode("utf-8", "replace").split()), cdk._WRITTEN)


class _StackTags(cdk._StackTags):
    """Stack classes found through relative imports (``../lib/hosting-stack``)."""

    def files_named(self, importer: str, module: str) -> set[str]:
        return {path for path in module_files(importer, module) if path in self.by_path}


# Lowering ------------------------------------------------------------------------------------


@dataclass
class LoweredModule(PythonModule):
    """A TypeScript file in the Python reader's form: ``spans`` holds each node's byte
    range in ``source``, for quoting what is written."""

    source: bytes = b""
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    # A name imported from a module of the app: its specifier and the name it exports
    # (``default`` for a default import), None for the whole module (``import * as cfg``).
    relative: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    # A function's parameters by position (id of its FunctionDef): each one's name (None for
    # a destructuring pattern) and its default, if it has one.
    slots: dict[int, list[tuple[str | None, ast.expr | None]]] = field(default_factory=dict)


def lower_typescript(text: str) -> LoweredModule:
    """Parse a TypeScript file and lower it (see the module's docstring)."""
    parsed = parse_typescript(text)
    return _Lowering(parsed).module()


def module_name(specifier: str) -> str:
    """An import's module as the Python CDK names it: ``aws-cdk-lib/aws-s3`` and
    ``@aws-cdk/aws-s3`` are ``aws_cdk.aws_s3``; other modules keep their specifier."""
    for prefix in ("aws-cdk-lib/", "@aws-cdk/"):
        if specifier.startswith(prefix):
            rest = specifier.removeprefix(prefix).replace("-", "_").replace("/", ".")
            return f"aws_cdk.{rest}"
    return "aws_cdk" if specifier == "aws-cdk-lib" else specifier


_LITERALS = frozenset({"string", "template_string", "number", "true", "false", "null", "undefined"})
_WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"}
)
_BINARY: dict[str, ast.operator] = {
    "+": ast.Add(),
    "-": ast.Sub(),
    "*": ast.Mult(),
    "/": ast.Div(),
    "%": ast.Mod(),
    "**": ast.Pow(),
}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
_DECLARATIONS = frozenset(
    {
        "lexical_declaration",
        "variable_declaration",
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "abstract_class_declaration",
    }
)


class _Lowering:
    def __init__(self, parsed: TypeScriptSource) -> None:
        self.parsed = parsed
        self.source = parsed.source
        self.spans: dict[int, tuple[int, int]] = {}
        self.imports: dict[str, str] = {}
        self.relative: dict[str, tuple[str, str | None]] = {}
        self.slots: dict[int, list[tuple[str | None, ast.expr | None]]] = {}

    def module(self) -> LoweredModule:
        root = self.parsed.root
        for child in root.named_children:
            if child.type == "import_statement":
                self._import(child)
        if "JSON" not in self.imports:
            self.imports["JSON"] = "json"  # JSON.stringify is lowered to json.dumps
        body = self._statements(root.named_children)
        tree = ast.Module(body=body, type_ignores=[])
        return LoweredModule(
            tree,
            self.imports,
            source=self.source,
            spans=self.spans,
            relative=self.relative,
            slots=self.slots,
        )

    def _at(self, lowered: ast.AST, node: Node) -> ast.AST:
        row, column = node.start_point
        lowered.lineno = row + 1  # type: ignore[attr-defined]
        lowered.col_offset = column  # type: ignore[attr-defined]
        self.spans[id(lowered)] = (node.start_byte, node.end_byte)
        return lowered

    def _text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    # Imports ------------------------------------------------------------------------------

    def _import(self, node: Node) -> None:
        specifier = node.child_by_field_name("source")
        if specifier is None:
            clause = next(
                (c for c in node.named_children if c.type == "import_require_clause"), None
            )
            specifier = clause.child_by_field_name("source") if clause is not None else None
            name = _first(clause) if clause is not None else None
            if specifier is not None and name is not None:
                self._bind_import(self._text(name), self._string(specifier), None)
            return
        written = self._string(specifier)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":  # import cdk from 'aws-cdk-lib'
                    self._bind_import(self._text(part), written, "default")
                elif part.type == "namespace_import":
                    alias = _first(part)
                    if alias is not None:
                        self._bind_import(self._text(alias), written, None)
                elif part.type == "named_imports":
                    for specifier_node in part.named_children:
                        imported = specifier_node.child_by_field_name("name")
                        alias = specifier_node.child_by_field_name("alias") or imported
                        if imported is not None and alias is not None:
                            self._bind_import(self._text(alias), written, self._text(imported))

    def _bind_import(self, name: str, specifier: str, exported: str | None) -> None:
        """``name`` as the module binds it; a package's default export is the package (as
        ``import cdk from 'aws-cdk-lib'`` is written), an app module's is its ``default``."""
        module = module_name(specifier)
        if specifier.startswith("."):
            self.relative[name] = (specifier, exported)
        named = exported if exported != "default" else None
        self.imports[name] = f"{module}.{named}" if named else module

    # Statements ---------------------------------------------------------------------------

    def _statements(self, nodes: list[Node]) -> list[ast.stmt]:
        body: list[ast.stmt] = []
        for node in nodes:
            body.extend(self._statement(node))
        return body

    def _block(self, node: Node | None) -> list[ast.stmt]:
        """A body: a block's statements, or one statement; never empty."""
        if node is None:
            return [ast.Pass()]
        nodes = node.named_children if node.type == "statement_block" else [node]
        return self._statements(nodes) or [ast.Pass()]

    @nesting_bounded(_NOTHING)
    def _statement(self, node: Node) -> list[ast.stmt]:
        kind = node.type
        if kind == "expression_statement":
            inner = _first(node)
            return [self._expression_statement(inner)] if inner is not None else []
        if kind in ("lexical_declaration", "variable_declaration"):
            return self._declaration(node)
        if kind in ("function_declaration", "generator_function_declaration"):
            return [self._function(node, self._name(node))]
        if kind in ("class_declaration", "abstract_class_declaration"):
            return [self._class(node)]
        if kind == "export_statement":
            return self._export(node)
        if kind == "statement_block":
            return self._statements(node.named_children)
        if kind == "if_statement":
            alternative = node.child_by_field_name("alternative")
            orelse = _first(alternative) if alternative is not None else None
            test = self._expr(node.child_by_field_name("condition"))
            body = self._block(node.child_by_field_name("consequence"))
            return [self._located(ast.If(test, body, self._block(orelse)), node)]
        if kind in ("for_in_statement", "for_statement", "while_statement", "do_statement"):
            return [self._loop(node)]
        if kind == "try_statement":
            return [self._try(node)]
        if kind == "switch_statement":
            return self._switch(node)
        if kind == "return_statement":
            returned = _first(node)
            value = self._expr(returned) if returned is not None else None
            return [self._located(ast.Return(value), node)]
        if kind == "throw_statement":
            return [self._located(ast.Expr(self._expr(_first(node))), node)]
        if kind in ("labeled_statement", "internal_module", "module"):
            inside = node.child_by_field_name("body")
            return self._statement(inside) if inside is not None else []
        # Types, interfaces, enums, ambient declarations, empty and jump statements: no
        # values a construct reads.
        return []

    def _export(self, node: Node) -> list[ast.stmt]:
        """An export's declaration; ``export default <expression>`` (or a default class or
        function) is also an assignment to ``default``, the name a default import reads."""
        declaration = node.child_by_field_name("declaration")
        value = node.child_by_field_name("value")
        found = self._statement(declaration) if declaration is not None else []
        if not any(child.type == "default" for child in node.children):
            return found
        if value is not None:
            given: ast.expr = self._expr(value)
        elif declaration is not None and declaration.child_by_field_name("name") is not None:
            given = cast(ast.expr, self._at(ast.Name(self._name(declaration)), declaration))
        else:
            return found
        default = cast(ast.expr, self._at(ast.Name("default"), node))
        return [*found, self._located(ast.Assign([default], given), node)]

    def _located(self, lowered: ast.stmt, node: Node) -> ast.stmt:
        return cast(ast.stmt, self._at(lowered, node))

    def _expression_statement(self, node: Node) -> ast.stmt:
        if node.type == "assignment_expression":
            target = self._target(node.child_by_field_name("left"))
            value = self._expr(node.child_by_field_name("right"))
            return self._located(ast.Assign([target], value), node)
        if node.type in ("augmented_assignment_expression", "update_expression"):
            name = node.child_by_field_name("left") or node.child_by_field_name("argument")
            target = cast(ast.Name, self._target(name))
            changed = ast.AugAssign(target, ast.Add(), ast.Constant(None))
            return self._located(changed, node)
        return self._located(ast.Expr(self._expr(node)), node)

    def _declaration(self, node: Node) -> list[ast.stmt]:
        found: list[ast.stmt] = []
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            if name is None or value is None:
                continue  # `let x;`: what it is given later is its assignment
            if name.type == "identifier" and value.type in _FUNCTIONS:
                # const bucketProps = (...) => ({...}): a function of the module.
                found.append(self._function(value, self._text(name)))
                continue
            target = self._target(name)
            found.append(self._located(ast.Assign([target], self._expr(value)), declarator))
        return found

    def _target(self, node: Node | None) -> ast.expr:
        """What an assignment binds: a name, an attribute, or a destructuring pattern's
        names (each bound to what cannot be followed)."""
        if node is not None and node.type in ("identifier", "member_expression"):
            return self._expr(node)
        names = [
            cast(ast.expr, self._at(ast.Name(self._text(n)), n)) for n in self._pattern_names(node)
        ]
        return cast(ast.expr, self._at(ast.Tuple(names), node) if node else ast.Tuple([]))

    def _pattern_names(self, node: Node | None) -> list[Node]:
        """The identifiers a destructuring pattern or parameter binds."""
        found: list[Node] = []
        pending = [node] if node is not None else []
        while pending:
            current = pending.pop()
            if current.type in ("identifier", "shorthand_property_identifier_pattern"):
                found.append(current)
            elif current.type == "pair_pattern":
                value = current.child_by_field_name("value")
                pending.extend([value] if value is not None else [])
            elif current.type in ("assignment_pattern", "object_assignment_pattern"):
                left = current.child_by_field_name("left")
                pending.extend([left] if left is not None else [])
            elif current.type in ("object_pattern", "array_pattern", "rest_pattern"):
                pending.extend(reversed(current.named_children))
        return found

    def _name(self, node: Node) -> str:
        name = node.child_by_field_name("name")
        return self._text(name) if name is not None else "<anonymous>"

    def _function(self, node: Node, name: str, method: bool = False) -> ast.stmt:
        body_node = node.child_by_field_name("body")
        if body_node is not None and body_node.type != "statement_block":
            body: list[ast.stmt] = [self._located(ast.Return(self._expr(body_node)), body_node)]
        else:
            body = self._block(body_node)
        arguments, slots = self._signature(node, method)
        function = ast.FunctionDef(
            name=name, args=arguments, body=body, decorator_list=[], returns=None
        )
        self.slots[id(function)] = slots
        return self._located(function, node)

    def _parameters(self, node: Node, method: bool) -> ast.arguments:
        return self._signature(node, method)[0]

    def _signature(
        self, node: Node, method: bool
    ) -> tuple[ast.arguments, list[tuple[str | None, ast.expr | None]]]:
        """A function's parameters, and each by position: its name (None for a
        destructuring pattern or a rest parameter) and its default. Defaults are kept in
        the tree, so that their names are read in the function's module."""
        single = node.child_by_field_name("parameter")  # x => ...
        listed = node.child_by_field_name("parameters")
        names = ["self"] if method else []
        slots: list[tuple[str | None, ast.expr | None]] = []
        if single is not None:
            names.append(self._text(single))
            slots.append((self._text(single), None))
        defaults: list[ast.expr] = []
        for parameter in listed.named_children if listed is not None else []:
            pattern = parameter.child_by_field_name("pattern")
            names += [self._text(n) for n in self._pattern_names(pattern)]
            default_node = parameter.child_by_field_name("value")
            default = self._expr(default_node) if default_node is not None else None
            defaults += [default] if default is not None else []
            named = pattern is not None and pattern.type == "identifier"
            slots.append((self._text(pattern) if pattern is not None and named else None, default))
        arguments = ast.arguments(
            posonlyargs=[],
            args=[ast.arg(arg=name) for name in names],
            vararg=None,
            kwonlyargs=[],
            kw_defaults=[],
            kwarg=None,
            defaults=defaults,
        )
        return arguments, slots

    def _class(self, node: Node) -> ast.stmt:
        body: list[ast.stmt] = []
        members = node.child_by_field_name("body")
        for member in members.named_children if members is not None else []:
            if member.type == "method_definition":
                name = self._name(member)
                name = "__init__" if name == "constructor" else python_name(name)
                method = cast(ast.FunctionDef, self._function(member, name, method=True))
                if name == "__init__":
                    method.body[:0] = self._parameter_properties(member)
                body.append(method)
            elif member.type == "public_field_definition":
                name_node = member.child_by_field_name("name")
                value = member.child_by_field_name("value")
                if name_node is None or value is None:
                    continue
                # A field's initialiser is an assignment to this.field.
                attribute = self._at(
                    ast.Attribute(ast.Name("self"), python_name(self._text(name_node))), name_node
                )
                assigned = ast.Assign([cast(ast.expr, attribute)], self._expr(value))
                body.append(self._located(assigned, member))
        bases = []
        for heritage in node.named_children:
            if heritage.type == "class_heritage":
                for clause in heritage.named_children:
                    if clause.type == "extends_clause":
                        value = clause.child_by_field_name("value")
                        bases += [self._expr(value)] if value is not None else []
        lowered = ast.ClassDef(
            name=self._name(node),
            bases=bases,
            keywords=[],
            body=body or [ast.Pass()],
            decorator_list=[],
        )
        return self._located(lowered, node)

    def _parameter_properties(self, constructor: Node) -> list[ast.stmt]:
        """``constructor(private readonly props: Props)`` is also ``this.props = props``."""
        listed = constructor.child_by_field_name("parameters")
        found: list[ast.stmt] = []
        for parameter in listed.named_children if listed is not None else []:
            pattern = parameter.child_by_field_name("pattern")
            modified = any(
                child.type in ("accessibility_modifier", "readonly", "override_modifier")
                for child in parameter.children
            )
            if modified and pattern is not None and pattern.type == "identifier":
                name = self._text(pattern)
                field_ = self._at(ast.Attribute(ast.Name("self"), python_name(name)), pattern)
                value = self._at(ast.Name(name), pattern)
                assigned = ast.Assign([cast(ast.expr, field_)], cast(ast.expr, value))
                found.append(self._located(assigned, parameter))
        return found

    def _loop(self, node: Node) -> ast.stmt:
        body = self._block(node.child_by_field_name("body"))
        if node.type == "for_in_statement":
            target = self._target(node.child_by_field_name("left"))
            iterated = self._expr(node.child_by_field_name("right"))
            return self._located(ast.For(target, iterated, body, []), node)
        if node.type == "for_statement":
            setup = node.child_by_field_name("initializer")
            body = (self._statement(setup) if setup is not None else []) + body
        condition = node.child_by_field_name("condition")
        return self._located(ast.While(self._opaque(node, condition), body, []), node)

    def _try(self, node: Node) -> ast.stmt:
        handler = node.child_by_field_name("handler")
        finalizer = node.child_by_field_name("finalizer")
        handlers = []
        if handler is not None:
            body = self._block(handler.child_by_field_name("body"))
            handlers.append(ast.ExceptHandler(type=None, name=None, body=body))
        final = self._block(finalizer.child_by_field_name("body")) if finalizer else []
        body = self._block(node.child_by_field_name("body"))
        return self._located(ast.Try(body, handlers, [], final), node)

    def _switch(self, node: Node) -> list[ast.stmt]:
        cases = node.child_by_field_name("body")
        found: list[ast.stmt] = []
        for case in cases.named_children if cases is not None else []:
            statements = case.children_by_field_name("body")
            if statements:
                test = self._opaque(case, case.child_by_field_name("value"))
                found.append(
                    self._located(
                        ast.If(test, self._statements(statements) or [ast.Pass()], []), case
                    )
                )
        return found

    # Expressions --------------------------------------------------------------------------

    @nesting_bounded(_UNREADABLE)
    def _expr(self, node: Node | None) -> ast.expr:
        if node is None:
            return ast.Constant(None)
        while node.type in _WRAPPERS and _first(node) is not None:
            node = cast("Node", _first(node))
        lowered = self._lower(node)
        return cast(ast.expr, self._at(lowered, node))

    def _lower(self, node: Node) -> ast.AST:
        kind = node.type
        if kind == "identifier":
            name = self._text(node)
            return ast.Constant(None) if name == "undefined" else ast.Name(name)
        if kind == "this":
            return ast.Name("self")
        if kind in ("true", "false", "null", "undefined"):
            return ast.Constant({"true": True, "false": False}.get(kind))
        if kind == "number":
            return ast.Constant(_number(self._text(node)))
        if kind == "string":
            return ast.Constant(self._string(node))
        if kind == "template_string":
            return self._template(node)
        if kind == "member_expression":
            return self._member(node)
        if kind == "subscript_expression":
            value = self._expr(node.child_by_field_name("object"))
            return ast.Subscript(value, self._expr(node.child_by_field_name("index")))
        if kind in ("call_expression", "new_expression"):
            return self._call(node)
        if kind == "array":
            return ast.List([self._element(child) for child in _values(node)])
        if kind == "object":
            return self._object(node)
        if kind == "binary_expression":
            return self._binary(node)
        if kind == "unary_expression":
            operator = node.child_by_field_name("operator")
            operand = self._expr(node.child_by_field_name("argument"))
            sign = self._text(operator) if operator is not None else ""
            if sign == "-":
                return ast.UnaryOp(ast.USub(), operand)
            return ast.UnaryOp(ast.Not(), operand) if sign == "!" else ast.Set([operand])
        if kind == "ternary_expression":
            test, body, orelse = (
                self._expr(node.child_by_field_name(name))
                for name in ("condition", "consequence", "alternative")
            )
            return ast.IfExp(test, body, orelse)
        if kind == "await_expression":
            return ast.Await(self._expr(_first(node)))
        if kind in _FUNCTIONS:
            return self._function_expression(node)
        if kind == "assignment_expression":
            value = self._expr(node.child_by_field_name("right"))
            left = node.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                return ast.NamedExpr(cast(ast.Name, self._expr(left)), value)
            return ast.Set([value])
        return self._opaque(node, *node.named_children)

    def _opaque(self, node: Node, *children: Node | None) -> ast.expr:
        """What cannot be known without running the code; what is inside it is still
        read for the constructs it makes."""
        inner = [self._expr(child) for child in children if child is not None]
        return cast(ast.expr, self._at(ast.Set(inner), node))

    def _member(self, node: Node) -> ast.AST:
        owner = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        name = self._text(prop) if prop is not None else ""
        if (
            owner is not None
            and owner.type == "identifier"
            and self._text(owner) == "JSON"
            and name == "stringify"
        ):
            name = "dumps"
        return ast.Attribute(self._expr(owner), python_name(name))

    def _function_expression(self, node: Node) -> ast.AST:
        body = node.child_by_field_name("body")
        if body is not None and body.type != "statement_block":
            return ast.Lambda(self._parameters(node, method=False), self._expr(body))
        # A callback with a body of statements: a function in place (the Python reader
        # walks into it and scopes its names to it).
        return self._function(node, "<lambda>")

    def _binary(self, node: Node) -> ast.AST:
        left = self._expr(node.child_by_field_name("left"))
        right = self._expr(node.child_by_field_name("right"))
        operator_node = node.child_by_field_name("operator")
        operator = self._text(operator_node) if operator_node is not None else ""
        if operator in _BINARY:
            return ast.BinOp(left, _BINARY[operator], right)
        if operator in ("&&", "||", "??"):
            return ast.BoolOp(ast.And() if operator == "&&" else ast.Or(), [left, right])
        return ast.Compare(left, [ast.Eq()], [right])

    def _element(self, node: Node) -> ast.expr:
        if node.type == "spread_element":
            inner = self._expr(_first(node))
            return cast(ast.expr, self._at(ast.Starred(inner), node))
        return self._expr(node)

    def _object(self, node: Node) -> ast.AST:
        keys: list[ast.expr | None] = []
        values: list[ast.expr] = []
        for key, value, entry in self._entries(node):
            keys.append(None if key is None else cast(ast.expr, self._at(ast.Constant(key), entry)))
            values.append(value)
        return ast.Dict(keys, values)

    def _entries(self, node: Node) -> Iterator[tuple[str | None, ast.expr, Node]]:
        """An object literal's entries: (key, value, where the key is written); a spread's
        key is None, and so is a computed key's (its entry's value then reads as unknown:
        an object with a key no one can know)."""
        for entry in _values(node):
            if entry.type == "pair":
                key_node = entry.child_by_field_name("key")
                key = self._key(key_node) if key_node is not None else None
                value = self._expr(entry.child_by_field_name("value"))
                if key is None:
                    value = cast(ast.expr, self._at(ast.Set([value]), entry))
                yield key, value, entry
            elif entry.type == "shorthand_property_identifier":
                yield (
                    self._text(entry),
                    cast(ast.expr, self._at(ast.Name(self._text(entry)), entry)),
                    entry,
                )
            elif entry.type == "spread_element":
                yield None, self._expr(_first(entry)), entry
            else:  # a method, a getter
                yield (
                    self._key(entry.child_by_field_name("name")),
                    self._opaque(entry),
                    entry,
                )

    def _key(self, node: Node | None) -> str | None:
        if node is None:
            return None
        if node.type in ("property_identifier", "private_property_identifier"):
            return self._text(node)
        if node.type == "string":
            return self._string(node)
        if node.type == "number":
            return str(_number(self._text(node)))
        return None

    # Calls --------------------------------------------------------------------------------

    def _call(self, node: Node) -> ast.AST:
        is_new = node.type == "new_expression"
        callee = node.child_by_field_name("constructor" if is_new else "function")
        arguments = node.child_by_field_name("arguments")
        if arguments is not None and arguments.type != "arguments":  # a tagged template
            return self._opaque(node, callee, arguments)
        listed = _values(arguments) if arguments is not None else []
        if callee is not None and callee.type == "super":
            # super(scope, id, props) is super().__init__(scope, id, **props).
            made = self._at(ast.Call(ast.Name("super"), [], []), callee)
            func: ast.expr = ast.Attribute(cast(ast.expr, made), "__init__")
            is_new = True
        else:
            func = self._expr(callee)
        args = [self._element(child) for child in listed]
        keywords: list[ast.keyword] = []
        props = listed[-1] if listed else None
        if props is not None and _takes_props(func, listed, is_new):
            args.pop()
            keywords = self._keywords(props)
        return ast.Call(func, args, keywords)

    def _keywords(self, props: Node) -> list[ast.keyword]:
        """A props object as keyword arguments (a spread as ``**``); props held elsewhere
        are ``**props``."""
        if props.type != "object":
            return [cast(ast.keyword, self._at(ast.keyword(None, self._expr(props)), props))]
        keywords = []
        for key, value, entry in self._entries(props):
            name = cdk._snake(key) if key is not None else None
            keywords.append(cast(ast.keyword, self._at(ast.keyword(name, value), entry)))
        return keywords

    # Strings ------------------------------------------------------------------------------

    def _string(self, node: Node) -> str:
        parts = []
        for part in node.named_children:
            text = self._text(part)
            parts.append(_unescape(text) if part.type == "escape_sequence" else text)
        return "".join(parts)

    def _template(self, node: Node) -> ast.AST:
        values: list[ast.expr] = []
        text: list[str] = []
        for part in node.named_children:
            if part.type == "template_substitution":
                if text:
                    values.append(ast.Constant("".join(text)))
                    text = []
                inner = self._expr(_first(part))
                values.append(ast.FormattedValue(inner, -1, None))
            else:
                raw = self._text(part)
                text.append(_unescape(raw) if part.type == "escape_sequence" else raw)
        if not values:
            return ast.Constant("".join(text))
        if text:
            values.append(ast.Constant("".join(text)))
        return ast.JoinedStr(values)


def _by_python_name(names: Iterable[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in names:
        found.setdefault(python_name(name), []).append(name)
    return found


def _root(expr: ast.expr) -> ast.expr:
    """The name an attribute or subscript chain starts from."""
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        expr = expr.value
    return expr


def _on_self(expr: ast.Attribute) -> bool:
    return isinstance(expr.value, ast.Name) and expr.value.id == "self"


def _values(node: Node) -> list[Node]:
    """A node's named children, comments left out."""
    return [child for child in node.named_children if child.type != "comment"]


def _first(node: Node) -> Node | None:
    return next((child for child in node.named_children if child.type != "comment"), None)


def _takes_props(func: ast.expr, listed: list[Node], is_new: bool) -> bool:
    """Whether a call's last argument is its props (the Python CDK's keyword arguments).

    An object literal is, except where CDK takes plain data (``PolicyDocument.fromJson``,
    ``JSON.stringify``). Props held elsewhere are recognised by the place CDK gives them:
    the third argument of a construct (``new X(scope, id, props)``, ``super(...)``,
    ``metric.createAlarm(this, 'Id', props)``; not ``fromRoleArn(this, 'Id', arn)``) and the
    only argument of a struct class (``new iam.PolicyStatement(props)``; not of a
    principal, which takes a name)."""
    last = listed[-1]
    method = func.attr if isinstance(func, ast.Attribute) else ""
    if last.type == "object":
        return method not in ("from_json", "dumps")
    if last.type in _LITERALS or last.type == "spread_element":
        return False
    named = method or (func.id if isinstance(func, ast.Name) else "")
    if is_new:
        return len(listed) == 3 or (len(listed) == 1 and not named.endswith("Principal"))
    scoped = listed[0].type == "this"
    return len(listed) == 3 and scoped and not method.startswith("from_")


def _number(text: str) -> int | float:
    digits = text.replace("_", "").removesuffix("n")
    try:
        if digits[:2].lower() in ("0x", "0o", "0b"):
            return int(digits)
        return int(digits) if digits.isdigit() else float(digits)
    except ValueError:
        return float("nan")


def _unescape(escape: str) -> str:
    """One JavaScript escape sequence's character (``\\n``, ``\\x41``, ``\\u{1F600}``)."""
    body = escape[1:]
    if body[:1] in ("\n", "\r"):
        return ""  # a line continuation
    if body[:1] in ("x", "u"):
        digits = body[1:].strip("{}")
        try:
            return chr(int(digits, 16))
        except (ValueError, OverflowError):
            return escape
    return _ESCAPES.get(body, body)
