"""CI definitions in one shape: the shell commands they run, what they use, which images.

GitHub Actions (jobs → steps → ``run:``/``uses:``, job ``container:``/``services:``), GitLab
CI (``script``/``before_script``/``after_script``, ``include:``, ``extends``, ``image``,
``services``; ``!reference`` tags are data), AWS CodeBuild ``buildspec*.yml`` (phases →
``commands``/``finally``), Azure Pipelines (``script``/``bash``/``powershell``, ``task``,
``template``, ``container``), CircleCI (``run``, ``docker`` images, orbs), Bitbucket
Pipelines, ``.pre-commit-config.yaml`` hooks, and Jenkinsfiles read at the text level
(``sh '…'`` and triple-quoted ``sh`` strings). YAML definitions are read from the documents
:func:`~mllint_wa.parsers.yaml_doc.load_yaml` returns, so that a file is parsed once for
every rule that reads it.

A definition is *opaque* when part of what it runs is defined elsewhere (an ``include:``,
a reusable workflow of another repository, a pipeline template, an orb, a Jenkins shared
library): a rule about something missing cannot decide on it.
"""

from __future__ import annotations

import re
from typing import Any

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import ParseError
from mllint_wa.parsers.ci_systems import (
    AZURE,
    BITBUCKET,
    CIRCLECI,
    CODEBUILD,
    GITHUB,
    GITLAB,
    JENKINS,
    PRE_COMMIT,
)
from mllint_wa.parsers.shell import Script
from mllint_wa.parsers.yaml_doc import item_position, key_position, value_position, walk
from mllint_wa.records import dataclass


@dataclass(frozen=True)
class CiCommand:
    """A shell script a job runs, with its positions; ``job`` names the job."""

    script: Script
    job: str


@dataclass(frozen=True)
class CiUse:
    """Something a definition uses by name: an action, a task, a hook, an include."""

    name: str
    kind: str
    line: int
    column: int
    opaque: bool = False


@dataclass(frozen=True)
class CiImage:
    """A container image a job runs in or beside, as written."""

    image: str
    line: int
    column: int


@dataclass(frozen=True)
class CiDefinition:
    path: str
    system: str
    commands: tuple[CiCommand, ...]
    uses: tuple[CiUse, ...]
    images: tuple[CiImage, ...]
    # Where the definition's jobs (or hooks) start: where a finding about it stands.
    line: int = 1
    column: int = 1
    # Where the definition says it runs on a timer (a cron), or None.
    schedule: tuple[int, int] | None = None

    @property
    def opaque(self) -> bool:
        return any(use.opaque for use in self.uses)


class _Builder:
    """Collects one definition's commands, uses and images with their positions."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.commands: list[CiCommand] = []
        self.uses: list[CiUse] = []
        self.images: list[CiImage] = []
        self._script_lists: set[int] = set()

    @nesting_bounded(None)
    def command(self, container: Any, key: object, value: object, job: str) -> None:
        """A script held at ``container[key]``: a string or a (nested) list of strings;
        ``!reference`` sequences name another job's script and are left as data. A list
        that aliases name again is read once: its commands are written in one place."""
        if isinstance(value, str):
            line, column = _position(container, key)
            self.commands.append(CiCommand(self._located(value, line, column), job))
        elif isinstance(value, list) and _tag(value) is None:
            if id(value) in self._script_lists:
                return
            self._script_lists.add(id(value))
            for index, item in enumerate(value):
                self.command(value, index, item, job)

    def use(self, container: Any, key: object, name: object, kind: str, opaque: bool) -> None:
        if isinstance(name, str):
            self.uses.append(CiUse(name, kind, *_position(container, key), opaque))

    def image(self, container: Any, key: object, value: object) -> None:
        """An image given as a string, or as a mapping with ``image`` or ``name``."""
        if isinstance(value, str):
            self.images.append(CiImage(value, *_position(container, key)))
        elif isinstance(value, dict):
            for field in ("image", "name"):
                if isinstance(value.get(field), str):
                    self.images.append(CiImage(value[field], *_position(value, field)))
                    return

    def _located(self, value: str, line: int, column: int) -> Script:
        """The script with its positions in the file. A literal block (``|``) maps line for
        line from the line after its indicator; a one-line value sits where it was read
        (after its quote); other multi-line values are found line by line, in order."""
        kind = type(value).__name__
        if kind == "LiteralScalarString":
            rows = []
            for number, content in enumerate(value.split("\n"), start=line + 1):
                source = self.lines[number - 1] if number <= len(self.lines) else ""
                rows.append((number, max(1, len(source) - len(content) + 1), content))
            return Script.of_lines(rows)
        source = self.lines[line - 1] if line <= len(self.lines) else ""
        quoted = source[column - 1 : column] in ("'", '"')
        if "\n" not in value and kind != "FoldedScalarString":
            return Script(str(value), ((0, line, column + quoted),))
        segments: list[tuple[int, int, int]] = []
        cursor = 0
        number = line + 1 if kind == "FoldedScalarString" else line
        while cursor < len(value) and number <= len(self.lines):
            source = self.lines[number - 1]
            start = column - 1 + quoted if number == line else 0
            text = source[start:]
            probe = text.strip()[:16]
            if probe:
                found = value.find(probe, cursor)
                if found < 0:
                    break
                segments.append((found, number, len(source) - len(text.lstrip()) + 1))
                cursor = found + len(probe)
            number += 1
        return Script(str(value), tuple(segments) or ((0, line, column),))

    def build(
        self,
        path: str,
        system: str,
        line: int = 1,
        column: int = 1,
        schedule: tuple[int, int] | None = None,
    ) -> CiDefinition:
        return CiDefinition(
            path,
            system,
            tuple(self.commands),
            tuple(self.uses),
            tuple(self.images),
            line,
            column,
            schedule,
        )


def _position(container: Any, key: object) -> tuple[int, int]:
    if isinstance(container, list) and isinstance(key, int):
        return item_position(container, key)
    return value_position(container, key)


def _tag(node: object) -> str | None:
    tag = getattr(node, "tag", None)
    return getattr(tag, "value", None) if tag is not None else None


def _first_key(document: Any, *keys: str) -> tuple[int, int]:
    for key in keys:
        if isinstance(document, dict) and key in document:
            return key_position(document, key)
    return 1, 1


def ci_definition(path: str, system: str, documents: list[Any], text: str) -> CiDefinition:
    """The commands, uses and images of a YAML CI definition already loaded."""
    builder = _Builder(text)
    document = documents[0] if documents else None
    if not isinstance(document, dict):
        return builder.build(path, system)
    reader = _READERS[system]
    line, column = reader(document, builder)
    return builder.build(path, system, line, column, _schedule(system, document, text))


# GitLab and Bitbucket keep their schedules in project settings, not in the file; a GitLab
# job that runs only for scheduled pipelines is the file's sign that one exists.
_GITLAB_SCHEDULED = re.compile(
    r"""CI_PIPELINE_SOURCE\s*==\s*["']schedule["']"""
    r"|^[ \t]*(?:only|refs):[ \t]*\[[^\]\n]*\bschedules\b"
    r"|^[ \t]*-[ \t]*schedules[ \t]*$",
    re.MULTILINE,
)


def _schedule(system: str, document: dict[Any, Any], text: str) -> tuple[int, int] | None:
    """Where a YAML CI definition starts its pipeline on a timer: GitHub Actions'
    ``on: schedule``, Azure Pipelines' ``schedules``, a CircleCI workflow's ``triggers:
    - schedule``, a GitLab job ruled to scheduled pipelines."""
    if system == GITHUB:
        # YAML 1.1 readers take a bare ``on`` for true.
        events = document.get("on", document.get(True))
        if isinstance(events, dict) and "schedule" in events:
            return key_position(events, "schedule")
    elif system == AZURE and "schedules" in document:
        return key_position(document, "schedules")
    elif system == CIRCLECI and isinstance(document.get("workflows"), dict):
        for workflow in document["workflows"].values():
            triggers = workflow.get("triggers") if isinstance(workflow, dict) else None
            for trigger in triggers if isinstance(triggers, list) else []:
                if isinstance(trigger, dict) and "schedule" in trigger:
                    return key_position(trigger, "schedule")
    elif system == GITLAB:
        found = _GITLAB_SCHEDULED.search(text)
        if found is not None:
            return _text_position(text, found.start())
    return None


def _text_position(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _github(document: dict[str, Any], builder: _Builder) -> tuple[int, int]:
    jobs = document.get("jobs")
    if not isinstance(jobs, dict):
        return 1, 1
    for job_name, job in jobs.items():
        if not isinstance(job, dict):
            continue
        name = str(job_name)
        # A reusable workflow of another repository hides its steps; a local one is linted
        # as a file of its own.
        reusable = job.get("uses")
        if isinstance(reusable, str):
            builder.use(job, "uses", reusable, "workflow", not reusable.startswith("./"))
        if "container" in job:
            builder.image(job, "container", job["container"])
        services = job.get("services")
        if isinstance(services, dict):
            for service_name, service in services.items():
                builder.image(services, service_name, service)
        steps = job.get("steps")
        if not isinstance(steps, list):
            continue
        for step in steps:
            if not isinstance(step, dict):
                continue
            if "run" in step:
                builder.command(step, "run", step["run"], name)
            action = step.get("uses")
            if isinstance(action, str):
                if action.startswith("docker://"):
                    line, column = value_position(step, "uses")
                    builder.images.append(CiImage(action[len("docker://") :], line, column + 9))
                else:
                    builder.use(step, "uses", action, "action", False)
    return key_position(document, "jobs")


_GITLAB_RESERVED = frozenset(
    {"default", "include", "stages", "variables", "workflow", "image", "services", "cache",
     "before_script", "after_script", "spec", "pages:deploy"}
)  # fmt: skip
_GITLAB_SCRIPTS = ("before_script", "script", "after_script")


def _gitlab(document: dict[str, Any], builder: _Builder) -> tuple[int, int]:
    include = document.get("include")
    if include is not None:
        builder.use(document, "include", _describe_include(include), "include", True)
    scopes: list[tuple[str, dict[str, Any]]] = [("(global)", document)]
    if isinstance(document.get("default"), dict):
        scopes.append(("default", document["default"]))
    scopes += [
        (str(name), job)
        for name, job in document.items()
        if isinstance(job, dict) and str(name) not in _GITLAB_RESERVED
    ]
    first_job = next((name for name, _ in scopes[1:] if name != "default"), None)
    for name, scope in scopes:
        for key in _GITLAB_SCRIPTS:
            if key in scope:
                builder.command(scope, key, scope[key], name)
        if "image" in scope:
            builder.image(scope, "image", scope["image"])
        services = scope.get("services")
        if isinstance(services, list):
            for index, service in enumerate(services):
                builder.image(services, index, service)
        if scope is not document:
            extends = scope.get("extends")
            for parent in extends if isinstance(extends, list) else [extends]:
                builder.use(scope, "extends", parent, "extends", False)
            if "trigger" in scope:
                builder.use(scope, "trigger", "trigger", "trigger", True)
    return key_position(document, first_job) if first_job else (1, 1)


def _describe_include(include: object) -> str:
    items = include if isinstance(include, list) else [include]
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            for key in ("local", "project", "template", "remote", "component"):
                if isinstance(item.get(key), str):
                    names.append(item[key])
                    break
    return ", ".join(names) or "include"


def _codebuild(document: dict[str, Any], builder: _Builder) -> tuple[int, int]:
    phases = document.get("phases")
    if isinstance(phases, dict):
        for phase_name, phase in phases.items():
            if isinstance(phase, dict):
                for key in ("commands", "finally"):
                    if key in phase:
                        builder.command(phase, key, phase[key], str(phase_name))
    return _first_key(document, "phases")


def _azure(document: dict[str, Any], builder: _Builder) -> tuple[int, int]:
    for container, key, value in walk(document):
        if not isinstance(key, str):
            continue
        if key in ("script", "bash", "powershell", "pwsh", "inlineScript"):
            builder.command(container, key, value, "")
        elif key == "task":
            builder.use(container, key, value, "task", False)
        elif key == "template":
            builder.use(container, key, value, "template", True)
        elif key == "container" or (key == "image" and isinstance(value, str)):
            builder.image(container, key, value)
    return _first_key(document, "stages", "jobs", "steps", "extends")


def _circleci(document: dict[str, Any], builder: _Builder) -> tuple[int, int]:
    if isinstance(document.get("orbs"), dict):
        for name, orb in document["orbs"].items():
            builder.use(document["orbs"], name, orb, "orb", True)
    for container, key, value in walk(document):
        if key == "run":
            if isinstance(value, dict) and "command" in value:
                builder.command(value, "command", value["command"], "")
            else:
                builder.command(container, key, value, "")
        elif key == "docker" and isinstance(value, list):
            for index, image in enumerate(value):
                builder.image(value, index, image)
    return _first_key(document, "jobs", "workflows")


def _bitbucket(document: dict[str, Any], builder: _Builder) -> tuple[int, int]:
    if "image" in document:
        builder.image(document, "image", document["image"])
    for container, key, value in walk(document):
        if key == "script" and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict) and isinstance(item.get("pipe"), str):
                    builder.use(item, "pipe", item["pipe"], "pipe", True)
                else:
                    builder.command(value, index, item, "")
        elif key == "image" and container is not document:
            builder.image(container, key, value)
    return _first_key(document, "pipelines")


def _pre_commit(document: dict[str, Any], builder: _Builder) -> tuple[int, int]:
    repos = document.get("repos")
    if not isinstance(repos, list):
        return 1, 1
    for repo in repos:
        if not isinstance(repo, dict) or not isinstance(repo.get("hooks"), list):
            continue
        source = str(repo.get("repo", ""))
        for hook in repo["hooks"]:
            if not isinstance(hook, dict):
                continue
            builder.use(hook, "id", f"{source}#{hook.get('id', '')}", "hook", False)
            if source in ("local", "meta") and "entry" in hook:
                builder.command(hook, "entry", hook["entry"], str(hook.get("id", "")))
    return key_position(document, "repos")


_READERS = {
    GITHUB: _github,
    GITLAB: _gitlab,
    CODEBUILD: _codebuild,
    AZURE: _azure,
    CIRCLECI: _circleci,
    BITBUCKET: _bitbucket,
    PRE_COMMIT: _pre_commit,
}

# Characters of a Jenkinsfile read at most, as much as a CI definition in YAML: four megabytes
# of `sh 'a'` lines took 4.5 s and 370 MB, one megabyte takes about one second.
MAX_JENKINSFILE = 1024 * 1024
# Jenkinsfile steps that run a script, with their string argument. The blanks after a `(`
# are a quantifier of their own, never adjacent to the blanks before it: two runs of blanks
# side by side split a long run in every way before failing.
_JENKINS_STEP = re.compile(
    r"(?<![\w.])(?P<step>sh|bat|powershell|pwsh)\s*(?:\(\s*)?(?:script\s*:\s*)?"
    r"(?P<quote>'''|\"\"\"|'|\")"
)
_JENKINS_IMAGE = re.compile(r"(?<![\w.])image\s*(?:\(\s*)?(['\"])(?P<image>[^'\"\n]+)\1")
_JENKINS_OPAQUE = re.compile(r"@Library\b|(?<![\w.])load\s*(?:\(\s*)?['\"]")
_GROOVY_COMMENT_START = re.compile(r"/\*|(?<![:\w\"'])//")
_NOT_NEWLINE = re.compile(r"[^\n]")
# A declarative pipeline's ``triggers { cron('H 2 * * *') }`` (or ``parameterizedCron``).
_JENKINS_CRON = re.compile(r"(?<![\w.])(?:parameterizedCron|cron)\s*\(")


def parse_jenkinsfile(text: str, path: str = "Jenkinsfile") -> CiDefinition:
    """A Jenkinsfile's ``sh``/``bat`` scripts and ``image`` names, read as text; comments
    are left out, and a shared library or ``load`` makes it opaque. One larger than
    :data:`MAX_JENKINSFILE` is a :class:`ParseError`."""
    if len(text) > MAX_JENKINSFILE:
        message = f"is too large to be read: more than {MAX_JENKINSFILE >> 10:,} KiB"
        raise ParseError(message, 1, 1)
    code = _without_groovy_comments(text)
    # Offsets to lines and columns by binary search: a file of many steps is read once.
    where = Script.at(code, 1, 1)
    builder = _Builder(text)
    for match in _JENKINS_STEP.finditer(code):
        quote = match.group("quote")
        start = match.end()
        end = _closing(code, start, quote)
        if end < 0:
            continue
        builder.commands.append(CiCommand(Script.at(code[start:end], *where.position(start)), ""))
    for match in _JENKINS_IMAGE.finditer(code):
        image = match.group("image")
        builder.images.append(CiImage(image, *where.position(match.start("image"))))
    for match in _JENKINS_OPAQUE.finditer(code):
        line = where.position(match.start())[0]
        builder.uses.append(CiUse(match.group().strip(), "library", line, 1, True))
    first = _JENKINS_STEP.search(code)
    line = where.position(first.start())[0] if first else 1
    cron = _JENKINS_CRON.search(code)
    schedule = where.position(cron.start()) if cron else None
    return builder.build(path, JENKINS, line, 1, schedule)


def _without_groovy_comments(text: str) -> str:
    """``text`` with its ``//`` and ``/* … */`` comments blanked, lines kept in place. An
    unclosed ``/*`` is no comment, and once one is found no later one is closed either: the
    closing ``*/`` is looked for once, not from each opening."""
    kept: list[str] = []
    position = 0
    unclosed = False
    while (opening := _GROOVY_COMMENT_START.search(text, position)) is not None:
        start = opening.start()
        if opening.group() == "//":
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
        else:
            end = -1 if unclosed else text.find("*/", start + 2)
            if end < 0:
                unclosed = True
                kept.append(text[position : start + 2])
                position = start + 2
                continue
            end += 2
        kept += (text[position:start], _NOT_NEWLINE.sub(" ", text[start:end]))
        position = end
    kept.append(text[position:])
    return "".join(kept)


def _closing(text: str, start: int, quote: str) -> int:
    """The offset of the quote closing a Groovy string opened just before ``start``."""
    if len(quote) == 3:
        return text.find(quote, start)
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == quote:
            return index
        if char == "\n":
            return -1
        index += 1
    return -1
