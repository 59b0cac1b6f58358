"""The rule registry: built-in rules, entry-point plugins, validation, selection and lookup."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from mllint_wa.cli import main
from mllint_wa.context import ProjectContext
from mllint_wa.model import Phase, Pillar, Risk, Rule, Stage, Violation
from mllint_wa.project import Project
from mllint_wa.registry import (
    DESCRIPTIONS,
    ENTRY_POINT_GROUP,
    RegistryError,
    SelectorError,
    describe,
    described_rules,
    load_rules,
    lookup,
    may_declare_entry_points,
    resolve,
    rule,
)
from mllint_wa.report.rules_doc import doc_url
from plugins import FakeEntryPoint


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    load_rules.cache_clear()
    yield
    load_rules.cache_clear()


def make_rule(
    code: str = "DE901",
    name: str = "missing-rollback-plan",
    lens_refs: tuple[str, ...] = ("MLREL01-BP01",),
    first_stage: Stage | None = None,
) -> Rule:
    @rule(
        code=code,
        name=name,
        risk=Risk.MEDIUM,
        summary="No rollback plan.",
        fix="Write one.",
        lens_refs=lens_refs,
        first_stage=first_stage,
    )
    def check(ctx: object) -> Iterator[Violation]:
        """A release that cannot be undone
        turns a bad model into an outage."""
        return iter(())

    return check


def builtin_codes() -> list[str]:
    load_rules.cache_clear()
    return [r.code for r in load_rules()]


# -- built-in rules ----------------------------------------------------------------------------


def test_builtin_rules_are_sorted_valid_and_unique(plugins: list[FakeEntryPoint]) -> None:
    rules = load_rules()
    codes = [r.code for r in rules]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    assert len({r.name for r in rules}) == len(rules)
    assert {"BG001", "PF001", "LN001", "LN002"} <= set(codes)
    for item in rules:
        assert item.summary and item.fix and item.lens_refs


def test_load_rules_is_cached(plugins: list[FakeEntryPoint]) -> None:
    assert load_rules() is load_rules()


# -- descriptions: the built-in rules without their checks imported ---------------------------


def test_the_described_rules_are_the_loaded_rules(plugins: list[FakeEntryPoint]) -> None:
    plugins.append(FakeEntryPoint("rollback", make_rule()))
    described, loaded = described_rules(), load_rules()
    assert described == loaded  # every field but the check
    assert [r.explanation for r in described] == [r.explanation for r in loaded]
    assert [doc_url(r) for r in described] == [doc_url(r) for r in loaded]
    assert doc_url(lookup("DE901")) is None  # type: ignore[arg-type]  # a plugin's


def test_the_rule_descriptions_are_generated_from_the_checks() -> None:
    stored = (files("mllint_wa.data") / DESCRIPTIONS).read_text(encoding="utf-8")
    assert stored == describe(load_rules()), (
        "src/mllint_wa/data/rules.json is stale: run `python scripts/update_rules_doc.py`"
    )


def test_a_described_rule_runs_its_check_from_its_module(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Churn\n", encoding="utf-8")
    # A project that trains a model of its own is asked for its manifest.
    (tmp_path / "train.py").write_text(
        "from sklearn.linear_model import LogisticRegression\n"
        "LogisticRegression().fit([[0]], [0])\n",
        encoding="utf-8",
    )
    context = ProjectContext(Project(tmp_path, ("README.md", "train.py")), Stage.DEVELOPMENT, None)
    described = lookup("LN001")
    [loaded] = [r for r in load_rules() if r.code == "LN001"]
    assert described is not None and described.check is not loaded.check
    found = list(described.check(context))
    assert found == list(loaded.check(context)) and len(found) == 1


def test_the_rule_decorator() -> None:
    made = make_rule()
    assert made.code == "DE901"
    assert made.name == "missing-rollback-plan"
    # The docstring, its paragraphs unwrapped so that each output can wrap them its own way.
    assert made.explanation == "A release that cannot be undone turns a bad model into an outage."
    assert made.phase is Phase.DEPLOYMENT
    assert made.applies_from is Stage.PRODUCTION
    assert made.stages == (Stage.PRODUCTION,)
    assert made.pillars == (Pillar.RELIABILITY,)
    assert list(made.check(None)) == []  # type: ignore[arg-type]


def test_first_stage_overrides_the_phase_default() -> None:
    made = make_rule(first_stage=Stage.DEVELOPMENT)
    assert made.stages == (Stage.DEVELOPMENT, Stage.PRODUCTION)


def test_metadata_fields() -> None:
    assert list(make_rule().metadata()) == [
        "code",
        "name",
        "phase",
        "pillars",
        "risk",
        "stages",
        "lens_refs",
        "summary",
        "fix",
        "preview",
    ]


# -- plugins -----------------------------------------------------------------------------------


def test_a_plugin_rule_is_merged(plugins: list[FakeEntryPoint]) -> None:
    builtins = builtin_codes()
    plugin_rule = make_rule()
    plugins.append(FakeEntryPoint("deploy", plugin_rule))
    load_rules.cache_clear()
    rules = load_rules()
    assert [r.code for r in rules] == sorted([*builtins, "DE901"])
    assert plugin_rule in rules
    assert lookup("missing-rollback-plan") is plugin_rule
    assert resolve("DE9", rules) == [plugin_rule]


def test_a_plugin_module_is_merged(plugins: list[FakeEntryPoint]) -> None:
    module = types.ModuleType("deploy_plugin")
    module.first = make_rule("DE901", "missing-rollback-plan")  # type: ignore[attr-defined]
    module.second = make_rule("MO901", "missing-drift-monitor")  # type: ignore[attr-defined]
    module.helper = "not a rule"  # type: ignore[attr-defined]
    plugins.append(FakeEntryPoint("deploy", module))
    codes = [r.code for r in load_rules()]
    assert "DE901" in codes and "MO901" in codes


def test_a_plugin_list_is_merged(plugins: list[FakeEntryPoint]) -> None:
    builtins = set(builtin_codes())
    plugins.append(
        FakeEntryPoint("deploy", [make_rule("DE901"), make_rule("DE902", "missing-canary")])
    )
    load_rules.cache_clear()
    assert [r.code for r in load_rules() if r.code not in builtins] == ["DE901", "DE902"]


def test_the_same_rule_from_two_plugins_counts_once(plugins: list[FakeEntryPoint]) -> None:
    shared = make_rule()
    plugins.extend([FakeEntryPoint("a", shared), FakeEntryPoint("b", [shared])])
    assert [r.code for r in load_rules()].count("DE901") == 1


def test_plugin_rules_apply_to_selection(plugins: list[FakeEntryPoint]) -> None:
    plugins.append(FakeEntryPoint("deploy", make_rule()))
    rules = load_rules()
    assert [r.code for r in resolve("missing-rollback-plan", rules)] == ["DE901"]
    with pytest.raises(SelectorError, match="did you mean `missing-rollback-plan`"):
        resolve("missing-rollback-plam", rules)


def test_a_plugin_that_fails_to_load(plugins: list[FakeEntryPoint]) -> None:
    plugins.append(FakeEntryPoint("broken", error=ImportError("No module named 'broken_plugin'")))
    with pytest.raises(RegistryError) as error:
        load_rules()
    assert str(error.value) == (
        "plugin 'broken' (broken_plugin:rules) failed to load: No module named 'broken_plugin'"
    )


@pytest.mark.parametrize("target", [42, "DE901", None, [make_rule(), "not a rule"]])
def test_a_plugin_that_is_not_rules(plugins: list[FakeEntryPoint], target: object) -> None:
    plugins.append(FakeEntryPoint("odd", target))
    with pytest.raises(RegistryError, match="is not a rule, a module of rules or a list of rules"):
        load_rules()


def test_duplicate_code_is_an_error(plugins: list[FakeEntryPoint]) -> None:
    plugins.append(FakeEntryPoint("clash", make_rule("BG001", "another-business-goal")))
    with pytest.raises(RegistryError, match=r"^two rules are registered as BG001$"):
        load_rules()


def test_duplicate_name_is_an_error(plugins: list[FakeEntryPoint]) -> None:
    plugins.append(FakeEntryPoint("clash", make_rule("BG901", "missing-business-goal")))
    with pytest.raises(RegistryError, match=r"^two rules are registered as missing-business-goal$"):
        load_rules()


def test_duplicate_code_between_two_plugins(plugins: list[FakeEntryPoint]) -> None:
    plugins.extend(
        [
            FakeEntryPoint("a", make_rule("DE901", "missing-rollback-plan")),
            FakeEntryPoint("b", make_rule("DE901", "missing-rollback-alarm")),
        ]
    )
    with pytest.raises(RegistryError, match="two rules are registered as DE901"):
        load_rules()


@pytest.mark.parametrize("code", ["DE01", "DE0001", "de001", "XX001", "D1001", "DE00A", ""])
def test_bad_code_format_is_an_error(plugins: list[FakeEntryPoint], code: str) -> None:
    plugins.append(FakeEntryPoint("bad", make_rule(code=code)))
    with pytest.raises(RegistryError) as error:
        load_rules()
    assert str(error.value).startswith(f"rule code {code!r} must be a phase prefix (BG, PF,")


@pytest.mark.parametrize("name", ["Missing-Plan", "missing_plan", "missing--plan", "-plan", ""])
def test_bad_name_is_an_error(plugins: list[FakeEntryPoint], name: str) -> None:
    plugins.append(FakeEntryPoint("bad", make_rule(name=name)))
    with pytest.raises(RegistryError, match="must be kebab-case"):
        load_rules()


def test_unknown_lens_ref_is_an_error(plugins: list[FakeEntryPoint]) -> None:
    plugins.append(FakeEntryPoint("bad", make_rule(lens_refs=("MLREL01-BP01", "MLREL99-BP99"))))
    with pytest.raises(RegistryError) as error:
        load_rules()
    assert str(error.value) == "rule DE901 cites unknown ML Lens practices: MLREL99-BP99"


def test_a_rule_without_lens_refs_is_an_error(plugins: list[FakeEntryPoint]) -> None:
    plugins.append(FakeEntryPoint("bad", make_rule(lens_refs=())))
    with pytest.raises(RegistryError, match="cites unknown ML Lens practices: none"):
        load_rules()


def test_a_registry_error_is_not_cached(plugins: list[FakeEntryPoint]) -> None:
    plugins.append(FakeEntryPoint("bad", make_rule(code="bad")))
    with pytest.raises(RegistryError):
        load_rules()
    plugins.clear()
    assert load_rules()


def _installed(folder: Path, entry_points: str) -> Path:
    """A distribution installed in ``folder`` with this ``entry_points.txt``, and its module."""
    metadata = folder / "demo_plugin-1.0.dist-info"
    metadata.mkdir(parents=True)
    (metadata / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-plugin\nVersion: 1.0\n")
    (metadata / "entry_points.txt").write_text(entry_points)
    (folder / "demo_plugin.py").write_text(
        "from mllint_wa.model import Risk\n"
        "from mllint_wa.registry import rule\n\n"
        "@rule(code='DE901', name='missing-rollback-plan', risk=Risk.LOW, summary='s', fix='f',\n"
        "      lens_refs=['MLREL01-BP01'])\n"
        "def rollback(context):\n"
        "    return iter(())\n"
    )
    return folder


def test_an_installed_plugin_is_found_by_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _installed(tmp_path / "site", "[mllint_wa.checks]\ndemo = demo_plugin\n")
    monkeypatch.syspath_prepend(str(folder))
    assert may_declare_entry_points(ENTRY_POINT_GROUP)
    assert "DE901" in [r.code for r in load_rules()]
    monkeypatch.delitem(sys.modules, "demo_plugin")


def test_without_a_distribution_naming_the_group_importlib_metadata_is_not_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _installed(tmp_path / "site", "[console_scripts]\ndemo = demo_plugin:main\n")
    monkeypatch.setattr(sys, "path", [str(folder), str(tmp_path / "absent")])
    assert not may_declare_entry_points(ENTRY_POINT_GROUP)


@pytest.mark.parametrize("entry", ["archive.zip", "demo-1.0-py3.11.egg"])
def test_a_zip_archive_or_an_egg_on_the_path_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    (tmp_path / entry).write_bytes(b"PK\x05\x06" + bytes(18))
    monkeypatch.setattr(sys, "path", [str(tmp_path / entry)])
    assert may_declare_entry_points(ENTRY_POINT_GROUP)


def test_another_finder_of_distributions_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Finder:
        def find_distributions(self, context: object = None) -> list[object]:
            return []

    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    assert may_declare_entry_points(ENTRY_POINT_GROUP)


@pytest.mark.parametrize("args", [[], ["rules"], ["explain", "BG001"]])
def test_the_cli_reports_a_broken_plugin_and_exits_2(
    plugins: list[FakeEntryPoint],
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "lens.toml").write_text("schema_version = 1\n")
    monkeypatch.chdir(tmp_path)
    plugins.append(FakeEntryPoint("clash", make_rule("BG001", "another-business-goal")))
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "mllint-wa: error: two rules are registered as BG001\n"


# -- selection and lookup ----------------------------------------------------------------------


def test_resolve_rejects_a_prefix_that_is_not_a_code(plugins: list[FakeEntryPoint]) -> None:
    rules = load_rules()
    with pytest.raises(SelectorError):
        resolve("missing", rules)
    with pytest.raises(SelectorError):
        resolve("B", rules)
    with pytest.raises(SelectorError):
        resolve("PF001x", rules)


def test_lookup(plugins: list[FakeEntryPoint]) -> None:
    found = lookup("bg001")
    assert found is not None and found.code == "BG001"
    assert lookup(" Missing-Business-Goal ") is found
    assert lookup("BG") is None
    assert lookup("nope") is None
