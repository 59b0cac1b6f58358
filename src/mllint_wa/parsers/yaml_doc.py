"""YAML read as data, with positions, whatever tags it uses.

ruamel.yaml's round-trip loader keeps every mapping key's and sequence item's line and
column, and reads unknown tags (CloudFormation's ``!Ref``, ``!Sub``, GitLab's ``!reference``)
as tagged data instead of constructing objects.

Aliases are shared, not copied, and merge keys (``<<: *defaults``) copy a mapping's entries:
a few hundred bytes of aliases to aliases stand for billions of values, and a chain of merges
costs the loader time quadratic in its length. So every document is measured before it is
constructed: a walk that expanded every alias and merge may visit at most
:data:`ALIAS_ALLOWANCE` values more than the text has characters (an aliasless document
never has more values than characters), or the file is refused with a :class:`ParseError` at
the node that expands too far. That one budget bounds every reader of YAML in the package,
however it walks; :func:`walk` and the readers that collect from aliased nodes also visit
each of them once.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mllint_wa.evidence import ParseError, integer_digits_limit, integer_too_long

if TYPE_CHECKING:
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.scanner import RoundTripScanner

# ruamel.yaml reads YAML in pure Python, at about 25 µs a token (a key, a value, a "-", a
# "," or a comment) and 1 µs a character of blank lines or long scalars on a 2-core
# machine. These bounds keep any one file to about a second; a file beyond them is reported
# as unparseable rather than read for a minute.
MAX_CHARACTERS = 1024 * 1024
MAX_TOKENS = 30_000
# Deeper YAML than this is no configuration anyone writes; the scanner's work per token grows
# with the depth.
MAX_DEPTH = 64
# Values that aliases and merge keys may add to a file's YAML beyond one per character.
ALIAS_ALLOWANCE = 100_000
# A line that starts a document of a stream: YAML allows `---` at a line's start nowhere else
# (not even inside a block or quoted scalar), so the stream splits there without parsing.
_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)


class TooLarge(ParseError):
    """YAML beyond :data:`MAX_CHARACTERS` or :data:`MAX_TOKENS`: not read, whatever it
    holds."""


def load_yaml(text: str) -> list[Any]:
    """Every document in ``text``; a YAML error, or documents whose aliases expand past the
    budget, is a :class:`ParseError` at its mark, and so is YAML beyond
    :data:`MAX_CHARACTERS`, :data:`MAX_TOKENS` or :data:`MAX_DEPTH`."""
    if len(text) > MAX_CHARACTERS:
        raise TooLarge(f"is too large to be read: more than {MAX_CHARACTERS:,} characters of YAML")
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt", pure=True)
    yaml.Scanner = _bounded_scanner()
    yaml.Constructor = _bounded_constructor()
    yaml.allow_duplicate_keys = True
    yaml.Composer = _bounded_composer()
    yaml.composer.budget = len(text) + ALIAS_ALLOWANCE
    try:
        return [doc for doc in yaml.load_all(io.StringIO(text)) if doc is not None]
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = f"is not valid YAML: {error.problem or error.context}"
        raise ParseError(message, line, column) from None
    except YAMLError as error:
        raise ParseError(f"is not valid YAML: {error}") from None


def load_documents_matching(text: str, wanted: re.Pattern[str]) -> list[Any]:
    """The documents of the stream ``text`` whose own text ``wanted`` finds, read as
    :func:`load_yaml` reads a file and at their lines in it: the others become blank lines,
    so that a Secret among a bundle of large resource definitions is read under the same
    bounds as a file that holds only it."""
    starts = [0, *(match.start() for match in _DOCUMENT_START.finditer(text) if match.start())]
    kept = []
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        part = text[begin:end]
        kept.append(part if wanted.search(part) else "\n" * part.count("\n"))
    return load_yaml("".join(kept))


@functools.cache
def _bounded_scanner() -> type[RoundTripScanner]:
    """ruamel's round-trip scanner, counting the tokens it reads and the depth it is at;
    built on first use so that ruamel is imported only when YAML is read."""
    from ruamel.yaml.scanner import RoundTripScanner

    class BoundedScanner(RoundTripScanner):
        def fetch_more_tokens(self) -> Any:
            # Tokens handed on plus those queued: one fetch may queue several.
            if self.tokens_taken + len(self.tokens) > MAX_TOKENS:
                raise TooLarge(f"is too large to be read: more than {MAX_TOKENS:,} YAML tokens")
            if self.flow_level > MAX_DEPTH or len(self.indents) > MAX_DEPTH:
                raise ParseError(
                    f"is nested more than {MAX_DEPTH} levels deep",
                    self.reader.line + 1,
                    self.reader.column + 1,
                )
            return super().fetch_more_tokens()

    return BoundedScanner


@functools.cache
def _bounded_constructor() -> type[RoundTripConstructor]:
    """ruamel's round-trip constructor, refusing an integer of more digits than Python
    converts: YAML 1.1's sexagesimal integers (``1:30:00``) are summed part by part, in time
    that grows with the square of their length, where Python's own bound does not reach."""
    from ruamel.yaml.constructor import RoundTripConstructor

    class BoundedConstructor(RoundTripConstructor):
        def construct_yaml_int(self, node: Any) -> Any:
            text = node.value
            limit = integer_digits_limit()
            if len(text) > limit and sum(map(str.isdigit, text)) > limit:
                mark = node.start_mark
                raise ParseError(integer_too_long(limit), mark.line + 1, mark.column + 1)
            return super().construct_yaml_int(node)

    # The table of constructors is per class: the bounded one must be named in it.
    BoundedConstructor.add_constructor(
        "tag:yaml.org,2002:int", BoundedConstructor.construct_yaml_int
    )
    return BoundedConstructor


@functools.cache
def _bounded_composer() -> type[Composer]:
    """ruamel's composer, measuring each document it composes against what is left of the
    load's budget, before anything is constructed from it."""
    from ruamel.yaml.composer import Composer

    class BoundedComposer(Composer):
        budget = 0

        def compose_document(self) -> Any:
            node = super().compose_document()
            self.budget -= _expanded_size(node, self.budget)
            return node

    return BoundedComposer


def _expanded_size(root: Any, limit: int) -> int:
    """How many values a walk of the composed node ``root`` would visit with every alias
    and merge key expanded (each mapping entry and sequence item counts one), computed once
    per distinct node; a :class:`ParseError` at the first node whose expansion passes
    ``limit``. A node that contains itself through an alias adds nothing for that alias:
    the constructor does not expand it either."""
    from ruamel.yaml.nodes import CollectionNode, MappingNode

    def inner(node: Any) -> list[Any]:
        mapping = isinstance(node, MappingNode)
        parts = [part for pair in node.value for part in pair] if mapping else node.value
        return [part for part in parts if isinstance(part, CollectionNode)]

    if not isinstance(root, CollectionNode):
        return 0
    sizes: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if not finished:
            if id(node) not in entered:
                entered.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in inner(node) if id(child) not in entered)
            continue
        size = len(node.value) + sum(sizes.get(id(child), 0) for child in inner(node))
        if size > limit:
            mark = node.start_mark
            raise ParseError(
                f"expands to more than {limit} values through aliases and merge keys",
                mark.line + 1,
                mark.column + 1,
            )
        sizes[id(node)] = size
    return sizes[id(root)]


def key_position(mapping: Any, key: object) -> tuple[int, int]:
    """The 1-based line and column of ``key`` in a loaded mapping (the mapping's own
    position when the key has none)."""
    try:
        line, column = mapping.lc.key(key)
    except (AttributeError, KeyError, TypeError):
        return node_position(mapping)
    return line + 1, column + 1


def value_position(mapping: Any, key: object) -> tuple[int, int]:
    """The 1-based line and column of the value of ``key`` in a loaded mapping."""
    try:
        line, column = mapping.lc.value(key)
    except (AttributeError, KeyError, TypeError):
        return key_position(mapping, key)
    return line + 1, column + 1


def item_position(sequence: Any, index: int) -> tuple[int, int]:
    """The 1-based line and column of item ``index`` of a loaded sequence."""
    try:
        line, column = sequence.lc.item(index)
    except (AttributeError, KeyError, IndexError, TypeError):
        return node_position(sequence)
    return line + 1, column + 1


def node_position(node: Any) -> tuple[int, int]:
    """Where a loaded mapping or sequence starts; (1, 1) for plain scalars."""
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return 1, 1
    return lc.line + 1, lc.col + 1


def walk(node: Any) -> Iterator[tuple[Any, object, Any]]:
    """Every (container, key-or-index, value) below ``node``, each container once even
    when aliases make the document a graph."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, dict):
            items: Any = list(current.items())
        elif isinstance(current, list):
            items = list(enumerate(current))
        else:
            continue
        for key, value in items:
            yield current, key, value
            if isinstance(value, (dict, list)):
                stack.append(value)
