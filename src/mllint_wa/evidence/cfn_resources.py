"""CloudFormation and SAM templates read into the resource model.

Every YAML or JSON file that mentions ``AWS::`` and parses as a template is read (CI,
DVC, conda and lock files are not templates), but for copies a tool generated from another
source the project keeps: ``cdk synth`` output beside its Python CDK app, and ``sam
package`` / ``aws cloudformation package`` output beside its template (see
:func:`_generated_copies`). A property's value is decided only as far as
the template decides it:

- a literal is known; ``!Ref Param`` is the value a parent stack passes to this nested
  template, else the value the configuration being read gives it (a template configuration
  file, a deploy command: :mod:`mllint_wa.evidence.cfn_configurations`), else the
  parameter's ``Default`` when it has one, else unknown, written ``!Ref Param``;
- ``!FindInMap`` is the entry its keys name when they resolve; a key that does not is
  followed down every branch, known when they all agree;
- ``!Ref``/``!GetAtt`` of another resource is that resource's logical ID, which is how links
  between resources (endpoint → endpoint config, alarm → endpoint …) are named;
- ``!Ref AWS::NoValue`` is absent; ``!If`` is unknown unless both branches agree; ``!Sub``
  without variables is its text; every other function is unknown.

A template deployed several ways is read once per configuration: a resource whose values
differ between them, and each resource linking to it, is named after the configuration
(``Endpoint (prod-config.json)``); the others are read once, with the values all
configurations share.

Resources are named by their logical ID; a literal physical name (``EndpointName: churn``)
used elsewhere in the project is mapped back to the logical ID that declares it. Tags the
stack is created with (a template configuration file, a deploy script's ``create_stack``:
:mod:`mllint_wa.evidence.stack_tags`) are merged into every resource's own, as
CloudFormation propagates them.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from mllint_wa.bounded import nesting_bounded
from mllint_wa.evidence import Evidence, ParseError
from mllint_wa.evidence import kinds as k
from mllint_wa.evidence import resources as m
from mllint_wa.evidence.cfn_configurations import Configuration, agreed, configurations
from mllint_wa.evidence.code import is_test_path, modules
from mllint_wa.evidence.resources import (
    ABSENT,
    Resource,
    Value,
    known,
    stops_when_idle,
    unknown,
    with_tags,
)
from mllint_wa.evidence.stack_tags import stack_tags
from mllint_wa.model import Location
from mllint_wa.parsers.cloudformation import Intrinsic, Template, parse_template
from mllint_wa.parsers.json_positions import Path, load_json

SOURCE = "cloudformation"
# (type, physical name), or (template path, type, name built from parameters).
Names = tuple[str, ...]
# Kinds whose YAML/JSON is some other tool's configuration, never a template.
_NOT_TEMPLATES = frozenset({k.CI, k.DVC, k.CONDA_ENV, k.PRE_COMMIT, k.LOCK, k.PARAMS, k.MLPROJECT})
_NESTED_STACKS = {
    "AWS::CloudFormation::Stack": "TemplateURL",
    "AWS::Serverless::Application": "Location",
}
# Properties that give a resource its physical name, by type: how a literal name used
# elsewhere (an alarm's EndpointName dimension) is traced back to a logical ID.
_NAME_PROPERTIES = {
    "AWS::SageMaker::Endpoint": "EndpointName",
    "AWS::SageMaker::EndpointConfig": "EndpointConfigName",
    "AWS::SageMaker::Model": "ModelName",
    "AWS::SageMaker::NotebookInstanceLifecycleConfig": "NotebookInstanceLifecycleConfigName",
    "AWS::IAM::Role": "RoleName",
    "AWS::CloudWatch::Alarm": "AlarmName",
}
_ENDPOINT = "AWS::SageMaker::Endpoint"
_ROLE = "AWS::IAM::Role"
_MONITOR_TYPES = {
    "DataQuality": "data-quality",
    "ModelQuality": "model-quality",
    "ModelBias": "model-bias",
    "ModelExplainability": "model-explainability",
}
# Job definition type → (monitor type, the property holding its input).
_JOB_DEFINITIONS = {
    f"AWS::SageMaker::{name}JobDefinition": (monitor, f"{name}JobInput")
    for name, monitor in _MONITOR_TYPES.items()
}
_SCALING_RESOURCE = re.compile(r"^endpoint/(?P<name>[^/]+)/variant/")
# A placeholder's name stops at the next brace: in a run of unclosed `${x`, each is then
# read up to the next one only, not to the end of the text.
_PLACEHOLDER = re.compile(r"\$\{(?P<name>[^{}.!]+)(?:\.[^{}]*)?\}")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_MAX_PIPELINE_STEPS = 1000


def extract(ev: Evidence) -> list[Resource]:
    """Every resource of every CloudFormation/SAM template in the project."""
    templates = _templates(ev)
    names = {
        key: logical_id
        for path, template in templates.items()
        for key, logical_id in _physical_names(_Reader(path, template, {}, {}))
    }
    passed = _passed_parameters(templates, names)
    tagged = _stack_tags(ev, templates)
    configured = configurations(ev, templates) if templates else {}
    found: list[Resource] = []
    for path, template in templates.items():
        reader = functools.partial(_Reader, path, template, passed.get(path, {}), names)
        found.extend(
            with_tags(resource, tagged[path])
            for resource in _configured_resources(reader, configured.get(path, []))
        )
    return found


def _configured_resources(
    reader: Callable[..., _Reader], ways: list[Configuration]
) -> list[Resource]:
    """A template's resources as its configurations deploy it. Resources every
    configuration makes alike are read once; one that differs between them is read once
    per configuration, named after it (``Endpoint (prod-config.json)``), and so is each
    resource that links to it, its links renamed to match."""
    if len(ways) <= 1:
        return list(reader(ways[0] if ways else None).resources())
    each = [list(reader(way).resources()) for way in ways]
    common = list(reader(agreed(ways)).resources())
    if any(len(read) != len(common) for read in each):
        return common
    differing = {
        index
        for index, resource in enumerate(common)
        if len({_compared(read[index].properties) for read in each}) > 1
    }
    ids = {resource.name: index for index, resource in enumerate(common)}
    linking = [{ids[name] for name in _strings(r.properties) if name in ids} for r in common]
    grown = True
    while grown:
        before = len(differing)
        differing |= {i for i, links in enumerate(linking) if links & differing}
        grown = len(differing) > before
    split = {common[index].name for index in differing}
    found = [resource for index, resource in enumerate(common) if index not in differing]
    for way, read in zip(ways, each, strict=True):
        renamed = {name: f"{name} ({way.name})" for name in split}
        found.extend(
            dataclasses.replace(
                read[index],
                name=renamed[read[index].name],
                properties=_renamed(read[index].properties, renamed),
                configuration=way.name,
            )
            for index in sorted(differing)
        )
    return found


@nesting_bounded(None)
def _compared(node: Any) -> Any:
    """A property's value without the places it is written: what configurations compare."""
    if isinstance(node, Value):
        return (node.state, _compared(node.value))
    if isinstance(node, Mapping):
        return tuple(sorted((key, _compared(value)) for key, value in node.items()))
    if isinstance(node, (list, tuple)):
        return tuple(_compared(item) for item in node)
    return node if isinstance(node, (str, int, float, bool, type(None))) else repr(node)


@nesting_bounded(())
def _strings(node: Any) -> Iterator[str]:
    """Every known text among a resource's property values: the names it links to."""
    if isinstance(node, Value):
        yield from _strings(node.value)
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str):
        yield node


@nesting_bounded(None)
def _renamed(node: Any, renamed: Mapping[str, str]) -> Any:
    """Property values with each link to a resource read per configuration renamed."""
    if isinstance(node, Value):
        return dataclasses.replace(node, value=_renamed(node.value, renamed))
    if isinstance(node, Mapping):
        return {key: _renamed(value, renamed) for key, value in node.items()}
    if isinstance(node, list):
        return [_renamed(item, renamed) for item in node]
    if isinstance(node, str):
        return renamed.get(node, node)
    return node


def _stack_tags(ev: Evidence, templates: Mapping[str, Template]) -> dict[str, Value]:
    """Each template's stack tags (:mod:`mllint_wa.evidence.stack_tags`), passed on to the
    nested stacks it creates, as CloudFormation propagates them."""
    tagged = stack_tags(ev, templates)
    for _ in range(len(templates)):  # a parent's tags reach a nested stack a level a turn
        changed = False
        for path, template in templates.items():
            for _, child, _ in _nested_stacks(path, template):
                if child in tagged and tagged[path].known and tagged[child].absent:
                    tagged[child] = tagged[path]
                    changed = True
        if not changed:
            break
    return tagged


def template_candidates(ev: Evidence) -> Iterator[str]:
    """The files that may be templates: YAML and JSON (not another tool's configuration,
    nor a test's fixture) that mention ``AWS::``. Whether one is a template, only parsing
    tells."""
    for path in ev.files(k.YAML, k.JSON, k.CLOUDFORMATION):
        if is_test_path(path) or ev.kinds(path) & _NOT_TEMPLATES:
            continue
        if ev.mentions(path, b"AWS::"):
            yield path


def _templates(ev: Evidence) -> dict[str, Template]:
    """Templates by path: the project's YAML/JSON files that are templates, and the local
    templates their nested stacks name; generated copies of another source left out."""
    queue = list(template_candidates(ev))
    templates: dict[str, Template] = {}
    seen = set(queue)
    while queue:
        path = queue.pop(0)
        template = ev.parse(path, parse_template)
        if template is None:
            continue
        templates[path] = template
        for _, child, _ in _nested_stacks(path, template):
            if child not in seen and ev.exists(child) and ev.mentions(child, b"AWS::"):
                seen.add(child)
                queue.append(child)
    copies = _generated_copies(ev, templates)
    return {path: templates[path] for path in sorted(templates) if path not in copies}


# Generated copies ------------------------------------------------------------------------------

# Properties that `sam package` and `aws cloudformation package` rewrite from a local path
# to the S3 location they upload it to (AWS CLI, `cloudformation package`).
_PACKAGED_PROPERTIES = frozenset(
    {
        "BodyS3Location",
        "Code",
        "CodeUri",
        "Content",
        "ContentUri",
        "DefinitionS3Location",
        "DefinitionUri",
        "ImageUri",
        "Location",
        "RequestMappingTemplateS3Location",
        "ResponseMappingTemplateS3Location",
        "SourceBundle",
        "TemplateURL",
    }
)
_PACKAGED_NAME = re.compile(r"packaged|export", re.IGNORECASE)
_CDK_PATH = "aws:cdk:path"


def _generated_copies(ev: Evidence, templates: Mapping[str, Template]) -> set[str]:
    """Templates a tool wrote from another source the project keeps, whose resources are
    that source's: ``cdk synth`` output (resources with ``aws:cdk:path`` metadata) when the
    project holds its Python CDK app, and the output of ``sam package`` or ``aws
    cloudformation package``, which is its template with local artefact paths replaced by S3
    locations. Of templates that define the same resources, the same way but for those
    locations, one is kept: the one that still names local paths, then one whose file
    name does not say ``packaged`` or ``export``, then the first by path. A template whose
    file name says so is a copy also when it has drifted from its source: when another
    template declares the same logical IDs with the same types."""
    copies: set[str] = set()
    if any(_synthesised(template) for template in templates.values()) and _has_cdk_app(ev):
        copies.update(path for path, template in templates.items() if _synthesised(template))
    twins: dict[str, list[str]] = {}
    for path in sorted(set(templates) - copies):
        twins.setdefault(_shape(templates[path]), []).append(path)
    for paths in twins.values():
        ranked = sorted(paths, key=lambda p: (_uploaded(templates[p]), _named_copy(p), p))
        copies.update(ranked[1:])
    sources = {_declared(t) for p, t in templates.items() if p not in copies and not _named_copy(p)}
    copies.update(
        path
        for path, template in templates.items()
        if _named_copy(path) and template.section("Resources") and _declared(template) in sources
    )
    return copies


def _declared(template: Template) -> frozenset[tuple[str, str]]:
    """The template's logical IDs with their types."""
    return frozenset(
        (logical_id, str(resource.get("Type")))
        for logical_id, resource in template.section("Resources").items()
        if isinstance(resource, dict)
    )


def _synthesised(template: Template) -> bool:
    return any(
        isinstance(resource, dict)
        and isinstance(resource.get("Metadata"), dict)
        and _CDK_PATH in resource["Metadata"]
        for resource in template.section("Resources").values()
    )


def _has_cdk_app(ev: Evidence) -> bool:
    return any(True for _ in modules(ev, b"aws_cdk"))


def _named_copy(path: str) -> bool:
    return _PACKAGED_NAME.search(path.rpartition("/")[2]) is not None


def _shape(template: Template) -> str:
    """The template's resources with the locations packaging rewrites left out, as text
    that does not depend on the order members are written in."""
    shape: dict[str, Any] = {}
    for logical_id, resource in template.section("Resources").items():
        if not isinstance(resource, dict):
            shape[logical_id] = resource
            continue
        properties = resource.get("Properties")
        if isinstance(properties, dict):
            properties = {k: v for k, v in properties.items() if k not in _PACKAGED_PROPERTIES}
        shape[logical_id] = {**resource, "Properties": properties}
    try:
        return json.dumps(shape, sort_keys=True, default=_long_intrinsic)
    except (TypeError, ValueError):  # keys of mixed types: written order it is
        return repr(shape)


def _long_intrinsic(node: Any) -> Any:
    """An intrinsic in JSON's long form whichever form it is written in: packaging rewrites
    the short ``!GetAtt Role.Arn`` as ``Fn::GetAtt: [Role, Arn]``."""
    if not isinstance(node, Intrinsic):
        return repr(node)
    argument = node.argument
    if node.function == "Fn::GetAtt" and isinstance(argument, str):
        argument = argument.split(".", 1)
    return {node.function: argument}


def _uploaded(template: Template) -> bool:
    """Whether a packaged property names an uploaded artefact (an S3 location) rather
    than a local path."""
    for resource in template.section("Resources").values():
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        for name, value in properties.items() if isinstance(properties, dict) else ():
            if name not in _PACKAGED_PROPERTIES:
                continue
            if isinstance(value, str) and "://" in value:
                return True
            if isinstance(value, dict) and ({"S3Bucket", "Bucket"} & value.keys()):
                return True
    return False


def _nested_stacks(path: str, template: Template) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(logical ID, project path of the child template, parameters passed) of each nested
    stack whose template is a local file."""
    for logical_id, resource in template.section("Resources").items():
        if not isinstance(resource, dict) or resource.get("Type") not in _NESTED_STACKS:
            continue
        properties = resource.get("Properties")
        if not isinstance(properties, dict):
            continue
        url = properties.get(_NESTED_STACKS[resource["Type"]])
        if not isinstance(url, str) or "://" in url or "${" in url or url.startswith("/"):
            continue
        child = posixpath.normpath(posixpath.join(posixpath.dirname(path), url))
        if child.startswith("../"):
            continue
        parameters = properties.get("Parameters")
        yield logical_id, child, parameters if isinstance(parameters, dict) else {}


def _passed_parameters(
    templates: Mapping[str, Template], names: Mapping[Names, str]
) -> dict[str, dict[str, Value]]:
    """The values parent stacks pass to each nested template's parameters; a parameter two
    parents set differently is unknown."""
    passed: dict[str, dict[str, Value]] = {}
    for path, template in templates.items():
        parent = _Reader(path, template, {}, names)
        for logical_id, child, parameters in _nested_stacks(path, template):
            base: Path = ("Resources", logical_id, "Properties", "Parameters")
            into = passed.setdefault(child, {})
            for name, node in parameters.items():
                value = parent.resolve(node, (*base, name))
                earlier = into.get(name)
                if earlier is not None and not (
                    earlier.known and value.known and earlier.value == value.value
                ):
                    value = unknown(f"!Ref {name}")
                into[name] = value
    return passed


def _physical_names(reader: _Reader) -> Iterator[tuple[Names, str]]:
    """(name key, logical ID) of each resource that sets its physical name. A literal name
    is the project's; a name built from parameters without defaults
    (``!Sub ${Model}-prd``) is only the same name in the same template."""
    for logical_id, resource in reader.resources_section.items():
        cfn_type = str(resource.get("Type"))
        prop = _NAME_PROPERTIES.get(cfn_type)
        properties = resource.get("Properties")
        if prop and isinstance(properties, dict) and prop in properties:
            name = reader.render(properties[prop])
            if name is not None:
                local = "${" in name
                yield ((reader.path, cfn_type, name) if local else (cfn_type, name)), logical_id


class _Reader:
    """One template: values resolved against its parameters and resources."""

    def __init__(
        self,
        path: str,
        template: Template,
        passed: Mapping[str, Value],
        names: Mapping[Names, str],
        configuration: Configuration | None = None,
    ) -> None:
        self.path = path
        self.template = template
        self.passed = passed
        self.names = names
        self.configuration = configuration
        self.parameters = template.section("Parameters")
        self.resources_section = {
            logical_id: resource
            for logical_id, resource in template.section("Resources").items()
            if isinstance(resource, dict)
        }
        if configuration is not None:
            # Names built from parameters are this configuration's names.
            self.names = {**names, **dict(_physical_names(self))}

    def loc(self, path: Path) -> Location:
        line, column = self.template.position(path)
        return Location(self.path, line, column)

    # Values ----------------------------------------------------------------------------

    @nesting_bounded(unknown("…"))
    def resolve(self, node: Any, path: Path) -> Value:
        """What the template decides about one value written at ``path``."""
        where = self.loc(path)
        if not isinstance(node, Intrinsic):
            return known(node, where)
        argument = node.argument
        if node.function == "Ref" and isinstance(argument, str):
            return self._ref(argument, node, where)
        if node.function == "Fn::GetAtt" and self.reference(node) is not None:
            return known(self.reference(node), where)
        if node.function == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
            base = (*path, "Fn::If")
            then, otherwise = (self.resolve(argument[i], (*base, i)) for i in (1, 2))
            if then.absent and otherwise.absent:
                return ABSENT
            if then.known and otherwise.known and then.value == otherwise.value:
                return known(then.value, where)
        if node.function == "Fn::Sub":
            text = argument[0] if isinstance(argument, list) and argument else argument
            if isinstance(text, str) and "${" not in text:
                return known(text, where)
        if node.function == "Fn::FindInMap" and isinstance(argument, list) and len(argument) == 3:
            return self._in_map(node, argument, (*path, "Fn::FindInMap"), where)
        return unknown(node.written, where)

    def _in_map(self, node: Intrinsic, keys: list[Any], path: Path, where: Location) -> Value:
        """``Fn::FindInMap``: the entry its keys name, each key a literal or a value that
        resolves; a key that does not resolve is followed down every branch, and the value
        is known when all of them agree (a map keyed by region giving one value)."""
        mappings = self.template.section("Mappings")
        resolved = [self.resolve(key, (*path, index)) for index, key in enumerate(keys)]
        if not resolved[0].known:
            return unknown(node.written, where)
        entries: list[tuple[Any, Path]] = [(mappings, ("Mappings",))]
        for key in resolved:
            step: list[tuple[Any, Path]] = []
            for entry, at in entries:
                if not isinstance(entry, dict):
                    return unknown(node.written, where)
                if key.known:
                    name = str(key.value)
                    if name not in entry:
                        return unknown(node.written, where)
                    step.append((entry[name], (*at, name)))
                else:
                    step.extend((value, (*at, name)) for name, value in entry.items())
            entries = step
        values = [value for value, _ in entries]
        if not values or any(isinstance(v, (Intrinsic, dict)) for v in values):
            return unknown(node.written, where)
        if any(value != values[0] for value in values):
            return unknown(node.written, where)
        # A single entry decided it: reported there; agreeing branches, where it is used.
        return known(values[0], self.loc(entries[0][1]) if len(entries) == 1 else where)

    def _ref(self, name: str, node: Intrinsic, where: Location) -> Value:
        if name == "AWS::NoValue":
            return ABSENT
        if name in self.passed:
            return dataclasses.replace(self.passed[name], location=where)
        parameter = self.parameters.get(name)
        configured = self.configuration
        if configured is not None and isinstance(parameter, dict):
            given = configured.values.get(name)
            if given is not None:
                # Reported where the configuration sets it, the place that decided it.
                return dataclasses.replace(given, location=given.location or where)
            if configured.sets_unknown:
                return unknown(node.written, where)
        if isinstance(parameter, dict):
            default = parameter.get("Default")
            if default is None or isinstance(default, Intrinsic):
                return unknown(node.written, where)
            return known(default, where)
        if name in self.resources_section:
            return known(name, where)
        return unknown(node.written, where)

    def get(self, node: Any, path: Path, *keys: str | int) -> tuple[Any, Path, Value | None]:
        """The raw node below ``keys`` (member names, list indexes) and its path; the third
        item is the value when the walk stopped early (a missing key: absent; an intrinsic
        on the way: unknown, or absent for ``AWS::NoValue``)."""
        for key in keys:
            if isinstance(node, Intrinsic):
                stopped = self.resolve(node, path)
                return (
                    None,
                    path,
                    ABSENT if stopped.absent else unknown(node.written, self.loc(path)),
                )
            inside = (
                key in node
                if isinstance(node, dict)
                else isinstance(key, int) and isinstance(node, list) and key < len(node)
            )
            if not inside:
                return None, path, ABSENT
            node = node[key]
            path = (*path, key)
        return node, path, None

    def value(self, node: Any, path: Path, *keys: str | int) -> Value:
        """The value below ``keys``: resolved if it is there, absent or unknown if not."""
        found, where, stopped = self.get(node, path, *keys)
        return stopped if stopped is not None else self.resolve(found, where)

    def present(self, node: Any, path: Path, *keys: str | int) -> Value:
        """Whether a block or setting is written: known true at its key, or absent. Only
        ``AWS::NoValue`` can unset a value, so only an ``!If`` leaves it unknown; any
        other reference, whatever it resolves to, is a value that is set."""
        found, where, stopped = self.get(node, path, *keys)
        if stopped is not None:
            return stopped
        value = self.resolve(found, where)
        conditional = isinstance(found, Intrinsic) and found.function == "Fn::If"
        if value.known or (value.unknown and not conditional):
            return known(True, value.location)
        return value

    def link(self, value: Value, *types: str) -> Value:
        """A name or reference as the logical ID of the resource of ``types`` it names."""
        if not value.known or not isinstance(value.value, str):
            return value
        name = value.value
        resource = self.resources_section.get(name)
        if resource is not None and (not types or resource.get("Type") in types):
            return value
        logical_id = self.named(name, *types)
        return value if logical_id is None else known(logical_id, value.location)

    def named(self, name: str, *types: str) -> str | None:
        """The logical ID of the resource of ``types`` whose physical name is ``name``."""
        for kind in types:
            logical_id = self.names.get((kind, name)) or self.names.get((self.path, kind, name))
            if logical_id is not None:
                return logical_id
        return None

    def linked(self, node: Any, path: Path, *keys: str | int, to: str) -> Value:
        """The value below ``keys`` as a link to a resource of type ``to``: its logical ID
        when a reference or a physical name says which, also a name built with ``!Sub``
        the way the resource builds its own."""
        found, where, stopped = self.get(node, path, *keys)
        if stopped is not None:
            return stopped
        value = self.link(self.resolve(found, where), to)
        if value.unknown:
            rendered = self.render(found)
            logical_id = self.named(rendered, to) if rendered is not None else None
            if logical_id is not None:
                return known(logical_id, value.location)
        return value

    def text(self, node: Any) -> str:
        """A value as text in a list of names: a literal, a reference's logical ID, a
        ``!Sub``'s template (``arn:${AWS::Partition}:iam::aws:policy/…``), else its form."""
        if isinstance(node, Intrinsic):
            target = self.reference(node)
            if target is not None:
                return target
            if node.function == "Fn::Sub":
                sub = node.argument[0] if isinstance(node.argument, list) else node.argument
                if isinstance(sub, str):
                    return sub
            return node.written
        return str(node)

    def reference(self, node: Intrinsic) -> str | None:
        """The logical ID a ``!Ref``/``!GetAtt`` names, when it is a resource."""
        argument = node.argument
        target = (
            argument[0]
            if node.function == "Fn::GetAtt" and isinstance(argument, list)
            else argument
        )
        resource = node.function in ("Ref", "Fn::GetAtt") and isinstance(target, str)
        return target if resource and target in self.resources_section else None

    def strings(self, node: Any, path: Path, *keys: str | int) -> Value:
        """A string or a list of strings as a known list of texts."""
        found, where, stopped = self.get(node, path, *keys)
        if stopped is not None:
            return stopped
        if (
            isinstance(found, Intrinsic)
            and self.reference(found) is None
            and found.function != "Fn::Sub"
        ):
            resolved = self.resolve(found, where)
            if not resolved.known:
                return resolved
            found = resolved.value
        items = found if isinstance(found, list) else [found]
        return known([self.text(item) for item in items], self.loc(where))

    @nesting_bounded(None)
    def render(self, node: Any) -> str | None:
        """A ``!Sub``/``!Join`` as text, resources left as ``${LogicalId}``; None when a
        part cannot be decided."""
        if isinstance(node, str):
            return node
        if isinstance(node, (int, float)) and not isinstance(node, bool):
            return str(node)
        if not isinstance(node, Intrinsic):
            return None
        target = self.reference(node)
        if target is not None:
            return "${" + target + "}"
        argument = node.argument
        if node.function in ("Ref", "Fn::FindInMap"):
            value = self.resolve(node, ())
            return str(value.value) if value.known else None
        if node.function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            separator, parts = argument
            if isinstance(separator, str) and isinstance(parts, list):
                rendered = [self.render(part) for part in parts]
                if all(part is not None for part in rendered):
                    return separator.join(part for part in rendered if part is not None)
            return None
        if node.function == "Fn::Sub":
            text, variables = [*argument, {}][:2] if isinstance(argument, list) else (argument, {})
            if not isinstance(text, str) or not isinstance(variables, dict):
                return None
            return _PLACEHOLDER.sub(lambda match: self._placeholder(match, variables), text)
        return None

    def _placeholder(self, match: re.Match[str], variables: Mapping[str, Any]) -> str:
        name = match["name"]
        if name in variables:
            rendered = self.render(variables[name])
            return rendered if rendered is not None else match[0]
        if name in self.resources_section:
            return "${" + name + "}"
        value = self.resolve(Intrinsic("Ref", name), ())
        return str(value.value) if value.known else match[0]

    # Resources -------------------------------------------------------------------------

    def resources(self) -> Iterator[Resource]:
        for logical_id, resource in self.resources_section.items():
            cfn_type = str(resource.get("Type", ""))
            base: Path = ("Resources", logical_id, "Properties")
            properties = resource.get("Properties", {})
            location = self.loc(("Resources", logical_id))
            mapper = _MAPPERS.get(cfn_type)
            if mapper is not None:
                kind, read = mapper
                opaque = not isinstance(properties, dict)
                values = {} if opaque else read(self, properties, base)
                yield Resource(kind, logical_id, SOURCE, location, values, cfn_type, opaque)
            if cfn_type in _SCHEDULED and isinstance(properties, dict):
                yield from self._schedule_events(logical_id, cfn_type, properties, base)

    def _schedule_events(
        self, owner: str, cfn_type: str, properties: dict[str, Any], base: Path
    ) -> Iterator[Resource]:
        """SAM's schedule events, named by the logical ID SAM gives the rule it creates."""
        events = properties.get("Events")
        if not isinstance(events, dict):
            return
        for name, event in events.items():
            if not isinstance(event, dict) or event.get("Type") not in ("Schedule", "ScheduleV2"):
                continue
            path: Path = (*base, "Events", name, "Properties")
            key = "Schedule" if event["Type"] == "Schedule" else "ScheduleExpression"
            values = {
                "schedule": self.value(event, path[:-1], "Properties", key),
                "targets": known([owner], self.loc((*base, "Events", name))),
            }
            kind_type = f"{cfn_type} {event['Type']} event"
            yield Resource(
                m.EVENT_RULE, owner + name, SOURCE, self.loc(path[:-1]), values, kind_type
            )


# Readers per resource type -----------------------------------------------------------------

Props = dict[str, Any]
Read = Callable[[_Reader, Props, Path], dict[str, Value]]


def _as(convert: Callable[[Any], Any]) -> Callable[[Value], Value]:
    """Converts a known value, or makes it unknown when it is not of the expected shape."""

    def apply(value: Value) -> Value:
        if not value.known:
            return value
        try:
            return dataclasses.replace(value, value=convert(value.value))
        except (TypeError, ValueError):
            return unknown(repr(value.value), value.location)

    return apply


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).lower()
    if text in ("true", "enabled"):
        return True
    if text in ("false", "disabled"):
        return False
    raise ValueError(raw)


def _int(raw: Any) -> int:
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise ValueError(raw)
    return int(raw)


def _str(raw: Any) -> str:
    if isinstance(raw, (dict, list)):
        raise TypeError(raw)
    return str(raw)


as_bool, as_int, as_str = _as(_bool), _as(_int), _as(_str)


def _tags(r: _Reader, props: Props, base: Path) -> Value:
    found, where, stopped = r.get(props, base, "Tags")
    if stopped is not None:
        return stopped
    if isinstance(found, Intrinsic):
        resolved = r.resolve(found, where)
        return resolved if resolved.absent else unknown(found.written, resolved.location)
    tags: dict[str, str] = {}
    if isinstance(found, dict):  # SAM and a few types take a plain map
        tags = {key: _written(value) for key, value in found.items()}
    elif isinstance(found, list):
        for tag in found:
            if isinstance(tag, dict) and isinstance(tag.get("Key"), str):
                tags[tag["Key"]] = _written(tag.get("Value", ""))
    return known(tags, r.loc(where))


def _written(node: Any) -> str:
    return node.written if isinstance(node, Intrinsic) else str(node)


def _statements(r: _Reader, document: Any, path: Path) -> Value:
    """A policy document's statements, each as effect, actions and resources."""
    found, where, stopped = r.get(document, path, "Statement")
    if stopped is not None:
        return stopped
    if isinstance(found, Intrinsic):
        return unknown(found.written, r.loc(where))
    items = found if isinstance(found, list) else [found]
    statements = []
    for index, statement in enumerate(items):
        at: Path = (*where, index) if isinstance(found, list) else where
        if isinstance(statement, dict):
            statements.append(
                {
                    "effect": r.value(statement, at, "Effect"),
                    "actions": r.strings(statement, at, "Action"),
                    "resources": r.strings(statement, at, "Resource"),
                }
            )
    return known(statements, r.loc(where))


def _endpoint_config(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    capture, capture_path, stopped = r.get(props, base, "DataCaptureConfig")
    if stopped is not None:
        data_capture = stopped
    elif isinstance(capture, dict) and "EnableCapture" not in capture:
        data_capture = known(True, r.loc(capture_path))  # the service's default
    else:
        data_capture = as_bool(r.value(props, base, "DataCaptureConfig", "EnableCapture"))
    return {
        "kms_key": r.value(props, base, "KmsKeyId"),
        "variants": _variants(r, props, base),
        "data_capture": data_capture,
        "async_inference": r.present(props, base, "AsyncInferenceConfig"),
        "tags": _tags(r, props, base),
    }


def _variants(r: _Reader, props: Props, base: Path) -> Value:
    found, where, stopped = r.get(props, base, "ProductionVariants")
    if stopped is not None:
        return stopped
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        return unknown(getattr(found, "written", "ProductionVariants"), r.loc(where))
    variants = []
    for index, variant in enumerate(found):
        at: Path = (*where, index)
        variants.append(
            {
                "variant_name": r.value(variant, at, "VariantName"),
                "model": r.linked(variant, at, "ModelName", to="AWS::SageMaker::Model"),
                "instance_type": as_str(r.value(variant, at, "InstanceType")),
                "instance_count": as_int(r.value(variant, at, "InitialInstanceCount")),
                "serverless": r.present(variant, at, "ServerlessConfig"),
                "managed_scaling": r.present(variant, at, "ManagedInstanceScaling"),
            }
        )
    return known(variants, r.loc(where))


def _endpoint(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    blue_green = ("DeploymentConfig", "BlueGreenUpdatePolicy")
    alarms, alarms_path, stopped = r.get(
        props, base, "DeploymentConfig", "AutoRollbackConfiguration", "Alarms"
    )
    if stopped is not None:
        rollback_alarms = stopped
    elif isinstance(alarms, list):
        names = [
            r.text(alarm.get("AlarmName")) if isinstance(alarm, dict) else r.text(alarm)
            for alarm in alarms
        ]
        rollback_alarms = known(
            [r.named(name, "AWS::CloudWatch::Alarm") or name for name in names],
            r.loc(alarms_path),
        )
    else:
        rollback_alarms = unknown(r.text(alarms), r.loc(alarms_path))
    return {
        "endpoint_config": r.linked(
            props, base, "EndpointConfigName", to="AWS::SageMaker::EndpointConfig"
        ),
        "blue_green": r.present(props, base, *blue_green),
        "traffic_routing": as_str(
            r.value(props, base, *blue_green, "TrafficRoutingConfiguration", "Type")
        ),
        "rolling_update": r.present(props, base, "DeploymentConfig", "RollingUpdatePolicy"),
        "auto_rollback_alarms": rollback_alarms,
        "tags": _tags(r, props, base),
    }


def _model(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    container: tuple[str | int, ...] = ("PrimaryContainer",)
    if "PrimaryContainer" not in props and "Containers" in props:
        container = ("Containers", 0)  # the first container serves the request
    return {
        "network_isolation": as_bool(r.value(props, base, "EnableNetworkIsolation")),
        "vpc": r.present(props, base, "VpcConfig"),
        "image": r.value(props, base, *container, "Image"),
        "model_package": r.value(props, base, *container, "ModelPackageName"),
        "role": r.linked(props, base, "ExecutionRoleArn", to="AWS::IAM::Role"),
        "tags": _tags(r, props, base),
    }


def _notebook_instance(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    return {
        "instance_type": as_str(r.value(props, base, "InstanceType")),
        # Absent means the service default, Enabled, for both.
        "direct_internet_access": as_bool(r.value(props, base, "DirectInternetAccess")),
        "root_access": as_bool(r.value(props, base, "RootAccess")),
        "kms_key": r.value(props, base, "KmsKeyId"),
        # Absent means IMDSv1 allowed, the service default.
        "imds_version": as_str(
            r.value(
                props,
                base,
                "InstanceMetadataServiceConfiguration",
                "MinimumInstanceMetadataServiceVersion",
            )
        ),
        "lifecycle_config": r.linked(
            props, base, "LifecycleConfigName", to="AWS::SageMaker::NotebookInstanceLifecycleConfig"
        ),
        "vpc": r.present(props, base, "SubnetId"),
        "tags": _tags(r, props, base),
    }


def _notebook_lifecycle(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    """Whether the on-start script installs an idle auto-stop (AWS's ``autostop.py``
    sample, an ``IDLE_TIME`` setting), read from the script's text wherever it is
    written, inside ``!Base64``/``!Sub`` too."""
    found, where, stopped = r.get(props, base, "OnStart")
    if stopped is not None:
        return {"auto_stop": stopped}
    texts = [value for value in _leaves(found) if isinstance(value, str)]
    if not texts:
        return {"auto_stop": unknown(r.text(found), r.loc(where))}
    return {"auto_stop": known(any(stops_when_idle(text) for text in texts), r.loc(where))}


@nesting_bounded(())
def _leaves(node: Any) -> Iterator[Any]:
    """Every scalar below ``node``, intrinsic arguments included (bounded: the parser
    bounded the depth)."""
    if isinstance(node, Intrinsic):
        yield from _leaves(node.argument)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value)
    else:
        yield node


def _domain(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    return {
        "app_network_access": as_str(r.value(props, base, "AppNetworkAccessType")),
        "kms_key": r.value(props, base, "KmsKeyId"),
    }


def _monitoring_schedule(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    config = ("MonitoringScheduleConfig",)
    monitor_type = as_str(r.value(props, base, *config, "MonitoringType"))
    if monitor_type.known:
        monitor_type = dataclasses.replace(
            monitor_type, value=_MONITOR_TYPES.get(monitor_type.value, monitor_type.value)
        )
    endpoint = r.linked(props, base, "EndpointName", to=_ENDPOINT)
    if endpoint.absent:
        endpoint = r.linked(
            props,
            base,
            *config,
            "MonitoringJobDefinition",
            "MonitoringInputs",
            0,
            "EndpointInput",
            "EndpointName",
            to=_ENDPOINT,
        )
    definition = r.link(r.value(props, base, *config, "MonitoringJobDefinitionName"))
    job = r.resources_section.get(definition.value) if definition.known else None
    if job is not None and job.get("Type") in _JOB_DEFINITIONS:
        job_type, job_input = _JOB_DEFINITIONS[job["Type"]]
        if monitor_type.absent:
            monitor_type = known(job_type, definition.location)
        if endpoint.absent:
            job_base: Path = ("Resources", str(definition.value), "Properties")
            endpoint = r.linked(
                job.get("Properties"),
                job_base,
                job_input,
                "EndpointInput",
                "EndpointName",
                to=_ENDPOINT,
            )
    elif monitor_type.absent and r.present(props, base, *config, "MonitoringJobDefinition").known:
        where = r.loc((*base, *config, "MonitoringJobDefinition"))
        monitor_type = known("data-quality", where)  # an inline definition's only type
    return {
        "monitor_type": monitor_type,
        "endpoint": endpoint,
        "schedule": as_str(r.value(props, base, *config, "ScheduleConfig", "ScheduleExpression")),
        **_monitoring_cluster(
            r, props, base, (*config, "MonitoringJobDefinition", "MonitoringResources")
        ),
    }


def _monitoring_job(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    return _monitoring_cluster(r, props, base, ("JobResources",))


def _monitoring_cluster(
    r: _Reader, props: Props, base: Path, resources: tuple[str, ...]
) -> dict[str, Value]:
    """A monitoring job's instance count and inter-container encryption, from the job
    definition whose resources are at ``resources`` (its network setting beside them);
    absent when there is no such definition."""
    network = (*resources[:-1], "NetworkConfig", "EnableInterContainerTrafficEncryption")
    return {
        "instance_count": as_int(
            r.value(props, base, *resources, "ClusterConfig", "InstanceCount")
        ),
        "inter_container_encryption": as_bool(r.value(props, base, *network)),
    }


def _pipeline(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    """A pipeline's step kinds, from its definition when it is written in the template
    (JSON, possibly inside ``!Sub``, whose placeholders sit inside JSON strings)."""
    found, where, stopped = r.get(props, base, "PipelineDefinition", "PipelineDefinitionBody")
    if stopped is not None:
        if stopped.absent and "PipelineDefinition" in props:
            stopped = unknown("PipelineDefinitionS3Location", r.loc((*base, "PipelineDefinition")))
        return {"steps": stopped}
    body = found
    if isinstance(found, Intrinsic) and found.function == "Fn::Sub":
        body = found.argument[0] if isinstance(found.argument, list) else found.argument
    if not isinstance(body, str):
        return {"steps": unknown(r.text(found), r.loc(where))}
    try:
        definition = load_json(body).value
    except ParseError:
        return {"steps": unknown("PipelineDefinitionBody", r.loc(where))}
    steps = list(_step_kinds(definition.get("Steps") if isinstance(definition, dict) else None))
    return {"steps": known(steps, r.loc(where))}


def _step_kinds(steps: Any) -> Iterator[str]:
    """Step types as kinds (``RegisterModel`` → ``register-model``), the branches of
    condition steps included."""
    pending = [steps]
    emitted = 0
    while pending and emitted < _MAX_PIPELINE_STEPS:
        current = pending.pop(0)
        for step in current if isinstance(current, list) else []:
            if not isinstance(step, dict) or not isinstance(step.get("Type"), str):
                continue
            emitted += 1
            yield _CAMEL.sub("-", step["Type"]).lower()
            arguments = step.get("Arguments")
            if isinstance(arguments, dict):
                pending.extend(arguments.get(branch) for branch in ("IfSteps", "ElseSteps"))


def _model_package_group(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    return {"tags": _tags(r, props, base)}


def _model_package(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    return {"approval_status": as_str(r.value(props, base, "ModelApprovalStatus"))}


def _role(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    trust, trust_path, stopped = r.get(props, base, "AssumeRolePolicyDocument", "Statement")
    if stopped is not None:
        assumed_by = stopped
    else:
        items = trust if isinstance(trust, list) else [trust]
        services: list[str] = []
        for index, statement in enumerate(items):
            at: Path = (*trust_path, index) if isinstance(trust, list) else trust_path
            found = r.strings(statement, at, "Principal", "Service")
            services.extend(found.value if found.known else [])
        assumed_by = known(services, r.loc(trust_path))
    statements: list[dict[str, Value]] = []
    policies, policies_path, stopped = r.get(props, base, "Policies")
    for index, policy in enumerate(policies if isinstance(policies, list) else []):
        document = r.get(policy, (*policies_path, index), "PolicyDocument")
        found = _statements(r, document[0], document[1]) if document[2] is None else document[2]
        statements.extend(found.value if found.known else [])
    return {
        "assumed_by": assumed_by,
        "managed_policies": r.strings(props, base, "ManagedPolicyArns"),
        "statements": stopped or known(statements, r.loc(policies_path)),
    }


def _policy(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    document, document_path, stopped = r.get(props, base, "PolicyDocument")
    roles = r.strings(props, base, "Roles")
    if roles.known:
        roles = known([r.named(name, _ROLE) or name for name in roles.value], roles.location)
    elif roles.absent:
        roles = _attaching_roles(r, str(base[1]))
    return {
        "statements": stopped or _statements(r, document, document_path),
        "attached_to": roles,
    }


def _attaching_roles(r: _Reader, policy: str) -> Value:
    """The roles that attach a managed policy through their ``ManagedPolicyArns``."""
    roles = []
    where = None
    for logical_id, resource in r.resources_section.items():
        properties = resource.get("Properties")
        arns = properties.get("ManagedPolicyArns") if isinstance(properties, dict) else None
        attached = isinstance(arns, list) and any(
            isinstance(arn, Intrinsic) and r.reference(arn) == policy for arn in arns
        )
        if resource.get("Type") == _ROLE and attached:
            roles.append(logical_id)
            where = where or r.loc(("Resources", logical_id, "Properties", "ManagedPolicyArns"))
    return known(roles, where) if roles else ABSENT


_PUBLIC_ACCESS_SETTINGS = (
    "BlockPublicAcls",
    "BlockPublicPolicy",
    "IgnorePublicAcls",
    "RestrictPublicBuckets",
)


def _bucket(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    encryption = ("BucketEncryption", "ServerSideEncryptionConfiguration", 0)
    block = r.present(props, base, "PublicAccessBlockConfiguration")
    if block.known:
        settings = [
            as_bool(r.value(props, base, "PublicAccessBlockConfiguration", name))
            for name in _PUBLIC_ACCESS_SETTINGS
        ]
        if any(setting.unknown for setting in settings):
            block = unknown("PublicAccessBlockConfiguration", block.location)
        else:
            block = known(all(setting.is_(True) for setting in settings), block.location)
    versioning = as_str(r.value(props, base, "VersioningConfiguration", "Status"))
    rules, rules_path, stopped = r.get(props, base, "LifecycleConfiguration", "Rules")
    if stopped is not None:
        lifecycle = stopped
    elif isinstance(rules, list):
        states = [as_str(r.value(rule, (*rules_path, i), "Status")) for i, rule in enumerate(rules)]
        if any(state.is_("Enabled") for state in states):
            lifecycle = known(True, r.loc(rules_path))
        elif any(state.unknown for state in states):
            lifecycle = unknown("LifecycleConfiguration", r.loc(rules_path))
        else:
            lifecycle = known(False, r.loc(rules_path))
    else:
        lifecycle = unknown(r.text(rules), r.loc(rules_path))
    return {
        "encryption": as_str(
            r.value(props, base, *encryption, "ServerSideEncryptionByDefault", "SSEAlgorithm")
        ),
        "public_access_block": block,
        "versioning": _as(lambda status: status == "Enabled")(versioning),
        "lifecycle_rules": lifecycle,
        "tags": _tags(r, props, base),
    }


def _scaling_target(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    resource_id = as_str(r.value(props, base, "ResourceId"))
    return {
        "resource_id": resource_id,
        "endpoint": _scaled_endpoint(r, props, base, resource_id),
        "min_capacity": as_int(r.value(props, base, "MinCapacity")),
        "max_capacity": as_int(r.value(props, base, "MaxCapacity")),
    }


def _scaled_endpoint(r: _Reader, props: Props, base: Path, resource_id: Value) -> Value:
    """The endpoint in ``endpoint/<name>/variant/<variant>``, also when the ID is built with
    ``!Sub``/``!Join`` from the endpoint's ``!GetAtt``/``!Ref`` or a parameter."""
    if resource_id.absent:
        return ABSENT
    rendered = r.render(props.get("ResourceId"))
    match = _SCALING_RESOURCE.match(rendered or "")
    if match is None:
        return (
            resource_id
            if resource_id.unknown
            else unknown(str(resource_id.value), resource_id.location)
        )
    name = match["name"]
    placeholder = _PLACEHOLDER.fullmatch(name)
    if placeholder is not None:
        if placeholder["name"] in r.resources_section:
            return known(placeholder["name"], resource_id.location)
        return unknown(name, resource_id.location)
    logical_id = r.named(name, _ENDPOINT)
    if logical_id is not None:
        return known(logical_id, resource_id.location)
    return (
        unknown(name, resource_id.location) if "${" in name else known(name, resource_id.location)
    )


def _scaling_policy(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    target = r.link(
        r.value(props, base, "ScalingTargetId"), "AWS::ApplicationAutoScaling::ScalableTarget"
    )
    if target.absent and "ResourceId" in props:
        # Without ScalingTargetId the policy names the same resource as its target does.
        rendered = r.render(props["ResourceId"])
        target = unknown(r.text(props["ResourceId"]), r.loc((*base, "ResourceId")))
        for logical_id, resource in r.resources_section.items():
            other = resource.get("Properties")
            if (
                rendered is not None
                and resource.get("Type") == "AWS::ApplicationAutoScaling::ScalableTarget"
                and isinstance(other, dict)
                and r.render(other.get("ResourceId")) == rendered
            ):
                target = known(logical_id, target.location)
    return {"target": target}


def _alarm(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    metric: tuple[str | int, ...] = ()
    if "MetricName" not in props and "Metrics" in props:
        # Metric math: the first metric queried stands for the alarm.
        metrics = props["Metrics"]
        index = (
            next((i for i, q in enumerate(metrics) if isinstance(q, dict) and "MetricStat" in q), 0)
            if isinstance(metrics, list)
            else 0
        )
        metric = ("Metrics", index, "MetricStat", "Metric")
    dimensions, dimensions_path, stopped = r.get(props, base, *metric, "Dimensions")
    endpoint = stopped or ABSENT
    for index, dimension in enumerate(dimensions if isinstance(dimensions, list) else []):
        # Endpoint metrics name it EndpointName, Model Monitor's metrics Endpoint.
        if isinstance(dimension, dict) and dimension.get("Name") in ("EndpointName", "Endpoint"):
            endpoint = r.linked(dimension, (*dimensions_path, index), "Value", to=_ENDPOINT)
    return {
        "namespace": as_str(r.value(props, base, *metric, "Namespace")),
        "metric_name": as_str(r.value(props, base, *metric, "MetricName")),
        "endpoint": endpoint,
    }


def _log_group(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    return {"retention_days": as_int(r.value(props, base, "RetentionInDays"))}


def _event_rule(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    targets, targets_path, stopped = r.get(props, base, "Targets")
    if stopped is not None:
        found = stopped
    elif isinstance(targets, list):
        arns = [r.text(t.get("Arn")) if isinstance(t, dict) else r.text(t) for t in targets]
        found = known(arns, r.loc(targets_path))
    else:
        found = unknown(r.text(targets), r.loc(targets_path))
    return {"schedule": as_str(r.value(props, base, "ScheduleExpression")), "targets": found}


def _schedule(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    return {
        "schedule": as_str(r.value(props, base, "ScheduleExpression")),
        "targets": r.strings(props, base, "Target", "Arn"),
    }


def _kms_key(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    return {"rotation": as_bool(r.value(props, base, "EnableKeyRotation"))}


def _nothing(r: _Reader, props: Props, base: Path) -> dict[str, Value]:
    return {}


_MAPPERS: dict[str, tuple[str, Read]] = {
    "AWS::SageMaker::EndpointConfig": (m.ENDPOINT_CONFIG, _endpoint_config),
    "AWS::SageMaker::Endpoint": (m.ENDPOINT, _endpoint),
    "AWS::SageMaker::Model": (m.MODEL, _model),
    "AWS::SageMaker::NotebookInstance": (m.NOTEBOOK_INSTANCE, _notebook_instance),
    "AWS::SageMaker::NotebookInstanceLifecycleConfig": (m.NOTEBOOK_LIFECYCLE, _notebook_lifecycle),
    "AWS::SageMaker::Domain": (m.STUDIO_DOMAIN, _domain),
    "AWS::SageMaker::MonitoringSchedule": (m.MONITORING_SCHEDULE, _monitoring_schedule),
    **dict.fromkeys(_JOB_DEFINITIONS, (m.MONITORING_JOB, _monitoring_job)),
    "AWS::SageMaker::Pipeline": (m.PIPELINE, _pipeline),
    "AWS::SageMaker::ModelPackageGroup": (m.MODEL_PACKAGE_GROUP, _model_package_group),
    "AWS::SageMaker::ModelPackage": (m.MODEL_PACKAGE, _model_package),
    "AWS::IAM::Role": (m.IAM_ROLE, _role),
    "AWS::IAM::Policy": (m.IAM_POLICY, _policy),
    "AWS::IAM::ManagedPolicy": (m.IAM_POLICY, _policy),
    "AWS::S3::Bucket": (m.BUCKET, _bucket),
    "AWS::ApplicationAutoScaling::ScalableTarget": (m.SCALING_TARGET, _scaling_target),
    "AWS::ApplicationAutoScaling::ScalingPolicy": (m.SCALING_POLICY, _scaling_policy),
    "AWS::CloudWatch::Alarm": (m.ALARM, _alarm),
    "AWS::Logs::LogGroup": (m.LOG_GROUP, _log_group),
    "AWS::Events::Rule": (m.EVENT_RULE, _event_rule),
    "AWS::Scheduler::Schedule": (m.EVENT_RULE, _schedule),
    "AWS::KMS::Key": (m.KMS_KEY, _kms_key),
    "AWS::Budgets::Budget": (m.BUDGET, _nothing),
}
# SAM resources whose schedule events create EventBridge rules.
_SCHEDULED = frozenset({"AWS::Serverless::Function", "AWS::Serverless::StateMachine"})
