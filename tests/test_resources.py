"""The resource model: values known, unknown or absent; extractors run once; stage gating."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as model
from mllint_wa.model import Location, Risk, Rule, Stage
from mllint_wa.project import Project
from mllint_wa.runner import _applies

ENDPOINT = model.Resource(
    model.ENDPOINT,
    "Endpoint",
    "cloudformation",
    Location("infra/stack.yaml", 12, 3),
    {
        "kms_key": model.unknown("!Ref KmsKey", Location("infra/stack.yaml", 14, 7)),
        "instance_count": model.known(1, Location("infra/stack.yaml", 15, 7)),
    },
)
CALLS: list[str] = []


def fake_extractor(ev: Evidence) -> list[model.Resource]:
    CALLS.append("called")
    return [ENDPOINT]


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    CALLS.clear()
    monkeypatch.setattr(model, "EXTRACTORS", {"fake": f"{__name__}:fake_extractor"})


def test_values_say_whether_they_are_known_unknown_or_absent():
    assert ENDPOINT.get("instance_count").is_(1)
    assert ENDPOINT.get("kms_key").unknown
    assert not ENDPOINT.get("kms_key").falsy()  # unknown is never "not set"
    assert ENDPOINT.get("data_capture").absent
    assert ENDPOINT.get("data_capture").falsy()
    assert model.known(False).falsy()


def test_where_is_the_property_or_else_the_resource():
    assert ENDPOINT.where("instance_count") == Location("infra/stack.yaml", 15, 7)
    assert ENDPOINT.where("data_capture") == Location("infra/stack.yaml", 12, 3)
    assert ENDPOINT.anchor == "infra/stack.yaml:endpoint:Endpoint"


def test_property_names_are_one_vocabulary_per_kind():
    assert "kms_key" in model.PROPERTIES[model.ENDPOINT_CONFIG]
    assert set(model.DEPLOYMENT_KINDS) <= set(model.PROPERTIES)


def test_extractors_run_once_per_run_and_filter_by_kind(registered, tmp_path: Path):
    ev = Evidence(tmp_path, ())
    assert model.resources(ev) == (ENDPOINT,)
    assert model.resources(ev, model.BUCKET) == ()
    assert model.by_name(ev, model.ENDPOINT, "Endpoint") is ENDPOINT
    assert CALLS == ["called"]


def _production_rule() -> Rule:
    return Rule(
        "DE999",
        "x",
        Risk.LOW,
        "s",
        "f",
        ("MLREL04-BP02",),
        check=lambda ctx: (),
        requires_manifest=False,
    )


def test_production_rules_apply_earlier_when_deployment_artefacts_exist(registered, tmp_path: Path):
    context = ProjectContext(Project(tmp_path, ()), Stage.DEVELOPMENT, None)
    assert _applies(_production_rule(), context)


def test_production_rules_wait_for_production_without_deployment_artefacts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setattr(model, "EXTRACTORS", {})
    context = ProjectContext(Project(tmp_path, ()), Stage.DEVELOPMENT, None)
    assert not _applies(_production_rule(), context)


def test_a_source_none_of_whose_file_kinds_the_project_has_is_not_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    CALLS.clear()
    monkeypatch.setattr(model, "EXTRACTORS", {"fake": f"{__name__}:fake_extractor"})
    monkeypatch.setattr(model, "SOURCE_KINDS", {"fake": ("terraform",)})
    assert model.resources(Evidence(tmp_path, ("train.py",))) == ()
    assert CALLS == []
    assert model.resources(Evidence(tmp_path, ("main.tf",))) == (ENDPOINT,)
    assert CALLS == ["called"]
