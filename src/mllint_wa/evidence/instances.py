"""The instances a project's SageMaker resources run on, wherever the type is written.

Jobs (training, processing, batch transform), notebook instances and SDK ``.deploy(...)``
endpoints carry their ``instance_type``; an endpoint configuration carries one per production
variant. What the SDK runs in local mode has no instance, whatever type it names. Instance types
follow the ``ml.<family>.<size>`` pattern; anything else (the SDK's local mode, ``local`` /
``local_gpu``, which runs on the developer's machine) has no family and is not an AWS instance.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.resources import (
    ENDPOINT,
    ENDPOINT_CONFIG,
    NOTEBOOK_INSTANCE,
    PROCESSING_JOB,
    TRAINING_JOB,
    TRANSFORM_JOB,
    Resource,
    Value,
    resources,
)
from mllint_wa.model import Location
from mllint_wa.records import dataclass

_OWN_TYPE_KINDS = (TRAINING_JOB, PROCESSING_JOB, TRANSFORM_JOB, ENDPOINT, NOTEBOOK_INSTANCE)
_TYPE = re.compile(r"^ml\.([a-z0-9-]+)\.[a-z0-9]+$")
# GPU (P, G), Trainium (trn) and Gaudi (dl) families: the ones whose idle hours cost most.
_ACCELERATED = re.compile(r"^(p|g|trn|dl)\d")


@dataclass(frozen=True)
class InstanceSite:
    """Where one instance type is set: the resource, the value, and how to name it."""

    resource: Resource
    value: Value
    shown: str  # "training-job `estimator`", "endpoint-config `Config` variant `AllTraffic`"
    anchor: str

    @property
    def location(self) -> Location:
        return self.value.location or self.resource.location


def family(instance_type: object) -> str | None:
    """``ml.p3.2xlarge`` → ``p3``; None for anything that is not an ``ml.*`` instance type."""
    if not isinstance(instance_type, str):
        return None
    match = _TYPE.match(instance_type.strip().lower())
    return match.group(1) if match else None


# Instance families with local NVMe instance storage, which SageMaker encrypts with a hardware
# module and for which its API refuses a volume KMS key ("You can't request a VolumeKmsKeyId
# when using an instance type with local storage", CreateTrainingJob ResourceConfig;
# "you can't request a KmsKeyId", CreateEndpointConfig). A "d" among the letters after the
# generation (ml.m5d, ml.g4dn, ml.p3dn, ml.p4d, ml.c6id …) marks them, as in EC2's naming;
# these families have instance storage without the letter.
_STORAGE_FAMILIES = frozenset(
    {"g5", "g6", "g6e", "gr6", "p5", "p5e", "p5en", "p6", "trn1", "trn1n", "trn2"}
)
_FAMILY_OPTIONS = re.compile(r"^[a-z]+\d+(?P<options>[a-z]*)$")


def has_instance_storage(instance_type: object) -> bool:
    """Whether an ``ml.*`` instance type has local instance storage (hardware-encrypted, so
    no volume KMS key can be given)."""
    name = family(instance_type)
    match = _FAMILY_OPTIONS.match(name.partition("-")[0]) if name is not None else None
    return match is not None and (match.group(0) in _STORAGE_FAMILIES or "d" in match["options"])


def is_accelerated(instance_type: object) -> bool:
    name = family(instance_type)
    return name is not None and bool(_ACCELERATED.match(name))


def is_local_mode(resource: Resource) -> bool:
    """A job, endpoint or pipeline the SDK runs, or may run, in local mode, on the
    developer's machine: its instance type is ``local`` or ``local_gpu``, or its session is
    a local one (or one of them is a variable the code may set so): no AWS setting is
    judged of it."""
    value = resource.get("instance_type")
    local_type = value.known and isinstance(value.value, str) and value.value.startswith("local")
    local_session = resource.source == "sdk" and not resource.get("local_mode").falsy()
    return local_type or local_session


def shown(resource: Resource) -> str:
    return f"{resource.kind} `{resource.name}`"


def instance_sites(ev: Evidence) -> tuple[InstanceSite, ...]:
    """Every instance type the project's resources set, in resource order."""
    return ev.memo(instance_sites, lambda: tuple(_sites(ev)))


def _sites(ev: Evidence) -> list[InstanceSite]:
    found: list[InstanceSite] = []
    for resource in resources(ev, *_OWN_TYPE_KINDS, ENDPOINT_CONFIG):
        if is_local_mode(resource):
            continue  # the type names no instance: the SDK runs it on this machine
        if resource.kind != ENDPOINT_CONFIG:
            value = resource.get("instance_type")
            if not value.absent:
                anchor = f"{resource.anchor}:instance_type"
                found.append(InstanceSite(resource, value, shown(resource), anchor))
            continue
        variants = resource.get("variants")
        if not (variants.known and isinstance(variants.value, list)):
            continue
        for index, variant in enumerate(variants.value):
            if not isinstance(variant, Mapping):
                continue
            setting = variant.get("instance_type")
            if not isinstance(setting, Value) or setting.absent:
                continue
            name = variant.get("variant_name")
            label = name.value if isinstance(name, Value) and name.known else f"#{index + 1}"
            found.append(
                InstanceSite(
                    resource,
                    setting,
                    f"{shown(resource)} variant `{label}`",
                    f"{resource.anchor}:variant:{label}:instance_type",
                )
            )
    return found
