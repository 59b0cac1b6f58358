"""`mllint-wa init`: a lens.toml to fill in, generated from the schema.

What was detected in the repository is filled in, with a comment saying where it was found.
Every other statement is a ``"TODO"`` placeholder and every boolean or number is commented
out, each with a ``# TODO:`` comment saying what to write, so a fresh manifest parses and
passes the schema rules but still fails the rules that need real answers.
"""

from __future__ import annotations

from collections.abc import Mapping

from mllint_wa.detect import Detected
from mllint_wa.parsers.toml_positions import KeyPath
from mllint_wa.schema import MANIFEST, SCHEMA_VERSION, Spec

# TOML's short escapes; every other control character becomes \uXXXX.
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string, quotes included: whatever it holds (quotes,
    backslashes, newlines, a ``"`` followed by a new key), it reads back as this one string.

    The one way a value is written into TOML here. A surrogate (a non-UTF-8 byte of a file
    name, as Python decodes it) can be neither written to a UTF-8 file nor escaped in TOML,
    so each becomes U+FFFD, the replacement character.
    """
    return '"' + "".join(_escaped(ch) for ch in value) + '"'


def toml_comment(text: str) -> str:
    """``text`` fit for a TOML comment: one line, no control character, valid UTF-8
    (quotes and backslashes stay as they are: a comment has no escapes)."""
    return "".join(ch if ch in '"\\' else _escaped(ch) for ch in text)


def _escaped(ch: str) -> str:
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    # TOML forbids C0 controls and DEL unescaped in a basic string.
    if ch < " " or ch == "\x7f":
        return f"\\u{ord(ch):04X}"
    return ch


_PLACEHOLDER = toml_string("TODO")
_EXAMPLE = {"number": "0.0", "boolean": "true", "date": "2099-12-31", "integer": "0"}


def _hint(spec: Spec) -> str:
    if spec.enum:
        return f"{spec.description}: {' | '.join(spec.enum)}"
    if spec.examples:
        return f"{spec.description}, e.g. {', '.join(spec.examples)}"
    return spec.description


def _line(path: KeyPath, spec: Spec, detected: Mapping[KeyPath, Detected]) -> str:
    key = str(path[-1])
    found = detected.get(path)
    if found is not None:
        value = found.value
        written = (
            toml_string(value)
            if isinstance(value, str)
            else "[" + ", ".join(toml_string(item) for item in value) + "]"
        )
        if not found.where:
            return f"{key} = {written}  # {_hint(spec)}"
        # The comment quotes paths of the repository: one line, whatever they hold.
        return f"{key} = {written}  # detected: {toml_comment(found.where)}"
    if spec.kind in ("string", "number-or-string"):
        return f"{key} = {_PLACEHOLDER}  # TODO: {_hint(spec)}"
    if spec.kind == "string-list":
        return f"{key} = [{_PLACEHOLDER}]  # TODO: {_hint(spec)}"
    return f"# {key} = {_EXAMPLE[spec.kind]}  # TODO: {_hint(spec)}"


def _table(
    header: str, path: KeyPath, spec: Spec, detected: Mapping[KeyPath, Detected]
) -> list[str]:
    lines = [header]
    nested: list[str] = []
    for key, child in spec.fields.items():
        dotted = ".".join(str(part) for part in (*path, key))
        if child.kind == "table":
            nested += ["", *_table(f"[{dotted}]", (*path, key), child, detected)]
        elif child.kind == "table-list":
            nested += ["", *_table(f"[[{dotted}]]", (*path, key), child, detected)]
        else:
            lines.append(_line((*path, key), child, detected))
    return lines + nested


def scaffold(project_name: str, detected: Mapping[KeyPath, Detected] | None = None) -> str:
    """The text of a new lens.toml for a project of this name, with the values ``detected``
    in the repository filled in; the stage is ``discovery`` unless detected otherwise."""
    known: dict[KeyPath, Detected] = {
        ("project", "stage"): Detected("discovery", ""),
        **(detected or {}),
        ("project", "name"): Detected(project_name, ""),
    }
    lines = [
        "# lens.toml: what this ML project intends, for the AWS Well-Architected ML Lens.",
        "# Values marked `detected` were read from the repository: check them. Replace every",
        "# TODO with what only the team knows; `mllint-wa .` lists what is still missing.",
        f"schema_version = {SCHEMA_VERSION}",
    ]
    for key, spec in MANIFEST.fields.items():
        # Settings stay commented out below: a "TODO" selector would stop the run.
        if spec.kind != "table" or key == "lint":
            continue
        lines += ["", *_table(f"[{key}]", (key,), spec, known)]
    lines += [
        "",
        "# [lint]                 # settings, as in [tool.mllint-wa] of pyproject.toml",
        '# ignore = ["BG013"]',
        "",
        "# [waivers.BG013]        # an accepted risk: reason, owner and expiry are required",
        '# reason = "…"',
        '# owner = "…"',
        "# expires = 2099-12-31",
    ]
    return "\n".join(lines) + "\n"
