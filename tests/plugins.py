"""Installed plugins for tests: entry points of the ``mllint_wa.checks`` group, faked
(the ``plugins`` fixture of conftest.py installs them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FakeEntryPoint:
    """What importlib.metadata.EntryPoint offers the registry: a name, a value and load()."""

    name: str
    target: object = None
    error: Exception | None = None

    @property
    def value(self) -> str:
        return f"{self.name}_plugin:rules"

    def load(self) -> object:
        if self.error is not None:
            raise self.error
        return self.target
