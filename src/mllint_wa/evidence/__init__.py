"""The evidence layer: a project's files by kind, read and parsed at most once per run.

Rules never open files. They ask :class:`Evidence` for the files of a kind, test a cheap
byte needle before anything is parsed (:meth:`Evidence.mentions`), and ask for a file parsed
by a parser (:meth:`Evidence.parse`). Every read is bounded and opens regular files only;
every parse runs behind one boundary that turns any failure of the parser into a
:class:`ParseFailure`, which one rule reports once per file. Derived evidence that several
rules share (say, "which experiment trackers does the code use") is computed once through
:meth:`Evidence.memo`.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from mllint_wa.bounded import read_prefix, symlink_refusal
from mllint_wa.evidence.kinds import NOTEBOOK, is_installed_or_generated, kinds_of

T = TypeVar("T")

# Bytes read of a file at most. Notebooks carry their outputs, so they may be larger.
READ_LIMIT = 4 * 1024 * 1024
READ_LIMIT_BY_KIND = {NOTEBOOK: 64 * 1024 * 1024}
# Jinja / cookiecutter placeholders; GitHub's and Azure's own `${{ … }}` expressions are not.
TEMPLATE_MARK = re.compile(rb"(?<!\$)\{\{|\{%")


class ParseError(Exception):
    """Raised by a parser for input it cannot read; ``line``/``column`` start at 1."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


@dataclass(frozen=True)
class ParseFailure:
    """A file a rule needed that could not be read or parsed, with where it went wrong."""

    path: str
    message: str
    line: int = 1
    column: int = 1


class _Absent:
    """What the caches hold for a file that could not be had."""


_ABSENT = _Absent()


class Evidence:
    """One project's files and everything read from them during one run."""

    def __init__(self, root: Path, files: tuple[str, ...]) -> None:
        self.root = root
        self.all_files = files
        self._by_kind: dict[str, tuple[str, ...]] | None = None
        self._data: dict[str, bytes | _Absent] = {}
        self._text: dict[str, str | _Absent] = {}
        self._parsed: dict[tuple[str, Callable[..., Any]], Any] = {}
        self._memo: dict[object, Any] = {}
        self._sizes: dict[str, int | None] = {}
        self._failures: dict[str, ParseFailure] = {}

    # Files -----------------------------------------------------------------------------

    def files(self, *kinds: str) -> tuple[str, ...]:
        """The project's files of any of ``kinds``, sorted, vendored and templated paths
        left out."""
        if self._by_kind is None:
            index: dict[str, list[str]] = {}
            for path in self.all_files:
                if self.is_vendored(path):
                    continue
                for kind in kinds_of(path):
                    index.setdefault(kind, []).append(path)
            self._by_kind = {kind: tuple(paths) for kind, paths in index.items()}
        if len(kinds) == 1:
            return self._by_kind.get(kinds[0], ())
        return tuple(sorted({p for kind in kinds for p in self._by_kind.get(kind, ())}))

    def kinds(self, path: str) -> frozenset[str]:
        return kinds_of(path)

    def is_vendored(self, path: str) -> bool:
        """Whether a project-relative path lies in someone else's code or a tool's output:
        installed packages and generated folders by their names, copies of other packages
        by evidence (:mod:`mllint_wa.evidence.vendoring`)."""
        if is_installed_or_generated(path):
            return True
        roots = self.memo(_VENDORED_ROOTS, self._vendored_roots)
        if not roots:
            return False
        while path:
            if path in roots:
                return True
            path = path.rpartition("/")[0]
        return False

    def _vendored_roots(self) -> frozenset[str]:
        from mllint_wa.evidence.vendoring import vendored_roots  # it reads through this class

        return vendored_roots(self)

    def exists(self, path: str) -> bool:
        """Whether a project-relative file or folder is part of the project as walked."""
        clean = path.strip("/")
        return clean in self._file_set or clean in self._folder_set

    def on_disk(self, path: str) -> bool | None:
        """Whether a project-relative path exists, ignored or not (``lstat``, nothing read);
        None when the path is absolute or climbs out of the project, which cannot be judged
        from inside it."""
        parts = path.replace("\\", "/").split("/")
        if os.path.isabs(path) or ".." in parts:
            return None
        try:
            os.lstat(self.root / path)
        except OSError:
            return False
        return True

    @property
    def _file_set(self) -> frozenset[str]:
        return self.memo(_FILE_SET, lambda: frozenset(self.all_files))

    @property
    def _folder_set(self) -> frozenset[str]:
        """Every folder that holds a project file, at any depth."""

        def folders() -> frozenset[str]:
            found: set[str] = set()
            for path in self.all_files:
                folder = path.rpartition("/")[0]
                while folder and folder not in found:
                    found.add(folder)
                    folder = folder.rpartition("/")[0]
            return frozenset(found)

        return self.memo(_FOLDER_SET, folders)

    def size(self, path: str) -> int | None:
        """The file's size from ``lstat``, without reading it; None when it cannot be had."""
        if path not in self._sizes:
            try:
                info = os.lstat(self.root / path)
            except OSError:
                self._sizes[path] = None
            else:
                self._sizes[path] = info.st_size if stat.S_ISREG(info.st_mode) else None
        return self._sizes[path]

    # Reading ---------------------------------------------------------------------------

    def data(self, path: str) -> bytes | None:
        """The file's bytes, read once; None when it is not a readable regular file or is
        larger than the read limit for its kind (too large is no failure: nothing is
        wrong with a big file, it is only not read)."""
        cached = self._data.get(path)
        if cached is None:
            cached = self._data[path] = self._read(path)
        return None if isinstance(cached, _Absent) else cached

    def is_file(self, path: str) -> bool:
        """Whether ``path`` is one of the project's files as walked."""
        return path in self._file_set

    def _read(self, path: str) -> bytes | _Absent:
        if not _is_project_path(path):
            return _ABSENT  # not a path a finding could name: nothing to read or report
        limit = max((READ_LIMIT_BY_KIND.get(k, READ_LIMIT) for k in kinds_of(path)), default=0)
        limit = limit or READ_LIMIT
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self._inside(path), flags)
        except OSError as error:
            if error.errno != errno.ELOOP:  # ELOOP: a symlink to no evidence, not read
                self._fail(path, f"cannot be read: {error.strerror or error}")
            return _ABSENT
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return _ABSENT
            content = read_prefix(fd, limit + 1, info.st_size + 1)
            # A file that grew past the limit while being read is treated as too large.
            return _ABSENT if len(content) > limit else content
        except OSError as error:
            self._fail(path, f"cannot be read: {error.strerror or error}")
            return _ABSENT
        finally:
            os.close(fd)

    def _inside(self, path: str) -> str:
        """The path to open: a symlink's target when it stays inside the project and out of
        git's data (the walk lists such links as files), else the path itself, which
        O_NOFOLLOW then refuses."""
        full = os.path.join(self.root, path)
        if not os.path.islink(full):
            return full
        target = os.path.realpath(full)
        return target if symlink_refusal(target, os.path.realpath(self.root)) is None else full

    def text(self, path: str) -> str | None:
        """The file decoded as UTF-8 (a BOM dropped), once; undecodable text is a failure
        at the line of the first bad byte."""
        cached = self._text.get(path)
        if cached is None:
            cached = self._text[path] = self._decode(path)
        return None if isinstance(cached, _Absent) else cached

    def _decode(self, path: str) -> str | _Absent:
        raw = self.data(path)
        if raw is None:
            return _ABSENT
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            column = error.start - raw.rfind(b"\n", 0, error.start)
            self._fail(path, "is not UTF-8 text", line, column)
            return _ABSENT

    def mentions(self, path: str, *needles: bytes) -> bool:
        """Whether the file's bytes hold any of ``needles``: the cheap test that decides
        before anything is parsed."""
        raw = self.data(path)
        return raw is not None and _needle_pattern(needles).search(raw) is not None

    def find(self, path: str, needle: bytes) -> tuple[int, int] | None:
        """The 1-based line and column of the first ``needle`` in the file, or None: where
        to point at what a byte test found, without parsing."""
        raw = self.data(path)
        at = -1 if raw is None else raw.find(needle)
        if raw is None or at < 0:
            return None
        return raw.count(b"\n", 0, at) + 1, at - raw.rfind(b"\n", 0, at)

    # Parsing ---------------------------------------------------------------------------

    def parse(self, path: str, parser: Callable[[str], T]) -> T | None:
        """``parser(text)`` of the file, computed once per parser and shared by every rule.

        None when the file cannot be read or parsed; the failure is recorded for the rule
        that reports unparseable files. A templated file (Jinja or cookiecutter
        placeholders) that does not parse is not a failure: it is not its format yet.
        """
        key = (path, parser)
        if key in self._parsed:
            value = self._parsed[key]
            return None if value is _ABSENT else value
        text = self.text(path)
        result: Any = _ABSENT
        if text is not None:
            try:
                result = parser(text)
            except ParseError as error:
                if not self._templated(path):
                    self._fail(path, error.message, error.line, error.column)
            except RecursionError:
                self._fail(path, "is nested too deeply to be read")
            except MemoryError:
                self._fail(path, "is too large to be parsed")
            except Exception as error:  # the parsing contract: nothing escapes a parser
                # Only the error's type: a library's message may quote the file, secrets
                # included, in a form no redaction can recognise ('ghp_x' read as an int).
                if not self._templated(path):
                    self._fail(path, f"could not be parsed ({type(error).__name__})")
        self._parsed[key] = result
        return None if result is _ABSENT else result

    def parsed_files(
        self, kind: str, parser: Callable[[str], T], *needles: bytes
    ) -> Iterator[tuple[str, T]]:
        """Each file of ``kind`` that mentions one of ``needles`` (all when none are given),
        parsed by ``parser``; files that fail to parse are left out."""
        for path in self.files(kind):
            if needles and not self.mentions(path, *needles):
                continue
            parsed = self.parse(path, parser)
            if parsed is not None:
                yield path, parsed

    def _templated(self, path: str) -> bool:
        return TEMPLATE_MARK.search(self.data(path) or b"") is not None

    def memo(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()`` once per run for this project: derived evidence shared by rules."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    # Failures --------------------------------------------------------------------------

    def _fail(self, path: str, message: str, line: int = 1, column: int = 1) -> None:
        # The first failure of a file is the one reported: once per file.
        self._failures.setdefault(path, ParseFailure(path, message, line, column))

    @property
    def failures(self) -> tuple[ParseFailure, ...]:
        return tuple(self._failures[path] for path in sorted(self._failures))


_FILE_SET = object()
_FOLDER_SET = object()
_VENDORED_ROOTS = object()


def _is_project_path(path: str) -> bool:
    """A relative ``/``-separated path inside the project: no empty, ``.`` or ``..`` part."""
    return bool(path) and all(part not in ("", ".", "..") for part in path.split("/"))


@functools.lru_cache(maxsize=1024)
def _needle_pattern(needles: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """One search for any of the needles: one pass over the file instead of one a needle."""
    return re.compile(b"|".join(re.escape(needle) for needle in needles))
