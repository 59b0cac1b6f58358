"""Shell command text as Dockerfiles, CI definitions and scripts hold it, with positions.

A :class:`Script` is the text of a shell command or script together with where each of its
pieces sits in the file it came from, so that something found at an offset of the text can
be reported at its line and column in that file (a Dockerfile ``RUN`` joined across ``\\``
continuations, a CI ``run: |`` block, a Jenkins ``sh '''…'''`` string).

The readers here are text matchers, not a shell parser: they mask comments (a commented-out
``curl … | sh`` is not run) and look for a few unambiguous command shapes.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Script:
    """Shell text; ``segments`` holds ``(offset, line, column)`` for the start of each piece
    of the text that is contiguous in the file, in increasing offset order."""

    text: str
    segments: tuple[tuple[int, int, int], ...]

    @functools.cached_property
    def _starts(self) -> list[int]:
        # Taken once: every lookup is then a binary search, so a script with a finding on
        # each of its lines is read in time proportional to its length.
        return [segment[0] for segment in self.segments]

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column in the file of the character at ``offset``."""
        if not self.segments:
            return 1, 1
        index = max(0, bisect.bisect_right(self._starts, offset) - 1)
        start, line, column = self.segments[index]
        return line, column + max(0, offset - start)

    @classmethod
    def at(cls, text: str, line: int, column: int) -> Script:
        """Text that sits in the file as written, starting at ``line``/``column``: each of
        its lines after the first starts at column 1 of the next line."""
        return cls.of_lines(
            [
                (line + number, column if number == 0 else 1, piece)
                for number, piece in enumerate(text.split("\n"))
            ]
        )

    @classmethod
    def of_lines(cls, lines: list[tuple[int, int, str]]) -> Script:
        """Lines ``(line, column, text)`` joined by newlines."""
        segments = []
        offset = 0
        for line, column, piece in lines:
            segments.append((offset, line, column))
            offset += len(piece) + 1
        return cls("\n".join(piece for _, _, piece in lines), tuple(segments))

    def tail(self, start: int) -> Script:
        """The script from ``start`` on, with positions kept."""
        kept = [(0, *self.position(start))]
        later = self.segments[bisect.bisect_right(self._starts, start) :]
        kept += [(offset - start, line, column) for offset, line, column in later]
        return Script(self.text[start:], tuple(kept))


def mask_comments(text: str) -> str:
    """``text`` with shell comments blanked out, offsets unchanged.

    A ``#`` starts a comment at the start of a word outside quotes. Quote state is reset at
    each line end: an apostrophe in prose (``# don't``) must not hide the rest of a script."""
    out = list(text)
    quote = ""
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\n":
            quote = ""
        elif quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                index += 1
        elif char == "\\":
            index += 1
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t\n;&|("):
            end = text.find("\n", index)
            end = length if end < 0 else end
            out[index:end] = " " * (end - index)
            index = end
            continue
        index += 1
    return "".join(out)


def _code(text: str) -> str:
    # Continuations are whitespace to the shell; both characters become blanks.
    return mask_comments(text).replace("\\\n", "  ").replace("\\\r\n", "   ")


_FETCH = r"(?<![\w.-])(?P<tool>curl|wget)(?![\w.-])"
_SHELL = (
    r"(?:sudo(?:\s+-\S+)*\s+)?(?:env(?:\s+\w+=\S*)*\s+)?"
    r"(?:/usr)?(?:/local)?(?:/bin/)?(?P<shell>(?:ba|z|da|k|fi)?sh|python(?:[23](?:\.\d+)?)?)"
    r"(?![\w.-])"
)
_DOWNLOAD = re.compile(_FETCH)
# Where a command ends for a pipe: `&&`, `;`, `|`, a newline and a lone `&`; the `&` of a
# redirection such as `2>&1` does not end it.
_SEPARATOR = re.compile(r"[|;\n]|&(?![\d-])")
_PIPED_TO_SHELL = re.compile(r"\|\s*" + _SHELL)
_SUBSTITUTED = (
    # bash <(curl …), source <(curl …)
    (
        re.compile(r"(?<![\w.-])(?P<shell>(?:ba|z|k)?sh|source|\.)\s+<\(\s*" + _FETCH),
        "{shell} <({tool} …)",
    ),
    # sh -c "$(curl …)", eval "$(wget -O- …)"
    (
        re.compile(r"(?<![\w.-])(?P<shell>(?:ba|z|k)?sh\s+-c|eval)\s+[\"']?(?:\$\(|`)\s*" + _FETCH),
        '{shell} "$({tool} …)"',
    ),
)
_URL = re.compile(r"(?:https?|ftp)://[^\s'\"|;)`]+")
_NEWLINE = re.compile("\n")


@dataclass(frozen=True)
class RemoteScript:
    """A downloaded script handed to an interpreter: where the download starts, its shape
    (``curl … | sh``) and the host it comes from when the URL is written out."""

    offset: int
    shape: str
    host: str | None


def remote_scripts(text: str) -> list[RemoteScript]:
    """Every place ``text`` pipes a download into a shell or interpreter, comments aside."""
    code = _code(text)
    # A download's URL is the first one after it on its line. The URLs and line ends are
    # found once and looked up by binary search: searched for from each download, they
    # would be read again for every download of a long line.
    urls = list(_URL.finditer(code))
    url_starts = [url.start() for url in urls]
    line_ends = [newline.start() for newline in _NEWLINE.finditer(code)]
    found: dict[int, RemoteScript] = {}
    for tool, shape in (*_piped(code), *_substituted(code)):
        line = bisect.bisect_left(line_ends, tool)
        line_end = line_ends[line] if line < len(line_ends) else len(code)
        after = bisect.bisect_left(url_starts, tool)
        url = urls[after] if after < len(urls) and url_starts[after] < line_end else None
        host = urlsplit(url.group()).hostname if url else None
        found.setdefault(tool, RemoteScript(tool, shape, host))
    return [found[offset] for offset in sorted(found)]


def _piped(code: str) -> Iterator[tuple[int, str]]:
    """``curl … | sh``, ``wget -qO- … | sudo bash -s --``: the first download of a command
    whose pipe feeds an interpreter, with its shape.

    A command's end is looked up once for all the downloads in it, not searched for from
    each of them: a command of thousands of ``curl`` words is read once."""
    separators = [match.start() for match in _SEPARATOR.finditer(code)]
    decided = -1  # the separator whose command has had its first download read
    resume = 0
    for download in _DOWNLOAD.finditer(code):
        index = bisect.bisect_left(separators, download.end())
        if index == decided or download.start() < resume:
            continue
        decided = index
        piped = _PIPED_TO_SHELL.match(code, separators[index]) if index < len(separators) else None
        if piped is not None:
            yield download.start(), f"{download.group('tool')} … | {piped.group('shell')}"
            resume = piped.end()


def _substituted(code: str) -> Iterator[tuple[int, str]]:
    """``bash <(curl …)``, ``sh -c "$(curl …)"``: downloads run by substitution."""
    for pattern, shape in _SUBSTITUTED:
        for match in pattern.finditer(code):
            shell = " ".join(match.group("shell").split())
            yield match.start("tool"), shape.format(tool=match.group("tool"), shell=shell)


# Words that mean a test runner runs; a word holding "test" also counts (``make test``,
# ``./run_tests.sh``, ``npm test``), since a missing-tests rule must rather miss than nag.
_TEST_WORDS = frozenset(
    {"pytest", "py.test", "tox", "nox", "nosetests", "unittest", "ward", "behave", "doctest"}
)
_TEST_WORD = re.compile(r"test", re.IGNORECASE)
# Installing or syncing test dependencies is not running tests.
_SETUP_WORDS = frozenset({"install", "sync", "add", "uninstall", "download", "lock", "setup"})
_COMMAND_SPLIT = re.compile(r"&&|\|\||[;|&\n]")
_WORD_CHARS = re.compile(r"[\"'`()]")


def runs_tests(text: str) -> bool:
    """Whether any simple command of ``text`` runs a test suite (``pytest``, ``python -m
    unittest``, ``tox``, ``nox``, ``hatch test``, ``make test``, ``./scripts/test.sh`` …)."""
    for command in _COMMAND_SPLIT.split(_code(text)):
        words = [_WORD_CHARS.sub("", word) for word in command.split()]
        words = [word for word in words if word]
        if not words or any(word in _SETUP_WORDS for word in words):
            continue
        for word in words:
            name = word.rsplit("/", 1)[-1]
            if name in _TEST_WORDS or (_TEST_WORD.search(name) and not word.startswith("-")):
                return True
    return False


def runs_pre_commit(text: str) -> bool:
    """Whether ``text`` runs the pre-commit hooks (``pre-commit run``, ``prek run``)."""
    code = _code(text)
    return re.search(r"(?<![\w.-])(?:pre-commit|prek)\s+run(?![\w-])", code) is not None


def parse_shell_script(text: str) -> Script:
    """A shell script file as a :class:`Script` starting at line 1, column 1."""
    return Script.at(text, 1, 1)
