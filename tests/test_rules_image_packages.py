"""MD023 unpinned-image-packages: what a Dockerfile installs, pinned or free to change."""

from __future__ import annotations

from trees import write_tree


def test_unpinned_image_packages_once_per_dockerfile_and_manager(lint):
    # Silent in traps/: a commented-out RUN, install commands inside echo and printf
    # strings, -r, -c, --require-hashes, the project's own paths and wheels, packages from
    # a variable, a VCS tag, the installers (pip, poetry, uv), lock installs (poetry, uv
    # sync, pipenv, conda env create, conda --file), .deb and .apk files, PIP_CONSTRAINT
    # and UV_CONSTRAINT set by ENV, and a templated Dockerfile.
    assert lint("unpinned-image-packages", "MD023") == [
        ("MD023", "unpinned-image-packages", "Dockerfile", 4, 9),
        ("MD023", "unpinned-image-packages", "Dockerfile", 8, 58),
        ("MD023", "unpinned-image-packages", "docker/Dockerfile.gpu", 2, 47),
        ("MD023", "unpinned-image-packages", "docker/Dockerfile.gpu", 4, 25),
        ("MD023", "unpinned-image-packages", "services/alpine.Dockerfile", 2, 41),
    ]


def test_unpinned_image_packages_names_every_package_and_relates_the_other_commands(lint):
    result = lint.result("unpinned-image-packages", "MD023")
    assert [f.message for f in result.findings] == [
        "`apt-get install` leaves 1 package unpinned in the image: curl",
        # numpy==1.26.4 and torch==${TORCH_VERSION} are pinned; flask is pinned by the
        # requirements.txt installed beside it; pip, setuptools and wheel are the installer.
        "`pip install` leaves 3 packages unpinned in the image: gunicorn, pandas, scikit-learn",
        "`conda install` leaves 2 packages unpinned in the image: torchvision, xgboost",
        "`pip install` leaves 2 packages unpinned in the image: boto3, sagemaker-inference",
        "`apk add` leaves 1 package unpinned in the image: curl",
    ]
    related = {
        f.path + f":{f.line}": [(r.line, r.column, r.message) for r in f.related]
        for f in result.findings
    }
    assert related["Dockerfile:8"] == [
        (12, 53, "`python -m pip install` leaves 1 package unpinned in the image: gunicorn")
    ]
    assert related["docker/Dockerfile.gpu:2"] == [
        (3, 53, "`mamba install` leaves 1 package unpinned in the image: xgboost")
    ]
    # The JSON form and a heredoc fed to the shell are read as any RUN.
    assert related["docker/Dockerfile.gpu:4"] == [
        (7, 13, "`pip install` leaves 1 package unpinned in the image: sagemaker-inference")
    ]


def test_unpinned_image_packages_is_a_preview_rule_that_needs_no_manifest(lint, tmp_path):
    repo = write_tree(
        tmp_path,
        {
            "lens.toml": 'schema_version = 1\n[project]\nstage = "discovery"\n',
            "Containerfile": "FROM python:3.12.4-slim\nRUN sudo -E pip3 install torch\n",
        },
    )
    assert lint(repo, "MD023") == [("MD023", "unpinned-image-packages", "Containerfile", 2, 26)]
    assert lint.result(repo, "MD023").findings[0].rule.preview


def test_a_package_named_beside_a_requirements_file_is_pinned_only_by_a_pin_in_scope(
    lint, tmp_path
):
    repo = write_tree(
        tmp_path,
        {
            "requirements.txt": "gunicorn==22.0.0\n",
            "serve/Dockerfile": "FROM python:3.12.4-slim\nRUN pip install -r req.txt gunicorn\n",
            # A pin in a sibling folder says nothing of this image.
            "other/requirements.txt": "uvicorn==0.30.1\n",
            "api/Dockerfile": "FROM python:3.12.4-slim\nRUN pip install -r req.txt uvicorn\n",
        },
    )
    assert lint(repo, "MD023") == [("MD023", "unpinned-image-packages", "api/Dockerfile", 2, 28)]
