"""What ``mllint-wa init`` can fill in from the repository itself.

Everything comes from the evidence layer, read statically like a lint run reads it: the stage
from deployment artefacts and training code, the problem type from estimators and losses, the
experiment tracker, the data-versioning tool, the deployment target and infrastructure-as-code,
the model card, the datasheet and the training entry point. Each value carries where it was
found, which ``init`` writes beside it. What only people know (the business goal, the KPI,
the metrics' targets) is never guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import CodeSite, code_files, is_test_path, training_site
from mllint_wa.evidence.data_versioning import data_versioning
from mllint_wa.evidence.deployment import deployment
from mllint_wa.evidence.documents import find_datasheet, find_model_card
from mllint_wa.evidence.problem_type import problem_type
from mllint_wa.evidence.tracking import TRACKERS, tracking
from mllint_wa.parsers.toml_positions import KeyPath
from mllint_wa.project import project_at
from mllint_wa.records import dataclass
from mllint_wa.schema import MANIFEST

_TRAIN_SCRIPT = re.compile(r"train\w*\.(py|ipynb)")


@dataclass(frozen=True)
class Detected:
    """A manifest value read from the repository, and where it was read."""

    value: str | tuple[str, ...]
    where: str


Detection = dict[KeyPath, Detected]


def detect(root: Path) -> Detection:
    """The manifest values the project at ``root`` shows, by key path."""
    project, _ = project_at(root)
    ev = Evidence(project.root, project.files)
    found: Detection = {("project", "stage"): _stage(ev)}
    for key, detector in _DETECTORS.items():
        value = detector(ev)
        if value is not None:
            found[key] = value
    return found


def _at(path: str, line: int) -> str:
    return f"{path}:{line}"


def _stage(ev: Evidence) -> Detected:
    site = deployment(ev).target
    if site is not None:
        return Detected("production", f"{_at(site.path, site.line)} {site.evidence}")
    entry = _training_entry(ev)
    if entry is not None:
        return Detected("development", entry.where)
    return Detected("discovery", "no training code and no deployment artefacts found")


def _training_entry(ev: Evidence) -> Detected | None:
    """The training script: the file that fits a model when it is named ``train*``, else
    the shallowest ``train*.py`` or ``train*.ipynb``, else whatever file fits a model."""
    site: CodeSite | None = training_site(ev)
    fits = f"{_at(site.path, site.line)} trains a model (`{site.name}(...)`)" if site else ""
    if site is not None and _TRAIN_SCRIPT.fullmatch(site.path.rpartition("/")[2]):
        return Detected(site.path, fits)
    scripts = sorted(
        (p for p in code_files(ev) if _TRAIN_SCRIPT.fullmatch(p.rpartition("/")[2])),
        key=lambda p: (p.count("/"), p),
    )
    scripts = [p for p in scripts if not is_test_path(p)]
    if scripts:
        return Detected(scripts[0], f"{scripts[0]} is named like a training script")
    return Detected(site.path, fits) if site is not None else None


def _problem_type(ev: Evidence) -> Detected | None:
    signal = problem_type(ev)
    if signal is None:
        return None
    return Detected(signal.kind, f"{_at(signal.path, signal.line)} {signal.evidence}")


def _tracking(ev: Evidence) -> Detected | None:
    found = tracking(ev)
    uses = found.in_code() or found.uses
    if not uses:
        return None
    use = uses[0]
    where = f"{_at(use.path, use.line)} uses {use.evidence}"
    others = [TRACKERS[u.tracker] for u in found.uses if u.tracker != use.tracker]
    if others:
        where += f" (also used: {', '.join(others)})"
    return Detected(use.tracker, where)


def _versioning(ev: Evidence) -> Detected | None:
    tools = data_versioning(ev).tools
    # Only the tools the manifest can name: Git LFS, say, is not declared there.
    allowed = [v for v in MANIFEST.fields["data"].fields["versioning"].enum if v in tools]
    if not allowed:
        return None
    tool = allowed[0]
    where = f"{tools[tool]} shows {tool}"
    if len(allowed) > 1:
        where += f" (also used: {', '.join(allowed[1:])})"
    return Detected(tool, where)


def _target(ev: Evidence) -> Detected | None:
    sites = deployment(ev).sites
    if not sites:
        return None
    where = f"{_at(sites[0].path, sites[0].line)} {sites[0].evidence}"
    if len(sites) > 1:
        where += f" (also: {', '.join(f'{s.target} in {s.path}' for s in sites[1:])})"
    return Detected(sites[0].target, where)


def _iac(ev: Evidence) -> Detected | None:
    iac = deployment(ev).iac
    if not iac:
        return None
    return Detected(tuple(path for path, _ in iac), ", ".join(shown for _, shown in iac))


def _card(ev: Evidence) -> Detected | None:
    path = find_model_card(ev)
    return Detected(path, f"{path} is a model card") if path else None


def _datasheet(ev: Evidence) -> Detected | None:
    path = find_datasheet(ev)
    return Detected(path, f"{path} is a datasheet") if path else None


_DETECTORS = {
    ("problem", "type"): _problem_type,
    ("data", "versioning"): _versioning,
    ("data", "datasheet"): _datasheet,
    ("model", "card"): _card,
    ("model", "training_entrypoint"): _training_entry,
    ("model", "tracking"): _tracking,
    ("deployment", "target"): _target,
    ("deployment", "iac"): _iac,
}
