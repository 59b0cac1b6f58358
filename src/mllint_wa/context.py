"""What a rule sees of one project."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import field

from mllint_wa.config import RuleOptions
from mllint_wa.evidence import Evidence
from mllint_wa.evidence.file_facts import FileFacts
from mllint_wa.manifest import AnyPath, Manifest, ManifestProblem, ProblemKind
from mllint_wa.model import Location, Rule, Stage, Violation
from mllint_wa.parsers.toml_positions import key_path, render
from mllint_wa.project import MANIFEST_NAME, Project
from mllint_wa.records import dataclass

_PACKAGING_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass(frozen=True)
class ProjectContext:
    project: Project
    stage: Stage
    manifest: Manifest | None
    manifest_problems: tuple[ManifestProblem, ...] = ()
    # Paths under the project that discovery could not read, with the reason.
    unreadable: tuple[tuple[str, str], ...] = ()
    # Every rule available to this run, for rules that speak of other rules (waivers).
    rules: tuple[Rule, ...] = ()
    today: datetime.date = field(default_factory=datetime.date.today)
    # Settings that rules read (thresholds), resolved for this project.
    options: RuleOptions = field(default_factory=RuleOptions)
    # lens.toml as read for the manifest, so that its comments are not read a second time.
    manifest_text: str | None = None
    # Filled by the runner as rules finish, for the rules that see the others' findings:
    # each finding as (rule code, location), and the codes of the rules that ran to the end.
    reported: list[tuple[str, Location]] = field(default_factory=list, compare=False)
    ran: set[str] = field(default_factory=set, compare=False)
    # Given by the runner before rules run, from the cache: what earlier runs found in each
    # file whose content has not changed since.
    file_facts: FileFacts = field(default_factory=FileFacts, compare=False)

    @functools.cached_property
    def evidence(self) -> Evidence:
        """The project's files and what rules read from them; built on first use, so a run
        whose rules read nothing but the manifest pays nothing for it."""
        return Evidence(self.project.root, self.project.files, self.file_facts)

    @property
    def evidence_if_built(self) -> Evidence | None:
        """The evidence if a rule has read anything of the project's files, else None
        (nothing was read or asked), without building it."""
        built: Evidence | None = self.__dict__.get("evidence")
        return built

    @functools.cached_property
    def has_deployment_artefacts(self) -> bool:
        """Whether the project defines a real-time or batch deployment (an endpoint, an
        endpoint configuration, a batch transform) in code or infrastructure; asked only
        before a production-stage rule runs at an earlier stage. The files are searched
        for the bytes a deployment needs first, and only the sources that hold them are
        read, up to the first deployment: the whole resource model waits for a rule that
        asks for it."""
        from mllint_wa.evidence.resources import defines_deployment

        return defines_deployment(self.evidence)

    @property
    def manifest_path(self) -> str:
        return MANIFEST_NAME

    @functools.cached_property
    def front_file(self) -> str | None:
        """The file a finding about the whole project stands on when it has no manifest: the
        README at its root, else its packaging file, else its first file at the root, else
        its first file; None for a project without files. Code scanning and merge-request
        annotations can only be placed on a file that exists."""
        files = self.project.files
        top = [path for path in files if "/" not in path]
        readmes = [path for path in top if path.upper().startswith("README")]
        packaging = [path for path in _PACKAGING_FILES if path in top]
        return next(iter(readmes + packaging + top + list(files)), None)

    def problems(self, *kinds: ProblemKind) -> Iterator[Violation]:
        """The manifest problems of the given kinds, as violations."""
        for problem in self.manifest_problems:
            if problem.kind in kinds:
                location = Location(MANIFEST_NAME, problem.line, problem.column)
                yield Violation(problem.message, location, problem.anchor)

    def declared(self, path: AnyPath) -> str | None:
        """A manifest value that is a real string: not absent, not a placeholder, not of
        another type (which the schema rules report)."""
        if self.manifest is None or self.manifest.is_missing(path):
            return None
        value = self.manifest.get(path)
        return value if isinstance(value, str) else None

    def require(self, path: AnyPath, need: str) -> Iterator[Violation]:
        """One violation when a manifest value is absent or only a placeholder.

        It stands on the placeholder when there is one, else on the nearest table header
        above the missing key, else on the first line of lens.toml. ``need`` says what the
        value should state, e.g. "the business KPI the model is meant to move".
        """
        if self.manifest is None or not self.manifest.is_missing(path):
            return
        shown = render(key_path(path) if isinstance(path, str) else path)
        if self.manifest.get(path) is None:
            message = f"`{shown}` is missing: {need}"
        else:
            message = f"`{shown}` is only a placeholder: {need}"
        yield Violation(message, self.manifest.location(path), anchor=shown)

    def require_each(self, array: AnyPath, key: str, need: str) -> Iterator[Violation]:
        """:meth:`require` for ``key`` in every table of an array of tables."""
        if self.manifest is not None:
            for table, _ in self.manifest.tables(array):
                yield from self.require((*table, key), need)
