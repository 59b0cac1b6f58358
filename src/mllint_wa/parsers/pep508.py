"""One declared dependency, read with :mod:`packaging` wherever it was written.

Requirements files, ``pyproject.toml``, ``setup.cfg``, Pipfiles and the ``pip:`` list of a
conda environment all spell dependencies as PEP 508 strings (or close to them); each reader
turns them into :class:`Dependency` records through :func:`requirement`, so that "pinned"
means the same thing everywhere.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from mllint_wa.evidence import ParseError
from mllint_wa.records import dataclass

# A VCS reference naming a branch moves; any other reference (a tag, a commit) is a pin.
_MOVING_REFS = frozenset({"main", "master", "develop", "dev", "trunk", "head", "default"})
_VCS = ("git+", "hg+", "svn+", "bzr+")
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_HASH_FRAGMENT = re.compile(r"#(sha256|sha384|sha512|md5)=", re.IGNORECASE)
# pip separates a URL from its markers by " ;" since ";" may occur in a URL.
_MARKERS = re.compile(r"(?<=\s);")


@dataclass(frozen=True)
class Dependency:
    """A dependency as declared: ``name`` is canonical (``scikit-learn``), empty for a path
    or URL that names no project. ``version`` is the one version an exact ``==``/``===``
    allows; ``pinned`` also counts a pin to one patch series (:func:`patch_series`), a
    hash, a VCS tag or commit, or an archive URL; ``local`` marks the project's own code
    (``-e .``, paths, ``file:`` URLs): not a third-party pin."""

    name: str
    text: str
    line: int
    column: int
    version: Version | None = None
    pinned: bool = False
    local: bool = False
    group: str = ""


def exact_version(specifier: SpecifierSet | str) -> tuple[bool, Version | None]:
    """Whether a specifier allows exactly one version (``==1.2.3``, ``===1.2``), and which."""
    try:
        specs = list(SpecifierSet(str(specifier)))
    except ValueError:
        return False, None
    exact = [
        s for s in specs if s.operator == "===" or (s.operator == "==" and "*" not in s.version)
    ]
    if not exact:
        return False, None
    try:
        return True, Version(exact[0].version)
    except InvalidVersion:
        return True, None


def patch_series(specifier: SpecifierSet | str) -> bool:
    """Whether a specifier admits only the patch releases of one ``X.Y`` series, as PEP 440
    spells it: a compatible-release clause with three release parts or more (``~=1.4.2``
    allows 1.4.2 and later 1.4.x, never 1.5), or a prefix match on two parts or more
    (``==1.4.*``). ``~=1.4`` admits every later 1.x and ``==1.*`` every 1.x: no pin."""
    try:
        specs = list(SpecifierSet(str(specifier)))
    except ValueError:
        return False
    for spec in specs:
        prefix = spec.operator == "==" and spec.version.endswith(".*")
        if spec.operator != "~=" and not prefix:
            continue
        try:
            release = Version(spec.version.removesuffix(".*")).release
        except InvalidVersion:
            continue
        if len(release) >= (2 if prefix else 3):
            return True
    return False


def requirement(
    text: str, line: int, column: int, *, hashed: bool = False, group: str = ""
) -> Dependency:
    """A pip requirement (PEP 508, a path, or a URL) as a :class:`Dependency`; anything else
    is a :class:`ParseError` at ``line``/``column``."""
    spec = text.strip()
    if _is_local_path(spec.split(";", 1)[0].strip()):
        return Dependency("", spec, line, column, local=True, group=group)
    url = _MARKERS.split(spec, maxsplit=1)[0].strip()
    if "://" in url.split("@", 1)[0] or url.startswith(_VCS):
        match = _EGG.search(url)
        name = canonicalize_name(match.group(1)) if match else ""
        return _url_dependency(name, url, spec, line, column, hashed, group)
    try:
        parsed = Requirement(spec)
    except InvalidRequirement as error:
        detail = str(error).splitlines()[0]
        raise ParseError(f"has an invalid requirement `{spec}`: {detail}", line, column) from None
    name = canonicalize_name(parsed.name)
    if parsed.url:
        return _url_dependency(name, parsed.url, spec, line, column, hashed, group)
    pinned, version = exact_version(parsed.specifier)
    pinned = pinned or hashed or patch_series(parsed.specifier)
    return Dependency(name, spec, line, column, version, pinned, group=group)


def _url_dependency(
    name: str, url: str, text: str, line: int, column: int, hashed: bool, group: str
) -> Dependency:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "Invalid IPv6 URL": a URL nobody can install from
        return Dependency(name, text, line, column, None, hashed, group=group)
    if parts.scheme == "file" or url.startswith("file:"):
        return Dependency(name, text, line, column, local=True, group=group)
    if "+" in parts.scheme:  # git+https://…@ref
        ref = parts.path.rpartition("@")[2] if "@" in parts.path else ""
        pinned = bool(ref) and ref.lower() not in _MOVING_REFS
        version = None
    else:
        path = parts.path.lower()
        pinned = path.endswith(_ARCHIVE_SUFFIXES) or bool(_HASH_FRAGMENT.search(url))
        name, version = _archive_name_version(parts.path.rpartition("/")[2], name)
    return Dependency(name, text, line, column, version, pinned or hashed, group=group)


def _archive_name_version(filename: str, name: str) -> tuple[str, Version | None]:
    """The project and version a wheel or sdist file name spells (``torch-2.1.0-….whl``)."""
    try:
        if filename.endswith(".whl"):
            wheel_name, version, *_ = parse_wheel_filename(filename)
            return name or wheel_name, version
        sdist_name, version = parse_sdist_filename(filename)
        return name or sdist_name, version
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return name, None


def _is_local_path(text: str) -> bool:
    """``.``, ``./pkg``, ``../lib``, ``/abs/path``, ``~/x``, ``src/pkg``: pip installs these
    from the file system."""
    if text.startswith((".", "/", "~")) or re.match(r"^[A-Za-z]:[\\/]", text):
        return True
    first = re.split(r"[\s;\[]", text, maxsplit=1)[0]
    return "/" in first and "://" not in first and "@" not in text and not first.startswith(_VCS)


def table_dependency(
    name: str, value: object, line: int, column: int, group: str = ""
) -> Dependency:
    """A Poetry or Pipenv entry, ``name = "^1.2"`` or ``name = {version = "==1.2", …}``
    (``git``/``path``/``url`` tables included); a bare version (``"1.2.3"``) is exact, as
    in Poetry. A list of alternatives (Poetry's multiple constraints) is pinned only when
    each one is."""
    canonical = canonicalize_name(name)
    if isinstance(value, list):
        entries = [_table_entry(name, v, line, column, group) for v in value]
        pinned = bool(entries) and all(e.pinned for e in entries)
        versions = [e.version for e in entries if e.version is not None]
        return Dependency(
            canonical, name, line, column, min(versions, default=None), pinned, group=group
        )
    return _table_entry(name, value, line, column, group)


def _table_entry(name: str, value: object, line: int, column: int, group: str) -> Dependency:
    """One alternative: a version string or a table (a list inside the list of alternatives
    is no version, so it reads as an unpinned one)."""
    canonical = canonicalize_name(name)
    if isinstance(value, dict):
        if "path" in value or ("file" in value and not str(value["file"]).startswith("http")):
            return Dependency(canonical, name, line, column, local=True, group=group)
        if any(key in value for key in ("git", "hg", "svn", "bzr")):
            ref = next((str(value[k]) for k in ("rev", "tag", "ref") if k in value), "")
            pinned = bool(ref) and ref.lower() not in _MOVING_REFS
            return Dependency(canonical, name, line, column, pinned=pinned, group=group)
        if "url" in value or "file" in value:
            url = str(value.get("url") or value.get("file"))
            return _url_dependency(canonical, url, name, line, column, False, group)
        value = value.get("version", "*")
    spec = str(value).strip()
    try:
        version = Version(spec)
    except InvalidVersion:
        pinned, exact = exact_version(spec)
        pinned = pinned or patch_series(spec)
        return Dependency(canonical, f"{name} {spec}", line, column, exact, pinned, group=group)
    return Dependency(canonical, f"{name} {spec}", line, column, version, True, group=group)
