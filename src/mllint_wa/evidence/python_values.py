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
declared default, as a CloudFormation parameter's default is. Nothing is imported or run.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from mllint_wa.bounded import nesting_bounded
from mllint_wa.parsers.python_code import PythonModule, quote_expression
from mllint_wa.parsers.secrets import quote

# Followed names and nested containers deeper than this are unknown: a bound on cycles
# (``x = y; y = x``) and on hostile nesting.
_MAX_DEPTH = 24
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
_MAX_INT = 10**15  # no duration or size in a definition is larger; bounds a product chain


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

    @property
    def call(self) -> ast.Call | None:
        return self.value if self.known and isinstance(self.value, ast.Call) else None

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
    elif any(count >= _UNPARSE_LIMIT for count, _ in enumerate(ast.walk(node))):
        head = "an expression"
    else:
        head = quote_expression(node, _WRITTEN)
    return quote(prefix + head + "".join(reversed(suffixes)), _WRITTEN)


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


@dataclass
class _Scope:
    node: ast.AST
    parent: _Scope | None
    names: dict[str, list[_Binding]] = field(default_factory=dict)
    parameters: set[str] = field(default_factory=set)
    # ``obj.attr = value`` statements: object name → settings, in source order
    settings: dict[str, list[Setting]] = field(default_factory=dict)

    def bind(
        self, name: str, statement: ast.AST, value: ast.expr | None, conditional: bool
    ) -> None:
        end = (getattr(statement, "end_lineno", 0) or 0, getattr(statement, "end_col_offset", 0))
        self.names.setdefault(name, []).append(_Binding(end, value, conditional))


class Values:
    """Resolves expressions of one module; built once per module."""

    def __init__(self, module: PythonModule) -> None:
        self.module = module
        self._scopes: dict[int, _Scope] = {}
        self._parents = module.index.parents()
        # The walrus targets and lambdas of the module, by each statement that holds them:
        # what a statement binds beside its own targets.
        self._held: dict[int, list[ast.AST]] = {}
        for node in module.index.of_any(ast.NamedExpr, ast.Lambda):
            holder = self._parents.get(node)
            while holder is not None:
                if isinstance(holder, ast.stmt):
                    self._held.setdefault(id(holder), []).append(node)
                holder = self._parents.get(holder)
        root = _Scope(module.tree, None)
        self._scopes[id(module.tree)] = root
        self._collect(module.tree.body, root, conditional=False)

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
            for node in self._held.get(id(statement), ()):
                if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                    scope.bind(node.target.id, statement, None, conditional)
                elif isinstance(node, ast.Lambda):
                    self._lambda_scope(node, scope)
            for name, nested in _blocks(statement):
                self._collect(nested, scope, conditional or name != "body-unconditional")

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
                    self._bind_target(item.optional_vars, statement, None, scope, conditional)
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
        statement: ast.stmt,
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
        scope: _Scope | None = self.scope(use)
        here = (getattr(use, "lineno", 0), getattr(use, "col_offset", 0))
        first = True
        while scope is not None:
            if name in scope.parameters:
                return None
            bindings = scope.names.get(name)
            if bindings:
                if any(b.conditional for b in bindings):
                    return None
                visible = [b for b in bindings if b.end <= here] if first else bindings
                return visible[-1].value if visible else None
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

    def value(self, node: ast.expr, depth: int = 0) -> Val:
        """What ``node`` evaluates to, as far as this module tells."""
        text = written(node)
        if depth > _MAX_DEPTH:
            return Val(False, node=node, written=text, expr=node)
        if isinstance(node, ast.Constant):
            return Val(True, node.value, node, text, node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.value(node.operand, depth + 1)
            number = inner.value
            if inner.known and isinstance(number, (int, float)) and not isinstance(number, bool):
                return Val(True, -number, node, text, node)
        elif isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            found = self._arithmetic(node, depth)
            if found is not None:
                return Val(True, found, node, text, node)
        elif isinstance(node, (ast.List, ast.Tuple)):
            if not any(isinstance(e, ast.Starred) for e in node.elts):
                items = [self.value(e, depth + 1) for e in node.elts]
                return Val(True, items, node, text, node)
        elif isinstance(node, ast.Dict):
            return self._dict(node, depth, text)
        elif isinstance(node, ast.Name):
            bound = self.binding(node.id, node)
            if bound is not None:
                inner = self.value(bound, depth + 1)
                if inner.known:
                    return inner
                # What the name holds says more than the name (``pipeline parameter X``).
                return Val(False, node=node, written=inner.written, expr=inner.expr)
        elif isinstance(node, ast.Subscript):
            return self._subscript(node, depth, text)
        elif isinstance(node, ast.Call):
            return self._call(node, depth, text)
        return Val(False, node=node, written=text, expr=node)

    def _arithmetic(self, node: ast.BinOp, depth: int) -> int | None:
        """Integer arithmetic on known integers (``24 * 60 * 60``, ``3 * DAY``), the way
        durations and sizes are written; None when an operand is not a known integer or
        the result leaves a bounded range."""
        left, right = self.value(node.left, depth + 1), self.value(node.right, depth + 1)
        operands = (left.value, right.value)
        if not (left.known and right.known) or not all(_is_int(v) for v in operands):
            return None
        a, b = operands
        assert isinstance(a, int) and isinstance(b, int)
        if isinstance(node.op, ast.FloorDiv) and b == 0:
            return None
        result: int = _ARITHMETIC[type(node.op)](a, b)
        return result if abs(result) <= _MAX_INT else None

    def _dict(self, node: ast.Dict, depth: int, text: str) -> Val:
        entries: dict[str, Val] = {}
        for key, item in zip(node.keys, node.values, strict=True):
            if key is None:  # ``**other``: merged when it is itself known
                merged = self.value(item, depth + 1)
                if not (merged.known and isinstance(merged.value, dict)):
                    return Val(False, node=node, written=text, expr=node)
                entries.update(merged.value)
                continue
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return Val(False, node=node, written=text, expr=node)
            entries[key.value] = replace(self.value(item, depth + 1), node=key)
        return Val(True, entries, node, text, node)

    def _subscript(self, node: ast.Subscript, depth: int, text: str) -> Val:
        container = self.value(node.value, depth + 1)
        index = self.value(node.slice, depth + 1)
        if container.known and index.known:
            items, key = container.value, index.value
            if isinstance(items, dict) and isinstance(key, str) and key in items:
                return items[key]  # type: ignore[no-any-return]
            if isinstance(items, list) and type(key) is int and -len(items) <= key < len(items):
                return items[key]  # type: ignore[no-any-return]
        return Val(False, node=node, written=text, expr=node)

    def _call(self, node: ast.Call, depth: int, text: str) -> Val:
        name = self.module.qualified_name(node.func) or ""
        last = name.rpartition(".")[2]
        if last in _PIPELINE_PARAMETERS and name.startswith("sagemaker."):
            default = _argument(node, "default_value", 1)
            if default is not None:
                declared = self.value(default, depth + 1)
                if declared.known and not isinstance(declared.value, ast.Call):
                    return replace(declared, node=node)
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
            )
        return Val(True, node, node, text, node)


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
