"""Kubernetes, kustomize, Helm and compose manifests: the literal credentials a deployable one
ships, and which manifests only CI or tests use.

A manifest is *deployable* when something deploys it as it is written: a kustomization lists
it among its ``resources`` (or generates a Secret from ``secretGenerator`` literals and env
files), or it is the ``values.yaml`` of a Helm chart (the folder holds ``Chart.yaml``), whose
values ``helm install`` takes unless told otherwise. A manifest or compose file is *used only
by CI or tests* when it lies under a tests or CI folder, is named for tests or CI
(``docker-compose.test.yml``), sits beside a kind cluster's configuration or under a
``kind``/``minikube`` folder (a cluster that lives for one CI run), or is named by a CI job's
commands and by no deployable kustomization, documentation or script outside CI and tests.
A CI definition itself is CI's: a password there is its service containers'.

A Secret's ``data`` values are base64: they are decoded here, a bounded length at most, to be
judged, and are never handed on; nothing of a value leaves this module but whether it is a
literal credential. A value is one when it is not empty, not a reference or template
(``${VAR}``, ``$(VAR)``, ``{{ }}``, ``<your-password>``), not a fill-in (``TODO``,
``REPLACE_ME``, ``your-api-key-here``), not the name of what holds it (``DB_PASSWORD``) and
not a password's hash (``$2y$…``); a default such as ``minio123`` or ``changeme`` is one —
it is exactly what is wrong with shipping it. A chart's values switched off by default
(``enabled: false``) do not deploy unchanged. Values the secret scanner reports itself (a
GitHub token in ``stringData``, a generated password in plain text) are left to it.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from collections import deque
from collections.abc import Iterator
from typing import Any

from mllint_wa.evidence import Evidence, kinds
from mllint_wa.evidence.automation import ci_evidence
from mllint_wa.evidence.credentials import credentials
from mllint_wa.parsers.ci_systems import ci_system
from mllint_wa.parsers.secrets import named_kind
from mllint_wa.parsers.yaml_doc import (
    item_position,
    load_documents_matching,
    load_yaml,
    value_position,
)
from mllint_wa.records import dataclass

KUSTOMIZATIONS = frozenset({"kustomization.yaml", "kustomization.yml"})
HELM_VALUES = "values.yaml"
# Folders whose manifests and compose files serve CI or tests only, at any depth.
_CI_OR_TEST_FOLDERS = frozenset(
    {
        "test", "tests", "testing", "e2e", "testdata", "test_data", "test-data",
        "integration-tests", "integration_tests", "ci", ".ci", ".github", ".gitlab",
        ".circleci", ".buildkite", "kind", "minikube",
    }
)  # fmt: skip
# Words of a manifest's or compose file's name that say it is for CI or tests.
_CI_OR_TEST_WORDS = frozenset({"test", "tests", "testing", "ci", "e2e", "kind", "minikube"})
_MANIFEST_NEEDLES = (b"apiVersion", b"services:")
# A Secret's `kind` key, at the start of a line (block style) or after "{" or "," (flow style
# and JSON, one line or many). Descriptions of resource definitions mention Secrets in prose
# and `secretName` keys, neither of which makes a document one.
_SECRET_KIND = re.compile(
    r"""(?:^[ \t-]*|[{,][ \t]*)["']?kind["']?[ \t]*:[ \t]*["']?Secret\b(?!-)""", re.MULTILINE
)
_SECRET_KIND_BYTES = re.compile(_SECRET_KIND.pattern.encode(), re.MULTILINE)
# A Secret's base64 value is decoded up to this length: a credential is short.
_DECODED_LIMIT = 4096
_FILL_INS = frozenset({"todo", "tbd", "replace_me", "replaceme", "fill_me", "fillme", "fixme"})
# Words of a value that asks to be filled in (`your-api-key-here`), not one that deploys.
_FILL_IN_WORDS = ("your", "placeholder", "insert", "replace", "fill-in", "fill_in")
# A password's hash (bcrypt, crypt's SHA-2, Argon2, PBKDF2, scrypt) is not the password.
_PASSWORD_HASH = re.compile(r"\$(?:2[abxy]?|5|6|argon2(?:id|i|d)|pbkdf2[\w-]{0,16}|scrypt)\$")
# An environment variable's or a key's name (`DB_PASSWORD`): what a value is looked up by.
_CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9]{0,63}(?:_[A-Z0-9]{1,64}){1,16}")
# Nodes of a Helm values file walked at most.
_WALK_BUDGET = 100_000


@dataclass(frozen=True)
class ShippedCredential:
    """A literal credential in a deployable manifest: where its value stands, under which
    key, in what (``Secret `minio` ``, ``secretGenerator `db` ``, the chart's values) and
    what deploys it (the kustomization, or the chart's ``Chart.yaml``)."""

    path: str
    line: int
    column: int
    key: str
    holder: str
    deployed_by: str
    encoded: bool = False


# -- used only by CI or tests ------------------------------------------------------------------


def _name_words(path: str) -> set[str]:
    name = path.rpartition("/")[2].lower()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return {word for word in stem.replace("-", ".").replace("_", ".").split(".") if word}


def _in_ci_or_test_folder(path: str) -> bool:
    return any(folder in _CI_OR_TEST_FOLDERS for folder in path.split("/")[:-1])


def _beside_kind_cluster(ev: Evidence, path: str) -> bool:
    """Whether a file lies in, or below, a folder holding a kind cluster's configuration
    (only in it, for the project's root: a root-level cluster is for the whole project)."""
    folder = path.rpartition("/")[0]
    return any(
        folder == cluster or (cluster and folder.startswith(f"{cluster}/"))
        for cluster in _kind_cluster_folders(ev)
    )


def _kind_cluster_folders(ev: Evidence) -> frozenset[str]:
    """Folders holding a kind cluster's configuration (`kind: Cluster`, `kind.x-k8s.io`)."""

    def compute() -> frozenset[str]:
        return frozenset(
            path.rpartition("/")[0]
            for path in ev.files(kinds.YAML)
            if ev.mentions(path, b"kind.x-k8s.io") and ev.mentions(path, b"Cluster")
        )

    return ev.memo(_kind_cluster_folders, compute)


def _ci_texts(ev: Evidence) -> tuple[str, ...]:
    """What the project's CI jobs run, as text."""

    def compute() -> tuple[str, ...]:
        return tuple(
            command.script.text
            for definition in ci_evidence(ev).pipelines
            for command in definition.commands
        )

    return ev.memo(_ci_texts, compute)


def _other_texts(ev: Evidence) -> tuple[str, ...]:
    """Documentation and scripts outside CI and tests: where people are told what to run."""

    def compute() -> tuple[str, ...]:
        found = []
        for path in ev.files(kinds.MARKDOWN, kinds.SHELL):
            if _in_ci_or_test_folder(path):
                continue
            text = ev.text(path)
            if text is not None:
                found.append(text)
        return tuple(found)

    return ev.memo(_other_texts, compute)


def _named_in(texts: tuple[str, ...], path: str) -> bool:
    """Whether any text names ``path``: as written, after `./`, or from a folder above the
    project (a CI definition at the root of a monorepo), not as part of a longer name."""
    candidates = [text for text in texts if path in text]
    if not candidates:
        return False
    pattern = re.compile(rf"(?<![\w.\-]){re.escape(path)}(?![\w.\-])")
    return any(pattern.search(text) for text in candidates)


def used_only_by_ci_or_tests(ev: Evidence, path: str) -> bool:
    """Whether a CI definition, or a manifest or compose file, serves CI or tests only (see
    the module's description)."""
    if ci_system(path) is not None or _in_ci_or_test_folder(path):
        return True
    if _beside_kind_cluster(ev, path):
        return True
    folder = path.rpartition("/")[0]
    if path.rpartition("/")[2] in KUSTOMIZATIONS:
        named = folder  # `kubectl apply -k folder`, `kustomize build folder`
    else:
        if _name_words(path) & _CI_OR_TEST_WORDS:
            return True
        named = path
    if not named or not _named_in(_ci_texts(ev), named):
        return False
    return not (_named_in(_other_texts(ev), named) or named in _deployed_paths(ev))


# -- what kustomize and Helm deploy ------------------------------------------------------------


def _kustomizations(ev: Evidence) -> list[tuple[str, dict[Any, Any]]]:
    """Each kustomization of the project, parsed (its first document)."""

    def compute() -> list[tuple[str, dict[Any, Any]]]:
        found = []
        for path in ev.files(kinds.YAML):
            if path.rpartition("/")[2] not in KUSTOMIZATIONS or ev.templated(path):
                continue
            documents = ev.parse(path, load_yaml)
            if documents and isinstance(documents[0], dict):
                found.append((path, documents[0]))
        return found

    return ev.memo(_kustomizations, compute)


def _listed(kustomization: dict[Any, Any], *keys: str) -> Iterator[tuple[Any, int, str]]:
    """(list, index, entry) of each string listed under ``keys``."""
    for key in keys:
        entries = kustomization.get(key)
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                if isinstance(entry, str):
                    yield entries, index, entry


def _resolved(base: str, entry: str) -> str | None:
    """A kustomization's entry as a project path; None for a URL or a path out of it."""
    if "://" in entry or entry.startswith(("github.com/", "git@")):
        return None
    path = posixpath.normpath(posixpath.join(base, entry)) if base else posixpath.normpath(entry)
    return None if path.startswith("..") or path == "." else path


def _deployed_paths(ev: Evidence) -> dict[str, tuple[str, ...]]:
    """Each file and folder that kustomizations outside CI's and tests' folders list, with
    those kustomizations' paths."""

    def compute() -> dict[str, tuple[str, ...]]:
        deployed: dict[str, tuple[str, ...]] = {}
        for path, kustomization in _kustomizations(ev):
            folder = path.rpartition("/")[0]
            if _in_ci_or_test_folder(path) or _beside_kind_cluster(ev, path):
                continue
            for _, _, entry in _listed(kustomization, "resources", "bases", "components"):
                target = _resolved(folder, entry)
                if target is not None:
                    deployed[target] = (*deployed.get(target, ()), path)
        return deployed

    return ev.memo(_deployed_paths, compute)


def _literal(value: str) -> bool:
    """A credential written out: not empty, no reference, template or name of one, no
    fill-in marker and no hash of a password."""
    stripped = value.strip()
    lowered = stripped.lower()
    if not stripped or lowered in _FILL_INS or any(w in lowered for w in _FILL_IN_WORDS):
        return False
    if any(mark in stripped for mark in ("${", "$(", "{{", "{%")):
        return False
    if stripped.startswith("<") and stripped.endswith(">"):
        return False
    if _PASSWORD_HASH.match(stripped) or _CONSTANT_NAME.fullmatch(stripped):
        return False
    return set(stripped) - set("xX*.") != set()


def _decoded(value: str) -> str | None:
    """A Secret's base64 value as text, or None when it is not base64 of UTF-8 text."""
    if len(value) > _DECODED_LIMIT:
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def _scanner_lines(ev: Evidence, path: str) -> frozenset[int]:
    """Lines on which the secret scanner reports a secret: those values are its to report."""
    return frozenset(
        line
        for match in credentials(ev, path)
        for line in (match.line, *(at[0] for at in match.also))
    )


def secret_data_lines(ev: Evidence, path: str) -> frozenset[int]:
    """The lines of a YAML file's Kubernetes Secret ``data`` values: base64, which no scan
    of the text can judge."""

    def compute() -> frozenset[int]:
        entries = _secret_entries(ev, path)
        return frozenset(line for _, section, line, _ in entries if section == "data")

    return ev.memo((secret_data_lines, path), compute)


def _secret_entries(ev: Evidence, path: str) -> list[tuple[str, str, int, tuple[Any, Any]]]:
    """(Secret name, section, line, (mapping, key)) of each entry of each Secret's ``data``
    and ``stringData`` in a YAML file."""

    def compute() -> list[tuple[str, str, int, tuple[Any, Any]]]:
        data = ev.data(path) if ev.mentions(path, b"Secret") else None
        if data is None or not _SECRET_KIND_BYTES.search(data) or ev.templated(path):
            return []
        found = []
        for document in ev.parse(path, _secret_documents) or ():
            if not isinstance(document, dict) or document.get("kind") != "Secret":
                continue
            metadata = document.get("metadata")
            name = metadata.get("name") if isinstance(metadata, dict) else None
            for section in ("data", "stringData"):
                entries = document.get(section)
                if not isinstance(entries, dict):
                    continue
                for key in entries:
                    line, _ = value_position(entries, key)
                    found.append((str(name or "?"), section, line, (entries, key)))
        return found

    return ev.memo((_secret_entries, path), compute)


def _secret_documents(text: str) -> list[Any]:
    """The documents of a YAML file that declare a Secret, read alone."""
    return load_documents_matching(text, _SECRET_KIND)


def _secret_credentials(ev: Evidence, path: str, deployed_by: str) -> Iterator[ShippedCredential]:
    scanned = _scanner_lines(ev, path)
    for name, section, _, (entries, key) in _secret_entries(ev, path):
        if named_kind(str(key)) is None:
            continue
        raw = entries[key]
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            continue
        value = _decoded(str(raw)) if section == "data" else str(raw)
        line, column = value_position(entries, key)
        if value is None or not _literal(value) or (section != "data" and line in scanned):
            continue
        yield ShippedCredential(
            path, line, column, str(key), f"Secret `{name}`", deployed_by, section == "data"
        )


def _generator_credentials(
    ev: Evidence, path: str, kustomization: dict[Any, Any]
) -> Iterator[ShippedCredential]:
    """Credentials in a kustomization's ``secretGenerator``: ``literals`` and env files."""
    generators = kustomization.get("secretGenerator")
    if not isinstance(generators, list):
        return
    folder = path.rpartition("/")[0]
    scanned = _scanner_lines(ev, path)
    for generator in generators:
        if not isinstance(generator, dict):
            continue
        holder = f"secretGenerator `{generator.get('name', '?')}`"
        for entries, index, entry in _listed(generator, "literals"):
            key, sign, value = entry.partition("=")
            line, column = item_position(entries, index)
            if sign and named_kind(key) and _literal(value) and line not in scanned:
                yield ShippedCredential(path, line, column, key.strip(), holder, path)
        for _, _, entry in _listed(generator, "envs", "env"):
            env_file = _resolved(folder, entry)
            if env_file is not None and ev.is_file(env_file):
                yield from _env_file_credentials(ev, env_file, holder, path)


def _env_file_credentials(
    ev: Evidence, path: str, holder: str, deployed_by: str
) -> Iterator[ShippedCredential]:
    text = ev.text(path)
    if text is None:
        return
    scanned = _scanner_lines(ev, path)
    for number, line in enumerate(text.splitlines(), 1):
        key, sign, value = line.partition("=")
        key = key.strip()
        if key.startswith("#") or not sign or number in scanned:
            continue
        if named_kind(key) and _literal(value):
            yield ShippedCredential(path, number, 1, key, holder, deployed_by)


def _helm_credentials(ev: Evidence, path: str, chart: str) -> Iterator[ShippedCredential]:
    """Credentials among a chart's default values: keys named for one, holding a literal."""
    documents = ev.parse(path, load_yaml)
    if not documents or not isinstance(documents[0], dict):
        return
    scanned = _scanner_lines(ev, path)
    seen: set[int] = set()
    # Breadth first, in the file's order: a mapping shared through aliases is named by the
    # first key that holds it, the anchor's.
    queue: deque[tuple[str, dict[Any, Any]]] = deque([("", documents[0])])
    budget = _WALK_BUDGET
    while queue and budget > 0:
        prefix, mapping = queue.popleft()
        if id(mapping) in seen:
            continue
        seen.add(id(mapping))
        for key, value in mapping.items():
            budget -= 1
            dotted = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                # A part of the chart switched off by default does not deploy unchanged.
                if value.get("enabled") is not False:
                    queue.append((dotted, value))
            elif isinstance(value, str) and named_kind(str(key)) and _literal(value):
                line, column = value_position(mapping, key)
                if line not in scanned:
                    yield ShippedCredential(
                        path, line, column, dotted, "the Helm chart's default values", chart
                    )


def shipped_credentials(ev: Evidence) -> list[ShippedCredential]:
    """Every literal credential in the project's deployable manifests, in path order."""

    def compute() -> list[ShippedCredential]:
        found: list[ShippedCredential] = []
        for path, kustomization in _kustomizations(ev):
            if not used_only_by_ci_or_tests(ev, path):
                found.extend(_generator_credentials(ev, path, kustomization))
        for target, listed_by in sorted(_deployed_paths(ev).items()):
            deployers = [k for k in listed_by if not used_only_by_ci_or_tests(ev, k)]
            if (
                deployers
                and kinds.YAML in ev.kinds(target)
                and ev.is_file(target)
                and not used_only_by_ci_or_tests(ev, target)
            ):
                found.extend(_secret_credentials(ev, target, deployers[0]))
        for path in ev.files(kinds.YAML):
            folder, _, name = path.rpartition("/")
            chart = posixpath.join(folder, "Chart.yaml")
            if (
                name == HELM_VALUES
                and ev.is_file(chart)
                and not ev.templated(path)
                and not used_only_by_ci_or_tests(ev, path)
            ):
                found.extend(_helm_credentials(ev, path, chart))
        return sorted(set(found), key=lambda c: (c.path, c.line, c.column))

    return ev.memo(shipped_credentials, compute)


def is_manifest_or_compose(ev: Evidence, path: str) -> bool:
    """Whether a YAML file is a Kubernetes manifest or a compose file (by a cheap test)."""
    return kinds.YAML in ev.kinds(path) and ev.mentions(path, *_MANIFEST_NEEDLES)
