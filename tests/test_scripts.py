"""The scripts that ship in scripts/: each one answers --help, and each one's real work runs
here (the screenshot script up to the point where it would start Chromium)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mllint_wa.registry import load_rules
from mllint_wa.report.rules_doc import render_rules_doc

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
ALL_SCRIPTS = sorted(SCRIPTS.glob("*.py"))


def script(name: str) -> ModuleType:
    """A script imported as a module, without running its main()."""
    spec = importlib.util.spec_from_file_location(f"script_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", ALL_SCRIPTS, ids=[p.stem for p in ALL_SCRIPTS])
def test_every_script_answers_help(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(path), "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: {path.name}")


def test_the_screenshot_script_builds_both_pages_without_chromium(tmp_path: Path) -> None:
    pages = script("screenshot_html").write_pages(tmp_path / "shots")
    assert [(page.name, count > 0) for page, count in pages] == [
        ("example.html", True),
        ("large.html", True),
    ]
    assert pages[1][1] == 3000
    large = pages[1][0].read_text(encoding="utf-8")
    assert large.startswith("<!DOCTYPE html>")
    # The hostile file names of the large run are shown, not run.
    assert "<script>alert(1)</script>" not in large
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in large


def test_the_screenshot_script_without_chromium_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = script("screenshot_html")
    monkeypatch.setattr(module.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match="chromium is not installed: apt-get install -y chromium"):
        module.main([str(tmp_path)])
    assert list(tmp_path.iterdir()) == []


def test_update_rules_doc_writes_the_rules_documentation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = script("update_rules_doc")
    monkeypatch.setattr(module, "TARGET", tmp_path / "rules.md")
    module.main([])
    assert (tmp_path / "rules.md").read_text(encoding="utf-8") == render_rules_doc(load_rules())


def test_update_readme_rules_rewrites_only_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = script("update_readme_rules")
    current = module.README.read_text(encoding="utf-8")
    head, rest = current.split(module.START, 1)
    _, tail = rest.split(module.END, 1)
    stale = tmp_path / "README.md"
    stale.write_text(f"{head}{module.START}| stale |\n{module.END}{tail}", encoding="utf-8")
    monkeypatch.setattr(module, "README", stale)
    module.main([])
    assert stale.read_text(encoding="utf-8") == current
