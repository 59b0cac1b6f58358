"""Time mllint-wa on a synthetic monorepo.

    python benchmarks/run.py [--projects 50] [--files 200] [--repeat 5]

builds, in a temporary folder, a repository of N lens.toml projects with F source files
each, nested folders, .gitignore'd data and a node_modules tree that must be pruned; then runs
the `mllint-wa` console script on it R times and prints the minimum and median wall time, plus
the start-up time of `mllint-wa --version`. Nothing is timed inside the test suite.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MANIFEST = """schema_version = 1
[project]
name = "svc-{index}"
owners = ["team-{index}@example.com"]
stage = "development"
[business]
goal = "Reduce handling time by {index}%"
kpi = "TODO"
[[problem.metrics]]
name = "f1"
target = 0.8
"""


def build_repository(root: Path, projects: int, files: int) -> int:
    """Write the synthetic tree; return the number of files written."""
    written = 0
    (root / ".gitignore").write_text("data/\n*.parquet\n", encoding="utf-8")
    for index in range(projects):
        project = root / "services" / f"svc-{index:03d}"
        (project / "data").mkdir(parents=True)
        (project / "data" / "big.parquet").write_bytes(b"\0" * 4096)
        (project / "lens.toml").write_text(MANIFEST.format(index=index), encoding="utf-8")
        written += 2
        for number in range(files):
            folder = project / "src" / f"pkg{number % 10}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"module_{number}.py").write_text(
                f"def f{number}(x):\n    return x * {number}\n", encoding="utf-8"
            )
            written += 1
        modules = project / "node_modules" / "left-pad"
        modules.mkdir(parents=True)
        for number in range(50):
            (modules / f"{number}.js").write_text("module.exports = 1;\n", encoding="utf-8")
    return written


def time_command(command: list[str], cwd: Path, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        timings.append(time.perf_counter() - start)
        if completed.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed: {completed.stderr.decode()}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    executable = shutil.which("mllint-wa")
    if executable is None:
        sys.exit("mllint-wa is not installed in this environment")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        count = build_repository(root, args.projects, args.files)
        startup = time_command([executable, "--version"], root, args.repeat)
        lint = time_command([executable, "--no-cache", "--quiet", "."], root, args.repeat)
    print(f"tree: {args.projects} projects, {count} files (+ ignored data and node_modules)")
    print(f"start-up (mllint-wa --version): min {min(startup):.3f} s")
    print(
        f"lint (mllint-wa -q .): min {min(lint):.3f} s, median {statistics.median(lint):.3f} s "
        f"over {args.repeat} runs"
    )


if __name__ == "__main__":
    main()
