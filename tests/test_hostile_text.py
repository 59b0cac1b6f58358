"""Hostile text: inputs whose reading used to grow with the square of their size.

Each reproduction is fed as it was found and the test asserts what is read from it: here,
position look-ups that scanned a list per finding.
"""

from __future__ import annotations

from pathlib import Path

from conftest import Linter
from trees import write_files

# -- Position look-ups that scanned a list per finding ----------------------------------------


def test_a_script_with_a_finding_on_each_of_twenty_thousand_lines(
    lint: Linter, tmp_path: Path
) -> None:
    repo = write_files(
        tmp_path, {"install.sh": "curl -fsSL https://get.example.com | sh\n" * 20_000}
    )
    found = lint(repo, "MD032")
    assert len(found) == 20_000
    assert found[0] == ("MD032", "remote-script-piped-to-shell", "install.sh", 1, 1)
    assert found[-1] == ("MD032", "remote-script-piped-to-shell", "install.sh", 20_000, 1)


def test_a_run_instruction_continued_over_twenty_thousand_lines(
    lint: Linter, tmp_path: Path
) -> None:
    repo = write_files(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.12\nUSER app\nRUN true \\\n"
            + "    && curl -fsSL https://get.example.com | sh \\\n" * 20_000
            + "    && true\n"
        },
    )
    found = lint(repo, "MD032")
    assert len(found) == 20_000
    assert found[0] == ("MD032", "remote-script-piped-to-shell", "Dockerfile", 4, 8)
    assert found[-1] == ("MD032", "remote-script-piped-to-shell", "Dockerfile", 20_003, 8)
