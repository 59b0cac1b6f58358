"""PF rules: ML problem framing — inputs, output, and how success is measured.

Each rule's trigger fixture lives in tests/fixtures/repos/<rule-name>/ and, where it helps, holds
a violating and a non-violating instance side by side (e.g. one metric with a target, one
without). Variants that need another manifest are written into tmp_path.
"""

from __future__ import annotations

import pytest

# -- PF001 missing-success-metric ----------------------------------------------------------------


def test_missing_success_metric_absent_reported_on_problem_header(lint):
    assert lint("missing-success-metric", "PF001") == [
        ("PF001", "missing-success-metric", "lens.toml", 3, 1),
    ]
    assert lint.messages("missing-success-metric", "PF001") == [
        "`problem.metrics` is missing: add a [[problem.metrics]] table for the success metric"
    ]


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("[problem]\nmetrics = []\n", 4),
        ("[[problem.metrics]]\n", 3),
        ('[business]\ngoal = "Cut churn"\n', 1),
    ],
    ids=["empty-array", "empty-table", "no-problem-table"],
)
def test_missing_success_metric_variants(lint, manifest, body, line):
    repo = manifest("schema_version = 1\n\n" + body)
    assert lint(repo, "PF001") == [("PF001", "missing-success-metric", "lens.toml", line, 1)]


def test_missing_success_metric_written_as_plain_table_is_a_type_error(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [problem.metrics]
        name = "recall"
        target = 0.75
        """
    )
    assert lint(repo, "PF001", "LN004") == [
        ("LN004", "invalid-manifest-type", "lens.toml", 3, 1),
    ]


# -- PF002 unquantified-success-metric -----------------------------------------------------------


def test_unquantified_success_metric_absent_and_placeholder_targets(lint):
    # Metric 0 has a target; metric 1 has none (→ its header); metric 2 has target = "TBD".
    assert lint("unquantified-success-metric", "PF002") == [
        ("PF002", "unquantified-success-metric", "lens.toml", 8, 1),
        ("PF002", "unquantified-success-metric", "lens.toml", 14, 1),
    ]
    assert lint.messages("unquantified-success-metric", "PF002") == [
        "`problem.metrics[1].target` is missing: give the success threshold as a number",
        "`problem.metrics[2].target` is only a placeholder: give the success threshold as a number",
    ]


def test_unquantified_success_metric_words_or_quoted_number_are_not_numeric(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [[problem.metrics]]
        name = "recall"
        target = "0.75"

        [[problem.metrics]]
        name = "precision"
        target = "high"
        """
    )
    assert lint(repo, "PF002") == [
        ("PF002", "unquantified-success-metric", "lens.toml", 5, 10),
        ("PF002", "unquantified-success-metric", "lens.toml", 9, 10),
    ]
    assert lint.messages(repo, "PF002") == [
        '`problem.metrics[0].target` is "0.75", not a number: give the success threshold as a '
        "number",
        '`problem.metrics[1].target` is "high", not a number: give the success threshold as a '
        "number",
    ]
    # The schema rule reports the type as well, on the value.
    assert lint(repo, "LN004") == [
        ("LN004", "invalid-manifest-type", "lens.toml", 5, 10),
        ("LN004", "invalid-manifest-type", "lens.toml", 9, 10),
    ]


# -- PF003 missing-metric-baseline ---------------------------------------------------------------


def test_missing_metric_baseline_reported_on_the_primary_metric_only(lint):
    # The latency guardrail needs no baseline; the primary recall metric does.
    assert lint("missing-metric-baseline", "PF003") == [
        ("PF003", "missing-metric-baseline", "lens.toml", 8, 1),
    ]
    assert lint.messages("missing-metric-baseline", "PF003") == [
        "`problem.metrics[1].baseline` is missing: record today's non-ML or previous-model figure"
    ]


def test_missing_metric_baseline_without_a_primary_checks_the_first_metric(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [[problem.metrics]]
        name = "recall"
        target = 0.75

        [[problem.metrics]]
        name = "precision"
        target = 0.4
        """
    )
    assert lint(repo, "PF003") == [("PF003", "missing-metric-baseline", "lens.toml", 3, 1)]


def test_missing_metric_baseline_zero_is_a_baseline(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [[problem.metrics]]
        name = "recall"
        target = 0.75
        baseline = 0
        """
    )
    assert lint(repo, "PF003") == []


# -- PF004 target-not-better-than-baseline -------------------------------------------------------


def test_target_not_better_than_baseline_reported_on_the_target_value(lint):
    # recall (maximize) 0.50 < 0.52: reported. latency (minimize) 120 < 180: fine.
    # false positive rate (minimize) equal to its baseline: reported. precision has no
    # direction: not checked.
    assert lint("target-not-better-than-baseline", "PF004") == [
        ("PF004", "target-not-better-than-baseline", "lens.toml", 5, 10),
        ("PF004", "target-not-better-than-baseline", "lens.toml", 18, 10),
    ]
    assert lint.messages("target-not-better-than-baseline", "PF004") == [
        "metric `recall` is to maximize, but its target 0.5 does not improve on its baseline 0.52",
        "metric `false positive rate` is to minimize, but its target 0.08 does not improve on "
        "its baseline 0.08",
    ]


def test_target_not_better_than_baseline_quiet_when_a_figure_is_not_a_number(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [[problem.metrics]]
        name = "recall"
        target = "0.5"
        baseline = 0.52
        direction = "maximize"

        [[problem.metrics]]
        name = "precision"
        target = 0.3
        baseline = 0.31
        direction = "maximise"
        """
    )
    assert lint(repo, "PF004") == []


# -- PF005 ambiguous-primary-metric --------------------------------------------------------------


def test_ambiguous_primary_metric_second_primary_reported_on_its_flag(lint):
    assert lint("ambiguous-primary-metric", "PF005") == [
        ("PF005", "ambiguous-primary-metric", "lens.toml", 11, 1),
    ]
    assert lint.messages("ambiguous-primary-metric", "PF005") == [
        "`problem.metrics[1]` is marked primary, but so is `problem.metrics[0]`: only one metric "
        "can decide"
    ]


def test_ambiguous_primary_metric_none_primary_reported_on_first_metric(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [problem]
        type = "binary-classification"

        [[problem.metrics]]
        name = "recall"
        target = 0.75

        [[problem.metrics]]
        name = "precision"
        target = 0.40
        primary = false
        """
    )
    assert lint(repo, "PF005") == [("PF005", "ambiguous-primary-metric", "lens.toml", 6, 1)]
    assert lint.messages(repo, "PF005") == ["2 success metrics and none is marked `primary = true`"]


def test_ambiguous_primary_metric_single_metric_needs_no_flag(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [[problem.metrics]]
        name = "recall"
        target = 0.75
        """
    )
    assert lint(repo, "PF005") == []


# -- PF006 metric-not-linked-to-kpi --------------------------------------------------------------


def test_metric_not_linked_to_kpi_only_the_primary_metric_needs_a_link(lint):
    # precision (a guardrail) has no kpi_link either, and is not reported.
    assert lint("metric-not-linked-to-kpi", "PF006") == [
        ("PF006", "metric-not-linked-to-kpi", "lens.toml", 10, 1),
    ]
    assert lint.messages("metric-not-linked-to-kpi", "PF006") == [
        "`problem.metrics[1].kpi_link` is missing: say how this metric moves the business KPI"
    ]


def test_metric_not_linked_to_kpi_without_primary_the_first_metric_decides(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [[problem.metrics]]
        name = "recall"
        target = 0.75
        kpi_link = "TODO"

        [[problem.metrics]]
        name = "precision"
        target = 0.40
        """
    )
    assert lint(repo, "PF006") == [("PF006", "metric-not-linked-to-kpi", "lens.toml", 6, 1)]


def test_metric_not_linked_to_kpi_quiet_without_metrics(lint, manifest):
    repo = manifest("schema_version = 1\n\n[problem]\ntype = 'regression'\n")
    assert lint(repo, "PF006") == []


# -- PF007 … PF010: one value each ---------------------------------------------------------------


def test_missing_problem_inputs_empty_list_reported_on_its_line(lint):
    assert lint("missing-problem-inputs", "PF007") == [
        ("PF007", "missing-problem-inputs", "lens.toml", 5, 1),
    ]


def test_missing_problem_output_absent_reported_on_problem_header(lint):
    assert lint("missing-problem-output", "PF008") == [
        ("PF008", "missing-problem-output", "lens.toml", 3, 1),
    ]


def test_missing_problem_output_implicit_problem_table_reported_on_metrics_header(lint, manifest):
    # [problem] is only defined by [[problem.metrics]]: that header is where it stands.
    repo = manifest(
        """
        schema_version = 1

        [business]
        goal = "Cut churn"

        [[problem.metrics]]
        name = "recall"
        """
    )
    assert lint(repo, "PF008") == [("PF008", "missing-problem-output", "lens.toml", 6, 1)]


def test_missing_problem_type_placeholder_reported_on_its_line(lint):
    assert lint("missing-problem-type", "PF009") == [
        ("PF009", "missing-problem-type", "lens.toml", 4, 1),
    ]


def test_missing_fairness_review_todo_sentence_reported_on_its_line(lint):
    assert lint("missing-fairness-review", "PF010") == [
        ("PF010", "missing-fairness-review", "lens.toml", 5, 1),
    ]
    assert lint.messages("missing-fairness-review", "PF010") == [
        "`problem.fairness` is only a placeholder: record which attributes are sensitive and how "
        "bias is checked"
    ]


# -- PF011 unclassified-data-source --------------------------------------------------------------


def test_unclassified_data_source_false_is_a_classification(lint):
    # usage events: contains_pii = true; weather: false; support tickets: not stated.
    assert lint("unclassified-data-source", "PF011") == [
        ("PF011", "unclassified-data-source", "lens.toml", 13, 1),
    ]
    assert lint.messages("unclassified-data-source", "PF011") == [
        "`data.sources[2].contains_pii` is missing: say whether this source holds personal data"
    ]
