"""Shell command text as Dockerfiles, CI definitions and scripts hold it, with positions.

A :class:`Script` is the text of a shell command or script together with where each of its
pieces sits in the file it came from, so that something found at an offset of the text can
be reported at its line and column in that file (a Dockerfile ``RUN`` joined across ``\\``
continuations, a CI ``run: |`` block, a Jenkins ``sh '''…'''`` string).

:func:`remote_scripts` reads a script as the shell does — words, quotes, comments, operators,
substitutions, heredocs — so that only what the shell would run counts: a ``curl … | sh``
that is echoed, written to a file, assigned or commented out runs nothing, and one in ``sh
-c "…"``, ``eval`` or ``$(…)`` runs. The test-command readers are text matchers that mask
comments and look for a few unambiguous command words.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from mllint_wa.records import dataclass


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


# -- What the shell runs ------------------------------------------------------------------
#
# Whether text is run is the shell's grammar to say, not the line's content: `echo "curl … |
# sh"` prints a pipe, `cat <<EOF` writes its body, `hint='curl … | sh'` assigns one, and only
# a command substitution, `sh -c`, `eval` or a heredoc read by a shell runs such text. The
# lexer reads words, quotes, comments, operators, substitutions and heredocs in one pass,
# keeping the constructs nested in each other on a stack of its own (no recursion: no depth
# of nesting can fail it), and records every script it meets — the text itself, each `$(…)`,
# `` `…` ``, `<(…)` and `( … )`, each heredoc a shell reads — as pipelines of commands whose
# words keep the offsets of their characters. A construct still open at the end of the text
# is closed there.

# Runs of characters with no meaning to the lexer, by where they stand.
_SPECIAL = frozenset(" \t\r\n\\'\"`$|&;()<>#")
_PLAIN = re.compile(r"[^ \t\r\n\\'\"`$|&;()<>#]+")
_BLANKS = re.compile(r"[ \t\r]+")
_DOUBLE_QUOTED = re.compile(r'[^"\\$`]+')
_IN_PARAMETER = re.compile(r"[^{}\\\"'$`]+")
_IN_ARITHMETIC = re.compile(r"[^()\\$`]+")
_IN_HEREDOC = re.compile(r"[^\\$`]+")
_ANSI_C_QUOTED = re.compile(r"(?:[^'\\]|\\.)*", re.S)
_LINE_END = re.compile(r"\r?\n")
_REDIRECTION = re.compile(r"<<<|<<-|<<|<>|<&|<|>>|>&|>\||>|&>>|&>")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]\n]*\])?\+?=")
_URL = re.compile(r"(?:https?|ftp)://[^\s'\"|;)`]+")
# What a substitution leaves in a word's value: its output, which is not known.
_SUBSTITUTED = "\x00"

_SCRIPT, _DOUBLE_QUOTE, _PARAMETER, _ARITHMETIC, _HEREDOC_TEXT = range(5)


class _Node:
    """A script the shell runs: its pipelines of commands. ``kind`` is how it is run: the
    text itself (``""``), ``$(``, ``` ` ```, ``<(``, ``>(``, ``(`` or a heredoc (``<<``)."""

    __slots__ = ("kind", "pipelines")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.pipelines: list[list[_Command]] = []


class _Word:
    """A word: its value with quotes removed (each substitution one placeholder), the offset
    in the text where each piece of the value comes from, and the scripts substituted in it."""

    __slots__ = ("origins", "pieces", "start", "substitutions", "value")

    def __init__(self, start: int) -> None:
        self.start = start
        self.pieces: list[str] = []
        self.origins: list[int] = []
        self.value = ""
        self.substitutions: tuple[_Node, ...] = ()

    def add(self, piece: str, origin: int) -> None:
        self.pieces.append(piece)
        self.origins.append(origin)

    def mapped(self) -> list[int]:
        """The offset in the text of each character of the value."""
        offsets: list[int] = []
        for piece, origin in zip(self.pieces, self.origins, strict=True):
            offsets.extend(range(origin, origin + len(piece)))
        return offsets

    def substituted(self, *kinds: str) -> _Node | None:
        """The script this word is nothing but the output (or the path) of, if of ``kinds``."""
        if (
            self.value == _SUBSTITUTED
            and self.substitutions
            and self.substitutions[0].kind in kinds
        ):
            return self.substitutions[0]
        return None


class _Heredoc:
    __slots__ = ("body", "command", "delimiter", "quoted", "strip_tabs")

    def __init__(self, word: _Word, quoted: bool, strip_tabs: bool, command: _Command) -> None:
        self.delimiter = word.value
        self.quoted = quoted
        self.strip_tabs = strip_tabs
        self.command = command
        self.body: tuple[int, int] | None = None


class _Command:
    __slots__ = ("heredocs", "redirections", "words")

    def __init__(self) -> None:
        self.words: list[_Word] = []
        self.redirections: list[tuple[str, _Word]] = []
        self.heredocs: list[_Heredoc] = []


class _Frame:
    """A construct being read: a script (``closer`` is what ends it), a double-quoted
    string, a ``${…}``, an arithmetic ``$((…))`` or a heredoc's expanded text; ``word`` is
    the word the characters read go to. What only a script's frame holds is set by
    :func:`_script_frame`; the rest keeps these defaults until set."""

    closer = ""
    node: _Node | None = None
    pipeline: list[_Command]
    command: _Command
    redirection: str | None = None
    quoted = False  # whether the word being read has a quoted part
    cases = 0  # `case` commands open: their patterns end with a `)`
    piped = False  # a `|` was the last thing read: the pipeline goes on
    depth = 0  # braces or parentheses open in a ${…} or $((…))
    in_double_quotes = False

    def __init__(self, kind: int, word: _Word | None = None) -> None:
        self.kind = kind
        self.word = word


def _script_frame(node: _Node, closer: str = "") -> _Frame:
    frame = _Frame(_SCRIPT)
    frame.node = node
    frame.closer = closer
    frame.pipeline = []
    frame.command = _Command()
    return frame


class _Lexer:
    """Reads shell text into the scripts it runs (:attr:`nodes`) and its heredocs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.nodes: list[_Node] = []
        self.heredocs: list[_Heredoc] = []
        self._pending: list[_Heredoc] = []
        # The bodies of a Dockerfile's heredocs, kept apart from the command.
        self._bodies: Iterator[tuple[int, int]] | None = None
        self._stack: list[_Frame] = []

    def script(
        self, start: int, end: int, kind: str = "", bodies: list[tuple[int, int]] | None = None
    ) -> None:
        """Read ``text[start:end]`` as a script; ``bodies`` are its heredocs' bodies when
        they are not on the lines after them (a Dockerfile's)."""
        node = _Node(kind)
        self.nodes.append(node)
        self._stack.append(_script_frame(node))
        self._bodies = None if bodies is None else iter(bodies)
        self._run(start, end)
        self._bodies = None

    def expansions(self, start: int, end: int) -> None:
        """Read ``text[start:end]`` as a heredoc's body whose delimiter is unquoted: only
        its substitutions are run."""
        self._stack.append(_Frame(_HEREDOC_TEXT, word=_Word(start)))
        self._run(start, end)

    def _run(self, position: int, end: int) -> None:
        stack = self._stack
        steps = {
            _SCRIPT: self._script_step,
            _DOUBLE_QUOTE: self._double_quote_step,
            _PARAMETER: self._parameter_step,
            _ARITHMETIC: self._arithmetic_step,
            _HEREDOC_TEXT: self._heredoc_step,
        }
        while stack:
            frame = stack[-1]
            if position >= end:
                self._close(frame, end)
                continue
            position = steps[frame.kind](frame, position, end)

    # Scripts -----------------------------------------------------------------------------

    def _script_step(self, frame: _Frame, position: int, end: int) -> int:
        """Read a script up to the next construct that opens or closes."""
        text = self.text
        while position < end:
            char = text[position]
            if char not in _SPECIAL:
                word = frame.word or _word(frame, position)
                stop = _PLAIN.match(text, position, end).end()  # type: ignore[union-attr]
                word.pieces.append(text[position:stop])
                word.origins.append(position)
                position = stop
            elif char in " \t\r":
                self._end_word(frame)
                position = _past(_BLANKS, text, position, end)
            elif char == "\n":
                self._end_word(frame)
                if not frame.piped:
                    self._end_pipeline(frame)
                position = self._read_heredocs(position + 1, end)
            elif char == "#" and frame.word is None:
                newline = text.find("\n", position, end)
                position = end if newline < 0 else newline
            elif char in ";&|":
                position = self._operator(frame, position, end)
            elif char in "<>":
                if text.startswith("(", position + 1) and frame.word is None:
                    self._open_script(_word(frame, position), char + "(", ")", position)
                    return position + 2
                position = self._redirection(frame, position, end)
            elif char == "(":
                self._end_word(frame)
                if text.startswith("((", position) and not frame.command.words:
                    self._stack.append(_Frame(_ARITHMETIC, word=_Word(position)))
                    return position + 2
                self._open_script(None, "(", ")", position)  # a subshell
                return position + 1
            elif char == ")":
                if frame.closer == ")" and not frame.cases:
                    self._close(frame, position)
                    return position + 1
                self._end_pipeline(frame)  # the end of a `case` pattern
                position += 1
            elif char == "`":
                if frame.closer == "`":
                    self._close(frame, position)
                    return position + 1
                self._open_script(_word(frame, position), "`", "`", position)
                return position + 1
            elif char == "'":
                word = _word(frame, position)
                frame.quoted = True
                close = text.find("'", position + 1, end)
                close = end if close < 0 else close
                word.add(text[position + 1 : close], position + 1)
                position = close + 1
            elif char == '"':
                _word(frame, position)
                frame.quoted = True
                self._stack.append(_Frame(_DOUBLE_QUOTE, word=frame.word))
                return position + 1
            elif char == "\\":
                continued = _LINE_END.match(text, position + 1, end)
                if continued is not None:
                    position = continued.end()
                    continue
                word = _word(frame, position)
                frame.quoted = True
                word.add(text[position + 1 : position + 2], position + 1)
                position += 2
            elif char == "$":
                return self._dollar(_word(frame, position), position, end, False)
            else:  # a `#` inside a word
                _word(frame, position).add(char, position)
                position += 1
        return position

    def _operator(self, frame: _Frame, position: int, end: int) -> int:
        text = self.text
        if text.startswith("&>", position):
            return self._redirection(frame, position, end)
        if text.startswith("|", position) and not text.startswith("||", position):
            self._end_command(frame)
            frame.piped = True
            return position + (2 if text.startswith("|&", position) else 1)
        self._end_pipeline(frame)
        for operator in ("&&", "||", ";;&", ";;", ";&"):
            if text.startswith(operator, position):
                return position + len(operator)
        return position + 1  # `;` or `&`

    def _redirection(self, frame: _Frame, position: int, end: int) -> int:
        operator = _REDIRECTION.match(self.text, position, end)
        assert operator is not None
        word = frame.word
        if word is not None and not frame.quoted and "".join(word.pieces).isdigit():
            frame.word = None  # the number of the file descriptor redirected
        else:
            self._end_word(frame)
        frame.redirection = operator.group()
        return operator.end()

    def _open_script(self, word: _Word | None, kind: str, closer: str, position: int) -> None:
        node = _Node(kind)
        self.nodes.append(node)
        if word is not None:
            word.substitutions = (*word.substitutions, node)
            word.add(_SUBSTITUTED, position)
        self._stack.append(_script_frame(node, closer))

    def _close(self, frame: _Frame, position: int) -> None:
        if frame.kind == _SCRIPT:
            self._end_pipeline(frame)
            if len(self._stack) == 1:
                self._read_heredocs(position, position)
        self._stack.pop()

    def _end_word(self, frame: _Frame) -> None:
        word = frame.word
        if word is None:
            return
        frame.word = None
        word.value = "".join(word.pieces)
        quoted, frame.quoted = frame.quoted, False
        command = frame.command
        operator, frame.redirection = frame.redirection, None
        if operator in ("<<", "<<-"):
            heredoc = _Heredoc(word, quoted, operator == "<<-", command)
            command.heredocs.append(heredoc)
            self.heredocs.append(heredoc)
            self._pending.append(heredoc)
        elif operator is not None:
            command.redirections.append((operator, word))
        else:
            command.words.append(word)
            if word.value == "case" and len(command.words) == 1:
                frame.cases += 1
            elif word.value == "esac" and len(command.words) == 1 and frame.cases:
                frame.cases -= 1

    def _end_command(self, frame: _Frame) -> None:
        self._end_word(frame)
        command = frame.command
        if command.words or command.redirections or command.heredocs:
            frame.pipeline.append(command)
            frame.command = _Command()
        frame.redirection = None

    def _end_pipeline(self, frame: _Frame) -> None:
        self._end_command(frame)
        if frame.pipeline and frame.node is not None:
            frame.node.pipelines.append(frame.pipeline)
            frame.pipeline = []
        frame.piped = False

    def _read_heredocs(self, position: int, end: int) -> int:
        """Give the heredocs opened on the line just read their bodies: the lines from
        ``position`` on, up to each one's delimiter line (a Dockerfile's are given)."""
        if not self._pending:
            return position
        text = self.text
        for heredoc in self._pending:
            if self._bodies is not None:
                heredoc.body = next(self._bodies, None)
                continue
            start = position
            while position < end:
                newline = text.find("\n", position, end)
                line_end = end if newline < 0 else newline
                first = position
                if heredoc.strip_tabs:
                    while first < line_end and text[first] == "\t":
                        first += 1
                if line_end - first == len(heredoc.delimiter) and text.startswith(
                    heredoc.delimiter, first
                ):
                    heredoc.body = (start, position)
                    position = line_end + 1
                    break
                position = line_end + 1
            else:
                heredoc.body = (start, end)
                position = end
        self._pending = []
        return min(position, end)

    # Quoted text, parameters, arithmetic -------------------------------------------------

    def _dollar(self, word: _Word, position: int, end: int, in_double_quotes: bool) -> int:
        """``$(…)``, ``$((…))``, ``${…}``, ``$'…'`` or a plain ``$`` at ``position``."""
        text = self.text
        following = text[position + 1 : position + 2]
        if following == "(":
            if text.startswith("((", position + 1):
                word.add(_SUBSTITUTED, position)
                self._stack.append(_Frame(_ARITHMETIC, word=_Word(position)))
                return position + 3
            self._open_script(word, "$(", ")", position)
            return position + 2
        if following == "{":
            frame = _Frame(_PARAMETER, word=word)
            frame.depth = 1
            frame.in_double_quotes = in_double_quotes
            word.add("${", position)
            self._stack.append(frame)
            return position + 2
        if following == "'" and not in_double_quotes:
            quoted = _ANSI_C_QUOTED.match(text, position + 2, end)  # may be empty
            stop = position + 2 if quoted is None else quoted.end()
            word.add(text[position + 2 : stop], position + 2)
            self._stack[-1].quoted = True
            return stop + 1
        word.add("$", position)
        return position + 1

    def _expansion(self, word: _Word, position: int, end: int, in_double_quotes: bool) -> int:
        """The ``$…`` or backquoted substitution at ``position``: where reading goes on."""
        if self.text.startswith("$", position):
            return self._dollar(word, position, end, in_double_quotes)
        self._open_script(word, "`", "`", position)
        return position + 1

    def _double_quote_step(self, frame: _Frame, position: int, end: int) -> int:
        text = self.text
        word = _text_word(frame)
        while position < end:
            char = text[position]
            if char == '"':
                self._stack.pop()
                return position + 1
            if char == "\\":
                following = text[position + 1 : position + 2]
                if following == "\n":
                    position += 2
                elif following and following in '$`"\\':
                    word.add(following, position + 1)
                    position += 2
                else:
                    word.add("\\", position)
                    position += 1
            elif char in "$`":
                return self._expansion(word, position, end, True)
            else:
                stop = _past(_DOUBLE_QUOTED, text, position, end)
                word.add(text[position:stop], position)
                position = stop
        return position

    def _parameter_step(self, frame: _Frame, position: int, end: int) -> int:
        text = self.text
        word = _text_word(frame)
        while position < end:
            char = text[position]
            if char in "{}":
                frame.depth += 1 if char == "{" else -1
                word.add(char, position)
                position += 1
                if not frame.depth:
                    self._stack.pop()
                    return position
            elif char == "\\":
                word.add(text[position : position + 2], position)
                position += 2
            elif char == '"':
                self._stack.append(_Frame(_DOUBLE_QUOTE, word=word))
                return position + 1
            elif char == "'" and not frame.in_double_quotes:
                close = text.find("'", position + 1, end)
                close = end if close < 0 else close
                word.add(text[position + 1 : close], position + 1)
                position = close + 1
            elif char == "'":
                word.add(char, position)
                position += 1
            elif char in "$`":
                return self._expansion(word, position, end, frame.in_double_quotes)
            else:
                stop = _past(_IN_PARAMETER, text, position, end)
                word.add(text[position:stop], position)
                position = stop
        return position

    def _arithmetic_step(self, frame: _Frame, position: int, end: int) -> int:
        text = self.text
        word = _text_word(frame)
        while position < end:
            char = text[position]
            if char == "(":
                frame.depth += 1
                position += 1
            elif char == ")":
                if not frame.depth:
                    self._stack.pop()
                    return position + (2 if text.startswith("))", position) else 1)
                frame.depth -= 1
                position += 1
            elif char == "\\":
                position += 2
            elif char in "$`":
                return self._expansion(word, position, end, True)
            else:
                position = _past(_IN_ARITHMETIC, text, position, end)
        return position

    def _heredoc_step(self, frame: _Frame, position: int, end: int) -> int:
        text = self.text
        word = _text_word(frame)
        while position < end:
            char = text[position]
            if char == "\\":
                position += 2
            elif char in "$`":
                return self._expansion(word, position, end, True)
            else:
                position = _past(_IN_HEREDOC, text, position, end)
        return position


def _past(pattern: re.Pattern[str], text: str, position: int, end: int) -> int:
    """Where the run of ``pattern`` at ``position`` ends; a character on if none starts."""
    run = pattern.match(text, position, end)
    return run.end() if run is not None and run.end() > position else position + 1


def _text_word(frame: _Frame) -> _Word:
    """The word a quoted string's, a parameter's or an arithmetic frame's text goes to."""
    assert frame.word is not None  # given when the frame is opened
    return frame.word


def _word(frame: _Frame, position: int) -> _Word:
    """The word being read in ``frame``, started at ``position`` if none is."""
    if frame.word is None:
        frame.word = _Word(position)
        frame.piped = False
    return frame.word


# -- Downloads run by an interpreter --------------------------------------------------------

_DOWNLOADERS = frozenset({"curl", "wget"})
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "fish"})
_PYTHON = re.compile(r"python(?:[23](?:\.\d+)?)?")
# Words a command may start with that are not what it runs.
_RESERVED = frozenset({"!", "{", "if", "then", "else", "elif", "do", "while", "until"})
# Commands that run the command that follows their options (and, for `timeout`, a duration):
# the letters of the options that take a value.
_WRAPPERS = {
    "sudo": frozenset("CDghpRrTtUu"),
    "doas": frozenset("Cu"),
    "env": frozenset("CPSu"),
    "nice": frozenset("n"),
    "nohup": frozenset(),
    "exec": frozenset("a"),
    "time": frozenset("fo"),
    "command": frozenset(),
    "timeout": frozenset("ks"),
}
_LONG_OPTIONS_WITH_VALUE = frozenset(
    {"--user", "--group", "--prompt", "--chdir", "--host", "--role", "--type", "--other-user",
     "--close-from", "--unset", "--split-string", "--adjustment", "--signal", "--kill-after",
     "--rcfile", "--init-file"}
)  # fmt: skip
# How many times a string run by `sh -c` or `eval` is read in turn as a script of its own.
_MAX_REREADS = 3


@dataclass(frozen=True)
class RemoteScript:
    """A downloaded script handed to an interpreter: where the download starts, its shape
    (``curl … | sh``) and the host it comes from when the URL is written out."""

    offset: int
    shape: str
    host: str | None


def remote_scripts(
    text: str, heredoc_bodies: Sequence[tuple[int, int]] | None = None
) -> list[RemoteScript]:
    """Every place ``text`` runs a downloaded script: pipes it into a shell or Python reading
    its standard input, or runs it through ``bash <(curl …)``, ``sh -c "$(curl …)"`` or
    ``eval "$(curl …)"`` — in the text itself, in every substitution, in the strings ``sh
    -c`` and ``eval`` run and in the heredocs a shell reads. Text that is only printed,
    written to a file, assigned or commented out runs nothing.

    ``heredoc_bodies`` is for a Dockerfile's ``RUN``, whose heredocs' bodies are kept apart:
    the command is the text up to the first of them, and a heredoc that no command reads
    (``RUN <<EOF``) is run by the shell, as BuildKit runs it."""
    found: dict[int, RemoteScript] = {}
    for offset, shape, host in _remote(text, heredoc_bodies, 0):
        found.setdefault(offset, RemoteScript(offset, shape, host))
    return [found[offset] for offset in sorted(found)]


def _remote(
    text: str, heredoc_bodies: Sequence[tuple[int, int]] | None, rereads: int
) -> Iterator[tuple[int, str, str | None]]:
    if "curl" not in text and "wget" not in text:
        return
    lexer = _read(text, heredoc_bodies)
    for node in lexer.nodes:
        for pipeline in node.pipelines:
            for feeding, fed in itertools.pairwise(pipeline):
                download = _download(feeding)
                interpreter = _piped_interpreter(fed)
                if download is not None and interpreter is not None:
                    word, tool, host = download
                    yield word.start, f"{tool} … | {interpreter}", host
            for command in pipeline:
                yield from _interpreted(command, rereads)


@dataclass(frozen=True)
class CommandWord:
    """A word of a command as the shell reads it: its value with quotes removed and the
    offset in the text of each of its characters. ``literal`` is false when part of it is
    only known when the script runs (a ``$VAR``, a substitution)."""

    value: str
    offsets: tuple[int, ...]

    @property
    def offset(self) -> int:
        return self.offsets[0] if self.offsets else 0

    @property
    def literal(self) -> bool:
        return "$" not in self.value and _SUBSTITUTED not in self.value


def commands(text: str) -> list[tuple[CommandWord, ...]]:
    """The words of each simple command ``text`` runs, from what it runs on (past
    assignments and wrappers such as ``sudo`` or ``env``), in the order they are written:
    commands inside substitutions, ``( … )`` and heredocs a shell reads included; what is
    only echoed, assigned or commented out is not a command."""
    found: list[tuple[CommandWord, ...]] = []
    for node in _read(text, None).nodes:
        for pipeline in node.pipelines:
            for command in pipeline:
                program = _program(command.words)
                if program is None:
                    continue
                found.append(
                    tuple(
                        CommandWord(word.value, tuple(word.mapped()) or (word.start,))
                        for word in command.words[program[0] :]
                    )
                )
    return sorted(found, key=lambda words: words[0].offset if words else 0)


def _read(text: str, heredoc_bodies: Sequence[tuple[int, int]] | None) -> _Lexer:
    """The scripts ``text`` runs, heredocs read by a shell included."""
    bodies = None if heredoc_bodies is None else list(heredoc_bodies)
    lexer = _Lexer(text)
    lexer.script(0, bodies[0][0] - 1 if bodies else len(text), bodies=bodies)
    # A heredoc's body is read once the command reading it is known.
    index = 0
    while index < len(lexer.heredocs):
        heredoc = lexer.heredocs[index]
        index += 1
        if heredoc.body is None:
            continue
        start, end = heredoc.body
        if _runs_heredoc(heredoc, text, bodies is not None):
            lexer.script(start, end, "<<")
        elif not heredoc.quoted:
            lexer.expansions(start, end)
    return lexer


def _runs_heredoc(heredoc: _Heredoc, text: str, dockerfile: bool) -> bool:
    """Whether a shell runs the heredoc's body: the command reading it is a shell reading
    its standard input or, in a Dockerfile, there is none (``RUN <<EOF``) and the body does
    not name another interpreter on a ``#!`` line."""
    if heredoc.command.words:
        return _stdin_interpreter(heredoc.command) in _SHELLS
    if not dockerfile or heredoc.body is None:
        return False
    start, end = heredoc.body
    if not text.startswith("#!", start):
        return True
    newline = text.find("\n", start, end)
    names = [
        word.rpartition("/")[2]
        for word in text[start + 2 : end if newline < 0 else newline].split()
    ]
    if names[:1] == ["env"]:
        names = [name for name in names[1:] if not name.startswith("-")]
    return bool(names) and names[0] in _SHELLS


def _program(words: list[_Word]) -> tuple[int, str] | None:
    """The index and name of the word naming what a command runs, past assignments,
    reserved words and wrappers (``sudo -E``, ``env A=1``); None when that is unknown (a
    substitution) or nothing is run (``command -v``)."""
    index = 0
    while index < len(words):
        value = words[index].value
        if _ASSIGNMENT.match(value) or value in _RESERVED:
            index += 1
            continue
        if _SUBSTITUTED in value:
            return None
        name = value.rpartition("/")[2]
        takes_value = _WRAPPERS.get(name)
        if takes_value is None:
            return index, name
        index, letters = _past_options(words, index + 1, takes_value)
        if name == "command" and ("v" in letters or "V" in letters):
            return None
        if name == "timeout":
            index += 1
    return None


def _past_options(words: list[_Word], index: int, takes_value: frozenset[str]) -> tuple[int, str]:
    """The index of the first word after the options from ``index``, and their letters."""
    letters = ""
    while index < len(words):
        value = words[index].value
        if value == "--":
            return index + 1, letters
        if value.startswith("--"):
            index += 2 if value in _LONG_OPTIONS_WITH_VALUE else 1
            continue
        if len(value) < 2 or value[0] != "-":
            break
        letters += value[1:]
        index += 1
        for position, letter in enumerate(value[1:], start=2):
            if letter in takes_value:
                index += position == len(value)  # its value is the next word
                break
    return index, letters


def _shell_arguments(words: list[_Word], index: int) -> tuple[bool, bool, list[_Word]]:
    """A shell's ``-c`` and ``-s`` options and its operands, from the word after its name."""
    command = reads_stdin = False
    while index < len(words):
        value = words[index].value
        if value == "--":
            index += 1
            break
        if value.startswith("--"):
            index += 2 if value in _LONG_OPTIONS_WITH_VALUE else 1
            continue
        if len(value) < 2 or value[0] not in "-+":
            break
        letters = value[1:]
        if value[0] == "-":
            command = command or "c" in letters
            reads_stdin = reads_stdin or "s" in letters
        index += 2 if letters[-1:] in ("o", "O") else 1
    return command, reads_stdin, words[index:]


def _python_arguments(words: list[_Word], index: int) -> tuple[str, list[_Word]]:
    """Which option gives Python its program instead of a script (``c``, ``m``, or ``h`` for
    help and version, which run nothing), and its operands."""
    while index < len(words):
        value = words[index].value
        if value == "--":
            index += 1
            break
        if value in ("--help", "--version"):
            return "h", []
        if value.startswith("--"):
            index += 1
            continue
        if len(value) < 2 or value[0] != "-":
            break
        index += 1
        for position, letter in enumerate(value[1:], start=2):
            if letter in "cm":
                return letter, words[index:]
            if letter in "hV?":
                return "h", []
            if letter in "WX":
                index += position == len(value)
                break
    return "", words[index:]


def _stdin_interpreter(command: _Command) -> str | None:
    """The shell or Python a command runs if it runs the script on its standard input
    (``sh``, ``bash -s --``, ``python3 -``)."""
    found = _program(command.words)
    if found is None:
        return None
    index, name = found
    if name in _SHELLS:
        command_string, reads_stdin, operands = _shell_arguments(command.words, index + 1)
        if command_string:
            return None
    elif _PYTHON.fullmatch(name):
        given, operands = _python_arguments(command.words, index + 1)
        if given:
            return None
        reads_stdin = False
    else:
        return None
    if reads_stdin or not operands or operands[0].value == "-":
        return name
    return None


def _piped_interpreter(command: _Command) -> str | None:
    """The interpreter a command runs that runs what is piped into it: its standard input
    is not taken from a file, a heredoc or a string instead."""
    if command.heredocs or any(op in ("<", "<<<") for op, _ in command.redirections):
        return None
    return _stdin_interpreter(command)


def _download(command: _Command) -> tuple[_Word, str, str | None] | None:
    """The word naming ``curl`` or ``wget`` if the command runs one, and the host of the
    first URL among its arguments."""
    found = _program(command.words)
    if found is None or found[1] not in _DOWNLOADERS:
        return None
    index, tool = found
    host = None
    for word in command.words[index + 1 :]:
        url = _URL.search(word.value)
        if url is not None:
            try:
                host = urlsplit(url.group()).hostname
            except ValueError:  # a malformed address (an unclosed `[` of IPv6)
                host = None
            break
    return command.words[index], tool, host


def _first_download(node: _Node) -> tuple[_Word, str, str | None] | None:
    return _download(node.pipelines[0][0]) if node.pipelines else None


def _interpreted(command: _Command, rereads: int) -> Iterator[tuple[int, str, str | None]]:
    """What an interpreter runs of a download given as its program — ``bash <(curl …)``,
    ``sh -c "$(curl …)"``, ``eval "$(curl …)"`` — and the downloads in the strings that ``sh
    -c`` and ``eval`` run."""
    found = _program(command.words)
    if found is None:
        return
    index, name = found
    arguments = command.words[index + 1 :]
    program: _Node | None = None
    shape = ""
    if name == "eval":
        program = next(filter(None, (word.substituted("$(", "`") for word in arguments)), None)
        shape = 'eval "$({tool} …)"'
        if program is None:
            yield from _reread(arguments, rereads)
    elif name in _SHELLS or name in ("source", ".") or _PYTHON.fullmatch(name):
        if name in _SHELLS:
            command_string, _, operands = _shell_arguments(command.words, index + 1)
        elif name in ("source", "."):
            command_string, operands = False, arguments
        else:
            given, operands = _python_arguments(command.words, index + 1)
            command_string = given == "c"
        if command_string:
            program = operands[0].substituted("$(", "`") if operands else None
            shape = name + ' -c "$({tool} …)"'
            if program is None and operands and name in _SHELLS:
                yield from _reread(operands[:1], rereads)
        else:
            redirected = [target for operator, target in command.redirections if operator == "<"]
            program = next(
                filter(None, (word.substituted("<(") for word in [*operands[:1], *redirected])),
                None,
            )
            shape = name + " <({tool} …)"
    download = _first_download(program) if program is not None else None
    if download is not None:
        word, tool, host = download
        yield word.start, shape.format(tool=tool), host


def _reread(words: list[_Word], rereads: int) -> Iterator[tuple[int, str, str | None]]:
    """The downloads run by a string that ``sh -c`` or ``eval`` runs as a script of its
    own, at their offsets in the text that holds the string."""
    if not words or rereads >= _MAX_REREADS:
        return
    offsets: list[int] = []
    for word in words:
        if offsets:
            offsets.append(offsets[-1])  # the blank ``eval`` joins its arguments with
        offsets.extend(word.mapped())
    string = " ".join(word.value for word in words)
    for offset, shape, host in _remote(string, None, rereads + 1):
        yield offsets[offset], shape, host


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
_BLANK_CHARS = frozenset(" \t\r")


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
            if char in _BLANK_CHARS:
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
        while index < len(code) and code[index] in _BLANK_CHARS:
            index += 1
        self.index = index
        # The target: one word, read and thrown away.
        words, chars, start = self.words, self.chars, self.start
        while self.index < len(code) and code[self.index] not in _BLANK_CHARS:
            if code[self.index] in _COMMAND_ENDS or code[self.index] in "<>":
                break
            self._word_part()
        self.words, self.chars, self.start = words, chars, start
