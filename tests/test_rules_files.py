"""LN009 unparseable-file: files the rules rely on that could not be parsed."""

from __future__ import annotations

import json
import sys

import pytest

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.python_code import parse_python
from trees import write_files as _write


def test_unparseable_file_reported_once_at_the_error_line(lint):
    assert lint("unparseable-file", "LN009")[0] == (
        "LN009",
        "unparseable-file",
        ".github/workflows/ci.yml",
        8,
        6,
    )
    assert lint.messages("unparseable-file", "LN009")[0] == (
        "`.github/workflows/ci.yml` is not valid YAML: expected <block end>, but found "
        "'<block sequence start>'"
    )


def test_unparseable_file_quiet_on_templated_workflows(lint):
    # templates/ and {{cookiecutter.project}}/ hold Jinja workflows that are not YAML yet.
    found = lint("unparseable-file", "LN009")
    assert not [path for _, _, path, *_ in found if "templat" in path or "{{" in path]


def test_braces_of_expressions_and_quoted_go_templates_make_no_template(lint):
    # release.yml's `${{ github.sha }}` is GitHub's and its `'{{.Config.User}}'` is
    # docker's: the workflow is no template, and its bad indentation is reported.
    found = lint("unparseable-file", "LN009")
    assert ("LN009", "unparseable-file", ".github/workflows/release.yml", 8, 6) in found


def test_a_notebook_cell_that_is_not_python_is_reported_and_the_others_are_read(lint):
    # notebooks/train.ipynb: cell 2 holds `<PROJECT NAME>`, for the reader to fill in: left
    # out with a warning, no finding. Cell 4 is a Python 2 print statement, reported; cells
    # 3 and 5 split the data and start a SageMaker training job, and are read.
    rows = lint("unparseable-file", "LN009", "MD001", "DP031")
    assert [row for row in rows if row[2] == "notebooks/train.ipynb"] == [
        ("MD001", "unseeded-randomness", "notebooks/train.ipynb", 32, 20),
        ("LN009", "unparseable-file", "notebooks/train.ipynb", 41, 6),
        ("DP031", "training-without-vpc", "notebooks/train.ipynb", 53, 18),
    ]
    messages = lint.messages("unparseable-file", "LN009", "MD001")
    assert [m for m in messages if m.startswith("`notebooks/train.ipynb`")] == [
        "`notebooks/train.ipynb` cell 4 has Python 2 code (`print` used as a statement), which "
        "Python 3 cannot run; that cell was left out"
    ]
    warnings = lint.result("unparseable-file", "LN009", "MD001").warnings
    assert (
        "`notebooks/train.ipynb` cell 2 has a fill-in placeholder `<PROJECT NAME>` where code "
        "belongs; that cell was left out (line 18): not checked, and not reported as "
        "unparseable"
    ) in warnings


def _notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}
                for source in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def test_a_python_2_cell_is_named_as_such(lint, tmp_path):
    text = _notebook("import torch\n", "try:\n    run()\nexcept IOError, error:\n    pass\n")
    _write(tmp_path, {"nb.ipynb": text})
    assert lint.messages(tmp_path, "LN009", "MD001") == [
        "`nb.ipynb` cell 2 has Python 2 code (`except E, name:`), which Python 3 cannot run; "
        "that cell was left out, the other cells were read"
    ]


def test_unparseable_file_reports_python_a_rule_needed(lint, tmp_path):
    (tmp_path / "train.py").write_text("import random\ndef f(:\n", encoding="utf-8")
    from mllint_wa.context import ProjectContext
    from mllint_wa.model import Stage
    from mllint_wa.parsers.python_code import parse_python
    from mllint_wa.project import Project

    ctx = ProjectContext(Project(tmp_path, ("train.py",)), Stage.DEVELOPMENT, None)
    assert ctx.evidence.parse("train.py", parse_python) is None
    [failure] = ctx.evidence.failures
    assert (failure.path, failure.line) == ("train.py", 2)


def test_a_value_left_blank_is_named_as_such_and_only_a_module_reports_it(lint, tmp_path):
    # In a notebook it is an example's place for its reader to fill in: a warning that the
    # cell was not checked. A program with it cannot run: reported.
    blank = 'TRACKING_ARN = # "arn:…" or None\nprint(1)\n'
    _write(tmp_path, {"nb.ipynb": _notebook("import torch\n", blank)})
    result = lint.result(tmp_path, "LN009", "MD001")
    assert result.findings == []
    assert result.warnings == [
        "`nb.ipynb` cell 2 has a value left blank to fill in (`TRACKING_ARN =` and nothing "
        "after it); that cell was left out, the other cells were read (line 13): not checked, "
        "and not reported as unparseable"
    ]
    _write(tmp_path, {"train.py": "import torch\n" + blank})
    assert lint.messages(tmp_path, "LN009", "MD001") == [
        "`train.py` has a value left blank to fill in (`TRACKING_ARN =` and nothing after it)"
    ]


def test_arguments_left_out_as_an_ellipsis_are_named_and_only_a_module_reports_them(lint, tmp_path):
    # Documentation writes `...` for the arguments it does not show; after a keyword
    # argument that is no Python. In a notebook it is the example's place for its reader to
    # complete: a warning that the cell was not checked. A program with it cannot run:
    # reported. A call that only passes `...` is Python and is read.
    elided = "trainer = Trainer(model=model, ...)\ntrainer.train()\n"
    text = _notebook("import torch\n", elided)
    _write(tmp_path, {"nb.ipynb": text, "ok.ipynb": _notebook("import torch\n", "f(...)\n")})
    result = lint.result(tmp_path, "LN009", "MD001")
    assert result.findings == []
    assert result.warnings == [
        "`nb.ipynb` cell 2 has an ellipsis (`...`) standing for arguments the example leaves "
        "out; that cell was left out, the other cells were read (line 13): not checked, and "
        "not reported as unparseable"
    ]
    _write(tmp_path, {"train.py": "import torch\n" + elided})
    assert lint.messages(tmp_path, "LN009", "MD001") == [
        "`train.py` has an ellipsis (`...`) standing for arguments the example leaves out"
    ]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 reads the f-string")
def test_an_f_string_newer_than_the_running_python_is_said_to_be_so():
    with pytest.raises(ParseError) as raised:
        parse_python('name = f"{row["name"]}"\n')
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert raised.value.message.startswith(
        f"has an f-string that the Python {running} running mllint-wa cannot read (f-string:"
    )
    assert raised.value.message.endswith("Python 3.12 reads more f-strings")


def test_syntax_that_a_newer_python_reads_is_no_unparseable_file(lint):
    # src/report.py and cell 2 of notebooks/holdout.ipynb reuse an f-string's quotes inside
    # its braces, valid from Python 3.12 (PEP 701): whatever Python runs, no finding says
    # they are broken, and the notebook's split in cell 3 is read.
    rows = lint("unparseable-file", "LN009", "MD001")
    assert [row[2:] for row in rows if row[2] in ("src/report.py", "notebooks/holdout.ipynb")] == [
        ("notebooks/holdout.ipynb", 30, 20)
    ]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 reads the f-strings")
def test_a_run_warns_of_what_a_newer_python_would_have_read(lint):
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    cannot = f"has an f-string that the Python {running} running mllint-wa cannot read"
    warnings = lint.result("unparseable-file", "LN009", "MD001").warnings
    assert [w for w in warnings if "f-string" in w] == [
        f"`notebooks/holdout.ipynb` cell 2 {cannot} (f-string: expecting '}}'); Python 3.12 "
        "reads more f-strings; that cell was left out, the other cells were read (line 19): "
        "not checked, and not reported as unparseable",
        f"`src/report.py` {cannot} (f-string: unmatched '['); Python 3.12 reads more "
        "f-strings (line 7): not checked, and not reported as unparseable",
    ]


def test_an_f_string_broken_on_every_python_is_reported(lint, tmp_path):
    # An empty `{}` and a brace left open are errors on Python 3.12 too: reported, whatever
    # Python runs the linter.
    cells = ("import torch\n", 'print(f"loss {}")\n', 'print(f"Answer: {answer")\n')
    _write(tmp_path, {"a.ipynb": _notebook(cells[0], cells[1]), "b.ipynb": _notebook(*cells[::2])})
    assert [row[2:4] for row in lint(tmp_path, "LN009", "MD001")] == [
        ("a.ipynb", 13),
        ("b.ipynb", 13),
    ]


@pytest.mark.parametrize(
    ("line", "newer"),
    [
        ('name = f"{row["name"]}"', True),  # the quote reused inside the braces
        ("print(f'{sys.version.split('|')[0]}')", True),
        ("print(f\"{'\\n'.join(lines)}\")", True),  # a backslash inside the braces
        ('x = f"{{literal}}" + rf"{a["b"]}"', True),
        ('print(f"loss {}")', False),  # empty on every Python
        ('print(f"Answer: {answer")', False),  # never closed
        ('x = f"{a}" "b"', False),
    ],
)
def test_what_python_3_12_reads_of_an_f_string_is_told_from_the_line(line, newer):
    from mllint_wa.parsers.python_code import reads_as_pep701

    assert reads_as_pep701(line) is newer
