"""What the project's Python code does with data: where it reads data sets from, and which
data-related libraries it imports (validation, versioning), found once per run.

A read is a call to a known reading function (``pandas.read_csv``, ``polars.scan_parquet``,
``datasets.load_dataset``, boto3's ``get_object`` …) as resolved through the module's
imports; its location is known only when it is a literal. Notebooks are not read here.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.kinds import (
    DATA_SUFFIXES,
    DVC,
    MLPROJECT,
    MODEL_SUFFIXES,
    PARAMS,
    PYTHON,
    YAML,
)
from mllint_wa.parsers.dvc import parse_dvc_pipeline
from mllint_wa.parsers.ml_config import parse_config, parse_mlproject
from mllint_wa.parsers.python_code import (
    PythonModule,
    has_star_kwargs,
    keyword,
    literal,
    parse_python,
)
from mllint_wa.records import dataclass

_PANDAS_READERS = (
    "read_csv",
    "read_parquet",
    "read_json",
    "read_excel",
    "read_feather",
    "read_table",
    "read_orc",
    "read_hdf",
    "read_fwf",
    "read_sas",
    "read_stata",
    "read_spss",
    "read_xml",
    "read_pickle",
    "read_sql",
    "read_sql_table",
    "read_sql_query",
)
_POLARS_READERS = (
    "read_csv",
    "read_parquet",
    "read_json",
    "read_ndjson",
    "read_ipc",
    "read_excel",
    "read_avro",
    "read_database",
    "scan_csv",
    "scan_parquet",
    "scan_ndjson",
    "scan_ipc",
    "scan_delta",
    "read_delta",
)
READERS: frozenset[str] = frozenset(
    [
        f"{package}.{name}"
        for package in ("pandas", "modin.pandas", "cudf")
        for name in _PANDAS_READERS
    ]
    + [f"polars.{name}" for name in _POLARS_READERS]
    + [f"dask.dataframe.{name}" for name in ("read_csv", "read_parquet", "read_json", "read_table")]
    + [f"ray.data.{name}" for name in ("read_csv", "read_parquet", "read_json", "read_images")]
    + [f"awswrangler.s3.{name}" for name in ("read_csv", "read_parquet", "read_json", "read_excel")]
    + [
        "pyarrow.parquet.read_table",
        "pyarrow.parquet.ParquetDataset",
        "pyarrow.csv.read_csv",
        "pyarrow.dataset.dataset",
        "numpy.loadtxt",
        "numpy.genfromtxt",
        "datasets.load_dataset",
        "tensorflow_datasets.load",
    ]
)
# boto3 clients and resources are variables, so their calls are matched by method name in
# modules that import boto3.
_S3_DOWNLOADS = frozenset({"get_object", "download_file", "download_fileobj"})
# The byte needles that decide whether a module is parsed at all.
NEEDLES = (
    b"read_",
    b"ray.data",
    b"scan_",
    b"load_dataset",
    b"loadtxt",
    b"genfromtxt",
    b"tensorflow_datasets",
    b"ParquetDataset",
    b"pyarrow",
    b"boto3",
    b"lakefs",
    b"delta",
    b"dvc",
    b"iceberg",
    b"expectations",
    b"pandera",
    b"data_validation",
    b"deequ",
    b"deepchecks",
    b"whylogs",
    b"evidently",
    b"pydantic",
    b"jsonschema",
    b"cerberus",
    b"marshmallow",
    b"voluptuous",
    b"frictionless",
    b"soda",
    b"profiling",
    b"model_monitor",
)
_REMOTE_SCHEMES = frozenset(
    (
        "s3",
        "s3a",
        "s3n",
        "gs",
        "gcs",
        "az",
        "abfs",
        "abfss",
        "wasb",
        "wasbs",
        "adl",
        "hdfs",
        "http",
        "https",
        "ftp",
        "hf",
    )
)
# Hugging Face builders that read files named in data_files instead of a hub data set.
_FILE_BUILDERS = frozenset(
    {
        "csv",
        "json",
        "parquet",
        "text",
        "arrow",
        "pandas",
        "imagefolder",
        "audiofolder",
        "webdataset",
    }
)
# Object stores whose URIs in configuration name data; web URLs count only for data files.
_STORE_SCHEMES = _REMOTE_SCHEMES - {"http", "https", "ftp"}
# Keys naming where results go or services live, not data that is read.
_OUTPUT_WORDS = (
    "model",
    "output",
    "artifact",
    "checkpoint",
    "log",
    "tracking",
    "registry",
    "endpoint",
    "image",
    "code",
    "dest",
    "save",
    "export",
    "bucket_prefix",
)
_TEST_FOLDERS = frozenset({"tests", "test", "testing"})
# Methods that write a table to the path given first: what the project writes, it reads
# back as an intermediate.
_WRITERS = frozenset(
    {
        "to_csv",
        "to_parquet",
        "to_json",
        "to_feather",
        "to_excel",
        "to_pickle",
        "to_hdf",
        "to_orc",
        "write_csv",
        "write_parquet",
        "write_json",
        "write_ndjson",
        "write_ipc",
        "sink_csv",
        "sink_parquet",
        "save_to_disk",
    }
)
# Folders that, by the common project layouts, hold data the project derived itself.
_INTERMEDIATE_FOLDERS = frozenset(
    {"interim", "intermediate", "processed", "prepared", "features", "staging", "derived"}
)
_CONFIG_FOLDERS = frozenset({"conf", "configs", "config"})
_PATH_KEYWORDS = ("filepath_or_buffer", "path", "source", "path_or_buf", "io", "fname", "file")


@dataclass(frozen=True)
class DataRead:
    """One call that reads a data set.

    ``kind`` is ``remote`` (an object store or URL), ``hub`` (a named data set on the
    Hugging Face Hub or TFDS), ``local`` (a path) or ``unknown`` (not a literal).
    ``versioned`` says whether the call pins a version (``revision=``, ``VersionId=``,
    ``version_id=``, a ``name:version`` TFDS name, a ``lakefs://`` ref); None when the
    arguments cannot be known (``**kwargs``).
    """

    path: str
    line: int
    column: int
    function: str
    location: str | None
    kind: str
    versioned: bool | None
    # "code" for a call; "config" for a location named in params.yaml, MLproject or Hydra
    # configs, where ``function`` is the key path.
    source: str = "code"

    @property
    def of_data_set(self) -> bool:
        """Whether the call is known to read a data set: a reading function's, or a
        download of an object named like a data file."""
        if self.function in READERS:
            return True
        name = (self.location or "").rpartition("/")[2].lower()
        return name.endswith(tuple(DATA_SUFFIXES))

    def describe(self) -> str:
        if self.source == "config":
            return f"`{self.path}` key `{self.function}` names `{self.location}`"
        return f"`{self.function}` reads `{self.location}`"


@dataclass(frozen=True)
class DataCode:
    reads: tuple[DataRead, ...]
    # Top-level module imported → the first file (in path order) that imports it.
    imports: Mapping[str, str]
    # Project paths (normalised) that code writes tables to or DVC stages output.
    written: frozenset[str] = frozenset()

    def is_intermediate(self, read: DataRead) -> bool:
        """Whether a read takes data the project made itself: a path its code writes or a
        DVC stage outputs (or a file inside such a folder), or a path in an ``interim``,
        ``processed``, ``features`` … folder."""
        if read.kind != "local" or read.location is None:
            return False
        parts = read.location.replace("\\", "/").split("/")
        if any(part in _INTERMEDIATE_FOLDERS for part in parts[:-1]):
            return True
        candidates = set(_project_paths(read.path, read.location))
        return any(
            "/".join(path.split("/")[:n]) in self.written
            for path in candidates
            for n in range(1, path.count("/") + 2)
        )

    def raw_first(self) -> tuple[DataRead, ...]:
        """The reads of code: first those of a table from outside the project by a reading
        function (``pandas.read_csv("s3://…")``), then downloads and reads whose location
        is not known, then those of the project's intermediates."""

        def rank(read: DataRead) -> int:
            if self.is_intermediate(read):
                return 2
            return 0 if read.location is not None and read.function in READERS else 1

        return tuple(sorted((read for read in self.reads if read.source == "code"), key=rank))


def data_code(ev: Evidence) -> DataCode:
    """The project's data reads and imports, computed once per run."""
    return ev.memo(_DATA_CODE, lambda: _data_code(ev))


_DATA_CODE = object()


def _data_code(ev: Evidence) -> DataCode:
    reads: list[DataRead] = []
    imports: dict[str, str] = {}
    written: set[str] = set(_stage_outputs(ev))
    for path, module in ev.parsed_files(PYTHON, parse_python, *NEEDLES):
        for name in sorted(_imported(module)):
            imports.setdefault(name, path)
        if not is_test_file(path):
            reads.extend(_reads(path, module))
            written.update(_writes(path, module))
    reads.extend(_config_locations(ev))
    return DataCode(tuple(reads), imports, frozenset(written))


def _writes(path: str, module: PythonModule) -> Iterator[str]:
    """The literal paths a module writes tables to, as written and from its folder."""
    for node in module.index.of(ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in _WRITERS:
            target = literal(_first_argument(node))
            if isinstance(target, str) and target.strip() and not _scheme(target):
                yield from _project_paths(path, target)


def _project_paths(path: str, location: str) -> tuple[str, str]:
    """The project paths a relative location in the code at ``path`` may mean: from the
    project's root, and from the code's folder (the usual working directories)."""
    written = posixpath.normpath(location.replace("\\", "/"))
    folder = path.rpartition("/")[0]
    from_folder = posixpath.normpath(posixpath.join(folder, written))
    return written.lstrip("./"), from_folder.lstrip("./")


def _stage_outputs(ev: Evidence) -> Iterator[str]:
    """What DVC pipeline stages output, as project paths."""
    for path in ev.files(DVC):
        if path.rpartition("/")[2] in ("dvc.yaml", "dvc.yml"):
            pipeline = ev.parse(path, parse_dvc_pipeline)
            folder = path.rpartition("/")[0]
            for output in pipeline.outputs if pipeline is not None else ():
                yield posixpath.normpath(posixpath.join(folder, output.path))


def _config_files(ev: Evidence) -> Iterator[tuple[str, Callable[[str], Any]]]:
    """params.yaml, MLproject and Hydra configs: the YAML under a ``conf``/``configs``
    folder that holds a config with a ``defaults`` list."""
    yield from ((path, parse_config) for path in ev.files(PARAMS))
    yield from ((path, parse_mlproject) for path in ev.files(MLPROJECT))
    roots = {
        _config_root(path)
        for path in ev.files(YAML)
        if _config_root(path)
        and ev.mentions(path, b"defaults:")
        and (parsed := ev.parse(path, parse_config)) is not None
        and parsed.defaults
    }
    for path in ev.files(YAML):
        if _config_root(path) in roots and PARAMS not in ev.kinds(path):
            yield path, parse_config


def _config_root(path: str) -> str:
    parts = path.split("/")[:-1]
    for index, part in enumerate(parts):
        if part in _CONFIG_FOLDERS:
            return "/".join(parts[: index + 1])
    return ""


def _config_locations(ev: Evidence) -> Iterator[DataRead]:
    for path, parser in _config_files(ev):
        if not ev.mentions(path, b"://"):
            continue
        parsed = ev.parse(path, parser)
        for value in parsed.values if parsed is not None else ():
            location = value.value.strip()
            scheme = _scheme(location)
            last_key = value.key.rsplit(".", 1)[-1].lower()
            if any(word in last_key for word in _OUTPUT_WORDS):
                continue
            web_data = scheme in ("http", "https") and location.lower().endswith(
                tuple(DATA_SUFFIXES)
            )
            if scheme == "lakefs" or (scheme in _STORE_SCHEMES or web_data):
                pinned = scheme == "lakefs" or "versionid=" in location.lower()
                yield DataRead(
                    path, value.line, value.column, value.key, location, "remote", pinned, "config"
                )


def is_test_file(path: str) -> bool:
    """Test code: its data are fixtures, not the data a pipeline processes."""
    parts = path.split("/")
    name = parts[-1]
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(part in _TEST_FOLDERS for part in parts[:-1])
    )


def _imported(module: PythonModule) -> set[str]:
    """Imported modules with their parents (``great_expectations``, ``sagemaker``,
    ``sagemaker.model_monitor``)."""
    names: set[str] = set()
    for target in module.imports.values():
        parts = target.split(".")
        names.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
    return names


def _reads(path: str, module: PythonModule) -> list[DataRead]:
    found = []
    for name, call in module.calls():
        if name in READERS:
            line, column = module.position(call)
            found.append(DataRead(path, line, column, name, *_classify(name, call)))
    if "boto3" in module.imported_modules():
        # Client methods hang off variables or calls (boto3.client("s3").get_object), which
        # no import names: they are matched by method name.
        for node in module.index.of(ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in _S3_DOWNLOADS:
                location, kind, versioned = _s3_download(node)
                if location is not None and _is_model_artefact(location):
                    continue  # a model to serve or evaluate, not data
                line, column = module.position(node)
                found.append(
                    DataRead(path, line, column, node.func.attr, location, kind, versioned)
                )
    return sorted(found, key=lambda read: (read.line, read.column))


def _first_argument(call: ast.Call) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for name in _PATH_KEYWORDS:
        value = keyword(call, name)
        if value is not None:
            return value
    return None


def _classify(function: str, call: ast.Call) -> tuple[str | None, str, bool | None]:
    unknowable = has_star_kwargs(call)
    value = literal(_first_argument(call))
    if function == "datasets.load_dataset" and isinstance(value, str):
        if value in _FILE_BUILDERS:
            value = literal(keyword(call, "data_files"))
        elif not _looks_like_path(value):
            pinned = keyword(call, "revision") is not None
            return value, "hub", True if pinned else (None if unknowable else False)
    if function == "tensorflow_datasets.load" and isinstance(value, str):
        # A TFDS data set without ":version" is the version its (pinned) library release
        # defines, not whatever the source holds today.
        return value, "hub", True if ":" in value else None
    if not isinstance(value, str) or not value.strip():
        return None, "unknown", None
    if _scheme(value) == "lakefs":
        return value, "remote", True
    if _scheme(value) in _REMOTE_SCHEMES:
        pinned = "versionid=" in value.lower() or keyword(call, "version_id") is not None
        return value, "remote", True if pinned else (None if unknowable else False)
    return value, "local", None


def _s3_download(call: ast.Call) -> tuple[str | None, str, bool | None]:
    bucket = literal(keyword(call, "Bucket") or (call.args[0] if call.args else None))
    key = literal(keyword(call, "Key") or (call.args[1] if len(call.args) > 1 else None))
    location = f"s3://{bucket}/{key}" if isinstance(bucket, str) and isinstance(key, str) else None
    if keyword(call, "VersionId") is not None:
        return location, "remote", True
    extra = keyword(call, "ExtraArgs")
    if isinstance(extra, ast.Dict):
        pinned = any(literal(k) == "VersionId" for k in extra.keys if k is not None)
        return location, "remote", pinned or (None if None in extra.keys else False)
    if extra is not None or has_star_kwargs(call):
        return location, "remote", None
    return location, "remote", False


def _is_model_artefact(location: str) -> bool:
    """A model file or SageMaker's packed ``model.tar.gz``."""
    name = location.rpartition("/")[2].lower()
    return name.endswith(tuple(MODEL_SUFFIXES)) or (
        name.startswith("model") and name.endswith((".tar.gz", ".tgz"))
    )


def _scheme(value: str) -> str:
    head, separator, _ = value.partition("://")
    return head.lower() if separator and head.isalnum() else ""


def _looks_like_path(value: str) -> bool:
    return value.startswith((".", "/", "~")) or posixpath.splitext(value)[1] != "" or "://" in value
