"""The CI formats: SARIF for code scanning, GitHub annotations, GitLab Code Quality."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from mllint_wa.cli import main
from mllint_wa.model import Finding, Rule, Stage, fingerprint
from mllint_wa.registry import lookup
from mllint_wa.report import ReportOptions, render
from mllint_wa.runner import ProjectReport, RuleFailure, RunResult

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
LENS_WITH_GAPS = 'schema_version = 1\n\n[project]\nname = "p"\n\n[business]\ngoal = "TODO"\n'
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "churn-predictor"


def rule(code: str) -> Rule:
    found = lookup(code)
    assert found is not None
    return found


def finding(code: str, path: str, line: int, column: int, message: str) -> Finding:
    return Finding(
        rule=rule(code),
        path=path,
        line=line,
        column=column,
        message=message,
        project=".",
        fingerprint=fingerprint(code, path, "", message),
    )


def run_result(*findings: Finding, errors: tuple[RuleFailure, ...] = ()) -> RunResult:
    return RunResult(
        projects=[ProjectReport(root=".", manifest="lens.toml", stage=Stage.DEVELOPMENT)],
        findings=list(findings),
        failing=list(findings),
        errors=list(errors),
    )


def sarif(result: RunResult) -> dict[str, object]:
    document: dict[str, object] = json.loads(render("sarif", result, ReportOptions()))
    return document


def test_sarif_of_the_example_is_valid_against_the_official_schema(monkeypatch) -> None:
    monkeypatch.chdir(EXAMPLE)
    output = CliRunner().invoke(main, ["--format", "sarif"]).stdout
    document = json.loads(output)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft4Validator(SARIF_SCHEMA).iter_errors(document)
    ]
    assert errors == []
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    # GitHub's profile on top of the schema: every result points at its own rule, has one
    # location with a relative forward-slash URI, and every rule has its descriptions.
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        # From the repository root, whichever folder mllint-wa ran in.
        assert uri.startswith("examples/churn-predictor/")
        assert result["partialFingerprints"]["mllintWa/v1"]
    for descriptor in rules:
        assert descriptor["shortDescription"]["text"] and descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"] and len(descriptor["properties"]["tags"]) <= 20
    assert [r["id"] for r in rules] == sorted({r["ruleId"] for r in run["results"]})


def test_sarif_levels_locations_and_uris() -> None:
    path = "data dir/caf" + b"\xe9".decode("utf-8", "surrogateescape") + ".csv"
    document = sarif(
        run_result(
            finding("BG001", "svc/lens.toml", 4, 1, "goal"),
            finding("BG003", "svc/lens.toml", 5, 7, "requirements"),
            finding("LN008", path, 1, 1, "unreadable"),
        )
    )
    results = document["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("BG001", "error"),
        ("BG003", "warning"),
        ("LN008", "note"),
    ]
    region = results[1]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 5, "startColumn": 7}
    uri = results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "data%20dir/caf%E9.csv"
    assert document["runs"][0]["columnKind"] == "unicodeCodePoints"
    assert document["runs"][0]["invocations"] == [
        {"executionSuccessful": True, "toolExecutionNotifications": []}
    ]


def test_sarif_of_a_run_with_a_failed_rule_says_so() -> None:
    failure = RuleFailure("rule PF901 (x) failed on .: RuntimeError: kaboom", "Traceback …")
    document = sarif(run_result(errors=(failure,)))
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": failure.message}}
    ]
    assert not list(Draft4Validator(SARIF_SCHEMA).iter_errors(document))


def test_github_annotations_escape_what_the_runner_would_parse() -> None:
    out = render(
        "github",
        run_result(
            finding("BG001", "dir,x/a:b.toml", 3, 1, "50% done; next: a,b"),
            finding("BG013", "lens.toml", 9, 2, "sustainability"),
        ),
        ReportOptions(),
    )
    assert out.splitlines() == [
        "::error file=dir%2Cx/a%3Ab.toml,line=3,col=1,"
        "title=BG001 missing-business-goal::50%25 done; next: a,b",
        "::notice file=lens.toml,line=9,col=2,"
        "title=BG013 missing-sustainability-goal::sustainability",
        "Found 2 findings (1 high, 1 low).",
    ]
    quiet = render("github", run_result(), ReportOptions(quiet=True))
    assert quiet == ""


def test_ci_formats_name_odd_files_by_their_own_path_and_print_messages_on_one_line() -> None:
    path = "new\nline/50%,a:b\tc.toml"
    odd = run_result(finding("BG001", path, 1, 1, f"`{path}` is odd"))
    (annotation, _) = render("github", odd, ReportOptions()).split("\n", 1)
    # The runner unescapes %0A, %25, %2C and %3A in `file`, and gets the path back.
    assert annotation == (
        "::error file=new%0Aline/50%25%2Ca%3Ab\tc.toml,line=1,col=1,"
        "title=BG001 missing-business-goal::`new\\nline/50%25,a:b\\tc.toml` is odd"
    )
    (issue,) = json.loads(render("gitlab", odd, ReportOptions()))
    assert issue["location"]["path"] == path
    assert (
        issue["description"] == "BG001 missing-business-goal: `new\\nline/50%,a:b\\tc.toml` is odd"
    )
    result = sarif(odd)["runs"][0]["results"][0]
    assert result["message"]["text"] == "`new\\nline/50%,a:b\\tc.toml` is odd"
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "new%0Aline/50%25%2Ca%3Ab%09c.toml"


def test_a_non_utf8_file_name_is_kept_where_the_format_can_hold_it() -> None:
    path = "caf" + b"\xe9".decode("utf-8", "surrogateescape") + ".toml"
    odd = run_result(finding("BG001", path, 3, 2, "odd"))
    # Actions decodes its log as UTF-8: no `file` can name this file, so the annotation
    # goes on the run and the message says where.
    (annotation, _) = render("github", odd, ReportOptions()).split("\n", 1)
    assert annotation == "::error title=BG001 missing-business-goal::caf\\xe9.toml:3:2: odd"
    # JSON keeps the byte as a \udce9 escape, as --format json does.
    assert '"path": "caf\\udce9.toml"' in render("gitlab", odd, ReportOptions())
    uri = sarif(odd)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"] == "caf%E9.toml"


def test_ci_formats_use_the_path_from_the_repository_root() -> None:
    found = Finding(
        rule=rule("BG001"),
        path="lens.toml",
        line=2,
        column=1,
        message="goal",
        project=".",
        fingerprint="f",
        repository_path="services/churn/lens.toml",
    )
    run = run_result(found)
    assert "file=services/churn/lens.toml," in render("github", run, ReportOptions())
    (issue,) = json.loads(render("gitlab", run, ReportOptions()))
    assert issue["location"]["path"] == "services/churn/lens.toml"
    location = sarif(run)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "services/churn/lens.toml"
    assert "lens.toml:2:1: BG001" in render("text", run, ReportOptions())


def test_gitlab_code_quality_issues() -> None:
    out = render(
        "gitlab",
        run_result(finding("BG003", "svc/lens.toml", 5, 7, "requirements")),
        ReportOptions(),
    )
    found = finding("BG003", "svc/lens.toml", 5, 7, "requirements")
    assert json.loads(out) == [
        {
            "description": "BG003 missing-business-requirements: requirements",
            "check_name": "BG003",
            "fingerprint": found.fingerprint,
            "severity": "minor",
            "location": {"path": "svc/lens.toml", "lines": {"begin": 5}},
        }
    ]
    assert json.loads(render("gitlab", run_result(), ReportOptions())) == []


@pytest.mark.parametrize("fmt", ["sarif", "github", "gitlab"])
def test_every_ci_format_is_chosen_from_the_command_line(monkeypatch, fmt: str) -> None:
    monkeypatch.chdir(EXAMPLE)
    result = CliRunner().invoke(main, ["--format", fmt, "--select", "BG004"])
    assert result.exit_code == 1
    assert "BG004" in result.stdout


# -- property: every path a CI format prints names the file that was linted --------------------

# Folder and file names a repository can hold on Linux: newlines, tabs, "%", ":" and ","
# (which the Actions runner unescapes), control characters, spaces, unicode, and bytes that
# are not UTF-8 (as Python hands them out, surrogate-escaped). No letter set that could spell
# a folder the walk skips (.git, venv, node_modules, …).
_NAME_CHARS = st.sampled_from(
    [*"ab %:,.#=-'\"[]\\\t\n\r\x01\x1b\x7féß😀\u2028\x85", "%0A", "%25", "%2C"]
)
_NON_UTF8 = st.lists(st.integers(0x80, 0xFF), min_size=1, max_size=2).map(
    lambda raw: bytes(raw).decode("utf-8", "surrogateescape")
)
NAMES = (
    st.lists(st.one_of(_NAME_CHARS, _NON_UTF8), min_size=1, max_size=6)
    .map("".join)
    # As the file system hands the name back (bytes that happen to be UTF-8 are text).
    .map(lambda name: os.fsdecode(os.fsencode(name)))
    .filter(lambda name: name not in (".", ".."))
)


def _unescape_property(value: str) -> str:
    # What the Actions runner does to a property value (the inverse of escapeProperty).
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


def _github_files(out: str) -> list[str | None]:
    files: list[str | None] = []
    # The runner splits its log on \n (and \r, which never appears unescaped).
    for line in out.split("\n"):
        if line.startswith("::"):
            properties = dict(
                p.split("=", 1) for p in line[2:].split("::", 1)[0].split(" ", 1)[1].split(",")
            )
            files.append(_unescape_property(properties["file"]) if "file" in properties else None)
    return files


def _paths(fmt: str, out: str) -> list[str | None]:
    """Every finding's path, as the CI system reads it (None: a finding with no file)."""
    if fmt == "github":
        return _github_files(out)
    if fmt == "gitlab":
        return [issue["location"]["path"] for issue in json.loads(out)]
    results = json.loads(out)["runs"][0]["results"]
    return [
        os.fsdecode(
            unquote_to_bytes(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        )
        for r in results
    ]


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@settings(max_examples=40, deadline=None)
@given(
    folder=NAMES,
    link=NAMES,
    fmt=st.sampled_from(["github", "gitlab", "sarif"]),
    in_submodule=st.booleans(),
    from_above=st.booleans(),
)
def test_every_ci_path_names_the_linted_file(
    folder: str, link: str, fmt: str, in_submodule: bool, from_above: bool
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "repo"
        (repo / ".git").mkdir(parents=True)
        project = repo / folder
        if in_submodule:
            # As `git submodule add` leaves it: a .git file naming .git/modules/<name>.
            (repo / ".git" / "modules" / "sub").mkdir(parents=True)
            project = repo / "libs" / folder
            project.mkdir(parents=True)
            (project / ".git").write_text("gitdir: ../../.git/modules/sub\n", encoding="utf-8")
        project.mkdir(parents=True, exist_ok=True)
        (project / "lens.toml").write_text(LENS_WITH_GAPS, encoding="utf-8")
        # A link to nowhere: LN008 reports it by its own (generated) name.
        (project / link).symlink_to("nowhere")
        expected = {project / "lens.toml", project / link}
        with _working_directory(repo.parent if from_above else project):
            result = CliRunner().invoke(main, ["--format", fmt, "--select", "BG001,LN008"])
        assert result.exit_code == 1, result.output
        paths = _paths(fmt, result.stdout)
        assert len(paths) == 2
        # What `file=` carries as it is: printable UTF-8, tabs and line breaks (escaped).
        plain = all(c.isprintable() or c in "\t\r\n" for c in folder + link)
        for path in paths:
            if path is None:
                # Only a name Actions cannot carry goes without a file.
                assert fmt == "github" and not plain
                continue
            # From the outermost working tree, whichever folder the command ran in.
            assert (repo / path).is_symlink() or (repo / path).is_file()
            assert repo / path in expected


def _lint_json(cwd: Path, *args: str) -> list[dict[str, object]]:
    with _working_directory(cwd):
        result = CliRunner().invoke(main, ["--format", "json", "--select", "BG001", *args])
    found: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return found


def _gitlab_paths(cwd: Path) -> list[str]:
    with _working_directory(cwd):
        result = CliRunner().invoke(main, ["--format", "gitlab", "--select", "BG001"])
    return [issue["location"]["path"] for issue in json.loads(result.stdout)]


def test_a_project_in_a_submodule_is_reported_from_the_superproject(tmp_path: Path) -> None:
    super_root = tmp_path / "super"
    (super_root / ".git" / "modules" / "libs" / "sub" / "modules" / "inner").mkdir(parents=True)
    sub = super_root / "libs" / "sub"
    inner = sub / "vendor" / "inner"
    inner.mkdir(parents=True)
    # What `git submodule update` leaves: .git files naming git dirs inside the superproject.
    (sub / ".git").write_text("gitdir: ../../.git/modules/libs/sub\n", encoding="utf-8")
    (inner / ".git").write_text(
        f"gitdir: {super_root}/.git/modules/libs/sub/modules/inner\n", encoding="utf-8"
    )
    for project in (sub, inner):
        (project / "lens.toml").write_text(LENS_WITH_GAPS, encoding="utf-8")
    assert _gitlab_paths(sub) == ["libs/sub/lens.toml", "libs/sub/vendor/inner/lens.toml"]
    assert _gitlab_paths(inner) == ["libs/sub/vendor/inner/lens.toml"]
    # Fingerprints hash the path from the outermost root: the same from anywhere.
    from_sub = [f["fingerprint"] for f in _lint_json(sub)]
    from_super = [f["fingerprint"] for f in _lint_json(super_root)]
    assert from_sub == from_super and len(set(from_sub)) == 2


def test_a_linked_worktree_is_its_own_root(tmp_path: Path) -> None:
    main_repo = tmp_path / "main"
    gitdir = main_repo / ".git" / "worktrees" / "feature"
    gitdir.mkdir(parents=True)
    # `git worktree add` writes commondir into the worktree's git dir; a submodule's has none.
    (gitdir / "commondir").write_text("../..\n", encoding="utf-8")
    worktree = main_repo / ".worktrees" / "feature"
    worktree.mkdir(parents=True)
    (worktree / ".git").write_text(f"gitdir: {gitdir}\n", encoding="utf-8")
    (worktree / "lens.toml").write_text(LENS_WITH_GAPS, encoding="utf-8")
    assert _gitlab_paths(worktree) == ["lens.toml"]


def test_a_submodule_without_its_superproject_is_its_own_root(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / ".git").write_text("gitdir: ../elsewhere/.git/modules/sub\n", encoding="utf-8")
    (sub / "lens.toml").write_text(LENS_WITH_GAPS, encoding="utf-8")
    assert _gitlab_paths(tmp_path) == ["lens.toml"]


def test_a_backslash_in_a_file_name_is_reported_like_any_other_character(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "lens.toml").write_text(LENS_WITH_GAPS, encoding="utf-8")
    (tmp_path / "back\\slash").symlink_to("nowhere")
    with _working_directory(tmp_path):
        result = CliRunner().invoke(main, ["--format", "gitlab", "--select", "LN008"])
    assert result.exit_code == 1, result.output
    assert [i["location"]["path"] for i in json.loads(result.stdout)] == ["back\\slash"]
