"""MD: model development evidence in code and notebooks."""

from __future__ import annotations

from collections.abc import Iterator

from mllint_wa.context import ProjectContext
from mllint_wa.evidence.code import training_site
from mllint_wa.evidence.kinds import NOTEBOOK
from mllint_wa.evidence.project_kind import own_training
from mllint_wa.evidence.randomness import unseeded_draws
from mllint_wa.evidence.tracking import TRACKERS, canonical_tracker, tracking
from mllint_wa.model import Location, Risk, Stage, Violation
from mllint_wa.parsers.notebook import Notebook, parse_notebook
from mllint_wa.registry import rule

TRACKING_KEY = "model.tracking"
_REPRODUCIBILITY = ("MLREL03-BP01", "MLOPS03-BP02")
_TRACKING_PRACTICES = ("MLPERF04-BP02", "MLOPS03-BP02", "MLOPS02-BP03")


@rule(
    code="MD001",
    name="unseeded-randomness",
    risk=Risk.MEDIUM,
    summary="Training or splitting code draws at random and nothing on its path sets a seed.",
    fix="Pass `random_state=` (scikit-learn), `seed=` or a seeded `generator=`, or set the "
    "seeds once at the entry point (`random.seed`, `np.random.seed`, `torch.manual_seed`, "
    "`lightning.seed_everything`), ideally from configuration.",
    lens_refs=_REPRODUCIBILITY,
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def unseeded_randomness(ctx: ProjectContext) -> Iterator[Violation]:
    """A split, a shuffle, a random initialisation or a sampled search that is not seeded
    gives another model on every run: results cannot be reproduced, a regression cannot be
    told from noise, and the model that was evaluated is not the one that ships.

    Only draws that shape what a model learns or is evaluated on are reported. A call that
    is itself a split, a model, a search or an initialisation (scikit-learn's splitters,
    estimators and searches, ``torch.nn.init``, ``random_split``, a tensor drawn with
    ``requires_grad=True``) is reported unless every use of it ends outside training. Any
    other draw (``random``, ``numpy.random``, ``torch.rand*``, ``tf.random``, an unseeded
    generator, ``df.sample``, ``ds.shuffle``, a ``DataLoader`` or ``RandomSampler`` that
    shuffles, ``make_classification`` …) is reported only when its value, or the container it
    shuffles in place, is seen to reach training: followed through expressions, assignments
    in its function or notebook, containers it is put into, branches it decides, the
    parameters of the project functions it is given to and the calls of the function that
    returns or yields it (six names or calls deep), it is given to a split (``train_test_split``,
    ``np.split``, ``random_split``, a splitter's ``.split``), a fit (``fit``,
    ``partial_fit``, ``train``, a ``…Trainer(...)``), a ``nn.Parameter`` or a layer's
    ``weight``; a loop over it calls ``.backward()`` or ``.step()`` (through
    ``accelerator.prepare`` too); Lightning's ``train_dataloader`` returns it; or it is
    written to a file whose path or path variable has a word starting with ``train``
    (``data/train/train.csv``, ``train_dir``; not ``pretrained``). A draw that is only
    printed, plotted, formatted into a name, sent as a request payload or a prediction's
    input (``predict``, ``invoke_endpoint``, ``requests``), published as a metric, given to
    an exporter (``torch.onnx.export``, ``torch.jit.trace``) or to SageMaker's
    ``SchemaBuilder``, or whose way the code does not show (a value returned to nobody, a
    branch that assigns nothing), is not reported.

    A call is seeded when it is given its seed, whatever the value (a literal, a variable,
    ``params["seed"]``, ``cfg.seed``), or when a seed is set on its path: a seeding call
    (``seed``, ``manual_seed``, ``set_seed``, ``seed_everything``, ``default_rng(seed)`` …)
    in the same file or notebook, in a project module it imports, or in a project module
    that imports it, two levels deep (a package's ``__init__.py`` passing its modules on
    counts as no level). Code that configuration names is on the path of the program that
    reads it: Hydra's ``_target_`` when the seeding module uses Hydra, and a module whose
    function a YAML task file names by ``!function module.name`` (lm-evaluation-harness)
    when a module of the same top folder sets a seed. ``random_state=None`` is no seed. A
    call that passes ``**kwargs`` may carry its seed and is not reported, nor is test code
    (``tests/``, ``test_*.py``, ``conftest.py``) or code in a test-data folder
    (``test_data/``, ``testdata/``), nor a plain ``random``/``numpy.random`` draw in code
    that uses no machine-learning library. The first unseeded draw of each file that
    reaches training is reported."""
    for draw in unseeded_draws(ctx.evidence):
        yield Violation(
            f"`{draw.name}` draws at random and nothing on its path sets a seed: {draw.advice}",
            Location(draw.path, draw.line, draw.column),
            anchor=f"{draw.path}:{draw.name}",
        )


def _notebooks(ctx: ProjectContext) -> Iterator[tuple[str, Notebook]]:
    yield from ctx.evidence.parsed_files(NOTEBOOK, parse_notebook)


@rule(
    code="MD002",
    name="notebook-outputs-committed",
    risk=Risk.LOW,
    summary="A notebook is committed with the outputs of its cells.",
    fix="Clear the outputs before committing (`jupyter nbconvert --clear-output --inplace`), "
    "or strip them automatically with `nbstripout` as a git filter or pre-commit hook.",
    lens_refs=("MLSUS04-BP03", "MLSEC03-BP03"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def notebook_outputs_committed(ctx: ProjectContext) -> Iterator[Violation]:
    """Outputs are results of one run on one machine, stored beside the code: they bloat
    the repository and every diff, go stale as soon as the code changes, and often show
    rows of the data itself (personal data included) to everyone who can read the
    repository. Commit notebooks without outputs and keep results where runs are tracked.
    The finding stands at the first output in the ``.ipynb`` and counts the cells with
    outputs, the largest output and the embedded images."""
    for path, notebook in _notebooks(ctx):
        with_outputs = [cell for cell in notebook.cells if cell.outputs]
        if not with_outputs:
            continue
        outputs = [output for cell in with_outputs for output in cell.outputs]
        images = sum(len(output.images) for output in outputs)
        cells = "1 cell" if len(with_outputs) == 1 else f"{len(with_outputs)} cells"
        detail = f"the largest {_size(max(output.size for output in outputs))}"
        if images:
            detail += f", {images} embedded image{'s' if images > 1 else ''}"
        first = outputs[0]
        yield Violation(
            f"`{path}` is committed with the outputs of {cells} ({detail})",
            Location(path, first.line, first.column),
            anchor=path,
        )


@rule(
    code="MD003",
    name="notebook-without-execution-order",
    risk=Risk.MEDIUM,
    summary="A notebook's code cells were run out of order, so its results may rest on "
    "hidden state.",
    fix="Restart the kernel and run all cells from the top (or clear the outputs and "
    "execution counts) before committing the notebook.",
    lens_refs=_REPRODUCIBILITY,
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def notebook_without_execution_order(ctx: ProjectContext) -> Iterator[Violation]:
    """When a cell's execution count is not higher than that of a cell above it, the
    notebook was not run from top to bottom: what it shows may depend on cells run in
    another order, edited or deleted since, and a fresh run may give other results or
    fail. Cells never run (no execution count) are not counted. The finding stands at the
    execution count of the first cell out of order."""
    for path, notebook in _notebooks(ctx):
        previous: int | None = None
        for cell in notebook.code_cells:
            count = cell.execution_count
            if count is None:
                continue
            if previous is not None and count <= previous:
                yield Violation(
                    f"`{path}` was run out of order: this cell's execution count {count} "
                    f"follows {previous} in a cell above it",
                    Location(path, cell.count_line, cell.count_column),
                    anchor=path,
                )
                break
            previous = count


@rule(
    code="MD004",
    name="missing-experiment-tracking",
    risk=Risk.MEDIUM,
    summary="The project trains models but nothing tracks its experiments.",
    fix="Record each run's parameters, metrics, data and code version and model with a "
    "tracker: SageMaker Experiments, MLflow, Weights & Biases, DVC experiments (dvclive), "
    "Neptune, Comet, ClearML, Aim or TensorBoard; then name it in `[model] tracking`.",
    lens_refs=_TRACKING_PRACTICES,
    requires_manifest=False,
)
def missing_experiment_tracking(ctx: ProjectContext) -> Iterator[Violation]:
    """Without experiment tracking, which parameters, data and code produced a model, and
    how it compared with the runs before it, lives in someone's memory or terminal
    history: the best model cannot be traced or reproduced, and a change cannot be shown
    to be an improvement.

    Tracking is found in code and notebooks (the MLflow, W&B, dvclive, SageMaker
    Experiments, Neptune, Comet, ClearML, Aim, TensorBoard or Sacred clients, Lightning
    and Keras loggers, SageMaker Pipelines, Hugging Face ``Trainer`` reporting) and in
    configuration (``MLproject``, ``dvc.yaml``, ``params.yaml``, a Hydra logger config).
    The rule only speaks when the project has training code (a ``.fit(`` in
    machine-learning code, fastai's ``fine_tune`` or ``fit_one_cycle``, a Hugging Face or
    Lightning ``Trainer``, ``xgboost.train``, a ``backward()`` pass, a SageMaker
    estimator) outside its tests: without a manifest, only the training of an entry point
    of its own counts, as ``missing-model-card`` decides (the fits in a library's
    functions, command line, examples and documentation do not, nor do those of a library
    that implements estimators). A collection of examples, labs, templates or modules,
    which ``missing-model-card`` does not ask for a card, is asked here: tracking is looked
    for in all of its examples, and the first that trains stands for them. The finding
    stands at that training call; when ``[model] tracking`` names a tool, MD005 checks it
    instead."""
    declared = ctx.declared(TRACKING_KEY)
    if declared is not None and declared.strip().lower() != "none":
        return
    site = own_training(ctx.evidence)
    if site is None and ctx.manifest is not None:
        site = training_site(ctx.evidence)
    if site is None:
        return
    found = tracking(ctx.evidence)
    if found.uses or found.unnamed or found.undecided:
        return
    yield Violation(
        f"`{site.path}` trains a model (`{site.name}`) but nothing in the project tracks "
        "its experiments",
        Location(site.path, site.line, site.column),
        anchor=f"{site.path}:experiment-tracking",
    )


@rule(
    code="MD005",
    name="declared-tracking-not-used",
    risk=Risk.MEDIUM,
    summary="`[model] tracking` names a tracker that nothing in the repository uses.",
    fix="Log the training runs with the declared tracker, or correct `[model] tracking` to "
    "the tool the project uses.",
    lens_refs=_TRACKING_PRACTICES[:2],
)
def declared_tracking_not_used(ctx: ProjectContext) -> Iterator[Violation]:
    """The manifest is what reviewers and auditors read: a tracker it names but no code,
    notebook or configuration uses means runs are not recorded where everyone believes
    they are. Code counts when it imports the tracker's client or builds its logger;
    configuration when it is the tracker's own (``MLproject`` for MLflow, ``dvc.yaml``
    for DVC) or a YAML file configures its logger. A value that names no tracker this
    rule knows, or a tracker mentioned in a file that could not be parsed, is not
    reported."""
    declared = ctx.declared(TRACKING_KEY)
    tracker = canonical_tracker(declared) if declared else None
    if ctx.manifest is None or tracker is None:
        return
    found = tracking(ctx.evidence)
    if tracker in found.used or tracker in found.undecided:
        return
    yield Violation(
        f"`{TRACKING_KEY}` declares {TRACKERS[tracker]}, but no code, notebook or "
        "configuration in the repository uses it",
        ctx.manifest.location(TRACKING_KEY),
        anchor=TRACKING_KEY,
    )


@rule(
    code="MD006",
    name="undeclared-experiment-tracking",
    risk=Risk.LOW,
    summary="Code tracks experiments with a tool that `[model] tracking` does not declare.",
    fix='Name the tracker the code uses in `[model] tracking` (e.g. `tracking = "wandb"`).',
    lens_refs=_TRACKING_PRACTICES[:2],
)
def undeclared_experiment_tracking(ctx: ProjectContext) -> Iterator[Violation]:
    """The manifest should say where a project's runs are recorded, so that reviewers
    find them without reading the code. Reported for each tracker that code or notebooks
    use when ``[model] tracking`` is absent, ``"none"``, or names a tracker that is not
    used; when the declared tracker is used too, others beside it (TensorBoard next to
    MLflow, say) are not reported, and neither is a value naming a tool this rule does not
    know."""
    if ctx.manifest is None:
        return
    declared = ctx.declared(TRACKING_KEY)
    if declared is not None and declared.strip().lower() != "none":
        tracker = canonical_tracker(declared)
        if tracker is None or tracker in tracking(ctx.evidence).used:
            return
    for use in tracking(ctx.evidence).in_code():
        yield Violation(
            f"`{use.path}` tracks experiments with {TRACKERS[use.tracker]} ({use.evidence}), "
            f"which `{TRACKING_KEY}` does not declare",
            ctx.manifest.location(TRACKING_KEY),
            anchor=f"{TRACKING_KEY}:{use.tracker}",
        )


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
