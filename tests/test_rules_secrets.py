"""DP001 hardcoded-secret: credentials committed in code, notebooks, configuration and scripts.

Every credential in the fixtures is fabricated: it has the provider's format, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.cli import main
from mllint_wa.parsers.secrets import find_secrets, is_secret_fixture, redact
from mllint_wa.report import FORMATS

REPOS = Path(__file__).parent / "fixtures" / "repos"
FIXTURE = REPOS / "hardcoded-secret"

# Every secret value in the trigger fixture (the password of a URL, not the URL).
SECRETS = (
    "AKIAZ7Y6X5W4V3U2TMLK",
    "ASIAQ2R3S4T5U6V7W8XY",
    "Kx9/Lw8+Mv7Nu6Ot5Ps4Qr3Sq2Tp1Uo0Vn9Wm8Xy",
    "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    "ghs_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2",
    "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",
    "glpat-Q1w2E3r4T5y6U7i8O9p0",
    "hf_Mn1Op2Qr3St4Uv5Wx6Yz7Ab8Cd9Ef0Gh1I",
    "hf_Rs5Tu6Vw7Xy8Za9Bc0De1Fg2Hi3Jk4Lm5N",
    "xoxb-1029384756-5647382910-Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2J",
    "T0AB1CD2E/B3FG4HI5J/Kl6Mn7Op8Qr9St0Uv1Wx2Yz3A",
    "sk-proj-Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk1Ll2Mm3Nn4Oo5Pp6",
    "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",
    "sk-ant-api03-" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Yz3" * 2 + "Ab1Cd2Ef3Gh4Ij",
    "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b",
    "Pw9Kx2Lm7Qz4",
    "Tq4Zr8Wm1Hb6",
    # The private keys' bodies.
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
    "QyNTUxOQAAACBq8Zr2Lm4Xw6Vn9Pt1Kd3Hs5Jf7Gb0Cy2Ea4Ru6Ti8Ow1Qz3Mx5Nk7Bv9",
    "Lp0Dj2Sf4Gh6Wk8Yc1Ue3Ia5Oq7Pz9Xn1Mb3Vr5Tl7Hd9Fs0Ag2Jw4Ky6Ce8Eu0Iz2",
)


def leaked(text: str) -> list[str]:
    """The secrets of which the text shows the whole or any 8-character piece."""
    return [
        secret
        for secret in SECRETS
        if any(secret[i : i + 8] in text for i in range(max(1, len(secret) - 7)))
    ]


def test_every_secret_is_in_the_fixture():
    text = "".join(p.read_text(encoding="utf-8") for p in FIXTURE.rglob("*") if p.is_file())
    assert [s for s in SECRETS if s not in text] == []


def test_hardcoded_secret_in_every_file_kind(lint):
    found = lint.result("hardcoded-secret", "DP001").findings
    assert [(f.path, f.line, f.column, f.message.split(" is committed")[0]) for f in found] == [
        (".env", 1, 15, "A W&B API key (`0a1b…a9b`)"),
        (".env", 2, 16, "An OpenAI API key (`sk-P…3Pq`)"),
        (".github/workflows/broken.yml", 1, 9, "A GitHub token (`ghp_…7r8`)"),
        (".github/workflows/train.yml", 7, 17, "A GitHub token (`ghs_…3i2`)"),
        ("Dockerfile", 2, 18, "A GitLab token (`glpa…9p0`)"),
        ("Dockerfile", 3, 14, "A Hugging Face token (`hf_M…h1I`)"),
        ("Dockerfile", 4, 30, "A password in a connection string"),
        ("config/pipeline.yaml", 2, 51, "A Slack webhook URL (`T0AB…z3A`)"),
        ("config/pipeline.yaml", 4, 17, "A GitLab token (`glpa…9p0`)"),
        ("config/pipeline.yaml", 6, 22, "An AWS access key ID (`ASIA…8XY`)"),
        ("config/pipeline.yaml", 7, 27, "An AWS secret access key (`Kx9/…8Xy`)"),
        ("config/service.json", 2, 23, "A Slack token (`xoxb…k2J`)"),
        ("config/service.json", 4, 15, "A Hugging Face token (`hf_R…m5N`)"),
        ("config/settings.toml", 2, 10, "A GitHub token (`gith…M9n`)"),
        ("deploy.cfg", 2, 21, "An AWS access key ID (`AKIA…MLK`)"),
        ("deploy.cfg", 3, 25, "An AWS secret access key (`Kx9/…8Xy`)"),
        ("keys/deploy.pem", 1, 1, "A private key"),
        ("lens.toml", 5, 10, "A GitHub token (`ghp_…7r8`)"),
        # Lines of the .ipynb file: two in a cell's output, two in cell sources, folded
        # into one finding at the first.
        ("notebooks/explore.ipynb", 13, 21, "An AWS access key ID (`ASIA…8XY`)"),
        ("scripts/run.sh", 2, 30, "An AWS secret access key (`Kx9/…8Xy`)"),
        ("scripts/run.sh", 3, 13, "A W&B API key (`0a1b…a9b`)"),
        ("scripts/run.sh", 4, 72, "A Slack webhook URL (`T0AB…z3A`)"),
        ("train.py", 8, 24, "An AWS access key ID (`AKIA…MLK`)"),
        ("train.py", 9, 28, "An AWS secret access key (`Kx9/…8Xy`)"),
        ("train.py", 11, 18, "A W&B API key (`0a1b…a9b`)"),
        ("train.py", 12, 17, "A GitHub token (`ghp_…7r8`)"),
        ("train.py", 13, 19, "An OpenAI API key (`sk-p…Pp6`)"),
        ("train.py", 14, 22, "An Anthropic API key (`sk-a…4Ij`)"),
        ("train.py", 15, 38, "A password in a connection string"),
        ("train.py", 16, 17, "A private key"),
    ]
    assert {(f.rule.code, f.rule.name, f.rule.risk.value) for f in found} == {
        ("DP001", "hardcoded-secret", "high")
    }
    assert found[0].message == (
        "A W&B API key (`0a1b…a9b`) is committed in `.env`: revoke it and read it from the "
        "environment or a secrets manager at run time"
    )
    (notebook,) = [f for f in found if f.path.endswith(".ipynb")]
    assert notebook.message.endswith(
        "; also in this notebook at line 14 (`sk-P…3Pq`), line 30 (`hf_M…h1I`) and line 41 "
        "(`0a1b…a9b`)"
    )
    assert [(r.line, r.column, r.message.split(" is committed")[0]) for r in notebook.related] == [
        (14, 13, "An OpenAI API key (`sk-P…3Pq`)"),
        (30, 35, "A Hugging Face token (`hf_M…h1I`)"),
        (41, 19, "A W&B API key (`0a1b…a9b`)"),
    ]


def test_hardcoded_secret_points_at_the_first_character_of_the_secret(lint):
    for finding in lint.result("hardcoded-secret", "DP001").findings:
        line = (FIXTURE / finding.path).read_text(encoding="utf-8").splitlines()[finding.line - 1]
        at = line[finding.column - 1 :]
        assert any(at.startswith(s) for s in SECRETS) or at.startswith("-----BEGIN"), finding


def test_hardcoded_secret_fingerprints_are_distinct_and_survive_moved_lines(lint, tmp_path):
    (tmp_path / "a.py").write_text(f'A = "{SECRETS[3]}"\nB = "{SECRETS[4]}"\n', encoding="utf-8")
    before = [f.fingerprint for f in lint.result(tmp_path, "DP001").findings]
    (tmp_path / "a.py").write_text(f'\n\nA = "{SECRETS[3]}"\nB = "{SECRETS[4]}"\n', "utf-8")
    after = [f.fingerprint for f in lint.result(tmp_path, "DP001").findings]
    assert len(set(before)) == 2
    assert after == before


def test_hardcoded_secret_quiet_on_references_placeholders_examples_and_test_data(lint):
    # traps/ holds secret references (${{ secrets.X }}, ${VAR}, $VAR, os.environ, os.getenv,
    # !Ref, {{resolve:secretsmanager:…}}), placeholders (<your-key-here>, xxxx, ***, changeme),
    # AWS's documentation keys, URLs without a password or with a local default one, an image
    # digest, lock-file hashes, a notebook image, and test data, vendored code and a template
    # holding a real-format token.
    found = lint("hardcoded-secret", "DP001")
    assert [row for row in found if row[2].startswith("traps/")] == []


def test_notebook_images_are_not_read_as_tokens():
    text = (FIXTURE / "traps" / "plots.ipynb").read_text(encoding="utf-8")
    # The base64 of the image holds a key-ID-like run: read as text it would be a finding.
    assert [m.kind for m in find_secrets(text)] == ["AWS access key ID"]
    assert find_secrets(text, notebook=True) == []


@pytest.mark.parametrize(
    ("path", "skipped"),
    [
        ("tests/fixtures/leaked.py", True),
        ("tests/unit/fixtures/creds.json", True),
        ("pkg/testdata/creds.json", True),
        ("tests/test_secrets.py", True),
        ("secret_scanner_test.py", True),
        ("fixtures/seed.json", False),  # Django data fixtures are the project's own data
        ("tests/test_api.py", False),
        ("train.py", False),
    ],
)
def test_secret_scanner_test_data_is_skipped(path, skipped):
    assert is_secret_fixture(path) is skipped


@pytest.mark.parametrize(
    "text",
    [
        'key = "AKIAIOSFODNN7EXAMPLE"',
        'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
        "AWS_SECRET_ACCESS_KEY=${{ secrets.AWS_SECRET_ACCESS_KEY }}",
        'token = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
        'token = "ghp_YourPersonalAccessTokenGoesHere12345"',
        "url = postgres://user@host/db",
        "url = postgres://user:${PASS}@host/db",
        "url = postgres://user:{password}@host/db",
        "url = redis://:@cache:6379/0",
        "url = postgresql://postgres:postgres@localhost/test",
        "url = mongodb://admin:changeme@mongo:27017",
        "!git clone https://someone:...token...@huggingface.co/someone/model",
        "image = docker://python:3.12@sha256:0a1b2c3d4e5f",
        "sha256:0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b",
        "WANDB_API_KEY=0000000000000000000000000000000000000000",
        'x = "-----BEGIN RSA PRIVATE KEY-----"',
        "url = https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAY7QW3ZK5MR2NT6PB%2F20240101",
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAY7QW3ZK5MR2NT6PB/20240101/us-east-1/s3",
        "from huggingface_hub import hf_hub_download_with_a_long_identifier",
        "model = 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(config)",
    ],
)
def test_not_a_secret(text):
    assert find_secrets(text) == []


def test_pem_key_in_a_json_string_is_found():
    pem = "-----BEGIN PRIVATE KEY-----\\n" + SECRETS[-1] + "\\n-----END PRIVATE KEY-----"
    text = '{"key": "' + pem + '"}'
    assert [(m.kind, m.line, m.column, m.redacted) for m in find_secrets(text)] == [
        ("private key", 1, 10, "…")
    ]


def test_redact_keeps_at_most_four_and_three_characters_and_nothing_of_a_password():
    assert redact(f"found undefined alias '{SECRETS[3]}'") == "found undefined alias 'ghp_…7r8'"
    assert redact(f"mysql://app:{SECRETS[15]}@db/app") == "mysql://app:…@db/app"
    assert redact("nothing to hide") == "nothing to hide"


_BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@settings(max_examples=60, deadline=1000)
@given(
    body=st.text(_BASE62, min_size=36, max_size=36),
    prefix=st.sampled_from(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]),
    around=st.text(" \n\t\"'=:;,()[]{}#\\", max_size=20),
)
def test_redacted_text_never_holds_eight_characters_of_a_token(body, prefix, around):
    text = redact(f"{around}'{prefix}{body}'{around}")
    assert not any(body[i : i + 8] in text for i in range(len(body) - 7))


@settings(max_examples=60, deadline=1000)
@given(st.text(max_size=300))
def test_find_secrets_takes_any_text(text):
    for match in find_secrets(text, notebook=True):
        assert match.line >= 1 and match.column >= 1


# -- no output shows a secret ------------------------------------------------------------


def _invoke(args: list[str]) -> tuple[str, str]:
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (1, 2), result.output
    return result.stdout, result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_shows_a_secret(monkeypatch, tmp_path, fmt):
    monkeypatch.chdir(FIXTURE)
    report = tmp_path / "report"
    for extra in ([], ["--statistics"], ["--debug"], ["-o", str(report)]):
        stdout, stderr = _invoke(["--format", fmt, *extra, "."])
        assert leaked(stdout) == [] and leaked(stderr) == []
    written = report.read_text(encoding="utf-8")
    assert "DP001" in written
    assert leaked(written) == []


def test_every_format_of_the_command_line_is_covered():
    option = next(p for p in main.commands["check"].params if p.name == "format_name")
    assert tuple(option.type.choices) == FORMATS  # type: ignore[attr-defined]


def test_parse_errors_and_manifest_values_quoting_a_secret_are_redacted(lint):
    assert lint.messages("hardcoded-secret", "LN009", "LN005") == [
        "`.github/workflows/broken.yml` is not valid YAML: found undefined alias 'ghp_…7r8'",
        '`project.stage` is "ghp_…7r8"; expected one of discovery, development, production',
    ]


def test_library_errors_and_warnings_never_quote_the_file(tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    # An int tag on a token: the YAML library's error text shows it without its underscore,
    # in a form no redaction can recognise. Only the error's type is reported.
    (workflows / "a.yml").write_text(f"on: !!int {SECRETS[3]}\n", encoding="utf-8")
    # Two anchors named by a token: the YAML library warns, quoting it.
    (workflows / "b.yml").write_text(f"&{SECRETS[4]} a: 1\n&{SECRETS[4]} b: 2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--select", "LN009", "--format", "json", str(tmp_path)])
    assert leaked(result.stdout) == [] and leaked(result.stderr) == []
    assert "could not be parsed (ValueError)" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif", "html", "markdown", "junit"])
def test_a_secret_pasted_into_an_ignore_or_a_waiver_reason_is_not_shown(monkeypatch, tmp_path, fmt):
    # Justifications quote the project's own comments and waivers.
    token = SECRETS[3]
    (tmp_path / "lens.toml").write_text(
        "schema_version = 1\n\n[waivers.BG001]\n"
        f'reason = "agreed with ops, see {token}"\nowner = "a@example.com"\nexpires = 2099-01-01\n',
        encoding="utf-8",
    )
    (tmp_path / "train.py").write_text(
        f"import random  # mllint-wa: ignore[MD033] old key {token} in the ticket\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--format", fmt, "--select", "BG001,MD033", "."])
    assert result.exit_code == 0, result.output  # both findings are suppressed
    assert leaked(result.stdout + result.stderr) == []
