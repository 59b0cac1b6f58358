"""What a shell command installs with a package manager, and whether each package is pinned.

Reads the words of one simple command (:func:`mllint_wa.parsers.shell.simple_commands`) the
way pip, uv's pip interface, conda (mamba, micromamba), apt-get (apt) and apk read their
arguments: prefixes that only run the command (``sudo``, ``env``, ``VAR=value``, ``conda
run -n env``) are passed over, each option that takes a value takes it, and what is left
is a package. Pinned means:

- pip: what :func:`~mllint_wa.parsers.pep508.requirement` calls pinned (one version with
  ``==``/``===``, one patch series such as ``~=2.3.1`` or ``==2.3.*``, a VCS tag or commit,
  an archive URL); a version from a variable
  (``torch==${TORCH_VERSION}``) is a pin. Paths and ``-e`` are the project's own code.
- conda: a version after ``=`` or ``==`` (``python=3.11``, ``pytorch==2.3.1``), or a
  package file.
- apt: ``name=version``, or a ``.deb`` file.
- apk: ``name=version`` or ``name~version``, or an ``.apk`` file.

An install that reads its packages from a file (``-r requirements.txt``, ``--file``,
``conda env create -f``), pins them all by constraints or hashes (``-c constraints.txt``,
``--require-hashes``), or installs from a lock (``poetry install``, ``uv sync``,
``pipenv sync``) lists no package of its own here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.pep508 import requirement
from mllint_wa.parsers.shell import Word
from mllint_wa.records import dataclass

PIP = "pip"
CONDA = "conda"
APT = "apt"
APK = "apk"

_PIP_HEAD = re.compile(r"pip(?:[23](?:\.\d+)?)?")
_PYTHON_HEAD = re.compile(r"python(?:[23](?:\.\d+)?)?")
_CONDA_HEADS = frozenset({"conda", "mamba", "micromamba"})
_APT_HEADS = frozenset({"apt-get", "apt"})
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# Words that only run the command after them.
_PASSED_OVER = frozenset({"!", "{", "(", "if", "then", "else", "elif", "do", "while", "until",
                          "time", "exec", "command", "nohup", "xargs"})  # fmt: skip

# Options that take a value, by manager. The rest are switches.
_PIP_VALUES = frozenset(
    {
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target",
        "--prefix", "--root", "--src", "--trusted-host", "--platform", "--python-version",
        "--implementation", "--abi", "--upgrade-strategy", "--progress-bar", "--cache-dir",
        "--log", "--log-file", "--proxy", "--retries", "--timeout", "--exists-action",
        "--cert", "--client-cert", "--global-option", "--install-option", "-C",
        "--config-settings", "--no-binary", "--only-binary", "--report", "--python", "-p",
        "--keyring-provider", "--root-user-action", "--use-feature", "--use-deprecated",
        "--index-strategy", "--extra", "--group", "--resolution", "--prerelease",
    }
)  # fmt: skip
_PIP_FILES = frozenset({"-r", "--requirement"})
_PIP_PINNING = frozenset({"-c", "--constraint", "--build-constraint"})
_PIP_EDITABLE = frozenset({"-e", "--editable"})
_CONDA_VALUES = frozenset(
    {"-c", "--channel", "-n", "--name", "-p", "--prefix", "--repodata-fn", "--solver",
     "-r", "--root-prefix", "--platform", "--subdir"}
)  # fmt: skip
_CONDA_FILES = frozenset({"--file", "-f"})
_APT_VALUES = frozenset(
    {"-t", "--target-release", "--default-release", "-o", "--option", "-c", "--config-file",
     "-a", "--host-architecture"}
)  # fmt: skip
_APK_VALUES = frozenset(
    {"-t", "--virtual", "-X", "--repository", "--repositories-file", "-p", "--root",
     "--arch", "--cache-dir", "--keys-dir"}
)  # fmt: skip
# The installers themselves (and the tools that install from a lock): upgrading them is how
# an install starts, not what the image is for.
_INSTALLERS = frozenset(
    {"pip", "setuptools", "wheel", "pipenv", "poetry", "uv", "pdm", "pip-tools"}
)
_TOOLS = {PIP: _INSTALLERS, CONDA: _INSTALLERS | {"conda", "mamba", "conda-lock"}}
_CONDA_VERSION = re.compile(r"(?<![<>!~])==?[^=<>!~]")


@dataclass(frozen=True)
class Package:
    """One package an install names: its name, the word as written, where the word starts,
    and whether it is pinned to one version."""

    name: str
    text: str
    offset: int
    pinned: bool


@dataclass(frozen=True)
class Install:
    """A package manager's install command: the manager (``pip``, ``conda``, ``apt``,
    ``apk``), the command as shown (``pip install``), where it starts, the packages it
    names, and whether it also installs from a file or is pinned as a whole."""

    manager: str
    command: str
    offset: int
    packages: tuple[Package, ...]
    from_file: bool = False
    pinned_as_a_whole: bool = False


def package_install(words: Sequence[Word]) -> Install | None:
    """What the simple command ``words`` installs, or None when it installs nothing."""
    rest = _program(list(words))
    if not rest:
        return None
    head = rest[0].text.rpartition("/")[2]
    if _PIP_HEAD.fullmatch(head):
        return _pip(rest, 1, head)
    if _PYTHON_HEAD.fullmatch(head) and [w.text for w in rest[1:3]] == ["-m", "pip"]:
        return _pip(rest, 3, f"{head} -m pip")
    if head == "uv" and len(rest) > 1 and rest[1].text == "pip":
        return _pip(rest, 2, "uv pip")
    if head in _CONDA_HEADS:
        return _conda(rest, head)
    if head in _APT_HEADS:
        return _system(rest, head, APT, "install", _APT_VALUES, r"=", ".deb")
    if head == "apk":
        return _system(rest, head, APK, "add", _APK_VALUES, r"[=~]", ".apk")
    return None


def _program(words: list[Word]) -> list[Word]:
    """The words from the program that runs on: assignments, ``sudo``, ``env``, shell
    keywords and ``conda run -n env`` in front of it passed over."""
    index = 0
    while index < len(words):
        text = words[index].text
        if text in _PASSED_OVER or _ASSIGNMENT.match(text):
            index += 1
        elif text in ("sudo", "env"):
            index += 1
            while index < len(words) and (
                words[index].text.startswith("-") or _ASSIGNMENT.match(words[index].text)
            ):
                # sudo -u user: the user is the option's value
                index += 2 if words[index].text in ("-u", "-g") else 1
        elif (
            text.rpartition("/")[2] in _CONDA_HEADS
            and index + 1 < len(words)
            and words[index + 1].text == "run"
        ):
            index = _after_options(words, index + 2, _CONDA_VALUES)
        else:
            break
    return words[index:]


def _after_options(words: list[Word], start: int, takes_value: frozenset[str]) -> int:
    """The index of the first word from ``start`` on that is not an option or its value."""
    index = start
    while index < len(words) and words[index].text.startswith("-"):
        index += 2 if words[index].text in takes_value else 1
    return index


def _subcommand(words: list[Word], start: int, wanted: str) -> int | None:
    """The index after the subcommand ``wanted`` when it is the first word that is not an
    option; None when the command does something else."""
    index = start
    while index < len(words) and words[index].text.startswith("-"):
        index += 1
    if index < len(words) and words[index].text == wanted:
        return index + 1
    return None


def _pip(words: list[Word], start: int, shown: str) -> Install | None:
    index = _subcommand(words, start, "install")
    if index is None:
        return None
    packages: list[Package] = []
    from_file = pinned = False
    while index < len(words):
        word = words[index]
        option, attached = _option(word.text)
        if option in _PIP_FILES:
            from_file = True
        elif option in _PIP_PINNING or option == "--require-hashes":
            pinned = True
        if option is not None:
            takes = option in _PIP_VALUES | _PIP_FILES | _PIP_PINNING | _PIP_EDITABLE
            index += 2 if takes and not attached else 1
            continue
        found = _pip_package(word)
        if found is not None:
            packages.append(found)
        index += 1
    return Install(PIP, f"{shown} install", words[0].offset, tuple(packages), from_file, pinned)


_ATTACHABLE = frozenset({"-r", "-c", "-e", "-i", "-f", "-t"})


def _option(text: str) -> tuple[str | None, bool]:
    """(the option a word is, whether its value is attached to it); (None, False) for a
    word that is no option. ``--index-url=x`` and ``-rrequirements.txt`` carry their value."""
    if not text.startswith("-") or text == "-":
        return None, False
    if text.startswith("--"):
        name, equals, _ = text.partition("=")
        return name, bool(equals)
    if len(text) > 2 and text[:2] in _ATTACHABLE:
        return text[:2], True
    return text, False


def _pip_package(word: Word) -> Package | None:
    text = word.text
    if "$" in text or "`" in text:
        # A version from a variable pins; anything else from one cannot be known.
        if "==" in text:
            return Package(text.partition("=")[0], text, word.offset, True)
        return None
    try:
        dependency = requirement(text, 1, 1)
    except ParseError:
        return None
    if dependency.local or dependency.name in _TOOLS[PIP]:
        return None
    # A VCS URL without #egg= names no project: it is shown as written.
    return Package(dependency.name or text, text, word.offset, dependency.pinned)


def _conda(words: list[Word], head: str) -> Install | None:
    index = 1
    if len(words) > 2 and words[1].text == "env" and words[2].text in ("create", "update"):
        return Install(CONDA, f"{head} env {words[2].text}", words[0].offset, (), True)
    while index < len(words) and words[index].text.startswith("-"):
        index += 1
    if index >= len(words) or words[index].text not in ("install", "create"):
        return None
    shown = f"{head} {words[index].text}"
    packages: list[Package] = []
    from_file = False
    index += 1
    while index < len(words):
        text = words[index].text
        if text.startswith("-"):
            name = text.partition("=")[0]
            from_file = from_file or name in _CONDA_FILES
            takes = name in _CONDA_VALUES | _CONDA_FILES and "=" not in text
            index += 2 if takes else 1
            continue
        found = _conda_package(words[index])
        if found is not None:
            packages.append(found)
        index += 1
    return Install(CONDA, shown, words[0].offset, tuple(packages), from_file)


def _conda_package(word: Word) -> Package | None:
    text = word.text
    name = re.split(r"[=<>!~\s\[]", text.rpartition("::")[2], maxsplit=1)[0]
    if not name or name in _TOOLS[CONDA] or ("$" in text and "=" not in text):
        return None
    if text.endswith((".tar.bz2", ".conda")) or "/" in text:
        return None  # a package file or a path: nothing to resolve
    return Package(name, text, word.offset, _CONDA_VERSION.search(text) is not None)


def _system(
    words: list[Word],
    head: str,
    manager: str,
    verb: str,
    takes_value: frozenset[str],
    version_mark: str,
    file_suffix: str,
) -> Install | None:
    index = _subcommand(words, 1, verb)
    if index is None:
        return None
    packages: list[Package] = []
    while index < len(words):
        word = words[index]
        if word.text.startswith("-"):
            takes = word.text in takes_value
            index += 2 if takes else 1
            continue
        text = word.text
        if "$" not in text and "`" not in text and not text.endswith(file_suffix):
            name = re.split(version_mark, text, maxsplit=1)[0]
            pinned = re.search(version_mark, text) is not None
            packages.append(Package(name, text, word.offset, pinned))
        index += 1
    return Install(manager, f"{head} {verb}", words[0].offset, tuple(packages))
