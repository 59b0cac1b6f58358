"""Notebooks: nbformat JSON read directly, every code position mapped to the .ipynb file."""

from __future__ import annotations

import ast
import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.evidence import ParseError
from mllint_wa.parsers.notebook import parse_notebook


def _cell(source: str | list[str], count: int | None = None, outputs: list | None = None):
    return {
        "cell_type": "code",
        "execution_count": count,
        "metadata": {},
        "outputs": outputs or [],
        "source": source,
    }


def _notebook(*cells: dict, language: str = "python") -> dict:
    return {
        "cells": list(cells),
        "metadata": {"kernelspec": {"language": language, "name": "k"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _pretty(notebook: dict) -> str:
    """The layout Jupyter writes: one-space indent, sorted keys, a source line per string."""
    return json.dumps(notebook, indent=1, sort_keys=True) + "\n"


def _minified(notebook: dict) -> str:
    return json.dumps(notebook, separators=(",", ":"))


def _lines(source: str) -> list[str]:
    return source.splitlines(keepends=True)


def _call_sites(text: str) -> dict[str, str]:
    """Each call's qualified name → the file text at the position it maps to."""
    module = parse_notebook(text).python()
    lines = text.split("\n")
    sites = {}
    for name, call in module.calls():
        line, column = module.position(call)
        sites[name] = lines[line - 1][column - 1 :]
    return sites


SOURCE = "import numpy as np\nx = np.random.rand(3)\nif x.any():\n    y = np.zeros(2)\n"


@pytest.mark.parametrize("layout", [_pretty, _minified], ids=["pretty", "minified"])
@pytest.mark.parametrize("split", [True, False], ids=["list-source", "string-source"])
def test_every_code_position_maps_to_where_the_code_stands_in_the_file(layout, split):
    notebook = _notebook(_cell("# first cell\n"), _cell(_lines(SOURCE) if split else SOURCE))
    sites = _call_sites(layout(notebook))
    assert sites["numpy.random.rand"].startswith("np.random.rand(3)")
    assert sites["numpy.zeros"].startswith("np.zeros(2)")


def test_pretty_layout_positions_are_the_lines_jupyter_writes():
    text = _pretty(_notebook(_cell(_lines(SOURCE), 1)))
    module = parse_notebook(text).python()
    [(_, call)] = [(n, c) for n, c in module.calls() if n == "numpy.random.rand"]
    line, column = module.position(call)
    assert text.split("\n")[line - 1] == '    "x = np.random.rand(3)\\n",'
    assert column == 10


def test_minified_notebook_positions_are_columns_on_line_one():
    text = _minified(_notebook(_cell(SOURCE)))
    module = parse_notebook(text).python()
    positions = {name: module.position(call) for name, call in module.calls()}
    line, column = positions["numpy.random.rand"]
    assert line == 1
    assert text[column - 1 :].startswith("np.random.rand(3)")


def test_a_line_split_over_two_source_strings_is_one_line():
    text = _pretty(_notebook(_cell(["x = np.random.", "rand(3)\n", "y = 1\n"])))
    module = parse_notebook(text).python()
    assert [name for name, _ in module.calls()] == ["np.random.rand"]
    assert (
        module.position(module.calls()[0][1])[0]
        == text.split("\n").index('    "x = np.random.",') + 1
    )


def test_ipython_syntax_is_neutralised_in_place():
    source = [
        "%matplotlib inline\n",
        "!pip install -q scikit-learn\n",
        "files = !ls data\n",
        "for f in files:\n",
        "    !wc -l {f}\n",
        "np.random.rand?\n",
        "??np\n",
        "%time model = make_model(3)\n",
    ]
    notebook = parse_notebook(_pretty(_notebook(_cell(source))))
    assert notebook.code.split("\n")[:8] == [
        "pass",
        "pass",
        "files = None",
        "for f in files:",
        "    pass",
        "pass",
        "pass",
        "model = make_model(3)",
    ]
    sites = _call_sites(_pretty(_notebook(_cell(source))))
    assert sites["make_model"].startswith("make_model(3)")  # the column past `%time ` is kept


def test_shell_commands_continued_with_a_backslash_are_left_out_whole():
    source = [
        "!python train.py --epochs 10 \\\n",
        "    --model tiny \\\n",
        "    --lr 0.1\n",
        "%time fit(1, \\\n",
        "  2)\n",
    ]
    notebook = parse_notebook(_pretty(_notebook(_cell(source))))
    assert notebook.code.split("\n")[:5] == ["pass", "", "", "fit(1, \\", "  2)"]


def test_automagics_and_indented_cells_read_as_ipython_runs_them():
    # IPython runs `pip install`, `cd` and `rm` without `%`, and dedents a cell first.
    notebook = parse_notebook(
        _pretty(
            _notebook(
                _cell(["pip install sagemaker\n", "cd data/\n", "rm -rf out*\n", "run = 3\n"]),
                _cell(["    !pip install datasets\n", "    model = fit(3)\n"]),
            )
        )
    )
    assert [line for line in notebook.code.split("\n") if line] == [
        "pass",
        "pass",
        "pass",
        "run = 3",
        "pass",
        "model = fit(3)",
    ]
    sites = _call_sites(_pretty(_notebook(_cell(["    !pip install x\n", "    fit(3)\n"]))))
    assert sites["fit"].startswith("fit(3)")  # the column in the file is kept


def test_a_cell_that_is_python_already_is_not_touched():
    # `%` at the start of a continuation line is Python's modulo, not a magic.
    source = ["total = (hours\n", "% 24)\n"]
    notebook = parse_notebook(_pretty(_notebook(_cell(source))))
    assert notebook.code.startswith("total = (hours\n% 24)\n")


def test_cell_magics_leave_their_cell_out_unless_the_body_is_python():
    notebook = parse_notebook(
        _pretty(
            _notebook(
                _cell(["%%bash\n", "echo $HOME | tr a b\n"]),
                _cell(["%%time\n", "model = fit(3)\n"]),
            )
        )
    )
    assert [line for line in notebook.code.split("\n") if line] == ["model = fit(3)"]


def test_outputs_execution_counts_and_images_are_detected_per_cell():
    image = {
        "data": {"image/png": "iVBORw0KGgo=", "text/plain": ["<Figure>"]},
        "metadata": {},
        "output_type": "display_data",
    }
    stream = {"name": "stdout", "output_type": "stream", "text": ["hello\n"]}
    text = _pretty(_notebook(_cell("print('hello')\n", 1, [stream, image]), _cell("x = 1\n", 2)))
    notebook = parse_notebook(text)
    first, second = notebook.cells
    assert [cell.execution_count for cell in notebook.cells] == [1, 2]
    assert [output.images for output in first.outputs] == [(), ("image/png",)]
    assert second.outputs == ()
    lines = text.split("\n")
    assert lines[first.outputs[0].line - 1].strip() == "{"
    assert lines[first.count_line - 1].strip() == '"execution_count": 1,'
    stored = json.dumps(stream, indent=1, sort_keys=True)
    assert first.outputs[0].size == len(stored.replace("\n", "\n    ")) > 0


def test_nbformat_3_worksheets_are_read():
    text = json.dumps(
        {
            "nbformat": 3,
            "metadata": {},
            "worksheets": [
                {
                    "cells": [
                        {
                            "cell_type": "code",
                            "language": "python",
                            "input": ["import random\n", "random.shuffle(rows)\n"],
                            "prompt_number": 7,
                            "outputs": [{"output_type": "pyout", "png": "iVBOR", "text": ["x"]}],
                        }
                    ]
                }
            ],
        },
        indent=1,
    )
    notebook = parse_notebook(text)
    [cell] = notebook.cells
    assert (cell.execution_count, cell.outputs[0].images) == (7, ("image/png",))
    sites = _call_sites(text)
    assert sites["random.shuffle"].startswith("random.shuffle(rows)")


def test_a_notebook_of_another_language_is_not_python():
    notebook = parse_notebook(_pretty(_notebook(_cell("library(dplyr)\n"), language="R")))
    assert not notebook.is_python


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('{\n "cells": [\n  {,\n', "is not valid JSON: Expecting property name", 3, 4),
        ("[1, 2]", "is not a Jupyter notebook: the top level is not a JSON object", 1, 1),
        ('{"cells": []}', "is not a Jupyter notebook: it has no `nbformat` number", 1, 1),
        ('{"nbformat": 2, "worksheets": []}', "is nbformat 2, too old to be read", 1, 1),
        ('{"nbformat": 4}', "is not a Jupyter notebook: it has no list of `cells`", 1, 1),
        ("", "is not valid JSON: Expecting value", 1, 1),
    ],
)
def test_input_that_is_no_notebook_is_a_parse_error_at_its_position(text, message, line, column):
    with pytest.raises(ParseError) as raised:
        parse_notebook(text)
    assert raised.value.message.startswith(message)
    assert (raised.value.line, raised.value.column) == (line, column)


def test_deep_nesting_is_refused_before_json_recursion():
    text = '{"nbformat": 4, "cells": [], "metadata": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ParseError) as raised:
        parse_notebook(text)
    assert raised.value.message == "is nested more than 64 levels deep"
    assert (raised.value.line, raised.value.column) == (1, 42 + 63)


def test_a_cell_with_a_syntax_error_is_left_out_at_its_line_in_the_file():
    text = _pretty(
        _notebook(
            _cell("x = 1\n"),
            _cell(["import random\n", "random.shuffle(rows\n"]),
            _cell("y = 2\n"),
        )
    )
    module = parse_notebook(text).python()  # the notebook itself reads fine
    [left_out] = module.left_out
    assert (left_out.part, left_out.problem) == ("cell 2", "a syntax error: '(' was never closed")
    line = text.split("\n")[left_out.line - 1]
    assert line == '    "random.shuffle(rows\\n"'
    assert line[left_out.column - 1] == "("
    # The cells around it are read, each at its own line in the file.
    assigned = [node for node in ast.walk(module.tree) if isinstance(node, ast.Assign)]
    lines = text.split("\n")
    assert [lines[module.position(node)[0] - 1].strip() for node in assigned] == [
        '"source": "x = 1\\n"',
        '"source": "y = 2\\n"',
    ]
    assert "random" not in module.imports


def test_a_placeholder_cell_is_named_for_what_it_is():
    text = _pretty(_notebook(_cell("role = <YOUR ROLE ARN>\n"), _cell("import sagemaker\n")))
    module = parse_notebook(text).python()
    assert [(o.part, o.problem) for o in module.left_out] == [
        ("cell 1", "a fill-in placeholder `<YOUR ROLE ARN>` where code belongs")
    ]
    assert module.imports == {"sagemaker": "sagemaker"}


_IDENTIFIER = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: name not in {"if", "in", "is", "or", "as", "def", "del", "for", "not", "and"}
)


@settings(max_examples=40, deadline=2000)
@given(
    cells=st.lists(
        st.lists(st.tuples(_IDENTIFIER, st.text('é"\\ab', max_size=5)), max_size=4), max_size=4
    ),
    minified=st.booleans(),
)
def test_every_call_maps_onto_its_own_name_in_either_layout(cells, minified):
    notebook = _notebook(
        *(_cell([f"{name}({json.dumps(arg)})\n" for name, arg in lines]) for lines in cells)
    )
    text = (_minified if minified else _pretty)(notebook)
    module = parse_notebook(text).python()
    lines = text.split("\n")
    for name, call in module.calls():
        line, column = module.position(call)
        assert lines[line - 1][column - 1 :].startswith(f"{name}(")


@settings(max_examples=60, deadline=2000)
@given(st.text(max_size=200))
def test_nothing_but_a_parse_error_escapes_on_any_text(text):
    try:
        notebook = parse_notebook(text)
    except ParseError:
        return
    with contextlib.suppress(ParseError):
        notebook.python()
