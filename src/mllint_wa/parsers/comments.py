"""Comments that hold a word, by comment syntax: what inline ignores are read from.

Each function takes a file's text and a needle and yields ``(line, column, comment)`` for
every comment holding the needle: ``column`` is where the needle starts (1-based) and
``comment`` the comment's text from the needle to the end of the comment (a closing ``-->``
or ``*/`` left out). A needle outside a comment — in a string, in code — is not yielded.

How strict each syntax is:

- Python: the tokenizer decides (a ``#`` inside a string or a docstring is no comment); a
  file the tokenizer rejects is read with the line rule below.
- ``#``-comment formats (YAML, TOML, shell, Dockerfile, requirements, ``.env``): a ``#`` at
  the start of a line or after whitespace, outside a quoted string on that line. A quote
  opens a string only at the start of a token (so the apostrophe of ``it's`` does not);
  strings that span lines are not followed.
- INI: ``#`` or ``;`` in the same way.
- HCL / Terraform: ``#``, ``//`` and ``/* … */`` (also over several lines), outside
  double-quoted strings.
- Markdown: HTML comments ``<!-- … -->``, also over several lines.
- Notebooks: the ``.ipynb`` lines are JSON; each JSON string on a line that holds the
  needle is decoded and read as a Python line (``#``) or a Markdown line (``<!--``), so a
  finding's line in the ``.ipynb`` file and its ignore comment line up.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from collections.abc import Iterator

Comment = tuple[int, int, str]

_TOKEN_START = frozenset(" \t=:[{(,")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _comment_start(
    line: str, leaders: tuple[str, ...], *, after_space: bool, quotes: str, start: int = 0
) -> int | None:
    """Where the line's comment starts (the leader's index), if it has one; the line is read
    from ``start``, where a token starts."""
    quote = ""
    index = start
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                quote = ""
        elif char in quotes and (index == start or line[index - 1] in _TOKEN_START):
            quote = char
        elif any(line.startswith(leader, index) for leader in leaders) and (
            not after_space or index == 0 or line[index - 1].isspace()
        ):
            return index
        index += 1
    return None


def _close(comment: str, closer: str) -> str:
    end = comment.find(closer)
    return comment if end < 0 else comment[:end]


def _line_comments(
    text: str, needle: str, leaders: tuple[str, ...], *, after_space: bool, quotes: str
) -> Iterator[Comment]:
    for number, line in enumerate(text.splitlines(), 1):
        if needle not in line:
            continue
        start = _comment_start(line, leaders, after_space=after_space, quotes=quotes)
        if start is None:
            continue
        at = line.find(needle, start)
        if at >= 0:
            yield number, at + 1, line[at:]


def hash_comments(text: str, needle: str) -> Iterator[Comment]:
    """``#`` comments: YAML, TOML, shell, Dockerfile, requirements, ``.env``."""
    return _line_comments(text, needle, ("#",), after_space=True, quotes="\"'")


def ini_comments(text: str, needle: str) -> Iterator[Comment]:
    return _line_comments(text, needle, ("#", ";"), after_space=True, quotes="\"'")


def python_comments(text: str, needle: str) -> Iterator[Comment]:
    if needle not in text:
        return
    found: list[Comment] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and needle in token.string:
                at = token.string.find(needle)
                found.append((token.start[0], token.start[1] + at + 1, token.string[at:]))
    except (tokenize.TokenError, SyntaxError, ValueError):
        # Code that does not tokenize (a syntax error the unparseable-file rule reports)
        # still keeps its comments where the line rule finds them.
        yield from hash_comments(text, needle)
        return
    yield from found


def _block_comments(
    text: str, needle: str, line_leaders: tuple[str, ...], opener: str, closer: str, quotes: str
) -> Iterator[Comment]:
    """Line comments (``line_leaders``) and block comments (``opener`` … ``closer``), which
    may span lines, outside strings opened by ``quotes``."""
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        index = 0
        while index <= len(line):
            if inside:
                end = line.find(closer, index)
                segment = line[index:] if end < 0 else line[index:end]
                at = segment.find(needle)
                if at >= 0:
                    yield number, index + at + 1, segment[at:]
                if end < 0:
                    break
                inside = False
                index = end + len(closer)
                continue
            # Read on from where the last block comment closed, not from a copy of the rest
            # of the line: a line of many comments is then read once.
            start = _comment_start(
                line, (*line_leaders, opener), after_space=False, quotes=quotes, start=index
            )
            if start is None:
                break
            if line.startswith(opener, start):
                inside = True
                index = start + len(opener)
                continue
            at = line.find(needle, start)
            if at >= 0:
                yield number, at + 1, line[at:]
            break


def hcl_comments(text: str, needle: str) -> Iterator[Comment]:
    """HCL / Terraform: ``#``, ``//`` and ``/* … */``."""
    return _block_comments(text, needle, ("#", "//"), "/*", "*/", '"')


def markdown_comments(text: str, needle: str) -> Iterator[Comment]:
    """Markdown: HTML comments ``<!-- … -->``."""
    return _block_comments(text, needle, (), "<!--", "-->", "")


def notebook_comments(text: str, needle: str) -> Iterator[Comment]:
    """Comments inside the cell sources of a notebook, at their line of the ``.ipynb`` file."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle not in line:
            continue
        for match in _json_strings(line):
            if needle not in match.group():
                continue
            try:
                source = json.loads(match.group())
            except ValueError:
                continue
            if not isinstance(source, str):
                continue
            start = _comment_start(source, ("#", "<!--"), after_space=True, quotes="\"'")
            if start is None:
                continue
            at = source.find(needle, start)
            if at >= 0:
                column = line.find(needle, match.start()) + 1
                yield number, column, _close(source[at:].rstrip("\n"), "-->")
            break


def _json_strings(line: str) -> Iterator[re.Match[str]]:
    """The JSON strings of a line, in order. A string that is never closed ends the line:
    every later quote lies inside it, so none of them opens a closed string either (tried
    from each quote, an unclosed string would be read once per quote)."""
    start = line.find('"')
    while start >= 0:
        match = _JSON_STRING.match(line, start)
        if match is None:
            return
        yield match
        start = line.find('"', match.end())


def strip_closer(comment: str) -> str:
    """The comment without a block comment's closing ``-->`` or ``*/`` and what follows."""
    return _close(_close(comment, "-->"), "*/")
