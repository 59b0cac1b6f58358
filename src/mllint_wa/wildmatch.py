"""gitignore patterns, matched the way git matches them, in time linear in the path.

git's own matcher (``wildmatch.c``) backtracks but bounds the damage with early exits;
translating patterns into Python regular expressions, as libraries do, loses those exits, so
a pattern such as ``*a*a*a*a*a*a*a*a*b`` takes exponential time on a name of many ``a``s.
Here a pattern is compiled into a list of steps and run as a non-deterministic automaton:
every position of the pattern that the text read so far can reach is tracked at once, so a
path of n characters costs at most n times the pattern's length, whatever the pattern.

The semantics are git's (``dir.c`` and ``wildmatch.c``): ``#`` comments, trailing spaces
dropped unless escaped, ``!`` negation, a trailing ``/`` for directories only, a pattern with
no other ``/`` matched against the last path component at any depth, any other pattern
anchored at its base folder (a leading ``/`` only anchors), ``*`` and ``?`` and ``[...]``
never matching ``/``, ``**`` between slashes or at an end matching across folders
(``a/**/b`` matches ``a/b``), ``[!...]``/``[^...]``, ranges, ``[:class:]`` and backslash
escapes. Characters are compared as characters of the decoded name, not as bytes.

An ignore file's patterns are a :class:`PatternList`, which indexes them by their literal
parts so that a path is run only through the patterns that could match it.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from typing import NamedTuple

from mllint_wa.records import dataclass

_WILDCARDS = frozenset("*?[\\")
# Plain text inside a pattern is indexed by substrings of this length, so that a path looks
# up each of its own (one per character) and long patterns cost no more; a pattern gives at
# most _INFIX_KEYS of them.
_INFIX = 3
_INFIX_KEYS = 32
# Both state transitions and their cache are per pattern; the bound keeps a run over many
# distinct names from holding memory without limit.
_CACHE_LIMIT = 4096
# A path is tested against the patterns that share one of its literal parts, so a long list
# of patterns costs little; but in the worst case (patterns that differ only in their
# wildcards) every pattern is tried on every path, at about 0.5 µs each, as git tries them,
# some twenty times faster. These bound that worst case, and the automaton's work per
# character.
MAX_PATTERNS = 20_000
MAX_PATTERN_LENGTH = 4096  # a path is no longer, on Linux
# Patterns that share every literal part a path could be looked up by (``*x*.log``,
# ``*y*.log``, ``*z*.log``: only ".log" for a path that holds no "x", "y" or "z"), or that
# have none (``[Bb]in``), are each tried on such a path. A list in which more than this many
# are tried together would cost a tree of many files minutes; it is not applied (see
# PatternList.most_tried).
MAX_TRIED_TOGETHER = 1_000

_CHAR_CLASSES: dict[str, Callable[[str], bool]] = {
    "alnum": lambda c: c.isascii() and c.isalnum(),
    "alpha": lambda c: c.isascii() and c.isalpha(),
    "blank": lambda c: c in " \t",
    "cntrl": lambda c: ord(c) < 32 or ord(c) == 127,
    "digit": lambda c: "0" <= c <= "9",
    "graph": lambda c: 33 <= ord(c) <= 126,
    "lower": lambda c: "a" <= c <= "z",
    "print": lambda c: 32 <= ord(c) <= 126,
    "punct": lambda c: 33 <= ord(c) <= 126 and not c.isalnum(),
    "space": lambda c: c in " \t\n\r\v\f",
    "upper": lambda c: "A" <= c <= "Z",
    "xdigit": lambda c: c in "0123456789abcdefABCDEF",
}


class InvalidPattern(ValueError):
    """A pattern that can never match anything, almost certainly a mistake; git skips it."""


class _Step(NamedTuple):
    """One character of text (``repeat`` False) or any number of them (``repeat`` True)."""

    accepts: Callable[[str], bool]
    repeat: bool = False
    # "**/" may also match nothing at all, slash included: the automaton may jump past the
    # "/" step that follows.
    may_skip_slash: bool = False
    # The one character a plain or escaped character of the pattern matches.
    literal: str = ""


def _not_slash(char: str) -> bool:
    return char != "/"


def _any(char: str) -> bool:
    return True


@dataclass(eq=False)
class Pattern:
    """One gitignore pattern, ready to match paths relative to its base folder."""

    text: str
    negated: bool
    dir_only: bool
    # No "/" but a trailing one: matched against the last component of the path.
    basename: bool
    body: str
    _steps: tuple[_Step, ...] = field(repr=False)
    _prefix: str = field(repr=False)
    _suffix: str = field(repr=False)
    # The longest text every match holds, and what an index may file the pattern under.
    _needle: str = field(default="", repr=False)
    _keys: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    _transitions: dict[tuple[int, str], int] = field(default_factory=dict, repr=False)
    _start: int = field(default=0, repr=False)  # the first state, once computed

    @property
    def include(self) -> bool:
        """True: a match ignores the path; False: a match re-includes it."""
        return not self.negated

    def matches(self, path: str, is_dir: bool) -> bool:
        """Whether the pattern matches ``path`` itself (``/``-separated, relative to the
        pattern's base, without a trailing ``/``); folders above it are not considered."""
        if self.dir_only and not is_dir:
            return False
        subject = path.rpartition("/")[2] if self.basename else path
        if not self._steps:
            return subject == self.body
        # Literal ends rule out nearly every path before the automaton runs.
        if (
            len(subject) < len(self._prefix) + len(self._suffix)
            or not subject.startswith(self._prefix)
            or not subject.endswith(self._suffix)
            or self._needle not in subject
        ):
            return False
        return self._run(subject)

    def _run(self, subject: str) -> bool:
        steps = self._steps
        accept = 1 << len(steps)
        transitions = self._transitions
        if len(transitions) > _CACHE_LIMIT:
            transitions.clear()
        state = self._start
        if not state:
            state = self._start = self._closure(1, entered=1)
        for char in subject:
            key = (state, char)
            following = transitions.get(key)
            if following is None:
                stayed = entered = 0
                for index, step in enumerate(steps):
                    if state >> index & 1 and step.accepts(char):
                        if step.repeat:
                            stayed |= 1 << index
                        else:
                            entered |= 1 << (index + 1)
                following = self._closure(stayed | entered, entered)
                transitions[key] = following
            if not following:
                return False
            state = following
        return bool(state & accept)

    def _closure(self, state: int, entered: int) -> int:
        """``state`` with every step reachable without reading a character. ``entered``
        holds the steps just arrived at: "**/" matches no folder only where it starts, as in
        git, not after it has taken characters ("**/a*" does not match "[a]")."""
        # Every jump goes forward, so one pass in order reaches everything reachable.
        for index, step in enumerate(self._steps):
            if state >> index & 1 and step.repeat:
                state |= 1 << (index + 1)
                entered |= 1 << (index + 1)
                if step.may_skip_slash and entered >> index & 1:
                    state |= 1 << (index + 2)
                    entered |= 1 << (index + 2)
        return state


def parse_line(line: str) -> Pattern | None:
    """One line of an ignore file or one exclude pattern; None for a blank line or a comment.

    Raises :class:`InvalidPattern` for a pattern git would keep but that can match nothing.
    """
    if line.startswith("#"):
        return None
    text = _trim_trailing_spaces(line)
    if not text:
        return None
    if len(text) > MAX_PATTERN_LENGTH:
        raise InvalidPattern(f"the pattern is longer than {MAX_PATTERN_LENGTH:,} characters")
    body = text
    negated = body.startswith("!")
    if negated:
        body = body[1:]
    dir_only = body.endswith("/")
    if dir_only:
        body = body[:-1]
    basename = "/" not in body
    if body.startswith("/"):
        body = body[1:]
    if not body:
        raise InvalidPattern("the pattern is empty")
    # git compares the text before the first wildcard literally and matches the rest with
    # wildmatch(), for which that rest starts the pattern: "foo**/x" is "foo" then "**/x".
    prefix = next((i for i, char in enumerate(body) if char in _WILDCARDS), len(body))
    if prefix == len(body):
        key = ("name" if basename else "path", body)
        return Pattern(text, negated, dir_only, basename, body, (), "", "", body, (key,))
    steps = _compile(body, start=0 if basename else prefix, across_folders=not basename)
    # The literal tail, which every match ends with; it stops at a "/", which "**/" may skip.
    suffix = len(body)
    while suffix > prefix and body[suffix - 1] not in _WILDCARDS and body[suffix - 1] not in "]/":
        suffix -= 1
    literal_prefix, literal_suffix = body[:prefix], body[suffix:]
    runs, keys = _literal_parts(steps, basename)
    if literal_prefix:
        keys.append(("name-prefix" if basename else "path-prefix", literal_prefix))
    if literal_suffix:
        keys.append(("suffix", literal_suffix))
    keys += _infixes(runs, "name-infix" if basename else "path-infix")
    needle = max(runs, key=len, default="")
    return Pattern(
        text, negated, dir_only, basename, body, steps, literal_prefix, literal_suffix, needle,
        tuple(keys),
    )  # fmt: skip


def _literal_parts(
    steps: Sequence[_Step], basename: bool
) -> tuple[list[str], list[tuple[str, str]]]:
    """The runs of plain characters in ``steps``, each of which every match holds, and the
    index keys its folders give: a plain folder name (``**/build/**``) is one of the
    path's, and the plain start of the last part (``src/**/test_*.py``) starts the path's
    last part. A "/" that "**/" may skip ends a run and joins what is on either side of it
    (``x**/y`` matches ``xy``), so the part after it gives no key when more than the "**"
    stands before it."""
    runs = [""]
    keys: list[tuple[str, str]] = []
    segment: list[_Step] = []
    glued = False  # the segment follows a skippable "/" with more than "**" before it
    for index, step in enumerate(steps):
        skippable = index > 0 and steps[index - 1].may_skip_slash
        if step.literal == "/" and not basename:
            literal = "".join(s.literal for s in segment)
            if literal and all(s.literal for s in segment) and not glued:
                keys.append(("component", literal))
            # Only a "**" standing alone passes on whether what precedes it is glued.
            glued = skippable and (len(segment) > 1 or glued)
            segment = []
        else:
            segment.append(step)
        if step.literal and not skippable:
            runs[-1] += step.literal
        else:
            runs.append("")
    whole = "".join(s.literal for s in segment)
    if not basename and not glued and segment:
        if whole and all(s.literal for s in segment):
            keys.append(("component", whole))
        elif not any(s.accepts is _any for s in segment):
            start = "".join(itertools.takewhile(bool, (s.literal for s in segment)))
            if start:
                keys.append(("name-prefix", start))
    return runs, keys


def _infixes(runs: Sequence[str], kind: str) -> list[tuple[str, str]]:
    """Index keys for the plain runs inside a pattern (``*x17*.log``): each of their first
    :data:`_INFIX_KEYS` substrings of :data:`_INFIX` characters, one of which a path that
    the pattern matches must hold; patterns that share their ends still differ there."""
    found: dict[tuple[str, str], None] = {}
    for run in sorted(runs, key=len, reverse=True):
        for start in range(len(run) - _INFIX + 1):
            found[kind, run[start : start + _INFIX]] = None
            # Not one substring past those kept: a run may be thousands of characters long.
            if len(found) == _INFIX_KEYS:
                return list(found)
    return list(found)


def parse_lines(lines: Iterable[str]) -> tuple[tuple[Pattern, ...], tuple[tuple[str, str], ...]]:
    """The patterns of ``lines`` in order, and each invalid line with why it is invalid."""
    patterns: list[Pattern] = []
    invalid: list[tuple[str, str]] = []
    for line in lines:
        try:
            pattern = parse_line(line)
        except InvalidPattern as error:
            invalid.append((line, str(error)))
            continue
        if pattern is not None:
            patterns.append(pattern)
    return tuple(patterns), tuple(invalid)


class PatternList:
    """Patterns in the order they are written, indexed so that a path is matched against
    the few that could match it rather than all of them.

    Each pattern is filed under the one of its literal parts that fewest patterns share:
    its whole text, the start of the path or of its last part, its end, a folder's name or
    a few characters of plain text inside it. A path looks up each of its own, so a file of
    20,000 patterns costs a path a few dozen look-ups; patterns with no literal part
    (``[Bb]in*``) are tried on every path. Files are looked up in an index of the patterns
    that can match a file, without those that end with "/". A pattern written twice is kept
    once, where it was last written.
    """

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self.patterns = tuple(patterns)
        last = {pattern.text: position for position, pattern in enumerate(self.patterns)}
        kept = sorted(last.values())
        shared = Counter(key for position in kept for key in self.patterns[position]._keys)
        filed = [
            (
                position,
                min(keys, key=lambda key: (shared[key], -len(key[1]))) if keys else None,
            )
            for position in kept
            for keys in (self.patterns[position]._keys,)
        ]
        self._for_folders = _Index(filed)
        self._for_files = _Index(
            [(position, key) for position, key in filed if not self.patterns[position].dir_only]
        )

    def __len__(self) -> int:
        return len(self.patterns)

    @property
    def most_tried(self) -> int:
        """The most patterns that one path can be tried on together: those with no literal
        part and the largest group sharing one (see :data:`MAX_TRIED_TOGETHER`)."""
        return self._for_folders.most_tried

    @property
    def matches_files(self) -> bool:
        """Whether any pattern can match a file: not when every one ends with "/"."""
        return self._for_files.filed

    def last_match(self, path: str, is_dir: bool) -> int | None:
        """The position of the last pattern that matches ``path`` itself (``/``-separated,
        relative to the patterns' base, without a trailing ``/``); None when none does."""
        index = self._for_folders if is_dir else self._for_files
        for position in index.candidates(path):
            if self.patterns[position].matches(path, is_dir):
                return position
        return None

    def decide(self, path: str, is_dir: bool) -> bool | None:
        """git's verdict of one ignore source on ``path`` itself: the last matching pattern
        decides (True: ignored, False: re-included); None when no pattern matches."""
        position = self.last_match(path, is_dir)
        return None if position is None else self.patterns[position].include


class _Index:
    """Pattern positions by the literal part each is filed under (None: tried on every
    path); only the kinds of parts some pattern is filed under are looked up."""

    def __init__(self, filed: Sequence[tuple[int, tuple[str, str] | None]]) -> None:
        tables: dict[str, dict[str, list[int]]] = {kind: {} for kind in _KEY_KINDS}
        self._rest = [position for position, key in filed if key is None]
        for position, key in filed:
            if key is not None:
                tables[key[0]].setdefault(key[1], []).append(position)
        self._tables = {kind: table for kind, table in tables.items() if table}
        self._lengths: dict[str, list[int]] = {
            kind: sorted({len(literal) for literal in self._tables[kind]})
            for kind in ("path-prefix", "name-prefix", "suffix")
            if kind in self._tables
        }
        groups = [len(positions) for table in tables.values() for positions in table.values()]
        self.most_tried = len(self._rest) + max(groups, default=0)
        self.filed = bool(filed)

    def candidates(self, path: str) -> list[int]:
        """The positions of the patterns that may match ``path``, last first."""
        found = self._rest.copy()
        name = path.rpartition("/")[2]
        for kind, table in self._tables.items():
            if kind == "path":
                found += table.get(path, ())
            elif kind == "name":
                found += table.get(name, ())
            elif kind == "component":
                for part in path.split("/"):
                    found += table.get(part, ())
            elif kind == "suffix":
                for length in self._lengths[kind]:
                    if length > len(name):
                        break
                    found += table.get(name[-length:], ())
            elif kind.endswith("-prefix"):
                subject = path if kind == "path-prefix" else name
                for length in self._lengths[kind]:
                    if length > len(subject):
                        break
                    found += table.get(subject[:length], ())
            else:
                subject = path if kind == "path-infix" else name
                for start in range(len(subject) - _INFIX + 1):
                    found += table.get(subject[start : start + _INFIX], ())
        # Most paths hit no pattern or one; only several need putting in order.
        return sorted(set(found), reverse=True) if len(found) > 1 else found


_KEY_KINDS = (
    "path",
    "name",
    "component",
    "path-prefix",
    "name-prefix",
    "suffix",
    "path-infix",
    "name-infix",
)


def _trim_trailing_spaces(line: str) -> str:
    if not line.endswith(" "):
        return line
    end = len(line)
    index = 0
    last_space: int | None = None
    while index < len(line):
        char = line[index]
        if char == " ":
            if last_space is None:
                last_space = index
        elif char == "\\":
            index += 1
            if index == len(line):
                return line
            last_space = None
        else:
            last_space = None
        index += 1
    return line[: last_space if last_space is not None else end]


def _compile(body: str, *, start: int, across_folders: bool) -> tuple[_Step, ...]:
    """Steps for ``body``; ``start`` is where git's wildmatch() sees the pattern begin."""
    steps: list[_Step] = []
    single = _not_slash if across_folders else _any
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            if index + 1 == len(body):
                raise InvalidPattern("the pattern ends with a lone backslash")
            steps.append(_plain(body[index + 1]))
            index += 2
        elif char == "?":
            steps.append(_one(single))
            index += 1
        elif char == "[":
            accepts, index = _char_class(body, index, exclude_slash=across_folders)
            steps.append(_Step(accepts))
        elif char == "*":
            end = index
            while end < len(body) and body[end] == "*":
                end += 1
            # Tested in place: a copy of the rest for each star would be quadratic.
            whole_folders = (
                across_folders
                and end - index >= 2
                and (index == start or body[index - 1] == "/")
                and (end == len(body) or body.startswith(("/", "\\/"), end))
            )
            if whole_folders:
                steps.append(_Step(_any, True, body.startswith("/", end)))
            else:
                steps.append(_repeated(single))
            index = end
        else:
            steps.append(_plain(char))
            index += 1
    return tuple(steps)


# Steps hold no state: one per character or wildcard serves every pattern, and a file of
# many patterns builds few.
@functools.lru_cache(maxsize=4096)
def _plain(char: str) -> _Step:
    return _Step(char.__eq__, literal=char)


@functools.cache
def _one(accepts: Callable[[str], bool]) -> _Step:
    return _Step(accepts)


@functools.cache
def _repeated(accepts: Callable[[str], bool]) -> _Step:
    return _Step(accepts, repeat=True)


def _char_class(body: str, index: int, *, exclude_slash: bool) -> tuple[Callable[[str], bool], int]:
    """The bracket expression at ``body[index]`` (git's rules, including a leading ``]`` as a
    member) and the index after it."""
    index += 1
    negated = index < len(body) and body[index] in "!^"
    if negated:
        index += 1
    members: set[str] = set()
    ranges: list[tuple[str, str]] = []
    named: list[Callable[[str], bool]] = []
    previous: str | None = None
    first = True
    while first or (index < len(body) and body[index] != "]"):
        first = False
        if index >= len(body):
            break
        char = body[index]
        if char == "\\":
            index += 1
            if index >= len(body):
                break
            members.add(body[index])
            previous = body[index]
        elif char == "-" and previous and index + 1 < len(body) and body[index + 1] != "]":
            index += 1
            end = body[index]
            if end == "\\":
                index += 1
                if index >= len(body):
                    break
                end = body[index]
            # A reversed range holds no character, as in git; the class's other members
            # still match.
            ranges.append((previous, end))
            previous = None
        elif char == "[" and body.startswith(":", index + 1):
            close = body.find("]", index + 2)
            if close < 0:
                break
            if close - (index + 2) < 1 or body[close - 1] != ":":
                # No ":]": an ordinary "[" member, as in git.
                members.add("[")
                previous = "["
            else:
                name = body[index + 2 : close - 1]
                if name not in _CHAR_CLASSES:
                    raise InvalidPattern(f"[:{name}:] is not a character class")
                named.append(_CHAR_CLASSES[name])
                index = close
                previous = None
        else:
            members.add(char)
            previous = char
        index += 1
    if index >= len(body):
        raise InvalidPattern("a character class is not closed with ]")

    def accepts(char: str) -> bool:
        if exclude_slash and char == "/":
            return False
        found = (
            char in members
            or any(low <= char <= high for low, high in ranges)
            or any(test(char) for test in named)
        )
        return found != negated

    return accepts, index + 1
