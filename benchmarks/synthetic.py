"""A synthetic ML repository of a chosen size, for the benchmarks.

    python benchmarks/synthetic.py DIR [--files 5000]

writes, into the empty or new folder DIR, one ML project (lens.toml) of realistic file kinds:
Python modules (training code importing numpy and scikit-learn, helpers, SageMaker SDK code
that trains and deploys an endpoint), notebooks with stream and image outputs, YAML configs,
Markdown, CSV and JSON data, plus requirements, a Dockerfile, a CI workflow, a
CloudFormation template and a Terraform file. Ignored data (``data/``) and a ``node_modules``
tree lie beside it, for discovery to skip. It is a git repository with one commit, so that
the index is real. ``--files`` counts the files a linter sees, the ignored ones aside.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path

MANIFEST = """schema_version = 1
[project]
name = "churn-{size}"
owners = ["ml-team@example.com"]
stage = "development"
[business]
goal = "Reduce monthly churn from 4.1% to 3.5%"
kpi = "TODO"
[[problem.metrics]]
name = "f1"
target = 0.8
"""
TRAIN = """import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split


def train_{n}(frame):
    np.random.seed(0)
    x_train, x_test, y_train, y_test = train_test_split(frame, frame.y, random_state=0)
    model = RandomForestClassifier(n_estimators=100, random_state=0).fit(x_train, y_train)
    return model, model.score(x_test, y_test)
"""
HELPER = '''"""Helper {n}."""


def helper_{n}(values):
    return [value * {n} for value in values if value]
'''
SAGEMAKER = """from sagemaker.estimator import Estimator


def train_and_deploy_{n}(role, image_uri):
    estimator = Estimator(
        image_uri=image_uri,
        role=role,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        output_path="s3://models-{n}/output",
    )
    estimator.fit({{"train": "s3://datasets-{n}/train"}})
    return estimator.deploy(initial_instance_count=1, instance_type="ml.m5.large")
"""
CLOUDFORMATION = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ModelDataUrl:
    Type: String
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: !GetAtt Role.Arn
      PrimaryContainer:
        Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1
        ModelDataUrl: !Ref ModelDataUrl
  EndpointConfig:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - ModelName: !GetAtt Model.ModelName
          VariantName: primary
          InitialInstanceCount: 2
          InstanceType: ml.m5.large
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt EndpointConfig.EndpointConfigName
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: sagemaker.amazonaws.com}
            Action: sts:AssumeRole
"""
TERRAFORM = """resource "aws_s3_bucket" "datasets" {
  bucket = "churn-datasets"
}

resource "aws_sagemaker_notebook_instance" "exploration" {
  name          = "churn-exploration"
  role_arn      = "arn:aws:iam::123456789012:role/notebooks"
  instance_type = "ml.t3.medium"
}
"""
WORKFLOW = """on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: pytest
"""
# A one-pixel PNG, as notebooks embed plots.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
    "rkJggg=="
)
REQUIREMENTS = "numpy==2.1.0\nscikit-learn==1.5.2\npandas==2.2.3\nsagemaker==2.232.0\n"

# The kinds that fill a tree up to its size, in turn: most of the Python is helpers, as in
# most repositories.
CYCLE = (
    "train",
    "helper",
    "helper",
    "sagemaker",
    "helper",
    "yaml",
    "md",
    "csv",
    "json",
    "ipynb",
    "train",
    "helper",
    "helper",
    "helper",
    "helper",
    "yaml",
    "md",
    "json",
    "ipynb",
    "helper",
)


def notebook(n: int) -> str:
    """A notebook of five executed cells, as nbformat writes it; the last shows a plot."""
    cells = []
    for i in range(5):
        outputs: list[dict[str, object]] = [
            {"output_type": "stream", "name": "stdout", "text": [f"{n} {i}\n", "done\n"]}
        ]
        if i == 4:
            outputs.append(
                {
                    "output_type": "display_data",
                    "data": {"image/png": PNG, "text/plain": ["<Figure size 640x480>"]},
                    "metadata": {},
                }
            )
        cells.append(
            {
                "cell_type": "code",
                "execution_count": i + 1,
                "id": f"cell-{n}-{i}",
                "metadata": {},
                "outputs": outputs,
                "source": [
                    "import pandas as pd\n",
                    f"frame = pd.DataFrame({{'a': [{i}], 'b': ['é {n}']}})\n",
                    "frame.describe()",
                ],
            }
        )
    cells.insert(
        0,
        {
            "cell_type": "markdown",
            "id": f"intro-{n}",
            "metadata": {},
            "source": ["# Exploration\n"],
        },
    )
    document = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _file(kind: str, n: int) -> tuple[str, str]:
    """A file of ``kind``, numbered ``n``: its path and text."""
    folder = f"{'src' if kind in ('train', 'helper', 'sagemaker') else 'assets'}/p{n % 50}"
    if kind == "train":
        return f"{folder}/train_{n}.py", TRAIN.format(n=n)
    if kind == "helper":
        return f"{folder}/mod_{n}.py", HELPER.format(n=n)
    if kind == "sagemaker":
        return f"{folder}/deploy_{n}.py", SAGEMAKER.format(n=n)
    if kind == "yaml":
        return f"{folder}/conf_{n}.yaml", f"lr: 0.{n}\nepochs: 3\nlayers: [64, 32]\n"
    if kind == "md":
        return f"{folder}/notes_{n}.md", f"# Notes {n}\n\nWhat run {n} showed.\n"
    if kind == "csv":
        return f"{folder}/sample_{n}.csv", "a,b\n" + "1,2\n" * 20
    if kind == "json":
        return f"{folder}/meta_{n}.json", json.dumps({"n": n, "tags": ["a", "b"]}) + "\n"
    return f"{folder}/eda_{n}.ipynb", notebook(n)


def files_of(size: int) -> dict[str, str]:
    """The tree's files by path: the fixed ones, then the cycle of kinds up to ``size``."""
    fixed = {
        "lens.toml": MANIFEST.format(size=size),
        ".gitignore": "data/\n*.parquet\nnode_modules/\n",
        "requirements.txt": REQUIREMENTS,
        "Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nUSER app\nCMD ["python", "-m", "app"]\n',
        ".github/workflows/ci.yml": WORKFLOW,
        "infra/template.yaml": CLOUDFORMATION,
        "infra/main.tf": TERRAFORM,
    }
    files = dict(list(fixed.items())[:size])
    for n in range(size - len(files)):
        path, text = _file(CYCLE[n % len(CYCLE)], n)
        files[path] = text
    return files


def build_repository(root: Path, size: int) -> int:
    """Write the tree of ``size`` files into ``root``, ignored data and ``node_modules``
    beside it, and commit it; return the number of files a linter sees."""
    files = files_of(size)
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "data").mkdir()
    (root / "data" / "train.parquet").write_bytes(b"PAR1" + b"\0" * 65536)
    modules = root / "node_modules" / "left-pad"
    modules.mkdir(parents=True)
    for number in range(50):
        (modules / f"{number}.js").write_text("module.exports = 1;\n", encoding="utf-8")
    git = ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"]
    git += ["-c", "commit.gpgsign=false"]
    identity = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com"}
    identity |= {"GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    environment = {**os.environ, **identity}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Synthetic tree"]):
        subprocess.run([*git, *command], cwd=root, check=True, env=environment)
    return len(files)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the tree (new or empty)")
    parser.add_argument("--files", type=int, default=5000, help="files a linter sees")
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    if any(args.folder.iterdir()):
        parser.error(f"{args.folder} is not empty")
    written = build_repository(args.folder, args.files)
    print(f"wrote {written} files (and ignored data and node_modules) to {args.folder}")


if __name__ == "__main__":
    main()
