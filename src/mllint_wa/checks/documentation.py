"""Model cards, datasheets and the paths the manifest declares."""

from __future__ import annotations

from collections.abc import Iterator

from mllint_wa.checks.wording import first_named
from mllint_wa.context import ProjectContext
from mllint_wa.evidence.data_files import data_files
from mllint_wa.evidence.documents import (
    DATASHEET_NAMES,
    DATASHEET_SECTIONS,
    MODEL_CARD_NAMES,
    MODEL_CARD_SECTIONS,
    Section,
    find_datasheet,
    find_model_card,
    missing_sections,
)
from mllint_wa.evidence.project_kind import ProjectKind, is_demo_path, own_model, project_kind
from mllint_wa.manifest import is_placeholder
from mllint_wa.model import Location, Risk, Stage, Violation
from mllint_wa.parsers.markdown import parse_markdown
from mllint_wa.registry import rule

# Manifest keys that name files or folders of the project.
DECLARED_PATHS = ("model.card", "model.training_entrypoint", "data.datasheet")
DECLARED_PATH_LISTS = ("deployment.iac",)


def _document(ctx: ProjectContext, key: str, found: str | None) -> tuple[str, bool] | None:
    """The document the manifest names under ``key`` if it exists, else the one found by
    its usual names; with whether the manifest named it."""
    declared = ctx.declared(key)
    if declared is not None:
        path = declared.strip("/")
        return (path, True) if ctx.evidence.exists(path) else None
    return (found, False) if found is not None else None


def _incomplete(
    ctx: ProjectContext, key: str, found: str | None, sections: tuple[Section, ...], what: str
) -> Iterator[Violation]:
    located = _document(ctx, key, found)
    if located is None or not located[0].endswith((".md", ".markdown")):
        return
    path = located[0]
    document = ctx.evidence.parse(path, parse_markdown)
    if document is None:
        return
    missing = missing_sections(document, sections)
    if missing:
        yield Violation(
            f"{what} `{path}` has no section on {', '.join(missing)}",
            Location(path, document.body_line),
            anchor=path,
        )


def _looked_for(names: tuple[str, ...], readme: str, section: str) -> str:
    """What was looked for, for the message: the usual names, the first three shown."""
    shown = ", ".join(f"`{name}`" for name in names[:3])
    return (
        f"no {shown} or the like (at the root or in `docs/`), nor a {readme} README or a "
        f"README section on {section}"
    )


def _unnamed(key: str) -> str:
    table, _, name = key.partition(".")
    return f"`[{table}] {name}` names none"


def _data_files(ctx: ProjectContext) -> tuple[str, ...]:
    """The project's own data files: data (an archive only by its members) outside its tests,
    examples and documentation."""
    return tuple(path for path in data_files(ctx.evidence) if not is_demo_path(path))


def _has_data(ctx: ProjectContext) -> bool:
    """Whether the project has data sets of its own to document."""
    manifest = ctx.manifest
    if manifest is not None and (
        manifest.get("data.sources") is not None or manifest.get("data.datasheet") is not None
    ):
        return True
    if manifest is None and project_kind(ctx.evidence) in (
        ProjectKind.LIBRARY,
        ProjectKind.COLLECTION,
        ProjectKind.TEMPLATE,
    ):
        return False
    return bool(_data_files(ctx))


@rule(
    code="MD040",
    name="missing-model-card",
    risk=Risk.MEDIUM,
    summary="The project trains or ships a model but has no model card.",
    fix="Add `MODEL_CARD.md` (intended and out-of-scope use, training and evaluation data, "
    "metrics, limitations, ethical considerations, caveats) and name it in `[model] card`.",
    lens_refs=("MLOPS02-BP06", "MLPERF04-BP05", "MLOPS01-BP02"),
    requires_manifest=False,
    preview=True,
)
def missing_model_card(ctx: ProjectContext) -> Iterator[Violation]:
    """A model card tells its users what the model is for, what it must not be used for,
    what data it learnt from, how well it does and where it fails. The ML Lens asks for this
    record of intended use, fairness and trade-offs from problem framing on.

    Accepted: the file `[model] card` names, `MODEL_CARD.md`, `model_card.md` and the like
    (also under `docs/`), a SageMaker or Model Card Toolkit `model_card.json`, a README
    whose YAML front matter makes it a Hugging Face model card, or a README with a section
    (a heading with text under it) on the model's intended use, use case, model card or
    model details and one on its data, as `missing-datasheet` reads them ("Use Case" and
    "Dataset source"); then `incomplete-model-card` judges that README. A README's "Usage"
    or "How to use" is about the code, and a collection's list of use cases without data
    of its own makes no model card.

    A project without a manifest is asked for one only when it trains or ships a model of
    its own, as shown outside its tests (`tests/`, `test_*.py`, `integration-tests.py`),
    test data (`test_data/`), examples, tutorials, demos, benchmarks and documentation
    (`docs/`): a training entry point (a notebook or a program, with a `__main__` block or a
    training call at module level, that trains a model itself; or a module named for
    training, such as `train.py`, `train_model.py`, `model_train.py` or `finetune.py`,
    that trains or imports code that does, two imports deep; in a project with packaging
    metadata, a package's `__main__.py` and the modules its console scripts name are tools
    for its users and count only when named for training), or a model file (`.pt`,
    `.onnx`, `.joblib` …, not `.npy`/`.npz` arrays). Training is a `.fit(` in
    machine-learning code (not of a scaler, encoder or other preprocessor), fastai's
    `fine_tune` or `fit_one_cycle`, a Hugging Face or Lightning `Trainer`, `xgboost.train`,
    a `backward()` pass or a SageMaker estimator. The finding stands on the first training
    entry point, those named for training first.
    ML libraries, platforms and evaluation harnesses, which train users' models in their
    functions, and cookiecutter or copier templates are not asked. Nor is an ML library
    that implements estimators: in a project with packaging metadata, a class that defines
    `fit` and, in one of its methods, hands training on through the estimator API
    (`super().fit(...)`, `super().partial_fit(...)`, `self.fit(...)` or
    `self.partial_fit(...)`) makes the code of the package holding it, and the notebooks
    and programs that import that package, its users' training rather than its own. Nor is
    a collection of examples, labs, templates or modules, whose training (the entry points
    and model files above) lies in three or more separate folders that each have a
    README, a dependency file or a notebook of their own, or only inside sub-projects
    (folders with a README and a dependency or packaging file of their own) of which the
    repository holds three or more outside its tests, examples and documentation; a
    training program, notebook or model file at the root, or a `dvc.yaml` or `MLproject`
    at the root, ties it into one project, which is asked.

    Reported on the manifest's `[model]` table, or without a manifest on the training call
    or model file that made the rule apply."""
    if ctx.declared("model.card") is not None:
        return  # declared-path-missing and incomplete-model-card judge a declared card
    if find_model_card(ctx.evidence) is not None:
        return
    looked = _looked_for(MODEL_CARD_NAMES, "Hugging Face model-card", "the intended use")
    # Without a manifest the finding stands on the evidence of ML, which may change as the
    # project grows; its identity stays that of the card it asks for.
    about = ""
    if ctx.manifest is not None:
        where, why = ctx.manifest.location("model.card"), _unnamed("model.card")
    else:
        model = own_model(ctx.evidence)
        if model is None:
            return
        where = Location(model.path, model.line, model.column)
        why = f"`{model.path}` {model.what}"
        about = MODEL_CARD_NAMES[0]
    yield Violation(
        "no model card: nothing records the model's intended use, data, metrics and "
        f"limitations ({looked}; {why})",
        where,
        anchor="model.card",
        about=about,
    )


@rule(
    code="MD041",
    name="incomplete-model-card",
    risk=Risk.LOW,
    summary="The model card lacks sections its readers need (intended use, limitations, …).",
    fix="Add each missing section and fill it in: a heading, or a bold label such as "
    "`**Out-of-scope uses:**`; the Model Cards paper's, Hugging Face's, Model Card Toolkit's "
    "and SageMaker Model Cards' section names are all recognised.",
    lens_refs=("MLOPS02-BP06", "MLPERF04-BP05", "MLOPS01-BP02"),
    requires_manifest=False,
)
def incomplete_model_card(ctx: ProjectContext) -> Iterator[Violation]:
    """A card that says what the model is for but not where it fails invites misuse. The
    sections asked for are those the common templates share: intended use, out-of-scope use,
    training data, evaluation data and metrics, limitations, ethical considerations or bias,
    and caveats and recommendations. Each may appear under any of the templates' titles
    (for example Hugging Face's "Bias, Risks, and Limitations" provides both limitations and
    bias, and the Model Cards paper's "Caveats and Recommendations" its limitations), as a
    heading of any level or as a label: bold text opening a paragraph or list item
    (`**Out-of-scope Uses** …` under `## Intended Use`, as in the paper and Meta's cards), or
    a list item's text before a colon (`- Out-of-scope use cases: …`). A section counts only
    when something stands under it (up to the next heading of its level or above, or the
    next label): blank lines, HTML comments and placeholders such as `[More Information
    Needed]` or `TODO` are no content. JSON cards are not judged."""
    yield from _incomplete(
        ctx, "model.card", find_model_card(ctx.evidence), MODEL_CARD_SECTIONS, "model card"
    )


@rule(
    code="DP020",
    name="missing-datasheet",
    risk=Risk.LOW,
    summary="The project uses data sets but has no datasheet documenting them.",
    fix="Add `docs/datasheet.md` (motivation, composition, collection, preprocessing, uses, "
    "distribution, maintenance) and name it in `[data] datasheet`.",
    lens_refs=("MLSEC01-BP01", "MLSEC03-BP03", "MLOPS03-BP01"),
    requires_manifest=False,
    preview=True,
)
def missing_datasheet(ctx: ProjectContext) -> Iterator[Violation]:
    """A datasheet records where the data came from, what it contains (personal data
    included), how it was cleaned and labelled, and on what terms it may be used: the
    evidence for the lens's data permission, privacy and lineage practices.

    Asked for when the manifest lists data sources or names a datasheet, or the project
    holds data files outside its tests, test data, examples, tutorials, demos, benchmarks
    and documentation (an archive only when its members are data, as for
    `large-file-in-git`). Without a manifest, a library (packaging metadata, `setup.py`,
    `setup.cfg` or a `pyproject.toml` project, and no model of its own, as
    `missing-model-card` decides), a collection of examples, labs, templates or modules
    (as `missing-model-card` decides) and a cookiecutter or copier template are not
    asked: their data files are samples for their users. Accepted: the file `[data] datasheet`
    names, `DATASHEET.md`, `data_card.md`, `docs/datasheet.md` and the like, a Hugging
    Face dataset-card README, or a README with a section (a heading with text under it)
    on the data set's source or description ("Dataset source", "Data source", "About the
    data", "Training data", "Datasets"); then `incomplete-datasheet` judges that README.

    Reported on the manifest's `[data]` table, or without a manifest on the first of those
    data files."""
    if ctx.declared("data.datasheet") is not None or not _has_data(ctx):
        return
    if find_datasheet(ctx.evidence) is not None:
        return
    about = ""
    if ctx.manifest is not None:
        where, why = ctx.manifest.location("data.datasheet"), _unnamed("data.datasheet")
    else:
        data = _data_files(ctx)
        shown = first_named([f"`{path}`" for path in data], 1)
        where, why = Location(data[0]), f"the project holds data: {shown}"
        about = DATASHEET_NAMES[0]
    looked = _looked_for(DATASHEET_NAMES, "Hugging Face dataset-card", "the data's source")
    yield Violation(
        "no datasheet: nothing records the data's origin, contents, processing and terms "
        f"({looked}; {why})",
        where,
        anchor="data.datasheet",
        about=about,
    )


@rule(
    code="DP021",
    name="incomplete-datasheet",
    risk=Risk.LOW,
    summary="The datasheet lacks sections of Datasheets for Datasets.",
    fix="Add a heading for each missing section (Hugging Face dataset-card headings are "
    "recognised too).",
    lens_refs=("MLSEC01-BP01", "MLSEC03-BP03", "MLOPS03-BP01"),
    requires_manifest=False,
)
def incomplete_datasheet(ctx: ProjectContext) -> Iterator[Violation]:
    """Datasheets for Datasets asks seven questions of every data set: why it was made,
    what it is composed of, how it was collected, how it was preprocessed and labelled,
    what it may be used for, how it is distributed and who maintains it. Sections are
    recognised as for `incomplete-model-card`: headings of any level or labels, with
    Hugging Face dataset-card titles too, and only with content under them."""
    yield from _incomplete(
        ctx, "data.datasheet", find_datasheet(ctx.evidence), DATASHEET_SECTIONS, "datasheet"
    )


@rule(
    code="LN010",
    name="declared-path-missing",
    risk=Risk.MEDIUM,
    summary="A path that lens.toml declares (model card, entry point, datasheet, IaC) does "
    "not exist.",
    fix="Correct the path in lens.toml, or add the file it names.",
    lens_refs=("MLOPS02-BP02", "MLOPS02-BP04"),
    first_stage=Stage.DISCOVERY,
)
def declared_path_missing(ctx: ProjectContext) -> Iterator[Violation]:
    """The manifest is only worth its claims: a model card, training entry point, datasheet
    or infrastructure folder that it names but that is not there is a claim nobody can
    check. Paths are relative to the folder of lens.toml; git-ignored files count as
    present; a path outside the project, and a placeholder such as `"TODO"`, are not
    judged."""
    assert ctx.manifest is not None
    keys = [(key, ctx.declared(key)) for key in DECLARED_PATHS]
    for key in DECLARED_PATH_LISTS:
        value = ctx.manifest.get(key)
        if isinstance(value, list):
            # A "TODO" entry holds the place of a path, as it does for a single path.
            keys.extend(
                (f"{key}[{i}]", item) for i, item in enumerate(value) if not is_placeholder(item)
            )
    for key, path in keys:
        if isinstance(path, str) and path.strip() and ctx.evidence.on_disk(path) is False:
            yield Violation(
                f"`{key}` names `{path}`, which does not exist",
                ctx.manifest.value_location(key),
                anchor=key,
            )
