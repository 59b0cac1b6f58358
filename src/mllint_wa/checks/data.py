"""DP: data processing evidence — data in git, data versioning, data validation."""

from __future__ import annotations

from collections.abc import Iterator

from mllint_wa.checks.wording import counted
from mllint_wa.context import ProjectContext
from mllint_wa.evidence.data_code import DataRead, data_code, is_test_file
from mllint_wa.evidence.data_files import data_files
from mllint_wa.evidence.data_versioning import (
    DVC_TOOL,
    LFS_TOOL,
    committed_data,
    data_versioning,
)
from mllint_wa.evidence.git import tracked_files
from mllint_wa.evidence.kinds import MODEL, PYTHON
from mllint_wa.model import Location, Risk, Stage, Violation
from mllint_wa.project import MANIFEST_NAME
from mllint_wa.registry import rule

_VERSIONING_FIELD = "data.versioning"
# Folders that conventionally hold a project's input data.
_DATA_FOLDERS = frozenset({"data", "datasets", "dataset", "raw", "input", "inputs"})
_TOOL_NAMES = {
    DVC_TOOL: "DVC",
    LFS_TOOL: "Git LFS",
    "lakefs": "lakeFS",
    "delta": "Delta Lake or Iceberg tables",
    "s3-versioning": "S3 object versions",
}
_TOOL_EVIDENCE = {
    DVC_TOOL: "no dvc.yaml, dvc.lock, *.dvc file or .dvc/config",
    "lakefs": "no lakeFS client or lakefs:// path in the code",
    "delta": "no deltalake, delta-spark or pyiceberg import",
    "s3-versioning": "no VersionId= or version_id= on an S3 read, and no bucket versioning "
    "in the infrastructure code",
}
# Modules whose import shows that data is validated or profiled.
_VALIDATION_MODULES = {
    "great_expectations": "Great Expectations",
    "pandera": "pandera",
    "tensorflow_data_validation": "TFDV",
    "pydeequ": "PyDeequ",
    "deepchecks": "deepchecks",
    "whylogs": "whylogs",
    "evidently": "Evidently",
    "pydantic": "pydantic",
    "jsonschema": "jsonschema",
    "cerberus": "Cerberus",
    "marshmallow": "marshmallow",
    "voluptuous": "voluptuous",
    "frictionless": "Frictionless",
    "soda": "Soda",
    "ydata_profiling": "ydata-profiling",
    "pandas_profiling": "pandas-profiling",
    "sagemaker.model_monitor": "SageMaker Model Monitor",
}
_VALIDATION_FOLDERS = frozenset({"great_expectations", "gx", "expectations"})
_TEST_TOPICS = ("data", "schema", "validat", "expectation")


def _kind_of_file(ctx: ProjectContext, path: str) -> str:
    if MODEL in ctx.evidence.kinds(path):
        return "model file"
    return "data file" if path in data_files(ctx.evidence) else "file"


def human_size(size: int) -> str:
    """Decimal units, as the thresholds are written: 12.3 MB."""
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


@rule(
    code="DP010",
    name="large-file-in-git",
    risk=Risk.MEDIUM,
    summary="A large file is committed to git itself instead of Git LFS or DVC.",
    fix="Move it to DVC (`dvc add PATH`, then commit the .dvc file) or Git LFS "
    "(`git lfs track PATTERN`), and remove it from git's history if it must go; or raise "
    "`large-file-threshold` / `large-data-file-threshold` in `[lint]`.",
    lens_refs=("MLREL02-BP03", "MLOPS03-BP02"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def large_file_in_git(ctx: ProjectContext) -> Iterator[Violation]:
    """Data sets and model weights committed to git bloat every clone forever (git keeps
    every version of every file), and git cannot say which data a model was trained on
    the way a data-versioning tool does. Reported: a file git tracks (from the git index,
    without reading the file) that is larger than `large-data-file-threshold` (default
    1 MB) for data and model files (.csv, .parquet, .pkl, .pt, .onnx, .h5 …) or
    `large-file-threshold` (default 10 MB) for any other file. A `.zip`, `.tar` or
    `.tar.gz` is a data file only when its members (read from a ZIP's central directory, a
    tar's headers in its first 4 MiB) are data (tables, records, images, audio) and none is
    a web page, style sheet, script, font, program or code (Python, Terraform); a `.gz`
    that holds no tar archive is a compressed file, data by its name.
    Accepted: files that `.gitattributes` sends to Git LFS (`filter=lfs`), outputs that DVC
    tracks (their `.dvc` file or `dvc.yaml` stage committed, the data itself git-ignored),
    and files git does not track. Without a git repository this rule says nothing."""
    tracked = tracked_files(ctx.evidence)
    if not tracked.known:
        return
    evidence = ctx.evidence
    versioning = data_versioning(evidence)
    options = ctx.options
    data = set(data_files(evidence))
    for path in evidence.all_files:
        size = tracked.sizes.get(path)
        if size is None:
            continue
        data_like = path in data or MODEL in evidence.kinds(path)
        limit = options.large_data_file_threshold if data_like else options.large_file_threshold
        if size <= limit or versioning.in_lfs(path) or versioning.dvc_managed(path):
            continue
        what = _kind_of_file(ctx, path)
        yield Violation(
            f"`{path}` is a {human_size(size)} {what} committed to git, above the "
            f"{human_size(limit)} threshold: keep it in DVC or Git LFS",
            Location(path),
            anchor=path,
        )


@rule(
    code="DP011",
    name="git-index-unavailable",
    risk=Risk.LOW,
    summary="The git index could not be read, or there is no git repository: files "
    "committed to git were not checked.",
    fix="Lint a git checkout; if the index is damaged, `git status` rebuilds it, and a "
    "split index (`core.splitIndex`) can be turned off with `git update-index "
    "--no-split-index`.",
    lens_refs=("MLOPS03-BP02",),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def git_index_unavailable(ctx: ProjectContext) -> Iterator[Violation]:
    """Which files are committed, and how large they are, comes from the git index, read
    directly (the linter never runs git, which would run the repository's hooks). When the
    index is damaged, larger than 256 MiB, of an unknown version or split across files, or
    its paths add up to more than eight times its size once the prefixes that version 4
    shares between paths are expanded (a crafted index of 1 MiB can stand for gigabytes of
    paths), or when it or its git directory is a symlink (which could name another
    repository's index, and decide what counts as committed here), it is reported here
    once, and the rules that need it stay silent. Outside any git
    repository it is said once too, on the first data or model file, since only then would
    a committed data set have gone unnoticed; a project without such files hears nothing."""
    tracked = tracked_files(ctx.evidence)
    if tracked.repository is not None and tracked.problem is not None:
        # The index usually lies in the project; when the project is a folder of a larger
        # repository, the finding stands on the manifest (or the first file) instead.
        where = tracked.index_path or (
            MANIFEST_NAME if ctx.manifest is not None else next(iter(ctx.evidence.all_files), None)
        )
        if where is not None:
            yield Violation(
                f"the git index {tracked.problem}: files committed to git were not checked",
                Location(where),
                anchor="git-index",
            )
    elif tracked.repository is None:
        data = sorted({*data_files(ctx.evidence), *ctx.evidence.files(MODEL)})
        if data:
            more = counted(len(data) - 1, "other data or model file")
            others = f" and {more}" if data[1:] else ""
            yield Violation(
                f"no git repository holds the project: whether `{data[0]}`{others} "
                f"{'are' if data[1:] else 'is'} "
                f"committed to git, and how large {'they are' if data[1:] else 'it is'}, was "
                "not checked",
                Location(data[0]),
                anchor="git-index",
            )


def _unversioned_reads(ctx: ProjectContext, committed: set[str]) -> list[DataRead]:
    """Reads from a location nothing versions: an object store or URL with no version,
    a hub data set with no revision, or a path in a data folder that git does not hold."""
    found = []
    for read in data_code(ctx.evidence).reads:
        if read.location is None or read.versioned:
            continue
        mutable = read.kind in ("remote", "hub") and read.versioned is False
        if mutable or (read.kind == "local" and _local_data_path(read, committed)):
            found.append(read)
    return found


def _local_data_path(read: DataRead, committed: set[str]) -> bool:
    location = read.location or ""
    parts = [p for p in location.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if not any(part in _DATA_FOLDERS for part in parts[:-1]):
        return False
    # Relative paths resolve against the working directory: the project's root or the
    # script's folder are the usual ones, and a committed file at either is in git.
    folder = read.path.rpartition("/")[0]
    candidates = {"/".join(parts), "/".join(filter(None, [folder, *parts]))}
    return not candidates & committed


@rule(
    code="DP012",
    name="missing-data-versioning",
    risk=Risk.MEDIUM,
    summary="Data is committed to git or read from mutable locations, and nothing versions it.",
    fix="Version the data: DVC (`dvc add` / `dvc.yaml` stages), Git LFS, lakeFS, Delta or "
    "Iceberg tables, S3 object versions (`VersionId=`), or a pinned Hugging Face "
    "`revision=`; then say which in `[data] versioning`.",
    lens_refs=("MLREL02-BP03", "MLOPS03-BP02", "MLSEC03-BP04"),
    requires_manifest=False,
    preview=True,
)
def missing_data_versioning(ctx: ProjectContext) -> Iterator[Violation]:
    """A model can only be reproduced, audited or rolled back if the exact data it was
    trained on can be had again. Reported once per project, where the evidence is, when
    the code reads data from a location whose content can change under it (an `s3://` or
    `https://` path, a Hugging Face data set without `revision=`, a file in a `data/`
    folder that git does not hold) or data files (an archive only when its members are
    data, as for `large-file-in-git`) of more than `large-data-file-threshold` in all are
    committed to git, and no data-versioning tool is in use: DVC, Git LFS for the data,
    lakeFS, Delta Lake or Iceberg, S3 object versions (`VersionId=`). Reads whose location
    is not a literal, downloads of a model (`model.tar.gz`, a `.pt` or `.joblib` file …),
    and projects that read no data, are not reported."""
    evidence = ctx.evidence
    versioning = data_versioning(evidence)
    tools = set(versioning.tools)
    if LFS_TOOL in tools and not versioning.lfs_holds_data(data_files(evidence)):
        tools.discard(LFS_TOOL)
    if tools - {"s3-versioning"}:
        return
    tracked = tracked_files(evidence)
    committed = committed_data(evidence, tracked.sizes) if tracked.known else []
    reads = _unversioned_reads(
        ctx, set(tracked.sizes) if tracked.known else set(evidence.all_files)
    )
    total = sum(size for _, size in committed)
    if total > ctx.options.large_data_file_threshold:
        path = committed[0][0]
        yield Violation(
            f"{counted(len(committed), 'data file')} ({human_size(total)} in all, the largest "
            f"`{path}`) {'are' if committed[1:] else 'is'} committed to git and nothing "
            "versions the data: no DVC, Git LFS, lakeFS or Delta",
            Location(path),
            anchor="data-versioning",
        )
    elif reads:
        first = reads[0]
        others = f" (and {counted(len(reads) - 1, 'other read')})" if reads[1:] else ""
        yield Violation(
            f"{first.describe()}{others}, whose content can change, "
            "and nothing versions the data: no DVC, Git LFS, lakeFS, Delta, S3 "
            "`VersionId=` or data set `revision=`",
            Location(first.path, first.line, first.column),
            anchor="data-versioning",
        )


@rule(
    code="DP013",
    name="declared-versioning-not-used",
    risk=Risk.MEDIUM,
    summary="`[data] versioning` names a tool that nothing in the repository uses.",
    fix="Set up the declared tool (e.g. `dvc init` and `dvc add`), or correct "
    "`[data] versioning` to what the project really uses.",
    lens_refs=("MLREL02-BP03", "MLOPS03-BP02"),
)
def declared_versioning_not_used(ctx: ProjectContext) -> Iterator[Violation]:
    """The manifest is a promise reviewers rely on: a project that declares DVC but has no
    DVC files gives a false sense that its data can be reproduced. What counts as use:
    DVC — a `dvc.yaml`, `dvc.lock`, `*.dvc` file, `.dvc/config` or `dvc.api` import; Git
    LFS — a `.gitattributes` line with `filter=lfs`; lakeFS — a lakeFS client import or a
    `lakefs://` path; Delta — a `deltalake`, `delta` or `pyiceberg` import; S3 versioning —
    a read with `VersionId=`/`version_id=` or bucket versioning in the infrastructure
    code. `none` and values outside the schema (LN005 reports those) are not checked."""
    manifest = ctx.manifest
    declared = manifest.get(_VERSIONING_FIELD) if manifest else None
    if manifest is None or declared not in _TOOL_EVIDENCE:
        return
    assert isinstance(declared, str)
    tools = data_versioning(ctx.evidence).tools
    if declared in tools:
        return
    others = [_TOOL_NAMES[tool] for tool in tools if tool in _TOOL_NAMES]
    used = f"; the repository uses {', '.join(others)}" if others else ""
    yield Violation(
        f'`{_VERSIONING_FIELD}` is "{declared}" but nothing in the repository uses '
        f"{_TOOL_NAMES[declared]}: {_TOOL_EVIDENCE[declared]}{used}",
        manifest.value_location(_VERSIONING_FIELD),
        anchor=_VERSIONING_FIELD,
    )


@rule(
    code="DP014",
    name="undeclared-data-versioning",
    risk=Risk.LOW,
    summary="DVC or Git LFS versions data, but `[data] versioning` does not say so.",
    fix='Declare it: `versioning = "dvc"` in `[data]` for DVC; for Git LFS, drop '
    '`versioning = "none"`.',
    lens_refs=("MLREL02-BP03", "MLOPS03-BP02"),
)
def undeclared_data_versioning(ctx: ProjectContext) -> Iterator[Violation]:
    """The manifest should describe the project as it is. Reported when DVC files are in
    the repository while `[data] versioning` is absent or `none`, and when Git LFS stores
    data files while it says `none`: readers of the manifest (and of the ML Lens review
    built from it) are told the data is unversioned when it is not. The manifest has no
    value for Git LFS, so LFS with the key absent is not reported; LFS that stores only
    models is not data versioning."""
    manifest = ctx.manifest
    if manifest is None:
        return
    declared = manifest.get(_VERSIONING_FIELD)
    if declared != "none" and not manifest.is_missing(_VERSIONING_FIELD):
        return
    evidence = ctx.evidence
    versioning = data_versioning(evidence)
    if DVC_TOOL in versioning.tools:
        tool, advice = DVC_TOOL, 'declare `versioning = "dvc"`'
    elif declared == "none" and versioning.lfs_holds_data(data_files(evidence)):
        tool, advice = LFS_TOOL, 'remove `versioning = "none"`'
    else:
        return
    state = '"none"' if declared == "none" else "not set"
    yield Violation(
        f"`{_VERSIONING_FIELD}` is {state} but {_TOOL_NAMES[tool]} versions data here "
        f"(`{versioning.tools[tool]}`): {advice}",
        manifest.value_location(_VERSIONING_FIELD),
        anchor=_VERSIONING_FIELD,
    )


def _validation_evidence(ctx: ProjectContext) -> str | None:
    """The first sign that data is validated or profiled, or None."""
    imports = data_code(ctx.evidence).imports
    for module, label in _VALIDATION_MODULES.items():
        if module in imports:
            return f"{label} in `{imports[module]}`"
    for path in ctx.evidence.all_files:
        parts = path.split("/")
        name = parts[-1]
        if name in ("great_expectations.yml", "great_expectations.yaml") or any(
            part in _VALIDATION_FOLDERS for part in parts[:-1]
        ):
            return f"`{path}`"
        if PYTHON in ctx.evidence.kinds(path) and _is_data_test(parts):
            return f"`{path}`"
    return None


def _is_data_test(parts: list[str]) -> bool:
    if not is_test_file("/".join(parts)):
        return False
    name = parts[-1].lower()
    topic_in_folder = any(p.lower().startswith("data") for p in parts[:-1])
    return topic_in_folder or any(topic in name for topic in _TEST_TOPICS)


@rule(
    code="DP015",
    name="missing-data-validation",
    risk=Risk.MEDIUM,
    summary="The code reads data sets, and nothing validates their schema or content.",
    fix="Check the data before it is used: a pandera schema, a Great Expectations suite, "
    "TFDV, Deequ, deepchecks, whylogs or Evidently tests, pydantic models of the records, "
    "or tests of the data under tests/ (e.g. tests/test_data.py).",
    lens_refs=("MLOPS03-BP01", "MLSEC04-BP03"),
    requires_manifest=False,
    preview=True,
)
def missing_data_validation(ctx: ProjectContext) -> Iterator[Violation]:
    """Malformed, drifted or poisoned data trains a bad model silently; the lens asks for
    data to be profiled and validated before training. Reported once, at the first read of
    a data set (`pandas.read_csv`, `polars.scan_parquet`, `datasets.load_dataset` …), when
    none of these is anywhere in the project: an import of Great Expectations, pandera,
    TFDV, PyDeequ, deepchecks, whylogs, Evidently, pydantic, jsonschema, Cerberus,
    marshmallow, voluptuous, Frictionless, Soda, ydata-profiling or SageMaker Model
    Monitor; a `great_expectations.yml` or a `gx/`, `great_expectations/` or
    `expectations/` folder; a test file about data (`tests/data*/test_*.py`,
    `test_*data*.py`, `test_*schema*.py`, `test_*validat*.py`). A project whose code reads
    no data is not reported; a boto3 download counts as a read only when its object is
    named like a data file (`.csv`, `.parquet`, `.jsonl` …), since other objects may be
    anything (a settings file, an artefact to copy). The finding stands at the first read
    of raw data by a reading function with a literal location; then come downloads and
    reads whose location is not a literal, and last the reads of what the project made
    itself (a
    path its code writes with `to_csv`, `to_parquet`, `write_parquet` …, a DVC stage's
    output, a file in an `interim`, `intermediate`, `processed`, `prepared`, `features`,
    `staging` or `derived` folder)."""
    reads = [read for read in data_code(ctx.evidence).raw_first() if read.of_data_set]
    if not reads or _validation_evidence(ctx) is not None:
        return
    first = reads[0]
    others = f" ({counted(len(reads) - 1, 'other read')} too)" if reads[1:] else ""
    what = f"`{first.location}`" if first.location else "a data set"
    yield Violation(
        f"`{first.function}` reads {what} here{others} but nothing validates the "
        "data: no schema or expectation checks (pandera, Great Expectations, TFDV, Deequ, "
        "deepchecks, whylogs, Evidently, pydantic) and no data tests",
        Location(first.path, first.line, first.column),
        anchor="data-validation",
    )
