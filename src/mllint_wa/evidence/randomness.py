"""Random draws in the project's training and splitting code, and whether anything seeds them.

A call draws at random when it splits or shuffles data, initialises or trains a model with a
random component, or draws from a global generator (``random``, ``numpy.random``, ``torch``,
TensorFlow). It is seeded when it is given its seed (``random_state=``, ``seed=``,
``generator=``, whatever the value: a literal, a variable or a config lookup), or when a seed
is set on its path: a seeding call (``seed``, ``manual_seed``, ``set_seed``,
``seed_everything``, ``default_rng(seed)`` …) in its own module, in a project module it
imports, or in a project module that imports it (an entry point that seeds, then calls into
a helper), following imports two levels (a package's ``__init__.py`` is no level), or in
the package whose YAML task files name the module's functions (``!function mod.f``).
``random_state=None`` is no seed; a call that passes
``**kwargs`` may carry one, so it is not reported.

A draw counts only when it shapes what a model learns: a split, a model or an
initialisation unless all its value ends outside training, any other draw only when its
value is seen to reach training (:mod:`mllint_wa.evidence.value_reach`).
"""

from __future__ import annotations

import ast

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import (
    ML_PACKAGES,
    CodeSite,
    configured_targets,
    function_targets,
    import_closure,
    modules,
)
from mllint_wa.parsers.python_code import PythonModule, has_star_kwargs, keyword, literal
from mllint_wa.records import dataclass

_IMPORT_DEPTH = 2
_SEED_KEYWORDS = ("random_state", "seed", "random_seed", "generator", "rng")

# scikit-learn callables that draw at random unless given ``random_state``.
_SKLEARN_RANDOM = frozenset(
    {
        "train_test_split",
        "ShuffleSplit",
        "StratifiedShuffleSplit",
        "GroupShuffleSplit",
        "RepeatedKFold",
        "RepeatedStratifiedKFold",
        "shuffle",
        "resample",
        "RandomizedSearchCV",
        "HalvingRandomSearchCV",
        "ParameterSampler",
        "permutation_importance",
        "RandomForestClassifier",
        "RandomForestRegressor",
        "ExtraTreesClassifier",
        "ExtraTreesRegressor",
        "GradientBoostingClassifier",
        "GradientBoostingRegressor",
        "DecisionTreeClassifier",
        "DecisionTreeRegressor",
        "BaggingClassifier",
        "BaggingRegressor",
        "AdaBoostClassifier",
        "AdaBoostRegressor",
        "IsolationForest",
        "RandomTreesEmbedding",
        "KMeans",
        "MiniBatchKMeans",
        "BisectingKMeans",
        "MLPClassifier",
        "MLPRegressor",
        "SGDClassifier",
        "SGDRegressor",
        "Perceptron",
        "TSNE",
        "GaussianMixture",
        "BayesianGaussianMixture",
        "SpectralClustering",
        "LatentDirichletAllocation",
        "make_classification",
        "make_regression",
        "make_blobs",
        "make_moons",
        "make_circles",
    }
)
# scikit-learn splitters that draw at random only with ``shuffle=True``.
_SKLEARN_SHUFFLE_OPTION = frozenset(
    {"KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold"}
)
_PYTHON_RANDOM = frozenset(
    {
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "shuffle",
        "sample",
        "uniform",
        "gauss",
        "normalvariate",
        "triangular",
        "betavariate",
        "expovariate",
        "gammavariate",
        "lognormvariate",
        "getrandbits",
        "randbytes",
    }
)
# numpy.random names that are no draw from the global generator.
_NUMPY_NOT_DRAWS = frozenset(
    {
        "seed",
        "default_rng",
        "RandomState",
        "Generator",
        "SeedSequence",
        "get_state",
        "set_state",
        "BitGenerator",
        "PCG64",
        "PCG64DXSM",
        "MT19937",
        "Philox",
        "SFC64",
    }
)
_TORCH_RANDOM = frozenset(
    {
        "rand",
        "randn",
        "randint",
        "randperm",
        "rand_like",
        "randn_like",
        "randint_like",
        "normal",
        "bernoulli",
        "multinomial",
        "poisson",
    }
)
_TORCH_INIT = frozenset(
    {
        "uniform_",
        "normal_",
        "xavier_uniform_",
        "xavier_normal_",
        "kaiming_uniform_",
        "kaiming_normal_",
        "trunc_normal_",
        "orthogonal_",
        "sparse_",
    }
)
_TENSORFLOW_RANDOM = frozenset(
    {"normal", "uniform", "truncated_normal", "shuffle", "categorical", "gamma", "poisson"}
)
# scikit-learn callables that draw data rather than split it or fit a model.
_SKLEARN_DATA_DRAWS = frozenset({"shuffle", "resample"})
# Draws that shuffle the container they are given in place.
_IN_PLACE_SHUFFLES = frozenset({"random.shuffle", "numpy.random.shuffle"})
# Generators seeded by their first argument; without one they draw from the OS.
_GENERATORS = frozenset({"numpy.random.default_rng", "numpy.random.RandomState", "random.Random"})


@dataclass(frozen=True)
class RandomDraw(CodeSite):
    """A call that draws at random with no seed given to it; ``advice`` says how to seed it."""

    advice: str


def unseeded_draws(ev: Evidence) -> list[RandomDraw]:
    """The first unseeded random draw of each code file with no seed on its path."""
    needles = (b"random", b"shuffle", b"torch", b"sklearn", b"tensorflow", b"sample")
    candidates: list[RandomDraw] = []
    for path, parsed in modules(ev, *needles):
        draw = _first_draw(ev, path, parsed)
        if draw is not None:
            candidates.append(draw)
    if not candidates:
        return []
    seeding = _seeding_modules(ev)
    roots = set(seeding)
    if any("hydra" in parsed.imported_modules() for parsed in seeding.values()):
        # The seeding entry point instantiates what its configuration names.
        roots |= configured_targets(ev)
    # A package that seeds loads the functions its own task files name.
    packages = {_package(path) for path in seeding}
    roots |= {path for path in function_targets(ev) if _package(path) in packages}
    seeded = import_closure(ev, roots, _IMPORT_DEPTH)
    return [
        draw
        for draw in candidates
        if draw.path not in seeded
        and not import_closure(ev, [draw.path], _IMPORT_DEPTH) & seeding.keys()
    ]


def _package(path: str) -> str:
    """The top folder of a path: the package a module belongs to."""
    return path.partition("/")[0]


def _seeding_modules(ev: Evidence) -> dict[str, PythonModule]:
    """Code files that set a seed."""
    needles = (b"seed", b"default_rng", b"RandomState", b"Random(", b"PRNGKey")
    return {
        path: parsed
        for path, parsed in modules(ev, *needles)
        if any(_sets_seed(name, call) for name, call in parsed.calls())
    }


def _sets_seed(name: str, call: ast.Call) -> bool:
    last = name.rpartition(".")[2]
    lowered = last.lower()
    if "seed" in lowered and not lowered.startswith(("get", "initial")):
        return True
    if name in _GENERATORS or last == "PRNGKey":
        return bool(call.args) or any(item.arg == "seed" for item in call.keywords)
    return False


def _first_draw(ev: Evidence, path: str, parsed: PythonModule) -> RandomDraw | None:
    ml_code = bool(parsed.imported_modules() & ML_PACKAGES)
    for name, call in parsed.calls():
        advice = _unseeded(name, call, parsed, ml_code)
        if advice and _reaches_training(ev, path, parsed, name, call):
            line, column = parsed.position(call)
            return RandomDraw(path, line, column, name, advice)
    return None


def _reaches_training(
    ev: Evidence, path: str, parsed: PythonModule, name: str, call: ast.Call
) -> bool:
    """A split, a model or an initialisation trains unless all its value ends outside
    training; any other draw (a number, an array, a sample of rows, a shuffled loader)
    counts only when its value reaches training."""
    # Imported here: the value flow is loaded only by a run that finds a draw to follow.
    from mllint_wa.evidence.value_reach import End, shuffled_ends, value_ends

    if name in _IN_PLACE_SHUFFLES:
        ends = shuffled_ends(ev, path, parsed, call)
    else:
        ends = value_ends(ev, path, parsed, call)
    if _shapes_a_model(name, call):
        return ends != {End.OUTSIDE}
    return End.TRAINING in ends


def _shapes_a_model(name: str, call: ast.Call) -> bool:
    """Whether a call is itself a split, a model, a search or an initialisation, rather
    than a draw of values."""
    last = name.rpartition(".")[2]
    if name.startswith("sklearn."):
        return last not in _SKLEARN_DATA_DRAWS and not last.startswith("make_")
    if name.startswith("torch.nn.init.") or last == "random_split":
        return True
    return name.startswith("torch.") and literal(keyword(call, "requires_grad")) is True


def _unseeded(name: str, call: ast.Call, parsed: PythonModule, ml_code: bool) -> str:
    """How to seed the call when it draws at random unseeded, else ``""``."""
    top, _, rest = name.partition(".")
    last = name.rpartition(".")[2]
    if has_star_kwargs(call):
        return ""
    if top == "sklearn":
        if last in _SKLEARN_SHUFFLE_OPTION and literal(keyword(call, "shuffle")) is not True:
            return ""
        if last in _SKLEARN_RANDOM or last in _SKLEARN_SHUFFLE_OPTION:
            return _keyword_advice(call, "random_state")
        return ""
    if not ml_code:
        # Outside machine-learning code a random draw is as often meant to be random
        # (a port, a sample for display) as it is an experiment to reproduce.
        return ""
    if name in _GENERATORS:
        return "" if call.args or call.keywords else "give it a seed"
    if top == "random" and "." not in rest and rest in _PYTHON_RANDOM:
        return "seed it with `random.seed(...)`"
    if name.startswith("numpy.random.") and "." not in name[13:] and last not in _NUMPY_NOT_DRAWS:
        return "seed it with `np.random.seed(...)` or draw from `np.random.default_rng(seed)`"
    if top == "torch":
        return _torch_advice(name, last, call)
    if top == "tensorflow" and rest == f"random.{last}" and last in _TENSORFLOW_RANDOM:
        return _keyword_advice(call, "seed", "tf.random.set_seed")
    if top in ("tensorflow", "keras") and last.endswith("_dataset_from_directory"):
        shuffle = keyword(call, "shuffle")
        return _keyword_advice(call, "seed") if shuffle is None or literal(shuffle) is True else ""
    if isinstance(call.func, ast.Attribute) and not _is_module(call.func.value, parsed):
        return _method_advice(last, call, parsed)
    return ""


def _torch_advice(name: str, last: str, call: ast.Call) -> str:
    global_seed = "torch.manual_seed"
    if name.count(".") == 1 and last in _TORCH_RANDOM:
        return _keyword_advice(call, "generator", global_seed)
    if name.startswith("torch.nn.init.") and last in _TORCH_INIT:
        return _keyword_advice(call, "generator", global_seed)
    if last in ("random_split", "RandomSampler"):
        return _keyword_advice(call, "generator", global_seed)
    if last == "DataLoader":
        shuffle = literal(keyword(call, "shuffle"))
        if shuffle is not True:
            return ""
        return _keyword_advice(call, "generator", global_seed)
    return ""


def _method_advice(last: str, call: ast.Call, parsed: PythonModule) -> str:
    """Random methods of data objects: ``df.sample(frac=…)`` (pandas) and
    ``dataset.shuffle(buffer)`` (tf.data)."""
    packages = parsed.imported_modules()
    if last == "sample" and "pandas" in packages and (keyword(call, "frac") or keyword(call, "n")):
        return _keyword_advice(call, "random_state")
    if last == "shuffle" and "tensorflow" in packages and call.args:
        return _keyword_advice(call, "seed", "tf.random.set_seed")
    return ""


def _keyword_advice(call: ast.Call, name: str, global_seed: str = "") -> str:
    """Advice when none of the seed keywords is given a value, else ``""``."""
    given = [keyword(call, key) for key in _SEED_KEYWORDS]
    values = [value for value in given if value is not None]
    if values and any(literal(value) is not None for value in values):
        return ""
    if values:
        return f"`{name}=None` is no seed: pass a number"
    also = f" or seed the generator with `{global_seed}(...)`" if global_seed else ""
    return f"pass `{name}=`{also}"


def _is_module(node: ast.expr, parsed: PythonModule) -> bool:
    """Whether an expression names an imported module (``np``, ``tf.data``)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in parsed.imports
