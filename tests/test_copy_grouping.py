"""Copies of one file: the findings of one rule that stand at the same place of files with the
same content, and say the same but for the file's own path, are one finding at the first copy
in path order. The others are named in the message and given as related locations (JSON
``related``, SARIF ``relatedLocations``); the fingerprint is the first copy's own, so adding or
removing another copy keeps it; inline ignores apply to each copy before folding, waivers and
baselines to the folded finding. Content is compared without reading a file for it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from mllint_wa.evidence import Evidence
from test_notebook_grouping import (
    document,
    estimator,
    findings,
    line_of,
    lint,
    notebook,
    write_notebook,
)
from trees import write_tree as write

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
RULE = "unsafe-model-deserialization"
GIT = shutil.which("git")


def serve(ignore: str = "") -> str:
    """A module that unpickles a download: MD022 on its last line."""
    comment = f"  # mllint-wa: ignore[{ignore}] fetched from our own bucket" if ignore else ""
    return (
        "import pickle\n\nimport requests\n\n\ndef load(url):\n"
        "    response = requests.get(url, timeout=10)\n"
        f"    return pickle.loads(response.content){comment}\n"
    )


MESSAGE = (
    "`pickle.loads` unpickles what `requests.get` downloaded (line 7): whoever controls it can "
    "run code here"
)


def related(path: str, message: str = MESSAGE) -> dict[str, object]:
    return {"path": path, "line": 8, "column": 12, "message": message}


def test_the_findings_of_identical_copies_are_one_at_the_first_copy(repo: Path) -> None:
    write(repo, {f"examples/{name}/serve.py": serve() for name in ("c", "a", "b")})
    (found,) = findings("--select", RULE)
    assert (found["path"], found["line"], found["column"]) == ("examples/a/serve.py", 8, 12)
    assert found["message"] == (
        f"{MESSAGE}; the same in 2 identical copies of this file: `examples/b/serve.py` and "
        "`examples/c/serve.py`"
    )
    assert found["related"] == [related("examples/b/serve.py"), related("examples/c/serve.py")]


def test_a_file_that_differs_by_one_byte_is_no_copy(repo: Path) -> None:
    write(repo, {"a/serve.py": serve(), "b/serve.py": serve() + "\n"})
    assert [(f["path"], f["related"]) for f in findings("--select", RULE)] == [
        ("a/serve.py", []),
        ("b/serve.py", []),
    ]


def test_the_fingerprint_is_the_first_copys_whatever_copies_come_and_go(repo: Path) -> None:
    write(repo, {"a/serve.py": serve()})
    (alone,) = findings("--select", RULE)
    write(repo, {"b/serve.py": serve(), "c/serve.py": serve()})
    (three,) = findings("--select", RULE)
    (repo / "b" / "serve.py").unlink()
    (two,) = findings("--select", RULE)
    assert alone["fingerprint"] == three["fingerprint"] == two["fingerprint"]
    assert [r["path"] for r in two["related"]] == ["c/serve.py"]


def test_sarif_gives_the_copies_as_related_locations_and_stays_valid(repo: Path) -> None:
    write(repo, {"a/serve.py": serve(), "b/serve.py": serve()})
    sarif = json.loads(lint("--select", RULE, fmt="sarif").stdout)
    assert list(Draft4Validator(SARIF_SCHEMA).iter_errors(sarif)) == []
    (found,) = sarif["runs"][0]["results"]
    assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a/serve.py"
    assert found["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "b/serve.py"},
                "region": {"startLine": 8, "startColumn": 12},
            },
            "message": {"text": MESSAGE},
        }
    ]


def test_an_ignore_in_one_copy_suppresses_it_and_the_others_still_fold(repo: Path) -> None:
    write(repo, {"a/serve.py": serve(RULE), "b/serve.py": serve(), "c/serve.py": serve()})
    found = document("--select", f"{RULE},unused-ignore")
    (reported,) = found["findings"]
    assert (reported["path"], reported["related"]) == ("b/serve.py", [related("c/serve.py")])
    assert [(s["path"], s["suppression"]["kind"]) for s in found["suppressed"]] == [
        ("a/serve.py", "inline")
    ]


def test_a_waiver_suppresses_the_folded_finding_once(repo: Path) -> None:
    write(
        repo,
        {
            "a/serve.py": serve(),
            "b/serve.py": serve(),
            "lens.toml": """
                schema_version = 1
                [waivers.unsafe-model-deserialization]
                reason = "the examples load models of our own bucket"
                owner = "jane@example.com"
                expires = 2999-01-01
            """,
        },
    )
    found = document("--select", RULE)
    assert found["findings"] == []
    (waived,) = found["suppressed"]
    assert waived["suppression"]["kind"] == "waiver"
    assert [r["path"] for r in waived["related"]] == ["b/serve.py"]


def test_copies_of_a_notebook_fold_after_each_notebooks_objects(repo: Path) -> None:
    text = notebook(estimator("first"), estimator("second"))
    write(repo, {"x/train.ipynb": text, "y/train.ipynb": text})
    (found,) = findings("--select", "training-without-vpc")
    assert found["path"] == "x/train.ipynb"
    assert isinstance(found["message"], str)
    assert found["message"].endswith(
        f"; also in this notebook at line {line_of(text, 'second')} (`second`); the same in 1 "
        "identical copy of this file: `y/train.ipynb`"
    )
    assert [r["path"] for r in found["related"]] == ["x/train.ipynb", *["y/train.ipynb"] * 2]


def test_a_broken_cell_kept_as_it_is_in_other_notebooks_is_one_finding(repo: Path) -> None:
    # A translated copy of a documentation notebook keeps the original's code cells, with
    # their faults, at other lines; a cell broken otherwise is a fault of its own.
    broken = ["outputs = model(**inputs", "print(outputs)"]
    write_notebook(repo, "docs/en/guide.ipynb", ["x = 1"], broken)
    write_notebook(repo, "docs/ko/guide.ipynb", ["x = 1", "y = 2", "z = 3"], broken)
    write_notebook(repo, "docs/ja/guide.ipynb", ["x = 1", "y = 2"], broken)
    write_notebook(repo, "docs/zh/guide.ipynb", ["x = 1"], ["outputs = model(**inputs]"])
    # training-without-vpc reads the notebooks' code; none of them makes a job.
    found = findings("--select", "unparseable-file,training-without-vpc")
    assert [(f["path"], [r["path"] for r in f["related"]]) for f in found] == [
        ("docs/en/guide.ipynb", ["docs/ja/guide.ipynb", "docs/ko/guide.ipynb"]),
        ("docs/zh/guide.ipynb", []),
    ]
    assert found[0]["message"] == (
        "`docs/en/guide.ipynb` cell 3 has a syntax error: '(' was never closed; that cell was "
        "left out, the other cells were read; the same in 2 other files that hold this code "
        "as it is: `docs/ja/guide.ipynb` and `docs/ko/guide.ipynb`"
    )


def test_files_in_other_projects_are_not_folded(repo: Path) -> None:
    write(repo, {"a/serve.py": serve(), "b/serve.py": serve(), "b/lens.toml": ""})
    assert [f["path"] for f in findings("--select", RULE)] == ["a/serve.py", "b/serve.py"]


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_committed_copies_are_compared_by_the_index_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = b"a,b\n" + b"1,2\n" * 400_000
    root = write(
        tmp_path / "repo",
        {"lens.toml": "schema_version = 1\n", "a/data/train.csv": rows, "b/data/train.csv": rows},
    )
    assert GIT is not None
    subprocess.run([GIT, "init", "-q"], cwd=root, check=True)
    subprocess.run([GIT, "add", "-A"], cwd=root, check=True)
    read: list[str] = []
    reading = Evidence._read

    def spied(self: Evidence, path: str) -> object:
        read.append(path)
        return reading(self, path)

    monkeypatch.setattr(Evidence, "_read", spied)
    monkeypatch.chdir(root)
    (found,) = findings("--select", "large-file-in-git")
    assert found["path"] == "a/data/train.csv"
    assert isinstance(found["message"], str)
    assert found["message"].startswith("`a/data/train.csv` is a 1.6 MB")
    assert found["message"].endswith(
        "; the same in 1 identical copy of this file: `b/data/train.csv`"
    )
    assert [r["message"] for r in found["related"]] == [
        found["message"].split("; the same")[0].replace("a/data", "b/data")
    ]
    assert [path for path in read if path.endswith(".csv")] == []
