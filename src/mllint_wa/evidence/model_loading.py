"""Where Python code deserialises executable model formats, and from where.

Within each function (and the module's top level) assignments are followed in source
order, so that a value is known to come from a download (``hf_hub_download``, boto3's
``download_file``/``get_object``, ``urllib``/``requests``, ``torch.hub``, ``keras``'s
``get_file``, a URL literal), from the project itself (a literal path, a path built from
literals or from configuration such as ``cfg``/``params``/``args``), or from somewhere
this reading cannot tell.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import Evidence
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

    def loads(self) -> Iterator[Load]:
        top = _State()
        found = list(self._block(self.module.tree.body, top))
        for node in ast.walk(self.module.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.extend(self._block(node.body, top.copy()))
        yield from sorted(found, key=lambda load: (load.line, load.column))

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
                state.assign(target, self.source(statement.value, state), statement.value)
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)) and statement.value:
            state.assign(statement.target, self.source(statement.value, state), statement.value)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                if item.optional_vars is not None:
                    state.assign(item.optional_vars, self.source(item.context_expr, state))
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            state.assign(statement.target, self.source(statement.iter, state))

    def _call(self, call: ast.Call, state: _State) -> Iterator[Load]:
        name = self.module.qualified_name(call.func) or ""
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        target = self._download_target(name, method, call)
        if target is not None:
            state.assign(target, self._downloaded(name or method, call))
        loader = self._loader(name, call)
        if loader is not None:
            line, column = self.module.position(call)
            source = self._argument_source(loader, call, state)
            yield Load(self.path, line, column, loader, call, source, self.module)

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
        if isinstance(node, ast.Name):
            bound = state.names.get(node.id)
            if bound is not None and (
                bound.origin is Origin.REMOTE or node.id not in _CONFIG_ROOTS
            ):
                return bound
            # `args = parser.parse_args()`, `cfg = load_config(...)`: configuration still.
            origin = Origin.OWN if node.id in _CONFIG_ROOTS else Origin.UNKNOWN
            return Source(origin, f"`{node.id}`")
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

    def copy(self) -> _State:
        state = _State()
        state.names = dict(self.names)
        state.literals = dict(self.literals)
        return state

    @nesting_bounded(None)
    def assign(self, target: ast.expr, source: Source, value: ast.expr | None = None) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = source
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.assign(element, source)
        elif isinstance(target, ast.Constant) and isinstance(target.value, str):
            self.literals[target.value] = source


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
