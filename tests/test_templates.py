"""What makes a file a template that is not its format until rendered, and what is only braces
in data: per syntax, and through the evidence layer (parse failures, Helm charts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.code import module
from mllint_wa.parsers.python_code import parse_python
from mllint_wa.parsers.templates import DOCKERFILE, JSON, PYTHON, SHELL, TEXT, is_template
from mllint_wa.parsers.yaml_doc import load_yaml
from trees import write_files


@pytest.mark.parametrize(
    ("syntax", "text"),
    [
        (DOCKERFILE, "FROM {{ base_image }}\nUSER app\n"),
        (DOCKERFILE, "FROM python:3.12\n{% if gpu %}\nRUN pip install torch\n{% endif %}\n"),
        (DOCKERFILE, "FROM python:3.12\n# {{ description }}\n"),
        (DOCKERFILE, 'FROM python:3.12\nLABEL title="{{ cookiecutter.project_name }}"\n'),
        (DOCKERFILE, "FROM python:3.12\nRUN echo 'it''s' && pip install {{ package }}\n"),
        (DOCKERFILE, "FROM python:3.12\nENV NOTE=don't\nRUN pip install {{ package }}\n"),
        (SHELL, "#!/bin/sh\npip install {{ package }}\n"),
        (SHELL, "#!/bin/sh\ncd '{%- if cookiecutter.src %}src{% endif %}'\n"),
        (PYTHON, "from {{ cookiecutter.module }} import app\n"),
        (PYTHON, "class {{ name }}Model:\n    pass\n"),
        (PYTHON, "x = 1  # {{ note }}\n"),
        (JSON, '{"name": {{ name }}}'),
        (JSON, '{"cells": [{"source": ["import {{ cookiecutter.module }}"]}]}'),
        (TEXT, "name: {{ project }}\non: [push]\n"),
        (TEXT, "jobs:\n{% if gpu %}\n  gpu: {}\n{% endif %}\n"),
        (TEXT, "image: {{ .Values.image }}\n"),
        (TEXT, 'name: "{{ cookiecutter.project }} release"\n'),
        (TEXT, "name: don't\nimage: {{ image }}\n"),
    ],
)
def test_placeholders_of_the_file_make_it_a_template(syntax, text):
    assert is_template(text, syntax)


@pytest.mark.parametrize(
    ("syntax", "text"),
    [
        (DOCKERFILE, "FROM golang:1.22\nRUN go list -m -f '{{.Version}}' golang.org/x/tools\n"),
        (DOCKERFILE, 'FROM docker:27\nRUN docker inspect --format "{{ .Id }}" app\n'),
        (DOCKERFILE, "FROM docker:27\nRUN docker inspect --format {{.Id}} app\n"),
        (DOCKERFILE, "FROM python:3.12\nRUN echo 'Hello {{ name }}' > /etc/greeting.j2\n"),
        (DOCKERFILE, "FROM python:3.12\nRUN printf '%s' \\\n  '{{ name }}' > /etc/t.j2\n"),
        (SHELL, "docker ps --format 'table {{.Names}}\\t{{.Status}}'\n"),
        (SHELL, "python -c \"\nprint('{{ x }}')\n\"\n"),
        (SHELL, "echo ${{ github.sha }}\n"),
        (PYTHON, 'print(f"{{literal}} {value}")\n'),
        (PYTHON, 'TEMPLATE = """\n{% for row in rows %}{{ row }}{% endfor %}\n"""\n'),
        (PYTHON, "prompt = '{{ question }}'.format()\n"),
        (JSON, '{"cells": [{"source": ["prompt = \\"{{ question }}\\""]}]}'),
        (TEXT, "steps:\n  - run: echo ${{ secrets.TOKEN }}\n"),
        (TEXT, "steps:\n  - run: docker inspect --format '{{.Id}}' app\n"),
        (TEXT, 'doc_to_text: "{{question}}"\ndoc_to_target: "{% if a %}yes{% endif %}"\n'),
        (TEXT, "Value: '{{resolve:ssm:/ml/bucket}}'\n"),
        (TEXT, "Value: {{resolve:ssm:/ml/bucket}}\n"),
        (TEXT, "name: ci\non: [push]\n"),
    ],
)
def test_braces_in_data_do_not(syntax, text):
    assert not is_template(text, syntax)


def test_go_templates_are_placeholders_where_helm_renders_them():
    text = 'image: "{{ .Values.image }}"\n'
    assert not is_template(text, TEXT)
    assert is_template(text, TEXT, renders_go=True)


def _evidence(root: Path, files: dict[str, str]) -> Evidence:
    write_files(root, files)
    return Evidence(root, tuple(sorted(files)))


def test_a_helm_charts_templates_are_templates_and_its_values_are_not(tmp_path):
    ev = _evidence(
        tmp_path,
        {
            "deploy/chart/Chart.yaml": "apiVersion: v2\nname: serve\n",
            "deploy/chart/values.yaml": 'image: "{{ not rendered }}"\n',
            "deploy/chart/templates/deployment.yaml": 'image: "{{ .Values.image }}"\n',
            "deploy/other/templates/deployment.yaml": 'image: "{{ .Values.image }}"\n',
        },
    )
    assert ev.templated("deploy/chart/templates/deployment.yaml")
    assert not ev.templated("deploy/chart/values.yaml")
    assert not ev.templated("deploy/other/templates/deployment.yaml")


def _notebook(*cells: str) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}
                for source in cells
            ],
        }
    )


def test_braces_in_a_string_do_not_excuse_a_syntax_error(tmp_path):
    ev = _evidence(
        tmp_path,
        {
            "report.py": 'header = f"{{{{ {name} }}}}"\ndef broken(:\n',
            "prompts.ipynb": _notebook(
                'prompt = "Answer: {{ question }}"\n', "print(prompt\n", "x = 1\n"
            ),
            ".github/workflows/ci.yml": (
                "jobs:\n  a:\n    steps:\n      - run: docker inspect -f '{{.Id}}' x\n"
                "     - run: make\n"
            ),
        },
    )
    assert ev.parse("report.py", parse_python) is None
    module(ev, "prompts.ipynb")
    assert ev.parse(".github/workflows/ci.yml", load_yaml) is None
    assert [(failure.path, failure.line) for failure in ev.failures] == [
        (".github/workflows/ci.yml", 5),
        ("prompts.ipynb", 1),
        ("report.py", 2),
    ]


def test_a_template_that_does_not_parse_is_no_failure(tmp_path):
    ev = _evidence(
        tmp_path,
        {
            "{{cookiecutter.name}}/setup.py": "from {{ cookiecutter.module }} import x\n",
            "train.py": "import {{ cookiecutter.module }}\n",
            "ci.yml": "name: {{ project }}\njobs: {% if gpu %}[\n",
            "train.ipynb": _notebook("import {{ cookiecutter.module }}\n", "x = 1\n"),
        },
    )
    assert ev.parse("train.py", parse_python) is None
    assert ev.parse("ci.yml", load_yaml) is None
    module(ev, "train.ipynb")
    assert ev.failures == ()
