"""Which S3 buckets of the project's infrastructure hold its data.

The resource model knows a bucket by its logical ID, Terraform address or construct id, not
by the S3 name the manifest's ``s3://`` URIs use (that name is usually built from the stack
or account), so buckets cannot be matched to data sources by name. In an ML project's
infrastructure every bucket is taken to hold data (data sets, features, model artefacts,
captured inference requests) except a bucket named for logs (``AccessLogsBucket``,
``aws_s3_bucket.logging``): access logs are not the project's data, and asking them for a
customer managed key or object versions would be noise.
"""

from __future__ import annotations

import re

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.resources import BUCKET, Resource, resources

_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_LOG_WORDS = frozenset({"log", "logs", "logging", "accesslogs"})


def is_log_bucket(bucket: Resource) -> bool:
    return any(word.lower() in _LOG_WORDS for word in _WORDS.findall(bucket.name))


def data_buckets(ev: Evidence) -> tuple[Resource, ...]:
    return tuple(bucket for bucket in resources(ev, BUCKET) if not is_log_bucket(bucket))
