"""Notebooks: nbformat JSON read directly, every code position mapped to the .ipynb file."""

from __future__ import annotations

import ast
import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.evidence import ParseError
from mllint_wa.parsers import notebook as notebook_module
from mllint_wa.parsers.json_positions import Locator, scan
from mllint_wa.parsers.json_positions import Path as JsonPath
from mllint_wa.parsers.notebook import Notebook, parse_notebook

FIXTURES = Path(__file__).parent / "fixtures"


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
    assert [(o.part, o.problem, o.fill_in) for o in module.left_out] == [
        ("cell 1", "a fill-in placeholder `<YOUR ROLE ARN>` where code belongs", True)
    ]
    assert module.imports == {"sagemaker": "sagemaker"}


_IDENTIFIER = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: name not in {"if", "in", "is", "or", "as", "def", "del", "for", "not", "and"}
)


@settings(max_examples=40, deadline=None)
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


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_nothing_but_a_parse_error_escapes_on_any_text(text):
    try:
        notebook = parse_notebook(text)
    except ParseError:
        return
    _every_position(notebook)  # found on demand, and never an error either
    with contextlib.suppress(ParseError):
        notebook.python()


# Positions are found on demand -------------------------------------------------------------


class _EagerLocator:
    """The scanner's spans of every value of the notebook, found at once: how the reader
    placed cells before it located them on demand."""

    def __init__(self, text: str) -> None:
        self._spans = scan(text)

    def span(self, path: JsonPath) -> tuple[int, int] | None:
        return self._spans.get(path)

    def items(self, path: JsonPath) -> list[tuple[int, int]] | None:
        found: list[tuple[int, int]] = []
        while (*path, len(found)) in self._spans:
            found.append(self._spans[(*path, len(found))])
        return found if path in self._spans else None


def _every_position(notebook: Notebook) -> list[object]:
    """Every place the notebook reports: its cells', their execution counts' and outputs',
    and each code line's."""
    cells = [
        (
            (cell.line, cell.column, cell.count_line, cell.count_column),
            [(output.line, output.column, output.size) for output in cell.outputs],
        )
        for cell in notebook.cells
    ]
    return [cells, list(notebook.line_map), list(notebook.column_offsets)]


def _odd_notebooks() -> dict[str, str]:
    """Notebooks whose text makes positions hard: escapes, characters outside ASCII (also
    as surrogate-pair escapes), CRLF and tab layouts, outputs nested deep, sources that are
    one string, mixed or empty, cells that are not objects, nbformat 3."""
    escaped = ['print("a \\"quoted\\" \\\\n not a newline")\n', "x = '\\t</script>\\u0041'\n"]
    unicode = ["s = 'é 日本 😀 e\u0301'\n", "t = s  # ünïcode\n"]
    nested: object = {"leaf": [1, "a\nb"]}
    for _ in range(27):  # 62 levels deep in all, two short of the bound
        nested = {"data": [nested]}
    deep = {"output_type": "display_data", "data": {"application/json": nested}, "metadata": {}}
    stream = {"name": "stdout", "output_type": "stream", "text": ["é\n", "\\n\n"]}
    image = {"output_type": "display_data", "data": {"image/png": "iVBOR" * 50}, "metadata": {}}
    notebook = _notebook(
        {"cell_type": "markdown", "metadata": {}, "source": "# Title\n\nText"},
        _cell(escaped, 1, [stream]),
        _cell(unicode, 3, [deep, image]),
        _cell("one = 1\ntwo = one + 1\n%time fit(two)\n", 2),
        _cell(["", "a = [\n", 5, "  1,\n", "]"], None, [stream, stream]),
        _cell([]),
        _cell(["!pip install x \\\n", "   y\n", "ok = 1\n"], 4),
    )
    notebook["cells"].insert(2, None)
    version3 = {
        "nbformat": 3,
        "metadata": {},
        "worksheets": [
            {"cells": [{"cell_type": "code", "input": unicode, "prompt_number": 1, "outputs": []}]}
        ],
    }
    pretty = _pretty(notebook)
    return {
        "pretty": pretty,
        "minified": _minified(notebook),
        "crlf": pretty.replace("\n", "\r\n"),
        "ascii-escaped": json.dumps(notebook, indent=2, ensure_ascii=True),
        "unicode-raw": json.dumps(notebook, indent="\t", ensure_ascii=False),
        "spaced": json.dumps(notebook, separators=(" , ", " : ")),
        "nbformat-3": json.dumps(version3, indent=1, ensure_ascii=False),
    }


_NOTEBOOKS = {
    **{str(path.relative_to(FIXTURES)): path.read_text(encoding="utf-8-sig")
       for path in sorted(FIXTURES.rglob("*.ipynb"))},
    **_odd_notebooks(),
}  # fmt: skip


@pytest.mark.parametrize("text", list(_NOTEBOOKS.values()), ids=list(_NOTEBOOKS))
def test_positions_found_on_demand_are_those_the_eager_scanner_gives(text, monkeypatch):
    with contextlib.suppress(ParseError):  # the fixtures include broken notebooks
        lazy = _every_position(parse_notebook(text))
        monkeypatch.setattr(notebook_module, "Locator", _EagerLocator)
        assert _every_position(parse_notebook(text)) == lazy


def test_the_odd_notebooks_are_read_and_placed():
    notebooks = {name: parse_notebook(text) for name, text in _odd_notebooks().items()}
    cells = notebooks["pretty"].cells
    assert [len(cell.outputs) for cell in cells] == [0, 1, 2, 0, 2, 0, 0]  # null is no cell
    for name, notebook in notebooks.items():
        lines = _NOTEBOOKS[name].split("\n")
        module = notebook.python()
        for call_name, call in module.calls():
            line, column = module.position(call)
            stored = lines[line - 1][column - 1 :]
            assert stored.startswith(call_name.rpartition(".")[2]), (name, call_name, stored)


def test_a_notebook_places_only_what_is_asked_of_it(monkeypatch):
    text = _pretty(
        _notebook(
            *(
                _cell(f"x{i} = {i}\n", i + 1, [{"output_type": "stream", "text": [str(i)]}])
                for i in range(5)
            )
        )
    )
    entered: list[int] = []
    read = Locator._read_members

    def counted(self: Locator, container: int) -> object:
        entered.append(container)
        return read(self, container)

    monkeypatch.setattr(Locator, "_read_members", counted)
    notebook = parse_notebook(text)
    notebook.python()
    assert entered == []  # read and parsed, nothing located
    assert notebook.cells[3].count_line == text.split("\n").index('   "execution_count": 4,') + 1
    fourth = text.rindex("{", 0, text.index('"execution_count": 4'))
    assert entered == [0, text.index("[\n  {"), fourth]
