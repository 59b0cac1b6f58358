"""`mllint-wa init`: a lens.toml to fill in, generated from the schema.

Every statement is a ``"TODO"`` placeholder and every boolean or number is commented out, so a
freshly scaffolded manifest parses and passes the schema rules but still fails the rules that
need real answers.
"""

from __future__ import annotations

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


def _line(key: str, spec: Spec) -> str:
    hint = spec.description
    if spec.enum:
        hint = f"{hint}: {' | '.join(spec.enum)}"
    if spec.kind in ("string", "number-or-string"):
        return f"{key} = {_PLACEHOLDER}  # {hint}"
    if spec.kind == "string-list":
        return f"{key} = [{_PLACEHOLDER}]  # {hint}"
    return f"# {key} = {_EXAMPLE[spec.kind]}  # {hint}"


def _table(header: str, spec: Spec) -> list[str]:
    lines = [header]
    nested: list[str] = []
    for key, child in spec.fields.items():
        if child.kind == "table":
            nested += ["", *_table(f"[{header.strip('[]')}.{key}]", child)]
        elif child.kind == "table-list":
            nested += ["", *_table(f"[[{header.strip('[]')}.{key}]]", child)]
        else:
            lines.append(_line(key, child))
    return lines + nested


def scaffold(project_name: str) -> str:
    """The text of a new lens.toml for a project of this name."""
    lines = [
        "# lens.toml: what this ML project intends, for the AWS Well-Architected ML Lens.",
        "# Replace every TODO; `mllint-wa .` lists what is still missing.",
        f"schema_version = {SCHEMA_VERSION}",
    ]
    for key, spec in MANIFEST.fields.items():
        # Settings stay commented out below: a "TODO" selector would stop the run.
        if spec.kind != "table" or key == "lint":
            continue
        table = _table(f"[{key}]", spec)
        if key == "project":
            table = [
                f"name = {toml_string(project_name)}  # {spec.fields['name'].description}"
                if line.startswith("name =")
                else f"stage = {toml_string('discovery')}  # discovery | development | production"
                if line.startswith("stage =")
                else line
                for line in table
            ]
        lines += ["", *table]
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
