"""Values that cross the modules of a TypeScript CDK app, for its reader
(:mod:`mllint_wa.evidence.cdk_typescript`); the bounds are the Python resolver's.

- **Imports.** A name imported from a module of the app (``import { CONFIG } from
  './config'``, ``import * as cfg from '../lib/config'`` and ``cfg.CONFIG``, a default
  import and ``export default``) is what that module assigns it once at its top level. The
  module is found by its relative path (``./config`` is ``config.ts`` or
  ``config/index.ts``, a ``.js`` suffix read as ``.ts``); packages (``node_modules``) are
  never read.
- **Project functions.** A call of a function the app defines (in the module or imported)
  is what its one ``return`` gives, its parameters unknown.
- **Call sites.** A construct made inside a construct class, a method or a function of the
  app is read once for each place that instantiates or calls it (``new TrainingStack(app,
  'Dev', { instanceType: 'ml.m5.large' })``), the function's parameters holding that
  call's arguments (a props object is the argument after the positional ones, an absent
  argument its default or ``undefined``), through at most
  :data:`~mllint_wa.evidence.python_values.MAX_CALL_DEPTH` levels of calls and for a
  function called at most :data:`~mllint_wa.evidence.python_values.MAX_CALL_SITES` times.
- **JSON.** ``import config from './config.json'``, ``require('./config.json')``,
  ``JSON.parse(fs.readFileSync('config.json', 'utf8'))`` with a literal path (from the
  app's folder, or ``path.join(__dirname, …)`` from the module's) and
  ``this.node.tryGetContext('key')`` (the ``context`` of the app's ``cdk.json``) are read
  as data through the evidence layer (:func:`~mllint_wa.evidence.python_flow.read_document`),
  each value where the file writes it.

Nothing is imported, run or opened here except through the evidence layer.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import Evidence
from mllint_wa.evidence.cdk_resources import Callers, _Module, _snake
from mllint_wa.evidence.python_flow import read_document
from mllint_wa.evidence.python_values import MAX_CALL_SITES, Val
from mllint_wa.model import Location

if TYPE_CHECKING:
    from mllint_wa.evidence.cdk_typescript import TypeScriptModule

# ``undefined``: an argument not given, a member an object literal does not have.
UNDEFINED = ast.Constant(None)
# What no one can know (a value of a configuration file that is not plain data).
_UNKNOWN: ast.expr = ast.Set([])
_FILE_READERS = frozenset(
    {"fs.read_file_sync", "fs.readFileSync", "node:fs.read_file_sync", "node:fs.readFileSync"}
)
_PATH_JOINS = frozenset({"path.join", "path.resolve", "node:path.join", "node:path.resolve"})

# A callee as the app knows it: ("class", path, name), ("function", path, name) or
# ("method", path, class name, name).
Callee = tuple[str, ...]


def python_name(name: str) -> str:
    """A property or method as the Python CDK spells it: camelCase becomes snake_case;
    classes (``ManagedPolicy``) and enum members (``ONE_WEEK``) keep their spelling."""
    return _snake(name) if name[:1].islower() else name


class AppFlow(Callers):
    """The modules of one app and what reaches one from another."""

    def __init__(
        self,
        ev: Evidence,
        app: str,
        make: Callable[[str, AppFlow], TypeScriptModule | None],
    ) -> None:
        super().__init__()
        self.ev = ev
        self.app = app
        self.folder = app.rpartition("/")[0]
        self._make = make
        self.modules: dict[str, TypeScriptModule | None] = {}
        self.app_modules: list[TypeScriptModule] = []
        # Whether every module of the app is read: until then, each is read alone.
        self.ready = False
        # Where values of JSON files are written.
        self.places: dict[int, Location] = {}
        self._props: dict[int, ast.Dict] = {}  # by id of the call that gives them
        self._given: set[int] = set()  # their ids
        self._documents: dict[str, ast.expr | None] = {}
        self._sites: dict[Callee, list[tuple[_Module, ast.Call]]] | None = None

    def start(self, modules: list[TypeScriptModule]) -> None:
        self.app_modules = modules
        self.modules.update({module.path: module for module in modules})
        self.ready = True

    # Modules -----------------------------------------------------------------------------

    def module(self, path: str) -> TypeScriptModule | None:
        """The app module at ``path``, read on first use (a module of constants that
        imports nothing from the CDK too)."""
        if path not in self.modules:
            self.modules[path] = None  # a module that imports itself, on the way, is unknown
            self.modules[path] = self._make(path, self)
        return self.modules[path]

    def owner(self, node: ast.AST) -> TypeScriptModule | None:
        """The module whose code ``node`` is (or whose call gave a props object)."""
        if node is UNDEFINED or node is _UNKNOWN or id(node) in self.places:
            return None  # nobody's code: a JSON file's, or no one's
        return cast("TypeScriptModule | None", self._owner_among(node, self.modules.values()))

    def file(self, importer: str, specifier: str) -> str | None:
        """The app file a relative specifier names from ``importer``."""
        present = [path for path in module_files(importer, specifier) if self.ev.is_file(path)]
        return present[0] if present else None

    # Imports -----------------------------------------------------------------------------

    def imported(self, module: TypeScriptModule, name: str) -> ast.expr | None:
        """What a name imported from an app module holds."""
        binding = module.lowered.relative.get(name)
        if binding is None:
            return None
        specifier, exported = binding
        path = self.file(module.path, specifier)
        if path is None:
            return None
        if path.endswith(".json"):
            document = self.document(path)
            return document if exported in (None, "default") else _entry(document, exported)
        return self._exported(path, lambda other: [exported] if exported is not None else [])

    def namespace_member(self, module: TypeScriptModule, name: str, attr: str) -> ast.expr | None:
        """``cfg.instanceType`` of ``import * as cfg from './config'``: the module's
        ``instanceType`` (the member is spelled as the Python CDK spells it)."""
        binding = module.lowered.relative.get(name)
        if binding is None or binding[1] is not None:
            return None
        path = self.file(module.path, binding[0])
        if path is None:
            return None
        if path.endswith(".json"):
            return _entry(self.document(path), attr)
        return self._exported(path, lambda other: other.top_level_names.get(attr, []))

    def _exported(
        self, path: str, names: Callable[[TypeScriptModule], list[str]]
    ) -> ast.expr | None:
        """What the one of ``names`` (as the module at ``path`` writes them) that the
        module assigns at its top level holds."""
        other = self.module(path)
        if other is None:
            return None
        top = other.assigned.get(id(other.parsed.tree), {})
        # An object the module changes after writing it (``CONFIG.x = …``) is not followed.
        found = [
            top[written]
            for written in names(other)
            if written in top and written not in other.changed
        ]
        if len(found) != 1 or len(found[0]) != 1:
            return None
        return found[0][0]

    # Functions and their calls ---------------------------------------------------------------

    def function(
        self, module: TypeScriptModule, func: ast.expr
    ) -> tuple[TypeScriptModule, ast.FunctionDef] | None:
        """The app function a callee names, and its module."""
        callee = self.callee(module, func)
        if callee is None or callee[0] != "function":
            return None
        other = self.module(callee[1])
        defined = other.functions.get(callee[2]) if other is not None else None
        return (other, defined) if other is not None and defined is not None else None

    def callee(self, module: TypeScriptModule, func: ast.expr) -> Callee | None:
        """What a call's callee is in the app: a class, a top-level function or a method
        called on ``this``."""
        if isinstance(func, ast.Name):
            if module.assigned.get(id(module.parsed.tree), {}).get(func.id):
                return None
            local = _defined(module, module.path, func.id)
            if local is not None:
                return local
            binding = module.lowered.relative.get(func.id)
            path = self.file(module.path, binding[0]) if binding and binding[1] else None
            other = self.module(path) if path is not None else None
            return _defined(other, other.path, binding[1]) if other and binding else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id == "self":
                owner = module._enclosing(func, (ast.ClassDef,))
                if isinstance(owner, ast.ClassDef) and module.classes.get(owner.name) is owner:
                    return ("method", module.path, owner.name, func.attr)
                return None
            binding = module.lowered.relative.get(func.value.id)
            path = self.file(module.path, binding[0]) if binding and not binding[1] else None
            other = self.module(path) if path is not None else None
            if other is not None:
                named = other.python_names.get(func.attr, [])
                return _defined(other, other.path, named[0]) if len(named) == 1 else None
        return None

    def call_sites(
        self, module: _Module, function: ast.FunctionDef
    ) -> list[tuple[_Module, ast.Call]] | None:
        """Every call of ``function`` in the app's modules; None when there are more than
        :data:`MAX_CALL_SITES`."""
        key = _key_of(cast("TypeScriptModule", module), function)
        if key is None:
            return []
        if self._sites is None:
            self._sites = {}
            for caller in sorted(self.app_modules, key=lambda m: m.path):
                for call in caller.parsed.index.of(ast.Call):
                    found = self.callee(caller, call.func)
                    if found is not None:
                        self._sites.setdefault(found, []).append((caller, call))
        sites = self._sites.get(key, [])
        return sites if len(sites) <= MAX_CALL_SITES else None

    def argument(self, scope: ast.AST, name: str) -> ast.expr | None:
        """What the call being read gives parameter ``name`` of ``scope``; None when no
        call is being read or the parameter cannot be told."""
        site = self.active.get(id(scope))
        if site is None:
            return None
        function, callee, caller, call = site
        slots = cast("TypeScriptModule", callee).lowered.slots.get(id(function), [])
        names = [slot[0] for slot in slots]
        if name not in names:
            return None
        index = names.index(name)
        if any(isinstance(arg, ast.Starred) for arg in call.args[: index + 1]):
            return None
        if index < len(call.args):
            given = call.args[index]
            self.crossed.setdefault(id(given), caller.loc(given))
            return given
        if index == len(call.args) and call.keywords:
            if len(call.keywords) == 1 and call.keywords[0].arg is None:
                given = call.keywords[0].value  # props held elsewhere, passed as they are
                self.crossed.setdefault(id(given), caller.loc(given))
                return given
            return self._given_props(cast("TypeScriptModule", caller), call)
        default = slots[index][1]
        return default if default is not None else UNDEFINED

    def _given_props(self, caller: TypeScriptModule, call: ast.Call) -> ast.Dict:
        """A call's props object (its keyword arguments), as an object literal of the
        caller's."""
        found = self._props.get(id(call))
        if found is None:
            keys: list[ast.expr | None] = []
            for keyword in call.keywords:
                key = ast.copy_location(ast.Constant(keyword.arg), keyword)
                keys.append(key if keyword.arg is not None else None)
                self._owners[id(key)] = caller
            found = ast.copy_location(ast.Dict(keys, [k.value for k in call.keywords]), call)
            self._given.add(id(found))
            self._owners[id(found)] = caller
            self._props[id(call)] = found
        return found

    def is_given_props(self, node: ast.AST) -> bool:
        return id(node) in self._given

    # JSON ----------------------------------------------------------------------------------

    def data(self, module: TypeScriptModule, call: ast.Call) -> ast.expr | None:
        """A JSON file's value a call reads, or a ``cdk.json`` context value."""
        name = module.parsed.qualified_name(call.func) or ""
        if isinstance(call.func, ast.Attribute) and call.func.attr == "try_get_context":
            key = module.scalar(call.args[0]) if len(call.args) == 1 else ...
            if not isinstance(key, str) or not self.app.endswith("cdk.json"):
                return None
            # A key cdk.json does not set may be given on the command line (``-c key=…``).
            found = _entry(_entry(self.document(self.app), "context"), key)
            return found if found is not UNDEFINED else None
        if name == "require" and len(call.args) == 1:
            specifier = module.scalar(call.args[0])
            is_json = isinstance(specifier, str) and specifier.endswith(".json")
            path = self.file(module.path, specifier) if isinstance(specifier, str) else None
            return self.document(path) if is_json and path is not None else None
        if name != "json.parse" or len(call.args) != 1:
            return None
        read = module.resolve(call.args[0])
        if (
            isinstance(read, ast.Call)
            and isinstance(read.func, ast.Attribute)
            and read.func.attr == "to_string"
        ):
            read = module.resolve(read.func.value)
        if not isinstance(read, ast.Call) or not read.args:
            return None
        if module.parsed.qualified_name(read.func) not in _FILE_READERS:
            return None
        path = self._read_path(module, read.args[0])
        return self.document(path) if path is not None else None

    def _read_path(self, module: TypeScriptModule, expr: ast.expr) -> str | None:
        """The JSON file a literal path names: from the app's folder (where ``cdk``
        runs), or from the module's with ``path.join(__dirname, …)``."""
        folder, parts = self.folder, [module.scalar(expr)]
        node = module.resolve(expr)
        if parts[0] is ... and isinstance(node, ast.Call):
            joined = module.parsed.qualified_name(node.func)
            first = node.args[0] if node.args else None
            if joined in _PATH_JOINS and isinstance(first, ast.Name) and first.id == "__dirname":
                folder = posixpath.dirname(module.path)
                parts = [module.scalar(arg) for arg in node.args[1:]]
        written = [part for part in parts if isinstance(part, str) and not part.startswith("/")]
        if not parts or len(written) != len(parts):
            return None
        path = posixpath.normpath(posixpath.join(folder, *written))
        return path if path.endswith(".json") and not path.startswith("..") else None

    def document(self, path: str) -> ast.expr | None:
        """A JSON file of the app as object and array literals, each value placed where
        the file writes it."""
        if path not in self._documents:
            read = read_document(self.ev, path, "json") if self.ev.is_file(path) else None
            self._documents[path] = self._literal(read) if read is not None else None
        return self._documents[path]

    @nesting_bounded(_UNKNOWN)
    def _literal(self, read: Val) -> ast.expr:
        node: ast.expr
        if not read.known:
            node = _UNKNOWN
        elif isinstance(read.value, dict):
            keys: list[ast.expr | None] = []
            for key, item in read.value.items():
                written = ast.Constant(key)
                if item.place is not None:
                    self.places[id(written)] = item.place
                keys.append(written)
            values = [self._literal(item) for item in read.value.values()]
            node = ast.Dict(keys, values)
        elif isinstance(read.value, list):
            node = ast.List([self._literal(item) for item in read.value])
        else:
            node = ast.Constant(read.value)  # type: ignore[arg-type]  # a JSON scalar
        if read.place is not None and node is not _UNKNOWN:
            self.places[id(node)] = read.place
        return node


def _entry(document: ast.expr | None, key: str | None) -> ast.expr | None:
    """A member of a JSON object (``undefined`` when it has none)."""
    if not isinstance(document, ast.Dict) or key is None:
        return None
    for written, value in zip(document.keys, document.values, strict=True):
        if isinstance(written, ast.Constant) and written.value == key:
            return value
    return UNDEFINED


def _defined(module: TypeScriptModule | None, path: str, name: str | None) -> Callee | None:
    if module is None or name is None:
        return None
    if name in module.classes:
        return ("class", path, name)
    return ("function", path, name) if name in module.functions else None


def _key_of(module: TypeScriptModule, function: ast.FunctionDef) -> Callee | None:
    """How the app's calls name ``function``: its class for a constructor."""
    if module.functions.get(function.name) is function:
        return ("function", module.path, function.name)
    owner = module.parents.get(function)
    if isinstance(owner, ast.ClassDef) and module.classes.get(owner.name) is owner:
        if function.name == "__init__":
            return ("class", module.path, owner.name)
        return ("method", module.path, owner.name, function.name)
    return None


def module_files(importer: str, specifier: str) -> list[str]:
    """The repository paths a relative import specifier may name from ``importer``, first
    choice first (``./config`` is ``config.ts`` or ``config/index.ts``, a ``.js`` suffix is
    read as ``.ts``); none for a package or a path outside the repository."""
    if not specifier.startswith("."):
        return []
    base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
    if base.startswith("../") or "node_modules" in base.split("/"):
        return []
    if base.endswith(".json"):
        return [base]
    base = base.removesuffix(".js").removesuffix(".ts")
    return [f"{base}.ts", f"{base}/index.ts"]
