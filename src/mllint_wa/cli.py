"""The ``mllint-wa`` command: lint (the default), ``rules``, ``explain`` and ``export-lens``."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import shlex
import sys
import textwrap
import traceback
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

from mllint_wa import __version__
from mllint_wa.report import FORMATS, printable

if TYPE_CHECKING:
    from mllint_wa.baseline import Baseline
    from mllint_wa.cache import Cache
    from mllint_wa.runner import RunResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class LintByDefault(click.Group):
    """`mllint-wa [OPTIONS] [PATHS]` means `mllint-wa check [OPTIONS] [PATHS]`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in (*self.commands, "-h", "--help", "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's own handling, except that a usage error is the one line every other error
        is (click prints the usage, a hint and the error on four lines)."""
        own = {"args": args, "prog_name": prog_name, "complete_var": complete_var, **extra}
        if not standalone_mode:
            return super().main(**own, standalone_mode=False)
        try:
            code = super().main(**own, standalone_mode=False)
        except click.ClickException as error:
            _fail(error.format_message(), error.exit_code)
        except click.Abort:
            _fail("interrupted")
        except OSError as error:
            # Only click's own output (--help, --version) gets here: the commands handle
            # their files and write through _emit.
            _detach_stdout_and_fail(error)
        # Only --help and --version get here (every command exits by itself).
        sys.exit(code if isinstance(code, int) else EXIT_CLEAN)


def run_program() -> NoReturn:
    """What the ``mllint-wa`` command and ``python -m mllint_wa`` run: the command, then an
    exit that skips tearing the interpreter down. Freeing every module, syntax tree and parsed
    file one by one takes a sixth of a small repository's run (50 ms of 0.29 s on the 50-file
    benchmark), and nothing is left to do by then: the reports, the cache and the baseline are
    written and closed, and every worker pool has been shut down. Under a profiler, a tracer or
    a coverage tool, which write what they gathered as the interpreter ends, it ends as usual."""
    code: str | int | None = EXIT_CLEAN
    try:
        main()
    except SystemExit as done:
        code = done.code
    if not isinstance(code, int) or _watched():
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            # The interpreter's own exit reports a stream that cannot take its last output.
            sys.exit(code)
    os._exit(code)


def _watched() -> bool:
    """Whether a profiler, a tracer or a coverage tool watches the run: through
    ``sys.setprofile`` or ``sys.settrace``, or as a ``sys.monitoring`` tool (Python 3.12 on),
    as cProfile does there and coverage.py can."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)
    # Tool identifiers run from 0 to 5.
    return monitoring is not None and any(
        monitoring.get_tool(tool) is not None for tool in range(6)
    )


def _split_list(_: click.Context, __: click.Parameter, values: Sequence[str]) -> tuple[str, ...]:
    """``--select PF,BG001 --select LN`` → ("PF", "BG001", "LN")."""
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def _say(line: str) -> None:
    """One line on standard error. Control characters (from a file name, a rule name typed
    on the command line, a value in a settings file) are shown escaped, so the line stays
    one line and cannot drive the terminal; anything that looks like a credential is
    redacted, since errors and tracebacks may quote a configuration or a linted file.
    Without a usable stderr it is dropped: the exit code still tells."""
    from mllint_wa.parsers.secrets import redact

    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(_encodable(redact(printable(line)) + "\n", stream))
        stream.flush()
    except OSError:
        _detach(stream)


def _say_all(text: str) -> None:
    for line in text.splitlines():
        _say(line)


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    _say(f"mllint-wa: error: {message}")
    sys.exit(code)


def _emit(text: str) -> None:
    """Write to standard output; a closed, full or broken standard output is an error
    (exit 2), as a report nobody received must not pass for a clean run."""
    stream = sys.stdout
    if stream is None:
        _fail("cannot write to standard output: it is closed")
    try:
        stream.write(_encodable(text, stream))
        stream.flush()
    except OSError as error:
        _detach_stdout_and_fail(error)


def _detach_stdout_and_fail(error: OSError) -> NoReturn:
    if sys.stdout is not None:
        _detach(sys.stdout)
    _fail(f"cannot write to standard output: {error.strerror or error}")


def _encodable(text: str, stream: IO[str]) -> str:
    # A terminal or pipe in a narrow encoding (LANG=C, PYTHONIOENCODING=ascii) gets
    # backslash escapes instead of a UnicodeEncodeError.
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return text.encode(encoding, "backslashreplace").decode(encoding, "replace")


def _detach(stream: IO[str]) -> None:
    """Point a failed stream at the null device, so that the interpreter's last flush at
    exit does not fail again with a traceback of its own."""
    try:
        descriptor = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):
        return
    os.dup2(null, descriptor)
    os.close(null)


def _is_terminal(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


@click.group(cls=LintByDefault, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mllint-wa")
def main() -> None:
    """Lint ML repositories against the AWS Well-Architected Machine Learning Lens.

    Run `mllint-wa [OPTIONS] [PATHS]...` to lint (see `mllint-wa check --help`),
    `mllint-wa rules` to list the rules and `mllint-wa explain CODE` to read one.
    """


@main.command()
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path, file_okay=True, dir_okay=True)
)
@click.option(
    "--format",
    # Named as when it took one format, for the code that looks the option up.
    "format_name",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Output format (default: text). Repeat it for several reports from one run: the "
    "first -o FILE goes with the first --format, and so on; one format may be left without "
    "-o and goes to standard output.",
)
@click.option(
    "-o",
    "--output",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report of the matching --format to FILE.",
)
@click.option(
    "--select",
    multiple=True,
    callback=_split_list,
    help="Rules to run instead of the configured set: codes, phase prefixes (PF) or names.",
)
@click.option(
    "--extend-select",
    multiple=True,
    callback=_split_list,
    help="Rules to run in addition to the configured set.",
)
@click.option("--ignore", multiple=True, callback=_split_list, help="Rules not to run.")
@click.option(
    "--exclude",
    multiple=True,
    help="A gitignore-style pattern of paths to skip, relative to the working directory, "
    "instead of the default exclusions (repeat the option for more).",
)
@click.option(
    "--extend-exclude",
    multiple=True,
    help="Like --exclude, but in addition to the default exclusions.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["high", "medium", "low", "none"]),
    help="Exit 1 only for findings of this risk or higher (default: low, any finding).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--stage",
    type=click.Choice(["discovery", "development", "production"]),
    help="Lint as if `[project] stage` were this.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read settings from this file instead of pyproject.toml.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text output (default: on a terminal, unless NO_COLOR is set).",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print the findings only, without the summary line."
)
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.option(
    "--preview/--no-preview",
    default=None,
    help="Run the preview rules too (below 90% measured precision), or not (default: the "
    "`preview` setting, else not).",
)
@click.option(
    "--no-inline-ignores",
    is_flag=True,
    help="`mllint-wa: ignore[…]` comments suppress nothing; each is reported instead.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report only the findings this baseline file does not hold.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record this run's findings in FILE, for --baseline.",
)
@click.option(
    "--baseline-prune",
    is_flag=True,
    help="Drop the entries that no finding matches any more from the --baseline file.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="MLLINT_WA_NO_CACHE",
    help="Neither read nor write the cache (also: MLLINT_WA_NO_CACHE=1).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MLLINT_WA_CACHE_DIR",
    help="Keep the cache in this folder (also: MLLINT_WA_CACHE_DIR; default: "
    ".mllint_wa_cache at the root of the working tree holding the current directory).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Lint up to this many projects at once, each in its own process (default: one per "
    "CPU when there are several projects and 500 files or more, else 1).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print the settings each project would be linted with, and where each comes from "
    "(text, or JSON with --format json), then exit without linting.",
)
def check(
    paths: tuple[Path, ...],
    format_name: tuple[str, ...],
    output: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    stage: str | None,
    config_file: Path | None,
    color: bool | None,
    quiet: bool,
    statistics: bool,
    preview: bool | None,
    no_inline_ignores: bool,
    baseline_file: Path | None,
    write_baseline: Path | None,
    baseline_prune: bool,
    no_cache: bool,
    cache_dir: Path | None,
    jobs: int | None,
    debug: bool,
    show_settings: bool,
) -> None:
    """Lint PATHS (default: the current directory)."""
    # Before the imports below, which allocate as much as a small tree's run.
    _collect_garbage_less_often()
    from mllint_wa.baseline import BaselineError, load_baseline
    from mllint_wa.config import ConfigError, Layer
    from mllint_wa.model import Stage
    from mllint_wa.registry import RegistryError
    from mllint_wa.report import ReportOptions, render
    from mllint_wa.runner import PathError, RunOptions, run

    if baseline_prune and baseline_file is None:
        _fail("--baseline-prune needs --baseline FILE")
    reports = _paired(format_name, output)
    try:
        cli_layer = Layer(
            "command line",
            select=select or None,
            extend_select=extend_select,
            ignore=ignore,
            exclude=exclude or None,
            extend_exclude=extend_exclude,
            fail_on=fail_on,
            inline_ignores=False if no_inline_ignores else None,
            preview=preview,
            base=Path.cwd(),
        )
        options = RunOptions(
            cli=cli_layer,
            config_file=config_file,
            stage=Stage(stage) if stage else None,
            baseline=load_baseline(baseline_file) if baseline_file else None,
        )
        paths = paths or (Path(),)
        if show_settings:
            from mllint_wa.runner import plan
            from mllint_wa.settings_view import render as render_settings

            # SystemExit passes the handlers below: nothing is linted.
            shown = "json" if "json" in format_name else "text"
            _emit(render_settings(plan(list(paths), options), options, shown))
            sys.exit(EXIT_CLEAN)
        options = dataclasses.replace(
            options, cache=None if no_cache else _open_cache(cache_dir), jobs=jobs
        )
        with warnings.catch_warnings():
            # A library's warning (ruamel.yaml's "duplicate anchor 'ghp_…'") quotes the linted
            # file on stderr; what matters in it is reported as a finding instead.
            warnings.simplefilter("ignore")
            result = run(list(paths), options)
    except (ConfigError, RegistryError, PathError, BaselineError) as error:
        if debug:
            _say_all(traceback.format_exc())
        _fail(str(error))
    except Exception as error:
        if debug:
            _say_all(traceback.format_exc())
        hint = "" if debug else " (rerun with --debug for details)"
        _fail(f"internal error: {type(error).__name__}: {error}{hint}")

    summary_file = _step_summary_file(format_name)
    targets = [(out, "the report") for _, out in reports if out is not None]
    if summary_file is not None:
        targets.append((summary_file, "the job summary"))
    if write_baseline is not None:
        targets.append((write_baseline, "the baseline"))
    for target, what in targets:
        clobbered = _read_by_the_run(target, paths, config_file, result)
        if clobbered is not None:
            same = "" if clobbered == str(target) else f" (it is {clobbered})"
            _fail(f"refusing to write {what} over {target}{same}: this run reads it")
    if write_baseline is not None and any(
        out is not None and _same_file(out, write_baseline) for _, out in reports
    ):
        _fail(f"refusing to write a report and the baseline to the same file {write_baseline}")

    for warning in result.warnings:
        _say(f"mllint-wa: warning: {warning}")
    for failure in result.errors:
        _say(f"mllint-wa: error: {failure.message}")
        if debug:
            _say_all(failure.traceback)

    if write_baseline is not None:
        _write_baseline(write_baseline, result)
    elif options.baseline is not None:
        _report_stale_baseline(options.baseline, result, prune=baseline_prune)

    def report_in(fmt: str, target: Path | None) -> str:
        coloured = fmt == "text" and (
            color
            if color is not None
            # https://no-color.org: a set, non-empty NO_COLOR turns colour off by default.
            else target is None and _is_terminal(sys.stdout) and not os.environ.get("NO_COLOR")
        )
        return render(
            fmt, result, ReportOptions(color=coloured, quiet=quiet, statistics=statistics)
        )

    # Files first, standard output last: a report that cannot be written stops the run with
    # exit 2 before anything else claims success.
    for fmt, destination in reports:
        if destination is not None:
            _save(destination, report_in(fmt, destination).encode("utf-8", "surrogateescape"))
    for fmt, destination in reports:
        if destination is None:
            _emit(report_in(fmt, None))
    if summary_file is not None:
        _append(summary_file, report_in("markdown", summary_file))

    if result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if result.failing and not exit_zero else EXIT_CLEAN)


def _open_cache(folder: Path | None) -> Cache | None:
    """The cache in ``folder`` or the default folder; None, with a warning, when it cannot
    be used (the run is only slower)."""
    from mllint_wa.cache import Cache, CacheUnusable, default_folder

    try:
        return Cache.at(folder if folder is not None else default_folder(Path.cwd()))
    except CacheUnusable as error:
        _say(f"mllint-wa: warning: running without the cache: {error}")
        return None


def _collect_garbage_less_often() -> None:
    """A run builds millions of small objects (syntax trees, parsed files) that live until
    it ends and hold few reference cycles. At the default thresholds the cycle collector
    walks them over and over, a fifth of the CPU time of a large repository; collecting
    after 100,000 allocations instead of 700 costs no memory that a run would notice."""
    gc.set_threshold(100_000, 50, 100)


def _write_baseline(target: Path, result: RunResult) -> None:
    """Record the findings this run reports, and those the old baseline absorbed; from here
    on the run reports them as the new baseline's, as the next run will."""
    from mllint_wa.baseline import Baseline
    from mllint_wa.runner import absorb

    kept = [f for f in result.suppressed if f.suppression_kind == "baseline"]
    baseline = Baseline.of(str(target), [*result.findings, *kept])
    _save(target, baseline.document().encode("utf-8"))
    absorb(result, baseline)
    result.stale_baseline = []
    noun = "finding" if len(baseline.entries) == 1 else "findings"
    _say(f"mllint-wa: recorded {len(baseline.entries)} {noun} in the baseline {target}")


def _report_stale_baseline(baseline: Baseline, result: RunResult, *, prune: bool) -> None:
    """Baseline entries that no finding matched: counted, or listed and dropped with
    --baseline-prune (not after a rule failed: its findings are missing, not fixed)."""
    source = baseline.source
    stale = result.stale_baseline
    if not stale:
        return
    if not prune:
        _say(
            f"mllint-wa: {len(stale)} entries of the baseline {source} match no finding any "
            "more (--baseline-prune drops them)"
        )
        return
    if result.errors:
        _say(f"mllint-wa: warning: the baseline {source} was not pruned: a rule failed")
        return
    for entry in stale:
        _say(f"mllint-wa: dropped from the baseline: {entry.path} {entry.code} {entry.message}")
    _save(Path(source), baseline.without(stale).document().encode("utf-8"))


def _save(target: Path, data: bytes) -> None:
    from mllint_wa.atomic import write_atomically

    try:
        write_atomically(target, data, overwrite=True)
    except OSError as error:
        _fail(f"cannot write {target}: {error.strerror or error}")


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.abspath(first) == os.path.abspath(second)


def _paired(formats: tuple[str, ...], outputs: tuple[Path, ...]) -> list[tuple[str, Path | None]]:
    """Each --format with its -o FILE, in order; the formats left over (at most one) go to
    standard output. ``-o FILE`` alone writes the text report there."""
    formats = formats or ("text",)
    if len(outputs) > len(formats):
        raise click.UsageError(
            f"{len(outputs)} --output files for {len(formats)} --format: "
            "each -o FILE goes with the --format of the same position"
        )
    if len(formats) - len(outputs) > 1:
        raise click.UsageError(
            f"{len(formats) - len(outputs)} formats would go to standard output: "
            "give all but one --format an -o FILE (the first -o goes with the first --format)"
        )
    seen: dict[str, Path] = {}
    for output in outputs:
        key = os.path.realpath(output)
        if key in seen:
            raise click.UsageError(f"two reports would be written to {output}")
        seen[key] = output
    return [(name, outputs[i] if i < len(outputs) else None) for i, name in enumerate(formats)]


def _step_summary_file(formats: tuple[str, ...]) -> Path | None:
    """With --format github on GitHub Actions, the job summary file the markdown report is
    appended to (``$GITHUB_STEP_SUMMARY``)."""
    value = os.environ.get("GITHUB_STEP_SUMMARY")
    return Path(value) if "github" in formats and value else None


def _append(target: Path, text: str) -> None:
    """Append, never truncate: earlier steps' summaries stay. Non-blocking, so that a FIFO
    nobody reads is an error rather than a hang."""
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o644)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(text.encode("utf-8", "surrogateescape"))
    except OSError as error:
        reason = error.strerror or error
        _fail(f"cannot append the summary to {target} ($GITHUB_STEP_SUMMARY): {reason}")


def _read_by_the_run(
    output: Path, paths: Sequence[Path], config_file: Path | None, result: RunResult
) -> str | None:
    """The input that ``output`` is, if it is one (compared by inode, so through symlinks
    and hard links): a report written there would destroy what it reports on."""
    from mllint_wa.project import MANIFEST_NAME

    try:
        written = os.stat(output)
    except OSError:
        return None  # nothing there yet, so nothing this run has read
    folders = [Path(os.path.realpath(path)) for path in paths if path.is_dir()]
    real = Path(os.path.realpath(output))
    # Every manifest below a linted folder is read, also one whose project is then excluded.
    if real.name == MANIFEST_NAME and any(real.is_relative_to(f) for f in folders):
        return str(output) if output.name == MANIFEST_NAME else str(real)
    for candidate in _inputs(paths, config_file, result):
        try:
            if os.path.samestat(written, os.stat(candidate)):
                return str(candidate)
        except OSError:
            continue
    return None


def _inputs(paths: Sequence[Path], config_file: Path | None, result: RunResult) -> Iterator[Path]:
    """Every file whose content the run may have read: the --config file, the PATHs that are
    files, each project's manifest, and each lens.toml and pyproject.toml from a linted
    path up (where the nearest manifest and the settings are looked for)."""
    from mllint_wa.project import MANIFEST_NAME

    if config_file is not None:
        yield config_file
    yield from (path for path in paths if not path.is_dir())
    yield from (Path(p.manifest) for p in result.projects if p.manifest is not None)
    starts = [*paths, *(Path(p.root) for p in result.projects)]
    folders = {
        folder
        for start in starts
        for folder in (Path(os.path.abspath(start)), *Path(os.path.abspath(start)).parents)
    }
    for folder in sorted(folders):
        yield folder / MANIFEST_NAME
        yield folder / "pyproject.toml"


@main.command("rules")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
def list_rules(format_name: str) -> None:
    """List every rule with its phase, pillars, risk, stages and ML Lens practices."""
    from mllint_wa.registry import RegistryError, described_rules

    try:
        rules = described_rules()
    except RegistryError as error:
        _fail(str(error))
    if format_name == "json":
        described = [{**r.metadata(), "explanation": r.explanation} for r in rules]
        _emit(json.dumps(described, indent=2, ensure_ascii=False) + "\n")
        return
    if format_name == "markdown":
        from mllint_wa.report.rules_table import render_markdown

        _emit(render_markdown(rules))
        return
    width = max(len(r.name) for r in rules)
    lines = []
    for item in rules:
        pillars = ", ".join(p.value for p in item.pillars)
        preview = "  preview" if item.preview else ""
        lines.append(
            f"{item.code}  {item.name:<{width}}  {item.risk.value:<6}  {item.phase.value}  "
            f"from {item.applies_from.value}  [{pillars}]  "
            f"{', '.join(item.lens_refs_with_aliases)}{preview}"
        )
        lines.append(f"       {item.summary}")
    if any(item.preview for item in rules):
        from mllint_wa.report.rules_doc import PREVIEW

        lines += ["", f"preview: {PREVIEW}"]
    _emit("".join(f"{line}\n" for line in lines))


@main.command("export-lens")
def export_lens() -> None:
    """Print the ML Lens practices the rules check as a custom lens JSON for the AWS
    Well-Architected Tool (import it, publish it, then answer it with
    `mllint-wa --format wellarchitected`)."""
    from mllint_wa.registry import RegistryError, described_rules
    from mllint_wa.wellarchitected import build_lens, lens_problems

    try:
        lens = build_lens(described_rules())
    except RegistryError as error:
        _fail(str(error))
    problems = lens_problems(lens)
    if problems:
        # Only a plugin's rules can get here (the built-in ones are tested); a lens the tool
        # would refuse must not be printed as if it were importable.
        _fail(f"the lens does not fit the Well-Architected Tool's format: {problems[0]}")
    _emit(json.dumps(lens, indent=2, ensure_ascii=False) + "\n")


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Explain one rule (by code or name): what it checks, why, and how to fix it."""
    from mllint_wa.lens import PRACTICE_BY_ID
    from mllint_wa.registry import RegistryError, described_rules, lookup
    from mllint_wa.report.rules_doc import PREVIEW, doc_url
    from mllint_wa.suggest import did_you_mean

    try:
        found = lookup(rule)
    except RegistryError as error:
        _fail(str(error))
    if found is None:
        names = [name for r in described_rules() for name in (r.code, r.name)]
        _fail(f"no rule `{rule}`{did_you_mean(rule, names)} (`mllint-wa rules` lists them)")
    pillars = ", ".join(p.value for p in found.pillars)

    def prose(text: str) -> str:
        return "\n\n".join(textwrap.fill(p, width=88) for p in text.split("\n\n"))

    lines = [
        f"{found.code} {found.name}",
        "",
        f"Risk: {found.risk.value} · Phase: {found.phase.value} · Pillars: {pillars}",
        f"Applies at: {found.stages_described}",
        *([prose(f"Preview: {PREVIEW}")] if found.preview else []),
        "",
        prose(found.summary),
        "",
        "Why",
        prose(found.explanation or found.summary),
        "",
        "How to fix",
        prose(found.fix),
        "",
    ]
    if found.example:
        lines += ["Example", textwrap.indent(found.example, "  "), ""]
    lines.append("ML Lens best practices")
    for ref in found.lens_refs:
        practice = PRACTICE_BY_ID[ref]
        lines.append(f"  {practice.id} ({practice.legacy_id}) {practice.title}")
        lines.append(f"    {practice.url}")
    url = doc_url(found)
    if url is not None:
        lines += ["", f"Documentation: {url}"]
    _emit("\n".join(lines) + "\n")


@main.command()
def schema() -> None:
    """Print the JSON Schema of lens.toml, for editors and validators."""
    import pkgutil

    # pkgutil rather than importlib.resources, which imports tempfile, shutil and zipfile.
    schema_bytes = pkgutil.get_data("mllint_wa.schema", "lens.schema.json")
    if schema_bytes is None:
        _fail("the schema (mllint_wa/schema/lens.schema.json) cannot be read")
    _emit(schema_bytes.decode("utf-8"))


@main.command()
@click.argument(
    "directory",
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option("--force", is_flag=True, help="Replace an existing lens.toml.")
def init(directory: Path, force: bool) -> None:
    """Write a lens.toml for the project at DIRECTORY (default: the current directory).

    What the repository shows (stage, problem type, experiment tracking, data versioning,
    deployment target and infrastructure code, model card, datasheet, training entry point)
    is filled in with a comment saying where it was found; the rest is left as TODOs.
    """
    from mllint_wa.atomic import write_atomically
    from mllint_wa.detect import detect
    from mllint_wa.project import MANIFEST_NAME
    from mllint_wa.scaffold import scaffold

    target = directory / MANIFEST_NAME
    if os.path.lexists(target):
        if not force:
            _fail(f"{target} already exists; edit it, or rerun with --force to replace it")
        if os.path.islink(target) or not os.path.isfile(target):
            # Replacing it would write wherever the link leads, or over a device or a folder.
            _fail(f"{target} is not a regular file; remove it first")
    with warnings.catch_warnings():
        # As in a lint run: a library's warning may quote the files read.
        warnings.simplefilter("ignore")
        text = scaffold(directory.resolve().name, detect(directory.resolve()))
    try:
        write_atomically(target, text.encode("utf-8"), overwrite=force)
    except FileExistsError:
        _fail(f"{target} already exists; edit it, or rerun with --force to replace it")
    except OSError as error:
        _fail(f"cannot write {target}: {error.strerror or error}")
    detected = text.count("  # detected: ")
    command = f"mllint-wa {shlex.quote(str(directory))}"
    _emit(
        printable(
            f"wrote {target} with {detected} detected value{'s' * (detected != 1)}: "
            f"check them, replace its TODOs, then run `{command}`"
        )
        + "\n"
    )
