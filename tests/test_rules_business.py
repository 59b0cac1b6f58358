"""BG rules: business goal identification.

Each rule's trigger fixture lives in tests/fixtures/repos/<rule-name>/; the variants that need
a different manifest (absent key vs placeholder, no table at all) are written into tmp_path.
A missing value is reported on its placeholder's line when there is one, else on the header
of the table it belongs in, else on line 1.
"""

from __future__ import annotations

import pytest

PLACEHOLDERS = ['""', '"TODO"', '"TBD"', '"?"', '"n/a"', '"-"', '"<describe>"', '"  "']


# -- BG001 missing-business-goal ---------------------------------------------------------------


def test_missing_business_goal_placeholder_reported_on_its_line(lint):
    assert lint("missing-business-goal", "BG001") == [
        ("BG001", "missing-business-goal", "lens.toml", 7, 1),
    ]
    assert lint.messages("missing-business-goal", "BG001") == [
        "`business.goal` is only a placeholder: state the business problem and the change wanted"
    ]


@pytest.mark.parametrize("placeholder", [*PLACEHOLDERS, '"TODO: agree with Retention"', "[]"])
def test_missing_business_goal_every_placeholder_counts_as_missing(lint, manifest, placeholder):
    repo = manifest(
        f"""
        schema_version = 1

        [business]
        kpi = "monthly churn rate"
        goal = {placeholder}
        """
    )
    assert lint(repo, "BG001") == [("BG001", "missing-business-goal", "lens.toml", 5, 1)]


def test_missing_business_goal_absent_key_reported_on_business_header(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [project]
        name = "churn-predictor"

        [business]
        kpi = "monthly churn rate"
        """
    )
    assert lint(repo, "BG001") == [("BG001", "missing-business-goal", "lens.toml", 6, 1)]
    assert lint.messages(repo, "BG001") == [
        "`business.goal` is missing: state the business problem and the change wanted"
    ]


def test_missing_business_goal_implicit_business_table_reported_on_costs_header(lint, manifest):
    # [business] is only defined by [business.costs]: that header is where it stands.
    repo = manifest(
        """
        schema_version = 1

        [business.costs]
        training = 350
        currency = "USD"
        """
    )
    assert lint(repo, "BG001") == [("BG001", "missing-business-goal", "lens.toml", 3, 1)]


def test_missing_business_goal_explicit_header_after_its_subtable(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business.costs]
        training = 350
        currency = "USD"

        [business]
        kpi = "monthly churn rate"
        """
    )
    assert lint(repo, "BG001") == [("BG001", "missing-business-goal", "lens.toml", 7, 1)]


def test_missing_business_goal_without_business_table_reported_on_line_1(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [project]
        name = "churn-predictor"
        """
    )
    assert lint(repo, "BG001") == [("BG001", "missing-business-goal", "lens.toml", 1, 1)]


def test_missing_business_goal_placeholder_line_survives_multiline_values(lint, manifest):
    repo = manifest(
        '''
        schema_version = 1

        [business]
        requirements = [
            "scores refreshed daily before 06:00 UTC",  # [not a header]
            "no more than 5% of subscribers contacted a month",
        ]
        kpi = """monthly churn rate,
        [business.costs]
        measured on the first of the month"""
          goal = "TBD"
        '''
    )
    assert lint(repo, "BG001") == [("BG001", "missing-business-goal", "lens.toml", 11, 3)]


def test_missing_business_goal_real_goal_passes(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business]
        goal = "Cut monthly churn from 4.1% to 3.5% with targeted retention offers"
        """
    )
    assert lint(repo, "BG001") == []


# -- BG002 … BG007, BG010, BG012, BG013: one value each ----------------------------------------


def test_missing_business_kpi_placeholder_reported_on_its_line(lint):
    assert lint("missing-business-kpi", "BG002") == [
        ("BG002", "missing-business-kpi", "lens.toml", 5, 1),
    ]


def test_missing_business_requirements_empty_list_reported_on_its_line(lint):
    assert lint("missing-business-requirements", "BG003") == [
        ("BG003", "missing-business-requirements", "lens.toml", 5, 1),
    ]


@pytest.mark.parametrize("value", ["[]", '[""]', '["TODO"]', '["TBD", "?"]'])
def test_missing_business_requirements_list_of_placeholders_counts_as_missing(
    lint, manifest, value
):
    repo = manifest(
        f"""
        schema_version = 1

        [business]
        requirements = {value}
        """
    )
    assert lint(repo, "BG003") == [("BG003", "missing-business-requirements", "lens.toml", 4, 1)]


def test_missing_business_requirements_one_real_item_is_enough(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business]
        requirements = ["scores refreshed daily before 06:00 UTC", "TODO: volumes"]
        """
    )
    assert lint(repo, "BG003") == []


def test_missing_ml_justification_placeholder_reported_on_its_line(lint):
    assert lint("missing-ml-justification", "BG004") == [
        ("BG004", "missing-ml-justification", "lens.toml", 5, 1),
    ]


def test_missing_feasibility_assessment_placeholder_reported_on_its_line(lint):
    assert lint("missing-feasibility-assessment", "BG005") == [
        ("BG005", "missing-feasibility-assessment", "lens.toml", 5, 1),
    ]


def test_missing_training_data_absent_sources_reported_on_data_header(lint):
    assert lint("missing-training-data", "BG006") == [
        ("BG006", "missing-training-data", "lens.toml", 6, 1),
    ]
    assert lint.messages("missing-training-data", "BG006") == [
        "`data.sources` is missing: add a [[data.sources]] table per training source"
    ]


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("[data]\nsources = []\n", 4),
        ("[[data.sources]]\n", 3),
        ("[project]\nname = 'churn'\n", 1),
    ],
    ids=["empty-array", "empty-table", "no-data-table"],
)
def test_missing_training_data_variants(lint, manifest, body, line):
    repo = manifest("schema_version = 1\n\n" + body)
    assert lint(repo, "BG006") == [("BG006", "missing-training-data", "lens.toml", line, 1)]


def test_missing_business_evaluation_data_placeholder_reported_on_its_line(lint):
    assert lint("missing-business-evaluation-data", "BG007") == [
        ("BG007", "missing-business-evaluation-data", "lens.toml", 5, 1),
    ]


def test_missing_stakeholders_list_of_blank_reported_on_its_line(lint):
    assert lint("missing-stakeholders", "BG010") == [
        ("BG010", "missing-stakeholders", "lens.toml", 5, 1),
    ]


def test_missing_explainability_requirement_placeholder_reported_on_its_line(lint):
    assert lint("missing-explainability-requirement", "BG012") == [
        ("BG012", "missing-explainability-requirement", "lens.toml", 5, 1),
    ]


def test_missing_sustainability_goal_absent_key_reported_on_business_header(lint):
    assert lint("missing-sustainability-goal", "BG013") == [
        ("BG013", "missing-sustainability-goal", "lens.toml", 3, 1),
    ]
    assert lint.messages("missing-sustainability-goal", "BG013") == [
        "`business.sustainability` is missing: set an environmental goal or budget for the workload"
    ]


# -- BG008 missing-cost-estimate -----------------------------------------------------------------


def test_missing_cost_estimate_one_finding_per_missing_kind(lint):
    # data_acquisition is given; inference is absent (→ [business.costs]); training and
    # wrong_prediction are placeholders (→ their own lines).
    assert lint("missing-cost-estimate", "BG008") == [
        ("BG008", "missing-cost-estimate", "lens.toml", 6, 1),
        ("BG008", "missing-cost-estimate", "lens.toml", 9, 1),
        ("BG008", "missing-cost-estimate", "lens.toml", 10, 1),
    ]
    assert lint.messages("missing-cost-estimate", "BG008") == [
        "`business.costs.inference` is missing: estimate the cost of serving predictions",
        "`business.costs.training` is only a placeholder: estimate the cost of training and tuning",
        "`business.costs.wrong_prediction` is only a placeholder: estimate the cost of a wrong "
        "prediction (false positive and false negative)",
    ]


def test_missing_cost_estimate_without_costs_table_reported_on_business_header(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business]
        goal = "Cut monthly churn from 4.1% to 3.5% with targeted retention offers"
        """
    )
    assert lint(repo, "BG008") == [("BG008", "missing-cost-estimate", "lens.toml", 3, 1)] * 4
    assert lint.messages(repo, "BG008") == [
        "`business.costs.data_acquisition` is missing: estimate the cost of acquiring and "
        "labelling the data",
        "`business.costs.inference` is missing: estimate the cost of serving predictions",
        "`business.costs.training` is missing: estimate the cost of training and tuning",
        "`business.costs.wrong_prediction` is missing: estimate the cost of a wrong prediction "
        "(false positive and false negative)",
    ]


def test_missing_cost_estimate_without_business_table_reported_on_line_1(lint, manifest):
    repo = manifest("schema_version = 1\n")
    assert lint(repo, "BG008") == [("BG008", "missing-cost-estimate", "lens.toml", 1, 1)] * 4


def test_missing_cost_estimate_empty_costs_table_reported_on_its_header(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business]
        goal = "Cut monthly churn from 4.1% to 3.5% with targeted retention offers"

        [business.costs]
        """
    )
    assert lint(repo, "BG008") == [("BG008", "missing-cost-estimate", "lens.toml", 6, 1)] * 4


def test_missing_cost_estimate_numbers_and_sentences_both_count(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business.costs]
        currency = "EUR"
        data_acquisition = 0
        training = 350.5
        inference = "included in the shared cluster budget"
        wrong_prediction = "false negative ≈ €220 lost LTV; false positive ≈ €14 offer"
        """
    )
    assert lint(repo, "BG008") == []


# -- BG009 missing-cost-currency -----------------------------------------------------------------


def test_missing_cost_currency_numbers_without_currency_reported_on_costs_header(lint):
    assert lint("missing-cost-currency", "BG009") == [
        ("BG009", "missing-cost-currency", "lens.toml", 3, 1),
    ]
    assert lint.messages("missing-cost-currency", "BG009") == [
        "`business.costs.currency` is missing: say which currency the numbers are in"
    ]


def test_missing_cost_currency_placeholder_reported_on_its_line(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business.costs]
        training = 350
        currency = "?"
        """
    )
    assert lint(repo, "BG009") == [("BG009", "missing-cost-currency", "lens.toml", 5, 1)]


def test_missing_cost_currency_not_needed_for_zero_costs(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business.costs]
        data_acquisition = 0
        training = 0.0
        inference = "a few dollars a month"
        """
    )
    assert lint(repo, "BG009") == []


def test_missing_cost_currency_not_needed_for_sentences_only(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [business.costs]
        data_acquisition = "two analyst-weeks of labelling"
        training = "a few dollars a month on spot instances"
        inference = "TODO"
        """
    )
    assert lint(repo, "BG009") == []


# -- BG011 missing-project-owners ----------------------------------------------------------------


def test_missing_project_owners_absent_key_reported_on_project_header(lint):
    assert lint("missing-project-owners", "BG011") == [
        ("BG011", "missing-project-owners", "lens.toml", 3, 1),
    ]


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ('[project]\nname = "churn"\nowners = []\n', 5),
        ('[project]\nowners = ["TODO"]\n', 4),
        ('[business]\ngoal = "Cut churn"\n', 1),
    ],
    ids=["empty-list", "placeholder-item", "no-project-table"],
)
def test_missing_project_owners_variants(lint, manifest, body, line):
    repo = manifest("schema_version = 1\n\n" + body)
    assert lint(repo, "BG011") == [("BG011", "missing-project-owners", "lens.toml", line, 1)]


def test_missing_project_owners_wrong_type_left_to_the_schema_rule(lint, manifest):
    repo = manifest(
        """
        schema_version = 1

        [project]
        owners = "ml-platform@example.com"
        """
    )
    assert lint(repo, "BG011") == []
    assert lint(repo, "BG011", "LN004") == [
        ("LN004", "invalid-manifest-type", "lens.toml", 4, 10),
    ]


# -- BG014 missing-data-license, BG015 missing-data-owner: one finding per source --------------


def test_missing_data_license_one_finding_per_source_without_licence(lint):
    # Source 0 has a licence; source 1 has none (→ its header); source 2 has "TODO".
    assert lint("missing-data-license", "BG014") == [
        ("BG014", "missing-data-license", "lens.toml", 8, 1),
        ("BG014", "missing-data-license", "lens.toml", 15, 1),
    ]
    assert lint.messages("missing-data-license", "BG014") == [
        "`data.sources[1].license` is missing: state the licence or terms of use of this source",
        "`data.sources[2].license` is only a placeholder: state the licence or terms of use of "
        "this source",
    ]


def test_missing_data_owner_one_finding_per_source_without_owner(lint):
    assert lint("missing-data-owner", "BG015") == [
        ("BG015", "missing-data-owner", "lens.toml", 8, 1),
        ("BG015", "missing-data-owner", "lens.toml", 15, 1),
    ]


def test_data_source_rules_quiet_without_sources(lint, manifest):
    # No source at all is missing-training-data's finding, not one per absent field.
    repo = manifest("schema_version = 1\n\n[data]\nversioning = 'dvc'\n")
    assert lint(repo, "BG014", "BG015", "PF011") == []
