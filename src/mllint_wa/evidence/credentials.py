"""The credentials a file's text holds, as the secret scanner finds them: found once per file
and run, and kept between runs by the file's content (a file fact), since scanning every
file is a fifth of a run over a large repository.

What is kept is what a finding shows: a credential's kind, place and redacted form, and the
name it is assigned to; never its value.
"""

from __future__ import annotations

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.file_facts import Codec, NotAFact
from mllint_wa.parsers.secrets import SecretMatch, find_secrets, reportable


def credentials(
    ev: Evidence, path: str, *, notebook: bool = False, code: bool = False
) -> list[SecretMatch]:
    """``find_secrets`` over the file's text (see there for ``notebook`` and ``code``); none
    for a file that cannot be read as text."""

    def scan() -> list[SecretMatch] | None:
        text = ev.text(path)
        return None if text is None else find_secrets(text, notebook=notebook, code=code)

    def read(data: object) -> list[SecretMatch] | None:
        return _read(data, ev.data(path) or b"")

    fact = f"credentials:{'notebook' if notebook else 'code' if code else 'text'}"
    return ev.fact(path, fact, scan, Codec(_write, read)) or []


def _write(found: list[SecretMatch] | None) -> object:
    # A file that is not text keeps no fact: each run decodes it again, and reports it.
    if found is None:
        return None
    return [
        [m.kind, m.line, m.column, m.redacted, m.name, m.local, [list(at) for at in m.also]]
        for m in found
    ]


def _read(data: object, raw: bytes) -> list[SecretMatch] | None:
    """The matches ``data`` holds, each one the scan of ``raw`` could have found."""
    if type(data) is not list:
        raise NotAFact
    found = [_match(item) for item in data]
    if found:
        lines = raw.count(b"\n") + 1
        for match in found:
            places = [(match.line, match.column), *match.also]
            if any(line > lines or column > len(raw) for line, column in places):
                raise NotAFact
    return found


def _match(item: object) -> SecretMatch:
    if type(item) is not list or len(item) != 7:
        raise NotAFact
    kind, line, column, redacted, name, local, also = item
    if not all(type(text) is str for text in (kind, redacted, name)) or type(local) is not bool:
        raise NotAFact
    if type(also) is not list or not all(type(at) is list and len(at) == 2 for at in also):
        raise NotAFact
    places = [(line, column), *((at[0], at[1]) for at in also)]
    if not all(_position(*at) for at in places) or places != sorted(set(places)):
        raise NotAFact  # each place once, in the text's order, as the scan lists them
    if not reportable(kind, name, redacted, local):
        raise NotAFact
    return SecretMatch(kind, line, column, redacted, name, local, tuple(places[1:]))


def _position(line: object, column: object) -> bool:
    return type(line) is int and type(column) is int and line >= 1 and column >= 1
