"""gitignore pattern matching: git's semantics, in time bounded by path times pattern length.

The matcher is checked three ways: against a plain recursive transcription of git's
wildmatch() and of how dir.c applies it (exponential, so only on small inputs), against
`git check-ignore` itself, and on star-heavy patterns that make backtracking matchers
take exponential time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mllint_wa.project import discover, exclusion
from mllint_wa.wildmatch import InvalidPattern, Pattern, parse_line, parse_lines

GIT = shutil.which("git")

# --- reference: git's dowild() and dir.c's match_basename()/match_pathname(), transcribed ------

MATCH, NOMATCH, ABORT_ALL, ABORT_TO_STARSTAR = 0, 1, -1, -2
CLASSES = {
    "alnum": str.isalnum,
    "alpha": str.isalpha,
    "digit": str.isdigit,
    "lower": str.islower,
    "upper": str.isupper,
    "space": str.isspace,
}


def dowild(p: str, t: str, pathname: bool) -> int:
    pi = ti = 0
    while pi < len(p):
        pc = p[pi]
        if ti == len(t) and pc != "*":
            return ABORT_ALL
        tc = t[ti] if ti < len(t) else ""
        if pc == "\\":
            pi += 1
            if pi == len(p) or tc != p[pi]:
                return NOMATCH
        elif pc == "?":
            if pathname and tc == "/":
                return NOMATCH
        elif pc == "*":
            pi += 1
            if pi < len(p) and p[pi] == "*":
                prev = pi - 2
                while pi < len(p) and p[pi] == "*":
                    pi += 1
                rest = p[pi:]
                if not pathname:
                    slash_ok = True
                elif (prev < 0 or p[prev] == "/") and (not rest or rest.startswith(("/", "\\/"))):
                    if rest.startswith("/") and dowild(rest[1:], t[ti:], pathname) == MATCH:
                        return MATCH
                    slash_ok = True
                else:
                    slash_ok = False
            else:
                slash_ok = not pathname
            if pi == len(p):
                return NOMATCH if not slash_ok and "/" in t[ti:] else MATCH
            while ti <= len(t):
                if ti == len(t):
                    break
                matched = dowild(p[pi:], t[ti:], pathname)
                if matched != NOMATCH:
                    if not slash_ok or matched != ABORT_TO_STARSTAR:
                        return matched
                elif not slash_ok and t[ti] == "/":
                    return ABORT_TO_STARSTAR
                ti += 1
            return ABORT_ALL
        elif pc == "[":
            pi += 1
            negated = pi < len(p) and p[pi] in "!^"
            if negated:
                pi += 1
            matched = False
            prev_ch = ""
            while True:
                if pi >= len(p):
                    return ABORT_ALL
                ch = p[pi]
                if ch == "\\":
                    pi += 1
                    if pi >= len(p):
                        return ABORT_ALL
                    ch = p[pi]
                    matched |= tc == ch
                elif ch == "-" and prev_ch and pi + 1 < len(p) and p[pi + 1] != "]":
                    pi += 1
                    ch = p[pi]
                    if ch == "\\":
                        pi += 1
                        if pi >= len(p):
                            return ABORT_ALL
                        ch = p[pi]
                    matched |= prev_ch <= tc <= ch
                    ch = ""
                elif ch == "[" and p[pi + 1 : pi + 2] == ":":
                    close = p.find("]", pi + 2)
                    if close < 0:
                        return ABORT_ALL
                    if close - (pi + 2) < 1 or p[close - 1] != ":":
                        matched |= tc == "["
                    else:
                        name = p[pi + 2 : close - 1]
                        if name not in CLASSES:
                            return ABORT_ALL
                        matched |= tc.isascii() and CLASSES[name](tc)
                        pi = close
                        ch = ""
                else:
                    matched |= tc == ch
                prev_ch = ch
                pi += 1
                if pi < len(p) and p[pi] == "]":
                    break
            if matched == negated or (pathname and tc == "/"):
                return NOMATCH
        elif tc != pc:
            return NOMATCH
        pi += 1
        ti += 1
    return MATCH if ti == len(t) else NOMATCH


def reference(line: str, path: str, is_dir: bool) -> bool | None:
    """git's verdict of a one-line ignore file on ``path``: True ignored, False re-included,
    None not matched. Trailing-space trimming is left to the parser under test."""
    body = line
    negated = body.startswith("!")
    body = body[1:] if negated else body
    if body.endswith("/"):
        if not is_dir:
            return None
        body = body[:-1]
    specials = [i for i, c in enumerate(body) if c in "*?[\\"]
    prefix = specials[0] if specials else len(body)
    if "/" not in body:
        name = path.rpartition("/")[2]
        hit = name == body if prefix == len(body) else dowild(body, name, False) == MATCH
    else:
        if body.startswith("/"):
            body, prefix = body[1:], prefix - 1
        hit = path.startswith(body[:prefix]) and (
            path == body if prefix == len(body) else dowild(body[prefix:], path[prefix:], True) == 0
        )
    return (not negated) if hit else None


def verdict(pattern: Pattern | None, path: str, is_dir: bool) -> bool | None:
    if pattern is None or not pattern.matches(path, is_dir):
        return None
    return pattern.include


# --- strategies -------------------------------------------------------------------------------

PATTERN_PIECES = st.sampled_from(
    ["a", "b", "ab", ".", "-", "*", "**", "?", "/", "[ab]", "[!a]", "[^b]", "[a-c]", "[]a]",
     "[[:alpha:]]", "[[:digit:]x]", "\\*", "\\a", "\\[", "[a"]
)  # fmt: skip
SEGMENTS = st.sampled_from(["a", "b", "ab", "ba", "aab", "a.b", "-", "x1", "*", "[a]"])
PATHS = st.lists(SEGMENTS, min_size=1, max_size=4).map("/".join)
PATTERNS = st.builds(
    lambda negated, pieces, trailing: ("!" if negated else "") + "".join(pieces) + trailing,
    st.booleans(),
    st.lists(PATTERN_PIECES, min_size=1, max_size=6),
    st.sampled_from(["", "", "/"]),
)


@settings(max_examples=300, deadline=None)
@given(PATTERNS, PATHS, st.booleans())
# git's own corner cases: the text before the first wildcard is compared apart, so "**" right
# after it spans folders; "x/**/" is not x itself; "**/" may match no folder at all.
@example("a**/b", "ab/c/b", False)
@example("x/**/", "x", True)
@example("**/b", "b", False)
@example("a/**/b", "a/b", False)
@example("[]a]", "]", False)
@example("[a-[ab]", "a", False)
@example("[z-ab]", "b", False)
@example("**/a*", "[a]", False)
@example("x/**/b", "x/cb", False)
@example("a\\/**", "a/b", False)
def test_matches_like_git_wildmatch(line: str, path: str, is_dir: bool) -> None:
    try:
        pattern = parse_line(line)
    except InvalidPattern:
        # Refused patterns are those git keeps but that can never match.
        assert reference(line, path, is_dir) is None
        return
    assert verdict(pattern, path, is_dir) == reference(line, path, is_dir)


@settings(max_examples=40, deadline=None)
@given(
    stars=st.integers(min_value=1, max_value=40),
    length=st.integers(min_value=1, max_value=300),
    ends_in_b=st.booleans(),
)
def test_star_heavy_patterns_answer_in_bounded_time(
    stars: int, length: int, ends_in_b: bool
) -> None:
    name = "a" * length + ("b" if ends_in_b else "")
    stem = "*a" * stars
    expected = ends_in_b and length >= stars
    for line, path in (
        (stem + "*b", name),
        (stem + "[b]", name),
        ("/" + stem + "*b", name),
        ("**/" + stem + "*b", f"x/y/{name}"),
    ):
        pattern = parse_line(line)
        assert pattern is not None
        assert pattern.matches(path, is_dir=False) is expected
    # Across folders: one folder per character, and "**" at every boundary.
    spread = parse_line("x/" + "**/a" * stars + "/**/b")
    assert spread is not None
    assert spread.matches("x/" + "/".join(name), is_dir=False) is expected


def test_gitignore_syntax_details() -> None:
    def parsed(line: str) -> Pattern:
        pattern = parse_line(line)
        assert pattern is not None
        return pattern

    assert parse_line("# comment") is None
    assert parse_line("   ") is None
    assert parsed("\\#notes").matches("#notes", False)
    assert parsed("\\!keep").include and parsed("\\!keep").matches("!keep", False)
    assert parsed("!keep").include is False
    # Trailing spaces are dropped unless escaped.
    assert parsed("a.log  ").matches("a.log", False)
    assert parsed("a\\ ").matches("a ", False) and not parsed("a\\ ").matches("a", False)
    # A trailing "/" matches folders only; a "/" elsewhere anchors at the base.
    assert parsed("build/").matches("src/build", True)
    assert not parsed("build/").matches("src/build", False)
    assert parsed("/build").matches("build", False)
    assert not parsed("/build").matches("x/build", False)
    assert parsed("doc/*.md").matches("doc/a.md", False)
    assert not parsed("doc/*.md").matches("doc/x/a.md", False)
    assert not parsed("doc/*.md").matches("x/doc/a.md", False)
    # "**" between slashes spans any number of folders, none included; "x/**" is x's inside.
    assert [parsed("a/**/b").matches(p, False) for p in ("a/b", "a/x/b", "a/x/y/b", "ab")] == [
        True,
        True,
        True,
        False,
    ]
    assert parsed("**/b").matches("b", False) and parsed("**/b").matches("x/y/b", False)
    assert parsed("x/**").matches("x/y/z", False) and not parsed("x/**").matches("x", True)
    assert not parsed("x/**/").matches("x", True)
    assert parsed("x/**/").matches("x/y", True) and not parsed("x/**/").matches("x/y", False)
    assert [parsed("[!a]b").matches(p, False) for p in ("bb", "ab")] == [True, False]
    assert [parsed("[^a]b").matches(p, False) for p in ("bb", "ab")] == [True, False]
    assert parsed("x[[:digit:]]").matches("x7", False)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("!", "the pattern is empty"),
        ("/", "the pattern is empty"),
        ("a\\", "the pattern ends with a lone backslash"),
        ("[ab", "a character class is not closed with ]"),
        ("[[:word:]]", "[:word:] is not a character class"),
    ],
)
def test_patterns_that_can_match_nothing_are_refused(line: str, reason: str) -> None:
    patterns, invalid = parse_lines(["*.log", line])
    assert ([p.text for p in patterns], invalid) == (["*.log"], ((line, reason),))


# --- against git itself -----------------------------------------------------------------------


def git_ignored(repo: Path, paths: list[str]) -> set[str]:
    assert GIT is not None
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    out = subprocess.run(
        [GIT, "-C", str(repo), "check-ignore", "--no-index", "--stdin", "-z"],
        input="\0".join(paths).encode() + b"\0",
        capture_output=True,
        env=env,
        check=False,
    ).stdout
    return {os.fsdecode(name) for name in out.split(b"\0") if name}


@pytest.mark.skipif(GIT is None, reason="git is not installed")
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(PATTERNS, min_size=1, max_size=4), st.lists(PATHS, min_size=1, max_size=5))
def test_the_walk_agrees_with_git_check_ignore(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], paths: list[str]
) -> None:
    repo = tmp_path_factory.mktemp("repo")
    subprocess.run([GIT, "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("\n".join(lines) + "\n")
    folders = {"/".join(p.split("/")[:n]) for p in paths for n in range(1, p.count("/") + 1)}
    for folder in sorted(folders):
        (repo / folder).mkdir(parents=True, exist_ok=True)
    leaves = sorted(set(paths) - folders)
    for leaf in leaves:
        (repo / leaf).write_text("")
    asked = sorted(folders | set(leaves))
    excluded = exclusion(repo, [(repo, tuple(lines))])
    ours = {p for p in asked if excluded(p + "/" if p in folders else p)}
    assert ours == git_ignored(repo, asked)


# --- the walk stays fast whatever the patterns ------------------------------------------------


def test_a_star_heavy_gitignore_does_not_stall_the_walk(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / ".gitignore").write_text("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n")
    (root / "lens.toml").write_text("")
    (root / ("a" * 40)).write_text("")
    (root / ("a" * 40 + "b")).write_text("")
    (project,) = discover([root]).projects
    assert project.files == (".gitignore", "a" * 40, "lens.toml")
