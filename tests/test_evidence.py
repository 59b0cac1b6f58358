"""The evidence layer: files by kind, bounded reads, parse once, failures once per file."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from mllint_wa import evidence as evidence_module
from mllint_wa.evidence import Evidence, ParseError
from mllint_wa.evidence.code import modules_naming
from mllint_wa.evidence.kinds import kinds_of
from mllint_wa.parsers.python_code import parse_python
from mllint_wa.parsers.tomlcompat import tomllib
from mllint_wa.parsers.yaml_doc import item_position, key_position, load_yaml, walk


def _project(root: Path, files: dict[str, str | bytes]) -> Evidence:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return Evidence(root, tuple(sorted(files)))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/train.py", {"python"}),
        ("notebooks/eda.ipynb", {"notebook"}),
        ("requirements-dev.txt", {"requirements"}),
        ("requirements/base.txt", {"requirements"}),
        (".github/workflows/ci.yml", {"ci", "yaml"}),
        ("docker/Dockerfile.gpu", {"dockerfile"}),
        ("data/raw.csv.dvc", {"dvc"}),
        ("models/model.pkl", {"model"}),
        ("data/train.csv", {"data"}),
        ("infra/main.tf", {"terraform"}),
        ("README.md", {"markdown"}),
        ("lib/site-packages/pkg/mod.py", set()),
        ("pkg.dist-info/METADATA", set()),
        ("pkg.egg-info/SOURCES.txt", set()),
        ("build/lib/x.py", set()),
        ("build/lib.linux-x86_64-cpython-312/x.py", set()),
        ("build/bdist.linux-x86_64/x.py", set()),
        ("infra/cdk.out/stack.template.json", set()),
        ("{{cookiecutter.name}}/train.py", set()),
        # A folder's name alone makes nothing vendored.
        ("vendor/lib/x.py", {"python"}),
        ("third_party/minio/Dockerfile", {"dockerfile"}),
        ("seedcode/build/pipelines/run.py", {"python"}),
        ("build/Dockerfile", {"dockerfile"}),
    ],
)
def test_kinds_are_decided_by_path_and_installed_generated_or_templated_paths_are_no_evidence(
    path, expected
):
    assert kinds_of(path) == expected


def test_files_by_kind_lists_the_project_files_of_that_kind(tmp_path):
    ev = _project(tmp_path, {"a.py": "", "b/c.py": "", "d.ipynb": "{}", "e.dist-info/f.py": ""})
    assert ev.files("python") == ("a.py", "b/c.py")
    assert ev.files("python", "notebook") == ("a.py", "b/c.py", "d.ipynb")
    assert ev.files("terraform") == ()


def test_each_file_is_parsed_once_and_shared(tmp_path):
    ev = _project(tmp_path, {"a.py": "import numpy as np\n"})
    calls = []

    def parser(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert ev.parse("a.py", parser) == "IMPORT NUMPY AS NP\n"
    assert ev.parse("a.py", parser) == "IMPORT NUMPY AS NP\n"
    assert len(calls) == 1


def test_a_parse_error_is_one_failure_at_its_line_and_the_file_parses_to_none(tmp_path):
    ev = _project(tmp_path, {"bad.py": "x = 1\ndef f(:\n"})
    assert ev.parse("bad.py", parse_python) is None
    assert ev.parse("bad.py", parse_python) is None
    [failure] = ev.failures
    assert (failure.path, failure.line) == ("bad.py", 2)
    assert failure.message.startswith("has a syntax error")


@pytest.mark.parametrize(
    "error", [RecursionError(), MemoryError(), KeyError("x"), ValueError("bad"), IndexError()]
)
def test_nothing_a_parser_raises_escapes(tmp_path, error):
    ev = _project(tmp_path, {"a.yml": "a: 1\n"})

    def broken(text: str) -> None:
        raise error

    assert ev.parse("a.yml", broken) is None
    assert [f.path for f in ev.failures] == ["a.yml"]


def test_a_templated_file_that_does_not_parse_is_no_failure(tmp_path):
    ev = _project(tmp_path, {"ci.yml": "jobs: {% if gpu %}[\n"})
    assert ev.parse("ci.yml", load_yaml) is None
    assert ev.failures == ()


def test_undecodable_text_fails_at_the_line_of_the_bad_byte(tmp_path):
    ev = _project(tmp_path, {"a.py": b"x = 1\ny = '\xff'\n"})
    assert ev.text("a.py") is None
    [failure] = ev.failures
    assert (failure.line, failure.column, failure.message) == (2, 6, "is not UTF-8 text")


def test_a_bom_is_dropped(tmp_path):
    ev = _project(tmp_path, {"a.py": b"\xef\xbb\xbfx = 1\n"})
    assert ev.text("a.py") == "x = 1\n"


def test_reads_are_bounded_and_a_large_file_is_not_read_but_not_a_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(evidence_module, "READ_LIMIT", 10)
    ev = _project(tmp_path, {"big.py": "x = 1\n" * 10, "small.py": "x = 1\n"})
    assert ev.data("big.py") is None
    assert ev.data("small.py") == b"x = 1\n"
    assert ev.size("big.py") == 60
    assert ev.failures == ()


def test_symlinks_and_fifos_are_never_opened(tmp_path):
    (tmp_path / "outside.py").write_text("SECRET = 1\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(tmp_path / "outside.py", project / "link.py")
    os.mkfifo(project / "pipe.py")
    ev = Evidence(project, ("link.py", "pipe.py"))
    assert ev.data("link.py") is None
    assert ev.data("pipe.py") is None  # would hang if it were read
    assert ev.failures == ()


def test_a_symlink_to_a_file_inside_the_project_is_read(tmp_path):
    (tmp_path / "real.py").write_text("x = 1\n", encoding="utf-8")
    os.symlink("real.py", tmp_path / "alias.py")
    assert Evidence(tmp_path, ("alias.py",)).data("alias.py") == b"x = 1\n"


def test_a_symlink_is_told_by_freebsds_refusal_as_by_linuxs(tmp_path, monkeypatch):
    # FreeBSD's open() refuses a symlink under O_NOFOLLOW with EMLINK, not ELOOP.
    (tmp_path / "outside.py").write_text("SECRET = 1\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "real.py").write_text("x = 1\n", encoding="utf-8")
    os.symlink("real.py", project / "alias.py")
    os.symlink(tmp_path / "outside.py", project / "link.py")
    opened = os.open

    def freebsd_open(path: str, flags: int, *rest: int) -> int:
        if flags & os.O_NOFOLLOW and os.path.islink(path):
            raise OSError(errno.EMLINK, "Too many links", path)
        return opened(path, flags, *rest)

    monkeypatch.setattr(os, "open", freebsd_open)
    ev = Evidence(project, ("alias.py", "link.py"))
    assert ev.data("alias.py") == b"x = 1\n"
    assert ev.data("link.py") is None
    assert ev.failures == ()


def test_a_vanished_file_is_a_failure_not_an_exception(tmp_path):
    ev = Evidence(tmp_path, ("gone.py",))
    assert ev.data("gone.py") is None
    assert [f.message for f in ev.failures] == ["cannot be read: No such file or directory"]


@pytest.mark.parametrize("path", ["//etc/passwd", "/etc/passwd", "a/../../x", "", "./a.py"])
def test_a_path_that_is_not_inside_the_project_is_never_read_nor_reported(tmp_path, path):
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    ev = Evidence(tmp_path, ("a.py",))
    assert ev.data(path) is None
    assert ev.failures == ()


def test_mentions_is_a_byte_test(tmp_path):
    ev = _project(tmp_path, {"a.py": "import sagemaker\n"})
    assert ev.mentions("a.py", b"torch", b"sagemaker")
    assert not ev.mentions("a.py", b"torch")


def test_mentions_of_many_needles_answers_as_a_search_for_each(tmp_path: Path) -> None:
    needles = (*(f"needle{n:02}".encode() for n in range(20)), b"sk-", b"sk-ant-")
    ev = _project(
        tmp_path,
        {
            "end.py": "x = 1\n" * 1000 + "needle19",
            "prefix.py": "needle1 = 'sk'\n",  # a needle's prefix is no needle
            "short.py": "key = 'sk-an'\n",  # the shorter of two needles sharing a prefix
            "none.py": "needle = 2\n",
        },
    )
    assert ev.mentions("end.py", *needles)
    assert not ev.mentions("prefix.py", *needles)
    assert ev.mentions("short.py", *needles)
    assert not ev.mentions("none.py", *needles)


def test_mentioning_gives_in_order_the_files_that_mentions_would_reading_each_in_turn(
    tmp_path: Path,
) -> None:
    files = {"a.py": "import torch\n", "b.py": "x = 1\n", "c.py": "import sagemaker\n"}
    ev = _project(tmp_path, files)
    found = ev.mentioning(("a.py", "b.py", "c.py", "gone.py"), b"torch", b"sagemaker")
    assert next(found) == "a.py"
    assert ev.read_already("c.py") is None  # not read before it is asked about
    assert list(found) == ["c.py"]
    many = (*(f"needle{n:02}".encode() for n in range(20)), b"torch")
    assert list(ev.mentioning(sorted(files), *many)) == [
        path for path in sorted(files) if ev.mentions(path, *many)
    ]


def test_parsed_files_skips_files_without_the_needle_before_parsing(tmp_path):
    ev = _project(tmp_path, {"a.py": "import random\n", "b.py": "def f(:\n"})
    assert [path for path, _ in ev.parsed_files("python", parse_python, b"random")] == ["a.py"]
    assert ev.failures == ()  # b.py was never parsed


def test_memo_computes_once(tmp_path):
    ev = Evidence(tmp_path, ())
    calls = []
    assert ev.memo("k", lambda: calls.append(1) or 42) == 42
    assert ev.memo("k", lambda: calls.append(1) or 43) == 42
    assert calls == [1]


def test_exists_knows_files_and_folders(tmp_path):
    ev = Evidence(tmp_path, ("infra/main.tf", "MODEL_CARD.md"))
    assert ev.exists("MODEL_CARD.md")
    assert ev.exists("infra/")
    assert ev.exists("infra")
    assert not ev.exists("inf")


# -- Python ------------------------------------------------------------------------------------


def test_import_aliases_resolve_to_what_they_refer_to():
    module = parse_python(
        "import numpy as np\n"
        "import torch as T\n"
        "import sklearn.svm\n"
        "from sklearn.model_selection import train_test_split as tts\n"
        "np.random.seed(0)\nT.manual_seed(1)\ntts(X, y)\nsklearn.svm.SVC()\nprint(1)\n"
    )
    assert [name for name, _ in module.calls()] == [
        "numpy.random.seed",
        "torch.manual_seed",
        "sklearn.model_selection.train_test_split",
        "sklearn.svm.SVC",
        "print",
    ]
    assert module.imported_modules() == frozenset({"numpy", "torch", "sklearn"})


def test_python_positions_map_through_a_line_map():
    module = parse_python("x = 1\n")
    assert module.position(module.tree.body[0]) == (1, 1)
    from mllint_wa.parsers.python_code import python_module

    mapped = python_module("x = 1\ny = 2\n", line_map=(10, 11), column_offsets=(5, 5))
    assert mapped.position(mapped.tree.body[1]) == (11, 6)


def test_python_null_bytes_and_huge_lines_are_parse_errors():
    with pytest.raises(ParseError):
        parse_python("x = 1\0\n")
    with pytest.raises(ParseError):
        parse_python("x = '" + "a" * 30_000 + "'\n")


# -- YAML ------------------------------------------------------------------------------------


def test_yaml_unknown_tags_are_data_and_positions_are_one_based():
    [doc] = load_yaml("a: !Ref X\nb:\n  - 1\n  - !Sub 'x'\n")
    assert str(doc["a"].value) == "X"
    assert key_position(doc, "b") == (2, 1)
    assert item_position(doc["b"], 1) == (4, 5)


def test_yaml_python_tags_are_never_constructed():
    [doc] = load_yaml("!!python/object/apply:os.system ['echo owned']\n")
    assert list(doc) == ["echo owned"]


def test_yaml_walk_visits_aliased_containers_once():
    # 2**12 values in the last list when expanded, within the budget; the walk sees each list once.
    lines = ["a: &l0 [1, 2]"] + [f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, 12)]
    [doc] = load_yaml("\n".join(lines) + "\n")
    assert sum(1 for _ in walk(doc)) == 12 + 2 + 11 * 2


def test_yaml_syntax_error_has_its_line():
    with pytest.raises(ParseError) as error:
        load_yaml("a: 1\nb: [\n")
    assert error.value.line == 3


def test_a_file_that_grows_while_it_is_read_is_still_read_up_to_the_limit(tmp_path):
    from mllint_wa.bounded import read_prefix

    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 5000)
    with path.open("rb") as handle:
        # fstat said 10 bytes: the first read asks for 11, gets them all, and reads on.
        assert read_prefix(handle.fileno(), 3000, expected=11) == b"x" * 3000
    with path.open("rb") as handle:
        assert read_prefix(handle.fileno(), 10_000, expected=5001) == b"x" * 5000


def test_modules_naming_finds_files_where_every_name_is_a_whole_word(tmp_path: Path) -> None:
    # The notebook's JSON holds "\n" escapes before names, and an escaped backslash before
    # "nfoo": an escape is no part of a word, an escaped backslash leaves the word after it.
    source = '["x = 1\\nfit_model(x)\\n", "path = \'\\\\nfoo\'"]'
    notebook = (
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", '
        f'"metadata": {{}}, "outputs": [], "source": {source}}}]}}'
    )
    ev = _project(
        tmp_path,
        {
            "a.py": "from lib import fit_model\nfit_model()\n",
            "b.py": "refit_model = 1\nprint(fit_models, fit_model_2)\n",
            "c.py": "s = 'caf\u00e9_fit_model'\n",
            "d.py": "s = '\\tfit_model'\n",
            "n.ipynb": notebook,
        },
    )
    assert [path for path, _ in modules_naming(ev, "fit_model")] == ["a.py", "d.py", "n.ipynb"]
    assert [path for path, _ in modules_naming(ev, "caf\u00e9_fit_model")] == ["c.py"]
    assert [path for path, _ in modules_naming(ev, "nfit_model")] == []
    assert [path for path, _ in modules_naming(ev, "tfit_model")] == []
    assert [path for path, _ in modules_naming(ev, "nfoo")] == ["n.ipynb"]
    assert [path for path, _ in modules_naming(ev, "fit_model", "lib")] == ["a.py"]


def test_a_file_that_fails_to_parse_is_not_said_to_hold_a_long_integer_for_a_long_string(
    tmp_path: Path,
) -> None:
    digits = "9" * 5_000
    evidence = _project(tmp_path, {"pyproject.toml": f'[tool.x]\nid = "{digits}"\nname = =\n'})
    assert evidence.parse("pyproject.toml", tomllib.loads) is None
    (failure,) = evidence.failures
    assert (failure.message, failure.line, failure.column) == (
        "could not be parsed (TOMLDecodeError)",
        1,
        1,
    )
