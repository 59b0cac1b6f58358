"""Large files under the read limits: each costs about a second at most, in time and in
memory that grow with its size alone, or is reported as too large to read.

The inputs here took from tens of seconds to many minutes before; the tests assert what is
found, never how long it takes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Linter
from mllint_wa.checks import files as files_rules
from mllint_wa.evidence import (
    PARSE_LIMIT_BY_KIND,
    READ_LIMIT,
    Derived,
    Evidence,
    ParseError,
    ParseFailure,
    kinds,
)
from mllint_wa.evidence import resources as rm
from mllint_wa.evidence.endpoints import variants
from mllint_wa.model import Location
from mllint_wa.parsers import ml_config
from mllint_wa.parsers.cloudformation import MAX_TEMPLATE, parse_template
from mllint_wa.parsers.dockerfile import parse_dockerfile
from mllint_wa.parsers.gitattributes import parse_gitattributes
from mllint_wa.parsers.json_positions import MAX_DEPTH, Positions, load_json
from mllint_wa.parsers.markdown import parse_markdown
from mllint_wa.parsers.pipfile import parse_pipfile
from mllint_wa.parsers.python_code import MAX_WORDS, parse_python
from mllint_wa.parsers.requirements import MAX_REQUIREMENTS, parse_requirements
from mllint_wa.parsers.typescript import parse_typescript
from mllint_wa.parsers.yaml_doc import MAX_CHARACTERS, MAX_TOKENS, load_yaml
from mllint_wa.parsers.yaml_doc import MAX_DEPTH as MAX_YAML_DEPTH
from mllint_wa.project import MAX_IGNORE_FILE, WalkProblem, discover
from mllint_wa.wildmatch import (
    MAX_PATTERN_LENGTH,
    MAX_PATTERNS,
    MAX_TRIED_TOGETHER,
    PatternList,
    parse_lines,
)
from test_wildmatch import PATHS, PATTERNS
from trees import write_files

# What LN009 says of YAML beyond its bounds.
TOO_MANY_TOKENS = f"is too large to be read: more than {MAX_TOKENS:,} YAML tokens"
TOO_MANY_CHARACTERS = f"is too large to be read: more than {MAX_CHARACTERS:,} characters of YAML"
TOO_DEEP = f"is nested more than {MAX_YAML_DEPTH} levels deep"

# The resource model ---------------------------------------------------------------------------

STACK = "stacks/serving.json"
ENDPOINTS = 10_000


def many_endpoints(ev: Evidence) -> list[rm.Resource]:
    """An extractor: ENDPOINTS endpoints, each naming its own configuration, all in one file."""
    found = []
    for i in range(ENDPOINTS):
        where = Location(STACK, i + 1, 1)
        variant = {"variant_name": rm.known("AllTraffic", where)}
        found.append(
            rm.Resource(
                rm.ENDPOINT,
                f"Endpoint{i}",
                "test",
                where,
                {"endpoint_config": rm.known(f"Config{i}", where)},
            )
        )
        found.append(
            rm.Resource(
                rm.ENDPOINT_CONFIG,
                f"Config{i}",
                "test",
                where,
                {"variants": rm.known([variant], where)},
            )
        )
    return found


def test_each_of_thousands_of_endpoints_finds_its_configuration_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Resources are found by kind and name through one index, and the file they are
    # written in is searched once, not once for each endpoint.
    stack = tmp_path / STACK
    stack.parent.mkdir()
    stack.write_text(" " * (1024 * 1024) + "{}\n")
    monkeypatch.setattr(rm, "EXTRACTORS", {"test": f"{__name__}:many_endpoints"})
    found = variants(Evidence(tmp_path, (STACK,)))
    assert [(v.endpoint and v.endpoint.name, v.config and v.config.name) for v in found] == [
        (f"Endpoint{i}", f"Config{i}") for i in range(ENDPOINTS)
    ]


# CloudFormation templates --------------------------------------------------------------------


def endpoints_template(count: int) -> str:
    """``count`` endpoints, each with its configuration (without a KMS key) and model."""
    resources: dict[str, Any] = {}
    for i in range(count):
        variant = {"ModelName": {"Ref": f"Model{i}"}, "InstanceType": "ml.m5.large"}
        config = {"ProductionVariants": [variant]}
        link = {"Fn::GetAtt": [f"Config{i}", "EndpointConfigName"]}
        resources[f"Endpoint{i}"] = {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {"EndpointConfigName": link},
        }
        resources[f"Config{i}"] = {"Type": "AWS::SageMaker::EndpointConfig", "Properties": config}
        resources[f"Model{i}"] = {"Type": "AWS::SageMaker::Model", "Properties": {}}
    body = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    return json.dumps(body, indent=2)


def test_a_template_larger_than_cloudformation_takes_is_reported_not_read(
    tmp_path: Path, lint: Linter
) -> None:
    template = endpoints_template(3000)
    assert MAX_TEMPLATE < len(template) <= READ_LIMIT
    write_files(tmp_path, {"lens.toml": "schema_version = 1\n", "template.json": template})
    assert lint.messages(tmp_path, "LN009", "DE001") == [
        "`template.json` is larger than 1 MiB, more than CloudFormation takes in a template: "
        "not read"
    ]


def test_a_large_json_file_that_is_no_template_is_left_alone(tmp_path: Path, lint: Linter) -> None:
    policies = [
        {"Effect": "Allow", "Resource": f"arn:aws:s3:::b{i}", "Note": "AWS::S3"}
        for i in range(40_000)
    ]
    data = json.dumps(policies)
    assert len(data) > MAX_TEMPLATE
    write_files(tmp_path, {"lens.toml": "schema_version = 1\n", "policies.json": data})
    assert lint(tmp_path, "LN009") == []


def test_a_yaml_template_beyond_the_yaml_bounds_is_reported_and_other_yaml_is_left_alone(
    tmp_path: Path, lint: Linter
) -> None:
    entries = "".join(f"  - {{Name: n{i}, Type: AWS::S3::Bucket}}\n" for i in range(MAX_TOKENS))
    resources = "".join(
        f"  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties: {{BucketName: b{i}}}\n"
        for i in range(MAX_TOKENS // 8)
    )
    write_files(
        tmp_path,
        {
            "lens.toml": "schema_version = 1\n",
            "inventory.yaml": "buckets:\n" + entries,
            "template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + resources,
        },
    )
    assert lint.messages(tmp_path, "LN009") == [f"`template.yaml` {TOO_MANY_TOKENS}"]


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for level in range(depth):
        value = {f"k{level}": value, "n": level}
    return value


def test_a_member_nested_to_the_depth_bound_is_found_at_its_key() -> None:
    # Positions are kept as a tree shaped like the document, and a path is spelled out only
    # when asked for: a template's cost grows with its values, not values times depth.
    count, depth = 300, MAX_DEPTH - 6
    blob = [nested(depth) for _ in range(count)]
    body = {"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {"Blob": blob}}}}
    text = json.dumps(body, separators=(",", ":")).replace("{", "\n{")
    assert len(text) <= MAX_TEMPLATE
    template = parse_template(text)
    assert template is not None
    inner = tuple(f"k{level}" for level in reversed(range(depth)))
    deepest = ("Resources", "F", "Properties", "Blob", count - 1, *inner, "leaf")
    line = text.count("\n", 0, text.rindex('"leaf"')) + 1
    assert template.position(deepest) == (line, 2)
    assert template.position((*deepest, "missing")) == (line, 2)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=15,
)


@settings(max_examples=80, deadline=None)
@given(_json, st.sampled_from([None, 0, 2]))
def test_every_member_is_at_its_key_and_every_item_at_its_value(
    value: Any, indent: int | None
) -> None:
    text = json.dumps(value, indent=indent)
    document = load_json(text)
    offsets = Positions(text)
    decoder = json.JSONDecoder()
    for path in document.positions:
        line, column = document.positions[path]
        starts = [offset for offset in range(len(text)) if offsets.at(offset) == (line, column)]
        assert len(starts) == 1
        written, _ = decoder.raw_decode(text, starts[0])
        if path and isinstance(path[-1], str):
            assert written == path[-1]  # the member's key
        else:
            assert written == _at(value, path)
    assert sorted(map(repr, document.positions)) == sorted(map(repr, _paths(value)))


def _at(value: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


# YAML -------------------------------------------------------------------------------------------


def test_a_megabyte_of_params_is_reported_once_as_too_large(tmp_path: Path, lint: Linter) -> None:
    # Read once for every rule that needs it (LN009's syntax check, the data rules' config
    # locations), and no further than the token bound.
    params = "".join(f"p{i}: s3://bucket/data/part-{i}.csv\n" for i in range(25_000))
    assert 900_000 < len(params) < MAX_CHARACTERS
    write_files(tmp_path, {"lens.toml": "schema_version = 1\n", "params.yaml": params})
    found = lint.result(tmp_path, "LN009", "DP012").findings
    assert [(f.rule.code, f.path, f.line, f.message) for f in found] == [
        (
            "LN009",
            "params.yaml",
            1,
            f"`params.yaml` is too large to be read: more than {MAX_TOKENS:,} YAML tokens",
        )
    ]


def test_params_within_the_bounds_are_read_once_for_every_rule(
    tmp_path: Path, lint: Linter, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []

    def counted(text: str) -> list[Any]:
        loads.append(text)
        return load_yaml(text)

    always = {**files_rules.ALWAYS_PARSED, kinds.PARAMS: counted}
    monkeypatch.setattr(files_rules, "ALWAYS_PARSED", always)
    monkeypatch.setattr(ml_config.parse_config, "base", counted)
    params = "train:\n  data: s3://bucket/train.csv\n"
    write_files(tmp_path, {"lens.toml": "schema_version = 1\n", "params.yaml": params})
    assert lint(tmp_path, "LN009", "DP012") == [
        ("DP012", "missing-data-versioning", "params.yaml", 2, 9)
    ]
    assert loads == [params]


def test_a_derived_parser_reads_what_its_base_made_of_the_file(tmp_path: Path) -> None:
    calls: list[str] = []

    def words(text: str) -> list[str]:
        calls.append(text)
        if not text.strip():
            raise ParseError("is empty", 1, 1)
        return text.split()

    count, first = Derived(words, len), Derived(words, lambda found: found[0])
    write_files(tmp_path, {"a.txt": "one two three\n", "empty.txt": "\n"})
    ev = Evidence(tmp_path, ("a.txt", "empty.txt"))
    assert (ev.parse("a.txt", count), ev.parse("a.txt", first)) == (3, "one")
    assert ev.parse("a.txt", words) == ["one", "two", "three"]
    assert (ev.parse("empty.txt", count), ev.parse("empty.txt", first)) == (None, None)
    assert calls == ["one two three\n", "\n"]
    assert ev.failures == (ParseFailure("empty.txt", "is empty"),)
    assert count("a b\n") == 2  # called on text, it parses the text itself


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        # The densest YAML there is: a token for each character.
        ("steps: [" + ",".join("1" for _ in range(MAX_TOKENS)) + "]\n", TOO_MANY_TOKENS),
        ("a: 1\n" + "\n" * MAX_CHARACTERS, TOO_MANY_CHARACTERS),
        ("a: " + "[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1) + "\n", TOO_DEEP),
    ],
)
def test_yaml_beyond_its_bounds_is_reported_as_unparseable(
    tmp_path: Path, lint: Linter, yaml: str, message: str
) -> None:
    write_files(tmp_path, {"lens.toml": "schema_version = 1\n", ".gitlab-ci.yml": yaml})
    assert lint.messages(tmp_path, "LN009") == [f"`.gitlab-ci.yml` {message}"]


def test_yaml_at_its_bounds_is_read() -> None:
    within = "steps: [" + ",".join("1" for _ in range(MAX_TOKENS // 2 - 10)) + "]\n"
    assert len(load_yaml(within)[0]["steps"]) == MAX_TOKENS // 2 - 10
    deepest = "a: " + "[" * MAX_YAML_DEPTH + "]" * MAX_YAML_DEPTH + "\n"
    assert load_yaml(deepest)[0]["a"] is not None


# Ignore files ---------------------------------------------------------------------------------


def test_twenty_thousand_ignore_patterns_over_five_thousand_files(tmp_path: Path) -> None:
    # Each path is tested against the patterns that share one of its literal parts (its
    # name, its start, its end, a folder's name), not against every pattern.
    patterns: list[str] = []
    files: dict[str, str] = {"lens.toml": ""}
    kept = {"lens.toml", ".gitignore"}
    for i in range(20_000 // 7):
        patterns += [
            f"*.ext{i}",
            f"/gen/module{i}/",
            f"cache{i}/",
            f"src/**/artifact{i}_*.log",
            f"**/tmp{i}/**",
            f"notes{i}_*.bak",
            f"!notes{i}_keep.bak",
        ]
    for j in range(5000 // 10):
        ignored = [
            f"data/d{j % 9}/f{j}.ext{j}",
            f"gen/module{j}/main.py",
            f"lib/cache{j}/x.py",
            f"src/p{j % 5}/q/artifact{j}_1.log",
            f"w/tmp{j}/deep/y.py",
            f"notes/notes{j}_draft.bak",
        ]
        walked = [
            f"data/d{j % 9}/f{j}.ext{j}x",
            f"gen/module{j}.py",
            f"lib/cache{j}.txt",
            f"src/p{j % 5}/q/artifact{j}x_1.log",
            f"notes/notes{j}_keep.bak",
            f"src/pkg{j % 20}/mod{j}.py",
        ]
        files.update((path, "") for path in [*ignored, *walked])
        kept.update(walked)
    files[".gitignore"] = "\n".join(patterns) + "\n"
    write_files(tmp_path, files)
    found = discover([tmp_path])
    assert found.problems == ()
    assert set(found.projects[0].files) == kept


def test_twenty_thousand_ignore_patterns_sharing_their_ends(tmp_path: Path) -> None:
    # Every pattern ends with ".log" and starts with "*": the text inside each tells them
    # apart, so a path is tried against the patterns that share a few characters of its name.
    patterns = [f"*x{i}*.log" for i in range(19_999)] + ["!*x7_keep*.log"]
    files: dict[str, str] = {"lens.toml": "", ".gitignore": "\n".join(patterns) + "\n"}
    kept = {"lens.toml", ".gitignore"}
    for j in range(1_250):
        files[f"logs/p{j % 7}/run_x{j}_a.log"] = ""
        walked = [f"logs/p{j % 7}/run_{j}.log", f"logs/p{j % 7}/x{j}.txt"]
        walked.append(f"logs/p{j % 7}/x7_keep{j}.log")
        files.update((path, "") for path in walked)
        kept.update(walked)
    write_files(tmp_path, files)
    found = discover([tmp_path])
    assert found.problems == ()
    assert set(found.projects[0].files) == kept


def test_patterns_that_share_every_literal_part_are_reported_and_not_applied(
    tmp_path: Path,
) -> None:
    # 2,048 patterns told apart only by their wildcards: each would be tried on every
    # ".log" file, so the file is not applied, and said so.
    patterns = [
        "x" + "".join("?" if i >> bit & 1 else "*" for bit in range(11)) + ".log"
        for i in range(2_048)
    ]
    write_files(
        tmp_path,
        {"lens.toml": "", ".gitignore": "\n".join(patterns) + "\n", "xrun_0123456789.log": ""},
    )
    found = discover([tmp_path])
    message = (
        f"more than {MAX_TRIED_TOGETHER:,} of its patterns share every literal part a path "
        "is looked up by, so each would be tried on every such path; none of its patterns "
        "is applied"
    )
    assert found.problems == (WalkProblem(found.projects[0].root / ".gitignore", message),)
    assert found.projects[0].files == (".gitignore", "lens.toml", "xrun_0123456789.log")


def test_an_ignore_file_beyond_its_bounds_is_reported_and_not_applied(tmp_path: Path) -> None:
    many = "\n".join(f"build{i}/" for i in range(MAX_PATTERNS + 1)) + "\n"
    large = "# " + "x" * MAX_IGNORE_FILE + "\n*.log\n"
    write_files(
        tmp_path,
        {
            "lens.toml": "",
            "a/.gitignore": many,
            "a/build1/x.py": "",
            "b/.gitignore": large,
            "b/run.log": "",
            "c/.gitignore": "*" * (MAX_PATTERN_LENGTH + 1) + "\n*.log\n",
            "c/run.log": "",
            "c/keep.py": "",
        },
    )
    found = discover([tmp_path])
    root = found.projects[0].root
    too_many = f"it holds more than {MAX_PATTERNS:,} patterns, none of which is applied"
    too_large = "it is larger than 1 MiB, so none of its patterns is applied"
    too_long = f"the pattern is longer than {MAX_PATTERN_LENGTH:,} characters"
    assert found.problems == (
        WalkProblem(root / "a/.gitignore", too_many),
        WalkProblem(root / "b/.gitignore", too_large),
        WalkProblem(root / "c/.gitignore", f"invalid ignore pattern skipped: {too_long}"),
    )
    assert found.projects[0].files == (
        "a/.gitignore",
        "a/build1/x.py",
        "b/.gitignore",
        "b/run.log",
        "c/.gitignore",
        "c/keep.py",
        "lens.toml",
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(PATTERNS, min_size=1, max_size=12), PATHS, st.booleans())
def test_the_index_finds_the_pattern_a_full_scan_finds(
    lines: list[str], path: str, is_dir: bool
) -> None:
    patterns, _ = parse_lines(lines)
    expected = next(
        (i for i in reversed(range(len(patterns))) if patterns[i].matches(path, is_dir)), None
    )
    found = PatternList(patterns).last_match(path, is_dir)
    # A pattern written twice is kept once, at its last place.
    if expected is not None and found is not None:
        assert patterns[found].text == patterns[expected].text
        expected = max(i for i, p in enumerate(patterns) if p.text == patterns[expected].text)
    assert found == expected


def test_many_lfs_patterns_decide_each_path_through_the_index() -> None:
    sets = 12_000
    lines = [f"data/set{i}/*.parquet filter=lfs diff=lfs merge=lfs -text" for i in range(sets)]
    lines += [f"data/set{i}/small.parquet -filter" for i in range(0, sets, 2)]
    attributes = parse_gitattributes("\n".join(lines) + "\n")
    names = [f"data/set{i}/{name}.parquet" for i in range(5_000) for name in ("big", "small")]
    assert [attributes.lfs(name) for name in names] == [
        answer for i in range(5_000) for answer in (True, bool(i % 2))
    ]
    assert attributes.lfs("data/other/big.parquet") is None


def test_gitattributes_beyond_the_pattern_bound_is_unparseable() -> None:
    lines = [f"*.ext{i} filter=lfs" for i in range(MAX_PATTERNS + 1)]
    with pytest.raises(ParseError) as raised:
        parse_gitattributes("\n".join(lines) + "\n")
    assert raised.value.message == f"sets filters for more than {MAX_PATTERNS:,} patterns"
    assert raised.value.line == MAX_PATTERNS + 1


# Python -----------------------------------------------------------------------------------------


def test_four_megabytes_of_python_is_reported_as_too_large(tmp_path: Path, lint: Linter) -> None:
    # Its syntax tree alone took 2 GB.
    source = "import torch\n" + "x = f(a, b)\n" * ((READ_LIMIT - 100) // 12)
    write_files(tmp_path, {"lens.toml": "schema_version = 1\n", "train.py": source})
    found = lint.result(tmp_path).findings
    assert [f.message for f in found if f.rule.code == "LN009"] == [
        f"`train.py` is too large to be read: more than {MAX_WORDS:,} names and numbers"
    ]


def test_python_up_to_the_bound_is_parsed() -> None:
    at_bound = "".join(f"v{i} = {i}\n" for i in range(MAX_WORDS // 2))
    assert len(parse_python(at_bound).tree.body) == MAX_WORDS // 2
    with pytest.raises(ParseError) as raised:
        parse_python(at_bound + "one_more\n")
    too_large = f"is too large to be read: more than {MAX_WORDS:,} names and numbers"
    assert raised.value.message == too_large


def test_typescript_of_more_names_than_a_python_module_holds_is_reported_as_too_large(
    tmp_path: Path, lint: Linter
) -> None:
    # Read into Python's syntax trees: a megabyte of calls took 4.4 s, four took 15 s and 1.9 GB.
    head = "import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';\n"
    model = "new sagemaker.CfnModel(this, 'M', { executionRoleArn: role });\n"
    calls = "f(a, b);\n" * ((READ_LIMIT - 200) // 9)
    write_files(
        tmp_path,
        {
            "lens.toml": "schema_version = 1\n",
            "cdk.json": '{"app": "npx ts-node bin/app.ts"}',
            "bin/app.ts": head + model + calls,
        },
    )
    found = lint.result(tmp_path).findings
    assert [f.message for f in found if f.rule.code in ("LN009", "DE021")] == [
        f"`bin/app.ts` is too large to be read: more than {MAX_WORDS:,} names and numbers"
    ]
    # 16 names in the import and the model, 3 in each call: within the bound by two.
    calls_within = (MAX_WORDS - 16) // 3
    within = head + model + "f(a, b);\n" * calls_within
    assert parse_typescript(within).root.child_count == 2 + calls_within
    with pytest.raises(ParseError):
        parse_typescript(within + "f(a, b);\n")


# TOML and INI -----------------------------------------------------------------------------------


def _dense(head: str, line: str, size: int) -> str:
    """``head``, then ``line`` formatted with a running number, up to ``size`` characters."""
    lines = [head]
    total, number = len(head), 0
    while total + len(line.format(number)) <= size:
        lines.append(line.format(number))
        total += len(lines[-1])
        number += 1
    return "".join(lines)


PIPFILE = ("[packages]\n", 'torch{} = "==2.1"\n')
SETUP_CFG = ("[options]\ninstall_requires =\n", "    torch{}==2.1\n")


@pytest.mark.parametrize(("name", "form"), [("Pipfile", PIPFILE), ("setup.cfg", SETUP_CFG)])
def test_dependency_files_beyond_their_parse_bound_are_reported(
    tmp_path: Path, lint: Linter, name: str, form: tuple[str, str]
) -> None:
    # Their readers are pure Python, at 1-2 µs a byte: four megabytes took 5-8 s each.
    text = _dense(*form, READ_LIMIT)
    write_files(tmp_path, {"lens.toml": "schema_version = 1\n", name: text})
    found = lint.result(tmp_path).findings
    assert [f.message for f in found if f.rule.code == "LN009"] == [
        f"`{name}` is too large to be read: more than 256 KiB"
    ]


def test_dependency_files_within_their_parse_bound_are_read(tmp_path: Path) -> None:
    write_files(tmp_path, {"Pipfile": _dense(*PIPFILE, PARSE_LIMIT_BY_KIND[kinds.PIPFILE])})
    ev = Evidence(tmp_path, ("Pipfile",))
    parsed = ev.parse("Pipfile", parse_pipfile)
    assert parsed is not None and ev.failures == ()
    assert len(parsed.dependencies) > 12_000


DOCKERFILE = ("FROM python:3.12.4-slim\n", "RUN a{}\n")
README = ("# Model\n", "# Section {}\n")


@pytest.mark.parametrize(
    ("name", "form", "kind"),
    [("Dockerfile", DOCKERFILE, kinds.DOCKERFILE), ("README.md", README, kinds.MARKDOWN)],
)
def test_dockerfiles_and_markdown_beyond_their_parse_bound_are_reported(
    tmp_path: Path, lint: Linter, name: str, form: tuple[str, str], kind: str
) -> None:
    # Read line by line at 3-4 µs a byte: four megabytes of these took 12 and 7 s.
    limit = PARSE_LIMIT_BY_KIND[kind]
    write_files(
        tmp_path,
        {
            "lens.toml": "schema_version = 1\n",
            name: _dense(*form, READ_LIMIT),
            f"within/{name}": _dense(*form, limit),
        },
    )
    found = lint.result(tmp_path).findings
    assert [(f.path, f.message) for f in found if f.rule.code == "LN009"] == [
        (name, f"`{name}` is too large to be read: more than {limit >> 10} KiB")
    ]
    ev = Evidence(tmp_path, (f"within/{name}",))
    parser = parse_dockerfile if kind == kinds.DOCKERFILE else parse_markdown
    assert ev.parse(f"within/{name}", parser) is not None and ev.failures == ()


def test_a_requirements_file_of_more_requirements_than_its_bound_is_reported_where_it_passes(
    tmp_path: Path, lint: Linter
) -> None:
    # Four megabytes of one-letter requirements took half a minute and 700 MB.
    names = "".join(f"torch{number}\n" for number in range(MAX_REQUIREMENTS))
    write_files(
        tmp_path,
        {
            "lens.toml": "schema_version = 1\n",
            "requirements.txt": f"-r requirements-dev.txt\n{names}",
            "requirements-dev.txt": f"{names}pytest\n" + "x\n" * 1_000_000,
        },
    )
    found = [f for f in lint.result(tmp_path).findings if f.rule.code == "LN009"]
    assert [(f.path, f.line, f.message) for f in found] == [
        (
            "requirements-dev.txt",
            MAX_REQUIREMENTS + 1,
            f"`requirements-dev.txt` has more than {MAX_REQUIREMENTS:,} requirements: "
            "a requirements file is read up to that many",
        )
    ]
    parsed = parse_requirements(f"-r requirements-dev.txt\n{names}")
    assert len(parsed.requirements) == MAX_REQUIREMENTS and len(parsed.includes) == 1


# Integers longer than Python converts -------------------------------------------------------

# More digits than Python converts to an int (a bound against conversion whose time grows
# with the square of the length): 5 s for a million digits without it.
DIGITS = "9" * 5_000


@pytest.mark.parametrize(
    ("name", "content", "line", "column"),
    [
        ("params.yaml", f"seed: 1\nepochs: {DIGITS}\n", 2, 9),
        (
            "stack.json",
            f'{{"Resources": {{"B": {{"Type": "AWS::S3::Bucket", "X": {DIGITS}}}}}}}',
            1,
            54,
        ),
        (
            "eda.ipynb",
            json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})[:-1]
            + f', "x": {DIGITS}}}',
            1,
            72,
        ),
    ],
)
def test_an_integer_longer_than_python_reads_is_reported_at_its_place(
    lint: Linter, tmp_path: Path, name: str, content: str, line: int, column: int
) -> None:
    write_files(tmp_path, {name: content})
    (finding,) = lint.result(tmp_path, "LN009").findings
    assert (finding.path, finding.line, finding.column) == (name, line, column)
    assert finding.message == (
        f"`{name}` holds an integer of more than 4,300 digits, which Python does not read"
    )


def test_a_yaml_1_1_sexagesimal_integer_is_bounded_as_python_bounds_a_decimal_one(
    lint: Linter, tmp_path: Path
) -> None:
    # YAML 1.1 sums `1:30:00` part by part: 300,000 parts took 26 s, beyond Python's bound.
    long = ":".join(["59"] * 3_000)
    write_files(tmp_path, {"params.yaml": f"%YAML 1.1\n---\nshort: 1:30:00\nlong: {long}\n"})
    (finding,) = lint.result(tmp_path, "LN009").findings
    assert (finding.path, finding.line, finding.column) == ("params.yaml", 4, 7)
    assert "holds an integer of more than 4,300 digits" in finding.message
    assert load_yaml("%YAML 1.1\n---\nshort: 1:30:00\n") == [{"short": 5400}]


def test_a_parser_error_of_another_kind_names_only_its_type(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.yaml": f"token: ghp_x\nsize: {DIGITS[:100]}\n"})
    evidence = Evidence(tmp_path, ("a.yaml",))

    def refuses(text: str) -> None:
        raise ValueError(f"cannot read {text}")

    assert evidence.parse("a.yaml", refuses) is None
    (failure,) = evidence.failures
    assert (failure.message, failure.line, failure.column) == (
        "could not be parsed (ValueError)",
        1,
        1,
    )
