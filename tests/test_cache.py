"""The cache: a run over an unchanged tree reuses each project's findings without reading a
file, a change to anything that decides them lints the project again, and a cache folder
that is corrupt, truncated, foreign, linked, half-written or committed to the repository is
ignored and rebuilt, never trusted, never an error."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mllint_wa import cache as cache_module
from mllint_wa.cache import CACHE_DIR_NAME, CACHEDIR_TAG, Cache, default_folder
from mllint_wa.cli import main
from mllint_wa.config import Layer
from mllint_wa.evidence import Evidence
from mllint_wa.runner import RunOptions, RunResult, run
from trees import write_tree

REPOS = Path(__file__).parent / "fixtures" / "repos"
# Fixture projects whose rules read code, notebooks, infrastructure and the manifest.
MIXED = (
    "hardcoded-secret",
    "notebook-outputs-committed",
    "endpoint-without-kms",
    "unseeded-randomness",
    "declared-path-missing",
    "inline-ignore-disabled",
)


def monorepo(root: Path) -> Path:
    """A repository holding several fixture projects side by side."""
    for name in MIXED:
        shutil.copytree(REPOS / name, root / name)
    write_tree(root, {"README.md": "# Several projects\n"})
    return root


def lint(root: Path, cache: Cache | None, monkeypatch: pytest.MonkeyPatch) -> RunResult:
    monkeypatch.chdir(root)
    options = RunOptions(cli=Layer("test", preview=True), cache=cache)
    return run([Path(".")], options)


def shown(result: RunResult) -> list[tuple[str, str, int, int, str, str]]:
    return [
        (f.rule.code, f.path, f.line, f.column, f.message, f.fingerprint)
        for f in [*result.findings, *result.suppressed]
    ] + [(p.root, ",".join(p.rules_run), 0, 0, "", "") for p in result.projects]


def reading_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, reading or parsing any file of a project is an error."""

    def refuse(*_: object) -> None:
        raise AssertionError("a file was read")

    monkeypatch.setattr(Evidence, "_read", refuse)
    monkeypatch.setattr(Evidence, "parse", refuse)


def recorded_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From here on, the paths of the files the rules read, in the list returned."""
    reads: list[str] = []
    original = Evidence.data

    def data(self: Evidence, path: str) -> bytes | None:
        reads.append(path)
        return original(self, path)

    monkeypatch.setattr(Evidence, "data", data)
    return reads


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return monorepo(tmp_path / "repo")


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache.at(tmp_path / "cache")


def test_a_warm_run_over_an_unchanged_tree_reads_and_parses_nothing(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    uncached = shown(lint(tree, None, monkeypatch))
    cold = shown(lint(tree, cache, monkeypatch))
    reading_fails(monkeypatch)
    warm = lint(tree, cache, monkeypatch)
    assert warm.errors == []
    assert shown(warm) == cold == uncached
    assert any(path.endswith(".ipynb") for _, path, *_ in uncached)


def test_a_changed_file_lints_its_project_again(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = shown(lint(tree, cache, monkeypatch))
    secret = "hardcoded-secret/" + next(
        row[1].split("/", 1)[1] for row in before if row[0] == "DP001"
    )
    (tree / secret).write_text("print('nothing to see')\n", encoding="utf-8")
    after = shown(lint(tree, cache, monkeypatch))
    assert after == shown(lint(tree, None, monkeypatch))
    assert [row for row in after if row[1] == secret] == []


def test_a_changed_setting_lints_again(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    lint(tree, cache, monkeypatch)
    monkeypatch.chdir(tree)
    options = RunOptions(cli=Layer("test", select=("DP001",), preview=True), cache=cache)
    codes = {f.rule.code for f in run([Path(".")], options).findings}
    assert codes == {"DP001"}


def test_a_path_the_manifest_names_that_appears_outside_the_walk_is_seen(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The model card is git-ignored, so only a question about the disk can find it.
    root = write_tree(
        tmp_path / "p",
        {
            "lens.toml": '[project]\nname = "x"\n[model]\ncard = "CARD.md"\n',
            ".gitignore": "CARD.md\n",
        },
    )
    missing = shown(lint(root, cache, monkeypatch))
    (root / "CARD.md").write_text("# Card\n", encoding="utf-8")
    present = shown(lint(root, cache, monkeypatch))
    assert present == shown(lint(root, None, monkeypatch))
    assert present != missing


def entry_files(cache: Cache) -> list[Path]:
    """The projects' entries, without the file facts kept beside them."""
    return sorted(p for p in cache.folder.glob("*.json") if not p.name.endswith(".facts.json"))


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda text: "\x00garbage{{{", id="corrupt"),
        pytest.param(lambda text: text[: len(text) // 2], id="truncated"),
        pytest.param(lambda text: "", id="empty"),
        pytest.param(lambda text: "[" * 100_000 + "]" * 100_000, id="deeply-nested"),
        pytest.param(lambda text: text.replace('"format":1', '"format":99'), id="other-format"),
        pytest.param(lambda text: text.replace('"key":"', '"key":"0'), id="other-key"),
        pytest.param(lambda text: text.replace('"DP001"', '"ZZ999"'), id="unknown-rule"),
        pytest.param(lambda text: json.dumps({"format": 1}), id="missing-fields"),
        pytest.param(lambda text: text.replace('"findings":[[', '"findings":[[1,'), id="bad-type"),
    ],
)
def test_a_spoiled_entry_is_ignored_and_rebuilt(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch, spoil: Callable[[str], str]
) -> None:
    expected = shown(lint(tree, cache, monkeypatch))
    for entry in entry_files(cache):
        entry.write_text(spoil(entry.read_text(encoding="utf-8")), encoding="utf-8")
    assert shown(lint(tree, cache, monkeypatch)) == expected
    # Rebuilt: the next run reads nothing.
    reading_fails(monkeypatch)
    assert shown(lint(tree, cache, monkeypatch)) == expected


def test_an_entry_forged_to_hide_findings_is_not_trusted_once_the_content_differs(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = shown(lint(tree, cache, monkeypatch))
    for entry in entry_files(cache):
        document = json.loads(entry.read_text(encoding="utf-8"))
        document["outcome"]["findings"] = []
        # The forger cannot know the digest of content it did not write.
        document["files"] = {name: [0, 0, 0, 0, "0" * 64] for name in document["files"]}
        entry.write_text(json.dumps(document), encoding="utf-8")
    assert shown(lint(tree, cache, monkeypatch)) == expected


def test_an_entry_that_is_a_symlink_is_not_followed(
    tree: Path, cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = shown(lint(tree, cache, monkeypatch))
    for entry in entry_files(cache):
        elsewhere = tmp_path / f"elsewhere-{entry.name}"
        entry.rename(elsewhere)
        entry.symlink_to(elsewhere)
    reads = recorded_reads(monkeypatch)
    assert shown(lint(tree, cache, monkeypatch)) == expected
    assert reads, "the linked entries were used"
    # Rewritten in place of the links, which are replaced, not written through.
    assert not any(entry.is_symlink() for entry in entry_files(cache))
    assert all(p.read_text(encoding="utf-8").startswith("{") for p in tmp_path.glob("elsewhere-*"))


def test_a_half_written_entry_of_a_concurrent_run_is_never_read(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = shown(lint(tree, cache, monkeypatch))
    # What another run leaves while it writes: a temporary file beside the entries, renamed
    # over an entry only once complete.
    for entry in entry_files(cache):
        partial = entry.read_text(encoding="utf-8")[:100]
        (cache.folder / f".tmp-{entry.stem}.part").write_text(partial, encoding="utf-8")
    reading_fails(monkeypatch)
    assert shown(lint(tree, cache, monkeypatch)) == expected


def test_a_write_that_fails_half_way_leaves_the_old_entry(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = shown(lint(tree, cache, monkeypatch))
    before = {entry.name: entry.read_bytes() for entry in entry_files(cache)}
    (tree / "README.md").write_text("# Changed\n", encoding="utf-8")

    def full_disk(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert shown(lint(tree, cache, monkeypatch)) == expected
    assert {entry.name: entry.read_bytes() for entry in entry_files(cache)} == before
    assert [p.name for p in cache.folder.iterdir() if p.name.startswith(".tmp-")] == []


def test_concurrent_runs_share_a_cache(tree: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "mllint_wa", ".", "--format", "json"]
    env = {**os.environ, "MLLINT_WA_CACHE_DIR": str(tmp_path / "shared")}
    env.pop("MLLINT_WA_NO_CACHE")
    runs = [
        subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = [run.communicate()[0] for run in runs]
    warm = subprocess.run(command, cwd=tree, env=env, capture_output=True, check=False)
    alone = subprocess.run(
        command, cwd=tree, env={**env, "MLLINT_WA_NO_CACHE": "1"}, capture_output=True
    )
    assert outputs == [alone.stdout] * 3
    assert warm.stdout == alone.stdout
    assert warm.stderr == alone.stderr == b""


def test_the_cache_folder_is_tagged_and_ignores_itself(tmp_path: Path) -> None:
    cache = Cache.at(tmp_path / "c")
    assert (cache.folder / "CACHEDIR.TAG").read_bytes() == CACHEDIR_TAG
    assert (cache.folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_the_default_folder_is_at_the_root_of_the_working_tree(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    assert default_folder(tmp_path / "sub" / "deeper") == tmp_path / CACHE_DIR_NAME
    outside = tmp_path / "sub"
    assert default_folder(outside).parent == tmp_path


def cli(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.delenv("MLLINT_WA_NO_CACHE", raising=False)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, [".", *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_cache_folder_is_never_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    leak = 'aws_secret_access_key = "Zq8rT5vB2nX7mK4pL9wC3hJ6fD1sG0yE5uA8iO2e"\n'
    root = write_tree(tmp_path / "r", {"lens.toml": '[project]\nname = "x"\n', "src/leak.py": leak})
    (root / ".git").mkdir()
    for folder in (CACHE_DIR_NAME, "custom-cache"):
        write_tree(root / folder, {"leak.py": leak})
    _, out, _ = cli(
        root, "--select", "DP001", "--cache-dir", "custom-cache", monkeypatch=monkeypatch
    )
    reported = [line.split(":")[0] for line in out.splitlines() if "DP001" in line]
    assert reported == ["src/leak.py"], out


def test_the_reason_an_ignore_comment_gives_is_kept_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "ghp_Zq8rT5vB2nX7mK4pL9wC3hJ6fD1sG0yE5uA8"
    code = f'TOKEN = "{token}"  # mllint-wa: ignore[DP001] rotated, was {token}\n'
    root = write_tree(tmp_path / "r", {"lens.toml": '[project]\nname = "x"\n', "app.py": code})
    (root / ".git").mkdir()
    for _ in range(2):
        _, out, err = cli(root, "--select", "DP001", "--format", "json", monkeypatch=monkeypatch)
        assert "rotated, was ghp_" in out and token not in out + err
    entries = list((root / CACHE_DIR_NAME).glob("*.json"))
    assert entries and all(token not in entry.read_text("utf-8") for entry in entries)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 reads the f-string")
def test_the_warning_of_a_file_not_checked_is_kept_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # src/report.py reuses an f-string's quotes inside its braces (PEP 701), under a name
    # that is a token here.
    token = "ghp_Zq8rT5vB2nX7mK4pL9wC3hJ6fD1sG0yE5uA8"
    root = tmp_path / "r"
    shutil.copytree(REPOS / "unparseable-file", root)
    (root / "src" / "report.py").rename(root / "src" / f"{token}.py")
    (root / ".git").mkdir()
    _, _, err = cli(root, "--preview", "--select", "LN009,MD001", monkeypatch=monkeypatch)
    assert "`src/ghp_…uA8.py` has an f-string" in err and token not in err
    entries = entry_files(Cache(root / CACHE_DIR_NAME))
    assert entries and all("ghp_…uA8.py` has" in e.read_text("utf-8") for e in entries)
    assert all(f"`src/{token}.py`" not in e.read_text("utf-8") for e in entries)


def test_a_cache_folder_that_git_tracks_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "r", {"lens.toml": '[project]\nname = "x"\n'})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    write_tree(root / CACHE_DIR_NAME, {"forged.json": "{}"})
    subprocess.run(["git", "-C", str(root), "add", "-f", "."], check=True)
    _, _, err = cli(root, monkeypatch=monkeypatch)
    assert "running without the cache" in err and "tracked by git" in err
    assert sorted(p.name for p in (root / CACHE_DIR_NAME).iterdir()) == ["forged.json"]


def test_a_cache_folder_committed_under_a_split_index_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index names the folder's files only in its shared part: no byte of .git/index
    # says that git tracks them, so not finding them there proves nothing.
    root = write_tree(tmp_path / "r", {"lens.toml": '[project]\nname = "x"\n'})
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "config", "core.splitIndex", "true"], check=True)
    write_tree(root / CACHE_DIR_NAME, {"forged.json": "{}"})
    subprocess.run([*git, "add", "-f", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "cache"], check=True)
    write_tree(root, {"README.md": "# r\n"})
    subprocess.run([*git, "add", "README.md"], check=True)
    assert b".mllint_wa_cache/" not in (root / ".git" / "index").read_bytes()
    _, _, err = cli(root, monkeypatch=monkeypatch)
    assert "running without the cache" in err and "not trusted" in err
    assert sorted(p.name for p in (root / CACHE_DIR_NAME).iterdir()) == ["forged.json"]


def test_a_cache_folder_that_is_a_symlink_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "r", {"lens.toml": '[project]\nname = "x"\n'})
    (root / ".git").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (root / CACHE_DIR_NAME).symlink_to(tmp_path / "elsewhere")
    _, _, err = cli(root, monkeypatch=monkeypatch)
    assert "running without the cache" in err and "symlink" in err
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_no_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path / "r", {"lens.toml": '[project]\nname = "x"\n'})
    (root / ".git").mkdir()
    cli(root, "--no-cache", monkeypatch=monkeypatch)
    assert not (root / CACHE_DIR_NAME).exists()
    cli(root, monkeypatch=monkeypatch)
    assert (root / CACHE_DIR_NAME / "CACHEDIR.TAG").is_file()


def reports(tree: Path, out: Path, *args: str, seed: str, cache: Path | None) -> list[bytes]:
    """The text, JSON and SARIF reports of one run in a fresh process."""
    out.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("MLLINT_WA_NO_CACHE")
    if cache is None:
        env["MLLINT_WA_NO_CACHE"] = "1"
    else:
        env["MLLINT_WA_CACHE_DIR"] = str(cache)
    formats = ["--format", "json", "-o", str(out / "json"), "--format", "sarif"]
    formats += ["-o", str(out / "sarif"), "--format", "text", "--preview"]
    command = [sys.executable, "-m", "mllint_wa", ".", *formats, *args]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, check=False)
    assert done.returncode == 1, done.stderr
    return [done.stdout, done.stderr, (out / "json").read_bytes(), (out / "sarif").read_bytes()]


def test_output_is_byte_identical_across_jobs_cache_and_hash_seeds(
    tree: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    variants = [
        ("--jobs", "1", "0", None),
        ("--jobs", "2", "1", None),
        ("--jobs", "2", "2", cache),  # cold
        ("--jobs", "1", "3", cache),  # warm
        ("--jobs", "2", "4", cache),  # warm
    ]
    outputs = [
        reports(tree, tmp_path / f"out{i}", flag, jobs, seed=seed, cache=folder)
        for i, (flag, jobs, seed, folder) in enumerate(variants)
    ]
    assert b"DP001" in outputs[0][0]
    assert all(output == outputs[0] for output in outputs[1:])


def test_what_git_tracks_is_part_of_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(
        tmp_path / "r",
        {"lens.toml": '[lint]\nlarge-file-threshold = "10 B"\n', "big.txt": "x" * 100},
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "lens.toml"], check=True)
    cache = Cache.at(tmp_path / "cache")
    untracked = shown(lint(root, cache, monkeypatch))
    subprocess.run(["git", "-C", str(root), "add", "big.txt"], check=True)
    tracked = shown(lint(root, cache, monkeypatch))
    assert tracked == shown(lint(root, None, monkeypatch))
    assert [row[:2] for row in tracked if row[1] == "big.txt"] == [("DP010", "big.txt")]
    assert [row for row in untracked if row[1] == "big.txt"] == []


def test_projects_linted_in_worker_processes_report_as_one_process_does(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mllint_wa import parallel, runner

    used: list[int] = []

    def spy(task: object, count: int, workers: int) -> object:
        used.append(workers)
        return parallel.map_indexed(task, count, workers)  # type: ignore[arg-type]

    serial = shown(lint(tree, None, monkeypatch))
    monkeypatch.setattr(runner, "map_indexed", spy)
    monkeypatch.chdir(tree)
    options = RunOptions(cli=Layer("test", preview=True), jobs=2)
    assert shown(run([Path(".")], options)) == serial
    assert used == [2]


_CHECKS_BEFORE_FORKING = """
import json, sys
from pathlib import Path
from mllint_wa import parallel, runner
from mllint_wa.runner import RunOptions, run

def spy(task, count, workers):
    loaded = sorted(m for m in sys.modules if m.startswith("mllint_wa.checks."))
    sys.stderr.write(json.dumps([workers, loaded]))
    return parallel.map_indexed(task, count, workers)

runner.map_indexed = spy
run([Path(sys.argv[1])], RunOptions(jobs=2))
"""


def test_the_checks_are_imported_before_worker_processes_are_forked(tree: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CHECKS_BEFORE_FORKING, str(tree)],
        capture_output=True,
        text=True,
        check=True,
    )
    workers, loaded = json.loads(done.stderr)
    assert workers == 2
    assert "mllint_wa.checks.business" in loaded


def test_an_entry_another_version_of_the_tool_wrote_is_not_used(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mllint_wa import runner

    expected = shown(lint(tree, cache, monkeypatch))
    monkeypatch.setattr(runner, "tool_digest", lambda: "another version")
    reads = recorded_reads(monkeypatch)
    assert shown(lint(tree, cache, monkeypatch)) == expected
    assert reads


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python reads PEP 701 f-strings")
def test_a_warm_run_repeats_the_warning_of_a_file_this_python_cannot_check(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    write_tree(root, {"report.py": 'import torch\nrow = {"a": 1}\nprint(f"{row["a"]}")\n'})
    cold = lint(root, cache, monkeypatch)
    reading_fails(monkeypatch)
    warm = lint(root, cache, monkeypatch)
    assert [w for w in cold.warnings if "report.py" in w] != []
    assert warm.warnings == cold.warnings


@pytest.mark.parametrize("threads", [1, 3])
def test_files_are_fingerprinted_by_their_content_in_the_order_given_however_many_threads_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    # Files of 64 bytes or more count as large here, for the threads to hash.
    monkeypatch.setattr(cache_module, "_THREADED_FROM", 64)
    contents = {f"f{index}.txt": b"x" * (index * 20) for index in range(8, 0, -1)}
    for name, content in contents.items():
        (tmp_path / name).write_bytes(content)
    paths = [(name, str(tmp_path / name)) for name in contents]
    gone = ("gone.txt", str(tmp_path / "gone.txt"))
    found = cache_module.fingerprints([*paths, gone], {}, threads)
    assert list(found) == [*contents, "gone.txt"]
    for name, content in contents.items():
        info, digest = found[name]
        assert (info[0], digest) == (len(content), hashlib.sha256(content).hexdigest())
    assert found["gone.txt"][1] == "absent"


def test_a_file_written_while_its_project_is_linted_leaves_no_entry_for_content_not_read(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "ghp_Zq8rT5vB2nX7mK4pL9wC3hJ6fD1sG0yE5uA8"
    hashed = f'GITHUB_TOKEN = "{token}"\n'
    root = write_tree(tmp_path / "r", {"train.py": hashed})
    expected = shown(lint(root, None, monkeypatch))
    original = Evidence._read

    def read_after_a_write(self: Evidence, path: str) -> object:
        # An editor saves the file after the cache hashed it, before the rules read it.
        (self.root / path).write_text("print('saved meanwhile')\n", encoding="utf-8")
        return original(self, path)

    monkeypatch.setattr(Evidence, "_read", read_after_a_write)
    lint(root, cache, monkeypatch)
    monkeypatch.setattr(Evidence, "_read", original)
    (root / "train.py").write_text(hashed, encoding="utf-8")  # and the save is undone
    assert shown(lint(root, cache, monkeypatch)) == expected
    assert any(code == "DP001" for code, *_ in expected)
