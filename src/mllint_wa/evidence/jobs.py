"""Training and processing jobs that run in AWS, and what their instance types imply.

A job whose instance type is ``local`` or ``local_gpu`` runs in SageMaker local mode: in
containers on the machine that calls it, not in AWS, so no AWS setting (network isolation, a
VPC, KMS keys, spot capacity, a maximum runtime) applies to it
(https://sagemaker.readthedocs.io/en/stable/overview.html#local-mode).
"""

from __future__ import annotations

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


def aws_jobs(ev: Evidence, *kinds: str) -> tuple[Resource, ...]:
    """Training and processing jobs (or ``kinds`` of them) that run in AWS: every one but
    those known to run in local mode."""
    return tuple(r for r in resources(ev, *(kinds or JOB_KINDS)) if not is_local_mode(r))
