"""The ways a CloudFormation template is deployed, each with the parameter values it gives.

A template's parameters without a default are unknown in the template itself; the project
often says elsewhere what they are. Two places are read, statically:

* a CodePipeline **template configuration file** in the template's folder: a JSON object
  with ``Parameters``, ``Tags`` and ``StackPolicy`` members only, its ``Parameters`` a map
  of parameter names to values (AWS CloudFormation User Guide, "CloudFormation artifacts"
  in continuous delivery with CodePipeline), or a parameters file in the CLI's form (a JSON
  list of ``ParameterKey``/``ParameterValue`` pairs). Neither names a template;
  CloudFormation refuses a parameter the template does not declare, so each counts for
  every template of its folder that declares every parameter it sets;
* a **deploy command** in a shell script or a CI definition of the project (test code left
  out): ``aws cloudformation deploy --parameter-overrides Key=Value …``, ``sam deploy
  --parameter-overrides`` (``Key=Value`` or ``ParameterKey=Key,ParameterValue=Value``),
  and ``aws cloudformation create-stack`` / ``update-stack`` / ``create-change-set
  --parameters ParameterKey=Key,ParameterValue=Value …`` (or a ``file://`` JSON list of
  them). Its template is the one ``--template-file`` / ``-t`` / ``--template-body
  file://…`` names, from the file's folder or the project's root (the output of an ``aws
  cloudformation package`` or ``sam package`` in the same file stands for its input), a
  ``--template-url`` whose file name only one template has, or SAM's ``template.yaml``.

A value written with a shell variable or a substitution (``Stage=$STAGE``), or set to its
previous value, is unknown, as is every parameter of a command whose values come from
somewhere not read (a ``file://`` of another shape, ``sam deploy --guided``, a
``samconfig.toml`` in the script's folder or the project's root beside a ``sam deploy``
without overrides).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import field
from typing import Any

from mllint_wa.evidence import Evidence, ParseError
from mllint_wa.evidence import kinds as k
from mllint_wa.evidence.automation import ci_evidence
from mllint_wa.evidence.code import is_test_path
from mllint_wa.evidence.resources import Value, known, unknown
from mllint_wa.model import Location
from mllint_wa.parsers.ci_systems import PRE_COMMIT
from mllint_wa.parsers.cloudformation import Template
from mllint_wa.parsers.json_positions import JsonDocument, load_json, loads_bounded
from mllint_wa.parsers.shell import CommandWord, Script, commands
from mllint_wa.records import dataclass

_CONFIGURATION_MEMBERS = frozenset({"Parameters", "Tags", "StackPolicy"})
_STACK_COMMANDS = frozenset({"create-stack", "update-stack", "create-change-set"})
_SAM_TEMPLATES = ("template.yaml", "template.yml")
_SAM_SETTINGS = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")
# The prefilter: files that cannot deploy a template are not read as shell.
_DEPLOY_WORDS = (b"cloudformation", b"sam ")
_SHORTHAND = re.compile(r"ParameterKey=(?P<key>[^,]*),(?P<setting>\w+)=(?P<value>.*)", re.S)


@dataclass(frozen=True)
class Configuration:
    """One way a template is deployed: ``name`` says which in messages (the configuration
    file's name, or the deploy command's file and line); ``values`` holds the parameters it
    sets; ``sets_unknown`` means it may set any parameter to a value not read."""

    name: str
    values: Mapping[str, Value] = field(default_factory=dict)
    sets_unknown: bool = False


def configurations(
    ev: Evidence, templates: Mapping[str, Template]
) -> dict[str, list[Configuration]]:
    """The configurations of each template that has some: its configuration files, then
    the deploy commands naming it, each in path order."""
    found: dict[str, list[Configuration]] = {}
    for folder, configuration in _configuration_files(ev, templates):
        for path, template in templates.items():
            if posixpath.dirname(path) == folder and configuration.values.keys() <= set(
                template.section("Parameters")
            ):
                found.setdefault(path, []).append(configuration)
    for path, configuration in _deploy_commands(ev, templates):
        found.setdefault(path, []).append(configuration)
    return found


# Template configuration files ------------------------------------------------------------------


def configuration_files(
    ev: Evidence, templates: Iterable[str], member: str
) -> Iterator[tuple[str, JsonDocument]]:
    """(path, document) of each template configuration file that has ``member``: JSON
    outside tests, no template, an object whose members are among ``Parameters``, ``Tags``
    and ``StackPolicy``. Parsed once, for its parameters and for its tags."""
    needle = f'"{member}"'.encode()
    for path in ev.files(k.JSON):
        if path in templates or is_test_path(path) or not ev.mentions(path, needle):
            continue
        document = ev.parse(path, load_json)
        if document is not None and _is_configuration(document.value, member):
            yield path, document


def _is_configuration(body: Any, member: str) -> bool:
    return isinstance(body, dict) and member in body and body.keys() <= _CONFIGURATION_MEMBERS


def _configuration_files(
    ev: Evidence, templates: Mapping[str, Template]
) -> Iterator[tuple[str, Configuration]]:
    """(folder, configuration) of each template configuration file that sets parameters,
    and of each parameters file in the CLI's form (a JSON list of ``ParameterKey`` and
    ``ParameterValue`` pairs, what ``--parameters file://…`` reads)."""
    for path, document in configuration_files(ev, templates, "Parameters"):
        configuration = _configured(path, document)
        if configuration is not None:
            yield posixpath.dirname(path), configuration
    for path in ev.files(k.JSON):
        if path in templates or is_test_path(path) or not ev.mentions(path, b'"ParameterKey"'):
            continue
        listed = ev.parse(path, load_json)
        values = _listed(listed.value, Location(path, 1, 1), listed) if listed else None
        if values:
            yield posixpath.dirname(path), Configuration(posixpath.basename(path), values)


def _configured(path: str, document: JsonDocument) -> Configuration | None:
    """A template configuration file's parameters; None when it sets none."""
    parameters = document.value.get("Parameters")
    if not isinstance(parameters, dict) or not parameters:
        return None
    values = {
        str(name): _parameter_value(
            given, Location(path, *document.position(("Parameters", name))), str(name)
        )
        for name, given in parameters.items()
    }
    return Configuration(posixpath.basename(path), values)


def _parameter_value(given: Any, where: Location, name: str) -> Value:
    """A parameter value as CloudFormation takes it: a string (JSON numbers and booleans
    are passed as their text)."""
    if isinstance(given, bool):
        return known("true" if given else "false", where)
    if isinstance(given, (str, int, float)):
        return known(str(given), where)
    return unknown(f"Parameters.{name}", where)


# Deploy commands -------------------------------------------------------------------------------


def _deploy_commands(
    ev: Evidence, templates: Mapping[str, Template]
) -> Iterator[tuple[str, Configuration]]:
    """(template, configuration) of each deploy command whose template is in the project."""
    for path, script in _scripts(ev):
        reader = _CommandReader(ev, path, script, templates)
        yield from reader.deployments()


def _scripts(ev: Evidence) -> Iterator[tuple[str, Script]]:
    """The shell scripts and CI scripts that may deploy a template, with positions."""
    for path in ev.files(k.SHELL):
        if is_test_path(path) or not ev.mentions(path, *_DEPLOY_WORDS):
            continue
        text = ev.text(path)
        if text is not None:
            yield path, Script.at(text, 1, 1)
    for definition in ci_evidence(ev).own:
        if definition.system == PRE_COMMIT or is_test_path(definition.path):
            continue
        for command in definition.commands:
            if any(word.decode() in command.script.text for word in _DEPLOY_WORDS):
                yield definition.path, command.script


class _CommandReader:
    """The deploy commands of one script."""

    def __init__(
        self, ev: Evidence, path: str, script: Script, templates: Mapping[str, Template]
    ) -> None:
        self.ev = ev
        self.path = path
        self.script = script
        self.templates = templates
        self.folder = posixpath.dirname(path)
        # What a package command wrote, by the name it was written to: its input template.
        self.packaged: dict[str, str] = {}

    def deployments(self) -> Iterator[tuple[str, Configuration]]:
        for words in commands(self.script.text):
            action = _action(words)
            if action is None:
                continue
            tool, verb, options = action
            if verb == "package":
                source = _option(options, "--template-file", "--template", "-t")
                output = _option(options, "--output-template-file")
                if source is not None and output is not None and source.literal:
                    self.packaged[output.value] = source.value
                continue
            template = self._template(tool, options)
            if template is None:
                continue
            line, _ = self.script.position(words[0].offset)
            name = f"{self.path}:{line}"
            yield template, self._configuration(name, tool, verb, options)

    def _template(self, tool: str, options: Sequence[CommandWord]) -> str | None:
        """The project path of the template a command deploys, if it can be told."""
        given = _option(options, "--template-file", "--template", "-t", "--template-body")
        if given is not None:
            if not given.literal:
                return None
            written = given.value.removeprefix("file://")
            return self._template_at(self.packaged.get(written, written))
        url = _option(options, "--template-url")
        if url is not None:
            name = url.value.rpartition("/")[2]
            return None if "$" in name else template_named(name, self.templates)
        if tool == "sam":
            return next(filter(None, map(self._template_at, _SAM_TEMPLATES)), None)
        return None

    def _template_at(self, written: str) -> str | None:
        return template_at(written, self.folder, self.templates)

    def _configuration(
        self, name: str, tool: str, verb: str, options: Sequence[CommandWord]
    ) -> Configuration:
        if tool == "sam" and any(word.value == "--guided" for word in options):
            return Configuration(name, sets_unknown=True)
        flag = "--parameters" if verb in _STACK_COMMANDS else "--parameter-overrides"
        given = _arguments(options, flag)
        if not given:
            beside = tool == "sam" and any(
                self.ev.exists(posixpath.join(base, settings))
                for base in (self.folder, "")
                for settings in _SAM_SETTINGS
            )
            return Configuration(name, sets_unknown=beside)
        values: dict[str, Value] = {}
        for word in given:
            read = self._pairs(word, split=tool == "sam")
            if read is None:
                return Configuration(name, values, sets_unknown=True)
            values.update(read)
        return Configuration(name, values)

    def _pairs(self, word: CommandWord, split: bool) -> dict[str, Value] | None:
        """The parameters one argument sets (SAM's, several in one string); None when
        which it sets cannot be read."""
        if word.value.startswith("file://"):
            return self._parameters_file(word.value.removeprefix("file://"))
        if word.value.lstrip().startswith("["):
            try:
                return _listed(loads_bounded(word.value), self._at(word, 0))
            except (ParseError, ValueError):
                return None
        try:
            pieces = shlex.split(word.value) if split else [word.value]
        except ValueError:
            return None
        found: dict[str, Value] = {}
        for piece in pieces:
            where = self._at(word, word.value.find(piece))
            shorthand = _SHORTHAND.fullmatch(piece)
            if shorthand is not None:
                key, setting, text = shorthand["key"], shorthand["setting"], shorthand["value"]
                if setting != "ParameterValue":  # UsePreviousValue, ResolvedValue
                    found[key] = unknown(piece, where)
                    continue
            else:
                key, equals, text = piece.partition("=")
                if not equals:
                    return None
            dynamic = "$" in text or "\x00" in text
            found[key] = unknown(piece, where) if dynamic else known(text, where)
        return found

    def _parameters_file(self, written: str) -> dict[str, Value] | None:
        local = () if "$" in written else _written_paths(written, self.folder)
        path = next(filter(self.ev.exists, local), None)
        document = self.ev.parse(path, load_json) if path is not None else None
        if path is None or document is None:
            return None
        return _listed(document.value, Location(path, 1, 1), document)

    def _at(self, word: CommandWord, index: int) -> Location:
        offset = word.offsets[max(0, min(index, len(word.offsets) - 1))]
        return Location(self.path, *self.script.position(offset))


def _written_paths(written: str, folder: str) -> Iterator[str]:
    """The project paths a path written in a script in ``folder`` may name: from that
    folder, then from the project's root; none for a URL or an absolute path, nor out of
    the project."""
    if "://" in written or written.startswith("/"):
        return
    for base in (folder, ""):
        candidate = posixpath.normpath(posixpath.join(base, written))
        if not candidate.startswith("../"):
            yield candidate


def template_at(written: str, folder: str, templates: Iterable[str]) -> str | None:
    """The template a path written in a script in ``folder`` names, if it is one."""
    return next((path for path in _written_paths(written, folder) if path in templates), None)


def template_named(name: str, templates: Iterable[str]) -> str | None:
    """The one template with this file name; None when no template, or more than one, has
    it."""
    same = [path for path in templates if name and posixpath.basename(path) == name]
    return same[0] if len(same) == 1 else None


def _listed(
    items: Any, where: Location, document: JsonDocument | None = None
) -> dict[str, Value] | None:
    """``[{"ParameterKey": …, "ParameterValue": …}, …]`` as values; None for any other
    shape."""
    if not isinstance(items, list):
        return None
    found: dict[str, Value] = {}
    for index, item in enumerate(items):
        key = item.get("ParameterKey") if isinstance(item, dict) else None
        if not isinstance(key, str):
            return None
        at = (
            Location(where.path, *document.position((index, "ParameterValue")))
            if document is not None
            else where
        )
        if "ParameterValue" in item and not item.get("UsePreviousValue"):
            found[key] = _parameter_value(item["ParameterValue"], at, key)
        else:
            found[key] = unknown(key, at)
    return found


def _action(words: Sequence[CommandWord]) -> tuple[str, str, list[CommandWord]] | None:
    """(tool, verb, the words after it) of an ``aws cloudformation …`` or ``sam …``
    command that deploys or packages a template."""
    values = [word.value for word in words]
    if not values:
        return None
    program = values[0].rpartition("/")[2]
    if program == "aws" and "cloudformation" in values:
        index = values.index("cloudformation") + 1
        verb = values[index] if index < len(values) else ""
        if verb == "deploy" or verb == "package" or verb in _STACK_COMMANDS:
            return "aws", verb, list(words[index + 1 :])
    if program == "sam":
        index = next((i for i, v in enumerate(values[1:], 1) if not v.startswith("-")), 0)
        if index and values[index] in ("deploy", "package"):
            return "sam", values[index], list(words[index + 1 :])
    return None


def _option(options: Sequence[CommandWord], *names: str) -> CommandWord | None:
    """The value of the first of ``names`` given (``--name value`` or ``--name=value``)."""
    for index, word in enumerate(options):
        name, equals, _ = word.value.partition("=")
        if name not in names:
            continue
        if equals:
            skipped = len(name) + 1
            return CommandWord(word.value[skipped:], word.offsets[skipped:] or word.offsets)
        if index + 1 < len(options):
            return options[index + 1]
    return None


def _arguments(options: Sequence[CommandWord], name: str) -> list[CommandWord]:
    """The words an option takes, up to the next option."""
    found: list[CommandWord] = []
    taking = False
    for word in options:
        if word.value.startswith("--"):
            taking = word.value == name
            if word.value.startswith(name + "="):
                skipped = len(name) + 1
                found.append(CommandWord(word.value[skipped:], word.offsets[skipped:]))
            continue
        if taking:
            found.append(word)
    return found


def agreed(configurations: Iterable[Configuration]) -> Configuration:
    """What every configuration says alike: a parameter all of them set to the same value
    is known (where it is used, for no one file decided it), one they set differently is
    unknown."""
    listed = list(configurations)
    names = {name for configuration in listed for name in configuration.values}
    values: dict[str, Value] = {}
    for name in sorted(names):
        given = [configuration.values.get(name) for configuration in listed]
        first = given[0]
        alike = all(
            value is not None and value.known and first is not None and value.value == first.value
            for value in given
        )
        values[name] = (
            known(first.value) if alike and first is not None else unknown(f"!Ref {name}")
        )
    return Configuration("", values, any(c.sets_unknown for c in listed))
