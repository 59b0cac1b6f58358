"""PF: ML problem framing — what is observed, what is predicted, and how success is measured."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from mllint_wa.context import ProjectContext
from mllint_wa.manifest import as_number, is_number, shown_number
from mllint_wa.model import Risk, Violation
from mllint_wa.parsers.toml_positions import KeyPath, render
from mllint_wa.registry import rule

METRICS = "problem.metrics"


def _as_toml(value: object) -> str:
    """A value as it would be written in lens.toml, for messages."""
    if isinstance(value, (str, bool)):
        return json.dumps(value, ensure_ascii=False)
    return shown_number(value)


def _decisive_metrics(ctx: ProjectContext) -> list[tuple[KeyPath, Mapping[str, object]]]:
    """The metrics that decide success: those marked primary, else the first one."""
    assert ctx.manifest is not None
    metrics = ctx.manifest.tables(METRICS)
    primary = [(path, metric) for path, metric in metrics if metric.get("primary") is True]
    return primary or metrics[:1]


@rule(
    code="PF001",
    name="missing-success-metric",
    risk=Risk.HIGH,
    summary="No `[[problem.metrics]]` defines how the model's success is measured.",
    fix="Add `[[problem.metrics]]` with `name`, a numeric `target`, a `baseline`, a `direction` "
    "and `primary = true`.",
    lens_refs=("MLPERF02-BP01",),
    example="""
        [[problem.metrics]]
        name = "recall"
        target = 0.75
        baseline = 0.52
        direction = "maximize"
        primary = true
        kpi_link = "each +0.01 recall keeps about 40 subscribers a month"
    """,
)
def missing_success_metric(ctx: ProjectContext) -> Iterator[Violation]:
    """Framing an ML problem means choosing the metric the model is optimised and judged on.
    Without one, neither evaluation nor monitoring has anything to compare against."""
    yield from ctx.require(METRICS, "add a [[problem.metrics]] table for the success metric")


@rule(
    code="PF002",
    name="unquantified-success-metric",
    risk=Risk.HIGH,
    summary="A success metric has no numeric `target`, so success cannot be decided.",
    fix="Give the metric the threshold that counts as success, e.g. `target = 0.75`.",
    lens_refs=("MLPERF02-BP01", "MLSUS04-BP01"),
)
def unquantified_success_metric(ctx: ProjectContext) -> Iterator[Violation]:
    """A direction ("improve recall") is not a goal. A numeric target says when the model is
    good enough to ship and when further training only burns resources (MLSUS04-BP01).
    A target written as words or as a quoted number (`"high"`, `"0.75"`) counts as no
    numeric target too; LN004 reports its type as well. So does a target that is no finite
    number (`nan`, `inf`, an integer beyond a float's range); LN005 reports its value as well."""
    assert ctx.manifest is not None
    need = "give the success threshold as a number"
    for path, metric in ctx.manifest.tables(METRICS):
        target = metric.get("target")
        key = (*path, "target")
        if ctx.manifest.is_missing(key):
            yield from ctx.require(key, need)
        elif as_number(target) is None:
            kind = "a finite number" if is_number(target) else "a number"
            yield Violation(
                f"`{render(key)}` is {_as_toml(target)}, not {kind}: {need}",
                ctx.manifest.value_location(key),
                anchor=render(key),
            )


@rule(
    code="PF003",
    name="missing-metric-baseline",
    risk=Risk.MEDIUM,
    summary="The primary success metric has no `baseline`: today's non-ML or previous-model "
    "figure.",
    fix="Record what the current approach achieves on the same metric, e.g. `baseline = 0.52`.",
    lens_refs=("MLOPS02-BP03", "MLCOST02-BP01"),
)
def missing_metric_baseline(ctx: ProjectContext) -> Iterator[Violation]:
    """A target means little without the figure it improves on. The baseline is also the
    evidence for the ML justification: if a rule already reaches the target, ML is not needed.
    Only the metric that decides success (the primary one, else the first) is held to this;
    guardrails such as latency need none."""
    for path, _ in _decisive_metrics(ctx):
        yield from ctx.require(
            (*path, "baseline"), "record today's non-ML or previous-model figure"
        )


@rule(
    code="PF004",
    name="target-not-better-than-baseline",
    risk=Risk.MEDIUM,
    summary="A metric's `target` does not improve on its `baseline` in its stated `direction`.",
    fix="Check the direction (maximize or minimize) and the two figures; the target must beat "
    "the baseline.",
    lens_refs=("MLOPS02-BP03", "MLPERF02-BP01"),
)
def target_not_better_than_baseline(ctx: ProjectContext) -> Iterator[Violation]:
    """A target that a non-ML baseline already meets makes the project's success trivial, and
    usually means a swapped direction or a typo. Checked only when target, baseline and
    direction are all given and both figures are finite numbers: `nan` compares false with
    everything and `inf` beats any baseline, so LN005 reports those instead."""
    assert ctx.manifest is not None
    for path, metric in ctx.manifest.tables(METRICS):
        target, baseline = as_number(metric.get("target")), as_number(metric.get("baseline"))
        direction = metric.get("direction")
        if target is None or baseline is None or direction not in ("maximize", "minimize"):
            continue
        better = target > baseline if direction == "maximize" else target < baseline
        if not better:
            name = metric.get("name") or render(path)
            yield Violation(
                f"metric `{name}` is to {direction}, but its target {metric['target']} does not "
                f"improve on its baseline {metric['baseline']}",
                ctx.manifest.value_location((*path, "target")),
                anchor=render(path),
            )


@rule(
    code="PF005",
    name="ambiguous-primary-metric",
    risk=Risk.MEDIUM,
    summary="Several success metrics, but not exactly one marked `primary = true`.",
    fix="Mark the one metric that decides success with `primary = true`; the others are "
    "guardrails.",
    lens_refs=("MLPERF02-BP01",),
)
def ambiguous_primary_metric(ctx: ProjectContext) -> Iterator[Violation]:
    """With several metrics and no single primary one, every trade-off (precision against
    recall, accuracy against latency) is argued afresh. One metric decides; the rest guard."""
    assert ctx.manifest is not None
    metrics = ctx.manifest.tables(METRICS)
    primary = [path for path, metric in metrics if metric.get("primary") is True]
    if len(metrics) > 1 and not primary:
        yield Violation(
            f"{len(metrics)} success metrics and none is marked `primary = true`",
            ctx.manifest.location(metrics[0][0]),
            anchor=METRICS,
        )
    for path in primary[1:]:
        yield Violation(
            f"`{render(path)}` is marked primary, but so is `{render(primary[0])}`: only one "
            "metric can decide",
            ctx.manifest.location((*path, "primary")),
            anchor=render(path),
        )


@rule(
    code="PF006",
    name="metric-not-linked-to-kpi",
    risk=Risk.LOW,
    summary="The primary metric has no `kpi_link` saying how it moves the business KPI.",
    fix='Add `kpi_link = "…"` to the primary metric, e.g. "each +0.01 recall retains about 40 '
    'subscribers a month".',
    lens_refs=("MLPERF02-BP01", "MLOPS01-BP03"),
)
def metric_not_linked_to_kpi(ctx: ProjectContext) -> Iterator[Violation]:
    """The lens asks for evaluation metrics that are tied to the business KPIs. Writing the
    link down exposes metrics that are easy to optimise but do not move the business."""
    for path, _ in _decisive_metrics(ctx):
        yield from ctx.require((*path, "kpi_link"), "say how this metric moves the business KPI")


@rule(
    code="PF007",
    name="missing-problem-inputs",
    risk=Risk.HIGH,
    summary="`[problem] inputs` does not list what the model observes.",
    fix='List the input features, e.g. `inputs = ["usage_30d", "plan", "tenure_months"]`.',
    lens_refs=("MLREL01-BP01", "MLOPS02-BP02"),
)
def missing_problem_inputs(ctx: ProjectContext) -> Iterator[Violation]:
    """The inputs are half of the model's contract with its callers and the list that data
    collection, feature engineering and drift monitoring all work from."""
    yield from ctx.require("problem.inputs", "list what the model observes")


@rule(
    code="PF008",
    name="missing-problem-output",
    risk=Risk.HIGH,
    summary="`[problem] output` does not say what the model predicts.",
    fix='State the prediction, e.g. `output = "probability of cancelling within 30 days"`.',
    lens_refs=("MLREL01-BP01", "MLOPS02-BP02"),
)
def missing_problem_output(ctx: ProjectContext) -> Iterator[Violation]:
    """The output (label, horizon, unit) is the other half of the model's contract, and what
    the success metric is computed on."""
    yield from ctx.require("problem.output", "say what the model predicts")


@rule(
    code="PF009",
    name="missing-problem-type",
    risk=Risk.LOW,
    summary="`[problem] type` does not name the kind of ML problem.",
    fix='Name it, e.g. `type = "binary-classification"`, "regression", "forecasting".',
    lens_refs=("MLOPS02-BP02",),
)
def missing_problem_type(ctx: ProjectContext) -> Iterator[Violation]:
    """The problem type decides which metrics make sense and which simpler approaches the
    model should be compared with."""
    yield from ctx.require("problem.type", "name the kind of ML problem")


@rule(
    code="PF010",
    name="missing-fairness-review",
    risk=Risk.MEDIUM,
    summary="`[problem] fairness` records no review of sensitive attributes and bias checks.",
    fix='Record the review, e.g. `fairness = "age and postcode excluded; recall compared '
    'across regions"`.',
    lens_refs=("MLOPS02-BP06",),
)
def missing_fairness_review(ctx: ProjectContext) -> Iterator[Violation]:
    """The lens asks for fairness and explainability to be reviewed from problem framing on,
    while excluding an attribute or choosing a metric is still cheap."""
    yield from ctx.require(
        "problem.fairness", "record which attributes are sensitive and how bias is checked"
    )


@rule(
    code="PF011",
    name="unclassified-data-source",
    risk=Risk.MEDIUM,
    summary="A `[[data.sources]]` entry does not say whether it holds personal data.",
    fix="Add `contains_pii = true` or `contains_pii = false` to the source.",
    lens_refs=("MLSEC02-BP01",),
)
def unclassified_data_source(ctx: ProjectContext) -> Iterator[Violation]:
    """Encryption, masking and access design start from knowing which data is sensitive.
    One finding per source that does not classify itself."""
    yield from ctx.require_each(
        "data.sources", "contains_pii", "say whether this source holds personal data"
    )
