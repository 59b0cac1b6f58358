"""The ``mllint-wa`` command: lint (the default), ``rules`` and ``explain``."""

from __future__ import annotations

import json
import os
import sys
import textwrap
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from mllint_wa import __version__
from mllint_wa.report import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


class LintByDefault(click.Group):
    """`mllint-wa [OPTIONS] [PATHS]` means `mllint-wa check [OPTIONS] [PATHS]`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in (*self.commands, "-h", "--help", "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _split_list(_: click.Context, __: click.Parameter, values: Sequence[str]) -> tuple[str, ...]:
    """``--select PF,BG001 --select LN`` → ("PF", "BG001", "LN")."""
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def _stderr(text: str) -> None:
    """Everything the command writes to stderr, with anything that looks like a credential
    redacted: errors and tracebacks may quote a configuration or a linted file."""
    from mllint_wa.parsers.secrets import redact

    click.echo(redact(text), err=True, nl=not text.endswith("\n"))


def _fail(message: str) -> None:
    _stderr(f"mllint-wa: error: {message}")
    sys.exit(EXIT_ERROR)


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
    "format_name",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE.",
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
    help="A gitignore-style pattern of paths to skip, relative to the working directory "
    "(repeat the option for more).",
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
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def check(
    paths: tuple[Path, ...],
    format_name: str,
    output: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    stage: str | None,
    config_file: Path | None,
    color: bool | None,
    quiet: bool,
    statistics: bool,
    debug: bool,
) -> None:
    """Lint PATHS (default: the current directory)."""
    from mllint_wa.config import ConfigError, Layer
    from mllint_wa.model import Stage
    from mllint_wa.registry import RegistryError
    from mllint_wa.report import ReportOptions, render
    from mllint_wa.runner import PathError, RunOptions, run

    try:
        cli_layer = Layer(
            "command line",
            select=select or None,
            extend_select=extend_select,
            ignore=ignore,
            exclude=exclude,
            fail_on=fail_on,
            base=Path.cwd(),
        )
        options = RunOptions(
            cli=cli_layer, config_file=config_file, stage=Stage(stage) if stage else None
        )
        with warnings.catch_warnings():
            # A library's warning (ruamel.yaml's "duplicate anchor 'ghp_…'") quotes the linted
            # file on stderr; what matters in it is reported as a finding instead.
            warnings.simplefilter("ignore")
            result = run(list(paths) or [Path()], options)
    except (ConfigError, RegistryError, PathError) as error:
        if debug:
            _stderr(traceback.format_exc())
        _fail(str(error))
        return
    except Exception as error:
        if debug:
            _stderr(traceback.format_exc())
        hint = "" if debug else " (rerun with --debug for details)"
        _fail(f"internal error: {type(error).__name__}: {error}{hint}")
        return

    for warning in result.warnings:
        _stderr(f"mllint-wa: warning: {warning}")
    for failure in result.errors:
        _stderr(f"mllint-wa: error: {failure.message}")
        if debug:
            _stderr(failure.traceback)

    if color is None:
        # https://no-color.org: a set, non-empty NO_COLOR turns colour off by default.
        color = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    use_color = color
    report = render(
        format_name,
        result,
        ReportOptions(
            color=use_color and format_name == "text", quiet=quiet, statistics=statistics
        ),
    )
    if output is not None:
        try:
            output.write_text(report, encoding="utf-8", errors="surrogateescape")
        except OSError as error:
            _fail(f"cannot write {output}: {error.strerror}")
    else:
        # Without `color`, click strips ANSI codes whenever stdout is not a terminal, which
        # would make --color a no-op when piping.
        click.echo(report, nl=False, color=use_color)

    if result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if result.failing and not exit_zero else EXIT_CLEAN)


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
    from mllint_wa.registry import RegistryError, load_rules

    try:
        rules = load_rules()
    except RegistryError as error:
        _fail(str(error))
        return
    if format_name == "json":
        described = [{**r.metadata(), "explanation": r.explanation} for r in rules]
        click.echo(json.dumps(described, indent=2, ensure_ascii=False))
        return
    if format_name == "markdown":
        from mllint_wa.report.rules_table import render_markdown

        click.echo(render_markdown(rules), nl=False)
        return
    width = max(len(r.name) for r in rules)
    for item in rules:
        pillars = ", ".join(p.value for p in item.pillars)
        click.echo(
            f"{item.code}  {item.name:<{width}}  {item.risk.value:<6}  {item.phase.value}  "
            f"from {item.applies_from.value}  [{pillars}]  {', '.join(item.lens_refs_with_aliases)}"
        )
        click.echo(f"       {item.summary}")


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Explain one rule (by code or name): what it checks, why, and how to fix it."""
    from mllint_wa.lens import PRACTICE_BY_ID
    from mllint_wa.registry import RegistryError, load_rules, lookup
    from mllint_wa.suggest import did_you_mean

    try:
        found = lookup(rule)
    except RegistryError as error:
        _fail(str(error))
        return
    if found is None:
        names = [name for r in load_rules() for name in (r.code, r.name)]
        _fail(f"no rule `{rule}`{did_you_mean(rule, names)} (`mllint-wa rules` lists them)")
        return
    pillars = ", ".join(p.value for p in found.pillars)
    stages = ", ".join(s.value for s in found.stages)

    def prose(text: str) -> str:
        return "\n\n".join(textwrap.fill(p, width=88) for p in text.split("\n\n"))

    lines = [
        f"{found.code} {found.name}",
        "",
        f"Risk: {found.risk.value} · Phase: {found.phase.value} · Pillars: {pillars}",
        f"Applies at: {stages}",
        "",
        prose(found.summary),
        "",
        "Why",
        prose(found.explanation or found.summary),
        "",
        "How to fix",
        prose(found.fix),
        "",
        "ML Lens best practices",
    ]
    for ref in found.lens_refs:
        practice = PRACTICE_BY_ID[ref]
        lines.append(f"  {practice.id} ({practice.legacy_id}) {practice.title}")
        lines.append(f"    {practice.url}")
    click.echo("\n".join(lines))


@main.command()
@click.argument(
    "directory",
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
def init(directory: Path) -> None:
    """Write a lens.toml to fill in at DIRECTORY (default: the current directory)."""
    from mllint_wa.project import MANIFEST_NAME
    from mllint_wa.scaffold import scaffold

    target = directory / MANIFEST_NAME
    if target.exists() or target.is_symlink():
        _fail(f"{target} already exists; edit it instead")
        return
    try:
        target.write_text(scaffold(directory.resolve().name), encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {target}: {error.strerror}")
        return
    click.echo(f"wrote {target}: replace its TODOs, then run `mllint-wa {directory}`")
