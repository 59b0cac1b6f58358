"""Settings: [tool.mllint-wa] in pyproject.toml ▸ [lint] in lens.toml ▸ CLI flags."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mllint_wa.cli import main
from mllint_wa.config import (
    DEFAULT_EXCLUDE,
    ConfigError,
    Layer,
    layer_from_table,
    load_config_file,
    pyproject_layer,
    resolve_settings,
)
from mllint_wa.model import Risk
from mllint_wa.registry import load_rules
from mllint_wa.runner import RunOptions, RunResult, run

RULES = load_rules()
# What runs by default: every rule but the preview ones.
ALL = [r.code for r in RULES if not r.preview]


def phase(prefix: str) -> list[str]:
    return [code for code in ALL if code.startswith(prefix)]


def codes(*layers: Layer) -> list[str]:
    return [r.code for r in resolve_settings(layers, RULES).rules]


@pytest.fixture(autouse=True)
def _fresh_pyproject_cache() -> Iterator[None]:
    pyproject_layer.cache_clear()
    yield
    pyproject_layer.cache_clear()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository (its .git stops the search for settings) whose lens.toml has one unknown
    key (LN003, medium) and an empty [business] table."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(
        root / "lens.toml",
        """
        schema_version = 1
        colour = "blue"

        [project]
        stage = "discovery"

        [business]
        """,
    )
    return root


Lint = Callable[..., tuple[int, list[str], str]]


@pytest.fixture
def lint(monkeypatch: pytest.MonkeyPatch) -> Lint:
    """Run the CLI in ``repo`` with JSON output: (exit code, sorted finding codes, stderr)."""

    def run(repo: Path, *args: str) -> tuple[int, list[str], str]:
        monkeypatch.chdir(repo)
        result = CliRunner().invoke(main, ["--format", "json", *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        found = [f["code"] for f in json.loads(result.stdout)["findings"]] if result.stdout else []
        return result.exit_code, sorted(found), result.stderr

    return run


# -- layering ----------------------------------------------------------------------------------


def test_no_layers_means_every_rule_fail_on_low_and_the_default_exclusions() -> None:
    settings = resolve_settings([], RULES)
    assert [r.code for r in settings.rules] == ALL
    assert settings.fail_on is Risk.LOW
    assert settings.exclude == ((None, DEFAULT_EXCLUDE),)


def test_select_replaces_the_rules_so_far() -> None:
    assert codes(Layer("a", select=("BG",))) == phase("BG")
    assert codes(Layer("a", select=("BG",)), Layer("b", select=("PF001",))) == ["PF001"]


def test_an_empty_select_selects_nothing() -> None:
    assert codes(Layer("a", select=())) == []


def test_extend_select_adds() -> None:
    layers = (Layer("a", select=("BG",)), Layer("b", extend_select=("PF001", "missing-manifest")))
    assert codes(*layers) == [*phase("BG"), "LN001", "PF001"]


def test_ignore_removes() -> None:
    assert codes(Layer("a", ignore=("BG", "PF001"))) == [
        c for c in ALL if not c.startswith("BG") and c != "PF001"
    ]


def test_ignore_applies_after_select_of_the_same_layer() -> None:
    assert codes(Layer("a", select=("BG",), ignore=("BG001",))) == phase("BG")[1:]


def test_a_later_extend_select_brings_back_an_earlier_ignore() -> None:
    assert "PF001" in codes(Layer("a", ignore=("PF001",)), Layer("b", extend_select=("PF001",)))


def test_a_later_select_drops_an_earlier_ignore() -> None:
    assert codes(Layer("a", ignore=("BG001",)), Layer("b", select=("BG",))) == phase("BG")


def test_a_later_ignore_beats_an_earlier_select() -> None:
    assert codes(Layer("a", select=("PF001", "PF002")), Layer("b", ignore=("PF",))) == []


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("PF", phase("PF")),
        ("pf", phase("PF")),
        ("PF00", [c for c in ALL if c.startswith("PF00")]),
        ("PF001", ["PF001"]),
        ("missing-success-metric", ["PF001"]),
        ("Missing-Success-Metric", ["PF001"]),
        ("ALL", ALL),
        ("all", ALL),
        (" LN ", phase("LN")),
    ],
)
def test_selectors(selector: str, expected: list[str]) -> None:
    assert codes(Layer("a", select=(selector,))) == expected


def test_selected_twice_is_listed_once() -> None:
    assert codes(Layer("a", select=("PF001", "missing-success-metric", "PF"))) == phase("PF")


@pytest.mark.parametrize(
    ("selector", "hint"),
    [
        ("missing-sucess-metric", "; did you mean `missing-success-metric`?"),
        ("PF999", ""),
        ("XX", ""),
        ("PF0011", ""),
    ],
)
def test_unknown_selector_is_a_config_error(selector: str, hint: str) -> None:
    with pytest.raises(ConfigError) as error:
        codes(Layer("pyproject.toml [tool.mllint-wa]", extend_select=(selector,)))
    assert str(error.value).startswith(
        f"pyproject.toml [tool.mllint-wa]: unknown rule selector `{selector}`"
    )
    if hint:
        assert str(error.value).endswith(hint)


def test_ignoring_an_unknown_but_well_formed_code_is_allowed() -> None:
    # A rule of a newer release or an absent plugin; selecting it would still be an error.
    assert codes(Layer("a", ignore=("PF999", "DE999"))) == ALL
    with pytest.raises(ConfigError, match="unknown rule selector `PF9999`"):
        codes(Layer("a", ignore=("PF9999",)))
    with pytest.raises(ConfigError, match="unknown rule selector `missing-nothing`"):
        codes(Layer("a", ignore=("missing-nothing",)))


def test_excludes_accumulate_and_the_last_fail_on_wins() -> None:
    settings = resolve_settings(
        [
            Layer("a", exclude=("data/",), fail_on="medium", base=Path("/repo")),
            Layer("b", exclude=("notebooks/",)),
            Layer("c", fail_on="high"),
        ],
        RULES,
    )
    # Each group keeps the folder its patterns are relative to (None: the command line's);
    # a layer that sets `exclude` replaces the default exclusions.
    assert settings.exclude == ((Path("/repo"), ("data/",)), (None, ("notebooks/",)))
    assert settings.fail_on is Risk.HIGH


def test_fail_on_none_fails_nothing() -> None:
    assert resolve_settings([Layer("a", fail_on="none")], RULES).fail_on is None


# -- tables ------------------------------------------------------------------------------------


def test_layer_from_a_full_table() -> None:
    layer = layer_from_table(
        {
            "select": ["BG"],
            "extend-select": ["PF001"],
            "ignore": ["BG013"],
            "exclude": ["data/"],
            "fail-on": "medium",
        },
        "src",
    )
    assert layer == Layer(
        "src",
        select=("BG",),
        extend_select=("PF001",),
        ignore=("BG013",),
        exclude=("data/",),
        fail_on="medium",
    )


def test_an_empty_table_sets_nothing() -> None:
    assert layer_from_table({}, "src") == Layer("src")


@pytest.mark.parametrize("key", ["fail_on", "fail-on"])
def test_both_spellings_of_fail_on(key: str) -> None:
    assert layer_from_table({key: "high"}, "src").fail_on == "high"


def test_underscore_spelling_of_extend_select() -> None:
    assert layer_from_table({"extend_select": ["PF001"]}, "src").extend_select == ("PF001",)


def test_unknown_setting_with_did_you_mean() -> None:
    with pytest.raises(ConfigError) as error:
        layer_from_table({"selct": ["BG"]}, "lens.toml [lint]")
    assert str(error.value) == "lens.toml [lint]: unknown setting `selct`; did you mean `select`?"


def test_unknown_setting_without_a_close_match() -> None:
    with pytest.raises(ConfigError, match=r"^src: unknown setting `colour`$"):
        layer_from_table({"colour": "blue"}, "src")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"select": "BG"}, "src: `select` must be a list of strings"),
        ({"ignore": ["BG", 1]}, "src: `ignore` must be a list of strings"),
        ({"exclude": {"a": 1}}, "src: `exclude` must be a list of strings"),
        ({"fail-on": 1}, "src: `fail-on` must be one of high, medium, low, none, not 1"),
        (
            {"fail_on": "critical"},
            "src: `fail_on` must be one of high, medium, low, none, not 'critical'",
        ),
        (
            {"fail_on": ["high"]},
            "src: `fail_on` must be one of high, medium, low, none, not ['high']",
        ),
    ],
)
def test_wrong_types(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        layer_from_table(table, "src")
    assert str(error.value) == message


# -- pyproject.toml ----------------------------------------------------------------------------


def test_the_nearest_pyproject_with_a_table_is_used(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "pyproject.toml", "[tool.mllint-wa]\nselect = ['BG']\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n")
    (tmp_path / "pkg" / "svc").mkdir()
    layer = pyproject_layer(tmp_path / "pkg" / "svc")
    assert layer is not None
    assert layer.select == ("BG",)
    assert layer.source == f"{tmp_path / 'pyproject.toml'} [tool.mllint-wa]"


def test_an_inner_pyproject_with_a_table_wins(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "pyproject.toml", "[tool.mllint-wa]\nselect = ['BG']\n")
    write(tmp_path / "svc" / "pyproject.toml", "[tool.mllint-wa]\nselect = ['PF']\n")
    layer = pyproject_layer(tmp_path / "svc")
    assert layer is not None and layer.select == ("PF",)


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.mllint-wa]\nselect = ['BG']\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "svc").mkdir()
    assert pyproject_layer(tmp_path / "repo" / "svc") is None


def test_a_broken_pyproject_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "pyproject.toml", "[tool.mllint-wa\nselect = ['BG']\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml is not valid TOML: "):
        pyproject_layer(tmp_path)


def test_a_tool_entry_that_is_not_a_table(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "pyproject.toml", '[tool]\n"mllint-wa" = "BG"\n')
    with pytest.raises(ConfigError, match=r"\[tool\.mllint-wa\] must be a table"):
        pyproject_layer(tmp_path)


# -- --config FILE -----------------------------------------------------------------------------


def test_config_file_pyproject_style(tmp_path: Path) -> None:
    file = write(tmp_path / "settings.toml", "[tool.mllint-wa]\nignore = ['BG013']\n")
    assert load_config_file(file) == Layer(str(file), ignore=("BG013",), base=file.parent)


def test_config_file_lens_toml_style(tmp_path: Path) -> None:
    file = write(tmp_path / "lens.toml", "schema_version = 1\n[lint]\nfail_on = 'high'\n")
    assert load_config_file(file) == Layer(str(file), fail_on="high", base=file.parent)


def test_config_file_lens_toml_without_lint(tmp_path: Path) -> None:
    file = write(tmp_path / "lens.toml", "schema_version = 1\n")
    assert load_config_file(file) == Layer(str(file), base=file.parent)


def test_config_file_bare_table(tmp_path: Path) -> None:
    file = write(tmp_path / "mllint.toml", "select = ['LN']\nexclude = ['data/']\n")
    assert load_config_file(file) == Layer(
        str(file), select=("LN",), exclude=("data/",), base=file.parent
    )


def test_config_file_pyproject_without_our_table(tmp_path: Path) -> None:
    file = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n[tool.ruff]\nfix = true\n")
    with pytest.raises(ConfigError) as error:
        load_config_file(file)
    assert str(error.value) == f"{file}: has no [tool.mllint-wa] table"


def test_config_file_with_a_non_table_lint(tmp_path: Path) -> None:
    file = write(tmp_path / "lens.toml", "lint = ['BG']\n")
    with pytest.raises(ConfigError, match="the settings must be a table"):
        load_config_file(file)


def test_config_file_broken(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_bytes(b"select = ['\xff']\n")
    with pytest.raises(ConfigError, match=r"bad\.toml is not valid UTF-8 \(byte 0xff\)"):
        load_config_file(file)


# -- through the command line -------------------------------------------------------------------


def test_defaults(repo: Path, lint: Lint) -> None:
    code, found, _ = lint(repo)
    assert code == 1
    assert "LN003" in found
    assert "BG001" in found


def test_pyproject_then_lens_toml_then_cli(repo: Path, lint: Lint) -> None:
    write(repo / "pyproject.toml", "[tool.mllint-wa]\nselect = ['LN']\n")
    assert lint(repo)[:2] == (1, ["LN003"])

    lens = (repo / "lens.toml").read_text()
    (repo / "lens.toml").write_text(lens + "\n[lint]\nextend-select = ['BG001', 'BG002']\n")
    assert lint(repo)[:2] == (1, ["BG001", "BG002", "LN003"])

    assert lint(repo, "--ignore", "LN003,BG002")[:2] == (1, ["BG001"])
    assert lint(repo, "--extend-select", "missing-business-kpi")[1] == ["BG001", "BG002", "LN003"]
    assert lint(repo, "--select", "BG002", "--select", "LN")[1] == ["BG002", "LN003"]
    framing = lint(repo, "--select", "PF")[1]
    assert "PF001" in framing
    assert all(c.startswith("PF") for c in framing)


def test_fail_on_layers(repo: Path, lint: Lint) -> None:
    write(repo / "pyproject.toml", "[tool.mllint-wa]\nselect = ['LN']\nfail-on = 'high'\n")
    assert lint(repo)[:2] == (0, ["LN003"])  # medium only
    assert lint(repo, "--fail-on", "medium")[0] == 1
    lens = (repo / "lens.toml").read_text()
    (repo / "lens.toml").write_text(lens + "\n[lint]\nfail_on = 'low'\n")
    assert lint(repo)[0] == 1
    assert lint(repo, "--fail-on", "none")[0] == 0


def test_unknown_key_exits_2_with_did_you_mean(repo: Path, lint: Lint) -> None:
    write(repo / "pyproject.toml", "[tool.mllint-wa]\nignroe = ['BG001']\n")
    code, found, stderr = lint(repo)
    assert (code, found) == (2, [])
    assert stderr == (
        f"mllint-wa: error: {repo / 'pyproject.toml'} [tool.mllint-wa]: unknown setting "
        "`ignroe`; did you mean `ignore`?\n"
    )


def test_unknown_key_in_lint_table_exits_2(repo: Path, lint: Lint) -> None:
    lens = (repo / "lens.toml").read_text()
    (repo / "lens.toml").write_text(lens + "\n[lint]\nfail_onn = 'high'\n")
    code, _, stderr = lint(repo)
    assert code == 2
    assert "lens.toml [lint]: unknown setting `fail_onn`; did you mean `fail-on`?" in stderr


def test_wrong_type_exits_2(repo: Path, lint: Lint) -> None:
    write(repo / "pyproject.toml", "[tool.mllint-wa]\nselect = 'BG'\n")
    code, _, stderr = lint(repo)
    assert code == 2
    assert stderr.endswith("[tool.mllint-wa]: `select` must be a list of strings\n")


def test_unknown_selector_exits_2_with_did_you_mean(repo: Path, lint: Lint) -> None:
    code, _, stderr = lint(repo, "--ignore", "missing-busines-goal")
    assert code == 2
    assert stderr == (
        "mllint-wa: error: command line: unknown rule selector `missing-busines-goal`; "
        "did you mean `missing-business-goal`?\n"
    )


def test_unknown_selector_in_pyproject_exits_2(repo: Path, lint: Lint) -> None:
    write(repo / "pyproject.toml", "[tool.mllint-wa]\nextend-select = ['BG999']\n")
    code, _, stderr = lint(repo)
    assert code == 2
    assert "[tool.mllint-wa]: unknown rule selector `BG999`" in stderr


def test_broken_pyproject_exits_2(repo: Path, lint: Lint) -> None:
    write(repo / "pyproject.toml", "[project\nname = 'x'\n")
    code, _, stderr = lint(repo)
    assert code == 2
    assert stderr.startswith(f"mllint-wa: error: {repo / 'pyproject.toml'} is not valid TOML: ")
    assert "Traceback" not in stderr


def test_config_flag_replaces_pyproject(repo: Path, lint: Lint, tmp_path: Path) -> None:
    write(repo / "pyproject.toml", "[tool.mllint-wa]\nselect = ['LN']\n")
    bare = write(tmp_path / "bare.toml", "select = ['BG001']\n")
    assert lint(repo, "--config", str(bare))[:2] == (1, ["BG001"])
    styled = write(tmp_path / "pyproject.toml", "[tool.mllint-wa]\nselect = ['BG002']\n")
    assert lint(repo, "--config", str(styled))[1] == ["BG002"]
    lens = write(tmp_path / "other" / "lens.toml", "[lint]\nselect = ['BG003']\n")
    assert lint(repo, "--config", str(lens))[1] == ["BG003"]
    assert lint(repo, "--config", str(bare), "--extend-select", "LN")[1] == ["BG001", "LN003"]


def test_config_flag_with_a_bad_file(repo: Path, lint: Lint, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", "select = ['BG001'\n")
    code, _, stderr = lint(repo, "--config", str(bad))
    assert code == 2
    assert "not valid TOML" in stderr
    code, _, stderr = lint(repo, "--config", str(tmp_path / "missing.toml"))
    assert code == 2
    assert "does not exist" in stderr


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    root = tmp_path / "mono"
    (root / ".git").mkdir(parents=True)
    for name in ("a", "b"):
        write(root / name / "lens.toml", "schema_version = 1\ncolour = 'x'\n")
    return root


def projects(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return [p["root"] for p in json.loads(result.stdout)["projects"]]


def test_exclude_from_the_command_line(monorepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert projects(monorepo, monkeypatch) == ["a", "b"]
    assert projects(monorepo, monkeypatch, "--exclude", "b") == ["a"]
    assert projects(monorepo, monkeypatch, "--exclude", "c", "--exclude", "a/") == ["b"]
    # A comma belongs to the pattern: folder names may hold one.
    assert projects(monorepo, monkeypatch, "--exclude", "c,a/") == ["a", "b"]


def test_exclude_from_pyproject(monorepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(monorepo / "pyproject.toml", "[tool.mllint-wa]\nexclude = ['a/']\n")
    assert projects(monorepo, monkeypatch) == ["b"]


def test_exclude_from_a_config_file(
    monorepo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = write(tmp_path / "settings.toml", "exclude = ['b']\n")
    assert projects(monorepo, monkeypatch, "--config", str(config)) == ["a"]


# -- default exclusions: retired folders ------------------------------------------------------


def unpickling(name: str) -> str:
    """A module that unpickles a download (unsafe-model-deserialization), unlike any other."""
    return (
        f"# {name}\nimport pickle\n\nimport requests\n\n"
        "model = pickle.loads(requests.get(URL, timeout=10).content)\n"
    )


RETIRED = (" archived/v1/serve.py", "Archived/serve.py", "examples/_archived/serve.py")
LIVE = (
    "archive/serve.py",
    "deprecated/serve.py",
    "legacy/serve.py",
    "old/serve.py",
    "serve.py",
    "unarchived_notes/serve.py",
)


@pytest.fixture
def retired(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    for path in (*RETIRED, *LIVE):
        write(root / path, unpickling(path))
    monkeypatch.chdir(root)
    return root


def reported(*args: str) -> list[str]:
    pyproject_layer.cache_clear()
    result = CliRunner().invoke(main, ["--format", "json", "--preview", "--select", "MD022", *args])
    assert result.exit_code in (0, 1), result.output
    return [finding["path"] for finding in json.loads(result.stdout)["findings"]]


def test_folders_named_archived_are_excluded_by_default_and_no_other_name(retired: Path) -> None:
    assert reported() == sorted(LIVE)


def test_extend_exclude_adds_to_the_defaults(retired: Path) -> None:
    assert reported("--extend-exclude", "legacy/") == sorted(set(LIVE) - {"legacy/serve.py"})
    write(retired / "pyproject.toml", "[tool.mllint-wa]\nextend-exclude = ['old/']\n")
    assert reported() == sorted(set(LIVE) - {"old/serve.py"})


def test_an_exclude_replaces_the_defaults_and_an_empty_one_lints_every_folder(
    retired: Path,
) -> None:
    everything = sorted((*RETIRED, *LIVE))
    assert reported("--exclude", "legacy/") == sorted(set(everything) - {"legacy/serve.py"})
    write(retired / "lens.toml", "schema_version = 1\n[lint]\nexclude = []\n")
    assert reported() == everything


def test_a_project_in_an_archived_folder_is_linted_only_when_named(retired: Path) -> None:
    write(retired / " archived/v1/lens.toml", "schema_version = 1\n")
    # The repository's only project lies in an archived folder: nothing is linted.
    assert reported() == []
    write(retired / "lens.toml", "schema_version = 1\n")
    assert reported() == sorted(LIVE)
    # A path named on the command line is linted as given, as ruff lints a file passed to it.
    assert reported(" archived/v1") == [" archived/v1/serve.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_exclude_from_the_command_line_skips_an_unreadable_path(repo: Path, lint: Lint) -> None:
    os.symlink(repo / "nowhere", repo / "broken.py")
    assert lint(repo, "--select", "LN008")[1] == ["LN008"]
    assert lint(repo, "--select", "LN008", "--exclude", "broken.py")[:2] == (0, [])


def test_exclude_in_lint_table_skips_an_unreadable_path(repo: Path, lint: Lint) -> None:
    os.symlink(repo / "nowhere", repo / "broken.py")
    lens = (repo / "lens.toml").read_text()
    (repo / "lens.toml").write_text(lens + "\n[lint]\nexclude = ['broken.py']\n")
    assert lint(repo, "--select", "LN008")[:2] == (0, [])


@pytest.mark.parametrize("pattern", ["!", "[ab", "a\\"])
def test_an_invalid_exclude_pattern_is_a_config_error(pattern: str) -> None:
    with pytest.raises(ConfigError) as error:
        layer_from_table({"exclude": ["data/", pattern]}, "src")
    assert str(error.value).startswith(f"src: invalid exclude pattern {pattern!r}: ")


def test_an_invalid_exclude_pattern_on_the_command_line_exits_2(repo: Path, lint: Lint) -> None:
    code, found, stderr = lint(repo, "--exclude", "data/", "--exclude", "!")
    assert (code, found) == (2, [])
    assert stderr.startswith("mllint-wa: error: command line: invalid exclude pattern '!': ")
    assert "internal error" not in stderr


def test_an_invalid_exclude_pattern_in_lint_table_exits_2(repo: Path, lint: Lint) -> None:
    lens = (repo / "lens.toml").read_text()
    (repo / "lens.toml").write_text(lens + "\n[lint]\nexclude = ['[ab']\n")
    code, _, stderr = lint(repo)
    assert code == 2
    assert stderr.startswith("mllint-wa: error: lens.toml [lint]: invalid exclude pattern '[ab'")


def test_each_pyproject_is_read_once_for_all_the_projects_below_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mllint_wa import config

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / "pyproject.toml", "[tool.mllint-wa]\nfail-on = 'high'\n")
    read: list[Path] = []
    real = config._read_toml
    monkeypatch.setattr(config, "_read_toml", lambda path: read.append(path) or real(path))
    layers = {pyproject_layer(repo / "services" / name) for name in ("a", "b", "c")}
    assert [layer.fail_on for layer in layers if layer] == ["high"]
    assert read == [repo / "pyproject.toml"]


STAR_HEAVY = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"


@pytest.mark.parametrize("channel", [".gitignore", "--exclude", "pyproject.toml", "[lint]"])
def test_star_heavy_exclude_patterns_are_matched_in_bounded_time(
    repo: Path, lint: Lint, channel: str
) -> None:
    # Backtracking matchers take exponential time to find that 40 "a"s lack the final "b".
    os.symlink(repo / "nowhere", repo / ("a" * 40))
    os.symlink(repo / "nowhere", repo / ("a" * 40 + "b"))
    args: list[str] = ["--select", "LN008"]
    if channel == ".gitignore":
        write(repo / ".gitignore", STAR_HEAVY + "\n")
    elif channel == "--exclude":
        args += ["--exclude", STAR_HEAVY]
    elif channel == "pyproject.toml":
        write(repo / "pyproject.toml", f'[tool.mllint-wa]\nexclude = ["{STAR_HEAVY}"]\n')
    else:
        lens = (repo / "lens.toml").read_text()
        (repo / "lens.toml").write_text(lens + f'\n[lint]\nexclude = ["{STAR_HEAVY}"]\n')
    assert lint(repo, *args)[:2] == (1, ["LN008"])


# -- settings files found by discovery stay inside the tree ------------------------------------

SILENCING = {
    # Each would make the run clean if it were read.
    "pyproject.toml": '[tool.mllint-wa]\nignore = ["ALL"]\nfail-on = "none"\n',
    "../pyproject.toml": '[tool.mllint-wa]\nignore = ["ALL"]\nfail-on = "none"\n',
    ".gitignore": "*\n",
    "../.git/info/exclude": "*\n",
}


def lint_result(project: Path, monkeypatch: pytest.MonkeyPatch) -> RunResult:
    monkeypatch.chdir(project)
    pyproject_layer.cache_clear()
    return run([Path(".")], RunOptions(cli=Layer("command line", base=project)))


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(linked=st.sets(st.sampled_from(sorted(SILENCING)), min_size=1))
@example(linked={"pyproject.toml"})
def test_a_settings_file_linked_out_of_the_tree_is_refused_and_reported(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, linked: set[str]
) -> None:
    base = tmp_path_factory.mktemp("t").resolve()
    repo, outside = base / "repo", base / "outside"
    (repo / ".git" / "info").mkdir(parents=True)
    project = repo / "proj"
    write(project / "lens.toml", "schema_version = 1\n[project]\nstage = 'discovery'\n")
    baseline = sorted(f.rule.code for f in lint_result(project, monkeypatch).findings)
    refused = []
    for name in sorted(linked):
        target = outside / name.replace("../", "up-").replace("/", "-")
        write(target, SILENCING[name])
        link = (project / name).resolve()
        os.symlink(target, link)
        refused.append(link)
    result = lint_result(project, monkeypatch)
    codes = sorted(f.rule.code for f in result.findings if f.rule.code != "LN008")
    assert codes == baseline
    assert result.failing
    # Each is said to be refused: in the project as LN008, above it as a warning.
    unreadable = {f.path for f in result.findings if f.rule.code == "LN008"}
    for link in refused:
        relative = os.path.relpath(link, project)
        assert relative in unreadable or any(w.startswith(f"{link}: ") for w in result.warnings)
