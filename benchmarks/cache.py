"""mllint-wa's CPU time without the cache, cold (an empty cache), warm (a second run over
the unchanged tree) and after one change (a line added to one Python module, as a commit
brings), against the CPU time of reading every file once.

    python benchmarks/cache.py [PATH] [--files 30000] [--repeat 3] [--jobs N]

lints PATH (a checkout), or else the synthetic repository of benchmarks/synthetic.py with
``--files`` files. CPU time (user + system of the mllint-wa process and its workers) is what
is compared: on a shared machine wall time measures the neighbours. The cache lives in a
temporary folder (``--cache-dir``); the module changed is given its content back after
each run. Every run's standard output is checked to be the same bytes (the runs after the
change: the same as each other). Nothing is timed inside the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import Sample, child_environment, cpu_of, read_floor, run_once, wall_of
from synthetic import build_repository


def run_with_output(
    command: list[str], cwd: Path, environment: dict[str, str]
) -> tuple[Sample, bytes]:
    """One run's figures and its standard output."""
    with tempfile.TemporaryFile() as output:
        sample = run_once(command, cwd, environment, output)
        output.seek(0)
        return sample, output.read()


def regular_files(root: Path) -> list[str]:
    """Every regular file below ``root`` but git's own, relative to it (links, which a
    checkout may hold broken, are not followed)."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                found.append(os.path.relpath(path, root))
    return found


def measure(root: Path, repeat: int, jobs: str | None) -> None:
    executable = shutil.which("mllint-wa")
    if executable is None:
        sys.exit("mllint-wa is not on PATH: install the package first")
    base = [executable, "--select", "ALL", "--exit-zero", "-q", "."]
    if jobs is not None:
        base += ["--jobs", jobs]
    rows: dict[str, list[Sample]] = {"no cache": [], "cold": [], "warm": [], "one change": []}
    files = regular_files(root)
    floor = min(map(cpu_of, read_floor(root, files, repeat)))
    modules = [path for path in files if path.endswith(".py")]
    if not modules:
        sys.exit(f"{root} holds no Python module to change for the run after one change")
    changed = root / min(modules)
    outputs, changed_outputs = set(), set()
    with tempfile.TemporaryDirectory() as scratch:
        # Compiled modules kept, as an installed package has them; one run, not counted,
        # compiles them.
        environment = child_environment(Path(scratch) / "bytecode")
        run_with_output([*base, "--no-cache"], root, environment)
        for attempt in range(repeat):
            folder = Path(scratch, f"cache-{attempt}")
            cached = [*base, "--cache-dir", str(folder)]
            for label, command in (
                ("no cache", [*base, "--no-cache"]),
                ("cold", cached),
                ("warm", cached),
            ):
                sample, output = run_with_output(command, root, environment)
                rows[label].append(sample)
                outputs.add(output)
            original = changed.read_bytes()
            try:
                changed.write_bytes(original + b"\n# changed by benchmarks/cache.py\n")
                sample, output = run_with_output(cached, root, environment)
            finally:
                changed.write_bytes(original)
            rows["one change"].append(sample)
            changed_outputs.add(output)
    if len(outputs) != 1 or len(changed_outputs) != 1:
        sys.exit("the runs' outputs differ")
    print(f"changed: {changed.relative_to(root)}")
    print(f"read every file once (floor)  CPU min {floor:6.3f} s")
    for label, runs in rows.items():
        cpus = list(map(cpu_of, runs))
        walls = list(map(wall_of, runs))
        print(
            f"mllint-wa {label:10s}         CPU min {min(cpus):6.3f} s  median "
            f"{statistics.median(cpus):6.3f} s  ({min(cpus) / floor:5.1f}x the floor)  "
            f"wall min {min(walls):6.3f} s"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--files", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs")
    args = parser.parse_args(argv)
    # The runs read the cache from the options given, never from the environment.
    os.environ.pop("MLLINT_WA_NO_CACHE", None)
    os.environ.pop("MLLINT_WA_CACHE_DIR", None)
    if args.path is not None:
        print(f"repository: {args.path}")
        measure(args.path.resolve(), args.repeat, args.jobs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        written = build_repository(root, args.files)
        print(f"repository: synthetic, {written} files")
        measure(root, args.repeat, args.jobs)


if __name__ == "__main__":
    main()
