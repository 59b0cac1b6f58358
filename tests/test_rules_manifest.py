"""LN rules: the manifest itself — present, readable, in the schema's shape, and its waivers.

Fixtures that git cannot keep well (non-UTF-8 bytes, symlinks, FIFOs) are built in tmp_path.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from trees import write_tree

KINDS = Path(__file__).parent / "fixtures" / "repos" / "missing-model-card"
TRAINS = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(x, y)\n"

# -- LN001 missing-manifest ----------------------------------------------------------------------


def test_missing_manifest_reported_on_a_file_that_exists(lint):
    # Not on the absent lens.toml: code scanning cannot place an annotation there.
    assert lint("missing-manifest", "LN001") == [
        ("LN001", "missing-manifest", "train.py", 1, 1),
    ]
    assert lint.messages("missing-manifest", "LN001") == [
        "no lens.toml at the project's root: `train.py` trains a model "
        "(`LogisticRegression().fit`), but the project states no business goal, success "
        "metric or plans (run `mllint-wa init` to scaffold one)"
    ]


def test_missing_manifest_prefers_the_readme_then_the_packaging_file(lint, tmp_path):
    files = {
        "a.py": "",
        "src/x.py": "",
        "setup.py": "",
        "pyproject.toml": "",
        "README.rst": "",
        "weights/model.onnx": b"\x08\x01",
    }
    repo = write_tree(tmp_path, files)
    assert lint(repo, "LN001") == [("LN001", "missing-manifest", "README.rst", 1, 1)]
    assert "`weights/model.onnx` is a model file, but" in lint.messages(repo, "LN001")[0]
    (repo / "README.rst").unlink()
    assert lint(repo, "LN001") == [("LN001", "missing-manifest", "pyproject.toml", 1, 1)]
    (repo / "pyproject.toml").unlink()
    (repo / "setup.py").unlink()
    assert lint(repo, "LN001") == [("LN001", "missing-manifest", "a.py", 1, 1)]
    (repo / "a.py").unlink()
    assert lint(repo, "LN001") == [("LN001", "missing-manifest", "src/x.py", 1, 1)]


def test_missing_manifest_keeps_the_fingerprint_of_the_absent_file(lint, tmp_path):
    from mllint_wa.model import fingerprint

    repo = write_tree(tmp_path, {"README.md": "# x\n", "train.py": TRAINS})
    (finding,) = lint.result(repo, "LN001").findings
    # What it was when the finding stood on lens.toml: baselines written then still match.
    assert finding.fingerprint == fingerprint("LN001", "lens.toml", "lens.toml", "")


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        ("application", "train.py"),
        ("packaged-application", "pyproject.toml"),
        ("packaged-sagemaker", "setup.py"),
        ("shipped-model", "setup.py"),
        ("packaged-model-class", "README.md"),
        ("train-and-deploy", "README.md"),
    ],
)
def test_missing_manifest_asked_of_projects_that_train_or_ship_a_model(lint, kind, where):
    # The project kinds of missing-model-card's fixtures: a training program, a package
    # whose training script imports the fit, a SageMaker training program inside a
    # package, an ONNX model outside tests and examples, a package whose model class
    # trains a forest itself (no estimator API to hand on to), and one project split into
    # a training and a deploy half, each with its own README and requirements.
    assert lint(KINDS / kind, "LN001") == [("LN001", "missing-manifest", where, 1, 1)]


@pytest.mark.parametrize(
    "kind",
    [
        "library",
        "harness",
        "template",
        "estimator-library",
        "examples-collection",
        "modules-collection",
    ],
)
def test_missing_manifest_not_asked_of_libraries_harnesses_templates_and_collections(lint, kind):
    # An AutoML library whose fits are in its functions, examples and tests, an evaluation
    # harness, a cookiecutter template, a library that implements estimators, a workshop
    # of three labs and a library of modules have no business goal of their own to state.
    assert lint(KINDS / kind, "LN001") == []


def test_missing_manifest_a_library_that_implements_estimators_trains_its_users_models(lint):
    # gridnet's classes define `fit` and hand training on (`self.partial_fit`,
    # `super().fit`): its `loss.backward()`, the `callbacks/training.py` that imports them
    # and the notebook that fits a `NetRegressor` all train its users' models.
    library = KINDS / "estimator-library"
    assert lint(library, "LN001") == []
    # A class that defines `fit` and trains a forest itself implements no estimator API:
    # the notebook that fits it trains the package's own model.
    assert lint.messages(KINDS / "packaged-model-class", "LN001") == [
        "no lens.toml at the project's root: `notebooks/fit-churn.ipynb` trains a model "
        "(`ChurnModel().fit`), but the project states no business goal, success metric or "
        "plans (run `mllint-wa init` to scaffold one)"
    ]


def test_missing_manifest_an_estimator_api_without_packaging_is_no_library(lint, tmp_path):
    # Without packaging metadata nothing is published for users to build with: the
    # delegating class is the project's own model, and its training counts.
    repo = tmp_path / "repo"
    shutil.copytree(KINDS / "estimator-library", repo)
    (repo / "pyproject.toml").unlink()
    assert lint(repo, "LN001") == [("LN001", "missing-manifest", "README.md", 1, 1)]


def test_missing_manifest_training_in_three_separate_folders_is_a_collection(lint, tmp_path):
    # Three labs, each a folder with a README, a notebook or requirements of its own.
    labs = tmp_path / "labs"
    shutil.copytree(KINDS / "examples-collection", labs)
    assert lint(labs, "LN001") == []
    # Two such folders may be one project's halves (train-and-deploy is asked).
    shutil.rmtree(labs / "forecast-lab")
    assert lint(labs, "LN001") == [("LN001", "missing-manifest", "README.md", 1, 1)]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("dvc.yaml", "stages:\n  train:\n    cmd: python forecast-lab/train.py\n"),
        ("MLproject", "name: workshop\nentry_points:\n  main:\n    command: python x.py\n"),
        ("retrain.py", TRAINS),
    ],
)
def test_missing_manifest_a_collection_tied_into_one_project_is_asked(lint, tmp_path, name, text):
    # A DVC pipeline, an MLflow project or a training program at the root makes the labs
    # parts of one project.
    repo = tmp_path / "repo"
    shutil.copytree(KINDS / "examples-collection", repo)
    (repo / name).write_text(text, encoding="utf-8")
    assert lint(repo, "LN001") == [("LN001", "missing-manifest", "README.md", 1, 1)]


def test_missing_manifest_training_inside_one_of_three_sub_projects_is_a_collection(lint, tmp_path):
    # modules-collection: three modules, each with a README and a dependency or packaging
    # file; the one that trains is a module's seed code, whose goal is its users'.
    modules = tmp_path / "modules"
    shutil.copytree(KINDS / "modules-collection", modules)
    assert lint(modules, "LN001") == []
    # With two modules left, the training module is the repository's own work.
    shutil.rmtree(modules / "modules" / "monitoring")
    assert lint(modules, "LN001") == [("LN001", "missing-manifest", "README.md", 1, 1)]
    # A module under examples/ is no sub-project of the repository's own.
    shutil.copytree(
        KINDS / "modules-collection" / "modules" / "monitoring", modules / "examples" / "monitoring"
    )
    assert lint(modules, "LN001") == [("LN001", "missing-manifest", "README.md", 1, 1)]


def test_missing_manifest_not_asked_of_infrastructure_or_code_without_a_model(lint, tmp_path):
    # A Terraform module that deploys whatever model its users give it, a project that only
    # imports a framework, and one with nothing at all: none has a goal of its own to state.
    module = write_tree(
        tmp_path / "module",
        {
            "main.tf": (
                'resource "aws_sagemaker_endpoint" "this" {\n'
                "  endpoint_config_name = var.endpoint_config_name\n}\n"
            ),
            "README.md": "# SageMaker endpoint module\n",
        },
    )
    imports = write_tree(tmp_path / "imports", {"train.py": "import torch\n"})
    empty = tmp_path / "empty"
    empty.mkdir()
    assert lint(module, "LN001") == []
    assert lint(imports, "LN001") == []
    assert lint(empty, "LN001") == []


def test_missing_manifest_only_ln_rules_that_need_no_manifest_run(lint):
    # Without a manifest the BG and PF rules have nothing to judge and stay quiet; evidence
    # rules still read the repository.
    assert lint("missing-manifest", "LN", "BG", "PF") == [
        ("LN001", "missing-manifest", "train.py", 1, 1)
    ]


def test_missing_manifest_symlinked_out_of_the_project_is_not_called_absent(lint, tmp_path):
    shared = tmp_path / "shared-lens.toml"
    shared.write_text("schema_version = 1\n", encoding="utf-8")
    repo = tmp_path / "service"
    repo.mkdir()
    (repo / "train.py").write_text("print('train')\n", encoding="utf-8")
    os.symlink(shared, repo / "lens.toml")
    assert lint(repo, "LN001", "LN008") == [
        ("LN001", "missing-manifest", "lens.toml", 1, 1),
        ("LN008", "unreadable-path", "lens.toml", 1, 1),
    ]
    assert lint.messages(repo, "LN001") == [
        "lens.toml was not read (symlink points outside the project): the project states no "
        "business goal, success metric or plans"
    ]


def test_missing_manifest_quiet_when_present(lint, manifest):
    assert lint(manifest("schema_version = 1\n"), "LN001") == []


# -- LN002 invalid-manifest ----------------------------------------------------------------------


def test_invalid_manifest_syntax_error_reported_where_parsing_stopped(lint):
    # Line 4 opens a string it never closes; tomllib stops at the newline, column 44.
    assert lint("invalid-manifest", "LN002") == [
        ("LN002", "invalid-manifest", "lens.toml", 4, 44),
    ]
    assert lint.messages("invalid-manifest", "LN002") == [
        "lens.toml is not valid TOML: Illegal character '\\n'"
    ]


def test_invalid_manifest_silences_the_rules_that_need_a_manifest(lint):
    assert lint("invalid-manifest") == [("LN002", "invalid-manifest", "lens.toml", 4, 44)]


def test_invalid_manifest_bare_word_value(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business]
        kpi = monthly churn rate
        """
    )
    assert lint(repo, "LN002") == [("LN002", "invalid-manifest", "lens.toml", 4, 7)]
    assert lint.messages(repo, "LN002") == ["lens.toml is not valid TOML: Invalid value"]


def test_invalid_manifest_duplicate_table(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business]
        goal = "Cut churn"

        [business]
        kpi = "monthly churn rate"
        """
    )
    # tomllib stops at the end of the second header.
    assert lint(repo, "LN002") == [("LN002", "invalid-manifest", "lens.toml", 6, 10)]
    assert lint.messages(repo, "LN002") == [
        "lens.toml is not valid TOML: Cannot declare ('business',) twice"
    ]


def test_invalid_manifest_utf8_bom_is_accepted(lint, tmp_path):
    (tmp_path / "lens.toml").write_bytes(b"\xef\xbb\xbfschema_version = 1\n")
    assert lint(tmp_path, "LN") == []


def test_invalid_manifest_non_utf8_reported_at_the_bad_byte(lint, tmp_path):
    # "café" written in Latin-1: the é (0xE9) is the 12th character of line 3.
    (tmp_path / "lens.toml").write_bytes(b'schema_version = 1\n[business]\ngoal = "caf\xe9"\n')
    assert lint(tmp_path, "LN002") == [("LN002", "invalid-manifest", "lens.toml", 3, 12)]
    assert lint.messages(tmp_path, "LN002") == ["lens.toml is not valid UTF-8 (byte 0xe9)"]


def test_invalid_manifest_utf16_with_bom(lint, tmp_path):
    (tmp_path / "lens.toml").write_bytes("schema_version = 1\n".encode("utf-16"))
    assert lint(tmp_path, "LN002") == [("LN002", "invalid-manifest", "lens.toml", 1, 1)]
    assert lint.messages(tmp_path, "LN002") == ["lens.toml is a binary file, not TOML"]


def test_invalid_manifest_too_large(lint, tmp_path):
    text = "schema_version = 1\n" + "# padding\n" * 110_000
    (tmp_path / "lens.toml").write_text(text, encoding="utf-8")
    assert lint(tmp_path, "LN002") == [("LN002", "invalid-manifest", "lens.toml", 1, 1)]
    assert lint.messages(tmp_path, "LN002") == ["lens.toml is larger than 1024 KiB"]


# -- LN003 unknown-manifest-key ------------------------------------------------------------------


def test_unknown_manifest_key_reported_on_the_key_with_a_suggestion(lint):
    assert lint("unknown-manifest-key", "LN003") == [
        ("LN003", "unknown-manifest-key", "lens.toml", 5, 1),
        ("LN003", "unknown-manifest-key", "lens.toml", 7, 1),
        ("LN003", "unknown-manifest-key", "lens.toml", 12, 1),
        ("LN003", "unknown-manifest-key", "lens.toml", 17, 1),
    ]
    assert lint.messages("unknown-manifest-key", "LN003") == [
        "unknown key `project.team`",
        "unknown key `buisness`; did you mean `business`?",
        "unknown key `problem.ouptut`; did you mean `output`?",
        "unknown key `problem.metrics[0].kpi_lnk`; did you mean `kpi_link`?",
    ]


def test_unknown_manifest_key_misspelt_value_counts_as_missing(lint):
    # The misspelt [buisness] table states nothing: its goal is reported missing (line 1: there
    # is no [business] table).
    assert lint("unknown-manifest-key", "BG001") == [
        ("BG001", "missing-business-goal", "lens.toml", 1, 1),
    ]


def test_unknown_manifest_key_in_a_waiver(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [waivers.BG013]
        reason = "sustainability goal comes with the production budget"
        owner = "jane@example.com"
        expires = 2026-06-30
        expiry = 2026-06-30
        """
    )
    assert lint(repo, "LN003") == [("LN003", "unknown-manifest-key", "lens.toml", 7, 1)]
    assert lint.messages(repo, "LN003") == [
        "unknown key `waivers.BG013.expiry`; did you mean `expires`?"
    ]


def test_unknown_manifest_key_lint_table_is_left_to_the_settings(lint, manifest):
    repo = manifest('schema_version = 1\n\n[lint]\nfail_on = "high"\n')
    assert lint(repo, "LN003") == []


# -- LN004 invalid-manifest-type -----------------------------------------------------------------


def test_invalid_manifest_type_reported_on_the_value(lint):
    assert lint("invalid-manifest-type", "LN004") == [
        ("LN004", "invalid-manifest-type", "lens.toml", 4, 10),
        ("LN004", "invalid-manifest-type", "lens.toml", 8, 10),
        ("LN004", "invalid-manifest-type", "lens.toml", 10, 11),
    ]
    assert lint.messages("invalid-manifest-type", "LN004") == [
        "`project.owners` should be an array of strings, not a string",
        "`problem.metrics[0].target` should be a number, not a string",
        "`problem.metrics[0].primary` should be true or false, not a string",
    ]


def test_invalid_manifest_type_placeholder_is_missing_not_mistyped(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [[problem.metrics]]
        name = "recall"
        target = "TBD"
        """
    )
    assert lint(repo, "LN004") == []


# -- LN005 invalid-manifest-value ----------------------------------------------------------------


def test_invalid_manifest_value_reported_on_the_value(lint):
    # The second metric's direction is valid.
    assert lint("invalid-manifest-value", "LN005") == [
        ("LN005", "invalid-manifest-value", "lens.toml", 4, 9),
        ("LN005", "invalid-manifest-value", "lens.toml", 8, 13),
        ("LN005", "invalid-manifest-value", "lens.toml", 15, 14),
    ]
    assert lint.messages("invalid-manifest-value", "LN005") == [
        '`project.stage` is "prod"; expected one of discovery, development, production',
        '`problem.metrics[0].direction` is "maximise"; expected one of maximize, minimize; '
        "did you mean `maximize`?",
        '`data.versioning` is "git-lfs"; expected one of dvc, lakefs, delta, s3-versioning, none',
    ]


# -- LN006 unsupported-schema-version ------------------------------------------------------------


def test_unsupported_schema_version_reported_on_the_version(lint):
    assert lint("unsupported-schema-version", "LN006") == [
        ("LN006", "unsupported-schema-version", "lens.toml", 1, 18),
    ]
    assert lint.messages("unsupported-schema-version", "LN006") == [
        "schema_version 2 is not supported; this mllint-wa reads version 1"
    ]


def test_unsupported_schema_version_absent_reported_on_line_1(lint, manifest):
    repo = manifest(
        """
        # lens.toml for the churn predictor
        [project]
        name = "churn-predictor"
        """
    )
    assert lint(repo, "LN006") == [("LN006", "unsupported-schema-version", "lens.toml", 1, 1)]
    assert lint.messages(repo, "LN006") == [
        "lens.toml does not declare its format: add `schema_version = 1`"
    ]


def test_unsupported_schema_version_quoted_is_a_type_error(lint, manifest):
    repo = manifest('schema_version = "1"\n')
    assert lint(repo, "LN004", "LN006") == [("LN004", "invalid-manifest-type", "lens.toml", 1, 18)]


@pytest.mark.parametrize("value", ['""', '"TODO"', "[]"])
def test_unsupported_schema_version_placeholder_counts_as_undeclared(lint, manifest, value):
    repo = manifest(f"schema_version = {value}\n")
    assert lint(repo, "LN") == [("LN006", "unsupported-schema-version", "lens.toml", 1, 18)]


def test_unsupported_schema_version_1_passes(lint, manifest):
    assert lint(manifest("schema_version = 1\n"), "LN006") == []


# -- LN007 invalid-waiver ------------------------------------------------------------------------


def test_invalid_waiver_lacking_owner_or_naming_no_rule(lint):
    # On 2026-01-01: BG001's waiver is valid, missing-business-kpi's lacks an owner (→ its
    # header), BG013's expired the day before (expired-waiver's, not this rule's),
    # missing-busines-goal names no rule (→ its header) and DE003, a code no installed rule
    # has yet, is left alone.
    assert lint("invalid-waiver", "LN007", today=date(2026, 1, 1)) == [
        ("LN007", "invalid-waiver", "lens.toml", 13, 1),
        ("LN007", "invalid-waiver", "lens.toml", 22, 1),
    ]
    assert lint.messages("invalid-waiver", "LN007", today=date(2026, 1, 1)) == [
        "waiver `waivers.missing-business-kpi` does not apply: it lacks owner",
        "waiver `waivers.missing-busines-goal` names no rule; did you mean "
        "`missing-business-goal`?",
    ]


# -- LN014 expired-waiver ------------------------------------------------------------------------


def test_expired_waiver_on_the_waivers_line_from_the_day_after_its_date(lint):
    on_expiry = lint("invalid-waiver", "LN007", "LN014", today=date(2026, 6, 30))
    day_after = lint("invalid-waiver", "LN007", "LN014", today=date(2026, 7, 1))
    assert on_expiry == [
        ("LN007", "invalid-waiver", "lens.toml", 13, 1),
        ("LN014", "expired-waiver", "lens.toml", 17, 1),
        ("LN007", "invalid-waiver", "lens.toml", 22, 1),
    ]
    # An invalid waiver is invalid-waiver's alone, expired or not (missing-business-kpi's);
    # one for a code no installed rule has yet still expires (DE003's).
    assert day_after == [
        ("LN014", "expired-waiver", "lens.toml", 8, 1),
        ("LN007", "invalid-waiver", "lens.toml", 13, 1),
        ("LN014", "expired-waiver", "lens.toml", 17, 1),
        ("LN007", "invalid-waiver", "lens.toml", 22, 1),
        ("LN014", "expired-waiver", "lens.toml", 27, 1),
    ]
    assert lint.messages("invalid-waiver", "LN014", today=date(2026, 1, 1)) == [
        "waiver `waivers.BG013` expired on 2025-12-31; its findings are reported again",
    ]


def test_expired_waiver_brings_its_finding_back(lint):
    result = lint.result("expired-waiver", "BG001", "LN014", today=date(2026, 1, 1))
    assert [(f.rule.code, f.line) for f in result.findings] == [("BG001", 4), ("LN014", 6)]
    assert result.suppressed == []
    waived = lint.result("expired-waiver", "BG001", "LN014", today=date(2025, 12, 31))
    assert [(f.rule.code, f.line) for f in waived.findings] == []
    assert [(f.rule.code, f.suppression_kind) for f in waived.suppressed] == [("BG001", "waiver")]


def test_expired_waiver_cannot_itself_be_waived(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [waivers.expired-waiver]
        reason = "renew them all at once"
        owner = "jane@example.com"
        expires = 2024-01-01
        """
    )
    assert lint(repo, "LN007", "LN014") == [("LN007", "invalid-waiver", "lens.toml", 3, 1)]


def test_invalid_waiver_valid_one_suppresses_expired_and_incomplete_do_not(lint):
    result = lint.result("invalid-waiver", "BG001", "BG002", "BG013", today=date(2026, 1, 1))
    # BG001 is waived; BG002's waiver has no owner and BG013's has expired.
    assert [(f.rule.code, f.line) for f in result.findings] == [("BG002", 5), ("BG013", 6)]
    assert [(f.rule.code, f.line, f.suppressed_by) for f in result.suppressed] == [
        ("BG001", 4, "waivers.BG001"),
    ]


def test_invalid_waiver_expired_waiver_suppresses_nothing(lint):
    result = lint.result("invalid-waiver", "BG001", today=date(2026, 7, 1))
    assert [(f.rule.code, f.line) for f in result.findings] == [("BG001", 4)]
    assert result.suppressed == []


def test_invalid_waiver_by_rule_name_suppresses_once_complete(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business]
        kpi = "TODO"

        [waivers.missing-business-kpi]
        reason = "the KPI is chosen at the Q1 review"
        owner = "jane@example.com"
        expires = 2026-03-31
        """
    )
    result = lint.result(repo, "BG002", "LN007")
    assert result.findings == []
    assert [f.rule.code for f in result.suppressed] == ["BG002"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('owner = "jane@example.com"\nexpires = 2026-06-30\n', "it lacks reason"),
        ('reason = "pilot"\nowner = "TBD"\nexpires = 2026-06-30\n', "it lacks owner"),
        ('reason = "pilot"\nowner = "jane@example.com"\n', "it lacks expires"),
        (
            'reason = "pilot"\nowner = "jane"\nexpires = "2026-06-30"\n',
            "it lacks a date in expires",
        ),
    ],
    ids=["no-reason", "placeholder-owner", "no-expiry", "quoted-date"],
)
def test_invalid_waiver_incomplete_entries(lint, manifest, entry, message):
    repo = manifest("schema_version = 1\n\n[waivers.BG013]\n" + entry)
    assert lint(repo, "LN007") == [("LN007", "invalid-waiver", "lens.toml", 3, 1)]
    assert lint.messages(repo, "LN007") == [f"waiver `waivers.BG013` does not apply: {message}"]


# -- LN008 unreadable-path -----------------------------------------------------------------------


def test_unreadable_path_broken_outward_and_special_files(lint, manifest, tmp_path):
    repo = manifest("schema_version = 1\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_text("usage_30d,churned\n3,0\n", encoding="utf-8")
    os.symlink("missing.csv", tmp_path / "data" / "latest.csv")  # broken
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("secret\n", encoding="utf-8")
    os.symlink(outside, tmp_path / "credentials.txt")  # points outside the project
    os.symlink("train.csv", tmp_path / "data" / "current.csv")  # inside: linted, not reported
    os.mkfifo(tmp_path / "events.pipe")
    assert lint(repo, "LN008") == [
        ("LN008", "unreadable-path", "credentials.txt", 1, 1),
        ("LN008", "unreadable-path", "data/latest.csv", 1, 1),
        ("LN008", "unreadable-path", "events.pipe", 1, 1),
    ]
    assert lint.messages(repo, "LN008") == [
        "`credentials.txt` was not linted: symlink points outside the project",
        "`data/latest.csv` was not linted: broken symlink",
        "`events.pipe` was not linted: not a regular file",
    ]


def test_unreadable_path_reported_without_a_manifest(lint, tmp_path):
    (tmp_path / "train.py").write_text(TRAINS, encoding="utf-8")
    os.symlink("gone.parquet", tmp_path / "features.parquet")
    # Sorted by path: features.parquet before train.py.
    assert lint(tmp_path, "LN001", "LN008") == [
        ("LN008", "unreadable-path", "features.parquet", 1, 1),
        ("LN001", "missing-manifest", "train.py", 1, 1),
    ]


def test_unreadable_path_quiet_on_a_clean_tree(lint):
    assert lint("complete", "LN008") == []
