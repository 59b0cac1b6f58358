"""DVC's files: ``dvc.yaml`` pipelines, ``dvc.lock``, ``*.dvc`` metadata and ``.dvc/config``.

Each parser returns the outputs DVC manages (paths relative to the file's folder, after the
stage's or file's ``wdir``), with whether DVC caches them (``cache: false`` leaves an output
in git) and the checksum recorded for it. Templated paths (``${item}`` in ``foreach`` or
``matrix`` stages) are left out: what they expand to is not known without DVC.
"""

from __future__ import annotations

import configparser
import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.yaml_doc import item_position, load_yaml
from mllint_wa.records import dataclass

_OUTPUT_SECTIONS = ("outs", "metrics", "plots")


@dataclass(frozen=True)
class DvcOutput:
    path: str
    line: int
    cache: bool = True
    checksum: str | None = None


@dataclass(frozen=True)
class DvcFile:
    """What one DVC file declares: its outputs and, for pipelines, its stage names."""

    outputs: tuple[DvcOutput, ...]
    stages: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class DvcConfig:
    remotes: Mapping[str, str]
    default_remote: str | None


def _document(text: str) -> Mapping[str, Any]:
    documents = load_yaml(text)
    if not documents:
        return {}
    if not isinstance(documents[0], Mapping):
        raise ParseError("is not a mapping of DVC settings")
    return documents[0]


def _join(wdir: object, path: str) -> str | None:
    if "${" in path or not path.strip():
        return None
    base = wdir if isinstance(wdir, str) and "${" not in wdir else "."
    joined = posixpath.normpath(posixpath.join(base, path.strip()))
    return None if joined.startswith(("../", "/")) or joined == ".." else joined


def _outputs(section: object, wdir: object) -> Iterator[DvcOutput]:
    """Entries as DVC writes them: a path, ``{path: {options}}``, or (in lock and .dvc
    files) ``{path: ..., md5: ...}``."""
    if not isinstance(section, list):
        return
    for index, entry in enumerate(section):
        options: Mapping[str, Any]
        line = item_position(section, index)[0]
        if isinstance(entry, str):
            path, options = entry, {}
        elif isinstance(entry, Mapping) and isinstance(entry.get("path"), str):
            path, options = entry["path"], entry
        elif isinstance(entry, Mapping) and len(entry) == 1:
            [(key, value)] = entry.items()
            if not isinstance(key, str):
                continue
            path, options = key, value if isinstance(value, Mapping) else {}
        else:
            continue
        joined = _join(wdir, path)
        if joined is None:
            continue
        checksum = options.get("md5") or options.get("hash") or options.get("etag")
        yield DvcOutput(
            joined,
            line,
            cache=options.get("cache", True) is not False,
            checksum=str(checksum) if checksum else None,
        )


def _names(section: object, wdir: object) -> Iterator[str]:
    if isinstance(section, list):
        for entry in section:
            raw = entry.get("path") if isinstance(entry, Mapping) else entry
            if isinstance(raw, str):
                joined = _join(wdir, raw)
                if joined is not None:
                    yield joined
            elif isinstance(entry, Mapping):
                yield from (str(key) for key in entry)


def parse_dvc_pipeline(text: str) -> DvcFile:
    """``dvc.yaml`` or ``dvc.lock``: each stage's outputs, dependencies and parameters, and
    the file's top-level ``metrics``/``plots``."""
    document = _document(text)
    outputs: list[DvcOutput] = []
    dependencies: list[str] = []
    params: list[str] = []
    stages = document.get("stages")
    names: list[str] = []
    if isinstance(stages, Mapping):
        for name, stage in stages.items():
            names.append(str(name))
            if not isinstance(stage, Mapping):
                continue
            wdir = stage.get("wdir")
            for section in _OUTPUT_SECTIONS:
                outputs.extend(_outputs(stage.get(section), wdir))
            dependencies.extend(_names(stage.get("deps"), wdir))
            params.extend(_names(stage.get("params"), wdir))
    for section in ("metrics", "plots"):
        outputs.extend(_outputs(document.get(section), None))
    return DvcFile(tuple(outputs), tuple(names), tuple(dependencies), tuple(params))


def parse_dvc_file(text: str) -> DvcFile:
    """A ``*.dvc`` file written by ``dvc add`` or ``dvc import``: its ``outs`` with checksums."""
    document = _document(text)
    wdir = document.get("wdir")
    return DvcFile(
        tuple(_outputs(document.get("outs"), wdir)),
        dependencies=tuple(_names(document.get("deps"), wdir)),
    )


def parse_dvc_config(text: str) -> DvcConfig:
    """``.dvc/config``, an INI file: ``['remote "name"']`` sections and ``[core] remote``."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as error:
        line = getattr(error, "lineno", 1) or 1
        raise ParseError(f"is not a valid DVC config: {error.message}", line) from None
    remotes = {}
    for section in parser.sections():
        words = section.strip("'\" ").split(None, 1)
        if len(words) == 2 and words[0] == "remote":
            remotes[words[1].strip("'\" ")] = parser.get(section, "url", fallback="")
    default = parser.get("core", "remote", fallback=None) if parser.has_section("core") else None
    return DvcConfig(remotes, default)
