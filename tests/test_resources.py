"""The resource model: values known, unknown or absent; extractors run once; stage gating,
which reads no more of the project than it needs and answers as the whole model does."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence
from mllint_wa.evidence import resources as model
from mllint_wa.model import Location, Risk, Rule, Stage
from mllint_wa.project import Project, discover
from mllint_wa.runner import _applies
from trees import write_files

REPOS = Path(__file__).parent / "fixtures" / "repos"

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


def _projects(repo: Path) -> list[Project]:
    return list(discover([repo]).projects)


@pytest.mark.parametrize("repo", sorted(p.name for p in REPOS.iterdir() if p.is_dir()))
def test_stage_gating_answers_as_the_whole_resource_model_on_every_fixture(repo: str):
    for project in _projects(REPOS / repo):
        whole = model.resources(Evidence(project.root, project.files), *model.DEPLOYMENT_KINDS)
        assert model.defines_deployment(Evidence(project.root, project.files)) == bool(whole)


def test_the_fixtures_hold_projects_with_and_without_deployments():
    answers = {
        model.defines_deployment(Evidence(project.root, project.files))
        for repo in REPOS.iterdir()
        if repo.is_dir()
        for project in _projects(repo)
    }
    assert answers == {True, False}


SDK_TRAINING = """from sagemaker.estimator import Estimator

Estimator(image_uri="x", role="r", instance_count=1, instance_type="ml.m5.large").fit()
"""
SDK_DEPLOYMENT = """from sagemaker.model import Model

Model(image_uri="x", role="r").deploy(initial_instance_count=1, instance_type="ml.m5.large")
"""


def test_stage_gating_reads_no_source_whose_files_cannot_define_a_deployment(tmp_path: Path):
    files = {
        "train.py": SDK_TRAINING,
        "infra/bucket.yaml": "Resources:\n  Data:\n    Type: AWS::S3::Bucket\n",
        "infra/main.tf": 'resource "aws_s3_bucket" "data" {\n  bucket = "d"\n}\n',
    }
    root = write_files(tmp_path, files)
    ev = Evidence(root, tuple(sorted(files)))
    assert not model.defines_deployment(ev)
    assert ev._parsed == {}  # nothing parsed: the bytes said no
    assert {resource.kind for resource in model.resources(ev)} == {
        model.TRAINING_JOB,
        model.BUCKET,
    }


def test_stage_gating_stops_at_the_first_deployment_and_the_model_reuses_what_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from mllint_wa.evidence import sdk_resources

    files = {f"a{n}.py": SDK_DEPLOYMENT for n in range(3)} | {"b.py": SDK_TRAINING}
    root = write_files(tmp_path, files)
    read: list[str] = []
    reader = sdk_resources.read_module

    def counted(path: str, parsed: object, values: object = None) -> list[model.Resource]:
        read.append(path)
        return reader(path, parsed, values)  # type: ignore[arg-type]

    monkeypatch.setattr(sdk_resources, "read_module", counted)
    ev = Evidence(root, tuple(sorted(files)))
    assert model.defines_deployment(ev)
    assert read == ["a0.py"]
    endpoints = model.resources(ev, model.ENDPOINT)
    assert [resource.location.path for resource in endpoints] == ["a0.py", "a1.py", "a2.py"]
    assert read == ["a0.py", "a1.py", "a2.py", "b.py"]  # each module read once


def broken_extractor(ev: Evidence) -> object:
    yield ENDPOINT
    raise RuntimeError("the extractor broke half-way")


def test_an_extractor_that_breaks_half_way_breaks_every_reader_that_gets_there(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setattr(model, "EXTRACTORS", {"fake": f"{__name__}:broken_extractor"})
    ev = Evidence(tmp_path, ())
    assert model.defines_deployment(ev)  # the endpoint came before the break
    for _ in range(2):
        with pytest.raises(RuntimeError, match="half-way"):
            model.resources(ev)


def failing_extractor(ev: Evidence) -> list[model.Resource]:
    CALLS.append("called")
    raise RuntimeError("the template reader failed")


def test_an_extractor_that_fails_is_run_once_and_its_error_given_to_every_reader(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    CALLS.clear()
    monkeypatch.setattr(model, "EXTRACTORS", {"fake": f"{__name__}:failing_extractor"})
    ev = Evidence(tmp_path, ())
    shown: list[int] = []
    for _ in range(3):
        with pytest.raises(RuntimeError, match="template reader failed") as raised:
            model.resources(ev)
        shown.append(len(traceback.format_exception(raised.value)))
        with pytest.raises(RuntimeError, match="template reader failed"):
            model.defines_deployment(ev)
    assert CALLS == ["called"]
    # Each reader is shown where the error was raised, not every earlier reader's stack.
    assert shown[1] == shown[2]
    monkeypatch.setattr(model, "EXTRACTORS", {"missing": "mllint_wa.evidence.nowhere:x"})
    imports: list[str] = []
    importer = model.importlib.import_module

    def counted(name: str) -> object:
        imports.append(name)
        return importer(name)

    monkeypatch.setattr(model.importlib, "import_module", counted)
    ev = Evidence(tmp_path, ())
    for _ in range(3):
        with pytest.raises(ModuleNotFoundError):
            model.resources(ev)
    assert imports == ["mllint_wa.evidence.nowhere"]
