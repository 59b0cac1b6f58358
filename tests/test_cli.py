"""The ``mllint-wa`` command: lint, rules, explain; output formats, options and exit codes."""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from click.testing import CliRunner, Result

from mllint_wa import __version__
from mllint_wa import cli as cli_module
from mllint_wa.cli import main, run_program
from mllint_wa.config import pyproject_layer
from mllint_wa.model import Location, Phase, Pillar, Risk, Stage, Violation
from mllint_wa.registry import ENTRY_POINT_GROUP, load_rules, may_declare_entry_points, rule
from plugins import FakeEntryPoint

LENS = """\
schema_version = 1

[project]
name = "churn"
stage = "discovery"
owners = ["ml@example.com"]

[business]
goal = "TODO"
kpi = "monthly churn rate"
"""

TOP_KEYS = ["tool", "projects", "findings", "summary", "suppressed"]
PROJECT_KEYS = ["root", "manifest", "stage"]
FINDING_KEYS = [
    "code",
    "name",
    "risk",
    "phase",
    "pillars",
    "path",
    "line",
    "column",
    "message",
    "fix",
    "lens_refs",
    "fingerprint",
    "project",
    "related",
]
SUMMARY_KEYS = ["high", "medium", "low", "suppressed", "inline", "waiver", "baseline"]


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    load_rules.cache_clear()
    pyproject_layer.cache_clear()
    yield
    load_rules.cache_clear()
    pyproject_layer.cache_clear()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository whose lens.toml has a placeholder goal and lacks most other values."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root / "lens.toml", LENS)
    write(root / "src" / "train.py", "print('train')\n")
    return root


Cli = Callable[..., Result]


@pytest.fixture
def cli(project: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Invoke the command in ``cwd`` (default: the project) and return click's Result."""

    def invoke(*args: str, cwd: Path | None = None) -> Result:
        monkeypatch.chdir(cwd or project)
        return CliRunner().invoke(main, list(args))

    return invoke


def findings(result: Result) -> list[dict[str, object]]:
    document = json.loads(result.stdout)
    found: list[dict[str, object]] = document["findings"]
    return found


# -- linting -----------------------------------------------------------------------------------


def test_default_path_is_the_current_directory(cli: Cli) -> None:
    implicit, explicit = cli(), cli(".")
    assert implicit.exit_code == explicit.exit_code == 1
    assert implicit.stdout == explicit.stdout
    assert "lens.toml:9:1: BG001 [high] `business.goal` is only a placeholder" in implicit.stdout
    assert implicit.stderr == ""


def test_check_subcommand_is_the_default(cli: Cli) -> None:
    assert cli("check").stdout == cli().stdout


def test_json_document_shape(cli: Cli) -> None:
    result = cli("--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert list(document) == TOP_KEYS
    assert document["tool"] == {"name": "mllint-wa", "version": __version__}
    assert document["projects"] == [{"root": ".", "manifest": "lens.toml", "stage": "discovery"}]
    assert list(document["summary"]) == SUMMARY_KEYS
    found = document["findings"]
    assert found
    for item in found:
        assert list(item) == FINDING_KEYS
        assert item["path"] == "lens.toml"
        assert item["project"] == "."
        assert item["risk"] in {r.value for r in Risk}
        assert item["phase"] in {p.value for p in Phase}
        assert set(item["pillars"]) <= {p.value for p in Pillar}
        assert isinstance(item["line"], int) and item["line"] >= 1
        assert isinstance(item["column"], int) and item["column"] >= 1
        assert len(item["fingerprint"]) == 32
    for risk in Risk:
        assert document["summary"][risk.value] == sum(f["risk"] == risk.value for f in found)
    assert document["summary"]["suppressed"] == 0
    goal = next(f for f in found if f["code"] == "BG001")
    assert (goal["name"], goal["line"], goal["column"]) == ("missing-business-goal", 9, 1)


def test_json_findings_are_sorted(cli: Cli, project: Path) -> None:
    write(project / "svc" / "lens.toml", "schema_version = 1\ncolour = 'x'\n")
    found = findings(cli("--format", "json"))
    keys = [(f["path"], f["line"], f["column"], f["code"]) for f in found]
    assert keys == sorted(keys)
    assert {f["path"] for f in found} == {"lens.toml", "svc/lens.toml"}
    assert len({f["line"] for f in found}) > 1


def test_paths_are_relative_to_the_working_directory(cli: Cli, project: Path) -> None:
    document = json.loads(cli("--format", "json", "repo", cwd=project.parent).stdout)
    assert document["projects"] == [
        {"root": "repo", "manifest": "repo/lens.toml", "stage": "discovery"}
    ]
    assert {f["path"] for f in document["findings"]} == {"repo/lens.toml"}
    assert {f["project"] for f in document["findings"]} == {"repo"}

    below = cli("--format", "json", "..", cwd=project / "src")
    assert {f["path"] for f in findings(below)} == {"../lens.toml"}


def test_a_file_path_lints_its_project(cli: Cli, project: Path) -> None:
    for path in ("train.py", "../lens.toml"):
        result = cli("--select", "BG001", path, cwd=project / "src")
        assert result.exit_code == 1
        assert result.stdout.splitlines()[0].startswith("../lens.toml:9:1: BG001 [high] ")


def test_fingerprints_survive_line_shifts(cli: Cli, project: Path) -> None:
    first = findings(cli("--format", "json"))
    again = findings(cli("--format", "json"))
    assert [f["fingerprint"] for f in first] == [f["fingerprint"] for f in again]
    prints = [f["fingerprint"] for f in first]
    assert len(set(prints)) == len(prints)

    (project / "lens.toml").write_text("\n\n\n" + LENS, encoding="utf-8")
    shifted = findings(cli("--format", "json"))
    before = {f["fingerprint"]: f["line"] for f in first}
    after = {f["fingerprint"]: f["line"] for f in shifted}
    assert set(after) == set(before)
    assert all(after[fp] == before[fp] + 3 for fp in before if before[fp] > 1)
    assert any(after[fp] != before[fp] for fp in before)


def test_fingerprints_do_not_depend_on_the_working_directory(cli: Cli, project: Path) -> None:
    from_inside = findings(cli("--format", "json"))
    from_above = findings(cli("--format", "json", "repo", cwd=project.parent))
    assert [f["path"] for f in from_above] == ["repo/" + str(f["path"]) for f in from_inside]
    assert [f["fingerprint"] for f in from_above] == [f["fingerprint"] for f in from_inside]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_is_byte_identical_across_runs(cli: Cli, fmt: str) -> None:
    first, second = cli("--format", fmt), cli("--format", fmt)
    assert first.stdout_bytes == second.stdout_bytes
    assert first.stdout_bytes


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_file(cli: Cli, project: Path, fmt: str) -> None:
    printed = cli("--format", fmt)
    result = cli("--format", fmt, "-o", "report.out")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ""
    assert (project / "report.out").read_text(encoding="utf-8") == printed.stdout


def test_output_file_has_no_color(cli: Cli, project: Path) -> None:
    assert cli("--output", "report.txt").exit_code == 1
    assert "\x1b" not in (project / "report.txt").read_text(encoding="utf-8")


def test_unwritable_output_file(cli: Cli) -> None:
    result = cli("-o", "no/such/dir/report.txt")
    assert result.exit_code == 2
    assert result.stderr.startswith("mllint-wa: error: cannot write no/such/dir/report.txt: ")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ([], 1),
        (["--fail-on", "low"], 1),
        (["--fail-on", "medium"], 1),
        (["--fail-on", "high"], 0),
        (["--fail-on", "none"], 0),
        (["--exit-zero"], 0),
        (["--fail-on", "medium", "--exit-zero"], 0),
    ],
)
def test_fail_on_medium_and_low_findings(cli: Cli, args: list[str], code: int) -> None:
    # BG003 (medium) and BG013 (low) only.
    result = cli("--select", "BG003,BG013", *args)
    assert result.exit_code == code
    assert "BG003 [medium]" in result.stdout and "BG013 [low]" in result.stdout


@pytest.mark.parametrize(("fail_on", "code"), [("high", 1), ("none", 0)])
def test_fail_on_high_finding(cli: Cli, fail_on: str, code: int) -> None:
    assert cli("--select", "BG001", "--fail-on", fail_on).exit_code == code


def test_a_clean_run_exits_0(cli: Cli) -> None:
    result = cli("--select", "LN")
    assert (result.exit_code, result.stdout) == (0, "All checks passed.\n")


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus"],
        ["no-such-path"],
        ["--fail-on", "critical"],
        ["--format", "xml"],
        ["--stage", "prod"],
        ["--select"],
        ["--config", "missing.toml"],
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    # One line, like every other error, however click words it.
    (line,) = result.stderr.splitlines()
    assert line.startswith("mllint-wa: error: ")


def test_a_broken_config_exits_2(cli: Cli, project: Path) -> None:
    write(project / "pyproject.toml", "[tool.mllint-wa]\nselect = [\n")
    result = cli()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("mllint-wa: error: ")
    assert "pyproject.toml is not valid TOML" in result.stderr


def test_stage_override(cli: Cli) -> None:
    def stage(*args: str) -> str:
        value: str = json.loads(cli("--format", "json", *args).stdout)["projects"][0]["stage"]
        return value

    assert stage() == "discovery"
    assert stage("--stage", "production") == "production"
    assert stage("--stage", "development") == "development"


def test_stage_override_gates_rules(cli: Cli, plugins: list[FakeEntryPoint]) -> None:
    @rule(
        code="DE901",
        name="always-deployment",
        risk=Risk.LOW,
        summary="s",
        fix="f",
        lens_refs=("MLREL01-BP01",),
    )
    def always(ctx: object) -> Iterator[Violation]:
        yield Violation("deployment finding", Location("lens.toml"), anchor="x")

    plugins.append(FakeEntryPoint("deploy", always))
    assert "DE901" not in cli("--select", "DE").stdout
    assert "DE901" not in cli("--select", "DE", "--stage", "development").stdout
    result = cli("--select", "DE", "--stage", "production")
    assert result.stdout.startswith("lens.toml:1:1: DE901 [low] deployment finding\n")


def test_color_flags(cli: Cli) -> None:
    colored = cli("--color").stdout
    assert "\x1b[1mlens.toml:9:1:\x1b[0m \x1b[31mBG001\x1b[0m [high]" in colored
    assert "\x1b" not in cli("--no-color").stdout
    assert "\x1b" not in cli().stdout  # not a terminal
    assert "\x1b" not in cli("--color", "--format", "json").stdout


def test_quiet_drops_the_summary(cli: Cli) -> None:
    loud, quiet = cli(), cli("-q")
    assert loud.stdout.splitlines()[-1].startswith("Found ")
    assert quiet.stdout == "\n".join(loud.stdout.splitlines()[:-2]) + "\n"
    assert quiet.exit_code == 1
    assert cli("-q", "--select", "LN").stdout == ""


def test_statistics(cli: Cli) -> None:
    out = cli("--statistics", "--select", "BG001,BG008").stdout.splitlines()
    assert out[-5:] == [
        "",
        "4  BG008  [medium]  missing-cost-estimate",
        "1  BG001  [high]  missing-business-goal",
        "",
        "Found 5 findings (1 high, 4 medium).",
    ]


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert (result.exit_code, result.stdout) == (0, f"mllint-wa, version {__version__}\n")


# -- rules and explain -------------------------------------------------------------------------


def test_rules_text(cli: Cli) -> None:
    result = cli("rules")
    assert result.exit_code == 0
    listing, _, note = result.stdout.partition("\n\n")
    codes = [line.split()[0] for line in listing.splitlines() if not line.startswith(" ")]
    assert codes == [r.code for r in load_rules()]
    assert note.startswith("preview: ")
    assert "BG001  missing-business-goal" in result.stdout


def test_rules_json(cli: Cli) -> None:
    result = cli("rules", "--format", "json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    rules = load_rules()
    assert [item["code"] for item in listed] == [r.code for r in rules]
    for item, known in zip(listed, rules, strict=True):
        # The metadata fields (test_registry pins them), then the explanation.
        assert list(item) == [*known.metadata(), "explanation"]
        assert item["explanation"] == known.explanation != ""
        assert item["name"] == known.name
        assert item["phase"] in {p.value for p in Phase}
        assert item["risk"] in {r.value for r in Risk}
        assert item["pillars"] and set(item["pillars"]) <= {p.value for p in Pillar}
        assert item["stages"] and set(item["stages"]) <= {s.value for s in Stage}
        assert item["lens_refs"][: len(known.lens_refs)] == list(known.lens_refs)
        assert item["summary"] and item["fix"]


def test_finding_metadata_matches_the_rule_list(cli: Cli) -> None:
    listed = {item["code"]: item for item in json.loads(cli("rules", "--format", "json").stdout)}
    for item in findings(cli("--format", "json")):
        meta = listed[item["code"]]
        for key in ("name", "risk", "phase", "pillars", "lens_refs", "fix"):
            assert item[key] == meta[key]


def test_explain_by_code_and_by_name(cli: Cli) -> None:
    by_code = cli("explain", "BG001")
    assert by_code.exit_code == 0
    assert by_code.stdout.startswith(
        "BG001 missing-business-goal\n\nRisk: high · Phase: business-goal"
    )
    assert "How to fix\n" in by_code.stdout
    assert "MLPERF01-BP01 (MLPER-01)" in by_code.stdout
    assert "https://docs.aws.amazon.com/wellarchitected/" in by_code.stdout
    assert cli("explain", "missing-business-goal").stdout == by_code.stdout
    assert cli("explain", "bg001").stdout == by_code.stdout


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nope", "mllint-wa: error: no rule `nope` (`mllint-wa rules` lists them)\n"),
        (
            "missing-busines-goal",
            "mllint-wa: error: no rule `missing-busines-goal`; did you mean "
            "`missing-business-goal`? (`mllint-wa rules` lists them)\n",
        ),
    ],
)
def test_explain_an_unknown_rule(cli: Cli, name: str, message: str) -> None:
    result = cli("explain", name)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


# -- repositories ------------------------------------------------------------------------------


def test_monorepo_lists_both_projects(cli: Cli, tmp_path: Path) -> None:
    mono = tmp_path / "mono"
    (mono / ".git").mkdir(parents=True)
    write(mono / "README.md", "# mono\n")
    write(mono / "services" / "churn" / "lens.toml", LENS)
    write(mono / "services" / "fraud" / "lens.toml", LENS.replace("discovery", "production"))
    result = cli("--format", "json", cwd=mono)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["projects"] == [
        {
            "root": "services/churn",
            "manifest": "services/churn/lens.toml",
            "stage": "discovery",
        },
        {
            "root": "services/fraud",
            "manifest": "services/fraud/lens.toml",
            "stage": "production",
        },
    ]
    by_project: dict[str, set[str]] = {}
    for item in document["findings"]:
        assert item["path"] == f"{item['project']}/lens.toml"
        by_project.setdefault(item["project"], set()).add(item["code"])
    assert set(by_project) == {"services/churn", "services/fraud"}
    assert "BG001" in by_project["services/churn"] & by_project["services/fraud"]


def test_a_repository_without_lens_toml(cli: Cli, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    (bare / ".git").mkdir(parents=True)
    write(bare / "train.py", "from sklearn.svm import SVC\nSVC().fit(x, y)\n")
    # Evidence rules have things to say about train.py too; this is about the manifest.
    result = cli("--select", "LN", cwd=bare)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("train.py:1:1: LN001 [high] no lens.toml")
    assert lines[1:] == ["", "Found 1 finding (1 high)."]
    document = json.loads(cli("--format", "json", "--select", "LN", cwd=bare).stdout)
    assert document["projects"] == [{"root": ".", "manifest": None, "stage": "development"}]
    assert [(f["code"], f["name"]) for f in document["findings"]] == [("LN001", "missing-manifest")]


def test_an_empty_directory_is_a_project_without_a_model_to_state_goals_for(
    cli: Cli, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli(cwd=empty)
    assert result.exit_code == 0
    assert result.stdout == "All checks passed.\n"


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b'schema_version = 1\n[project]\nname = "x" "y"\n', "lens.toml:3:12: LN002 [high] "),
        (b'schema_version = 1\n[business]\ngoal = "never closed', "lens.toml:3:21: LN002 [high] "),
        (b'schema_version = 1\n\n[project]\nname = "caf\xe9"\n', "lens.toml:4:12: LN002 [high] "),
        (b"schema_version = 1\n\x00\x00", "lens.toml:1:1: LN002 [high] "),
    ],
    ids=["syntax", "end-of-document", "not-utf8", "binary"],
)
def test_a_malformed_lens_toml(cli: Cli, project: Path, content: bytes, where: str) -> None:
    (project / "lens.toml").write_bytes(content)
    result = cli("--select", "LN")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(where)
    assert lines[1:] == ["", "Found 1 finding (1 high)."]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""


def test_a_rule_that_raises(cli: Cli, plugins: list[FakeEntryPoint]) -> None:
    @rule(
        code="PF901",
        name="exploding-rule",
        risk=Risk.HIGH,
        summary="s",
        fix="f",
        lens_refs=("MLOPS02-BP02",),
    )
    def explode(ctx: object) -> Iterator[Violation]:
        raise RuntimeError("kaboom")

    plugins.append(FakeEntryPoint("exploding", explode))
    result = cli()
    assert result.exit_code == 2
    assert "rule PF901 (exploding-rule) failed on .: RuntimeError: kaboom" in result.stderr
    assert result.stderr.startswith("mllint-wa: error: ")
    assert "Traceback" not in result.stderr
    assert "lens.toml:9:1: BG001 [high]" in result.stdout
    assert "PF901" not in result.stdout
    assert cli("--exit-zero").exit_code == 2
    assert cli("--ignore", "PF901").exit_code == 1

    with_debug = cli("--debug")
    assert with_debug.exit_code == 2
    assert "Traceback" in with_debug.stderr
    assert 'raise RuntimeError("kaboom")' in with_debug.stderr


def _boom(*_: object, **__: object) -> None:
    raise RuntimeError("boom")


def test_an_internal_error_without_debug(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mllint_wa.runner.discover", _boom)
    result = cli()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "mllint-wa: error: internal error: RuntimeError: boom (rerun with --debug for details)\n"
    )


def test_an_internal_error_with_debug(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mllint_wa.runner.discover", _boom)
    result = cli("--debug")
    assert result.exit_code == 2
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert 'raise RuntimeError("boom")' in result.stderr
    assert result.stderr.endswith("mllint-wa: error: internal error: RuntimeError: boom\n")


def test_a_config_error_has_no_traceback_unless_debug(cli: Cli, project: Path) -> None:
    write(project / "pyproject.toml", "[tool.mllint-wa]\nselct = []\n")
    assert "Traceback" not in cli().stderr
    assert "Traceback" in cli("--debug").stderr


# -- the installed command ---------------------------------------------------------------------


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("NO_COLOR", None)
    return subprocess.run(args, cwd=cwd, capture_output=True, env=env, timeout=60, check=False)


def test_python_dash_m(project: Path) -> None:
    result = _run([sys.executable, "-m", "mllint_wa", "--format", "json"], project)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == TOP_KEYS
    assert any(f["code"] == "BG001" for f in document["findings"])


@pytest.fixture
def script() -> Path:
    path = Path(sys.executable).parent / "mllint-wa"
    if not path.exists():
        pytest.skip("the mllint-wa script is not installed next to this Python")
    return path


def test_console_script(project: Path, script: Path) -> None:
    version = _run([str(script), "--version"], project)
    assert (version.returncode, version.stdout) == (
        0,
        f"mllint-wa, version {__version__}\n".encode(),
    )
    result = _run([str(script), "--select", "BG001"], project)
    assert result.returncode == 1
    assert result.stdout.decode().startswith("lens.toml:9:1: BG001 [high] ")
    assert result.stderr == b""


class _Exited(Exception):
    """What os._exit raises in these tests, instead of ending pytest."""


def _exit_now(code: int) -> NoReturn:
    raise _Exited(code)


def _start_program_in(project: Path, monkeypatch: pytest.MonkeyPatch, *arguments: str) -> None:
    """Make run_program start as the console script does in ``project`` with ``arguments``,
    its exit without teardown raising :class:`_Exited`."""
    monkeypatch.chdir(project)
    monkeypatch.setattr(sys, "argv", ["mllint-wa", *arguments])
    monkeypatch.setattr(os, "_exit", _exit_now)


def _unwatched(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the program as no profiler, tracer or coverage tool watches it, whatever watches
    the tests."""
    monkeypatch.setattr(cli_module, "_watched", lambda: False)


def test_the_program_ends_without_teardown_after_flushing_its_output(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _start_program_in(project, monkeypatch, "--select", "BG001")
    _unwatched(monkeypatch)
    with pytest.raises(_Exited) as ended:
        run_program()
    assert ended.value.args == (1,)
    assert capsys.readouterr().out.startswith("lens.toml:9:1: BG001 [high] ")


class _Unflushable(io.StringIO):
    def flush(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_the_program_leaves_an_unflushable_output_to_the_interpreters_exit(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _start_program_in(project, monkeypatch, "--version")
    monkeypatch.setattr(sys, "stderr", _Unflushable())
    _unwatched(monkeypatch)
    with pytest.raises(SystemExit) as ended:
        run_program()
    assert ended.value.code == 0


@pytest.mark.parametrize("watch", [sys.setprofile, sys.settrace])
def test_the_program_ends_as_usual_under_a_profiler_or_tracer(
    project: Path, monkeypatch: pytest.MonkeyPatch, watch: Callable[[object], None]
) -> None:
    # `python -m cProfile -m mllint_wa` writes its profile as the interpreter ends.
    _start_program_in(project, monkeypatch, "--version")
    previous = sys.getprofile() if watch is sys.setprofile else sys.gettrace()
    watch(lambda *_: None)
    try:
        with pytest.raises(SystemExit) as ended:
            run_program()
    finally:
        watch(previous)
    assert ended.value.code == 0


class _Monitoring:
    """``sys.monitoring`` (Python 3.12 on) with cProfile registered, as it is there."""

    PROFILER_ID = 2

    @staticmethod
    def get_tool(tool: int) -> str | None:
        return "cProfile" if tool == _Monitoring.PROFILER_ID else None


def test_the_program_ends_as_usual_under_a_profiler_that_monitors(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From Python 3.12 on, cProfile watches through sys.monitoring, not sys.setprofile.
    _start_program_in(project, monkeypatch, "--version")
    monkeypatch.setattr(sys, "monitoring", _Monitoring(), raising=False)
    with pytest.raises(SystemExit) as ended:
        run_program()
    assert ended.value.code == 0


def test_console_script_colors_a_pipe_only_when_asked(project: Path, script: Path) -> None:
    assert b"\x1b[" not in _run([str(script)], project).stdout
    assert b"\x1b[31mBG001\x1b[0m" in _run([str(script), "--color"], project).stdout


def _run_on_a_terminal(command: list[str], cwd: Path, **env: str) -> bytes:
    """What the command writes when its standard output is a terminal."""
    pty = pytest.importorskip("pty")
    inherited = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    leader, follower = pty.openpty()
    try:
        subprocess.run(
            command,
            cwd=cwd,
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env={**inherited, **env},
            check=False,
            timeout=60,
        )
        return os.read(leader, 1 << 16)
    finally:
        os.close(leader)
        os.close(follower)


def test_console_script_colors_a_terminal_unless_no_color(project: Path, script: Path) -> None:
    assert b"\x1b[31mBG001\x1b[0m" in _run_on_a_terminal([str(script), "-q"], project)
    assert b"\x1b[" not in _run_on_a_terminal([str(script), "-q"], project, NO_COLOR="1")


# -- exclusion, fingerprints and bad PATHs from end to end -------------------------------------


def _projects(result: Result) -> list[str]:
    return [p["root"] for p in json.loads(result.stdout)["projects"]]


def test_pyproject_excludes_are_relative_to_the_pyproject_whichever_path_is_linted(
    cli: Cli, tmp_path: Path
) -> None:
    repo = tmp_path / "mono"
    (repo / ".git").mkdir(parents=True)
    write(repo / "pyproject.toml", '[tool.mllint-wa]\nexclude = ["/legacy/", "services/b/"]\n')
    write(repo / "services/a/lens.toml", LENS)
    write(repo / "services/a/legacy/lens.toml", LENS)
    write(repo / "services/b/lens.toml", LENS)
    write(repo / "legacy/lens.toml", LENS)
    expected = ["services/a", "services/a/legacy"]
    assert _projects(cli("--format", "json", cwd=repo)) == expected
    assert _projects(cli("--format", "json", "services", cwd=repo)) == expected
    assert _projects(cli("--format", "json", "services/a", cwd=repo)) == expected


def test_every_paths_pyproject_prunes_its_own_walk(cli: Cli, tmp_path: Path) -> None:
    for name in ("one", "two"):
        repo = tmp_path / name
        (repo / ".git").mkdir(parents=True)
        write(repo / "pyproject.toml", '[tool.mllint-wa]\nexclude = ["vendor/"]\n')
        write(repo / "lens.toml", LENS)
        write(repo / "vendor/x/lens.toml", LENS)
    result = cli("--format", "json", "one", "two", cwd=tmp_path)
    assert _projects(result) == ["one", "two"]


def test_a_lint_exclude_drops_a_nested_project(cli: Cli, project: Path) -> None:
    write(project / "lens.toml", LENS + '\n[lint]\nexclude = ["vendor/"]\n')
    write(project / "vendor/x/lens.toml", LENS)
    write(project / "tools/y/lens.toml", LENS)
    assert _projects(cli("--format", "json")) == [".", "tools/y"]


def test_fingerprints_differ_between_projects_outside_a_repository(
    cli: Cli, tmp_path: Path
) -> None:
    mono = tmp_path / "mono"
    write(mono / "a/lens.toml", LENS)
    write(mono / "b/lens.toml", LENS)
    found = findings(cli("--format", "json", "--select", "BG001", cwd=mono))
    assert [f["path"] for f in found] == ["a/lens.toml", "b/lens.toml"]
    assert found[0]["fingerprint"] != found[1]["fingerprint"]


def test_a_rule_yielding_something_else_fails_by_its_code(
    cli: Cli, plugins: list[FakeEntryPoint]
) -> None:
    @rule(
        code="PF902",
        name="sloppy-rule",
        risk=Risk.LOW,
        summary="s",
        fix="f",
        lens_refs=("MLOPS02-BP02",),
    )
    def sloppy(ctx: object) -> Iterator[object]:
        yield Violation("fine", Location("lens.toml"))
        yield "not a violation"

    plugins.append(FakeEntryPoint("sloppy", sloppy))
    result = cli()
    assert result.exit_code == 2
    assert "rule PF902 (sloppy-rule) failed on .: TypeError: a rule must yield Violation" in (
        result.stderr
    )
    assert "PF902" not in result.stdout  # all or nothing: not even its first finding


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_path_that_cannot_be_linted_exits_2(cli: Cli, project: Path) -> None:
    os.mkfifo(project / "pipe")
    result = cli("pipe")
    assert result.exit_code == 2
    assert result.stderr == "mllint-wa: error: pipe: not a regular file\n"


def test_a_rule_that_calls_sys_exit_fails_by_its_code(
    cli: Cli, plugins: list[FakeEntryPoint]
) -> None:
    @rule(
        code="PF903",
        name="quitting-rule",
        risk=Risk.LOW,
        summary="s",
        fix="f",
        lens_refs=("MLOPS02-BP02",),
    )
    def quitting(ctx: object) -> Iterator[Violation]:
        yield Violation("fine", Location("lens.toml"))
        raise SystemExit(0)

    plugins.append(FakeEntryPoint("quitting", quitting))
    result = cli("--format", "json")
    assert result.exit_code == 2
    assert "rule PF903 (quitting-rule) failed on .: SystemExit: 0" in result.stderr
    assert json.loads(result.stdout)["findings"]  # the other rules' findings are reported


@pytest.mark.parametrize(
    ("location", "problem"),
    [
        (Location("lens.toml", 0, 1), "location line 0 is not a number from 1"),
        (Location("lens.toml", True, 1), "location line True is not a number from 1"),
        (Location("../x", 1, 1), "location path '../x' is not a path inside the project"),
        (Location("/etc/passwd", 1, 1), "location path '/etc/passwd' is not a path inside"),
    ],
)
def test_a_rule_yielding_an_impossible_location_fails_by_its_code(
    cli: Cli, plugins: list[FakeEntryPoint], location: Location, problem: str
) -> None:
    @rule(
        code="PF904",
        name="lost-rule",
        risk=Risk.LOW,
        summary="s",
        fix="f",
        lens_refs=("MLOPS02-BP02",),
    )
    def lost(ctx: object) -> Iterator[Violation]:
        yield Violation("somewhere", location)

    plugins.append(FakeEntryPoint("lost", lost))
    result = cli("--format", "sarif")
    assert result.exit_code == 2
    assert f"rule PF904 (lost-rule) failed on .: ValueError: {problem}" in result.stderr


def test_a_symlink_named_and_also_met_in_the_walk_is_linted(
    cli: Cli, project: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "lens.toml", LENS)
    (project / "ext").symlink_to(elsewhere)
    result = cli("--format", "json", ".", "ext")
    assert result.exit_code == 1, result.stderr
    assert _projects(result) == ["../elsewhere", "."]


def test_an_exclude_never_takes_the_manifest_away(cli: Cli, project: Path) -> None:
    write(project / "lens.toml", LENS + '\n[lint]\nexclude = ["*.toml"]\n')
    found = findings(cli("--format", "json", "--select", "LN001,BG001"))
    assert [f["code"] for f in found] == ["BG001"]


def test_command_line_excludes_are_relative_to_the_working_directory(
    cli: Cli, project: Path
) -> None:
    write(project / "services/a/lens.toml", LENS)
    write(project / "services/a/x/lens.toml", LENS)
    write(project / "x/lens.toml", LENS)
    # "/x/" is the working directory's x, not every project's.
    assert _projects(cli("--format", "json", "--exclude", "/x/")) == [
        ".",
        "services/a",
        "services/a/x",
    ]


def test_a_pyproject_exclude_drops_a_project_below_it_from_any_path(
    cli: Cli, project: Path
) -> None:
    write(project / "services/pyproject.toml", '[tool.mllint-wa]\nexclude = ["b/"]\n')
    write(project / "services/a/lens.toml", LENS)
    write(project / "services/b/lens.toml", LENS)
    assert _projects(cli("--format", "json")) == [".", "services/a"]
    assert _projects(cli("--format", "json", "services")) == ["services/a"]


# -- the manifest is never excluded; a PATH lints its own project only ------------------------


@pytest.mark.parametrize(
    "how",
    [
        ["--exclude", "*.toml"],
        ["--exclude", "*"],
        ["--exclude", "**/***"],
        ["--config", "settings.toml"],
        [".gitignore"],
    ],
)
def test_no_exclude_pattern_hides_the_manifest(cli: Cli, project: Path, how: list[str]) -> None:
    write(project / "settings.toml", 'exclude = ["lens.toml"]\n')
    write(project / ".gitignore", "lens.toml\n" if how == [".gitignore"] else "")
    args = [] if how == [".gitignore"] else how
    result = cli("--format", "json", "--select", "PF,LN001", *args)
    assert result.exit_code == 1
    assert {f["code"] for f in findings(result)} == {"PF001", "PF007", "PF008", "PF009", "PF010"}
    assert json.loads(result.stdout)["projects"][0]["manifest"] == "lens.toml"


def test_a_folder_without_a_manifest_reports_its_project_not_the_sibling_projects(
    cli: Cli, project: Path
) -> None:
    write(project / "a" / "lens.toml", LENS)
    write(project / "b" / "lens.toml", LENS)
    write(project / "c" / "x.py", "")
    for path in ("c", "c/x.py"):
        result = cli("--format", "json", "--select", "BG001", path)
        assert _projects(result) == ["."]
        assert [f["path"] for f in findings(result)] == ["lens.toml"]


def test_a_pyproject_linked_out_of_the_tree_is_not_read(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "outside.toml", '[tool.mllint-wa]\nignore = ["ALL"]\nfail-on = "none"\n')
    project = tmp_path / "plain"
    write(project / "lens.toml", LENS)
    (project / "pyproject.toml").symlink_to("../outside.toml")
    result = cli("--select", "BG001,LN008", cwd=project)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "lens.toml:9:1: BG001 [high] `business.goal` is only a placeholder: state the business"
        " problem and the change wanted",
        "pyproject.toml:1:1: LN008 [low] `pyproject.toml` was not linted: symlink points outside"
        " the project",
    ]


def test_a_pattern_matching_the_named_path_does_not_drop_its_project(
    cli: Cli, project: Path, tmp_path: Path
) -> None:
    write(project / "vendor" / "lens.toml", LENS)
    for pattern in ("*", "repo/", "/repo"):
        result = cli("--format", "json", "--exclude", pattern, "repo", cwd=tmp_path)
        assert _projects(result) == ["repo"]
        assert result.exit_code == 1


# What a command loads: those that lint nothing read no project file, so they need no parser,
# no evidence and no check (the rules they describe come from mllint_wa/data/rules.json), and
# none of the libraries that only some runs need: importlib.metadata when no installed
# distribution declares a plugin, importlib.resources, hashlib (for fingerprints), packaging.
_LOADED = """
import json, sys
from mllint_wa.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    code = done.code
prefixes = ("mllint_wa.parsers", "mllint_wa.evidence", "mllint_wa.checks", "ruamel", "hcl2",
            "lark", "tree_sitter", "importlib.metadata", "importlib.resources", "hashlib",
            "packaging")
sys.stderr.write(json.dumps([code, sorted(m for m in sys.modules if m.startswith(prefixes))]))
"""


@pytest.mark.parametrize(
    "command",
    [
        ["--version"],
        ["rules"],
        ["rules", "--format", "json"],
        ["rules", "--format", "markdown"],
        ["explain", "MD002"],
        ["explain", "hardcoded-secret"],
        ["schema"],
        ["export-lens"],
    ],
    ids=" ".join,
)
def test_a_command_that_lints_nothing_imports_no_parser_evidence_or_check(command: list[str]):
    assert not may_declare_entry_points(ENTRY_POINT_GROUP), "a plugin is installed here"
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, *command], capture_output=True, text=True, check=False
    )
    assert json.loads(done.stderr) == [0, []]
    assert done.stdout


def test_a_lint_run_imports_the_parsers_it_needs(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import numpy\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, "--exit-zero", "-q", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    code, loaded = json.loads(done.stderr)
    assert code == 0
    assert "mllint_wa.parsers.python_code" in loaded


def test_a_lint_run_imports_the_checks_of_the_rules_that_run_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLLINT_WA_NO_CACHE")
    write(tmp_path / "repo" / "lens.toml", LENS)
    write(tmp_path / "repo" / "train.py", "import numpy\n")

    def loaded() -> list[str]:
        cache = tmp_path / "cache"
        arguments = ["--select", "BG001", "--cache-dir", str(cache), str(tmp_path / "repo")]
        done = subprocess.run(
            [sys.executable, "-c", _LOADED, *arguments], capture_output=True, text=True, check=False
        )
        code, names = json.loads(done.stderr)
        assert code == 1
        return list(names)

    def checks(names: list[str]) -> list[str]:
        return [name for name in names if name.startswith("mllint_wa.checks.")]

    assert checks(loaded()) == ["mllint_wa.checks.business"]
    # The second run takes the findings from the cache: no rule runs, no check is imported,
    # and looking for the repository's CI files imports none of the parsers that read them.
    warm = loaded()
    assert checks(warm) == []
    parsers = {"mllint_wa.parsers.ci", "mllint_wa.parsers.shell", "mllint_wa.parsers.dockerfile"}
    assert parsers.isdisjoint(warm)
