"""Whether a file is a template that is not its format until rendered, from its text.

A template's placeholders are in the file's own syntax, not inside its data: a Jinja or
cookiecutter Dockerfile has ``FROM {{ base_image }}`` or a ``{% if gpu %}`` line, a
templated workflow ``name: {{ project }}``. The same braces inside a quoted argument or
string are data for some other program, and the file is what it says it is:

- a Go template handed to a tool (``go list -f '{{.Version}}'``, ``docker inspect --format
  "{{.Id}}"``) — in shell text (Dockerfiles, scripts) never a mark, quoted or not, since only
  a tool reads it; elsewhere a mark only outside quotes;
- GitHub's and Azure's expressions (``${{ github.sha }}``) and CloudFormation's dynamic
  references (``{{resolve:ssm:…}}``), which their own systems evaluate — never a mark;
- ``{{ }}`` inside a string of code (an f-string's escaped braces, a ``str.format`` or Jinja
  string a program renders) or of JSON (a notebook's cells are all strings).

A tag naming ``cookiecutter`` marks a template wherever it stands, quoted or not:
cookiecutter renders every file it copies. So do the Go templates of a Helm chart's
``templates/`` folder, which Helm renders whole (:func:`is_template` is told so).

Each syntax is read for its quotes and comments alone, once, in time proportional to the
text: shell (quotes span lines, ``\\`` escapes, ``#`` comments at the start of a word;
a Dockerfile's quotes end with their line unless it is continued), Python (single, double and
triple quotes, ``#`` comments), JSON (double quotes), and any other text (YAML, TOML,
Groovy…: single and double quotes that end with their line, ``#`` comments). Braces in a
comment count: the renderer reads comments too.
"""

from __future__ import annotations

import re

SHELL = "shell"
DOCKERFILE = "dockerfile"
PYTHON = "python"
JSON = "json"
TEXT = "text"

# What may open a quote or a comment, or start a tag: JSON has no comments and one quote.
_STOPS = re.compile(r"[\\'\"\n#{]")
_JSON_STOPS = re.compile(r"[\\\"{]")
_GO_ACTION = re.compile(r"\{\{-?[ \t]*[.$]")
_COOKIECUTTER_TAG = re.compile(r"\{[{%][^{}%\n]{0,80}?\bcookiecutter\b")
_TAG = re.compile(r"\{[{%]")


def is_template(text: str, syntax: str, *, renders_go: bool = False) -> bool:
    """Whether ``text``, a file of ``syntax`` (:data:`SHELL`, :data:`DOCKERFILE`,
    :data:`PYTHON`, :data:`JSON` or :data:`TEXT`), is a template; ``renders_go`` says that
    Go templates in it are rendered (a Helm chart's ``templates/``)."""
    if _TAG.search(text) is None:
        return False
    if renders_go or ("cookiecutter" in text and _COOKIECUTTER_TAG.search(text)):
        return True
    return _marked_outside_quotes(text, syntax)


def _marked_outside_quotes(text: str, syntax: str) -> bool:
    stops = _JSON_STOPS if syntax == JSON else _STOPS
    quote = ""  # the quote open: ', ", ''' or """
    position = 0
    while (stop := stops.search(text, position)) is not None:
        position = stop.start()
        char = text[position]
        if char == "\\":
            # An escape, in every syntax but a shell's single quotes. A Dockerfile joins a
            # continued line to the next before its shell reads either: the quote goes on.
            continued = syntax == DOCKERFILE and text.startswith("\n", position + 1)
            if continued or not (quote == "'" and syntax in (SHELL, DOCKERFILE)):
                position += 1
        elif char == "\n":
            if syntax != SHELL and len(quote) == 1:
                quote = ""
        elif char == "{":
            if not quote and _marks(text, position, syntax):
                return True
        elif char == "#":
            if not quote and _starts_comment(text, position, syntax):
                newline = text.find("\n", position)
                end = len(text) if newline < 0 else newline
                tags = _TAG.finditer(text, position, end)
                if any(_marks(text, tag.start(), syntax) for tag in tags):
                    return True
                position = end
                continue
        elif quote:
            if text.startswith(quote, position):
                position += len(quote) - 1
                quote = ""
        elif syntax == PYTHON and text.startswith(char * 3, position):
            quote = char * 3
            position += 2
        else:
            quote = char
        position += 1
    return False


def _starts_comment(text: str, position: int, syntax: str) -> bool:
    if syntax == PYTHON:
        return True
    return position == 0 or text[position - 1] in " \t\n;&|("


def _marks(text: str, position: int, syntax: str) -> bool:
    """Whether the tag at ``position`` (``{{`` or ``{%``) is a template's placeholder."""
    if position > 0 and text[position - 1] == "$":
        return False  # ${{ … }}: a GitHub or Azure expression
    if text.startswith("{{resolve:", position):
        return False
    if syntax in (SHELL, DOCKERFILE) and _GO_ACTION.match(text, position):
        return False
    return text.startswith(("{{", "{%"), position)
