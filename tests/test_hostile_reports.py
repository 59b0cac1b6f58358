"""Hostile names in reports: control characters in a file name.

A name's control characters (ESC, BEL) and bidirectional controls are escaped in every field
that shows it to people; the fields that name the file for a tool carry it in the format's own
escaping (JSON, a SARIF URI), and GitHub's ``file`` property, which cannot, is left out: the
annotation goes on the run, its location in the text.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mllint_wa.cli import main
from mllint_wa.report import FORMATS
from trees import write_files

ODD = "odd\x1b[2J\x07\u202egnp.ipynb"
RAW_CONTROLS = ("\x1b", "\x07", "\u202e")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project whose broken notebook is named with control characters."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return write_files(root, {"lens.toml": "schema_version = 1\n", f"notebooks/{ODD}": "{broken"})


def report(repo: Path, format_name: str) -> str:
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        result = CliRunner().invoke(main, ["--select", "LN009", "--format", format_name])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1, result.output
    return result.stdout


@pytest.mark.parametrize("format_name", FORMATS)
def test_no_format_prints_a_control_character_from_a_name(repo, format_name):
    out = report(repo, format_name)
    assert [char for char in RAW_CONTROLS if char in out] == []
    assert "gnp.ipynb" in out  # the finding is there


def test_github_names_no_file_it_cannot_name_exactly(repo):
    (annotation, _) = report(repo, "github").split("\n", 1)
    # No `file` property: the runner would print ESC, BEL and U+202E as they are.
    shown = "notebooks/odd\\x1b[2J\\x07\\u202egnp.ipynb"
    title = "::notice title=LN009 unparseable-file::"
    assert annotation.startswith(f"{title}{shown}:1:2: `{shown}`")
