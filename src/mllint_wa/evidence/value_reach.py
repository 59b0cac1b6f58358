"""Where the value of an expression goes: into training or a split, out of training (shown,
sent to a model that is already trained, made into a name), or somewhere the code does not
tell.

The value is followed forward through the expressions that hold it (arithmetic, indexing,
containers, comprehensions, lambdas, the calls it is given to and the methods called on it),
through the names it is assigned to (their later uses in the same function or module, and
uses inside the module's functions), the containers it is put into (``rows.append(v)``,
``frame["col"] = v``), the branches it decides (``if random.random() < p: x = flip(x)``
follows ``x``), the loops that iterate over it, and, through the project's value flow
(:mod:`mllint_wa.evidence.python_flow`), the parameters of the project functions it is given
to, the calls of the function that returns or yields it and the places that pass that function on
(``dataset.map(augment)``). It is followed through :data:`MAX_HOPS` names, parameters or
returns, within a budget of :data:`_MAX_STEPS` expressions.

It **reaches training** when it is given to a split (``train_test_split``, ``random_split``,
``np.split``, a splitter's ``.split``), a fit (``fit``, ``partial_fit``, ``fit_generator``,
``fit_transform``, ``train``, ``train_on_batch``, a ``…Trainer(...)``), a ``nn.Parameter`` or a
layer's ``weight``/``bias``/``data``; when a loop over it calls ``.backward()`` or
``.step()``; when Lightning's ``train_dataloader`` hook returns it; or when it is written to a
file whose path names training data (``to_csv``, ``to_parquet``, ``np.save``, ``np.savetxt``
… with a word starting with ``train`` in a path literal or in the name of the variable
holding the path).

It **ends outside training** in an f-string or a text call (``str``, ``.format``,
``.join``), a keyword argument that names something (``job_name=``), a display (``print``,
``display``, ``imshow``), or a call that sends it to a trained model or an exporter
(``predict``, ``invoke_endpoint``, ``requests.post``, ``torch.onnx.export``, SageMaker's
``SchemaBuilder``, ``put_metric_data`` …).
"""

from __future__ import annotations

import ast
import enum
import re

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import Evidence
from mllint_wa.evidence.python_flow import Function, PythonFlow, flow
from mllint_wa.evidence.python_values import Values, passes_receiver
from mllint_wa.parsers.python_code import PythonModule, literal

# How many names, parameters and returns a value is followed through.
MAX_HOPS = 6
# Expressions looked at for one value: a bound on what one draw costs.
_MAX_STEPS = 3000


class End(enum.Enum):
    """One place a value may end."""

    TRAINING = "training"
    OUTSIDE = "outside training"
    UNKNOWN = "unknown"


Ends = frozenset[End]
_TRAINING: Ends = frozenset({End.TRAINING})
_OUTSIDE: Ends = frozenset({End.OUTSIDE})
_UNKNOWN: Ends = frozenset({End.UNKNOWN})
_NOWHERE: Ends = frozenset()

# Calls that fit a model to what they are given, or split it for training.
_FITS = frozenset(
    {"fit", "partial_fit", "fit_generator", "fit_transform", "train", "train_on_batch"}
)
_SPLITS = frozenset({"train_test_split", "random_split", "numpy.split", "numpy.array_split"})
# A model's own parameters.
_PARAMETERS = frozenset({"Parameter"})
_WEIGHTS = frozenset({"weight", "bias", "data"})
# What a training loop does with each batch.
_TRAINING_STEPS = frozenset({"backward", "step", "training_step", "train_step"})
# Lightning calls this hook of a data module for the loader it trains on.
_TRAINING_HOOKS = frozenset({"train_dataloader"})
# Writes of data to a file, by function and by method.
_WRITERS = frozenset({"numpy.save", "numpy.savetxt", "numpy.savez", "numpy.savez_compressed"})
_WRITE_METHODS = frozenset(
    {"to_csv", "to_parquet", "to_json", "to_pickle", "to_feather", "save_to_disk", "tofile"}
)
# What separates the words of a path or a variable's name.
_WORDS = re.compile(r"[^a-z]+")
# Methods that put their argument into the container they are called on.
_PUT_METHODS = frozenset({"append", "extend", "insert", "add", "update", "appendleft"})
# Methods that shuffle the container they are given in place.
_IN_PLACE_SHUFFLES = frozenset({"shuffle"})

# Where a value goes out of training: a model exported or traced with a dummy input, a
# request or prediction sent with a made-up payload, a metric published.
_INFERENCE_CALLS = frozenset(
    {
        "torch.onnx.export",
        "torch.onnx.dynamo_export",
        "torch.jit.trace",
        "torch.jit.trace_module",
        "torch.export.export",
        "tf2onnx.convert.from_keras",
        "tf2onnx.convert.from_function",
        "coremltools.convert",
        "requests.get",
        "requests.post",
        "requests.put",
        "requests.patch",
        "requests.request",
        "httpx.get",
        "httpx.post",
        "httpx.put",
        "httpx.request",
        "urllib.request.urlopen",
        "urllib.request.Request",
        "sagemaker.serve.SchemaBuilder",
        "sagemaker.serve.builder.schema_builder.SchemaBuilder",
    }
)
_INFERENCE_METHODS = frozenset(
    {
        "predict",
        "invoke_endpoint",
        "invoke_endpoint_async",
        "to_onnx",
        "to_torchscript",
        "put_metric_data",
    }
)
# Where a value is only shown to the reader: a printed row, a plotted image.
_DISPLAY_CALLS = frozenset({"print", "display", "pprint.pprint", "IPython.display.display"})
_DISPLAY_METHODS = frozenset({"imshow", "set_title"})
# Calls that make a name or a text of what they are given.
_TEXT_CALLS = frozenset({"str", "repr", "format", "os.path.join", "hex"})
_TEXT_METHODS = frozenset({"join", "format"})
# Calls that pass a value on unchanged in substance (a payload serialised, an array made):
# nothing else is done with it there.
_CARRIERS = frozenset(
    {
        "json.dumps",
        "list",
        "tuple",
        "dict",
        "len",
        "int",
        "float",
        "round",
        "min",
        "max",
        "enumerate",
        "zip",
        "iter",
        "next",
        "numpy.array",
        "numpy.asarray",
        "numpy.concatenate",
        "numpy.stack",
        "numpy.maximum",
        "numpy.minimum",
        "numpy.clip",
        "torch.tensor",
        "torch.from_numpy",
        "pandas.DataFrame",
        "pandas.Series",
        "pandas.concat",
    }
)
# Expressions whose value is made of the value of a part.
_HOLDERS = (
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.Subscript,
    ast.Slice,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.Starred,
    ast.IfExp,
    ast.Await,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.comprehension,
    ast.Lambda,
)


def value_ends(ev: Evidence, path: str, parsed: PythonModule, node: ast.expr) -> Ends:
    """Where the value of ``node``, an expression of the module at ``path``, may end."""
    return _walk(ev).ends(flow(ev).values(path, parsed), node, MAX_HOPS)


def shuffled_ends(ev: Evidence, path: str, parsed: PythonModule, shuffle: ast.Call) -> Ends:
    """Where the container that ``shuffle`` (``random.shuffle(rows)``) shuffles in place
    goes after it."""
    return _walk(ev).shuffled(flow(ev).values(path, parsed), shuffle, MAX_HOPS)


def _walk(ev: Evidence) -> _Walk:
    return _Walk(flow(ev), ev.memo(_NameReads, _NameReads))


class _NameReads:
    """The reads of each name in each module, found once per run."""

    def __init__(self) -> None:
        self._reads: dict[int, dict[str, list[ast.Name]]] = {}

    def named(self, values: Values, name: str) -> list[ast.Name]:
        reads = self._reads.get(id(values.module))
        if reads is None:
            reads = {}
            for node in values.module.index.of(ast.Name):
                if isinstance(node.ctx, ast.Load):
                    reads.setdefault(node.id, []).append(node)
            self._reads[id(values.module)] = reads
        return reads.get(name, [])


class _Walk:
    """One value followed forward, within one budget of steps."""

    def __init__(self, project: PythonFlow, reads: _NameReads) -> None:
        self.project = project
        self.reads = reads
        self.steps = _MAX_STEPS
        # The call a parameter was followed in from, by function: what it returns goes
        # back there, not to every call of the function.
        self.returns_to: dict[int, tuple[Values, ast.Call]] = {}

    @nesting_bounded(_UNKNOWN)
    def ends(self, values: Values, node: ast.AST, hops: int) -> Ends:
        parents = values.parents
        found: set[End] = set()
        trail: list[ast.AST] = [node]
        while True:
            self.steps -= 1
            if self.steps < 0:
                return frozenset(found | {End.UNKNOWN})
            parent = parents.get(node)
            if parent is None or isinstance(parent, ast.FormattedValue):
                return frozenset(found | {End.OUTSIDE if parent else End.UNKNOWN})
            if isinstance(parent, ast.keyword):
                call = parents.get(parent)
                if not isinstance(call, ast.Call):
                    return frozenset(found | {End.UNKNOWN})
                if parent.arg and "name" in parent.arg.lower():
                    return frozenset(found | {End.OUTSIDE})  # job_name=, run_name=
                given = self._given(values, call, node, parent.arg, hops)
                if given is not None:
                    return frozenset(found) | given
                found |= self._consumed(values, call)
                node = call
            elif isinstance(parent, ast.Call):
                if node is parent.func:
                    return frozenset(found | {End.UNKNOWN})
                given = self._given(values, parent, node, None, hops)
                if given is not None:
                    return frozenset(found) | given
                found |= self._consumed(values, parent)
                node = parent
            elif isinstance(parent, ast.Attribute):
                call = parents.get(parent)
                if isinstance(call, ast.Call) and call.func is parent:
                    called = self._method(values, call, parent.attr, hops)
                    if called is not None:
                        return frozenset(found) | called
                    node = call
                else:
                    node = parent
            elif isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
                if isinstance(parent, ast.NamedExpr):
                    found |= self._assigned(values, parent, parent.target, trail, hops)
                    node = parent
                    continue
                if node is not parent.value:
                    return frozenset(found | {End.UNKNOWN})
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                for target in targets:
                    found |= self._assigned(values, parent, target, trail, hops)
                return frozenset(found) or _UNKNOWN
            elif isinstance(parent, (ast.For, ast.AsyncFor)) and node is parent.iter:
                return frozenset(found) | self._iterated(values, parent, hops)
            elif isinstance(parent, (ast.If, ast.While)) and node is parent.test:
                return frozenset(found) | self._decides(values, parent, hops)
            elif isinstance(parent, (ast.Return, ast.Yield, ast.YieldFrom)):
                return frozenset(found) | self._returned(values, parent, hops)
            elif isinstance(parent, _HOLDERS):
                node = parent
            else:
                return frozenset(found | {End.UNKNOWN})
            trail.append(node)

    def shuffled(self, values: Values, shuffle: ast.Call, hops: int) -> Ends:
        statement = values.statement_of(shuffle)
        container = _base_name(shuffle.args[0]) if shuffle.args else None
        if statement is None or container is None:
            return _UNKNOWN
        return self._uses(values, container, statement, hops)

    # Calls ---------------------------------------------------------------------------------

    def _given(
        self, values: Values, call: ast.Call, node: ast.AST, keyword: str | None, hops: int
    ) -> Ends | None:
        """Where a value given to ``call`` ends there, or None when the call passes it on."""
        module = values.module
        name = module.qualified_name(call.func) or ""
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        last = method or name.rpartition(".")[2]
        if name in _INFERENCE_CALLS or method in _INFERENCE_METHODS:
            return _OUTSIDE
        if name in _DISPLAY_CALLS or method in _DISPLAY_METHODS:
            return _OUTSIDE
        literal_receiver = isinstance(call.func, ast.Attribute) and isinstance(
            literal(call.func.value), str
        )
        if name in _TEXT_CALLS or (method in _TEXT_METHODS and literal_receiver):
            return _OUTSIDE
        if _trains(name, last, call, module) or last.endswith("Trainer"):
            return _TRAINING
        if last in _PARAMETERS:
            return _TRAINING
        if name in _WRITERS:
            return _TRAINING if _names_training(call, node) else _UNKNOWN
        if method in _PUT_METHODS and isinstance(call.func, ast.Attribute):
            container = _base_name(call.func.value)
            statement = values.statement_of(call)
            if container is None or statement is None or container == "self":
                return _UNKNOWN
            return self._uses(values, container, statement, hops)
        return self._parameter(values, call, node, keyword, hops)

    def _consumed(self, values: Values, call: ast.Call) -> Ends:
        """A value given to a call that is no mere carrier may be used up there, in ways
        the code does not show."""
        name = values.module.qualified_name(call.func) or ""
        return _NOWHERE if name in _CARRIERS else _UNKNOWN

    def _method(self, values: Values, call: ast.Call, method: str, hops: int) -> Ends | None:
        """Where a value ends when ``method`` is called on it, or None when the result
        carries it on."""
        if method in _FITS or method == "train_test_split":
            return _TRAINING
        if method in _WRITE_METHODS:
            return _TRAINING if _names_training(call, None) else _UNKNOWN
        if method in _IN_PLACE_SHUFFLES:
            statement = values.statement_of(call)
            if isinstance(statement, ast.Expr) and statement.value is call:
                return self.shuffled(values, call, hops)
        if method in _INFERENCE_METHODS or method in _DISPLAY_METHODS:
            return _OUTSIDE
        return None

    def _parameter(
        self, values: Values, call: ast.Call, node: ast.AST, keyword: str | None, hops: int
    ) -> Ends | None:
        """A value given to a project function goes where its parameter goes."""
        found = self.project.function(values, call.func)
        if found is None or hops <= 0:
            return None
        home, function = found
        parameter = _parameter_name(values, function, call, node, keyword)
        if parameter is None:
            return _UNKNOWN
        uses = self._reads_in(home, parameter, function, (0, 0))
        outer = self.returns_to.get(id(function))
        self.returns_to[id(function)] = (values, call)
        try:
            return self._all(home, uses, hops - 1)
        finally:
            if outer is None:
                del self.returns_to[id(function)]
            else:
                self.returns_to[id(function)] = outer

    # Names ---------------------------------------------------------------------------------

    def _assigned(
        self, values: Values, statement: ast.AST, target: ast.expr, trail: list[ast.AST], hops: int
    ) -> Ends:
        if hops <= 0:
            return _UNKNOWN
        if isinstance(target, ast.Name):
            return self._uses(values, target.id, statement, hops)
        if isinstance(target, (ast.Tuple, ast.List)):
            value = getattr(statement, "value", None)
            index = _element_index(value, trail, len(target.elts))
            chosen = target.elts if index is None else [target.elts[index]]
            ends: set[End] = set()
            for element in chosen:
                ends |= self._assigned(values, statement, element, trail, hops)
            return frozenset(ends)
        if isinstance(target, ast.Attribute) and target.attr in _WEIGHTS:
            return _TRAINING
        container = _base_name(target)
        if container is None or container == "self" or not isinstance(statement, ast.stmt):
            return _UNKNOWN
        return self._uses(values, container, statement, hops)

    def _uses(self, values: Values, name: str, statement: ast.stmt | ast.AST, hops: int) -> Ends:
        """Where a name bound (or changed) by ``statement`` goes: its later reads in the
        same scope, and its reads inside the functions that scope defines. Every way on
        (a name, a container, a loop, a branch) spends a hop here."""
        if hops <= 0:
            return _UNKNOWN
        scope = values.scope(statement).node
        after = (
            getattr(statement, "end_lineno", 0) or 0,
            getattr(statement, "end_col_offset", 0) or 0,
        )
        return self._all(values, self._reads_in(values, name, scope, after), hops - 1)

    def _reads_in(
        self, values: Values, name: str, scope: ast.AST, after: tuple[int, int]
    ) -> list[ast.Name]:
        """The reads of ``name`` that see the binding of ``scope``: after ``after`` in the
        scope itself, anywhere in a function nested in it that does not bind the name."""
        found = []
        for read in self.reads.named(values, name):
            self.steps -= 1
            own = values.scope(read).node
            if own is scope:
                if (read.lineno, read.col_offset) > after:
                    found.append(read)
            elif values.sees_enclosing(read, scope):
                found.append(read)
        return found

    def _all(self, values: Values, uses: list[ast.Name], hops: int) -> Ends:
        if not uses:
            return _UNKNOWN
        ends: set[End] = set()
        for use in uses:
            ends |= self.ends(values, use, hops)
            if End.TRAINING in ends or self.steps < 0:
                break
        return frozenset(ends)

    # Statements ----------------------------------------------------------------------------

    def _iterated(self, values: Values, loop: ast.For | ast.AsyncFor, hops: int) -> Ends:
        """A loop over a value trains on it when its body takes a training step or fits on
        something (``model.train()`` without arguments only sets the model's mode)."""
        for statement in loop.body:
            for node in ast.walk(statement):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    fits = node.func.attr in _FITS and bool(node.args or node.keywords)
                    if fits or node.func.attr in _TRAINING_STEPS:
                        return _TRAINING
        ends: set[End] = set()
        for name in _target_names(loop.target):
            ends |= self._uses(values, name, loop.target, hops)
        return frozenset(ends) or _UNKNOWN

    def _decides(self, values: Values, branch: ast.If | ast.While, hops: int) -> Ends:
        """A value that decides a branch goes where the names the branch assigns go."""
        ends: set[End] = set()
        for statement in [*branch.body, *branch.orelse]:
            for node in ast.walk(statement):
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        name = _base_name(target)
                        if name is not None and name != "self":
                            ends |= self._uses(values, name, branch, hops)
        return frozenset(ends) or _UNKNOWN

    def _returned(self, values: Values, leaving: ast.AST, hops: int) -> Ends:
        """A returned (or yielded) value goes where the function's calls go, and where the
        function is passed on as a callback (``dataset.map(augment)``)."""
        function = values.function_of(leaving)
        if function is None or hops <= 0:
            return _UNKNOWN
        if function.name in _TRAINING_HOOKS:
            return _TRAINING
        came_from = self.returns_to.get(id(function))
        if came_from is not None:
            return self.ends(came_from[0], came_from[1], hops - 1)
        ends: set[End] = set()
        for caller, call in self.project.call_sites(values, function) or []:
            ends |= self.ends(caller, call, hops - 1)
        references = [
            node for node in self.reads.named(values, function.name) if not _is_called(values, node)
        ]
        if references:
            ends |= self._all(values, references, hops - 1)
        return frozenset(ends) or _UNKNOWN


def _trains(name: str, last: str, call: ast.Call, module: PythonModule) -> bool:
    """Whether a call fits a model to, or splits, what it is given."""
    if last in _FITS or name in _SPLITS or last in ("train_test_split", "random_split"):
        return True
    # A splitter's ``.split(X)``; not ``os.path.split`` or ``re.split``.
    if last == "split" and isinstance(call.func, ast.Attribute):
        receiver = call.func.value
        return _base_name(receiver) not in module.imports and not isinstance(literal(receiver), str)
    return False


def _names_training(call: ast.Call, value: ast.AST | None) -> bool:
    """Whether a write names training data: a word starting with ``train`` (``train``,
    ``training``, ``trainset``; not ``pretrained``) in a path literal, or in the name of the
    variable holding the path."""
    for argument in [*call.args, *(item.value for item in call.keywords)]:
        if argument is value:
            continue
        for node in ast.walk(argument):
            if isinstance(node, ast.Constant):
                text = node.value
            else:
                text = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
            if isinstance(text, str) and any(
                word.startswith("train") for word in _WORDS.split(text.lower())
            ):
                return True
    return False


def _base_name(node: ast.AST) -> str | None:
    """The variable an expression reads or changes (``rows`` of ``rows[i].x``)."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _target_names(target: ast.AST) -> list[str]:
    return [node.id for node in ast.walk(target) if isinstance(node, ast.Name)]


def _element_index(value: ast.AST | None, trail: list[ast.AST], count: int) -> int | None:
    """Which element of an unpacked value the followed value is: its place in a tuple, or
    the place of the argument of a call that hands its arguments back in order
    (``accelerator.prepare(model, loader)``)."""
    if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == count:
        parts: list[ast.expr] = value.elts
    elif (
        isinstance(value, ast.Call)
        and len(value.args) == count
        and not value.keywords
        and not any(isinstance(arg, ast.Starred) for arg in value.args)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "prepare"
    ):
        parts = value.args
    else:
        return None
    for index, part in enumerate(parts):
        if any(node is part for node in trail):
            return index
    return None


def _parameter_name(
    values: Values, function: Function, call: ast.Call, node: ast.AST, keyword: str | None
) -> str | None:
    if keyword is not None:
        return keyword
    positional = [*function.args.posonlyargs, *function.args.args]
    if passes_receiver(values, function, call):
        positional = positional[1:]  # ``self``
    for index, argument in enumerate(call.args):
        if argument is node:
            return positional[index].arg if index < len(positional) else None
    return None


def _is_called(values: Values, name: ast.Name) -> bool:
    parent = values.parents.get(name)
    return isinstance(parent, ast.Call) and parent.func is name
