"""Hostile TOML: what lens.toml, pyproject.toml and --config files must survive.

Each file is read by one bounded reader: regular files only, 1 MiB at most, and the text is
bounded (key parts, bare tokens, line length, nesting) before tomllib sees it. What does not
fit is an LN002 finding for that manifest, or a one-line configuration error for settings;
it never crashes the run, hangs it, or spends gigabytes.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mllint_wa.cli import main
from mllint_wa.config import ConfigError, load_config_file, pyproject_layer

HUGE = "1" + "0" * 309  # beyond a float's range
ENORMOUS = "1" + "0" * 5000  # beyond the digits Python converts


@pytest.fixture(autouse=True)
def _fresh_pyproject_cache() -> Iterator[None]:
    pyproject_layer.cache_clear()
    yield
    pyproject_layer.cache_clear()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def invoke(where: Path, *args: str) -> Result:
    cwd = Path.cwd()
    os.chdir(where)
    try:
        return CliRunner().invoke(main, ["--format", "json", *args])
    finally:
        os.chdir(cwd)


def findings(result: Result) -> list[tuple[str, str, int, int, str]]:
    return [
        (f["code"], f["path"], f["line"], f["column"], f["message"])
        for f in json.loads(result.stdout)["findings"]
    ]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root / "lens.toml", "schema_version = 1\n")
    return root


# -- 1. huge integers --------------------------------------------------------------------------


def test_an_integer_beyond_a_float_is_a_finding_and_the_other_projects_are_linted(
    repo: Path,
) -> None:
    write(repo / "a" / "lens.toml", f"schema_version = 1\n[project]\nname = {HUGE}\n")
    write(repo / "b" / "lens.toml", "schema_version = 1\ncolour = 1\n")
    result = invoke(repo, "--select", "LN")
    assert result.exit_code == 1, result.stderr
    assert findings(result) == [
        ("LN004", "a/lens.toml", 3, 8, "`project.name` should be a string, not an integer"),
        ("LN003", "b/lens.toml", 2, 1, "unknown key `colour`"),
    ]


def test_an_integer_too_long_to_convert_is_an_invalid_manifest(repo: Path) -> None:
    write(repo / "lens.toml", f"schema_version = 1\nunknown = {ENORMOUS}\n")
    write(repo / "b" / "lens.toml", "schema_version = 1\ncolour = 1\n")
    result = invoke(repo, "--select", "LN")
    assert result.exit_code == 1, result.stderr
    assert findings(result) == [
        ("LN003", "b/lens.toml", 2, 1, "unknown key `colour`"),
        (
            "LN002",
            "lens.toml",
            2,
            11,
            "lens.toml has a bare key or value longer than 1024 characters",
        ),
    ]


def test_a_huge_metric_target_is_no_number_for_the_rules(repo: Path) -> None:
    write(
        repo / "lens.toml",
        f"""
        schema_version = 1
        [[problem.metrics]]
        target = {HUGE}
        baseline = 0.5
        direction = "maximize"
        """,
    )
    result = invoke(repo, "--select", "LN005,PF002,PF004")
    assert result.exit_code == 1, result.stderr
    assert findings(result) == [
        (
            "LN005",
            "lens.toml",
            3,
            10,
            "`problem.metrics[0].target` is an integer of 310 digits: give a finite number",
        ),
        (
            "PF002",
            "lens.toml",
            3,
            10,
            "`problem.metrics[0].target` is an integer of 310 digits, not a finite number: "
            "give the success threshold as a number",
        ),
    ]


def test_a_huge_integer_in_pyproject_is_a_configuration_error(repo: Path) -> None:
    write(repo / "pyproject.toml", f"[tool.other]\nn = {ENORMOUS}\n")
    result = invoke(repo)
    assert result.exit_code == 2
    assert result.stderr == (
        f"mllint-wa: error: {repo / 'pyproject.toml'} has a bare key or value longer than "
        "1024 characters (line 2, column 5)\n"
    )


# -- 3. long dotted keys, big files ------------------------------------------------------------


def test_a_dotted_key_of_thousands_of_parts_is_refused_before_parsing(repo: Path) -> None:
    write(repo / "lens.toml", "schema_version = 1\nx" + ".a" * 40_000 + " = 1\n")
    result = invoke(repo, "--select", "LN002")
    assert findings(result) == [
        ("LN002", "lens.toml", 2, 32, "lens.toml has a dotted key of more than 16 parts")
    ]


def test_quotes_do_not_hide_the_parts_of_a_dotted_key(tmp_path: Path) -> None:
    file = write(tmp_path / "s.toml", "x" + '."a"' * 100 + " = 1\n")
    with pytest.raises(ConfigError, match=r"has a dotted key of more than 16 parts \(line 1, "):
        load_config_file(file)


def test_a_pyproject_larger_than_a_mebibyte_is_a_configuration_error(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("#" * (1024 * 1024 + 1))
    result = invoke(repo)
    assert result.exit_code == 2
    assert result.stderr == (
        f"mllint-wa: error: {repo / 'pyproject.toml'} is larger than 1024 KiB\n"
    )


def test_a_long_comment_is_no_long_line(tmp_path: Path) -> None:
    file = write(tmp_path / "s.toml", "#" * 100_000 + "\nselect = ['LN']\n")
    assert load_config_file(file).select == ("LN",)


def test_a_line_longer_than_64_kib_is_refused(tmp_path: Path) -> None:
    file = write(tmp_path / "s.toml", "select = ['" + "L" * 70_000 + "']\n")
    with pytest.raises(ConfigError, match=r"has a line longer than 65536 characters \(line 1"):
        load_config_file(file)


# -- 4. --config reads only regular files, bounded -------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_config_on_a_fifo_is_refused_without_waiting(repo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "settings.toml"
    os.mkfifo(fifo)
    result = invoke(repo, "--config", str(fifo))
    assert result.exit_code == 2
    assert result.stderr == f"mllint-wa: error: {fifo} is not a regular file\n"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_config_on_a_device_is_refused_without_reading(repo: Path) -> None:
    result = invoke(repo, "--config", "/dev/zero")
    assert result.exit_code == 2
    assert result.stderr == "mllint-wa: error: /dev/zero is not a regular file\n"


@pytest.mark.parametrize("depth", [100, 5000])
def test_deeply_nested_arrays_in_pyproject_are_a_configuration_error(
    repo: Path, depth: int
) -> None:
    write(repo / "pyproject.toml", "[tool.other]\na = " + "[" * depth + "]" * depth + "\n")
    result = invoke(repo)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"mllint-wa: error: {repo / 'pyproject.toml'} nests arrays")
    assert len(result.stderr.splitlines()) == 1


# -- 7. numbers must be finite, costs not negative ---------------------------------------------


def test_non_finite_figures_and_negative_costs_are_invalid_values(repo: Path) -> None:
    write(
        repo / "lens.toml",
        """
        schema_version = 1
        [business.costs]
        currency = "USD"
        data_acquisition = -2000
        training = nan
        inference = -inf
        wrong_prediction = 0
        [[problem.metrics]]
        name = "recall"
        target = nan
        baseline = 0.5
        direction = "maximize"
        primary = true
        [[problem.metrics]]
        name = "p"
        target = inf
        baseline = -inf
        direction = "maximize"
        """,
    )
    result = invoke(repo, "--select", "LN005,PF002,PF004,BG008")
    assert [(code, line, message) for code, _, line, _, message in findings(result)] == [
        (
            "LN005",
            4,
            "`business.costs.data_acquisition` is -2000: it cannot be less than 0",
        ),
        ("LN005", 5, "`business.costs.training` is nan: give a finite number"),
        ("LN005", 6, "`business.costs.inference` is -inf: give a finite number"),
        ("LN005", 10, "`problem.metrics[0].target` is nan: give a finite number"),
        (
            "PF002",
            10,
            "`problem.metrics[0].target` is nan, not a finite number: give the success "
            "threshold as a number",
        ),
        ("LN005", 16, "`problem.metrics[1].target` is inf: give a finite number"),
        (
            "PF002",
            16,
            "`problem.metrics[1].target` is inf, not a finite number: give the success "
            "threshold as a number",
        ),
        ("LN005", 17, "`problem.metrics[1].baseline` is -inf: give a finite number"),
    ]


def test_the_json_schema_says_costs_are_not_negative() -> None:
    from mllint_wa.schema import json_schema

    costs = json.loads(json_schema())["properties"]["business"]["properties"]["costs"]
    assert costs["properties"]["training"]["minimum"] == 0


# -- 8. one setting, two spellings -------------------------------------------------------------


def test_both_spellings_in_pyproject_are_a_configuration_error(repo: Path) -> None:
    write(
        repo / "pyproject.toml",
        "[tool.mllint-wa]\nextend-select = ['LN']\nextend_select = ['BG']\n",
    )
    result = invoke(repo)
    assert result.exit_code == 2
    assert result.stderr == (
        f"mllint-wa: error: {repo / 'pyproject.toml'} [tool.mllint-wa]: `extend-select` and "
        "`extend_select` are the same setting; keep one\n"
    )


def test_both_spellings_in_the_lint_table_are_a_configuration_error(repo: Path) -> None:
    write(repo / "lens.toml", "schema_version = 1\n[lint]\nfail-on = 'high'\nfail_on = 'low'\n")
    result = invoke(repo)
    assert result.exit_code == 2
    assert result.stderr == (
        "mllint-wa: error: lens.toml [lint]: `fail-on` and `fail_on` are the same setting; "
        "keep one\n"
    )


# -- 9. a quoted key with a dot is one key -----------------------------------------------------


def test_a_quoted_dotted_key_and_a_dotted_path_are_two_findings(repo: Path) -> None:
    write(
        repo / "lens.toml",
        'schema_version = 1\n[business]\n"costs.x" = 1\n[business.costs]\nx = 2\n',
    )
    result = invoke(repo, "--select", "LN003")
    rows = json.loads(result.stdout)["findings"]
    assert [(f["line"], f["message"]) for f in rows] == [
        (3, 'unknown key `business."costs.x"`; did you mean `costs`?'),
        (5, "unknown key `business.costs.x`"),
    ]
    assert len({f["fingerprint"] for f in rows}) == 2


def test_a_top_level_quoted_key_does_not_move_a_missing_key(repo: Path) -> None:
    write(repo / "lens.toml", 'schema_version = 1\n"business.goal" = "x"\n[business]\nkpi = "k"\n')
    result = invoke(repo, "--select", "LN003,BG001")
    assert [(code, line, message) for code, _, line, _, message in findings(result)] == [
        ("LN003", 2, 'unknown key `"business.goal"`; did you mean `business`?'),
        (
            "BG001",
            3,
            "`business.goal` is missing: state the business problem and the change wanted",
        ),
    ]


# -- 11. the waiver check cannot be waived ----------------------------------------------------


def test_a_waiver_of_the_waiver_check_is_itself_reported(repo: Path) -> None:
    write(
        repo / "lens.toml",
        """
        schema_version = 1
        [waivers.LN007]
        reason = "r"
        owner = "o"
        expires = 2099-01-01
        [waivers.BG001]
        reason = "r"
        owner = "o"
        expires = 2020-01-01
        """,
    )
    result = invoke(repo, "--select", "LN007,LN014")
    assert [(code, line, message) for code, _, line, _, message in findings(result)] == [
        (
            "LN007",
            2,
            "waiver `waivers.LN007` does not apply: LN007 (invalid-waiver) findings cannot be "
            "waived",
        ),
        (
            "LN014",
            6,
            "waiver `waivers.BG001` expired on 2020-01-01; its findings are reported again",
        ),
    ]
    assert json.loads(result.stdout)["summary"]["suppressed"] == 0
