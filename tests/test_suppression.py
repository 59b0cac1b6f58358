"""Suppressing findings, end to end through the command line: inline ignore comments in every
file kind, expired waivers, and baselines that survive inserted lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft4Validator

from mllint_wa.cli import main
from mllint_wa.config import pyproject_layer
from mllint_wa.parsers.comments import hash_comments, python_comments
from trees import write_tree as write

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
AWS_KEY = "AKIAZ7Y6X5W4V3U2TMLK"
SECRET_RULES = "hardcoded-secret,LN011,LN012,LN013"


def lint(*args: str) -> Result:
    # Settings files are read once per process, and the tests write theirs between runs.
    pyproject_layer.cache_clear()
    return CliRunner().invoke(main, ["--format", "json", *args])


def rows(result: Result, key: str = "findings") -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)[key]]


def notebook(*lines: str) -> str:
    cell = {"cell_type": "code", "metadata": {}, "source": [f"{line}\n" for line in lines]}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4}, indent=1)


# (file, text, line of the finding) — each ignore names the rule and gives a reason.
IGNORED_IN_EVERY_KIND = [
    ("train.py", f'KEY = "{AWS_KEY}"  # mllint-wa: ignore[hardcoded-secret] a test key\n', 1),
    ("ops.py", f'# mllint-wa: ignore[DP001] a test key\nKEY = "{AWS_KEY}"\n', 2),
    (
        "explore.ipynb",
        notebook("# mllint-wa: ignore[hardcoded-secret] a test key", f'key = "{AWS_KEY}"'),
        8,
    ),
    ("config.yaml", f"# mllint-wa: ignore[hardcoded-secret] a test key\nkey: {AWS_KEY}\n", 2),
    ("settings.toml", f'key = "{AWS_KEY}"  # mllint-wa: ignore[hardcoded-secret] test\n', 1),
    (
        "main.tf",
        f'/*\n mllint-wa: ignore[hardcoded-secret] a test key\n*/ access_key = "{AWS_KEY}"\n',
        3,
    ),
    ("vars.tf", f'access_key = "{AWS_KEY}" // mllint-wa: ignore[hardcoded-secret] test\n', 1),
    ("Dockerfile", f"# mllint-wa: ignore[hardcoded-secret] a test key\nENV KEY={AWS_KEY}\n", 2),
    ("deploy.sh", f"export KEY={AWS_KEY}  # mllint-wa: ignore[hardcoded-secret] test\n", 1),
    (
        "deploy.cfg",
        f"[aws]\n; mllint-wa: ignore[hardcoded-secret] a test key\nkey = {AWS_KEY}\n",
        3,
    ),
]


@pytest.mark.parametrize(("name", "text", "line"), IGNORED_IN_EVERY_KIND)
def test_an_ignore_comment_suppresses_the_finding_on_its_line_or_the_next(
    repo: Path, name: str, text: str, line: int
) -> None:
    (repo / name).write_text(text, encoding="utf-8")
    without = (repo / name).read_text(encoding="utf-8").replace("mllint-wa:", "nothing:")
    result = lint("--select", SECRET_RULES)
    assert rows(result) == []
    assert rows(result, "suppressed") == [("DP001", name, line)]
    (suppressed,) = json.loads(result.stdout)["suppressed"]
    assert suppressed["suppression"]["kind"] == "inline"
    assert suppressed["suppression"]["justification"].startswith(("a test key", "test"))
    assert result.exit_code == 0
    (repo / name).write_text(without, encoding="utf-8")
    assert rows(lint("--select", SECRET_RULES)) == [("DP001", name, line)]


def test_an_ignore_in_markdown_is_an_html_comment(repo: Path) -> None:
    write(
        repo,
        {
            "lens.toml": 'schema_version = 1\n[model]\ncard = "MODEL_CARD.md"\n',
            "MODEL_CARD.md": "# Churn <!-- mllint-wa: ignore[MD041] kept in the registry -->\n",
        },
    )
    result = lint("--select", "MD041,LN011,LN012")
    assert rows(result) == []
    assert rows(result, "suppressed") == [("MD041", "MODEL_CARD.md", 1)]


def test_an_ignore_in_lens_toml(repo: Path) -> None:
    write(repo, {"lens.toml": '[business]\ngoal = "TODO"  # mllint-wa: ignore[BG001] Q1 review\n'})
    result = lint("--select", "BG001,LN011,LN012")
    assert rows(result) == []
    assert json.loads(result.stdout)["suppressed"][0]["suppression"] == {
        "kind": "inline",
        "by": "lens.toml:2",
        "justification": "Q1 review",
    }
    assert json.loads(result.stdout)["summary"]["inline"] == 1


def test_a_marker_inside_a_string_is_no_ignore(repo: Path) -> None:
    write(repo, {"train.py": f'KEY = "{AWS_KEY}"; NOTE = "# mllint-wa: ignore[DP001] no"\n'})
    assert rows(lint("--select", SECRET_RULES)) == [("DP001", "train.py", 1)]
    assert list(python_comments('x = "# mllint-wa: ignore[A] r"\n', "mllint-wa:")) == []
    assert list(hash_comments('x: "# mllint-wa: ignore[A] r"\n', "mllint-wa:")) == []
    assert list(hash_comments("x: it's  # mllint-wa: ignore[A] r\n", "mllint-wa:")) == [
        (1, 12, "mllint-wa: ignore[A] r")
    ]


def test_an_ignore_without_reason_still_suppresses_and_is_reported(repo: Path) -> None:
    write(repo, {"train.py": f'KEY = "{AWS_KEY}"  # mllint-wa: ignore[hardcoded-secret]\n'})
    result = lint("--select", SECRET_RULES)
    assert rows(result) == [("LN011", "train.py", 1)]
    assert json.loads(result.stdout)["findings"][0]["message"] == (
        "`mllint-wa: ignore[hardcoded-secret]` gives no reason: say why the finding is accepted"
    )
    assert rows(result, "suppressed") == [("DP001", "train.py", 1)]
    assert result.exit_code == 1


def test_an_unused_ignore_is_reported_only_for_rules_that_ran(repo: Path) -> None:
    write(
        repo,
        {
            "train.py": """
                # mllint-wa: ignore[hardcoded-secret] the key was rotated out
                KEY = read_key()
                x = 1  # mllint-wa: ignore[hardcoded-secrets, BG001] typo, and a rule elsewhere
            """
        },
    )
    result = lint("--select", SECRET_RULES)
    assert [
        (f["code"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]
    ] == [
        (
            "LN012",
            1,
            "`mllint-wa: ignore[hardcoded-secret]`: no DP001 (hardcoded-secret) finding on this "
            "line or the next",
        ),
        (
            "LN012",
            3,
            "`mllint-wa: ignore[hardcoded-secrets, BG001]`: `hardcoded-secrets` names no rule; "
            "did you mean `hardcoded-secret`?",
        ),
    ]
    # hardcoded-secret did not run: its ignore is not judged; the misspelt name still is.
    assert rows(lint("--select", "LN012")) == [("LN012", "train.py", 3)]


def test_forbidden_inline_ignores_suppress_nothing_and_are_reported(repo: Path) -> None:
    write(repo, {"train.py": f'KEY = "{AWS_KEY}"  # mllint-wa: ignore[hardcoded-secret]\n'})
    expected = [("DP001", "train.py", 1), ("LN013", "train.py", 1)]
    assert rows(lint("--select", SECRET_RULES, "--no-inline-ignores")) == expected
    write(repo, {"pyproject.toml": "[tool.mllint-wa]\ninline-ignores = false\n"})
    forbidden = lint("--select", SECRET_RULES)
    assert rows(forbidden) == expected
    assert json.loads(forbidden.stdout)["suppressed"] == []


def test_a_non_boolean_inline_ignores_setting_is_a_configuration_error(repo: Path) -> None:
    write(repo, {"pyproject.toml": '[tool.mllint-wa]\ninline-ignores = "no"\n'})
    result = lint()
    assert result.exit_code == 2
    assert "`inline-ignores` must be true or false, not 'no'" in result.stderr


def test_sarif_carries_suppressed_findings_and_stays_valid(repo: Path) -> None:
    write(
        repo,
        {
            "train.py": f'KEY = "{AWS_KEY}"  # mllint-wa: ignore[hardcoded-secret] test key\n',
            "lens.toml": """
                schema_version = 1
                [business]
                goal = "TODO"
                [waivers.BG001]
                reason = "agreed in Q1"
                owner = "jane@example.com"
                expires = 2999-01-01
            """,
        },
    )
    result = CliRunner().invoke(main, ["--format", "sarif", "--select", "DP001,BG001"])
    document = json.loads(result.stdout)
    assert list(Draft4Validator(SARIF_SCHEMA).iter_errors(document)) == []
    suppressions = {r["ruleId"]: r["suppressions"] for r in document["runs"][0]["results"]}
    assert suppressions == {
        "BG001": [
            {
                "kind": "external",
                "status": "accepted",
                "justification": "agreed in Q1 (jane@example.com, until 2999-01-01)",
            }
        ],
        "DP001": [{"kind": "inSource", "status": "accepted", "justification": "test key"}],
    }
    assert result.exit_code == 0


# -- expired waivers ------------------------------------------------------------------------------


def test_an_expired_waiver_brings_its_finding_back_with_expired_waiver(repo: Path) -> None:
    write(
        repo,
        {
            "lens.toml": """
                schema_version = 1
                [business]
                goal = "TODO"

                [waivers.BG001]
                reason = "agreed in Q1"
                owner = "jane@example.com"
                expires = 2020-01-01
            """
        },
    )
    result = lint("--select", "BG001,LN007,LN014")
    assert rows(result) == [("BG001", "lens.toml", 3), ("LN014", "lens.toml", 5)]
    assert json.loads(result.stdout)["findings"][1]["message"] == (
        "waiver `waivers.BG001` expired on 2020-01-01; its findings are reported again"
    )
    assert result.exit_code == 1


# -- baselines ------------------------------------------------------------------------------------

TWO_FINDINGS = {
    "lens.toml": 'schema_version = 1\n[business]\ngoal = "TODO"\n',
    "src/train.py": f'import os\nKEY = "{AWS_KEY}"\n',
}


def test_a_baseline_survives_lines_inserted_above_every_finding(repo: Path) -> None:
    write(repo, TWO_FINDINGS)
    written = lint("--select", "BG001,DP001", "--write-baseline", "baseline.json")
    assert written.exit_code == 0, written.stderr
    assert "recorded 2 findings in the baseline baseline.json" in written.stderr
    baseline = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert baseline["version"] == 1
    assert [(e["code"], e["path"]) for e in baseline["findings"]] == [
        ("BG001", "lens.toml"),
        ("DP001", "src/train.py"),
    ]
    assert sorted(baseline["findings"][0]) == ["code", "fingerprint", "message", "name", "path"]

    for name in TWO_FINDINGS:
        path = repo / name
        path.write_text("# moved down\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    again = lint("--select", "BG001,DP001", "--baseline", "baseline.json")
    assert rows(again) == []
    assert json.loads(again.stdout)["summary"]["baseline"] == 2
    assert again.exit_code == 0
    text = CliRunner().invoke(main, ["--select", "BG001,DP001", "--baseline", "baseline.json"])
    assert text.stdout == "All checks passed; 2 in the baseline.\n"

    (repo / "src" / "new.py").write_text(f'OTHER = "{AWS_KEY}"\n', encoding="utf-8")
    new = lint("--select", "BG001,DP001", "--baseline", "baseline.json")
    assert rows(new) == [("DP001", "src/new.py", 1)]
    assert new.exit_code == 1


def test_baseline_prune_drops_entries_that_match_nothing(repo: Path) -> None:
    write(repo, TWO_FINDINGS)
    lint("--select", "BG001,DP001", "--write-baseline", "baseline.json")
    (repo / "src" / "train.py").write_text("import os\n", encoding="utf-8")
    hinted = lint("--select", "BG001,DP001", "--baseline", "baseline.json")
    assert "1 entries of the baseline baseline.json match no finding any more" in hinted.stderr
    # An entry of a rule that did not run is not judged.
    assert lint("--select", "BG001", "--baseline", "baseline.json").stderr == ""
    pruned = lint("--select", "BG001,DP001", "--baseline", "baseline.json", "--baseline-prune")
    assert "dropped from the baseline: src/train.py DP001" in pruned.stderr
    kept = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))["findings"]
    assert [e["code"] for e in kept] == ["BG001"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "baseline baseline.json is not JSON (line 1)"),
        (
            '{"version": 1}',
            "baseline baseline.json is not a mllint-wa baseline (no `findings` list)",
        ),
        ('{"version": 9, "findings": []}', "baseline baseline.json has version 9"),
        ('{"version": 1, "findings": [{"code": 1}]}', "baseline baseline.json: finding 1 needs"),
    ],
)
def test_a_malformed_baseline_is_a_one_line_error(repo: Path, content: str, message: str) -> None:
    (repo / "baseline.json").write_text(content, encoding="utf-8")
    result = lint("--baseline", "baseline.json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mllint-wa: error: {message}")
    assert result.stderr.count("\n") == 1


def test_the_baseline_is_never_written_over_a_file_the_run_reads(repo: Path) -> None:
    result = lint("--write-baseline", "lens.toml")
    assert result.exit_code == 2
    assert "refusing to write the baseline over lens.toml: this run reads it" in result.stderr
    assert (repo / "lens.toml").read_text(encoding="utf-8") == "schema_version = 1\n"


def test_baseline_prune_needs_a_baseline(repo: Path) -> None:
    result = lint("--baseline-prune")
    assert result.exit_code == 2
    assert result.stderr == "mllint-wa: error: --baseline-prune needs --baseline FILE\n"
