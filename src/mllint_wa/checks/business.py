"""BG: business goal identification — what the project is for, what it costs, what it may use."""

from __future__ import annotations

from collections.abc import Iterator

from mllint_wa.context import ProjectContext
from mllint_wa.manifest import as_number
from mllint_wa.model import Risk, Violation
from mllint_wa.registry import rule

COST_KINDS = {
    "data_acquisition": "acquiring and labelling the data",
    "training": "training and tuning",
    "inference": "serving predictions",
    "wrong_prediction": "a wrong prediction (false positive and false negative)",
}


@rule(
    code="BG001",
    name="missing-business-goal",
    risk=Risk.HIGH,
    summary="`[business] goal` does not state the business problem and the change wanted.",
    fix='Write the goal as a measurable change, e.g. `goal = "Cut monthly churn from 4.1% to '
    '3.5%"`.',
    lens_refs=("MLPERF01-BP01", "MLCOST01-BP01"),
)
def missing_business_goal(ctx: ProjectContext) -> Iterator[Violation]:
    """Business goal identification is the phase the ML Lens calls the most important: the
    value the model should bring, with measurable success criteria, decides every later
    trade-off. A project that cannot say what it is for cannot say when it is done."""
    yield from ctx.require("business.goal", "state the business problem and the change wanted")


@rule(
    code="BG002",
    name="missing-business-kpi",
    risk=Risk.HIGH,
    summary="`[business] kpi` does not name the business KPI the model is meant to move.",
    fix='Name the KPI, e.g. `kpi = "monthly churn rate"`.',
    lens_refs=("MLPERF01-BP01",),
)
def missing_business_kpi(ctx: ProjectContext) -> Iterator[Violation]:
    """The KPI is how the business will judge the model, independently of any ML metric.
    Without it the success metric cannot be tied to value (see PF006)."""
    yield from ctx.require("business.kpi", "name the business KPI the model is meant to move")


@rule(
    code="BG003",
    name="missing-business-requirements",
    risk=Risk.MEDIUM,
    summary="`[business] requirements` lists none of the constraints the solution must meet.",
    fix='List them, e.g. `requirements = ["scores refreshed daily before 06:00 UTC"]`.',
    lens_refs=("MLOPS01-BP03",),
)
def missing_business_requirements(ctx: ProjectContext) -> Iterator[Violation]:
    """Latency, freshness, volume and regulatory constraints shape the design and are what
    production monitoring later checks the model against (MLOPS01-BP03)."""
    yield from ctx.require("business.requirements", "list what the solution must meet")


@rule(
    code="BG004",
    name="missing-ml-justification",
    risk=Risk.HIGH,
    summary="`[business] ml_justification` makes no case that ML beats a simpler approach.",
    fix="Say what the non-ML approach achieves and why ML should do better, e.g. "
    '`ml_justification = "rules reached 0.31 precision; …"`.',
    lens_refs=("MLCOST02-BP01",),
)
def missing_ml_justification(ctx: ProjectContext) -> Iterator[Violation]:
    """ML costs more to build, run and govern than rules or heuristics. The lens asks teams
    to confirm that ML is the right tool before investing in it."""
    yield from ctx.require(
        "business.ml_justification", "say why ML beats a simpler non-ML approach"
    )


@rule(
    code="BG005",
    name="missing-feasibility-assessment",
    risk=Risk.HIGH,
    summary="`[business] feasibility` does not say whether enough relevant data exists.",
    fix='Record the data available and its limits, e.g. `feasibility = "3 years of labelled '
    'churn events; label delay 30 days"`.',
    lens_refs=("MLCOST01-BP01", "MLCOST02-BP01"),
)
def missing_feasibility_assessment(ctx: ProjectContext) -> Iterator[Violation]:
    """Whether the problem can be learnt from the data at hand (volume, labels, delay,
    quality) is the first feasibility question, and the cheapest one to answer early."""
    yield from ctx.require(
        "business.feasibility", "say whether enough relevant, labelled data exists"
    )


@rule(
    code="BG006",
    name="missing-training-data",
    risk=Risk.HIGH,
    summary="No `[[data.sources]]` names the data the model will learn from.",
    fix="Add a `[[data.sources]]` table per source with `name`, `uri`, `owner`, `license` and "
    "`contains_pii`.",
    lens_refs=("MLCOST02-BP01", "MLSEC01-BP01"),
)
def missing_training_data(ctx: ProjectContext) -> Iterator[Violation]:
    """Naming each training data source is the precondition for checking its permissions,
    licence and privacy, and for tracing a model back to the data it was trained on."""
    yield from ctx.require("data.sources", "add a [[data.sources]] table per training source")


@rule(
    code="BG007",
    name="missing-business-evaluation-data",
    risk=Risk.MEDIUM,
    summary="`[business] evaluation_data` names no business data to judge the solution's value.",
    fix='Name the business outcome data and its owner, e.g. `evaluation_data = "Q2 retention '
    'campaign outcomes, owned by Retention analytics"`.',
    lens_refs=("MLOPS01-BP03", "MLCOST01-BP01"),
)
def missing_business_evaluation_data(ctx: ProjectContext) -> Iterator[Violation]:
    """Offline metrics say whether the model predicts well; only business outcome data says
    whether it pays off. Agreeing early which data will judge that avoids a model that wins
    on recall and loses on revenue."""
    yield from ctx.require(
        "business.evaluation_data", "name the business data that will judge the solution's value"
    )


@rule(
    code="BG008",
    name="missing-cost-estimate",
    risk=Risk.MEDIUM,
    summary="`[business.costs]` lacks an estimate for data acquisition, training, inference or "
    "wrong predictions.",
    fix="Give each of data_acquisition, training, inference and wrong_prediction a number (per "
    "month, in `currency`) or a sentence.",
    lens_refs=("MLCOST01-BP01",),
    example="""
        [business.costs]
        currency = "USD"
        data_acquisition = 2000
        training = 350
        inference = 900
        wrong_prediction = "false negative ≈ $240 lost LTV; false positive ≈ $15 offer"
    """,
)
def missing_cost_estimate(ctx: ProjectContext) -> Iterator[Violation]:
    """Return on investment needs both sides of the ledger. The lens names the costs to weigh:
    acquiring data, training, running inference, and the price of the model being wrong.
    One finding is reported per missing kind."""
    for kind, what in COST_KINDS.items():
        yield from ctx.require(f"business.costs.{kind}", f"estimate the cost of {what}")


@rule(
    code="BG009",
    name="missing-cost-currency",
    risk=Risk.LOW,
    summary="Numeric cost estimates are given without `[business.costs] currency`.",
    fix='Add `currency = "USD"` (or another ISO 4217 code) to `[business.costs]`.',
    lens_refs=("MLCOST01-BP01",),
)
def missing_cost_currency(ctx: ProjectContext) -> Iterator[Violation]:
    """A bare number is not an estimate: 900 may be dollars, euros or yen, per month or per
    year. Only non-zero numeric estimates need a currency; sentences carry their own. A cost
    that is no finite number (`nan`, `inf`) is no estimate, and LN005 reports it; a negative
    one is reported by LN005 too, and still needs its currency."""
    assert ctx.manifest is not None
    amounts = [ctx.manifest.get(f"business.costs.{kind}") for kind in COST_KINDS]
    # Zero is zero in any currency.
    numeric = any(as_number(amount) not in (None, 0.0) for amount in amounts)
    if numeric:
        yield from ctx.require("business.costs.currency", "say which currency the numbers are in")


@rule(
    code="BG010",
    name="missing-stakeholders",
    risk=Risk.MEDIUM,
    summary="`[business] stakeholders` names nobody who agrees the goal and its trade-offs.",
    fix='List them, e.g. `stakeholders = ["Head of Retention"]`.',
    lens_refs=("MLOPS01-BP02",),
)
def missing_stakeholders(ctx: ProjectContext) -> Iterator[Violation]:
    """The level of explainability, the acceptable error and the cost of mistakes are
    business decisions; the lens asks for them to be agreed with named stakeholders."""
    yield from ctx.require("business.stakeholders", "name who agrees the goal and its trade-offs")


@rule(
    code="BG011",
    name="missing-project-owners",
    risk=Risk.MEDIUM,
    summary="`[project] owners` names nobody accountable for the model.",
    fix='List the accountable people or teams, e.g. `owners = ["ml-platform@example.com"]`.',
    lens_refs=("MLOPS01-BP01", "MLOPS02-BP01"),
)
def missing_project_owners(ctx: ProjectContext) -> Iterator[Violation]:
    """Assigning ownership is the first ML Lens design principle: someone must answer for
    the model's behaviour, its data and its retirement."""
    yield from ctx.require("project.owners", "name who is accountable for the model")


@rule(
    code="BG012",
    name="missing-explainability-requirement",
    risk=Risk.MEDIUM,
    summary="`[business] explainability` does not record the explainability level agreed.",
    fix='State it, e.g. `explainability = "agents see the top three drivers of every score"`.',
    lens_refs=("MLOPS01-BP02",),
)
def missing_explainability_requirement(ctx: ProjectContext) -> Iterator[Violation]:
    """How much of each prediction must be explained, and to whom, constrains the choice of
    model and tooling; deciding it after training often means training again."""
    yield from ctx.require(
        "business.explainability", "record the level of explainability agreed with stakeholders"
    )


@rule(
    code="BG013",
    name="missing-sustainability-goal",
    risk=Risk.LOW,
    summary="`[business] sustainability` sets no environmental goal or budget.",
    fix='State one, e.g. `sustainability = "train at most monthly, on the smallest instance '
    'that meets the SLA"`.',
    lens_refs=("MLSUS01-BP01",),
)
def missing_sustainability_goal(ctx: ProjectContext) -> Iterator[Violation]:
    """Training and serving consume energy in proportion to the ambition set for them. A
    stated goal lets later choices (retraining cadence, instance types) be measured against
    it."""
    yield from ctx.require(
        "business.sustainability", "set an environmental goal or budget for the workload"
    )


@rule(
    code="BG014",
    name="missing-data-license",
    risk=Risk.MEDIUM,
    summary="A `[[data.sources]]` entry does not state the licence or terms it is used under.",
    fix='Add `license = "…"` to the source (e.g. "internal", "CC-BY-4.0", a contract reference).',
    lens_refs=("MLSEC01-BP01",),
)
def missing_data_license(ctx: ProjectContext) -> Iterator[Violation]:
    """Data used without checking its licence and permitted purposes is a legal risk that
    grows with every model trained on it. One finding per source."""
    yield from ctx.require_each(
        "data.sources", "license", "state the licence or terms of use of this source"
    )


@rule(
    code="BG015",
    name="missing-data-owner",
    risk=Risk.LOW,
    summary="A `[[data.sources]]` entry names nobody who grants access to it.",
    fix='Add `owner = "…"` to the source: the team or person who grants its use.',
    lens_refs=("MLSEC01-BP01",),
)
def missing_data_owner(ctx: ProjectContext) -> Iterator[Violation]:
    """Validating data permissions means knowing whom to ask. One finding per source."""
    yield from ctx.require_each("data.sources", "owner", "name who grants access to this source")
