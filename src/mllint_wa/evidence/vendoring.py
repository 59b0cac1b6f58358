"""Which of a project's folders are a copy of someone else's package, decided by evidence.

A folder's name says nothing: projects keep their own Dockerfiles, scripts and configuration
in ``vendor/``, ``third_party/`` or ``build/``. What does say it (beyond the installation and
tool-output folders :func:`~mllint_wa.evidence.kinds.is_installed_or_generated` knows by
name):

- **An installation beside its metadata.** ``pip install --target`` (a Lambda function's
  bundle, say) writes each package next to its ``*.dist-info`` folder, whose ``RECORD``
  lists every file it installed: the top-level folders and modules named there are someone
  else's code. (An ``*.egg-info`` folder is not used: ``pip install -e .`` writes one beside
  the project's own package.)
- **A copy of a declared dependency.** A top-level Python package (a folder with an
  ``__init__.py`` whose parent has none) that is named as a package the project declares as
  a dependency (in a requirements file, ``pyproject.toml``, ``setup.cfg``, a ``Pipfile`` or a
  conda environment), whose ``__init__.py`` sets a ``__version__`` as released packages do,
  and that no package manifest in its folder or above it builds: a manifest that names
  the package, or a ``setup.py`` whose name cannot be read, makes it the project's own.

A folder with a manifest of its own is not by that a copy: CDK apps, Lambda functions and the
sub-packages of a monorepo carry one, and they are the project's code.
"""

from __future__ import annotations

import csv
import posixpath
from collections.abc import Iterable, Iterator

from packaging.utils import canonicalize_name

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.kinds import (
    CONDA_ENV,
    PIPFILE,
    PYPROJECT,
    REQUIREMENTS,
    SETUP_CFG,
    kinds_of,
)
from mllint_wa.parsers.conda_env import conda_environment
from mllint_wa.parsers.pipfile import parse_pipfile
from mllint_wa.parsers.pyproject import parse_pyproject
from mllint_wa.parsers.python_code import keyword, literal, parse_python
from mllint_wa.parsers.requirements import parse_requirements
from mllint_wa.parsers.setup_cfg import parse_setup_cfg
from mllint_wa.parsers.yaml_doc import load_yaml

_RECORD = "RECORD"
_DIST_INFO = ".dist-info"
_INIT = "__init__.py"
_SETUP_PY = "setup.py"
_SETUP_CALLS = frozenset({"setup", "setuptools.setup", "distutils.core.setup"})
# A manifest whose name cannot be read may build any package below it.
_UNKNOWN = "\0unknown"


def vendored_roots(ev: Evidence) -> frozenset[str]:
    """Project-relative folders and files that hold someone else's code (see the module's
    docstring); everything below a folder in the set is vendored too."""
    return frozenset(_installed_beside_metadata(ev)) | _dependency_copies(ev)


def _installed_beside_metadata(ev: Evidence) -> Iterator[str]:
    for path in ev.all_files:
        folder, _, name = path.rpartition("/")
        if name != _RECORD or not folder.endswith(_DIST_INFO):
            continue
        target = posixpath.dirname(folder)
        raw = ev.data(path)
        if raw is None:
            continue
        lines = raw.decode("utf-8", errors="replace").splitlines()
        for row in csv.reader(lines):
            top = _installed_top(row[0] if row else "")
            if top is not None:
                yield posixpath.join(target, top)


def _installed_top(entry: str) -> str | None:
    """The top-level folder or module a ``RECORD`` entry installs below the target folder;
    None for metadata, scripts installed elsewhere (``../../bin/x``) and absolute paths."""
    parts = entry.replace("\\", "/").split("/")
    top = parts[0]
    if not top or top in (".", "..") or top.endswith(_DIST_INFO) or entry.startswith("/"):
        return None
    return top


def _dependency_copies(ev: Evidence) -> frozenset[str]:
    packages = _top_level_packages(ev.all_files)
    if not packages:
        return frozenset()
    declared = _declared_names(ev)
    copies = [
        folder
        for folder in packages
        if _import_name(posixpath.basename(folder)) in declared
        and ev.mentions(posixpath.join(folder, _INIT), b"__version__")
    ]
    if not copies:
        return frozenset()
    built = _built_names(ev)
    return frozenset(
        folder
        for folder in copies
        if not any(
            name in (_UNKNOWN, _import_name(posixpath.basename(folder)))
            for above in _folders_above(folder)
            for name in built.get(above, ())
        )
    )


def _top_level_packages(files: Iterable[str]) -> list[str]:
    with_init = {path.rpartition("/")[0] for path in files if path.rpartition("/")[2] == _INIT}
    return sorted(
        folder for folder in with_init if folder and posixpath.dirname(folder) not in with_init
    )


def _import_name(name: str) -> str:
    """The name a distribution or folder is imported by, for comparing the two
    (``scikit-learn`` and ``scikit_learn`` alike)."""
    return canonicalize_name(name).replace("-", "_")


def _folders_above(folder: str) -> Iterator[str]:
    """The package folder's parent and each folder above it, up to the project root."""
    while folder:
        folder = posixpath.dirname(folder)
        yield folder


def _paths(ev: Evidence, kind: str) -> Iterator[str]:
    # By path alone: the evidence layer asks this while it decides which files are its own.
    return (path for path in ev.all_files if kind in kinds_of(path))


_MANIFESTS = ((PYPROJECT, parse_pyproject), (SETUP_CFG, parse_setup_cfg), (PIPFILE, parse_pipfile))


def _declared_names(ev: Evidence) -> frozenset[str]:
    names: set[str] = set()
    for path in _paths(ev, REQUIREMENTS):
        requirements = ev.parse(path, parse_requirements)
        if requirements is not None:
            names.update(d.name for d in requirements.requirements)
    for kind, parser in _MANIFESTS:
        for path in _paths(ev, kind):
            declared = ev.parse(path, parser)
            if declared is not None:
                names.update(d.name for d in declared.dependencies)
    for path in _paths(ev, CONDA_ENV):
        documents = ev.parse(path, load_yaml) if ev.mentions(path, b"dependencies") else None
        environment = conda_environment(documents) if documents is not None else None
        if environment is not None:
            names.update(d.name for d in environment.dependencies)
    return frozenset(_import_name(name) for name in names if name)


def _built_names(ev: Evidence) -> dict[str, set[str]]:
    """Folder → the import names of the distributions the manifests there build."""
    built: dict[str, set[str]] = {}
    for kind, parser in _MANIFESTS:
        for path in _paths(ev, kind):
            declared = ev.parse(path, parser)
            if declared is not None and declared.builds:
                built.setdefault(posixpath.dirname(path), set()).add(_import_name(declared.builds))
    for path in ev.all_files:
        if path.rpartition("/")[2] == _SETUP_PY and "python" in kinds_of(path):
            built.setdefault(posixpath.dirname(path), set()).add(_setup_py_name(ev, path))
    return built


def _setup_py_name(ev: Evidence, path: str) -> str:
    """The import name of what a ``setup.py`` builds, :data:`_UNKNOWN` unless its ``setup()``
    call names it with a literal."""
    module = ev.parse(path, parse_python)
    if module is None:
        return _UNKNOWN
    for call in module.calls_to(*_SETUP_CALLS):
        value = literal(keyword(call, "name"))
        if isinstance(value, str) and value:
            return _import_name(value)
    return _UNKNOWN
