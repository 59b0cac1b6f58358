"""What kind of project this is: one that trains or ships a model of its own, a library or
platform that others train with, or a template for other projects.

Rules about a model's documentation and experiments need this before they can ask for
anything: an ML library, an evaluation harness or a cookiecutter template imports the
frameworks and calls ``.fit`` in its functions and examples, yet has no model of its own to
describe. A project trains or ships a model when it has, outside its tests, examples and
documentation:

- a training entry point: a notebook or a program (a ``__main__`` block, or a training
  call at module level) that trains a model itself, or a module named for training
  (``train.py``, ``train_model.py``, ``finetune.py`` …) that trains or imports code that
  does, two imports deep; in a project with packaging metadata, a package's
  ``__main__.py`` and the modules its console scripts name are tools for its users and
  count only by the latter;
- a SageMaker estimator, which starts a training job (it counts as a training call);
- a model file (``.pt``, ``.onnx``, ``.joblib`` …; arrays in ``.npy``/``.npz`` are data).

Two kinds of project have such evidence and still no model of their own:

- an ML library that implements estimators: a packaged project with a class that defines
  ``fit`` and, in one of its methods, hands training on through the estimator API
  (``super().fit(...)``, ``self.partial_fit(...)`` and the like). The code of the
  packages holding such classes trains its users' models, and the notebooks and
  programs that import those packages show how to use them;
- a collection of examples, labs, templates or modules, whose training evidence lies in
  separate sub-projects with nothing tying them into one project (a training program,
  notebook or model file at the root, a DVC pipeline or MLflow project at the root): in
  three or more folders that each have a README, a dependency file or a notebook of their
  own, or only inside sub-projects (folders with a README and a dependency or packaging
  file of their own) of which the repository holds three or more outside tests, examples
  and documentation.

A template is a project with a ``cookiecutter.json`` or ``copier.yml``, or paths holding
``{{cookiecutter.…}}``; a library is a project with packaging metadata (``setup.py``,
``setup.cfg`` with ``[metadata]``, a ``pyproject.toml`` with ``[project]`` or
``[tool.poetry]``) and no model of its own.
"""

from __future__ import annotations

import ast
import bisect
import enum
import re
from collections.abc import Iterator

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import (
    CodeSite,
    code_files,
    import_closure,
    is_test_path,
    module,
    project_files_named,
    training_calls,
    training_site_in,
)
from mllint_wa.evidence.kinds import (
    CONDA_ENV,
    MODEL,
    NOTEBOOK,
    PIPFILE,
    PYPROJECT,
    PYTHON,
    REQUIREMENTS,
    SETUP_CFG,
)
from mllint_wa.parsers.python_code import PythonModule
from mllint_wa.records import dataclass

# Folders of material about the project rather than the project's own work.
DEMO_FOLDERS = frozenset(
    {
        "examples",
        "example",
        "docs",
        "doc",
        "tutorials",
        "tutorial",
        "benchmarks",
        "benchmark",
        "demo",
        "demos",
    }
)
_TRAINING_NAME = re.compile(
    r"(?:train|training|fit|finetune|fine_tune)(?:_\w*)?|\w*_(?:train|training|finetune)"
)
# Scripts that run tests without being test modules: `tests.py`, `hf-integration-tests.py`.
_TEST_SCRIPT_ENDINGS = ("_tests", "-tests", "-test")
_IMPORT_DEPTH = 2
# Model formats that are no model on their own: numpy arrays are as often data.
_ARRAY_SUFFIXES = (".npy", ".npz")
_TEMPLATE_FILES = ("cookiecutter.json", "copier.yml", "copier.yaml")
_PACKAGING_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
# An entry point as packaging files write it: `name = package.module:function`.
_ENTRY_POINT = re.compile(r"=[ \t]*[\"']?([A-Za-z_][\w.]*)[ \t]*:[ \t]*[A-Za-z_]")
_PACKAGING_NEEDLES = (b"[project]", b"[tool.poetry]")
# The estimator API's training methods, through which an estimator class hands on its
# training: `super().fit(...)`, `self.partial_fit(...)`.
_FIT_METHODS = frozenset({"fit", "partial_fit"})
_DEPENDENCY_KINDS = (REQUIREMENTS, PYPROJECT, SETUP_CFG, PIPFILE, CONDA_ENV)
# Root files that make a repository one ML project: a DVC pipeline, an MLflow project.
_PIPELINE_FILES = ("dvc.yaml", "MLproject")
# A project's code may be split in two (a pipeline and its notebook, a build and a deploy
# half); training in three or more separate sub-projects makes a collection.
_COLLECTION_SIZE = 3


class ProjectKind(str, enum.Enum):
    MODEL = "model"  # trains or ships a model of its own
    LIBRARY = "library"  # a package others build with: an ML library, a platform, a harness
    TEMPLATE = "template"  # generates other projects
    COLLECTION = "collection"  # separate examples, labs, templates or modules
    OTHER = "other"  # anything else: a data set, an application without a model


@dataclass(frozen=True)
class ModelEvidence:
    """Where the project shows that it trains or ships a model; ``what`` says how."""

    path: str
    line: int
    column: int
    what: str


def project_kind(ev: Evidence) -> ProjectKind:
    return ev.memo(project_kind, lambda: _project_kind(ev))


def _project_kind(ev: Evidence) -> ProjectKind:
    if is_template(ev):
        return ProjectKind.TEMPLATE
    if own_model(ev) is not None:
        return ProjectKind.MODEL
    if is_packaged(ev):
        return ProjectKind.LIBRARY
    return ProjectKind.COLLECTION if is_collection(ev) else ProjectKind.OTHER


def own_model(ev: Evidence) -> ModelEvidence | None:
    """The first sign that the project trains or ships a model of its own, or None."""
    return ev.memo(own_model, lambda: None if is_template(ev) else _own_model(ev))


def own_training(ev: Evidence) -> CodeSite | None:
    """The training call of the project's first training entry point, or None; in a
    collection, that of its first example."""
    return ev.memo(own_training, lambda: next(_entry_points(ev, code_files(ev)), None))


def is_collection(ev: Evidence) -> bool:
    """Whether the project's training evidence lies in separate sub-projects that nothing
    ties into one project: in three or more folders with a README, dependency file or
    notebook of their own, or only inside sub-projects with a README and a dependency or
    packaging file of their own, of which the repository holds three or more."""
    return ev.memo(is_collection, lambda: _is_collection(ev))


def is_template(ev: Evidence) -> bool:
    return any(ev.exists(name) for name in _TEMPLATE_FILES) or any(
        "{{cookiecutter." in path or "{{ cookiecutter." in path for path in ev.all_files
    )


def is_packaged(ev: Evidence) -> bool:
    """Whether the project has packaging metadata at its root."""
    return ev.exists("setup.py") or any(
        ev.exists(name) and is_package_manifest(ev, name)
        for name in ("setup.cfg", "pyproject.toml")
    )


def is_package_manifest(ev: Evidence, path: str) -> bool:
    """Whether a ``setup.cfg`` (with ``[metadata]``) or a ``pyproject.toml`` (with
    ``[project]`` or ``[tool.poetry]``) describes a package to build and publish."""
    name = path.rpartition("/")[2]
    if name == "setup.cfg":
        return ev.mentions(path, b"[metadata]")
    return name == "pyproject.toml" and ev.mentions(path, *_PACKAGING_NEEDLES)


def is_demo_path(path: str) -> bool:
    """Tests (also scripts named like ``integration-tests.py``), test data, examples,
    tutorials, demos, benchmarks and documentation."""
    *folders, name = path.split("/")
    stem, _, suffix = name.rpartition(".")
    test_script = suffix == "py" and (stem.endswith(_TEST_SCRIPT_ENDINGS) or stem == "tests")
    return test_script or is_test_path(path) or any(f in DEMO_FOLDERS for f in folders)


def _own_model(ev: Evidence) -> ModelEvidence | None:
    if is_collection(ev):
        return None
    site = own_training(ev)
    if site is not None:
        return ModelEvidence(site.path, site.line, site.column, f"trains a model (`{site.name}`)")
    models = _model_files(ev)
    return next((ModelEvidence(path, 1, 1, "is a model file") for path in models), None)


def _model_files(ev: Evidence) -> tuple[str, ...]:
    """The project's own model files: outside tests, examples and documentation."""
    return tuple(
        path
        for path in ev.files(MODEL)
        if not path.lower().endswith(_ARRAY_SUFFIXES) and not is_demo_path(path)
    )


def _is_collection(ev: Evidence) -> bool:
    models = _model_files(ev)
    if any(ev.exists(name) for name in _PIPELINE_FILES) or any("/" not in p for p in models):
        return False
    at_root = tuple(path for path in code_files(ev) if "/" not in path)
    if next(_entry_points(ev, at_root), None) is not None:
        return False
    units = _folders_of_their_own(ev)
    trained = set(models)
    separate = {_nearest(path, units) for path in models} - {""}
    # Stops at the third separate folder: a collection of hundreds of examples is known
    # before all of them are read.
    for site in _entry_points(ev, code_files(ev)):
        trained.add(site.path)
        separate |= {_nearest(site.path, units)} - {""}
        if len(separate) >= _COLLECTION_SIZE:
            return True
    projects = {folder for folder in _sub_projects(ev) if not is_demo_path(f"{folder}/")}
    return (
        bool(trained)
        and len(projects) >= _COLLECTION_SIZE
        and all(any(path.startswith(f"{folder}/") for folder in projects) for path in trained)
    )


def _nearest(path: str, folders: frozenset[str]) -> str:
    """The innermost of ``folders`` that holds ``path``; the root as ``""``."""
    parts = path.split("/")[:-1]
    for end in range(len(parts), 0, -1):
        folder = "/".join(parts[:end])
        if folder in folders:
            return folder
    return ""


def _folders_of_their_own(ev: Evidence) -> frozenset[str]:
    """The folders below the root with a README, a dependency file or a notebook."""
    readmes, dependencies = _project_files(ev)
    notebooks = {_owner(path) for path in ev.files(NOTEBOOK)}
    return frozenset((readmes | dependencies | notebooks) - {""})


def _sub_projects(ev: Evidence) -> frozenset[str]:
    """The folders below the root with a README and a dependency or packaging file."""
    readmes, dependencies = _project_files(ev)
    return frozenset((readmes & dependencies) - {""})


def _project_files(ev: Evidence) -> tuple[frozenset[str], frozenset[str]]:
    """The folders that hold a README, and those that hold a dependency or packaging file
    (``requirements/*.txt`` counts for the folder holding ``requirements/``)."""

    def compute() -> tuple[frozenset[str], frozenset[str]]:
        readmes = {
            _owner(path)
            for path in ev.all_files
            if path.rpartition("/")[2].upper().startswith("README")
        }
        setups = [path for path in ev.files(PYTHON) if path.rpartition("/")[2] == "setup.py"]
        dependencies = {_owner(path) for path in (*ev.files(*_DEPENDENCY_KINDS), *setups)}
        return frozenset(readmes), frozenset(dependencies)

    return ev.memo(_project_files, compute)


def _owner(path: str) -> str:
    """The folder a file belongs to: its own, or the one above a ``requirements/`` folder."""
    folder = path.rpartition("/")[0]
    parent, _, name = folder.rpartition("/")
    return parent if name == "requirements" else folder


def _entry_points(ev: Evidence, paths: tuple[str, ...]) -> Iterator[CodeSite]:
    """The training call of each training entry point among ``paths``, by path."""
    packaged = is_packaged(ev)
    estimators = _estimator_modules(ev)
    # Modules named for training first: the finding stands on the training script.
    ordered = sorted(paths, key=lambda p: not _TRAINING_NAME.fullmatch(_stem(p)))
    for path in ordered:
        if is_demo_path(path):
            continue
        site = training_site_in(ev, path)
        named = _TRAINING_NAME.fullmatch(_stem(path))
        if named:
            site = site or _reached(ev, path)
        if site is None or (estimators and _uses_library(ev, path)):
            continue
        if named:
            yield site
        elif packaged and path in _tools(ev):
            continue
        elif NOTEBOOK in ev.kinds(path) or _is_program(ev, path):
            yield site


def _stem(path: str) -> str:
    return path.rpartition("/")[2].rpartition(".")[0]


def _reached(ev: Evidence, path: str) -> CodeSite | None:
    """The training call of a project module that ``path`` imports, two imports deep."""
    reached = import_closure(ev, [path], _IMPORT_DEPTH) - {path}
    own = (p for p in sorted(reached) if not is_demo_path(p) and not _in_library(ev, p))
    sites = (training_site_in(ev, p) for p in own)
    return next(filter(None, sites), None)


def _estimator_modules(ev: Evidence) -> frozenset[str]:
    """In a packaged project, the modules outside tests, examples and documentation that
    implement an estimator; none in a project without packaging metadata."""

    def compute() -> frozenset[str]:
        if not is_packaged(ev):
            return frozenset()
        found = set()
        for path in ev.files(PYTHON):
            if is_demo_path(path) or not ev.mentions(path, b"fit("):
                continue
            parsed = module(ev, path)
            if parsed is not None and _implements_estimator(parsed):
                found.add(path)
        return frozenset(found)

    return ev.memo(_estimator_modules, compute)


def _library_packages(ev: Evidence) -> frozenset[str]:
    """The folders of the packages that hold the estimator modules (``skorch`` for
    ``skorch/net.py``, ``src/tabkit`` for ``src/tabkit/models/forest.py``), or the modules
    themselves outside a package."""

    def compute() -> frozenset[str]:
        found = set()
        for path in _estimator_modules(ev):
            package = path
            parent = path.rpartition("/")[0]
            while parent and ev.exists(f"{parent}/__init__.py"):
                package, parent = parent, parent.rpartition("/")[0]
            found.add(package)
        return frozenset(found)

    return ev.memo(_library_packages, compute)


def _uses_library(ev: Evidence, path: str) -> bool:
    """Whether a code file is part of an ML library's packages or imports them: library
    code, or a notebook or program that shows how to use the library."""
    return any(_in_library(ev, found) for found in import_closure(ev, [path], 1))


def _in_library(ev: Evidence, path: str) -> bool:
    return any(
        path == package or path.startswith(f"{package}/") for package in _library_packages(ev)
    )


def _implements_estimator(parsed: PythonModule) -> bool:
    """Whether the module has a class that implements an estimator: one that defines
    ``fit`` and hands training on through the estimator API in one of its methods
    (``super().fit(...)``, ``self.partial_fit(...)``)."""
    fitting = [
        node
        for node in parsed.index.of(ast.ClassDef)
        if any(
            isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "fit"
            for s in node.body
        )
    ]
    handing_on = [call for call in parsed.index.of(ast.Call) if _hands_on_training(call)]
    return any(_inside(call, node) for node in fitting for call in handing_on)


def _hands_on_training(call: ast.Call) -> bool:
    """``super().fit(...)``, ``self.partial_fit(...)`` and the like."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _FIT_METHODS:
        return False
    receiver = func.value
    if isinstance(receiver, ast.Name):
        return receiver.id == "self"
    return (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Name)
        and receiver.func.id == "super"
    )


def _inside(node: ast.expr, owner: ast.stmt) -> bool:
    start = (node.lineno, node.col_offset)
    return (owner.lineno, owner.col_offset) <= start and _ends_within(node, owner)


def _tools(ev: Evidence) -> frozenset[str]:
    """The modules a package gives its users to run: its ``__main__.py`` files and the
    modules its console scripts name (``tabkit = "tabkit.cli:main"``)."""

    def compute() -> frozenset[str]:
        modules = set()
        for path in _PACKAGING_FILES:
            if ev.exists(path) and ev.mentions(path, b":"):
                modules.update(_ENTRY_POINT.findall(ev.text(path) or ""))
        named = project_files_named(ev, *modules)
        mains = {p for p in ev.files(PYTHON) if p.rpartition("/")[2] == "__main__.py"}
        return frozenset(named | mains)

    return ev.memo(_tools, compute)


def _is_program(ev: Evidence, path: str) -> bool:
    """Whether the module runs as a program: it has a ``__main__`` block, or a training
    call stands at module level."""
    parsed = module(ev, path)
    if parsed is None:
        return False
    body = parsed.tree.body
    if any(_is_main_block(statement) for statement in body):
        return True
    # Module-level statements do not overlap: each training call is looked up among them by
    # where it starts, instead of every statement being searched for calls.
    run = [
        s for s in body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    starts = [(s.lineno, s.col_offset) for s in run]
    for _, call in training_calls(parsed):
        at = bisect.bisect_right(starts, (call.lineno, call.col_offset)) - 1
        if at >= 0 and _ends_within(call, run[at]):
            return True
    return False


def _ends_within(node: ast.expr, statement: ast.stmt) -> bool:
    node_end = (node.end_lineno or node.lineno, node.end_col_offset or 0)
    return node_end <= (statement.end_lineno or statement.lineno, statement.end_col_offset or 0)


def _is_main_block(statement: ast.stmt) -> bool:
    test = statement.test if isinstance(statement, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )
