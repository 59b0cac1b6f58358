"""The project's own code: Python files and notebooks' code cells as parsed modules, the
project modules each one imports, and where the project trains a model.

A notebook's module comes from its code cells, every position mapped to the ``.ipynb``;
a cell that is not Python is left out and recorded like a ``.py`` file's syntax error, once,
at the notebook's line, while the other cells are read. Imports
are resolved to project files by their dotted names (``from myproj.utils import set_seeds``
finds ``src/myproj/utils.py``) and by folder for relative imports; nothing is imported.
"""

from __future__ import annotations

import ast
import functools
import re
import string
from collections.abc import Iterable, Iterator, Sequence

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.kinds import NOTEBOOK, PYTHON, YAML
from mllint_wa.parsers.notebook import parse_notebook
from mllint_wa.parsers.python_code import LeftOut, PythonModule, parse_python
from mllint_wa.records import dataclass

# Packages whose presence makes a module machine-learning code.
ML_PACKAGES = frozenset(
    {
        "sklearn",
        "torch",
        "torchvision",
        "tensorflow",
        "keras",
        "jax",
        "flax",
        "xgboost",
        "lightgbm",
        "catboost",
        "transformers",
        "lightning",
        "pytorch_lightning",
        "statsmodels",
        "sagemaker",
        "fastai",
    }
)
_TEST_FOLDERS = frozenset({"test", "tests", "testing", "test_data", "testdata", "test-data"})
_TARGET = re.compile(r"""_target_['"]?\s*:\s*['"]?([A-Za-z_][\w.]*)""")
# lm-evaluation-harness names a function of a module beside the task file: `!function utils.f`.
_FUNCTION_TAG = re.compile(r"!function[ \t]+([A-Za-z_][\w.]*)")


def is_test_path(path: str) -> bool:
    """Test code and test data: it exercises the project, it is not its training or data
    path."""
    folder, _, name = path.rpartition("/")
    return (
        _in_test_folder(folder)
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


@functools.lru_cache(maxsize=16384)
def _in_test_folder(folder: str) -> bool:
    """Whether a folder is a tests folder or lies in one: decided once a folder, since rules
    ask it of every code file."""
    return any(name in _TEST_FOLDERS for name in folder.split("/"))


def code_files(ev: Evidence) -> tuple[str, ...]:
    """The project's Python files and notebooks."""
    return ev.files(PYTHON, NOTEBOOK)


def module(ev: Evidence, path: str) -> PythonModule | None:
    """A Python file, or a notebook's code cells, parsed once; None when it cannot be
    parsed (the failure is recorded) or the notebook runs another language. A notebook's
    cells that are not Python are left out of its module and recorded as its failure, at
    the first of them."""
    if NOTEBOOK in ev.kinds(path):
        notebook = ev.parse(path, parse_notebook)
        if notebook is None or not notebook.is_python:
            return None
        parsed = ev.parse(path, notebook.python)
        if parsed is not None and parsed.left_out:
            _note_left_out(ev, path, parsed.left_out)
        return parsed
    return ev.parse(path, parse_python)


def _note_left_out(ev: Evidence, path: str, left_out: Sequence[LeftOut]) -> None:
    """A notebook's cells left out of its module: a failure at the first that is not
    Python, and a note at the first that a newer Python may read or that the reader is to
    fill in (an example's `<YOUR BUCKET>`), which is not broken code."""
    broken = [cell for cell in left_out if not (cell.newer_python or cell.fill_in)]
    newer = [cell for cell in left_out if cell.newer_python or cell.fill_in]
    for cells in (broken, newer):
        if cells:
            first, *others = cells
            left = " and ".join(["that cell", *(other.part for other in others)])
            # Exact only when no cell of either kind is left out besides these.
            rest = "" if broken and newer else ", the other cells were read"
            message = (
                f"{first.part} has {first.problem}; {left} {'were' if others else 'was'} "
                f"left out{rest}"
            )
            if cells is broken:
                ev.record_failure(path, message, first.line, first.column, first.content)
            else:
                ev.note_unread(path, message, first.line, first.column)


def modules(ev: Evidence, *needles: bytes) -> Iterator[tuple[str, PythonModule]]:
    """Each code file that mentions one of ``needles`` (all when none are given), parsed;
    test code is left out."""
    paths = _project_code(ev)
    for path in ev.mentioning(paths, *needles) if needles else paths:
        parsed = module(ev, path)
        if parsed is not None:
            yield path, parsed


def _project_code(ev: Evidence) -> tuple[str, ...]:
    """The code files that are not test code, told once for every extractor that asks."""
    return ev.memo(_project_code, lambda: tuple(p for p in code_files(ev) if not is_test_path(p)))


def modules_naming(ev: Evidence, *names: str) -> Iterator[tuple[str, PythonModule]]:
    """Each code file in which every one of ``names`` (identifiers) stands as a whole word,
    parsed, in path order; test code is left out. Looked up in an index of the code's words
    built once, so that asking it for every function of a large project costs one pass over
    the code, not a search of every file for each function."""
    index = ev.memo(_code_words, lambda: _code_words(ev))
    postings = sorted((index.get(name.encode(), ()) for name in names), key=len)
    if not postings:
        return
    first, *others = postings
    rest = [frozenset(paths) for paths in others]
    for path in first:
        if all(path in paths for paths in rest):
            parsed = module(ev, path)
            if parsed is not None:
                yield path, parsed


# A word is a run of identifier bytes (a non-ASCII letter's UTF-8 bytes included). A backslash
# and the byte after it are no part of one: a notebook's JSON writes a line break or a tab
# before a name as "\n" or "\t", which must not join the name. Escapes are blanked, every
# other byte made a blank, and the words split at the blanks: C speed, not a regex match a word.
_ESCAPE = re.compile(rb"\\[\s\S]")
_WORD_BYTES = frozenset(f"{string.ascii_letters}{string.digits}_".encode()) | set(range(0x80, 256))
_BLANK_ALL_BUT_WORDS = bytes(byte if byte in _WORD_BYTES else 0x20 for byte in range(256))


def _code_words(ev: Evidence) -> dict[bytes, tuple[str, ...]]:
    """Each word of the project's code (test code left out) to the files holding it, in path
    order. A name that a module imports or calls is a whole word of its bytes, in a ``.py``
    file and in a notebook's JSON alike."""
    index: dict[bytes, list[str]] = {}
    for path in _project_code(ev):
        raw = ev.data(path)
        if raw is not None:
            if b"\\" in raw:
                raw = _ESCAPE.sub(b"  ", raw)
            for word in set(raw.translate(_BLANK_ALL_BUT_WORDS).split()):
                index.setdefault(word, []).append(path)
    return {word: tuple(paths) for word, paths in index.items()}


# Project imports -----------------------------------------------------------------------------


def _module_index(ev: Evidence) -> dict[str, tuple[str, ...]]:
    """Every dotted name a project Python file could be imported by (``pkg.mod`` and
    ``mod`` for ``src/pkg/mod.py``), to the files it may mean."""
    index: dict[str, list[str]] = {}
    for path in ev.files(PYTHON):
        parts = path[: -len(".py")].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        for first in range(len(parts)):
            index.setdefault(".".join(parts[first:]), []).append(path)
    return {name: tuple(paths) for name, paths in index.items()}


def project_files_named(ev: Evidence, *dotted: str) -> set[str]:
    """The project files that the dotted module names may refer to."""
    index = ev.memo(_module_index, lambda: _module_index(ev))
    return {path for name in dotted for path in index.get(name, ())}


def project_imports(ev: Evidence, path: str, parsed: PythonModule) -> tuple[str, ...]:
    """The project files that ``parsed`` (the module at ``path``) imports, sorted."""
    found = project_files_named(ev, *_imported_names(path, parsed))
    found.discard(path)
    return tuple(sorted(found))


def configured_targets(ev: Evidence) -> set[str]:
    """Project files that configuration instantiates by name (Hydra's ``_target_:
    pkg.module.Class``): code reached that way is on the path of the entry point that
    reads the configuration, though nothing imports it."""

    def compute() -> set[str]:
        names: set[str] = set()
        for path in ev.files(YAML):
            if ev.mentions(path, b"_target_"):
                for match in _TARGET.finditer(ev.text(path) or ""):
                    dotted = match.group(1)
                    names.update((dotted, dotted.rpartition(".")[0]))
        return project_files_named(ev, *names)

    return ev.memo(configured_targets, compute)


def function_targets(ev: Evidence) -> set[str]:
    """Project files whose functions YAML names with a ``!function module.name`` tag (the
    task files of lm-evaluation-harness): the module lies beside the YAML file, and the
    program that reads the YAML loads it, though nothing imports it."""

    def compute() -> set[str]:
        found: set[str] = set()
        for path in ev.files(YAML):
            if ev.mentions(path, b"!function"):
                folder = path.rpartition("/")[0]
                for match in _FUNCTION_TAG.finditer(ev.text(path) or ""):
                    dotted = match.group(1).rpartition(".")[0]
                    name = dotted.replace(".", "/") + ".py"
                    target = f"{folder}/{name}" if folder else name
                    if dotted and ev.exists(target):
                        found.add(target)
        return found

    return ev.memo(function_targets, compute)


def bound_names(path: str, parsed: PythonModule) -> dict[str, str]:
    """The names the module at ``path`` binds by imports, to dotted names; relative imports
    are resolved against ``path``, so that :func:`project_files_named` finds their files."""
    bindings = dict(parsed.imports)
    folder = path.split("/")[:-1]
    for node in parsed.index.of(ast.ImportFrom):
        if node.level:
            head = _relative_head(folder, node)
            for alias in node.names if head is not None else ():
                if alias.name != "*":
                    dotted = f"{head}.{alias.name}" if head else alias.name
                    bindings[alias.asname or alias.name] = dotted
    return bindings


def _relative_head(folder: list[str], node: ast.ImportFrom) -> str | None:
    """The dotted name of the module a relative import reads from, as a project path;
    None when it climbs above the project."""
    if node.level - 1 > len(folder):
        return None
    base = folder[: len(folder) - (node.level - 1)]
    return ".".join([*base, *(node.module.split(".") if node.module else [])])


def _imported_names(path: str, parsed: PythonModule) -> Iterator[str]:
    """Dotted names an import may load, relative imports resolved against ``path``."""
    folder = path.split("/")[:-1]
    for node in parsed.index.imports():
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            head = _relative_head(folder, node) if node.level else node.module or ""
            if head is None:
                continue
            if head:
                yield head
            for alias in node.names:
                if alias.name != "*":
                    yield f"{head}.{alias.name}" if head else alias.name


def import_closure(ev: Evidence, paths: Iterable[str], depth: int) -> set[str]:
    """``paths`` and the project files they import, following imports ``depth`` levels. A
    package's ``__init__.py`` costs no level: what it imports is what importing the package
    gives (``from data.pipelines import GPTPipeline`` reaches ``data/pipelines/gpt.py``)."""
    reached = set(paths)
    frontier = set(reached)
    for _ in range(depth):
        following = _imported_by(ev, frontier)
        packages = {path for path in following if path.endswith("__init__.py")} - reached
        while packages:
            reached |= packages
            following |= _imported_by(ev, packages)
            packages = {path for path in following if path.endswith("__init__.py")} - reached
        frontier = following - reached
        reached |= frontier
    return reached


def _imported_by(ev: Evidence, paths: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for path in sorted(paths):
        parsed = module(ev, path)
        if parsed is not None:
            found.update(project_imports(ev, path, parsed))
    return found


# Training code -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeSite:
    """A call in the project's code, named by what it refers to."""

    path: str
    line: int
    column: int
    name: str


# Receivers of ``.fit(`` that prepare data rather than train a model.
_PREPROCESSOR = re.compile(
    r"(?i)scaler|encoder|vectori[sz]er|imputer|tokeni[sz]er|normali[sz]er|binari[sz]er|pca|"
    r"selector|transformer$|preprocess"
)
_TRAINERS = frozenset({"Trainer", "SFTTrainer", "Seq2SeqTrainer"})
_TRAIN_FUNCTIONS = frozenset({"xgboost.train", "lightgbm.train", "catboost.train"})
_ESTIMATORS = frozenset(
    {"Estimator", "PyTorch", "TensorFlow", "SKLearn", "XGBoost", "HuggingFace", "MXNet"}
)


def training_site(ev: Evidence) -> CodeSite | None:
    """The first place (by path) where the project fits a model, tests left out, or None."""

    def first() -> CodeSite | None:
        for path in code_files(ev):
            site = training_site_in(ev, path)
            if site is not None:
                return site
        return None

    return ev.memo(training_site, first)


_TRAINING_NEEDLES = (
    b"fit(",
    b"fit_",
    b"fine_tune(",
    b"Trainer(",
    b"train(",
    b"backward(",
    b"Estimator(",
)
# fastai's Learner methods that train.
_FASTAI_FITS = frozenset({"fine_tune", "fit_one_cycle", "fit_flat_cos", "fit_sgdr"})


def training_site_in(ev: Evidence, path: str) -> CodeSite | None:
    """The first place in a code file (not a test) where it fits a model, or None."""

    def first() -> CodeSite | None:
        if is_test_path(path) or not ev.mentions(path, *_TRAINING_NEEDLES):
            return None
        parsed = module(ev, path)
        calls = [] if parsed is None else training_calls(parsed)
        if parsed is None or not calls:
            return None
        name, call = calls[0]
        line, column = parsed.position(call)
        return CodeSite(path, line, column, name)

    return ev.memo((training_site_in, path), first)


def training_calls(parsed: PythonModule) -> list[tuple[str, ast.Call]]:
    """The calls that train a model, in source order, with their names: those of
    :meth:`PythonModule.calls`, and ``.fit`` on an estimator built in the same expression
    (``LogisticRegression().fit(x, y)``, named ``LogisticRegression().fit``); only in
    machine-learning code."""
    packages = parsed.imported_modules()
    if not packages & ML_PACKAGES:
        return []
    found = [(name, call) for name, call in parsed.calls() if fits_a_model(name, call, packages)]
    for node in parsed.unnamed_calls():
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "fit"
            and isinstance(node.func.value, ast.Call)
        ):
            built = (parsed.qualified_name(node.func.value.func) or "").rpartition(".")[2]
            # Judged as `Estimator.fit` (a scaler's is no training), named as written.
            if built and fits_a_model(f"{built}.fit", node, packages):
                found.append((f"{built}().fit", node))
    return sorted(found, key=lambda item: (item[1].lineno, item[1].col_offset))


def fits_a_model(name: str, call: ast.Call, packages: frozenset[str]) -> bool:
    """Whether a call (by its qualified name) trains a model, in a module importing
    ``packages``."""
    last = name.rpartition(".")[2]
    top = name.split(".")[0]
    if isinstance(call.func, ast.Attribute) and last == "fit":
        return not _PREPROCESSOR.search(name.rpartition(".")[0].rpartition(".")[2])
    if last == "backward" and "torch" in packages:
        return True
    if last in _FASTAI_FITS and "fastai" in packages and isinstance(call.func, ast.Attribute):
        return True
    if last in _TRAINERS and top in ("transformers", "lightning", "pytorch_lightning", "trl"):
        return True
    if top == "sagemaker" and last in _ESTIMATORS:
        return True
    return name in _TRAIN_FUNCTIONS


def calls_named(parsed: PythonModule, names: frozenset[str]) -> Iterator[ast.Call]:
    """Calls of a function or method by its last name, whatever it is called on
    (``boto3.client("x").method(...)`` too, which has no qualified name)."""
    for node in parsed.index.of(ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in names:
            yield node
