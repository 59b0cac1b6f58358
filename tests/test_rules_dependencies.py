"""MD020 unpinned-dependencies, MD021 missing-lock-file, MD022 unsafe-model-deserialization,
and the dependency readers they stand on."""

from __future__ import annotations

import contextlib
import textwrap

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from packaging.version import Version

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import ParseError
from mllint_wa.evidence.dependencies import installs_tooling, pinned_version
from mllint_wa.model import Stage
from mllint_wa.parsers.conda_env import conda_spec
from mllint_wa.parsers.lockfiles import parse_pipfile_lock, parse_toml_lock
from mllint_wa.parsers.pipfile import parse_pipfile
from mllint_wa.parsers.pyproject import parse_pyproject
from mllint_wa.parsers.requirements import parse_requirements
from mllint_wa.parsers.setup_cfg import parse_setup_cfg
from mllint_wa.project import Project
from trees import write_tree as _write

# -- unpinned-dependencies -------------------------------------------------------------------


def test_unpinned_dependencies_one_finding_per_file_at_the_first_unpinned_line(lint):
    assert lint("unpinned-dependencies", "MD020") == [
        ("MD020", "unpinned-dependencies", "requirements-api.txt", 4, 1),
        ("MD020", "unpinned-dependencies", "requirements-serve.txt", 3, 1),
        ("MD020", "unpinned-dependencies", "requirements.txt", 5, 1),
        ("MD020", "unpinned-dependencies", "requirements/dev.txt", 5, 1),
    ]
    assert lint.messages("unpinned-dependencies", "MD020") == [
        # fastapi~=0.110.1 and pydantic==2.7.* admit patch releases only; uvicorn~=0.29
        # admits every later 0.x
        "`requirements-api.txt` leaves 1 package unpinned: uvicorn",
        # torch is pinned two lines further down
        "`requirements-serve.txt` leaves 1 package unpinned: scikit-learn",
        # torch is pinned by -c constraints.txt; -e . and ./plugins/scoring are the project's
        "`requirements.txt` leaves 3 packages unpinned: fastapi, pandas, scikit-learn",
        # a VCS branch moves, a commit does not; `-r dev.txt` (itself) and an include out
        # of the project are followed safely; a development install that leaves a
        # framework free is where a model may be trained
        "`requirements/dev.txt` leaves 3 packages unpinned: example-tools, ruff, xgboost",
    ]


def test_unpinned_dependencies_quiet_on_hashes_pip_compile_output_inputs_and_constraints(lint):
    # requirements-hashed.txt (--hash on each), requirements-lock.txt (pip-compile header),
    # requirements.in (pip-compile input) and constraints.txt (numpy<2) are not reported.
    paths = {path for _, _, path, *_ in lint("unpinned-dependencies", "MD020")}
    assert paths == {
        "requirements-api.txt",
        "requirements-serve.txt",
        "requirements.txt",
        "requirements/dev.txt",
    }


def test_requirements_that_install_tooling_are_not_reported(lint):
    # docs/requirements.txt builds the documentation (torch unpinned there shapes no
    # model), requirements-test.txt runs the tests, dev-requirements.txt installs
    # formatters and type checkers and leaves no framework free.
    paths = {path for _, _, path, *_ in lint("unpinned-dependencies", "MD020")}
    assert paths.isdisjoint({"docs/requirements.txt", "requirements-test.txt"})
    assert "dev-requirements.txt" not in paths


@pytest.mark.parametrize(
    ("name", "unpinned", "tooling"),
    [
        ("docs/requirements.txt", ["torch"], True),
        ("requirements_tests.txt", ["pytest"], True),
        ("requirements/lint.txt", ["ruff"], True),
        ("ci/integration-test/requirements.txt", ["mlflow"], True),
        ("requirements-dev.txt", ["black", "mypy"], True),
        ("requirements-dev.txt", ["black", "torch"], False),
        ("requirements.txt", ["pytest"], False),
        ("requirements-latest.txt", ["pytest"], False),
        ("dev", ["pytest"], True),
        ("gpu", ["pytest"], False),
    ],
)
def test_tooling_is_told_by_its_words_and_a_development_install_by_its_packages(
    name, unpinned, tooling
):
    assert installs_tooling(name, unpinned) is tooling


def test_a_package_pinned_anywhere_in_the_install_is_pinned(lint):
    # requirements-train.txt names torch bare, and includes requirements-serve.txt, which
    # pins it: pip merges the two into one pinned requirement.
    paths = {path for _, _, path, *_ in lint("unpinned-dependencies", "MD020")}
    assert "requirements-train.txt" not in paths


def test_a_package_pinned_only_under_another_name_is_still_unpinned(lint, tmp_path):
    _write(tmp_path, {"requirements.txt": "torch\ntorchvision==0.18.1\n"})
    assert lint.messages(tmp_path, "MD020") == [
        "`requirements.txt` leaves 1 package unpinned: torch"
    ]


def test_unpinned_dependencies_names_are_truncated(lint, tmp_path):
    names = [f"pkg{i:02d}" for i in range(11)]
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", "requirements.txt": "\n".join(names)})
    assert lint.messages(tmp_path, "MD020") == [
        "`requirements.txt` leaves 11 packages unpinned: "
        "pkg00, pkg01, pkg02, pkg03, pkg04, pkg05, pkg06, pkg07 and 3 more"
    ]


def test_broken_requirement_and_toml_reported_once_by_unparseable_file(lint):
    assert lint("unpinned-dependencies", "LN009") == [
        ("LN009", "unparseable-file", "requirements-docs.txt", 2, 1),
    ]
    assert lint("missing-lock-file", "LN009") == [
        ("LN009", "unparseable-file", "broken/Pipfile", 2, 11),
    ]
    # and the other rules still run
    assert len(lint("unpinned-dependencies", "MD020", "LN009")) == 5


# -- missing-lock-file -----------------------------------------------------------------------


def test_missing_lock_file_at_the_first_declared_dependency(lint):
    assert lint("missing-lock-file", "MD021") == [
        ("MD021", "missing-lock-file", "environment.yml", 4, 1),
        ("MD021", "missing-lock-file", "pyproject.toml", 6, 5),
    ]
    assert lint.messages("missing-lock-file", "MD021") == [
        "`environment.yml` declares 4 dependencies but no lock pins them: add a conda-lock "
        "file (`conda-lock -f environment.yml`) or exact versions",
        # the `dev` extra (pytest) installs tooling: a lock is asked for the other three
        "`pyproject.toml` declares 3 dependencies but no lock pins them: add a lock file "
        "(`uv lock`, `poetry lock`, `pdm lock`) or a `pip-compile` output",
    ]


def test_missing_lock_file_quiet_with_a_lock_or_a_pinned_requirements_file(lint):
    # lib/ has uv.lock, app/ has Pipfile.lock, tools/ a fully pinned requirements.txt,
    # conda/environment.yml pins every package itself.
    paths = {path for _, _, path, *_ in lint("missing-lock-file", "MD021")}
    assert paths == {"environment.yml", "pyproject.toml"}


def test_missing_lock_file_quiet_on_a_pyproject_that_pins_every_dependency(lint):
    # pinned/pyproject.toml: `==` pins, a dependency group pinned too, a VCS tag
    paths = {path for _, _, path, *_ in lint("missing-lock-file", "MD021")}
    assert "pinned/pyproject.toml" not in paths


def test_an_in_file_beside_its_compiled_output_is_judged_once_on_the_output(lint):
    # compiled/requirements.txt was compiled from compiled/requirements.in, then loosened:
    # unpinned-dependencies reports the .txt; the .in is not reported again.
    rows = lint("missing-lock-file", "MD020", "MD021")
    assert [row for row in rows if row[2].startswith("compiled/")] == [
        ("MD020", "unpinned-dependencies", "compiled/requirements.txt", 6, 1)
    ]


def test_a_pyproject_with_one_range_still_needs_a_lock(lint, tmp_path):
    _write(
        tmp_path,
        {
            "lens.toml": "schema_version = 1\n",
            "pyproject.toml": """
                [project]
                name = "x"
                dependencies = ["pandas==2.2.2", "numpy>=1.26"]
                """,
        },
    )
    assert lint(tmp_path, "MD021") == [("MD021", "missing-lock-file", "pyproject.toml", 3, 17)]


_LIBRARY = {
    "pyproject.toml": """
        [project]
        name = "tabkit"
        version = "0.4.0"
        dependencies = ["numpy>=1.26", "scikit-learn>=1.4"]
        """,
    "src/tabkit/__init__.py": "",
    "src/tabkit/estimators.py": """
        from sklearn.linear_model import LogisticRegression

        def fit(x, y):
            return LogisticRegression().fit(x, y)
        """,
}


def test_a_published_library_is_not_asked_for_a_lock(lint, tmp_path):
    # A package with no model of its own keeps ranges for its users; a lock would not
    # reach them.
    _write(tmp_path, _LIBRARY)
    assert lint(tmp_path, "MD021") == []


def test_a_package_that_trains_a_model_of_its_own_is_asked_for_a_lock(lint, tmp_path):
    _write(
        tmp_path,
        {
            **_LIBRARY,
            "train.py": """
                from tabkit.estimators import fit

                if __name__ == "__main__":
                    fit(load_rows(), load_labels())
                """,
        },
    )
    assert lint(tmp_path, "MD021") == [("MD021", "missing-lock-file", "pyproject.toml", 4, 17)]
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", "train.py": ""})
    # with a manifest the project states it is an ML workload, whatever its code shows
    assert [row[2] for row in lint(tmp_path, "MD021")] == ["pyproject.toml"]


@pytest.mark.parametrize(
    "groups",
    [
        '[project.optional-dependencies]\ndocs = ["sphinx>=7", "torch"]\ntest = ["pytest>=8"]\n',
        '[dependency-groups]\ndev = ["ruff", "mypy>=1.10"]\nlint = ["pre-commit"]\n',
        '[tool.uv]\ndev-dependencies = ["pytest"]\n',
    ],
)
def test_ranges_in_groups_that_install_tooling_need_no_lock(lint, tmp_path, groups):
    pinned = '[project]\nname = "churn"\ndependencies = ["pandas==2.2.2", "xgboost==2.0.3"]\n'
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", "pyproject.toml": pinned + groups})
    assert lint(tmp_path, "MD021") == []


def test_a_development_group_that_leaves_a_framework_free_needs_a_lock(lint, tmp_path):
    _write(
        tmp_path,
        {
            "lens.toml": "schema_version = 1\n",
            "pyproject.toml": """
                [project]
                name = "churn"
                dependencies = ["pandas==2.2.2"]

                [dependency-groups]
                dev = ["pytest", "torch>=2.3"]
                """,
        },
    )
    assert lint.messages(tmp_path, "MD021") == [
        "`pyproject.toml` declares 3 dependencies but no lock pins them: add a lock file "
        "(`uv lock`, `poetry lock`, `pdm lock`) or a `pip-compile` output"
    ]


def test_missing_lock_file_names_the_tool_in_use(lint, tmp_path):
    _write(
        tmp_path,
        {
            "lens.toml": "schema_version = 1\n",
            "pyproject.toml": """
                [tool.poetry]
                name = "x"

                [tool.poetry.dependencies]
                python = "^3.10"
                torch = {version = "^2.2", source = "pytorch"}
                """,
            "requirements.in": "pandas>=2\n",
        },
    )
    assert lint.messages(tmp_path, "MD021") == [
        "`pyproject.toml` declares 1 dependency but no lock pins them: add `poetry.lock` "
        "(`poetry lock`)",
        "`requirements.in` declares 1 dependency but no lock pins them: add the compiled "
        "requirements file (`pip-compile`)",
    ]


# -- unsafe-model-deserialization ------------------------------------------------------------


def test_unsafe_model_deserialization_findings(lint):
    rows = lint("unsafe-model-deserialization", "MD022")
    assert [row[3] for row in rows if row[2] == "src/serve.py"] == [
        21,
        28,
        33,
        38,
        43,
        47,
        51,
        55,
        59,
        63,
    ]
    messages = lint.messages("unsafe-model-deserialization", "MD022")
    assert messages[0] == (
        "`joblib.load` unpickles what `huggingface_hub.hf_hub_download` downloaded (line 20): "
        "whoever controls it can run code here"
    )
    assert messages[1].startswith("`pickle.load` unpickles what `s3.download_file` downloaded")
    assert messages[5] == (
        "`torch.load` without `weights_only=True` unpickles what "
        "`huggingface_hub.hf_hub_download` downloaded (line 47) under the pinned torch 2.1.2, "
        "which runs any code the file holds (2.6 made weights-only the default)"
    )
    assert messages[9] == (
        "`transformers.AutoModelForCausalLM.from_pretrained(..., trust_remote_code=True)` "
        "runs the Python code that ships with `acme/llm-7b` from the hub"
    )


def test_unsafe_model_deserialization_quiet_on_its_traps(lint):
    # weights_only=True, the project's own pickle/joblib/checkpoint/npy, a config path,
    # trust_remote_code=False or a local model folder, a pickle of unknown origin, **kwargs
    lines = {
        row[3] for row in lint("unsafe-model-deserialization", "MD022") if row[2] == "src/serve.py"
    }
    assert lines.isdisjoint(range(70, 110))


def test_files_a_test_wrote_itself_are_its_own(lint):
    # tests/test_checkpoints.py: a checkpoint saved to tmp_path, one a Trainer wrote under
    # tmp_path, a NamedTemporaryFile, an in-memory buffer, an array saved then loaded, a
    # pickle dumped through a file object; a hub download into tmp_path and a path from
    # elsewhere are still reported.
    rows = lint("unsafe-model-deserialization", "MD022")
    assert [row[3:] for row in rows if row[2] == "tests/test_checkpoints.py"] == [
        (57, 12),
        (61, 12),
    ]


DOWNLOAD_AND_LOAD = (
    "import torch\nfrom huggingface_hub import hf_hub_download\n\n"
    "def load():\n    return torch.load(hf_hub_download('acme/m', 'model.pt'))\n"
)


def test_torch_load_without_a_known_torch_version_is_undecided(lint, tmp_path):
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", "load.py": DOWNLOAD_AND_LOAD})
    assert lint(tmp_path, "MD022") == []
    _write(tmp_path, {"requirements.txt": "torch==2.6.0\n"})
    assert lint(tmp_path, "MD022") == []
    _write(tmp_path, {"requirements.txt": "torch==2.5.1\n"})
    assert lint(tmp_path, "MD022") == [("MD022", "unsafe-model-deserialization", "load.py", 5, 12)]


def test_torch_load_of_a_path_passed_in_is_not_judged_by_the_torch_version(lint, tmp_path):
    # A checkpoint path handed to a loader is most often the project's own model.
    code = "import torch\n\ndef load(path):\n    return torch.load(path)\n"
    _write(tmp_path, {"load.py": code, "requirements.txt": "torch==2.0.0\n"})
    assert lint(tmp_path, "MD022") == []


def test_pinned_version_comes_from_locks_requirements_and_conda(tmp_path):
    _write(
        tmp_path,
        {
            "uv.lock": '[[package]]\nname = "Torch"\nversion = "2.4.0"\n',
            "requirements-gpu.txt": "torch==2.3.1\nnumpy>=1\n",
            "environment.yml": "dependencies:\n  - scipy=1.13.1\n",
        },
    )
    files = ("uv.lock", "requirements-gpu.txt", "environment.yml")
    ev = ProjectContext(Project(tmp_path, files), Stage.DEVELOPMENT, None).evidence
    assert pinned_version(ev, "torch") == Version("2.3.1")  # the lowest pin
    assert pinned_version(ev, "scipy") == Version("1.13.1")
    assert pinned_version(ev, "numpy") is None


# -- readers ---------------------------------------------------------------------------------


def test_requirements_reader_joins_continuations_and_reads_options():
    parsed = parse_requirements(
        "-r base.txt\n--constraint=c.txt\n-e git+https://x.org/r.git@v1.2#egg=r\n"
        "a==1 \\\n  --hash=sha256:00\nb @ https://x.org/b-1.0.tar.gz\nc; python_version<'3.12'\n"
    )
    assert [(i.kind, i.target, i.line) for i in parsed.includes] == [
        ("requirement", "base.txt", 1),
        ("constraint", "c.txt", 2),
    ]
    assert [(d.name, d.line, d.pinned, str(d.version)) for d in parsed.requirements] == [
        ("r", 3, True, "None"),
        ("a", 4, True, "1"),
        ("b", 6, True, "1.0"),
        ("c", 7, False, "None"),
    ]
    assert not parsed.fully_pinned


@pytest.mark.parametrize(
    ("line", "pinned"),
    [
        ("ruff~=0.4.6", True),
        ("types-PyYAML~=6.0.12.20240311", True),
        ("pydantic==2.7.*", True),
        ("pytest~=8.2", False),
        ("numpy==1.*", False),
        ("pandas>=2.2.2", False),
    ],
)
def test_a_pin_to_one_patch_series_is_a_pin(line, pinned):
    [requirement] = parse_requirements(line + "\n").requirements
    assert requirement.pinned is pinned
    assert requirement.version is None  # no one exact version for pinned_version


def test_requirements_reader_rejects_an_include_without_a_file():
    with pytest.raises(ParseError) as error:
        parse_requirements("numpy==1\n-r\n")
    assert (error.value.message, error.value.line) == ("has `-r` without a file name", 2)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab=<>.;#\\-r @:/\n 1[]\"'", max_size=60))
@example("1@//]")  # urlsplit's "Invalid IPv6 URL"
def test_requirements_reader_raises_nothing_but_parse_errors(text):
    with contextlib.suppress(ParseError):
        parse_requirements(text)


def test_pyproject_reader_covers_pep621_poetry_pdm_and_uv():
    declared = parse_pyproject(
        textwrap.dedent(
            """
            [project]
            dependencies = ["numpy==1.26.4", "pandas>=2"]
            [project.optional-dependencies]
            gpu = ["cupy"]
            [dependency-groups]
            test = ["pytest", {include-group = "lint"}]
            [tool.poetry.dependencies]
            python = "^3.10"
            torch = [{version = "2.1.0", markers = "sys_platform == 'linux'"}, {version = "2.1.0"}]
            lib = {path = "../lib", develop = true}
            tools = {git = "https://x.org/tools.git", branch = "main"}
            [tool.poetry.group.dev.dependencies]
            black = "24.4.2"
            [tool.pdm.dev-dependencies]
            docs = ["-e file:///${PROJECT_ROOT}/docs", "mkdocs>=1"]
            [tool.uv]
            dev-dependencies = ["ruff==0.4.4"]
            """
        )
    )
    assert declared.tool == "poetry"
    rows = [(d.name, d.line, d.pinned, d.local, d.group) for d in declared.dependencies]
    assert rows == [
        ("numpy", 3, True, False, ""),
        ("pandas", 3, False, False, ""),
        ("ruff", 18, True, False, "dev"),
        ("cupy", 5, False, False, "gpu"),
        ("pytest", 7, False, False, "test"),
        ("", 16, False, True, "docs"),
        ("mkdocs", 16, False, False, "docs"),
        ("python", 9, False, False, ""),
        ("torch", 10, True, False, ""),
        ("lib", 11, False, True, ""),
        ("tools", 12, False, False, ""),
        ("black", 14, True, False, "dev"),
    ]
    assert "python" not in {d.name for d in declared.third_party}


def test_setup_cfg_and_pipfile_readers():
    setup = parse_setup_cfg(
        "[options]\ninstall_requires =\n    numpy>=1  # arrays\n    pandas==2.2.2\n"
        "[options.extras_require]\ndev = pytest\n"
    )
    assert [(d.name, d.line, d.column, d.pinned) for d in setup.dependencies] == [
        ("numpy", 3, 5, False),
        ("pandas", 4, 5, True),
        ("pytest", 6, 7, False),
    ]
    pipfile = parse_pipfile('[packages]\nflask = "==3.0.3"\nrequests = {version = "*"}\n')
    assert [(d.name, d.line, d.pinned) for d in pipfile.dependencies] == [
        ("flask", 2, True),
        ("requests", 3, False),
    ]


@pytest.mark.parametrize(
    ("spec", "pinned"),
    [
        ("numpy=1.26.4", True),
        ("numpy==1.26", True),
        ("numpy=1.26.4=py311h0_0", True),
        ("conda-forge::numpy 1.26.4 py311h0_0", True),
        ("numpy=1.26", False),
        ("numpy=1.26.*", False),
        ("numpy>=1.26", False),
        ("numpy", False),
    ],
)
def test_conda_specs(spec, pinned):
    assert conda_spec(spec, 1, 1).pinned is pinned


def test_lock_readers():
    assert parse_toml_lock('[[package]]\nname = "A_B"\nversion = "1.0"\n') == {
        "a-b": Version("1.0")
    }
    assert parse_pipfile_lock('{"default": {"x": {"version": "==2.0"}}, "develop": {}}') == {
        "x": Version("2.0")
    }
    with pytest.raises(ParseError):
        parse_pipfile_lock("{")


def test_checkpoints_named_in_code_or_configured_by_arguments_are_the_projects_own(lint):
    # src/evaluate.py: os.path.join(run_dir, "best_model.pt"), args = parser.parse_args()
    paths = {path for _, _, path, *_ in lint("unsafe-model-deserialization", "MD022")}
    assert paths == {"src/serve.py", "tests/test_checkpoints.py"}


def test_a_torch_pin_applies_to_code_in_its_folder_and_below(lint, tmp_path):
    _write(
        tmp_path,
        {
            "lens.toml": "schema_version = 1\n",
            "load.py": DOWNLOAD_AND_LOAD,
            "scripts/legacy/requirements.txt": "torch==1.5.0\n",
            "scripts/legacy/run.py": DOWNLOAD_AND_LOAD,
        },
    )
    assert lint(tmp_path, "MD022") == [
        ("MD022", "unsafe-model-deserialization", "scripts/legacy/run.py", 5, 12)
    ]


def test_outside_tests_a_temporary_folder_excuses_only_what_was_saved_there(lint, tmp_path):
    code = (
        "import tempfile\nimport torch\n\n"
        "def reload(model, path):\n"
        "    scratch = tempfile.mkdtemp()\n"
        "    torch.save(model, scratch)\n"
        "    torch.load(scratch, weights_only=False)\n"
        "    return torch.load(path, weights_only=False)\n"
    )
    _write(tmp_path, {"serve.py": code})
    assert lint(tmp_path, "MD022") == [("MD022", "unsafe-model-deserialization", "serve.py", 8, 12)]
