"""Preview rules, as ruff has them: a rule whose measured precision is below 90% is not in the
default set and runs only with --preview or `preview = true`; selecting it without preview,
even by its exact code, selects nothing and says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mllint_wa.cli import main
from mllint_wa.config import ConfigError, Layer, pyproject_layer, resolve_settings
from mllint_wa.context import ProjectContext
from mllint_wa.model import Location, Rule, Violation
from mllint_wa.registry import load_rules
from mllint_wa.report.rules_doc import PREVIEW, render_rules_doc
from mllint_wa.report.rules_table import render_markdown
from mllint_wa.report.sarif_report import _descriptor
from plugins import FakeEntryPoint, plugin_rule
from trees import write_tree as write

WARNING = (
    "mllint-wa: warning: command line: selection `{}` has no effect because preview is not "
    "enabled (--preview, or `preview = true`)\n"
)


def _train_py_rule(code: str, name: str, preview: bool) -> Rule:
    @plugin_rule(code, name, preview=preview)
    def check(ctx: ProjectContext) -> Iterator[Violation]:
        """A test rule that reports train.py."""
        if "train.py" in ctx.project.files:
            yield Violation(f"{name} found train.py", Location("train.py"), anchor=code)

    return check


EXPERIMENTAL = _train_py_rule("MD903", "experimental-guess", preview=True)
STABLE = _train_py_rule("MD904", "stable-check", preview=False)


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plugins: list[FakeEntryPoint]
) -> Iterator[Path]:
    plugins.append(FakeEntryPoint("test-rules", [EXPERIMENTAL, STABLE]))
    root = write(tmp_path / "repo", {"lens.toml": "schema_version = 1\n", "train.py": "x = 1\n"})
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    pyproject_layer.cache_clear()
    yield root
    pyproject_layer.cache_clear()


def lint(*args: str) -> Result:
    pyproject_layer.cache_clear()
    return CliRunner().invoke(main, ["--format", "json", *args])


def codes(result: Result) -> list[str]:
    return [f["code"] for f in json.loads(result.stdout)["findings"]]


# -- selection -----------------------------------------------------------------------------------


def test_a_preview_rule_is_not_in_the_default_set(repo: Path) -> None:
    result = lint("--select", "ALL")
    assert "MD904" in codes(result) and "MD903" not in codes(result)
    assert "MD903" not in codes(lint())
    assert result.stderr == ""


def test_preview_runs_it_from_the_command_line_or_either_settings_file(repo: Path) -> None:
    assert "MD903" in codes(lint("--preview"))
    write(repo, {"pyproject.toml": "[tool.mllint-wa]\npreview = true\n"})
    assert "MD903" in codes(lint())
    # The command line has the last word.
    assert "MD903" not in codes(lint("--no-preview"))
    write(repo, {"pyproject.toml": "[tool.mllint-wa]\n"})
    write(repo, {"lens.toml": "schema_version = 1\n[lint]\npreview = true\n"})
    assert "MD903" in codes(lint())


@pytest.mark.parametrize("selector", ["MD903", "experimental-guess", "MD903,MD904", "MD90"])
def test_selecting_a_preview_rule_without_preview_selects_nothing_and_warns(
    repo: Path, selector: str
) -> None:
    result = lint("--select", selector)
    assert "MD903" not in codes(result)
    if selector == "MD90":
        # A prefix that also matches stable rules selects those, as without preview rules.
        assert codes(result) == ["MD904"]
        assert result.stderr == ""
    else:
        first = selector.split(",")[0]
        assert result.stderr == WARNING.format(first)


def test_extend_select_of_a_preview_rule_warns_too(repo: Path) -> None:
    result = lint("--select", "MD904", "--extend-select", "MD903")
    assert codes(result) == ["MD904"]
    assert result.stderr == WARNING.format("MD903")


def test_with_preview_an_exact_code_a_prefix_or_all_selects_it(repo: Path) -> None:
    for selector in ("MD903", "MD9", "ALL", "experimental-guess"):
        result = lint("--preview", "--select", selector)
        assert "MD903" in codes(result), selector
        assert result.stderr == ""
    assert "MD903" not in codes(lint("--preview", "--ignore", "MD903"))


def test_a_warning_from_a_settings_file_names_it_once_for_all_its_projects(repo: Path) -> None:
    write(
        repo,
        {
            "pyproject.toml": '[tool.mllint-wa]\nextend-select = ["MD903"]\n',
            "services/a/lens.toml": "schema_version = 1\n",
            "services/b/lens.toml": "schema_version = 1\n",
        },
    )
    result = lint()
    assert result.stderr == (
        f"mllint-wa: warning: {repo}/pyproject.toml [tool.mllint-wa]: selection `MD903` has no "
        "effect because preview is not enabled (--preview, or `preview = true`)\n"
    )


def test_resolved_settings_say_whether_preview_is_on() -> None:
    rules = [EXPERIMENTAL, STABLE]
    off = resolve_settings([Layer("a", select=("MD903",))], rules)
    assert (off.rules, off.preview) == ((), False)
    on = resolve_settings([Layer("a", select=("MD903",)), Layer("b", preview=True)], rules)
    assert (on.rules, on.preview, on.warnings) == ((EXPERIMENTAL,), True, ())
    # The last source to set it wins, whatever the order of the selectors.
    late = resolve_settings([Layer("a", preview=True), Layer("b", preview=False)], rules)
    assert late.rules == (STABLE,)


def test_preview_must_be_true_or_false(repo: Path) -> None:
    write(repo, {"pyproject.toml": '[tool.mllint-wa]\npreview = "yes"\n'})
    result = lint()
    assert result.exit_code == 2
    assert "`preview` must be true or false, not 'yes'" in result.stderr


def test_a_bad_preview_value_is_a_configuration_error_in_lens_toml() -> None:
    from mllint_wa.config import layer_from_table

    with pytest.raises(ConfigError, match="`preview` must be true or false, not 1"):
        layer_from_table({"preview": 1}, "lens.toml [lint]")


def test_show_settings_names_where_preview_was_set(repo: Path) -> None:
    write(repo, {"lens.toml": "schema_version = 1\n[lint]\npreview = true\n"})
    result = CliRunner().invoke(main, ["--show-settings", "--format", "json"])
    (project,) = json.loads(result.stdout)["projects"]
    assert {"key": "preview", "value": True, "source": "lens.toml [lint]"} in project["settings"]
    assert "MD903" in project["rules"]


# -- what the rules listings say -----------------------------------------------------------------


def test_rules_marks_preview_rules_in_every_format(repo: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["rules"]).stdout.splitlines()
    (line,) = [row for row in text if row.startswith("MD903")]
    assert line.endswith("  preview")
    assert not next(row for row in text if row.startswith("MD904")).endswith("preview")
    assert text[-1] == f"preview: {PREVIEW}"
    assert "runs only with `--preview`" in PREVIEW
    listed = json.loads(runner.invoke(main, ["rules", "--format", "json"]).stdout)
    assert {r["code"]: r["preview"] for r in listed if r["code"].startswith("MD90")} == {
        "MD903": True,
        "MD904": False,
    }
    table = runner.invoke(main, ["rules", "--format", "markdown"]).stdout
    assert "| MD903 | `experimental-guess` (preview) |" in table
    assert "| MD904 | `stable-check` |" in table


def test_explain_says_a_rule_is_preview(repo: Path) -> None:
    runner = CliRunner()
    explained = runner.invoke(main, ["explain", "MD903"]).stdout
    assert f"Preview: {PREVIEW}" in " ".join(explained.split())
    assert "Preview" not in runner.invoke(main, ["explain", "MD904"]).stdout


def test_the_rules_listing_has_the_preview_note_only_when_a_rule_is_preview() -> None:
    load_rules.cache_clear()
    result = CliRunner().invoke(main, ["rules"])
    assert (PREVIEW in result.stdout) == any(r.preview for r in load_rules())


def test_docs_and_sarif_mark_a_preview_rule() -> None:
    def check(ctx: ProjectContext) -> Iterator[Violation]:
        """Documented like a built-in rule."""
        return iter(())

    # The rules documentation covers the built-in rules only: this one passes for one.
    check.__module__ = "mllint_wa.checks.business"
    documented = plugin_rule("BG901", "guessed-goal", requires_manifest=True, preview=True)(check)
    doc = render_rules_doc([documented])
    assert "| [BG901](#bg901-guessed-goal) | `guessed-goal` *(preview)* | low |" in doc
    assert "- **Preview:** measured precision below 90% on the ecosystem check: runs only" in doc
    assert "(preview)" in render_markdown([documented])
    descriptor = _descriptor(documented)
    assert descriptor["properties"] == {
        "tags": ["preview", "business-goal", "operational-excellence", "MLOPS02-BP02", "MLOE-05"],
        "precision": "medium",
    }
    assert _descriptor(STABLE)["properties"] == {
        "tags": ["model-development", "operational-excellence", "MLOPS02-BP02", "MLOE-05"],
        "precision": "high",
    }
