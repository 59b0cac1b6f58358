"""The command never ends in a traceback, never clobbers its inputs, and never lets a file
name or an argument drive the terminal: every failure is one line on stderr and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mllint_wa import atomic
from mllint_wa.cli import main
from mllint_wa.config import pyproject_layer
from mllint_wa.registry import load_rules

LENS = 'schema_version = 1\n\n[project]\nname = "churn"\n\n[business]\ngoal = "TODO"\n'
COMMAND = [sys.executable, "-m", "mllint_wa"]


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    load_rules.cache_clear()
    pyproject_layer.cache_clear()
    yield
    pyproject_layer.cache_clear()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "lens.toml").write_text(LENS, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.stderr.splitlines()
    assert line.startswith("mllint-wa: error: ")
    return line


# -- a standard output that cannot take the report ---------------------------------------------


def _shell(command: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    args = " ".join(f"'{arg}'" for arg in COMMAND)
    return subprocess.run(
        ["sh", "-c", f"exec {args} {command}"],
        cwd=cwd,
        capture_output=False,
        stderr=subprocess.PIPE,
        stdout=None if ">" in command else subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "command", ["", "rules", "explain BG001", "--format sarif", "--version", "check --help"]
)
def test_a_full_standard_output_is_one_line_and_exit_2(project: Path, command: str) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    result = _shell(f"{command} >/dev/full", project)
    assert (result.returncode, result.stderr.decode()) == (
        2,
        "mllint-wa: error: cannot write to standard output: No space left on device\n",
    )


@pytest.mark.parametrize("command", ["", "rules", "explain BG001"])
def test_a_closed_standard_output_is_one_line_and_exit_2(project: Path, command: str) -> None:
    result = _shell(f"{command} >&-", project)
    assert (result.returncode, result.stderr.decode()) == (
        2,
        "mllint-wa: error: cannot write to standard output: it is closed\n",
    )


def test_without_stdout_and_stderr_the_exit_code_still_tells(project: Path) -> None:
    assert _shell(">&- 2>&-", project).returncode == 2


def test_a_reader_that_went_away_is_one_line_and_exit_2(project: Path) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # closed before the command starts: its first write meets EPIPE
    try:
        result = subprocess.run(
            [*COMMAND, "rules"], cwd=project, stdout=writer, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(writer)
    assert result.returncode == 2
    assert result.stderr.decode() == (
        "mllint-wa: error: cannot write to standard output: Broken pipe\n"
    )


# -- a report never replaces what the run reads -------------------------------------------------


def _hard_link(project: Path) -> str:
    os.link(project / "lens.toml", project / "report.txt")
    return "report.txt"


def _symlink(project: Path) -> str:
    (project / "report.txt").symlink_to("lens.toml")
    return "report.txt"


@pytest.mark.parametrize(
    ("make_output", "extra", "shown"),
    [
        (lambda p: "lens.toml", [], "lens.toml"),
        (lambda p: "./lens.toml", [], "lens.toml"),
        (_symlink, [], "report.txt (it is "),
        (_hard_link, [], "report.txt (it is lens.toml)"),
        (lambda p: "pyproject.toml", [], "pyproject.toml"),
        (lambda p: "settings.toml", ["--config", "settings.toml"], "settings.toml"),
        (lambda p: "svc/lens.toml", [], "svc/lens.toml"),
        # A project the settings exclude still has its manifest read.
        (lambda p: "old/lens.toml", ["--exclude", "old"], "old/lens.toml"),
        (lambda p: "lens.toml", ["lens.toml"], "lens.toml"),
    ],
)
def test_a_report_is_never_written_over_an_input(
    project: Path, make_output: Callable[[Path], str], extra: list[str], shown: str
) -> None:
    (project / "pyproject.toml").write_text("[tool.other]\n", encoding="utf-8")
    (project / "settings.toml").write_text("fail_on = 'high'\n", encoding="utf-8")
    for sub in ("svc", "old"):
        (project / sub).mkdir()
        (project / sub / "lens.toml").write_text(LENS, encoding="utf-8")
    before = {p: p.read_bytes() for p in project.rglob("*.toml")}
    output = make_output(project)
    line = one_error_line(invoke(*extra, "-o", output))
    assert line.startswith(f"mllint-wa: error: refusing to write the report over {shown}")
    assert line.endswith(": this run reads it")
    assert {p: p.read_bytes() for p in project.rglob("*.toml")} == before


def test_a_report_is_written_over_an_earlier_report_and_through_a_symlink(project: Path) -> None:
    (project / "out").mkdir()
    (project / "out" / "report.txt").write_text("old\n", encoding="utf-8")
    (project / "latest.txt").symlink_to("out/report.txt")
    assert invoke("-o", "latest.txt").exit_code == 1
    assert (project / "latest.txt").is_symlink()
    assert (project / "out" / "report.txt").read_text(encoding="utf-8").startswith("lens.toml:")
    assert sorted(p.name for p in (project / "out").iterdir()) == ["report.txt"]


def test_a_failing_write_keeps_the_earlier_report_whole(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "report.txt").write_text("the earlier report\n", encoding="utf-8")

    def disk_full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    line = one_error_line(invoke("-o", "report.txt"))
    assert line == "mllint-wa: error: cannot write report.txt: No space left on device"
    assert (project / "report.txt").read_text(encoding="utf-8") == "the earlier report\n"
    assert sorted(p.name for p in project.iterdir()) == [".git", "lens.toml", "report.txt"]


def test_a_new_report_gets_the_usual_file_mode(project: Path) -> None:
    mask = os.umask(0o022)
    try:
        invoke("-o", "report.txt")
    finally:
        os.umask(mask)
    assert (project / "report.txt").stat().st_mode & 0o777 == 0o644


# -- one line, whatever the user typed ----------------------------------------------------------


def test_a_path_that_does_not_exist_is_one_line(project: Path) -> None:
    line = one_error_line(invoke("no-such-path"))
    assert "no-such-path" in line and "does not exist" in line


@pytest.mark.parametrize(
    "args",
    [
        ["explain", "\x1b[31mred"],
        ["\x1b[2Jgone"],
        ["--select", "\x1b]0;title\x07"],
        ["--format", "\x1b[31m"],
        ["-o", "no\x1b[31m/dir/report.txt"],
        ["init", "no\x1b[31m"],
    ],
)
def test_what_the_user_typed_is_echoed_with_control_characters_escaped(
    project: Path, args: list[str]
) -> None:
    line = one_error_line(invoke(*args))
    assert "\x1b" not in line and "\x07" not in line
    assert "\\x1b" in line


def test_a_control_character_in_a_linted_name_is_escaped_on_stderr(project: Path) -> None:
    os.mkfifo(project / "pipe\x1b[31m")
    line = one_error_line(invoke("pipe\x1b[31m"))
    assert line == "mllint-wa: error: pipe\\x1b[31m: not a regular file"


def test_init_says_where_it_wrote_without_control_characters(tmp_path: Path) -> None:
    folder = tmp_path / "new\nline"
    folder.mkdir()
    result = invoke("init", str(folder))
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert line.startswith("wrote ") and "new\\nline/lens.toml" in line


def test_a_report_can_still_go_to_a_device(project: Path) -> None:
    # /dev/null has no folder to write a temporary file in: it is written as it is.
    assert invoke("-o", os.devnull).exit_code == 1
    assert sorted(p.name for p in Path("/dev").glob(".null.*")) == []
