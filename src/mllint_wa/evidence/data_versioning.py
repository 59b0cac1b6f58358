"""What versions the project's data: DVC, Git LFS, lakeFS, Delta/Iceberg tables, S3 object
versions, computed once per run.

``tools`` maps each tool in use to the first file that shows it (``dvc`` → ``dvc.yaml``).
:meth:`DataVersioning.dvc_managed` and :meth:`DataVersioning.in_lfs` say whether a project
file's content is kept out of git by DVC or Git LFS.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path

from mllint_wa.bounded import read_unlinked
from mllint_wa.evidence import READ_LIMIT, Evidence
from mllint_wa.evidence.data_code import data_code
from mllint_wa.evidence.data_files import data_files
from mllint_wa.evidence.git import find_repository
from mllint_wa.evidence.kinds import DATA_SUFFIXES, DVC, GITATTRIBUTES, JSON, TERRAFORM, YAML
from mllint_wa.parsers.dvc import DvcFile, parse_dvc_config, parse_dvc_file, parse_dvc_pipeline
from mllint_wa.parsers.gitattributes import GitAttributes, parse_gitattributes
from mllint_wa.records import dataclass

# The manifest's names for the tools (`[data] versioning`).
DVC_TOOL = "dvc"
LFS_TOOL = "git-lfs"
LAKEFS_TOOL = "lakefs"
DELTA_TOOL = "delta"
S3_VERSIONING_TOOL = "s3-versioning"

# Imported modules that are table formats or data repositories with versions of their own.
_VERSIONING_IMPORTS = {
    "dvc": DVC_TOOL,
    "dvclive": DVC_TOOL,
    "lakefs": LAKEFS_TOOL,
    "lakefs_client": LAKEFS_TOOL,
    "lakefs_sdk": LAKEFS_TOOL,
    "lakefs_spec": LAKEFS_TOOL,
    "deltalake": DELTA_TOOL,
    "delta": DELTA_TOOL,
    "pyiceberg": DELTA_TOOL,
}
# S3 bucket versioning switched on in infrastructure code.
_S3_VERSIONING_NEEDLES = {
    YAML: (b"VersioningConfiguration",),
    JSON: (b"VersioningConfiguration",),
    TERRAFORM: (b"aws_s3_bucket_versioning", b"versioning {", b"versioning{"),
}


@dataclass(frozen=True)
class _AttributesSource:
    """One attributes file: it speaks of project paths under ``base`` (``""`` or ``dir/``),
    matched as ``prepend`` + the path below ``base``."""

    base: str
    prepend: str
    attributes: GitAttributes


@dataclass(frozen=True)
class DataVersioning:
    tools: Mapping[str, str]
    dvc_outputs: frozenset[str]
    # Highest precedence first: .git/info/attributes, then the deepest .gitattributes.
    lfs_sources: tuple[_AttributesSource, ...]

    def dvc_managed(self, path: str) -> bool:
        """Whether DVC keeps ``path`` in its cache: an output of a ``.dvc`` file or a
        pipeline stage, or a file inside an output folder."""
        if path in self.dvc_outputs:
            return True
        parts = path.split("/")
        return any("/".join(parts[:n]) in self.dvc_outputs for n in range(1, len(parts)))

    def in_lfs(self, path: str) -> bool:
        """Whether the git attributes that apply to ``path`` give it ``filter=lfs``."""
        for source in self.lfs_sources:
            if path.startswith(source.base):
                decision = source.attributes.lfs(source.prepend + path[len(source.base) :])
                if decision is not None:
                    return decision
        return False

    def lfs_holds_data(self, data_files: tuple[str, ...]) -> bool:
        """Whether Git LFS stores data, not only models: one of the project's data files is
        in LFS, or a pattern names a data file type."""
        if any(self.in_lfs(path) for path in data_files):
            return True
        return any(
            rule.lfs and rule.pattern.lower().endswith(tuple(DATA_SUFFIXES))
            for source in self.lfs_sources
            for rule in source.attributes.rules
        )


def data_versioning(ev: Evidence) -> DataVersioning:
    return ev.memo(_DATA_VERSIONING, lambda: _data_versioning(ev))


_DATA_VERSIONING = object()


def _data_versioning(ev: Evidence) -> DataVersioning:
    tools: dict[str, str] = {}
    outputs: set[str] = set()
    for path in ev.files(DVC):
        if path == ".dvc/config" or path.endswith("/.dvc/config"):
            parsed_config = ev.parse(path, parse_dvc_config)
            if parsed_config is not None:
                tools.setdefault(DVC_TOOL, path)
            continue
        parser = parse_dvc_file if path.endswith(".dvc") else parse_dvc_pipeline
        parsed: DvcFile | None = ev.parse(path, parser)
        if parsed is None:
            continue
        tools.setdefault(DVC_TOOL, path)
        if path.endswith("dvc.lock"):
            continue  # the lock repeats dvc.yaml's outputs without their `cache` setting
        folder = folder_of(path)
        outputs.update(posixpath.normpath(folder + out.path) for out in parsed.outputs if out.cache)
    sources = _lfs_sources(ev)
    if any(rule.lfs for source in sources for rule in source.attributes.rules):
        tools.setdefault(LFS_TOOL, _first_lfs_file(ev) or ".gitattributes")
    code = data_code(ev)
    for module, path in sorted(code.imports.items(), key=lambda item: (item[1], item[0])):
        tool = _VERSIONING_IMPORTS.get(module)
        if tool is not None:
            tools.setdefault(tool, path)
    for read in code.reads:
        if read.versioned and read.location and read.location.startswith("lakefs://"):
            tools.setdefault(LAKEFS_TOOL, read.path)
        elif read.versioned and read.kind == "remote":
            tools.setdefault(S3_VERSIONING_TOOL, read.path)
    for kind, needles in _S3_VERSIONING_NEEDLES.items():
        for path in ev.files(kind):
            if S3_VERSIONING_TOOL not in tools and ev.mentions(path, *needles):
                tools[S3_VERSIONING_TOOL] = path
    return DataVersioning(dict(sorted(tools.items())), frozenset(outputs), sources)


def folder_of(path: str) -> str:
    """The folder of a project path with a trailing ``/``, or ``""`` at the root."""
    folder = path.rpartition("/")[0]
    return folder + "/" if folder else ""


def _first_lfs_file(ev: Evidence) -> str | None:
    for path in ev.files(GITATTRIBUTES):
        if ev.mentions(path, b"filter=lfs"):
            return path
    return None


def _lfs_sources(ev: Evidence) -> tuple[_AttributesSource, ...]:
    inside = [
        (path.count("/"), _AttributesSource(folder_of(path), "", parsed))
        for path in ev.files(GITATTRIBUTES)
        if ev.mentions(path, b"filter")
        and (parsed := ev.parse(path, parse_gitattributes)) is not None
    ]
    inside.sort(key=lambda item: -item[0])
    return (*_repository_sources(ev.root), *(source for _, source in inside))


def _repository_sources(root: Path) -> list[_AttributesSource]:
    """``.git/info/attributes`` and the ``.gitattributes`` of the folders between the
    repository's root and the project, which speak of the project's files too."""
    repository = find_repository(root.resolve())
    if repository is None:
        return []
    try:
        below = root.resolve().relative_to(repository.root.resolve()).parts
    except ValueError:
        return []
    prefix = "".join(f"{part}/" for part in below)
    found = []
    common_dir = repository.common_dir
    info = _read_attributes(common_dir / "info" / "attributes", common_dir.parent)
    if info is not None:
        found.append(_AttributesSource("", prefix, info))
    for depth in range(len(below) - 1, -1, -1):
        folder = repository.root.joinpath(*below[:depth])
        attributes = _read_attributes(folder / ".gitattributes", folder)
        if attributes is not None:
            found.append(_AttributesSource("", "".join(f"{p}/" for p in below[depth:]), attributes))
    return found


def _read_attributes(path: Path, links_from: Path) -> GitAttributes | None:
    """An attributes file outside the project, read within the evidence layer's bound and
    only where no symlink leads to it from ``links_from``; None when it is absent, linked,
    not a regular file, too large or not text."""
    try:
        raw = read_unlinked(path, READ_LIMIT + 1, links_from)
    except OSError:
        return None
    if len(raw) > READ_LIMIT or b"filter" not in raw:
        return None
    try:
        return parse_gitattributes(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None


def committed_data(ev: Evidence, tracked: Mapping[str, int]) -> list[tuple[str, int]]:
    """Data files of the project that git stores itself (not through DVC or LFS), with
    their sizes, largest first."""
    versioning = data_versioning(ev)
    found = [
        (path, tracked[path])
        for path in data_files(ev)
        if path in tracked and not versioning.in_lfs(path) and not versioning.dvc_managed(path)
    ]
    return sorted(found, key=lambda item: (-item[1], item[0]))
