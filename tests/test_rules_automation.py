"""MD033 missing-tests and MD034 missing-ci-tests."""

from __future__ import annotations

import pytest

from mllint_wa.evidence.ci_files import MAX_ENTRIES, repository_ci_files
from trees import write_files as _write

CODE = "def main() -> None:\n    print('training')\n"
TEST = "def test_nothing() -> None:\n    assert True\n"
PYTEST_WORKFLOW = (
    "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: python -m pytest\n"
)
LINT_WORKFLOW = (
    "on: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: ruff check .\n"
)


def test_missing_tests_on_the_declared_training_entrypoint(lint):
    # setup.py, docs/conf.py and __init__.py are not code to test.
    assert lint("missing-tests", "MD033") == [
        ("MD033", "missing-tests", "src/churn/train.py", 1, 1)
    ]
    assert lint.messages("missing-tests", "MD033") == [
        "the project has 2 Python modules (`src/churn/train.py`, `src/churn/features.py`) but "
        "no tests: no module defining a test (`def test…`) named `test_*.py` or `*_test.py` "
        "or in a `tests/`, `test/` or `testing/` folder, and no pytest `testpaths` or "
        "`--doctest-modules`"
    ]


def test_missing_tests_does_not_deny_a_tests_folder_that_holds_no_python(lint, tmp_path):
    repo = _write(tmp_path, {"train.py": "import torch\n", "tests/data/sample.csv": "a\n"})
    assert lint.messages(repo, "MD033") == [
        "the project has 1 Python module (`train.py`) but no tests: no module defining a "
        "test (`def test…`) named `test_*.py` or `*_test.py` or in a `tests/`, `test/` or "
        "`testing/` folder (`tests/` holds none), and no pytest `testpaths` or "
        "`--doctest-modules`"
    ]


def test_modules_named_like_tests_that_define_none_are_no_tests(lint, tmp_path):
    # A data loader called test_data.py (its class TestData is no test: pytest collects no
    # class with an __init__ and no method named test…), an empty test module and a tests
    # package's __init__.py: no CI is asked to run them, and the project has no tests.
    loader = (
        "import json\n\n\nclass TestData:\n    def __init__(self):\n        self.rows = []\n"
        "\n    def load(self, path):\n        self.rows = json.load(open(path))\n"
    )
    files = {
        "src/evalkit/train.py": "import torch\n",
        "src/evalkit/test_data.py": loader,
        "tests/__init__.py": "",
        "tests/test_metrics.py": "",
    }
    repo = _write(tmp_path, files)
    assert [row[:3] for row in lint(repo, "MD033", "MD034")] == [
        ("MD033", "missing-tests", "src/evalkit/train.py")
    ]
    (repo / "tests/test_metrics.py").write_text("def test_recall():\n    assert True\n")
    assert [row[:3] for row in lint(repo, "MD033", "MD034")] == [
        ("MD034", "missing-ci-tests", "tests/test_metrics.py")
    ]


@pytest.mark.parametrize(
    "tests",
    [
        {"tests/test_train.py": TEST},
        {"src/train_test.py": TEST},
        {"test/helpers.py": TEST},
        {"pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["spec"]\n'},
        {"setup.cfg": "[tool:pytest]\naddopts = --doctest-modules\n"},
    ],
    ids=["tests-folder", "suffix", "test-folder", "testpaths", "doctest-modules"],
)
def test_missing_tests_quiet_when_tests_exist(lint, tmp_path, tests):
    repo = _write(tmp_path, {"src/train.py": CODE, **tests})
    assert lint(repo, "MD033") == []


def test_missing_tests_quiet_for_a_notebook_only_project(lint, tmp_path):
    repo = _write(tmp_path, {"eda.ipynb": '{"cells": [], "nbformat": 4, "nbformat_minor": 5}'})
    assert lint(repo, "MD033") == []


def test_missing_tests_follows_the_stage_gating(lint, tmp_path):
    repo = _write(tmp_path, {"lens.toml": '[project]\nstage = "discovery"\n', "train.py": CODE})
    assert lint(repo, "MD033") == []


def test_missing_ci_tests_on_the_first_workflow(lint):
    # `pip install pytest -r requirements-test.txt` installs, `dvc repro` reproduces:
    # neither runs the tests.
    assert lint("missing-ci-tests", "MD034") == [
        ("MD034", "missing-ci-tests", ".github/workflows/docs.yml", 3, 1)
    ]
    assert lint.messages("missing-ci-tests", "MD034") == [
        "CI (`.github/workflows/docs.yml`, `.github/workflows/lint.yml`) runs no test command"
    ]


def test_tests_without_any_ci_are_reported_on_the_first_test_file(lint, tmp_path):
    repo = _write(
        tmp_path / "repo",
        {"src/train.py": CODE, "tests/test_a.py": TEST, "tests/test_b.py": TEST},
    )
    (repo / ".git").mkdir()
    assert lint(repo, "MD034") == [("MD034", "missing-ci-tests", "tests/test_a.py", 1, 1)]
    assert lint.messages(repo, "MD034") == [
        "the project has tests (`tests/test_a.py`, `tests/test_b.py`) but no CI definition "
        "runs them"
    ]


HOOK = "repos:\n  - repo: local\n    hooks:\n      - id: tests\n        entry: pytest\n"
QUIET_CI = {
    "github": {".github/workflows/ci.yml": PYTEST_WORKFLOW},
    "gitlab-reference": {
        ".gitlab-ci.yml": "test:\n  script:\n    - !reference [.setup, script]\n    - tox\n"
    },
    "codebuild": {"buildspec.yml": "phases:\n  build:\n    commands:\n      - make test\n"},
    "azure": {"azure-pipelines.yml": "steps:\n  - script: uv run pytest\n"},
    "jenkins": {"Jenkinsfile": "node {\n  sh '''\n    hatch test\n  '''\n}\n"},
    "circleci": {
        ".circleci/config.yml": "jobs:\n  t:\n    steps:\n      - run:\n          command: nox\n"
    },
    "bitbucket": {
        "bitbucket-pipelines.yml": "pipelines:\n  default:\n    - step:\n        script:\n"
        "          - poetry run pytest\n"
    },
    "pre-commit-hook": {
        ".github/workflows/ci.yml": LINT_WORKFLOW.replace("ruff check .", "pre-commit run -a"),
        ".pre-commit-config.yaml": HOOK,
    },
    "gitlab-include": {
        ".gitlab-ci.yml": "include:\n  - project: ml/ci\n    file: py.yml\n"
        "lint:\n  script: [ruff]\n"
    },
    "reusable-workflow": {
        ".github/workflows/ci.yml": "on: [push]\njobs:\n  call:\n"
        "    uses: org/shared/.github/workflows/python.yml@v1\n"
    },
    "script-of-the-project": {
        ".github/workflows/ci.yml": LINT_WORKFLOW.replace("ruff check .", "bash ci/check.sh"),
        "ci/check.sh": "set -e\nruff check .\npython -m pytest tests\n",
    },
    "job-file-running-a-script": {
        ".github/workflows/ci.yml": LINT_WORKFLOW.replace(
            "ruff check .", "anyscale jobs submit deploy/jobs/workloads.yaml --wait"
        ),
        "deploy/jobs/workloads.yaml": "name: workloads\nentrypoint: bash deploy/jobs/run.sh\n",
        "deploy/jobs/run.sh": "pytest tests/code --verbose\n",
    },
    "prow": {".github/workflows/ci.yml": LINT_WORKFLOW, "prow_config.yaml": "presubmits: []\n"},
    "travis": {".github/workflows/ci.yml": LINT_WORKFLOW, ".travis.yml": "script: pytest\n"},
}


@pytest.mark.parametrize("ci", QUIET_CI.values(), ids=QUIET_CI.keys())
def test_missing_ci_tests_quiet_when_ci_runs_tests_or_cannot_be_seen(lint, tmp_path, ci):
    repo = _write(tmp_path / "repo", {"src/train.py": CODE, "tests/test_a.py": TEST, **ci})
    (repo / ".git").mkdir()
    assert lint(repo, "MD034") == []


def test_a_jinja_templated_workflow_is_not_evidence(lint, tmp_path):
    templated = LINT_WORKFLOW.replace("ruff check .", "{{ cookiecutter.lint_command }}")
    repo = _write(
        tmp_path / "repo",
        {"src/train.py": CODE, "tests/test_a.py": TEST, ".github/workflows/ci.yml": templated},
    )
    (repo / ".git").mkdir()
    # Not evidence of CI: the project is judged as having none.
    assert [row[2] for row in lint(repo, "MD034", "LN009")] == ["tests/test_a.py"]


def test_a_sub_project_is_judged_by_its_repository_root_ci(lint, tmp_path):
    repo = _write(
        tmp_path / "mono",
        {
            ".github/workflows/ci.yml": LINT_WORKFLOW,
            "projects/churn/lens.toml": "schema_version = 1\n",
            "projects/churn/src/train.py": CODE,
            "projects/churn/tests/test_train.py": TEST,
        },
    )
    (repo / ".git").mkdir()
    project = repo / "projects" / "churn"
    assert lint(project, "MD034") == [("MD034", "missing-ci-tests", "tests/test_train.py", 1, 1)]
    assert lint.messages(project, "MD034") == [
        "the repository's CI (`.github/workflows/ci.yml`, at the repository root) runs no test "
        "command"
    ]
    (repo / ".github" / "workflows" / "ci.yml").write_text(PYTEST_WORKFLOW, encoding="utf-8")
    assert lint(project, "MD034") == []


def test_repository_ci_lookup_is_bounded_to_regular_files_at_the_repository_root(tmp_path):
    repo = tmp_path / "repo"
    workflows = repo / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / ".gitlab-ci.yml").write_text("test:\n  script: [pytest]\n", encoding="utf-8")
    (repo / "notes.yml").write_text("a: 1\n", encoding="utf-8")
    (workflows / "ci.yml").write_text(PYTEST_WORKFLOW, encoding="utf-8")
    (workflows / "linked.yml").symlink_to(tmp_path / "elsewhere.yml")
    (workflows / "folder.yml").mkdir()
    project = repo / "a" / "b"
    project.mkdir(parents=True)
    assert repository_ci_files(project) == (repo, (".gitlab-ci.yml", ".github/workflows/ci.yml"))
    # A repository root is judged by its own files; outside a repository nothing is read.
    assert repository_ci_files(repo) is None
    outside = tmp_path / "loose" / "project"
    outside.mkdir(parents=True)
    assert repository_ci_files(outside) is None


def test_repository_ci_lookup_lists_a_bounded_number_of_names(tmp_path):
    repo = tmp_path / "repo"
    workflows = repo / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (repo / ".git").mkdir()
    for number in range(MAX_ENTRIES + 20):
        (workflows / f"w{number:04}.yml").write_text("on: push\n", encoding="utf-8")
    (repo / "sub").mkdir()
    found = repository_ci_files(repo / "sub")
    assert found is not None and len(found[1]) <= MAX_ENTRIES


def test_ci_without_tests_to_run_is_left_to_missing_tests(lint, tmp_path):
    repo = _write(
        tmp_path / "repo", {"src/train.py": CODE, ".github/workflows/ci.yml": LINT_WORKFLOW}
    )
    (repo / ".git").mkdir()
    assert lint(repo, "MD033", "MD034") == [("MD033", "missing-tests", "src/train.py", 1, 1)]


def test_a_ci_step_naming_a_bucket_like_a_project_folder_is_not_read_as_a_script(lint, tmp_path):
    # `s3://data/…` holds `//data/`, which names the project's data/ folder, not a file.
    step = "aws s3 cp s3://data/results/ results/ --recursive"
    repo = _write(
        tmp_path / "repo",
        {
            "src/train.py": CODE,
            "tests/test_a.py": TEST,
            "data/README.md": "# data\n",
            ".github/workflows/ci.yml": LINT_WORKFLOW.replace("ruff check .", step),
        },
    )
    (repo / ".git").mkdir()
    assert [row[:2] for row in lint(repo, "MD034", "LN009")] == [("MD034", "missing-ci-tests")]
