"""Where the project deploys its model, and the infrastructure-as-code it keeps, found once
per run.

A deployment site is something that serves predictions: an endpoint, endpoint configuration
or batch transform in the resource model (:mod:`mllint_wa.evidence.resources`, whose
extractors read SDK and boto3 calls, CDK apps, CloudFormation and Terraform), or a Dockerfile
that starts a model server. Each site names the ``[deployment] target`` it stands for; test
code is not evidence. Lambda functions are not taken for a model's serving: templates use
them as glue as often.

Infrastructure-as-code is Terraform, CloudFormation and SAM templates, and CDK apps
(``cdk.json``), named by the folder that holds them (a template at the project's root by its
own name).
"""

from __future__ import annotations

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import is_test_path
from mllint_wa.evidence.kinds import DOCKERFILE, JSON, TERRAFORM, YAML
from mllint_wa.evidence.resources import (
    DEPLOYMENT_KINDS,
    ENDPOINT,
    ENDPOINT_CONFIG,
    TRANSFORM_JOB,
    resources,
)
from mllint_wa.records import dataclass

SAGEMAKER_ENDPOINT = "sagemaker-endpoint"
SAGEMAKER_BATCH = "sagemaker-batch"
CONTAINER = "container"
# The order a manifest's one target is chosen in when the project shows several.
TARGETS = (SAGEMAKER_ENDPOINT, SAGEMAKER_BATCH, CONTAINER)

_RESOURCE_TARGETS = {
    ENDPOINT: SAGEMAKER_ENDPOINT,
    ENDPOINT_CONFIG: SAGEMAKER_ENDPOINT,
    TRANSFORM_JOB: SAGEMAKER_BATCH,
}
# Commands that start a model server in a container.
_SERVERS = (
    b"torchserve",
    b"tensorflow_model_server",
    b"tritonserver",
    b"mlflow models serve",
    b"bentoml serve",
    b"sagemaker_inference",
    b"sagemaker-inference",
    b"uvicorn",
    b"gunicorn",
)
# What makes a YAML or JSON file a CloudFormation or SAM template.
_TEMPLATE_NEEDLES = (
    b"AWSTemplateFormatVersion",
    b"Transform: AWS::Serverless",
    b"Type: AWS::",
    b'"Type": "AWS::',
)
CDK_APP = "cdk.json"


@dataclass(frozen=True)
class DeploymentSite:
    target: str
    path: str
    line: int
    column: int
    evidence: str  # what shows it: "calls `estimator.deploy(...)`", "declares `AWS::…`" …


@dataclass(frozen=True)
class Deployment:
    sites: tuple[DeploymentSite, ...]  # the first site of each target, in TARGETS order
    iac: tuple[tuple[str, str], ...]  # (path to declare, the file that shows it), sorted

    @property
    def target(self) -> DeploymentSite | None:
        return self.sites[0] if self.sites else None


def deployment(ev: Evidence) -> Deployment:
    """The project's deployment sites and infrastructure-as-code, computed once per run."""
    return ev.memo(deployment, lambda: Deployment(_sites(ev), _iac(ev)))


def _sites(ev: Evidence) -> tuple[DeploymentSite, ...]:
    # Endpoints and batch transforms from the resource model (SDK and boto3 calls, CDK apps,
    # CloudFormation and Terraform), and container images that start a model server.
    found = [
        DeploymentSite(
            _RESOURCE_TARGETS[r.kind],
            r.location.path,
            r.location.line,
            r.location.column,
            f"defines {r.kind} `{r.name}`",
        )
        for r in resources(ev, *DEPLOYMENT_KINDS)
    ]
    for path in ev.files(DOCKERFILE):
        if is_test_path(path):
            continue
        for needle in _SERVERS:
            at = ev.find(path, needle)
            if at is not None:
                found.append(DeploymentSite(CONTAINER, path, *at, f"runs `{needle.decode()}`"))
                break
    first: dict[str, DeploymentSite] = {}
    for site in sorted(found, key=lambda s: (s.path, s.line, s.column)):
        first.setdefault(site.target, site)
    return tuple(first[target] for target in TARGETS if target in first)


def _iac(ev: Evidence) -> tuple[tuple[str, str], ...]:
    files = [path for path in ev.files(TERRAFORM) if not is_test_path(path)]
    files += [
        path
        for path in ev.files(YAML, JSON)
        if not is_test_path(path) and ev.mentions(path, *_TEMPLATE_NEEDLES)
    ]
    files += [path for path in ev.all_files if path.rpartition("/")[2] == CDK_APP]
    declared: dict[str, str] = {}
    for path in sorted(files):
        folder = path.rpartition("/")[0]
        declared.setdefault(f"{folder}/" if folder else path, path)
    # A folder inside another one already declared adds nothing.
    kept = {
        path: shown
        for path, shown in declared.items()
        if not any(
            path != other and path.startswith(other) for other in declared if other[-1:] == "/"
        )
    }
    return tuple(sorted(kept.items()))
