"""The CI systems whose definitions mllint-wa reads, and which one a file belongs to, told by
its path alone: what finding a repository's CI files needs, without the parsers of their
contents (:mod:`mllint_wa.parsers.ci`)."""

from __future__ import annotations

GITHUB = "github-actions"
GITLAB = "gitlab-ci"
CODEBUILD = "codebuild"
AZURE = "azure-pipelines"
CIRCLECI = "circleci"
BITBUCKET = "bitbucket-pipelines"
JENKINS = "jenkins"
PRE_COMMIT = "pre-commit"


def ci_system(path: str) -> str | None:
    """Which CI system a project-relative path belongs to, or None."""
    name = path.rpartition("/")[2]
    if f"/{path}".rpartition("/")[0].endswith("/.github/workflows"):
        return GITHUB
    if name == ".gitlab-ci.yml":
        return GITLAB
    if name.startswith("buildspec") and name.endswith((".yml", ".yaml")):
        return CODEBUILD
    if name.startswith("azure-pipelines") and name.endswith((".yml", ".yaml")):
        return AZURE
    if f"/{path}".endswith("/.circleci/config.yml"):
        return CIRCLECI
    if name == "bitbucket-pipelines.yml":
        return BITBUCKET
    if name == "Jenkinsfile":
        return JENKINS
    if name == ".pre-commit-config.yaml":
        return PRE_COMMIT
    return None
