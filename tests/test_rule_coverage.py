"""Every rule can fire, and stays quiet on a complete project.

A rule without a fixture that triggers it could be one that only ever passes; a rule that fires
on the complete project is a false alarm for every well-documented repository.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from mllint_wa.model import Rule
from mllint_wa.registry import load_rules

REPOS = Path(__file__).parent / "fixtures" / "repos"
COMPLETE = "complete"


def _unreadable_path(root: Path) -> Path:
    """A project with a broken symlink: git does not keep one well, so it is built here."""
    (root / "lens.toml").write_text("schema_version = 1\n", encoding="utf-8")
    os.symlink("missing.csv", root / "latest.csv")
    return root


def _large_file_in_git(root: Path) -> Path:
    """A repository with a 2 MB CSV committed: a fixture cannot hold a nested .git."""
    (root / "lens.toml").write_text("schema_version = 1\n", encoding="utf-8")
    (root / "data").mkdir()
    (root / "data" / "train.csv").write_bytes(b"a,b\n" + b"1,2\n" * 500_000)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root


def _git_index_unavailable(root: Path) -> Path:
    """Data files outside any git repository: tmp_path lies in none."""
    (root / "lens.toml").write_text("schema_version = 1\n", encoding="utf-8")
    (root / "train.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return root


# Rules whose trigger fixture cannot live in the repository; each builds one in tmp_path.
BUILT_IN_TMP: dict[str, Callable[[Path], Path]] = {
    "unreadable-path": _unreadable_path,
    "large-file-in-git": _large_file_in_git,
    "git-index-unavailable": _git_index_unavailable,
}

RULES = load_rules()


def _ids(rule: Rule) -> str:
    return f"{rule.code}-{rule.name}"


def test_every_rule_has_a_trigger_fixture():
    missing = [
        r.name for r in RULES if not (REPOS / r.name).is_dir() and r.name not in BUILT_IN_TMP
    ]
    assert missing == []


def test_every_fixture_directory_is_a_rule_or_the_complete_project():
    names = {r.name for r in RULES} | {COMPLETE}
    assert sorted(p.name for p in REPOS.iterdir() if p.is_dir() and p.name not in names) == []


def test_tmp_built_fixtures_have_no_directory_too():
    assert [name for name in BUILT_IN_TMP if (REPOS / name).exists()] == []


def test_complete_project_has_no_findings_with_all_rules(lint):
    # The well-architected repository: SDK training with isolation, VPC and KMS; a
    # CloudFormation endpoint with KMS, two instances, data capture, autoscaling, blue/green
    # with rollback alarms, a monitoring schedule, alarms, tags, a bucket with lifecycle rules,
    # log retention; a complete manifest, model card, datasheet, tests, CI and DVC.
    result = lint.result(COMPLETE, "ALL")
    assert [(f.rule.code, f.path, f.line, f.message) for f in result.findings] == []
    assert result.suppressed == []
    assert result.warnings == []
    assert [p.stage.value for p in result.projects] == ["production"]


def test_complete_project_has_no_findings_with_its_own_settings(lint):
    assert lint(COMPLETE) == []


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_rule_fires_on_its_trigger_fixture(lint, tmp_path, rule):
    repo = BUILT_IN_TMP[rule.name](tmp_path) if rule.name in BUILT_IN_TMP else REPOS / rule.name
    found = lint(repo, rule.code)
    assert found, f"{rule.code} {rule.name} found nothing in its trigger fixture"
    assert {(code, name) for code, name, *_ in found} == {(rule.code, rule.name)}


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_rule_is_documented(rule):
    assert rule.summary.strip()
    assert rule.fix.strip()
    assert rule.explanation.strip()
    assert rule.lens_refs
    assert all(ref.strip() for ref in rule.lens_refs)


def test_every_phase_and_every_pillar_has_at_least_five_rules():
    from mllint_wa.model import Phase, Pillar

    by_phase = {phase: [r for r in RULES if r.phase is phase] for phase in Phase}
    by_pillar = {pillar: [r for r in RULES if pillar in r.pillars] for pillar in Pillar}
    assert {p.value: len(rules) for p, rules in by_phase.items() if len(rules) < 5} == {}
    assert {p.value: len(rules) for p, rules in by_pillar.items() if len(rules) < 5} == {}


def test_the_rules_cite_at_least_sixty_distinct_current_practices():
    assert len({ref for r in RULES for ref in r.lens_refs}) >= 60
