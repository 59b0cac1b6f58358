"""The project's declared dependencies and their pins, derived once per run.

Requirements files are followed through their ``-r``/``-c`` includes (project-relative,
never out of the project, each file once however the includes loop); manifests that
declare ranges (pyproject.toml, setup.cfg, Pipfile, environment.yml, pip-tools ``.in``
files) are matched with the lock files that would pin them; and every exact version the
project pins is gathered for rules that depend on a package's version
(:func:`pinned_version`).

Some requirements install tools rather than what a model is trained and served with: a
requirements file or a dependency group named for tests, documentation or linting, and one
named for development that leaves no machine-learning framework unpinned
(:func:`installs_tooling`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator

from packaging.utils import canonicalize_name
from packaging.version import Version

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.kinds import CONDA_ENV, LOCK, PIPFILE, PYPROJECT, REQUIREMENTS, SETUP_CFG
from mllint_wa.parsers.conda_env import conda_environment
from mllint_wa.parsers.lockfiles import (
    Locked,
    parse_conda_lock,
    parse_pipfile_lock,
    parse_toml_lock,
)
from mllint_wa.parsers.pep508 import Dependency
from mllint_wa.parsers.pipfile import parse_pipfile
from mllint_wa.parsers.pyproject import DEVELOPMENT_GROUP, Declared, parse_pyproject
from mllint_wa.parsers.requirements import RequirementsFile, parse_requirements
from mllint_wa.parsers.setup_cfg import parse_setup_cfg
from mllint_wa.parsers.yaml_doc import load_yaml
from mllint_wa.records import dataclass

PYTHON = "python"
CONDA = "conda"
# Byte needles for manifests that may declare nothing at all.
_PYPROJECT_NEEDLES = (b"dependencies", b"[tool.poetry", b"dependency-groups")
# Words of a requirements file's path, or of a dependency group's name, that say what it
# installs: tools that test, check or document the code, or a development environment.
_TOOLING_WORDS = frozenset(
    {"test", "tests", "testing", "doc", "docs", "documentation", "lint", "linting", "typing"}
)
_DEVELOPMENT_WORDS = frozenset({DEVELOPMENT_GROUP, "develop", "development"})
_WORD_SEPARATORS = re.compile(r"[-_./]")
# Distributions a model is trained or served with: a development environment that leaves
# one of them free may be the one the model is trained in.
ML_DISTRIBUTIONS = frozenset(
    {
        "torch",
        "torchvision",
        "torchaudio",
        "tensorflow",
        "tensorflow-cpu",
        "tensorflow-gpu",
        "keras",
        "jax",
        "jaxlib",
        "flax",
        "scikit-learn",
        "xgboost",
        "lightgbm",
        "catboost",
        "transformers",
        "lightning",
        "pytorch-lightning",
        "statsmodels",
        "fastai",
        "mxnet",
    }
)


@dataclass(frozen=True)
class Lock:
    path: str
    ecosystem: str
    versions: Locked


@dataclass(frozen=True)
class Declaration:
    """A manifest that declares dependencies a lock should pin: ``runtime``, its
    third-party dependencies less the groups that install tooling."""

    path: str
    ecosystem: str
    declared: Declared
    runtime: tuple[Dependency, ...]


def installs_tooling(name: str, unpinned: Iterable[str]) -> bool:
    """Whether a requirements file (by its project path) or a dependency group (by its
    name) installs tools rather than what a model is trained and served with: its words
    name tests, documentation or linting (``docs/requirements.txt``,
    ``requirements-test.txt``, a ``lint`` group), or development (``requirements-dev.txt``,
    a ``dev`` group) while none of the packages it leaves ``unpinned`` is a
    machine-learning framework (:data:`ML_DISTRIBUTIONS`)."""
    words = set(_WORD_SEPARATORS.split(name.lower()))
    if words & _TOOLING_WORDS:
        return True
    return bool(words & _DEVELOPMENT_WORDS) and not ML_DISTRIBUTIONS.intersection(unpinned)


def _lock_parser(path: str) -> tuple[str, Callable[[str], Locked]]:
    name = path.rpartition("/")[2]
    if name.endswith((".yml", ".yaml")):
        return CONDA, parse_conda_lock
    if name == "Pipfile.lock":
        return PYTHON, parse_pipfile_lock
    return PYTHON, parse_toml_lock


# Requirements files ------------------------------------------------------------------------


def requirements_files(ev: Evidence) -> dict[str, RequirementsFile]:
    """Every requirements file of the project and every file they include, parsed."""
    return ev.memo(("dependencies", "requirements"), lambda: _requirements_files(ev))


def _requirements_files(ev: Evidence) -> dict[str, RequirementsFile]:
    found: dict[str, RequirementsFile] = {}
    pending = list(ev.files(REQUIREMENTS))
    seen = set(pending)
    while pending:
        path = pending.pop()
        parsed = ev.parse(path, parse_requirements)
        if parsed is None:
            continue
        found[path] = parsed
        for _, target in includes(ev, path, parsed):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return dict(sorted(found.items()))


def includes(ev: Evidence, path: str, parsed: RequirementsFile) -> Iterator[tuple[str, str]]:
    """(kind, project-relative path) of the files a requirements file includes that are in
    the project; URLs and paths leading out of the project are left out."""
    folder = posixpath.dirname(path)
    for include in parsed.includes:
        target = include.target
        if "://" in target or target.startswith(("/", "~")):
            continue
        resolved = posixpath.normpath(posixpath.join(folder, target))
        if resolved == ".." or resolved.startswith("../") or not ev.exists(resolved):
            continue
        yield include.kind, resolved


def constraint_pins(ev: Evidence, path: str) -> frozenset[str]:
    """Names pinned by the constraints files that apply to ``path``: those it reaches
    through its includes and those of every file that includes it (pip applies a
    constraints file to the whole install)."""
    return ev.memo(("dependencies", "constraints"), lambda: _constraint_pins(ev)).get(
        path, frozenset()
    )


def _constraint_pins(ev: Evidence) -> dict[str, frozenset[str]]:
    files = requirements_files(ev)
    edges = {path: list(includes(ev, path, parsed)) for path, parsed in files.items()}
    # The installs a file takes part in: itself and every file that includes it, transitively.
    roots: dict[str, set[str]] = {path: {path} for path in files}
    for start in files:
        for reached in _reachable(start, edges):
            roots.setdefault(reached, set()).add(start)
    pins: dict[str, frozenset[str]] = {}
    for path in files:
        names: set[str] = set()
        for root in roots.get(path, {path}):
            for kind, target in _walk_edges(root, edges):
                parsed = files.get(target)
                if kind == "constraint" and parsed is not None:
                    names.update(d.name for d in parsed.requirements if d.pinned and d.name)
        pins[path] = frozenset(names)
    return pins


def _walk_edges(start: str, edges: dict[str, list[tuple[str, str]]]) -> Iterator[tuple[str, str]]:
    """Every include edge reachable from ``start`` as (kind, target); each file once."""
    seen = {start}
    pending = [start]
    while pending:
        for kind, target in edges.get(pending.pop(), ()):
            yield kind, target
            if target not in seen:
                seen.add(target)
                pending.append(target)


def _reachable(start: str, edges: dict[str, list[tuple[str, str]]]) -> set[str]:
    return {target for _, target in _walk_edges(start, edges)}


def install_pins(ev: Evidence, path: str) -> frozenset[str]:
    """Names pinned by one of the requirements of the install ``path`` starts: its own
    lines and those of the files it includes with ``-r``, transitively. pip merges every
    requirement of a name into one, so a pin anywhere in that install pins the name."""

    def compute() -> dict[str, frozenset[str]]:
        files = requirements_files(ev)
        edges = {
            name: [edge for edge in includes(ev, name, parsed) if edge[0] == "requirement"]
            for name, parsed in files.items()
        }
        pins: dict[str, frozenset[str]] = {}
        for start in files:
            members = {start} | _reachable(start, edges)
            pins[start] = frozenset(
                d.name
                for member in sorted(members & files.keys())
                for d in files[member].requirements
                if d.pinned and d.name
            )
        return pins

    return ev.memo(("dependencies", "install-pins"), compute).get(path, frozenset())


def is_pip_compile_input(path: str) -> bool:
    """A pip-tools ``.in`` file: ranges by design, pinned by the file compiled from it."""
    return path.endswith(".in")


# Locks and declarations --------------------------------------------------------------------


def locks(ev: Evidence) -> tuple[Lock, ...]:
    """Lock files, and requirements files that pin everything (pip-compile output)."""
    return ev.memo(("dependencies", "locks"), lambda: tuple(_locks(ev)))


def _locks(ev: Evidence) -> Iterator[Lock]:
    for path in ev.files(LOCK):
        ecosystem, parser = _lock_parser(path)
        versions = ev.parse(path, parser)
        if versions is not None:
            yield Lock(path, ecosystem, versions)
    for path, requirements in requirements_files(ev).items():
        if requirements.fully_pinned and not is_pip_compile_input(path):
            versions = {
                d.name: d.version for d in requirements.requirements if d.name and d.version
            }
            yield Lock(path, PYTHON, versions)


def declarations(ev: Evidence) -> tuple[Declaration, ...]:
    """Manifests that declare third-party dependencies with ranges a lock should pin."""
    return ev.memo(("dependencies", "declarations"), lambda: tuple(_declarations(ev)))


def _declarations(ev: Evidence) -> Iterator[Declaration]:
    found: list[tuple[str, str, Declared]] = []
    for path, pyproject in ev.parsed_files(PYPROJECT, parse_pyproject, *_PYPROJECT_NEEDLES):
        found.append((path, PYTHON, pyproject))
    for path, setup in ev.parsed_files(SETUP_CFG, parse_setup_cfg, b"_require"):
        found.append((path, PYTHON, setup))
    for path, pipfile in ev.parsed_files(PIPFILE, parse_pipfile):
        found.append((path, PYTHON, pipfile))
    for path, documents in ev.parsed_files(CONDA_ENV, load_yaml, b"dependencies"):
        environment = conda_environment(documents)
        if environment is not None:
            found.append((path, CONDA, environment))
    for path, parsed in requirements_files(ev).items():
        if is_pip_compile_input(path):
            deps = parsed.requirements
            line, column = (deps[0].line, deps[0].column) if deps else (1, 1)
            found.append((path, PYTHON, Declared("pip-tools", deps, line, column)))
    for path, ecosystem, declared in sorted(found, key=lambda item: item[0]):
        runtime = _runtime(declared.third_party)
        if runtime:
            yield Declaration(path, ecosystem, declared, runtime)


def _runtime(dependencies: tuple[Dependency, ...]) -> tuple[Dependency, ...]:
    """The dependencies outside the groups that install tooling (:func:`installs_tooling`,
    judged per group on the packages it leaves unpinned)."""
    groups: dict[str, list[Dependency]] = {}
    for dependency in dependencies:
        groups.setdefault(dependency.group, []).append(dependency)
    tooling = {
        group
        for group, members in groups.items()
        if group and installs_tooling(group, (d.name for d in members if not d.pinned))
    }
    return tuple(d for d in dependencies if d.group not in tooling)


def lock_for(ev: Evidence, declaration: Declaration) -> Lock | None:
    """A lock that pins what ``declaration`` declares: one of its ecosystem in the
    declaring file's folder or a folder above it (or in a ``requirements/`` folder there);
    for a pip-tools ``.in`` file, the file compiled from it, whose own pins
    ``unpinned-dependencies`` judges. A manifest that pins every package exactly is its
    own lock; so is one whose only ranges are in groups that install tooling."""
    scopes = _scopes(posixpath.dirname(declaration.path))
    for lock in locks(ev):
        if lock.ecosystem == declaration.ecosystem and posixpath.dirname(lock.path) in scopes:
            return lock
    compiled = compiled_output(ev, declaration.path)
    if compiled is not None:
        return Lock(compiled, PYTHON, {})
    if all(d.pinned for d in declaration.runtime):
        return Lock(declaration.path, declaration.ecosystem, {})
    return None


def compiled_output(ev: Evidence, path: str) -> str | None:
    """The requirements file pip-compile writes from a ``.in`` file by default (the same
    name ending in ``.txt``), when the project has it; None for any other file."""
    if not is_pip_compile_input(path):
        return None
    output = path[: -len(".in")] + ".txt"
    return output if output in requirements_files(ev) else None


def _folders_up(folder: str) -> Iterator[str]:
    while folder:
        yield folder
        folder = posixpath.dirname(folder)
    yield ""


# Versions ----------------------------------------------------------------------------------


def pinned_versions(ev: Evidence) -> dict[str, tuple[tuple[str, Version], ...]]:
    """Each package's exact pins, as (folder of the pinning file, version), wherever the
    project pins them (lock files, requirements files, manifests)."""
    return ev.memo(("dependencies", "versions"), lambda: _pinned_versions(ev))


def _pinned_versions(ev: Evidence) -> dict[str, tuple[tuple[str, Version], ...]]:
    found: dict[str, set[tuple[str, Version]]] = {}

    def keep(path: str, name: str, version: Version | None) -> None:
        if name and version is not None:
            found.setdefault(name, set()).add((posixpath.dirname(path), version))

    for lock in locks(ev):
        for name, version in lock.versions.items():
            keep(lock.path, name, version)
    for path, parsed in requirements_files(ev).items():
        for dependency in parsed.requirements:
            keep(path, dependency.name, dependency.version)
    for declaration in declarations(ev):
        for dependency in declaration.declared.dependencies:
            keep(declaration.path, dependency.name, dependency.version)
    return {name: tuple(sorted(pins)) for name, pins in found.items()}


def pinned_version(ev: Evidence, name: str, near: str | None = None) -> Version | None:
    """The exact version the project pins for ``name``, the lowest if it pins several;
    with ``near`` (a file), only pins from that file's folder or a folder above it (or a
    ``requirements/`` folder there) count: a script folder's own requirements say nothing
    of the rest of the project. None when nothing pins it: then no rule can tell which
    version runs."""
    versions = pinned_versions(ev)
    canonical = canonicalize_name(name)
    # conda calls PyTorch "pytorch"
    pins = versions.get(canonical) or (versions.get("pytorch", ()) if canonical == "torch" else ())
    if near is not None:
        scopes = _scopes(posixpath.dirname(near))
        pins = tuple(pin for pin in pins if pin[0] in scopes)
    return min((version for _, version in pins), default=None)


def _scopes(folder: str) -> set[str]:
    """A folder, the folders above it, and the ``requirements/`` folder of each."""
    scopes = set(_folders_up(folder))
    return scopes | {posixpath.join(f, "requirements").lstrip("/") for f in scopes}


def constraint_files(ev: Evidence) -> frozenset[str]:
    """Files used as constraints: named ``constraints*.txt`` or included with ``-c``."""

    def compute() -> frozenset[str]:
        files = requirements_files(ev)
        named = {p for p in files if p.rpartition("/")[2].startswith("constraints")}
        included = {
            target
            for path, parsed in files.items()
            for kind, target in includes(ev, path, parsed)
            if kind == "constraint"
        }
        return frozenset(named | included)

    return ev.memo(("dependencies", "constraint-files"), compute)
