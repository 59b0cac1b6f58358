"""Properties of reading TOML, over generated documents.

Hypothesis writes lens.toml, pyproject.toml and --config files from hostile pieces: huge
integers, long dotted keys, deep nesting, quoted keys holding dots, nan and inf, a setting
under both its spellings. Whatever it writes, the manifest reader and the settings reader
must return within the per-example deadline, raise nothing but a one-line ConfigError, give
findings that stand inside the file, and never give two findings one fingerprint.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mllint_wa.config import ConfigError, Layer, load_config_file, pyproject_layer
from mllint_wa.runner import RunOptions, run

BARE_KEYS = ("schema_version", "business", "costs", "goal", "target", "x", "a-b", "fail_on")
HEADERS = (
    "[project]",
    "[business]",
    "[business.costs]",
    "[[problem.metrics]]",
    "[lint]",
    "[waivers.LN007]",
    "[waivers.BG001]",
    "[tool.mllint-wa]",
    "[tool]",
)
ALIASES = (
    'fail-on = "low"',
    'fail_on = "high"',
    'extend-select = ["LN"]',
    'extend_select = ["BG"]',
    'select = ["ALL"]',
    "expires = 2020-01-01",
    'reason = "r"',
    'owner = "o"',
)


@st.composite
def keys(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(("bare", "quoted", "dotted", "long")))
    if kind == "bare":
        return draw(st.sampled_from(BARE_KEYS))
    if kind == "quoted":
        inner = draw(st.sampled_from(("costs.x", "business.goal", "a b", "é.ü", "")))
        return f'"{inner}"'
    parts = draw(st.integers(2, 6)) if kind == "dotted" else draw(st.integers(60, 3000))
    part = draw(st.sampled_from(("a", '"b.c"', "'d'", "costs")))
    return ".".join([draw(st.sampled_from(BARE_KEYS)), *[part] * (parts - 1)])


@st.composite
def values(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(("int", "huge", "float", "special", "string", "nested", "table")))
    if kind == "int":
        return str(draw(st.integers(-(10**6), 10**6)))
    if kind == "huge":
        return draw(st.sampled_from(("", "-", "+"))) + "9" * draw(st.integers(300, 6000))
    if kind == "float":
        return repr(draw(st.floats(allow_nan=False, allow_infinity=False)))
    if kind == "special":
        return draw(st.sampled_from(("nan", "+nan", "-nan", "inf", "+inf", "-inf", "1e400")))
    if kind == "string":
        return draw(st.sampled_from(('"x"', "'TODO'", '"""a\n"""', '"\\u00e9"', '""')))
    if kind == "nested":
        depth = draw(st.integers(1, 1500))
        return "[" * depth + draw(st.sampled_from(("", "1", "{}", "nan"))) + "]" * depth
    return "{ " + draw(keys()) + " = " + draw(st.sampled_from(("1", "nan", '"v"'))) + " }"


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = ["schema_version = 1"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(("header", "key", "key", "alias")))
        if kind == "header":
            lines.append(draw(st.sampled_from(HEADERS)))
        elif kind == "alias":
            lines.append(draw(st.sampled_from(ALIASES)))
        else:
            lines.append(f"{draw(keys())} = {draw(values())}")
    return "\n".join(lines) + draw(st.sampled_from(("", "\n")))


@contextmanager
def project(files: dict[str, str]) -> Iterator[Path]:
    """A fresh repository holding ``files``, as the working directory."""
    cwd = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        os.chdir(root)
        try:
            yield root
        finally:
            os.chdir(cwd)
            pyproject_layer.cache_clear()


def assert_one_line(error: ConfigError) -> None:
    assert str(error).strip() and "\n" not in str(error)


PROPERTIES = settings(
    max_examples=60,
    deadline=None,  # milliseconds per example: a run bounded by the input bounds, not by luck
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTIES
@given(documents(), documents())
def test_linting_any_manifest_gives_findings_inside_the_file_with_unique_fingerprints(
    first: str, second: str
) -> None:
    with project({"lens.toml": first, "svc/lens.toml": second}):
        try:
            result = run([Path(".")], RunOptions(cli=Layer("test", select=("ALL",))))
        except ConfigError as error:  # a [lint] table that cannot be used
            assert_one_line(error)
            assert " [lint]: " in str(error)
            return
    assert result.errors == []
    texts = {"lens.toml": first, "svc/lens.toml": second}
    everything = result.findings + result.suppressed
    for finding in everything:
        lines = texts[finding.path].split("\n")
        assert 1 <= finding.line <= len(lines), finding
        assert 1 <= finding.column <= len(lines[finding.line - 1]) + 1, finding
    fingerprints = [f.fingerprint for f in everything]
    assert len(fingerprints) == len(set(fingerprints))


@PROPERTIES
@given(documents())
def test_reading_any_settings_file_gives_settings_or_a_one_line_error(text: str) -> None:
    with project({"settings.toml": text, "pyproject.toml": text}) as root:
        for read in (
            lambda: load_config_file(root / "settings.toml"),
            lambda: pyproject_layer(root),
        ):
            try:
                layer = read()
            except ConfigError as error:
                assert_one_line(error)
            else:
                assert layer is None or isinstance(layer, Layer)
