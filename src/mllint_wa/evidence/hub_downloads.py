"""Where the project downloads models and datasets from the Hugging Face Hub, and at which
revision.

Read from Python code and notebooks (test code aside):

- ``from_pretrained`` of a class imported from ``transformers`` or ``diffusers`` (the
  ``Auto*`` classes, models, tokenizers, processors, pipelines), with the repository as its
  first argument or ``pretrained_model_name_or_path=``;
- ``transformers.pipeline(task, model=…)``;
- ``sentence_transformers.SentenceTransformer(…)`` and ``CrossEncoder(…)``;
- ``huggingface_hub.hf_hub_download(repo_id, …)`` and ``snapshot_download(repo_id, …)``;
- ``datasets.load_dataset(path, …)``.

Their ``revision=`` and ``trust_remote_code=`` are read too. Values are followed through
names as :mod:`mllint_wa.evidence.python_values` follows them; a call that passes
``**kwargs`` or ``*args`` may pass a revision, so it is not read.

Read from configuration files (YAML and JSON, test files aside), by the keys the tools that
read them download by:

- argument files of the Hugging Face example scripts and TRL (a mapping with
  ``model_name_or_path``), pinned by ``model_revision`` or ``revision``, running remote code
  with ``trust_remote_code: true``;
- lm-evaluation-harness task configs (a mapping with ``task`` and ``dataset_path``), pinned
  by ``dataset_kwargs.revision``, running remote code with
  ``dataset_kwargs.trust_remote_code: true``.

A repository is a Hub id when it is written ``owner/name`` (letters, digits, ``-``, ``_``,
``.``; no file suffix such as ``.json``) and is not a local folder: not a path that starts
with ``.``, ``/`` or ``~``, not under a folder of the project (beside the file or at its
root), and not under a folder the same file writes to (``output_dir=``,
``save_pretrained(…)``, ``save_model(…)``, ``save_to_disk(…)``, ``local_dir=``,
``os.makedirs(…)``); and it is not the project's own Hub repository, one the same file
pushes to (``create_repo``, ``upload_file``, ``upload_folder``, ``push_to_hub``,
``hub_model_id=``) and reads back. A bare name (``bert-base-uncased``) cannot be told
from a folder and is not read. A revision of 7 to 40 hexadecimal digits names a commit and
pins; a branch or tag (``main``, ``v1.0``) can move.
"""

from __future__ import annotations

import ast
import functools
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import is_test_path, modules
from mllint_wa.evidence.kinds import JSON, YAML
from mllint_wa.evidence.python_values import Values
from mllint_wa.parsers.json_positions import JsonDocument, load_json
from mllint_wa.parsers.python_code import PythonModule, has_star_kwargs
from mllint_wa.parsers.yaml_doc import load_yaml, value_position
from mllint_wa.records import dataclass

_HUB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
_COMMIT = re.compile(r"[0-9a-fA-F]{7,40}")
_FILE_SUFFIXES = (
    ".json", ".bin", ".pt", ".pth", ".ckpt", ".safetensors", ".csv", ".tsv", ".txt", ".py",
    ".yaml", ".yml", ".jsonl", ".parquet", ".h5", ".onnx", ".zip", ".gz", ".tar", ".pkl",
    ".model", ".arrow", ".gguf", ".msgpack",
)  # fmt: skip
_FROM_PRETRAINED_PACKAGES = frozenset({"transformers", "diffusers"})
# Callee → (keyword, position) of the argument that names the repository.
_DOWNLOADERS: dict[str, tuple[str, int]] = {
    "transformers.pipeline": ("model", 1),
    "sentence_transformers.SentenceTransformer": ("model_name_or_path", 0),
    "sentence_transformers.CrossEncoder": ("model_name_or_path", 0),
    "sentence_transformers.cross_encoder.CrossEncoder": ("model_name_or_path", 0),
    "huggingface_hub.hf_hub_download": ("repo_id", 0),
    "huggingface_hub.snapshot_download": ("repo_id", 0),
    "datasets.load_dataset": ("path", 0),
}
_FROM_PRETRAINED = ("pretrained_model_name_or_path", 0)
_PYTHON_NEEDLES = (
    b"from_pretrained",
    b"pipeline",
    b"SentenceTransformer",
    b"CrossEncoder",
    b"hf_hub_download",
    b"snapshot_download",
    b"load_dataset",
)
# Calls and keywords that write to a folder: a repository under it is a local checkpoint.
_FOLDER_WRITERS = frozenset({"save_pretrained", "save_model", "save_to_disk", "makedirs", "mkdir"})
_FOLDER_KEYWORDS = frozenset({"output_dir", "save_directory", "local_dir", "logging_dir"})
# Calls and keywords that push to a Hub repository: one the project writes and reads back.
_HUB_WRITERS = frozenset({"create_repo", "upload_file", "upload_folder", "push_to_hub"})
_HUB_KEYWORDS = frozenset({"hub_model_id"})

_MODEL_KEY = "model_name_or_path"
_MODEL_PINS = ("model_revision", "revision")
_TASK_KEYS = ("task", "dataset_path")
_CONFIG_NEEDLES = (_MODEL_KEY.encode(), b"trust_remote_code")


@dataclass(frozen=True)
class HubDownload:
    """A download from the Hub: where it is written, how (``AutoModel.from_pretrained``,
    ``model_name_or_path``), the repository, the revision when one is given that does not
    pin (a branch or tag), and whether it runs the repository's code."""

    path: str
    line: int
    column: int
    how: str
    repository: str
    revision: str | None
    remote_code: bool


def hub_downloads(ev: Evidence) -> tuple[HubDownload, ...]:
    """Every download of a Hub repository without a pinned revision, in file order."""

    def compute() -> tuple[HubDownload, ...]:
        found = [
            d for path, module in modules(ev, *_PYTHON_NEEDLES) for d in _python(ev, path, module)
        ]
        found += _configs(ev)
        return tuple(sorted(found, key=lambda d: (d.path, d.line, d.column)))

    return ev.memo(hub_downloads, compute)


# Python ------------------------------------------------------------------------------------


def _python(ev: Evidence, path: str, module: PythonModule) -> Iterator[HubDownload]:
    values: Values | None = None
    written: frozenset[str] | None = None
    for name, call in module.calls():
        argument = _repository_argument(name, call)
        if argument is None or has_star_kwargs(call):
            continue
        values = values or Values(module)
        repository = values.value(argument).value
        if not isinstance(repository, str) or not _looks_like_hub_id(repository):
            continue
        written = _written_folders(module, values) if written is None else written
        if _local(ev, path, repository, written):
            continue
        revision = _keyword_value(values, call, "revision")
        if revision is ... or (isinstance(revision, str) and _COMMIT.fullmatch(revision)):
            continue  # a revision this reading cannot know, or a commit
        remote = _keyword_value(values, call, "trust_remote_code") is True
        line, column = module.position(call)
        yield HubDownload(
            path,
            line,
            column,
            _shown(name),
            repository,
            revision if isinstance(revision, str) else None,
            remote,
        )


def _repository_argument(name: str, call: ast.Call) -> ast.expr | None:
    """The argument naming the repository when ``name`` is a Hub download, else None."""
    if name.endswith(".from_pretrained") and name.split(".")[0] in _FROM_PRETRAINED_PACKAGES:
        keyword, position = _FROM_PRETRAINED
    elif name in _DOWNLOADERS:
        keyword, position = _DOWNLOADERS[name]
    else:
        return None
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return call.args[position] if position < len(call.args) else None


def _keyword_value(values: Values, call: ast.Call, keyword: str) -> object:
    """The known value passed as ``keyword`` (None when it is not passed); ``...`` when it
    cannot be known."""
    for item in call.keywords:
        if item.arg == keyword:
            found = values.value(item.value)
            return found.value if found.known and not isinstance(found.value, ast.Call) else ...
    return None


def _shown(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[-2:]) if parts[-1] == "from_pretrained" else parts[-1]


def _written_folders(module: PythonModule, values: Values) -> frozenset[str]:
    """Folders and Hub repositories the module writes models or data to, as written."""
    found: set[str] = set()
    for name, call in module.calls():
        method = name.rpartition(".")[2]
        keywords = _FOLDER_KEYWORDS | _HUB_KEYWORDS
        if method in _HUB_WRITERS:
            keywords = keywords | {"repo_id"}
        candidates = [item.value for item in call.keywords if item.arg in keywords]
        if (method in _FOLDER_WRITERS or method in _HUB_WRITERS) and call.args:
            candidates.append(call.args[0])
        for node in candidates:
            value = values.value(node).value
            if isinstance(value, str) and value.strip("./"):
                found.add(_normal(value))
    return frozenset(found)


# Configuration files -----------------------------------------------------------------------


def _configs(ev: Evidence) -> list[HubDownload]:
    found: list[HubDownload] = []
    for path in ev.files(YAML):
        # Jinja in a value (a task's prompt template) leaves the keys readable: a file that
        # parses is read, one that does not is a template, silent.
        if is_test_path(path) or not ev.mentions(path, *_CONFIG_NEEDLES):
            continue
        for document in ev.parse(path, load_yaml) or ():
            if isinstance(document, Mapping):
                found += _config(ev, path, document, functools.partial(value_position, document))
    for path in ev.files(JSON):
        if is_test_path(path) or not ev.mentions(path, *_CONFIG_NEEDLES):
            continue
        parsed = ev.parse(path, load_json)
        if parsed is not None and isinstance(parsed.value, dict):
            found += _config(ev, path, parsed.value, functools.partial(_json_position, parsed))
    return found


def _json_position(document: JsonDocument, key: str) -> tuple[int, int]:
    return document.position((key,))


def _config(
    ev: Evidence,
    path: str,
    document: Mapping[str, Any],
    where: Callable[[str], tuple[int, int]],
) -> list[HubDownload]:
    model = document.get(_MODEL_KEY)
    if isinstance(model, str):
        revision = next((document[k] for k in _MODEL_PINS if k in document), None)
        remote = document.get("trust_remote_code") is True
        return _config_download(ev, path, where(_MODEL_KEY), _MODEL_KEY, model, revision, remote)
    dataset = document.get("dataset_path")
    kwargs = document.get("dataset_kwargs")
    if all(key in document for key in _TASK_KEYS) and isinstance(dataset, str):
        kwargs = kwargs if isinstance(kwargs, Mapping) else {}
        if kwargs.get("trust_remote_code") is True:
            revision = kwargs.get("revision")
            return _config_download(
                ev, path, where("dataset_path"), "dataset_path", dataset, revision, True
            )
    return []


def _config_download(
    ev: Evidence,
    path: str,
    position: tuple[int, int],
    key: str,
    repository: str,
    revision: object,
    remote: bool,
) -> list[HubDownload]:
    if not _looks_like_hub_id(repository) or _local(ev, path, repository, frozenset()):
        return []
    if revision is not None and not isinstance(revision, str):
        return []  # not a revision anyone could pass
    if isinstance(revision, str) and _COMMIT.fullmatch(revision):
        return []
    line, column = position
    return [HubDownload(path, line, column, key, repository, revision, remote)]


# Repository ids ----------------------------------------------------------------------------


def _looks_like_hub_id(text: str) -> bool:
    return (
        _HUB_ID.fullmatch(text) is not None
        and ".." not in text
        and not text.lower().endswith(_FILE_SUFFIXES)
    )


def _normal(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/")


def _local(ev: Evidence, path: str, repository: str, written: frozenset[str]) -> bool:
    """Whether ``owner/name`` is a folder of the project or one the same file writes to."""
    owner = repository.partition("/")[0]
    beside = posixpath.dirname(path)
    if any(ev.exists(posixpath.join(folder, owner)) for folder in {beside, ""}):
        return True
    return any(repository == folder or repository.startswith(folder + "/") for folder in written)
