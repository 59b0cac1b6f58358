from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mllint_wa.project import Discovery, Project, WalkProblem, discover, exclusion
from trees import write_files as write

GIT = shutil.which("git")


@pytest.fixture
def base(tmp_path: Path) -> Path:
    # Resolved because discover() reports resolved roots (tmp dirs can sit behind a symlink).
    return tmp_path.resolve()


def only_project(discovery: Discovery) -> Project:
    assert discovery.problems == ()
    assert len(discovery.projects) == 1
    return discovery.projects[0]


def git(repo: Path, *args: str) -> bytes:
    assert GIT is not None
    # A developer's global excludesFile or templates must not leak into the comparison.
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        [GIT, "-C", str(repo), *args], capture_output=True, check=True, env=env
    ).stdout


def git_untracked(repo: Path) -> tuple[str, ...]:
    out = git(repo, "ls-files", "--others", "--exclude-standard", "-z")
    return tuple(sorted(os.fsdecode(name) for name in out.split(b"\0") if name))


# --- .gitignore semantics ------------------------------------------------------------------

IGNORE_TREE = {
    "lens.toml": "",
    ".gitignore": "\n".join(
        [
            "# build products",
            "*.log",
            "!important.log",
            "build/",
            "!build/keep.txt",
            "/data",
            "docs/*",
            "!docs/keep.md",
            "artifacts/**",
            "!artifacts/.gitkeep",
            "src/**/generated/",
            "vendor/",
        ]
    )
    + "\n",
    "app.log": "",
    "important.log": "",
    "build/lib.py": "",
    "build/keep.txt": "",
    "data/raw.csv": "",
    "src/data/loader.py": "",
    "src/build": "",
    "src/generated/a.py": "",
    "src/x/y/generated/b.py": "",
    "generated/c.py": "",
    "docs/keep.md": "",
    "docs/other.md": "",
    "artifacts/.gitkeep": "",
    "artifacts/model.pkl": "",
    "artifacts/old/model.pkl": "",
    "vendor/x.js": "",
    "sub/.gitignore": "!debug.log\nout/\n/local.cfg\n!vendor/\n",
    "sub/debug.log": "",
    "sub/trace.log": "",
    "sub/out/result.json": "",
    "sub/local.cfg": "",
    "sub/deeper/local.cfg": "",
    "sub/deeper/out": "",
    "sub/vendor/lib.py": "",
    "whitelist/.gitignore": "*\n!*/\n!*.py\n!.gitignore\n",
    "whitelist/tool.py": "",
    "whitelist/notes.txt": "",
    "whitelist/pkg/mod.py": "",
    "whitelist/pkg/README.md": "",
}

# What `git ls-files --others --exclude-standard` lists for IGNORE_TREE: negation, anchoring,
# directory-only patterns, "**", a deeper .gitignore overriding a shallower one, no
# re-inclusion inside an ignored directory, and the "*" / "!*/" whitelist idiom.
IGNORE_TREE_KEPT = (
    ".gitignore",
    "artifacts/.gitkeep",
    "docs/keep.md",
    "generated/c.py",
    "important.log",
    "lens.toml",
    "src/build",
    "src/data/loader.py",
    "sub/.gitignore",
    "sub/debug.log",
    "sub/deeper/local.cfg",
    "sub/deeper/out",
    "sub/vendor/lib.py",
    "whitelist/.gitignore",
    "whitelist/pkg/mod.py",
    "whitelist/tool.py",
)


def test_nested_gitignore_rules(base: Path) -> None:
    root = write(base / "repo", IGNORE_TREE)
    assert discover([root]) == Discovery(projects=(Project(root, IGNORE_TREE_KEPT),), problems=())


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_nested_gitignore_rules_agree_with_git(base: Path) -> None:
    root = write(base / "repo", IGNORE_TREE)
    git(root, "init", "-q")
    assert git_untracked(root) == IGNORE_TREE_KEPT
    assert only_project(discover([root])).files == IGNORE_TREE_KEPT


def test_invalid_gitignore_pattern_is_reported_and_the_rest_applies(base: Path) -> None:
    root = write(base, {"lens.toml": "", ".gitignore": "*.log\n!\n", "a.log": "", "b.py": ""})
    assert discover([root]) == Discovery(
        projects=(Project(root, (".gitignore", "b.py", "lens.toml")),),
        problems=(WalkProblem(root / ".gitignore", "invalid ignore pattern '!' skipped"),),
    )


INFO_EXCLUDE_TREE = {
    "lens.toml": "",
    ".gitignore": "!keep.secret\n*.tmp\n",
    "a.secret": "",
    "keep.secret": "",
    "scratch/notes.txt": "",
    "pkg/lens.toml": "",
    "pkg/model.py": "",
    "pkg/run.tmp": "",
    "pkg/token.secret": "",
    "pkg/scratch/x.py": "",
}
INFO_EXCLUDE_ROOT_KEPT = (".gitignore", "keep.secret", "lens.toml")
INFO_EXCLUDE_PKG_KEPT = ("lens.toml", "model.py")


def make_info_exclude_repo(root: Path) -> Path:
    write(root, INFO_EXCLUDE_TREE)
    if GIT is not None:
        git(root, "init", "-q")
    write(root, {".git/info/exclude": "*.secret\nscratch/\n"})
    return root


def test_info_exclude_ranks_below_gitignore(base: Path) -> None:
    root = make_info_exclude_repo(base / "repo")
    assert discover([root]) == Discovery(
        projects=(
            Project(root, INFO_EXCLUDE_ROOT_KEPT),
            Project(root / "pkg", INFO_EXCLUDE_PKG_KEPT),
        ),
        problems=(),
    )


def test_walking_a_sub_directory_applies_the_repository_rules(base: Path) -> None:
    root = make_info_exclude_repo(base / "repo")
    # pkg/.gitignore does not exist: the rules come from the repository root's .gitignore and
    # .git/info/exclude, read although the walk starts below them.
    assert discover([root / "pkg"]) == Discovery(
        projects=(Project(root / "pkg", INFO_EXCLUDE_PKG_KEPT),), problems=()
    )


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_info_exclude_agrees_with_git(base: Path) -> None:
    root = make_info_exclude_repo(base / "repo")
    expected = (*INFO_EXCLUDE_ROOT_KEPT, *(f"pkg/{name}" for name in INFO_EXCLUDE_PKG_KEPT))
    assert git_untracked(root) == tuple(sorted(expected))


# --- exclude argument and pruning ----------------------------------------------------------


def test_exclude_patterns_are_relative_to_the_walked_path_and_outrank_gitignore(
    base: Path,
) -> None:
    root = write(
        base,
        {
            "lens.toml": "",
            ".gitignore": "*.bin\n!keep.bin\n",
            "keep.bin": "",
            "other.bin": "",
            "data/big.csv": "",
            "data/schema.json": "",
            "notebooks/eda.ipynb": "",
            "src/notebooks/demo.ipynb": "",
            "src/train.py": "",
            "src/cache.csv": "",
            "src/labels.csv": "",
        },
    )
    patterns = ("data/", "/notebooks", "*.csv", "!labels.csv", "keep.bin")
    discovery = discover([root], exclude=[(None, patterns)])
    assert discovery == Discovery(
        projects=(
            Project(
                root,
                (
                    ".gitignore",
                    "lens.toml",
                    "src/labels.csv",
                    "src/notebooks/demo.ipynb",
                    "src/train.py",
                ),
            ),
        ),
        problems=(),
    )


def test_exclude_without_a_base_anchors_at_each_walked_path(base: Path) -> None:
    root = write(
        base,
        {
            "a/lens.toml": "",
            "a/data/x.csv": "",
            "a/src/data/y.csv": "",
            "b/lens.toml": "",
            "b/data/z.csv": "",
        },
    )
    assert discover([root / "a", root / "b"], exclude=[(None, ("/data",))]) == Discovery(
        projects=(
            Project(root / "a", ("lens.toml", "src/data/y.csv")),
            Project(root / "b", ("lens.toml",)),
        ),
        problems=(),
    )


def test_exclude_with_a_base_means_the_same_whichever_path_is_walked(base: Path) -> None:
    # Patterns from <repo>/pyproject.toml are relative to <repo>, whether the walk starts at
    # the repository, at one of its folders, or at a folder of a project below the base.
    root = write(
        base,
        {
            "services/a/lens.toml": "",
            "services/a/legacy/old.py": "",
            "services/b/lens.toml": "",
            "legacy/x.py": "",
        },
    )
    groups = [(root, ("/legacy/", "services/b/"))]
    expected_a = Project(root / "services" / "a", ("legacy/old.py", "lens.toml"))
    assert discover([root], exclude=groups).projects == (expected_a,)
    assert discover([root / "services"], exclude=groups).projects == (expected_a,)
    assert discover([root / "services" / "a"], exclude=groups).projects == (expected_a,)
    # A base below the walked folder speaks only of its own subtree.
    inner = [(root / "services" / "a", ("legacy/",))]
    assert discover([root], exclude=inner).projects == (
        Project(root / "services" / "a", ("lens.toml",)),
        Project(root / "services" / "b", ("lens.toml",)),
    )


def test_exclusion_test_excludes_what_lies_under_an_excluded_folder(base: Path) -> None:
    excluded = exclusion(base, [(base, ("vendor/", "*.csv", "!keep.csv"))])
    assert [excluded(p) for p in ("vendor/", "vendor/x/lens.toml", "src/a.py")] == [
        True,
        True,
        False,
    ]
    assert [excluded(p) for p in ("data/a.csv", "data/keep.csv")] == [True, False]
    assert exclusion(base, [])("vendor/") is False


def test_tool_and_virtualenv_folders_are_pruned(base: Path) -> None:
    root = write(
        base,
        {
            "lens.toml": "",
            ".git/config": "",
            ".hg/store": "",
            ".svn/entries": "",
            "node_modules/pkg/index.js": "",
            "web/node_modules/pkg/index.js": "",
            "env-py311/pyvenv.cfg": "home = /usr/bin\n",
            "env-py311/lib/site.py": "",
            "venv/bin/python": "",
            ".venv/bin/python": "",
            "__pycache__/m.cpython-311.pyc": "",
            ".mypy_cache/3.11/x.json": "",
            ".pytest_cache/v/cache": "",
            ".ruff_cache/x": "",
            ".tox/py311/x": "",
            ".nox/s/x": "",
            ".ipynb_checkpoints/a-checkpoint.ipynb": "",
            ".eggs/x.egg": "",
            "pkg.egg-info/PKG-INFO": "",
            ".dvc/config": "",
            ".dvc/cache/ab/cdef": "",
            "src/cache/util.py": "",
            "src/model.py": "",
            "src/venv": "",
            "web/app.js": "",
        },
    )
    assert only_project(discover([root])) == Project(
        root,
        (".dvc/config", "lens.toml", "src/cache/util.py", "src/model.py", "src/venv", "web/app.js"),
    )


# --- projects ------------------------------------------------------------------------------

MONOREPO = {
    # A repository, so that walking b/ alone still reads the .gitignore above it.
    ".git/HEAD": "",
    ".gitignore": "*.pyc\n",
    "README.md": "",
    "shared/util.py": "",
    "a/lens.toml": "",
    "a/train.py": "",
    "a/nested/lens.toml": "",
    "a/nested/infer.py": "",
    "a/nested/deep/x.py": "",
    "b/lens.toml": "",
    "b/src/model.py": "",
    "b/src/model.pyc": "",
}


def monorepo_projects(root: Path) -> tuple[Project, ...]:
    return (
        Project(root / "a", ("lens.toml", "train.py")),
        Project(root / "a" / "nested", ("deep/x.py", "infer.py", "lens.toml")),
        Project(root / "b", ("lens.toml", "src/model.py")),
    )


def test_monorepo_projects_split_files_and_drop_what_lies_above_them(base: Path) -> None:
    root = write(base, MONOREPO)
    discovery = discover([root])
    assert discovery == Discovery(projects=monorepo_projects(root), problems=())
    assert [project.has_manifest for project in discovery.projects] == [True, True, True]
    assert discovery.projects[1].manifest_path == root / "a" / "nested" / "lens.toml"


def test_paths_leading_to_the_same_projects_yield_them_once(base: Path) -> None:
    root = write(base, MONOREPO)
    paths = [root / "b" / "src" / "model.py", root, root / "a", root / "a" / "nested", root / "b"]
    assert discover(paths) == Discovery(projects=monorepo_projects(root), problems=())


UPWARD_TREE = {
    "lens.toml": "",
    "README.md": "",
    "src/pkg/__init__.py": "",
    "src/pkg/mod.py": "",
    "tests/test_mod.py": "",
}
UPWARD_FILES = (
    "README.md",
    "lens.toml",
    "src/pkg/__init__.py",
    "src/pkg/mod.py",
    "tests/test_mod.py",
)


def test_upward_search_from_a_sub_directory_lints_the_whole_project(base: Path) -> None:
    root = write(base, UPWARD_TREE)
    assert discover([root / "src" / "pkg"]) == Discovery(
        projects=(Project(root, UPWARD_FILES),), problems=()
    )


def test_upward_search_from_a_file_lints_the_whole_project(base: Path) -> None:
    root = write(base, UPWARD_TREE)
    assert discover([root / "src" / "pkg" / "mod.py"]) == Discovery(
        projects=(Project(root, UPWARD_FILES),), problems=()
    )


def test_relative_paths_are_resolved(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write(base, UPWARD_TREE)
    monkeypatch.chdir(root / "src")
    assert discover([Path("pkg")]) == Discovery(
        projects=(Project(root, UPWARD_FILES),), problems=()
    )


def test_upward_search_stops_at_the_repository_root(base: Path) -> None:
    outer = write(base, {"lens.toml": "", "repo/.git/HEAD": "", "repo/src/x.py": ""})
    repo = outer / "repo"
    assert discover([repo / "src"]) == Discovery(
        projects=(Project(repo / "src", ("x.py",)),), problems=()
    )
    assert discover([repo / "src" / "x.py"]) == Discovery(
        projects=(Project(repo / "src", ("x.py",)),), problems=()
    )
    # The repository root itself is not searched above at all.
    assert discover([repo]) == Discovery(projects=(Project(repo, ("src/x.py",)),), problems=())


def test_no_manifest_anywhere_makes_the_path_a_project(base: Path) -> None:
    if any((parent / "lens.toml").exists() for parent in base.parents):
        pytest.skip("a lens.toml above the temporary directory would be found by design")
    root = write(base / "plain", {"a.py": "", "sub/b.py": ""})
    discovery = discover([root])
    assert discovery == Discovery(projects=(Project(root, ("a.py", "sub/b.py")),), problems=())
    assert discovery.projects[0].has_manifest is False
    assert discover([root / "sub" / "b.py"]) == Discovery(
        projects=(Project(root / "sub", ("b.py",)),), problems=()
    )


def test_an_empty_directory_is_a_project_without_files(base: Path) -> None:
    empty = base / "repo"
    (empty / ".git").mkdir(parents=True)
    assert discover([empty]) == Discovery(projects=(Project(empty, ()),), problems=())


def test_non_existent_path_is_rejected_not_an_error(base: Path) -> None:
    root = write(base / "proj", {"lens.toml": ""})
    missing = base / "missing"
    assert discover([missing, root]) == Discovery(
        projects=(Project(root, ("lens.toml",)),),
        problems=(),
        rejected=(WalkProblem(missing, "no such file or directory"),),
    )


# --- hostile trees -------------------------------------------------------------------------


def symlink_or_skip(link: Path, target: str | Path) -> None:
    try:
        link.symlink_to(target)
    except OSError as exc:  # e.g. Windows without the symlink privilege
        pytest.skip(f"cannot create symlinks: {exc}")


def test_symlinks_are_checked_and_never_followed_into_directories(base: Path) -> None:
    root = write(
        base / "proj",
        {"lens.toml": "", ".gitignore": "ignored-link\n", "real/data.txt": ""},
    )
    write(base / "outside", {"secret.txt": ""})
    symlink_or_skip(root / "real" / "loop", "..")
    symlink_or_skip(root / "mirror", "real")
    symlink_or_skip(root / "alias.txt", "real/data.txt")
    symlink_or_skip(root / "escape.txt", "../outside/secret.txt")
    symlink_or_skip(root / "outdir", base / "outside")
    symlink_or_skip(root / "dangling", "nowhere")
    symlink_or_skip(root / "ping", "pong")
    symlink_or_skip(root / "pong", "ping")
    symlink_or_skip(root / "ignored-link", "/nonexistent")
    assert discover([root]) == Discovery(
        projects=(Project(root, (".gitignore", "alias.txt", "lens.toml", "real/data.txt")),),
        problems=(
            WalkProblem(root / "dangling", "broken symlink"),
            WalkProblem(root / "escape.txt", "symlink points outside the project"),
            WalkProblem(root / "outdir", "symlink points outside the project"),
            WalkProblem(root / "ping", "broken symlink"),
            WalkProblem(root / "pong", "broken symlink"),
        ),
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifos_are_skipped_without_being_opened(base: Path) -> None:
    root = write(base, {"lens.toml": "", ".gitignore": "*.fifo\n"})
    os.mkfifo(root / "pipe")
    os.mkfifo(root / "quiet.fifo")
    symlink_or_skip(root / "pipe-link", "pipe")
    # Opening any of these for reading would block the test forever.
    assert discover([root]) == Discovery(
        projects=(Project(root, (".gitignore", "lens.toml")),),
        problems=(
            WalkProblem(root / "pipe", "not a regular file"),
            WalkProblem(root / "pipe-link", "not a regular file"),
        ),
    )
    assert discover([root / "pipe"]) == Discovery(
        projects=(), problems=(), rejected=(WalkProblem(root / "pipe", "not a regular file"),)
    )


def test_unreadable_directory_and_gitignore_are_reported_and_the_walk_goes_on(
    base: Path,
) -> None:
    root = write(
        base,
        {"lens.toml": "", "locked/secret.py": "", "open/.gitignore": "x.py\n", "open/x.py": ""},
    )
    locked = root / "locked"
    gitignore = root / "open" / ".gitignore"
    locked.chmod(0)
    gitignore.chmod(0)
    try:
        if os.access(locked, os.R_OK) or os.access(gitignore, os.R_OK):
            pytest.skip("running with privileges that read anything (e.g. as root)")
        # The unreadable .gitignore counts as empty, so x.py stays.
        assert discover([root]) == Discovery(
            projects=(Project(root, ("lens.toml", "open/.gitignore", "open/x.py")),),
            problems=(
                WalkProblem(locked, "permission denied"),
                WalkProblem(gitignore, "permission denied"),
            ),
        )
    finally:
        locked.chmod(0o755)
        gitignore.chmod(0o644)


def test_listing_errors_are_reported_whoever_runs_the_tests(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The chmod test above is skipped under root; failing os.scandir directly covers the same
    # path there.
    root = write(base, {"lens.toml": "", "locked/secret.py": "", "flaky/x.py": "", "ok/y.py": ""})
    real_scandir = os.scandir
    failures = {
        os.fspath(root / "locked"): PermissionError(errno.EACCES, "Permission denied"),
        os.fspath(root / "flaky"): OSError(errno.EIO, "Input/output error"),
    }

    def scandir(path: str) -> object:
        if path in failures:
            raise failures[path]
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert discover([root]) == Discovery(
        projects=(Project(root, ("lens.toml", "ok/y.py")),),
        problems=(
            WalkProblem(root / "flaky", "input/output error"),
            WalkProblem(root / "locked", "permission denied"),
        ),
    )


def test_undecodable_file_names_are_kept_as_surrogate_escaped_str(base: Path) -> None:
    root = write(base, {"lens.toml": ""})
    (root / ".gitignore").write_bytes(b"junk\xfe.bin\n")
    raw_root = os.fsencode(root)
    try:
        for name in (b"caf\xe9.txt", b"junk\xfe.bin"):
            os.close(os.open(os.path.join(raw_root, name), os.O_CREAT | os.O_WRONLY, 0o644))
        os.mkdir(os.path.join(raw_root, b"d\xff"))
        os.close(
            os.open(os.path.join(raw_root, b"d\xff", b"m.py"), os.O_CREAT | os.O_WRONLY, 0o644)
        )
    except (OSError, UnicodeError) as exc:
        pytest.skip(f"file system refuses non-UTF-8 names: {exc}")
    assert discover([root]) == Discovery(
        projects=(
            Project(
                root,
                (
                    ".gitignore",
                    os.fsdecode(b"caf\xe9.txt"),
                    os.fsdecode(b"d\xff") + "/m.py",
                    "lens.toml",
                ),
            ),
        ),
        problems=(),
    )


# --- manifests are never excluded ----------------------------------------------------------

MATCHING_PIECES = st.sampled_from(
    ["*", "**", "**/", "/", "lens", ".toml", "*.toml", "l*", "?", "[l]", "[!x]", "!"]
)
PATTERN_LISTS = st.lists(st.lists(MATCHING_PIECES, min_size=1, max_size=4).map("".join), max_size=4)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(excludes=PATTERN_LISTS, ignored=PATTERN_LISTS)
@example(excludes=["*.toml"], ignored=[])
@example(excludes=[], ignored=["lens.toml"])
def test_no_pattern_hides_a_manifest(
    tmp_path_factory: pytest.TempPathFactory, excludes: list[str], ignored: list[str]
) -> None:
    root = tmp_path_factory.mktemp("repo").resolve()
    write(root, {"lens.toml": "", "src/lens.toml": "", "a.toml": "", ".gitignore": ""})
    (root / ".gitignore").write_text("\n".join(ignored) + "\n")
    src_hidden = exclusion(root, [(root, (*ignored, *excludes))])("src/")
    discovery = discover([root], exclude=[(None, tuple(excludes))])
    # The projects are the manifests' folders, less those inside an excluded folder.
    assert [p.root for p in discovery.projects] == [root] + ([] if src_hidden else [root / "src"])
    assert all(project.has_manifest for project in discovery.projects)


def test_a_manifest_matched_by_every_kind_of_pattern_still_makes_the_project(base: Path) -> None:
    root = write(base, {"lens.toml": "", ".gitignore": "lens.toml\n", "sub/x.py": ""})
    for patterns in (("*.toml",), ("*",), ("**/***",), ("lens.toml",)):
        assert discover([root], exclude=[(None, patterns)]).projects[0].has_manifest
    # An excluded folder is not walked, so the project inside it is not found.
    write(root, {"sub/lens.toml": ""})
    assert [p.root for p in discover([root], exclude=[(None, ("sub/",))]).projects] == [root]


# --- a PATH inside a project lints that project and no other ---------------------------------

FOLDERS = ("a", "b", "c", "a/d", "c/e")


@FUZZ
@given(
    manifests=st.sets(st.sampled_from(("", *FOLDERS))),
    target=st.sampled_from(("", *FOLDERS, "c/x.py", "a/d/y.py")),
)
@example(manifests={"", "a", "b"}, target="c")
@example(manifests={"", "a", "c/e"}, target="c/x.py")
def test_a_path_lints_the_projects_under_it_or_else_the_one_that_owns_it(
    tmp_path_factory: pytest.TempPathFactory, manifests: set[str], target: str
) -> None:
    root = tmp_path_factory.mktemp("repo").resolve()
    (root / ".git").mkdir()
    write(root, {f"{folder}/z.py": "" for folder in FOLDERS})
    write(root, {"c/x.py": "", "a/d/y.py": ""})
    write(root, {str(Path(m) / "lens.toml"): "" for m in manifests})
    path = root / target
    projects = [root / m for m in manifests]
    below = [p for p in projects if p.is_relative_to(path)]
    above = [p for p in projects if path.is_relative_to(p)]
    if path.is_dir() and below:
        expected = sorted(below)
    elif above:
        expected = [max(above, key=lambda p: len(p.parts))]
    else:
        expected = [path if path.is_dir() else path.parent]
    assert [p.root for p in discover([path]).projects] == expected


def test_a_folder_without_a_manifest_lints_its_owner_not_its_siblings(base: Path) -> None:
    root = write(base, {"lens.toml": "", "a/lens.toml": "", "b/lens.toml": "", "c/x.py": ""})
    for path in (root / "c", root / "c" / "x.py"):
        assert discover([path]) == Discovery(
            projects=(Project(root, ("c/x.py", "lens.toml")),), problems=()
        )
    # A sibling project's unreadable files are that project's business.
    os.symlink(base / "nowhere", root / "a" / "broken.py")
    assert discover([root / "c"]).problems == ()
