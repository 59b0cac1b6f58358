"""Markdown: its headings with their lines, and YAML front matter (Hugging Face model cards).

Only what the documentation rules need: ATX (``## Intended use``) and setext headings outside
fenced code blocks, and a leading ``---`` … ``---`` block read as YAML data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.yaml_doc import load_yaml

# The opening `#`s of an ATX heading. The closing sequence is cut off without a pattern: one
# that ends in optional blanks before `$` retries them after every character of the text.
_ATX = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A link's text stops at the next bracket and its target at the next `[`, so that a search
# retried from every `[` of an unclosed run reads each character once.
_LINK = re.compile(r"\[([^\][]*)\]\([^)[]*\)")
_EMPHASIS = re.compile(r"[*_`]+")


@dataclass(frozen=True)
class Heading:
    text: str
    level: int
    line: int


@dataclass(frozen=True)
class MarkdownDocument:
    headings: tuple[Heading, ...]
    # The front matter's mapping, empty when there is none or it is not a mapping.
    front_matter: dict[str, Any] = field(default_factory=dict)
    # The first line after the front matter: where the document's own text begins.
    body_line: int = 1


def parse_markdown(text: str) -> MarkdownDocument:
    lines = text.splitlines()
    front_matter: dict[str, Any] = {}
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."}), None)
        if end is not None:
            try:
                documents = load_yaml("\n".join(lines[1:end]) + "\n")
            except ParseError as error:
                # Positions inside the front matter are one line below the opening "---".
                reason = error.message.removeprefix("is not valid YAML: ")
                raise ParseError(
                    f"has invalid YAML front matter: {reason}",
                    error.line + 1,
                    error.column,
                ) from None
            if documents and isinstance(documents[0], dict):
                front_matter = dict(documents[0])
            start = end + 1
    headings: list[Heading] = []
    fence: str | None = None
    previous = ""
    for index in range(start, len(lines)):
        line = lines[index]
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            previous = ""
            continue
        if opened:
            fence = opened.group(1)
            previous = ""
            continue
        atx = _ATX.match(line)
        if atx:
            title = _without_closing_sequence(line[atx.end() :])
            headings.append(Heading(_clean(title), len(atx.group(1)), index + 1))
        elif _SETEXT.match(line) and previous.strip() and not previous.startswith((" " * 4, "\t")):
            level = 1 if line.strip().startswith("=") else 2
            headings.append(Heading(_clean(previous), level, index))
            line = ""
        previous = line
    return MarkdownDocument(tuple(headings), front_matter, start + 1)


def _without_closing_sequence(text: str) -> str:
    """An ATX heading's text: blanks around it dropped, and the closing `#`s when a blank
    precedes them or they are all there is (``## Uses ##`` reads ``Uses``)."""
    text = text.strip(" \t")
    bare = text.rstrip("#")
    if not bare or bare[-1] in " \t":
        return bare.rstrip(" \t")
    return text


def _clean(text: str) -> str:
    """Heading text without inline markup, so that ``**Intended use**`` reads ``Intended use``."""
    text = _LINK.sub(r"\1", _without_html_comments(text))
    return _EMPHASIS.sub("", text).strip()


def _without_html_comments(text: str) -> str:
    """``text`` without its closed ``<!-- … -->`` comments. Found with ``str.find``: once no
    ``-->`` follows an opening, none follows a later one, so the text is read once."""
    kept: list[str] = []
    position = 0
    while (start := text.find("<!--", position)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        kept.append(text[position:start])
        position = end + 3
    kept.append(text[position:])
    return "".join(kept)
