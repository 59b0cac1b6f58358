"""Real-time, instance-based endpoint variants, whatever source defines them.

An endpoint's production variants (model, instance type and count) are held in one of two
places in the resource model (:mod:`mllint_wa.evidence.resources`):

* an SDK ``.deploy()`` endpoint holds its one variant's settings itself;
* a CloudFormation, Terraform, CDK or boto3 endpoint names its endpoint configuration,
  whose ``variants`` hold them.

An endpoint configuration that no endpoint of the project names (the endpoint is created
elsewhere, or through a name this reading cannot follow) still defines variants: they are
listed with no endpoint.

Only real-time, instance-based variants are listed: a serverless variant or an asynchronous
endpoint has no instance count, and its scaling and capture work differently; a batch
transform is not an endpoint. A variant whose kind cannot be decided (the serverless or
asynchronous setting is unknown, the variants list is an expression) is left out, so rules
built on this list stay silent about it. So is an endpoint or a configuration that the code
creating it deletes further on (``predictor.delete_endpoint()``,
``sm.delete_endpoint_config(...)``), and a configuration only such endpoints serve: a
notebook's or a test's throwaway, cleaned up when the demo is done, is no deployment to hold
to production practices (:func:`throwaways`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import calls_named, module, modules
from mllint_wa.evidence.instances import is_local_mode
from mllint_wa.evidence.resources import (
    ABSENT,
    ENDPOINT,
    ENDPOINT_CONFIG,
    SCALING_TARGET,
    Resource,
    Value,
    known,
    named_resources,
    resources,
    unknown,
)
from mllint_wa.model import Location
from mllint_wa.parsers.python_code import PythonModule
from mllint_wa.records import dataclass

# The variant settings a variant carries, in the resource model's vocabulary.
VARIANT_SETTINGS = ("variant_name", "model", "instance_type", "instance_count")
_SCALED_VARIANT = re.compile(r"endpoint/[^/]+/variant/(?P<variant>[^/]+)$")
# What SageMaker accepts as a variant name: an expression in its place is not one.
_VARIANT_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
# The SDK names the one variant of a ``.deploy()`` so (``sagemaker.session.production_variant``).
SDK_VARIANT_NAME = "AllTraffic"
# boto3's Application Auto Scaling registration, which the resource model does not read.
_REGISTER_SCALING = "register_scalable_target"


@dataclass(frozen=True)
class Variant:
    """One real-time, instance-based production variant of an endpoint."""

    # The endpoint serving it; None for a configuration that no endpoint here names.
    endpoint: Resource | None
    # The endpoint configuration holding it; None for an SDK ``.deploy()``.
    config: Resource | None
    settings: Mapping[str, Value]
    index: int  # its position in the configuration's variants

    @property
    def holder(self) -> Resource:
        """The resource where the variant is written."""
        holder = self.config or self.endpoint
        assert holder is not None  # a variant is always read from one of them
        return holder

    def get(self, name: str) -> Value:
        return self.settings.get(name, ABSENT)

    @property
    def pre_production(self) -> bool:
        """Served for a stage before production, by its configuration's name."""
        return self.holder.pre_production or (
            self.endpoint is not None and self.endpoint.pre_production
        )

    def where(self, name: str) -> Location:
        """The setting's location when it is written, else the variant list's, else the
        holder's."""
        value = self.settings.get(name)
        if value is not None and value.location is not None:
            return value.location
        return self.holder.where("variants")

    @property
    def name(self) -> str | None:
        """The variant's name when it is a known string."""
        named = self.get("variant_name")
        return named.value if named.known and isinstance(named.value, str) else None

    @property
    def anchor(self) -> str:
        """Stable across line shifts: the holder's anchor and the variant's name (or index)."""
        if self.config is None:
            return self.holder.anchor
        return f"{self.holder.anchor}:variant:{self.name or self.index}"

    def describe(self) -> str:
        """How a message names it: "endpoint `x`", or "variant `AllTraffic` of endpoint
        configuration `Config`"."""
        if self.config is None:
            return f"endpoint `{self.holder.name}`"
        shown = f"`{self.name}`" if self.name else f"#{self.index + 1}"
        return f"variant {shown} of endpoint configuration `{self.config.name}`"


def config_of(ev: Evidence, endpoint: Resource) -> Resource | None:
    """The endpoint configuration an endpoint names, when the name is known and defined here."""
    link = endpoint.get("endpoint_config")
    if link.known and isinstance(link.value, str):
        return linked(ev, endpoint, ENDPOINT_CONFIG, link.value)
    return None


def linked(ev: Evidence, source: Resource, kind: str, name: str) -> Resource | None:
    """The resource of ``kind`` named ``name`` that ``source`` refers to: logical IDs repeat
    across templates and apps, so one in the same file comes first, then one from the same
    source."""
    ranked = sorted(
        named_resources(ev, kind, name),
        key=lambda r: (r.location.path != source.location.path, r.source != source.source),
    )
    return ranked[0] if ranked else None


def holds_own_variant(endpoint: Resource) -> bool:
    """An SDK ``.deploy()`` endpoint: no configuration named, its variant's settings on it."""
    return endpoint.source == "sdk" and endpoint.get("endpoint_config").absent


def setting(ev: Evidence, endpoint: Resource, name: str) -> Value:
    """An endpoint-wide setting (``data_capture``, ``kms_key``, ``async_inference``) from where
    the source writes it: the SDK endpoint itself, else its endpoint configuration; unknown
    when the configuration cannot be found."""
    if holds_own_variant(endpoint):
        return endpoint.get(name)
    config = config_of(ev, endpoint)
    if config is not None:
        return config.get(name)
    link = endpoint.get("endpoint_config")
    return unknown(link.written or "endpoint_config", endpoint.where("endpoint_config"))


def variants(ev: Evidence) -> tuple[Variant, ...]:
    """Every real-time, instance-based variant the project defines, computed once per run."""
    return ev.memo(variants, lambda: tuple(_variants(ev)))


def _variants(ev: Evidence) -> Iterator[Variant]:
    named: set[str] = set()
    deleted = throwaways(ev)
    for endpoint in resources(ev, ENDPOINT):
        if endpoint.anchor in deleted:
            continue
        if holds_own_variant(endpoint):
            if _instance_based(endpoint):
                settings = {k: endpoint.get(k) for k in VARIANT_SETTINGS}
                settings["variant_name"] = known(SDK_VARIANT_NAME, endpoint.location)
                yield Variant(endpoint, None, settings, 0)
            continue
        config = config_of(ev, endpoint)
        if config is not None:
            named.add(config.anchor)
            yield from _config_variants(endpoint, config)
    for config in resources(ev, ENDPOINT_CONFIG):
        if config.anchor not in named and config.anchor not in deleted:
            yield from _config_variants(None, config)


def _config_variants(endpoint: Resource | None, config: Resource) -> Iterator[Variant]:
    listed = config.get("variants")
    if not (_instance_based(config) and listed.known and isinstance(listed.value, list)):
        return
    for index, entry in enumerate(listed.value):
        if isinstance(entry, dict) and _not_serverless(entry.get("serverless", ABSENT)):
            yield Variant(endpoint, config, entry, index)


def _instance_based(holder: Resource) -> bool:
    """Neither asynchronous nor serverless, as far as the holder itself says."""
    asynchronous = holder.get("async_inference")
    return (asynchronous.absent or asynchronous.is_(False)) and _not_serverless(
        holder.get("serverless")
    )


def _not_serverless(serverless: Value) -> bool:
    return serverless.absent or serverless.is_(False)


# Autoscaling ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scaling:
    """What the project registers with Application Auto Scaling for its endpoints."""

    # (endpoint name, variant name or None for any variant) of each readable target
    targets: frozenset[tuple[str, str | None]]
    # A target this reading cannot place (its endpoint is unknown, it is opaque, or boto3
    # registers one in code): it could scale any endpoint.
    undecidable: bool

    def covers(self, variant: Variant) -> bool | None:
        """Whether a scaling target points at the variant; None when it cannot be decided."""
        if variant.endpoint is None:
            return None
        name = variant.endpoint.name
        if (name, None) in self.targets or (name, variant.name) in self.targets:
            return True
        if variant.name is None and any(endpoint == name for endpoint, _ in self.targets):
            return None  # a target names a variant this one may be
        return None if self.undecidable else False


def _scaled_variant(resource_id: Value) -> str | None:
    """The variant a scaling target's resource ID names, None for every variant of its
    endpoint. An ID that interpolates the endpoint's name but writes the variant literally
    (`!Sub endpoint/${Endpoint.EndpointName}/variant/Blue`, Terraform's
    `"endpoint/${aws_sagemaker_endpoint.main.name}/variant/Blue"`) names that variant."""
    if resource_id.known:
        text = resource_id.value
    else:
        text = resource_id.written.strip().strip("\"'") if resource_id.unknown else None
    match = _SCALED_VARIANT.search(text) if isinstance(text, str) else None
    if match is None or not _VARIANT_NAME.fullmatch(match["variant"]):
        return None
    return match["variant"]


def scaling(ev: Evidence) -> Scaling:
    """The project's endpoint scaling targets, computed once per run."""
    return ev.memo(scaling, lambda: _scaling(ev))


def _scaling(ev: Evidence) -> Scaling:
    targets: set[tuple[str, str | None]] = set()
    undecidable = False
    for target in resources(ev, SCALING_TARGET):
        endpoint = target.get("endpoint")
        if target.opaque or not (endpoint.known and isinstance(endpoint.value, str)):
            undecidable = undecidable or not endpoint.absent or target.opaque
            continue
        targets.add((endpoint.value, _scaled_variant(target.get("resource_id"))))
    for _, parsed in modules(ev, _REGISTER_SCALING.encode()):
        if any(calls_named(parsed, frozenset({_REGISTER_SCALING}))):
            undecidable = True
    return Scaling(frozenset(targets), undecidable)


# Throwaway endpoints -------------------------------------------------------------------------

# What deletes a resource of each kind, and the arguments its name is given in when it is
# created or deleted (the SDK's ``.deploy()`` and boto3).
_DELETERS = {
    ENDPOINT: ("delete_endpoint", frozenset({"endpoint_name", "EndpointName"})),
    ENDPOINT_CONFIG: (
        "delete_endpoint_config",
        frozenset({"endpoint_config_name", "EndpointConfigName"}),
    ),
}


def throwaways(ev: Evidence) -> frozenset[str]:
    """Anchors of the endpoints and endpoint configurations that the code creating them
    deletes further on (``predictor.delete_endpoint()``,
    ``session.delete_endpoint(predictor.endpoint_name)``,
    ``sm.delete_endpoint_config(EndpointConfigName=config_name)``): a notebook's or a test
    script's throwaway, cleaned up when the demo is done. So are endpoints the SDK runs in
    local mode, on the developer's machine, and a configuration that only throwaway
    endpoints here serve."""

    def compute() -> frozenset[str]:
        found = {endpoint.anchor for endpoint in resources(ev, ENDPOINT) if is_local_mode(endpoint)}
        for resource in resources(ev, *_DELETERS):
            method, arguments = _DELETERS[resource.kind]
            path = resource.location.path
            parsed = module(ev, path) if ev.mentions(path, f"{method}(".encode()) else None
            if parsed is None:
                continue
            # Known by its AWS name, by the variable the call is assigned to, by the
            # estimator or model it was deployed from (``estimator.delete_endpoint()``), by
            # the variable its name is passed in, or by a variable that copies its name
            # (``name = predictor.endpoint_name``).
            creators = {*_creators(parsed, resource, arguments)}
            known_as = {resource.name.split(" #")[0], *creators, *_copies(parsed, creators)}
            for line, names in _deletions(parsed, method):
                if line > resource.location.line and known_as & names:
                    found.add(resource.anchor)
                    break
        configs = resources(ev, ENDPOINT_CONFIG)
        # Each endpoint's configurations, found from the endpoint: asking every pair of
        # endpoint and configuration took minutes for thousands of each.
        serving: dict[int, list[Resource]] = {}
        in_file: dict[str, list[Resource]] = {}
        for config in configs:
            in_file.setdefault(config.location.path, []).append(config)
        for endpoint in resources(ev, ENDPOINT):
            for config in _served(ev, endpoint, in_file):
                serving.setdefault(id(config), []).append(endpoint)
        for config in configs:
            served = serving.get(id(config))
            if served and all(endpoint.anchor in found for endpoint in served):
                found.add(config.anchor)
        return frozenset(found)

    return ev.memo(throwaways, compute)


_CONFIG_ARGUMENTS = _DELETERS[ENDPOINT_CONFIG][1]


def _served(
    ev: Evidence, endpoint: Resource, in_file: Mapping[str, list[Resource]]
) -> Iterator[Resource]:
    """The configurations (of ``in_file``, by path) the endpoint is created on: the one it
    names, or one whose call in the same file passes its name in the same variable
    (``EndpointConfigName=config_name``)."""
    named = config_of(ev, endpoint)
    if named is not None:
        yield named
    path = endpoint.location.path
    # Only SDK and boto3 calls pass a configuration's name in a variable; a template or a
    # Terraform file is not Python to read for one.
    if endpoint.source != "sdk" or not endpoint.get("endpoint_config").unknown:
        return
    if path not in in_file:
        return
    parsed = module(ev, path)
    if parsed is None:
        return
    given = _passed(_call_at(parsed, endpoint.location), _CONFIG_ARGUMENTS)
    for config in in_file[path] if given else ():
        if config is not named and given & _passed(
            _call_at(parsed, config.location), _CONFIG_ARGUMENTS
        ):
            yield config


def _call_at(parsed: PythonModule, where: Location) -> ast.Call | None:
    for node in parsed.index.of(ast.Call):
        if parsed.position(node) == (where.line, where.column):
            return node
    return None


def _passed(call: ast.Call | None, arguments: frozenset[str]) -> set[str]:
    """The variables a call passes in the given keyword arguments."""
    keywords = call.keywords if call is not None else []
    return {k.value.id for k in keywords if k.arg in arguments and isinstance(k.value, ast.Name)}


def _creators(parsed: PythonModule, resource: Resource, arguments: frozenset[str]) -> Iterator[str]:
    """What the code that creates the resource may delete it by: the variable the call is
    assigned to, the estimator or model a ``.deploy()`` is called on, and the variable its
    name is passed in (``EndpointName=endpoint_name``)."""
    where = resource.location
    call = _call_at(parsed, where)
    if call is not None:
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "deploy"
            and isinstance(func.value, ast.Name)
        ):
            yield func.value.id
        yield from _passed(call, arguments)
    for node in parsed.index.of(ast.Assign):
        if isinstance(node.value, ast.Call) and parsed.position(node.value) == (
            where.line,
            where.column,
        ):
            yield from (t.id for t in node.targets if isinstance(t, ast.Name))


def _copies(parsed: PythonModule, creators: set[str]) -> Iterator[str]:
    """Variables assigned a creator's name (``name = predictor.endpoint_name``), or an
    object built on it (``Predictor(endpoint_name=endpoint.endpoint_name)``,
    ``Predictor(endpoint_name)``)."""
    for node in parsed.index.of(ast.Assign):
        given = [node.value, *(_name_given(node.value) if isinstance(node.value, ast.Call) else [])]
        if any(_rooted_in(expr, creators) for expr in given):
            yield from (t.id for t in node.targets if isinstance(t, ast.Name))


_NAME_ARGUMENTS = _DELETERS[ENDPOINT][1]


def _name_given(call: ast.Call) -> list[ast.expr]:
    """Where a call building an object on an endpoint may pass its name: the first
    positional argument, or an ``endpoint_name``/``EndpointName`` keyword."""
    return [*call.args[:1], *(k.value for k in call.keywords if k.arg in _NAME_ARGUMENTS)]


def _rooted_in(expr: ast.expr, names: set[str]) -> bool:
    """A name, or an attribute of one, among ``names``."""
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name) and expr.id in names


def _string_constants(parsed: PythonModule) -> dict[str, str]:
    """Names assigned a string literal (``endpoint_name = "churn"``), by their last value."""
    found: dict[str, str] = {}
    for node in parsed.index.of(ast.Assign):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found.update((t.id, node.value.value) for t in node.targets if isinstance(t, ast.Name))
    return found


def _deletions(parsed: PythonModule, method: str) -> Iterator[tuple[int, set[str]]]:
    """Each ``method`` call's line and what it names: the variable it is called on (or the
    name an object it is called on is built with, ``Predictor(name).delete_endpoint()``),
    and the variables or literal names its arguments are written with (a variable holding
    a literal name stands for that name too)."""
    constants = _string_constants(parsed)
    for node in parsed.index.of(ast.Call):
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == method):
            continue
        names = set()
        receiver = node.func.value
        built_on = _name_given(receiver) if isinstance(receiver, ast.Call) else []
        for expr in (receiver, *built_on, *node.args, *(k.value for k in node.keywords)):
            while isinstance(expr, ast.Attribute):
                expr = expr.value
            if isinstance(expr, ast.Name):
                names.add(expr.id)
                if expr.id in constants:
                    names.add(constants[expr.id])
            elif isinstance(expr, ast.Constant) and isinstance(expr.value, str):
                names.add(expr.value)
        yield parsed.position(node)[0], names
