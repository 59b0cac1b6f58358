"""Render the HTML report to PNG with headless Chromium, to look at it as a reader would.

    python scripts/screenshot_html.py [OUT_DIR]      (default: ./screenshots)

Writes ``example.html/.png`` (the bundled examples/churn-predictor, at the production
stage so that every phase's rules run) and ``large.html/.png`` (a synthetic run of 3,000
findings over every rule, with hostile file names). Needs Debian's ``chromium`` package
(``apt-get install -y chromium``). Not a test: nothing here asserts anything. Chromium is
run with its network features off and a throw-away profile; the page itself forbids any
request through its Content-Security-Policy.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mllint_wa.config import Layer
from mllint_wa.model import Finding, Stage, fingerprint
from mllint_wa.registry import load_rules
from mllint_wa.report import ReportOptions, render
from mllint_wa.runner import ProjectReport, RunOptions, RunResult, run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "churn-predictor"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)
WINDOW = "1400,2000"


def example_run() -> RunResult:
    return run([EXAMPLE], RunOptions(cli=Layer("script"), stage=Stage.PRODUCTION))


def large_run(count: int = 3000) -> RunResult:
    rules = load_rules()
    findings = []
    for i in range(count):
        rule = rules[(i * 7) % len(rules)]
        name = "<script>alert(1)</script>" if i % 97 == 0 else "lens"
        path = f"services/svc-{i % 40}/{name}.toml"
        message = f"`key.{i}` is missing: finding number {i} <b>not bold</b> & more"
        findings.append(
            Finding(
                rule=rule,
                path=path,
                line=1 + i % 300,
                column=1,
                message=message,
                project=f"services/svc-{i % 40}",
                fingerprint=fingerprint(rule.code, path, f"key.{i}", message),
            )
        )
    findings.sort(key=lambda f: f.sort_key)
    projects = [
        ProjectReport(
            root=f"services/svc-{n}",
            manifest=f"services/svc-{n}/lens.toml",
            stage=Stage.PRODUCTION,
            rules_run=tuple(rule.code for rule in rules),
            applicable=rules,
        )
        for n in range(40)
    ]
    return RunResult(
        projects=projects,
        findings=findings,
        failing=findings,
        ran={rule.code for rule in rules},
    )


def write_pages(out: Path) -> list[tuple[Path, int]]:
    """Write the HTML report of each run into ``out``: each page, with its number of
    findings."""
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for name, result in (("example", example_run()), ("large", large_run())):
        page = out / f"{name}.html"
        page.write_text(render("html", result, ReportOptions()), encoding="utf-8")
        pages.append((page, len(result.findings)))
    return pages


def chromium() -> str:
    """The Chromium executable; the script stops, saying how to install it, without one."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed: apt-get install -y chromium")
    return browser


def screenshot(browser: str, html_file: Path, png: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={WINDOW}",
                html_file.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Render the HTML report to PNG with headless Chromium."
    )
    parser.add_argument("out_dir", nargs="?", default="screenshots", type=Path)
    out: Path = parser.parse_args(argv).out_dir
    browser = chromium()
    for page, count in write_pages(out):
        png = page.with_suffix(".png")
        screenshot(browser, page, png)
        print(f"{png}: {count} findings")


if __name__ == "__main__":
    main()
