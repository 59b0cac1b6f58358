"""Automated checks of the project's code: tests, and CI that runs them."""

from __future__ import annotations

from collections.abc import Iterator

from mllint_wa.checks.wording import counted, first_named
from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence
from mllint_wa.evidence.automation import (
    TEST_FOLDERS,
    CiEvidence,
    ci_evidence,
    code_files,
    referenced_scripts,
    test_evidence,
)
from mllint_wa.model import Location, Risk, Violation
from mllint_wa.parsers.ci import CiDefinition
from mllint_wa.parsers.shell import runs_pre_commit, runs_tests
from mllint_wa.registry import rule

# Words in a module's name that mark the code a model's behaviour depends on.
_MAIN_CODE_WORDS = ("train", "serve", "inference", "predict", "handler", "pipeline", "model")


def _main_code(ctx: ProjectContext, code: tuple[str, ...]) -> str:
    """The module a finding about the project's code stands on: the declared training
    entry point, else the first module named like training or serving code, else the
    first module."""
    declared = ctx.manifest.get("model.training_entrypoint") if ctx.manifest else None
    if isinstance(declared, str) and declared.strip("./") in code:
        return declared.strip("./")
    for word in _MAIN_CODE_WORDS:
        for path in code:
            if word in path.rpartition("/")[2]:
                return path
    return code[0]


def _some(paths: list[str]) -> str:
    return first_named([f"`{p}`" for p in paths], 2)


@rule(
    code="MD033",
    name="missing-tests",
    risk=Risk.HIGH,
    summary="The project has Python code but no tests.",
    fix="Add tests under `tests/` (`tests/test_features.py` …): at least the feature code, "
    "the training step on a tiny dataset, and the inference handler's input and output.",
    lens_refs=("MLREL03-BP01", "MLOPS04-BP01"),
    requires_manifest=False,
    preview=True,
)
def missing_tests(ctx: ProjectContext) -> Iterator[Violation]:
    """Feature engineering, training and inference code that nothing tests breaks
    silently: a changed preprocessing step still produces a model, only a worse one, and
    training/serving skew surfaces in production. The lens's CI/CD/CT practice
    (MLREL03-BP01) and MLOps automation (MLOPS04-BP01) both rest on tests that a pipeline
    can run.

    Reported once, on the training entry point (`[model] training_entrypoint`) or the
    first module named like training or serving code, when the project has Python modules
    and none of: a module that defines a test (a function or method named `test…`, as
    pytest and unittest collect) and is named `test_*.py` or `*_test.py` or lies in a
    `tests/`, `test/` or `testing/` folder, or a pytest configuration naming `testpaths` or
    collecting doctests (`--doctest-modules`). A data loader named `test_data.py`, an
    empty test file or a tests package's `__init__.py` is no test. Packaging and
    documentation scripts (`setup.py`, `docs/conf.py`) are not code to test; a
    notebook-only project is not reported."""
    code = code_files(ctx.evidence)
    if not code or test_evidence(ctx.evidence).present:
        return
    main = _main_code(ctx, code)
    count = counted(len(code), "Python module")
    yield Violation(
        f"the project has {count} ({_some([main, *(p for p in code if p != main)])}) but no "
        "tests: no module defining a test (`def test…`) named `test_*.py` or `*_test.py` or "
        f"in a `tests/`, `test/` or `testing/` folder{_without_tests(ctx.evidence)}, and no "
        "pytest `testpaths` or `--doctest-modules`",
        Location(main),
        anchor="tests",
    )


def _without_tests(ev: Evidence) -> str:
    """A test folder the project has with no test in it, as the message says it, so that
    it does not seem to deny a folder the reader can see."""
    for path in ev.all_files:
        folder = path.partition("/")[0]
        if path != folder and folder in TEST_FOLDERS:
            return f" (`{folder}/` holds none)"
    return ""


def _runs_tests(ci: CiEvidence, ev: Evidence) -> bool:
    """Whether a CI pipeline runs a test command, itself, through a script of the project
    it runs, or through pre-commit hooks."""
    pipelines = ci.pipelines
    commands = [command.script.text for p in pipelines for command in p.commands]
    if any(runs_tests(text) for text in commands):
        return True
    if not ci.from_repository and any(
        runs_tests(text) for text in referenced_scripts(ev, commands)
    ):
        return True
    hooks_run = any(runs_pre_commit(text) for text in commands) or any(
        use.name.startswith("pre-commit/action") for p in pipelines for use in p.uses
    )
    return hooks_run and any(
        runs_tests(command.script.text) for hook in ci.hooks for command in hook.commands
    )


def _described(definitions: tuple[CiDefinition, ...]) -> str:
    return _some([d.path for d in definitions])


@rule(
    code="MD034",
    name="missing-ci-tests",
    risk=Risk.HIGH,
    summary="No CI definition runs the project's tests.",
    fix="Add a CI job that runs the tests on every change, e.g. a GitHub Actions step "
    "`run: python -m pytest`, a GitLab job `script: [pytest]`, or a CodeBuild `build` "
    "phase command.",
    lens_refs=("MLOPS04-BP01", "MLREL03-BP01", "MLPERF04-BP03"),
    requires_manifest=False,
    preview=True,
)
def missing_ci_tests(ctx: ProjectContext) -> Iterator[Violation]:
    """Tests that only run when someone remembers to run them do not gate anything: the
    lens asks for ML operations automated through CI/CD (MLOPS04-BP01), with the pipeline
    that builds and trains a model also testing it (MLREL03-BP01, MLPERF04-BP03).

    Read: GitHub Actions workflows, GitLab CI, CodeBuild buildspecs, Azure Pipelines,
    CircleCI, Bitbucket Pipelines and Jenkinsfiles of the project, or, when it has none,
    those at the root of its repository (a sub-project of a monorepo is tested by the
    repository's CI). A test command is a test runner (`pytest`, `python -m pytest`,
    `python -m unittest`, `tox`, `nox`, `hatch test`, `poetry run pytest`, `uv run
    pytest` …) or a command naming tests (`make test`, `./scripts/run_tests.sh`), also
    inside a script or job file of the project that a CI step names (followed two files
    deep: `anyscale jobs submit deploy/job.yaml` whose entry point runs `ci/test.sh`); a
    pre-commit run counts when a local hook runs one. `dvc repro` reproduces a pipeline and
    is not a test. Installing test dependencies is not running tests.

    Reported on the first CI definition when CI exists and none of it runs a test command;
    when the project has tests (modules that define a test, as `missing-tests` decides)
    but no CI at all, on its first test file. Not reported when
    the CI includes definitions it does not show (a GitLab `include:`, a reusable workflow
    of another repository, a pipeline template, an orb, a Jenkins shared library), when a
    CI system that is not read is configured too (Travis, Prow, Cloud Build, Buildkite,
    Tekton, Drone, AppVeyor …), or when the project has no tests (then `missing-tests`
    says so: CI cannot run tests that do not exist)."""
    ev = ctx.evidence
    tests = test_evidence(ev)
    code = code_files(ev)
    ci = ci_evidence(ev)
    if ci.unread:
        return
    pipelines = ci.pipelines
    if not pipelines:
        if tests.files:
            yield Violation(
                f"the project has tests ({_some(list(tests.files))}) but no CI definition "
                "runs them",
                Location(tests.files[0]),
                anchor="ci-tests",
            )
        return
    # Without tests, missing-tests is the finding: CI cannot run what does not exist.
    if not tests.present or any(p.opaque for p in pipelines) or _runs_tests(ci, ev):
        return
    if ci.from_repository:
        target = tests.files[0] if tests.files else _main_code(ctx, code) if code else None
        if target is None:  # tests declared in a pytest configuration only
            return
        yield Violation(
            f"the repository's CI ({_described(pipelines)}, at the repository root) runs no "
            "test command",
            Location(target),
            anchor="ci-tests",
        )
        return
    first = pipelines[0]
    yield Violation(
        f"CI ({_described(pipelines)}) runs no test command",
        Location(first.path, first.line, first.column),
        anchor="ci-tests",
    )
