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


@dataclass(frozen=True)
class Word:
    """A word of a simple command as the shell passes it to the program (quotes removed,
    escapes resolved; an expansion such as ``$VAR`` or ``$(…)`` kept as written), and the
    offset in the text where it starts."""

    text: str
    offset: int


# Characters that end a word and the simple command it belongs to.
_COMMAND_ENDS = frozenset(";&|()\n")
_BLANKS = frozenset(" \t\r")


def simple_commands(text: str) -> list[tuple[Word, ...]]:
    """The simple commands of shell ``text``, each as its words, in order.

    Commands end at ``;``, ``&``, ``&&``, ``|``, ``||``, parentheses and line ends outside
    quotes; a backslash before a line end continues the line; comments are dropped, and so
    are redirections with their targets (``2>&1``, ``> /dev/null``, ``<<EOF``). Quoted
    text, ``$(…)``, ``${…}`` and backquotes belong to the word they stand in. One pass over
    the text: each character is looked at a bounded number of times."""
    return _Splitter(mask_comments(text)).commands()


class _Splitter:
    def __init__(self, code: str) -> None:
        self.code = code
        self.index = 0
        self.found: list[tuple[Word, ...]] = []
        self.words: list[Word] = []
        self.chars: list[str] = []
        self.start = -1

    def commands(self) -> list[tuple[Word, ...]]:
        code = self.code
        while self.index < len(code):
            char = code[self.index]
            if char in _BLANKS:
                self._end_word()
                self.index += 1
            elif char == "&" and code.startswith("&>", self.index):
                self._redirection()
            elif char in _COMMAND_ENDS:
                self._end_command()
                self.index += 1
            elif char in "<>":
                self._redirection()
            else:
                self._word_part()
        self._end_command()
        return self.found

    def _begin(self) -> None:
        if self.start < 0:
            self.start = self.index

    def _end_word(self) -> None:
        if self.start >= 0:
            self.words.append(Word("".join(self.chars), self.start))
        self.chars, self.start = [], -1

    def _end_command(self) -> None:
        self._end_word()
        if self.words:
            self.found.append(tuple(self.words))
        self.words = []

    def _word_part(self) -> None:
        code, index = self.code, self.index
        char = code[index]
        self._begin()
        if char == "\\":
            following = code[index + 1 : index + 2]
            if following == "\n":
                # A continuation joins the lines; a word split by it stays one word only
                # when nothing but the continuation separates its parts.
                self.index = index + 2
                if not self.chars:
                    self.start = -1
                return
            self.chars.append(following)
            self.index = index + 2
        elif char == "'":
            end = code.find("'", index + 1)
            end = len(code) if end < 0 else end
            self.chars.append(code[index + 1 : end])
            self.index = end + 1
        elif char == '"':
            self.index = self._double_quoted(index + 1)
        elif char == "$" and code[index + 1 : index + 2] in ("(", "{"):
            self.index = self._balanced(index + 1)
        elif char == "`":
            end = code.find("`", index + 1)
            end = len(code) if end < 0 else end
            self.chars.append(code[index : end + 1])
            self.index = end + 1
        else:
            self.chars.append(char)
            self.index = index + 1

    def _double_quoted(self, index: int) -> int:
        """Read a double-quoted part from ``index`` (after the quote); where it ends."""
        code = self.code
        while index < len(code):
            char = code[index]
            if char == '"':
                return index + 1
            if char == "\\" and code[index + 1 : index + 2] in ('"', "\\", "$", "`", "\n"):
                if code[index + 1] != "\n":
                    self.chars.append(code[index + 1])
                index += 2
                continue
            self.chars.append(char)
            index += 1
        return index

    def _balanced(self, index: int) -> int:
        """Keep ``$(…)`` or ``${…}`` starting at the bracket at ``index`` as written."""
        code = self.code
        opening = code[index]
        closing = ")" if opening == "(" else "}"
        depth = 0
        end = index
        while end < len(code):
            if code[end] == opening:
                depth += 1
            elif code[end] == closing:
                depth -= 1
                if depth == 0:
                    break
            end += 1
        self.chars.append(code[index - 1 : end + 1])
        return end + 1

    def _redirection(self) -> None:
        """Drop a redirection: a file-descriptor number just before it, its operator, and
        its target (``2>&1``, ``>> log``, ``<<-EOF``)."""
        code = self.code
        if self.chars and "".join(self.chars).isdigit():
            self.chars, self.start = [], -1
        self._end_word()
        index = self.index
        while index < len(code) and code[index] in "<>&|-":
            index += 1
        while index < len(code) and code[index] in _BLANKS:
            index += 1
        self.index = index
        # The target: one word, read and thrown away.
        words, chars, start = self.words, self.chars, self.start
        while self.index < len(code) and code[self.index] not in _BLANKS:
            if code[self.index] in _COMMAND_ENDS or code[self.index] in "<>":
                break
            self._word_part()
        self.words, self.chars, self.start = words, chars, start
