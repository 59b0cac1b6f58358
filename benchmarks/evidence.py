"""The cost of the evidence layer on a 30,000-file ML repository, against reading it once.

    python benchmarks/evidence.py [--files 30000] [--repeat 3]

builds, in a temporary folder, one ML project (lens.toml) of realistic file kinds — Python
modules (a fifth of them training code importing numpy/sklearn/torch), notebooks with outputs,
YAML configs, requirements, a Dockerfile, CI workflows, Markdown, CSV and JSON data — in a git
repository (`git add`, so that the index is real), then times:

* the floor: reading every file once, start to end (what `cat $(git ls-files) >/dev/null`
  costs, measured in-process so that no shell overhead is counted);
* `mllint-wa --select BG,PF`: the manifest rules only, i.e. discovery without evidence;
* `mllint-wa --select ALL`: every rule, i.e. discovery plus the evidence layer.

It prints the minimum and median of each; nothing is timed inside the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import MANIFEST, time_command

TRAIN = """import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier


def train_{n}(frame):
    np.random.seed(0)
    x_train, x_test, y_train, y_test = train_test_split(frame, frame.y, random_state=0)
    return RandomForestClassifier(random_state=0).fit(x_train, y_train)
"""
HELPER = '''"""Helper {n}."""


def helper_{n}(values):
    return [value * {n} for value in values if value]
'''


def _notebook(n: int) -> str:
    cells = [
        {
            "cell_type": "code",
            "execution_count": i + 1,
            "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": [f"{n} {i}\n"]}],
            "source": ["import pandas as pd\n", f"frame = pd.DataFrame({{'a': [{i}]}})\n"],
        }
        for i in range(5)
    ]
    return json.dumps(
        {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


def build_repository(root: Path, files: int) -> int:
    (root / "lens.toml").write_text(MANIFEST.format(index=0), encoding="utf-8")
    (root / "requirements.txt").write_text("numpy==2.1.0\nscikit-learn==1.5.2\n", encoding="utf-8")
    (root / "Dockerfile").write_text("FROM python:3.12-slim\nUSER app\n", encoding="utf-8")
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(
        "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
        encoding="utf-8",
    )
    written = 4
    kinds = ("train", "helper", "helper", "helper", "helper", "yaml", "md", "csv", "json", "ipynb")
    for number in range(files - written):
        kind = kinds[number % len(kinds)]
        folder = root / ("src" if kind in {"train", "helper"} else "assets") / f"p{number % 50}"
        folder.mkdir(parents=True, exist_ok=True)
        if kind == "train":
            path, text = folder / f"train_{number}.py", TRAIN.format(n=number)
        elif kind == "helper":
            path, text = folder / f"mod_{number}.py", HELPER.format(n=number)
        elif kind == "yaml":
            path, text = folder / f"conf_{number}.yaml", f"lr: 0.{number}\nepochs: 3\n"
        elif kind == "md":
            path, text = folder / f"notes_{number}.md", f"# Notes {number}\n\nText.\n"
        elif kind == "csv":
            path, text = folder / f"sample_{number}.csv", "a,b\n" + "1,2\n" * 20
        elif kind == "json":
            path, text = folder / f"meta_{number}.json", json.dumps({"n": number})
        else:
            path, text = folder / f"eda_{number}.ipynb", _notebook(number)
        path.write_text(text, encoding="utf-8")
        written += 1
    git = ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    return written


def read_everything(root: Path) -> None:
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                while handle.read(1 << 20):
                    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    executable = shutil.which("mllint-wa")
    if executable is None:
        sys.exit("mllint-wa is not on PATH: install the package first")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        written = build_repository(root, args.files)
        size = sum(
            p.stat().st_size for p in root.rglob("*") if p.is_file() and ".git" not in p.parts
        )
        print(f"repository: {written} files, {size / 1e6:.1f} MB")
        floors = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            read_everything(root)
            floors.append(time.perf_counter() - start)
        rows = [("read every file once (floor)", floors)]
        for label, select in (("manifest rules only", "BG,PF"), ("all rules", "ALL")):
            command = [executable, "--no-cache", "--select", select, "--exit-zero", "-q", "."]
            rows.append(
                (f"mllint-wa --select {select} ({label})", time_command(command, root, args.repeat))
            )
        for label, times in rows:
            print(f"{label:55s} min {min(times):6.3f} s   median {statistics.median(times):6.3f} s")


if __name__ == "__main__":
    main()
