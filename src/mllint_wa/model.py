"""The vocabulary every other module shares: phases, pillars, risks, stages, rules and findings."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import field
from typing import TYPE_CHECKING

from mllint_wa.records import dataclass

if TYPE_CHECKING:
    from mllint_wa.context import ProjectContext


class Phase(str, enum.Enum):
    """ML Lens lifecycle phases, in lifecycle order."""

    BUSINESS_GOAL = "business-goal"
    PROBLEM_FRAMING = "problem-framing"
    DATA_PROCESSING = "data-processing"
    MODEL_DEVELOPMENT = "model-development"
    DEPLOYMENT = "deployment"
    MONITORING = "monitoring"


class Pillar(str, enum.Enum):
    OPERATIONAL_EXCELLENCE = "operational-excellence"
    SECURITY = "security"
    RELIABILITY = "reliability"
    PERFORMANCE_EFFICIENCY = "performance-efficiency"
    COST_OPTIMIZATION = "cost-optimization"
    SUSTAINABILITY = "sustainability"


class Risk(str, enum.Enum):
    """The Well-Architected Tool's risk vocabulary: high (HRI), medium (MRI), low."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _RISK_RANK[self]


_RISK_RANK = {Risk.LOW: 1, Risk.MEDIUM: 2, Risk.HIGH: 3}


class Stage(str, enum.Enum):
    """How far a project has come; later stages are held to more rules."""

    DISCOVERY = "discovery"
    DEVELOPMENT = "development"
    PRODUCTION = "production"

    @property
    def rank(self) -> int:
        return _STAGE_RANK[self]


_STAGE_RANK = {stage: rank for rank, stage in enumerate(Stage)}


# Rule code prefix → phase. A code is two letters and three digits, e.g. PF001.
PHASE_BY_PREFIX: dict[str, Phase] = {
    "BG": Phase.BUSINESS_GOAL,
    "PF": Phase.PROBLEM_FRAMING,
    "DP": Phase.DATA_PROCESSING,
    "MD": Phase.MODEL_DEVELOPMENT,
    "DE": Phase.DEPLOYMENT,
    "MO": Phase.MONITORING,
    # The manifest is the project's ML profile (MLOPS02-BP02), written while framing the problem.
    "LN": Phase.PROBLEM_FRAMING,
}

# The first stage at which a phase's rules apply (ARCHITECTURE.md, "Lifecycle stage gating").
FIRST_STAGE_BY_PHASE: dict[Phase, Stage] = {
    Phase.BUSINESS_GOAL: Stage.DISCOVERY,
    Phase.PROBLEM_FRAMING: Stage.DISCOVERY,
    Phase.DATA_PROCESSING: Stage.DEVELOPMENT,
    Phase.MODEL_DEVELOPMENT: Stage.DEVELOPMENT,
    Phase.DEPLOYMENT: Stage.PRODUCTION,
    Phase.MONITORING: Stage.PRODUCTION,
}


@dataclass(frozen=True, order=True)
class Location:
    """A position in a file; ``line`` and ``column`` start at 1."""

    path: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Related:
    """Another place a violation concerns (another object with the same fault), with what
    is there."""

    location: Location
    message: str = ""


@dataclass(frozen=True)
class Violation:
    """What a rule reports: where, what, and a stable logical anchor for fingerprints.

    ``anchor`` names the thing at fault independently of its line (a manifest key such as
    ``business.costs.training``), so baselines and SARIF fingerprints survive edits that move
    lines. ``path`` is relative to the project root.

    ``about`` is, for a finding about something missing, the path of what is missing
    (``MODEL_CARD.md``): the finding stands on a file that exists (the manifest, or the file
    that made the rule apply), which may change as the project grows, so the fingerprint
    names ``about`` instead of it.

    ``copy_of`` is, for a finding about one part of a file (a notebook cell), that part's
    content digested: the findings of one rule about equal parts of other files (a
    translated copy of a notebook keeps its code cells) are copies of one fault.
    """

    message: str
    location: Location
    anchor: str = ""
    about: str = ""
    related: tuple[Related, ...] = ()
    copy_of: str = ""

    @classmethod
    def at_first(
        cls, places: Iterable[Related], anchor: str, message: str | None = None
    ) -> Violation:
        """One violation for places that share one fault: at the first, saying ``message``
        (else what is at the first), the others its related places."""
        first, *others = places
        said = first.message if message is None else message
        return cls(said, first.location, anchor=anchor, related=tuple(others))


Check = Callable[["ProjectContext"], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    """One rule with its metadata beside it.

    The phase follows from the code's prefix and the pillars from the ML Lens practices the
    rule enforces, so the two can never disagree with the code or the references.
    """

    code: str
    name: str
    risk: Risk
    summary: str
    fix: str
    lens_refs: tuple[str, ...]
    check: Check = field(compare=False, repr=False)
    explanation: str = ""
    requires_manifest: bool = True
    first_stage: Stage | None = None
    # Runs after every other rule of the project, for rules that report what the others met
    # (the files they could not parse).
    runs_last: bool = False
    # Runs after every other rule, the ``runs_last`` ones included, and reads what they
    # reported (``ProjectContext.reported``): for rules that judge inline ignores.
    sees_findings: bool = False
    # Whether a [waivers.CODE] entry may suppress the rule's findings. A rule that judges the
    # waivers themselves is not: a waiver could otherwise silence the check on waivers. Nor
    # can an inline ignore or a baseline suppress such a rule's findings.
    waivable: bool = True
    # A short snippet (TOML, Python …) showing what passes, for the rules documentation and
    # `explain`, when the fix text cannot show it in a phrase.
    example: str = ""
    # A rule whose measured precision on the ecosystem check is below 90%: it is not in the
    # default set, and runs only with --preview (or `preview = true` in the settings).
    preview: bool = False

    @property
    def phase(self) -> Phase:
        return PHASE_BY_PREFIX[self.code[:2]]

    @property
    def applies_from(self) -> Stage:
        """The first stage at which the rule applies."""
        return self.first_stage or FIRST_STAGE_BY_PHASE[self.phase]

    @property
    def stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in Stage if s.rank >= self.applies_from.rank)

    @property
    def stages_described(self) -> str:
        """The stages at which the rule applies, as the documentation and `explain` say it:
        production rules also apply at development to what a project already deploys."""
        shown = ", ".join(s.value for s in self.stages)
        if self.applies_from is Stage.PRODUCTION:
            shown += (
                " (and development, when the project defines an endpoint, an endpoint "
                "configuration or a batch transform)"
            )
        return shown

    @property
    def pillars(self) -> tuple[Pillar, ...]:
        from mllint_wa.lens import pillars_of

        return pillars_of(self.lens_refs)

    @property
    def lens_refs_with_aliases(self) -> tuple[str, ...]:
        from mllint_wa.lens import with_legacy_aliases

        return with_legacy_aliases(self.lens_refs)

    def metadata(self) -> dict[str, object]:
        """The rule as `rules --format json` and the JSON findings describe it."""
        return {
            "code": self.code,
            "name": self.name,
            "phase": self.phase.value,
            "pillars": [p.value for p in self.pillars],
            "risk": self.risk.value,
            "stages": [s.value for s in self.stages],
            "lens_refs": list(self.lens_refs_with_aliases),
            "summary": self.summary,
            "fix": self.fix,
            "preview": self.preview,
        }


@dataclass(frozen=True)
class RelatedLocation:
    """Another place a finding concerns: ``path`` as findings show it, ``repository_path``
    from the repository root, and what is there."""

    path: str
    line: int
    column: int
    message: str
    repository_path: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True)
class Finding:
    """A violation bound to its rule and project, with paths relative to the working directory."""

    rule: Rule
    path: str
    line: int
    column: int
    message: str
    project: str
    fingerprint: str
    # The path from the repository root (the outermost working tree, so a submodule's files
    # are named as the superproject's checkout sees them), which CI systems want whatever
    # folder mllint-wa ran in.
    repository_path: str = ""
    # For a suppressed finding: what suppressed it (``waivers.DE003``, the ignore comment's
    # ``path:line``, the baseline file), how (one of SUPPRESSION_KINDS) and why.
    suppressed_by: str = ""
    suppression_kind: str = ""
    justification: str = ""
    # The other places of the same fault: in a notebook, the other objects a rule reported,
    # and the identical copies of the file, folded into this finding (see mllint_wa.grouping).
    related: tuple[RelatedLocation, ...] = ()

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule.code, self.message)

    def to_dict(self) -> dict[str, object]:
        meta = self.rule.metadata()
        return {
            "code": self.rule.code,
            "name": self.rule.name,
            "risk": meta["risk"],
            "phase": meta["phase"],
            "pillars": meta["pillars"],
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "fix": self.rule.fix,
            "lens_refs": meta["lens_refs"],
            "fingerprint": self.fingerprint,
            "project": self.project,
            "related": [place.to_dict() for place in self.related],
        }


# How a finding can be suppressed: an ignore comment in the file, a [waivers.CODE] entry in
# lens.toml, or an entry of the --baseline file.
SUPPRESSION_KINDS = ("inline", "waiver", "baseline")


def fingerprint(code: str, path: str, anchor: str, message: str) -> str:
    """A stable identity for a finding that does not depend on line numbers.

    The message is used only when the rule gave no anchor, since messages may quote values.
    """
    import hashlib  # here: the commands that only describe rules make no fingerprint

    identity = "\x1f".join((code, path, anchor or message))
    return hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:32]
