"""One lint run: discover projects, read their manifests and settings, run the rules."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import field
from pathlib import Path

from mllint_wa.baseline import Baseline, BaselineEntry
from mllint_wa.cache import (
    Cache,
    Entry,
    Fingerprint,
    digest_of,
    entry_name,
    fingerprints,
    outside_inputs,
    regular_stats,
    settled,
    stored_files,
    tool_digest,
    unchanged,
)
from mllint_wa.config import (
    Layer,
    Settings,
    layer_from_table,
    load_config_file,
    pyproject_layer,
    resolve_settings,
)
from mllint_wa.context import ProjectContext
from mllint_wa.evidence import exists_below
from mllint_wa.grouping import Reported, content_ids, fold
from mllint_wa.inline import apply_ignores, project_ignores
from mllint_wa.manifest import Manifest, ManifestLoad, load_manifest
from mllint_wa.model import (
    Finding,
    Location,
    Related,
    RelatedLocation,
    Rule,
    Stage,
    Violation,
    fingerprint,
)
from mllint_wa.outcome import NotAnOutcome, Outcome, from_data, to_data
from mllint_wa.outcome import RuleFailure as RuleFailure
from mllint_wa.parallel import map_indexed, threads_for, workers_for
from mllint_wa.parsers.secrets import redact
from mllint_wa.project import (
    MANIFEST_NAME,
    ExcludeGroup,
    Project,
    WalkProblem,
    discover,
    excludes_folder,
    exclusion,
    tree_root,
)
from mllint_wa.records import dataclass
from mllint_wa.registry import described_rules, import_checks
from mllint_wa.suppress import apply_waivers


@dataclass(frozen=True)
class ProjectReport:
    root: str
    manifest: str | None
    stage: Stage
    # The codes of the rules that ran to the end on the project (enabled, applicable at its
    # stage, not failed): a practice those rules check and found nothing against is met.
    rules_run: tuple[str, ...] = ()
    # The selected rules that applied to the project, and those its stage or its lack of a
    # manifest kept from running (the JUnit report lists both).
    applicable: tuple[Rule, ...] = ()
    not_applicable: tuple[Rule, ...] = ()


@dataclass
class RunResult:
    projects: list[ProjectReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    failing: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    errors: list[RuleFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The codes of the rules that ran to the end in some project.
    ran: set[str] = field(default_factory=set)
    # Entries of the --baseline file that no finding of this run matched.
    stale_baseline: list[BaselineEntry] = field(default_factory=list)


@dataclass(frozen=True)
class RunOptions:
    cli: Layer = field(default_factory=lambda: Layer("command line"))
    config_file: Path | None = None
    stage: Stage | None = None
    today: datetime.date = field(default_factory=datetime.date.today)
    baseline: Baseline | None = None
    # Where each project's findings are kept between runs; None: no cache.
    cache: Cache | None = None
    # Processes that lint projects side by side; None: decided from the CPU count and the
    # size of the tree (see mllint_wa.parallel).
    jobs: int | None = None


def display_path(path: Path, cwd: Path) -> str:
    """Paths as findings show them: relative to the working directory, with ``/``."""
    relative = os.path.relpath(path, cwd)
    return Path(relative).as_posix()


def stage_and_source(manifest: Manifest | None, override: Stage | None) -> tuple[Stage, str]:
    """The stage a project is linted at, and what set it: the command line (--stage), the
    manifest's ``[project] stage``, or the default."""
    if override is not None:
        return override, "command line"
    declared = manifest.get("project.stage") if manifest else None
    if isinstance(declared, str) and declared in {s.value for s in Stage}:
        return Stage(declared), "[project] stage"
    return Stage.DEVELOPMENT, "default"


def _stage_of(manifest: Manifest | None, override: Stage | None) -> Stage:
    return stage_and_source(manifest, override)[0]


def _assign_problems(
    problems: Sequence[WalkProblem], projects: Sequence[Project]
) -> tuple[dict[Path, list[tuple[str, str]]], list[str]]:
    by_project: dict[Path, list[tuple[str, str]]] = {p.root: [] for p in projects}
    orphans: list[str] = []
    for problem in problems:
        owners = [p.root for p in projects if problem.path.is_relative_to(p.root)]
        if owners:
            root = max(owners, key=lambda r: len(r.parts))
            by_project[root].append((problem.path.relative_to(root).as_posix(), problem.message))
        else:
            orphans.append(f"{problem.path}: {problem.message}")
    return by_project, orphans


@dataclass(frozen=True)
class Prepared:
    """A project with its manifest read and its settings resolved, before any rule runs;
    ``layers`` are the settings' sources, in the order they apply."""

    project: Project
    load: ManifestLoad
    settings: Settings
    layers: tuple[Layer, ...]


@dataclass(frozen=True)
class Plan:
    """What a run will lint: the projects found (``found``) and, of those, the ones that
    patterns leave to lint (``linted``), with what the walk could not read, and the rules
    available (each built-in check is imported when it first runs)."""

    found: tuple[Project, ...]
    linted: tuple[Prepared, ...]
    problems: tuple[WalkProblem, ...]
    rules: tuple[Rule, ...]


class PathError(Exception):
    """A PATH on the command line that cannot be linted; the CLI reports it and exits 2."""


def _walk_excludes(cli: Layer, explicit: Layer | None) -> list[ExcludeGroup]:
    """Excludes that hold for every project, so that the walk can prune them: the command
    line's and the --config file's. A pyproject.toml's or a lens.toml's apply per project,
    once the walk has found which project a file belongs to."""
    layers = [cli] if explicit is None else [explicit, cli]
    return [(layer.base, layer.exclude_patterns) for layer in layers if layer.exclude_patterns]


def _prepare(
    project: Project,
    explicit: Layer | None,
    options: RunOptions,
    cwd: Path,
    rules: Sequence[Rule],
) -> Prepared:
    load = load_manifest(project.manifest_path) if project.has_manifest else ManifestLoad(None, ())
    base = explicit if explicit is not None else pyproject_layer(project.root)
    layers = [base] if base is not None else []
    lint_table = load.manifest.get("lint") if load.manifest else None
    if isinstance(lint_table, dict):
        source = f"{display_path(project.manifest_path, cwd)} [lint]"
        layers.append(layer_from_table(lint_table, source, project.root))
    layers.append(options.cli)
    # The default exclusions speak of the whole repository, so that a project inside an
    # archived folder is left out as the folder's files are.
    settings = resolve_settings(layers, rules, tree_root(project.root))
    return Prepared(project, load, settings, tuple(layers))


def _excluded_by_an_enclosing_project(prepared: Prepared, by_root: dict[Path, Prepared]) -> bool:
    root = prepared.project.root
    for folder in root.parents:
        enclosing = by_root.get(folder)
        if enclosing is not None:
            relative = root.relative_to(folder).as_posix() + "/"
            if exclusion(folder, enclosing.settings.exclude)(relative):
                return True
    return False


def plan(paths: Sequence[Path], options: RunOptions) -> Plan:
    """Discover the projects under ``paths``, read their manifests and resolve their
    settings, without running a rule."""
    cwd = Path.cwd()
    # --config replaces pyproject.toml discovery for every project.
    explicit = load_config_file(options.config_file) if options.config_file else None
    discovery = discover(paths, exclude=_walk_excludes(options.cli, explicit))
    if discovery.rejected:
        problem = discovery.rejected[0]
        named = {Path(os.path.abspath(path)): path for path in paths}
        raise PathError(f"{named.get(problem.path, problem.path)}: {problem.message}")
    rules = described_rules()
    prepared = [_prepare(p, explicit, options, cwd, rules) for p in discovery.projects]
    by_root = {item.project.root: item for item in prepared}
    given = [Path(os.path.abspath(path)).resolve() for path in paths]
    linted = []
    for item in prepared:
        # A PATH is linted as given: patterns drop the projects found below it, never the
        # one it names or lies in.
        asked_for = any(path.is_relative_to(item.project.root) for path in given)
        if not asked_for and excludes_folder(item.settings.exclude, item.project.root):
            continue
        if _excluded_by_an_enclosing_project(item, by_root):
            continue
        linted.append(item)
    return Plan(discovery.projects, tuple(linted), discovery.problems, rules)


def run(paths: Sequence[Path], options: RunOptions) -> RunResult:
    cwd = Path.cwd()
    result = RunResult()
    planned = plan(paths, options)
    unreadable, orphans = _assign_problems(planned.problems, planned.found)
    result.warnings.extend(orphans)

    linted = [_linted(item, unreadable, options, cwd, planned.rules) for item in planned.linted]
    outcomes = lint_all(linted, options)
    for one, outcome in zip(linted, outcomes, strict=True):
        project, load, settings = one.item.project, one.item.load, one.item.settings
        result.warnings.extend(w for w in settings.warnings if w not in result.warnings)
        result.errors.extend(outcome.errors)
        result.ran.update(outcome.ran)
        result.warnings.extend(w for w in outcome.warnings if w not in result.warnings)
        result.projects.append(
            ProjectReport(
                root=one.root,
                manifest=display_path(project.manifest_path, cwd) if project.has_manifest else None,
                stage=one.context.stage,
                rules_run=tuple(sorted(outcome.ran)),
                applicable=tuple(r for r, yes in outcome.applicable.items() if yes),
                not_applicable=tuple(r for r, yes in outcome.applicable.items() if not yes),
            )
        )
        kept, waived = apply_waivers(
            outcome.findings,
            load.manifest.waivers() if load.manifest else [],
            options.today,
            planned.rules,
        )
        result.findings.extend(kept)
        result.suppressed.extend(outcome.ignored + waived)
        result.failing.extend(f for f in kept if _fails(f, settings))

    _redact_project_text(result)
    result.findings = _sorted_unique(result.findings)
    result.failing = _sorted_unique(result.failing)
    result.suppressed = _sorted_unique(result.suppressed)
    if options.baseline is not None:
        absorb(result, options.baseline)
    return result


@dataclass(frozen=True)
class Linted:
    """A project about to be linted: its settings and sources, the context its rules will
    see, and its root as findings show it."""

    item: Prepared
    context: ProjectContext
    root: str


def _linted(
    item: Prepared,
    unreadable: Mapping[Path, list[tuple[str, str]]],
    options: RunOptions,
    cwd: Path,
    rules: tuple[Rule, ...],
) -> Linted:
    project, load, settings = item.project, item.load, item.settings
    excluded = exclusion(project.root, settings.exclude)
    context = ProjectContext(
        # The manifest is read whatever the patterns say: it defines the project.
        project=Project(
            project.root,
            tuple(f for f in project.files if f == MANIFEST_NAME or not excluded(f)),
        ),
        stage=_stage_of(load.manifest, options.stage),
        manifest=load.manifest,
        manifest_problems=load.problems,
        unreadable=tuple(p for p in unreadable[project.root] if not excluded(p[0])),
        rules=rules,
        today=options.today,
        options=settings.options,
        manifest_text=load.text,
    )
    return Linted(item, context, display_path(project.root, cwd))


def lint_all(linted: Sequence[Linted], options: RunOptions) -> list[Outcome]:
    """Each project's outcome, in order: from the cache when nothing that decides it has
    changed, else by running its rules (in worker processes when ``--jobs`` asks for them
    or the tree is large), then kept in the cache."""
    sizes = [len(one.context.project.files) for one in linted]
    threads = threads_for(options.jobs, sum(sizes))
    cache = options.cache
    lookups = [_look_up(one, cache, threads) for one in linted] if cache is not None else []
    outcomes: list[Outcome | None] = [found for found, _ in lookups] or [None] * len(linted)
    missing = [index for index, found in enumerate(outcomes) if found is None]
    workers = workers_for(options.jobs, [sizes[index] for index in missing])

    def lint_again(index: int) -> tuple[Outcome, dict[str, dict[str, object]], bool]:
        """The project's outcome, its file facts, and whether it read every file as the
        cache hashed it (a file written meanwhile leaves no entry for content it did not
        read)."""
        one = linted[index]
        outcome = lint_project(one)
        evidence = one.context.evidence_if_built
        as_hashed = (
            not lookups
            or evidence is None
            or evidence.read_as_hashed(regular_stats(lookups[index][1].files))
        )
        return outcome, one.context.file_facts.found, as_hashed

    def task(position: int) -> tuple[dict[str, object], dict[str, dict[str, object]], bool]:
        outcome, facts, as_hashed = lint_again(missing[position])
        return to_data(outcome), facts, as_hashed

    if workers > 1:
        # Workers are forked: what the parent has imported, none of them imports again.
        import_checks(rule for index in missing for rule in linted[index].item.settings.rules)
        done = map_indexed(task, len(missing), workers)
        computed = [
            (from_data(data, linted[index].item.settings.rules), facts, as_hashed)
            for index, (data, facts, as_hashed) in zip(missing, done, strict=True)
        ]
    else:
        computed = [lint_again(index) for index in missing]
    for index, (outcome, facts, as_hashed) in zip(missing, computed, strict=True):
        outcomes[index] = outcome
        if cache is not None:
            _, lookup = lookups[index]
            cache.store_facts(lookup.name, linted[index].context.file_facts.kept(facts))
            if as_hashed and not outcome.errors:
                files = stored_files(lookup.files)
                cache.store(lookup.name, Entry(lookup.key, files, to_data(outcome), lookup.index))
    return [outcome for outcome in outcomes if outcome is not None]


@dataclass(frozen=True)
class _Lookup:
    """A project's entry name in the cache, its key, and its files' fingerprints now."""

    name: str
    key: str
    files: dict[str, Fingerprint]
    index: tuple[str, str]


def _look_up(one: Linted, cache: Cache, threads: int) -> tuple[Outcome | None, _Lookup]:
    """The project's outcome as the cache holds it, if its key, its files and the answers
    its rules had about other paths are all as they were; and what to store otherwise."""
    context, settings = one.context, one.item.settings
    root = context.project.root
    name = entry_name(root, one.root)
    entry = cache.load(name)
    outside, index = outside_inputs(root, entry.index if entry is not None else None)
    key = digest_of(
        [
            tool_digest(),
            [rule.code for rule in settings.rules],
            list(dataclasses.astuple(context.options)),
            context.stage.value,
            context.today.isoformat(),
            one.root,
            display_path(root, _repository_root(root)),
            [list(problem) for problem in context.unreadable],
            index[1],
        ]
    )
    prefix = os.path.join(root, "")
    paths = [(path, prefix + path) for path in context.project.files]
    paths += [(path, path) for path in outside]
    files = fingerprints(paths, entry.files if entry is not None else {}, threads)
    lookup = _Lookup(name, key, files, index)
    outcome = _reusable(entry, lookup, one)
    if outcome is None:
        # Linted again: from what earlier runs found in the files that have not changed.
        settled_files = settled(files)
        hashed = {path: settled_files[path] for path in context.project.files}
        context.file_facts.use(hashed, cache.load_facts(name))
    return outcome, lookup


def _reusable(entry: Entry | None, lookup: _Lookup, one: Linted) -> Outcome | None:
    """The entry's outcome, if the entry is this run's and nothing that decides it changed."""
    if entry is None or entry.key != lookup.key or not unchanged(entry.files, lookup.files):
        return None
    try:
        outcome = from_data(entry.outcome, one.item.settings.rules)
    except NotAnOutcome:
        return None
    root = one.context.project.root
    if outcome.errors or any(exists_below(root, p) != a for p, a in outcome.probes.items()):
        return None
    return outcome


def lint_project(one: Linted) -> Outcome:
    """Run the rules that apply to one project, then its inline ignores; waivers are left
    to the caller, who has the manifest at hand whether or not the rules ran."""
    context, settings, root = one.context, one.item.settings, one.root
    errors: list[RuleFailure] = []
    applicable = _applicable(context, settings.rules, root, errors)
    reported = _run_rules(context, settings, applicable, root, errors)
    # The evidence is built only when a rule reads a file; without it, nothing was asked.
    # (Ignores and folding below may build it, and ask nothing.)
    evidence = context.evidence_if_built
    probes = dict(evidence.probes) if evidence is not None else {}
    warnings = list(_not_checked(context, root)) if evidence is not None else []
    findings = [item.finding for item in reported]
    ignored: list[Finding] = []
    # Without a finding, no ignore comment has anything to suppress: none is looked for.
    if settings.options.inline_ignores and findings:
        findings, ignored = apply_ignores(
            findings, project_ignores(context), context.rules, _within(root)
        )
        # The reason an ignore comment gives is the project's text, and the cache and the
        # worker processes keep it: redacted before either sees it.
        ignored = [dataclasses.replace(f, justification=redact(f.justification)) for f in ignored]
    standing = {id(finding) for finding in findings}
    findings = fold(
        [item for item in reported if id(item.finding) in standing],
        _within(root),
        content_ids(context.evidence),
    )
    return Outcome(findings, ignored, applicable, set(context.ran), errors, probes, warnings)


def _redact_project_text(result: RunResult) -> None:
    """Whatever the run reports of the project's own text, redacted once for every output
    format: its folders' and files' names (a credential in a file name is redacted in the
    path, a related place, the SARIF URI and the annotation alike), the ignore comment that
    suppressed a finding and its justification. Messages, anchors and paths are redacted for
    fingerprints as findings are made; suppressions are matched before this, on the real
    paths."""
    # Once per distinct text: the findings of a file share its path, and every finding its
    # project's.
    once = functools.cache(redact)

    # Most findings show nothing that looks like a credential: they are kept as they are,
    # not copied (20,000 copies were a tenth of a second of a run with every rule).
    def shown(place: RelatedLocation) -> RelatedLocation:
        path, repository_path = once(place.path), once(place.repository_path)
        if path == place.path and repository_path == place.repository_path:
            return place
        return dataclasses.replace(place, path=path, repository_path=repository_path)

    def redacted(finding: Finding) -> Finding:
        texts = (
            finding.path,
            finding.project,
            finding.repository_path,
            finding.suppressed_by,
            finding.justification,
        )
        redacted_texts = tuple(once(text) for text in texts)
        related = tuple(shown(place) for place in finding.related)
        if redacted_texts == texts and related == finding.related:
            return finding
        path, project, repository_path, suppressed_by, justification = redacted_texts
        return dataclasses.replace(
            finding,
            path=path,
            project=project,
            repository_path=repository_path,
            suppressed_by=suppressed_by,
            justification=justification,
            related=related,
        )

    result.projects = [
        dataclasses.replace(p, root=once(p.root), manifest=p.manifest and once(p.manifest))
        for p in result.projects
    ]
    result.errors = [dataclasses.replace(e, project=once(e.project)) for e in result.errors]
    result.findings = [redacted(f) for f in result.findings]
    result.failing = [redacted(f) for f in result.failing]
    result.suppressed = [redacted(f) for f in result.suppressed]


def absorb(result: RunResult, baseline: Baseline) -> None:
    """Move the findings the baseline holds from the reported ones to the suppressed ones,
    and list its entries that no finding matched any more."""
    kept, absorbed, stale = baseline.split(result.findings, result.ran)
    gone = set(absorbed)
    result.findings = kept
    result.failing = [f for f in result.failing if f not in gone]
    result.suppressed = _sorted_unique(result.suppressed + baseline.mark(absorbed))
    result.stale_baseline = stale


def _not_checked(context: ProjectContext, root: str) -> Iterator[str]:
    """A warning for each file that a newer Python may read and this one cannot, or whose
    notebook cell the reader is to fill in: no finding of the file's (it may well be
    valid), but the run did not check all of it."""
    for unread in context.evidence.unread:
        # Redacted here, not only on stderr: the cache and the worker processes keep it.
        yield redact(
            f"`{_joined(root, unread.path)}` {unread.message} (line {unread.line}): not "
            "checked, and not reported as unparseable"
        )


def _within(root: str) -> Callable[[Finding], str]:
    """A finding's path relative to its project's root (``root`` as displayed)."""
    prefix = 0 if root == "." else len(root) + 1
    return lambda finding: finding.path[prefix:]


def _fails(finding: Finding, settings: Settings) -> bool:
    return settings.fail_on is not None and finding.rule.risk.rank >= settings.fail_on.rank


def _applicable(
    context: ProjectContext, rules: Sequence[Rule], root: str, errors: list[RuleFailure]
) -> dict[Rule, bool]:
    """Whether each rule applies to the project. Deciding may read the project (are there
    deployment artefacts?), so it runs behind the same guard as the rule itself: a rule
    that cannot be decided does not run and is reported as failed, and the others run."""
    applicable: dict[Rule, bool] = {}
    for rule in rules:
        try:
            applicable[rule] = _applies(rule, context)
        except (Exception, SystemExit) as error:
            errors.append(_failure(rule, root, error))
            applicable[rule] = False
    return applicable


def _applies(rule: Rule, context: ProjectContext) -> bool:
    if rule.requires_manifest and context.manifest is None:
        return False
    if context.stage.rank >= rule.applies_from.rank:
        return True
    # Deployment and monitoring rules apply to deployment artefacts that already exist at
    # development too (ARCHITECTURE.md, "Lifecycle stage gating"); a project in discovery
    # explores, and what it deploys is a demo, not a deployment to hold to them.
    return (
        rule.applies_from is Stage.PRODUCTION
        and context.stage is Stage.DEVELOPMENT
        and context.has_deployment_artefacts
    )


def _run_rules(
    context: ProjectContext,
    settings: Settings,
    applicable: Mapping[Rule, bool],
    root: str,
    errors: list[RuleFailure],
) -> list[Reported]:
    """Run the rules that apply; ``root`` is the project as displayed (its path from the
    working directory). The codes of the rules that ran to the end are recorded in the
    context (``context.ran``), with what each reported."""
    reported: list[Reported] = []
    identity_prefix = display_path(context.project.root, _repository_root(context.project.root))
    # sorted() is stable: rules keep their code order within each group.
    for rule in sorted(settings.rules, key=lambda r: (r.runs_last, r.sees_findings)):
        if not applicable[rule]:
            continue
        try:
            # All or nothing: a rule that fails half-way reports none of its findings.
            violations = [_checked(v) for v in rule.check(context)]
            batch = [
                Reported(_finding(rule, v, root, identity_prefix), v.anchor, v.about, v.copy_of)
                for v in violations
            ]
        except (Exception, SystemExit) as error:  # a broken rule must not take the run down
            errors.append(_failure(rule, root, error))
        else:
            reported.extend(batch)
            context.reported.extend((rule.code, v.location) for v in violations)
            context.ran.add(rule.code)
    return reported


def _failure(rule: Rule, root: str, error: BaseException) -> RuleFailure:
    """A rule that failed on a project, with the traceback being handled, both redacted."""
    message = f"rule {rule.code} ({rule.name}) failed on {root}: {type(error).__name__}: {error}"
    return RuleFailure(redact(message), redact(traceback.format_exc()), rule.code, root)


def _checked(violation: object) -> Violation:
    """A plugin's violation, refused unless every reporter can print it."""
    if not isinstance(violation, Violation):
        raise TypeError(f"a rule must yield Violation objects, not {type(violation).__name__}")
    _check_location(violation.location)
    if not isinstance(violation.message, str) or not violation.message.strip():
        raise ValueError("a violation needs a message")
    if not isinstance(violation.anchor, str):
        raise TypeError(f"anchor {violation.anchor!r} is not a string")
    if violation.about != "":
        _check_path(violation.about, "`about` path")
    if not isinstance(violation.related, tuple):
        raise TypeError(f"related {violation.related!r} is not a tuple")
    for place in violation.related:
        if not isinstance(place, Related):
            raise TypeError(f"a related location must be Related, not {type(place).__name__}")
        _check_location(place.location)
        if not isinstance(place.message, str):
            raise TypeError(f"related message {place.message!r} is not a string")
    return violation


def _check_location(location: object) -> None:
    if not isinstance(location, Location):
        raise TypeError(f"a location must be a Location, not {type(location).__name__}")
    _check_path(location.path, "location path")
    for name, number in (("line", location.line), ("column", location.column)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ValueError(f"location {name} {number!r} is not a number from 1")


def _check_path(path: object, what: str) -> None:
    parts = path.split("/") if isinstance(path, str) else [""]
    # A backslash is an ordinary character of a POSIX file name, so it is not refused.
    if "" in parts or ".." in parts:
        raise ValueError(f"{what} {path!r} is not a path inside the project")


def _finding(rule: Rule, violation: Violation, root: str, identity_prefix: str) -> Finding:
    location = violation.location
    # Location paths are project-relative with "/": joining them to the project's own prefix
    # spares an os.path.relpath per finding. Fingerprints use the path within the repository,
    # so that they do not change with the directory mllint-wa is run from.
    identity = _joined(identity_prefix, location.path)
    about = _joined(identity_prefix, violation.about) if violation.about else identity
    # Messages may quote a file (a parse error, a manifest value): whatever in them looks
    # like a credential is redacted here, once for every rule and every output format.
    message = redact(violation.message)
    return Finding(
        rule=rule,
        path=_joined(root, location.path),
        line=location.line,
        column=location.column,
        message=message,
        project=root,
        # No hash of a secret either, be it in the anchor or in a file's name.
        fingerprint=fingerprint(rule.code, redact(about), redact(violation.anchor), message),
        repository_path=identity,
        related=tuple(
            RelatedLocation(
                _joined(root, place.location.path),
                place.location.line,
                place.location.column,
                redact(place.message),
                _joined(identity_prefix, place.location.path),
            )
            for place in violation.related
        ),
    )


def _joined(prefix: str, relative: str) -> str:
    return relative if prefix == "." else f"{prefix}/{relative}"


@functools.cache
def _repository_root(project_root: Path) -> Path:
    """The root of the outermost working tree holding the project, where CI systems resolve
    paths from: a submodule's paths are reported from its superproject's root. Outside a
    repository, the working directory, so that two projects' findings never share a
    fingerprint. Found by reading ``.git`` entries only; git is never run."""
    innermost: Path | None = None
    for folder in (project_root, *project_root.parents):
        kind = _git_entry(folder / ".git")
        if kind in ("repository", "worktree"):
            return folder
        if kind == "submodule":
            # The superproject is further up; if it is not there, this is the outermost tree.
            innermost = innermost or folder
    return innermost or Path.cwd()


_GITDIR_PREFIX = b"gitdir:"


def _git_entry(marker: Path) -> str | None:
    """What a ``.git`` entry makes its folder: ``repository`` (a ``.git`` folder),
    ``worktree`` (a ``.git`` file naming a linked worktree's git dir, which holds
    ``commondir``), ``submodule`` (a ``.git`` file naming any other git dir) or nothing."""
    if marker.is_dir():
        return "repository"
    if not marker.is_file():
        return None
    try:
        with marker.open("rb") as stream:
            first = stream.read(4096).split(b"\n", 1)[0].strip()
    except OSError:
        return None
    if not first.startswith(_GITDIR_PREFIX):
        return None  # git ignores such a file too
    gitdir = marker.parent / os.fsdecode(first[len(_GITDIR_PREFIX) :].strip())
    return "worktree" if (gitdir / "commondir").is_file() else "submodule"


def _sorted_unique(findings: list[Finding]) -> list[Finding]:
    unique = {(f.sort_key, f.rule.code): f for f in findings}
    return [unique[key] for key in sorted(unique)]
