"""Credentials written into text: cloud keys, API tokens, private keys, URL passwords.

:func:`find_secrets` is pure: text in, :class:`SecretMatch` out, each with its kind, its
1-based line and column in the text as stored (a notebook is scanned as the ``.ipynb``
text, so its positions are lines of that file) and a redacted form that is safe to print.
The secret itself never leaves this module. :func:`redact` applies the same detectors to
any text about to be shown (a parse error quoting a line, a manifest value) and replaces
what they find by its redacted form.

A match must look like the real thing, not merely have the prefix: the body has the
provider's charset and length, enough entropy, and no placeholder word (``example``,
``your``, ``xxxx``, ``changeme`` …). AWS's published documentation keys (the ``…EXAMPLE``
family) are not secrets; neither are references to one (``${VAR}``, ``$VAR``,
``${{ secrets.X }}``, ``{{resolve:secretsmanager:…}}``, ``<your-key>``), which fail the
charset of every detector that reads a value.

Every repetition in a detector's pattern is bounded (``{0,32}``, never ``*`` or ``+``), so one
attempt at a match costs at most a constant and a scan is linear in the text, however the
text is made: a keyword followed by 40 KB of blanks is read in one pass, not retried from
every blank.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

# Shorter secrets are shown as nothing at all: a few characters of them are a real hint.
_SHOWN_FROM = 20
_ELLIPSIS = "…"
# No text a detector matches, with what it looks at around it, is longer than this: every
# repetition is bounded. A quote cut this far past what it shows is redacted as if whole.
LONGEST_MATCH = 512


@dataclass(frozen=True)
class SecretMatch:
    kind: str
    line: int
    column: int
    redacted: str


@dataclass(frozen=True)
class _Detector:
    kind: str
    # Patterns start with a literal where they can, which lets the regex engine skip ahead.
    pattern: re.Pattern[str]
    # The detector runs only on text holding one of these: most files hold none.
    needles: tuple[str, ...]
    # Which group holds the secret; its span is what is redacted and located.
    group: int = 0
    # Whether the value is genuine (not a placeholder, an example or a reference).
    valid: Callable[[str, re.Match[str]], bool] = lambda value, match: _random(value)
    # Whether any part of the value may be shown (a password or a private key: never).
    showable: bool = True
    # Whether the secret must start a token (not continue an identifier or base64 run).
    bounded: bool = True


def _starts_token(text: str, start: int) -> bool:
    """Whether nothing of a token stands just before ``start``. A JSON-escaped newline or
    tab (notebooks, JSON strings) also ends a token, although its "n"/"t" is a letter."""
    if start == 0:
        return True
    before = text[start - 1]
    if not (before.isalnum() or before in "_-"):
        return True
    return before in "nrt" and start >= 2 and text[start - 2] == "\\"


# What may stand after a token: not a character of it.
_END = r"(?![A-Za-z0-9_\-])"

_PLACEHOLDER_WORDS = (
    "example",
    "sample",
    "dummy",
    "changeme",
    "change_me",
    "placeholder",
    "your",
    "redacted",
    "fake",
    "xxxx",
    "****",
    "0000",
    "1234567",
    "abcdefg",
    "insert",
    "replace",
)


def _placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(word in lowered for word in _PLACEHOLDER_WORDS)


def _entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def _random(value: str, minimum: float = 3.0) -> bool:
    """Random enough to be a generated credential and no placeholder."""
    return not _placeholder(value) and _entropy(value) >= minimum


_CAMEL_WORDS = re.compile(r"(?:[A-Z][a-z]+)+")


def _mixed_case(value: str, match: re.Match[str]) -> bool:
    # Generated tokens mix cases at random; CamelCase words are an identifier
    # (hf_TFAutoModelForSequenceClassific…), not a token.
    return (
        _random(value)
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and _CAMEL_WORDS.fullmatch(value) is None
    )


def _aws_secret(value: str, match: re.Match[str]) -> bool:
    # wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and its variants end in EXAMPLEKEY.
    return "EXAMPLE" not in value and _mixed_case(value, match)


def _hex_key(value: str, match: re.Match[str]) -> bool:
    return _random(value) and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


# Passwords that are placeholders, local-development defaults or the user name again.
_DEFAULT_PASSWORDS = frozenset(
    {
        "pass",
        "passwd",
        "password",
        "pwd",
        "secret",
        "root",
        "admin",
        "test",
        "guest",
        "user",
        "postgres",
        "mysql",
        "mongo",
        "redis",
        "airflow",
        "mlflow",
        "minio",
        "minio123",
        "minioadmin",
        "rabbitmq",
        "token",
        "none",
        "null",
    }
)
_REFERENCE_MARKS = ("$", "{", "}", "<", ">", "%", "*", "[", "]", "(", ")")


def _url_password(value: str, match: re.Match[str]) -> bool:
    lowered = value.lower()
    scheme_end = match.start()
    if scheme_end == 0 or not match.string[scheme_end - 1].isalnum():
        return False  # "://" without a scheme before it is no URL
    return not (
        any(mark in value for mark in _REFERENCE_MARKS)
        or "..." in value  # elided: https://user:...token...@host
        or "…" in value
        or lowered in _DEFAULT_PASSWORDS
        or lowered == match.group("user").lower()
        or _placeholder(value)
        or len(set(value)) < 3
    )


# The body of a PEM key: a long run of base64 after its header (possibly after JSON "\n"s).
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=]{40}")
_Q = r"""(?:\\?["'])?"""  # an optional quote, JSON-escaped in notebooks
# Between a key's name and its value: `=`, `:`, `:=` or `=>` (blanks around it, a line break
# after it), or blanks alone. Each run is bounded and the blanks before the sign cannot be
# taken for those after it, so a long run of blanks is not split in every possible way.
_ASSIGNED = r"(?:[ \t]{0,32}(?::=|=>|[:=])\s{0,32}|[ \t]{1,32})"


def _aws_key_id(value: str, match: re.Match[str]) -> bool:
    # AWS documents its examples as AKIAIOSFODNN7EXAMPLE, ASIAIOSFODNN7EXAMPLE and the like.
    # In a pre-signed URL or a SigV4 header (Credential=AKIA…/date/region/…) the key ID is
    # the public half of a signature, shared on purpose.
    before = match.string[max(0, match.start() - 14) : match.start()].lower()
    return (
        "EXAMPLE" not in value
        and not before.endswith(("credential=", "credential%3d"))
        and _random(value[4:], 2.5)
    )


_DETECTORS: tuple[_Detector, ...] = (
    _Detector(
        "AWS access key ID",
        re.compile(r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}" + _END),
        ("AKIA", "ASIA", "ABIA", "ACCA"),
        valid=_aws_key_id,
    ),
    _Detector(
        "AWS secret access key",
        re.compile(
            r"(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key)"
            + _Q
            + _ASSIGNED
            + _Q
            + r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
        ),
        ("ecret", "ECRET"),
        group=1,
        valid=_aws_secret,
        bounded=False,
    ),
    _Detector(
        "private key",
        re.compile(r"-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----"),
        ("PRIVATE KEY",),
        valid=lambda value, match: (
            _PEM_BODY.search(match.string, match.end(), match.end() + 400) is not None
        ),
        showable=False,
    ),
    _Detector(
        "GitHub token",
        re.compile(r"(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{60,240})" + _END),
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        valid=lambda value, match: _mixed_case(value.split("_", 1)[1], match),
    ),
    _Detector(
        "GitLab token",
        re.compile(r"(?:glpat|gldt|glptt|glrt)-[A-Za-z0-9_\-]{20,100}" + _END),
        ("glpat-", "gldt-", "glptt-", "glrt-"),
        valid=lambda value, match: _random(value.split("-", 1)[1]),
    ),
    _Detector(
        "Hugging Face token",
        re.compile(r"(?:hf|api_org)_[A-Za-z0-9]{34}" + _END),
        ("hf_", "api_org_"),
        valid=lambda value, match: _mixed_case(value.rsplit("_", 1)[1], match),
    ),
    _Detector(
        "Slack token",
        re.compile(r"xox[baprse]-[0-9]{6,20}(?:-[0-9A-Za-z]{6,64}){1,3}" + _END),
        ("xox",),
        valid=lambda value, match: _random(value.rsplit("-", 1)[1], 2.5),
    ),
    _Detector(
        "Slack webhook URL",
        re.compile(
            r"hooks\.slack\.com/(?:services|workflows)/"
            r"(T[A-Z0-9]{6,12}/[AB][A-Z0-9]{6,12}/[A-Za-z0-9]{20,40})" + _END
        ),
        ("hooks.slack.com",),
        group=1,
        valid=lambda value, match: _random(value.rsplit("/", 1)[1]),
        bounded=False,
    ),
    _Detector(
        "OpenAI API key",
        re.compile(
            r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,200}"
            r"|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48})" + _END
        ),
        ("sk-",),
        valid=lambda value, match: _mixed_case(value[3:], match),
    ),
    _Detector(
        "Anthropic API key",
        re.compile(r"sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,120}" + _END),
        ("sk-ant-",),
        valid=lambda value, match: _mixed_case(value[14:], match),
    ),
    _Detector(
        "W&B API key",
        re.compile(
            r"(?:(?i:wandb_api_key)"
            + _Q
            + _ASSIGNED
            + _Q
            + r"|wandb\.login\([^)\n]{0,80}?key[ \t]{0,32}=[ \t]{0,32}"
            + _Q
            + r"|wandb[ \t]{1,32}login[ \t]{1,32}(?:--relogin[ \t]{1,32})?"
            + r")([0-9a-f]{40})(?![0-9A-Za-z])"
        ),
        ("andb", "ANDB"),
        group=1,
        valid=_hex_key,
        bounded=False,
    ),
    _Detector(
        "password in a connection string",
        re.compile(
            # After a scheme (checked by _url_password): the engine looks for "://" only.
            r"://(?P<user>[^\s:/@'\"\\]{0,200}):(?P<password>[^\s@/'\"\\]{1,200})@"
            # a host, not an image digest (docker://python:3.12@sha256:…)
            r"(?!sha\d{1,4}:)[A-Za-z0-9\-_.\[]"
        ),
        ("://",),
        group=2,
        valid=lambda value, match: _url_password(value, match),
        showable=False,
        bounded=False,
    ),
)

# Bytes of which a file must hold at least one before it is scanned: the cheap prefilter.
NEEDLES: tuple[bytes, ...] = tuple(
    sorted({needle.encode() for detector in _DETECTORS for needle in detector.needles})
)

# Embedded images and PDFs in notebook outputs: base64 that must not be read as tokens. They
# are blanked out (same length, same line breaks) so that positions stay those of the file.
# A JSON string ends at its first unescaped quote and strings in a list are separated by
# commas, never by blanks alone, so the text has one reading: no unclosed list is retried
# in every way of splitting it into strings.
_JSON_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_NOTEBOOK_BINARY = re.compile(
    r'"(?:image/[\w.+\-]+|application/pdf)"\s*:\s*'
    rf"(?:{_JSON_STRING}|\[\s*(?:{_JSON_STRING}\s*(?:,\s*{_JSON_STRING}\s*)*)?\])"
)


def _blank(match: re.Match[str]) -> str:
    return "\n".join(" " * len(line) for line in match.group(0).split("\n"))


def redacted(value: str, showable: bool = True) -> str:
    """At most the first four and last three characters; nothing of a short secret."""
    if not showable or len(value) < _SHOWN_FROM:
        return _ELLIPSIS
    return value[:4] + _ELLIPSIS + value[-3:]


def _spans(text: str, validate: bool) -> list[tuple[int, int, _Detector]]:
    """(start, end, detector) of each secret, earliest first, overlaps resolved in favour
    of the detector listed first (a GitHub token inside a URL is a GitHub token)."""
    found: list[tuple[int, int, int, _Detector]] = []
    for rank, detector in enumerate(_DETECTORS):
        if not any(needle in text for needle in detector.needles):
            continue
        for match in detector.pattern.finditer(text):
            start, end = match.span(detector.group)
            if validate and (
                (detector.bounded and not _starts_token(text, start))
                or not detector.valid(match.group(detector.group), match)
            ):
                continue
            found.append((rank, start, end, detector))
    found.sort(key=lambda item: item[:2])
    kept: list[tuple[int, int, _Detector]] = []
    for _, start, end, detector in found:
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, detector))
    return sorted(kept, key=lambda item: item[0])


def find_secrets(text: str, notebook: bool = False) -> list[SecretMatch]:
    """Every credential in ``text``, in order; ``notebook`` blanks embedded images first."""
    if notebook and ('"image/' in text or '"application/pdf"' in text):
        text = _NOTEBOOK_BINARY.sub(_blank, text)
    results = []
    for start, end, detector in _spans(text, validate=True):
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        value = text[start:end]
        results.append(SecretMatch(detector.kind, line, column, redacted(value, detector.showable)))
    return results


def redact(text: str) -> str:
    """``text`` with everything that looks like a credential replaced by its redacted
    form: for messages that quote a file's content. Placeholders are redacted too, since
    hiding one costs nothing."""
    if not text:
        return text
    spans = _spans(text, validate=False)
    if not spans:
        return text
    parts = []
    position = 0
    for start, end, detector in spans:
        parts.append(text[position:start])
        parts.append(redacted(text[start:end], detector.showable))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def quote(text: str, limit: int) -> str:
    """The project's ``text`` as a message may quote it: redacted, then cut to ``limit``
    characters, the last of them an ellipsis when it was cut. Redacting comes first: a cut
    secret no longer looks like one (a URL's password without its ``@host``, a key ID
    without its length), and would be shown in full."""
    shown = redact(text[: limit + LONGEST_MATCH])
    return shown if len(shown) <= limit else shown[: limit - 1] + _ELLIPSIS


# Folders and names that hold test data for secret scanners: fabricated secrets on purpose.
_FIXTURE_FOLDERS = frozenset({"testdata", "test_data", "test-data", "__fixtures__"})
_TEST_FOLDERS = frozenset({"test", "tests", "testing"})


def is_secret_fixture(path: str) -> bool:
    """Whether a project-relative path is test data: under ``testdata/``, under a
    ``fixtures/`` folder of a tests folder, or a file named like ``test_secrets.py``."""
    *folders, name = path.split("/")
    lowered = [f.lower() for f in folders]
    if any(f in _FIXTURE_FOLDERS for f in lowered):
        return True
    for index, folder in enumerate(lowered):
        if folder in ("fixtures", "fixture") and any(f in _TEST_FOLDERS for f in lowered[:index]):
            return True
    name = name.lower()
    return "test" in name and "secret" in name
