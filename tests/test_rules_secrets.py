"""DP001 hardcoded-secret: credentials committed in code, notebooks, configuration and scripts.

Every credential in the fixtures is fabricated: it has the provider's format, and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.cli import main
from mllint_wa.parsers.secrets import find_secrets, is_secret_fixture, redact
from mllint_wa.report import FORMATS
from trees import write_files, write_tree

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
    # Secrets known by the names they are assigned to.
    "7c3e9a1f5b2d8e4a6c0f3b9d1e7a5c2f",
    "Ra8Kx2Qw9Tz4Lm6Vb1Nc7Hd3",
    "Wq3Er7Ty1Ui5Op9As2Df6Gh0Jk",
    "Hq7Wz3Rk9Lt2Vb5N",
    "Zr4Ty8Uk2Mn6Bv0Xc3Lq7Ws1",
    "Lk5Jh8Gf2Ds6Aq9Wz3Xc7Vb1",
    "Mt6Rz1Kq8Wv3Xn5Lp2",
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
        (".env", 3, 15, "A token (`Lk5J…Vb1`) assigned to `SERVICE_TOKEN`"),
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
        # A password is never shown; the same value twice is one secret.
        ("config/services.yaml", 4, 16, "A password assigned to `db_password`"),
        ("config/services.yaml", 5, 19, "A secret (`Zr4T…Ws1`) assigned to `client_secret`"),
        ("config/settings.toml", 2, 10, "A GitHub token (`gith…M9n`)"),
        ("config/settings.toml", 5, 29, "A password assigned to `mlflow_tracking_password`"),
        ("deploy.cfg", 2, 21, "An AWS access key ID (`AKIA…MLK`)"),
        ("deploy.cfg", 3, 25, "An AWS secret access key (`Kx9/…8Xy`)"),
        ("keys/deploy.pem", 1, 1, "A private key"),
        ("lens.toml", 5, 10, "A GitHub token (`ghp_…7r8`)"),
        # Lines of the .ipynb file: two in a cell's output, two in cell sources, folded
        # into one finding at the first.
        ("notebooks/explore.ipynb", 13, 21, "An AWS access key ID (`ASIA…8XY`)"),
        # The API key of a news service sent as a header, a bearer token, a keyword argument.
        ("scripts/fetch_news.py", 9, 30, "An API key (`7c3e…c2f`) assigned to `X-Api-Key`"),
        ("scripts/fetch_news.py", 16, 43, "A token (`Ra8K…Hd3`) assigned to `Authorization`"),
        ("scripts/fetch_news.py", 22, 32, "An API key (`Wq3E…0Jk`) assigned to `api_key`"),
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


@settings(max_examples=60, deadline=None)
@given(
    body=st.text(_BASE62, min_size=36, max_size=36),
    prefix=st.sampled_from(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]),
    around=st.text(" \n\t\"'=:;,()[]{}#\\", max_size=20),
)
def test_redacted_text_never_holds_eight_characters_of_a_token(body, prefix, around):
    text = redact(f"{around}'{prefix}{body}'{around}")
    assert not any(body[i : i + 8] in text for i in range(len(body) - 7))


@settings(max_examples=60, deadline=None)
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


# -- secrets known by the names they are assigned to ---------------------------------------

_KEY = "7c3e9a1f5b2d8e4a6c0f3b9d1e7a5c2f"  # hexadecimal, as a news service's keys are
_TOKEN = "Ra8Kx2Qw9Tz4Lm6Vb1Nc7Hd3"
_PASSWORD = "Hq7Wz3Rk9Lt2Vb5N"


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        (f'headers = {{"X-Api-Key": "{_KEY}"}}', "API key", "X-Api-Key"),
        (f"headers = {{'x-api-key': '{_KEY}'}}", "API key", "x-api-key"),
        (f'client = Client(api_key="{_KEY}")', "API key", "api_key"),
        (f'NEWS_API_KEY = "{_KEY}"', "API key", "NEWS_API_KEY"),
        (f'os.environ["NEWS_API_KEY"] = "{_KEY}"', "API key", "NEWS_API_KEY"),
        (f'self.apiKey: str = "{_KEY}"', "API key", "self.apiKey"),
        (f'{{"Authorization": "Bearer {_TOKEN}"}}', "token", "Authorization"),
        (f'access_token = "{_TOKEN}"', "token", "access_token"),
        (f"auth_token: {_TOKEN}", "token", "auth_token"),
        (f'"client_secret": "{_TOKEN}"', "secret", "client_secret"),
        (f"SECRET_KEY = '{_TOKEN}'", "secret", "SECRET_KEY"),
        (f'private_key = "{_TOKEN}"', "secret", "private_key"),
        (f'db_password = "{_PASSWORD}"', "password", "db_password"),
        (f"POSTGRES_PASSWORD={_PASSWORD}", "password", "POSTGRES_PASSWORD"),
        (f"  rootPassword: {_PASSWORD}", "password", "rootPassword"),
        (f'mlflow_tracking_password = "{_PASSWORD}"', "password", "mlflow_tracking_password"),
        (f"export SERVICE_TOKEN={_TOKEN}", "token", "SERVICE_TOKEN"),
    ],
)
def test_a_literal_of_secret_shape_assigned_to_a_credentials_name_is_found(text, kind, name):
    assert [(m.kind, m.name) for m in find_secrets(text)] == [(kind, name)]


def test_a_named_secret_in_a_notebook_cell_is_found_at_its_line():
    cell = '   "source": [\n    "headers = {\\"X-Api-Key\\": \\"' + _KEY + '\\"}\\n",\n   ]'
    assert [(m.kind, m.line, m.column) for m in find_secrets(cell, notebook=True)] == [
        ("API key", 2, 34)
    ]


@pytest.mark.parametrize(
    "text",
    [
        # References: the environment, a variable, a template, a format field, a fill-in.
        'api_key = os.environ["NEWS_API_KEY"]',
        'headers = {"X-Api-Key": os.getenv("NEWS_API_KEY")}',
        "headers = {'Authorization': f'Bearer {token}'}",
        "api_key: ${NEWS_API_KEY}",
        'token: "{{ vault_token }}"',
        'password = "{db_password}"',
        'client_secret = "<your-client-secret>"',
        "api_key = settings_api_key_2024",  # an expression in code
        # Placeholders, defaults, the name again, made-up words.
        "api_key: YOUR_API_KEY_GOES_HERE_1234",
        'private_token = "private_token"',
        'db_password = "mysecretpassword"',
        'admin_password = "changeme-changeme-2024"',
        'hf_token = "hf_token_for_the_demo_2024"',
        "password: example-password-1234",
        # Too short, too regular, words and numbers, a UUID.
        'api_key = "a1b2c3d4"',
        'api_key = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"',
        'api_key = "delete-user-pass-2024-01"',
        'api_key = "5c9e1f3a-7b2d-4e8f-a6c0-9d3b1e5f7a2c"',
        # Hashes, IDs, names, tokenizers' tokens and pagination tokens.
        'model_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
        'token_hash = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"',
        'api_key_id = "4b2c8d1e9f3a7b6c5d0e"',
        'aws_access_key_id = "Ab3Cd5Ef7Gh9Ij1Kl3Mn"',
        'secret_name = "prod/feature-store/credentials-2024"',
        'tokenizer = "bert-base-multilingual-cased-v2"',
        'pad_token = "<|padding_token_1234|>"',
        '"NextToken": "eyJsYXN0IjogIjEyMzQ1Njc4OTAifQ"',
        '"model_id": "3b8f1c9e2d7a4f6b8c0e5a1d9f3b7c2e"',
        # A comparison is no assignment; SigV4's credential scope is public.
        f'if token == "{_TOKEN}":',
        "Credential=AKIAY7QW3ZK5MR2NT6PB/20240101/us-east-1/s3",
    ],
)
def test_a_credentials_name_given_no_credential_is_not_a_secret(text):
    assert find_secrets(text, code=text.startswith(("api_key =", "headers"))) == []


def test_in_code_only_a_string_literal_is_a_value():
    assert find_secrets(f"API_KEY={_KEY}", code=True) == []
    assert [m.kind for m in find_secrets(f"API_KEY={_KEY}")] == ["API key"]


def test_a_named_secret_is_redacted_wherever_a_message_quotes_it():
    assert redact(f'headers = {{"X-Api-Key": "{_KEY}"}}') == 'headers = {"X-Api-Key": "7c3e…c2f"}'
    assert redact(f"db_password: {_PASSWORD}") == "db_password: …"
    # A placeholder under a credential's name is hidden too; a tokenizer's name is not.
    assert redact("api_key: YOUR_API_KEY_HERE") == "api_key: …"
    assert redact('tokenizer = "bert-base-multilingual-cased"') == (
        'tokenizer = "bert-base-multilingual-cased"'
    )


def test_named_secrets_in_test_code_are_test_data(lint, tmp_path):
    line = f'client = Client(api_key="{_KEY}")\n'
    write_files(tmp_path, {"tests/test_client.py": line, "src/client.py": line})
    assert lint(tmp_path, "DP001") == [("DP001", "hardcoded-secret", "src/client.py", 1, 26)]


# -- one report per value ---------------------------------------------------------------------


def test_the_same_secret_twice_in_a_file_is_reported_once_with_its_other_places(lint):
    (found,) = [
        f for f in lint.result("hardcoded-secret", "DP001").findings if f.path.endswith("s.yaml")
    ][:1]
    assert (found.path, found.line) == ("config/services.yaml", 4)
    assert "(also at line 9)" in found.message
    assert [(r.line, r.column, r.message) for r in found.related] == [
        (9, 16, "the same value again")
    ]


def test_one_value_under_two_detectors_is_one_secret():
    text = f"POSTGRES_PASSWORD={_PASSWORD}\nDATABASE_URL=postgresql://app:{_PASSWORD}@db.internal/app\n"
    assert [(m.kind, m.line, m.also) for m in find_secrets(text)] == [("password", 1, ((2, 31),))]


# -- throwaway credentials of CI and tests ----------------------------------------------------


def test_a_ci_only_database_manifest_with_the_docker_documentation_password_is_quiet(lint):
    # traps/ci/postgres.yaml: `mysecretpassword` in two connection strings used to be two
    # findings; traps/docker-compose.integration.yml is started by a workflow only, and the
    # workflow's service container has a password of its own.
    found = lint("hardcoded-secret", "DP001")
    assert [row for row in found if row[2].startswith("traps/")] == []


@pytest.mark.parametrize(
    "password", ["mysecretpassword", "my-secret-pw", "example", "changeme", "password", "test"]
)
def test_documentation_placeholder_passwords_are_no_secret(password):
    assert find_secrets(f"url = postgresql://postgres:{password}@db.example.com/app") == []


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost:5432", True),
        ("127.0.0.1", True),
        ("postgres:5432", True),  # a service of the same compose file or CI job
        ("postgres-service.mlflow.svc.cluster.local:5432", True),
        ("warehouse.example.com", False),
        ("db.internal", False),
    ],
)
def test_a_connection_string_says_whether_its_host_is_local(host, local):
    (match,) = find_secrets(f"url = postgresql://app:{_PASSWORD}@{host}/db")
    assert match.local is local


def test_a_ci_password_for_a_remote_host_is_still_a_secret(lint, tmp_path):
    write_files(
        tmp_path,
        {
            ".github/workflows/ci.yml": "jobs:\n  t:\n    env:\n"
            f"      LOCAL: postgresql://ci:{_PASSWORD}@localhost/ci\n"
            "      REMOTE: postgresql://ci:Zz9Yy8Xx7Ww6@warehouse.example.com/ci\n"
        },
    )
    assert lint.messages(tmp_path, "DP001") == [
        "A password in a connection string is committed in `.github/workflows/ci.yml`: "
        "revoke it and read it from the environment or a secrets manager at run time"
    ]


def test_a_compose_file_for_people_keeps_its_passwords_reported(lint, tmp_path):
    compose = f"services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: {_PASSWORD}\n"
    write_files(tmp_path, {"docker-compose.yml": compose, "docker-compose.test.yml": compose})
    assert lint(tmp_path, "DP001") == [("DP001", "hardcoded-secret", "docker-compose.yml", 4, 26)]


# -- other scanners' allow-list marks -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'TOKEN = "{SECRETS[3]}"  # pragma: allowlist secret',
        f'TOKEN = "{SECRETS[3]}"  #pragma:allowlist-secret',
        f'TOKEN = "{SECRETS[3]}"  # pragma: whitelist secret',
        f'const TOKEN = "{SECRETS[3]}"; // pragma: allowlist secret',
        f"TOKEN: {SECRETS[3]}  # pragma: allowlist secret reviewed in the audit",
        f"# pragma: allowlist nextline secret\nTOKEN = '{SECRETS[3]}'",
        f"    # pragma: allowlist nextline secret\n    TOKEN = '{SECRETS[3]}'",
        f'TOKEN = "{SECRETS[3]}"  # gitleaks:allow',
        f'TOKEN = "{SECRETS[3]}"  //gitleaks:allow',
        f'headers = {{"X-Api-Key": "{_KEY}"}}  # pragma: allowlist secret',
        # A notebook's line of a cell's source.
        f'    "TOKEN = \\"{SECRETS[3]}\\"  # pragma: allowlist secret\\n",',
        f'    "# pragma: allowlist nextline secret\\n",\n    "TOKEN = \\"{SECRETS[3]}\\"\\n",',
    ],
)
def test_a_value_another_scanner_was_told_to_allow_is_not_reported(text):
    assert find_secrets(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # detect-secrets: a nextline pragma counts only alone on its line, and only for the
        # line after it; a mark must be in a comment.
        f"x = 1  # pragma: allowlist nextline secret\nTOKEN = '{SECRETS[3]}'",
        f"# pragma: allowlist nextline secret\n\nTOKEN = '{SECRETS[3]}'",
        f"# pragma: allowlist secret\nTOKEN = '{SECRETS[3]}'",
        f'TOKEN = "{SECRETS[3]}"  # pragma: allowlist',
        f'TOKEN = "{SECRETS[3]}"; NOTE = "pragma: allowlist secret"',
        # gitleaks' mark is case-sensitive.
        f'TOKEN = "{SECRETS[3]}"  # Gitleaks:Allow',
    ],
)
def test_a_mark_that_does_not_cover_the_value_allows_nothing(text):
    assert [m.kind for m in find_secrets(text)] == ["GitHub token"]


def test_allowed_values_are_still_redacted_in_messages():
    assert redact(f'TOKEN = "{SECRETS[3]}"  # gitleaks:allow') == (
        'TOKEN = "ghp_…7r8"  # gitleaks:allow'
    )


# -- DE020 deployable-default-credentials --------------------------------------------------

DEPLOYABLE = REPOS / "deployable-default-credentials"
# What the fixture's deployable manifests hold, decoded: none may reach a report.
SHIPPED = (
    "pg-dev-password",
    "cGctZGV2LXBhc3N3b3Jk",
    "minio-storage-123",
    "admin123",
    "mlflow-db-2024",
    "minio-admin-pw",
)


def test_deployable_default_credentials_in_secrets_generators_and_chart_values(lint):
    found = lint.result("deployable-default-credentials", "DE020").findings
    assert [(f.path, f.line, f.column, f.message.split(", and")[0]) for f in found] == [
        (
            "charts/serving/values.yaml",
            4,
            18,
            "`auth.adminPassword` of the Helm chart's default values is a literal credential",
        ),
        (
            "charts/serving/values.yaml",
            8,
            15,
            "`postgresql.auth.password` of the Helm chart's default values is a literal credential",
        ),
        (
            "manifests/base/kustomization.yaml",
            10,
            9,
            "`password` of secretGenerator `mlflow-db` is a literal credential",
        ),
        (
            "manifests/base/minio.env",
            2,
            1,
            "`MINIO_ROOT_PASSWORD` of secretGenerator `minio-root` is a literal credential",
        ),
        (
            "manifests/base/minio.yaml",
            21,
            14,
            "`secretkey` of Secret `minio-artifacts` is a literal credential",
        ),
        (
            "manifests/base/postgres-secret.yaml",
            8,
            22,
            "`POSTGRES_PASSWORD` of Secret `postgres` is a literal credential (base64 in `data`)",
        ),
    ]
    assert found[4].message.endswith(
        "and `manifests/base/kustomization.yaml` deploys it as written: every installation "
        "that does not replace it runs with a password published in the repository"
    )
    assert {(f.rule.code, f.rule.risk.value, f.rule.preview) for f in found} == {
        ("DE020", "high", False)
    }


def test_deployable_default_credentials_quiet_on_ci_tests_references_and_loose_examples(lint):
    # tests/e2e (a tests folder), deploy/ci-overlay (applied by the e2e workflow only),
    # deploy/kind (beside a kind cluster's configuration), examples/ (listed by no
    # kustomization), the chart's ci/ values and templates, the base's references and
    # fill-ins, and the access key (the public half of MinIO's pair).
    paths = {row[2] for row in lint("deployable-default-credentials", "DE020")}
    assert paths == {
        "charts/serving/values.yaml",
        "manifests/base/kustomization.yaml",
        "manifests/base/minio.env",
        "manifests/base/minio.yaml",
        "manifests/base/postgres-secret.yaml",
    }


def test_a_secret_the_scanner_reports_is_not_reported_again(lint):
    found = lint("deployable-default-credentials", "DE020", "DP001")
    assert [row for row in found if row[2] == "manifests/base/tracking.yaml"] == [
        ("DP001", "hardcoded-secret", "manifests/base/tracking.yaml", 12, 16)
    ]
    # A Secret's base64 `data` reads as a random password to a scan of the text.
    assert [row for row in found if row[2].endswith("postgres-secret.yaml")] == [
        ("DE020", "deployable-default-credentials", "manifests/base/postgres-secret.yaml", 8, 22)
    ]


def test_deployable_default_credentials_runs_by_default(monkeypatch):
    # Measured on the ecosystem check at 12 true findings of 12 judged, it left preview.
    monkeypatch.chdir(DEPLOYABLE)
    default = CliRunner().invoke(main, ["--format", "json", "."])
    assert "DE020" in {f["code"] for f in json.loads(default.stdout)["findings"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_shows_a_shipped_credential(monkeypatch, fmt):
    monkeypatch.chdir(DEPLOYABLE)
    stdout, stderr = _invoke(["--format", fmt, "--select", "DE020", "."])
    assert "DE020" in stdout or fmt == "wellarchitected"
    assert [value for value in SHIPPED if value in stdout + stderr] == []


def test_a_kustomization_people_are_told_to_apply_is_deployable_even_if_ci_applies_it(
    lint, tmp_path
):
    write_tree(
        tmp_path,
        {
            "deploy/dev/kustomization.yaml": """
                secretGenerator:
                  - name: db
                    literals: [password=dev-db-pw]
                """,
            ".github/workflows/e2e.yml": """
                jobs:
                  e2e:
                    steps:
                      - run: kubectl apply -k deploy/dev
                """,
            "README.md": "Deploy with `kubectl apply -k deploy/dev`.\n",
        },
    )
    assert lint(tmp_path, "DE020") == [
        ("DE020", "deployable-default-credentials", "deploy/dev/kustomization.yaml", 3, 16)
    ]
    (tmp_path / "README.md").write_text("Deploy with the chart.\n", encoding="utf-8")
    assert lint(tmp_path, "DE020") == []


@pytest.mark.parametrize(
    "value",
    [
        "A" * 5000,  # past the decoding bound: not judged
        "not base64!",
        "//79/w==",  # base64 of bytes that are no text
        "",
    ],
)
def test_a_secret_data_value_that_decodes_to_no_text_is_not_judged(lint, tmp_path, value):
    write_tree(
        tmp_path,
        {
            "k8s/kustomization.yaml": "resources: [secret.yaml]\n",
            "k8s/secret.yaml": f"""
                kind: Secret
                metadata:
                  name: db
                data:
                  password: "{value}"
                """,
        },
    )
    assert lint(tmp_path, "DE020") == []


def _resource_definition(fields: int) -> str:
    """A CustomResourceDefinition of ``fields`` properties, each described as naming a
    Secret: more YAML than a file is read whole."""
    properties = "".join(
        f"              field{n}:\n"
        f"                description: The name of the Secret that holds key {n}.\n"
        "                type: string\n"
        for n in range(fields)
    )
    return (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "spec:\n  versions:\n    - schema:\n        openAPIV3Schema:\n"
        "          properties:\n" + properties
    )


def test_a_bundle_of_resource_definitions_is_not_read_for_secrets(lint, tmp_path):
    # Its descriptions speak of Secrets, but no document declares one: nothing of it is
    # parsed, and its size is no finding.
    write_files(
        tmp_path,
        {
            "k8s/kustomization.yaml": "resources: [crds.yaml]\n",
            "k8s/crds.yaml": _resource_definition(6000),
        },
    )
    assert lint(tmp_path, "DE020", "LN009") == []


def test_a_secret_in_a_bundle_too_large_to_read_whole_is_read_at_its_line(lint, tmp_path):
    bundle = _resource_definition(6000) + (
        "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
        "stringData:\n  password: bundle-default-pw\n"
    )
    line = bundle.count("\n")
    write_files(
        tmp_path,
        {"k8s/kustomization.yaml": "resources: [bundle.yaml]\n", "k8s/bundle.yaml": bundle},
    )
    assert lint(tmp_path, "DE020", "LN009") == [
        ("DE020", "deployable-default-credentials", "k8s/bundle.yaml", line, 13)
    ]


@pytest.mark.parametrize(
    "secret",
    [
        '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, '
        '"stringData": {"password": "flow-default-pw"}}\n',
        "{apiVersion: v1, kind: Secret, metadata: {name: db}, "
        "stringData: {password: flow-default-pw}}\n",
    ],
)
def test_a_secret_written_on_one_line_in_flow_style_is_read(lint, tmp_path, secret):
    write_files(
        tmp_path,
        {"k8s/kustomization.yaml": "resources: [secret.yaml]\n", "k8s/secret.yaml": secret},
    )
    assert [found[:3] for found in lint(tmp_path, "DE020")] == [
        ("DE020", "deployable-default-credentials", "k8s/secret.yaml")
    ]


def test_chart_values_shared_through_aliases_are_read_once(lint, tmp_path):
    # Every component refers to one anchored mapping: its password is reported at the anchor
    # only, and a walk over aliases visits each mapping once.
    components = "\n".join(f"component{n}: *shared" for n in range(500))
    write_files(
        tmp_path,
        {
            "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 1.0.0\n",
            "chart/values.yaml": f"shared: &shared\n  password: shared-default-1\n{components}\n",
        },
    )
    (found,) = lint.result(tmp_path, "DE020").findings
    assert (found.path, found.line, found.column) == ("chart/values.yaml", 2, 13)
    assert found.message.startswith("`shared.password` of the Helm chart's default values")


def test_a_kustomization_naming_files_outside_the_project_reads_none(lint, tmp_path):
    write_tree(
        tmp_path,
        {
            "k8s/kustomization.yaml": """
                resources: [../../outside.yaml, /etc/secret.yaml, https://example.com/x.yaml]
                secretGenerator:
                  - name: db
                    envs: [../../../etc/db.env, /etc/db.env]
                """,
        },
    )
    assert lint(tmp_path, "DE020") == []
