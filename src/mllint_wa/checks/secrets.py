"""Secrets committed to the repository."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence, kinds
from mllint_wa.evidence.kinds import is_templated_path
from mllint_wa.model import Location, Risk, Stage, Violation
from mllint_wa.parsers.secrets import NEEDLES, find_secrets, is_secret_fixture
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
    A value must have the provider's format and look random; the finding shows at most its
    first four and last three characters, and nothing of a password or a key. A credential
    in a file's or folder's name is redacted in the path of every finding on that file, in
    every output format and in the fingerprint: the report names the file by its redacted
    form (`data/ghp_…7r8.csv`), which a CI annotation cannot open but which leaks nothing.

    Not reported: references (`${{ secrets.X }}`, `${VAR}`, `os.environ[...]`, `!Ref`,
    `{{resolve:secretsmanager:…}}`), placeholders (`<your-key>`, `xxxx`, `changeme`,
    `example`, `dummy`), AWS's documentation keys (`AKIAIOSFODNN7EXAMPLE` and the rest of
    the `…EXAMPLE` family), key IDs in pre-signed URLs (`X-Amz-Credential=`, the public half
    of a signature), connection strings without a password or with an elided or local
    default one (`postgres://postgres:postgres@localhost`), embedded notebook images, and
    Markdown. Test data for secret scanners (files under `testdata/` or a tests folder's
    `fixtures/`, and files named like `test_secrets.py`) is fabricated on purpose: it is
    skipped, not reported."""
    evidence = ctx.evidence
    for path in _scanned_files(ctx):
        if not evidence.mentions(path, *NEEDLES):
            continue
        text = evidence.text(path)
        if text is None:
            continue
        seen: Counter[str] = Counter()
        for match in find_secrets(text, notebook=path.endswith(".ipynb")):
            seen[match.kind] += 1
            shown = "" if match.redacted == "…" else f" (`{match.redacted}`)"
            yield Violation(
                f"{_article(match.kind)} {match.kind}{shown} is committed in `{path}`: revoke "
                "it and read it from the environment or a secrets manager at run time",
                Location(path, match.line, match.column),
                # The n-th secret of its kind in the file: stable when lines move, and
                # no hash of the secret, which would verify a guess of a short password.
                anchor=f"{path}:{match.kind}:{seen[match.kind]}",
            )


def _article(kind: str) -> str:
    return "An" if kind[0] in "AEIOU" else "A"
