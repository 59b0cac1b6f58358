"""Hostile input against what reaches a report: the secret scanner, and the text that
messages quote from the project.

- Every repetition in a secret detector is bounded, and the notebook image blanker reads a
  list of strings in one way only: a scan is linear in its text, however the text is made.
- A message quotes the project's text through one helper that redacts before it cuts, so
  a cut never leaves a secret that redaction no longer recognises; ``--show-settings``
  redacts the settings it prints.

Each input below used to hang or leak; the tests assert what it now gives.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mllint_wa.cli import main
from mllint_wa.parsers import secrets
from mllint_wa.parsers.secrets import LONGEST_MATCH, find_secrets, quote, redact
from trees import write_files, write_tree

try:
    from re import _parser as sre_parser  # Python 3.11 and later
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as sre_parser  # type: ignore[no-redef]

TOKEN = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
PASSWORD = "Zq8vR2mXp4LwT9sKd7Nb"
KEY_ID = "AKIAQ7ZL4M2XKP9RWT3V"
AWS_SECRET = "Kx9/Lw8+Mv7Nu6Ot5Ps4Qr3Sq2Tp1Uo0Vn9Wm8Xy"
WANDB_KEY = "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b"


def shows_part_of(secret: str, text: str) -> bool:
    """Whether ``text`` shows any eight characters of ``secret`` in a row."""
    return any(secret[i : i + 8] in text for i in range(len(secret) - 7))


# -- the secret scanner ---------------------------------------------------------------------


def _upper_bounds(parsed: sre_parser.SubPattern) -> list[int]:
    """The upper bound of every repetition in a parsed regular expression."""
    bounds = []
    for operation, argument in parsed:
        if operation in (sre_parser.MAX_REPEAT, sre_parser.MIN_REPEAT):
            bounds.append(argument[1])
        for part in argument if isinstance(argument, (tuple, list)) else ():
            for inner in part if isinstance(part, list) else [part]:
                if isinstance(inner, sre_parser.SubPattern):
                    bounds += _upper_bounds(inner)
    return bounds


@pytest.mark.parametrize("detector", secrets._DETECTORS, ids=lambda d: d.kind)
def test_every_repetition_in_a_secret_detector_is_bounded(detector):
    pattern = detector.pattern
    parsed = sre_parser.parse(pattern.pattern, pattern.flags)
    bounds = _upper_bounds(parsed)
    assert bounds, pattern.pattern
    assert sre_parser.MAXREPEAT not in bounds, pattern.pattern
    # So a match has a longest length, which a quote relies on when it cuts (a lookahead
    # reads a few characters past the match).
    assert parsed.getwidth()[1] + 16 <= LONGEST_MATCH, pattern.pattern


# A detector's start followed by a long run of what its repetitions accept, and no value.
_RUNS = ("\n", " ", "\t", " \n", "=", "a", "1", "a-", "\\n")
_STARTS = (
    "# aws_secret_access_key",
    'AWS_SECRET_ACCESS_KEY="',
    "# wandb_api_key",
    "wandb login",
    "wandb.login(key=",
    "-----BEGIN ",
    "xoxb-123456",
    "xoxb-123456-",
    "ghp_",
    "github_pat_",
    "glpat-",
    "hf_",
    "sk-",
    "sk-proj-",
    "sk-ant-api03-",
    "hooks.slack.com/services/T0AB1CD2E/",
    "postgres://user",
    "postgres://user:",
    "AKIA",
)


@pytest.mark.parametrize("start", _STARTS)
def test_a_secret_detector_reads_a_long_run_after_its_start_in_one_pass(start):
    # `# aws_secret_access_key` and 20,000 newlines took 165 s: each blank was tried as the
    # end of the gap before the value, for each place the gap could start.
    for run in _RUNS:
        assert find_secrets(start + run * 20_000) == [], (start, run)
        assert find_secrets((start + run * 200) * 200) == [], (start, run)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"aws_secret_access_key = {AWS_SECRET}", "AWS secret access key"),
        (f'"aws_secret_access_key": "{AWS_SECRET}"', "AWS secret access key"),
        (f"aws_secret_access_key:\n  {AWS_SECRET}", "AWS secret access key"),
        (f"aws configure set aws_secret_access_key {AWS_SECRET}", "AWS secret access key"),
        (f"WANDB_API_KEY={WANDB_KEY}", "W&B API key"),
        (f"wandb login --relogin {WANDB_KEY}", "W&B API key"),
        (f'wandb.login(key = "{WANDB_KEY}")', "W&B API key"),
    ],
)
def test_a_secret_after_its_keyword_is_still_found(text, kind):
    assert [match.kind for match in find_secrets(text)] == [kind]


def test_a_secret_after_a_long_run_of_blanks_is_found_again_from_the_next_line():
    hostile = "# aws_secret_access_key" + "\n" * 20_000 + f"aws_secret_access_key={AWS_SECRET}\n"
    assert [(m.kind, m.line, m.column) for m in find_secrets(hostile)] == [
        ("AWS secret access key", 20_001, 23)
    ]


# A notebook output holding an image list that is never closed: 181 bytes never finished.
_UNCLOSED_IMAGE = '{"cells": [], "outputs": [{"data": {"image/png": [' + '"a"   ' * 20


def test_an_unclosed_image_list_in_a_notebook_is_read_in_one_pass():
    assert find_secrets(_UNCLOSED_IMAGE, notebook=True) == []
    assert find_secrets(_UNCLOSED_IMAGE * 500, notebook=True) == []
    # What follows the unclosed list is still scanned.
    leaked = _UNCLOSED_IMAGE + f'\n"{TOKEN}"'
    assert [(m.kind, m.line) for m in find_secrets(leaked, notebook=True)] == [("GitHub token", 2)]


def test_an_image_list_is_blanked_whatever_the_blanks_between_its_strings():
    image = '{"image/png": [\n  "AKIAQ7ZL4M2XKP9RWT3V" ,\n\t"AKIAQ7ZL4M2XKP9RWT3V"\n ]}'
    assert len(find_secrets(image)) == 2
    assert find_secrets(image, notebook=True) == []


def test_the_unclosed_image_notebook_is_linted(lint, tmp_path):
    write_files(tmp_path, {"explore.ipynb": _UNCLOSED_IMAGE + f'"{TOKEN}"'})
    assert lint(tmp_path, "DP001", "LN009") == [
        ("LN009", "unparseable-file", "explore.ipynb", 1, 57),
        ("DP001", "hardcoded-secret", "explore.ipynb", 1, 172),
    ]


# -- quoting the project's text ---------------------------------------------------------------


def test_quote_redacts_before_it_cuts():
    url = f'fetch("https://svc:{PASSWORD}@host/m.pt")'
    assert quote(url, 40) == 'fetch("https://svc:…@host/m.pt")'
    assert quote(f"s3://bucket2/{KEY_ID}/m", 25) == "s3://bucket2/AKIA…T3V/m"
    assert quote(f"s3://bucket2/{KEY_ID}/m", 20) == "s3://bucket2/AKIA…T…"
    assert quote("nothing to hide here", 10) == "nothing t…"
    assert quote("short", 10) == redact("short") == "short"


def test_quote_reads_no_further_than_what_it_shows_needs(monkeypatch):
    seen: list[int] = []
    monkeypatch.setattr(secrets, "redact", lambda text: seen.append(len(text)) or text)
    assert quote("x" * 1_000_000, 40) == "x" * 39 + "…"
    assert seen == [40 + LONGEST_MATCH]


def test_a_message_quoting_code_shows_no_part_of_a_secret_it_cuts(lint, tmp_path):
    # The password lost its `@host` to the cut, the key ID its last characters: redaction
    # that came after the cut no longer recognised either.
    write_tree(
        tmp_path,
        {
            "train.py": f"""
                import torch

                model = torch.load(fetch("https://svc:{PASSWORD}@host/m.pt"), weights_only=False)
                state = torch.load(fetch("s3://bucket2/{KEY_ID}/m"), weights_only=False)
                """,
        },
    )
    messages = lint.messages(tmp_path, "MD022")
    assert [m.split(" unpickles ")[1] for m in messages] == [
        "`fetch('https://svc:…@host/m.pt')`: it can run any code",
        "`fetch('s3://bucket2/AKIA…T3V/m')`: it can run any code",
    ]


def test_a_parse_error_quoting_a_line_shows_no_part_of_a_secret_it_cuts(lint, tmp_path):
    write_files(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.12\n"
            f"https://deployment-bot:{PASSWORD}@github.example.com/ml/x.git\n"
        },
    )
    # LN009 reports the files other rules read: MD030 reads the Dockerfile.
    assert lint.messages(tmp_path, "LN009", "MD030") == [
        "`Dockerfile` has an unknown instruction `https://deployment-bot:…@github.example…`"
    ]


def test_terraform_and_cloudformation_quotes_are_redacted_before_they_are_cut():
    from mllint_wa.parsers.cloudformation import Intrinsic
    from mllint_wa.parsers.terraform import parse_terraform

    url = f"https://deployment-bot:{PASSWORD}@registry.example.com/models/churn/v1"
    sub = Intrinsic("Fn::Sub", f"{url}/${{Suffix}}/with/a/long/tail")
    assert (
        sub.written
        == "!Sub https://deployment-bot:…@registry.example.com/models/churn/v1/${Suffix}/wi…"
    )
    parsed = parse_terraform(f'locals {{\n  x = format("%s/%s", "{url}", var.tail)\n}}\n')
    (block,) = parsed.blocks
    text = block.attr("x").value.text
    assert not shows_part_of(PASSWORD, text)
    assert text.startswith('format("%s/%s", "https://deployment-bot:…@registry')


# -- --show-settings ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_show_settings_redacts_secrets_in_values(tmp_path, monkeypatch, fmt):
    (tmp_path / ".git").mkdir()
    write_files(
        tmp_path,
        {
            "pyproject.toml": "[tool.mllint-wa]\n"
            f'exclude = ["vendor/{TOKEN}/", "https://svc:{PASSWORD}@host/x"]\n'
        },
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--show-settings", "--format", fmt, "."])
    assert result.exit_code == 0, result.output
    assert not shows_part_of(TOKEN, result.stdout)
    assert not shows_part_of(PASSWORD, result.stdout)
    if fmt == "json":
        settings = json.loads(result.stdout)["projects"][0]["settings"]
        (exclude,) = [s["value"] for s in settings if s["key"] == "exclude"]
        assert exclude == ["vendor/ghp_…7r8/", "https://svc:…@host/x"]
