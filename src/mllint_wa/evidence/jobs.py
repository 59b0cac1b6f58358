"""Training and processing jobs that run in AWS, and what their instance types imply.

A job whose instance type is ``local`` or ``local_gpu`` runs in SageMaker local mode: in
containers on the machine that calls it, not in AWS, so no AWS setting (network isolation, a
VPC, KMS keys, spot capacity, a maximum runtime) applies to it
(https://sagemaker.readthedocs.io/en/stable/overview.html#local-mode).
"""

from __future__ import annotations

import re

from mllint_wa.evidence import Evidence
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
LOCAL_MODE = frozenset({"local", "local_gpu"})

# Instance families with local NVMe instance storage, which SageMaker encrypts with a hardware
# module and for which its API refuses a volume KMS key ("You can't request a VolumeKmsKeyId
# when using an instance type with local storage", CreateTrainingJob ResourceConfig). A "d"
# among the letters after the generation (ml.m5d, ml.g4dn, ml.p3dn, ml.p4d, ml.c6id …) marks
# them, as in EC2's naming; these families have instance storage without the letter.
_STORAGE_FAMILIES = frozenset(
    {"g5", "g6", "g6e", "gr6", "p5", "p5e", "p5en", "p6", "trn1", "trn1n", "trn2"}
)
_FAMILY = re.compile(r"^[a-z]+\d+(?P<options>[a-z]*)$")


def is_local_mode(resource: Resource) -> bool:
    """The job runs in SageMaker local mode, on the caller's machine."""
    instance_type = resource.get("instance_type")
    return instance_type.known and instance_type.value in LOCAL_MODE


def aws_jobs(ev: Evidence, *kinds: str) -> tuple[Resource, ...]:
    """Training and processing jobs (or ``kinds`` of them) that run in AWS: every one but
    those known to run in local mode."""
    return tuple(r for r in resources(ev, *(kinds or JOB_KINDS)) if not is_local_mode(r))


def has_instance_storage(instance_type: str) -> bool:
    """Whether an ``ml.*`` instance type has local instance storage (hardware-encrypted, so
    no volume KMS key can be given)."""
    prefix, _, rest = instance_type.strip().lower().partition(".")
    family = rest.partition(".")[0].partition("-")[0]
    match = _FAMILY.match(family)
    if prefix != "ml" or match is None:
        return False
    return family in _STORAGE_FAMILIES or "d" in match["options"]
