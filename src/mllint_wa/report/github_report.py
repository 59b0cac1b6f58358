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


def _location(path: str, line: int, column: int) -> list[str] | None:
    """The file, line and column properties, or None for a path that no annotation can name.

    The runner unescapes property values, so ``file`` carries the path itself, newlines and
    all (``%0A``), and resolves to the file. Non-UTF-8 bytes cannot cross the runner's UTF-8
    decoding: such a finding is annotated on the run, its location in the message.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return [f"file={_escape_property(path)}", f"line={line}", f"col={column}"]


def render(result: RunResult, options: ReportOptions) -> str:
    lines = []
    for f in result.findings:
        # Relative to the repository root, as the Actions runner resolves annotation files.
        path = f.repository_path or f.path
        location = _location(path, f.line, f.column)
        message = printable(f.message)
        if location is None:
            message = f"{printable(path)}:{f.line}:{f.column}: {message}"
        properties = ",".join(
            [*(location or []), f"title={_escape_property(f'{f.rule.code} {f.rule.name}')}"]
        )
        lines.append(f"::{LEVELS[f.rule.risk]} {properties}::{_escape_data(message)}")
    if not options.quiet:
        lines.append(summary(result))
    return "".join(f"{line}\n" for line in lines)
