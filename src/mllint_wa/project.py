"""Repository discovery: which files belong to which project.

A project is a directory holding ``lens.toml``; each kept file belongs to the nearest project
root above it. The walk sees the tree the way ``git ls-files --cached --others
--exclude-standard`` would: ``.gitignore`` at every level and ``.git/info/exclude`` hide
untracked files only, since git never ignores a file its index tracks (read from the index,
never by running git, and only once an ignore pattern matches something). It prunes tool and
virtualenv folders before descending, never follows directory symlinks and never opens
anything but ignore files and the index, so a hostile tree (loops, FIFOs, unreadable folders,
undecodable names) can only produce :class:`WalkProblem` records, never an exception or a
hang.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator, Sequence, Set
from dataclasses import field
from pathlib import Path
from typing import Literal, NamedTuple

from mllint_wa.bounded import NotRegularFile, read_unlinked, refused_as_symlink, symlink_refusal
from mllint_wa.evidence.git import find_repository, plain_index, tracked_below
from mllint_wa.records import dataclass
from mllint_wa.wildmatch import MAX_PATTERNS, MAX_TRIED_TOGETHER, PatternList, parse_lines

MANIFEST_NAME = "lens.toml"
PYPROJECT_NAME = "pyproject.toml"

_PRUNED_DIRS = frozenset(
    {
        ".hg",
        ".svn",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        # mllint-wa's own (mllint_wa.cache.CACHE_DIR_NAME): never evidence.
        ".mllint_wa_cache",
        ".tox",
        ".nox",
        "node_modules",
        ".ipynb_checkpoints",
        ".venv",
        "venv",
        ".eggs",
    }
)
_GITIGNORE = ".gitignore"
_UTF8_BOM = b"\xef\xbb\xbf"
# Bytes of an ignore file read at most; git itself refuses pattern files over 100 MiB. A file
# over this or over MAX_PATTERNS is not applied at all, and said so, as git does.
MAX_IGNORE_FILE = 1024 * 1024
# Invalid patterns are quoted in the problem they cause up to this length.
_QUOTED_PATTERN = 120


@dataclass(frozen=True)
class Project:
    root: Path
    files: tuple[str, ...]

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST_NAME

    @property
    def has_manifest(self) -> bool:
        return MANIFEST_NAME in self.files


@dataclass(frozen=True)
class WalkProblem:
    path: Path
    message: str


@dataclass(frozen=True)
class Discovery:
    projects: tuple[Project, ...]
    problems: tuple[WalkProblem, ...]
    # PATHs that could not be linted at all (missing, not a file or folder), in given order.
    rejected: tuple[WalkProblem, ...] = ()


_NO_RULES = PatternList(())


class _IgnoreSource(NamedTuple):
    """One ignore file's rules and how to express a root-relative path relative to its base.

    The path matched is ``prefix + rel[strip:]``: a .gitignore inside the walked root strips
    its own directory from the front, one in an ancestor (between the repository root and the
    walked root) prepends the walked root's position below it. A source with a ``scope``
    speaks only of paths under that root-relative folder.
    """

    rules: PatternList
    prefix: str
    strip: int
    scope: str = ""


# Gitignore-style patterns and the folder they are relative to; None: the folder walked, or
# the project a file belongs to (patterns given on the command line).
ExcludeGroup = tuple[Path | None, tuple[str, ...]]


@dataclass
class _Walk:
    files: list[str] = field(default_factory=list)
    manifest_dirs: set[str] = field(default_factory=set)
    problems: list[WalkProblem] = field(default_factory=list)


class _Tracked:
    """The paths git tracks under a walked folder, asked only of paths an ignore file hides:
    the index is read the first time one is, so a walk that ignores nothing reads none."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._files: frozenset[str] | None = None
        self._folders: frozenset[str] = frozenset()
        self._index: bytes | Literal[False] | None = False  # False: not read yet

    def file(self, rel: str) -> bool:
        return self._may_hold(rel) and rel in self._load()

    def folder(self, rel: str) -> bool:
        """Whether a tracked file lies somewhere under the folder ``rel``."""
        if not self._may_hold(rel + "/"):
            return False
        self._load()
        return rel in self._folders

    def _may_hold(self, text: str) -> bool:
        """False when the index certainly holds no path with ``text`` in it: an ignored
        folder that git tracks nothing in (``node_modules/``, ``data/``) costs a byte search,
        not reading every entry of a large index."""
        if self._files is not None:
            return True
        if self._index is False:
            repository = find_repository(self._root.resolve())
            self._index = plain_index(repository) if repository is not None else b""
        return self._index is None or os.fsencode(text) in self._index

    def _load(self) -> frozenset[str]:
        if self._files is None:
            files = tracked_below(self._root)
            # Every folder above a tracked file, each added once: a walk prunes an ignored
            # folder with one set lookup.
            folders: set[str] = set()
            for path in files:
                folder = path.rpartition("/")[0]
                while folder and folder not in folders:
                    folders.add(folder)
                    folder = folder.rpartition("/")[0]
            self._files, self._folders = frozenset(files), frozenset(folders)
        return self._files


def discover(paths: Sequence[Path], exclude: Sequence[ExcludeGroup] = ()) -> Discovery:
    """Find the projects reached from ``paths``, pruning what ``exclude`` names."""
    walks: dict[Path, _Walk] = {}
    members: dict[Path, set[str]] = {}
    problems: set[WalkProblem] = set()
    rejected: list[WalkProblem] = []

    def walk(root: Path) -> _Walk:
        if root not in walks:
            walks[root] = _walk(root, _exclude_sources(root, exclude))
        return walks[root]

    def collect(root: Path, result: _Walk, roots: Set[str], kept: Set[str] | None = None) -> None:
        """Give each file and problem of ``result`` to the nearest of ``roots`` above it,
        reporting the projects at ``kept`` (default: all of ``roots``) and nothing of the
        others, which a PATH inside one project does not ask for."""
        kept = roots if kept is None else kept
        for problem in result.problems:
            owner = _owner(problem.path, root, roots)
            if owner is None or owner in kept:
                problems.add(problem)
        # Registered up front so that a project with no files to lint is still reported.
        owned = {owner: members.setdefault(root / owner, set()) for owner in kept}
        for rel in result.files:
            owner = _nearest_root(rel, roots)
            if owner in owned:
                owned[owner].add(rel[len(owner) + 1 :] if owner else rel)

    for raw in paths:
        path = Path(os.path.abspath(raw))
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            rejected.append(WalkProblem(path, _describe(exc)))
            continue
        if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
            rejected.append(WalkProblem(path, "not a regular file"))
            continue
        # An explicitly named symlink is taken at its word; only links met during the walk
        # are distrusted.
        target = path.resolve()
        if stat.S_ISDIR(mode):
            own = walk(target)
            if own.manifest_dirs:
                collect(target, own, own.manifest_dirs)
                continue
            # Looking above a repository root would lint an unrelated enclosing project.
            ancestor = None if _has_git(target) else _find_manifest_upward(target.parent)
        else:
            ancestor = _find_manifest_upward(target.parent)
        if ancestor is not None:
            # The project that owns the PATH, whole, and none of the projects nested in it.
            found = walk(ancestor)
            collect(ancestor, found, {*found.manifest_dirs, ""}, {""})
        elif stat.S_ISDIR(mode):
            collect(target, own, {""})
        else:
            members.setdefault(target.parent, set()).add(target.name)

    # Settings are looked up from each project to its repository's root: a pyproject.toml on
    # the way that is not read is said so, wherever it lies.
    looked_at: set[Path] = set()
    for root in members:
        for folder in _up_to_repository(root):
            if folder in looked_at:
                break
            looked_at.add(folder)
            candidate = folder / PYPROJECT_NAME
            refusal = settings_file_refusal(candidate)
            if refusal is not None:
                problems.add(WalkProblem(candidate, refusal))

    projects = sorted(
        (Project(root, tuple(sorted(files))) for root, files in members.items()),
        key=lambda project: project.root,
    )
    return Discovery(
        projects=tuple(projects),
        problems=tuple(sorted(problems, key=lambda problem: (problem.path, problem.message))),
        rejected=tuple(rejected),
    )


def project_at(root: Path) -> tuple[Project, tuple[WalkProblem, ...]]:
    """The files a project at ``root`` holds, walked as a lint run walks it (ignore files,
    pruned folders, symlinks), without the projects nested below it, whether or not
    ``root`` has a manifest yet: what ``init`` reads."""
    walked = _walk(root, ())
    roots = {*walked.manifest_dirs, ""}
    files = tuple(sorted(rel for rel in walked.files if _nearest_root(rel, roots) == ""))
    return Project(root, files), tuple(walked.problems)


def _walk(root: Path, exclude_layers: tuple[_IgnoreSource, ...]) -> _Walk:
    result = _Walk()
    root_str = os.fspath(root)
    tracked = _Tracked(root)
    # The last item says whether an ignore file hides the folder: then only what git tracks
    # in it is seen, as git sees it, and its own ignore files no longer matter.
    stack = [(root_str, "", _ancestor_layers(root, result.problems), False)]
    while stack:
        dir_path, rel_dir, layers, hidden = stack.pop()
        try:
            with os.scandir(dir_path) as it:
                entries = sorted(it, key=lambda entry: entry.name)
        except OSError as exc:
            result.problems.append(WalkProblem(Path(dir_path), _describe(exc)))
            continue
        names = {entry.name for entry in entries}
        # Checked after listing rather than with an extra stat per directory: a virtualenv
        # costs one scandir of its top level, every other directory costs nothing more.
        if rel_dir and "pyvenv.cfg" in names:
            continue
        if _GITIGNORE in names and not hidden:
            rules = _load_ignore_file(Path(dir_path, _GITIGNORE), result.problems)
            if rules:
                layers = (*layers, _IgnoreSource(rules, "", len(rel_dir) + 1 if rel_dir else 0))
        in_dvc = os.path.basename(dir_path) == ".dvc"
        prefix = rel_dir + "/" if rel_dir else ""
        subdirs: list[tuple[str, str, tuple[_IgnoreSource, ...], bool]] = []
        for entry in entries:
            name = entry.name
            # Never project content, whether a directory or a worktree's "gitdir:" file.
            if name == ".git":
                continue
            rel = prefix + name
            try:
                if entry.is_dir(follow_symlinks=False):
                    pruned = (
                        name in _PRUNED_DIRS
                        or name.endswith(".egg-info")
                        or (in_dvc and name == "cache")
                    )
                    if pruned:
                        continue
                    seen = _seen(rel + "/", hidden, layers, exclude_layers, tracked.folder)
                    if seen is not None:
                        subdirs.append((entry.path, rel, layers, seen))
                    continue
                # A manifest defines a project, so no pattern hides it; an excluded folder
                # still hides the projects inside it, since it is never walked, and in a
                # folder an ignore file hides, only a tracked one counts, as any file there.
                exempt = name == MANIFEST_NAME and not hidden
                if not exempt and _seen(rel, hidden, layers, exclude_layers, tracked.file) is None:
                    continue
                if entry.is_file(follow_symlinks=False):
                    problem = None
                elif entry.is_symlink():
                    problem = _symlink_problem(entry.path, root_str)
                    if problem is None and entry.is_dir():
                        # Not followed, which rules out loops; its real path inside the
                        # project is walked anyway, so there is nothing to report.
                        continue
                else:
                    problem = "not a regular file"
            except OSError as exc:
                problem = _describe(exc)
            if problem is not None:
                result.problems.append(WalkProblem(Path(entry.path), problem))
                continue
            result.files.append(rel)
            if name == MANIFEST_NAME:
                result.manifest_dirs.add(rel_dir)
        # Reversed so the stack pops siblings in name order: a plain depth-first walk.
        stack.extend(reversed(subdirs))
    return result


def _seen(
    rel: str,
    hidden: bool,
    layers: Sequence[_IgnoreSource],
    exclude_layers: Sequence[_IgnoreSource],
    is_tracked: Callable[[str], bool],
) -> bool | None:
    """Whether the walk keeps ``rel`` (a folder ends with "/"), inside a folder an ignore
    file hides (``hidden``) or not: None when it does not, else whether an ignore file hides
    it. Exclude patterns, like git's command-line excludes, outrank every ignore file and
    hold for tracked files too; an ignore file hides only what git does not track."""
    excluded = _verdict(rel, exclude_layers)
    if excluded:
        return None
    if not hidden and (excluded is False or not _verdict(rel, layers)):
        return False
    return True if is_tracked(rel.removesuffix("/")) else None


def _verdict(rel: str, layers: Sequence[_IgnoreSource]) -> bool | None:
    """Whether ``layers`` ignore ``rel``, None when no pattern of theirs matches it: git asks
    the most specific source first, and the first one with any matching pattern, negated or
    not, decides."""
    for layer in reversed(layers):
        if layer.scope and not rel.startswith(layer.scope):
            continue
        include = _decision(layer.rules, layer.prefix + rel[layer.strip :])
        if include is not None:
            return include
    return None


def _decision(rules: PatternList, path: str) -> bool | None:
    """git's verdict of one ignore source on ``path`` (a directory ends with "/"): the last
    pattern matching the path itself decides; the walker has already settled every parent."""
    is_dir = path.endswith("/")
    return rules.decide(path[:-1] if is_dir else path, is_dir)


def _symlink_problem(path: str, root: str) -> str | None:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            return "broken symlink"
        return _describe(exc)
    refusal = symlink_refusal(os.path.realpath(path), root)
    if refusal is not None:
        return refusal
    if stat.S_ISDIR(mode):
        return None  # inside the project: the caller skips it
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def _ancestor_layers(root: Path, problems: list[WalkProblem]) -> tuple[_IgnoreSource, ...]:
    """Ignore rules that apply to ``root`` from above, so walking a sub-directory sees its
    files as walking the whole repository would."""
    repo = _repository_of(root)
    if repo is None:
        return ()
    below_repo = root.relative_to(repo).parts
    layers: list[_IgnoreSource] = []
    exclude_rules = _load_ignore_file(repo / ".git" / "info" / "exclude", problems, repo)
    if exclude_rules:
        layers.append(_IgnoreSource(exclude_rules, "".join(f"{part}/" for part in below_repo), 0))
    base = repo
    for depth, part in enumerate(below_repo):
        rules = _load_ignore_file(base / _GITIGNORE, problems)
        if rules:
            layers.append(_IgnoreSource(rules, "".join(f"{p}/" for p in below_repo[depth:]), 0))
        base = base / part
    return tuple(layers)


def _load_ignore_file(
    path: Path, problems: list[WalkProblem], git_data_from: Path | None = None
) -> PatternList:
    """Parse one ignore file; no rules when it is missing or not a regular file.

    A symlinked ``.gitignore`` is not read, as git does not read one in the work tree; git's
    own ``info/exclude`` is read only where no symlink leads to it from the folder holding
    ``.git`` (``git_data_from``), and a link on the way is reported.
    """
    try:
        data = read_unlinked(path, MAX_IGNORE_FILE + 1, git_data_from or path.parent)
    except (FileNotFoundError, NotADirectoryError, NotRegularFile):
        # NotADirectoryError: ".git" is a worktree's or submodule's "gitdir:" file.
        return _NO_RULES
    except OSError as exc:
        if not refused_as_symlink(exc):
            problems.append(WalkProblem(path, _describe(exc)))
        elif git_data_from is not None:
            problems.append(WalkProblem(path, "git data is not read through a symlink"))
        return _NO_RULES
    if len(data) > MAX_IGNORE_FILE:
        message = (
            f"it is larger than {MAX_IGNORE_FILE >> 20} MiB, so none of its patterns is applied"
        )
        problems.append(WalkProblem(path, message))
        return _NO_RULES
    # Decoded exactly as os.scandir decodes names, so a pattern spelling an undecodable file
    # name still matches it; git splits on "\n" only and drops one "\r" before it.
    lines = [
        line.removesuffix("\r") for line in os.fsdecode(data.removeprefix(_UTF8_BOM)).split("\n")
    ]
    if sum(1 for line in lines if line.rstrip(" ") and line[0] != "#") > MAX_PATTERNS:
        message = f"it holds more than {MAX_PATTERNS:,} patterns, none of which is applied"
        problems.append(WalkProblem(path, message))
        return _NO_RULES
    patterns, invalid = parse_lines(lines)
    # git skips a pattern that can match nothing and keeps the rest of the file; so do we,
    # but say so.
    for line, reason in invalid:
        message = (
            f"invalid ignore pattern {line!r} skipped"
            if len(line) <= _QUOTED_PATTERN
            else f"invalid ignore pattern skipped: {reason}"
        )
        problems.append(WalkProblem(path, message))
    rules = PatternList(patterns)
    if rules.most_tried > MAX_TRIED_TOGETHER:
        message = (
            f"more than {MAX_TRIED_TOGETHER:,} of its patterns share every literal part a "
            "path is looked up by, so each would be tried on every such path; none of its "
            "patterns is applied"
        )
        problems.append(WalkProblem(path, message))
        return _NO_RULES
    return rules


def _exclude_sources(root: Path, groups: Sequence[ExcludeGroup]) -> tuple[_IgnoreSource, ...]:
    """The exclude groups that speak of ``root``'s tree, as ignore sources relative to it."""
    sources = []
    for base, patterns in groups:
        if not patterns:
            continue
        rules = PatternList(parse_lines(patterns)[0])
        if base is None or base == root:
            sources.append(_IgnoreSource(rules, "", 0))
        elif base in root.parents:
            sources.append(_IgnoreSource(rules, root.relative_to(base).as_posix() + "/", 0))
        elif root in base.parents:
            scope = base.relative_to(root).as_posix() + "/"
            sources.append(_IgnoreSource(rules, "", len(scope), scope))
    return tuple(sources)


def excludes_folder(groups: Sequence[ExcludeGroup], folder: Path) -> bool:
    """Whether a group whose base lies above ``folder`` excludes it or a folder between."""
    for base, patterns in groups:
        if base is not None and base in folder.parents and patterns:
            relative = folder.relative_to(base).as_posix() + "/"
            if exclusion(base, [(base, patterns)])(relative):
                return True
    return False


def exclusion(root: Path, groups: Sequence[ExcludeGroup]) -> Callable[[str], bool]:
    """A test of ``root``-relative paths (folders end with "/") against exclude groups, with
    the walk's semantics: a path is excluded when it or a folder above it is."""
    sources = _exclude_sources(root, groups)
    if not sources:
        return lambda _: False
    # Each folder's answer, kept: the files of a folder share it.
    folders: dict[str, bool] = {"": False}

    def folder_excluded(folder: str) -> bool:
        """Whether ``folder`` (no trailing "/", "" for ``root``) or one above it is."""
        above: list[str] = []
        while folder not in folders:
            above.append(folder)
            folder = folder.rpartition("/")[0]
        answer = folders[folder]
        for folder in reversed(above):
            answer = folders[folder] = answer or bool(_verdict(folder + "/", sources))
        return answer

    # The default exclusions name folders only: a file is then decided by its folder alone.
    files_matched = any(source.rules.matches_files for source in sources)

    def excluded(rel: str) -> bool:
        if rel.endswith("/"):
            return folder_excluded(rel.rstrip("/"))
        if folder_excluded(rel.rpartition("/")[0]):
            return True
        return files_matched and bool(_verdict(rel, sources))

    return excluded


def settings_file_refusal(path: Path) -> str | None:
    """Why a settings file found by looking around the tree must not be read: it is a
    symlink that leads out of its tree (the repository holding it, or outside any
    repository, its own folder), nowhere, or to something else than a regular file. None for
    anything else, including no file at all; that a file is there is for the caller to see."""
    try:
        if not stat.S_ISLNK(os.lstat(path).st_mode):
            return None
    except OSError:
        return None
    tree = os.fspath(_repository_of(path.parent) or path.parent)
    return _symlink_problem(os.fspath(path), tree)


def _up_to_repository(start: Path) -> Iterator[Path]:
    """``start`` and the folders above it, up to its repository's root (or the filesystem's)."""
    for directory in (start, *start.parents):
        yield directory
        if _has_git(directory):
            return


def _repository_of(directory: Path) -> Path | None:
    return next((d for d in (directory, *directory.parents) if _has_git(d)), None)


def tree_root(directory: Path) -> Path:
    """The root of the repository holding ``directory``; outside one, ``directory``."""
    return _repository_of(directory) or directory


def _find_manifest_upward(start: Path) -> Path | None:
    """Nearest directory from ``start`` upward holding lens.toml, not leaving the repository."""
    return next((d for d in _up_to_repository(start) if _is_regular_file(d / MANIFEST_NAME)), None)


def _nearest_root(rel: str, roots: Set[str]) -> str | None:
    parent = rel
    while parent:
        parent = parent.rpartition("/")[0]
        if parent in roots:
            return parent
    return None


def _owner(path: Path, root: Path, roots: Set[str]) -> str | None:
    """The nearest of ``roots`` (relative to ``root``) holding ``path``; None outside them."""
    if not path.is_relative_to(root):
        return None
    return _nearest_root(path.relative_to(root).as_posix(), roots)


def _has_git(directory: Path) -> bool:
    # A .git file (worktree, submodule) marks a repository boundary as well as a directory.
    return os.path.lexists(directory / ".git")


def _is_regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _describe(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    return (exc.strerror or str(exc)).lower()
