"""Which of the project's files hold data sets.

A file's name says it may be data (``.csv``, ``.parquet``, ``.zip`` …); for a ZIP archive
only its content can say, so its member names are read from its central directory (bounded
reads, nothing extracted): an archive of tables, images, audio or text records is a data
set, one that also holds web pages, style sheets, scripts, fonts, programs or Python code
is a site, an app or a code bundle, not data. An archive whose directory cannot be read is
not counted as data either: nothing says it is.
"""

from __future__ import annotations

import posixpath

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.kinds import DATA, DATA_SUFFIXES
from mllint_wa.parsers.archive import zip_member_names

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
    }
)


def data_files(ev: Evidence) -> tuple[str, ...]:
    """The project's data files: files named like data, less the ZIP archives whose
    members show that they are no data set."""
    return ev.memo(data_files, lambda: tuple(p for p in ev.files(DATA) if _is_data(ev, p)))


def _is_data(ev: Evidence, path: str) -> bool:
    if not path.lower().endswith(".zip"):
        return True
    size = ev.size(path)
    names = None if size is None else zip_member_names(size, lambda at, n: ev.read_at(path, at, n))
    return names is not None and is_data_archive(names)


def is_data_archive(names: tuple[str, ...]) -> bool:
    """Whether an archive with these members is a data set: it holds data records and no
    web page, script, font, program or code."""
    suffixes = {posixpath.splitext(name)[1].lower() for name in names if not name.endswith("/")}
    return bool(suffixes & _DATA_MEMBERS) and not suffixes & _OTHER_MEMBERS
