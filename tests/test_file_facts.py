"""File facts: what a run found in each file (its credentials), kept in the cache by the
file's content, so that a run after a change scans only the files that changed, and reports
exactly what a run without the cache reports."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from mllint_wa import cache as cache_module
from mllint_wa import evidence as evidence_module
from mllint_wa.cache import Cache
from mllint_wa.config import Layer
from mllint_wa.evidence import credentials as credentials_module
from mllint_wa.evidence.file_facts import Codec, FileFacts
from mllint_wa.parsers.secrets import find_secrets
from mllint_wa.runner import RunOptions, RunResult, run
from trees import write_tree

REPOS = Path(__file__).parent / "fixtures" / "repos"
# Fabricated, as every credential of the fixtures.
TOKEN = "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
PASSWORD = "Pw9Kx2Lm7Qz4"


@pytest.fixture(autouse=True)
def files_written_long_ago(monkeypatch: pytest.MonkeyPatch) -> None:
    """Facts are not kept for a file changed in the last seconds, which every file a test
    writes is: here the files count as changed before a moment in the future."""
    monkeypatch.setattr(cache_module, "_RACY_NS", -(10**15))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "repo",
        {
            "train.py": f'GITHUB_TOKEN = "{TOKEN}"\n',
            "serve.py": f'DATABASE_URL = "postgresql://app:{PASSWORD}@db.internal/features"\n',
            "config.yaml": "api_key: ${API_KEY}\n",
            "notes.py": "print('hello')\n",
        },
    )


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache.at(tmp_path / "cache")


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the secret scanner is run on, from here on."""
    texts: list[str] = []

    def counted(text: str, notebook: bool = False, code: bool = False) -> object:
        texts.append(text)
        return find_secrets(text, notebook=notebook, code=code)

    monkeypatch.setattr(credentials_module, "find_secrets", counted)
    return texts


def lint(
    root: Path, cache: Cache | None, monkeypatch: pytest.MonkeyPatch, **cli: object
) -> RunResult:
    monkeypatch.chdir(root)
    return run([Path(".")], RunOptions(cli=Layer("test", **cli), cache=cache))  # type: ignore[arg-type]


def shown(result: RunResult) -> list[tuple[str, str, int, int, str, str]]:
    return [
        (f.rule.code, f.path, f.line, f.column, f.message, f.fingerprint) for f in result.findings
    ]


def facts_files(cache: Cache) -> list[Path]:
    return sorted(cache.folder.glob("*.facts.json"))


def test_a_run_after_a_change_scans_only_the_changed_file(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch, scanned: list[str]
) -> None:
    lint(tree, cache, monkeypatch)
    assert len(scanned) == 3  # notes.py holds nothing a credential needs
    scanned.clear()
    (tree / "serve.py").write_text(
        f'DATABASE_URL = "postgresql://app:{PASSWORD}x@db.internal/features"\n', encoding="utf-8"
    )
    after = shown(lint(tree, cache, monkeypatch))
    assert scanned == [(tree / "serve.py").read_text(encoding="utf-8")]
    assert after == shown(lint(tree, None, monkeypatch))
    assert {path for code, path, *_ in after if code == "DP001"} == {"train.py", "serve.py"}


def test_content_seen_before_is_not_scanned_again_whatever_file_holds_it(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch, scanned: list[str]
) -> None:
    lint(tree, cache, monkeypatch)
    shutil.copy(tree / "train.py", tree / "train_copy.py")
    scanned.clear()
    after = shown(lint(tree, cache, monkeypatch))
    assert scanned == []
    assert after == shown(lint(tree, None, monkeypatch))
    assert len(scanned) == 4


def test_a_file_that_is_not_text_is_reported_by_every_run(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tree / ".netrc").write_bytes(f"login me password {PASSWORD}\n# caf\xe9\n".encode("latin-1"))
    first = shown(lint(tree, cache, monkeypatch))
    (tree / "notes.py").write_text("print('changed')\n", encoding="utf-8")
    after = shown(lint(tree, cache, monkeypatch))
    assert after == first == shown(lint(tree, None, monkeypatch))
    assert ("LN009", ".netrc", 2, 6) in [finding[:4] for finding in after]


def test_a_run_of_other_rules_keeps_the_facts(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch, scanned: list[str]
) -> None:
    lint(tree, cache, monkeypatch)
    lint(tree, cache, monkeypatch, select=("BG001",))
    (tree / "notes.py").write_text("print('changed')\n", encoding="utf-8")
    scanned.clear()
    lint(tree, cache, monkeypatch)
    assert scanned == []


def test_the_facts_keep_no_credential(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    lint(tree, cache, monkeypatch)
    (kept,) = facts_files(cache)
    data = kept.read_text(encoding="utf-8")
    assert '"credentials:code"' in data
    assert TOKEN not in data and PASSWORD not in data
    assert TOKEN[4:-3] not in data


def forget_findings(cache: Cache) -> None:
    """Drop the stored findings, not the facts: the next run lints again, from the facts."""
    for entry in cache.folder.glob("*.json"):
        if not entry.name.endswith(".facts.json"):
            entry.unlink()


def _replace_first_fact(text: str, data: object) -> str:
    document = json.loads(text)
    facts = document["facts"]["credentials:code"]
    first = next(digest for digest, found in facts.items() if found)
    facts[first] = data
    return json.dumps(document)


def _token(**changed: object) -> list[object]:
    """A GitHub token as the scan keeps it, with the ``changed`` fields."""
    found = {"kind": "GitHub token", "line": 1, "column": 17, "redacted": "ghp_…3i2"}
    found |= {"name": "", "local": False, "also": []}
    return list({**found, **changed}.values())


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda text: "\x00garbage{{{", id="corrupt"),
        pytest.param(lambda text: text[: len(text) // 2], id="truncated"),
        pytest.param(lambda text: "[" * 100_000 + "]" * 100_000, id="deeply-nested"),
        pytest.param(lambda text: text.replace('"tool":"', '"tool":"0'), id="other-version"),
        pytest.param(lambda text: text.replace('"format":', '"format":1'), id="other-format"),
        pytest.param(
            lambda text: json.dumps({"format": 2, "tool": "", "facts": []}), id="no-facts"
        ),
        pytest.param(
            lambda text: text.replace('"credentials:code":{', '"credentials:code":[{', 1),
            id="bad-shape",
        ),
        pytest.param(lambda text: _replace_first_fact(text, "none"), id="not-a-list"),
        pytest.param(lambda text: _replace_first_fact(text, [["token", 1]]), id="too-short"),
        *(
            pytest.param(lambda text, match=match: _replace_first_fact(text, [match]), id=name)
            for name, match in {
                "line-zero": _token(line=0),
                "bad-type": _token(local="no"),
                "bad-place": _token(also=[[1]]),
                "no-kind": _token(kind=""),
                "unknown-kind": _token(kind="made-up kind"),
                "not-its-name's-kind": _token(kind="token", name="db_password"),
                "not-redacted": _token(redacted=TOKEN),
                "password-shown": _token(kind="password", name="db_password"),
                "name-too-long": _token(kind="token", name=f"{'x' * 100}_token"),
                "line-past-the-end": _token(line=3),
                "column-past-the-end": _token(column=10**6),
                "places-out-of-order": _token(also=[[1, 2]]),
                "place-twice": _token(also=[[1, 17]]),
                "local-token": _token(local=True),
            }.items()
        ),
    ],
)
def test_spoiled_facts_are_scanned_again(
    tree: Path,
    cache: Cache,
    monkeypatch: pytest.MonkeyPatch,
    scanned: list[str],
    spoil: Callable[[str], str],
) -> None:
    expected = shown(lint(tree, None, monkeypatch))
    lint(tree, cache, monkeypatch)
    forget_findings(cache)
    (kept,) = facts_files(cache)
    kept.write_text(spoil(kept.read_text(encoding="utf-8")), encoding="utf-8")
    scanned.clear()
    assert shown(lint(tree, cache, monkeypatch)) == expected
    assert scanned != []


def test_a_fact_of_the_shape_the_scan_writes_is_taken(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch, scanned: list[str]
) -> None:
    """The spoiled facts above are each one change away from this one."""
    lint(tree, cache, monkeypatch)
    forget_findings(cache)
    (kept,) = facts_files(cache)
    kept.write_text(_replace_first_fact(kept.read_text(encoding="utf-8"), [_token()]))
    scanned.clear()
    lint(tree, cache, monkeypatch)
    assert scanned == []


def test_every_fact_the_fixtures_keep_is_taken(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch, scanned: list[str]
) -> None:
    """What the scan finds (named secrets, notebooks, connection strings on local hosts) is
    all of a shape the facts decode takes."""
    root = tmp_path / "repos"
    shutil.copytree(REPOS, root)
    rules = ("DP001", "DE020")
    expected = shown(lint(root, cache, monkeypatch, select=rules))
    assert {code for code, *_ in expected} == set(rules)
    forget_findings(cache)
    scanned.clear()
    assert shown(lint(root, cache, monkeypatch, select=rules)) == expected
    assert scanned == []


def test_a_file_read_with_another_stat_than_it_was_hashed_with_keeps_no_fact() -> None:
    facts = FileFacts()
    hashed = {"a.py": ((10, 1, 1, 7), "d" * 64)}
    facts.use(hashed, {"n": {"d" * 64: "stored"}})
    codec: Codec[str] = Codec(lambda value: value, lambda data: str(data))
    assert facts.get("a.py", (10, 1, 2, 7), "n", lambda: "computed", codec) == "computed"
    assert facts.get("a.py", None, "n", lambda: "computed", codec) == "computed"
    assert facts.get("b.py", (10, 1, 1, 7), "n", lambda: "computed", codec) == "computed"
    assert facts.found == {}
    assert facts.get("a.py", (10, 1, 1, 7), "n", lambda: "computed", codec) == "stored"


def test_a_file_changed_in_the_last_seconds_keeps_no_fact(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch, scanned: list[str]
) -> None:
    monkeypatch.setattr(cache_module, "_RACY_NS", 10**12)  # changed in the last 1,000 s
    lint(tree, cache, monkeypatch)
    assert json.loads(facts_files(cache)[0].read_text(encoding="utf-8"))["facts"] == {}
    scanned.clear()
    (tree / "notes.py").write_text("print('changed')\n", encoding="utf-8")
    lint(tree, cache, monkeypatch)
    assert len(scanned) == 3


def test_a_file_written_while_it_is_read_keeps_no_fact(
    tree: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    train = tree / "train.py"
    hashed = train.read_bytes()
    written = hashed.replace(TOKEN.encode(), b"x" * len(TOKEN))
    inode = train.stat().st_ino
    read_prefix = evidence_module.read_prefix

    def written_meanwhile(fd: int, limit: int, expected: int) -> bytes:
        if os.fstat(fd).st_ino == inode:
            train.write_bytes(written)
        return read_prefix(fd, limit, expected)

    monkeypatch.setattr(evidence_module, "read_prefix", written_meanwhile)
    lint(tree, cache, monkeypatch)
    monkeypatch.setattr(evidence_module, "read_prefix", read_prefix)
    forget_findings(cache)
    train.write_bytes(hashed)  # the content hashed the first time, with another stat
    after = shown(lint(tree, cache, monkeypatch))
    assert after == shown(lint(tree, None, monkeypatch))
    assert "train.py" in {path for _, path, *_ in after}


def test_worker_processes_bring_their_facts_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    for name in ("hardcoded-secret", "deployable-default-credentials"):
        shutil.copytree(REPOS / name, root / name)
    kept = {}
    for jobs in (1, 2):
        cache = Cache.at(tmp_path / f"cache-{jobs}")
        monkeypatch.chdir(root)
        run([Path(".")], RunOptions(cli=Layer("test"), cache=cache, jobs=jobs))
        kept[jobs] = {path.name: path.read_bytes() for path in facts_files(cache)}
    assert len(kept[1]) == 2
    assert kept[2] == kept[1]
