"""GitLab Code Quality: the JSON array that `artifacts:reports:codequality` reads."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from mllint_wa.model import Risk
from mllint_wa.report import ReportOptions, printable

if TYPE_CHECKING:
    from mllint_wa.runner import RunResult

SEVERITIES = {Risk.HIGH: "major", Risk.MEDIUM: "minor", Risk.LOW: "info"}


def render(result: RunResult, options: ReportOptions) -> str:
    issues = [
        {
            "description": f"{f.rule.code} {f.rule.name}: {printable(f.message)}",
            "check_name": f.rule.code,
            "fingerprint": f.fingerprint,
            "severity": SEVERITIES[f.rule.risk],
            # GitLab wants the path from the repository root, and the path itself: JSON
            # escapes a newline; a non-UTF-8 byte stays a \udcxx escape, as in --format json.
            "location": {
                "path": f.repository_path or f.path,
                "lines": {"begin": f.line},
            },
        }
        for f in result.findings
    ]
    return json.dumps(issues, indent=2, ensure_ascii=True) + "\n"
