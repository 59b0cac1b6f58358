"""`mllint-wa init`: a manifest that parses and fits the schema but does not pass by itself."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa import atomic
from mllint_wa.cli import main
from mllint_wa.manifest import parse_manifest
from mllint_wa.parsers.tomlcompat import tomllib
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


# -- any folder name makes a manifest that parses and names the folder ------------------------

# Names a folder can have on Linux: anything but "/" and NUL; non-UTF-8 bytes arrive as
# surrogates (os.fsdecode), as Python hands them out.
NON_UTF8 = (
    st.lists(st.integers(0x80, 0xFF), min_size=1, max_size=3)
    .map(bytes)
    .map(lambda raw: raw.decode("utf-8", "surrogateescape"))
)
NAME_PART = st.one_of(
    st.text(
        st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(
        ['"', "\\", "\n", "\t", "\r", "\x1b", "\x7f", '"\nstage = "production"\n#', "'''", '"""']
    ),
    NON_UTF8,
)
FOLDER_NAMES = (
    st.lists(NAME_PART, min_size=1, max_size=4)
    .map("".join)
    .filter(lambda name: name not in (".", "..") and len(os.fsencode(name)) <= 200)
)


def expected_name(name: str) -> str:
    # Non-UTF-8 bytes cannot be written in TOML: each becomes U+FFFD.
    return "".join("\ufffd" if "\udc80" <= ch <= "\udcff" else ch for ch in name)


@settings(max_examples=60, deadline=None)
@given(name=FOLDER_NAMES)
def test_init_writes_a_manifest_that_parses_for_any_folder_name(name: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / name
        folder.mkdir()
        result = CliRunner().invoke(main, ["init", str(folder)])
        assert result.exit_code == 0, result.output
        text = (folder / "lens.toml").read_text(encoding="utf-8")
        document = tomllib.loads(text)
        assert document["project"]["name"] == expected_name(name)
        assert document["project"]["stage"] == "discovery"
        assert parse_manifest(text).problems == ()


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ('quo"te', 'name = "quo\\"te"'),
        ("back\\slash", 'name = "back\\\\slash"'),
        ("new\nline", 'name = "new\\nline"'),
        ('x"\nstage = "production"\n#', 'name = "x\\"\\nstage = \\"production\\"\\n#"'),
        ("bell\x07", 'name = "bell\\u0007"'),
        ("caf" + b"\xe9".decode("utf-8", "surrogateescape"), 'name = "caf\ufffd"'),
    ],
)
def test_the_folder_name_is_written_as_one_escaped_toml_string(name: str, line: str) -> None:
    written = next(x for x in scaffold(name).splitlines() if x.startswith("name = "))
    assert written.split("  #")[0] == line


def test_init_that_fails_to_write_leaves_no_manifest_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"mllint-wa: error: cannot write {tmp_path}/lens.toml: No space left on device\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_init_never_replaces_a_manifest_that_is_a_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / "lens.toml").symlink_to("elsewhere.toml")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert (tmp_path / "lens.toml").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lens.toml"]
