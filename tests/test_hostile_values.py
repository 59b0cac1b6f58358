"""Hostile input to the value-flow readers: values followed across a project's modules, its
helpers read once per call, its configuration files.

Each input is fed as it was found and the test asserts what is read from it, never how long
it takes: the inputs here took from tens of seconds to many minutes before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Linter
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.python_values import MAX_VALUES_READ, Values
from mllint_wa.model import Location
from mllint_wa.parsers.python_code import parse_python
from mllint_wa.project import discover
from trees import write_files

MODEL_IMPORT = "from sagemaker.model import Model\n"


def _resources(root: Path, kind: str) -> tuple[rm.Resource, ...]:
    [project] = discover([root]).projects
    return rm.resources(Evidence(project.root, project.files), kind)


# Callers of the project's helpers ----------------------------------------------------------------

HELPERS = 3_000
CALLS = 30_000


def test_thousands_of_helpers_named_in_modules_of_many_calls_are_each_looked_up_once(tmp_path):
    # Each helper's calls were looked for among every call of every module that names it:
    # 3,000 helpers named in two modules of 30,000 calls each took 180 million comparisons.
    helpers = MODEL_IMPORT + "".join(
        f"def serve{i}(isolated):\n"
        f"    Model(image_uri='i', role='r', enable_network_isolation=isolated)\n"
        for i in range(HELPERS)
    )
    names = ",\n".join(f"serve{i}" for i in range(HELPERS))
    callers = f"import helpers\nnames = [\n{names}]\n" + "run()\n" * CALLS
    write_files(
        tmp_path,
        {
            "helpers.py": helpers,
            "once.py": "from helpers import serve0\nserve0(False)\n",
            "callers_a.py": callers,
            "callers_b.py": callers,
        },
    )
    models = _resources(tmp_path, rm.MODEL)
    isolation = [model.get("network_isolation") for model in models]
    # The one helper called (once) holds its caller's value; the others' stay unknown.
    assert (isolation[0].value, isolation[0].location) == (False, Location("once.py", 2, 8))
    assert len(models) == HELPERS
    assert all(value.unknown for value in isolation[1:])


# Models served by endpoints --------------------------------------------------------------------

SERVED = 20_000
SERVING = "serve.py"


def many_served_models(ev: Evidence) -> list[rm.Resource]:
    """An extractor: SERVED SDK models without network isolation, each deployed."""
    found = []
    for i in range(SERVED):
        where = Location(SERVING, i + 1, 1)
        name = f"model{i}"
        found.append(rm.Resource(rm.MODEL, name, "sdk", where, type="Model"))
        endpoint = {"model": rm.known(name, where)}
        found.append(rm.Resource(rm.ENDPOINT, f"{name}.deploy", "sdk", where, endpoint))
    return found


def test_each_of_thousands_of_deployed_models_finds_its_deployment_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lint: Linter
) -> None:
    # Each model was looked for among every endpoint and transform of the project: 20,000
    # deployed models took minutes.
    write_files(tmp_path, {SERVING: "\n" * SERVED})
    monkeypatch.setattr(rm, "EXTRACTORS", {"sdk": f"{__name__}:many_served_models"})
    found = lint(tmp_path, "DE021")
    assert found == [
        ("DE021", "model-without-network-isolation", SERVING, i + 1, 1) for i in range(SERVED)
    ]


# Values that fan out through names -------------------------------------------------------------


def _laughs(levels: int, width: int) -> str:
    """``a1`` a list of ``width`` names of ``a0``, ``a2`` of ``a1``…: ``width ** levels``
    values in a few hundred bytes."""
    lines = ["a0 = False"]
    for level in range(1, levels + 1):
        lines.append(f"a{level} = [{', '.join([f'a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _served(isolation: str, name: str = "model") -> str:
    return (
        f"{name} = Model(image_uri='i', role='r', enable_network_isolation={isolation})\n"
        f"{name}.deploy(initial_instance_count=1, instance_type='ml.m5.large')\n"
    )


def _isolation(root: Path) -> list[tuple[str, object]]:
    return [
        (model.name, model.get("network_isolation").state.value)
        for model in _resources(root, rm.MODEL)
    ]


def test_a_list_of_names_of_lists_of_names_reads_as_unknown_however_often_it_is_read(tmp_path):
    # 10 ** 20 values: the reading never ended, or ran out of memory and failed every rule.
    readers = "".join(_served("a20[0]", f"bombed{i}") for i in range(1_000))
    write_files(tmp_path, {"serve.py": MODEL_IMPORT + _laughs(20, 10) + readers + _served("a0")})
    assert _isolation(tmp_path) == [
        *[(f"bombed{i}", "unknown") for i in range(1_000)],
        ("model", "known"),
    ]


def test_a_dict_changed_in_more_places_than_any_configuration_reads_as_unknown(tmp_path):
    # Each read of the dict went through every change: 10,000 changes read by each of a
    # thousand models took minutes.
    changes = "".join(f"config['k{i}'] = {i}\n" for i in range(10_000))
    readers = "".join(_served("config['isolated']", f"model{i}") for i in range(1_000))
    source = MODEL_IMPORT + "config = {'isolated': False}\n" + changes + readers
    short = (
        MODEL_IMPORT + "config = {}\n" + "config['k'] = 1\n" * 500 + "config['isolated'] = False\n"
    )
    write_files(tmp_path / "long", {"serve.py": source})
    write_files(tmp_path / "short", {"serve.py": short + _served("config['isolated']")})
    assert set(_isolation(tmp_path / "long")) == {(f"model{i}", "unknown") for i in range(1_000)}
    assert _isolation(tmp_path / "short") == [("model", "known")]


def test_a_dict_set_to_itself_at_each_of_its_keys_reads_as_unknown(tmp_path):
    # Each of the ten changes was read through the nine before it, and so on: it never ended.
    changes = "".join(f"config['k{i}'] = config\n" for i in range(10))
    source = MODEL_IMPORT + "config = {}\n" + changes + "config['isolated'] = False\n"
    write_files(tmp_path, {"serve.py": source + _served("config['isolated']")})
    assert _isolation(tmp_path) == [("model", "unknown")]


def _ones(name: str, count: int) -> str:
    return f"{name} = [\n" + ",\n".join(["1"] * count) + "]\n"


def _read(source: str, names: list[str]) -> dict[str, object]:
    """What each of ``names`` (assigned once in ``source``) reads as, read in that order."""
    module = parse_python(source)
    values = Values(module)
    assigned = {s.targets[0].id: s.value for s in module.tree.body}  # type: ignore[attr-defined]
    return {name: values.value(assigned[name]).plain() for name in names}


def test_a_value_reads_the_same_whether_or_not_a_larger_one_holding_it_was_read_first():
    # `b` alone fits the budget; read inside `both`, after `a`, it runs the budget out, and
    # was then unknown to every later read of it.
    half = MAX_VALUES_READ // 2
    source = _ones("a", half - 1_000) + _ones("b", half + 2_000) + "both = [a, b]\nalone = b\n"
    alone_first = _read(source, ["alone", "both"])
    both_first = _read(source, ["both", "alone"])
    assert alone_first["alone"] == [1] * (half + 2_000)
    assert both_first == alone_first


def test_a_value_too_large_to_read_reads_the_same_each_time():
    # The first read gave the list of what was read before the budget ran out, the next
    # ones an unknown value.
    half = MAX_VALUES_READ // 2
    source = _ones("a", half) + "huge = [a, a, a]\n"
    module = parse_python(source)
    values = Values(module)
    huge = module.tree.body[1].value  # type: ignore[attr-defined]
    first, second = values.value(huge), values.value(huge)
    assert (first.known, first.value, first.written) == (second.known, second.value, second.written)
    assert first.plain() is ...
