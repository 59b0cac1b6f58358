"""LN009 unparseable-file: files the rules rely on that could not be parsed."""

from __future__ import annotations


def test_unparseable_file_reported_once_at_the_error_line(lint):
    assert lint("unparseable-file", "LN009") == [
        ("LN009", "unparseable-file", ".github/workflows/ci.yml", 8, 6),
        ("LN009", "unparseable-file", ".github/workflows/release.yml", 8, 6),
    ]
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
