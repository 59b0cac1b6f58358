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
from dataclasses import dataclass

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
from mllint_wa.evidence.kinds import MODEL, NOTEBOOK, PYTHON

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


class ProjectKind(str, enum.Enum):
    MODEL = "model"  # trains or ships a model of its own
    LIBRARY = "library"  # a package others build with: an ML library, a platform, a harness
    TEMPLATE = "template"  # generates other projects
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
    return ProjectKind.LIBRARY if is_packaged(ev) else ProjectKind.OTHER


def own_model(ev: Evidence) -> ModelEvidence | None:
    """The first sign that the project trains or ships a model of its own, or None."""
    return ev.memo(own_model, lambda: None if is_template(ev) else _own_model(ev))


def own_training(ev: Evidence) -> CodeSite | None:
    """The training call of the project's first training entry point, or None."""
    return ev.memo(own_training, lambda: next(_entry_points(ev), None))


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
    site = own_training(ev)
    if site is not None:
        return ModelEvidence(site.path, site.line, site.column, f"trains a model (`{site.name}`)")
    for path in ev.files(MODEL):
        if not path.lower().endswith(_ARRAY_SUFFIXES) and not is_demo_path(path):
            return ModelEvidence(path, 1, 1, "is a model file")
    return None


def _entry_points(ev: Evidence) -> Iterator[CodeSite]:
    """The training call of each training entry point, by path."""
    packaged = is_packaged(ev)
    # Modules named for training first: the finding stands on the training script.
    ordered = sorted(code_files(ev), key=lambda p: not _TRAINING_NAME.fullmatch(_stem(p)))
    for path in ordered:
        if is_demo_path(path):
            continue
        site = training_site_in(ev, path)
        if _TRAINING_NAME.fullmatch(_stem(path)):
            site = site or _reached(ev, path)
            if site is not None:
                yield site
                continue
        if site is None or (packaged and path in _tools(ev)):
            continue
        if NOTEBOOK in ev.kinds(path) or _is_program(ev, path):
            yield site


def _stem(path: str) -> str:
    return path.rpartition("/")[2].rpartition(".")[0]


def _reached(ev: Evidence, path: str) -> CodeSite | None:
    """The training call of a project module that ``path`` imports, two imports deep."""
    reached = import_closure(ev, [path], _IMPORT_DEPTH) - {path}
    sites = (training_site_in(ev, p) for p in sorted(reached) if not is_demo_path(p))
    return next(filter(None, sites), None)


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
