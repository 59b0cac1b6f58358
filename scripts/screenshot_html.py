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

import shutil
import subprocess
import sys
import tempfile
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
            ran=tuple(rules),
        )
        for n in range(40)
    ]
    return RunResult(projects=projects, findings=findings, failing=findings)


def screenshot(html_file: Path, png: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed: apt-get install -y chromium")
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


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for name, result in (("example", example_run()), ("large", large_run())):
        page = out / f"{name}.html"
        page.write_text(render("html", result, ReportOptions()), encoding="utf-8")
        screenshot(page, out / f"{name}.png")
        print(f"{out / (name + '.png')}: {len(result.findings)} findings")


if __name__ == "__main__":
    main()
