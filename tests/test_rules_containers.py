"""MD030 mutable-image-tag, MD031 container-runs-as-root, MD032 remote-script-piped-to-shell."""

from __future__ import annotations

from trees import write_files as _write


def test_mutable_image_tags_in_dockerfiles_code_and_ci(lint):
    # Silent in the same fixture: an ARG default tag (python:${PYTHON_VERSION}-slim), an
    # ARG without a default (FROM ${BASE}), a stage reference (FROM builder), digests with
    # and without a tag, scratch, COPY --from a stage or a versioned image, a tag computed
    # in code, an image_uri parameter, a module constant with a version, a file name under
    # an "Image" key, a CI image from a variable, versioned CI images.
    assert lint("mutable-image-tag", "MD030") == [
        ("MD030", "mutable-image-tag", ".github/workflows/ci.yml", 10, 16),
        ("MD030", "mutable-image-tag", ".gitlab-ci.yml", 1, 8),
        ("MD030", "mutable-image-tag", "Dockerfile", 11, 6),
        ("MD030", "mutable-image-tag", "Dockerfile", 22, 7),
        ("MD030", "mutable-image-tag", "Dockerfile", 24, 29),
        ("MD030", "mutable-image-tag", "Dockerfile", 26, 13),
        ("MD030", "mutable-image-tag", "pipelines/sagemaker_job.py", 13, 19),
        ("MD030", "mutable-image-tag", "pipelines/sagemaker_job.py", 21, 21),
    ]


def test_mutable_image_tag_messages_name_the_image_and_the_argument_default(lint):
    messages = lint.messages("mutable-image-tag", "MD030")
    assert messages[0] == (
        "CI image `redis` has no tag, so it is whatever `latest` is on the day it is pulled"
    )
    assert messages[1] == "CI image `python:latest` uses the moving `latest` tag"
    assert messages[3] == (
        "`FROM debian` has no tag, so it is whatever `latest` is on the day it is pulled"
    )
    assert messages[4] == (
        "`FROM ${RUNTIME}` (`python:latest` by its build-argument defaults) uses the moving "
        "`latest` tag"
    )
    assert messages[5] == "`COPY --from=ghcr.io/astral-sh/uv:latest` uses the moving `latest` tag"
    assert messages[7] == (
        "`image_uri=` image `….amazonaws.com/churn-serve` has no tag, so it is whatever "
        "`latest` is on the day it is pulled"
    )


def test_mutable_image_tag_applies_at_every_stage_and_without_manifest(lint, tmp_path):
    repo = _write(
        tmp_path,
        {
            "lens.toml": 'schema_version = 1\n[project]\nstage = "discovery"\n',
            "Dockerfile": "FROM python\nUSER 1000\n",
        },
    )
    assert lint(repo, "MD030") == [("MD030", "mutable-image-tag", "Dockerfile", 1, 6)]


def test_templated_dockerfile_is_not_evidence(lint, tmp_path):
    repo = _write(tmp_path, {"Dockerfile": "FROM {{ cookiecutter.base }}\nFROM python\n"})
    assert lint(repo, "MD030", "MD031", "LN009") == []


def test_container_runs_as_root_in_the_final_stage_only(lint):
    # Silent: a USER from an ARG without a default, a USER from an ARG default, a final
    # stage built FROM a stage that set a user, an image FROM an unknown build argument,
    # a distroless :nonroot base, SageMaker framework and toolkit images; a build stage
    # that runs as root while the final stage does not.
    assert lint("container-runs-as-root", "MD031") == [
        ("MD031", "container-runs-as-root", "Dockerfile", 6, 1),
        ("MD031", "container-runs-as-root", "docker/Dockerfile.admin", 5, 1),
        ("MD031", "container-runs-as-root", "docker/zero.Dockerfile", 2, 1),
        ("MD031", "container-runs-as-root", "serving/Dockerfile", 1, 1),
    ]
    assert lint.messages("container-runs-as-root", "MD031") == [
        "the final stage (`FROM python:3.11-slim`) has no `USER`, so it runs as root",
        "the final stage switches to `USER root` and runs as root",
        "the final stage switches to `USER 0:0` and runs as root",
        "the final stage (`FROM python:3.11-slim`) has no `USER`, so it runs as root",
    ]


def test_images_built_for_sagemaker_or_lambda_may_run_as_root(lint):
    # A com.amazonaws.sagemaker label (docker/labelled.Dockerfile); scripts copied from the
    # build context that read /opt/ml, named as a folder (byo/Dockerfile) or by a pattern
    # (byo/glob.Dockerfile); a copied requirements file installing sagemaker-training
    # (toolkit/Dockerfile); Lambda base images from ECR Public and Docker Hub, the latter
    # through two stages (lambda/). A plain web service copying its app is still reported.
    reported = {row[2] for row in lint("container-runs-as-root", "MD031")}
    assert reported.isdisjoint(
        {
            "docker/labelled.Dockerfile",
            "byo/Dockerfile",
            "byo/glob.Dockerfile",
            "toolkit/Dockerfile",
        }
    )
    assert reported.isdisjoint({"lambda/Dockerfile", "lambda/hub.Dockerfile"})
    assert "serving/Dockerfile" in reported


def test_remote_scripts_piped_to_a_shell_at_their_line(lint):
    # Silent: a commented-out Dockerfile RUN, a comment in a heredoc, a download checked
    # with sha256sum before it runs, a commented line in a workflow script and in a shell
    # script, a Groovy comment in the Jenkinsfile, a Jinja-templated workflow, and the
    # broken workflow (reported once by LN009 instead).
    assert lint("remote-script-piped-to-shell", "MD032", "LN009") == [
        ("LN009", "unparseable-file", ".github/workflows/broken.yml", 7, 6),
        ("MD032", "remote-script-piped-to-shell", ".github/workflows/ci.yml", 14, 18),
        ("MD032", "remote-script-piped-to-shell", ".gitlab-ci.yml", 8, 16),
        ("MD032", "remote-script-piped-to-shell", "Containerfile", 3, 5),
        ("MD032", "remote-script-piped-to-shell", "Dockerfile", 5, 8),
        ("MD032", "remote-script-piped-to-shell", "Dockerfile", 15, 2),
        ("MD032", "remote-script-piped-to-shell", "Dockerfile", 17, 24),
        ("MD032", "remote-script-piped-to-shell", "Jenkinsfile", 7, 13),
        ("MD032", "remote-script-piped-to-shell", "ci/buildspec.yml", 5, 9),
        ("MD032", "remote-script-piped-to-shell", "scripts/setup.sh", 7, 1),
    ]


def test_remote_script_messages_name_the_shape_and_host_never_the_url(lint):
    messages = lint.messages("remote-script-piped-to-shell", "MD032")
    assert messages[0] == (
        "`bash <(curl …)` runs a script downloaded from `codecov.io` without checking it"
    )
    assert messages[1] == (
        '`sh -c "$(curl …)"` runs a script downloaded from `raw.githubusercontent.com` '
        "without checking it"
    )
    assert all("https://" not in message for message in messages)


def test_a_workflow_with_github_expressions_and_a_syntax_error_is_reported_once(lint):
    found = lint("remote-script-piped-to-shell", "LN009")
    assert [row[2] for row in found] == [".github/workflows/broken.yml"]
