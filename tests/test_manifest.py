"""lens.toml: loading, syntax and schema problems, placeholders, locations and waivers."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from mllint_wa.manifest import (
    MAX_MANIFEST_BYTES,
    Manifest,
    ManifestProblem,
    ProblemKind,
    Waiver,
    is_placeholder,
    load_manifest,
    parse_manifest,
)
from mllint_wa.model import Location
from mllint_wa.parsers import toml_reader


def only_problem(text: str) -> ManifestProblem:
    load = parse_manifest(text)
    assert len(load.problems) == 1, load.problems
    return load.problems[0]


def manifest(text: str) -> Manifest:
    load = parse_manifest(text)
    assert load.manifest is not None, load.problems
    return load.manifest


def problems(text: str) -> list[tuple[ProblemKind, str, int, int]]:
    return [(p.kind, p.message, p.line, p.column) for p in parse_manifest(text).problems]


# -- syntax ------------------------------------------------------------------------------------


def test_a_valid_manifest_has_no_problems() -> None:
    load = parse_manifest('schema_version = 1\n[project]\nname = "x"\nstage = "production"\n')
    assert load.problems == ()
    assert load.manifest is not None
    assert load.manifest.get("project.stage") == "production"
    assert load.manifest.path == "lens.toml"


def test_syntax_error_mid_file_has_its_line_and_column() -> None:
    load = parse_manifest('schema_version = 1\n[project]\nname = "x" "y"\nstage = "discovery"\n')
    assert load.manifest is None
    (problem,) = load.problems
    assert problem.kind is ProblemKind.SYNTAX
    assert (problem.line, problem.column) == (3, 12)
    assert problem.message.startswith("lens.toml is not valid TOML: ")
    assert "(at line" not in problem.message


def test_syntax_error_in_a_table_header() -> None:
    problem = only_problem("schema_version = 1\n[project\nname = 'x'\n")
    assert (problem.kind, problem.line, problem.column) == (ProblemKind.SYNTAX, 2, 9)


def test_duplicate_key_is_a_syntax_error_at_the_second_key() -> None:
    problem = only_problem("[project]\nname = 'a'\nname = 'b'\n")
    assert (problem.kind, problem.line) == (ProblemKind.SYNTAX, 3)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('schema_version = 1\ngoal = "never closed', 2, 21),
        ("schema_version = 1\nowners = [\n  'a',\n  'b'", 4, 6),
        ('schema_version = 1\ngoal = """\nopen\n', 4, 1),
    ],
    ids=["unterminated-string", "unclosed-array", "unterminated-multiline-string"],
)
def test_syntax_error_at_end_of_document(text: str, line: int, column: int) -> None:
    problem = only_problem(text)
    assert problem.kind is ProblemKind.SYNTAX
    assert (problem.line, problem.column) == (line, column)
    assert "end of document" not in problem.message


def test_syntax_error_with_crlf_line_endings() -> None:
    problem = only_problem("schema_version = 1\r\n[project]\r\nname = \r\n")
    assert (problem.kind, problem.line, problem.column) == (ProblemKind.SYNTAX, 3, 8)


# -- unreadable files --------------------------------------------------------------------------


def test_load_reads_a_file(tmp_path: Path) -> None:
    file = tmp_path / "lens.toml"
    file.write_text("schema_version = 1\n[project]\nname = 'é'\n", encoding="utf-8")
    load = load_manifest(file, "svc/lens.toml")
    assert load.problems == ()
    assert load.manifest is not None
    assert load.manifest.path == "svc/lens.toml"
    assert load.manifest.get("project.name") == "é"


def test_non_utf8_bytes_are_unreadable_at_their_line(tmp_path: Path) -> None:
    file = tmp_path / "lens.toml"
    file.write_bytes(b'schema_version = 1\n[project]\nname = "caf\xe9"\n')
    load = load_manifest(file)
    assert load.manifest is None
    (problem,) = load.problems
    assert problem.kind is ProblemKind.UNREADABLE
    assert (problem.line, problem.column) == (3, 12)
    assert "not valid UTF-8" in problem.message
    assert "0xe9" in problem.message


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    file = tmp_path / "lens.toml"
    file.write_bytes(b"\xef\xbb\xbfschema_version = 1\n[project]\nstage = 'x'\n")
    load = load_manifest(file)
    assert [(p.kind, p.line, p.column) for p in load.problems] == [(ProblemKind.BAD_VALUE, 3, 9)]


def test_non_utf8_bytes_after_a_byte_order_mark(tmp_path: Path) -> None:
    file = tmp_path / "lens.toml"
    file.write_bytes(b"\xef\xbb\xbfa = 1\n\xff = 2\n")
    (problem,) = load_manifest(file).problems
    assert (problem.line, problem.column) == (2, 1)
    assert "0xff" in problem.message


def test_nul_bytes_make_a_binary_file(tmp_path: Path) -> None:
    file = tmp_path / "lens.toml"
    file.write_bytes(b"schema_version = 1\n\x00\x01\x02")
    (problem,) = load_manifest(file).problems
    assert problem.kind is ProblemKind.UNREADABLE
    assert "binary" in problem.message
    assert (problem.line, problem.column) == (1, 1)


def test_a_file_over_one_mebibyte_is_not_read(tmp_path: Path) -> None:
    file = tmp_path / "lens.toml"
    comment = b"# " + b"x" * 1000 + b"\n"
    file.write_bytes(b"schema_version = 1\n" + comment * (MAX_MANIFEST_BYTES // len(comment) + 1))
    assert file.stat().st_size > MAX_MANIFEST_BYTES
    load = load_manifest(file)
    assert load.manifest is None
    (problem,) = load.problems
    assert problem.kind is ProblemKind.UNREADABLE
    assert "larger than 1024 KiB" in problem.message


def test_a_file_of_exactly_one_mebibyte_is_read(tmp_path: Path) -> None:
    file = tmp_path / "lens.toml"
    head = b"schema_version = 1\n"
    file.write_bytes(head + b"#" * (MAX_MANIFEST_BYTES - len(head)))
    assert file.stat().st_size == MAX_MANIFEST_BYTES
    assert load_manifest(file).problems == ()


def test_an_unreadable_file(tmp_path: Path) -> None:
    file = tmp_path / "lens.toml"
    file.write_text("schema_version = 1\n")
    file.chmod(0)
    try:
        if os.access(file, os.R_OK):
            pytest.skip("running with privileges that read any file")
        load = load_manifest(file)
    finally:
        file.chmod(0o644)
    assert load.manifest is None
    (problem,) = load.problems
    assert problem.kind is ProblemKind.UNREADABLE
    assert problem.message == "lens.toml cannot be read: Permission denied"


def test_an_open_error_is_unreadable_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "lens.toml"
    file.write_text("schema_version = 1\n")

    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(toml_reader.os, "open", refuse)
    load = load_manifest(file, "svc/lens.toml")
    assert load.manifest is None
    assert [(p.kind, p.message, p.line) for p in load.problems] == [
        (ProblemKind.UNREADABLE, "svc/lens.toml cannot be read: Permission denied", 1)
    ]


def test_a_directory_named_lens_toml_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "lens.toml").mkdir()
    (problem,) = load_manifest(tmp_path / "lens.toml").problems
    assert problem.kind is ProblemKind.UNREADABLE
    assert problem.message == "lens.toml is not a regular file"


# -- schema ------------------------------------------------------------------------------------


def test_unknown_key_with_did_you_mean() -> None:
    assert problems('schema_version = 1\n\n[business]\ngaol = "x"\n') == [
        (ProblemKind.UNKNOWN_KEY, "unknown key `business.gaol`; did you mean `goal`?", 4, 1)
    ]


def test_unknown_table_and_unknown_key_in_an_array_of_tables() -> None:
    text = "schema_version = 1\n[modle]\ncard = 'x'\n[[problem.metrics]]\nnmae = 'recall'\n"
    assert problems(text) == [
        (ProblemKind.UNKNOWN_KEY, "unknown key `modle`; did you mean `model`?", 2, 1),
        (
            ProblemKind.UNKNOWN_KEY,
            "unknown key `problem.metrics[0].nmae`; did you mean `name`?",
            5,
            1,
        ),
    ]


def test_unknown_key_without_a_close_match_has_no_hint() -> None:
    (problem,) = parse_manifest("schema_version = 1\n[project]\nzzzzqq = 1\n").problems
    assert problem.message == "unknown key `project.zzzzqq`"


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        (
            "[[problem.metrics]]\nname = 'recall'\ntarget = \"0.75\"\n",
            "`problem.metrics[0].target` should be a number, not a string",
            4,
            10,
        ),
        (
            "[[problem.metrics]]\nbaseline = true\n",
            "`problem.metrics[0].baseline` should be a number, not a boolean",
            3,
            12,
        ),
        (
            "[project]\nowners = 'me@example.com'\n",
            "`project.owners` should be an array of strings, not a string",
            3,
            10,
        ),
        (
            "[monitoring]\ndata_drift = 'yes'\n",
            "`monitoring.data_drift` should be true or false, not a string",
            3,
            14,
        ),
        (
            "[business]\ngoal = 42\n",
            "`business.goal` should be a string, not an integer",
            3,
            8,
        ),
        (
            "[business.costs]\ntraining = [1, 2]\n",
            "`business.costs.training` should be a number or a string, not an array",
            3,
            12,
        ),
        (
            "[problem]\nmetrics = { name = 'recall' }\n",
            "`problem.metrics` should be an array of tables ([[…]]), not a table",
            3,
            11,
        ),
        ("project = 'x'\n", "`project` should be a table, not a string", 2, 11),
        (
            "[waivers.BG001]\nreason = 'r'\nowner = 'o'\nexpires = '2027-01-01'\n",
            "`waivers.BG001.expires` should be a date (YYYY-MM-DD), not a string",
            5,
            11,
        ),
    ],
    ids=[
        "string-target",
        "bool-baseline",
        "string-owners",
        "string-boolean",
        "int-string",
        "list-cost",
        "table-not-array",
        "string-table",
        "string-date",
    ],
)
def test_wrong_types_stand_on_the_value(text: str, message: str, line: int, column: int) -> None:
    assert problems("schema_version = 1\n" + text) == [
        (ProblemKind.WRONG_TYPE, message, line, column)
    ]


def test_an_integer_is_a_number() -> None:
    assert problems("schema_version = 1\n[[problem.metrics]]\ntarget = 1\nbaseline = 0\n") == []


def test_placeholders_are_missing_not_mistyped() -> None:
    text = "schema_version = 1\n[[problem.metrics]]\ntarget = 'TODO'\n[project]\nowners = ''\n"
    assert problems(text) == []
    assert manifest(text).is_missing("problem.metrics[0].target")


@pytest.mark.parametrize(
    ("key", "table", "value", "choices"),
    [
        ("stage", "[project]", "prod", "discovery, development, production"),
        ("direction", "[[problem.metrics]]", "maximise", "maximize, minimize"),
        ("versioning", "[data]", "git", "dvc, lakefs, delta, s3-versioning, none"),
        (
            "target",
            "[deployment]",
            "k8s",
            "sagemaker-endpoint, sagemaker-batch, lambda, container, none",
        ),
        ("strategy", "[deployment]", "canary-ish", "blue-green, canary, shadow, all-at-once"),
    ],
)
def test_values_outside_their_enumeration(key: str, table: str, value: str, choices: str) -> None:
    text = f'schema_version = 1\n{table}\n{key} = "{value}"\n'
    (problem,) = parse_manifest(text).problems
    assert problem.kind is ProblemKind.BAD_VALUE
    assert (problem.line, problem.column) == (3, len(key) + 4)
    assert f'is "{value}"; expected one of {choices}' in problem.message


def test_bad_value_has_a_did_you_mean() -> None:
    (problem,) = parse_manifest("schema_version = 1\n[project]\nstage = 'producton'\n").problems
    assert problem.message.endswith("; did you mean `production`?")
    assert problem.anchor == "project.stage"


@pytest.mark.parametrize("stage", ["discovery", "development", "production"])
def test_every_stage_is_accepted(stage: str) -> None:
    assert problems(f"schema_version = 1\n[project]\nstage = '{stage}'\n") == []


def test_schema_version_missing() -> None:
    (problem,) = parse_manifest("[project]\nname = 'x'\n").problems
    assert problem.kind is ProblemKind.SCHEMA_VERSION
    assert (problem.line, problem.column) == (1, 1)
    assert "schema_version = 1" in problem.message


def test_schema_version_2_is_not_supported() -> None:
    assert problems("# c\nschema_version = 2\n") == [
        (
            ProblemKind.SCHEMA_VERSION,
            "schema_version 2 is not supported; this mllint-wa reads version 1",
            2,
            18,
        )
    ]


def test_schema_version_as_a_placeholder_is_missing() -> None:
    (problem,) = parse_manifest('schema_version = "TODO"\n').problems
    assert problem.kind is ProblemKind.SCHEMA_VERSION
    assert "does not declare its format" in problem.message


def test_schema_version_as_a_string_is_a_wrong_type() -> None:
    assert problems('schema_version = "1"\n') == [
        (ProblemKind.WRONG_TYPE, "`schema_version` should be an integer, not a string", 1, 18)
    ]


def test_problems_do_not_prevent_a_manifest() -> None:
    load = parse_manifest("schema_version = 2\n[project]\nstage = 'x'\n")
    assert load.manifest is not None
    assert {p.kind for p in load.problems} == {ProblemKind.BAD_VALUE, ProblemKind.SCHEMA_VERSION}


def test_lint_table_is_described_by_the_schema_with_either_spelling() -> None:
    # The run stops on a bad setting before any rule runs (a configuration error, exit 2);
    # the schema describes the table for editors all the same.
    assert problems("schema_version = 1\n[lint]\nfail_on = 'high'\nfail-on = 'low'\n") == []
    assert [p[0] for p in problems("schema_version = 1\n[lint]\nanything = 1\n")] == [
        ProblemKind.UNKNOWN_KEY
    ]


# -- placeholders ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "TODO",
        "todo: later",
        "TBD",
        "?",
        "n/a",
        "N/A",
        "-",
        "xxx",
        "<describe>",
        "...",
        "FIXME: fill in",
        "TBD by Q3",
        "todo (ask Retention)",
        [],
        ["TODO"],
        ["", "?"],
        {},
    ],
)
def test_placeholders(value: object) -> None:
    assert is_placeholder(value) is True


@pytest.mark.parametrize(
    "value",
    [
        "none",
        "rules",
        "todolist app",
        "Todo-list app: raise retention 5%",
        "XXX-large model distilled to a small one",
        "xxl",
        "-1",
        0,
        0.0,
        False,
        True,
        ["a"],
        ["TODO", "a"],
        {"a": 1},
    ],
)
def test_non_placeholders(value: object) -> None:
    assert is_placeholder(value) is False


# -- questions with positions ------------------------------------------------------------------

LOCATED = """\
schema_version = 1

[project]
name = "churn"
owners = ["TODO"]

[business]
goal = "TODO"

[[problem.metrics]]
name = "recall"

[[problem.metrics]]
name = "precision"
target = 0.8
"""


def test_get_and_is_missing() -> None:
    m = manifest(LOCATED)
    assert m.get("project.name") == "churn"
    assert m.get("problem.metrics[1].target") == 0.8
    assert m.get("problem.metrics[2].target") is None
    assert m.get("project.name.deeper") is None
    assert m.get("nothing.here") is None
    assert not m.is_missing("project.name")
    assert m.is_missing("project.owners")
    assert m.is_missing("business.goal")
    assert m.is_missing("business.kpi")
    assert m.is_missing("problem.metrics[0].target")


def test_location_of_a_present_key() -> None:
    m = manifest(LOCATED)
    assert m.location("project.name") == Location("lens.toml", 4, 1)
    assert m.value_location("project.name") == Location("lens.toml", 4, 8)
    assert m.location("problem.metrics[1].target") == Location("lens.toml", 15, 1)
    assert m.value_location("problem.metrics[1].target") == Location("lens.toml", 15, 10)


def test_location_of_a_placeholder_is_the_placeholder() -> None:
    m = manifest(LOCATED)
    assert m.location("business.goal") == Location("lens.toml", 8, 1)
    assert m.location("project.owners") == Location("lens.toml", 5, 1)


def test_location_of_an_absent_key_is_its_table_header() -> None:
    m = manifest(LOCATED)
    assert m.location("business.kpi") == Location("lens.toml", 7, 1)
    assert m.location("business.costs.training") == Location("lens.toml", 7, 1)
    assert m.location("problem.metrics[0].target") == Location("lens.toml", 10, 1)
    assert m.location("problem.metrics[1].baseline") == Location("lens.toml", 13, 1)
    assert m.location("problem.type") == Location("lens.toml", 10, 1)
    assert m.value_location("business.kpi") == Location("lens.toml", 7, 1)


def test_location_of_an_absent_table_is_line_one() -> None:
    m = manifest(LOCATED)
    assert m.location("model.card") == Location("lens.toml", 1, 1)
    assert m.location("monitoring") == Location("lens.toml", 1, 1)
    assert m.value_location("data.versioning") == Location("lens.toml", 1, 1)


def test_location_uses_the_manifest_path() -> None:
    load = parse_manifest("schema_version = 1\n[model]\n", "svc/lens.toml")
    assert load.manifest is not None
    assert load.manifest.location("model.card") == Location("svc/lens.toml", 2, 1)


def test_tables_of_an_array_of_tables() -> None:
    m = manifest(LOCATED)
    assert [path for path, _ in m.tables("problem.metrics")] == [
        ("problem", "metrics", 0),
        ("problem", "metrics", 1),
    ]
    assert m.tables("data.sources") == []
    assert m.tables("project.name") == []


# -- waivers -----------------------------------------------------------------------------------

WAIVERS = """\
schema_version = 1

[waivers.DE003]
reason = "pilot"
owner = "jane@example.com"
expires = 2027-03-31

[waivers.missing-model-card]
reason = "TODO"
owner = "jane@example.com"

[waivers.BG001]
reason = "r"
owner = "o"
expires = "2027-03-31"

[waivers.BG002]
"""


def test_waivers_in_file_order_with_their_defects() -> None:
    assert manifest(WAIVERS).waivers() == [
        Waiver(
            "DE003",
            ("waivers", "DE003"),
            datetime.date(2027, 3, 31),
            "",
            "pilot",
            "jane@example.com",
        ),
        Waiver(
            "missing-model-card",
            ("waivers", "missing-model-card"),
            None,
            "it lacks reason, expires",
            "TODO",
            "jane@example.com",
        ),
        Waiver("BG001", ("waivers", "BG001"), None, "it lacks a date in expires", "r", "o"),
        Waiver("BG002", ("waivers", "BG002"), None, "it lacks reason, owner, expires"),
    ]


def test_a_waiver_applies_until_its_expiry_date() -> None:
    waiver = manifest(WAIVERS).waivers()[0]
    assert waiver.applies_on(datetime.date(2027, 3, 30))
    assert waiver.applies_on(datetime.date(2027, 3, 31))
    assert not waiver.applies_on(datetime.date(2027, 4, 1))


def test_a_defective_waiver_never_applies() -> None:
    for waiver in manifest(WAIVERS).waivers()[1:]:
        assert not waiver.applies_on(datetime.date(2000, 1, 1))


def test_waivers_absent_or_malformed() -> None:
    assert manifest("schema_version = 1\n").waivers() == []
    assert manifest("schema_version = 1\nwaivers = 'none'\n").waivers() == []
    assert manifest("schema_version = 1\n[waivers]\nBG001 = 'x'\n").waivers() == []


def test_a_waiver_with_a_datetime_expiry_counts_by_its_date() -> None:
    text = (
        "schema_version = 1\n[waivers.BG001]\nreason = 'r'\nowner = 'o'\n"
        "expires = 2027-01-01T23:00:00\n"
    )
    (waiver,) = manifest(text).waivers()
    assert waiver.expires == datetime.date(2027, 1, 1)
    assert waiver.applies_on(datetime.date(2027, 1, 1))
    assert not waiver.applies_on(datetime.date(2027, 1, 2))


def test_a_waiver_key_with_brackets_is_read_without_raising() -> None:
    load = parse_manifest(
        'schema_version = 1\n[waivers."BG[x"]\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    assert load.manifest is not None
    (waiver,) = load.manifest.waivers()
    assert (waiver.selector, waiver.defect) == ("BG[x", "")


@pytest.mark.parametrize("depth", [100, 400, 5000])
def test_deep_nesting_is_unreadable_not_a_crash(depth: int) -> None:
    text = "schema_version = 1\n[business]\nrequirements = " + "[" * depth + "]" * depth + "\n"
    load = parse_manifest(text)
    assert load.manifest is None
    (problem,) = load.problems
    assert problem.kind is ProblemKind.UNREADABLE
    assert "too deeply" in problem.message or "more than 64 deep" in problem.message


def test_nesting_a_manifest_needs_is_fine() -> None:
    text = "schema_version = 1\n[business]\nrequirements = " + "[" * 10 + "]" * 10 + "\n"
    assert parse_manifest(text).manifest is not None
