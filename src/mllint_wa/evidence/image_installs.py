"""The packages a project's Dockerfiles install while building an image, with where each one
is written.

Each ``RUN`` of each stage is split into simple commands (its shell form, the ``sh -c``
string or the arguments of its JSON form, and the bodies of heredocs fed to a shell) and
each command is read as a package manager would read it
(:func:`~mllint_wa.parsers.package_installs.package_install`). ``ENV PIP_CONSTRAINT=…`` or
``ENV PIP_REQUIRE_HASHES=1`` earlier in a stage pins every pip install after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.automation import dockerfiles
from mllint_wa.parsers.dockerfile import Dockerfile, Instruction, declared_env
from mllint_wa.parsers.package_installs import PIP, Install, Package, package_install
from mllint_wa.parsers.shell import Script, Word, simple_commands
from mllint_wa.records import dataclass

_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})
# pip and uv read these from the environment: constraints or hashes for every install.
_PINNING_ENV = frozenset({"PIP_CONSTRAINT", "PIP_REQUIRE_HASHES", "UV_CONSTRAINT"})


@dataclass(frozen=True)
class PlacedPackage:
    """A package an install names, with the line and column of its word in the Dockerfile."""

    package: Package
    line: int
    column: int


@dataclass(frozen=True)
class ImageInstall:
    """One install command of a Dockerfile: what it is, where it is, its packages."""

    path: str
    install: Install
    line: int
    column: int
    packages: tuple[PlacedPackage, ...]


def image_installs(ev: Evidence) -> tuple[ImageInstall, ...]:
    """Every package-manager install in the project's Dockerfiles (templated ones left out),
    in file order."""

    def compute() -> tuple[ImageInstall, ...]:
        return tuple(
            found for path, dockerfile in dockerfiles(ev) for found in _installs(path, dockerfile)
        )

    return ev.memo(image_installs, compute)


def _installs(path: str, dockerfile: Dockerfile) -> Iterator[ImageInstall]:
    for stage in dockerfile.stages:
        pinned_by_env = False
        for instruction in stage.instructions:
            if instruction.keyword == "ENV":
                settings = declared_env(instruction)
                pinned_by_env |= any(settings.get(name) for name in _PINNING_ENV)
                continue
            if instruction.keyword != "RUN":
                continue
            for script, words in _commands(instruction):
                install = package_install(words)
                if install is None:
                    continue
                if pinned_by_env and install.manager == PIP:
                    install = Install(install.manager, install.command, install.offset, ())
                yield ImageInstall(
                    path,
                    install,
                    *script.position(install.offset),
                    tuple(
                        PlacedPackage(package, *script.position(package.offset))
                        for package in install.packages
                    ),
                )


def _commands(instruction: Instruction) -> Iterator[tuple[Script, tuple[Word, ...]]]:
    """The simple commands a ``RUN`` runs, each with the script its offsets refer to."""
    script = instruction.script
    arguments = instruction.exec_form
    if arguments is not None:
        words = _located(script.text, arguments)
        if len(words) >= 3 and _is_shell(words[0].text) and words[1].text == "-c":
            inner = script.tail(words[2].offset)
            yield from ((inner, command) for command in simple_commands(arguments[2]))
        elif words:
            yield script, tuple(words)
        return
    commands = simple_commands(script.text)
    yield from ((script, command) for command in commands)
    # A heredoc is a script when it feeds a shell: `RUN <<EOF` or `RUN bash <<EOF`.
    if instruction.heredocs and (not commands or _is_shell(commands[0][0].text)):
        for heredoc in instruction.heredocs:
            yield from ((heredoc.body, c) for c in simple_commands(heredoc.body.text))


def _is_shell(program: str) -> bool:
    return program.rpartition("/")[2] in _SHELLS


def _located(text: str, arguments: tuple[str, ...]) -> list[Word]:
    """The JSON form's arguments as words, each at the offset of its string's content (the
    string as written, after its opening quote)."""
    words: list[Word] = []
    start = 0
    for argument in arguments:
        written = json.dumps(argument)
        found = text.find(written, start)
        if found < 0:
            found = text.find(json.dumps(argument, ensure_ascii=False), start)
        if found < 0:
            return []
        words.append(Word(argument, found + 1))
        start = found + len(written)
    return words
