"""LN: the manifest itself — present, readable, and in the shape the schema describes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from mllint_wa.context import ProjectContext
from mllint_wa.evidence.project_kind import own_model
from mllint_wa.manifest import ProblemKind, Waiver
from mllint_wa.model import Location, Risk, Rule, Violation
from mllint_wa.registry import find_rule, is_rule_code, rule
from mllint_wa.suggest import did_you_mean

_PROFILE = ("MLOPS02-BP02",)


@rule(
    code="LN001",
    name="missing-manifest",
    risk=Risk.HIGH,
    summary="The project has no lens.toml stating its business goal, metrics and plans.",
    fix="Create lens.toml at the project root (`mllint-wa init` writes a scaffold to fill in).",
    lens_refs=_PROFILE,
    requires_manifest=False,
)
def missing_manifest(ctx: ProjectContext) -> Iterator[Violation]:
    """Every ML Lens review starts from what the workload is for and how success is measured.
    lens.toml is where the project writes that down, next to the code, so that the rest of
    the repository can be held to it. Without it no other rule can judge the project.

    Asked of a project that trains or ships a model of its own, as `missing-model-card`
    decides (a training entry point or a model file outside tests, examples and
    documentation); the message names the file that shows it. ML libraries, platforms and
    evaluation harnesses, cookiecutter or copier templates, and infrastructure that deploys
    whatever model its users give it (a Terraform module, a platform's blueprints) have no
    business goal of their own: the goals belong to the projects built with them, and
    without a lens.toml the rules that need one stay silent rather than judge a goal that
    does not exist.

    Two kinds of repository that hold training code are not asked either, as
    `missing-model-card` decides. An ML library that implements estimators: a packaged
    project (`setup.py`, a `setup.cfg` with `[metadata]`, a `pyproject.toml` with
    `[project]` or `[tool.poetry]`) with a class that defines `fit` and, in one of its
    methods, hands training on through the estimator API (`super().fit(...)`,
    `super().partial_fit(...)`, `self.fit(...)` or `self.partial_fit(...)`); the code of the
    packages holding such classes, and the notebooks and programs that import those
    packages, train its users' models, not its own. And a collection of examples, labs,
    templates or modules, whose training lies in separate sub-projects: in three or more
    folders that each have a README, a dependency file (`requirements.txt` and the like,
    `pyproject.toml`, `setup.py`, `setup.cfg`, `Pipfile`, a conda `environment.yml`) or a
    notebook of their own, or only inside sub-projects with both a README and a dependency
    or packaging file, of which the repository holds three or more outside its tests,
    examples and documentation. A training program, notebook or model file at the root, or a
    DVC pipeline (`dvc.yaml`) or MLflow project (`MLproject`) at the root, ties the
    repository into one project, which is asked. Each sub-project of a collection states its
    own goal in a lens.toml of its own.

    A project that only deploys a model made elsewhere is not asked either; `mllint-wa
    init` writes its lens.toml when it has a goal to state. A lens.toml that is there but
    could not be read (an outward or broken symlink) is reported in any project.

    Reported on a file that exists, so that code scanning can show it: the project's README,
    else its `pyproject.toml`, `setup.py` or `setup.cfg`, else its first file (a skipped
    lens.toml is reported on itself)."""
    if ctx.project.has_manifest:
        return
    # A lens.toml the walk had to skip (an outward or broken symlink) is there but unread:
    # saying "no lens.toml" would send the author looking for a file they can see.
    skipped = dict(ctx.unreadable).get(ctx.manifest_path)
    if skipped is not None:
        message = (
            f"lens.toml was not read ({skipped}): the project states no business goal, "
            "success metric or plans"
        )
        where = ctx.manifest_path
    else:
        model = own_model(ctx.evidence)
        if model is None:
            return
        message = (
            f"no lens.toml at the project's root: `{model.path}` {model.what}, but the "
            "project states no business goal, success metric or plans (run `mllint-wa "
            "init` to scaffold one)"
        )
        where = ctx.front_file or ctx.manifest_path
    yield Violation(message, Location(where), anchor="lens.toml", about=ctx.manifest_path)


@rule(
    code="LN002",
    name="invalid-manifest",
    risk=Risk.HIGH,
    summary="lens.toml cannot be read as UTF-8 TOML.",
    fix="Fix the TOML syntax at the reported line; the file must be UTF-8 text.",
    lens_refs=_PROFILE,
    requires_manifest=False,
)
def invalid_manifest(ctx: ProjectContext) -> Iterator[Violation]:
    """A manifest that does not parse states nothing, so every other rule is silenced until
    it is fixed. The finding points at the line and column where parsing stopped."""
    yield from ctx.problems(ProblemKind.UNREADABLE, ProblemKind.SYNTAX)


@rule(
    code="LN003",
    name="unknown-manifest-key",
    risk=Risk.MEDIUM,
    summary="lens.toml has a key the schema does not know, usually a misspelling.",
    fix="Rename the key to the one suggested, or remove it.",
    lens_refs=_PROFILE,
)
def unknown_manifest_key(ctx: ProjectContext) -> Iterator[Violation]:
    """A misspelt key (`[business] gaol = …`) is silently ignored by every rule, so the value
    the author meant to state counts as missing. The message suggests the closest known key."""
    yield from ctx.problems(ProblemKind.UNKNOWN_KEY)


@rule(
    code="LN004",
    name="invalid-manifest-type",
    risk=Risk.MEDIUM,
    summary="A lens.toml value has the wrong type (e.g. a quoted number as a metric target).",
    fix='Write the value with the type the message names, e.g. `target = 0.75`, not `"0.75"`.',
    lens_refs=_PROFILE,
)
def invalid_manifest_type(ctx: ProjectContext) -> Iterator[Violation]:
    """Rules compare numbers and read lists; a target written as a string or an owner list
    written as one string cannot be checked and is reported here instead."""
    yield from ctx.problems(ProblemKind.WRONG_TYPE)


@rule(
    code="LN005",
    name="invalid-manifest-value",
    risk=Risk.MEDIUM,
    summary="A lens.toml value is outside its enumeration (stage, direction, versioning, …).",
    fix="Use one of the values the message lists.",
    lens_refs=_PROFILE,
)
def invalid_manifest_value(ctx: ProjectContext) -> Iterator[Violation]:
    """Enumerated values drive behaviour: `[project] stage` decides which rules apply and a
    metric's `direction` decides whether its target improves on the baseline."""
    yield from ctx.problems(ProblemKind.BAD_VALUE)


@rule(
    code="LN006",
    name="unsupported-schema-version",
    risk=Risk.LOW,
    summary="lens.toml does not declare `schema_version = 1`, or declares another version.",
    fix="Add `schema_version = 1` at the top of lens.toml.",
    lens_refs=_PROFILE,
)
def unsupported_schema_version(ctx: ProjectContext) -> Iterator[Violation]:
    """The version lets a later mllint-wa read an older manifest correctly instead of
    guessing; a manifest written for a newer format may mean things this version cannot see."""
    yield from ctx.problems(ProblemKind.SCHEMA_VERSION)


@rule(
    code="LN007",
    name="invalid-waiver",
    risk=Risk.MEDIUM,
    summary="A [waivers.CODE] entry lacks its reason, owner or expiry date, or names no rule.",
    fix="Give the waiver `reason`, `owner` and `expires = YYYY-MM-DD`, or delete it.",
    lens_refs=("MLOPS02-BP01",),
    waivable=False,
    example="""
        [waivers.BG013]
        reason = "sustainability goal is set after the pilot"
        owner = "jane@example.com"
        expires = 2027-03-31
    """,
)
def invalid_waiver(ctx: ProjectContext) -> Iterator[Violation]:
    """An accepted risk needs an owner who accepted it, a reason, and a date on which it is
    looked at again. A waiver without them suppresses nothing. A waiver keyed by a misspelt
    rule name suppresses nothing either; one keyed by a well-formed code that no installed
    rule has yet (a rule of a newer release or of a plugin) is left alone. A waiver past its
    date is reported by `expired-waiver`.

    This rule's own findings cannot be waived, and a waiver of it is reported: a waiver
    that silenced this rule would hide every broken waiver."""
    assert ctx.manifest is not None
    for waiver in ctx.manifest.waivers():
        problem = _waiver_problem(waiver, ctx.rules)
        if problem:
            yield Violation(
                f"waiver `{waiver.name}` {problem}",
                ctx.manifest.location(waiver.path),
                anchor=waiver.name,
            )


def _waiver_problem(waiver: Waiver, rules: Sequence[Rule]) -> str:
    """What makes a waiver invalid, as the end of a sentence; empty when nothing does."""
    waived = find_rule(waiver.selector, rules)
    if waived is None and not is_rule_code(waiver.selector):
        return "names no rule" + did_you_mean(waiver.selector, [r.name for r in rules])
    if waived is not None and not waived.waivable:
        return f"does not apply: {waived.code} ({waived.name}) findings cannot be waived"
    if waiver.defect:
        return f"does not apply: {waiver.defect}"
    return ""


@rule(
    code="LN014",
    name="expired-waiver",
    risk=Risk.MEDIUM,
    summary="A [waivers.CODE] entry is past its `expires` date, so its findings are back.",
    fix="Fix the findings and delete the waiver, or have its owner renew it with a new "
    "`expires` date and a current reason.",
    lens_refs=("MLOPS02-BP01",),
    waivable=False,
)
def expired_waiver(ctx: ProjectContext) -> Iterator[Violation]:
    """A waiver accepts a risk until a date, on which someone looks at it again. From the
    day after, the waiver suppresses nothing: its findings are reported again, and this
    rule says why, on the waiver's line. A waiver that `invalid-waiver` reports (no owner,
    no reason, a misspelt rule) is not reported here as well. Its own findings cannot be
    waived: a waiver of it would renew every waiver at once."""
    assert ctx.manifest is not None
    for waiver in ctx.manifest.waivers():
        if _waiver_problem(waiver, ctx.rules):
            continue
        if waiver.expires is not None and not waiver.applies_on(ctx.today):
            yield Violation(
                f"waiver `{waiver.name}` expired on {waiver.expires.isoformat()}; "
                "its findings are reported again",
                ctx.manifest.location(waiver.path),
                anchor=waiver.name,
            )


@rule(
    code="LN008",
    name="unreadable-path",
    risk=Risk.LOW,
    summary="A file or folder in the project could not be read, so it was not linted.",
    fix="Fix its permissions, replace the broken, outward or git-data symlink, or exclude "
    "the path.",
    lens_refs=("MLOPS03-BP02",),
    requires_manifest=False,
)
def unreadable_path(ctx: ProjectContext) -> Iterator[Violation]:
    """mllint-wa never follows a symlink out of the project or into git's data (a
    `Dockerfile` linked to `.git/config` is not a Dockerfile of the project) and never
    opens anything but regular files; what it had to skip is listed so that a clean result
    is not mistaken for a complete one. So is an ignore file too large to apply (over 1 MiB
    or 20,000 patterns, or more than 1,000 patterns that only wildcards tell apart): the
    files it would hide are linted."""
    for path, reason in ctx.unreadable:
        yield Violation(f"`{path}` was not linted: {reason}", Location(path), anchor=path)
