"""Repository files that the rules needed but could not read."""

from __future__ import annotations

from collections.abc import Iterator

from mllint_wa.context import ProjectContext
from mllint_wa.evidence import kinds
from mllint_wa.model import Location, Risk, Stage, Violation
from mllint_wa.parsers.notebook import parse_notebook
from mllint_wa.parsers.pipfile import parse_pipfile
from mllint_wa.parsers.pyproject import parse_pyproject
from mllint_wa.parsers.requirements import parse_requirements
from mllint_wa.parsers.yaml_doc import load_yaml
from mllint_wa.registry import rule

# Configuration the rules rely on is always read, so that a broken one is never silently
# skipped; other files (Python modules, data JSON) are reported when a rule needed them.
ALWAYS_PARSED = {
    kinds.CI: load_yaml,
    kinds.PRE_COMMIT: load_yaml,
    kinds.CONDA_ENV: load_yaml,
    kinds.PARAMS: load_yaml,
    kinds.MLPROJECT: load_yaml,
    kinds.REQUIREMENTS: parse_requirements,
    kinds.PYPROJECT: parse_pyproject,
    kinds.PIPFILE: parse_pipfile,
    kinds.NOTEBOOK: parse_notebook,
}


@rule(
    code="LN009",
    name="unparseable-file",
    risk=Risk.LOW,
    summary="A file the rules needed could not be parsed, so what it holds was not checked.",
    fix="Fix the error at the reported line (fill in a placeholder, port Python 2 code to "
    "Python 3), or exclude the file if it is not meant to be valid (a fixture of broken "
    "input, say) or is too large to be read (generated code or data).",
    lens_refs=("MLOPS03-BP02",),
    requires_manifest=False,
    first_stage=Stage.DISCOVERY,
    runs_last=True,
)
def unparseable_file(ctx: ProjectContext) -> Iterator[Violation]:
    """A notebook that is not JSON, a workflow that is not YAML or a script with a syntax
    error hides its contents from every rule that reads it: a clean result would then be
    mistaken for a complete one. Each such file is reported once, at the error's line,
    whichever rules tried to read it. Python that does not parse is named for what it is
    when that can be told: a fill-in placeholder (`<PROJECT NAME>`), a value left blank
    (`ARN = # …`), arguments an example leaves out as `...` after keyword ones
    (`Trainer(model=model, ...)`) or Python 2 code. Syntax that a newer Python than the one
    running mllint-wa may read (an f-string that reuses its quotes or holds a backslash
    inside its braces and closes as Python 3.12 reads it) is no finding, since the file may
    well be valid: the run warns that it was not checked instead; an empty `{}` or a brace
    left open is an error on every Python and is reported. A notebook is read cell by cell:
    a code cell that is not Python is left out, the notebook is reported once at the first
    such cell, and its other cells are read by every rule. A notebook cell with a fill-in
    placeholder, a value left blank or arguments left out as `...` is an example's place
    for its reader to complete, not broken code: it is left out with a warning that it was
    not checked, and no finding; a `.py` module with one is reported, since a program
    cannot run so. YAML
    whose aliases and merge keys would expand it by more than 100,000 values beyond its
    length (a "billion laughs" of a few hundred bytes) is not read either, and is reported
    at the node that expands too far;
    a CI definition that cannot be read leaves what CI runs unknown. A Terraform file larger
    than 256 KiB, longer than 10,000 lines or of more than 75,000 tokens, or with a heredoc
    that is never closed, is not read and is reported the same way, since its parser would
    spend seconds to minutes on it: split it, close the heredoc, or exclude the file. So is
    any other file larger than its format can be read in about a second (a YAML file of
    more than 30,000 tokens, a template or a `Jenkinsfile` over 1 MiB, a Dockerfile over
    256 KiB, a module, a notebook's code or a TypeScript file of more than 60,000 names, a
    requirements file of more than 20,000 requirements; the README lists every bound):
    nothing of it is read. So is a file holding an integer of more
    digits than Python converts (4,300 by default, `sys.get_int_max_str_digits()`: beyond
    it, the conversion's time grows with the square of the length), YAML 1.1's sexagesimal
    integers (`1:30:00`) included, reported at the integer.

    Templates are not reported: they are not their format until rendered. A file is a
    template when a placeholder (`{{ name }}`, `{% if … %}`) stands in its own syntax
    rather than in its data (a quoted shell argument; a YAML, JSON or Groovy string; a
    Python string, where an f-string's `{{` is a brace), when any of its tags names
    cookiecutter, quoted or not, when its path holds a placeholder
    (`{{cookiecutter.name}}/`), or when it lies in a Helm chart's `templates/` (beside a
    `Chart.yaml`). GitHub's and Azure's `${{ … }}`, CloudFormation's `{{resolve:…}}` and
    Go templates handed to a tool in shell text (`docker inspect --format '{{.Id}}'`)
    are not placeholders: a file with only those is read and reported."""
    evidence = ctx.evidence
    for kind, parser in ALWAYS_PARSED.items():
        for path in evidence.files(kind):
            if kind != kinds.CI or path.endswith((".yml", ".yaml")):
                evidence.parse(path, parser)
    # Templates are known by their content, not their kind: every file that may be one. The
    # template reader is imported only for a project that has such files.
    if evidence.files(kinds.YAML, kinds.JSON, kinds.CLOUDFORMATION):
        from mllint_wa.evidence.cfn_resources import template_candidates
        from mllint_wa.parsers.cloudformation import parse_template

        for path in template_candidates(evidence):
            evidence.parse(path, parse_template)
    for failure in ctx.evidence.failures:
        yield Violation(
            f"`{failure.path}` {failure.message}",
            Location(failure.path, failure.line, failure.column),
            anchor=failure.path,
            copy_of=failure.copy_of,
        )
