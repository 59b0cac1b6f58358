"""Reporters: each module renders a finished run and only reads it."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mllint_wa.runner import RunResult

FORMATS = ("text", "json", "sarif", "github", "gitlab")


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    quiet: bool = False
    statistics: bool = False


def render(format_name: str, result: RunResult, options: ReportOptions) -> str:
    """The whole report as text; a reporter is imported only when it is used."""
    module = importlib.import_module(f"mllint_wa.report.{format_name}_report")
    text: str = module.render(result, options)
    return text
