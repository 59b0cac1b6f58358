"""``.gitattributes``: which paths Git LFS stores (``filter=lfs``).

Patterns follow gitattributes(5): gitignore's pattern syntax, matched by the same wildmatch
as the ignore files, except that a pattern matches a path only as itself, never as the
inside of a folder it names (``data/`` matches no file; ``data/**`` does), negated patterns
are ignored, and a later line overrides an earlier one. Macro definitions (``[attr]``) are
skipped. This is the subset that decides ``filter``; other attributes are not kept.
"""

from __future__ import annotations

from dataclasses import field

from mllint_wa.evidence import ParseError
from mllint_wa.records import dataclass
from mllint_wa.wildmatch import MAX_PATTERNS, InvalidPattern, Pattern, PatternList, parse_line


@dataclass(frozen=True)
class FilterRule:
    """One line setting or unsetting ``filter``: ``lfs`` is whether it selects Git LFS."""

    pattern: str
    compiled: Pattern
    lfs: bool
    line: int

    def matches(self, path: str) -> bool:
        """Whether the pattern matches ``path`` (relative to the attributes file's folder)."""
        return self.compiled.matches(path, is_dir=False)


@dataclass(frozen=True)
class GitAttributes:
    rules: tuple[FilterRule, ...]
    _patterns: PatternList = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = PatternList([rule.compiled for rule in self.rules])
        object.__setattr__(self, "_patterns", patterns)

    def lfs(self, path: str) -> bool | None:
        """True or False when a line decides ``path``'s filter, None when none speaks of it."""
        position = self._patterns.last_match(path, is_dir=False)
        return None if position is None else self.rules[position].lfs


def parse_gitattributes(text: str) -> GitAttributes:
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split()
        if len(fields) < 2 or fields[0].startswith(("#", "[attr]", "!")):
            continue
        pattern = fields[0]
        if pattern.startswith('"') and pattern.endswith('"') and len(pattern) > 1:
            pattern = pattern[1:-1]
        if pattern.endswith("/"):
            continue  # names a folder, which no file is
        decision = _filter_decision(fields[1:])
        if decision is None:
            continue
        try:
            compiled = parse_line(pattern)
        except InvalidPattern:
            continue  # git skips a pattern it cannot read; so do we
        if compiled is not None:
            rules.append(FilterRule(pattern, compiled, decision, number))
            if len(rules) > MAX_PATTERNS:
                raise ParseError(f"sets filters for more than {MAX_PATTERNS:,} patterns", number)
    return GitAttributes(tuple(rules))


def _filter_decision(attributes: list[str]) -> bool | None:
    decision = None
    for attribute in attributes:
        if attribute.startswith("filter="):
            decision = attribute == "filter=lfs"
        elif attribute in ("filter", "-filter", "!filter"):
            decision = False
    return decision
