"""GitHub Actions workflow commands: one annotation a finding, shown on the pull request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mllint_wa.model import Risk
from mllint_wa.report import ReportOptions, printable
from mllint_wa.report.text_report import summary

if TYPE_CHECKING:
    from mllint_wa.runner import RunResult

LEVELS = {Risk.HIGH: "error", Risk.MEDIUM: "warning", Risk.LOW: "notice"}


def _escape_data(text: str) -> str:
    # As actions/toolkit's command.ts escapes a message: "%" first.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: RunResult, options: ReportOptions) -> str:
    lines = []
    for f in result.findings:
        # Relative to the repository root, as the Actions runner resolves annotation files.
        path = printable(f.repository_path or f.path)
        properties = ",".join(
            (
                f"file={_escape_property(path)}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_escape_property(f'{f.rule.code} {f.rule.name}')}",
            )
        )
        lines.append(f"::{LEVELS[f.rule.risk]} {properties}::{_escape_data(printable(f.message))}")
    if not options.quiet:
        lines.append(summary(result))
    return "".join(f"{line}\n" for line in lines)
