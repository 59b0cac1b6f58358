"""Dependencies and the model supply chain."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from packaging.version import Version

from mllint_wa.checks.wording import counted, first_named
from mllint_wa.context import ProjectContext
from mllint_wa.evidence.dependencies import (
    constraint_files,
    constraint_pins,
    declarations,
    install_pins,
    installs_tooling,
    is_pip_compile_input,
    lock_for,
    pinned_version,
    requirements_files,
)
from mllint_wa.evidence.hub_downloads import HubDownload, hub_downloads
from mllint_wa.evidence.model_loading import (
    PICKLE_LOADERS,
    TORCH_SAFE_DEFAULT,
    Load,
    Origin,
    model_loads,
)
from mllint_wa.evidence.project_kind import ProjectKind, is_package_manifest, project_kind
from mllint_wa.model import Location, Related, Risk, Stage, Violation
from mllint_wa.parsers.python_code import has_star_kwargs, keyword, literal
from mllint_wa.registry import rule

_NAMES_SHOWN = 8
_LOCKS_BY_TOOL = {
    "poetry": "`poetry.lock` (`poetry lock`)",
    "pdm": "`pdm.lock` (`pdm lock`)",
    "uv": "`uv.lock` (`uv lock`)",
    "pipenv": "`Pipfile.lock` (`pipenv lock`)",
    "conda": "a conda-lock file (`conda-lock -f {path}`) or exact versions",
    "pip-tools": "the compiled requirements file (`pip-compile`)",
}
_PYTHON_LOCKS = "a lock file (`uv lock`, `poetry lock`, `pdm lock`) or a `pip-compile` output"


@rule(
    code="MD020",
    name="unpinned-dependencies",
    risk=Risk.MEDIUM,
    summary="A requirements file leaves third-party packages free to change version.",
    fix="Pin each package with `==` (or compile the file with `pip-compile`/`uv pip compile`, "
    "ideally `--generate-hashes`), or pin them in a `-c constraints.txt`.",
    lens_refs=("MLOPS04-BP02", "MLSEC04-BP03"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def unpinned_dependencies(ctx: ProjectContext) -> Iterator[Violation]:
    """A requirements file with ranges or bare names installs whatever is newest on the day:
    the same commit trains a different model next month, and a compromised release lands
    without review. Reported once per file, at the first unpinned line, naming every
    unpinned package. Pinned means `==`/`===` to one version, a pin to one patch series
    (PEP 440's compatible release with three parts or more, `~=1.4.2`, which admits 1.4.x
    from 1.4.2 on, or a prefix match `==1.4.*`; `~=1.4` admits every later 1.x and is no
    pin), a `--hash`, a VCS tag or commit, or an archive URL. A package counts as pinned
    when any requirement of the same install pins it, since pip merges them: another line
    of the file (`torch` on one line, `torch==2.3.1` further down), a file it includes
    with `-r`, or a `-c` constraints file that applies to it. `-e .` and local paths are
    the project's own code and need no pin. pip-compile output, constraints files and
    pip-tools `.in` inputs are not reported (`missing-lock-file` covers an `.in` without
    compiled output); neither are the ranges of `pyproject.toml` or `setup.cfg`, which are
    normal for a library: a lock file pins those (`missing-lock-file`). Nor are files that
    install tooling rather than what a model is trained and served with: those whose
    path has `test`, `tests`, `testing`, `doc`, `docs`, `documentation`, `lint`, `linting`
    or `typing` as a word (`docs/requirements.txt`, `requirements-test.txt`,
    `requirements/lint.txt`), and those with `dev`, `develop` or `development` as a word
    (`requirements-dev.txt`, `dev-requirements.txt`) when none of the packages they leave
    unpinned is a machine-learning framework (torch, TensorFlow, Keras, JAX, scikit-learn,
    XGBoost, LightGBM, CatBoost, Transformers, Lightning, statsmodels, fastai, MXNet): a
    development install that leaves one of those free may be where the model is
    trained."""
    ev = ctx.evidence
    constraints = constraint_files(ev)
    for path, parsed in requirements_files(ev).items():
        if parsed.compiled or is_pip_compile_input(path) or path in constraints:
            continue
        pinned_elsewhere = constraint_pins(ev, path) | install_pins(ev, path)
        loose = [d for d in parsed.third_party if not d.pinned and d.name not in pinned_elsewhere]
        if not loose or installs_tooling(path, (d.name for d in loose)):
            continue
        names = sorted({d.name or d.text for d in loose})
        count, shown = counted(len(names), "package"), first_named(names, _NAMES_SHOWN)
        yield Violation(
            f"`{path}` leaves {count} unpinned: {shown}",
            Location(path, loose[0].line, loose[0].column),
            anchor=path,
        )


@rule(
    code="MD021",
    name="missing-lock-file",
    risk=Risk.LOW,
    summary="Dependencies are declared with ranges and no lock file pins them.",
    fix="Commit the lock file of your tool (`uv lock`, `poetry lock`, `pdm lock`, "
    "`pipenv lock`, `conda-lock`) or a `pip-compile` output next to the manifest.",
    lens_refs=("MLOPS04-BP02", "MLSEC04-BP03"),
    requires_manifest=False,
    preview=True,
)
def missing_lock_file(ctx: ProjectContext) -> Iterator[Violation]:
    """Ranges in `pyproject.toml`, `setup.cfg`, a `Pipfile`, a conda `environment.yml` or a
    pip-tools `.in` file say what the code works with; only a lock file says what was
    actually installed when the model was trained, so that the run can be repeated and
    each upgrade reviewed. A lock counts when it sits in the declaring file's folder or a
    folder above it: `poetry.lock`, `uv.lock`, `pdm.lock`, `pylock.toml`, `Pipfile.lock`,
    a requirements file pinned throughout (pip-compile output, hash-pinned files, also in
    a `requirements/` folder there) for Python manifests; a conda-lock file for conda. A
    manifest that pins every package itself (`==` to one version, a VCS commit, an archive
    URL; a conda spec with its exact version) needs no lock, nor does a pip-tools `.in`
    file whose compiled output (the same name ending in `.txt`) is in the project:
    `unpinned-dependencies` judges that file. Pinned means what it means for
    `unpinned-dependencies` (a patch-series pin such as `~=1.4.2` included). Groups that
    install tooling are left out of what a lock must pin, as `unpinned-dependencies` leaves
    such files out: optional dependencies (PEP 621 extras, `setup.cfg` `extras_require`),
    dependency groups (PEP 735, Poetry, PDM's dev-dependencies), and uv's, Poetry's and
    Pipenv's dev-dependencies (`[dev-packages]`), whose name has `test`, `tests`, `testing`, `doc`,
    `docs`, `documentation`, `lint`, `linting` or `typing` as a word, or `dev`, `develop`
    or `development` when they leave no machine-learning framework unpinned; the message
    counts the others. A published library is not asked for a lock: without a manifest, in
    a project with packaging metadata and no model of its own (a library, platform or
    harness, as `missing-model-card` decides) or in a cookiecutter or copier template, a
    `pyproject.toml` with `[project]` or `[tool.poetry]` and a `setup.cfg` with
    `[metadata]` declare ranges for the package's users, whom a lock file would not reach.
    Reported at the first declared dependency. Plain `requirements.txt` files are
    `unpinned-dependencies`' business, not this rule's."""
    ev = ctx.evidence
    published = ctx.manifest is None and project_kind(ev) in (
        ProjectKind.LIBRARY,
        ProjectKind.TEMPLATE,
    )
    for declaration in declarations(ev):
        if published and is_package_manifest(ev, declaration.path):
            continue
        if lock_for(ev, declaration) is not None:
            continue
        declared = declaration.declared
        count = len(declaration.runtime)
        wanted = _LOCKS_BY_TOOL.get(declared.tool, _PYTHON_LOCKS).format(path=declaration.path)
        yield Violation(
            f"`{declaration.path}` declares {count} "
            f"dependenc{'ies' if count != 1 else 'y'} but no lock pins them: add {wanted}",
            Location(declaration.path, declared.line, declared.column),
            anchor=declaration.path,
        )


@rule(
    code="MD022",
    name="unsafe-model-deserialization",
    risk=Risk.HIGH,
    summary="Code loads a model in a format that can run code, from a source it cannot trust.",
    fix="Load weights-only formats (safetensors, ONNX, `torch.load(..., weights_only=True)`), "
    "verify a downloaded file's hash before loading it, and leave `trust_remote_code`, "
    "`allow_pickle` and Keras `safe_mode` at their safe defaults.",
    lens_refs=("MLSEC04-BP03", "MLSEC04-BP01"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def unsafe_model_deserialization(ctx: ProjectContext) -> Iterator[Violation]:
    """Pickle-based formats execute code while loading: a model file from a hub, a bucket
    or a URL is a program written by whoever controls that source. Reported:
    `pickle`/`joblib`/`dill`/`cloudpickle` loads (and `pandas.read_pickle`) of a file the
    same function or module downloaded (`hf_hub_download`, boto3 `download_file` or
    `get_object`, `urllib`, `requests`, `torch.hub`, Keras `get_file`, a URL);
    `torch.load` of a downloaded file without `weights_only=True` when the project pins
    torch older than 2.6 (whose default unpickles anything), and `torch.load(...,
    weights_only=False)` of a file not known to be the project's own, whatever the
    version; `numpy.load(..., allow_pickle=True)`; Keras `load_model(..., safe_mode=False)`;
    and `trust_remote_code=True`, which runs Python shipped with a
    model or data set. Loading the project's own artefacts is not reported: a literal
    path, a path built from literals or from configuration such as `cfg`, `params` or
    `args`, a file or buffer the same function saved earlier (`torch.save`,
    `pickle.dump`, `joblib.dump`, `numpy.save`, a `.save(...)` method, through the file
    object it was opened as), pytest's `tmp_path`/`tmpdir` and `tempfile` paths, and, in
    test code, any load of unknown origin in a test that takes one of pytest's
    temporary-folder fixtures or calls `tempfile` (it reads back what it wrote); a
    download stays a download wherever it is written. Nor is anything that cannot be
    decided: an unpinned torch, a flag or path passed as a variable whose origin is
    unknown to a pickle load, `**kwargs`."""
    ev = ctx.evidence
    counts: dict[str, int] = {}
    for load in model_loads(ev):
        message = _unsafe_load(load, pinned_version(ev, "torch", near=load.path))
        if message is None:
            continue
        key = f"{load.path}:{load.callee}"
        counts[key] = counts.get(key, 0) + 1
        yield Violation(
            message, Location(load.path, load.line, load.column), anchor=f"{key}:{counts[key]}"
        )


def _unsafe_load(load: Load, torch: Version | None) -> str | None:
    """The finding's message for a deserialising call, or None when it is safe or unknown."""
    call, source = load.call, load.source
    if has_star_kwargs(call):
        return None
    remote = source.origin is Origin.REMOTE
    where = source.description
    if load.callee in {"torch.load", "torch.hub.load_state_dict_from_url"}:
        return _torch_load(load.callee, call, where, torch, source.origin)
    if _flag(call, "trust_remote_code") is True:
        return _remote_code(load, call)
    if source.origin is Origin.OWN:
        return None
    if load.callee == "numpy.load" and _flag(call, "allow_pickle") is True:
        return f"`numpy.load(..., allow_pickle=True)` of {where} can run any code the file holds"
    if load.callee.endswith("load_model") and _flag(call, "safe_mode") is False:
        return (
            f"`{load.callee}(..., safe_mode=False)` of {where} can run any code its "
            "Lambda layers hold"
        )
    if remote and load.callee in PICKLE_LOADERS:
        return f"`{load.callee}` unpickles {where}: whoever controls it can run code here"
    return None


def _torch_load(
    callee: str, call: ast.Call, where: str, torch: Version | None, origin: Origin
) -> str | None:
    if origin is Origin.OWN:
        return None
    weights_only = _flag(call, "weights_only")
    if weights_only is False:
        return f"`{callee}(..., weights_only=False)` unpickles {where}: it can run any code"
    if weights_only is not None or torch is None or torch.release[:2] >= TORCH_SAFE_DEFAULT:
        return None
    if origin is not Origin.REMOTE:
        # A checkpoint path passed in from elsewhere is most often the project's own: the
        # old default is a finding only for a file this code path downloaded.
        return None
    return (
        f"`{callee}` without `weights_only=True` unpickles {where} under the pinned torch "
        f"{torch}, which runs any code the file holds (2.6 made weights-only the default)"
    )


def _remote_code(load: Load, call: ast.Call) -> str | None:
    target = call.args[0] if call.args else keyword(call, "model")
    name = literal(target) if target is not None else ...
    if isinstance(name, str) and name.startswith(("./", "../", "/")):
        return None  # a model folder of the project's own: its code is reviewed with it
    what = f" `{name}`" if isinstance(name, str) else ""
    return (
        f"`{load.callee}(..., trust_remote_code=True)` runs the Python code that ships "
        f"with{what or ' the model'}{' from the hub' if what else ''}"
    )


def _flag(call: ast.Call, name: str) -> object:
    """A keyword's literal value: True/False when written as such, ``...`` when it is not
    a literal, None when the keyword is absent."""
    value = keyword(call, name)
    return None if value is None else literal(value)


def _hub_message(download: HubDownload) -> str:
    at = (
        f"at `{download.revision}`, a branch or tag that can move"
        if download.revision is not None
        else "without a pinned revision"
    )
    message = f"`{download.how}` downloads `{download.repository}` from the Hugging Face Hub {at}"
    if download.remote_code:
        return f"{message}, and `trust_remote_code` runs the repository's code as it is that day"
    return f"{message}: it gets whatever the repository holds that day"


@rule(
    code="MD024",
    name="unpinned-hub-revision",
    risk=Risk.MEDIUM,
    summary="A model or data set is downloaded from the Hugging Face Hub without a pinned "
    'revision (`from_pretrained("org/name")`, `load_dataset("org/name")`).',
    fix='Pass the commit you tested: `from_pretrained("org/name", revision="<commit sha>")`, '
    '`load_dataset(..., revision="<commit sha>")`, `model_revision: <commit sha>` in an '
    "argument file, `dataset_kwargs: {revision: <commit sha>}` in a task config; the sha is "
    "on the repository's commit history page.",
    lens_refs=("MLSEC04-BP03", "MLSEC03-BP04"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def unpinned_hub_revision(ctx: ProjectContext) -> Iterator[Violation]:
    """A Hub repository is a moving target: its owner can push new weights, a new
    tokenizer or new rows at any time, under the same name, so code that downloads
    `org/name` trains or serves on whatever the repository holds that day. A poisoned or
    merely changed model or data set goes in unreviewed, and last month's run cannot be
    repeated. With `trust_remote_code` the download also runs the repository's Python as
    it is that day. The lens asks for protection against data poisoning (MLSEC04-BP03)
    and for data lineage and integrity (MLSEC03-BP04); a commit sha is both.

    Read from Python code and notebooks: `from_pretrained` of a class imported from
    `transformers` or `diffusers`, `transformers.pipeline(task, model=…)`,
    `sentence_transformers.SentenceTransformer(…)` and `CrossEncoder(…)`,
    `huggingface_hub.hf_hub_download(…)` and `snapshot_download(…)`, and
    `datasets.load_dataset(…)`, with their `revision=` and `trust_remote_code=`, values
    followed through names assigned once. From YAML and JSON: argument files of the
    Hugging Face example scripts and TRL (`model_name_or_path`, pinned by `model_revision`
    or `revision`, `trust_remote_code`), and lm-evaluation-harness task configs (`task`
    with `dataset_path`) whose `dataset_kwargs` set `trust_remote_code: true`, pinned by
    `dataset_kwargs.revision` — a harness's catalogue of benchmark tasks names hundreds
    of data sets its users choose from, and only the ones that run code are reported.
    Reported once per file and repository (the other calls are related places), with a
    message of its own when `trust_remote_code` is on.

    Pinned: a revision of 7 to 40 hexadecimal digits (a commit); a branch or tag such as
    `main` or `v1.0` is reported, since either can be moved. Not reported: a repository or
    revision that cannot be known (a parameter, a value computed at run time, a call that
    passes `**kwargs` or `*args`); a bare name (`bert-base-uncased`), which cannot be told
    from a local folder; a local path — one that starts with `.`, `/` or `~`, has a file
    suffix, lies under a folder of the project (beside the file or at its root), or under
    a folder the same file writes to (`output_dir=`, `save_pretrained(…)`,
    `save_model(…)`, `save_to_disk(…)`, `local_dir=`, `os.makedirs(…)`); the project's own
    Hub repository, one the same file pushes to (`create_repo`, `upload_file`,
    `upload_folder`, `push_to_hub`, `hub_model_id=`); test code."""
    groups: dict[tuple[str, str, bool], list[HubDownload]] = {}
    for download in hub_downloads(ctx.evidence):
        key = (download.path, download.repository, download.remote_code)
        groups.setdefault(key, []).append(download)
    for (path, repository, remote), members in groups.items():
        places = [
            Related(Location(path, download.line, download.column), _hub_message(download))
            for download in members
        ]
        yield Violation.at_first(
            places, f"{path}:{repository}:{'remote-code' if remote else 'download'}"
        )
