"""`--show-settings` prints the settings each project would be linted with and where each
comes from, then exits 0 without linting; `schema` prints the shipped lens.toml JSON Schema."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mllint_wa import __version__
from mllint_wa.cli import main
from mllint_wa.registry import load_rules
from mllint_wa.report.rules_doc import REPOSITORY_URL
from mllint_wa.schema import json_schema

ALL_CODES = [rule.code for rule in load_rules() if not rule.preview]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def show(*args: str) -> Result:
    return CliRunner().invoke(main, ["--show-settings", *args])


def settings_of(result: Result) -> dict[str, list[tuple[object, str]]]:
    """key → [(value, source), …] of the one project shown."""
    assert result.exit_code == 0, result.output
    (project,) = json.loads(result.stdout)["projects"]
    found: dict[str, list[tuple[object, str]]] = {}
    for setting in project["settings"]:
        found.setdefault(setting["key"], []).append((setting["value"], setting["source"]))
    return found


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose pyproject.toml and lens.toml both set something."""
    (tmp_path / ".git").mkdir()
    write(
        tmp_path / "pyproject.toml",
        """
        [tool.mllint-wa]
        ignore = ["BG013"]
        exclude = ["scratch/"]
        fail-on = "medium"
        large-file-threshold = "5 MB"
        """,
    )
    write(
        tmp_path / "lens.toml",
        """
        schema_version = 1
        [project]
        stage = "production"
        [lint]
        ignore = ["missing-data-owner"]
        fail_on = "high"
        """,
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_each_setting_names_the_source_that_set_it(repo: Path) -> None:
    pyproject = f"{repo}/pyproject.toml [tool.mllint-wa]"
    assert settings_of(show("--format", "json", "--extend-select", "LN")) == {
        "stage": [("production", "lens.toml [project] stage")],
        "select": [(["ALL"], "default")],
        "extend-select": [(["LN"], "command line")],
        # Sources add to ignore and exclude, so each one that does is shown; an exclude
        # replaces the default exclusions, which are not shown.
        "ignore": [(["BG013"], pyproject), (["missing-data-owner"], "lens.toml [lint]")],
        "exclude": [(["scratch/"], pyproject)],
        "extend-exclude": [([], "default")],
        # fail-on is replaced: the last source that sets it wins.
        "fail-on": [("high", "lens.toml [lint]")],
        "preview": [(False, "default")],
        "large-file-threshold": [(5_000_000, pyproject)],
        "large-data-file-threshold": [(1_000_000, "default")],
    }


def test_the_effective_rules_are_listed(repo: Path) -> None:
    result = show("--format", "json")
    (project,) = json.loads(result.stdout)["projects"]
    assert project["root"] == "."
    assert project["manifest"] == "lens.toml"
    assert project["rules"] == [c for c in ALL_CODES if c not in ("BG013", "BG015")]


def test_a_select_starts_afresh_so_earlier_ignores_are_not_shown(repo: Path) -> None:
    found = settings_of(show("--format", "json", "--select", "BG", "--stage", "discovery"))
    assert found["select"] == [(["BG"], "command line")]
    assert found["ignore"] == [([], "default")]
    assert found["stage"] == [("discovery", "command line")]
    (project,) = json.loads(show("--format", "json", "--select", "BG").stdout)["projects"]
    assert "BG013" in project["rules"]


def test_a_config_file_replaces_pyproject_toml(repo: Path) -> None:
    write(repo / "ci.toml", 'select = ["PF"]\n')
    found = settings_of(show("--format", "json", "--config", "ci.toml"))
    assert found["select"] == [(["PF"], "ci.toml")]
    assert found["fail-on"] == [("high", "lens.toml [lint]")]
    assert found["exclude"] == [(["*[Aa]rchived/"], "default")]


def test_a_project_without_settings_shows_the_defaults_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    result = show()
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:11] == [
        "Settings for . (no lens.toml)",
        '  stage = "development"                # default',
        '  select = ["ALL"]                     # default',
        "  extend-select = []                   # default",
        "  ignore = []                          # default",
        '  exclude = ["*[Aa]rchived/"]          # default',
        "  extend-exclude = []                  # default",
        '  fail-on = "low"                      # default',
        "  preview = false                      # default",
        "  large-file-threshold = 10000000      # default",
        "  large-data-file-threshold = 1000000  # default",
    ]
    assert lines[11].endswith(f"]  # {len(ALL_CODES)} rules run")


def test_extend_exclude_keeps_the_defaults_and_an_empty_exclude_drops_them(repo: Path) -> None:
    (repo / "pyproject.toml").unlink()
    found = settings_of(show("--format", "json", "--extend-exclude", "vendor/"))
    assert found["exclude"] == [(["*[Aa]rchived/"], "default")]
    assert found["extend-exclude"] == [(["vendor/"], "command line")]
    write(repo / "lens.toml", "schema_version = 1\n[lint]\nexclude = []\n")
    assert settings_of(show("--format", "json"))["exclude"] == [([], "lens.toml [lint]")]


def test_nothing_is_linted_and_the_exit_code_is_0(repo: Path) -> None:
    # The manifest is all placeholders short, and would fail a lint run.
    result = show()
    assert result.exit_code == 0
    assert "lens.toml:" not in result.stdout
    assert result.stdout.startswith("Settings for . (lens.toml)\n")


def test_every_project_of_a_monorepo_is_shown(repo: Path) -> None:
    write(repo / "svc/lens.toml", 'schema_version = 1\n[lint]\nselect = ["PF"]\n')
    result = show("--format", "json")
    projects = json.loads(result.stdout)["projects"]
    assert [p["root"] for p in projects] == [".", "svc"]
    assert projects[1]["rules"] == [c for c in ALL_CODES if c.startswith("PF")]


def test_a_broken_setting_is_an_error_as_in_a_lint_run(repo: Path) -> None:
    write(repo / "pyproject.toml", '[tool.mllint-wa]\nfail-on = "sometimes"\n')
    result = show()
    assert result.exit_code == 2
    assert "`fail-on` must be one of high, medium, low, none, not 'sometimes'" in result.stderr


def test_schema_prints_the_shipped_json_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.stdout == json_schema()
    assert json.loads(result.stdout)["title"] == "lens.toml"


def test_the_readme_names_this_releases_schema_in_its_schema_directive() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    raw = REPOSITORY_URL.replace("https://github.com/", "https://raw.githubusercontent.com/")
    assert f"#:schema {raw}/v{__version__}/src/mllint_wa/schema/lens.schema.json\n" in readme
