"""LN009 unparseable-file: files the rules rely on that could not be parsed."""

from __future__ import annotations


def test_unparseable_file_reported_once_at_the_error_line(lint):
    assert lint("unparseable-file", "LN009") == [
        ("LN009", "unparseable-file", ".github/workflows/ci.yml", 8, 6),
    ]
    assert lint.messages("unparseable-file", "LN009") == [
        "`.github/workflows/ci.yml` is not valid YAML: expected <block end>, but found "
        "'<block sequence start>'"
    ]


def test_unparseable_file_quiet_on_templated_workflows(lint):
    # templates/ and {{cookiecutter.project}}/ hold Jinja workflows that are not YAML yet.
    found = lint("unparseable-file", "LN009")
    assert [path for _, _, path, *_ in found] == [".github/workflows/ci.yml"]


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
