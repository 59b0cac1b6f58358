"""Rewrite docs/rules.md from the registry."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from mllint_wa.registry import load_rules
from mllint_wa.report.rules_doc import RULES_DOC, render_rules_doc

TARGET = Path(__file__).resolve().parent.parent / RULES_DOC


def main(argv: Sequence[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    TARGET.write_text(render_rules_doc(load_rules()), encoding="utf-8")


if __name__ == "__main__":
    main()
