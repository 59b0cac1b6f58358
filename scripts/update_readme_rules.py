"""Rewrite the rules table between the README's markers from the registry."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from mllint_wa.registry import load_rules
from mllint_wa.report.rules_table import render_markdown

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- rules:start -->\n", "<!-- rules:end -->"


def main(argv: Sequence[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}{render_markdown(load_rules())}{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
