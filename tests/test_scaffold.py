"""`mllint-wa init`: a manifest that parses and fits the schema but does not pass by itself."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from mllint_wa.cli import main
from mllint_wa.manifest import parse_manifest
from mllint_wa.scaffold import scaffold


def test_scaffold_fits_the_schema_without_a_single_schema_problem() -> None:
    load = parse_manifest(scaffold("demo"))
    assert load.manifest is not None
    assert load.problems == ()
    assert load.manifest.get("project.name") == "demo"
    assert load.manifest.get("project.stage") == "discovery"


def test_scaffold_still_fails_the_rules_that_need_real_answers(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path)]).exit_code == 0
    result = runner.invoke(main, ["--select", "BG001,PF002", "--no-color", str(tmp_path)])
    assert result.exit_code == 1
    lines = [line.split(" ", 2)[1] for line in result.output.splitlines() if "lens.toml:" in line]
    assert lines == ["BG001", "PF002"]


def test_init_refuses_to_overwrite_a_manifest(tmp_path: Path) -> None:
    (tmp_path / "lens.toml").write_text("schema_version = 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert (tmp_path / "lens.toml").read_text(encoding="utf-8") == "schema_version = 1\n"
