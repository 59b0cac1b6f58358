"""Shell text split into simple commands, and what a package manager's install command
installs, read as the manager reads its arguments."""

from __future__ import annotations

import pytest

from mllint_wa.parsers.package_installs import package_install
from mllint_wa.parsers.shell import simple_commands


def _words(text: str) -> list[list[str]]:
    return [[word.text for word in command] for command in simple_commands(text)]


def test_commands_end_at_operators_and_line_ends_outside_quotes():
    assert _words("a && b || c; d | e & f\ng (h) 'i; j' \"k && l\"") == [
        ["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"], ["h"], ["i; j", "k && l"],
    ]  # fmt: skip


def test_continuations_join_lines_and_comments_and_redirections_are_dropped():
    text = "pip install \\\n  torch \\\n  numpy # a comment && rm -rf /\nls 2>&1 >> log <<EOF"
    assert _words(text) == [["pip", "install", "torch", "numpy"], ["ls"]]


def test_quotes_escapes_and_expansions_stay_in_their_word_with_its_offset():
    commands = simple_commands('x "a b"\\ c $(echo "d e") ${F:-g h} `i j` k\'l\'')
    assert [(w.text, w.offset) for w in commands[0]] == [
        ("x", 0),
        ("a b c", 2),
        ('$(echo "d e")', 11),
        ("${F:-g h}", 25),
        ("`i j`", 35),
        ("kl", 41),
    ]


def test_unclosed_quotes_and_substitutions_end_at_the_text_end():
    assert _words("a 'b c") == [["a", "b c"]]
    assert _words('a "b c') == [["a", "b c"]]
    assert _words("a $(b c") == [["a", "$(b c"]]
    assert len(simple_commands("$(" * 20_000 + "'" * 3 + '"' * 3)) == 1


def _install(text: str) -> tuple[str, str, list[tuple[str, bool]], bool, bool] | None:
    [command] = simple_commands(text)
    found = package_install(command)
    if found is None:
        return None
    packages = [(p.name, p.pinned) for p in found.packages]
    return found.manager, found.command, packages, found.from_file, found.pinned_as_a_whole


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'pip install --no-cache-dir -U "torch>=2" pandas==2.2.2 --index-url https://x/simple',
            ("pip", "pip install", [("torch", False), ("pandas", True)], False, False),
        ),
        (
            "python3 -m pip install -rrequirements.txt scipy",
            ("pip", "python3 -m pip install", [("scipy", False)], True, False),
        ),
        (
            "sudo -H env PIP_NO_CACHE_DIR=1 pip3.11 install -c constraints.txt torch",
            ("pip", "pip3.11 install", [("torch", False)], False, True),
        ),
        (
            "uv pip install --system torch==${TORCH} 'numpy~=1.26' git+https://github.com/a/b@main",
            (
                "pip",
                "uv pip install",
                [("torch", True), ("numpy", False), ("git+https://github.com/a/b@main", False)],
                False,
                False,
            ),
        ),
        (
            "pip install 'torch~=2.3.1' 'pandas==2.2.*' 'numpy==1.*'",
            (
                "pip",
                "pip install",
                [("torch", True), ("pandas", True), ("numpy", False)],
                False,
                False,
            ),
        ),
        (
            "conda run -n base pip install --require-hashes -r req.txt",
            ("pip", "pip install", [], True, True),
        ),
        (
            "pip install -e . ./libs/x /tmp/a-1.0-py3-none-any.whl $EXTRA pip setuptools uv",
            ("pip", "pip install", [], False, False),
        ),
        (
            "conda install -y -c conda-forge python=3.11 pytorch==2.3.1 'numpy>=1.26' conda",
            (
                "conda",
                "conda install",
                [("python", True), ("pytorch", True), ("numpy", False)],
                False,
                False,
            ),
        ),
        (
            "micromamba create -y -n serve -f env.yml boto3",
            ("conda", "micromamba create", [("boto3", False)], True, False),
        ),
        ("conda env create -f environment.yml", ("conda", "conda env create", [], True, False)),
        (
            "apt-get -q install -y --no-install-recommends -o Dpkg::Options::=--force-confdef "
            "curl git=1:2.39 ./tool.deb",
            ("apt", "apt-get install", [("curl", False), ("git", True)], False, False),
        ),
        (
            "apk add --no-cache --virtual .deps gcc musl-dev=1.2.5-r0 jq~1.7",
            ("apk", "apk add", [("gcc", False), ("musl-dev", True), ("jq", True)], False, False),
        ),
    ],
)
def test_installs_read_as_each_manager_reads_its_arguments(text, expected):
    assert _install(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "pip download torch",
        "pip --version",
        "apt-get update",
        "apk update",
        "conda update -y conda",
        "echo pip install torch",
        "poetry install --no-root",
        "uv sync --frozen",
        "pipenv install --deploy",
    ],
)
def test_commands_that_install_nothing_named(text):
    assert _install(text) is None
