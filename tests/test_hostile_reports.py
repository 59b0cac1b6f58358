"""Hostile names in reports: a credential in a file or folder name, control characters in it.

A secret is redacted in every field of every format, the path included: the report names the
file by its redacted form (``ghp_…7r8.ipynb``), which still tells which file it is, and the
fingerprint is computed from that form too, so that no report holds even a hash of it. A
name's control characters (ESC, BEL) and bidirectional controls are escaped in every field
that shows it to people; the fields that name the file for a tool carry it in the format's own
escaping (JSON, a SARIF URI), and GitHub's ``file`` property, which cannot, is left out: the
annotation goes on the run, its location in the text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mllint_wa.cli import main
from mllint_wa.model import fingerprint
from mllint_wa.report import FORMATS
from trees import write_files

TOKEN = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
FOLDER_TOKEN = "ghs_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
ODD = "odd\x1b[2J\x07\u202egnp.ipynb"
RAW_CONTROLS = ("\x1b", "\x07", "\u202e")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project whose broken notebooks are named with a token and with control characters,
    and a project nested in a folder named with another token."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return write_files(
        root,
        {
            "lens.toml": "schema_version = 1\n",
            f"notebooks/{TOKEN}.ipynb": "{broken",
            f"notebooks/{ODD}": "{broken",
            f"svc-{FOLDER_TOKEN}/lens.toml": "schema_version = 1\n",
            f"svc-{FOLDER_TOKEN}/broken.ipynb": "{broken",
        },
    )


def report(repo: Path, format_name: str, select: str = "LN009") -> str:
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        result = CliRunner().invoke(main, ["--select", select, "--format", format_name])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1, result.output
    return result.stdout


@pytest.mark.parametrize("format_name", FORMATS)
def test_no_format_prints_a_secret_or_a_control_character_from_a_name(repo, format_name):
    out = report(repo, format_name)
    for secret in (TOKEN, FOLDER_TOKEN):
        assert not any(secret[i : i + 8] in out for i in range(len(secret) - 7)), secret
    assert [char for char in RAW_CONTROLS if char in out] == []
    assert "7r8" in out and "3i2" in out  # the findings are there, their names redacted


def test_json_names_each_file_by_its_redacted_path(repo):
    findings = json.loads(report(repo, "json"))["findings"]
    assert [(f["path"], f["project"]) for f in findings] == [
        ("notebooks/ghp_…7r8.ipynb", "."),
        (f"notebooks/{ODD}", "."),
        ("svc-ghs_…3i2/broken.ipynb", "svc-ghs_…3i2"),
    ]
    shown = "notebooks/ghp_…7r8.ipynb"
    assert findings[0]["message"].startswith(f"`{shown}` is not valid JSON")
    # LN009's anchor is the path: the fingerprint hashes the redacted name twice.
    assert findings[0]["fingerprint"] == fingerprint("LN009", shown, shown, "")


def test_sarif_uris_are_redacted_and_percent_encoded(repo):
    (run,) = json.loads(report(repo, "sarif"))["runs"]
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    ]
    assert uris == [
        "notebooks/ghp_%E2%80%A67r8.ipynb",
        "notebooks/odd%1B%5B2J%07%E2%80%AEgnp.ipynb",
        "svc-ghs_%E2%80%A63i2/broken.ipynb",
    ]


def test_github_names_no_file_it_cannot_name_exactly(repo):
    annotations = report(repo, "github").splitlines()[:3]
    assert annotations[0].startswith(
        "::notice file=notebooks/ghp_…7r8.ipynb,line=1,col=2,title=LN009 unparseable-file::"
    )
    # No `file` property: the runner would print ESC, BEL and U+202E as they are.
    shown = "notebooks/odd\\x1b[2J\\x07\\u202egnp.ipynb"
    title = "::notice title=LN009 unparseable-file::"
    assert annotations[1].startswith(f"{title}{shown}:1:2: `{shown}`")
    assert annotations[2].startswith("::notice file=svc-ghs_…3i2/broken.ipynb,")


def test_the_related_places_of_a_folded_finding_are_redacted_too(tmp_path):
    cells = [
        {"cell_type": "code", "source": [source], "metadata": {}, "outputs": []}
        for source in ('k = "AKIAZ7Y6X5W4V3U2TMLK"\n', 'j = "ASIAQ2R3S4T5U6V7W8XY"\n')
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    root = write_files(
        tmp_path,
        {"lens.toml": "schema_version = 1\n", f"{TOKEN}.ipynb": json.dumps(notebook, indent=1)},
    )
    (root / ".git").mkdir()
    out = report(root, "json", "DP001")
    (finding,) = json.loads(out)["findings"]
    assert [place["path"] for place in finding["related"]] == ["ghp_…7r8.ipynb"]
    assert TOKEN[4:12] not in out
