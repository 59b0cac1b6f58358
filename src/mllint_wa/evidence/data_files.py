"""Which of the project's files hold data sets.

A file's name says it may be data (``.csv``, ``.parquet``, ``.zip`` …); for a ZIP or tar
archive only its content can say, so its member names are read (a ZIP's from its central
directory, a tar's, plain or gzip-compressed, from its headers; bounded reads, nothing
extracted): an archive of tables, images, audio or text records is a data set, one that
also holds web pages, style sheets, scripts, fonts, programs or code (Python, Terraform)
or holds no record at all is a site, an app, a code bundle or a model, not data. An
archive whose members cannot be read is not counted as data either: nothing says it is.
A ``.gz`` that holds no tar archive is a compressed file, counted as data by its name.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.kinds import DATA, DATA_SUFFIXES
from mllint_wa.parsers.archive import Reader, tar_member_names, zip_member_names

_ARCHIVES = frozenset({".zip", ".gz", ".tar", ".7z"})
# Members that are records of a data set.
_DATA_MEMBERS = (DATA_SUFFIXES - _ARCHIVES) | {
    ".json",
    ".txt",
    ".xml",
    ".npy",
    ".npz",
    ".h5",
    ".hdf5",
    ".jpg",
    ".jpeg",
    ".png",
    ".bmp",
    ".tif",
    ".tiff",
    ".webp",
    ".dcm",
    ".nii",
    ".wav",
    ".mp3",
    ".flac",
    ".ogg",
}
# Members that make an archive a site, an app or a code bundle.
_OTHER_MEMBERS = frozenset(
    {
        ".html",
        ".htm",
        ".css",
        ".js",
        ".mjs",
        ".map",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".svg",
        ".ico",
        ".py",
        ".pyc",
        ".class",
        ".jar",
        ".so",
        ".dll",
        ".dylib",
        ".exe",
        ".sh",
        ".tf",
        ".tfvars",
        ".hcl",
    }
)


def data_files(ev: Evidence) -> tuple[str, ...]:
    """The project's data files: files named like data, less the ZIP archives whose
    members show that they are no data set."""
    return ev.memo(data_files, lambda: tuple(p for p in ev.files(DATA) if _is_data(ev, p)))


def _is_data(ev: Evidence, path: str) -> bool:
    lowered = path.lower()
    if not lowered.endswith((".zip", ".tar", ".gz")):
        return True
    size = ev.size(path)
    if size is None:
        return False

    def read(at: int, count: int) -> bytes | None:
        return ev.read_at(path, at, count)

    members: Callable[[int, Reader], tuple[str, ...] | None]
    members = zip_member_names if lowered.endswith(".zip") else tar_member_names
    names = members(size, read)
    if names is None and lowered.endswith(".gz") and not lowered.endswith(".tar.gz"):
        return True  # a compressed file (rows.csv.gz), not an archive
    return names is not None and is_data_archive(names)


def is_data_archive(names: tuple[str, ...]) -> bool:
    """Whether an archive with these members is a data set: it holds data records and no
    web page, script, font, program or code."""
    suffixes = {posixpath.splitext(name)[1].lower() for name in names if not name.endswith("/")}
    return bool(suffixes & _DATA_MEMBERS) and not suffixes & _OTHER_MEMBERS
