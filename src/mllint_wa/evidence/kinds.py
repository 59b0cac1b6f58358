"""What kind of evidence a file is, decided by its path alone.

Kinds are plain strings so that plugins can add their own. A file can be of several kinds
(``.github/workflows/ci.yml`` is ``ci`` and ``yaml``). Installed, generated and templated paths
are of no kind: they are not the project's own evidence. Copies of someone else's package
that only the file list and a few small files can tell are left out by the evidence layer
(:mod:`mllint_wa.evidence.vendoring`).
"""

from __future__ import annotations

import fnmatch
import functools
import re

PYTHON = "python"
NOTEBOOK = "notebook"
REQUIREMENTS = "requirements"
PYPROJECT = "pyproject"
SETUP_CFG = "setup-cfg"
PIPFILE = "pipfile"
CONDA_ENV = "conda-env"
LOCK = "lock"
DOCKERFILE = "dockerfile"
CI = "ci"
PRE_COMMIT = "pre-commit"
DVC = "dvc"
GITATTRIBUTES = "gitattributes"
MLPROJECT = "mlproject"
PARAMS = "params"
MARKDOWN = "markdown"
YAML = "yaml"
JSON = "json"
TOML = "toml"
INI = "ini"
DOTENV = "dotenv"
TERRAFORM = "terraform"
TYPESCRIPT = "typescript"
# CloudFormation's own extension, YAML or JSON inside; .yaml/.json templates are yaml/json.
CLOUDFORMATION = "cloudformation"
SHELL = "shell"
DATA = "data"
MODEL = "model"

# Folders that are, by their name, an installation of other people's packages (``pip install``
# writes to site-packages; .dist-info and .egg-info folders are package metadata), or a tool's
# output at any depth: the templates CDK and SAM generate from the app or template that the
# project keeps (cdk.out, .aws-sam) and the modules and providers Terraform downloads
# (.terraform). Folders such as vendor/ or third_party/ are not among them: a project keeps
# its own files there too, and only evidence of a copy makes one vendored.
_INSTALLED_OR_GENERATED_DIRS = frozenset(
    {"site-packages", "dist-packages", "cdk.out", ".aws-sam", ".terraform"}
)
_METADATA_SUFFIXES = (".dist-info", ".egg-info")
# What setuptools writes below build/: build/lib, build/lib.linux-x86_64-cpython-312,
# build/bdist.linux-x86_64, build/temp.…, build/scripts-3.12. Any other build/ folder is the
# project's own (build scripts, a seed-code template's build project).
_BUILD_OUTPUT = re.compile(r"(?:lib|(?:lib|bdist|temp)\.[^/]+|scripts-[0-9.]+)")
# Jinja / cookiecutter placeholders: a templated path is not evidence of its format.
_TEMPLATE_MARKS = ("{{", "{%", "}}", "%}")

MODEL_SUFFIXES = frozenset(
    {
        ".pkl",
        ".pickle",
        ".joblib",
        ".dill",
        ".pt",
        ".pth",
        ".ckpt",
        ".bin",
        ".safetensors",
        ".onnx",
        ".h5",
        ".hdf5",
        ".keras",
        ".pb",
        ".tflite",
        ".mlmodel",
        ".model",
        ".gguf",
        ".npy",
        ".npz",
    }
)
DATA_SUFFIXES = frozenset(
    {
        ".csv",
        ".tsv",
        ".parquet",
        ".feather",
        ".arrow",
        ".orc",
        ".avro",
        ".jsonl",
        ".ndjson",
        ".xlsx",
        ".xls",
        ".sqlite",
        ".db",
        ".tfrecord",
        ".zip",
        ".gz",
        ".tar",
        ".7z",
    }
)

# (kind, glob on the file name) — the name, not the path, unless the glob holds a "/".
_BY_NAME: tuple[tuple[str, str], ...] = (
    (PYTHON, "*.py"),
    (NOTEBOOK, "*.ipynb"),
    (REQUIREMENTS, "requirements*.txt"),
    (REQUIREMENTS, "*requirements.txt"),
    (REQUIREMENTS, "*-requirements*.txt"),
    (REQUIREMENTS, "requirements*.in"),
    (REQUIREMENTS, "constraints*.txt"),
    (REQUIREMENTS, "requirements/*.txt"),
    (REQUIREMENTS, "requirements/*.in"),
    (PYPROJECT, "pyproject.toml"),
    (SETUP_CFG, "setup.cfg"),
    (PIPFILE, "Pipfile"),
    (CONDA_ENV, "environment*.yml"),
    (CONDA_ENV, "environment*.yaml"),
    (CONDA_ENV, "conda*.yml"),
    (CONDA_ENV, "conda*.yaml"),
    (LOCK, "poetry.lock"),
    (LOCK, "uv.lock"),
    (LOCK, "pdm.lock"),
    (LOCK, "Pipfile.lock"),
    (LOCK, "pylock.toml"),
    (LOCK, "pylock.*.toml"),
    (LOCK, "conda-lock.yml"),
    (LOCK, "conda-lock.yaml"),
    (LOCK, "*.conda-lock.yml"),
    (DOCKERFILE, "Dockerfile"),
    (DOCKERFILE, "Dockerfile.*"),
    (DOCKERFILE, "*.Dockerfile"),
    (DOCKERFILE, "*.dockerfile"),
    (DOCKERFILE, "Containerfile"),
    (DOCKERFILE, "Containerfile.*"),
    (CI, ".github/workflows/*.yml"),
    (CI, ".github/workflows/*.yaml"),
    (CI, ".gitlab-ci.yml"),
    (CI, "buildspec*.yml"),
    (CI, "buildspec*.yaml"),
    (CI, "azure-pipelines*.yml"),
    (CI, "azure-pipelines*.yaml"),
    (CI, "Jenkinsfile"),
    (CI, ".circleci/config.yml"),
    (CI, "bitbucket-pipelines.yml"),
    (PRE_COMMIT, ".pre-commit-config.yaml"),
    (DVC, "dvc.yaml"),
    (DVC, "dvc.lock"),
    (DVC, "*.dvc"),
    (DVC, ".dvc/config"),
    (GITATTRIBUTES, ".gitattributes"),
    (MLPROJECT, "MLproject"),
    (PARAMS, "params.yaml"),
    (PARAMS, "params.yml"),
    (MARKDOWN, "*.md"),
    (MARKDOWN, "*.markdown"),
    (YAML, "*.yml"),
    (YAML, "*.yaml"),
    (JSON, "*.json"),
    (TOML, "*.toml"),
    (INI, "*.ini"),
    (INI, "*.cfg"),
    (INI, "*.conf"),
    (INI, "*.properties"),
    (DOTENV, ".env"),
    (DOTENV, ".env.*"),
    (DOTENV, "*.env"),
    (TERRAFORM, "*.tf"),
    (TYPESCRIPT, "*.ts"),
    (CLOUDFORMATION, "*.template"),
    (SHELL, "*.sh"),
)


def _split_globs() -> tuple[
    dict[str, frozenset[str]], dict[str, frozenset[str]], tuple[tuple[str, re.Pattern[str]], ...]
]:
    """The name globs split by what they test, so that most names are decided by two
    dictionary look-ups: exact names, plain ``*.suffix`` globs, and the rest as regexes."""
    exact: dict[str, set[str]] = {}
    suffixes: dict[str, set[str]] = {}
    other: list[tuple[str, re.Pattern[str]]] = []
    for kind, glob in _BY_NAME:
        if "/" in glob:
            continue
        if not any(mark in glob for mark in "*?["):
            exact.setdefault(glob, set()).add(kind)
        elif glob.startswith("*.") and not any(mark in glob[2:] for mark in "*?[."):
            suffixes.setdefault(glob[1:], set()).add(kind)
        else:
            other.append((kind, re.compile(fnmatch.translate(glob))))
    return (
        {name: frozenset(found) for name, found in exact.items()},
        {suffix: frozenset(found) for suffix, found in suffixes.items()},
        tuple(other),
    )


_EXACT, _SUFFIXES, _OTHER_GLOBS = _split_globs()
# Whether any of the other globs matches a name: one regex call that rules out almost every
# name, instead of one call a glob. Each alternative is a glob's own translation, anchored
# at both ends, so the alternation backtracks no more than the globs one by one.
_ANY_OTHER_GLOB = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in _OTHER_GLOBS))
_PATH_GLOBS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, glob.rsplit("/", 1)[0], re.compile(fnmatch.translate(glob.rsplit("/", 1)[1])))
    for kind, glob in _BY_NAME
    if "/" in glob
)
# The last folder name of each path glob: a file in a folder of any other name matches none.
_PATH_GLOB_FOLDERS = frozenset(parent.rpartition("/")[2] for _, parent, _ in _PATH_GLOBS)


def is_installed_or_generated(path: str) -> bool:
    """Whether a project-relative path lies, by its folders' names alone, in installed
    packages, package metadata, a setuptools build output or a tool's generated output."""
    return _installed_or_generated_folder(path.rpartition("/")[0])


@functools.lru_cache(maxsize=16384)
def _installed_or_generated_folder(folder: str) -> bool:
    """:func:`is_installed_or_generated` of the files in ``folder``: decided once a folder,
    since a project has far fewer folders than files."""
    folders = folder.split("/") if folder else []
    for index, name in enumerate(folders):
        if name in _INSTALLED_OR_GENERATED_DIRS or name.endswith(_METADATA_SUFFIXES):
            return True
        below = folders[index + 1] if index + 1 < len(folders) else ""
        if name == "build" and _BUILD_OUTPUT.fullmatch(below):
            return True
    return False


def is_templated_path(path: str) -> bool:
    # Most paths hold no brace at all: one test each, before the four marks.
    return ("{" in path or "}" in path) and any(mark in path for mark in _TEMPLATE_MARKS)


@functools.lru_cache(maxsize=65536)
def kinds_of(path: str) -> frozenset[str]:
    """The kinds of a project-relative ``/``-separated path; empty for what is not evidence."""
    if is_installed_or_generated(path) or is_templated_path(path):
        return frozenset()
    folder, _, name = path.rpartition("/")
    found = set(_EXACT.get(name, ()))
    dot = name.rfind(".")
    if dot >= 0:
        found.update(_SUFFIXES.get(name[dot:], ()))
    if _ANY_OTHER_GLOB.match(name):
        found.update(kind for kind, pattern in _OTHER_GLOBS if pattern.match(name))
    if folder.rpartition("/")[2] in _PATH_GLOB_FOLDERS:
        for kind, parent, pattern in _PATH_GLOBS:
            if (folder == parent or folder.endswith("/" + parent)) and pattern.match(name):
                found.add(kind)
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix in MODEL_SUFFIXES:
        found.add(MODEL)
    elif suffix in DATA_SUFFIXES:
        found.add(DATA)
    return frozenset(found)
