"""Kubernetes, kustomize and compose manifests: which of them only CI or tests use, and
where a Kubernetes Secret holds base64.

A manifest or compose file is *used only by CI or tests* when it lies under a tests or CI
folder, is named for tests or CI (``docker-compose.test.yml``), sits beside a kind cluster's
configuration or under a ``kind``/``minikube`` folder (a cluster that lives for one CI run),
or is named by a CI job's commands and by no kustomization (outside those folders),
documentation or script outside CI and tests. A CI definition itself is CI's: a password
there is its service containers'.

A Secret's ``data`` values are base64, which no scan of the text can judge.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from mllint_wa.evidence import Evidence, kinds
from mllint_wa.evidence.automation import ci_evidence, is_templated
from mllint_wa.parsers.ci import ci_system
from mllint_wa.parsers.yaml_doc import load_yaml, value_position

KUSTOMIZATIONS = frozenset({"kustomization.yaml", "kustomization.yml"})
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


# -- what kustomize deploys ------------------------------------------------------------


def _kustomizations(ev: Evidence) -> list[tuple[str, dict[Any, Any]]]:
    """Each kustomization of the project, parsed (its first document)."""

    def compute() -> list[tuple[str, dict[Any, Any]]]:
        found = []
        for path in ev.files(kinds.YAML):
            if path.rpartition("/")[2] not in KUSTOMIZATIONS or is_templated(ev, path):
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


def secret_data_lines(ev: Evidence, path: str) -> frozenset[int]:
    """The lines of a YAML file's Kubernetes Secret ``data`` values: base64, which no scan
    of the text can judge."""
    return frozenset(line for _, section, line, _ in _secret_entries(ev, path) if section == "data")


def _secret_entries(ev: Evidence, path: str) -> list[tuple[str, str, int, tuple[Any, Any]]]:
    """(Secret name, section, line, (mapping, key)) of each entry of each Secret's ``data``
    and ``stringData`` in a YAML file."""

    def compute() -> list[tuple[str, str, int, tuple[Any, Any]]]:
        if not (ev.mentions(path, b"Secret") and ev.mentions(path, b"kind")):
            return []
        if is_templated(ev, path):
            return []
        found = []
        for document in ev.parse(path, load_yaml) or ():
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

    return ev.memo(("secret-entries", path), compute)


def is_manifest_or_compose(ev: Evidence, path: str) -> bool:
    """Whether a YAML file is a Kubernetes manifest or a compose file (by a cheap test)."""
    return kinds.YAML in ev.kinds(path) and ev.mentions(path, *_MANIFEST_NEEDLES)
