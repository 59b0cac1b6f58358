"""Rewrite docs/rules.md and the rule descriptions (src/mllint_wa/data/rules.json) from the
registry."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from mllint_wa.registry import DESCRIPTIONS, describe, load_rules
from mllint_wa.report.rules_doc import RULES_DOC, render_rules_doc

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / RULES_DOC
DESCRIBED = ROOT / "src" / "mllint_wa" / "data" / DESCRIPTIONS


def main(argv: Sequence[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    TARGET.write_text(render_rules_doc(load_rules()), encoding="utf-8")
    DESCRIBED.write_text(describe(load_rules()), encoding="utf-8")


if __name__ == "__main__":
    main()
