"""Markdown: its headings and labels with their lines, and YAML front matter (Hugging Face
model cards).

Only what the documentation rules need: ATX (``## Intended use``) and setext headings outside
fenced code blocks; labels, the other way documents title a part (``**Out-of-scope uses:**
…`` opening a paragraph or a list item, or a list item ``- Primary intended users: …``);
whether each of them heads any content; and a leading ``---`` … ``---`` block read as YAML
data. Blank lines, HTML comments and fill-in placeholders (``[More Information Needed]``,
``TODO``) are no content.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import field, replace
from typing import Any

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.yaml_doc import load_yaml
from mllint_wa.records import dataclass

# The opening `#`s of an ATX heading. The closing sequence is cut off without a pattern: one
# that ends in optional blanks before `$` retries them after every character of the text.
_ATX = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A link's text stops at the next bracket and its target at the next `[`, so that a search
# retried from every `[` of an unclosed run reads each character once.
_LINK = re.compile(r"\[([^\][]*)\]\([^)[]*\)")
_EMPHASIS = re.compile(r"[*_`]+")
# A label in bold opening a paragraph or list item: `**Out-of-scope uses:** text`.
_BOLD_LABEL = re.compile(
    r" {0,3}(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?"
    r"(?P<mark>\*\*|__)(?P<label>[^*_]{1,80})(?P=mark)(?P<rest>.*)"
)
# A list item that opens with a label and a colon: `- Primary intended users: text`.
_ITEM_LABEL = re.compile(
    r" {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+(?P<label>[A-Za-z][^:*_`\[\]]{0,59}):(?P<rest>.*)"
)
# What templates leave for the author to fill in: no content of its own.
_PLACEHOLDER = re.compile(
    r"(?i)[\[(]?(more information needed|todo|tbd|to be (added|completed|determined))[\])]?\.?"
)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int
    line: int
    # Nothing but blank lines, comments and placeholders stands below it, up to the next
    # heading of its level or above. Derived from the lines around it, so not part of what
    # makes two headings the same.
    empty: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Label:
    """A paragraph or list item opened by a label (in bold, or before a colon in a list
    item); ``empty`` when neither the rest of its line nor the lines up to the next label
    or heading hold any content."""

    text: str
    line: int
    empty: bool = False


@dataclass(frozen=True)
class MarkdownDocument:
    headings: tuple[Heading, ...]
    # The front matter's mapping, empty when there is none or it is not a mapping.
    front_matter: dict[str, Any] = field(default_factory=dict)
    # The first line after the front matter: where the document's own text begins.
    body_line: int = 1
    labels: tuple[Label, ...] = ()


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
    labels: list[tuple[str, int, bool]] = []  # text, line, whether its line holds more
    content: list[int] = []  # the lines that hold content, in order
    fence: str | None = None
    comment = False
    previous = ""
    for index in range(start, len(lines)):
        line = lines[index]
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            content.append(index + 1)
            previous = ""
            continue
        if opened:
            fence = opened.group(1)
            content.append(index + 1)
            previous = ""
            continue
        text, comment = _uncommented(line, comment)
        atx = _ATX.match(line)
        if atx:
            title = _without_closing_sequence(line[atx.end() :])
            headings.append(Heading(_clean(title), len(atx.group(1)), index + 1))
        elif _SETEXT.match(line) and previous.strip() and not previous.startswith((" " * 4, "\t")):
            level = 1 if line.strip().startswith("=") else 2
            headings.append(Heading(_clean(previous), level, index))
            if content and content[-1] == index:
                content.pop()  # the line above is the heading's text
            if labels and labels[-1][1] == index:
                labels.pop()  # nor a label
            line = ""
        elif _is_content(text):
            content.append(index + 1)
            label = _label(text)
            if label is not None:
                labels.append((label[0], index + 1, label[1]))
        previous = line
    return MarkdownDocument(
        _with_emptiness(headings, content),
        front_matter,
        start + 1,
        _labels_with_emptiness(labels, headings, content),
    )


def _uncommented(line: str, in_comment: bool) -> tuple[str, bool]:
    """The line without HTML comments, and whether a comment is still open after it."""
    if in_comment:
        end = line.find("-->")
        if end < 0:
            return "", True
        line = line[end + 3 :]
    line = _without_html_comments(line)
    opened = line.find("<!--")
    if opened >= 0:
        return line[:opened], True
    return line, False


def _is_content(text: str) -> bool:
    stripped = text.strip()
    # A thematic break (`---`, `***`) separates content without being any.
    return bool(stripped.strip("-=*_ \t")) and _PLACEHOLDER.fullmatch(stripped) is None


def _label(text: str) -> tuple[str, bool] | None:
    """A label opening the line, and whether the rest of the line holds content."""
    match = _BOLD_LABEL.match(text) or _ITEM_LABEL.match(text)
    if match is None:
        return None
    label = _clean(match["label"]).rstrip(":").strip()
    rest = match["rest"].lstrip(" \t:.-\u2013\u2014")
    return (label, _is_content(rest)) if label else None


def _with_emptiness(headings: list[Heading], content: list[int]) -> tuple[Heading, ...]:
    """Each heading with whether content stands below it, up to the next heading of its
    level or above: found from the end, with the nearest following heading of each level."""
    nearest: dict[int, int] = {}
    found = []
    for heading in reversed(headings):
        ends = [line for level, line in nearest.items() if level <= heading.level]
        end = min(ends, default=None)
        found.append(replace(heading, empty=not _holds(content, heading.line, end)))
        nearest[heading.level] = heading.line
    return tuple(reversed(found))


def _labels_with_emptiness(
    labels: list[tuple[str, int, bool]], headings: list[Heading], content: list[int]
) -> tuple[Label, ...]:
    stops = sorted({line for _, line, _ in labels} | {h.line for h in headings})
    found = []
    for text, line, rest in labels:
        end = stops[bisect.bisect_right(stops, line)] if stops[-1] > line else None
        found.append(Label(text, line, empty=not (rest or _holds(content, line, end))))
    return tuple(found)


def _holds(content: list[int], after: int, before: int | None) -> bool:
    """Whether a content line lies strictly between the two lines (``None``: the end)."""
    first = bisect.bisect_right(content, after)
    return first < len(content) and (before is None or content[first] < before)


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
