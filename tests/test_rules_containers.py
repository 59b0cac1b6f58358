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
        ("MD030", "mutable-image-tag", "Dockerfile", 19, 13),
        ("MD030", "mutable-image-tag", "Dockerfile", 23, 7),
        ("MD030", "mutable-image-tag", "Dockerfile", 25, 29),
        ("MD030", "mutable-image-tag", "Dockerfile", 27, 13),
        ("MD030", "mutable-image-tag", "pipelines/sagemaker_job.py", 13, 19),
        ("MD030", "mutable-image-tag", "pipelines/sagemaker_job.py", 21, 21),
    ]


def test_mutable_image_tag_messages_name_the_image_and_the_argument_default(lint):
    messages = lint.messages("mutable-image-tag", "MD030")
    assert messages[0] == (
        "CI image `redis` has no tag, so it is whatever `latest` is on the day it is pulled"
    )
    assert messages[1] == "CI image `python:latest` uses the moving `latest` tag"
    # A stage pinned by its digest still copies from an image as tagged.
    assert messages[3] == (
        "`COPY --from=busybox` has no tag, so it is whatever `latest` is on the day it is pulled"
    )
    assert messages[4] == (
        "`FROM debian` has no tag, so it is whatever `latest` is on the day it is pulled"
    )
    assert messages[5] == (
        "`FROM ${RUNTIME}` (`python:latest` by its build-argument defaults) uses the moving "
        "`latest` tag"
    )
    assert messages[6] == "`COPY --from=ghcr.io/astral-sh/uv:latest` uses the moving `latest` tag"
    assert messages[8] == (
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
    # that runs as root while the final stage does not; a Jinja template and a
    # cookiecutter template (its placeholder in a quoted LABEL).
    assert lint("container-runs-as-root", "MD031") == [
        ("MD031", "container-runs-as-root", "Dockerfile", 6, 1),
        ("MD031", "container-runs-as-root", "docker/Dockerfile.admin", 5, 1),
        ("MD031", "container-runs-as-root", "docker/go-template.Dockerfile", 4, 1),
        ("MD031", "container-runs-as-root", "docker/zero.Dockerfile", 2, 1),
        ("MD031", "container-runs-as-root", "serving/Dockerfile", 1, 1),
    ]
    assert lint.messages("container-runs-as-root", "MD031") == [
        "the final stage (`FROM python:3.11-slim`) has no `USER`, so it runs as root",
        "the final stage switches to `USER root` and runs as root",
        "the final stage (`FROM python:3.12-slim`) has no `USER`, so it runs as root",
        "the final stage switches to `USER 0:0` and runs as root",
        "the final stage (`FROM python:3.11-slim`) has no `USER`, so it runs as root",
    ]


def test_braces_in_a_quoted_argument_do_not_make_a_dockerfile_a_template(lint, tmp_path):
    # A Go template for `go list -f` and a Jinja file the image writes are arguments of
    # commands, not placeholders of the Dockerfile: it is read, and it runs as root.
    found = lint("container-runs-as-root", "MD031")
    assert ("MD031", "container-runs-as-root", "docker/go-template.Dockerfile", 4, 1) in found
    templates = {
        "Dockerfile": "FROM python:3.12\n{% if gpu %}\nRUN pip install torch==2.3.1\n{% endif %}\n",
        "docker/base.Dockerfile": "FROM {{ base_image }}\nCMD serve\n",
        "docker/label.Dockerfile": 'FROM python:3.12\nLABEL title="{{ cookiecutter.name }}"\n',
    }
    assert lint(_write(tmp_path, templates), "MD031", "LN009") == []


def test_images_built_for_sagemaker_or_lambda_may_run_as_root(lint):
    # A com.amazonaws.sagemaker label (docker/labelled.Dockerfile); scripts copied from the
    # build context that read /opt/ml, named as a folder (byo/Dockerfile) or by a pattern
    # (byo/glob.Dockerfile) or as the whole build context (whole/Dockerfile); a copied
    # requirements file installing sagemaker-training (toolkit/Dockerfile) or, written
    # `./requirements.txt`, sagemaker-inference (dotted/Dockerfile); Lambda base images from
    # ECR Public and Docker Hub, the latter through two stages (lambda/). A plain web
    # service copying its app is still reported.
    reported = {row[2] for row in lint("container-runs-as-root", "MD031")}
    assert reported.isdisjoint(
        {
            "docker/labelled.Dockerfile",
            "byo/Dockerfile",
            "byo/glob.Dockerfile",
            "toolkit/Dockerfile",
            "dotted/Dockerfile",
            "whole/Dockerfile",
        }
    )
    assert reported.isdisjoint({"lambda/Dockerfile", "lambda/hub.Dockerfile"})
    assert "serving/Dockerfile" in reported


def test_remote_scripts_piped_to_a_shell_at_their_line(lint):
    # Silent: a commented-out Dockerfile RUN, a comment in a heredoc, a download checked
    # with sha256sum before it runs, a commented line in a workflow script and in a shell
    # script, a Groovy comment in the Jenkinsfile, a Jinja-templated workflow, the broken
    # workflow (reported once by LN009 instead), and every hint that is printed, written
    # to a file or assigned (scripts/hints.sh and the hints in docker/hints.Dockerfile and
    # .github/workflows/hints.yml).
    assert lint("remote-script-piped-to-shell", "MD032", "LN009") == [
        ("LN009", "unparseable-file", ".github/workflows/broken.yml", 7, 6),
        ("MD032", "remote-script-piped-to-shell", ".github/workflows/ci.yml", 14, 18),
        ("MD032", "remote-script-piped-to-shell", ".github/workflows/hints.yml", 14, 26),
        ("MD032", "remote-script-piped-to-shell", ".github/workflows/image.yml", 8, 14),
        ("MD032", "remote-script-piped-to-shell", ".gitlab-ci.yml", 8, 16),
        ("MD032", "remote-script-piped-to-shell", "Containerfile", 3, 5),
        ("MD032", "remote-script-piped-to-shell", "Dockerfile", 5, 8),
        ("MD032", "remote-script-piped-to-shell", "Dockerfile", 15, 2),
        ("MD032", "remote-script-piped-to-shell", "Dockerfile", 17, 24),
        ("MD032", "remote-script-piped-to-shell", "Jenkinsfile", 7, 13),
        ("MD032", "remote-script-piped-to-shell", "ci/buildspec.yml", 5, 9),
        ("MD032", "remote-script-piped-to-shell", "docker/hints.Dockerfile", 12, 14),
        ("MD032", "remote-script-piped-to-shell", "docker/hints.Dockerfile", 15, 1),
        ("MD032", "remote-script-piped-to-shell", "scripts/bootstrap.sh", 4, 13),
        ("MD032", "remote-script-piped-to-shell", "scripts/bootstrap.sh", 5, 12),
        ("MD032", "remote-script-piped-to-shell", "scripts/bootstrap.sh", 6, 20),
        ("MD032", "remote-script-piped-to-shell", "scripts/bootstrap.sh", 8, 1),
        ("MD032", "remote-script-piped-to-shell", "scripts/bootstrap.sh", 10, 4),
        ("MD032", "remote-script-piped-to-shell", "scripts/setup.sh", 7, 1),
    ]


def _messages_by_place(lint, repo):
    result = lint.result(repo, "MD032")
    return {(f.path, f.line): f.message for f in result.findings}


def test_remote_script_messages_name_the_shape_and_host_never_the_url(lint):
    messages = _messages_by_place(lint, "remote-script-piped-to-shell")
    assert messages[".github/workflows/ci.yml", 14] == (
        "`bash <(curl …)` runs a script downloaded from `codecov.io` without checking it"
    )
    assert messages[".gitlab-ci.yml", 8] == (
        '`sh -c "$(curl …)"` runs a script downloaded from `raw.githubusercontent.com` '
        "without checking it"
    )
    assert messages["scripts/bootstrap.sh", 5] == (
        '`bash -c "$(curl …)"` runs a script downloaded from `get.example.org` without checking it'
    )
    assert all("https://" not in message for message in messages.values())


def test_text_that_is_printed_written_or_assigned_runs_no_script(lint):
    # echo, printf and a Python step print the hints; cat writes them to a file or the step
    # summary; variables and an alias hold them; the JSON form of RUN hands `|` to echo as
    # a word; a heredoc read by python3 or cat is not a shell's script. Only `bash -c` and
    # a bare heredoc (BuildKit runs it) run theirs.
    rows = lint("remote-script-piped-to-shell", "MD032")
    hints = [row[2:] for row in rows if "hints" in row[2]]
    assert hints == [
        (".github/workflows/hints.yml", 14, 26),
        ("docker/hints.Dockerfile", 12, 14),
        ("docker/hints.Dockerfile", 15, 1),
    ]


def test_scripts_run_by_sh_c_substitutions_and_heredocs_are_reported(lint):
    # sudo sh -c "curl … | sh", bash -c "$(curl …)", a pipe inside echo's $(…), a heredoc
    # read by bash, and a pipe continued on the next line inside an `if`.
    messages = _messages_by_place(lint, "remote-script-piped-to-shell")
    assert [
        message for (path, _), message in sorted(messages.items()) if path.endswith("bootstrap.sh")
    ] == [
        "`curl … | sh` runs a script downloaded from `get.example.org` without checking it",
        '`bash -c "$(curl …)"` runs a script downloaded from `get.example.org` without checking it',
        "`curl … | sh` runs a script downloaded from `get.example.org` without checking it",
        "`curl … | bash` runs a script downloaded from `get.example.org` without checking it",
        "`curl … | python3` runs a script downloaded from `get.example.org` without checking it",
    ]


def test_a_go_template_in_a_quoted_argument_leaves_a_workflow_read(lint):
    # `docker inspect --format '{{.Config.User}}'` and `${{ github.sha }}` are not
    # placeholders of a template: the workflow is read, and its `curl … | sh` reported.
    rows = lint("remote-script-piped-to-shell", "MD032")
    assert ("MD032", "remote-script-piped-to-shell", ".github/workflows/image.yml", 8, 14) in rows


def test_a_workflow_with_github_expressions_and_a_syntax_error_is_reported_once(lint):
    found = lint("remote-script-piped-to-shell", "LN009")
    assert [row[2] for row in found] == [".github/workflows/broken.yml"]
