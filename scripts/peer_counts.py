"""Peer linters on the ecosystem repositories: how often each reports the checks mllint-wa is
compared with.

    python scripts/peer_counts.py --repos-dir DIR [--peers-bin DIR] [--only OWNER/NAME] [--json]

Each repository of ecosystem/repos.toml that is present in DIR is extracted at its recorded
commit into the ecosystem check's cache (as ``scripts/ecosystem.py`` does, or reused when it
already did), and every peer found in ``--peers-bin`` (else on ``PATH``) runs over it:

- checkov (``CKV_AWS_370``, ``CKV_AWS_187``, ``CKV_AWS_371``, ``CKV_AWS_369``: SageMaker model
  network isolation, Studio domain KMS, notebook instance IMDSv2, monitoring-job
  inter-container encryption), with ``--skip-download``;
- hadolint (``DL3013`` pip and ``DL3008`` apt-get versions), over the files mllint-wa reads as
  Dockerfiles, also counted as the Dockerfiles with at least one;
- bandit (``B615``, Hugging Face downloads without a pinned revision), also counted as files;
- detect-secrets (every finding, without verification), also counted as files.

Nothing of a repository runs: the peers read files, as mllint-wa does, and none is allowed
the network (detect-secrets' ``-n``, checkov's ``--skip-download``). A peer that is not
installed is left out of the table; one that fails on a repository leaves a ``!`` there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The sibling script, found through the path above.
from ecosystem import (
    EcosystemError,
    Repository,
    add_repository_options,
    chosen_by,
    git_dir_of,
    locate,
    materialise,
    run_program,
)

from mllint_wa.evidence.kinds import DOCKERFILE, kinds_of

CHECKOV_CHECKS = ("CKV_AWS_370", "CKV_AWS_187", "CKV_AWS_371", "CKV_AWS_369")
HADOLINT_CHECKS = ("DL3013", "DL3008")
BANDIT_CHECK = "B615"
SECRETS = "secrets"
# Folders no peer is pointed into: git's own data and installed packages.
_SKIPPED_FOLDERS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__"})
# hadolint takes this many files per run: well under any command-line limit.
_CHUNK = 200


class PeerError(EcosystemError):
    """A peer that could not run on a repository, said in one sentence."""


@dataclass
class Counts:
    """One repository's counts, by column (``DL3013``, ``DL3013 files`` …)."""

    repository: Repository
    counts: Counter[str] = field(default_factory=Counter)
    failed: set[str] = field(default_factory=set)
    skipped: str = ""


@dataclass(frozen=True)
class Peer:
    """A peer tool: its program, the columns it fills, and how it counts one tree."""

    program: str
    columns: tuple[str, ...]
    count: Callable[[str, Path, float], Counter[str]]


def _run(command: Sequence[str], cwd: Path, timeout: float) -> str:
    environment = {**os.environ, "NO_COLOR": "1", "BC_SKIP_MAPPING": "TRUE"}
    return run_program(command, cwd, timeout, environment, failure=PeerError).stdout


def _json(text: str, program: str) -> object:
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError as error:
        raise PeerError(f"{program} printed no JSON: {error.msg}") from error


def _files(tree: Path) -> Iterator[str]:
    """The tree's files, relative to it, git's data and installed packages left out."""
    for folder, folders, names in os.walk(tree):
        folders[:] = sorted(f for f in folders if f not in _SKIPPED_FOLDERS)
        base = Path(folder).relative_to(tree).as_posix()
        for name in sorted(names):
            yield name if base == "." else f"{base}/{name}"


def count_hadolint(program: str, tree: Path, timeout: float) -> Counter[str]:
    dockerfiles = [path for path in _files(tree) if DOCKERFILE in kinds_of(path)]
    counts: Counter[str] = Counter()
    with_check: dict[str, set[str]] = {check: set() for check in HADOLINT_CHECKS}
    for start in range(0, len(dockerfiles), _CHUNK):
        chunk = dockerfiles[start : start + _CHUNK]
        output = _json(_run([program, "--no-fail", "-f", "json", *chunk], tree, timeout), program)
        for item in output if isinstance(output, list) else []:
            code = item.get("code") if isinstance(item, dict) else None
            if code in with_check:
                counts[code] += 1
                with_check[code].add(str(item.get("file")))
    for check, files in with_check.items():
        counts[f"{check} files"] = len(files)
    return counts


def count_bandit(program: str, tree: Path, timeout: float) -> Counter[str]:
    output = _json(
        _run([program, "-r", "-q", "-t", BANDIT_CHECK, "-f", "json", "."], tree, timeout), program
    )
    results = output.get("results", []) if isinstance(output, dict) else []
    found = [r for r in results if isinstance(r, dict) and r.get("test_id") == BANDIT_CHECK]
    return Counter(
        {BANDIT_CHECK: len(found), f"{BANDIT_CHECK} files": len({r.get("filename") for r in found})}
    )


def count_checkov(program: str, tree: Path, timeout: float) -> Counter[str]:
    command = [program, "-d", ".", "--quiet", "--compact", "--skip-download", "-o", "json"]
    output = _json(_run([*command, "--check", ",".join(CHECKOV_CHECKS)], tree, timeout), program)
    reports = output if isinstance(output, list) else [output]
    counts: Counter[str] = Counter()
    for report in reports:
        results = report.get("results", {}) if isinstance(report, dict) else {}
        for check in results.get("failed_checks", []) if isinstance(results, dict) else []:
            check_id = check.get("check_id") if isinstance(check, dict) else None
            if check_id in CHECKOV_CHECKS:
                counts[check_id] += 1
    return counts


def count_detect_secrets(program: str, tree: Path, timeout: float) -> Counter[str]:
    output = _json(_run([program, "scan", "-n", "."], tree, timeout), program)
    results = output.get("results", {}) if isinstance(output, dict) else {}
    found = {path: secrets for path, secrets in results.items() if secrets}
    return Counter(
        {SECRETS: sum(len(secrets) for secrets in found.values()), f"{SECRETS} files": len(found)}
    )


PEERS = (
    Peer("checkov", CHECKOV_CHECKS, count_checkov),
    Peer(
        "hadolint",
        (*HADOLINT_CHECKS, *(f"{check} files" for check in HADOLINT_CHECKS)),
        count_hadolint,
    ),
    Peer("bandit", (BANDIT_CHECK, f"{BANDIT_CHECK} files"), count_bandit),
    Peer("detect-secrets", (SECRETS, f"{SECRETS} files"), count_detect_secrets),
)


def find_peers(peers_bin: Path | None) -> dict[Peer, str]:
    """The installed peers and the program each runs as."""
    found: dict[Peer, str] = {}
    for peer in PEERS:
        if peers_bin is not None:
            candidate = peers_bin / peer.program
            program = (
                str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None
            )
        else:
            program = shutil.which(peer.program)
        if program is not None:
            found[peer] = program
    return found


def count_repository(
    repository: Repository,
    repos_dir: Path,
    cache_dir: Path,
    peers: dict[Peer, str],
    timeout: float,
) -> Counts:
    entry = locate(repos_dir, repository)
    if entry is None:
        return Counts(repository, skipped="not present")
    try:
        git_dir = git_dir_of(entry)
        tree = (
            entry
            if git_dir is None
            else materialise(git_dir, repository.commit, cache_dir, repository.key)[0]
        )
    except EcosystemError as error:
        return Counts(repository, skipped=str(error))
    result = Counts(repository)
    for peer, program in peers.items():
        try:
            result.counts.update(peer.count(program, tree, timeout))
        except PeerError as error:
            print(f"{repository.repo}: {error}", file=sys.stderr)
            result.failed.add(peer.program)
    return result


def _columns(peers: dict[Peer, str]) -> list[str]:
    return [column for peer in PEERS if peer in peers for column in peer.columns]


def text_report(results: Sequence[Counts], peers: dict[Peer, str]) -> str:
    columns = _columns(peers)
    owner = {column: peer.program for peer in PEERS for column in peer.columns}
    rows = [["repository", *columns]]
    totals: Counter[str] = Counter()
    for result in results:
        if result.skipped:
            rows.append([result.repository.repo, f"skipped: {result.skipped}"])
            continue
        cells = []
        for column in columns:
            failed = owner[column] in result.failed
            cells.append("!" if failed else str(result.counts[column]))
        totals.update(result.counts)
        rows.append([result.repository.repo, *cells])
    rows.append(["total", *(str(totals[column]) for column in columns)])
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    return "\n".join(lines) + "\n"


def json_report(results: Sequence[Counts], peers: dict[Peer, str]) -> dict[str, object]:
    columns = _columns(peers)
    return {
        "peers": {peer.program: program for peer, program in peers.items()},
        "repositories": [
            {
                "repo": r.repository.repo,
                "skipped": r.skipped,
                "failed": sorted(r.failed),
                "counts": {column: r.counts[column] for column in columns},
            }
            for r in results
        ],
        "totals": {column: sum(r.counts[column] for r in results) for column in columns},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_repository_options(parser)
    parser.add_argument(
        "--peers-bin", type=Path, help="the folder the peers are installed in (default: PATH)"
    )
    parser.add_argument(
        "--peer",
        action="append",
        default=[],
        choices=[peer.program for peer in PEERS],
        help="run only these peers (default: every one found)",
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per peer run")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    chosen = chosen_by(args)
    if chosen is None:
        return 2
    peers = {
        peer: program
        for peer, program in find_peers(args.peers_bin).items()
        if not args.peer or peer.program in args.peer
    }
    if not peers:
        print("error: no peer linter found", file=sys.stderr)
        return 2
    cache_dir = args.cache_dir.resolve()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(
            pool.map(
                lambda r: count_repository(r, args.repos_dir, cache_dir, peers, args.timeout),
                chosen,
            )
        )
    if args.json:
        print(json.dumps(json_report(results, peers), indent=2))
    else:
        print(text_report(results, peers), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
