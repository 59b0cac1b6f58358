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


def _text(text: str) -> str:
    """The project's text in an annotation's message: one line, no control characters."""
    return _escape_data(printable(text))


# What a ``file`` property holds as it is besides printable characters: a tab, which the runner
# gives back unchanged, and CR and LF, escaped above.
_FILE_CONTROLS = frozenset("\t\r\n")


def _location(path: str, line: int, column: int) -> list[str] | None:
    """The file, line and column properties, or None for a path that no annotation can name.

    The runner unescapes property values, so ``file`` carries the path itself, newlines and
    all (``%0A``), and resolves to the file. Any other character that is not printable would
    reach the log and the annotation raw: an escape sequence (ESC) or a bell (BEL) that drives
    the terminal showing the log, a bidirectional control that reorders what the reader sees.
    Non-UTF-8 bytes (surrogate escapes) cannot cross the runner's UTF-8 decoding at all. Such a
    finding is annotated on the run, its location (escaped) in the message.
    """
    if not all(char.isprintable() or char in _FILE_CONTROLS for char in path):
        return None
    return [f"file={_escape_property(path)}", f"line={line}", f"col={column}"]


def render(result: RunResult, options: ReportOptions) -> str:
    lines = []
    for f in result.findings:
        # Relative to the repository root, as the Actions runner resolves annotation files.
        path = f.repository_path or f.path
        location = _location(path, f.line, f.column)
        message = f.message if location else f"{path}:{f.line}:{f.column}: {f.message}"
        properties = ",".join(
            [*(location or []), f"title={_escape_property(f'{f.rule.code} {f.rule.name}')}"]
        )
        lines.append(f"::{LEVELS[f.rule.risk]} {properties}::{_text(message)}")
    if not options.quiet:
        lines.append(summary(result))
    return "".join(f"{line}\n" for line in lines)
