"""IAM as the resource model shows it: SageMaker execution roles and the policy statements
that apply to them.

A SageMaker role is an IAM role whose trust policy lets ``sagemaker.amazonaws.com`` assume
it (the role a training job, processing job, model or notebook runs as). The statements that
apply to it are its inline policies and those of every policy attached to it by name (in
the same file or folder); a policy whose roles cannot be read is left out, as is a role whose
trust policy cannot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.resources import (
    ABSENT,
    IAM_POLICY,
    IAM_ROLE,
    Resource,
    Value,
    resources,
)
from mllint_wa.records import dataclass

SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"


@dataclass(frozen=True)
class Statement:
    """One statement of ``owner`` (a role's inline policy or a policy resource), with the
    SageMaker role it applies to."""

    owner: Resource
    role: Resource
    effect: Value
    actions: Value
    resources: Value


def sagemaker_roles(ev: Evidence) -> tuple[Resource, ...]:
    return ev.memo(sagemaker_roles, lambda: tuple(_sagemaker_roles(ev)))


def _sagemaker_roles(ev: Evidence) -> list[Resource]:
    return [role for role in resources(ev, IAM_ROLE) if _assumed_by_sagemaker(role)]


def _assumed_by_sagemaker(role: Resource) -> bool:
    services = role.get("assumed_by")
    listed = services.value if services.known and isinstance(services.value, list) else []
    # China partitions write sagemaker.amazonaws.com.cn.
    return any(str(service).startswith(SAGEMAKER_SERVICE) for service in listed)


def sagemaker_role_statements(ev: Evidence) -> tuple[Statement, ...]:
    """Statements in SageMaker roles' inline policies and in policies attached to them,
    each once (a policy attached to two SageMaker roles is reported for the first)."""
    return ev.memo(sagemaker_role_statements, lambda: tuple(_statements(ev)))


def _statements(ev: Evidence) -> list[Statement]:
    roles = sagemaker_roles(ev)
    found: list[Statement] = []
    for role in roles:
        found += _of(role, role)
    for policy in resources(ev, IAM_POLICY):
        attached = policy.get("attached_to")
        names = attached.value if attached.known and isinstance(attached.value, list) else []
        attached_role = next(filter(None, (_role_named(roles, n, policy) for n in names)), None)
        if attached_role is not None:
            found += _of(policy, attached_role)
    return found


def _role_named(roles: Sequence[Resource], name: object, policy: Resource) -> Resource | None:
    """The role a policy names: names are a template's, a Terraform module's or a CDK
    module's own, so the role defined in the policy's file, else in its folder."""
    named = [role for role in roles if role.name == name]
    for same in (_path, _folder):
        near = [role for role in named if same(role) == same(policy)]
        if near:
            return near[0]
    return None


def _path(resource: Resource) -> str:
    return resource.location.path


def _folder(resource: Resource) -> str:
    return resource.location.path.rpartition("/")[0]


def _of(owner: Resource, role: Resource) -> list[Statement]:
    listed = owner.get("statements")
    if not listed.known or not isinstance(listed.value, list):
        return []
    return [
        Statement(
            owner,
            role,
            statement.get("effect", ABSENT),
            statement.get("actions", ABSENT),
            statement.get("resources", ABSENT),
        )
        for statement in listed.value
        if isinstance(statement, Mapping)
    ]
