"""Secrets committed to the repository, and default credentials shipped in what it deploys."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence, kinds
from mllint_wa.evidence.code import is_test_path
from mllint_wa.evidence.credentials import credentials
from mllint_wa.evidence.kinds import is_templated_path
from mllint_wa.evidence.manifests import (
    is_manifest_or_compose,
    secret_data_lines,
    shipped_credentials,
    used_only_by_ci_or_tests,
)
from mllint_wa.model import Location, Related, Risk, Stage, Violation
from mllint_wa.parsers.ci_systems import ci_system
from mllint_wa.parsers.secrets import (
    NEEDLES,
    PASSWORD,
    URL_PASSWORD,
    SecretMatch,
    is_secret_fixture,
)
from mllint_wa.registry import rule

# Every kind of file that configures or runs something: where credentials get pasted.
# Markdown is left out: documentation is full of sample keys, and a rule that cried wolf
# there would be ignored where it matters.
_SCANNED_KINDS = (
    kinds.PYTHON,
    kinds.NOTEBOOK,
    kinds.YAML,
    kinds.JSON,
    kinds.TOML,
    kinds.INI,
    kinds.DOTENV,
    kinds.DOCKERFILE,
    kinds.SHELL,
    kinds.CI,
    kinds.DVC,
    kinds.REQUIREMENTS,
    kinds.PIPFILE,
    kinds.MLPROJECT,
    kinds.TERRAFORM,
)
# Files of no kind of their own that exist to hold credentials.
_CREDENTIAL_NAMES = frozenset(
    {"credentials", ".netrc", ".pypirc", ".npmrc", ".git-credentials", ".s3cfg", ".boto"}
)
# Kinds of file that are code: only a string literal there is a value.
_CODE_KINDS = frozenset({kinds.PYTHON, kinds.NOTEBOOK, kinds.TERRAFORM})
_KEY_SUFFIXES = (".pem", ".key", ".p8")
_KEY_NAMES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"})


def _credential_file(evidence: Evidence, path: str) -> bool:
    name = path.rpartition("/")[2]
    return (
        (name in _CREDENTIAL_NAMES or name in _KEY_NAMES or name.endswith(_KEY_SUFFIXES))
        and not evidence.is_vendored(path)
        and not is_templated_path(path)
    )


def _scanned_files(ctx: ProjectContext) -> list[str]:
    evidence = ctx.evidence
    paths = set(evidence.files(*_SCANNED_KINDS))
    paths.update(p for p in evidence.all_files if _credential_file(evidence, p))
    return sorted(p for p in paths if not is_secret_fixture(p))


@rule(
    code="DP001",
    name="hardcoded-secret",
    risk=Risk.HIGH,
    summary="A credential (cloud key, API token, private key, password) is committed in a file.",
    fix="Revoke the credential now (it is in the history), then read it at run time from the "
    "environment, AWS Secrets Manager or SSM Parameter Store, or an IAM role, and add a secret "
    "scanner such as gitleaks or detect-secrets to pre-commit.",
    lens_refs=("MLSEC03-BP02", "MLSEC03-BP01"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def hardcoded_secret(ctx: ProjectContext) -> Iterator[Violation]:
    """A credential in a repository is readable by everyone who can read the repository, its
    forks and its history, and by every tool the repository is shared with; deleting it later
    does not unpublish it. The ML Lens asks for a secured data and modelling environment with
    secrets kept in a secrets store (MLSEC03-BP02), and for least-privilege access to ML
    resources (MLSEC03-BP01), which a shared long-lived key defeats.

    Reported: AWS access key IDs and secret access keys, private keys (PEM), GitHub, GitLab,
    Hugging Face, Slack (tokens and webhook URLs), OpenAI, Anthropic and W&B keys, and
    passwords in connection strings (`scheme://user:password@host`), in Python, notebooks
    (cell sources and outputs), YAML, JSON, TOML, INI, `.env`, Dockerfiles, shell scripts,
    CI, DVC, requirements, Terraform and credential files (`.netrc`, `.pypirc`, `*.pem`).
    A value must have the provider's format and look random. A secret of no known format is
    known by its name: a key, header, keyword argument or variable named for a password,
    token, secret or API key (`api_key`, `X-Api-Key`, `Authorization: Bearer …`,
    `db_password`, `client_secret`, `SECRET_KEY`, `aws_session_token`) assigned a literal
    of a secret's shape — at least 16 characters (12 for a password), letters and digits
    mixed, and random (Shannon entropy of 3.5 bits a character, 3.0 for hexadecimal and
    passwords). In Python, notebooks and Terraform only a string literal is a value. The
    finding shows at most the first four and last three characters of a secret, and nothing
    of a password or a key; the same value several times in a file is one finding, at its
    first place, naming the others. A credential in a file's or folder's name is redacted
    in the path of every finding on that file, in every output format and in the
    fingerprint: the report names the file by its redacted form (`data/ghp_…7r8.csv`),
    which a CI annotation cannot open but which leaks nothing.

    Not reported: references (`${{ secrets.X }}`, `${VAR}`, `os.environ[...]`, `!Ref`,
    `{{resolve:secretsmanager:…}}`, `<your-key>`, f-strings), placeholders and made-up
    values (`xxxx`, `changeme`, `example`, `dummy`, a value holding `test`, `secret`,
    `password`, `demo`, `default` …, the name itself again), documentation passwords
    (Docker's `mysecretpassword`, `my-secret-pw`) and local defaults (`postgres`,
    `minio123`), AWS's documentation keys (`AKIAIOSFODNN7EXAMPLE` and the rest of the
    `…EXAMPLE` family), key IDs in pre-signed URLs (`X-Amz-Credential=`, the public half of
    a signature), connection strings without a password or with an elided one, embedded
    notebook images, and Markdown. A name says when its value is no credential: IDs, names,
    files, URLs, hashes and checksums (`api_key_id`, `secret_name`, `model_sha256`,
    `token_hash`, `etag`), public keys, tokenizers' special tokens (`pad_token`) and
    pagination tokens (`NextToken`); nor are UUIDs, words joined by separators and
    CamelCase identifiers. A value another scanner was told to allow is not reported:
    detect-secrets' `pragma: allowlist secret` in a comment on its line (or `pragma:
    allowlist nextline secret` alone on the line above) and gitleaks' `gitleaks:allow` on
    its line. Throwaways of CI and tests are not reported: a password (by its name, or in a
    connection string to `localhost` or a container's name) in a CI definition (its service
    containers), in test code, or in a compose file or Kubernetes manifest used only by CI or
    tests (see deployable-default-credentials); nor are secrets known by their names in test
    code (files under `tests/`, `test_*.py`, `conftest.py`), nor a Kubernetes Secret's
    base64 `data`, which deployable-default-credentials decodes. Test data for secret
    scanners (files under `testdata/` or a tests folder's `fixtures/`, and files named like
    `test_secrets.py`) is fabricated on purpose: it is skipped, not reported."""
    evidence = ctx.evidence
    for path in _scanned_files(ctx):
        if not evidence.mentions(path, *NEEDLES):
            continue
        code = bool(evidence.kinds(path) & _CODE_KINDS)
        seen: Counter[str] = Counter()
        for match in credentials(evidence, path, notebook=path.endswith(".ipynb"), code=code):
            if not _reported(evidence, path, match):
                continue
            seen[match.kind] += 1
            yield _violation(path, match, seen[match.kind])


def _reported(evidence: Evidence, path: str, match: SecretMatch) -> bool:
    """Whether a secret the scan found is one to report here: a secret known by its name
    is test data in test code and base64 in a Kubernetes Secret's `data` (which
    deployable-default-credentials decodes), and a password is a throwaway where only CI or
    tests use it."""
    if match.name and (is_test_path(path) or match.line in secret_data_lines(evidence, path)):
        return False
    password = match.kind == PASSWORD or (match.kind == URL_PASSWORD and match.local)
    return not (password and _ci_or_test_only(evidence, path))


def _ci_or_test_only(evidence: Evidence, path: str) -> bool:
    """Whether a file serves only CI or tests: a CI definition (its service containers),
    test code, or a compose file or Kubernetes manifest that only CI or tests use."""
    if ci_system(path) is not None or is_test_path(path):
        return True
    return is_manifest_or_compose(evidence, path) and used_only_by_ci_or_tests(evidence, path)


def _violation(path: str, match: SecretMatch, ordinal: int) -> Violation:
    shown = "" if match.redacted == "…" else f" (`{match.redacted}`)"
    assigned = f" assigned to `{match.name}`" if match.name else ""
    also = ""
    if match.also:
        lines = [f"line {line}" for line, _ in match.also]
        listed = lines[0] if len(lines) == 1 else f"{', '.join(lines[:-1])} and {lines[-1]}"
        also = f" (also at {listed})"
    return Violation(
        f"{_article(match.kind)} {match.kind}{shown}{assigned} is committed in `{path}`"
        f"{also}: revoke it and read it from the environment or a secrets manager at run time",
        Location(path, match.line, match.column),
        # The n-th secret of its kind in the file: stable when lines move, and no hash of
        # the secret, which would verify a guess of a short password.
        anchor=f"{path}:{match.kind}:{ordinal}",
        related=tuple(
            Related(Location(path, line, column), "the same value again")
            for line, column in match.also
        ),
    )


def _article(kind: str) -> str:
    return "An" if kind[0] in "AEIOU" else "A"


@rule(
    code="DE020",
    name="deployable-default-credentials",
    risk=Risk.HIGH,
    summary="A Kubernetes Secret, kustomize secretGenerator or Helm chart's values that the "
    "project deploys set a literal password.",
    fix="Keep the value out of what is deployed: create the Secret at deploy time (a "
    "secretGenerator reading an env file that is not committed, External Secrets or Sealed "
    "Secrets, `helm install --set` from a secrets store, the chart's `existingSecret`), and "
    "change the password wherever the published one was deployed.",
    lens_refs=("MLSEC05-BP01", "MLSEC06-BP01", "MLSEC03-BP02"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def deployable_default_credentials(ctx: ProjectContext) -> Iterator[Violation]:
    """A password written into a manifest that deploys as written is the password of every
    installation that did not change it: of a model server's database, of the object store
    holding the training data and the models (MinIO's `minio123`), of a tracking server.
    Everyone who can read the repository can read it, and published defaults are the first
    passwords an attacker tries. The ML Lens asks for protection against malicious
    activity around the deployed model (MLSEC05-BP01), for access restricted to its
    legitimate consumers (MLSEC06-BP01) and for secrets kept in a secrets store
    (MLSEC03-BP02).

    Reported: a literal value under a key named for a credential (`password`, `secretkey`,
    `POSTGRES_PASSWORD`, `api-key`, `token` …) in a Kubernetes `Secret` (`stringData`, or
    `data` — base64, decoded here to judge it and never shown) that a kustomization lists
    in its `resources`; a `secretGenerator`'s `literals` and env files; and the default
    values (`values.yaml`) of a Helm chart (beside `Chart.yaml`). A default such as
    `minio123` or `changeme` is reported: it is what an installation runs with.

    Not reported: manifests only CI or tests use — under a tests or CI folder (`tests/`,
    `e2e/`, `ci/`, `.github/`), named for tests or CI (`secret.test.yaml`), beside a kind
    cluster's configuration or under a `kind`/`minikube` folder, or named by CI jobs and by
    no kustomization, documentation or script outside CI and tests; Secrets no kustomization
    lists; the parts of a chart switched off by default (`enabled: false`); empty values,
    references and templates (`${VAR}`, `$(VAR)`, `{{ }}`, `<your-password>`), fill-ins
    (`TODO`, `REPLACE_ME`, `your-api-key-here`), the name of a variable or key that holds
    the credential (`DB_PASSWORD`), and a password's hash (`$2y$…`, bcrypt); and values that
    hardcoded-secret reports itself (a token of a known format, a generated-looking password
    in plain text)."""
    for found in shipped_credentials(ctx.evidence):
        encoded = " (base64 in `data`)" if found.encoded else ""
        yield Violation(
            f"`{found.key}` of {found.holder} is a literal credential{encoded}, and "
            f"`{found.deployed_by}` deploys it as written: every installation that does not "
            "replace it runs with a password published in the repository",
            Location(found.path, found.line, found.column),
            anchor=f"{found.path}:{found.holder}:{found.key}",
        )
