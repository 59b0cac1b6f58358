"""Bad input gets findings, never a traceback: lens.toml mutated at random, byte by byte."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from mllint_wa.config import ConfigError, Layer
from mllint_wa.manifest import parse_manifest
from mllint_wa.parsers.tomlcompat import tomllib
from mllint_wa.runner import RunOptions, run

COMPLETE = Path(__file__).parent / "fixtures" / "repos" / "complete" / "lens.toml"
ALPHABET = "[]{}=,.\"'#\n \t\\0123456789abcxyz-_:"


def mutate(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(chars) + 1)
        action = rng.choice(("insert", "delete", "replace", "duplicate-line"))
        if action == "insert":
            chars.insert(position, rng.choice(ALPHABET))
        elif action == "delete" and position < len(chars):
            del chars[position]
        elif action == "replace" and position < len(chars):
            chars[position] = rng.choice(ALPHABET)
        elif action == "duplicate-line":
            lines = "".join(chars).splitlines(keepends=True)
            index = rng.randrange(len(lines))
            lines.insert(index, lines[index])
            chars = list("".join(lines))
    return "".join(chars)


@pytest.mark.parametrize("seed", range(300))
def test_a_mutated_manifest_is_read_without_raising(seed: int) -> None:
    text = mutate(COMPLETE.read_text(encoding="utf-8"), random.Random(seed))
    load = parse_manifest(text)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assert load.manifest is None
        assert [p.kind.value for p in load.problems] == ["syntax"]
        assert 1 <= load.problems[0].line <= text.count("\n") + 1
        return
    assert load.manifest is not None
    lines = text.splitlines() or [""]
    for problem in load.problems:
        assert 1 <= problem.line <= len(lines)
        assert 1 <= problem.column <= len(lines[problem.line - 1]) + 1


@pytest.mark.parametrize("seed", range(40))
def test_the_whole_run_survives_a_mutated_manifest(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = mutate(COMPLETE.read_text(encoding="utf-8"), random.Random(seed))
    (tmp_path / "lens.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    try:
        result = run([Path(".")], RunOptions(cli=Layer("test", select=("ALL",))))
    except ConfigError as error:  # a mangled [lint] table: exit 2 with this message
        assert str(error).startswith("lens.toml [lint]: ")
        return
    assert result.errors == []
    for finding in result.findings:
        assert finding.path == "lens.toml"
        assert finding.line >= 1


REPOS = Path(__file__).parent / "fixtures" / "repos"
EVIDENCE_SUFFIXES = (".py", ".ipynb", ".yaml", ".yml", ".json", ".tf", ".toml", ".txt", ".md")
SPLICES = (b"{", b"[", b'"', b"\n  - ", b"!Ref ", b"${", b"\\", b"\x00", b"\xff", b"*", b"&a")


def _mutated(data: bytes, rng: random.Random) -> bytes:
    mutable = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if not mutable:
            break
        position = rng.randrange(len(mutable))
        action = rng.random()
        if action < 0.4:
            mutable[position] = rng.randrange(256)
        elif action < 0.7:
            del mutable[position : position + rng.randint(1, 40)]
        else:
            mutable[position:position] = rng.choice(SPLICES)
    return bytes(mutable)


@pytest.mark.parametrize("seed", range(40))
def test_every_rule_reads_mutated_evidence_files_without_failing(seed, tmp_path, monkeypatch):
    # Files of every kind the evidence layer reads (code, notebooks, templates, Terraform,
    # dependencies, model cards), broken at random: findings, never a rule failure. A
    # broken lens.toml is a configuration error by design, which the tests above cover.
    rng = random.Random(seed)
    files = sorted(
        p
        for p in REPOS.rglob("*")
        if p.is_file() and p.suffix in EVIDENCE_SUFFIXES and p.name != "lens.toml"
    )
    for index, source in enumerate(rng.sample(files, 12)):
        target = tmp_path / f"d{index}" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_mutated(source.read_bytes(), rng))
    (tmp_path / "lens.toml").write_text("schema_version = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run([Path(".")], RunOptions(cli=Layer("test", select=("ALL",))))
    assert [failure.message for failure in result.errors] == []
