"""The JSON contract: one object with tool, projects, findings and summary."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

from mllint_wa import __version__
from mllint_wa.model import SUPPRESSION_KINDS, Finding, Risk
from mllint_wa.report import ReportOptions

if TYPE_CHECKING:
    from mllint_wa.runner import RunResult


def _suppressed(finding: Finding) -> dict[str, object]:
    return {
        **finding.to_dict(),
        "suppression": {
            "kind": finding.suppression_kind,
            "by": finding.suppressed_by,
            "justification": finding.justification,
        },
    }


def document(result: RunResult) -> dict[str, object]:
    by_risk = Counter(f.rule.risk for f in result.findings)
    by_kind = Counter(f.suppression_kind for f in result.suppressed)
    return {
        "tool": {"name": "mllint-wa", "version": __version__},
        "projects": [
            {"root": p.root, "manifest": p.manifest, "stage": p.stage.value}
            for p in result.projects
        ],
        "findings": [f.to_dict() for f in result.findings],
        "summary": {
            **{risk.value: by_risk[risk] for risk in Risk},
            "suppressed": len(result.suppressed),
            **{kind: by_kind[kind] for kind in SUPPRESSION_KINDS},
        },
        # Every suppressed finding, with how and why: a report never drops one silently.
        "suppressed": [_suppressed(f) for f in result.suppressed],
    }


def render(result: RunResult, options: ReportOptions) -> str:
    # Surrogate-escaped (non-UTF-8) file names become \udcxx escapes, which JSON allows.
    return json.dumps(document(result), indent=2, ensure_ascii=True) + "\n"
