"""How fast mllint-wa is on this machine: start-up, synthetic ML repositories, the Go mllint.

    python benchmarks/run.py [--sizes 50,5000,50000] [--repeat 5] [--go-mllint PATH]

prints, as Markdown tables to paste into benchmarks/README.md:

* start-up: ``mllint-wa --version`` and ``mllint-wa rules``;
* for each size, a synthetic ML repository (benchmarks/synthetic.py) linted with the
  default rules, cold and warm, and with every rule (``--select ALL --preview``) cold, against
  two floors measured in this process: the read floor (reading every committed file once)
  and the parse floor (reading them and parsing, with the standard library's C parsers, the
  code any reader of it must parse: each Python module by ``ast.parse``, each notebook by
  ``json.loads`` and its code cells by ``ast.parse``). Cold runs with an empty cache
  folder (``--cache-dir``, emptied before each run) when ``mllint-wa check --help`` knows
  the option; warm runs with the folder that a run before it filled (without a cache, both
  are the same run);
* the CPU time (user + system) of each run, the figure to compare on a shared machine,
  with the wall time and the peak memory (maximum resident set size) of the process;
* the Go ``mllint`` (``mllint run``) on the same trees, when it is installed;
* whether the time grows linearly: CPU time per file at each size, and per file added
  between two sizes.

Each figure is the minimum and the median of ``--repeat`` runs, after one run that is not
counted (it brings the files into the page cache). The runs keep Python's bytecode in a
temporary folder, as an installed package has its modules compiled. Nothing is timed inside
the test suite.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import build_repository

# The options that turn on every rule, preview rules included.
EVERY_RULE = ("--select", "ALL", "--preview")

# What the Go mllint runs besides git, for a project that configures it.
GO_MLLINT_LINTERS = ("pylint", "mypy", "black", "isort", "bandit")


@dataclass(frozen=True)
class Sample:
    """One run: wall and CPU seconds, and the peak resident memory in MiB."""

    wall: float
    cpu: float
    peak_mib: float


def child_environment(bytecode: Path) -> dict[str, str]:
    """This environment with Python's bytecode cache on, kept in ``bytecode``: an installed
    package runs from compiled modules, and with PYTHONDONTWRITEBYTECODE set every run
    would compile them again."""
    environment = {**os.environ, "PYTHONPYCACHEPREFIX": str(bytecode)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def measure(
    command: Sequence[str],
    cwd: Path,
    repeat: int,
    environment: dict[str, str] | None = None,
    before: Callable[[], None] = lambda: None,
) -> list[Sample]:
    """``repeat`` runs of ``command`` after one that is not counted, ``before`` called before
    each."""
    samples = []
    for _ in range(repeat + 1):
        before()
        samples.append(run_once(command, cwd, environment))
    return samples[1:]


def run_once(
    command: Sequence[str],
    cwd: Path,
    environment: dict[str, str] | None = None,
    output: IO[bytes] | None = None,
) -> Sample:
    """One run of ``command`` (with the workers it waits for), its standard output written
    to ``output``, else dropped. A run that fails (an exit code other than 0 and 1) stops
    the benchmark with its error output."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=environment,
            stdout=subprocess.DEVNULL if output is None else output,
            stderr=errors,
        )
        # wait4 gives this child's own resource use; getrusage(RUSAGE_CHILDREN) would
        # give the peak of every child so far.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            sys.exit(f"{' '.join(command)} failed ({process.returncode}): {message}")
    # ru_maxrss is in KiB on Linux.
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def in_process(work: Callable[[], None], repeat: int) -> list[Sample]:
    """``repeat`` passes of ``work`` in this process (no start-up counted), after one that
    is not counted."""
    samples = []
    for _ in range(repeat + 1):
        start, cpu = time.perf_counter(), time.process_time()
        work()
        samples.append(Sample(time.perf_counter() - start, time.process_time() - cpu, 0.0))
    return samples[1:]


def read_floor(root: Path, files: Sequence[str], repeat: int) -> list[Sample]:
    """Reading every file once, start to end, in this process."""

    def read() -> None:
        for name in files:
            with open(root / name, "rb") as handle:
                while handle.read(1 << 20):
                    pass

    return in_process(read, repeat)


def parse_floor(root: Path, files: Sequence[str], repeat: int) -> list[Sample]:
    """Reading every file once and parsing its code as :func:`parse_code` does, in this
    process: what no static reader of the code can go below."""

    def parse() -> None:
        for name in files:
            parse_code(name, (root / name).read_bytes())

    return in_process(parse, repeat)


def parse_code(name: str, content: bytes) -> None:
    """A Python module by ``ast.parse``; a notebook by ``json.loads``, then its code cells
    joined by ``ast.parse``; anything else not at all. Code that does not parse is passed
    over: the floor is the cost of trying."""
    try:
        if name.endswith(".py"):
            ast.parse(content)
        elif name.endswith(".ipynb"):
            cells = json.loads(content).get("cells", [])
            sources = [cell.get("source", "") for cell in cells if cell.get("cell_type") == "code"]
            ast.parse("\n".join("".join(s) if isinstance(s, list) else s for s in sources))
    except (SyntaxError, ValueError, AttributeError, TypeError):
        pass


def committed_files(root: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
    ).stdout
    return [name for name in listed.decode().split("\0") if name]


def cache_options(check_help: str, folder: Path) -> tuple[list[str], list[str]]:
    """The options of a cold and of a warm run: a cache in ``folder`` when the command line
    knows ``--cache-dir`` (from ``mllint-wa check --help``), else none; cold empties it
    before each run."""
    if "--cache-dir" not in check_help:
        return [], []
    return ["--cache-dir", str(folder / "cold")], ["--cache-dir", str(folder / "warm")]


def emptied(options: Sequence[str]) -> Callable[[], None]:
    """What makes a cold run cold: removing the cache folder its options name."""
    folder = Path(options[-1]) if options else None
    return lambda: shutil.rmtree(folder, ignore_errors=True) if folder else None


def min_median(samples: Sequence[Sample], figure: Callable[[Sample], float]) -> str:
    values = [figure(sample) for sample in samples]
    return f"{min(values):.3f} / {statistics.median(values):.3f}"


def ratio(samples: Sequence[Sample], floor: Sequence[Sample]) -> str:
    """The minimum CPU of ``samples`` over that of ``floor``."""
    return f"{min(map(cpu_of, samples)) / min(map(cpu_of, floor)):.1f}"


def peak(samples: Sequence[Sample]) -> str:
    return f"{max(sample.peak_mib for sample in samples):.0f}"


def cpu_of(sample: Sample) -> float:
    return sample.cpu


def wall_of(sample: Sample) -> float:
    return sample.wall


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def version_of(command: Sequence[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if "version" in line.lower()]
    return lines[0].strip() if lines else "unknown version"


@dataclass(frozen=True)
class SizeResult:
    size: int
    megabytes: float
    floor: list[Sample]
    parsed: list[Sample]
    cold: list[Sample]
    warm: list[Sample]
    every_rule: list[Sample]
    go: list[Sample] | None


def benchmark_size(
    size: int,
    executable: str,
    cold_options: list[str],
    warm_options: list[str],
    go_mllint: str | None,
    repeat: int,
    environment: dict[str, str],
) -> SizeResult:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        print(f"building the {size:,}-file tree …", file=sys.stderr)
        build_repository(root, size)
        files = committed_files(root)
        megabytes = sum((root / name).stat().st_size for name in files) / 1e6
        floor = read_floor(root, files, repeat)
        parsed = parse_floor(root, files, repeat)
        lint = ["--exit-zero", "-q", "."]
        print(f"timing mllint-wa on {size:,} files …", file=sys.stderr)
        cold_run = [executable, *cold_options, *lint]
        cold = measure(cold_run, root, repeat, environment, emptied(cold_options))
        warm = measure([executable, *warm_options, *lint], root, repeat, environment)
        every_rule_run = [executable, *cold_options, *EVERY_RULE, *lint]
        every_rule = measure(every_rule_run, root, repeat, environment, emptied(cold_options))
        go = None
        if go_mllint is not None:
            print(f"timing the Go mllint on {size:,} files …", file=sys.stderr)
            go = measure([go_mllint, "run", "."], root, repeat, environment)
        return SizeResult(size, megabytes, floor, parsed, cold, warm, every_rule, go)


def report(
    startup: dict[str, list[Sample]],
    results: Sequence[SizeResult],
    cold_options: list[str],
    go_mllint: str | None,
    repeat: int,
) -> str:
    # The cache folder as a placeholder: the report is pasted, the temporary folder is gone.
    shown = [*cold_options[:-1], "DIR"] if cold_options else []
    cold_run = " ".join(["mllint-wa", *shown, "--exit-zero", "-q", "."])
    warm_note = (
        "the same with a cache that a run before it filled"
        if cold_options
        else "the same again (this version has no cache)"
    )
    parts = [
        f"Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end, "
        f"Python {platform.python_version()}, {version_of(['mllint-wa', '--version'])}. "
        f"Minimum / median of {repeat} runs; CPU = user + system seconds of the process; "
        "peak = maximum resident set size.",
        "",
        "Start-up:",
        "",
        table(
            ["command", "CPU s", "wall s", "peak MiB"],
            [
                [f"`{command}`", min_median(s, cpu_of), min_median(s, wall_of), peak(s)]
                for command, s in startup.items()
            ],
        ),
        "",
        f"Synthetic repositories, the default rules (cold: `{cold_run}` with the cache "
        f"folder emptied before each run; warm: {warm_note}), against the read floor and "
        "the parse floor:",
        "",
        table(
            [
                "files",
                "MB",
                "read floor CPU s",
                "parse floor CPU s",
                "cold CPU s",
                "cold / read floor",
                "cold / parse floor",
                "cold wall s",
                "warm CPU s",
                "warm / read floor",
                "peak MiB",
            ],
            [
                [
                    f"{r.size:,}",
                    f"{r.megabytes:.1f}",
                    min_median(r.floor, cpu_of),
                    min_median(r.parsed, cpu_of),
                    min_median(r.cold, cpu_of),
                    ratio(r.cold, r.floor),
                    ratio(r.cold, r.parsed),
                    min_median(r.cold, wall_of),
                    min_median(r.warm, cpu_of),
                    ratio(r.warm, r.floor),
                    peak([*r.cold, *r.warm]),
                ]
                for r in results
            ],
        ),
        "",
        f"Every rule, preview rules included (`{' '.join(EVERY_RULE)}`), cold:",
        "",
        table(
            ["files", "CPU s", "/ read floor", "/ parse floor", "wall s", "peak MiB"],
            [
                [
                    f"{r.size:,}",
                    min_median(r.every_rule, cpu_of),
                    ratio(r.every_rule, r.floor),
                    ratio(r.every_rule, r.parsed),
                    min_median(r.every_rule, wall_of),
                    peak(r.every_rule),
                ]
                for r in results
            ],
        ),
        "",
        "Linear growth (cold CPU, minimum): per file, and per file added since the size above:",
        "",
        table(["files", "ms per file", "ms per added file"], _growth(results)),
    ]
    if go_mllint is None:
        parts += ["", "The Go mllint is not installed: its column is left out."]
    else:
        parts += [
            "",
            f"The Go mllint (`{go_mllint} run .`, {version_of([go_mllint, 'version'])}) on the "
            f"same trees. {_go_linters_note()}",
            "",
            table(
                ["files", "CPU s", "wall s", "peak MiB", "mllint-wa cold CPU s"],
                [
                    [
                        f"{r.size:,}",
                        min_median(r.go, cpu_of),
                        min_median(r.go, wall_of),
                        peak(r.go),
                        min_median(r.cold, cpu_of),
                    ]
                    for r in results
                    if r.go is not None
                ],
            ),
        ]
    return "\n".join(parts) + "\n"


def _growth(results: Sequence[SizeResult]) -> list[list[str]]:
    rows = []
    previous: SizeResult | None = None
    for result in results:
        cpu = min(map(cpu_of, result.cold))
        added = "-"
        if previous is not None:
            earlier = min(map(cpu_of, previous.cold))
            added = f"{(cpu - earlier) / (result.size - previous.size) * 1000:.3f}"
        rows.append([f"{result.size:,}", f"{cpu / result.size * 1000:.3f}", added])
        previous = result
    return rows


def _go_linters_note() -> str:
    """What the Go mllint may run besides git: the linters a project configures, when they
    are installed. The synthetic trees configure none."""
    found = [name for name in GO_MLLINT_LINTERS if shutil.which(name)]
    installed = ", ".join(found) if found else "none"
    return (
        "Besides git, it runs Pylint, Mypy, Black, isort and Bandit for a project that "
        f"configures them (installed here: {installed}); these trees configure none."
    )


def _sizes(value: str) -> list[int]:
    try:
        sizes = sorted({int(item.replace("_", "")) for item in value.split(",") if item})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {value!r}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive: {value!r}")
    return sizes


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a positive number: {value!r}")
    return int(value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=_sizes, default=[50, 5000, 50000], help="files per tree (50,5000,50000)"
    )
    parser.add_argument(
        "--repeat", type=_positive, default=5, help="counted runs of each command (5)"
    )
    parser.add_argument(
        "--go-mllint",
        metavar="PATH",
        default="mllint",
        help="the Go mllint to compare with (default: `mllint` on PATH; left out if absent)",
    )
    args = parser.parse_args(argv)
    executable = shutil.which("mllint-wa")
    if executable is None:
        sys.exit("mllint-wa is not on PATH: install the package first")
    go_mllint = shutil.which(args.go_mllint)
    check_help = subprocess.run(
        [executable, "check", "--help"], capture_output=True, text=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory() as folder:
        cold_options, warm_options = cache_options(check_help, Path(folder))
        environment = child_environment(Path(folder) / "bytecode")
        startup = {
            f"mllint-wa {command}": measure(
                [executable, command], Path(folder), args.repeat, environment
            )
            for command in ("--version", "rules")
        }
        results = [
            benchmark_size(
                size, executable, cold_options, warm_options, go_mllint, args.repeat, environment
            )
            for size in args.sizes
        ]
    print(report(startup, results, cold_options, go_mllint, args.repeat), end="")


if __name__ == "__main__":
    main()
