"""The lens.toml schema, declared once.

The manifest validator walks this declaration, and `lens.schema.json` (for editors such as
Even Better TOML / taplo) is generated from it, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import field
from typing import Literal

from mllint_wa.records import dataclass

SCHEMA_VERSION = 1

Kind = Literal[
    "string",
    "integer",
    "number",
    "boolean",
    "date",
    "string-list",
    "number-or-string",
    "table",
    "table-list",
    "any-table",
]


@dataclass(frozen=True)
class Spec:
    kind: Kind
    description: str = ""
    enum: tuple[str, ...] = ()
    fields: Mapping[str, Spec] = field(default_factory=dict)
    # For tables keyed by the user's own names (e.g. [waivers.DE003]): the spec of each entry.
    entries: Spec | None = None
    # Usual values of a free-text field, offered by editors and by `init`; others are valid.
    examples: tuple[str, ...] = ()
    # For numbers: the least valid value. Numbers must also be finite (no nan or inf), which
    # JSON Schema cannot say, since JSON has no such numbers.
    minimum: float | None = None


def _text(description: str) -> Spec:
    return Spec("string", description)


def _texts(description: str) -> Spec:
    return Spec("string-list", description)


def _cost(what: str) -> Spec:
    return Spec(
        "number-or-string",
        f"Estimated cost of {what}: a number per month (0 or more), or a sentence",
        minimum=0,
    )


STAGES = ("discovery", "development", "production")
PROBLEM_TYPES = (
    "binary-classification",
    "multiclass-classification",
    "multilabel-classification",
    "classification",
    "regression",
    "forecasting",
    "ranking",
    "clustering",
    "anomaly-detection",
    "generation",
)
FAIL_ON_CHOICES = ("high", "medium", "low", "none")

# mllint-wa's own settings: [lint] here, [tool.mllint-wa] in pyproject.toml. Written with "-";
# "_" is accepted in their place.
SETTINGS: Mapping[str, Spec] = {
    "select": _texts("Rules to run instead of all: codes, phase prefixes (PF), names or ALL"),
    "extend-select": _texts("Rules to run in addition to the selected ones"),
    "ignore": _texts("Rules not to run"),
    "exclude": _texts(
        "Gitignore patterns, relative to this file's folder, of paths to skip; they replace "
        'the default exclusions ("*[Aa]rchived/"), and `exclude = []` lints every folder'
    ),
    "extend-exclude": _texts(
        "Gitignore patterns, relative to this file's folder, of paths to skip in addition to "
        "the default exclusions (or to `exclude`)"
    ),
    "fail-on": Spec("string", "Fail for findings of this risk or higher", FAIL_ON_CHOICES),
    "large-file-threshold": Spec(
        "number-or-string",
        'Size from which a file committed to git is reported: bytes, or "10 MB", "512 KiB"',
    ),
    "large-data-file-threshold": Spec(
        "number-or-string",
        "Size from which a data or model file committed to git is reported (default 1 MB)",
    ),
    "inline-ignores": Spec(
        "boolean",
        "Whether `mllint-wa: ignore[CODE] reason` comments suppress findings (default true)",
    ),
    "preview": Spec(
        "boolean",
        "Whether preview rules (below 90% measured precision) run too; without it, selecting "
        "one has no effect (default false)",
    ),
}

MANIFEST = Spec(
    "table",
    "lens.toml: what an ML project intends, for the AWS Well-Architected ML Lens",
    fields={
        "schema_version": Spec("integer", "Version of this manifest format; currently 1"),
        "project": Spec(
            "table",
            "The project and who answers for it",
            fields={
                "name": _text("Short name of the ML workload"),
                "description": _text("One sentence on what the model does"),
                "owners": _texts("People or teams accountable for the model"),
                "stage": Spec("string", "How far the project has come", enum=STAGES),
            },
        ),
        "business": Spec(
            "table",
            "Business goal identification",
            fields={
                "goal": _text("The business problem and the measurable change wanted"),
                "kpi": _text("The business KPI the model is meant to move"),
                "requirements": _texts("Business requirements the solution must meet"),
                "stakeholders": _texts("Who agrees the goal, the metrics and explainability"),
                "ml_justification": _text("Why ML beats a simpler non-ML approach"),
                "feasibility": _text("Whether enough relevant, labelled data exists"),
                "evaluation_data": _text("Business data that will judge the solution's value"),
                "explainability": _text("Level of explainability agreed with stakeholders"),
                "sustainability": _text("Environmental goal or budget for the workload"),
                "costs": Spec(
                    "table",
                    "Cost estimates",
                    fields={
                        "currency": _text("ISO 4217 currency of the numeric estimates"),
                        "data_acquisition": _cost("acquiring and labelling data"),
                        "training": _cost("training and tuning"),
                        "inference": _cost("serving predictions"),
                        "wrong_prediction": _cost("a wrong prediction"),
                    },
                ),
            },
        ),
        "problem": Spec(
            "table",
            "ML problem framing",
            fields={
                "type": Spec("string", "Kind of ML problem", examples=PROBLEM_TYPES),
                "inputs": _texts("What is observed: the model's input features"),
                "output": _text("What is predicted"),
                "fairness": _text("Fairness review: sensitive attributes and checks"),
                "metrics": Spec(
                    "table-list",
                    "Success metrics",
                    fields={
                        "name": _text("Metric name, e.g. recall"),
                        "target": Spec("number", "The success threshold"),
                        "baseline": Spec("number", "Today's non-ML or previous-model figure"),
                        "direction": Spec(
                            "string", "Whether higher or lower is better", ("maximize", "minimize")
                        ),
                        "primary": Spec("boolean", "The metric that decides success"),
                        "kpi_link": _text("How a change in this metric moves the business KPI"),
                    },
                ),
            },
        ),
        "data": Spec(
            "table",
            "Data processing",
            fields={
                "versioning": Spec(
                    "string",
                    "How data versions are tracked",
                    ("dvc", "lakefs", "delta", "s3-versioning", "none"),
                ),
                "datasheet": _text("Path of the datasheet for the data set"),
                "sources": Spec(
                    "table-list",
                    "Training data sources",
                    fields={
                        "name": _text("Name of the source"),
                        "uri": _text("Where the data lives"),
                        "owner": _text("Who grants access to it"),
                        "contains_pii": Spec("boolean", "Whether it holds personal data"),
                        "license": _text("Licence or terms of use of the data"),
                    },
                ),
            },
        ),
        "model": Spec(
            "table",
            "Model development",
            fields={
                "card": _text("Path of the model card"),
                "training_entrypoint": _text("Path of the training entry point"),
                "tracking": _text("Experiment tracking, e.g. mlflow"),
            },
        ),
        "deployment": Spec(
            "table",
            "Deployment",
            fields={
                "target": Spec(
                    "string",
                    "Where the model is served",
                    ("sagemaker-endpoint", "sagemaker-batch", "lambda", "container", "none"),
                ),
                "strategy": Spec(
                    "string",
                    "How new versions are released",
                    ("blue-green", "canary", "shadow", "all-at-once"),
                ),
                "rollback": _text("How and when a release is rolled back"),
                "iac": _texts("Paths of the infrastructure-as-code for the deployment"),
            },
        ),
        "monitoring": Spec(
            "table",
            "Monitoring",
            fields={
                "data_drift": Spec("boolean", "Whether data drift is monitored"),
                "model_quality": Spec("boolean", "Whether model quality is monitored"),
                "alarms": _texts("Alarms on the model and its endpoint"),
                "retraining": _text("When and how the model is retrained"),
            },
        ),
        "lint": Spec(
            "table",
            "mllint-wa settings, as in [tool.mllint-wa] of pyproject.toml",
            fields={
                **SETTINGS,
                **{key.replace("-", "_"): spec for key, spec in SETTINGS.items() if "-" in key},
            },
        ),
        "waivers": Spec(
            "any-table",
            "Accepted risks, keyed by rule code",
            entries=Spec(
                "table",
                "An accepted risk: reason, owner and expiry are required",
                fields={
                    "reason": _text("Why the risk is accepted"),
                    "owner": _text("Who accepted it"),
                    "expires": Spec("date", "After this date the finding comes back"),
                },
            ),
        ),
    },
)


def _json_schema(spec: Spec) -> dict[str, object]:
    out: dict[str, object] = {}
    if spec.description:
        out["description"] = spec.description
    if spec.kind == "string":
        out["type"] = "string"
        if spec.enum:
            out["enum"] = list(spec.enum)
    elif spec.kind == "integer":
        out["type"] = "integer"
    elif spec.kind == "number":
        out["type"] = "number"
    elif spec.kind == "boolean":
        out["type"] = "boolean"
    elif spec.kind == "date":
        out["type"] = "string"
        out["format"] = "date"
    elif spec.kind == "string-list":
        out["type"] = "array"
        out["items"] = {"type": "string"}
    elif spec.kind == "number-or-string":
        out["type"] = ["number", "string"]
    elif spec.kind == "table":
        out["type"] = "object"
        out["properties"] = {k: _json_schema(v) for k, v in spec.fields.items()}
        out["additionalProperties"] = False
    elif spec.kind == "table-list":
        out["type"] = "array"
        out["items"] = _json_schema(Spec("table", fields=spec.fields))
    else:  # any-table
        out["type"] = "object"
        if spec.entries is not None:
            out["additionalProperties"] = _json_schema(spec.entries)
    if spec.examples:
        out["examples"] = list(spec.examples)
    if spec.minimum is not None:
        out["minimum"] = spec.minimum
    return out


def json_schema() -> str:
    """The JSON Schema of lens.toml, as shipped in lens.schema.json."""
    document = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "lens.toml",
        **_json_schema(MANIFEST),
    }
    properties = document["properties"]
    assert isinstance(properties, dict)
    properties["schema_version"]["const"] = SCHEMA_VERSION
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
