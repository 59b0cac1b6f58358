"""Container images the project builds and runs: what they are built from, who they run as,
and what they download and execute while being built."""

from __future__ import annotations

import ast
import posixpath
import re
from collections import Counter
from collections.abc import Iterator

from mllint_wa.checks.wording import counted, first_named
from mllint_wa.context import ProjectContext
from mllint_wa.evidence import Evidence, kinds
from mllint_wa.evidence.automation import ci_evidence, dockerfiles
from mllint_wa.evidence.dependencies import pinned_version
from mllint_wa.evidence.image_installs import ImageInstall, PlacedPackage, image_installs
from mllint_wa.model import Location, Related, Risk, Stage, Violation
from mllint_wa.parsers.dockerfile import (
    BuildStage,
    Dockerfile,
    Instruction,
    image_reference,
    is_stage_reference,
    stage_user,
)
from mllint_wa.parsers.python_code import PythonModule, keyword, parse_python
from mllint_wa.parsers.shell import Script, parse_shell_script, remote_scripts
from mllint_wa.registry import rule
from mllint_wa.wildmatch import InvalidPattern, parse_line


def _mutable(image: str) -> str | None:
    """Why ``image`` can change under the same name (``latest``, ``untagged``), or None."""
    reference = image_reference(image)
    return reference.mutable_tag if reference is not None else None


def _tag_problem(kind: str) -> str:
    if kind == "latest":
        return "uses the moving `latest` tag"
    return "has no tag, so it is whatever `latest` is on the day it is pulled"


def _word_position(instruction: Instruction, word: str) -> tuple[int, int]:
    """Where ``word`` first appears in the instruction's arguments."""
    offset = instruction.script.text.find(word)
    return instruction.script.position(max(0, offset))


def _dockerfile_images(path: str, dockerfile: Dockerfile) -> Iterator[Violation]:
    for stage in dockerfile.stages:
        yield from _stage_image(path, dockerfile, stage)
        # Whatever the stage is built from, an image it copies from is pulled as tagged.
        for instruction in stage.instructions:
            source = instruction.flags().get("from") if instruction.keyword == "COPY" else None
            if not source or dockerfile.stage_named(source) is not None:
                continue
            copied = _mutable(source)
            if copied is not None:
                yield Violation(
                    f"`COPY --from={source}` {_tag_problem(copied)}",
                    Location(path, *_word_position(instruction, source)),
                    anchor=f"{path}:COPY:{stage.name or stage.index}:{source}",
                )


def _stage_image(path: str, dockerfile: Dockerfile, stage: BuildStage) -> Iterator[Violation]:
    if is_stage_reference(dockerfile, stage) or stage.image is None:
        return
    kind = None if stage.image.lower() == "scratch" else _mutable(stage.image)
    if kind is None:
        return
    shown = f"`FROM {stage.base}`"
    if stage.base != stage.image:
        shown += f" (`{stage.image}` by its build-argument defaults)"
    yield Violation(
        f"{shown} {_tag_problem(kind)}",
        Location(path, *_word_position(stage.from_instruction, stage.base)),
        anchor=f"{path}:FROM:{stage.name or stage.index}:{stage.image}",
    )


# Arguments and request fields that name the container image a job or model runs:
# SageMaker SDK v2 (`image_uri=`) and v1 (`image_name=`), boto3 request dictionaries.
_IMAGE_KEYWORDS = ("image_uri", "image_name")
_IMAGE_KEYS = frozenset({"Image", "TrainingImage", "ImageUri"})
_PYTHON_NEEDLES = (b"image_uri", b"image_name", b"Image")


def _module_strings(module: PythonModule) -> dict[str, ast.expr]:
    """Module-level names assigned exactly once, to the expression they hold."""
    assigned: dict[str, list[ast.expr]] = {}
    for node in module.tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            assigned.setdefault(node.target.id, []).append(node.value)
    return {name: values[0] for name, values in assigned.items() if len(values) == 1}


def _registry_path(text: str) -> bool:
    """Whether a string names an image in a registry (``<host>/<repository>``), not a file
    that happens to sit under an ``Image`` key: SageMaker takes registry paths only."""
    host, slash, _ = text.partition("/")
    return bool(slash) and ("." in host or ":" in host)


def _known_image(node: ast.expr, names: dict[str, ast.expr]) -> tuple[str, str] | None:
    """(image as shown, why it is mutable) when the expression's image is known to be
    mutable; None when it is pinned or cannot be known (a parameter, a formatted tag)."""
    if isinstance(node, ast.Name) and node.id in names:
        node = names[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        kind = _mutable(node.value) if _registry_path(node.value) else None
        return (node.value, kind) if kind else None
    if isinstance(node, ast.JoinedStr) and node.values:
        last = node.values[-1]
        if not (isinstance(last, ast.Constant) and isinstance(last.value, str)):
            return None
        tail = last.value.rpartition("/")[2]
        if not _registry_path(last.value) or not tail or "@" in tail:
            return None
        kind = _mutable(tail)
        return (f"…{last.value}", kind) if kind else None
    return None


def _python_images(path: str, module: PythonModule) -> Iterator[Violation]:
    names = _module_strings(module)
    candidates: list[tuple[str, ast.expr]] = []
    for _, call in module.calls():
        for name in _IMAGE_KEYWORDS:
            value = keyword(call, name)
            if value is not None:
                candidates.append((f"{name}=", value))
    for node in module.index.of(ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in _IMAGE_KEYS:
                candidates.append((f'"{key.value}":', value))
    seen: Counter[str] = Counter()
    for label, value in candidates:
        known = _known_image(value, names)
        if known is None:
            continue
        image, kind = known
        seen[image] += 1
        yield Violation(
            f"`{label}` image `{image}` {_tag_problem(kind)}",
            Location(path, *module.position(value)),
            anchor=f"{path}:{image}:{seen[image]}",
        )


def _ci_images(ev: Evidence) -> Iterator[Violation]:
    for definition in ci_evidence(ev).own:
        seen: Counter[str] = Counter()
        for image in definition.images:
            kind = _mutable(image.image)
            if kind is None:
                continue
            seen[image.image] += 1
            yield Violation(
                f"CI image `{image.image}` {_tag_problem(kind)}",
                Location(definition.path, image.line, image.column),
                anchor=f"{definition.path}:{image.image}:{seen[image.image]}",
            )


@rule(
    code="MD030",
    name="mutable-image-tag",
    risk=Risk.MEDIUM,
    summary="A container image is named by a moving tag (`latest`, or no tag at all).",
    fix="Pin a version tag, and better its digest: `FROM python:3.12.4-slim@sha256:…`; in "
    "SageMaker code, pass a versioned `image_uri` (e.g. from `sagemaker.image_uris.retrieve`).",
    lens_refs=("MLOPS04-BP02", "MLREL05-BP02"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def mutable_image_tag(ctx: ProjectContext) -> Iterator[Violation]:
    """An image named `python` or `python:latest` is a different image whenever its
    publisher pushes one: a rebuild of the same commit can bring another Python, another
    CUDA or another system library, and a model that trained or served yesterday fails or
    drifts today. The lens asks for approved, reliably packaged environments (MLOPS04-BP02)
    and for every ingredient of an endpoint, its container image included, to be
    versioned and reproducible (MLREL05-BP02).

    Checked: every `FROM` of every stage of a Dockerfile or Containerfile (build stages
    too: they decide what is copied into the final image) and `COPY --from=<image>`;
    `image_uri=`/`image_name=` and the `Image`/`TrainingImage` fields of boto3 requests in
    Python code; and the images CI jobs run in (`container:`, `services:`, `image:`,
    `docker://` steps). Accepted: a version tag, a digest (`@sha256:…`, with or without a
    tag), a reference to an earlier stage (`FROM builder`), `scratch`. An image built from
    a build argument without a default (`FROM ${BASE}`), or from a tag computed in code,
    cannot be known and is not reported; an `ARG` default counts as the value."""
    ev = ctx.evidence
    for path, dockerfile in dockerfiles(ev):
        yield from _dockerfile_images(path, dockerfile)
    for path in ev.files(kinds.PYTHON):
        if not ev.mentions(path, *_PYTHON_NEEDLES):
            continue
        module = ev.parse(path, parse_python)
        if module is not None:
            yield from _python_images(path, module)
    yield from _ci_images(ev)


# What marks an image built to run on SageMaker with its toolkits, which write below /etc
# and /opt/ml at run time and are run as root by SageMaker's own containers: the toolkits,
# their settings, SageMaker's paths and framework images, and the `com.amazonaws.sagemaker.*`
# labels SageMaker reads from an image (`…capabilities.accept-bind-to-port`).
_SAGEMAKER = re.compile(
    r"SAGEMAKER_|sagemaker[-_](?:[a-z]+[-_])?(?:training|inference|containers)|multi-model-server"
    r"|/opt/ml\b|/opt/program\b|763104351884\.dkr\.ecr|com\.amazonaws\.sagemaker\.",
    re.IGNORECASE,
)
# How many of the files a Dockerfile copies are read for SageMaker's paths, at most.
_COPIED_FILES_READ = 256
# What a file copied into an image says of SageMaker: a script reading its channels and
# hyperparameters below /opt/ml, a requirements or conda file installing its toolkits.
_SAGEMAKER_NEEDLES = (
    b"/opt/ml",
    b"sagemaker-training",
    b"sagemaker_training",
    b"sagemaker-inference",
    b"sagemaker_inference",
    b"sagemaker-containers",
    b"multi-model-server",
)


def _built_for_sagemaker(ev: Evidence, path: str, dockerfile: Dockerfile) -> bool:
    """An image built to run on SageMaker: its instructions say so, or a file it copies
    into the image uses `/opt/ml` or installs SageMaker's toolkits."""
    if any(_SAGEMAKER.search(instruction.value) for instruction in dockerfile.instructions):
        return True
    copied = _copied_files(ev, path, dockerfile)
    return any(ev.mentions(source, *_SAGEMAKER_NEEDLES) for source in copied)


def _copied_files(ev: Evidence, path: str, dockerfile: Dockerfile) -> list[str]:
    """The project files that ``COPY``/``ADD`` take from the build context, which is taken
    to be the Dockerfile's folder or else the project's root; at most a bounded number."""
    folder = path.rpartition("/")[0]
    found: list[str] = []
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("COPY", "ADD") or "from" in instruction.flags():
            continue
        words = instruction.exec_form or tuple(instruction.arguments())
        for source in words[:-1]:
            found.extend(_context_files(ev, folder, source.strip("/")))
            if len(found) >= _COPIED_FILES_READ:
                return found[:_COPIED_FILES_READ]
    return found


def _context_files(ev: Evidence, folder: str, source: str) -> list[str]:
    """The files a ``COPY`` source names, relative to the Dockerfile's folder, else to the
    project's root: the file itself, or the files below a folder (``.`` is the whole build
    context) or matching a pattern."""
    if not source or source.startswith(("http://", "https://", "$")):
        return []
    # `./app/`, `app/.` and `app` name the same folder; `..` climbs out of the context.
    relative = posixpath.normpath(source)
    if relative == ".." or relative.startswith("../"):
        return []
    for base in dict.fromkeys((folder, "")):
        named = posixpath.normpath(posixpath.join(base, relative))
        named = "" if named == "." else named
        if ev.is_file(named):
            return [named]
        if any(mark in named for mark in "*?["):
            try:
                pattern = parse_line("/" + named)
            except InvalidPattern:
                return []
            matched = [p for p in ev.all_files if pattern and pattern.matches(p, False)]
            if matched:
                return matched[:_COPIED_FILES_READ]
        elif not named or ev.exists(named):
            inside = [p for p in ev.all_files if p.startswith(f"{named}/" if named else "")]
            return inside[:_COPIED_FILES_READ]
    return []


# AWS Lambda's base images (ECR Public, and their Docker Hub copies): Lambda runs a
# function's container as its own default user with least-privileged permissions, whatever
# the image's `USER` (Lambda developer guide, "Container image requirements").
_LAMBDA_BASE_IMAGES = ("public.ecr.aws/lambda/", "amazon/aws-lambda-")


def _lambda_image(dockerfile: Dockerfile) -> bool:
    """Whether the final stage is built, through earlier stages, on a Lambda base image."""
    stage = dockerfile.stages[-1]
    while (parent := dockerfile.stage_named(stage.base)) is not None and parent.index < stage.index:
        stage = parent
    reference = image_reference(stage.image) if stage.image is not None else None
    return reference is not None and reference.repository.startswith(_LAMBDA_BASE_IMAGES)


@rule(
    code="MD031",
    name="container-runs-as-root",
    risk=Risk.MEDIUM,
    summary="The image a Dockerfile builds runs its processes as root.",
    fix="Create an unprivileged user in the final stage and switch to it: "
    "`RUN useradd --create-home --uid 10001 app` then `USER app` (after the steps that "
    "need root).",
    lens_refs=("MLSEC04-BP01",),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def container_runs_as_root(ctx: ProjectContext) -> Iterator[Violation]:
    """A training or inference process that runs as root turns any flaw in it, in a
    deserialised model or in a dependency into root in the container, one step from the
    host and from the credentials mounted into it. The lens asks for a secured ML
    environment (MLSEC04-BP01); least privilege starts inside the image.

    Only the final stage counts (build stages may need root, and are not shipped). It is
    reported when its last `USER` is `root`, `0` or `0:<group>`, or when it has no `USER` and
    neither has the stage it is built `FROM` in the same file — a base image from a registry
    runs as root unless it says otherwise, and its tag saying `nonroot` is taken as saying so.
    Not reported: a `USER` from a build argument without a default (unknowable), an image built
    from such an argument, and images built to run on SageMaker with its training or inference
    toolkits: a Dockerfile that mentions `SAGEMAKER_*` settings, the toolkits, `/opt/ml` or
    `/opt/program`, SageMaker's framework images or a `com.amazonaws.sagemaker.*` label, or that
    copies into the image a file using `/opt/ml` or installing the toolkits (a requirements or
    conda file), read from the Dockerfile's folder, else the project's root, as the build
    context. Those toolkits write below `/etc` and `/opt/ml` at run time and SageMaker runs its
    own such containers as root, so the fix is not in the Dockerfile's hands. Nor are images
    built on an AWS Lambda base image (`public.ecr.aws/lambda/…`, `amazon/aws-lambda-…`),
    directly or through earlier stages: Lambda runs them as its own least-privileged user
    whatever the image says. Risk is medium: root in a container is not a breach by itself, it
    is what makes one worse.

    A Dockerfile that is a template is not read (see `unparseable-file` for what makes
    one): `FROM {{ base_image }}`, a `{% if %}` line or a cookiecutter tag. Braces in a
    quoted argument (`go list -f '{{.Version}}'`, a Jinja file the image writes) or a Go
    template handed to a tool (`docker inspect --format {{.Id}}`) do not make one."""
    ev = ctx.evidence
    for path, dockerfile in dockerfiles(ev):
        if not dockerfile.stages or _lambda_image(dockerfile):
            continue
        final = dockerfile.stages[-1]
        user = stage_user(dockerfile, final)
        if user.state != "root" or _built_for_sagemaker(ev, path, dockerfile):
            continue
        if user.instruction is not None:
            message = (
                f"the final stage switches to `USER {user.instruction.value}` and runs as root"
            )
            location = Location(path, user.instruction.line, user.instruction.column)
        else:
            message = f"the final stage (`FROM {final.base}`) has no `USER`, so it runs as root"
            location = Location(path, final.from_instruction.line, final.from_instruction.column)
        yield Violation(message, location, anchor=f"{path}:final-stage-user")


def _remote(
    path: str,
    script: Script,
    seen: Counter[str],
    heredoc_bodies: tuple[tuple[int, int], ...] | None = None,
) -> Iterator[Violation]:
    for found in remote_scripts(script.text, heredoc_bodies):
        source = f"`{found.host}`" if found.host else "the network"
        seen[f"{found.shape}:{found.host}"] += 1
        yield Violation(
            f"`{found.shape}` runs a script downloaded from {source} without checking it",
            Location(path, *script.position(found.offset)),
            anchor=f"{path}:{found.shape}:{found.host}:{seen[f'{found.shape}:{found.host}']}",
        )


@rule(
    code="MD032",
    name="remote-script-piped-to-shell",
    risk=Risk.MEDIUM,
    summary="A script is downloaded and run in one step (`curl … | sh`), unverified.",
    fix="Download the script or package to a file, check it against a published checksum or "
    "signature (`sha256sum -c`), then run it; better, install a pinned release from a "
    "package manager.",
    lens_refs=("MLOPS04-BP02", "MLSEC04-BP03"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
)
def remote_script_piped_to_shell(ctx: ProjectContext) -> Iterator[Violation]:
    """`curl https://… | sh` runs whatever the server returns at that moment, with the
    build's privileges: a compromised or changed installer, a truncated download or a
    hijacked domain goes straight into the image or the CI runner that holds the deploy
    credentials. Nothing records what was run, so the build cannot be reproduced either.
    The lens asks for reliably packaged, approved software (MLOPS04-BP02) and for guarding
    what enters training against tampering (MLSEC04-BP03).

    Reported at the exact line, in Dockerfile `RUN` instructions, CI scripts and `*.sh`
    files: a download by `curl` or `wget` piped into a shell (`sh`, `bash`, `zsh`, `dash`,
    `ksh`, `fish`) or Python that runs what it reads (`| sh`, `| sudo -E bash -s --`,
    `| python3 -`; also through `sudo`, `env` and the like), `bash <(curl …)`, `bash <
    <(curl …)`, `source <(curl …)`, and `sh -c "$(curl …)"`/`eval "$(curl …)"`.

    Only what the shell runs counts, and scripts are read as the shell reads them — words,
    quotes, comments, substitutions, heredocs. So these are reported wherever they run: in
    a `$(…)` or backticks (inside an `echo`'s quotes, or an unquoted heredoc, too), in the
    string `sh -c`, `bash -c` or `eval` runs, in a heredoc a shell reads (`bash <<EOF`), and
    in a Dockerfile's bare `RUN <<EOF`, which BuildKit runs (unless its `#!` line names
    another interpreter). And text that is not run is not reported: comments; arguments of
    `echo`, `printf` and any other command (an install hint printed for the reader);
    strings assigned to variables or aliases; heredocs written by `cat` or read by Python;
    the words of `RUN`'s JSON form, which no shell reads (`RUN ["sh", "-c", "…"]` does run
    its string); and a download piped into `python -c …` or `bash script.sh`, which run
    their own code, not what they are sent. Templated files (see
    `unparseable-file`) are not read. Downloading to a file, verifying it and running it
    afterwards is the accepted form."""
    ev = ctx.evidence
    for path, dockerfile in dockerfiles(ev):
        seen: Counter[str] = Counter()
        for instruction in dockerfile.instructions:
            if instruction.keyword == "RUN":
                run = instruction.run_script()
                yield from _remote(path, run.script, seen, run.bodies)
    for definition in ci_evidence(ev).own:
        seen = Counter()
        for command in definition.commands:
            yield from _remote(definition.path, command.script, seen)
    for path in ev.files(kinds.SHELL):
        if not ev.mentions(path, b"curl", b"wget") or ev.templated(path):
            continue
        parsed = ev.parse(path, parse_shell_script)
        if parsed is not None:
            yield from _remote(path, parsed, Counter())


_PACKAGES_SHOWN = 8


def _loose(ev: Evidence, found: ImageInstall) -> list[PlacedPackage]:
    """The packages an install leaves free to change version. Beside a requirements file
    (``-r``), a package the project pins in a file in or above the Dockerfile's folder takes
    that pin."""
    if found.install.pinned_as_a_whole:
        return []
    return [
        placed
        for placed in found.packages
        if not placed.package.pinned
        and not (
            found.install.from_file
            and pinned_version(ev, placed.package.name, near=found.path) is not None
        )
    ]


def _unpinned_message(command: str, loose: list[PlacedPackage]) -> str:
    names = sorted({placed.package.name for placed in loose})
    count, shown = counted(len(names), "package"), first_named(names, _PACKAGES_SHOWN)
    return f"`{command}` leaves {count} unpinned in the image: {shown}"


@rule(
    code="MD023",
    name="unpinned-image-packages",
    risk=Risk.MEDIUM,
    summary="A Dockerfile installs packages without pinning their versions "
    "(`RUN pip install torch`, `apt-get install curl`).",
    fix="Pin each package (`pip install torch==2.3.1`, `conda install pytorch=2.3.1`, "
    "`apt-get install curl=7.88.1-10+deb12u8`, `apk add curl=8.9.1-r0`), or install from a "
    "pinned file: `pip install -r requirements.txt` compiled with `pip-compile`, "
    "`uv sync --frozen`, `poetry install`, a `-c constraints.txt`.",
    lens_refs=("MLOPS04-BP02", "MLSEC04-BP03"),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    preview=True,
)
def unpinned_image_packages(ctx: ProjectContext) -> Iterator[Violation]:
    """The image a model is trained or served in is part of the model: `RUN pip install
    torch pandas` builds a different image whenever a new release appears, so the same
    commit trains or serves with other libraries next month, and a compromised release
    goes in unreviewed. The lens asks for reliable packaging of approved public libraries
    (MLOPS04-BP02) and for guarding what enters training against tampering
    (MLSEC04-BP03): an image should be as reproducible as the requirements file.

    Read: every `RUN` of every stage of a Dockerfile or Containerfile (shell form, JSON
    form, `sh -c` strings, heredocs fed to a shell), split into commands at `&&`, `||`, `;`,
    pipes and line ends, with continuations joined and comments, redirections, `sudo`,
    `env`, `VAR=value` and `conda run -n env` passed over. Reported once per Dockerfile and
    package manager, at the first unpinned package, naming every one (the other commands are
    related places): pip (also `python -m pip` and `uv pip`), conda, mamba and micromamba
    (`install`, `create`), apt-get and apt (`install`), apk (`add`). Pinned: pip one version
    with `==`/`===` or one patch series (`~=2.3.1`, `==2.3.*`), as in
    `unpinned-dependencies` (a range such as `>=` or `~=2.3` is not), a VCS tag or commit,
    an archive URL, a version from a variable (`torch==${TORCH_VERSION}`); conda
    `name=version` or `name==version`; apt `name=version`; apk `name=version` or
    `name~version`. Not reported: paths and `-e` (the project's own code, whose dependencies
    `unpinned-dependencies` and `missing-lock-file` judge in its manifest); package files
    (`.whl`, `.deb`, `.apk`, `.conda`); words built from a variable without a version
    (`$PACKAGES`); the installers themselves (`pip`, `setuptools`, `wheel`, and
    `conda`/`mamba` in conda), which an upgrade such as `pip install --upgrade pip`
    refreshes before the real install; installs pinned as a whole by `-c constraints.txt`,
    `--require-hashes`, or `PIP_CONSTRAINT`, `PIP_REQUIRE_HASHES` or `UV_CONSTRAINT` set by
    an `ENV` earlier in the stage; installs from a file or a lock (`-r requirements.txt`,
    `conda install --file`, `conda env create -f`, `poetry install`, `uv sync`), whose
    contents the dependency rules judge — beside `-r`, a package named on the command line
    counts as pinned when a requirements, lock or manifest file in or above the Dockerfile's
    folder pins it. Templated Dockerfiles are not read. yum, dnf, npm and other managers are
    not read."""
    ev = ctx.evidence
    groups: dict[tuple[str, str], list[tuple[ImageInstall, list[PlacedPackage]]]] = {}
    for found in image_installs(ev):
        loose = _loose(ev, found)
        if loose:
            groups.setdefault((found.path, found.install.manager), []).append((found, loose))
    for (path, manager), members in groups.items():
        places = [
            Related(
                Location(path, loose[0].line, loose[0].column),
                _unpinned_message(found.install.command, loose),
            )
            for found, loose in members
        ]
        every = [placed for _, loose in members for placed in loose]
        first_command = members[0][0].install.command
        yield Violation.at_first(
            places, f"{path}:{manager}", _unpinned_message(first_command, every)
        )
