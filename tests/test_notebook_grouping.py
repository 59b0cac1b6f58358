"""One finding per rule and notebook: the other objects a rule reports in the same notebook are
named in the message and given as related locations (JSON ``related``, SARIF
``relatedLocations``); the fingerprint names the rule and the notebook only, and inline
ignores, waivers and baselines keep working on the folded finding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft4Validator

from mllint_wa.cli import main
from mllint_wa.config import pyproject_layer
from mllint_wa.context import ProjectContext
from mllint_wa.model import Location, Related, Violation, fingerprint
from plugins import FakeEntryPoint, plugin_rule
from trees import write_tree as write

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
RULE = "training-without-vpc"


def estimator(name: str, ignore: str = "") -> list[str]:
    comment = [f"# mllint-wa: ignore[{ignore}] a demo in the default VPC"] if ignore else []
    return [
        *comment,
        f"{name} = PyTorch(",
        '    entry_point="train.py",',
        '    role="arn:aws:iam::111122223333:role/training",',
        '    instance_type="ml.m5.xlarge",',
        "    instance_count=1,",
        ")",
    ]


def notebook(*cells: list[str]) -> str:
    """A notebook with one code cell importing the SDK, then one cell per list of lines."""
    sources = [["from sagemaker.pytorch import PyTorch"], *cells]
    document = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": [f"{line}\n" for line in source],
            }
            for source in sources
        ],
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1) + "\n"


def line_of(text: str, name: str) -> int:
    """The line of the .ipynb file where ``name = PyTorch(`` stands."""
    return position(text, name)[0]


def position(text: str, name: str) -> tuple[int, int]:
    """The line and column of the .ipynb file where ``name``'s ``PyTorch(`` call stands."""
    for number, line in enumerate(text.splitlines(), 1):
        if f'"{name} = PyTorch(' in line:
            return number, line.index("PyTorch(") + 1
    raise AssertionError(f"no {name} in the notebook")


def lint(*args: str, fmt: str = "json") -> Result:
    pyproject_layer.cache_clear()
    return CliRunner().invoke(main, ["--format", fmt, *args])


def document(*args: str) -> dict[str, list[dict[str, object]]]:
    result = lint(*args)
    assert result.exit_code in (0, 1), result.stderr
    found: dict[str, list[dict[str, object]]] = json.loads(result.stdout)
    return found


def findings(*args: str) -> list[dict[str, object]]:
    return document(*args)["findings"]


def write_notebook(repo: Path, name: str, *cells: list[str]) -> str:
    text = notebook(*cells)
    write(repo, {name: text})
    return text


# -- folding ------------------------------------------------------------------------------------


def test_the_findings_of_one_rule_in_a_notebook_are_one_at_the_first_object(repo: Path) -> None:
    text = write_notebook(
        repo, "train.ipynb", estimator("first"), estimator("second"), estimator("third")
    )
    (found,) = findings("--select", RULE)
    first, second, third = (position(text, n) for n in ("first", "second", "third"))
    assert (found["path"], found["line"], found["column"]) == ("train.ipynb", *first)
    assert isinstance(found["message"], str)
    assert found["message"].startswith("training job `first` (PyTorch) runs outside any VPC")
    assert found["message"].endswith(
        f"; also in this notebook at line {second[0]} (`second`) and line {third[0]} (`third`)"
    )
    assert found["related"] == [
        {
            "path": "train.ipynb",
            "line": second[0],
            "column": second[1],
            "message": "training job `second` (PyTorch) runs outside any VPC: subnets and "
            "security groups are not given (`subnets` and `security_group_ids`)",
        },
        {
            "path": "train.ipynb",
            "line": third[0],
            "column": third[1],
            "message": "training job `third` (PyTorch) runs outside any VPC: subnets and "
            "security groups are not given (`subnets` and `security_group_ids`)",
        },
    ]


def test_scripts_are_not_folded_and_each_notebook_keeps_its_own_finding(repo: Path) -> None:
    a = write_notebook(repo, "a.ipynb", estimator("one"), estimator("two"))
    b = write_notebook(repo, "b.ipynb", estimator("three"))
    script = "\n".join(["from sagemaker.pytorch import PyTorch", *estimator("x"), *estimator("y")])
    write(repo, {"train.py": script + "\n"})
    assert [(f["path"], f["line"]) for f in findings("--select", RULE)] == [
        ("a.ipynb", line_of(a, "one")),
        ("b.ipynb", line_of(b, "three")),
        ("train.py", 2),
        ("train.py", 8),
    ]


def test_the_message_names_ten_others_and_counts_the_rest(repo: Path) -> None:
    write_notebook(repo, "sweep.ipynb", *(estimator(f"job_{n:02}") for n in range(13)))
    (found,) = findings("--select", RULE)
    message = found["message"]
    assert isinstance(message, str)
    assert "(`job_10`)" in message and "(`job_11`)" not in message
    assert message.endswith("(`job_10`) and 2 more places")
    assert isinstance(found["related"], list) and len(found["related"]) == 12


def test_the_fingerprint_does_not_change_when_an_object_is_added(repo: Path) -> None:
    write_notebook(repo, "train.ipynb", estimator("only"))
    (alone,) = findings("--select", RULE)
    write_notebook(repo, "train.ipynb", estimator("only"), estimator("later"))
    (two,) = findings("--select", RULE)
    write_notebook(repo, "train.ipynb", estimator("earlier"), estimator("only"), estimator("later"))
    (three,) = findings("--select", RULE)
    assert alone["fingerprint"] == two["fingerprint"] == three["fingerprint"]
    assert alone["message"] != two["message"] != three["message"]
    assert alone["related"] == []


def test_a_rule_that_reports_a_notebook_as_a_whole_keeps_its_fingerprint(repo: Path) -> None:
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "outputs": [{"output_type": "stream", "name": "stdout", "text": ["x" * 2000]}],
        "source": ["print('x')\n"],
    }
    text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    write(repo, {"eda.ipynb": text})
    (found,) = findings("--select", "notebook-outputs-committed")
    # As before findings were folded: the rule's anchor is the notebook's path.
    assert found["fingerprint"] == fingerprint("MD002", "eda.ipynb", "eda.ipynb", "")


def test_sarif_gives_the_others_as_related_locations_and_stays_valid(repo: Path) -> None:
    text = write_notebook(repo, "nb/train.ipynb", estimator("a"), estimator("b"))
    b_line, b_column = position(text, "b")
    result = lint("--select", RULE, fmt="sarif")
    sarif = json.loads(result.stdout)
    assert list(Draft4Validator(SARIF_SCHEMA).iter_errors(sarif)) == []
    (found,) = sarif["runs"][0]["results"]
    assert found["locations"][0]["physicalLocation"]["region"]["startLine"] == line_of(text, "a")
    assert found["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "nb/train.ipynb"},
                "region": {"startLine": b_line, "startColumn": b_column},
            },
            "message": {
                "text": "training job `b` (PyTorch) runs outside any VPC: subnets and security "
                "groups are not given (`subnets` and `security_group_ids`)"
            },
        }
    ]


# -- suppression --------------------------------------------------------------------------------


def test_an_ignore_on_one_object_suppresses_that_object_only(repo: Path) -> None:
    write_notebook(repo, "train.ipynb", estimator("a"), estimator("b"), estimator("c"))
    before = findings("--select", RULE)
    text = write_notebook(
        repo, "train.ipynb", estimator("a", ignore=RULE), estimator("b"), estimator("c")
    )
    found = document("--select", f"{RULE},unused-ignore")
    (reported,) = found["findings"]
    # The folded finding now stands on the first object not ignored, with the same identity.
    assert (reported["line"], reported["fingerprint"]) == (
        line_of(text, "b"),
        before[0]["fingerprint"],
    )
    assert [r["line"] for r in reported["related"]] == [line_of(text, "c")]
    assert [(s["line"], s["suppression"]) for s in found["suppressed"]] == [
        (
            line_of(text, "a"),
            {
                "kind": "inline",
                "by": f"train.ipynb:{line_of(text, 'a') - 1}",
                "justification": "a demo in the default VPC",
            },
        )
    ]


def test_an_ignore_on_a_later_object_is_used_and_leaves_the_others_reported(repo: Path) -> None:
    text = write_notebook(
        repo, "train.ipynb", estimator("a"), estimator("b", ignore=RULE), estimator("c")
    )
    found = document("--select", f"{RULE},unused-ignore")
    assert [(f["code"], f["line"]) for f in found["findings"]] == [("DP031", line_of(text, "a"))]
    assert [r["line"] for r in found["findings"][0]["related"]] == [line_of(text, "c")]
    assert [s["line"] for s in found["suppressed"]] == [line_of(text, "b")]


def test_ignores_on_every_object_leave_nothing_reported(repo: Path) -> None:
    write_notebook(repo, "train.ipynb", estimator("a", RULE), estimator("b", RULE))
    found = document("--select", f"{RULE},unused-ignore")
    assert found["findings"] == []
    assert len(found["suppressed"]) == 2


def test_a_waiver_suppresses_the_folded_finding_once(repo: Path) -> None:
    write_notebook(repo, "train.ipynb", estimator("a"), estimator("b"))
    write(
        repo,
        {
            "lens.toml": """
                schema_version = 1
                [waivers.training-without-vpc]
                reason = "demo notebooks run in the default VPC"
                owner = "jane@example.com"
                expires = 2999-01-01
            """
        },
    )
    found = document("--select", RULE)
    assert found["findings"] == []
    (waived,) = found["suppressed"]
    assert waived["suppression"]["kind"] == "waiver"
    assert len(waived["related"]) == 1


def test_a_baseline_keeps_absorbing_a_notebook_that_gains_an_object(repo: Path) -> None:
    write_notebook(repo, "train.ipynb", estimator("a"), estimator("b"))
    written = lint("--select", RULE, "--write-baseline", "baseline.json")
    assert "recorded 1 finding in the baseline" in written.stderr
    write_notebook(repo, "train.ipynb", estimator("a"), estimator("b"), estimator("c"))
    again = lint("--select", RULE, "--baseline", "baseline.json")
    assert json.loads(again.stdout)["findings"] == []
    assert again.stderr == ""  # no stale entry
    assert again.exit_code == 0
    write_notebook(repo, "other.ipynb", estimator("d"))
    new = lint("--select", RULE, "--baseline", "baseline.json")
    assert [f["path"] for f in json.loads(new.stdout)["findings"]] == ["other.ipynb"]
    assert new.exit_code == 1


# -- the mechanism is generic ------------------------------------------------------------------


@plugin_rule("MD901", "every-cell-counted")
def every_cell_counted(ctx: ProjectContext) -> Iterator[Violation]:
    """A test rule: any rule's findings in a notebook are folded."""
    for path in ctx.project.files:
        if path.endswith((".ipynb", ".py")):
            for line in (1, 2):
                yield Violation(f"line {line} of `{path}`", Location(path, line), f"{path}:{line}")
            related = (Related(Location(path, 4), "where it came from"),)
            yield Violation(f"`x` at 3 of {path}", Location(path, 3), f"{path}:3", related=related)


def test_any_rule_is_folded_in_notebooks_and_its_own_related_places_are_kept(
    repo: Path, plugins: list[FakeEntryPoint]
) -> None:
    plugins.append(FakeEntryPoint("counted", every_cell_counted))
    write(repo, {"a.ipynb": notebook(["x = 1"]), "b.py": "x = 1\n"})
    found = findings("--select", "MD901")
    assert [(f["path"], f["line"], len(f["related"])) for f in found] == [
        ("a.ipynb", 1, 3),
        ("b.py", 1, 0),
        ("b.py", 2, 0),
        ("b.py", 3, 1),
    ]
    assert found[0]["message"] == (
        "line 1 of `a.ipynb`; also in this notebook at line 2 and line 3 (`x`)"
    )
    assert found[3]["related"] == [
        {"path": "b.py", "line": 4, "column": 1, "message": "where it came from"}
    ]


@plugin_rule("MD902", "related-nowhere")
def related_nowhere(ctx: ProjectContext) -> Iterator[Violation]:
    """A broken test rule."""
    yield Violation("m", Location("lens.toml"), related=(Related(Location("../x"), "out"),))


def test_a_related_place_outside_the_project_is_a_rule_failure(
    repo: Path, plugins: list[FakeEntryPoint]
) -> None:
    plugins.append(FakeEntryPoint("nowhere", related_nowhere))
    result = lint("--select", "MD902")
    assert result.exit_code == 2
    assert "location path '../x' is not a path inside the project" in result.stderr


# -- what is not about the notebook -------------------------------------------------------------


def test_a_finding_about_what_the_project_lacks_keeps_the_fingerprint_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No manifest: missing-model-card stands on the notebook that imports an ML framework,
    # and its identity is that of the card it asks for, wherever it stands.
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    monkeypatch.chdir(root)
    write_notebook(
        root,
        "fit.ipynb",
        ["from sagemaker.pytorch import PyTorch"],
        estimator("a"),
        estimator("b"),
        ["a.fit()"],
    )
    (on_notebook,) = findings("--select", "missing-model-card")
    (root / "fit.ipynb").unlink()
    write(
        root,
        {
            "train.py": "\n".join(
                ["from sagemaker.pytorch import PyTorch", *estimator("a"), "a.fit()"]
            )
        },
    )
    (on_module,) = findings("--select", "missing-model-card")
    assert on_notebook["path"] == "fit.ipynb"
    assert on_notebook["related"] == []
    assert on_notebook["fingerprint"] == on_module["fingerprint"]
    assert on_notebook["fingerprint"] == fingerprint(
        "MD040", "MODEL_CARD.md", "model.card", on_notebook["message"]
    )


@plugin_rule("MD903", "project-facts")
def project_facts(ctx: ProjectContext) -> Iterator[Violation]:
    """A test rule: two facts of the project that stand on a notebook, and one of its cells."""
    yield Violation("no tests at all", Location("nb.ipynb", 2), anchor="tests")
    yield Violation("no card", Location("nb.ipynb", 3), anchor="card", about="CARD.md")
    yield Violation("cell 4", Location("nb.ipynb", 4), anchor="nb.ipynb:cell:4")


def test_a_finding_whose_anchor_names_no_part_of_the_notebook_is_not_folded(
    repo: Path, plugins: list[FakeEntryPoint]
) -> None:
    plugins.append(FakeEntryPoint("facts", project_facts))
    write(repo, {"nb.ipynb": notebook(["x = 1"])})
    found = findings("--select", "MD903")
    assert [(f["line"], f["message"], f["related"]) for f in found] == [
        (2, "no tests at all", []),
        (3, "no card", []),
        (4, "cell 4", []),
    ]
    assert [f["fingerprint"] for f in found] == [
        fingerprint("MD903", "nb.ipynb", "tests", ""),
        fingerprint("MD903", "CARD.md", "card", ""),
        # The notebook's own finding, folded alone: the notebook's fingerprint.
        fingerprint("MD903", "nb.ipynb", "nb.ipynb", ""),
    ]
