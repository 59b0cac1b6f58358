"""Installed plugins for tests: entry points of the ``mllint_wa.checks`` group, faked
(the ``plugins`` fixture of conftest.py installs them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mllint_wa.model import Check, Risk, Rule
from mllint_wa.registry import rule


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


def plugin_rule(code: str, name: str, **options: Any) -> Callable[[Check], Rule]:
    """``@rule`` for a test plugin's rule: low risk, one practice, no manifest needed, a
    summary and a fix that say so; ``options`` override any of them."""
    return rule(
        code=code,
        name=name,
        **{
            "risk": Risk.LOW,
            "summary": f"A test rule ({name}).",
            "fix": "Nothing to fix.",
            "lens_refs": ("MLOPS02-BP02",),
            "requires_manifest": False,
            **options,
        },
    )
