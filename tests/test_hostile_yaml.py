"""Hostile YAML: aliases and merge keys that expand a small file into billions of values.

Every YAML file is read by one loader, which measures each document before it is
constructed: a walk expanding every alias and merge key may visit at most 100,000 values
more than the file has characters. Past that, the file is an LN009 finding at the node that
expands too far, whichever reader asked for it, and what it would have said is unknown.
Below it, readers that collect from aliased nodes read each of them once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.ci import ci_definition
from mllint_wa.parsers.ci_systems import GITLAB
from mllint_wa.parsers.cloudformation import parse_template
from mllint_wa.parsers.yaml_doc import ALIAS_ALLOWANCE, load_yaml
from trees import write_tree


def laughs(indent: str = "") -> str:
    """Nine levels of lists of nine aliases to the level below: 9**9 commands when expanded.
    ``a5`` is the first list that expands past the budget of a small file."""
    lines = [f'{indent}a0: &a0 ["echo x", "echo x", "echo x", "echo x", "echo x", "echo x"]']
    lines += [f"{indent}a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def budget_message(text: str) -> str:
    limit = len(text) + ALIAS_ALLOWANCE
    return f"expands to more than {limit} values through aliases and merge keys"


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return write_tree(
        root,
        {
            "lens.toml": "schema_version = 1\n",
            "train.py": "print('training')\n",
            "tests/test_train.py": "def test_x():\n    pass\n",
            **files,
        },
    )


# Each reader of YAML, fed the alias bomb where it collects commands or values, and where
# ``a5``'s anchor stands in the file.
_BOMBS = {
    ".gitlab-ci.yml": (laughs() + "test:\n  script: *a8\n", (6, 5)),
    ".github/workflows/ci.yml": (
        "on: push\nx-lists:\n"
        + laughs("  ")
        + "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: *a8\n",
        (8, 7),
    ),
    "buildspec.yml": (
        "version: 0.2\nx:\n" + laughs("  ") + "phases:\n  build:\n    commands: *a8\n",
        (8, 7),
    ),
    "azure-pipelines.yml": (laughs() + "steps:\n  - script: *a8\n", (6, 5)),
    ".circleci/config.yml": (
        "version: 2.1\nx:\n"
        + laughs("  ")
        + "jobs:\n  test:\n    docker: [{image: python}]\n    steps:\n      - run: *a8\n",
        (8, 7),
    ),
    "bitbucket-pipelines.yml": (
        laughs() + "pipelines:\n  default:\n    - step:\n        script: [*a8]\n",
        (6, 5),
    ),
    ".pre-commit-config.yaml": (
        laughs() + "repos:\n  - repo: local\n    hooks:\n      - id: x\n        entry: *a8\n",
        (6, 5),
    ),
    "params.yaml": (laughs() + "train: {paths: *a8}\n", (6, 5)),
    "environment.yml": (laughs() + "dependencies:\n  - python=3.11\n  - pip: *a8\n", (6, 5)),
    "MLproject": (laughs() + "name: x\nentry_points: {main: {command: *a8}}\n", (6, 5)),
}


@pytest.mark.parametrize("path", sorted(_BOMBS))
def test_an_alias_bomb_is_an_unparseable_file_where_it_expands(lint, tmp_path: Path, path: str):
    text, (line, column) = _BOMBS[path]
    root = project(tmp_path, {path: text})
    assert lint(root, "LN009") == [("LN009", "unparseable-file", path, line, column)]
    assert lint.messages(root, "LN009") == [f"`{path}` {budget_message(text)}"]


def test_a_ci_definition_that_cannot_be_read_leaves_what_ci_runs_unknown(lint, tmp_path: Path):
    root = project(tmp_path, {".gitlab-ci.yml": _BOMBS[".gitlab-ci.yml"][0]})
    # Not "the project has tests but no CI definition runs them": the definition exists.
    assert [code for code, *_ in lint(root, "LN009", "MD034")] == ["LN009"]


def test_a_cloudformation_template_bomb_is_refused_before_it_is_converted():
    text = "AWSTemplateFormatVersion: '2010-09-09'\n" + laughs() + "Resources: {}\n"
    with pytest.raises(ParseError) as raised:
        parse_template(text)
    assert (raised.value.line, raised.value.message) == (7, budget_message(text))


def test_a_chain_of_merge_keys_is_refused_before_the_loader_copies_it():
    # Each mapping merges the one before: 1,000 lines (within the YAML token bound) hold half
    # a million entries once merged, which the loader would copy one by one.
    lines = ["m0: &m0 {k0: 1}"]
    lines += [f"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: 1}}" for i in range(1, 1000)]
    text = "\n".join(lines) + "\n"
    with pytest.raises(ParseError) as raised:
        load_yaml(text)
    assert (raised.value.line, raised.value.message) == (1, budget_message(text))


def test_documents_share_one_budget():
    # Each document alone fits; the file's documents together do not.
    document = "".join(f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]\n" for i in range(1, 14))
    text = "".join(f"---\nl0: &l0 [1, 2]\n{document}" for _ in range(4))
    assert len(load_yaml(text.partition("---\n")[2].partition("---")[0])) == 1
    with pytest.raises(ParseError):
        load_yaml(text)


def test_aliases_within_the_budget_are_read_and_an_aliased_script_counts_once():
    text = (
        ".setup: &setup\n"
        "  - pip install -e .\n"
        "  - pip install pytest\n"
        ".defaults: &defaults\n"
        "  image: python:3.12\n"
        "unit:\n"
        "  <<: *defaults\n"
        "  script: [*setup, pytest]\n"
        "lint:\n"
        "  <<: *defaults\n"
        "  script: [*setup, ruff check .]\n"
    )
    definition = ci_definition(".gitlab-ci.yml", GITLAB, load_yaml(text), text)
    assert [(c.script.text, c.script.position(0), c.job) for c in definition.commands] == [
        ("pip install -e .", (2, 5), "unit"),
        ("pip install pytest", (3, 5), "unit"),
        ("pytest", (8, 20), "unit"),
        ("ruff check .", (11, 20), "lint"),
    ]
    # Merge keys are read too: the hidden job's image, and each job's merged copy of it.
    assert [image.image for image in definition.images] == ["python:3.12"] * 3
