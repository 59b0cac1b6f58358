"""Python expressions read as values, following names within one module.

A name is followed to its assignment: in the scope that uses it, the last assignment before
the use; in an enclosing function or the module, the last one there (a function runs after
the module has been read, and a notebook's later cells still run before code that calls
back). A name is **unknown** when any of its assignments in the scope that binds it is
conditional (under ``if``/``for``/``while``/``except``/``match``), when something other than a
plain assignment binds it (a parameter of the enclosing function, a loop or ``with`` target,
an import, unpacking, ``+=``), or when nothing in the module binds it. Literals, lists,
tuples, dicts with literal keys and subscripts into them are followed; a call is kept as the
call (a reader that knows the callee reads its arguments) and anything else is unknown.
SageMaker Pipelines parameters (``ParameterInteger(name=…, default_value=2)``) read as their
declared default, as a CloudFormation parameter's default is. Strings built from known parts
(f-strings, ``+``, ``str.format`` with plain fields, ``str.join``) are known.

Given the project (:class:`Project`, built by :mod:`mllint_wa.evidence.python_flow`), the
resolver also leaves the module: a call of a project function is the value it returns; a
parameter is the argument of the call being read (:class:`Context`), so that an extractor
reads a resource built inside a helper once per call (:meth:`Values.contexts`); and JSON or
YAML files read by a literal path are data. Nothing is imported or run.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import field, replace
from types import EllipsisType
from typing import Protocol, TypeVar

from mllint_wa.bounded import fan_out_bounded, nesting_bounded
from mllint_wa.model import Location
from mllint_wa.parsers.python_code import PythonModule, quote_expression, quote_repeated
from mllint_wa.records import dataclass

Caller = TypeVar("Caller")
Called = TypeVar("Called")
# Followed names and nested containers deeper than this are unknown: a bound on cycles
# (``x = y; y = x``) and on hostile nesting.
_MAX_DEPTH = 24
# Values read for one value at most (its parts, the names and calls followed): a bound on
# what fans out (a list of names each holding a list of the same names).
MAX_VALUES_READ = 20_000
_SCOPE_NODES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_PIPELINE_PARAMETERS = frozenset(
    {"ParameterInteger", "ParameterString", "ParameterFloat", "ParameterBoolean"}
)
_ARITHMETIC: dict[type[ast.operator], Callable[[int, int], int]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
}
MAX_INT = 10**15  # no duration or size in a definition is larger; bounds a product chain
_MAX_TEXT = 10_000  # characters of a string built by formatting or joining
# In-place changes (``d["k"] = v``, ``d.update(…)``) to one dict or list past which what the
# name holds is unknown: no configuration is built over more statements, and each read of the
# name goes through every change.
MAX_CHANGES = 512
# A project function's parameters are read from its calls when it is called at most this
# many times (counting each of its callers' own calls), through at most this many levels of
# calls: a helper, the helper that calls it, and one more.
MAX_CALL_SITES = 8
MAX_CALL_DEPTH = 3
_CONVERSIONS: dict[int, Callable[[object], str]] = {
    -1: str,
    ord("s"): str,
    ord("r"): repr,
    ord("a"): ascii,
}
# A str.format template whose fields are all plain: ``{}``, ``{0}``, ``{name}``.
_PLAIN_FIELDS = re.compile(r"[^{}]*(?:\{(?:\d*|[A-Za-z_]\w*)\}[^{}]*)*")
_DOCUMENT_READERS = {"json.load": "json", "json.loads": "json", "yaml.safe_load": "yaml"}
# Methods that change a dict or list in place.
_IN_PLACE = frozenset(
    {"update", "setdefault", "pop", "popitem", "clear", "append", "extend", "insert", "remove"}
)
_PATHS = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"})


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# Expressions with more nodes than this are described, not unparsed, in messages.
_UNPARSE_LIMIT = 40
_WRITTEN = 80  # characters of an expression's source kept for messages


@dataclass(frozen=True)
class Val:
    """A resolved expression. A known value holds a literal (str, int, float, bool, None),
    a ``list`` of :class:`Val`, a ``dict`` of str → :class:`Val`, or the :class:`ast.Call`
    that builds it. ``node`` is where the value is written (a dict entry: its key);
    ``written`` is its source text, for messages; ``expr`` the expression it was read from
    (for an unknown value: the one that could not be followed)."""

    known: bool
    value: object = None
    node: ast.AST | None = None
    written: str = ""
    expr: ast.AST | None = None
    # The module ``node`` is in and the call that bound the function's parameters there,
    # when the value was followed out of the module that asked for it; ``place``: where a
    # value read from a configuration file is written.
    home: Values | None = field(default=None, compare=False, repr=False)
    context: Context | None = field(default=None, compare=False, repr=False)
    place: Location | None = field(default=None, compare=False)

    @property
    def call(self) -> ast.Call | None:
        return self.value if self.known and isinstance(self.value, ast.Call) else None

    def moved(self, node: ast.AST | None, home: Values | None, context: Context | None) -> Val:
        """The value written at ``node`` of ``home``'s module, read with ``context``: what
        :func:`dataclasses.replace` makes, without its generic work, for the copies made
        of every value read."""
        return Val(self.known, self.value, node, self.written, self.expr, home, context, self.place)

    @nesting_bounded(...)
    def plain(self) -> object:
        """The value as plain Python; ``...`` when anything inside is unknown or a call."""
        if not self.known or isinstance(self.value, ast.Call):
            return ...
        if isinstance(self.value, list):
            items = [item.plain() for item in self.value]
            return ... if any(item is ... for item in items) else items
        if isinstance(self.value, dict):
            entries = {key: item.plain() for key, item in self.value.items()}
            return ... if any(item is ... for item in entries.values()) else entries
        return self.value


def written(node: ast.AST) -> str:
    """Short source text of an expression: a call's callee with ``(…)``, small expressions
    in full, anything bigger by kind; redacted and cut like every quote of the project."""
    prefix = ""
    if isinstance(node, ast.keyword):
        if node.arg is not None:
            return node.arg
        prefix, node = "**", node.value
    # A chain of calls and attributes is read from its end, as long as it is.
    suffixes: list[str] = []
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call):
            suffixes.append("(…)")
            node = node.func
        else:
            suffixes.append(f".{node.attr}")
            node = node.value
    if isinstance(node, ast.Name):
        head = node.id
    elif not isinstance(node, ast.Constant) and any(
        count >= _UNPARSE_LIMIT for count, _ in enumerate(ast.walk(node))
    ):
        head = "an expression"
    else:
        head = quote_expression(node, _WRITTEN)
    return quote_repeated(prefix + head + "".join(reversed(suffixes)), _WRITTEN)


@dataclass(frozen=True)
class Setting:
    """``obj.attribute = value`` after ``obj`` was built; ``target`` is where it is written."""

    attribute: str
    target: ast.expr
    value: ast.expr
    conditional: bool


@dataclass
class _Binding:
    end: tuple[int, int]  # where the binding statement ends: uses after it see it
    value: ast.expr | None  # None: bound by something that is not a plain assignment
    conditional: bool


@dataclass(frozen=True)
class _Change:
    """A change made in place to the dict or list a name holds: ``key`` and ``value`` of a
    ``name["key"] = value`` statement or a ``name.update(…)`` of known keys, both None for
    any other change."""

    at: tuple[int, int]
    key: ast.expr | None
    value: ast.expr | None
    conditional: bool


@dataclass
class _Scope:
    node: ast.AST
    parent: _Scope | None
    names: dict[str, list[_Binding]] = field(default_factory=dict)
    parameters: set[str] = field(default_factory=set)
    # ``obj.attr = value`` statements: object name → settings, in source order
    settings: dict[str, list[Setting]] = field(default_factory=dict)
    # ``d["key"] = value``, ``d.update(…)``, ``items.append(…)`` statements: name → changes
    changes: dict[str, list[_Change]] = field(default_factory=dict)

    def bind(
        self, name: str, statement: ast.AST, value: ast.expr | None, conditional: bool
    ) -> None:
        end = (getattr(statement, "end_lineno", 0) or 0, getattr(statement, "end_col_offset", 0))
        self.names.setdefault(name, []).append(_Binding(end, value, conditional))


class Values:
    """Resolves expressions of one module; built once per module."""

    def __init__(
        self, module: PythonModule, path: str = "", project: Project | None = None
    ) -> None:
        self.module = module
        self.path = path
        self.project = project
        self._scopes: dict[int, _Scope] = {}
        self._parents = module.index.parents()
        # Each expression's quoted text, made once: a name read in many places is
        # resolved as often, and quoting redacts.
        self._texts: dict[ast.AST, str] = {}
        # The reads of this module's values that ran out of MAX_VALUES_READ (an expression
        # at a depth in a context), each with the budget it was given.
        self.ran_out: dict[Hashable, int] = {}
        # The walrus targets and lambdas of the module, by each statement that holds them:
        # what a statement binds beside its own targets.
        self._held: dict[int, list[ast.AST]] = {}
        for node in module.index.of_any(ast.NamedExpr, ast.Lambda):
            holder = self._parents.get(node)
            while holder is not None:
                if isinstance(holder, ast.stmt):
                    self._held.setdefault(id(holder), []).append(node)
                holder = self._parents.get(holder)
        # The statements holding a call that changes a name's dict or list in place: only
        # these are searched for their changes when the bindings are collected.
        self._changing = {
            id(self.statement_of(call))
            for call in module.index.of(ast.Call)
            if _changed_in_place(call) is not None
        }
        root = _Scope(module.tree, None)
        self._scopes[id(module.tree)] = root
        self._collect(module.tree.body, root, conditional=False)

    @property
    def parents(self) -> Mapping[ast.AST, ast.AST]:
        """Each node's parent in the module, made once with the resolver."""
        return self._parents

    # Scopes -------------------------------------------------------------------------------

    @nesting_bounded(None)
    def _collect(self, body: list[ast.stmt], scope: _Scope, conditional: bool) -> None:
        """Record the bindings of ``body``'s statements in ``scope``; nested functions and
        classes get scopes of their own. Statement nesting is bounded by Python's parser."""
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                scope.bind(statement.name, statement, None, conditional)
                inner = _Scope(statement, scope)
                self._scopes[id(statement)] = inner
                if not isinstance(statement, ast.ClassDef):
                    arguments = statement.args
                    inner.parameters.update(
                        a.arg
                        for a in (
                            *arguments.posonlyargs,
                            *arguments.args,
                            *arguments.kwonlyargs,
                            *(x for x in (arguments.vararg, arguments.kwarg) if x),
                        )
                    )
                self._collect(statement.body, inner, conditional=False)
                continue
            self._bind_statement(statement, scope, conditional)
            self._record_changes(statement, scope, conditional)
            for node in self._held.get(id(statement), ()):
                if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                    scope.bind(node.target.id, statement, None, conditional)
                elif isinstance(node, ast.Lambda):
                    self._lambda_scope(node, scope)
            for name, nested in _blocks(statement):
                self._collect(nested, scope, conditional or name != "body-unconditional")

    def _record_changes(self, statement: ast.stmt, scope: _Scope, conditional: bool) -> None:
        """Changes the statement makes in place to a name's dict or list (nested
        statements are recorded when they are collected)."""
        at = (statement.lineno, statement.col_offset)
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
            targets = [statement.target]
        elif isinstance(statement, ast.Delete):
            targets = statement.targets
        for target in targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                keyed = isinstance(statement, ast.Assign) and len(statement.targets) == 1
                value = statement.value if isinstance(statement, ast.Assign) and keyed else None
                change = _Change(at, target.slice if keyed else None, value, conditional)
                scope.changes.setdefault(target.value.id, []).append(change)
        if id(statement) not in self._changing:
            return
        for node in _own_nodes(statement):
            if not isinstance(node, ast.Call):
                continue
            changed = _changed_in_place(node)
            if changed is not None:
                changes = scope.changes.setdefault(changed, [])
                changes.extend(_Change(at, k, v, conditional) for k, v in _updated_keys(node))

    def _lambda_scope(self, node: ast.Lambda, parent: _Scope) -> None:
        inner = _Scope(node, parent)
        arguments = node.args
        inner.parameters.update(a.arg for a in (*arguments.posonlyargs, *arguments.args))
        inner.parameters.update(a.arg for a in arguments.kwonlyargs)
        self._scopes[id(node)] = inner

    def _bind_statement(self, statement: ast.stmt, scope: _Scope, conditional: bool) -> None:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                self._bind_target(target, statement, statement.value, scope, conditional)
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            self._bind_target(statement.target, statement, statement.value, scope, conditional)
        elif isinstance(statement, (ast.AugAssign, ast.For, ast.AsyncFor)):
            self._bind_target(statement.target, statement, None, scope, conditional)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                if item.optional_vars is not None:
                    # ``with open("config.json") as f``: f is the opened file, read by name.
                    opened = item.context_expr if _opens_file(self.module, item) else None
                    # Bound from the ``as`` on: the body sees it.
                    target = item.optional_vars
                    self._bind_target(target, target, opened, scope, conditional)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                name = alias.asname or alias.name.split(".")[0]
                scope.bind(name, statement, None, conditional)
        elif isinstance(statement, (ast.Global, ast.Nonlocal)):
            for name in statement.names:
                scope.bind(name, statement, None, True)
        elif isinstance(statement, ast.Delete):
            for target in statement.targets:
                self._bind_target(target, statement, None, scope, conditional)
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            for handler in getattr(statement, "handlers", ()):
                if handler.name:
                    scope.bind(handler.name, handler, None, True)

    @nesting_bounded(None)
    def _bind_target(
        self,
        target: ast.expr,
        statement: ast.AST,
        value: ast.expr | None,
        scope: _Scope,
        conditional: bool,
    ) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, statement, value, conditional)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            if value is not None:
                setting = Setting(target.attr, target, value, conditional)
                scope.settings.setdefault(target.value.id, []).append(setting)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(element, statement, None, scope, conditional)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, statement, None, scope, conditional)

    def statement_of(self, node: ast.AST) -> ast.stmt | None:
        """The innermost statement holding ``node`` (``node`` itself, a statement)."""
        found: ast.AST | None = node
        while found is not None and not isinstance(found, ast.stmt):
            found = self._parents.get(found)
        return found

    def sees_enclosing(self, read: ast.Name, outer: ast.AST) -> bool:
        """Whether ``read`` sees what the function, class or module ``outer`` around it binds
        to the name: no scope between them binds the name of its own (a parameter, an
        assignment, an import). A class body's names are seen by the class body alone, not
        by the functions defined in it, as in Python."""
        own = self.scope(read)
        current: _Scope | None = own
        while current is not None and current.node is not outer:
            hides = current is own or not isinstance(current.node, ast.ClassDef)
            if hides and (read.id in current.names or read.id in current.parameters):
                return False
            current = current.parent
        return current is not None

    def scope(self, node: ast.AST) -> _Scope:
        """The scope ``node`` stands in: the innermost function or class around it (its
        decorators and defaults included), or lambda whose body holds it, else the
        module's."""
        child, parent = node, self._parents.get(node)
        while parent is not None:
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or (
                isinstance(parent, ast.Lambda) and child is parent.body
            ):
                found = self._scopes.get(id(parent))
                if found is not None:
                    return found
            child, parent = parent, self._parents.get(parent)
        return self._scopes[id(self.module.tree)]

    # Names --------------------------------------------------------------------------------

    def binding(self, name: str, use: ast.AST) -> ast.expr | None:
        """The expression ``name`` holds where ``use`` stands, or None when it cannot be
        told (see the module's docstring)."""
        found = self._lookup(name, use)
        return found if isinstance(found, ast.expr) else None

    def _lookup(self, name: str, use: ast.AST) -> ast.expr | Parameter | None:
        """What :meth:`binding` finds, or the parameter of a function ``name`` is."""
        found = self._binding_of(name, use)
        if found is None or isinstance(found, Parameter):
            return found
        return found[1].value

    def _binding_of(
        self, name: str, use: ast.AST
    ) -> tuple[_Scope, _Binding, bool] | Parameter | None:
        """The scope and assignment ``name`` is bound by where ``use`` stands (and whether
        that is the scope of the use itself), or the parameter it is."""
        scope: _Scope | None = self.scope(use)
        here = (getattr(use, "lineno", 0), getattr(use, "col_offset", 0))
        first = True
        while scope is not None:
            if name in scope.parameters:
                node = scope.node
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    return Parameter(node, name)
                return None
            bindings = scope.names.get(name)
            if bindings:
                if any(b.conditional for b in bindings):
                    return None
                visible = [b for b in bindings if b.end <= here] if first else bindings
                return (scope, visible[-1], first) if visible else None
            scope = scope.parent
            # Class bodies are not visible from the methods inside them.
            while scope is not None and isinstance(scope.node, ast.ClassDef):
                scope = scope.parent
            first = False
        return None

    def settings_after(self, name: str, binding: ast.stmt) -> list[Setting]:
        """``name.attr = value`` statements in the scope of ``binding`` (the statement that
        bound ``name``) that follow it, up to the next rebinding of ``name``."""
        scope = self.scope(binding)
        start = (binding.end_lineno or 0, binding.end_col_offset or 0)
        rebound = [b.end for b in scope.names.get(name, []) if b.end > start]
        stop = min(rebound) if rebound else None
        return [
            setting
            for setting in scope.settings.get(name, [])
            if (setting.target.lineno, setting.target.col_offset) >= start
            and (stop is None or (setting.target.lineno, setting.target.col_offset) < stop)
        ]

    # Values -------------------------------------------------------------------------------

    @fan_out_bounded(
        Val(False, written="a value too large to read"),
        MAX_VALUES_READ,
        lambda values, node, depth=0, context=None: (values.ran_out, (node, depth, context)),
    )
    @nesting_bounded(Val(False, written="a value nested too deeply"))
    def value(self, node: ast.expr, depth: int = 0, context: Context | None = None) -> Val:
        """What ``node`` evaluates to, as far as the project tells; ``context`` is the call
        whose arguments the enclosing function's parameters hold."""
        found = self._value(node, depth, context)
        if found.home is None and found.place is None:
            return found.moved(found.node, self, context)
        return found

    def _unknown(self, node: ast.AST, text: str) -> Val:
        return Val(False, node=node, written=text, expr=node)

    def _value(self, node: ast.expr, depth: int, context: Context | None) -> Val:
        text = self._texts.get(node)
        if text is None:
            text = self._texts[node] = written(node)
        if depth > _MAX_DEPTH:
            return self._unknown(node, text)
        if isinstance(node, ast.Constant):
            # A literal beyond any size or duration (``0xfff…``) is no setting, and Python
            # refuses to write it in decimal.
            if isinstance(node.value, int) and abs(node.value) > MAX_INT:
                return self._unknown(node, text)
            return Val(True, node.value, node, text, node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.value(node.operand, depth + 1, context)
            number = inner.value
            if inner.known and isinstance(number, (int, float)) and not isinstance(number, bool):
                return Val(True, -number, node, text, node)
        elif isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            found = self._arithmetic(node, depth, context)
            if found is not None:
                return Val(True, found, node, text, node)
        elif isinstance(node, ast.JoinedStr):
            joined = self._joined(node, depth, context)
            if joined is not None:
                return Val(True, joined, node, text, node)
        elif isinstance(node, (ast.List, ast.Tuple)):
            if not any(isinstance(e, ast.Starred) for e in node.elts):
                items = [self.value(e, depth + 1, context) for e in node.elts]
                return Val(True, items, node, text, node)
        elif isinstance(node, ast.Dict):
            return self._dict(node, depth, text, context)
        elif isinstance(node, ast.Name):
            return self._name(node, depth, context)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            imported = self._imported(node.value.id, node.value, node.attr)
            if imported is not None:
                other, expr = imported
                return other.value(expr, depth + 1)
        elif isinstance(node, ast.Subscript):
            return self._subscript(node, depth, text, context)
        elif isinstance(node, ast.Call):
            return self._call(node, depth, text, context)
        return self._unknown(node, text)

    def _name(self, node: ast.Name, depth: int, context: Context | None) -> Val:
        found = self._binding_of(node.id, node)
        if isinstance(found, Parameter):
            if context is not None and context.function is found.function:
                return context.argument(found.name, depth + 1)
            return self._unknown(node, node.id)
        bound = found[1].value if found is not None else None
        if found is not None and bound is None:
            imported = self._imported(node.id, node)
            if imported is not None:
                other, expr = imported
                return other.value(expr, depth + 1)
        if found is not None and bound is not None:
            inner = self.value(bound, depth + 1, context)
            if inner.known and isinstance(inner.value, (dict, list)):
                inner = self._changed(inner, node, found, depth, context)
            if inner.known:
                return inner
            # What the name holds says more than the name (``pipeline parameter X``).
            return replace(inner, node=node, home=self, context=context, place=None)
        return self._unknown(node, node.id)

    def _imported(
        self, name: str, use: ast.Name, attribute: str | None = None
    ) -> tuple[Values, ast.expr] | None:
        """The constant of another project module that ``name`` (or ``name.attribute``, when
        ``name`` is a module) stands for, when ``name`` is bound only by one import at the
        top of this module."""
        found = self._binding_of(name, use)
        root = self._scopes[id(self.module.tree)]
        if self.project is None or not isinstance(found, tuple) or found[0] is not root:
            return None
        if len(root.names[name]) != 1 or found[1].value is not None:
            return None
        return self.project.constant(self, name, attribute)

    def module_constant(self, name: str) -> ast.expr | None:
        """What the top-level ``name`` holds for a module importing it: the expression of
        its one unconditional assignment, when nothing else binds or changes it."""
        root = self._scopes[id(self.module.tree)]
        bindings = root.names.get(name)
        if bindings is None or len(bindings) != 1 or bindings[0].conditional:
            return None
        if any(name in scope.changes or name in scope.settings for scope in self._scopes.values()):
            return None
        return bindings[0].value

    def _changed(
        self,
        held: Val,
        use: ast.Name,
        found: tuple[_Scope, _Binding, bool],
        depth: int,
        context: Context | None,
    ) -> Val:
        """The dict or list a name holds with the changes made to it in place between its
        assignment and ``use``: ``d["key"] = value`` in the same scope sets that key (to an
        unknown value when it is made under a condition); any other change, or one made in
        another function, makes the whole value unknown."""
        scope, binding, same_scope = found
        here = (use.lineno, use.col_offset)
        unknown = Val(False, node=use, written=use.id, expr=use)
        for other in self._scopes.values():
            if (
                other is not scope
                and use.id in other.changes
                and self._owner(other, use.id) is scope
            ):
                return unknown
        changes = scope.changes.get(use.id, [])
        if len(changes) > MAX_CHANGES:
            return unknown
        entries = dict(held.value) if isinstance(held.value, dict) else None
        for change in changes:
            if change.at < binding.end or (same_scope and change.at >= here):
                continue
            key = self.value(change.key, depth + 1, context).plain() if change.key else None
            if entries is None or change.value is None or not isinstance(key, str):
                return unknown
            changed = self.value(change.value, depth + 1, context)
            if change.conditional:
                changed = Val(False, node=change.value, written=changed.written, expr=change.value)
            entries[key] = changed
        return held if entries is None else replace(held, value=entries)

    @staticmethod
    def _owner(scope: _Scope, name: str) -> _Scope | None:
        """The scope whose binding of ``name`` a use in ``scope`` sees."""
        current: _Scope | None = scope
        while current is not None:
            if name in current.names or name in current.parameters:
                return current
            current = current.parent
        return None

    def _arithmetic(self, node: ast.BinOp, depth: int, context: Context | None) -> object:
        """Integer arithmetic on known integers (``24 * 60 * 60``, ``3 * DAY``), the way
        durations and sizes are written, and strings joined with ``+``; None when an operand
        is not known or the result leaves a bounded range."""
        left = self.value(node.left, depth + 1, context)
        right = self.value(node.right, depth + 1, context)
        a, b = left.value, right.value
        if not (left.known and right.known):
            return None
        if isinstance(node.op, ast.Add) and isinstance(a, str) and isinstance(b, str):
            return _bounded_text(a + b)
        if not (_is_int(a) and _is_int(b)):
            return None
        assert isinstance(a, int) and isinstance(b, int)
        if isinstance(node.op, ast.FloorDiv) and b == 0:
            return None
        result: int = _ARITHMETIC[type(node.op)](a, b)
        return result if abs(result) <= MAX_INT else None

    def _joined(self, node: ast.JoinedStr, depth: int, context: Context | None) -> str | None:
        """An f-string whose every part is known, formatted as Python would; None as soon
        as it grows past the bound on built text."""
        parts: list[str] = []
        length = 0
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                written_part = part.value
            elif isinstance(part, ast.FormattedValue) and part.format_spec is None:
                inner = self.value(part.value, depth + 1, context).plain()
                conversion = _CONVERSIONS.get(part.conversion)
                if not isinstance(inner, (str, int, float)) or conversion is None:
                    return None
                written_part = conversion(inner)
            else:
                return None
            length += len(written_part)
            if length > _MAX_TEXT:
                return None
            parts.append(written_part)
        return "".join(parts)

    def _dict(self, node: ast.Dict, depth: int, text: str, context: Context | None) -> Val:
        entries: dict[str, Val] = {}
        for key, item in zip(node.keys, node.values, strict=True):
            if key is None:  # ``**other``: merged when it is itself known
                merged = self.value(item, depth + 1, context)
                if not (merged.known and isinstance(merged.value, dict)):
                    return self._unknown(node, text)
                entries.update(merged.value)
                continue
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return self._unknown(node, text)
            entries[key.value] = _at(self.value(item, depth + 1, context), key, self)
        return Val(True, entries, node, text, node)

    def _subscript(
        self, node: ast.Subscript, depth: int, text: str, context: Context | None
    ) -> Val:
        container = self.value(node.value, depth + 1, context)
        index = self.value(node.slice, depth + 1, context)
        if container.known and index.known:
            items, key = container.value, index.value
            if isinstance(items, dict) and isinstance(key, str) and key in items:
                return items[key]  # type: ignore[no-any-return]
            if isinstance(items, list) and type(key) is int and -len(items) <= key < len(items):
                return items[key]  # type: ignore[no-any-return]
        return self._unknown(node, text)

    def _call(self, node: ast.Call, depth: int, text: str, context: Context | None) -> Val:
        name = self.module.qualified_name(node.func) or ""
        last = name.rpartition(".")[2]
        if last in _PIPELINE_PARAMETERS and name.startswith("sagemaker."):
            default = _argument(node, "default_value", 1)
            if default is not None:
                declared = self.value(default, depth + 1, context)
                if declared.known and not isinstance(declared.value, ast.Call):
                    return replace(declared, node=node, home=self, place=None)
            label = _argument(node, "name", 0)
            shown = label.value if isinstance(label, ast.Constant) else text
            shown = shown if isinstance(shown, str) else text
            return Val(False, node=node, written=f"pipeline parameter {shown}", expr=node)
        if name == "dict" and not node.args:
            return self._dict(
                ast.Dict(
                    keys=[
                        ast.copy_location(ast.Constant(k.arg), k) if k.arg else None
                        for k in node.keywords
                    ],
                    values=[k.value for k in node.keywords],
                ),
                depth,
                text,
                context,
            )
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
            formatted = self._string_method(node, node.func, depth, context)
            if formatted is not None:
                return Val(True, formatted, node, text, node)
        if name in _DOCUMENT_READERS and self.project is not None:
            return self._document(node, name, depth, text, context)
        if self.project is not None and depth < _MAX_DEPTH:
            returned = self._returned(node, depth, context)
            if returned is not None:
                return returned
        return Val(True, node, node, text, node)

    def _string_method(
        self, node: ast.Call, func: ast.Attribute, depth: int, context: Context | None
    ) -> str | None:
        """``"{}-{name}".format(a, name=b)`` and ``"-".join([a, b])`` with known parts."""
        template = self.value(func.value, depth + 1, context).plain()
        if not isinstance(template, str):
            return None
        if func.attr == "join":
            if len(node.args) != 1 or node.keywords:
                return None
            items = self.value(node.args[0], depth + 1, context).plain()
            if not (isinstance(items, list) and all(isinstance(i, str) for i in items)):
                return None
            # Measured before it is built: a list of long strings must not be joined.
            joined = sum(map(len, items)) + len(template) * max(0, len(items) - 1)
            return template.join(items) if joined <= _MAX_TEXT else None
        if any(isinstance(a, ast.Starred) for a in node.args):
            return None
        if any(k.arg is None for k in node.keywords) or "{{" in template or "}}" in template:
            return None
        positional = [self.value(a, depth + 1, context).plain() for a in node.args]
        named = {
            k.arg or "": self.value(k.value, depth + 1, context).plain() for k in node.keywords
        }
        parts = [*positional, *named.values()]
        if not all(isinstance(p, (str, int, float)) for p in parts):
            return None
        # Only plain fields: ``{}``, ``{0}``, ``{name}``; a field with a format spec, a
        # conversion, an attribute or an index is not followed.
        if not _PLAIN_FIELDS.fullmatch(template):
            return None
        # Measured before it is formatted: a field repeated many times must not be filled.
        longest = max((len(str(p)) for p in parts), default=0)
        if len(template) + template.count("{") * longest > _MAX_TEXT:
            return None
        try:
            return template.format(*positional, **named)
        except (IndexError, KeyError, ValueError):
            return None

    def _document(
        self, node: ast.Call, reader: str, depth: int, text: str, context: Context | None
    ) -> Val:
        """A JSON or YAML file of the repository, read by ``json.load(open(path))``,
        ``json.loads(Path(path).read_text())``, ``yaml.safe_load(f)`` and the like."""
        assert self.project is not None
        source = node.args[0] if len(node.args) == 1 and not node.keywords else None
        named = self._opened_path(source, depth, context) if source is not None else None
        if named is None:
            return Val(True, node, node, text, node)
        document = self.project.document(self.path, named, _DOCUMENT_READERS[reader])
        return document if document is not None else self._unknown(node, text)

    def _opened_path(self, source: ast.expr, depth: int, context: Context | None) -> str | None:
        """The literal path of a file a reader is given: ``open(p)``, ``open(p).read()``,
        ``Path(p).read_text()``, ``Path(p).open()``, or a name bound to one of them."""
        opened = self.value(source, depth + 1, context)
        call = opened.call
        home = opened.home or self
        if call is None:
            return None
        callee = home.module.qualified_name(call.func) or ""
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("read", "read_text", "open"):
            inner = call.func.value
            if call.func.attr == "read":
                return home._opened_path(inner, depth + 1, opened.context)
            built = home.value(inner, depth + 1, opened.context).call
            if built is None or (home.module.qualified_name(built.func) or "") not in _PATHS:
                return None
            call = built
        elif callee != "open" or _mode(call) not in ("r", "rt"):
            return None
        if len(call.args) < 1:
            return None
        path = home.value(call.args[0], depth + 1, opened.context).plain()
        return path if isinstance(path, str) else None

    def _returned(self, node: ast.Call, depth: int, context: Context | None) -> Val | None:
        """What a function of the project returns, when its body has one ``return`` of an
        expression, read with its parameters bound to this call's arguments."""
        assert self.project is not None
        if context is not None and context.depth >= MAX_CALL_DEPTH:
            return None
        found = self.project.function(self, node.func)
        if found is None:
            return None
        home, function = found
        returned = _single_return(function)
        if returned is None:
            return None
        called = Context(function, node, self, context, (context.depth + 1) if context else 1)
        result = home.value(returned, depth + 1, called)
        return result if result.known else None

    # Functions ----------------------------------------------------------------------------

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The function whose body holds ``node`` (not a lambda's, not a class body's)."""
        scope = self.scope(node).node
        return scope if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) else None

    def contexts(self, node: ast.AST) -> list[Context]:
        """The calls of the project that run the function holding ``node`` with their
        arguments, each with the calls that run its caller, up to :data:`MAX_CALL_DEPTH`
        levels; empty when the function is not called, is called more often than
        :data:`MAX_CALL_SITES` times, or ``node`` is not in a function."""
        function = self.function_of(node)
        if function is None or self.project is None:
            return []
        return self._contexts(function, 1)

    @nesting_bounded([])
    def _contexts(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, depth: int
    ) -> list[Context]:
        assert self.project is not None

        def callers(caller: Values, call: ast.Call) -> list[Context]:
            outer = caller.function_of(call)
            return caller._contexts(outer, depth + 1) if outer is not None else []

        return per_call(
            self.project.call_sites(self, function),
            depth,
            callers,
            lambda caller, call, parent: Context(function, call, caller, parent, depth),
        )


def per_call(
    sites: list[tuple[Caller, ast.Call]] | None,
    depth: int,
    callers: Callable[[Caller, ast.Call], list[Called]],
    made: Callable[[Caller, ast.Call, Called | None], Called],
) -> list[Called]:
    """Each way a function is run: one for each of its ``sites`` (a calling module and
    the call) and each way its caller is run (``callers``, asked down to
    :data:`MAX_CALL_DEPTH` levels); none when the function is not called or the ways
    outnumber :data:`MAX_CALL_SITES` (also the TypeScript CDK reader's)."""
    if sites is None or len(sites) > MAX_CALL_SITES:
        return []
    found: list[Called] = []
    for caller, call in sites:
        parents: list[Called | None] = [None]
        if depth < MAX_CALL_DEPTH:
            parents = [*callers(caller, call)] or [None]
        found += [made(caller, call, parent) for parent in parents]
        if len(found) > MAX_CALL_SITES:
            return []
    return found


@dataclass(frozen=True)
class Parameter:
    """A name that is a parameter of ``function``."""

    function: ast.FunctionDef | ast.AsyncFunctionDef
    name: str


@dataclass(frozen=True, eq=False)
class Context:
    """One call of a project function: its parameters hold the call's arguments, read in
    the caller's module (and the caller's own context)."""

    function: ast.FunctionDef | ast.AsyncFunctionDef
    call: ast.Call
    caller: Values
    parent: Context | None
    depth: int

    def argument(self, name: str, depth: int) -> Val:
        """The value the call gives parameter ``name``: an argument, a default, or for
        ``**kwargs`` the keywords no other parameter takes."""
        arguments, call = self.function.args, self.call
        written_name = Val(False, node=call, written=name, expr=call, home=self.caller)
        if arguments.kwarg is not None and arguments.kwarg.arg == name:
            return self._keywords(depth, written_name)
        given = written_argument(
            self.function, call, name, passes_receiver(self.caller, self.function, call)
        )
        if isinstance(given, ast.keyword):
            return _at(self.caller.value(given.value, depth, self.parent), given, self.caller)
        if isinstance(given, ast.expr):
            return self.caller.value(given, depth, self.parent)
        if given is ...:
            return written_name
        for dictionary in (k.value for k in call.keywords if k.arg is None):
            entries = self.caller.value(dictionary, depth, self.parent)
            if not (entries.known and isinstance(entries.value, dict)):
                return written_name
            if name in entries.value:
                return entries.value[name]  # type: ignore[no-any-return]
        default = parameter_default(arguments, name)
        if default is None:
            return written_name
        owner = self.caller.project.module_of(self.function) if self.caller.project else None
        return owner.value(default, depth) if owner is not None else written_name

    def _keywords(self, depth: int, unknown: Val) -> Val:
        arguments = self.function.args
        taken = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
        entries: dict[str, Val] = {}
        for item in self.call.keywords:
            if item.arg is None:
                merged = self.caller.value(item.value, depth, self.parent)
                if not (merged.known and isinstance(merged.value, dict)):
                    return unknown
                entries.update({k: v for k, v in merged.value.items() if k not in taken})
            elif item.arg not in taken:
                found = self.caller.value(item.value, depth, self.parent)
                entries[item.arg] = _at(found, item, self.caller)
        return Val(
            True, entries, self.call, written(self.call), self.call, self.caller, self.parent
        )


def written_argument(
    function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, name: str, receiver: bool
) -> ast.expr | ast.keyword | EllipsisType | None:
    """The argument ``call`` writes for parameter ``name`` of ``function``: the positional
    expression or the keyword; ``...`` when ``*args`` or ``**kwargs`` may hold it (or it
    is one of them); None when the call does not write it (a default or a ``**`` spread may
    give it). ``receiver``: the first parameter is given by the receiver (``self``, ``cls``)."""
    arguments = function.args
    if any(a is not None and a.arg == name for a in (arguments.vararg, arguments.kwarg)):
        return ...
    positional = [*arguments.posonlyargs, *arguments.args]
    names = [a.arg for a in (positional[1:] if receiver else positional)]
    starred = next((i for i, a in enumerate(call.args) if isinstance(a, ast.Starred)), None)
    given = call.args if starred is None else call.args[:starred]
    if name in names and names.index(name) < len(given):
        return given[names.index(name)]
    for item in call.keywords:
        if item.arg == name:
            return item
    return ... if starred is not None and name in names else None


class Project(Protocol):
    """What the resolver asks of the project around a module (:mod:`python_flow`)."""

    def function(
        self, values: Values, func: ast.expr
    ) -> tuple[Values, ast.FunctionDef | ast.AsyncFunctionDef] | None:
        """The project function a callee refers to, and the module defining it."""

    def call_sites(
        self, values: Values, function: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> list[tuple[Values, ast.Call]] | None:
        """The calls of ``function`` (defined in ``values``' module) in the project's code;
        None when there are too many to follow."""

    def module_of(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> Values | None:
        """The module defining a function the project has found."""

    def constant(
        self, values: Values, name: str, attribute: str | None
    ) -> tuple[Values, ast.expr] | None:
        """The module-level constant an imported ``name`` (``name.attribute`` when it names
        a module) stands for, and the project module assigning it."""

    def document(self, importer: str, path: str, kind: str) -> Val | None:
        """A repository file named ``path`` in the code of ``importer`` read as ``kind``
        (json or yaml), as values where each is written; None when it cannot be read."""


def passes_receiver(
    values: Values, function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call
) -> bool:
    """Whether ``call`` (in ``values``' module) of ``function`` passes its first parameter
    through the receiver: a method called on an object, not a module's function called
    through the module (``helpers.fit(x)``)."""
    project = values.project
    owner = project.module_of(function) if project is not None else None
    scope = owner.scope(function).node if owner is not None else None
    if not isinstance(scope, ast.ClassDef) or not isinstance(call.func, ast.Attribute):
        return False
    return not is_static(function)


def is_static(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a method is a ``@staticmethod``, given no receiver."""
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)


def parameter_default(arguments: ast.arguments, name: str) -> ast.expr | None:
    """The default a function's parameter declares, if any."""
    positional = [*arguments.posonlyargs, *arguments.args]
    offset = len(positional) - len(arguments.defaults)
    for index, parameter in enumerate(positional):
        if parameter.arg == name:
            return arguments.defaults[index - offset] if index >= offset else None
    for parameter, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        if parameter.arg == name:
            return default
    return None


def _single_return(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    """The expression of a function's one ``return``; None for generators, several
    returns or none, and for async functions (they return a coroutine)."""
    if isinstance(function, ast.AsyncFunctionDef):
        return None
    returns: list[ast.Return] = []
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return None
        if isinstance(node, ast.Return):
            returns.append(node)
        pending.extend(ast.iter_child_nodes(node))
    if len(returns) != 1 or returns[0].value is None:
        return None
    return returns[0].value


def _own_nodes(statement: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of a statement outside the statements nested in it (those are collected
    on their own): a compound statement's header, a simple statement whole."""
    for _, value in ast.iter_fields(statement):
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, ast.expr):
                yield from ast.walk(item)
            elif isinstance(item, ast.withitem):
                yield from ast.walk(item.context_expr)


def _changed_in_place(call: ast.Call) -> str | None:
    """The name whose dict or list a call changes in place (``name.update(…)``,
    ``name.append(…)`` …), if any."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _IN_PLACE:
        return func.value.id if isinstance(func.value, ast.Name) else None
    return None


def _updated_keys(call: ast.Call) -> list[tuple[ast.expr | None, ast.expr | None]]:
    """The keys and values ``d.update({"key": value})`` or ``d.update(key=value)`` sets;
    ``[(None, None)]`` (a change that cannot be read) for any other in-place change."""
    unreadable: list[tuple[ast.expr | None, ast.expr | None]] = [(None, None)]
    if not isinstance(call.func, ast.Attribute) or call.func.attr != "update":
        return unreadable
    if len(call.args) == 1 and not call.keywords and isinstance(call.args[0], ast.Dict):
        entries = call.args[0]
        if any(key is None for key in entries.keys):
            return unreadable
        return list(zip(entries.keys, entries.values, strict=True))
    if not call.args and all(item.arg for item in call.keywords):
        return [(ast.copy_location(ast.Constant(k.arg), k), k.value) for k in call.keywords]
    return unreadable


def _opens_file(module: PythonModule, item: ast.withitem) -> bool:
    call = item.context_expr
    if not isinstance(call, ast.Call):
        return False
    if isinstance(call.func, ast.Attribute) and call.func.attr == "open":
        return True
    return module.qualified_name(call.func) == "open"


def _mode(call: ast.Call) -> object:
    mode = _argument(call, "mode", 1)
    if mode is None:
        return "r"
    return mode.value if isinstance(mode, ast.Constant) else ...


def _at(found: Val, node: ast.AST, home: Values) -> Val:
    """``found`` reported where ``node`` writes it (a keyword, a dict key); a value read
    from a configuration file stays where the file writes it."""
    return found if found.place is not None else replace(found, node=node, home=home)


def _bounded_text(text: str) -> str | None:
    return text if len(text) <= _MAX_TEXT else None


def _argument(call: ast.Call, name: str, position: int) -> ast.expr | None:
    for item in call.keywords:
        if item.arg == name:
            return item.value
    if position < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return None


def _blocks(statement: ast.stmt) -> list[tuple[str, list[ast.stmt]]]:
    """The statement lists nested in a compound statement, each marked whether it always
    runs when the statement does (``with`` bodies, ``try`` bodies and ``finally``)."""
    always = "body-unconditional"
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return [(always, statement.body)]
    if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
        blocks = [(always, statement.body), (always, statement.finalbody)]  # type: ignore[attr-defined]
        blocks.append(("orelse", statement.orelse))  # type: ignore[attr-defined]
        blocks.extend(("handler", h.body) for h in statement.handlers)  # type: ignore[attr-defined]
        return blocks
    if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        return [("body", statement.body), ("orelse", statement.orelse)]
    if isinstance(statement, ast.Match):
        return [("case", case.body) for case in statement.cases]
    return []
