"""``dataclass``: the standard library's, made for a third less (half, for a mutable class).

``dataclasses.dataclass`` compiles each method it adds from source text, one ``exec`` a method
(six for a frozen class) before Python 3.13. A lint run defines some 140 dataclasses, and
making them took a fifth of its time over a small repository. This ``dataclass`` takes the
same arguments and leaves ``__init__`` (and a frozen class's ``__setattr__`` and
``__delattr__``) to the standard library, but gives ``__eq__``, ``__hash__`` and ``__repr__``
as functions made once per class from closures, which read the fields through
``operator.attrgetter``: the class compares, hashes and prints exactly as the standard
library's of the running Python would (from 3.13 on, its ``__eq__`` compares field by field,
an instance equal to itself). A class that asks for more (ordering, ``unsafe_hash``, slots, its own
``__eq__``) is left to the standard library whole.
"""

from __future__ import annotations

import dataclasses
import operator
import reprlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:

    def dataclass(cls: type | None = None, /, **options: Any) -> Any:
        """``dataclasses.dataclass``, with equality, hashing and repr shared (module doc)."""
        if cls is None:
            return lambda cls: _make(cls, options)
        return _make(cls, options)


_standard = dataclasses.dataclass
_SHARED = ("__eq__", "__hash__", "__repr__")
# The options this module handles; any other, or another value of these, goes to the
# standard library as given.
_HANDLED = {"frozen": (False, True), "eq": (True,), "repr": (True,)}


def _make(cls: type, options: dict[str, Any]) -> Any:
    unhandled = any(
        option not in _HANDLED or value not in _HANDLED[option] for option, value in options.items()
    )
    if unhandled or any(name in cls.__dict__ for name in _SHARED):
        return _standard(cls, **options)
    made: Any = _standard(cls, **{**options, "eq": False, "repr": False})
    # The parameters as asked for, as the standard library records them.
    made.__dataclass_params__.eq = made.__dataclass_params__.repr = True
    fields = dataclasses.fields(made)
    _attach(made, _equality([f.name for f in fields if f.compare]))
    if options.get("frozen", False):
        hashed = _getter([f.name for f in fields if (f.compare if f.hash is None else f.hash)])
        _attach(made, _hashing(hashed))
    else:
        # As the standard library does: a mutable class that compares by value is unhashable.
        made.__hash__ = None
    _attach(made, _representation([f.name for f in fields if f.repr]))
    return made


def _attach(cls: type, method: Callable[..., Any]) -> None:
    """Make ``method`` one of the class's, named as the standard library names those it
    adds, for tracebacks and profiles: ``Class.__eq__``, of the class's module."""
    method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
    method.__module__ = cls.__module__
    setattr(cls, method.__name__, method)


def _getter(names: list[str]) -> Callable[[object], tuple[object, ...]]:
    """The fields' values as a tuple, as the standard library's methods build it (a tuple
    compares identical items as equal, and hashes differently from its one item)."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    if names:
        one = operator.attrgetter(names[0])
        return lambda instance: (one(instance),)
    return lambda _: ()


def _equality(names: list[str]) -> Callable[[object, object], Any]:
    if sys.version_info >= (3, 13):
        return _equality_by_field([operator.attrgetter(name) for name in names])
    values = _getter(names)

    def __eq__(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _equality_by_field(
    getters: list[Callable[[object], object]],
) -> Callable[[object, object], Any]:
    """The standard library's ``__eq__`` from Python 3.13 on: ``self is other or
    self.a == other.a and self.b == other.b …``, which answers with the first comparison
    that is false, else the last (a field's NaN differs from itself)."""

    def __eq__(self: object, other: object) -> Any:
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        equal: Any = True
        for get in getters:
            equal = get(self) == get(other)
            if not equal:
                break
        return equal

    return __eq__


def _hashing(values: Callable[[object], tuple[object, ...]]) -> Callable[[object], int]:
    def __hash__(self: object) -> int:
        return hash(values(self))

    return __hash__


def _representation(names: list[str]) -> Callable[[object], str]:
    @reprlib.recursive_repr("...")
    def __repr__(self: object) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__
