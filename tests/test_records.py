"""mllint_wa.records.dataclass: classes that compare, hash and print as the standard library's."""

from __future__ import annotations

import ast
import dataclasses
import math
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mllint_wa import records

Decorator = Callable[..., Any]


def _shapes(dataclass: Decorator) -> dict[str, type]:
    """The same class definitions, made by one decorator or the other."""

    @dataclass(frozen=True)
    class Empty:
        pass

    @dataclass(frozen=True)
    class One:
        value: object

    @dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0
        note: str = dataclasses.field(default="", compare=False, repr=False)
        tags: tuple[str, ...] = dataclasses.field(default=(), hash=False)

    @dataclass(frozen=True)
    class Point3(Point):
        z: int = 0

    @dataclass
    class Mutable:
        items: list[int] = dataclasses.field(default_factory=list)
        hidden: int = dataclasses.field(default=0, repr=False)

    @dataclass(frozen=True, order=True)
    class Ordered:
        rank: int

    @dataclass(eq=False)
    class ByIdentity:
        name: str

    return {c.__name__: c for c in (Empty, One, Point, Point3, Mutable, Ordered, ByIdentity)}


STANDARD = _shapes(dataclasses.dataclass)
SHARED = _shapes(records.dataclass)


class _Vague:
    """A value whose comparison answers with something other than a bool."""

    def __eq__(self, other: object) -> Any:
        return "maybe" if isinstance(other, _Vague) else NotImplemented

    __hash__ = object.__hash__


VAGUE = _Vague()

ARGUMENTS: list[tuple[str, tuple[Any, ...], tuple[Any, ...]]] = [
    ("Empty", (), ()),
    ("One", (1,), (1,)),
    ("One", (1,), (2,)),
    ("One", (math.nan,), (math.nan,)),
    ("One", ("a",), ("a",)),
    ("One", (VAGUE,), (_Vague(),)),
    ("Point", (1, VAGUE), (1, _Vague())),
    ("Point", (1, math.nan), (1, math.nan)),
    ("Point", (1, 2, "left", ("a",)), (1, 2, "right", ("b",))),
    ("Point", (1, 2), (2, 1)),
    ("Point3", (1, 2, "n", (), 3), (1, 2, "m", (), 3)),
    ("Point3", (1, 2, "n", (), 3), (1, 2, "n", (), 4)),
    ("Mutable", ([1], 5), ([1], 6)),
    ("Mutable", ([1],), ([2],)),
    ("Ordered", (1,), (2,)),
    ("ByIdentity", ("a",), ("a",)),
]


def _behaviour(
    classes: dict[str, type], name: str, first: tuple[Any, ...], second: tuple[Any, ...]
) -> tuple[object, ...]:
    make = classes[name]
    a, b = make(*first), make(*second)
    hashable = make.__hash__ is not None
    return (
        repr(a).replace(f"{make.__qualname__}", make.__name__),
        a == b,
        a != b,
        repr(a.__eq__(b)),
        a == a,
        a == first,
        hash(a) == hash(b) if hashable else None,
        hash(a) if hashable and name not in ("ByIdentity", "Mutable") else None,
        hashable,
        dataclasses.astuple(a),
        [f.name for f in dataclasses.fields(a)],
        make.__match_args__,
        repr(make.__dataclass_params__),
        [_described(getattr(make, method)) for method in ("__eq__", "__hash__", "__repr__")],
    )


def _described(method: object) -> tuple[str, ...]:
    """Where a method says it is from: what a traceback or a profile shows of it."""
    said = [str(getattr(method, key, "")) for key in ("__name__", "__qualname__", "__module__")]
    return (said[0], said[1].rpartition("<locals>.")[2], said[2])


@pytest.mark.parametrize(("name", "first", "second"), ARGUMENTS)
def test_a_class_compares_hashes_and_prints_as_the_standard_librarys(
    name: str, first: tuple[Any, ...], second: tuple[Any, ...]
) -> None:
    assert _behaviour(SHARED, name, first, second) == _behaviour(STANDARD, name, first, second)


def test_a_frozen_class_stays_frozen() -> None:
    point = SHARED["Point"](1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        del point.x
    assert dataclasses.replace(point, y=3) == SHARED["Point"](1, 3)


def test_instances_of_different_classes_with_the_same_fields_differ() -> None:
    assert SHARED["Point3"](1, 2) != SHARED["Point"](1, 2)
    assert SHARED["Point"](1, 2) != STANDARD["Point"](1, 2)


def test_a_recursive_value_prints_as_the_standard_librarys() -> None:
    shared, standard = SHARED["Mutable"](), STANDARD["Mutable"]()
    shared.items.append(shared)
    standard.items.append(standard)
    assert repr(shared).split(".")[-1] == repr(standard).split(".")[-1]
    assert repr(shared).endswith("Mutable(items=[...])")


def test_a_class_that_asks_for_more_is_the_standard_librarys() -> None:
    @records.dataclass(frozen=True)
    class OwnEquality:
        value: int

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 0

    assert OwnEquality(1) == OwnEquality(2)
    assert hash(OwnEquality(1)) == 0
    assert SHARED["Ordered"](1) < SHARED["Ordered"](2)
    assert SHARED["Ordered"].__eq__.__qualname__.endswith("Ordered.__eq__")


@records.dataclass(frozen=True)
class Location:
    path: str
    line: int


def test_instances_pickle() -> None:
    location = Location("a.py", 3)
    assert pickle.loads(pickle.dumps(location)) == location
    assert hash(pickle.loads(pickle.dumps(location))) == hash(location)


def test_every_dataclass_of_the_package_is_made_by_records() -> None:
    source = Path(records.__file__).parent
    direct = [
        path.relative_to(source).as_posix()
        for path in sorted(source.rglob("*.py"))
        if path.name != "records.py"
        and any(
            (
                isinstance(node, ast.ImportFrom)
                and node.module == "dataclasses"
                and any(alias.name == "dataclass" for alias in node.names)
            )
            or (
                isinstance(node, ast.Attribute)
                and node.attr == "dataclass"
                and isinstance(node.value, ast.Name)
                and node.value.id == "dataclasses"
            )
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]
    assert direct == []
