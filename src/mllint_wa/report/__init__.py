"""Reporters: each module renders a finished run and only reads it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from mllint_wa.records import dataclass

if TYPE_CHECKING:
    from mllint_wa.runner import RunResult

FORMATS = (
    "text",
    "json",
    "sarif",
    "github",
    "gitlab",
    "junit",
    "markdown",
    "html",
    "wellarchitected",
)


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    quiet: bool = False
    statistics: bool = False


def printable(text: str) -> str:
    """One line of plain text: the bytes of non-UTF-8 names (which arrive surrogate-escaped)
    and control characters (a newline or an escape sequence in a file name) are shown as
    backslash escapes, so a finding is always one line and cannot drive the terminal.

    The JSON report keeps names as they are (JSON escapes them losslessly); every format
    meant for people or for CI annotations uses this form.
    """
    if text.isprintable():
        return text
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def render(format_name: str, result: RunResult, options: ReportOptions) -> str:
    """The whole report as text; a reporter is imported only when it is used."""
    module = importlib.import_module(f"mllint_wa.report.{format_name}_report")
    text: str = module.render(result, options)
    return text
