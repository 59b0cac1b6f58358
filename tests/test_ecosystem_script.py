"""scripts/ecosystem.py on a made-up set of repositories: bare git snapshots built here."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from trees import write_tree

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "ecosystem.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ecosystem_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


ecosystem = _load()

# Ten services with unpinned requirements give ten findings of one rule: more than a sample.
# Each file differs from the others, so that none is folded into another as its copy.
SERVICES = {
    f"svc{index}/requirements.txt": f"# service {index}\nnumpy\npandas\n" for index in range(10)
}
FILES = {
    **SERVICES,
    "train.py": (
        'import pandas as pd\nfrom sklearn.svm import SVC\n\ndf = pd.read_csv("data/rows.csv")\n'
        'SVC().fit(df[["a"]], df["b"])\n'
    ),
    "data/rows.csv": "a,b\n1,2\n",
    "data/huge.csv": "x\n" * 50,
}


def _git(*args: str, cwd: Path | None = None) -> str:
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    completed = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=environment
    )
    return completed.stdout.strip()


def _snapshot(repos_dir: Path, tmp_path: Path, drop: str | None = None) -> tuple[Path, str]:
    """A bare git directory laid out as fetched snapshots are (``owner+name/repo``), with one
    commit of FILES; ``drop`` names a file whose blob the snapshot then lacks."""
    work = tmp_path / "work"
    write_tree(work, FILES)
    bare = repos_dir / "acme+models" / "repo"
    _git("init", "-q", "--bare", str(bare))
    git = [f"--git-dir={bare}", f"--work-tree={work}"]
    _git(*git, "add", "-A")
    _git(*git, "commit", "-q", "-m", "models")
    commit = _git(f"--git-dir={bare}", "rev-parse", "HEAD")
    if drop is not None:
        blob = _git(f"--git-dir={bare}", "rev-parse", f"HEAD:{drop}")
        (bare / "objects" / blob[:2] / blob[2:]).unlink()
    return bare, commit


def _repos_file(tmp_path: Path, commit: str) -> Path:
    path = tmp_path / "repos.toml"
    path.write_text(
        f'[[repo]]\nrepo = "acme/models"\ncommit = "{commit}"\nkind = "dvc"\n'
        'description = "made up"\n\n'
        f'[[repo]]\nrepo = "acme/absent"\ncommit = "{"0" * 40}"\nkind = "sdk"\n'
        'description = "never fetched"\n',
        encoding="utf-8",
    )
    return path


def _run(tmp_path: Path, repos_file: Path, *extra: str) -> dict[str, object]:
    arguments = [
        "--repos-dir",
        str(tmp_path / "repos"),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--repos-file",
        str(repos_file),
        "--verdicts-dir",
        str(tmp_path / "verdicts"),
        "--json",
        *extra,
    ]
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, check=True
    )
    report: dict[str, object] = json.loads(completed.stdout)
    return report


def _judge_all(path: Path, verdict: str) -> None:
    text = path.read_text(encoding="utf-8").replace('verdict = "?"', f'verdict = "{verdict}"')
    path.write_text(text.replace('reason = ""', 'reason = "judged in the test"'), "utf-8")


def test_a_run_lists_new_findings_then_measures_the_verdicts_and_finds_stale_ones(tmp_path):
    _, commit = _snapshot(tmp_path / "repos", tmp_path)
    repos_file = _repos_file(tmp_path, commit)

    first = _run(tmp_path, repos_file, "--update")
    present, absent = first["repositories"]
    assert absent["skipped"] == "not present"
    assert present["skipped"] == ""
    codes = [finding["code"] for finding in first["new"]]
    # Ten unpinned-dependency findings, judged on a sample of eight; every other rule in full.
    assert codes.count("MD020") == 8
    assert {"LN001", "DP015"} <= set(codes)
    assert present["findings"] == len(codes) + 2

    verdicts = tmp_path / "verdicts" / "acme+models.toml"
    text = verdicts.read_text(encoding="utf-8")
    assert 'code = "MD020"\nseed = 11\nsize = 8' in text
    assert text.count('verdict = "?"') == len(codes)
    assert "numpy" not in text  # no message, so no text of the repository

    _judge_all(verdicts, "tp")
    with verdicts.open("a", encoding="utf-8") as stream:
        stream.write(
            '\n[[finding]]\nfingerprint = "gone"\ncode = "MD001"\npath = "old.py"\n'
            'verdict = "noise"\nreason = "the file was removed"\n'
        )
    second = _run(tmp_path, repos_file)
    assert second["new"] == []
    assert [entry["fingerprint"] for entry in second["stale"]] == ["gone"]
    rules = {rule["code"]: rule for rule in second["rules"]}
    assert rules["MD020"]["findings"] == 10
    assert rules["MD020"]["judged"] == 8
    assert rules["MD020"]["precision"] == 1.0
    assert second["overall"]["wrong_percent"] == 0.0
    # The default set is what users get: the rules `mllint-wa rules` marks preview leave it.
    preview = {rule["code"] for rule in second["rules"] if rule["preview"]}
    default_judged = sum(rule["judged"] for rule in second["rules"] if not rule["preview"])
    assert second["default_rules"]["judged"] == default_judged
    assert preview <= ecosystem.preview_codes()


def test_the_default_set_leaves_the_preview_rules_out():
    figures = {
        code: ecosystem.RuleFigures(code=code, findings=1, counts=Counter({verdict: 1}))
        for code, verdict in (("MD020", "tp"), ("MD099", "fp"))
    }
    totals = {
        key: ecosystem.overall(chosen)
        for key, _, chosen in ecosystem._totals(figures, frozenset({"MD099"}))
    }
    assert totals["overall"]["wrong_percent"] == 50.0
    assert totals["default_rules"]["judged"] == 1
    assert totals["default_rules"]["wrong_percent"] == 0.0


def test_a_snapshot_without_some_blobs_is_linted_without_those_files(tmp_path):
    _, commit = _snapshot(tmp_path / "repos", tmp_path, drop="data/huge.csv")
    report = _run(tmp_path, _repos_file(tmp_path, commit), "--only", "acme/models")
    (present,) = report["repositories"]
    assert present["skipped"] == ""
    assert present["absent_files"] == 1
    tree = tmp_path / "cache" / "acme+models" / commit
    assert (tree / "data" / "rows.csv").is_file()
    assert not (tree / "data" / "huge.csv").exists()
    # The extracted tree has an index of its own that lists what it holds, as a clone's does.
    assert "data/rows.csv" in _git("ls-files", cwd=tree).splitlines()
    assert _git("status", "--porcelain", cwd=tree).splitlines() == ["D  data/huge.csv"]


def test_the_sample_is_the_same_on_every_run_and_moves_little():
    fingerprints = [f"{index:032x}" for index in range(40)]
    sample = ecosystem.sampled(fingerprints, 11, 8)
    assert sample == ecosystem.sampled(reversed(fingerprints), 11, 8)
    assert len(sample) == 8
    grown = ecosystem.sampled([*fingerprints, "f" * 32], 11, 8)
    assert len(sample - grown) <= 1
    assert ecosystem.sampled(fingerprints, 12, 8) != sample


def test_unsampled_findings_are_neither_new_nor_judged():
    repository = ecosystem.Repository("acme/models", "0" * 40, "sdk", "made up")
    findings = [
        ecosystem.Finding("MD074", "missing-cost-tags", f"n{i}.ipynb", 1, "m", f"{i:032x}")
        for i in range(12)
    ]
    file = ecosystem.VerdictFile(repo="acme/models", commit="0" * 40)
    file.samples["MD074"] = ecosystem.Sample("MD074", 5, 3)
    chosen = ecosystem.sampled([f.fingerprint for f in findings], 5, 3)
    for fingerprint in sorted(chosen)[:2]:
        file.verdicts[fingerprint] = ecosystem.Verdict(fingerprint, "MD074", "p", "noise", "r")
    outcome = ecosystem.compare(repository, findings, file)
    assert outcome.judged == [("MD074", "noise"), ("MD074", "noise")]
    assert [f.fingerprint for f in outcome.new] == sorted(chosen)[2:]
    assert outcome.totals["MD074"] == 12
    assert outcome.in_sample["MD074"] == 3


def test_verdict_files_round_trip(tmp_path):
    repository = ecosystem.Repository("acme/models", "0" * 40, "sdk", "made up")
    file = ecosystem.VerdictFile(repo="acme/models", commit="0" * 40)
    file.samples["DP030"] = ecosystem.Sample("DP030", 11, 8)
    file.verdicts["ab"] = ecosystem.Verdict("ab", "DP030", 'a "b".py', "fp", 'quotes " and \\')
    path = tmp_path / "acme+models.toml"
    path.write_text(ecosystem.render_verdicts(file), encoding="utf-8")
    assert ecosystem.load_verdicts(path, repository) == file


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('repo = "acme/models"\ncommit = "abc"\nkind = "sdk"\ndescription = "d"', "40 lowercase"),
        ('repo = "models"\ncommit = "%s"\nkind = "sdk"\ndescription = "d"' % ("0" * 40), "owner"),
        ('repo = "acme/models"\ncommit = "%s"\nkind = "sdk"' % ("0" * 40), "needs repo"),
    ],
)
def test_a_bad_repository_list_is_refused(tmp_path, entry, problem):
    path = tmp_path / "repos.toml"
    path.write_text(f"[[repo]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(ecosystem.EcosystemError, match=problem):
        ecosystem.load_repositories(path)


def test_a_verdict_outside_the_three_is_refused(tmp_path):
    repository = ecosystem.Repository("acme/models", "0" * 40, "sdk", "made up")
    path = tmp_path / "acme+models.toml"
    path.write_text('[[finding]]\nfingerprint = "ab"\nverdict = "maybe"\n', encoding="utf-8")
    with pytest.raises(ecosystem.EcosystemError, match="not one of"):
        ecosystem.load_verdicts(path, repository)
