"""Vendored code is decided by evidence of a copy, not by a folder's name: a project's own
files in vendor/, third_party/ or build/ are read; an installation beside its metadata and a
released copy of a declared dependency are not."""

from __future__ import annotations

from pathlib import Path

from mllint_wa.evidence import Evidence
from trees import write_tree

RECORD = """\
requests/__init__.py,sha256=abc,4000
requests/api.py,sha256=def,6000
requests-2.26.0.dist-info/METADATA,sha256=ghi,4700
requests-2.26.0.dist-info/RECORD,,
../../bin/normalizer,sha256=jkl,200
"""


def _evidence(root: Path, files: dict[str, str]) -> Evidence:
    write_tree(root, files)
    return Evidence(root, tuple(sorted(files)))


def test_a_projects_own_files_in_vendor_third_party_and_build_folders_are_read(tmp_path):
    ev = _evidence(
        tmp_path,
        {
            "third_party/minio/Dockerfile": "FROM alpine\n",
            "vendor/scripts/fetch.py": "import os\n",
            "seedcode/build/pipelines/pipeline.py": "import os\n",
            "build/lib/pipelines/pipeline.py": "import os\n",
        },
    )
    assert ev.files("dockerfile") == ("third_party/minio/Dockerfile",)
    assert ev.files("python") == ("seedcode/build/pipelines/pipeline.py", "vendor/scripts/fetch.py")


def test_packages_a_dist_info_record_lists_are_vendored_and_their_neighbours_are_not(tmp_path):
    ev = _evidence(
        tmp_path,
        {
            "lambda/requests-2.26.0.dist-info/RECORD": RECORD,
            "lambda/requests/__init__.py": "__version__ = '2.26.0'\n",
            "lambda/requests/api.py": "import pickle\n",
            "lambda/lambda_function.py": "import requests\n",
            "lambda/tests/test_handler.py": "import lambda_function\n",
        },
    )
    assert ev.files("python") == ("lambda/lambda_function.py", "lambda/tests/test_handler.py")
    assert ev.is_vendored("lambda/requests/api.py")
    assert not ev.is_vendored("lambda/lambda_function.py")


def test_an_egg_info_beside_the_projects_own_package_does_not_make_it_vendored(tmp_path):
    ev = _evidence(
        tmp_path,
        {
            "src/churn.egg-info/top_level.txt": "churn\n",
            "src/churn/__init__.py": "__version__ = '1.0'\n",
            "src/churn/train.py": "import os\n",
        },
    )
    assert ev.files("python") == ("src/churn/__init__.py", "src/churn/train.py")


def test_a_released_copy_of_a_declared_dependency_is_vendored(tmp_path):
    ev = _evidence(
        tmp_path,
        {
            "examples/rl/pyproject.toml": """
                [project]
                name = "rl-on-sagemaker"
                dependencies = ["verl>=0.3"]
            """,
            "examples/rl/scripts/verl/__init__.py": "__version__ = '0.1'\n",
            "examples/rl/scripts/verl/trainer/main.py": "import torch\n",
            "examples/rl/scripts/verl/third_party/vllm/__init__.py": "",
            "examples/rl/scripts/train.py": "import verl\n",
            # Another example keeps its own copy without declaring it: the project does.
            "examples/sft/verl/__init__.py": "__version__ = '0.1'\n",
            "examples/sft/verl/utils.py": "import os\n",
        },
    )
    assert ev.files("python") == ("examples/rl/scripts/train.py",)


def test_the_projects_own_package_stays_its_own_when_it_is_also_declared(tmp_path):
    # The examples install the library from PyPI, and it defines a __version__: the
    # pyproject.toml above it builds it, so it is the project's.
    ev = _evidence(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "skorchlike"\ndependencies = ["torch"]\n',
            "skorchlike/__init__.py": "__version__ = '1.0'\n",
            "examples/optuna/requirements.txt": "skorchlike\noptuna\n",
            "examples/optuna/run.py": "import skorchlike\n",
        },
    )
    assert ev.files("python") == ("examples/optuna/run.py", "skorchlike/__init__.py")


def test_a_package_named_as_a_dependency_without_a_version_or_under_an_unread_setup_is_own(
    tmp_path,
):
    ev = _evidence(
        tmp_path,
        {
            "requirements.txt": "datasets==2.19.0\ntransformers==4.44.0\n",
            # The project's own data code happens to share a dependency's name.
            "datasets/__init__.py": "from .loaders import load\n",
            # A setup.py whose name is not a literal may build anything below it.
            "lib/setup.py": "import setuptools\nsetuptools.setup(name=NAME)\n",
            "lib/transformers/__init__.py": "__version__ = '0.0.1'\n",
        },
    )
    assert ev.files("python") == (
        "datasets/__init__.py",
        "lib/setup.py",
        "lib/transformers/__init__.py",
    )


def test_a_setup_py_naming_the_package_or_a_setup_cfg_makes_it_own(tmp_path):
    ev = _evidence(
        tmp_path,
        {
            "requirements.txt": "tokenizers\nevaluate\n",
            "a/setup.py": "from setuptools import setup\nsetup(name='tokenizers')\n",
            "a/tokenizers/__init__.py": "__version__ = '0.1'\n",
            "b/setup.cfg": "[metadata]\nname = evaluate\n",
            "b/src/evaluate/__init__.py": "__version__ = '0.1'\n",
        },
    )
    assert ev.files("python") == (
        "a/setup.py",
        "a/tokenizers/__init__.py",
        "b/src/evaluate/__init__.py",
    )


def test_rules_read_a_projects_own_dockerfile_under_third_party_and_skip_a_copys(lint, tmp_path):
    repo = write_tree(
        tmp_path,
        {
            "third_party/minio/Dockerfile": "FROM alpine\nUSER 1000\n",
            "requirements.txt": "verl==0.3.0\n",
            "scripts/verl/__init__.py": "__version__ = '0.3.0'\n",
            "scripts/verl/docker/Dockerfile": "FROM ubuntu\nUSER 1000\n",
        },
    )
    assert lint(repo, "MD030") == [
        ("MD030", "mutable-image-tag", "third_party/minio/Dockerfile", 1, 6)
    ]
