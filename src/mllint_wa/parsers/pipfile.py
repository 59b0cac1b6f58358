"""The dependencies a Pipenv ``Pipfile`` declares (``[packages]`` and ``[dev-packages]``)."""

from __future__ import annotations

from mllint_wa.parsers.pyproject import Declared, table_entries
from mllint_wa.parsers.toml_doc import load_toml
from mllint_wa.parsers.toml_positions import key_positions


def parse_pipfile(text: str) -> Declared:
    data = load_toml(text)
    positions = key_positions(text)
    found = [
        *table_entries(data, positions, "packages"),
        *table_entries(data, positions, "dev-packages", "dev"),
    ]
    line, column = (found[0].line, found[0].column) if found else (1, 1)
    return Declared("pipenv", tuple(found), line, column)
