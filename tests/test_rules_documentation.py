"""Model cards, datasheets, and the paths lens.toml declares (MD040, MD041, DP020, DP021, LN010)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint_wa.parsers.markdown import parse_markdown
from trees import write_tree as _write

REPOS = Path(__file__).parent / "fixtures" / "repos"

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
Scores card transactions for review.
### Out-of-Scope Use
Blocking a card without a reviewer.
## Bias, Risks, and Limitations
Recall is lower on new merchants.
### Recommendations
Review the lowest-scored decile by hand.
## Training Details
Twelve months of labelled transactions.
## Evaluation
Recall at 1% alert rate on a held-out month.
"""

# -- MD040 missing-model-card ------------------------------------------------------------------


KINDS = REPOS / "missing-model-card"
TRAINS = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(x, y)\n"


def test_missing_model_card_reported_at_the_model_table(lint):
    assert lint(KINDS / "declared", "MD040") == [
        ("MD040", "missing-model-card", "lens.toml", 6, 1),
    ]


def test_missing_model_card_says_what_was_looked_for_and_that_the_manifest_names_none(lint):
    assert lint.messages(KINDS / "declared", "MD040") == [
        "no model card: nothing records the model's intended use, data, metrics and "
        "limitations (no `MODEL_CARD.md`, `model_card.md`, `MODELCARD.md` or the like (at the "
        "root or in `docs/`), nor a Hugging Face model-card README or a README section on the "
        "intended use; `[model] card` names none)"
    ]


def test_missing_model_card_without_manifest_only_for_a_model_of_the_projects_own(lint, tmp_path):
    ml = _write(tmp_path / "ml", {"train.py": TRAINS})
    imports = _write(tmp_path / "imports", {"train.py": "import torch\n"})
    plain = _write(tmp_path / "plain", {"app.py": "import flask\n"})
    assert lint(ml, "MD040") == [("MD040", "missing-model-card", "train.py", 2, 1)]
    assert lint(imports, "MD040") == []
    assert lint(plain, "MD040") == []


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        # application/train.py fits in a __main__ program
        ("application", ("train.py", 10, 5)),
        # packaged-application/src/churn/train.py is named for training and imports the
        # module that fits
        ("packaged-application", ("src/churn/model.py", 7, 12)),
        # shipped-model/ holds an ONNX model outside its tests and examples
        ("shipped-model", ("models/ticket-classifier.onnx", 1, 1)),
        # packaged-sagemaker/src/churnops/classifier.py is a training program inside the
        # package, and no console script names it
        ("packaged-sagemaker", ("src/churnops/classifier.py", 17, 5)),
        # packaged-model-class/src/churnmodel/model.py defines `fit` and trains a forest
        # itself: no estimator library, so its notebook trains the package's own model
        ("packaged-model-class", ("notebooks/fit-churn.ipynb", 22, 14)),
        # train-and-deploy/ is one project in two halves, each with a README and
        # requirements of its own: two are no collection
        ("train-and-deploy", ("deploy/retrain.py", 6, 5)),
    ],
)
def test_missing_model_card_for_projects_that_train_or_ship_a_model(lint, kind, where):
    assert [row[2:] for row in lint(KINDS / kind, "MD040")] == [where]


@pytest.mark.parametrize("kind", ["library", "harness", "template", "estimator-library"])
def test_libraries_harnesses_and_templates_are_asked_for_no_model_documents(lint, kind):
    # library/: a packaged AutoML library whose fits are in its functions, its
    # `__main__.py` and console script, its examples, its tests and a release-test script;
    # harness/: an evaluation harness whose metric fits a
    # calibrator, run by a script that trains nothing itself; template/: a cookiecutter
    # template; estimator-library/: a package whose classes define `fit` and hand training
    # on through `super().fit` and `self.partial_fit`, and a notebook that imports it. The
    # first three hold data files too.
    assert lint(KINDS / kind, "MD040", "DP020", "MD004") == []


@pytest.mark.parametrize("kind", ["examples-collection", "modules-collection"])
def test_collections_are_asked_for_no_model_card_or_datasheet(lint, kind):
    # examples-collection/: three labs, each a folder with its own README, notebook or
    # requirements, one with a data file; modules-collection/: three modules with their
    # own README and dependency files, one of them holding seed code that trains. A
    # repository-wide card or datasheet would fit none of their models.
    assert lint(KINDS / kind, "MD040", "DP020") == []


def test_missing_model_card_without_manifest_stands_on_the_training_that_made_it_apply(
    lint, tmp_path
):
    # Not on MODEL_CARD.md, which does not exist: code scanning could not show it there.
    repo = _write(
        tmp_path, {"README.md": "# Fraud\n", "src/app/train.py": "import json\n" + TRAINS}
    )
    assert lint(repo, "MD040") == [("MD040", "missing-model-card", "src/app/train.py", 3, 1)]
    assert lint.messages(repo, "MD040")[0].endswith(
        "Hugging Face model-card README or a README section on the intended use; "
        "`src/app/train.py` trains a model "
        "(`LogisticRegression().fit`))"
    )


def test_missing_model_card_without_manifest_stands_on_the_first_model_file(lint, tmp_path):
    repo = _write(tmp_path, {"models/b.onnx": b"\x08\x01", "models/a.pt": b"PK"})
    assert lint(repo, "MD040") == [("MD040", "missing-model-card", "models/a.pt", 1, 1)]
    assert "`models/a.pt` is a model file)" in lint.messages(repo, "MD040")[0]


def test_missing_model_card_without_manifest_stands_on_a_notebooks_training(lint, tmp_path):
    notebook = (
        '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],\n'
        '  "source": ["from sklearn.linear_model import Ridge\\n",\n'
        '             "Ridge().fit(x, y)\\n"]}],\n'
        ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
    )
    repo = _write(tmp_path, {"notebooks/fit.ipynb": notebook})
    assert lint(repo, "MD040") == [("MD040", "missing-model-card", "notebooks/fit.ipynb", 3, 15)]


def test_missing_model_card_keeps_its_fingerprint_wherever_it_stands(lint, tmp_path):
    # The finding is about the card, not about the file it is shown on: a new training
    # script earlier in the tree moves it, and changes nothing else.
    repo = _write(tmp_path, {"train.py": TRAINS})
    before = lint.result(repo, "MD040").findings
    _write(tmp_path, {"a_train.py": TRAINS})
    after = lint.result(repo, "MD040").findings
    assert [f.path for f in before] == ["train.py"]
    assert [f.path for f in after] == ["a_train.py"]
    assert [f.fingerprint for f in after] == [f.fingerprint for f in before]


def test_missing_model_card_accepts_usual_names_json_cards_and_hugging_face_readmes(lint, tmp_path):
    for name, text in {
        "docs/model_card.md": "# Card\n",
        "model_card.json": "{}\n",
        "README.md": HF_CARD,
    }.items():
        repo = _write(tmp_path / name.replace("/", "_"), {"train.py": TRAINS, name: text})
        assert lint(repo, "MD040") == [], name


def test_missing_model_card_readme_without_model_front_matter_is_no_card(lint, tmp_path):
    repo = _write(tmp_path, {"train.py": TRAINS, "README.md": "---\ntitle: x\n---\n"})
    assert lint(repo, "MD040") == [("MD040", "missing-model-card", "train.py", 2, 1)]


# -- MD041 incomplete-model-card ---------------------------------------------------------------


def test_incomplete_model_card_names_the_missing_sections(lint):
    assert lint("incomplete-model-card", "MD041")[0] == (
        "MD041",
        "incomplete-model-card",
        "docs/model-card.md",
        1,
        1,
    )
    # "Limitations" inside a fenced code block is no heading.
    assert lint.messages("incomplete-model-card", "MD041")[0] == (
        "model card `docs/model-card.md` has no section on out-of-scope use, evaluation data "
        "and metrics, limitations, ethical considerations or bias, caveats and recommendations"
    )


def test_incomplete_model_card_quiet_on_the_hugging_face_template(lint, tmp_path):
    repo = _write(tmp_path, {"train.py": "import torch\n", "README.md": HF_CARD})
    assert lint(repo, *DOCS) == []


def test_incomplete_model_card_out_of_scope_heading_is_not_intended_use(lint, tmp_path):
    repo = _write(tmp_path, {"MODEL_CARD.md": "# Card\n## Out-of-scope use\nMedical triage.\n"})
    [message] = lint.messages(repo, "MD041")
    assert "no section on intended use, training data" in message


def test_incomplete_model_card_recognises_the_common_layouts(lint):
    # layouts/paper: the Model Cards paper's sections, its intended use as list-item labels
    # ("- Out-of-scope use cases: …") and limitations under its caveats; layouts/labels:
    # bold labels under "## Intended Use" ("**Out-of-scope Uses** …"), also with a colon,
    # in a list item, or with the text on the next line; layouts/hugging-face: the Hugging
    # Face template filled in, its guidance comments left in place.
    paths = {row[2] for row in lint("incomplete-model-card", "MD041")}
    assert paths == {"docs/model-card.md", "layouts/unfilled/MODEL_CARD.md"}


def test_incomplete_model_card_does_not_accept_an_empty_section(lint):
    # layouts/unfilled: "Out-of-Scope Use" holds only the template's comment and
    # "[More Information Needed]", "Recommendations" nothing, "**Metrics:**" nothing (but
    # "**Results:** …" fills the evaluation section).
    rows = lint("incomplete-model-card", "MD041")
    messages = lint.messages("incomplete-model-card", "MD041")
    assert [(row[2:], message) for row, message in zip(rows, messages, strict=True)][1] == (
        ("layouts/unfilled/MODEL_CARD.md", 5, 1),
        "model card `MODEL_CARD.md` has no section on out-of-scope use, caveats and "
        "recommendations",
    )


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
    # archives/data holds a zip of images and labels, archives/tables a tar of labelled
    # tables; archives/site a zip of a web site and archives/product a Service Catalog
    # product's .tar.gz of one Terraform file, which are no data sets.
    assert lint("missing-datasheet", "DP020") == [
        ("DP020", "missing-datasheet", "archives/data/lens.toml", 1, 1),
        ("DP020", "missing-datasheet", "archives/tables/lens.toml", 1, 1),
        ("DP020", "missing-datasheet", "lens.toml", 3, 1),
    ]


def test_missing_datasheet_for_a_project_that_trains_on_its_data(lint):
    # application/data/customers.csv; the library's, harness's and template's data files
    # (bundled sample tables, test fixtures) ask for no datasheet.
    assert lint(KINDS / "application", "DP020") == [
        ("DP020", "missing-datasheet", "data/customers.csv", 1, 1)
    ]


def test_missing_datasheet_not_asked_of_a_collections_sample_data(lint):
    # examples-collection/churn-lab/data/customers.csv belongs to one lab of three; one
    # project in two halves documents its data (train-and-deploy/pipeline/data/fares.csv).
    assert lint(KINDS / "examples-collection", "DP020") == []
    assert lint(KINDS / "train-and-deploy", "DP020") == [
        ("DP020", "missing-datasheet", "pipeline/data/fares.csv", 1, 1)
    ]


def test_missing_datasheet_quiet_on_test_and_example_data(lint, tmp_path):
    repo = _write(
        tmp_path,
        {"train.py": TRAINS, "tests/data/rows.csv": "a\n1\n", "examples/rows.csv": "a\n1\n"},
    )
    assert lint(repo, "DP020") == []


def test_missing_datasheet_without_manifest_stands_on_the_first_data_file(lint, tmp_path):
    repo = _write(tmp_path, {"data/train.csv": "a\n1\n", "data/test.csv": "a\n2\n"})
    assert lint(repo, "DP020") == [("DP020", "missing-datasheet", "data/test.csv", 1, 1)]
    assert lint.messages(repo, "DP020") == [
        "no datasheet: nothing records the data's origin, contents, processing and terms (no "
        "`DATASHEET.md`, `datasheet.md`, `DATA_CARD.md` or the like (at the root or in "
        "`docs/`), nor a Hugging Face dataset-card README or a README section on the data's "
        "source; the project holds data: "
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


def test_declared_path_missing_reports_a_path_holding_a_nul_instead_of_failing(lint, tmp_path):
    repo = _write(tmp_path, {"lens.toml": 'schema_version = 1\n[model]\ncard = "card\\u0000.md"\n'})
    assert lint(repo, "LN010") == [("LN010", "declared-path-missing", "lens.toml", 3, 8)]


def test_markdown_reader_finds_labels_and_empty_sections():
    document = parse_markdown(
        "# Card\n"
        "## Intended use\n"
        "<!-- a comment\n"
        "over two lines -->\n"
        "**Intended uses:** triage.\n"
        "\n"
        "- Out-of-scope uses:\n"
        "  automated refusals\n"
        "- **Users**:\n"
        "\n"
        "---\n"
        "## Limitations\n"
        "TODO\n"
        "## Example\n"
        "```\n"
        "**Not a label** in code\n"
        "```\n"
        "Caveats\n"
        "-------\n"
    )
    assert [(h.text, h.line, h.empty) for h in document.headings] == [
        ("Card", 1, False),
        ("Intended use", 2, False),
        ("Limitations", 12, True),
        ("Example", 14, False),
        ("Caveats", 18, True),
    ]
    assert [(label.text, label.line, label.empty) for label in document.labels] == [
        ("Intended uses", 5, False),
        ("Out-of-scope uses", 7, False),
        ("Users", 9, True),
    ]


def test_a_script_named_for_training_is_preferred_and_fastai_fine_tuning_is_training(
    lint, tmp_path
):
    # src/a_fit.py fits at module level too, but src/train.py is named for training.
    fastai = (
        "from fastai.vision.all import vision_learner\n\n"
        "def main(data):\n    learn = vision_learner(data, 'resnet34')\n    learn.fine_tune(3)\n"
    )
    _write(tmp_path, {"src/a_fit.py": TRAINS, "src/train.py": fastai})
    assert lint(tmp_path, "MD040") == [("MD040", "missing-model-card", "src/train.py", 5, 5)]


def test_markdown_reader_is_linear_in_headings_and_labels():
    # Every heading looks for the next one of its level or above, every setext underline
    # for a label above it: neither search rescans the document.
    text = "".join(f"{'#' * (1 + i % 6)} h\n**L:** x\nT\n---\n" for i in range(30_000))
    document = parse_markdown(text)
    assert len(document.headings) == 60_000
    assert len(document.labels) == 30_000
    # "T" is an empty second-level section whenever the next heading is of its level.
    assert [h.empty for h in document.headings[:6]] == [False, True, False, False, False, False]


def test_a_readme_on_the_use_case_and_the_data_source_is_the_card_and_the_datasheet(lint):
    # readme-use-case/README.md: "Dataset source", "Description", "Use Case" and "Usage"
    # sections beside a training program and its data. The README is then judged as a
    # model card and a datasheet, for the sections it lacks.
    repo = KINDS / "readme-use-case"
    assert lint(repo, "MD040", "DP020") == []
    assert lint(repo, "MD041", "DP021") == [
        ("DP021", "incomplete-datasheet", "README.md", 1, 1),
        ("MD041", "incomplete-model-card", "README.md", 1, 1),
    ]
    assert lint.messages(repo, "MD041", "DP021") == [
        "datasheet `README.md` has no section on motivation, preprocessing and labelling, "
        "distribution, maintenance",
        "model card `README.md` has no section on out-of-scope use, evaluation data and "
        "metrics, limitations, ethical considerations or bias, caveats and recommendations",
    ]


def test_a_readme_listing_use_cases_without_data_of_its_own_is_no_model_card(lint, tmp_path):
    # A collection of examples: its README's "Use cases" lists what the examples show.
    readme = "# Examples\n\n## Use cases\nChurn, fraud and forecasting notebooks.\n"
    repo = _write(tmp_path, {"README.md": readme, "train.py": TRAINS})
    assert [row[:3] for row in lint(repo, "MD040")] == [("MD040", "missing-model-card", "train.py")]


def test_a_readme_on_installation_and_usage_is_no_card_nor_datasheet(lint, tmp_path):
    repo = _write(
        tmp_path,
        {
            "README.md": "# Orders\n\n## Installation\npip install .\n\n## Usage\nRun it.\n"
            "\n## Data\n",
            "train.py": TRAINS,
            "data/orders.csv": "a\n1\n",
        },
    )
    assert [row[:3] for row in lint(repo, "MD040", "DP020")] == [
        ("DP020", "missing-datasheet", "data/orders.csv"),
        ("MD040", "missing-model-card", "train.py"),
    ]
