"""How the project hosts its models: the endpoint definitions that carry production variants.

A hosting definition is an endpoint configuration (CloudFormation, Terraform, CDK, boto3
``create_endpoint_config``) with its production variants, or an SDK ``.deploy(...)``
endpoint, which carries its one variant's settings (instance type and count, serverless)
on the endpoint itself. An endpoint that names an endpoint configuration is not one: its
configuration is. A batch transform is not an endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.resources import ENDPOINT, ENDPOINT_CONFIG, Resource, Value, resources

Variant = Mapping[str, Value]
_VARIANT_SETTINGS = ("instance_type", "instance_count", "serverless")


@dataclass(frozen=True)
class Hosting:
    """A resource that decides how a model is hosted. ``variants`` is ``None`` when the list
    of production variants cannot be read (a parameter, ``**kwargs``)."""

    resource: Resource
    variants: tuple[Variant, ...] | None


def hostings(ev: Evidence) -> tuple[Hosting, ...]:
    """Every endpoint configuration, and every endpoint that carries its own variant."""
    return ev.memo(hostings, lambda: tuple(_hostings(ev)))


def _hostings(ev: Evidence) -> list[Hosting]:
    found = []
    for resource in resources(ev, ENDPOINT_CONFIG, ENDPOINT):
        if resource.kind == ENDPOINT_CONFIG:
            listed = resource.get("variants")
            variants = (
                tuple(v for v in listed.value if isinstance(v, Mapping))
                if listed.known and isinstance(listed.value, list)
                else None
            )
            found.append(Hosting(resource, variants))
        elif resource.get("endpoint_config").absent and any(
            not resource.get(name).absent for name in _VARIANT_SETTINGS
        ):
            own = {name: resource.get(name) for name in _VARIANT_SETTINGS}
            found.append(Hosting(resource, (own,)))
    return found


def is_serverless(variant: Variant) -> bool:
    value = variant.get("serverless")
    return value is not None and value.is_(True)


# EC2 instance families with local NVMe instance storage, which SageMaker encrypts with a
# hardware module and for which a KMS key cannot be requested: every family whose
# attribute letters after the generation include "d" (m5d, c6id, g4dn, p4d …, the EC2
# naming convention for instance store), and these without the letter.
_LOCAL_STORAGE_FAMILIES = frozenset(
    {"g5", "g6", "g6e", "gr6", "p5", "p5e", "p5en", "trn1", "trn1n", "trn2"}
)
_FAMILY = re.compile(r"^ml\.([a-z]+\d+)([a-z]*)\.")


def has_local_storage(instance_type: str) -> bool:
    """Whether an ``ml.*`` instance type has local instance storage (no KMS key allowed)."""
    match = _FAMILY.match(instance_type.lower())
    if match is None:
        return False
    family, attributes = match.groups()
    return "d" in attributes or f"{family}{attributes}" in _LOCAL_STORAGE_FAMILIES
