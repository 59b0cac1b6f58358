"""Dockerfiles and Containerfiles: instructions with positions, build stages and variables.

The grammar is Docker's (BuildKit's ``dockerfile`` frontend): parser directives at the top
(``# escape=`` changes the continuation character), comment lines dropped even inside a
continued instruction, instructions continued with the escape character, heredocs
(``RUN <<EOF`` … ``EOF``) whose bodies are kept apart from the instruction, JSON (exec)
and shell forms, ``ARG`` before the first ``FROM`` as the variables ``FROM`` may use, and
stages named by ``FROM … AS name``.

Variables are substituted only when their value is known: an ``ARG`` with a literal default,
an ``ENV``. An ``ARG`` without a default is set only at build time, so an image or user built
from it is unknown (None), and rules stay silent on it.
"""

from __future__ import annotations

import functools
import json
import re
import shlex
from dataclasses import field

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import ParseError
from mllint_wa.parsers.secrets import quote
from mllint_wa.parsers.shell import Script
from mllint_wa.records import dataclass

INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
        "WORKDIR",
    }
)  # fmt: skip
_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
# A parser directive; its value is stripped afterwards, since a lazy value before optional
# blanks and `$` would rescan the blanks after each of the value's characters.
_DIRECTIVE = re.compile(r"^\s*#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=(.*)")
_KEYWORD = re.compile(r"\s*(\S+)\s*")
_HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
# A default or alternative word stops at the next brace: in a run of unclosed `${A:-`, each
# is then read up to the next one only, not to the end of the text.
# BuildKit's options of a RUN (`--mount=…`, `--network=none`), before its command.
_RUN_FLAG = re.compile(r"[ \t]*--[^ \t]*")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
# Characters that variables may add to one substituted text. An ENV built from the one before
# it twice doubles at each line: sixty such lines would spell an exabyte.
MAX_SUBSTITUTED = 64 * 1024

_VARIABLE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^{}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True)
class Heredoc:
    delimiter: str
    body: Script


@dataclass(frozen=True)
class RunScript:
    """What a ``RUN`` hands its shell: ``script`` holds the command and after it, a line
    apart, each heredoc's body; ``bodies`` says where each body lies in it."""

    script: Script
    bodies: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Instruction:
    """One instruction. ``value`` is what follows the keyword, continuations joined and
    comment lines dropped; ``script`` is the same text with its positions in the file."""

    keyword: str
    value: str
    line: int
    column: int
    script: Script
    heredocs: tuple[Heredoc, ...] = ()

    @property
    def exec_form(self) -> tuple[str, ...] | None:
        """The arguments of the JSON form (``RUN ["sh", "-c", "…"]``), None in shell form."""
        text = self.value.strip()
        if not text.startswith("["):
            return None
        try:
            loaded = json.loads(text)
        except ValueError:
            return None
        if isinstance(loaded, list) and all(isinstance(item, str) for item in loaded):
            return tuple(loaded)
        return None

    def run_script(self) -> RunScript:
        """The instruction's command as a shell reads it, positions kept: BuildKit's flags
        (``--mount=…``) left out, and in the JSON form the brackets and commas blanked, so
        that its strings read as the quoted words they are (no shell splits or expands them:
        ``RUN ["echo", "a | b"]`` pipes nothing)."""
        start = 0
        while (flag := _RUN_FLAG.match(self.script.text, start)) is not None:
            start = flag.end()
        command = self.script.tail(start)
        text = command.text
        if self.exec_form is not None:
            words: list[str] = []
            last = 0
            for string in _JSON_STRING.finditer(text):
                words += (" " * (string.start() - last), string.group())
                last = string.end()
            text = "".join([*words, " " * (len(text) - last)])
        pieces = [text]
        segments = list(command.segments)
        bodies = []
        offset = len(text)
        for heredoc in self.heredocs:
            offset += 1
            segments += [(offset + at, line, column) for at, line, column in heredoc.body.segments]
            pieces.append(heredoc.body.text)
            bodies.append((offset, offset + len(heredoc.body.text)))
            offset += len(heredoc.body.text)
        return RunScript(Script("\n".join(pieces), tuple(segments)), tuple(bodies))

    def flags(self) -> dict[str, str]:
        """Leading ``--name=value`` flags (``COPY --from=builder``, ``FROM --platform=…``)."""
        found = {}
        for word in self.value.split():
            if not word.startswith("--"):
                break
            name, _, value = word[2:].partition("=")
            found[name.lower()] = value
        return found

    def arguments(self) -> list[str]:
        """The words after the flags."""
        words = self.value.split()
        first = next((i for i, word in enumerate(words) if not word.startswith("--")), len(words))
        return words[first:]


@dataclass(frozen=True)
class BuildStage:
    """A stage: its ``FROM`` (``base`` as written, ``image`` with known variables
    substituted or None), its name, and the instructions that follow it."""

    index: int
    base: str
    image: str | None
    name: str | None
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]


@dataclass(frozen=True)
class Dockerfile:
    instructions: tuple[Instruction, ...]
    global_args: dict[str, str | None] = field(default_factory=dict)
    stages: tuple[BuildStage, ...] = ()

    def stage_named(self, name: str) -> BuildStage | None:
        """The earlier stage a ``FROM``/``--from`` names (by name, any case, or index)."""
        return self._stages_by_name.get(name.lower())

    @functools.cached_property
    def _stages_by_name(self) -> dict[str, BuildStage]:
        # Made once: every stage of a long chain asks for the one it is built on.
        found: dict[str, BuildStage] = {}
        for stage in self.stages:
            if stage.name:
                found.setdefault(stage.name.lower(), stage)
            found.setdefault(str(stage.index), stage)
        return found


def substitute(text: str, variables: dict[str, str | None]) -> str | None:
    """``text`` with ``$VAR``, ``${VAR}``, ``${VAR:-default}`` and ``${VAR:+alt}`` replaced;
    None when a variable's value is unknown (declared without a default, or never declared),
    or when the variables would add more than :data:`MAX_SUBSTITUTED` characters."""
    unknown = False
    added = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown, added
        if unknown:
            return ""
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3)
        value = variables.get(name)
        if operator and operator.endswith("+"):
            if name not in variables:
                unknown = True
            return (word or "") if value else ""
        if operator and operator.endswith("-") and not value:
            return word or ""
        if value is None:
            unknown = True
            return ""
        # Only a variable's value adds to the text: a default is written in it already.
        added += len(value)
        if added > MAX_SUBSTITUTED:
            unknown = True
            return ""
        return value

    result = _VARIABLE.sub(replace, text)
    return None if unknown else result


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse a Dockerfile; an unknown instruction, an instruction before ``FROM`` or an
    unclosed heredoc is a :class:`ParseError` at its line."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    escape, index = _directives(lines)
    instructions: list[Instruction] = []
    while index < len(lines):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        instruction, index = _instruction(lines, index, escape)
        if instruction is not None:
            instructions.append(instruction)
    return _stages(tuple(instructions))


def _directives(lines: list[str]) -> tuple[str, int]:
    """The escape character and the index of the first line after the parser directives."""
    escape = "\\"
    index = 0
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index])
        if match is None:
            break
        value = match.group(2).strip()
        if match.group(1).lower() == "escape":
            if value not in ("\\", "`"):
                raise ParseError(
                    f"has an invalid escape directive {quote(value, 40)!r} (use \\ or `)",
                    index + 1,
                )
            escape = value
        index += 1
    return escape, index


def _instruction(lines: list[str], index: int, escape: str) -> tuple[Instruction | None, int]:
    first = lines[index]
    pieces: list[tuple[int, int, str]] = []
    line_text, column = first, 1
    while True:
        body = line_text.rstrip()
        continued = body.endswith(escape)
        pieces.append((index + 1, column, body[:-1] if continued else line_text))
        index += 1
        if not continued:
            break
        # Comment and empty lines inside a continued instruction are dropped.
        while index < len(lines) and (
            not lines[index].strip() or lines[index].lstrip().startswith("#")
        ):
            index += 1
        if index >= len(lines):
            break
        line_text, column = lines[index], 1
    segments = []
    offset = 0
    for line, col, piece in pieces:
        segments.append((offset, line, col))
        offset += len(piece)
    joined = Script("".join(piece for _, _, piece in pieces), tuple(segments))
    match = _KEYWORD.match(joined.text)
    if match is None:  # nothing but continuation characters
        return None, index
    keyword = match.group(1).upper()
    line, column = joined.position(match.start(1))
    if keyword not in INSTRUCTIONS:
        raise ParseError(f"has an unknown instruction `{quote(match.group(1), 40)}`", line, column)
    script = joined.tail(match.end())
    heredocs: list[Heredoc] = []
    if keyword in _HEREDOC_INSTRUCTIONS:
        for heredoc in _HEREDOC.finditer(script.text):
            strip_tabs, delimiter = heredoc.group(1) == "-", heredoc.group(3)
            rows: list[tuple[int, int, str]] = []
            while index < len(lines):
                candidate = lines[index].lstrip("\t") if strip_tabs else lines[index]
                if candidate == delimiter:
                    break
                rows.append((index + 1, 1, lines[index]))
                index += 1
            else:
                raise ParseError(f"has a heredoc `<<{delimiter}` that is never closed", line)
            index += 1
            heredocs.append(Heredoc(delimiter, Script.of_lines(rows)))
    instruction = Instruction(keyword, script.text.strip(), line, column, script, tuple(heredocs))
    return instruction, index


def _stages(instructions: tuple[Instruction, ...]) -> Dockerfile:
    global_args: dict[str, str | None] = {}
    stages: list[BuildStage] = []
    current: list[Instruction] = []
    start: Instruction | None = None
    for instruction in instructions:
        if instruction.keyword == "FROM":
            if start is not None:
                stages.append(_stage(len(stages), start, current, global_args))
            start, current = instruction, []
        elif start is None:
            if instruction.keyword != "ARG":
                raise ParseError(
                    f"has `{instruction.keyword}` before the first FROM",
                    instruction.line,
                    instruction.column,
                )
            global_args.update(declared_args(instruction))
        else:
            current.append(instruction)
    if start is not None:
        stages.append(_stage(len(stages), start, current, global_args))
    return Dockerfile(instructions, global_args, tuple(stages))


def _stage(
    index: int, start: Instruction, body: list[Instruction], global_args: dict[str, str | None]
) -> BuildStage:
    words = start.arguments()
    # FROM's words are unquoted like shell words: `FROM "ubuntu:22.04"` names ubuntu:22.04.
    base = _words(words[0])[0] if words and _words(words[0]) else ""
    name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    return BuildStage(index, base, substitute(base, global_args), name, start, tuple(body))


def declared_args(instruction: Instruction) -> dict[str, str | None]:
    """``ARG A=1 B``: names to literal defaults (None without one)."""
    found: dict[str, str | None] = {}
    for word in _words(instruction.value):
        name, equals, default = word.partition("=")
        found[name] = default if equals else None
    return found


def declared_env(instruction: Instruction) -> dict[str, str]:
    """``ENV A=1 B="two words"`` or the legacy ``ENV A one value``."""
    words = _words(instruction.value)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    found = {}
    for word in words:
        name, equals, value = word.partition("=")
        if equals:
            found[name] = value
    return found


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:  # an unbalanced quote: take the words as written
        return text.split()


@dataclass(frozen=True)
class StageUser:
    """Who a stage's processes run as: ``root``, ``user`` (someone else) or ``unknown`` (set
    from a build argument without a default, or inherited from an image of unknown name),
    and the ``USER`` instruction that decided it (None when the stage inherits its base
    image's user)."""

    state: str
    instruction: Instruction | None
    user: str | None = None


def stage_user(dockerfile: Dockerfile, stage: BuildStage) -> StageUser:
    """Who the stage runs as, following ``FROM`` references to earlier stages."""
    return _stage_state(dockerfile, stage)[1]


# A stage built on more stages than the nesting bound runs as someone unknown.
@nesting_bounded(({}, StageUser("unknown", None)))
def _stage_state(
    dockerfile: Dockerfile, stage: BuildStage
) -> tuple[dict[str, str | None], StageUser]:
    parent = _earlier_stage(dockerfile, stage)
    if parent is not None:
        inherited_env, user = _stage_state(dockerfile, parent)
        env = dict(inherited_env)
    else:
        env = {}
        if stage.image is None:
            user = StageUser("unknown", None)
        elif "nonroot" in stage.image.rpartition(":")[2]:
            # distroless and similar images name their non-root variant in the tag.
            user = StageUser("user", None)
        else:
            user = StageUser("root", None)
    variables: dict[str, str | None] = dict(env)
    for instruction in stage.instructions:
        if instruction.keyword == "ARG":
            for name, default in declared_args(instruction).items():
                variables[name] = (
                    default if default is not None else dockerfile.global_args.get(name)
                )
        elif instruction.keyword == "ENV":
            for name, value in declared_env(instruction).items():
                env[name] = variables[name] = substitute(value, variables)
        elif instruction.keyword == "USER":
            words = instruction.value.split()
            resolved = substitute(words[0], variables) if words else None
            if not resolved:
                user = StageUser("unknown", instruction)
            else:
                name = resolved.partition(":")[0]
                state = "root" if name in ("root", "0") else "user"
                user = StageUser(state, instruction, resolved)
    return env, user


def _earlier_stage(dockerfile: Dockerfile, stage: BuildStage) -> BuildStage | None:
    parent = dockerfile.stage_named(stage.base)
    return parent if parent is not None and parent.index < stage.index else None


def is_stage_reference(dockerfile: Dockerfile, stage: BuildStage) -> bool:
    """Whether the stage's ``FROM`` names an earlier stage of the same file."""
    return _earlier_stage(dockerfile, stage) is not None


@dataclass(frozen=True)
class ImageReference:
    """``[registry/]repository[:tag][@digest]`` split into its parts."""

    repository: str
    tag: str | None
    digest: str | None

    @property
    def mutable_tag(self) -> str | None:
        """``latest`` or ``untagged`` when the reference can move to another image
        tomorrow without a change here; None when it names a version or a digest."""
        if self.digest:
            return None
        if self.tag is None:
            return "untagged"
        return "latest" if self.tag.lower() == "latest" else None


_IMAGE = re.compile(
    r"^(?P<repository>[A-Za-z0-9][A-Za-z0-9._/:-]*?)(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z0-9_+.-]+:[0-9a-fA-F]{32,}))?$"
)


def image_reference(text: str) -> ImageReference | None:
    """The parts of an image reference, or None when ``text`` is not one (or holds a
    variable)."""
    match = _IMAGE.match(text.strip())
    if match is None or "$" in text:
        return None
    repository = match.group("repository")
    last = repository.rsplit("/", 1)[-1]
    if ":" in last or not last:
        return None
    return ImageReference(repository, match.group("tag"), match.group("digest"))
