"""Hostile text: inputs whose reading used to grow with the square of their size.

Each reproduction is fed as it was found and the test asserts what is read from it:
patterns that rescanned a long run of blanks from each of its characters (a Markdown
heading, a requirement, a Dockerfile directive) or the rest of a command from each of its
`curl` words; position look-ups that scanned a list per finding; Terraform that python-hcl2
would spend minutes on. Then every regular expression of the package is run over long runs
of what makes a pattern retry, and must find there what it finds on short ones.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mllint_wa
from conftest import Linter
from mllint_wa.evidence import ParseError
from mllint_wa.parsers.ci import MAX_JENKINSFILE
from mllint_wa.parsers.dockerfile import (
    MAX_SUBSTITUTED,
    parse_dockerfile,
    stage_user,
    substitute,
)
from mllint_wa.parsers.markdown import Heading, parse_markdown
from mllint_wa.parsers.requirements import parse_requirements
from mllint_wa.parsers.shell import RemoteScript, remote_scripts
from mllint_wa.parsers.terraform import MAX_LINES, MAX_TOKENS, parse_terraform
from trees import write_files

BLANKS = " " * 100_000
CURLS = "curl " * 20_000


# -- Patterns that rescanned a run from each of its characters --------------------------------


def test_a_heading_followed_by_a_long_run_of_blanks_keeps_its_text() -> None:
    document = parse_markdown(
        f"# Intended use{BLANKS}x\n## Limitations{BLANKS}\n### Uses ##{BLANKS}\n"
    )
    assert document.headings == (
        Heading(f"Intended use{BLANKS}x", 1, 1),
        Heading("Limitations", 2, 2),
        Heading("Uses", 3, 3),
    )


def test_heading_markup_that_never_closes_is_heading_text() -> None:
    unclosed = "[" * 50_000 + "[a](" * 10_000 + "<!--" * 20_000
    document = parse_markdown(f"# {unclosed}\n## [Intended use](#use) <!-- draft -->\n")
    assert document.headings == (Heading(unclosed, 1, 1), Heading("Intended use", 2, 2))


def test_a_requirement_among_long_runs_of_blanks_is_read() -> None:
    requirements = parse_requirements(
        f"{BLANKS}numpy==1.26.4{BLANKS}--hash=sha256:{'a' * 64}{BLANKS}# pinned\n"
        f"pandas{BLANKS};{BLANKS}python_version > '3.9'\n"
        f"-r{BLANKS}base.txt\n"
    )
    assert [(d.name, d.line, d.column, d.pinned) for d in requirements.requirements] == [
        ("numpy", 1, len(BLANKS) + 1, True),
        ("pandas", 2, 1, False),
    ]
    assert [(i.kind, i.target, i.line) for i in requirements.includes] == [
        ("requirement", "base.txt", 3)
    ]


def test_dockerfile_directives_followed_by_a_long_run_of_blanks() -> None:
    dockerfile = parse_dockerfile(
        f"# syntax=docker/dockerfile:1{BLANKS}x\n"
        f"# escape=`{BLANKS}\n"
        "FROM python:3.12\n"
        "RUN pip install `\n"
        "    numpy\n"
    )
    assert [(i.keyword, i.value, i.line) for i in dockerfile.instructions] == [
        ("FROM", "python:3.12", 3),
        ("RUN", "pip install     numpy", 4),
    ]


def test_an_invalid_escape_directive_before_a_long_run_of_blanks_is_refused() -> None:
    with pytest.raises(ParseError) as refused:
        parse_dockerfile(f"# escape=a{BLANKS}\nFROM python:3.12\n")
    assert (refused.value.message, refused.value.line) == (
        "has an invalid escape directive 'a' (use \\ or `)",
        1,
    )


def test_a_run_of_unclosed_variables_substitutes_nothing() -> None:
    unclosed = "${TAG:-" * 20_000
    assert substitute(unclosed, {"TAG": "3.12"}) == unclosed
    assert substitute(unclosed + "${TAG}", {"TAG": "3.12"}) == unclosed + "3.12"


def test_variables_that_would_add_more_than_the_bound_substitute_to_unknown() -> None:
    assert substitute("$A$A", {"A": "x" * (MAX_SUBSTITUTED // 2)}) == "x" * MAX_SUBSTITUTED
    assert substitute("$A$A$A", {"A": "x" * (MAX_SUBSTITUTED // 2)}) is None
    assert substitute("${A:-x}", {"A": "x" * (MAX_SUBSTITUTED + 1)}) is None
    long_default = "${B:-" + "x" * (MAX_SUBSTITUTED + 1) + "}"
    assert substitute(long_default, {}) == "x" * (MAX_SUBSTITUTED + 1)


def test_env_values_doubling_at_each_line_run_as_someone_unknown() -> None:
    # Each ENV is the one before it twice: the sixtieth would be 2**60 characters long.
    doubling = "".join(f"ENV A{index}=$A{index - 1}$A{index - 1}\n" for index in range(1, 60))
    dockerfile = parse_dockerfile(f"FROM python:3.12\nENV A0=app\n{doubling}USER $A3\n")
    assert stage_user(dockerfile, dockerfile.stages[0]).user == "app" * 8
    dockerfile = parse_dockerfile(f"FROM python:3.12\nENV A0=app\n{doubling}USER $A59\n")
    assert stage_user(dockerfile, dockerfile.stages[0]).state == "unknown"


def test_a_command_of_twenty_thousand_curl_words_is_read_once() -> None:
    assert remote_scripts(CURLS) == []
    assert remote_scripts(f"{CURLS}https://get.example.com | sh") == [
        RemoteScript(0, "curl … | sh", "get.example.com")
    ]


def test_substitutions_nested_twenty_thousand_deep_are_read_without_recursion() -> None:
    # Only the outermost download is bash's script; the others are arguments of curl.
    assert remote_scripts("bash <(curl " * 20_000) == [RemoteScript(7, "bash <(curl …)", None)]
    nested = "$(curl -fsSL https://x.example | sh; "
    assert remote_scripts(nested * 20_000) == [
        RemoteScript(2 + len(nested) * index, "curl … | sh", "x.example") for index in range(20_000)
    ]


def test_twenty_thousand_curl_words_in_a_script_and_a_workflow(
    lint: Linter, tmp_path: Path
) -> None:
    repo = write_files(
        tmp_path,
        {
            "install.sh": f"#!/bin/sh\n{CURLS}https://get.example.com | sh\n",
            ".github/workflows/ci.yml": (
                "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                f"      - run: {CURLS}\n      - run: {CURLS}| bash\n"
            ),
        },
    )
    assert lint(repo, "MD032", "LN009") == [
        ("MD032", "remote-script-piped-to-shell", ".github/workflows/ci.yml", 7, 14),
        ("MD032", "remote-script-piped-to-shell", "install.sh", 2, 1),
    ]
    assert lint.messages(repo, "MD032") == [
        "`curl … | bash` runs a script downloaded from the network without checking it",
        "`curl … | sh` runs a script downloaded from `get.example.com` without checking it",
    ]


def test_a_jenkinsfile_of_unclosed_comments_and_spaced_steps(lint: Linter, tmp_path: Path) -> None:
    unclosed_comments = "/* " * 20_000
    repo = write_files(
        tmp_path,
        {
            "Jenkinsfile": (
                "pipeline {\n  stages {\n    stage('a') {\n      steps {\n"
                f"        sh{BLANKS}\n"
                f"        sh ({BLANKS}'curl -fsSL https://get.example.com | sh')\n"
                "        // sh 'curl -fsSL https://commented.example.com | sh'\n"
                f"{unclosed_comments}\n"
                "        sh 'wget -qO- https://after.example.com | bash'\n"
                "      }\n    }\n  }\n}\n"
            )
        },
    )
    assert lint(repo, "MD032", "LN009") == [
        ("MD032", "remote-script-piped-to-shell", "Jenkinsfile", 6, len(BLANKS) + 14),
        ("MD032", "remote-script-piped-to-shell", "Jenkinsfile", 9, 13),
    ]


def test_a_jenkinsfile_beyond_its_bound_is_reported_and_what_ci_runs_is_unknown(
    lint: Linter, tmp_path: Path
) -> None:
    step = "sh 'wget -qO- https://get.example.com | bash'\n"
    repo = write_files(
        tmp_path,
        {
            "large/Jenkinsfile": step * (MAX_JENKINSFILE // len(step) + 1),
            "within/Jenkinsfile": step * (MAX_JENKINSFILE // len(step)),
        },
    )
    found = lint(repo, "MD032", "LN009")
    assert found[0] == ("LN009", "unparseable-file", "large/Jenkinsfile", 1, 1)
    assert {row[:3] for row in found[1:]} == {
        ("MD032", "remote-script-piped-to-shell", "within/Jenkinsfile")
    }
    assert len(found) == 1 + MAX_JENKINSFILE // len(step)


# -- Position look-ups that scanned a list per finding ----------------------------------------


def test_a_script_with_a_finding_on_each_of_twenty_thousand_lines(
    lint: Linter, tmp_path: Path
) -> None:
    repo = write_files(
        tmp_path, {"install.sh": "curl -fsSL https://get.example.com | sh\n" * 20_000}
    )
    found = lint(repo, "MD032")
    assert len(found) == 20_000
    assert found[0] == ("MD032", "remote-script-piped-to-shell", "install.sh", 1, 1)
    assert found[-1] == ("MD032", "remote-script-piped-to-shell", "install.sh", 20_000, 1)


def test_a_run_instruction_continued_over_five_thousand_lines(lint: Linter, tmp_path: Path) -> None:
    repo = write_files(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.12\nUSER app\nRUN true \\\n"
            + "    && curl -fsSL https://get.example.com | sh \\\n" * 5_000
            + "    && true\n"
        },
    )
    found = lint(repo, "MD032")
    assert len(found) == 5_000
    assert found[0] == ("MD032", "remote-script-piped-to-shell", "Dockerfile", 4, 8)
    assert found[-1] == ("MD032", "remote-script-piped-to-shell", "Dockerfile", 5_003, 8)


# -- Terraform that python-hcl2 would spend minutes on ----------------------------------------

BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "ml-data"\n'


def test_an_unclosed_heredoc_is_unparseable_at_its_line(lint: Linter, tmp_path: Path) -> None:
    repo = write_files(
        tmp_path,
        {"main.tf": BUCKET + "  policy = <<-POLICY\n" + " \n" * (MAX_LINES - 10)},
    )
    assert lint(repo, "LN009", "DP") == [("LN009", "unparseable-file", "main.tf", 3, 12)]
    assert lint.messages(repo, "LN009", "DP") == [
        "`main.tf` has a heredoc `<<-POLICY` that is never closed"
    ]


def test_a_terraform_file_of_too_many_lines_is_reported_once_and_not_read(
    lint: Linter, tmp_path: Path
) -> None:
    # An unclosed heredoc followed by 60,000 short lines: 120 KB.
    repo = write_files(tmp_path, {"main.tf": BUCKET + "  policy = <<EOT\n" + " \n" * 60_000})
    assert lint(repo, "LN009", "DP") == [("LN009", "unparseable-file", "main.tf", MAX_LINES + 1, 1)]
    assert lint.messages(repo, "LN009", "DP") == [
        "`main.tf` has more than 10,000 lines: a Terraform file is read up to that length"
    ]


def test_a_terraform_file_of_four_mebibytes_is_reported_once_and_not_read(
    lint: Linter, tmp_path: Path
) -> None:
    bucket = 'resource "aws_s3_bucket" "b{0}" {{\n  bucket = "name-{0}"\n}}\n'
    text = "".join(bucket.format(index) for index in range(80_000))
    repo = write_files(tmp_path, {"main.tf": text[: 4 * 1024 * 1024]})
    assert lint(repo, "LN009", "DP") == [("LN009", "unparseable-file", "main.tf", 1, 1)]
    assert lint.messages(repo, "LN009", "DP") == [
        "`main.tf` is larger than 256 KiB: a Terraform file is read up to that size"
    ]


@pytest.mark.parametrize(
    "dense",
    [
        # 254 KiB on one line: python-hcl2 spent five seconds on its 260,000 tokens.
        "a = [" + ",".join("1" for _ in range(130_000)) + "]\n",
        # As many in one interpolation: a string's code counts as code.
        'a = "${' + "+".join("1" for _ in range(130_000)) + '}"\n',
    ],
    ids=["tuple", "interpolation"],
)
def test_a_terraform_file_of_too_many_tokens_is_reported_once_and_not_read(
    lint: Linter, tmp_path: Path, dense: str
) -> None:
    repo = write_files(tmp_path, {"main.tf": BUCKET + "}\n" + dense})
    assert lint(repo, "LN009", "DP") == [("LN009", "unparseable-file", "main.tf", 1, 1)]
    assert lint.messages(repo, "LN009", "DP") == [
        f"`main.tf` has more than {MAX_TOKENS:,} tokens (names, numbers, operators, strings, "
        "line ends): a Terraform file is read up to that many"
    ]


def test_a_configuration_as_long_as_terraform_files_are_read_is_within_the_tokens() -> None:
    bucket = (
        'resource "aws_s3_bucket" "b{0}" {{\n  bucket = "name-{0}"\n'
        '  tags = {{ Name = "x", Env = var.env }}\n}}\n\n'
    )
    text = "".join(bucket.format(index) for index in range(MAX_LINES // 5 - 1))
    assert text.count("\n") + 1 > MAX_LINES - 10
    assert len(parse_terraform(text).blocks) == MAX_LINES // 5 - 1


def test_comments_and_strings_count_as_one_token_each() -> None:
    # 120,000 words, which python-hcl2 reads as 2,000 comments and one string.
    comments = ("#" + " a" * 30 + "\n") * 2_000
    text = comments + 'description = "' + "a " * 60_000 + '"\n'
    assert parse_terraform(text).blocks == ()


def test_heredoc_markers_in_strings_and_comments_open_nothing() -> None:
    parsed = parse_terraform(
        "# policy = <<EOT\n"
        "// policy = <<EOT\n"
        "/* policy = <<EOT\n*/\n"
        'resource "aws_s3_bucket" "data" {\n'
        '  bucket = "<<EOT"\n'
        "  policy = <<-EOT\r\n"
        "    {}\r\n"
        "    EOT\r\n"
        "}\n"
    )
    (bucket,) = parsed.blocks
    assert (bucket.type, bucket.labels, bucket.line) == ("resource", ("aws_s3_bucket", "data"), 5)
    assert {name: attribute.value.value for name, attribute in bucket.attributes.items()} == {
        "bucket": "<<EOT",
        "policy": "{}\r\n",
    }


def test_a_heredoc_closed_on_the_last_line_is_read() -> None:
    parsed = parse_terraform("locals {\n  script = <<EOT\necho hi\nEOT\n}")
    (block,) = parsed.blocks
    assert block.attributes["script"].value.value == "echo hi\n"


# -- Every pattern of the package -------------------------------------------------------------

# What makes a pattern retry: runs of words a pattern starts at (a download, a placeholder,
# a link, a comment), of constructs that are never closed, and of blanks and line ends after
# the words some patterns need first (a `#`, a step name). Each run ends in a character
# nothing expects.
UNITS = (
    " ", "\t", "\n", "\r\n", " \n", "a ", "aA", "0", "0.", "=", ":", "/", '"', "'", "`", "# ",
    "%", "?", "(", "[", "[a](", "${", "${a:-", "<<", "<!--", "/* ", "\\\n", '"\\', "curl ",
    "sh ", "aws_sagemaker_", "endpoint/", "mllint-wa:", "only: [", "- schedules ",
)  # fmt: skip
HEADS = (
    "# a", "# a=a", "%a ", "a = ", "sh", "image", "load", "_target_", "CI_PIPELINE_SOURCE",
    "manual",
)  # fmt: skip
RUNS = [("", unit) for unit in UNITS] + [(head, unit) for head in HEADS for unit in " \n"]
TAIL = "\x00"
SHORT = 420  # repetitions: a multiple of every period up to 7, beyond any bounded repeat
LONG_CHARACTERS = 40_000  # where a quadratic pattern takes minutes
_METHODS = frozenset(
    {"match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split"}
)
_ANCHORED = frozenset({"match", "fullmatch"})


@dataclasses.dataclass(frozen=True)
class Use:
    """A pattern of the package, where it is defined, and whether it is only ever matched
    at a start (``match``/``fullmatch``) rather than searched for."""

    where: str
    pattern: re.Pattern[Any]
    anchored: bool


def _package_patterns() -> list[Use]:
    sources = {
        info.name: Path(importlib.import_module(info.name).__file__ or "")
        for info in pkgutil.walk_packages(mllint_wa.__path__, "mllint_wa.")
        if not info.name.endswith("__main__")
    }
    trees = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in sources.items()}
    methods: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in _METHODS:
                name = node.value.id if isinstance(node.value, ast.Name) else None
                if name is not None:
                    methods.setdefault(name, set()).add(node.attr)
    found: dict[tuple[Any, int], Use] = {}
    for module_name, tree in trees.items():
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            anchored = bool(methods.get(name)) and methods[name] <= _ANCHORED
            for where, pattern in _patterns_in(value, f"{module_name}.{name}"):
                found.setdefault((pattern.pattern, pattern.flags), Use(where, pattern, anchored))
        for where, pattern, anchored in _literal_patterns(tree, module_name):
            found.setdefault((pattern.pattern, pattern.flags), Use(where, pattern, anchored))
    return sorted(found.values(), key=lambda use: use.where)


def _patterns_in(
    value: object, where: str, depth: int = 0
) -> Iterator[tuple[str, re.Pattern[Any]]]:
    """The patterns a module-level value is or holds (in tuples, lists, dicts, dataclasses).
    The file-kind globs are left out: fnmatch writes them, to match one file name each."""
    if isinstance(value, re.Pattern):
        if not (isinstance(value.pattern, str) and value.pattern.startswith("(?s:")):
            yield where, value
    elif depth < 3 and isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            yield from _patterns_in(item, f"{where}[{index}]", depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for key, item in value.items():
            yield from _patterns_in(item, f"{where}[{key!r}]", depth + 1)
    elif depth < 3 and dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _patterns_in(getattr(value, field.name), f"{where}.{field.name}", depth + 1)


def _literal_patterns(tree: ast.Module, module: str) -> Iterator[tuple[str, re.Pattern[Any], bool]]:
    """Patterns written inline: ``re.search(r"…", text)`` and the like."""
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in _METHODS | {"compile"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, (str, bytes))
        ):
            continue
        flags = [keyword.value for keyword in node.keywords if keyword.arg == "flags"]
        if node.func.attr == "compile" and len(node.args) > 1:
            flags.append(node.args[1])
        value = 0
        for flag in flags:  # re.S, re.IGNORECASE | re.MULTILINE, …
            for name in ast.walk(flag):
                if isinstance(name, ast.Attribute):
                    value |= getattr(re, name.attr)
        pattern = re.compile(node.args[0].value, value)
        yield f"{module}:{node.lineno}", pattern, node.func.attr in _ANCHORED


PATTERNS = _package_patterns()


def _shapes(use: Use, head: str, unit: str, count: int) -> set[tuple[object, object]]:
    """Where the pattern's matches start and end, relative to the run: in the head (at an
    offset), in the run (at an offset within the repeated unit) or in the tail. Matches deep
    inside a long run repeat those near its ends, and are not placed one by one."""
    text = head + unit * count + TAIL
    run_end = len(head) + len(unit) * count
    near = len(unit) * SHORT

    def place(offset: int) -> tuple[str, int]:
        if offset < len(head):
            return "head", offset
        if offset <= run_end:
            return "run", (offset - len(head)) % len(unit)
        return "tail", offset - run_end

    subject: Any = text.encode() if isinstance(use.pattern.pattern, bytes) else text
    found = [use.pattern.match(subject)] if use.anchored else use.pattern.finditer(subject)
    spans = [match.span() for match in found if match is not None]
    return {
        (place(start), place(end))
        for start, end in spans
        if start < len(head) + near or end > run_end - near
    }


def test_the_sweep_finds_the_package_patterns() -> None:
    wheres = {use.where for use in PATTERNS}
    assert {
        "mllint_wa.parsers.markdown._ATX",
        "mllint_wa.parsers.shell._PLAIN",
        "mllint_wa.parsers.dockerfile._DIRECTIVE",
    } <= wheres
    assert any(where.endswith("MODEL_CARD_SECTIONS[0].pattern") for where in wheres)
    assert any(where.startswith("mllint_wa.inline:") for where in wheres)
    assert len(PATTERNS) > 100


@pytest.mark.parametrize("use", PATTERNS, ids=[use.where for use in PATTERNS])
def test_every_pattern_finds_on_a_long_run_what_it_finds_on_a_short_one(use: Use) -> None:
    """A pattern that rescans a run from each of its characters takes minutes here, and one
    whose result depends on the run's length is wrong on one of them."""
    for head, unit in RUNS:
        long = SHORT * max(1, LONG_CHARACTERS // (SHORT * len(unit)))
        assert _shapes(use, head, unit, long) == _shapes(use, head, unit, SHORT), (head, unit)
