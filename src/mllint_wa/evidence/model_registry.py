"""Whether the project keeps its models in a registry, and which deployed models come from one.

A project uses a model registry when it defines SageMaker model package groups or packages
(in any source the resource model reads), runs a pipeline that registers models (or one
whose steps cannot be read), or calls a registry from its code: MLflow's
(``mlflow.register_model``, ``log_model(..., registered_model_name=…)``, the client's
``create_registered_model`` / ``create_model_version`` / stage transitions), W&B's
``link_model``, or SageMaker's through boto3 (``list_model_packages``,
``describe_model_package``: deploy code that looks up the latest approved package).

A deployed model comes from the registry when the model an endpoint serves is built from a
model package (``ModelPackageName``, ``ModelPackage(...)``, a ``model_package_arn``), known
or not: a package ARN passed as a parameter is still a package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import calls_named, modules
from mllint_wa.evidence.endpoints import Variant, linked
from mllint_wa.evidence.resources import (
    MODEL,
    MODEL_PACKAGE,
    MODEL_PACKAGE_GROUP,
    PIPELINE,
    Resource,
    resources,
)
from mllint_wa.parsers.python_code import PythonModule
from mllint_wa.records import dataclass

# Registry calls, by their last name, and the packages whose import makes them a registry's.
_REGISTRY_CALLS = frozenset(
    {
        "register_model",
        "create_registered_model",
        "create_model_version",
        "transition_model_version_stage",
        "set_registered_model_alias",
        "link_model",
        "list_model_packages",
        "describe_model_package",
        "create_model_package",
        "create_model_package_group",
    }
)
_REGISTRY_PACKAGES = frozenset({"mlflow", "wandb", "sagemaker", "boto3"})
_REGISTERED_NAME = "registered_model_name"
_NEEDLES = (*(name.encode() for name in _REGISTRY_CALLS), _REGISTERED_NAME.encode())
_REGISTER_STEP = "register-model"
_PACKAGE_CLASS = "ModelPackage."  # an SDK deploy of a ModelPackage(...)


def uses_model_registry(ev: Evidence) -> bool:
    """Whether anything in the project registers models or reads them from a registry."""
    return ev.memo(uses_model_registry, lambda: _uses_registry(ev))


def _uses_registry(ev: Evidence) -> bool:
    if resources(ev, MODEL_PACKAGE_GROUP, MODEL_PACKAGE):
        return True
    for pipeline in resources(ev, PIPELINE):
        steps = pipeline.get("steps")
        if pipeline.opaque or steps.unknown:
            return True  # its steps may register
        if steps.known and _REGISTER_STEP in (steps.value or ()):
            return True
    return any(_calls_registry(parsed) for _, parsed in modules(ev, *_NEEDLES))


def _calls_registry(parsed: PythonModule) -> bool:
    if not parsed.imported_modules() & _REGISTRY_PACKAGES:
        return False
    if any(calls_named(parsed, _REGISTRY_CALLS)):
        return True
    return any(
        keyword.arg == _REGISTERED_NAME
        for node in parsed.index.of(ast.Call)
        for keyword in node.keywords
    )


@dataclass(frozen=True)
class Unregistered:
    """A deployed model that does not come from a model package: the resource that builds
    it (an SDK ``.deploy()`` endpoint, or the model a variant serves) and who serves it."""

    resource: Resource
    served_by: str  # how a message names what serves it


def unregistered_models(ev: Evidence, served: tuple[Variant, ...]) -> Iterator[Unregistered]:
    """The models the given variants serve that are known not to come from a model
    package, each once; a model that cannot be traced is left out."""
    seen: set[str] = set()
    for variant in served:
        found = _unregistered(ev, variant)
        if found is not None and found.resource.anchor not in seen:
            seen.add(found.resource.anchor)
            yield found


def _unregistered(ev: Evidence, variant: Variant) -> Unregistered | None:
    if variant.config is None:
        endpoint = variant.holder
        # A deploy on an object this reading could not trace may be a ModelPackage's.
        traced = endpoint.type != "deploy" and not endpoint.opaque
        from_package = endpoint.type.startswith(_PACKAGE_CLASS)
        if traced and not from_package and endpoint.get("model_package").absent:
            return Unregistered(endpoint, f"endpoint `{endpoint.name}`")
        return None
    link = variant.get("model")
    if not (link.known and isinstance(link.value, str)):
        return None
    model = linked(ev, variant.holder, MODEL, link.value)
    if model is None or model.opaque or not model.get("model_package").absent:
        return None
    served_by = f"endpoint `{variant.endpoint.name}`" if variant.endpoint else variant.describe()
    return Unregistered(model, served_by)
