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

import functools
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

from mllint_wa import literals
from mllint_wa.bounded import READ_FLAGS, read_prefix, refused_as_symlink, symlink_refusal
from mllint_wa.evidence.file_facts import Codec, FileFacts, Stat, stat_of
from mllint_wa.evidence.kinds import (
    DOCKERFILE,
    DVC,
    JSON,
    LOCK,
    MARKDOWN,
    NOTEBOOK,
    PIPFILE,
    PYPROJECT,
    PYTHON,
    SETUP_CFG,
    SHELL,
    is_installed_or_generated,
    kinds_of,
)
from mllint_wa.parsers import templates
from mllint_wa.records import dataclass

S = TypeVar("S")
T = TypeVar("T")

# Bytes read of a file at most. Notebooks carry their outputs, so they may be larger.
READ_LIMIT = 4 * 1024 * 1024
READ_LIMIT_BY_KIND = {NOTEBOOK: 64 * 1024 * 1024}
# Bytes of a file handed to a parser at most, for the kinds whose readers are pure Python
# and cost 1-2 µs a byte (TOML with positions, INI; lock files are read without positions,
# at a quarter of that), with the dependencies they declare to read after: about a second,
# many times the largest such files written by hand. A larger file is reported as too
# large to be read. Dockerfiles and Markdown documents are read line by line at 3-4 µs a
# byte of their densest form (`RUN a`, `# a` lines): four megabytes took 12 and 7 s. The
# largest Dockerfiles written by hand are some tens of kilobytes; the largest READMEs (long
# lists of links) a few hundred. Other formats are bounded inside
# their parsers, in what drives their cost: YAML tokens, Python names, CloudFormation's own
# template size, ignore patterns, requirements.
PARSE_LIMIT_BY_KIND = {
    PYPROJECT: 256 * 1024,
    PIPFILE: 256 * 1024,
    SETUP_CFG: 256 * 1024,
    DVC: 256 * 1024,
    DOCKERFILE: 256 * 1024,
    MARKDOWN: 512 * 1024,
    LOCK: 2 * 1024 * 1024,
}


# Where O_NOFOLLOW exists, its refusal is what tells a symlink (see Evidence._open).
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)

# From this many needles on, one regex (:mod:`mllint_wa.literals`) finds whether a file holds
# any of them faster than one substring search each, in small files and large.
_MANY_NEEDLES = 16


@functools.lru_cache(maxsize=256)
def _search_any(needles: tuple[bytes, ...]) -> Callable[[bytes], re.Match[bytes] | None]:
    return re.compile(literals.any_of_bytes(needles)).search


def _holds_any(raw: bytes | None, needles: tuple[bytes, ...]) -> bool:
    """Whether ``raw`` holds any of ``needles``: one fast substring search a needle, in a
    loop, not any() over a generator, since extractors ask it of every code file with a few
    needles; many needles (the secret scan's dozens of prefixes) cost one pass of one regex
    instead."""
    if raw is None:
        return False
    if len(needles) >= _MANY_NEEDLES:
        return _search_any(needles)(raw) is not None
    found = False
    for needle in needles:
        if needle in raw:
            found = True
            break
    return found


class ParseError(Exception):
    """Raised by a parser for input it cannot read; ``line``/``column`` start at 1."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


class NewerSyntax(ParseError):
    """Raised for input that is valid in a newer version of its language than the one
    running mllint-wa can read (an f-string of Python 3.12 on Python 3.11): no fault of the
    file, so it is no failure to report; the run notes that the file was not read."""


@dataclass(frozen=True)
class ParseFailure:
    """A file a rule needed that could not be read or parsed, with where it went wrong."""

    path: str
    message: str
    line: int = 1
    column: int = 1
    # For a failure in one part of the file (a notebook cell): that part's content,
    # digested, by which the same part failing in another file is known for a copy.
    copy_of: str = ""


class Derived(Generic[S, T]):
    """A parser that reads what another parser made of a file (YAML documents, say), so
    that :meth:`Evidence.parse` parses the file once, whichever readers ask for it. Called
    on text, it parses the text itself."""

    def __init__(self, base: Callable[[str], S], read: Callable[[S], T]) -> None:
        self.base = base
        self.read = read

    def __call__(self, text: str) -> T:
        return self.read(self.base(text))


class _Absent:
    """What the caches hold for a file that could not be had."""


_ABSENT = _Absent()


class Evidence:
    """One project's files and everything read from them during one run."""

    def __init__(self, root: Path, files: tuple[str, ...], facts: FileFacts | None = None) -> None:
        self.root = root
        self.all_files = files
        self._facts = facts or FileFacts()
        # The stat each file was read with, which decides whether its facts may be kept; None
        # for a file written while it was read (its bytes are no one content).
        self._read_as: dict[str, Stat | None] = {}
        self._by_kind: dict[str, tuple[str, ...]] | None = None
        self._by_kinds: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._data: dict[str, bytes | _Absent] = {}
        self._text: dict[str, str | _Absent] = {}
        self._parsed: dict[tuple[str, Callable[..., Any]], Any] = {}
        self._memo: dict[object, Any] = {}
        self._sizes: dict[str, int | None] = {}
        self._failures: dict[str, ParseFailure] = {}
        self._unread: dict[str, ParseFailure] = {}
        self._templates: dict[str, bool] = {}
        self._mentions: dict[tuple[str, tuple[bytes, ...]], bool] = {}
        # Paths asked about outside the walked files, with the answer (see on_disk).
        self.probes: dict[str, bool | None] = {}

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
        found = self._by_kinds.get(kinds)
        if found is None:
            # Kept: rules ask for the same kinds (code files, say) once per resource.
            found = tuple(sorted({p for kind in kinds for p in self._by_kind.get(kind, ())}))
            self._by_kinds[kinds] = found
        return found

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
        from inside it. Each answer is kept in :attr:`probes`: it depends on more than the
        project's files, so the cache asks it again before it reuses a run's findings."""
        found = self.probes[path] = exists_below(self.root, path)
        return found

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

    def read_already(self, path: str) -> bytes | None:
        """The file's bytes if a rule has had them read, without reading anything."""
        cached = self._data.get(path)
        return None if cached is None or isinstance(cached, _Absent) else cached

    def is_file(self, path: str) -> bool:
        """Whether ``path`` is one of the project's files as walked."""
        return path in self._file_set

    def _read(self, path: str) -> bytes | _Absent:
        if not _is_project_path(path):
            return _ABSENT  # not a path a finding could name: nothing to read or report
        limit = max((READ_LIMIT_BY_KIND.get(k, READ_LIMIT) for k in kinds_of(path)), default=0)
        limit = limit or READ_LIMIT
        try:
            fd = self._open(path)
        except OSError as error:
            if not refused_as_symlink(error):  # a symlink to no evidence, not read
                self._fail(path, f"cannot be read: {error.strerror or error}")
            return _ABSENT
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return _ABSENT
            content = read_prefix(fd, limit + 1, info.st_size + 1)
            # A write moves the file's change time before its bytes land: bytes read before
            # the stat moved are the content the stat names, if the file is the one hashed.
            read_as = stat_of(info)
            self._read_as[path] = read_as if stat_of(os.fstat(fd)) == read_as else None
            # A file that grew past the limit while being read is treated as too large.
            return _ABSENT if len(content) > limit else content
        except OSError as error:
            self._fail(path, f"cannot be read: {error.strerror or error}")
            return _ABSENT
        finally:
            os.close(fd)

    def read_at(self, path: str, offset: int, size: int) -> bytes | None:
        """At most ``size`` bytes (and at most the read limit) of a project file from
        ``offset``, fewer at its end, without reading the rest: for formats whose index
        stands at the end (ZIP). Not cached. None when the path is not a readable regular
        file of the project."""
        if not _is_project_path(path) or offset < 0:
            return None
        try:
            fd = self._open(path)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            os.lseek(fd, offset, os.SEEK_SET)
            wanted = max(0, min(size, READ_LIMIT))
            return read_prefix(fd, wanted, wanted + 1)
        except OSError:
            return None
        finally:
            os.close(fd)

    def _open(self, path: str) -> int:
        """A descriptor of the file, opened to read: a symlink's target when it stays inside
        the project and out of git's data (the walk lists such links as files); any other
        symlink is refused by O_NOFOLLOW. Where O_NOFOLLOW exists, its refusal is
        what tells a symlink: a regular file costs one call, no ``lstat`` first."""
        full = os.path.join(self.root, path)
        if _NO_FOLLOW:
            try:
                return os.open(full, READ_FLAGS)
            except OSError as error:
                if not refused_as_symlink(error):
                    raise
        elif not os.path.islink(full):
            return os.open(full, READ_FLAGS)
        target = os.path.realpath(full)
        allowed = symlink_refusal(target, os.path.realpath(self.root)) is None
        return os.open(target if allowed else full, READ_FLAGS)

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
        before anything is parsed. Answered once per file and needles: rules that ask it for
        each resource a large file defines do not search the file again each time."""
        key = (path, needles)
        found = self._mentions.get(key)
        if found is None:
            found = self._mentions[key] = _holds_any(self.data(path), needles)
        return found

    def mentioning(self, paths: Iterable[str], *needles: bytes) -> Iterator[str]:
        """Each of ``paths`` whose bytes hold any of ``needles``, in order, each file read
        when its turn comes: what :meth:`mentions` tells of each, for a question asked once
        of every code file, whose answers are not worth keeping a file at a time."""
        data = self.data
        for path in paths:
            if _holds_any(data(path), needles):
                yield path

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
        that reports unparseable files. A template (:meth:`templated`) that does not parse
        is not a failure: it is not its format yet. A :class:`Derived` parser reads what its
        base parser made of the file, which is itself parsed once.
        """
        found: T | None
        if isinstance(parser, Derived):
            # What the base parser made of the file, parsed once for every reader of it.
            base = self._parse_once(path, parser.base, self._parsable_text)
            found = self._parse_once(path, parser, lambda _: base, parser.read)
        else:
            found = self._parse_once(path, parser, self._parsable_text)
        return found

    def _parse_once(
        self,
        path: str,
        key: Callable[..., Any],
        source: Callable[[str], Any],
        read: Callable[[Any], Any] | None = None,
    ) -> Any:
        """``read`` (by default ``key``) of the ``source`` of the file, once per ``key``;
        None when there is no source or reading it fails, the failure recorded."""
        if (path, key) in self._parsed:
            value = self._parsed[path, key]
            return None if value is _ABSENT else value
        given = source(path)
        result: Any = _ABSENT
        if given is not None:
            try:
                result = (read or key)(given)
            except NewerSyntax as error:
                self.note_unread(path, error.message, error.line, error.column)
            except ParseError as error:
                if not self.templated(path):
                    self._fail(path, error.message, error.line, error.column)
            except RecursionError:
                self._fail(path, "is nested too deeply to be read")
            except MemoryError:
                self._fail(path, "is too large to be parsed")
            except Exception as error:  # the parsing contract: nothing escapes a parser
                if not self.templated(path):
                    self._fail(path, *_parser_failure(error, given))
        self._parsed[path, key] = result
        return None if result is _ABSENT else result

    def _parsable_text(self, path: str) -> str | None:
        """The file's text, unless it is larger than its kinds let a parser read."""
        limit = min((PARSE_LIMIT_BY_KIND.get(k, READ_LIMIT) for k in kinds_of(path)), default=0)
        raw = self.data(path)
        if raw is not None and limit and len(raw) > limit:
            self._fail(path, f"is too large to be read: more than {limit >> 10:,} KiB")
            return None
        return self.text(path)

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

    def templated(self, path: str) -> bool:
        """Whether the file is a template, not its format until rendered: Jinja or
        cookiecutter placeholders in its own syntax, not in a quoted argument or string
        (see :mod:`mllint_wa.parsers.templates`), or a Helm chart's Go templates."""
        if path not in self._templates:
            text = self.text(path)
            self._templates[path] = text is not None and templates.is_template(
                text, _template_syntax(kinds_of(path)), renders_go=self._in_helm_chart(path)
            )
        return self._templates[path]

    def _in_helm_chart(self, path: str) -> bool:
        """Whether ``path`` lies in the ``templates/`` folder of a chart (a folder that
        holds a ``Chart.yaml``), which Helm renders as Go templates."""
        parts = path.split("/")[:-1]
        return any(
            part == "templates" and self.is_file("/".join([*parts[:index], "Chart.yaml"]))
            for index, part in enumerate(parts)
        )

    def fact(self, path: str, name: str, compute: Callable[[], T], codec: Codec[T]) -> T:
        """``compute()``, a function of the file's bytes alone (read first), kept between
        runs by the file's content (see :mod:`mllint_wa.evidence.file_facts`) and once per
        run."""

        def known() -> T:
            self.data(path)
            return self._facts.get(path, self._read_as.get(path), name, compute, codec)

        return self.memo((Evidence.fact, path, name), known)

    def read_as_hashed(self, hashed: Mapping[str, Stat]) -> bool:
        """Whether every file read that ``hashed`` gives a stat for (the stat it had when its
        content was hashed) was read whole with that stat: what the run found is then what
        those contents hold."""
        return all(
            hashed[path] == read_as for path, read_as in self._read_as.items() if path in hashed
        )

    def memo(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()`` once per run for this project: derived evidence shared by rules."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    # Failures --------------------------------------------------------------------------

    def record_failure(
        self, path: str, message: str, line: int = 1, column: int = 1, copy_of: str = ""
    ) -> None:
        """Record a part of a file that could not be parsed while the rest was (a notebook
        cell, whose content ``copy_of`` digests): reported like a file that could not be
        parsed, once per file, and not for a template."""
        if not self.templated(path):
            self._fail(path, message, line, column, copy_of)

    def _fail(
        self, path: str, message: str, line: int = 1, column: int = 1, copy_of: str = ""
    ) -> None:
        # The first failure of a file is the one reported: once per file.
        self._failures.setdefault(path, ParseFailure(path, message, line, column, copy_of))

    @property
    def failures(self) -> tuple[ParseFailure, ...]:
        return tuple(self._failures[path] for path in sorted(self._failures))

    def note_unread(self, path: str, message: str, line: int = 1, column: int = 1) -> None:
        """Record a file (or a notebook's cell) that was not read through no fault of its
        own: written for a newer Python than the one running (see :class:`NewerSyntax`), or
        a notebook cell its reader is to fill in. Noted once per file, and not for a
        template."""
        if not self.templated(path):
            self._unread.setdefault(path, ParseFailure(path, message, line, column))

    @property
    def unread(self) -> tuple[ParseFailure, ...]:
        """The files noted by :meth:`note_unread`, by path."""
        return tuple(self._unread[path] for path in sorted(self._unread))


# Python's default bound on the digits of an integer it converts from text.
_DEFAULT_INT_DIGITS = 4300
# What Python's ValueError says when that bound stops a conversion ("Exceeds the limit (4300
# digits) for integer string conversion: …"), quoting no text of the file.
_INT_CONVERSION = "for integer string conversion"


def _parser_failure(error: Exception, source: object) -> tuple[str, int, int]:
    """What a parser's own error says of the file, and where: only the error's type, since a
    library's message may quote the file, secrets included, in a form no redaction can
    recognise ('ghp_x' read as an int); an integer too long for Python to read (more digits
    than ``sys.get_int_max_str_digits()``, a bound against quadratic conversion) is named,
    at its place, when that is what the parser met: a file that fails for another reason
    may hold a long run of digits in a string."""
    limit = integer_digits_limit()
    if _INT_CONVERSION in str(error) and isinstance(source, str):
        # From the start of a run of digits only: each run is looked at once.
        found = re.search(rf"(?<!\d)\d{{{limit + 1}}}", source)
        if found is not None:
            line = source.count("\n", 0, found.start()) + 1
            column = found.start() - source.rfind("\n", 0, found.start())
            return integer_too_long(limit), line, column
    return f"could not be parsed ({type(error).__name__})", 1, 1


def integer_digits_limit() -> int:
    """The most digits Python converts to an integer (``sys.get_int_max_str_digits()``), or
    its default where that bound is off."""
    return sys.get_int_max_str_digits() or _DEFAULT_INT_DIGITS


def integer_too_long(limit: int) -> str:
    return f"holds an integer of more than {limit:,} digits, which Python does not read"


def exists_below(root: Path, path: str) -> bool | None:
    """Whether ``path`` exists below ``root``, ignored or not; None when it is absolute or
    climbs out of ``root``."""
    parts = path.replace("\\", "/").split("/")
    if os.path.isabs(path) or ".." in parts:
        return None
    try:
        os.lstat(root / path)
    except (OSError, ValueError):  # ValueError: a NUL, which no file's name holds
        return False
    return True


def _template_syntax(kinds: frozenset[str]) -> str:
    """How a file of ``kinds`` quotes text, for :func:`templates.is_template`."""
    if PYTHON in kinds:
        return templates.PYTHON
    if NOTEBOOK in kinds or JSON in kinds:
        return templates.JSON
    if DOCKERFILE in kinds:
        return templates.DOCKERFILE
    if SHELL in kinds:
        return templates.SHELL
    return templates.TEXT


_FILE_SET = object()
_FOLDER_SET = object()
_VENDORED_ROOTS = object()


def _is_project_path(path: str) -> bool:
    """A relative ``/``-separated path inside the project: no empty, ``.`` or ``..`` part."""
    return bool(path) and all(part not in ("", ".", "..") for part in path.split("/"))
