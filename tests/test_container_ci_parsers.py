"""The Dockerfile, CI-definition and shell readers: positions, variables, traps, robustness."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.ci import ci_definition, parse_jenkinsfile
from mllint_wa.parsers.ci_systems import GITLAB
from mllint_wa.parsers.dockerfile import (
    image_reference,
    parse_dockerfile,
    stage_user,
    substitute,
)
from mllint_wa.parsers.shell import Script, remote_scripts, runs_tests
from mllint_wa.parsers.yaml_doc import load_yaml

DIGEST = "sha256:" + "ab" * 32


def test_instructions_keep_their_line_across_continuations_comments_and_heredocs():
    dockerfile = parse_dockerfile(
        "# syntax=docker/dockerfile:1\n"
        "ARG TAG=3.12\n"
        "FROM python:${TAG}-slim AS build\n"
        "RUN apt-get update \\\n"
        "# a comment inside the continuation\n"
        "    && apt-get install -y git\n"
        "RUN <<EOF\n"
        "echo one\n"
        "EOF\n"
        '  CMD ["python", "-m", "app"]\n'
    )
    assert [(i.keyword, i.line, i.column) for i in dockerfile.instructions] == [
        ("ARG", 2, 1),
        ("FROM", 3, 1),
        ("RUN", 4, 1),
        ("RUN", 7, 1),
        ("CMD", 10, 3),
    ]
    run = dockerfile.instructions[2]
    assert run.value == "apt-get update     && apt-get install -y git"
    assert run.script.position(run.script.text.index("apt-get install")) == (6, 8)
    assert dockerfile.instructions[3].heredocs[0].body.text == "echo one"
    assert dockerfile.instructions[4].exec_form == ("python", "-m", "app")
    assert dockerfile.stages[0].image == "python:3.12-slim"
    assert dockerfile.stages[0].name == "build"


def test_escape_directive_changes_the_continuation_character():
    dockerfile = parse_dockerfile("# escape=`\nFROM alpine:3.20\nRUN echo a `\n    b\n")
    assert dockerfile.instructions[1].value == "echo a     b"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("RUN echo\nFROM alpine:3\n", 1, "has `RUN` before the first FROM"),
        ("FROM alpine:3\nRUN <<EOF\necho\n", 2, "has a heredoc `<<EOF` that is never closed"),
        ("FROM alpine:3\nFORM x\n", 2, "has an unknown instruction `FORM`"),
    ],
)
def test_broken_dockerfiles_are_parse_errors_at_their_line(text, line, message):
    with pytest.raises(ParseError) as error:
        parse_dockerfile(text)
    assert (error.value.line, error.value.message) == (line, message)


def test_variables_are_known_only_from_literal_defaults():
    assert substitute("python:${TAG}", {"TAG": "3.12"}) == "python:3.12"
    assert substitute("python:$TAG", {"TAG": None}) is None
    assert substitute("python:${TAG:-3.11}", {"TAG": None}) == "python:3.11"
    assert substitute("${BASE}", {}) is None


@pytest.mark.parametrize(
    ("reference", "mutable"),
    [
        ("python", "untagged"),
        ("python:latest", "latest"),
        ("registry:5000/team/app", "untagged"),
        ("python:3.12-slim", None),
        (f"python@{DIGEST}", None),
        (f"python:latest@{DIGEST}", None),
    ],
)
def test_image_references_are_mutable_without_a_version_or_digest(reference, mutable):
    parsed = image_reference(reference)
    assert parsed is not None and parsed.mutable_tag == mutable


def test_stage_user_follows_stages_and_stays_unknown_for_unset_arguments():
    dockerfile = parse_dockerfile(
        "FROM python:3.12 AS base\nUSER app\nFROM base AS final\nARG U\nUSER $U\n"
    )
    assert stage_user(dockerfile, dockerfile.stages[0]).state == "user"
    assert stage_user(dockerfile, dockerfile.stages[1]).state == "unknown"


def test_gitlab_scripts_keep_references_as_data_and_positions_per_line():
    text = (
        "include:\n  - template: Python.gitlab-ci.yml\n"
        "test:\n  image: python:3.12\n  script:\n"
        "    - !reference [.setup, script]\n"
        "    - |\n      pip install .\n      pytest -q\n"
    )
    definition = ci_definition(".gitlab-ci.yml", GITLAB, load_yaml(text), text)
    assert definition.opaque
    [command] = definition.commands
    assert command.script.text == "pip install .\npytest -q\n"
    assert command.script.position(command.script.text.index("pytest")) == (9, 7)
    assert [(i.image, i.line) for i in definition.images] == [("python:3.12", 4)]


def test_jenkinsfile_scripts_and_comments():
    definition = parse_jenkinsfile(
        "// sh 'curl https://a.example | sh'\n"
        "node {\n  /* sh 'ignored' */\n  sh \"pytest -q\"\n  sh '''\n    make test\n  '''\n}\n"
    )
    assert [c.script.text.strip() for c in definition.commands] == ["pytest -q", "make test"]
    assert definition.commands[0].script.position(0) == (4, 7)


@pytest.mark.parametrize(
    ("script", "shapes"),
    [
        ("curl -fsSL https://get.example.com | sh", ["curl … | sh"]),
        ("curl -s https://x.example 2>&1 | sudo -E bash -s --", ["curl … | bash"]),
        ("wget -qO- https://x.example/i.sh | python3 -", ["wget … | python3"]),
        ("bash <(curl -s https://codecov.io/bash)", ["bash <(curl …)"]),
        ('sh -c "$(curl -fsSL https://x.example/i.sh)"', ['sh -c "$(curl …)"']),
        ("# curl https://x.example | sh", []),
        ("curl -o i.sh https://x.example && sha256sum -c i.sha && sh i.sh", []),
        ("curl https://x.example/key.asc | gpg --dearmor -o key.gpg", []),
        ("curl https://x.example || sh fallback.sh", []),
        # Text that is printed, written, assigned or handed to a program as data
        ('echo "install: curl -fsSL https://x.example | sh"', []),
        ("printf '%s\\n' 'curl -fsSL https://x.example | bash'", []),
        ("HINT='curl -fsSL https://x.example | sh'", []),
        ("alias get='curl -fsSL https://x.example | sh'", []),
        ("cat <<EOF\ncurl -fsSL https://x.example | sh\nEOF\n", []),
        ("cat > i.sh <<'EOF'\n$(curl -fsSL https://x.example | sh)\nEOF\n", []),
        ("python3 <<EOF\nprint('curl https://x.example | sh')\nEOF\n", []),
        ("echo curl https://x.example | sh", []),
        ("curl https://x.example/v.json | python3 -c 'import json, sys; json.load(sys.stdin)'", []),
        ("curl https://x.example/i.sh | bash i.sh", []),
        ("command -v curl | sh", []),
        # What the shell runs all the same
        ('echo "$(curl -fsSL https://x.example | sh)"', ["curl … | sh"]),
        ("V=`curl -fsSL https://x.example | sh`", ["curl … | sh"]),
        ("cat <<EOF\n$(curl -fsSL https://x.example | sh)\nEOF\n", ["curl … | sh"]),
        ("bash <<EOF\ncurl -fsSL https://x.example | sh\nEOF\n", ["curl … | sh"]),
        ('sudo sh -c "curl -fsSL https://x.example | sh"', ["curl … | sh"]),
        ("bash -lc 'wget -qO- https://x.example | bash -s -- -y'", ["wget … | bash"]),
        ("eval 'curl -fsSL https://x.example | sh'", ["curl … | sh"]),
        ('eval "$(curl -fsSL https://x.example)"', ['eval "$(curl …)"']),
        ('bash -c "$(wget -qO- https://x.example)"', ['bash -c "$(wget …)"']),
        ("bash < <(curl -s https://x.example)", ["bash <(curl …)"]),
        ("source <(curl -s https://x.example)", ["source <(curl …)"]),
        ("if curl -fsSL https://x.example |\n  sudo -u root bash; then :; fi", ["curl … | bash"]),
        ("sudo curl -fsSL https://x.example | sudo env A=1 /bin/bash", ["curl … | bash"]),
        (
            'case "$1" in\n  i) curl https://x.example | sh ;;\n  *) echo no ;;\nesac',
            ["curl … | sh"],
        ),
    ],
)
def test_remote_scripts(script, shapes):
    assert [found.shape for found in remote_scripts(script)] == shapes


def test_a_string_run_by_sh_c_is_placed_in_the_text_that_holds_it():
    script = 'sudo sh -c "echo \\"hi\\" && curl -fsSL https://x.example | sh"'
    [found] = remote_scripts(script)
    assert script[found.offset : found.offset + 4] == "curl"
    assert found.host == "x.example"


def test_a_dockerfile_run_is_read_as_its_shell_reads_it():
    dockerfile = parse_dockerfile(
        "FROM python:3.12\n"
        "RUN --mount=type=cache,target=/root/.cache curl -fsSL https://a.example | sh\n"
        'RUN ["sh", "-c", "curl -fsSL https://b.example | sh"]\n'
        'RUN ["echo", "curl -fsSL https://c.example", "|", "sh"]\n'
        "RUN <<EOF\ncurl -fsSL https://d.example | sh\nEOF\n"
        "RUN cat <<EOF > /x.sh\ncurl -fsSL https://e.example | sh\nEOF\n"
        "RUN <<EOF\n#!/usr/bin/env python3\nprint('curl https://f.example | sh')\nEOF\n"
        "RUN <<EOF bash\ncurl -fsSL https://g.example | sh\nEOF\n"
    )
    found = []
    for instruction in dockerfile.instructions[1:]:
        run = instruction.run_script()
        for remote in remote_scripts(run.script.text, run.bodies):
            found.append((remote.host, run.script.position(remote.offset)))
    assert found == [
        ("a.example", (2, 44)),
        ("b.example", (3, 19)),
        ("d.example", (6, 1)),
        ("g.example", (16, 1)),
    ]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("python -m pytest -q", True),
        ("uv run pytest", True),
        ("make test", True),
        ("./scripts/run_tests.sh", True),
        ("python -m unittest discover", True),
        ("pip install pytest -r requirements-test.txt", False),
        ("dvc repro", False),
        ("# pytest", False),
        ("ruff check . && mypy", False),
    ],
)
def test_test_commands(script, expected):
    assert runs_tests(script) is expected


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("FROM RUN USER ARG <<EOF\\\n`#${}:@ab'\"=-")), max_size=300
    )
)
def test_dockerfile_parser_raises_nothing_but_parse_errors(text):
    with contextlib.suppress(ParseError):
        parse_dockerfile(text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_shell_readers_never_raise_and_positions_stay_in_the_text(text):
    script = Script.at(text, 1, 1)
    for found in remote_scripts(text):
        line, column = script.position(found.offset)
        assert 1 <= line <= text.count("\n") + 1 and column >= 1
    runs_tests(text)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.one_of(st.text(max_size=20), st.integers(), st.none()),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["script", "run", "jobs", "steps", "image", "include", "test"]),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_ci_readers_take_any_shape_of_document(document):
    from mllint_wa.parsers.ci import _READERS

    for system in _READERS:
        # Any document gives a definition of its file and system, never an exception.
        definition = ci_definition("ci.yml", system, [document], "")
        assert (definition.path, definition.system) == ("ci.yml", system)
