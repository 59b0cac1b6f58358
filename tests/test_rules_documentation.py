"""Model cards, datasheets, and the paths lens.toml declares (MD040, MD041, DP020, DP021, LN010)."""

from __future__ import annotations

from trees import write_tree as _write

DOCS = ("MD040", "MD041", "DP020", "DP021")


HF_CARD = """
---
license: apache-2.0
library_name: transformers
pipeline_tag: text-classification
---
# Model Card for fraud-bert
## Uses
### Direct Use
### Out-of-Scope Use
## Bias, Risks, and Limitations
### Recommendations
## Training Details
## Evaluation
"""

# -- MD040 missing-model-card ------------------------------------------------------------------


def test_missing_model_card_reported_at_the_model_table(lint):
    assert lint("missing-model-card", "MD040") == [
        ("MD040", "missing-model-card", "lens.toml", 6, 1),
    ]


def test_missing_model_card_says_what_was_looked_for_and_that_the_manifest_names_none(lint):
    assert lint.messages("missing-model-card", "MD040") == [
        "no model card: nothing records the model's intended use, data, metrics and "
        "limitations (no `MODEL_CARD.md`, `model_card.md`, `MODELCARD.md` or the like (at the "
        "root or in `docs/`), nor a Hugging Face model-card README; `[model] card` names none)"
    ]


def test_missing_model_card_without_manifest_only_for_ml_code(lint, tmp_path):
    ml = _write(tmp_path / "ml", {"train.py": "import torch\n"})
    plain = _write(tmp_path / "plain", {"app.py": "import flask\n"})
    assert lint(ml, "MD040") == [("MD040", "missing-model-card", "train.py", 1, 1)]
    assert lint(plain, "MD040") == []


def test_missing_model_card_without_manifest_stands_on_the_import_that_made_it_apply(
    lint, tmp_path
):
    # Not on MODEL_CARD.md, which does not exist: code scanning could not show it there.
    repo = _write(
        tmp_path,
        {
            "README.md": "# Fraud\n",
            "src/app/serve.py": '"""Serving."""\nimport json\n\ndef f():\n    import torch\n',
        },
    )
    assert lint(repo, "MD040") == [("MD040", "missing-model-card", "src/app/serve.py", 5, 5)]
    assert lint.messages(repo, "MD040")[0].endswith(
        "Hugging Face model-card README; `src/app/serve.py` imports `torch`)"
    )


def test_missing_model_card_without_manifest_stands_on_the_first_model_file(lint, tmp_path):
    repo = _write(tmp_path, {"models/b.onnx": b"\x08\x01", "models/a.pt": b"PK"})
    assert lint(repo, "MD040") == [("MD040", "missing-model-card", "models/a.pt", 1, 1)]
    assert "`models/a.pt` is a model file)" in lint.messages(repo, "MD040")[0]


def test_missing_model_card_without_manifest_stands_on_a_notebook_import(lint, tmp_path):
    notebook = (
        '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],\n'
        '  "source": ["x = 1\\n",\n'
        '             "from sklearn.linear_model import Ridge\\n"]}],\n'
        ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
    )
    repo = _write(tmp_path, {"notebooks/fit.ipynb": notebook})
    assert lint(repo, "MD040") == [("MD040", "missing-model-card", "notebooks/fit.ipynb", 3, 15)]


def test_missing_model_card_keeps_its_fingerprint_wherever_it_stands(lint, tmp_path):
    # The finding is about the card, not about the file it is shown on: a new module that
    # imports an ML framework earlier in the tree moves it, and changes nothing else.
    repo = _write(tmp_path, {"train.py": "import torch\n"})
    before = lint.result(repo, "MD040").findings
    _write(tmp_path, {"a_features.py": "import sklearn\n"})
    after = lint.result(repo, "MD040").findings
    assert [f.path for f in before] == ["train.py"]
    assert [f.path for f in after] == ["a_features.py"]
    assert [f.fingerprint for f in after] == [f.fingerprint for f in before]


def test_missing_model_card_accepts_usual_names_json_cards_and_hugging_face_readmes(lint, tmp_path):
    for name, text in {
        "docs/model_card.md": "# Card\n",
        "model_card.json": "{}\n",
        "README.md": HF_CARD,
    }.items():
        repo = _write(tmp_path / name.replace("/", "_"), {"train.py": "import torch\n", name: text})
        assert lint(repo, "MD040") == [], name


def test_missing_model_card_readme_without_model_front_matter_is_no_card(lint, tmp_path):
    repo = _write(tmp_path, {"train.py": "import torch\n", "README.md": "---\ntitle: x\n---\n"})
    assert lint(repo, "MD040") == [("MD040", "missing-model-card", "train.py", 1, 1)]


# -- MD041 incomplete-model-card ---------------------------------------------------------------


def test_incomplete_model_card_names_the_missing_sections(lint):
    assert lint("incomplete-model-card", "MD041") == [
        ("MD041", "incomplete-model-card", "docs/model-card.md", 1, 1),
    ]
    # "Limitations" inside a fenced code block is no heading.
    assert lint.messages("incomplete-model-card", "MD041") == [
        "model card `docs/model-card.md` has no section on out-of-scope use, evaluation data "
        "and metrics, limitations, ethical considerations or bias, caveats and recommendations"
    ]


def test_incomplete_model_card_quiet_on_the_hugging_face_template(lint, tmp_path):
    repo = _write(tmp_path, {"train.py": "import torch\n", "README.md": HF_CARD})
    assert lint(repo, *DOCS) == []


def test_incomplete_model_card_out_of_scope_heading_is_not_intended_use(lint, tmp_path):
    repo = _write(tmp_path, {"MODEL_CARD.md": "# Card\n## Out-of-scope use\n"})
    [message] = lint.messages(repo, "MD041")
    assert "no section on intended use, training data" in message


def test_incomplete_model_card_reports_below_the_front_matter(lint, tmp_path):
    repo = _write(tmp_path, {"MODEL_CARD.md": "---\nlicense: mit\n---\n# Card\n"})
    assert lint(repo, "MD041") == [("MD041", "incomplete-model-card", "MODEL_CARD.md", 4, 1)]


def test_incomplete_model_card_broken_front_matter_is_one_unparseable_file(lint, tmp_path):
    repo = _write(tmp_path, {"MODEL_CARD.md": "---\nlicense: [mit\n---\n# Card\n"})
    assert lint(repo, "MD041", "LN009") == [
        ("LN009", "unparseable-file", "MODEL_CARD.md", 3, 1),
    ]


# -- DP020 missing-datasheet / DP021 incomplete-datasheet ----------------------------------------


def test_missing_datasheet_reported_when_the_manifest_lists_data_sources(lint):
    assert lint("missing-datasheet", "DP020") == [
        ("DP020", "missing-datasheet", "lens.toml", 3, 1),
    ]


def test_missing_datasheet_without_manifest_stands_on_the_first_data_file(lint, tmp_path):
    repo = _write(tmp_path, {"data/train.csv": "a\n1\n", "data/test.csv": "a\n2\n"})
    assert lint(repo, "DP020") == [("DP020", "missing-datasheet", "data/test.csv", 1, 1)]
    assert lint.messages(repo, "DP020") == [
        "no datasheet: nothing records the data's origin, contents, processing and terms (no "
        "`DATASHEET.md`, `datasheet.md`, `DATA_CARD.md` or the like (at the root or in "
        "`docs/`), nor a Hugging Face dataset-card README; the project holds data: "
        "`data/test.csv` and 1 more)"
    ]


def test_missing_datasheet_quiet_without_data(lint, tmp_path):
    assert lint(_write(tmp_path, {"train.py": "import torch\n"}), "DP020") == []


def test_missing_datasheet_accepts_a_hugging_face_dataset_card(lint, tmp_path):
    card = "---\ntask_categories: [text-classification]\n---\n# Dataset Card\n"
    repo = _write(tmp_path, {"data/train.csv": "a\n1\n", "README.md": card})
    assert lint(repo, "DP020") == []


def test_incomplete_datasheet_reads_setext_headings(lint):
    assert lint("incomplete-datasheet", "DP021") == [
        ("DP021", "incomplete-datasheet", "DATASHEET.md", 1, 1),
    ]
    assert lint.messages("incomplete-datasheet", "DP021") == [
        "datasheet `DATASHEET.md` has no section on preprocessing and labelling, uses, "
        "distribution, maintenance"
    ]


# -- LN010 declared-path-missing -----------------------------------------------------------------


def test_declared_path_missing_at_each_value(lint):
    # The datasheet outside the project is not judged; infra/ exists.
    assert lint("declared-path-missing", "LN010") == [
        ("LN010", "declared-path-missing", "lens.toml", 7, 8),
        ("LN010", "declared-path-missing", "lens.toml", 11, 18),
    ]
    assert lint.messages("declared-path-missing", "LN010") == [
        "`model.card` names `MODEL_CARD.md`, which does not exist",
        "`deployment.iac[1]` names `cdk/`, which does not exist",
    ]


def test_declared_path_missing_counts_git_ignored_files_as_present(lint, tmp_path):
    repo = _write(
        tmp_path,
        {
            "lens.toml": 'schema_version = 1\n[model]\ncard = "build/card.md"\n',
            ".gitignore": "build/\n",
            "build/card.md": "# Card\n",
        },
    )
    assert lint(repo, "LN010") == []
