"""The project's Python code read as values together: what lets the value resolver of one
module (:mod:`mllint_wa.evidence.python_values`) leave it.

- **Project functions.** A call of a function the project defines (in the same module, in a
  module it imports, relative imports too, or a method called on ``self`` in its class) is
  followed into its body: what the function returns, when it has one ``return`` of an
  expression, is the call's value, with the function's parameters bound to the call's
  arguments, defaults and ``**kwargs``.
- **Imported constants.** A name imported from a project module (``from m import NAME``,
  or ``m.NAME`` after ``import m`` or ``from pkg import m``) holds what that module assigns
  it, once and unconditionally at its top, when nothing changes it there.
- **Call sites.** A function's parameters are read from each call of it in the project's
  code (test code left out), when it is called at most
  :data:`~mllint_wa.evidence.python_values.MAX_CALL_SITES` times, through at most
  :data:`~mllint_wa.evidence.python_values.MAX_CALL_DEPTH` levels of calls. Calls are
  looked for in the function's own module and in the project files that name both the
  function and its module (as an import of it must); a notebook's functions are called only
  from that notebook. A function called more often, or not at all, keeps its parameters
  unknown.
- **Configuration files.** ``json.load``, ``json.loads`` and ``yaml.safe_load`` of a file
  opened by a literal path (``open("config.json")``, ``Path("cfg.yaml").read_text()``, a
  ``with open(...) as f``) read that file of the repository through the evidence layer, as
  data with the line where each value is written. The path is taken from the module's
  folder or from the repository's root; when both hold such a file, or neither, or the
  file is a template or does not parse, the value is unknown.

Nothing of the project is imported, run or opened here except through the evidence layer.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Callable
from typing import Any

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import bound_names, module, modules_naming, project_files_named
from mllint_wa.evidence.python_values import MAX_CALL_SITES, MAX_INT, Val, Values
from mllint_wa.model import Location
from mllint_wa.parsers.json_positions import JsonDocument, load_json
from mllint_wa.parsers.python_code import PythonModule
from mllint_wa.parsers.yaml_doc import item_position, load_yaml, value_position

Function = ast.FunctionDef | ast.AsyncFunctionDef
# Values read from one configuration file at most: a bound on what one file costs.
_MAX_DOCUMENT_VALUES = 10_000


def flow(ev: Evidence) -> PythonFlow:
    """The project's values, shared by every extractor of the run."""
    return ev.memo(PythonFlow, lambda: PythonFlow(ev))


class PythonFlow:
    """Values of every module of the project, and how they reach each other."""

    def __init__(self, ev: Evidence) -> None:
        self.ev = ev
        self._values: dict[str, Values] = {}
        self._owners: dict[int, Values] = {}
        self._sites: dict[int, list[tuple[Values, ast.Call]] | None] = {}
        self._documents: dict[tuple[str, str], Val | None] = {}
        self._bindings: dict[str, dict[str, str]] = {}
        self._defined: dict[int, dict[str, Function | None]] = {}
        self._calls: dict[str, dict[str, list[ast.Call]]] = {}

    def values(self, path: str, parsed: PythonModule) -> Values:
        """The resolver of one module, built once."""
        found = self._values.get(path)
        if found is None:
            found = Values(parsed, path, self)
            self._values[path] = found
            for node in parsed.index.functions():
                self._owners[id(node)] = found
        return found

    def _module_values(self, path: str) -> Values | None:
        if path in self._values:
            return self._values[path]
        parsed = module(self.ev, path)
        return self.values(path, parsed) if parsed is not None else None

    # Functions ---------------------------------------------------------------------------

    def module_of(self, function: Function) -> Values | None:
        return self._owners.get(id(function))

    def function(self, values: Values, func: ast.expr) -> tuple[Values, Function] | None:
        """The project function ``func`` names: defined at the top of this module, a method
        of the enclosing class called on ``self``, or imported from a project module."""
        if isinstance(func, ast.Name):
            defined = self._top_level(values.module.tree, func.id)
            if defined is not None:
                return values, defined
            return self._imported(values, func.id)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "self"
        ):
            owner = _enclosing_class(values, func)
            method = self._top_level(owner, func.attr) if owner is not None else None
            return (values, method) if method is not None else None
        return None

    def _top_level(self, owner: ast.Module | ast.ClassDef, name: str) -> Function | None:
        """The one function ``name`` defined directly in a module or class body."""
        if id(owner) not in self._defined:
            defined: dict[str, Function | None] = {}
            for node in owner.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    # A name defined twice is not one function.
                    defined[node.name] = None if node.name in defined else node
            self._defined[id(owner)] = defined
        return self._defined[id(owner)].get(name)

    def constant(
        self, values: Values, name: str, attribute: str | None
    ) -> tuple[Values, ast.expr] | None:
        """The constant an imported name stands for: ``NAME`` after ``from m import NAME``,
        or ``m.NAME`` after ``import m`` or ``from pkg import m``, assigned once at the top of
        the one project module ``m`` (:meth:`Values.module_constant`)."""
        dotted = self._bound(values).get(name)
        if dotted is None:
            return None
        head, last = (dotted, attribute) if attribute is not None else dotted.rpartition(".")[::2]
        if not head or not last:
            return None
        found: list[tuple[Values, ast.expr]] = []
        for path in sorted(project_files_named(self.ev, head)):
            other = self._module_values(path)
            expr = other.module_constant(last) if other is not None else None
            if other is not None and expr is not None:
                found.append((other, expr))
        return found[0] if len(found) == 1 else None

    def _bound(self, values: Values) -> dict[str, str]:
        """The names ``values``' module binds by imports, to dotted names."""
        if values.path not in self._bindings:
            self._bindings[values.path] = bound_names(values.path, values.module)
        return self._bindings[values.path]

    def _imported(self, values: Values, name: str) -> tuple[Values, Function] | None:
        dotted = self._bound(values).get(name)
        if dotted is None or "." not in dotted:
            return None
        head, _, last = dotted.rpartition(".")
        found: list[tuple[Values, Function]] = []
        for path in sorted(project_files_named(self.ev, head)):
            other = self._module_values(path)
            defined = self._top_level(other.module.tree, last) if other is not None else None
            if other is not None and defined is not None:
                found.append((other, defined))
        return found[0] if len(found) == 1 else None

    def call_sites(
        self, values: Values, function: Function
    ) -> list[tuple[Values, ast.Call]] | None:
        """Every call of ``function`` in the project's code (test code left out); None when
        there are more than :data:`MAX_CALL_SITES`."""
        if id(function) in self._sites:
            return self._sites[id(function)]
        found: list[tuple[Values, ast.Call]] = []
        for path, parsed in self._callers(values, function):
            caller: Values | None = None
            for call in self._calls_named(path, parsed).get(function.name, ()):
                caller = caller or self.values(path, parsed)
                target = self.function(caller, call.func)
                if target is not None and target[1] is function:
                    found.append((caller, call))
                if len(found) > MAX_CALL_SITES:
                    self._sites[id(function)] = None
                    return None
        self._sites[id(function)] = found
        return found

    def _calls_named(self, path: str, parsed: PythonModule) -> dict[str, list[ast.Call]]:
        """A module's calls by the last name of their callee, grouped once: looking up the
        calls of each of thousands of helpers costs one pass over the module, not one each."""
        found = self._calls.get(path)
        if found is None:
            found = {}
            for name, call in parsed.calls():
                found.setdefault(name.rpartition(".")[2], []).append(call)
            self._calls[path] = found
        return found

    def _callers(self, values: Values, function: Function) -> list[tuple[str, PythonModule]]:
        """The modules that may call ``function``: its own, and the project files that
        hold both its name and its module's as whole words (as an import of it and a call
        must). A notebook is imported by nothing."""
        own = [(values.path, values.module)]
        if values.path.endswith(".ipynb") or not values.path:
            return own
        parts = values.path.removesuffix(".py").split("/")
        stem = parts[-2] if parts[-1] == "__init__" and len(parts) > 1 else parts[-1]
        others = [
            (path, parsed)
            for path, parsed in modules_naming(self.ev, function.name, stem)
            if path != values.path
        ]
        return own + others

    # Configuration files ------------------------------------------------------------------

    def document(self, importer: str, path: str, kind: str) -> Val | None:
        """The repository file ``path`` names in ``importer``'s code, read as ``kind``."""
        key = (importer, path)
        if key not in self._documents:
            self._documents[key] = self._read(importer, path, kind)
        return self._documents[key]

    def _read(self, importer: str, path: str, kind: str) -> Val | None:
        if path.startswith("/") or "\\" in path:
            return None
        folder = posixpath.dirname(importer)
        candidates = {posixpath.normpath(posixpath.join(base, path)) for base in {folder, ""}}
        present = [c for c in sorted(candidates) if not c.startswith("..") and self.ev.is_file(c)]
        return read_document(self.ev, present[0], kind) if len(present) == 1 else None


def read_document(ev: Evidence, path: str, kind: str) -> Val | None:
    """The repository file ``path`` read as ``kind`` (json or yaml): values where each is
    written; None for a template or a file that does not parse (also the TypeScript CDK
    reader's, for the JSON files an app imports or reads)."""
    if ev.templated(path):
        return None
    budget = [_MAX_DOCUMENT_VALUES]
    if kind == "json":
        document = ev.parse(path, load_json)
        return _json_values(path, document, (), document.value, budget) if document else None
    loaded = ev.parse(path, load_yaml)
    if loaded is None or len(loaded) != 1:
        return None
    return _yaml_values(path, loaded[0], Location(path, 1, 1), budget)


def _enclosing_class(values: Values, node: ast.AST) -> ast.ClassDef | None:
    """The class whose method holds ``node``."""
    function = values.function_of(node)
    scope = values.scope(function).node if function is not None else None
    return scope if isinstance(scope, ast.ClassDef) else None


@nesting_bounded(Val(False, written="a value nested too deeply"))
def _json_values(
    path: str, document: JsonDocument, at: tuple[str | int, ...], value: Any, budget: list[int]
) -> Val:
    line, column = document.position(at)
    return _data(
        path,
        value,
        Location(path, line, column),
        budget,
        lambda key, item: _json_values(path, document, (*at, key), item, budget),
    )


@nesting_bounded(Val(False, written="a value nested too deeply"))
def _yaml_values(path: str, value: Any, where: Location, budget: list[int]) -> Val:
    def inner(key: str | int, item: Any) -> Val:
        line, column = (
            item_position(value, key) if isinstance(key, int) else value_position(value, key)
        )
        return _yaml_values(path, item, Location(path, line, column), budget)

    return _data(path, value, where, budget, inner)


def _data(
    path: str,
    value: Any,
    where: Location,
    budget: list[int],
    inner: Callable[[str | int, Any], Val],
) -> Val:
    """A value of a configuration file as a resolver's value, each part where it is
    written; unknown past the budget and for anything but plain data."""
    shown = f"a value of {path}"
    budget[0] -= 1
    if budget[0] < 0:
        return Val(False, written=shown, place=where)
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            return Val(False, written=shown, place=where)
        entries = {key: inner(key, item) for key, item in value.items()}
        return Val(True, entries, written=shown, place=where)
    if isinstance(value, list):
        return Val(
            True, [inner(i, item) for i, item in enumerate(value)], written=shown, place=where
        )
    if value is None or isinstance(value, bool):
        return Val(True, value, written=repr(value), place=where)
    if isinstance(value, int) and abs(value) > MAX_INT:
        return Val(False, written=shown, place=where)  # no setting; too long to write out
    for plain in (str, int, float):  # YAML's scalars are subclasses that keep their style
        if isinstance(value, plain):
            return Val(True, plain(value), written=repr(plain(value)), place=where)
    return Val(False, written=shown, place=where)
