"""`mllint-wa init` reads the repository: it fills in what the code, configuration and
documents show, says where each value was found, and leaves TODOs for what only people know."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mllint_wa.cli import main
from mllint_wa.manifest import parse_manifest
from mllint_wa.parsers.tomlcompat import tomllib
from trees import write_tree as write

REPO = Path(__file__).resolve().parents[1]


def init(root: Path, *options: str) -> str:
    """Run init on ``root``; the manifest it wrote."""
    result = CliRunner().invoke(main, ["init", *options, str(root)])
    assert result.exit_code == 0, result.output
    return (root / "lens.toml").read_text(encoding="utf-8")


def detected(text: str) -> dict[str, str]:
    """``key = value`` → the comment after ``# detected:``, for every detected line."""
    return {
        line.split(" = ", 1)[0]: line.split("  # detected: ", 1)[1]
        for line in text.splitlines()
        if "  # detected: " in line
    }


def ln_findings(root: Path) -> list[str]:
    result = CliRunner().invoke(main, ["--select", "LN", "--no-color", "-q", str(root)])
    return result.output.splitlines()


SKLEARN_BINARY = """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import recall_score


    def main():
        table = pd.read_csv("data/train.csv")
        labels = table.pop("label")
        model = RandomForestClassifier()
        model.fit(table, labels)
        print(recall_score(labels, model.predict(table)))
"""


def test_an_empty_folder_is_at_discovery_and_nothing_is_detected(tmp_path: Path) -> None:
    text = init(tmp_path)
    assert detected(text) == {"stage": "no training code and no deployment artefacts found"}
    document = tomllib.loads(text)
    assert document["project"]["stage"] == "discovery"
    assert document["problem"]["type"] == "TODO"
    assert 'goal = "TODO"  # TODO: The business problem and the measurable change wanted' in text
    assert parse_manifest(text).problems == ()
    assert ln_findings(tmp_path) == []


def test_training_code_gives_the_stage_problem_type_and_entry_point(tmp_path: Path) -> None:
    write(tmp_path, {"src/train.py": SKLEARN_BINARY})
    assert detected(init(tmp_path)) == {
        "stage": "src/train.py:10 trains a model (`model.fit(...)`)",
        "type": "src/train.py:11 scores two classes with `sklearn.metrics.recall_score(...)`",
        "training_entrypoint": "src/train.py:10 trains a model (`model.fit(...)`)",
    }
    document = tomllib.loads((tmp_path / "lens.toml").read_text(encoding="utf-8"))
    assert document["project"]["stage"] == "development"
    assert document["problem"]["type"] == "binary-classification"
    assert document["model"]["training_entrypoint"] == "src/train.py"
    assert ln_findings(tmp_path) == []


@pytest.mark.parametrize(
    ("code", "problem_type"),
    [
        ("loss = torch.nn.CrossEntropyLoss()", "multiclass-classification"),
        ("loss = nn.BCEWithLogitsLoss()", "binary-classification"),
        ("loss = nn.functional.mse_loss(y, t)", "regression"),
        ('model.compile(loss="sparse_categorical_crossentropy")', "multiclass-classification"),
        ('booster = xgboost.XGBRegressor(objective="reg:squarederror")', "regression"),
        ('booster = xgboost.XGBClassifier(objective="binary:logistic")', "binary-classification"),
        ("model = sklearn.linear_model.LogisticRegression()", "classification"),
        # Binary and multiclass signals together say only that it classifies.
        ("a = nn.BCELoss()\nb = nn.CrossEntropyLoss()", "classification"),
    ],
)
def test_the_problem_type_comes_from_the_estimator_or_the_loss(
    tmp_path: Path, code: str, problem_type: str
) -> None:
    (tmp_path / "model.py").write_text(
        "import torch, xgboost, sklearn.linear_model\nfrom torch import nn\n" + code + "\n",
        encoding="utf-8",
    )
    document = tomllib.loads(init(tmp_path))
    assert document["problem"]["type"] == problem_type
    assert detected((tmp_path / "lens.toml").read_text(encoding="utf-8"))["type"].startswith(
        "model.py:3 "
    )


@pytest.mark.parametrize(
    "code",
    [
        # A classifier and a regressor: the project does both, or the signal is wrong.
        "a = sklearn.ensemble.RandomForestClassifier()\nb = sklearn.linear_model.Ridge()",
        # A class of the project's own, not an ML library's.
        "model = MyClassifier()",
        # A loss in code that imports no ML library.
        "loss = CrossEntropyLoss()",
    ],
)
def test_no_problem_type_is_guessed_when_the_code_is_ambiguous_or_silent(
    tmp_path: Path, code: str
) -> None:
    imports = "from losses import CrossEntropyLoss\n" if "Loss" in code else "import sklearn\n"
    (tmp_path / "model.py").write_text(imports + code + "\n", encoding="utf-8")
    text = init(tmp_path)
    assert tomllib.loads(text)["problem"]["type"] == "TODO"
    assert "type" not in detected(text)


def test_tracking_and_data_versioning_are_read_from_code_and_config(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "train.py": "import mlflow\nfrom torch.utils.tensorboard import SummaryWriter\n",
            "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n",
            ".dvc/config": "[core]\n    remote = storage\n",
        },
    )
    text = init(tmp_path)
    document = tomllib.loads(text)
    assert document["model"]["tracking"] == "mlflow"
    assert document["data"]["versioning"] == "dvc"
    found = detected(text)
    assert found["tracking"] == "train.py:1 uses `mlflow` (also used: DVC experiments, TensorBoard)"
    assert found["versioning"] == ".dvc/config shows dvc"
    assert ln_findings(tmp_path) == []


def test_a_sagemaker_endpoint_in_code_makes_the_project_production(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "deploy.py": """
                from sagemaker.estimator import Estimator

                estimator = Estimator(image_uri="x", role="r", instance_count=1)
                estimator.fit({"train": "s3://bucket/train"})
                predictor = estimator.deploy(initial_instance_count=1)
            """,
            "infra/main.tf": 'resource "aws_sagemaker_endpoint" "churn" {\n}\n',
            "infra/modules/net/main.tf": 'resource "aws_vpc" "main" {\n}\n',
            "template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
        },
    )
    text = init(tmp_path)
    document = tomllib.loads(text)
    assert document["project"]["stage"] == "production"
    assert document["deployment"]["target"] == "sagemaker-endpoint"
    # A folder inside a declared folder adds nothing; a root template is named itself.
    assert document["deployment"]["iac"] == ["infra/", "template.yaml"]
    found = detected(text)
    assert found["stage"] == "deploy.py:5 defines endpoint `predictor`"
    assert found["iac"] == "infra/main.tf, template.yaml"
    assert ln_findings(tmp_path) == []


@pytest.mark.parametrize(
    ("files", "target", "where"),
    [
        (
            {"cfn/endpoint.yml": "Resources:\n  E:\n    Type: AWS::SageMaker::Endpoint\n"},
            "sagemaker-endpoint",
            "cfn/endpoint.yml:2 defines endpoint `E`",
        ),
        (
            {"serve/Dockerfile": "FROM python:3.12\nCMD uvicorn app:api --port 8080\n"},
            "container",
            "serve/Dockerfile:2 runs `uvicorn`",
        ),
        (
            {
                "batch.py": "import sagemaker\nmodel = sagemaker.model.Model(image_uri='x')\n"
                "t = model.transformer(instance_count=1, instance_type='ml.m5.large')\n"
            },
            "sagemaker-batch",
            "batch.py:3 defines transform-job `t`",
        ),
    ],
)
def test_the_deployment_target_comes_from_what_serves_the_model(
    tmp_path: Path, files: dict[str, str], target: str, where: str
) -> None:
    write(tmp_path, files)
    text = init(tmp_path)
    assert tomllib.loads(text)["deployment"]["target"] == target
    assert detected(text)["target"] == where


def test_deploy_calls_outside_sagemaker_code_and_in_tests_are_no_deployment(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "fabfile.py": "import fabric\nconnection.deploy(branch='main')\n",
            "tests/test_endpoint.py": "import sagemaker\npredictor = estimator.deploy()\n",
            "tests/fixtures/template.yaml": "Resources:\n  E:\n"
            "    Type: AWS::SageMaker::Endpoint\n",
        },
    )
    text = init(tmp_path)
    assert tomllib.loads(text)["project"]["stage"] == "discovery"
    assert tomllib.loads(text)["deployment"]["target"] == "TODO"


def test_model_card_and_datasheet_are_found_by_their_usual_names(tmp_path: Path) -> None:
    write(tmp_path, {"MODEL_CARD.md": "# Card\n", "docs/datasheet.md": "# Data\n"})
    text = init(tmp_path)
    document = tomllib.loads(text)
    assert document["model"]["card"] == "MODEL_CARD.md"
    assert document["data"]["datasheet"] == "docs/datasheet.md"
    assert detected(text)["card"] == "MODEL_CARD.md is a model card"
    assert ln_findings(tmp_path) == []


def test_a_script_named_train_is_the_entry_point_when_another_file_fits_first(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "pipeline/a_features.py": "import sklearn\nmodel.fit(x)\n",
            "pipeline/train_model.py": "print('training')\n",
        },
    )
    text = init(tmp_path)
    assert tomllib.loads(text)["model"]["training_entrypoint"] == "pipeline/train_model.py"
    assert detected(text)["training_entrypoint"] == (
        "pipeline/train_model.py is named like a training script"
    )


def test_a_nested_project_is_not_read_for_the_enclosing_one(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"service/lens.toml": "schema_version = 1\n", "service/train.py": "import mlflow\n"},
    )
    text = init(tmp_path)
    assert list(detected(text)) == ["stage"]
    assert tomllib.loads(text)["project"]["stage"] == "discovery"


def test_paths_with_quotes_and_newlines_are_written_as_valid_toml(tmp_path: Path) -> None:
    folder = 'we"ird\nname'
    write(tmp_path, {f"{folder}/train.py": "import wandb\n"})
    text = init(tmp_path)
    document = tomllib.loads(text)
    assert document["model"]["training_entrypoint"] == f"{folder}/train.py"
    assert document["model"]["tracking"] == "wandb"
    assert 'we"ird\\nname/train.py:1 uses `wandb`' in detected(text)["tracking"]
    assert parse_manifest(text).problems == ()


def test_init_replaces_a_manifest_only_with_force(tmp_path: Path) -> None:
    (tmp_path / "lens.toml").write_text("schema_version = 1\n", encoding="utf-8")
    (tmp_path / "train.py").write_text("import mlflow\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"mllint-wa: error: {tmp_path}/lens.toml already exists; edit it, or rerun with "
        "--force to replace it\n"
    )
    assert (tmp_path / "lens.toml").read_text(encoding="utf-8") == "schema_version = 1\n"
    assert tomllib.loads(init(tmp_path, "--force"))["model"]["tracking"] == "mlflow"


def test_force_does_not_write_through_a_symlinked_manifest(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text("kept = true\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "lens.toml").symlink_to(outside)
    result = CliRunner().invoke(main, ["init", "--force", str(project)])
    assert result.exit_code == 2
    assert "is not a regular file; remove it first" in result.stderr
    assert outside.read_text(encoding="utf-8") == "kept = true\n"


def test_the_bundled_example_gets_a_manifest_without_manifest_findings(tmp_path: Path) -> None:
    example = tmp_path / "churn-predictor"
    shutil.copytree(REPO / "examples/churn-predictor", example)
    (example / "lens.toml").unlink()
    text = init(example)
    document = tomllib.loads(text)
    # src/deploy.py puts the model behind an endpoint.
    assert document["project"]["stage"] == "production"
    assert document["problem"]["type"] == "binary-classification"
    assert document["model"]["training_entrypoint"] == "src/train.py"
    assert ln_findings(example) == []
