"""Where Python code deserialises executable model formats, and from where.

Within each function (and the module's top level) assignments are followed in source
order, so that a value is known to come from a download (``hf_hub_download``, boto3's
``download_file``/``get_object``, ``urllib``/``requests``, ``torch.hub``, ``keras``'s
``get_file``, a URL literal), from the project itself (a literal path, a path built from
literals or from configuration such as ``cfg``/``params``/``args``, a file the code saved
to just before, a temporary file or folder), or from somewhere this reading cannot tell.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterator
from dataclasses import field

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import is_test_path
from mllint_wa.evidence.kinds import PYTHON
from mllint_wa.parsers.python_code import (
    PythonModule,
    has_star_kwargs,
    keyword,
    literal,
    parse_python,
    quote_expression,
)
from mllint_wa.parsers.secrets import quote
from mllint_wa.records import dataclass

PICKLE_LOADERS = frozenset(
    f"{module}.{function}"
    for module in ("pickle", "_pickle", "cPickle", "dill", "cloudpickle")
    for function in ("load", "loads", "Unpickler")
) | {"joblib.load", "sklearn.externals.joblib.load", "pandas.read_pickle"}
# Calls whose result is downloaded data, a downloaded file's path, or a response to read.
_DOWNLOADS = frozenset(
    {
        "urllib.request.urlretrieve",
        "urllib.request.urlopen",
        "urllib.urlretrieve",
        "urllib.urlopen",
        "urllib2.urlopen",
        "requests.get",
        "requests.request",
        "httpx.get",
        "huggingface_hub.hf_hub_download",
        "huggingface_hub.snapshot_download",
        "huggingface_hub.cached_download",
        "tensorflow.keras.utils.get_file",
        "keras.utils.get_file",
        "wget.download",
        "gdown.download",
        "mlflow.artifacts.download_artifacts",
    }
)
# Calls that write a download to the path given as their last positional argument (or a
# keyword): the name or literal passed there holds downloaded content afterwards.
_DOWNLOADS_TO = {
    "urllib.request.urlretrieve": "filename",
    "urllib.urlretrieve": "filename",
    "torch.hub.download_url_to_file": "dst",
    "wget.download": "out",
    "gdown.download": "output",
}
# boto3 methods, matched by name whatever object they are called on.
_S3_DOWNLOAD_METHODS = {"download_file": "Filename", "download_fileobj": "Fileobj"}
_S3_READ_METHODS = frozenset({"get_object"})
_REMOTE_PREFIXES = ("http://", "https://", "s3://", "s3a://", "gs://", "hf://", "ftp://")
_QUOTED = 40  # characters of the code a message quotes as where a model comes from
_CONFIG_ROOTS = frozenset(
    {
        "cfg",
        "config",
        "conf",
        "configs",
        "params",
        "hparams",
        "hp",
        "args",
        "opt",
        "opts",
        "options",
        "settings",
        "flags",
        "FLAGS",
        "hydra_cfg",
    }
)
_PATH_BUILDERS = frozenset(
    {
        "os.path.join",
        "pathlib.Path",
        "pathlib.PurePath",
        "str",
        "os.path.abspath",
        "os.path.expanduser",
        "io.BytesIO",
    }
)
# Openers: only their first argument (the file) tells where the content comes from.
_OPENERS = frozenset({"open", "io.open", "gzip.open", "bz2.open", "lzma.open"})
# Calls that write an object to the file (or buffer) given as the argument at this index or
# keyword: what is loaded from it afterwards is what the code itself wrote.
_SAVES = {
    "torch.save": (1, "f"),
    "pickle.dump": (1, "file"),
    "dill.dump": (1, "file"),
    "cloudpickle.dump": (1, "file"),
    "joblib.dump": (1, "filename"),
    "numpy.save": (0, "file"),
    "numpy.savez": (0, "file"),
    "numpy.savez_compressed": (0, "file"),
}
# Methods that save a model to the path given first (Keras, Hugging Face, scikit-learn
# wrappers), whatever object they are called on.
_SAVE_METHODS = frozenset({"save", "save_model", "save_pretrained", "save_weights"})
# pytest's temporary folders, and the tempfile module: a test writes its artefacts there.
_TEMPORARY_FIXTURES = frozenset({"tmp_path", "tmpdir", "tmp_path_factory", "tmpdir_factory"})
_TEMPORARY_MODULE = "tempfile"
TORCH_SAFE_DEFAULT = (2, 6)
_NEEDLES = (
    b"pickle",
    b"joblib",
    b"dill",
    b"torch",
    b"allow_pickle",
    b"safe_mode",
    b"trust_remote_code",
)


class Origin(str, enum.Enum):
    REMOTE = "remote"
    OWN = "own"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Source:
    origin: Origin
    # What is loaded, for a message: what a call downloaded (with its line), a URL, an
    # expression as written.
    description: str


@dataclass(frozen=True)
class Load:
    """A call that deserialises a model, with what it loads."""

    path: str
    line: int
    column: int
    callee: str
    call: ast.Call = field(compare=False, repr=False)
    source: Source
    module: PythonModule = field(compare=False, repr=False)


def model_loads(ev: Evidence) -> tuple[Load, ...]:
    """Every deserialising call in the project's Python files, with its source."""
    return ev.memo(("model_loading", "loads"), lambda: tuple(_model_loads(ev)))


def _model_loads(ev: Evidence) -> Iterator[Load]:
    for path, module in ev.parsed_files(PYTHON, parse_python, *_NEEDLES):
        yield from _Scopes(path, module).loads()


def _is_remote_literal(node: ast.expr) -> bool:
    value = literal(node)
    return isinstance(value, str) and value.lower().startswith(_REMOTE_PREFIXES)


class _Scopes:
    """Follows which names hold downloaded or project-owned values through one module."""

    def __init__(self, path: str, module: PythonModule) -> None:
        self.path = path
        self.module = module
        self.test_code = is_test_path(path)

    def loads(self) -> Iterator[Load]:
        top = _State()
        found = list(self._block(self.module.tree.body, top))
        for node in self.module.index.functions():
            state = top.copy()
            state.temporary = self.test_code and self._writes_to_temporary_folder(node)
            found.extend(self._block(node.body, state))
        yield from sorted(found, key=lambda load: (load.line, load.column))

    def _writes_to_temporary_folder(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """Whether a test works in a temporary folder: it takes one of pytest's
        temporary-folder fixtures, or calls :mod:`tempfile`."""
        arguments = function.args
        names = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
        if names & _TEMPORARY_FIXTURES:
            return True
        return any(
            isinstance(node, ast.Call) and self._is_temporary(node) for node in ast.walk(function)
        )

    def _is_temporary(self, call: ast.Call) -> bool:
        name = self.module.qualified_name(call.func) or ""
        return name.startswith(f"{_TEMPORARY_MODULE}.")

    @nesting_bounded(())
    def _block(self, body: list[ast.stmt], state: _State) -> Iterator[Load]:
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if isinstance(statement, ast.ClassDef):
                    yield from self._block(
                        [s for s in statement.body if not isinstance(s, ast.FunctionDef)], state
                    )
                continue
            yield from self._statement(statement, state)

    def _statement(self, statement: ast.stmt, state: _State) -> Iterator[Load]:
        heads: list[ast.AST] = []
        bodies: list[list[ast.stmt]] = []
        for name, value in ast.iter_fields(statement):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                bodies.append(value)
            elif isinstance(value, list) and value and isinstance(value[0], ast.ExceptHandler):
                bodies.extend(handler.body for handler in value)
            elif name != "body":
                items = value if isinstance(value, list) else [value]
                heads.extend(item for item in items if isinstance(item, ast.AST))
        for head in heads:
            for node in ast.walk(head):
                if isinstance(node, ast.Call):
                    yield from self._call(node, state)
        self._bind(statement, state)
        for body in bodies:
            yield from self._block(body, state)

    def _bind(self, statement: ast.stmt, state: _State) -> None:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                self._assign(target, statement.value, state)
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and statement.value:
            self._assign(statement.target, statement.value, state)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                if item.optional_vars is not None:
                    self._assign(item.optional_vars, item.context_expr, state)
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            state.assign(statement.target, self.source(statement.iter, state))

    def _assign(self, target: ast.expr, value: ast.expr, state: _State) -> None:
        state.assign(target, self.source(value, state))
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Call)
            and value.args
            and self.module.qualified_name(value.func) in _OPENERS
        ):
            state.opened[target.id] = value.args[0]

    def _call(self, call: ast.Call, state: _State) -> Iterator[Load]:
        name = self.module.qualified_name(call.func) or ""
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        target = self._download_target(name, method, call)
        if target is not None:
            state.assign(target, self._downloaded(name or method, call))
        saved = self._save_target(name, method, call)
        if saved is not None:
            state.written(saved, Source(Origin.OWN, f"`{quote_expression(saved, _QUOTED)}`"))
        loader = self._loader(name, call)
        if loader is not None:
            line, column = self.module.position(call)
            source = self._argument_source(loader, call, state)
            if source.origin is Origin.UNKNOWN and state.temporary:
                # A test working in a temporary folder loads what it wrote there.
                source = Source(Origin.OWN, source.description)
            yield Load(self.path, line, column, loader, call, source, self.module)

    @staticmethod
    def _save_target(name: str, method: str, call: ast.Call) -> ast.expr | None:
        """The file or buffer a call saves an object to, or None when it saves nothing."""
        if name in _SAVES:
            index, key = _SAVES[name]
            given = keyword(call, key)
            return given or (call.args[index] if len(call.args) > index else None)
        return call.args[0] if method in _SAVE_METHODS and call.args else None

    @staticmethod
    def _download_target(name: str, method: str, call: ast.Call) -> ast.expr | None:
        """Where a call writes what it downloads: the keyword, else the last positional
        argument (for urlretrieve and friends, only when a destination is given at all)."""
        if name in _DOWNLOADS_TO:
            given = keyword(call, _DOWNLOADS_TO[name])
            return given or (call.args[-1] if len(call.args) >= 2 else None)
        if method in _S3_DOWNLOAD_METHODS:
            given = keyword(call, _S3_DOWNLOAD_METHODS[method])
            return given or (call.args[-1] if call.args else None)
        return None

    def _loader(self, name: str, call: ast.Call) -> str | None:
        if name in PICKLE_LOADERS or name in {
            "torch.load",
            "torch.hub.load_state_dict_from_url",
            "numpy.load",
        }:
            return name
        if keyword(call, "trust_remote_code") is not None:
            return name or (call.func.attr if isinstance(call.func, ast.Attribute) else "")
        if name.endswith("load_model") and keyword(call, "safe_mode") is not None:
            return name
        return None

    def _argument_source(self, loader: str, call: ast.Call, state: _State) -> Source:
        if loader == "torch.hub.load_state_dict_from_url":
            return Source(Origin.REMOTE, "a URL")
        argument = call.args[0] if call.args else None
        if argument is None:
            for name in (
                "f",
                "file",
                "fname",
                "filepath_or_buffer",
                "filepath",
                "pretrained_model_name_or_path",
                "model",
                "path",
                "filename",
            ):
                argument = keyword(call, name)
                if argument is not None:
                    break
        if argument is None:
            return Source(Origin.UNKNOWN, "")
        return self.source(argument, state)

    @nesting_bounded(Source(Origin.UNKNOWN, ""))
    def source(self, node: ast.expr, state: _State) -> Source:
        """Where the value of ``node`` comes from, as far as this module tells."""
        written = state.written_to(node)
        if written is not None:
            return written
        if isinstance(node, ast.Name):
            bound = state.names.get(node.id)
            if bound is not None and (
                bound.origin is Origin.REMOTE or node.id not in _CONFIG_ROOTS
            ):
                return bound
            # `args = parser.parse_args()`, `cfg = load_config(...)`: configuration still;
            # pytest's `tmp_path`: a folder the test writes.
            own = node.id in _CONFIG_ROOTS or (bound is None and node.id in _TEMPORARY_FIXTURES)
            return Source(Origin.OWN if own else Origin.UNKNOWN, f"`{node.id}`")
        value = literal(node)
        if isinstance(value, str):
            shown = f"`{quote(value, _QUOTED)}`"
            if value.lower().startswith(_REMOTE_PREFIXES):
                return Source(Origin.REMOTE, shown)
            return state.literals.get(value, Source(Origin.OWN, shown))
        if isinstance(node, ast.Call):
            name = self.module.qualified_name(node.func) or ""
            method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if name in _DOWNLOADS or method in _S3_READ_METHODS:
                return self._downloaded(name or method, node)
            if self._is_temporary(node):
                return Source(Origin.OWN, f"`{quote_expression(node, _QUOTED)}`")
        root = _root_name(node)
        if root is not None and root.startswith("self.") and root[5:] in _CONFIG_ROOTS:
            return Source(Origin.OWN, f"`{quote_expression(node, _QUOTED)}`")
        parts = self._parts(node)
        if parts is None:
            return Source(Origin.UNKNOWN, f"`{quote_expression(node, _QUOTED)}`")
        sources = [self.source(part, state) for part in parts]
        remote = next((s for s in sources if s.origin is Origin.REMOTE), None)
        if remote is not None:
            return remote
        # A path that names its file in the code (`os.path.join(run_dir, "best_model.pt")`)
        # is an artefact the project writes itself.
        if sources and (
            all(s.origin is Origin.OWN for s in sources)
            or (self._joins_paths(node) and any(isinstance(literal(p), str) for p in parts))
        ):
            return Source(Origin.OWN, f"`{quote_expression(node, _QUOTED)}`")
        return Source(Origin.UNKNOWN, f"`{quote_expression(node, _QUOTED)}`")

    def _joins_paths(self, node: ast.expr) -> bool:
        """Whether ``node`` builds a path from parts (not reading or opening one)."""
        if isinstance(node, (ast.JoinedStr, ast.BinOp)):
            return True
        if isinstance(node, ast.Call):
            name = self.module.qualified_name(node.func) or ""
            return name in _PATH_BUILDERS or (
                isinstance(node.func, ast.Attribute) and node.func.attr == "joinpath"
            )
        return False

    def _downloaded(self, callee: str, call: ast.Call) -> Source:
        line = self.module.position(call)[0]
        return Source(Origin.REMOTE, f"what `{callee}` downloaded (line {line})")

    def _parts(self, node: ast.expr) -> list[ast.expr] | None:
        """The sub-expressions a value is built from, when it is built from them alone
        (joins, f-strings, concatenation, reading or opening); None for anything else."""
        if isinstance(node, ast.JoinedStr):
            return [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values]
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Add, ast.Mod)):
            return [node.left, node.right]
        if isinstance(node, (ast.Subscript, ast.Attribute)):
            return [node.value]
        if isinstance(node, ast.Call) and not has_star_kwargs(node):
            name = self.module.qualified_name(node.func) or ""
            if name in _OPENERS:
                return node.args[:1]
            if name in _PATH_BUILDERS:
                return list(node.args)
            if isinstance(node.func, ast.Attribute):
                # resp.read(), obj["Body"].read(), path.open("rb"), root.joinpath("m.pt"):
                # the receiver's origin, and that of any path joined to it.
                joined = list(node.args) if node.func.attr in {"joinpath", "with_suffix"} else []
                return [node.func.value, *joined]
        return None


class _State:
    def __init__(self) -> None:
        self.names: dict[str, Source] = {}
        self.literals: dict[str, Source] = {}
        # Other expressions (`f.name`, `tmp_path / "m.pt"`) written to, by their AST.
        self.expressions: dict[tuple[object, ...], Source] = {}
        # The file each name was opened from (`with open(path, "wb") as f`).
        self.opened: dict[str, ast.expr] = {}
        # Whether the function is a test working in a temporary folder.
        self.temporary = False

    def copy(self) -> _State:
        state = _State()
        state.names = dict(self.names)
        state.literals = dict(self.literals)
        state.expressions = dict(self.expressions)
        state.opened = dict(self.opened)
        return state

    @nesting_bounded(None)
    def assign(self, target: ast.expr, source: Source) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = source
            self.opened.pop(target.id, None)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.assign(element, source)
        elif isinstance(target, ast.Constant) and isinstance(target.value, str):
            self.literals[target.value] = source
        else:
            key = _expression_key(target)
            if key is not None:
                self.expressions[key] = source

    def written(self, target: ast.expr, source: Source) -> None:
        """``target`` (a path, a file object, a buffer) now holds what the code saved; so
        does the file a file object was opened from."""
        opened = self.opened.get(target.id) if isinstance(target, ast.Name) else None
        self.assign(target, source)
        if opened is not None:
            self.assign(opened, source)

    def written_to(self, node: ast.expr) -> Source | None:
        if not self.expressions or isinstance(node, (ast.Name, ast.Constant)):
            return None
        key = _expression_key(node)
        return None if key is None else self.expressions.get(key)


_KEY_NODES = 64


def _expression_key(node: ast.expr) -> tuple[object, ...] | None:
    """What identifies an expression as written (``f.name``, ``tmp_path / "m.pt"``): each
    node breadth first, with its type, name or value and number of children, which together
    fix the tree; None for an expression larger than :data:`_KEY_NODES` nodes."""
    key: list[object] = []
    for count, current in enumerate(ast.walk(node)):
        if count >= _KEY_NODES:
            return None
        children = sum(1 for _ in ast.iter_child_nodes(current))
        label = getattr(current, "id", None) or getattr(current, "attr", None)
        value = repr(current.value) if isinstance(current, ast.Constant) else None
        key.append((type(current).__name__, label, value, children))
    return tuple(key)


def _root_name(node: ast.expr) -> str | None:
    """``cfg`` for ``cfg.model.path`` or ``cfg["model"]``, ``self.cfg`` for
    ``self.cfg.path``; None when the expression is not such a chain."""
    parts: list[str] = []
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    if node.id == "self" and parts:
        return f"self.{parts[-1]}"
    return node.id
