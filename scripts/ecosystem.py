"""The ecosystem check: mllint-wa on public ML repositories, measured against recorded verdicts.

    python scripts/ecosystem.py --repos-dir DIR [--only OWNER/NAME] [--update] [--json]

Every repository listed in ecosystem/repos.toml is linted at its recorded commit, if it is present
in DIR: a checkout, or a bare git directory, whose name starts with ``OWNER+NAME`` (a folder of
that name holding one bare git directory, such as ``OWNER+NAME/repo``, counts too). The commit is
extracted with ``git archive`` into a cache folder outside the project (``--cache-dir``) and given
a git index of its own, so the rules that read what git tracks see what a clone shows. Only git
runs on a repository, never anything of the repository itself. A checkout without git is linted
as it is. Repositories that are not present are skipped.

Each finding's fingerprint is looked up in ecosystem/verdicts/OWNER+NAME.toml, where a judge has
marked it ``tp`` (a real problem a maintainer should act on), ``fp`` (the evidence does not say
what the message says) or ``noise`` (true, but not worth acting on), with a one-line reason. Where a
repository has more than SAMPLE_SIZE findings of one rule, only a seeded sample of them is judged:
the verdict file records the sample's seed and size, the sample is the findings whose fingerprints
hash first under that seed, and precision is computed on it. The script prints the precision of
every rule, the findings still to be judged (in the sample and without a verdict), and the verdicts
that match no finding any more. ``--update`` writes skeleton verdicts (``verdict = "?"``) for the
findings to judge, records the samples, and drops nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROJECT = Path(__file__).resolve().parent.parent
REPOS_FILE = PROJECT / "ecosystem" / "repos.toml"
VERDICTS_DIR = PROJECT / "ecosystem" / "verdicts"
SAMPLE_SIZE = 8
SAMPLE_SEED = 11
VERDICTS = ("tp", "fp", "noise")
UNJUDGED = "?"
MISSING_MANIFEST = "LN001"
_COMMIT = re.compile(r"[0-9a-f]{40}")
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")
# Arguments handed to one `git archive` call when the snapshot lacks some blobs: well under
# every platform's command-line limit.
_PATHSPEC_BYTES = 64 * 1024
# Git reads the configuration of the repositories it is pointed at: nothing in it may run
# a program or reach the network.
_GIT = (
    "git",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "protocol.allow=never",
)


_MLLINT = (sys.executable, "-m", "mllint_wa")


class EcosystemError(Exception):
    """A problem with the list, a verdict file or a repository, said in one sentence."""


@dataclass(frozen=True)
class Repository:
    """One entry of repos.toml."""

    repo: str
    commit: str
    kind: str
    description: str

    @property
    def key(self) -> str:
        """The repository's file-system name, as fetched snapshots and verdict files spell it."""
        return self.repo.replace("/", "+")


@dataclass(frozen=True)
class Finding:
    """The part of a mllint-wa JSON finding the check needs."""

    code: str
    name: str
    path: str
    line: int
    message: str
    fingerprint: str


@dataclass
class Verdict:
    fingerprint: str
    code: str
    path: str
    verdict: str
    reason: str


@dataclass
class Sample:
    code: str
    seed: int
    size: int


@dataclass
class VerdictFile:
    """The judged findings of one repository, keyed by fingerprint, and its sampled rules."""

    repo: str
    commit: str
    samples: dict[str, Sample] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)


@dataclass
class Outcome:
    """How one repository's findings compare with its verdicts."""

    repository: Repository
    findings: list[Finding] = field(default_factory=list)
    # (code, verdict) of every finding of the judged set: each finding of a rule that has no
    # sample, and each sampled one.
    judged: list[tuple[str, str]] = field(default_factory=list)
    new: list[Finding] = field(default_factory=list)
    stale: list[Verdict] = field(default_factory=list)
    # Per rule: how many findings there are and how many of them the judged set holds.
    totals: Counter[str] = field(default_factory=Counter)
    in_sample: Counter[str] = field(default_factory=Counter)
    absent_files: int = 0
    skipped: str = ""


# -- the list and the verdict files ----------------------------------------------------------


def load_repositories(path: Path) -> list[Repository]:
    """Read repos.toml, refusing anything that would make a run ambiguous."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise EcosystemError(f"{path}: {error}") from error
    repositories: list[Repository] = []
    for index, entry in enumerate(document.get("repo", []), start=1):
        values: dict[str, str] = {
            name: entry.get(name) for name in ("repo", "commit", "kind", "description")
        }
        if not all(isinstance(value, str) and value for value in values.values()):
            raise EcosystemError(f"{path}: repo #{index} needs repo, commit, kind and description")
        repository = Repository(**values)
        if not _REPO.fullmatch(repository.repo):
            raise EcosystemError(f"{path}: {repository.repo!r} is not owner/name")
        if not _COMMIT.fullmatch(repository.commit):
            raise EcosystemError(f"{path}: {repository.repo}: commit is not 40 lowercase hex")
        repositories.append(repository)
    names = Counter(r.repo for r in repositories)
    if twice := sorted(name for name, count in names.items() if count > 1):
        raise EcosystemError(f"{path}: listed more than once: {', '.join(twice)}")
    return repositories


def chosen_repositories(path: Path, only: Sequence[str]) -> list[Repository]:
    """The repositories of repos.toml that ``only`` names (all when it names none); an
    :class:`EcosystemError` for a name the file does not hold."""
    repositories = load_repositories(path)
    unknown = sorted(set(only) - {r.repo for r in repositories})
    if unknown:
        raise EcosystemError(f"not in {path}: {', '.join(unknown)}")
    return [r for r in repositories if not only or r.repo in only]


def load_verdicts(path: Path, repository: Repository) -> VerdictFile:
    if not path.is_file():
        return VerdictFile(repo=repository.repo, commit=repository.commit)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise EcosystemError(f"{path}: {error}") from error
    file = VerdictFile(
        repo=str(document.get("repo", repository.repo)),
        commit=str(document.get("commit", repository.commit)),
    )
    for entry in document.get("sample", []):
        sample = Sample(code=str(entry["code"]), seed=int(entry["seed"]), size=int(entry["size"]))
        if sample.code in file.samples:
            raise EcosystemError(f"{path}: rule {sample.code} is sampled twice")
        file.samples[sample.code] = sample
    for entry in document.get("finding", []):
        verdict = Verdict(
            fingerprint=str(entry["fingerprint"]),
            code=str(entry.get("code", "")),
            path=str(entry.get("path", "")),
            verdict=str(entry.get("verdict", UNJUDGED)),
            reason=str(entry.get("reason", "")),
        )
        if verdict.verdict not in (*VERDICTS, UNJUDGED):
            raise EcosystemError(
                f"{path}: {verdict.fingerprint}: verdict {verdict.verdict!r} is not one of "
                f"{', '.join(VERDICTS)} or {UNJUDGED!r}"
            )
        if verdict.fingerprint in file.verdicts:
            raise EcosystemError(f"{path}: {verdict.fingerprint} is judged twice")
        file.verdicts[verdict.fingerprint] = verdict
    return file


def _toml_string(value: str) -> str:
    # A JSON string is a TOML basic string: json escapes quotes, backslashes and controls.
    return json.dumps(value, ensure_ascii=False)


def render_verdicts(file: VerdictFile) -> str:
    """The verdict file's text: samples by rule, then verdicts by path, rule and fingerprint."""
    lines = [
        "# mllint-wa ecosystem verdicts: each finding's fingerprint judged tp, fp or noise.",
        "# Reasons are the judge's own words; no text of the repository is kept here.",
        f"repo = {_toml_string(file.repo)}",
        f"commit = {_toml_string(file.commit)}",
    ]
    for sample in sorted(file.samples.values(), key=lambda s: s.code):
        lines += [
            "",
            "[[sample]]",
            f"code = {_toml_string(sample.code)}",
            f"seed = {sample.seed}",
            f"size = {sample.size}",
        ]
    ordered = sorted(file.verdicts.values(), key=lambda v: (v.path, v.code, v.fingerprint))
    for verdict in ordered:
        lines += [
            "",
            "[[finding]]",
            f"fingerprint = {_toml_string(verdict.fingerprint)}",
            f"code = {_toml_string(verdict.code)}",
            f"path = {_toml_string(verdict.path)}",
            f"verdict = {_toml_string(verdict.verdict)}",
            f"reason = {_toml_string(verdict.reason)}",
        ]
    return "\n".join(lines) + "\n"


# -- sampling and comparison -----------------------------------------------------------------


def sample_rank(seed: int, fingerprint: str) -> str:
    return hashlib.sha256(f"{seed}:{fingerprint}".encode()).hexdigest()


def sampled(fingerprints: Iterable[str], seed: int, size: int) -> set[str]:
    """The ``size`` fingerprints that hash first under ``seed``: the same set on every run, and a
    finding added later displaces a sampled one only if it hashes before it."""
    return set(sorted(set(fingerprints), key=lambda fp: sample_rank(seed, fp))[:size])


def compare(
    repository: Repository, findings: list[Finding], file: VerdictFile, seed: int = SAMPLE_SEED
) -> Outcome:
    """Split the findings into judged and new, and find the verdicts no finding matches.

    A rule with more than SAMPLE_SIZE findings is judged on a sample: the one recorded in the
    verdict file, else the one ``--update`` would record with ``seed``."""
    outcome = Outcome(repository=repository, findings=findings)
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_code[finding.code].append(finding)
    for code, group in sorted(by_code.items()):
        outcome.totals[code] = len(group)
        chosen = _judged_set(code, group, file, seed)
        for finding in group:
            if finding.fingerprint not in chosen:
                continue
            outcome.in_sample[code] += 1
            verdict = file.verdicts.get(finding.fingerprint)
            if verdict is None or verdict.verdict == UNJUDGED:
                outcome.new.append(finding)
            else:
                outcome.judged.append((code, verdict.verdict))
    outcome.new.sort(key=lambda f: (f.path, f.line, f.code, f.fingerprint))
    present = {finding.fingerprint for finding in findings}
    outcome.stale = [v for fp, v in sorted(file.verdicts.items()) if fp not in present]
    return outcome


def _judged_set(code: str, group: list[Finding], file: VerdictFile, seed: int) -> set[str]:
    fingerprints = {finding.fingerprint for finding in group}
    sample = file.samples.get(code)
    if sample is not None:
        return sampled(fingerprints, sample.seed, sample.size)
    if len(fingerprints) > SAMPLE_SIZE:
        return sampled(fingerprints, seed, SAMPLE_SIZE)
    return fingerprints


def updated(file: VerdictFile, outcome: Outcome, seed: int = SAMPLE_SEED) -> VerdictFile:
    """The verdict file with each rule's sample recorded and a skeleton for each new finding."""
    fingerprints: dict[str, set[str]] = defaultdict(set)
    for finding in outcome.findings:
        fingerprints[finding.code].add(finding.fingerprint)
    for code, group in fingerprints.items():
        if code not in file.samples and len(group) > SAMPLE_SIZE:
            file.samples[code] = Sample(code=code, seed=seed, size=SAMPLE_SIZE)
    for finding in outcome.new:
        file.verdicts.setdefault(
            finding.fingerprint,
            Verdict(finding.fingerprint, finding.code, finding.path, UNJUDGED, ""),
        )
    file.commit = outcome.repository.commit
    return file


# -- bringing a repository here ---------------------------------------------------------------


def locate(repos_dir: Path, repository: Repository) -> Path | None:
    """The checkout or git directory of the repository in ``repos_dir``, if there is one."""
    if not repos_dir.is_dir():
        return None
    for entry in sorted(repos_dir.iterdir()):
        rest = entry.name[len(repository.key) :]
        named = entry.name.startswith(repository.key) and (rest == "" or rest[0] in ".@")
        if named and entry.is_dir():
            return entry
    return None


def is_git_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def git_dir_of(entry: Path) -> Path | None:
    """The git directory behind a located entry: itself (bare), its ``.git``, or the one bare
    git directory it holds; None for a plain folder of files."""
    if is_git_dir(entry):
        return entry
    dot_git = entry / ".git"
    if dot_git.is_dir() and is_git_dir(dot_git):
        return dot_git
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            linked = (entry / text.removeprefix("gitdir:").strip()).resolve()
            return linked if linked.is_dir() else None
    inner = [child for child in entry.iterdir() if child.is_dir() and is_git_dir(child)]
    return inner[0] if len(inner) == 1 else None


def _git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    completed = subprocess.run(
        [*_GIT, f"--git-dir={git_dir}", *args],
        input=stdin,
        capture_output=True,
        check=False,
        env=_git_environment(),
    )
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise EcosystemError(f"git {args[0]} failed: {detail[-1] if detail else 'no message'}")
    return completed.stdout


def _git_environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    environment.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat")
    return environment


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    kind: str
    object_id: str
    path: str


def tree_entries(git_dir: Path, commit: str) -> list[TreeEntry]:
    output = _git(git_dir, "ls-tree", "-r", "-z", "--full-tree", commit)
    entries = []
    for record in output.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, object_id = meta.decode("ascii").split()
        entries.append(TreeEntry(mode, kind, object_id, os.fsdecode(path)))
    return entries


def missing_blobs(git_dir: Path, entries: Sequence[TreeEntry]) -> set[str]:
    """Blobs the snapshot lacks (fetched snapshots leave out large files)."""
    blobs = sorted({entry.object_id for entry in entries if entry.kind == "blob"})
    if not blobs:
        return set()
    answer = _git(git_dir, "cat-file", "--batch-check", stdin="\n".join(blobs).encode() + b"\n")
    return {
        line.split()[0].decode("ascii")
        for line in answer.splitlines()
        if line.endswith(b" missing")
    }


def _pathspec_chunks(paths: Sequence[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    size = 0
    for path in paths:
        if chunk and size + len(path) > _PATHSPEC_BYTES:
            yield chunk
            chunk, size = [], 0
        chunk.append(path)
        size += len(path) + 1
    if chunk:
        yield chunk


def _archive_into(git_dir: Path, commit: str, target: Path, paths: Sequence[str] | None) -> None:
    """``git archive`` the commit (or only ``paths`` of it) and unpack it into ``target``."""
    pathspec = ["--", *paths] if paths is not None else []
    archive = subprocess.Popen(
        [*_GIT, "--literal-pathspecs", f"--git-dir={git_dir}", "archive", commit, *pathspec],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_git_environment(),
    )
    unpack = subprocess.run(
        ["tar", "-x", "--no-same-owner", "-C", str(target)],
        stdin=archive.stdout,
        capture_output=True,
        check=False,
    )
    assert archive.stdout is not None and archive.stderr is not None
    archive.stdout.close()
    failure = archive.stderr.read().decode("utf-8", "replace").strip()
    if archive.wait() != 0 or unpack.returncode != 0:
        detail = failure or unpack.stderr.decode("utf-8", "replace").strip()
        raise EcosystemError(f"git archive of {commit[:12]} failed: {detail.splitlines()[-1:]}")


def materialise(git_dir: Path, commit: str, cache_dir: Path, key: str) -> tuple[Path, int]:
    """The commit's files under the cache, with a git index of their own, and how many files
    the snapshot lacks. Extracted once per commit; a finished tree is marked by a file beside
    it, so an interrupted extraction is redone."""
    tree = cache_dir / key / commit
    done = cache_dir / key / f"{commit}.done"
    if done.is_file() and tree.is_dir():
        return tree, int(done.read_text(encoding="ascii").strip() or 0)
    entries = tree_entries(git_dir, commit)
    lacking = missing_blobs(git_dir, entries)
    absent = [entry.path for entry in entries if entry.object_id in lacking]
    partial = cache_dir / key / f"{commit}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(tree, ignore_errors=True)
    partial.mkdir(parents=True)
    if not lacking:
        _archive_into(git_dir, commit, partial, None)
    else:
        skipped = set(absent)
        present = [e.path for e in entries if e.kind != "commit" and e.path not in skipped]
        for chunk in _pathspec_chunks(present):
            _archive_into(git_dir, commit, partial, chunk)
    _index_tree(git_dir, commit, partial, absent)
    partial.rename(tree)
    done.write_text(f"{len(absent)}\n", encoding="ascii")
    return tree, len(absent)


def _index_tree(git_dir: Path, commit: str, tree: Path, absent: Sequence[str]) -> None:
    """Give the extracted tree a git directory whose index lists the commit's files, as a
    clone's would: objects are borrowed from the snapshot, and files it lacks are left out."""
    own = tree / ".git"
    subprocess.run(
        ["git", "init", "-q", str(tree)], check=True, env=_git_environment(), capture_output=True
    )
    alternates = own / "objects" / "info" / "alternates"
    alternates.write_text(f"{(git_dir / 'objects').resolve()}\n", encoding="utf-8")
    _git(own, "read-tree", commit)
    _git(own, "update-ref", "HEAD", commit)
    if absent:
        _git(own, "update-index", "-z", "--force-remove", "--stdin", stdin=_nul_joined(absent))
    _git(own, f"--work-tree={tree}", "update-index", "-q", "--refresh")


def _nul_joined(paths: Iterable[str]) -> bytes:
    return b"".join(os.fsencode(path) + b"\0" for path in paths)


# -- running mllint-wa ----------------------------------------------------------------------


def default_flags() -> list[str]:
    """The project's default settings, with preview rules once `--preview` exists."""
    completed = subprocess.run(
        [*_MLLINT, "check", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    return ["--preview"] if "--preview" in completed.stdout else []


def preview_codes() -> frozenset[str]:
    """The codes of the rules that run only with `--preview`: the default set leaves them out."""
    completed = subprocess.run(
        [*_MLLINT, "rules", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        described = json.loads(completed.stdout)
    except json.JSONDecodeError:
        return frozenset()
    return frozenset(r["code"] for r in described if isinstance(r, dict) and r.get("preview"))


def run_program(
    command: Sequence[str],
    cwd: Path,
    timeout: float,
    environment: Mapping[str, str],
    *,
    shown: str | None = None,
    failure: type[EcosystemError] = EcosystemError,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in ``cwd`` with its output read as text; ``failure`` when it takes
    longer than ``timeout`` seconds or cannot start, naming it ``shown`` (its program's
    name unless given)."""
    name = shown or Path(command[0]).name
    try:
        return subprocess.run(
            list(command),
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            env=dict(environment),
        )
    except subprocess.TimeoutExpired as error:
        raise failure(f"{name} took longer than {timeout:.0f} s") from error
    except OSError as error:
        raise failure(f"{name} could not start: {error}") from error


def lint(tree: Path, flags: Sequence[str], timeout: float) -> list[Finding]:
    environment = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    environment["NO_COLOR"] = "1"
    completed = run_program(
        [*_MLLINT, "check", "--format", "json", "--exit-zero", *flags, "."],
        tree,
        timeout,
        environment,
        shown="mllint-wa",
    )
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()
        raise EcosystemError(
            f"mllint-wa exited {completed.returncode}: {detail[-1] if detail else 'no message'}"
        )
    document = json.loads(completed.stdout)
    return [
        Finding(
            code=item["code"],
            name=item["name"],
            path=item["path"],
            line=int(item["line"]),
            message=item["message"],
            fingerprint=item["fingerprint"],
        )
        for item in document["findings"]
    ]


# -- one repository, end to end ----------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    repos_dir: Path
    cache_dir: Path
    verdicts_dir: Path
    flags: tuple[str, ...]
    timeout: float
    update: bool
    seed: int


def check_repository(repository: Repository, settings: Settings) -> Outcome:
    entry = locate(settings.repos_dir, repository)
    if entry is None:
        return Outcome(repository=repository, skipped="not present")
    try:
        git_dir = git_dir_of(entry)
        absent = 0
        if git_dir is None:
            tree = entry  # a plain folder of files: linted as it is
        else:
            tree, absent = materialise(
                git_dir, repository.commit, settings.cache_dir, repository.key
            )
        findings = lint(tree, settings.flags, settings.timeout)
        path = settings.verdicts_dir / f"{repository.key}.toml"
        file = load_verdicts(path, repository)
        outcome = compare(repository, findings, file, settings.seed)
        outcome.absent_files = absent
        if settings.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_verdicts(updated(file, outcome, settings.seed)), "utf-8")
        return outcome
    except EcosystemError as error:
        return Outcome(repository=repository, skipped=str(error))


# -- the report -------------------------------------------------------------------------------


@dataclass
class RuleFigures:
    code: str
    name: str = ""
    findings: int = 0
    in_sample: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    # Estimates over all findings: each judged finding stands for total/in_sample findings of
    # its (rule, repository) pair.
    weighted: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def judged(self) -> int:
        return sum(self.counts[v] for v in VERDICTS)

    @property
    def precision(self) -> float | None:
        return self.counts["tp"] / self.judged if self.judged else None


def rule_figures(outcomes: Sequence[Outcome]) -> dict[str, RuleFigures]:
    figures: dict[str, RuleFigures] = {}
    for outcome in outcomes:
        names = {finding.code: finding.name for finding in outcome.findings}
        verdicts: dict[str, Counter[str]] = defaultdict(Counter)
        for code, verdict in outcome.judged:
            verdicts[code][verdict] += 1
        for code, total in outcome.totals.items():
            figure = figures.setdefault(code, RuleFigures(code=code, name=names[code]))
            figure.findings += total
            figure.in_sample += outcome.in_sample[code]
            figure.counts.update(verdicts[code])
            judged = sum(verdicts[code].values())
            for verdict, count in verdicts[code].items():
                figure.weighted[verdict] += count * total / judged
    return dict(sorted(figures.items()))


def overall(figures: Iterable[RuleFigures]) -> dict[str, float | int]:
    chosen = list(figures)
    counts: Counter[str] = Counter()
    weighted: defaultdict[str, float] = defaultdict(float)
    for figure in chosen:
        counts.update(figure.counts)
        for verdict, weight in figure.weighted.items():
            weighted[verdict] += weight
    judged = sum(counts[v] for v in VERDICTS)
    weight = sum(weighted[v] for v in VERDICTS)
    return {
        "findings": sum(figure.findings for figure in chosen),
        "judged": judged,
        **{verdict: counts[verdict] for verdict in VERDICTS},
        "wrong_percent": _percent(counts["fp"], judged),
        "noise_percent": _percent(counts["noise"], judged),
        "weighted_wrong_percent": _percent(weighted["fp"], weight),
        "weighted_noise_percent": _percent(weighted["noise"], weight),
    }


def _percent(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _totals(
    figures: dict[str, RuleFigures], preview: frozenset[str]
) -> list[tuple[str, str, list[RuleFigures]]]:
    everything = list(figures.values())
    return [
        ("overall", "Overall", everything),
        (
            "overall_without_missing_manifest",
            "Without missing-manifest",
            [f for f in everything if f.code != MISSING_MANIFEST],
        ),
        (
            "default_rules",
            "Default rules (preview rules left out)",
            [f for f in everything if f.code not in preview],
        ),
    ]


def json_report(
    outcomes: Sequence[Outcome], preview: frozenset[str] = frozenset()
) -> dict[str, object]:
    figures = rule_figures(outcomes)
    return {
        "repositories": [
            {
                "repo": o.repository.repo,
                "kind": o.repository.kind,
                "commit": o.repository.commit,
                "skipped": o.skipped,
                "findings": len(o.findings),
                "judged": len(o.judged),
                "new": len(o.new),
                "stale": len(o.stale),
                "absent_files": o.absent_files,
            }
            for o in outcomes
        ],
        "rules": [
            {
                "code": f.code,
                "name": f.name,
                "findings": f.findings,
                "in_sample": f.in_sample,
                "judged": f.judged,
                **{verdict: f.counts[verdict] for verdict in VERDICTS},
                "precision": None if f.precision is None else round(f.precision, 3),
                "preview": f.code in preview,
            }
            for f in figures.values()
        ],
        **{key: overall(chosen) for key, _, chosen in _totals(figures, preview)},
        "new": [
            {"repo": o.repository.repo, **vars(finding)} for o in outcomes for finding in o.new
        ],
        "stale": [{"repo": o.repository.repo, **vars(v)} for o in outcomes for v in o.stale],
    }


def text_report(outcomes: Sequence[Outcome], preview: frozenset[str] = frozenset()) -> str:
    figures = rule_figures(outcomes)
    checked = [o for o in outcomes if not o.skipped]
    lines = [
        f"mllint-wa ecosystem check: {len(checked)} of {len(outcomes)} repositories checked",
        "",
    ]
    lines.append(f"{'repository':<62} {'kind':<14} findings judged  new stale")
    for o in outcomes:
        name = o.repository.repo
        if o.skipped:
            lines.append(f"{name:<62} {o.repository.kind:<14} skipped: {o.skipped}")
            continue
        absent = f"  ({o.absent_files} files absent from the snapshot)" if o.absent_files else ""
        lines.append(
            f"{name:<62} {o.repository.kind:<14} {len(o.findings):>8} {len(o.judged):>6}"
            f" {len(o.new):>4} {len(o.stale):>5}{absent}"
        )
    lines += ["", "Precision per rule (tp / judged; a sampled rule is judged on its sample)"]
    lines.append(
        f"{'code':<6} {'name':<40} {'findings':>8} {'judged':>6} {'tp':>4} {'fp':>4}"
        f" {'noise':>5} {'precision':>9}"
    )
    for f in figures.values():
        precision = "-" if f.precision is None else f"{100 * f.precision:.0f}%"
        lines.append(
            f"{f.code:<6} {f.name:<40} {f.findings:>8} {f.judged:>6} {f.counts['tp']:>4}"
            f" {f.counts['fp']:>4} {f.counts['noise']:>5} {precision:>9}"
            + ("  preview" if f.code in preview else "")
        )
    lines.append("")
    for _, label, chosen in _totals(figures, preview):
        t = overall(chosen)
        lines.append(
            f"{label}: {t['judged']} of {t['findings']} findings judged: tp {t['tp']},"
            f" fp {t['fp']} (wrong {t['wrong_percent']}%), noise {t['noise']}"
            f" ({t['noise_percent']}%); weighted to all findings: wrong"
            f" {t['weighted_wrong_percent']}%, noise {t['weighted_noise_percent']}%"
        )
    new = [(o.repository.repo, f) for o in outcomes for f in o.new]
    lines += ["", f"New findings to judge: {len(new)}"]
    lines += [f"  {repo} {f.path}:{f.line}: {f.code} {f.message}" for repo, f in new]
    stale = [(o.repository.repo, v) for o in outcomes for v in o.stale]
    lines += ["", f"Verdicts that match no finding: {len(stale)}"]
    lines += [
        f"  {repo} {v.fingerprint} {v.code} {v.path} ({v.verdict}: {v.reason})" for repo, v in stale
    ]
    return "\n".join(lines) + "\n"


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mllint-wa-ecosystem"


def add_repository_options(parser: argparse.ArgumentParser) -> None:
    """The options of every script over the snapshots: where they are, where they are
    unpacked, which of repos.toml to take, and how many at once."""
    parser.add_argument("--repos-dir", type=Path, required=True, help="where the snapshots are")
    parser.add_argument("--cache-dir", type=Path, default=default_cache())
    parser.add_argument("--repos-file", type=Path, default=REPOS_FILE)
    parser.add_argument("--only", action="append", default=[], metavar="OWNER/NAME")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)


def chosen_by(args: argparse.Namespace) -> list[Repository] | None:
    """The repositories the options of :func:`add_repository_options` choose; None, with the
    error printed, when ``--only`` names one that repos.toml does not hold."""
    try:
        return chosen_repositories(args.repos_file, args.only)
    except EcosystemError as error:
        print(f"error: {error}", file=sys.stderr)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_repository_options(parser)
    parser.add_argument("--verdicts-dir", type=Path, default=VERDICTS_DIR)
    parser.add_argument(
        "--mllint-args",
        help="arguments for `mllint-wa check`, replacing the default (`--preview` where the "
        "option exists, otherwise none)",
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per repository")
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED, help="seed of new samples")
    parser.add_argument("--update", action="store_true", help="write skeleton verdicts")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    chosen = chosen_by(args)
    if chosen is None:
        return 2
    flags = default_flags() if args.mllint_args is None else shlex.split(args.mllint_args)
    settings = Settings(
        repos_dir=args.repos_dir,
        cache_dir=args.cache_dir.resolve(),
        verdicts_dir=args.verdicts_dir,
        flags=tuple(flags),
        timeout=args.timeout,
        update=args.update,
        seed=args.seed,
    )
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda r: check_repository(r, settings), chosen))
    preview = preview_codes()
    if args.json:
        print(json.dumps(json_report(outcomes, preview), indent=2, ensure_ascii=False))
    else:
        print(text_report(outcomes, preview), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
