"""Evidence about how a project is built and checked: its container builds, its CI
definitions (its own, or its repository's when it has none) and its tests.

CI definitions normally live at the repository root (``.github/workflows/``,
``.gitlab-ci.yml`` …), which lies above the root of a project in a sub-folder of a monorepo,
outside the files the project was given. :func:`~mllint_wa.evidence.ci_files.repository_ci_files`
finds them there, and they are read through an :class:`Evidence` of their own, with its
bounded reads. Those files belong to the enclosing project: they are read for what
they run, and a failure to parse them is that project's finding, not this one's.
"""

from __future__ import annotations

import dataclasses
import os
import re

from mllint_wa.evidence import Evidence, kinds
from mllint_wa.evidence.ci_files import UNREAD_CI, repository_ci_files
from mllint_wa.parsers.ci import CiDefinition, ci_definition, parse_jenkinsfile
from mllint_wa.parsers.ci_systems import PRE_COMMIT, ci_system
from mllint_wa.parsers.dockerfile import Dockerfile, parse_dockerfile
from mllint_wa.parsers.yaml_doc import load_yaml
from mllint_wa.records import dataclass


def dockerfiles(ev: Evidence) -> list[tuple[str, Dockerfile]]:
    """The project's Dockerfiles and Containerfiles, parsed, templated ones left out."""

    def compute() -> list[tuple[str, Dockerfile]]:
        return [
            (path, parsed)
            for path in ev.files(kinds.DOCKERFILE)
            if not ev.templated(path) and (parsed := ev.parse(path, parse_dockerfile)) is not None
        ]

    return ev.memo(dockerfiles, compute)


def _definitions(
    ev: Evidence, paths: tuple[str, ...]
) -> tuple[tuple[CiDefinition, ...], tuple[str, ...]]:
    """The definitions read from ``paths``, and the paths of those that could not be read
    or parsed (what they run is unknown)."""
    found = []
    unreadable = []
    for path in paths:
        system = ci_system(path)
        if system is None or ev.templated(path):
            continue
        if path.rpartition("/")[2] == "Jenkinsfile":
            parsed = ev.parse(path, parse_jenkinsfile)
            if parsed is not None:
                found.append(dataclasses.replace(parsed, path=path))
            continue
        documents = ev.parse(path, load_yaml)
        text = ev.text(path)
        if documents is not None and text is not None:
            found.append(ci_definition(path, system, documents, text))
        else:
            unreadable.append(path)
    return tuple(found), tuple(unreadable)


@dataclass(frozen=True)
class CiEvidence:
    """The project's own CI definitions (``own``), and, when it has none, those of the
    repository root above it (``repository``, with paths relative to that root)."""

    own: tuple[CiDefinition, ...]
    repository: tuple[CiDefinition, ...] = ()
    # CI definitions of systems that are not read (``.travis.yml``, ``prow_config.yaml`` …),
    # and definitions that could not be read or parsed.
    unread: tuple[str, ...] = ()

    @property
    def pipelines(self) -> tuple[CiDefinition, ...]:
        """The definitions that decide what CI runs for the project (hooks aside)."""
        own = tuple(d for d in self.own if d.system != PRE_COMMIT)
        if own:
            return own
        return tuple(d for d in self.repository if d.system != PRE_COMMIT)

    @property
    def hooks(self) -> tuple[CiDefinition, ...]:
        """The pre-commit configurations that go with :attr:`pipelines`."""
        own = tuple(d for d in self.own if d.system == PRE_COMMIT)
        return own or tuple(d for d in self.repository if d.system == PRE_COMMIT)

    @property
    def from_repository(self) -> bool:
        return not any(d.system != PRE_COMMIT for d in self.own) and bool(self.pipelines)


def ci_evidence(ev: Evidence) -> CiEvidence:
    def compute() -> CiEvidence:
        own, unparsed = _definitions(ev, ev.files(kinds.CI, kinds.PRE_COMMIT))
        unread = (*(name for name in sorted(UNREAD_CI) if ev.exists(name)), *unparsed)
        if unread or any(d.system != PRE_COMMIT for d in own):
            return CiEvidence(own, unread=unread)
        found = repository_ci_files(ev.root)
        if found is None:
            return CiEvidence(own)
        root, paths = found
        read = tuple(path for path in paths if path not in UNREAD_CI)
        repository, unparsed = _definitions(Evidence(root, read), read)
        unread = (*(path for path in paths if path in UNREAD_CI), *unparsed)
        return CiEvidence(own, repository, unread)

    return ev.memo(ci_evidence, compute)


TEST_FOLDERS = frozenset({"tests", "test", "testing"})
_NOT_CODE = frozenset({"setup.py", "conftest.py", "noxfile.py", "__init__.py", "manage.py"})
# A pytest configuration that says where tests are, or collects doctests from the modules.
_PYTEST_CONFIGS = ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini")
_TEST_DECLARATIONS = (b"testpaths", b"--doctest-modules", b"--doctest-glob")


def is_test_file(path: str) -> bool:
    folder, _, name = path.rpartition("/")
    if not name.endswith(".py"):
        return False
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or any(part in TEST_FOLDERS for part in folder.split("/"))
    )


@dataclass(frozen=True)
class TestEvidence:
    """``files``: the project's test modules (named like tests, and defining a test);
    ``declared``: a pytest configuration that names test paths or collects doctests (where,
    this evidence does not read)."""

    files: tuple[str, ...]
    declared: str | None

    @property
    def present(self) -> bool:
        return bool(self.files) or self.declared is not None


def test_evidence(ev: Evidence) -> TestEvidence:
    def compute() -> TestEvidence:
        # A module named like a test holds one only when it defines a test function or
        # method (pytest's and unittest's `def test…`): a `test_data.py` loader, an empty
        # file or a package's `__init__.py` under tests/ tests nothing.
        files = tuple(
            p for p in ev.files(kinds.PYTHON) if is_test_file(p) and ev.mentions(p, b"def test")
        )
        declared = next(
            (
                p
                for p in _PYTEST_CONFIGS
                if p in ev.all_files and ev.mentions(p, *_TEST_DECLARATIONS)
            ),
            None,
        )
        return TestEvidence(files, declared)

    return ev.memo(test_evidence, compute)


def code_files(ev: Evidence) -> tuple[str, ...]:
    """The project's own Python modules: what tests would test (tests, packaging and
    documentation configuration left out)."""

    def compute() -> tuple[str, ...]:
        return tuple(
            path
            for path in ev.files(kinds.PYTHON)
            if not is_test_file(path)
            and path.rpartition("/")[2] not in _NOT_CODE
            and not path.startswith(("docs/", "doc/"))
        )

    return ev.memo(code_files, compute)


# A CI step often runs a script of the repository (`bash ci/test.sh`, `anyscale jobs submit
# deploy/jobs/workloads.yaml`) that runs the tests: those files are followed this many hops.
SCRIPT_HOPS = 2
_MAX_SCRIPTS = 32
_PATH_WORD = re.compile(r"[\w./-]+")


def referenced_scripts(ev: Evidence, texts: list[str]) -> list[str]:
    """The texts of the project files that ``texts`` name (``./scripts/test.sh``,
    ``deploy/job.yaml``), and of the files those name in turn, up to :data:`SCRIPT_HOPS`
    hops and :data:`_MAX_SCRIPTS` files; each read through the evidence layer's bounds."""
    seen: set[str] = set()
    found: list[str] = []
    frontier = texts
    for _ in range(SCRIPT_HOPS):
        named: list[str] = []
        for text in frontier:
            for word in _PATH_WORD.findall(text):
                path = os.path.normpath(word.removeprefix("./")).replace(os.sep, "/")
                if ("/" not in path and "." not in path) or path in seen or path.startswith(".."):
                    continue
                if len(seen) >= _MAX_SCRIPTS or not ev.is_file(path) or path.endswith(".py"):
                    continue
                seen.add(path)
                content = ev.text(path)
                if content is not None:
                    named.append(content)
        found.extend(named)
        frontier = named
    return found
