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

Besides the providers' formats, a secret is known by the name it is assigned to
(:data:`_NAMED`): a key, header, keyword argument or variable named for a password, token,
secret or API key (``api_key``, ``X-Api-Key``, ``db_password``, ``client_secret``) given a
literal of a secret's shape. The name alone decides what a quote redacts; what a scan
reports must also look generated (:func:`_secret_shaped`) and be no placeholder, no
throwaway password (:func:`throwaway_password`) and no hash or ID, which the name tells.

A value the project has reviewed and marked for another scanner is not reported:
detect-secrets' ``pragma: allowlist secret`` in a comment on its line (or ``pragma: allowlist
nextline secret`` alone on the line before), and gitleaks' ``gitleaks:allow`` on its line.
The same value written several times in a text is one secret, reported once.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
import string
from collections import Counter
from collections.abc import Callable, Iterator

from mllint_wa.literals import any_of
from mllint_wa.records import dataclass

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
    # What a secret known by its name is assigned to (`X-Api-Key`); empty for the others.
    name: str = ""
    # Whether a connection string's host is this machine or a container beside it
    # (`@localhost`, `@db`): what a CI job's own database is reached at.
    local: bool = False
    # Where else the text holds the same value, as (line, column): one secret, one report.
    also: tuple[tuple[int, int], ...] = ()


# The kinds a secret known by its name is reported as, and that of a URL's password.
PASSWORD = "password"
URL_PASSWORD = "password in a connection string"


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
    # Whether the secret is known by the name it is assigned to (group "name"), which
    # decides its kind even where nothing is validated.
    named: bool = False


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


# Passwords that are placeholders, documentation examples (Docker's `mysecretpassword` for
# Postgres, `my-secret-pw` for MySQL) or local-development defaults.
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
        "mysecretpassword",
        "my-secret-pw",
        "changeit",
        "letmein",
        "qwerty",
    }
)
# Words that a chosen value holds when it was made up to show or test something: a value a
# person typed (a password, a name's value) holding one is no secret of theirs.
_MADE_UP_WORDS = (
    "test",
    "secret",
    "passw",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "default",
    "demo",
    "local",
    "mock",
    "admin",
    "qwerty",
    "letmein",
)
_REFERENCE_MARKS = ("$", "{", "}", "<", ">", "%", "*", "[", "]", "(", ")")


def _squeezed(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def throwaway_password(value: str, *names: str) -> bool:
    """Whether a chosen value is a placeholder, a documentation or local-development default,
    a made-up word, or one of ``names`` (the key it is assigned to, the user) again: a
    password no one would keep secret."""
    lowered = value.lower()
    squeezed = _squeezed(value)
    return (
        lowered in _DEFAULT_PASSWORDS
        or any(squeezed == _squeezed(name) for name in names if name)
        or _placeholder(value)
        or any(word in lowered for word in _MADE_UP_WORDS)
        or len(set(value)) < 3
    )


def _url_password(value: str, match: re.Match[str]) -> bool:
    scheme_end = match.start()
    if scheme_end == 0 or not match.string[scheme_end - 1].isalnum():
        return False  # "://" without a scheme before it is no URL
    return not (
        any(mark in value for mark in _REFERENCE_MARKS)
        or "..." in value  # elided: https://user:...token...@host
        or "…" in value
        or throwaway_password(value, match.group("user"))
    )


_LOCAL_HOSTS = frozenset({"localhost", "0.0.0.0", "[::1]", "host.docker.internal"})
_HOST_END = frozenset(":/?#\"' \t\r\n\\,;)")
_HOST_REACH = 256


def _local_host(text: str, at: int) -> bool:
    """Whether the host starting at ``at`` is this machine or a container beside it: a name
    without a dot (`db`, `postgres`) is a service of the same compose file or CI job, and
    `….svc.cluster.local` one of the same Kubernetes cluster."""
    end = at
    while end < len(text) and end - at < _HOST_REACH and text[end] not in _HOST_END:
        end += 1
    host = text[at:end].lower()
    return (
        host in _LOCAL_HOSTS
        or host.startswith("127.")
        or host.endswith((".svc", ".svc.cluster.local"))
        or (bool(host) and "." not in host)
    )


# The body of a PEM key: a long run of base64 after its header (possibly after JSON "\n"s).
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=]{40}")
_Q = r"""(?:\\?["'])?"""  # an optional quote, JSON-escaped in notebooks
# Between a key's name and its value: `=`, `:`, `:=` or `=>` (blanks around it, a line break
# after it), or blanks alone. Each run is bounded and the blanks before the sign cannot be
# taken for those after it, so a long run of blanks is not split in every possible way.
_ASSIGNED = r"(?:[ \t]{0,32}(?::=|=>|[:=])\s{0,32}|[ \t]{1,32})"


# -- secrets known by their names -----------------------------------------------------------

# A word that ends a credential's name, anywhere in the text (what the scan looks for first);
# the whole name around it decides (:func:`named_kind`). Spelt out in its three cases rather
# than matched case-insensitively, which lets the regex engine skip ahead to a first letter.
_CREDENTIAL_WORDS = ("key", "token", "secret", "pass", "pwd", "auth", "cred")
_CREDENTIAL_WORD = "(?:{})".format(
    "|".join(
        variant for word in _CREDENTIAL_WORDS for variant in (word, word.capitalize(), word.upper())
    )
)
# How long the rest of a name after its credential word can be.
_NAME_REST = 24
_NAMED = re.compile(
    rf"(?P<name>{_CREDENTIAL_WORD}[A-Za-z0-9_\-]{{0,{_NAME_REST}}})"  # the rest of the name
    + _Q
    + r"\]?"  # a subscript's closing bracket: os.environ["API_KEY"] = …
    + r"(?::[ \t]{0,8}str)?"  # a type annotation
    + r"[ \t]{0,32}(?::=|=>|[:=])[ \t]{0,32}"
    + r"(?P<quote>\\?[\"'])?"
    + r"(?:(?i:bearer|basic|token)[ \t]{1,8})?"  # an Authorization header's scheme
    + r"(?P<value>[A-Za-z0-9+/=_\-.~]{8,200})"
    + r"(?=[\s\"'\\,;)}\]#]|\Z)"
)
# How far back from its last word a name is read (`aws_session_token`, `X-Api-Key`).
_NAME_REACH = 64
_LONGEST_NAME = _NAME_REACH + max(map(len, _CREDENTIAL_WORDS)) + _NAME_REST

# Words of a name that make it no credential's: what names a credential (its ID, name,
# file, URL, length, hash or type), a credential's reference (`existing_secret`), test
# data, and the many keys and tokens that are no credential (public keys, tokenizers'
# special tokens, pagination and idempotency tokens).
_NOT_A_CREDENTIAL = frozenset(
    {
        "id", "ids", "name", "names", "arn", "file", "files", "path", "dir", "url", "uri",
        "endpoint", "length", "len", "size", "type", "hash", "hashed", "sha", "sha1",
        "sha256", "sha512", "md5", "checksum", "digest", "etag", "fingerprint", "prefix",
        "suffix", "field", "env", "var", "param", "ref", "policy", "version", "count", "num",
        "max", "min", "expiry", "expires", "expiration", "ttl", "format", "template",
        "pattern", "regex", "mode", "bucket", "region", "kms", "alias", "existing", "public",
        "pub", "placeholder", "example", "sample", "dummy", "fake", "mock", "test", "label",
        "index", "idx", "column", "vault", "rotation", "manager", "arg", "option", "help",
        "description", "location", "primary", "foreign", "partition", "sort", "cache",
        "pad", "eos", "bos", "unk", "sep", "mask", "cls", "special", "vocab", "csrf", "xsrf",
        "next", "page", "pagination", "continuation", "cursor", "marker", "idempotency",
        "request", "start", "end", "stop", "begin", "image", "audio", "video", "vision",
    }
)  # fmt: skip
# Qualifiers that make a `…_key` a credential: `api_key`, `secret_key`, `X-Api-Key`. Not
# `access`: an access key is the public half of a pair (an AWS key ID is found by its format).
_KEY_QUALIFIERS = frozenset(
    {
        "api", "secret", "private", "auth", "client", "account", "service",
        "master", "signing", "subscription", "app", "application", "consumer", "encryption",
        "session", "shared", "storage", "admin", "license", "webhook", "hmac", "jwt",
    }
)  # fmt: skip
_COMPOUND_KINDS = {
    "apikey": "API key",
    "secretkey": "secret",
    "privatekey": "secret",
    "authkey": "secret",
    "masterkey": "secret",
    "clientsecret": "secret",
    "authtoken": "token",
    "accesstoken": "token",
    "apitoken": "token",
    "refreshtoken": "token",
    "sessiontoken": "token",
    "bearertoken": "token",
}
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pass", "passphrase"})


def _words(name: str) -> list[str]:
    """A name's words, lowercase: `X-Api-Key`, `x_api_key`, `xApiKey` and `XAPIKey` give
    x, api, key; numbers are left out (`token2` is a token)."""
    words: list[str] = []
    current = ""
    for index, char in enumerate(name):
        if not char.isalpha():
            if current:
                words.append(current)
            current = ""
            continue
        if current and char.isupper():
            before = name[index - 1]
            following = name[index + 1] if index + 1 < len(name) else ""
            # aB starts a word, and so does the B of ABc (the end of an acronym).
            if before.islower() or following.islower():
                words.append(current)
                current = ""
        current += char
    if current:
        words.append(current)
    return [word.lower() for word in words]


def named_kind(name: str) -> str | None:
    """What credential a name says its value is — ``password``, ``API key``, ``token`` or
    ``secret`` — or None when it names something else (`tokenizer`, `key_id`,
    `secret_name`, `pad_token`, `password_hash`)."""
    words = _words(name)
    if not words or any(word in _NOT_A_CREDENTIAL for word in words):
        return None
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if last in _PASSWORD_WORDS or last.endswith(("password", "passwd")):
        return PASSWORD
    if last in _COMPOUND_KINDS:
        return _COMPOUND_KINDS[last]
    if last == "key" and (before in _KEY_QUALIFIERS or "secret" in words or "private" in words):
        return "API key" if before == "api" else "secret"
    if last in ("token", "auth", "authorization"):
        return "token"
    # Not `credential`: SigV4's `Credential=AKIA…/date/region/service` is a public scope.
    if last in ("secret", "credentials", "creds"):
        return "secret"
    return None


def _assigned_name(match: re.Match[str]) -> str:
    """The whole name a credential word ends: read back from the word over a name's
    characters (`aws_session_` of `aws_session_token`)."""
    text = match.string
    word = match.start("name")
    begin = word
    while begin > 0 and word - begin < _NAME_REACH:
        before = text[begin - 1]
        if not (before.isalnum() or before in "_-."):
            break
        begin -= 1
    # A JSON-escaped line break or tab before the name (in a notebook) is no part of it.
    if begin >= 1 and text[begin - 1] == "\\" and text[begin] in "nrt":
        begin += 1
    return text[begin : match.end("name")].strip(".-")


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SEPARATORS = re.compile(r"[\-_./~]")


def _wordy(value: str) -> bool:
    """Words and numbers joined by separators (`delete-user-pass`, `model-2024-01`): a name
    someone wrote, not a generated value."""
    parts = [part for part in _SEPARATORS.split(value) if part]
    return len(parts) >= 2 and all(part.isalpha() or part.isdigit() for part in parts)


def _secret_shaped(value: str, kind: str, name: str) -> bool:
    """Whether a value assigned to a credential's name looks like a real one: long enough,
    letters and digits mixed, random enough (hexadecimal has fewer symbols, so a lower
    bar), and no placeholder, made-up word, the name again, identifier or UUID."""
    if len(value) < (12 if kind == PASSWORD else 16):
        return False
    if not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
        return False
    if _wordy(value) or _CAMEL_WORDS.fullmatch(value) or _UUID.fullmatch(value):
        return False
    if throwaway_password(value, name) or _squeezed(name) in _squeezed(value):
        return False
    hexadecimal = all(c in string.hexdigits for c in value)
    return _entropy(value) >= (3.0 if hexadecimal or kind == PASSWORD else 3.5)


def _named_secret(match: re.Match[str], kind: str, name: str, code: bool) -> bool:
    """Whether a value assigned to a credential's name is a literal credential: quoted in
    code (an unquoted value there is an expression), closed by its own quote, and of a
    secret's shape."""
    quote = match.group("quote")
    after = match.string[match.end("value") : match.end("value") + 2]
    if quote:
        if not after.lstrip("\\").startswith(quote[-1]):
            return False
    elif code:
        return False
    return _secret_shaped(match.group("value"), kind, name)


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
    # Last: a provider's format says more than a name (an AWS key ID assigned to `api_key`).
    _Detector(
        "secret",
        _NAMED,
        tuple(
            variant
            for word in _CREDENTIAL_WORDS
            for variant in (word, word.capitalize(), word.upper())
        ),
        group=_NAMED.groupindex["value"],
        bounded=False,
        named=True,
    ),
)
# Whether any part of a secret may be shown, by the kind its format tells (its name tells the
# others' kind: see named_kind).
_SHOWABLE_BY_KIND = {
    detector.kind: detector.showable for detector in _DETECTORS if not detector.named
}

# Bytes of which a file must hold at least one before it is scanned: the cheap prefilter.
NEEDLES: tuple[bytes, ...] = tuple(
    sorted({needle.encode() for detector in _DETECTORS for needle in detector.needles})
)
# Whether a text holds any detector's needle at all.
_ANY_NEEDLE = re.compile(any_of(needle for detector in _DETECTORS for needle in detector.needles))

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


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str
    showable: bool
    name: str = ""
    local: bool = False


def _spans(text: str, validate: bool, code: bool = False) -> list[_Span]:
    """Each secret, earliest first, overlaps resolved in favour of the detector listed first
    (a GitHub token inside a URL is a GitHub token). A secret known by its name counts only
    when the name is a credential's, validated or not; ``code`` says that values are string
    literals (an unquoted value is an expression)."""
    kept: list[_Span] = []
    if _ANY_NEEDLE.search(text) is None:
        return kept  # most texts: one pass, not one a needle
    for detector in _DETECTORS:
        for needle in detector.needles:
            if needle in text:
                kept = _merged(kept, _detected(text, detector, validate, code))
                break
    return kept


def _detected(text: str, detector: _Detector, validate: bool, code: bool) -> Iterator[_Span]:
    """What one detector finds, earliest first and none overlapping another."""
    for match in detector.pattern.finditer(text):
        start, end = match.span(detector.group)
        if detector.named:
            name = _assigned_name(match)
            kind = named_kind(name)
            if kind is not None and not (validate and not _named_secret(match, kind, name, code)):
                yield _Span(start, end, kind, kind != PASSWORD, name)
            continue
        if validate and (
            (detector.bounded and not _starts_token(text, start))
            or not detector.valid(match.group(detector.group), match)
        ):
            continue
        local = detector.kind == URL_PASSWORD and _local_host(text, end + 1)
        yield _Span(start, end, detector.kind, detector.showable, local=local)


def _merged(kept: list[_Span], found: Iterator[_Span]) -> list[_Span]:
    """``kept`` with each span of ``found`` that overlaps none of them, in order: one sweep
    over both (each is sorted and free of overlaps), however many secrets a text holds."""
    added: list[_Span] = []
    index = 0
    for span in found:
        while index < len(kept) and kept[index].end <= span.start:
            index += 1
        if index == len(kept) or kept[index].start >= span.end:
            added.append(span)
    return list(heapq.merge(kept, added, key=lambda span: span.start))


# Other scanners' marks on a value the project reviewed as no secret: detect-secrets'
# pragma in a comment on the value's line, or alone on the line before it (a notebook's
# line may open with the JSON string's quote), and gitleaks' mark anywhere on the line.
_ALLOWED_HERE = re.compile(
    r"(?:#|//|/\*|--|<!--)[ \t#]{0,16}pragma: ?(?:allow|white)list[ -]secret"
)
_ALLOWED_NEXT = re.compile(
    r'[ \t]{0,64}"?(?:#|//|/\*|--|<!--)[ \t#]{0,16}pragma: ?allowlist[ -]nextline[ -]secret'
)
_GITLEAKS_ALLOW = "gitleaks:allow"


# How far around a secret a mark is looked for: a line longer than this (a minified file) is
# read this far either side, so that each secret costs a bounded look.
_MARK_REACH = 1024


def _allowlisted(text: str, span: _Span) -> bool:
    """Whether another scanner's mark says the secret on these lines is no secret."""
    low = max(0, span.start - _MARK_REACH)
    high = min(len(text), span.end + _MARK_REACH)
    start = text.rfind("\n", low, span.start) + 1 or low
    end = text.find("\n", span.end, high)
    lines = text[start : high if end < 0 else end]
    if _GITLEAKS_ALLOW in lines or ("pragma" in lines and _ALLOWED_HERE.search(lines)):
        return True
    if start == 0 or text[start - 1] != "\n":
        return False  # the first line, or one too long to hold only a mark before it
    before = max(0, start - 1 - _MARK_REACH)
    previous = text[text.rfind("\n", before, start - 1) + 1 : start - 1]
    return _ALLOWED_NEXT.match(previous) is not None


def find_secrets(text: str, notebook: bool = False, code: bool = False) -> list[SecretMatch]:
    """Every credential in ``text``, in order, each value once (with the other places it
    stands); ``notebook`` blanks embedded images first; ``code`` (implied by ``notebook``)
    says that the text is code, where only a string literal is a value."""
    if notebook and ('"image/' in text or '"application/pdf"' in text):
        text = _NOTEBOOK_BINARY.sub(_blank, text)
    found: dict[str, tuple[_Span, list[tuple[int, int]]]] = {}
    line, line_start, scanned = 1, 0, 0
    for span in _spans(text, validate=True, code=code or notebook):
        if _allowlisted(text, span):
            continue
        breaks = text.count("\n", scanned, span.start)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", scanned, span.start) + 1
        scanned = span.start
        value = text[span.start : span.end]
        found.setdefault(value, (span, []))[1].append((line, span.start - line_start + 1))
    return [
        SecretMatch(
            span.kind,
            *places[0],
            redacted(value, span.showable),
            span.name,
            span.local,
            tuple(places[1:]),
        )
        for value, (span, places) in found.items()
    ]


def reportable(kind: str, name: str, shown: str, local: bool) -> bool:
    """Whether :func:`find_secrets` can report a secret of ``kind`` assigned to ``name``
    (empty for one its format tells) as ``shown``, on a local host or not: for a match kept
    outside the run, which must be one the scan could have found."""
    if name:
        known = len(name) <= _LONGEST_NAME and named_kind(name) == kind
        showable = kind != PASSWORD
    else:
        known, showable = kind in _SHOWABLE_BY_KIND, _SHOWABLE_BY_KIND.get(kind, False)
    # As redacted() shows a part: four characters, the ellipsis, three.
    partly = showable and len(shown) == 8 and shown[4] == _ELLIPSIS
    return known and (shown == _ELLIPSIS or partly) and (kind == URL_PASSWORD or not local)


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
    for span in spans:
        parts.append(text[position : span.start])
        parts.append(redacted(text[span.start : span.end], span.showable))
        position = span.end
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
    folder, _, name = path.rpartition("/")
    name = name.lower()
    return _fixture_folder(folder) or ("test" in name and "secret" in name)


@functools.lru_cache(maxsize=16384)
def _fixture_folder(folder: str) -> bool:
    """Whether files in ``folder`` are test data by their folders: decided once a folder,
    since the scan asks it of every file."""
    lowered = [f.lower() for f in folder.split("/")] if folder else []
    if any(f in _FIXTURE_FOLDERS for f in lowered):
        return True
    for index, name in enumerate(lowered):
        if name in ("fixtures", "fixture") and any(f in _TEST_FOLDERS for f in lowered[:index]):
            return True
    return False
