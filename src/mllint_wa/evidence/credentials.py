"""The credentials a file's text holds, as the secret scanner finds them: found once per file
and run, and kept between runs by the file's content (a file fact), since scanning every
file is a fifth of a run over a large repository.

What is kept is what a finding shows: a credential's kind, place and redacted form, and the
name it is assigned to; never its value.
"""

from __future__ import annotations

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.file_facts import Codec, NotAFact
from mllint_wa.parsers.secrets import SecretMatch, find_secrets


def credentials(
    ev: Evidence, path: str, *, notebook: bool = False, code: bool = False
) -> list[SecretMatch]:
    """``find_secrets`` over the file's text (see there for ``notebook`` and ``code``); none
    for a file that cannot be read as text."""

    def scan() -> list[SecretMatch] | None:
        text = ev.text(path)
        return None if text is None else find_secrets(text, notebook=notebook, code=code)

    fact = f"credentials:{'notebook' if notebook else 'code' if code else 'text'}"
    return ev.fact(path, fact, scan, _CODEC) or []


def _write(found: list[SecretMatch] | None) -> object:
    # A file that is not text keeps no fact: each run decodes it again, and reports it.
    if found is None:
        return None
    return [
        [m.kind, m.line, m.column, m.redacted, m.name, m.local, [list(at) for at in m.also]]
        for m in found
    ]


def _read(data: object) -> list[SecretMatch] | None:
    if type(data) is not list:
        raise NotAFact
    return [_match(item) for item in data]


def _match(item: object) -> SecretMatch:
    if type(item) is not list or len(item) != 7:
        raise NotAFact
    kind, line, column, redacted, name, local, also = item
    texts = (kind, redacted, name)
    if not all(type(text) is str for text in texts) or type(local) is not bool:
        raise NotAFact
    if not _position(line, column) or type(also) is not list:
        raise NotAFact
    places = []
    for at in also:
        if type(at) is not list or len(at) != 2 or not _position(*at):
            raise NotAFact
        places.append((at[0], at[1]))
    return SecretMatch(kind, line, column, redacted, name, local, tuple(places))


def _position(line: object, column: object) -> bool:
    return type(line) is int and type(column) is int and line >= 1 and column >= 1


_CODEC = Codec(_write, _read)
