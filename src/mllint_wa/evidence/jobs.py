"""Training and processing jobs that run in AWS, and the containers AWS provides for them.

A job whose instance type is ``local`` or ``local_gpu`` runs in SageMaker local mode: in
containers on the machine that calls it, not in AWS, so no AWS setting (network isolation, a
VPC, KMS keys, spot capacity, a maximum runtime) applies to it
(https://sagemaker.readthedocs.io/en/stable/overview.html#local-mode).

Some jobs run a container AWS provides with AWS's code in it: a built-in algorithm's image,
or the images of Model Monitor, Clarify, Data Wrangler and Debugger's rules. They are named
as ``sagemaker.image_uris.retrieve`` names them (``image_uri_config/*.json`` in the
SageMaker Python SDK); a literal image URI is recognised by its ECR repository there.
"""

from __future__ import annotations

import re

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.instances import is_local_mode
from mllint_wa.evidence.resources import PROCESSING_JOB, TRAINING_JOB, Resource, resources

JOB_KINDS = (TRAINING_JOB, PROCESSING_JOB)
# The SDK's estimators of Amazon's built-in algorithms (``sagemaker.amazon``): their jobs run
# Amazon's code on the project's data, none of the project's own.
AMAZON_ALGORITHMS = (
    "KMeans",
    "PCA",
    "LDA",
    "NTM",
    "LinearLearner",
    "FactorizationMachines",
    "RandomCutForest",
    "KNN",
    "Object2Vec",
    "IPInsights",
)


# ``image_uris.retrieve`` names of the built-in algorithms' images: run without a script of
# the project's (XGBoost also runs one in script mode, with an ``entry_point``).
BUILT_IN_ALGORITHM_IMAGES = frozenset(
    {
        "blazingtext",
        "factorization-machines",
        "forecasting-deepar",
        "image-classification",
        "ipinsights",
        "kmeans",
        "knn",
        "lda",
        "linear-learner",
        "ntm",
        "object-detection",
        "object2vec",
        "pca",
        "randomcutforest",
        "semantic-segmentation",
        "seq2seq",
        "xgboost",
    }
)
# The images of SageMaker's own processing jobs: Model Monitor, Clarify, Data Wrangler and
# Debugger's built-in rules.
SERVICE_IMAGES = frozenset({"model-monitor", "clarify", "data-wrangler", "debugger"})
# ECR repositories whose name is not the ``image_uris.retrieve`` name.
_REPOSITORIES = {
    "sagemaker-xgboost": "xgboost",
    "sagemaker-model-monitor-analyzer": "model-monitor",
    "sagemaker-clarify-processing": "clarify",
    "sagemaker-data-wrangler-container": "data-wrangler",
    "sagemaker-debugger-rules": "debugger",
}
# <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag][@digest]
_ECR_IMAGE = re.compile(
    r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[a-z0-9._/-]+)(?:[:@].*)?$"
)


def aws_image(image_uri: str) -> str | None:
    """The ``image_uris.retrieve`` name of an ECR image URI of a container AWS provides with
    its own code in it (a built-in algorithm, Model Monitor, Clarify, Data Wrangler,
    Debugger's rules); None for any other image."""
    match = _ECR_IMAGE.match(image_uri.strip())
    if match is None:
        return None
    repository = match["repository"]
    name = _REPOSITORIES.get(repository, repository)
    return name if name in BUILT_IN_ALGORITHM_IMAGES | SERVICE_IMAGES else None


def runs_aws_code(job: Resource) -> bool:
    """Whether a job's container runs AWS's code and none of the project's: an Amazon
    algorithm estimator, a SageMaker Clarify processor, a training job on a built-in
    algorithm's image with no script of the project's given, or a Model Monitor, Clarify,
    Data Wrangler or Debugger image. A processor on an algorithm's image runs the
    project's script (``ScriptProcessor``'s ``code``)."""
    if job.source == "sdk" and job.type in (*AMAZON_ALGORITHMS, "SageMakerClarifyProcessor"):
        return True
    container = job.get("aws_container")
    if not (container.known and isinstance(container.value, str)):
        return False
    if container.value in SERVICE_IMAGES:
        return True
    return (
        job.kind == TRAINING_JOB
        and container.value in BUILT_IN_ALGORITHM_IMAGES
        and job.get("own_code").falsy()
    )


def aws_jobs(ev: Evidence, *kinds: str) -> tuple[Resource, ...]:
    """Training and processing jobs (or ``kinds`` of them) that run in AWS: every one but
    those known to run in local mode."""
    return tuple(r for r in resources(ev, *(kinds or JOB_KINDS)) if not is_local_mode(r))
