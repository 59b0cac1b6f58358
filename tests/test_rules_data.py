"""DP010-DP015: data committed to git, data versioning, data validation.

Repositories are built in tmp_path with `git init` / `git add` run by the tests only: the
linter itself reads `.git/index` and never runs git.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import shutil
import struct
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint_wa.config import ConfigError, layer_from_table, parse_size
from mllint_wa.evidence import Evidence
from mllint_wa.evidence.data_files import is_data_archive
from mllint_wa.evidence.git import IndexUnreadable, find_repository, parse_index, tracked_files
from mllint_wa.parsers.archive import tar_member_names, zip_member_names
from mllint_wa.parsers.dvc import parse_dvc_config, parse_dvc_file, parse_dvc_pipeline
from mllint_wa.parsers.gitattributes import parse_gitattributes
from mllint_wa.parsers.ml_config import parse_config, parse_mlproject
from trees import write_tree as _write

MB = 1_000_000


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _repo(root: Path, files: dict[str, str | bytes], *, version: int | None = None) -> Path:
    _write(root, {"lens.toml": "schema_version = 1\n", **files})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    if version is not None:
        _git(root, "update-index", "--index-version", str(version))
    return root


def _sized(size: int) -> bytes:
    return b"x" * size


# -- the git index ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", [2, 3, 4])
def test_tracked_files_and_sizes_come_from_the_index_of_each_version(tmp_path, version):
    files: dict[str, str | bytes] = {"a.txt": "hello\n", "deep/er/b.csv": _sized(1234)}
    repo = _repo(tmp_path, files, version=None if version == 3 else version)
    if version == 3:
        # An intent-to-add entry needs the extended flags that only version 3 has; its
        # recorded size is 0, so the file's own size is taken.
        _write(repo, {"later.csv": "1,2\n"})
        _git(repo, "add", "-N", "later.csv")
    assert (repo / ".git" / "index").read_bytes()[4:8] == struct.pack(">I", version)
    expected = {"a.txt": 6, "deep/er/b.csv": 1234, "lens.toml": 19}
    if version == 3:
        expected["later.csv"] = 4
    assert tracked_files(Evidence(repo, ())).sizes == expected


def test_tracked_paths_are_relative_to_a_project_inside_the_repository(tmp_path):
    _repo(tmp_path, {"svc/lens.toml": "schema_version = 1\n", "svc/data/x.csv": "1\n", "y.md": ""})
    assert tracked_files(Evidence(tmp_path / "svc", ())).sizes == {"data/x.csv": 2, "lens.toml": 19}


def test_a_worktree_gitdir_file_leads_to_its_own_index(tmp_path):
    main = _repo(tmp_path / "main", {"a.txt": "a\n"})
    _git(main, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "first")
    _git(main, "worktree", "add", "-q", str(tmp_path / "wt"))
    repository = find_repository(tmp_path / "wt")
    assert repository is not None
    assert (tmp_path / "wt" / ".git").is_file()
    assert repository.git_dir.parent.name == "worktrees"
    assert repository.common_dir == (main / ".git").resolve() or repository.common_dir.samefile(
        main / ".git"
    )
    assert tracked_files(Evidence(tmp_path / "wt", ())).sizes == {"a.txt": 2, "lens.toml": 19}


def test_a_gitdir_file_that_names_nothing_is_no_repository(tmp_path):
    (tmp_path / ".git").write_text("gitdir: ../nowhere\n", encoding="utf-8")
    assert find_repository(tmp_path) is None


def _entry(path: bytes, size: int, *, version: int, strip: int = 0, suffix: bytes = b"") -> bytes:
    stat_data = struct.pack(">10I", 0, 0, 0, 0, 0, 0, 0o100644, 0, 0, size)
    head = stat_data + b"\0" * 20 + struct.pack(">H", min(len(path), 0xFFF))
    if version == 4:
        assert strip < 0x80
        return head + bytes([strip]) + suffix + b"\0"
    length = len(head) + len(path)
    return head + path + b"\0" * (8 - length % 8)


def _index(entries: list[bytes], version: int, count: int | None = None) -> bytes:
    body = b"DIRC" + struct.pack(">II", version, len(entries) if count is None else count)
    body += b"".join(entries)
    return body + hashlib.sha1(body).digest()


def test_version_4_paths_are_rebuilt_from_the_previous_path_by_prefix_compression():
    data = _index(
        [
            _entry(b"", 10, version=4, suffix=b"data/raw/a.csv"),
            _entry(b"", 20, version=4, strip=5, suffix=b"b.csv"),  # data/raw/ + b.csv
            _entry(b"", 30, version=4, strip=9, suffix=b"model.pt"),  # data/ + model.pt
        ],
        4,
    )
    assert [(entry.path, entry.size) for entry in parse_index(data)] == [
        ("data/raw/a.csv", 10),
        ("data/raw/b.csv", 20),
        ("data/model.pt", 30),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is not a git index"),
        (b"NOPE" + b"\0" * 40, "is not a git index"),
        (_index([], 5), "has version 5; versions 2, 3 and 4 are read"),
        (_index([_entry(b"a.csv", 1, version=2)], 2, count=2), "ends in the middle of an entry"),
        (_index([_entry(b"", 1, version=4, strip=3, suffix=b"x")], 4), "has a malformed path"),
        (_index([], 2)[:-1] + b"\x01", "fails its checksum"),
    ],
)
def test_malformed_indexes_are_refused_with_the_reason(data, message):
    with pytest.raises(IndexUnreadable, match=f"^{message}$"):
        parse_index(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=20))
def test_index_parsing_never_fails_otherwise(noise, cut):
    valid = _index([_entry(b"data/a.csv", 7, version=2), _entry(b"b.pt", 9, version=2)], 2)
    for data in (noise, b"DIRC" + noise, valid[: len(valid) - cut] + noise[:cut]):
        with contextlib.suppress(IndexUnreadable):
            parse_index(data)


def test_a_malformed_index_is_reported_once_and_large_files_stay_unjudged(lint, tmp_path):
    repo = _repo(tmp_path, {"data/big.csv": _sized(2 * MB)})
    (repo / ".git" / "index").write_bytes(b"DIRC" + b"\0" * 64)
    assert lint(repo, "DP010", "DP011") == [("DP011", "git-index-unavailable", ".git/index", 1, 1)]
    assert lint.messages(repo, "DP011") == [
        "the git index has version 0; versions 2, 3 and 4 are read: files committed to git "
        "were not checked"
    ]


def test_without_git_it_is_said_once_on_the_first_data_file(lint, tmp_path):
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", "a.csv": "1\n", "m/b.pt": "x"})
    assert lint(tmp_path, "DP010", "DP011") == [("DP011", "git-index-unavailable", "a.csv", 1, 1)]
    assert lint.messages(tmp_path, "DP011") == [
        "no git repository holds the project: whether `a.csv` and 1 other data or model file "
        "are committed to git, and how large they are, was not checked"
    ]


def test_without_git_and_without_data_nothing_is_said(lint, tmp_path):
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", "train.py": "print(1)\n"})
    assert lint(tmp_path, "DP011") == []


# -- DP010 large-file-in-git -----------------------------------------------------------------


def test_large_files_in_git_are_reported_and_lfs_dvc_small_and_ignored_ones_are_not(lint, tmp_path):
    repo = _repo(
        tmp_path,
        {
            "data/train.csv": _sized(2 * MB),
            "docs/video.mp4": _sized(11 * MB),
            # Traps: a small CSV, a model in Git LFS, data that DVC tracks (its .dvc file
            # committed, the data git-ignored), a data file git ignores, a big text file
            # under the general threshold.
            "data/sample.csv": "a,b\n1,2\n",
            ".gitattributes": "*.pt filter=lfs diff=lfs merge=lfs -text\n",
            "models/model.pt": _sized(3 * MB),
            "data/raw.parquet.dvc": "outs:\n- md5: abc\n  path: raw.parquet\n",
            "data/.gitignore": "/raw.parquet\n/scratch.csv\n",
            "data/raw.parquet": _sized(5 * MB),
            "data/scratch.csv": _sized(5 * MB),
            "notes.txt": _sized(9 * MB),
        },
    )
    assert lint(repo, "DP010") == [
        ("DP010", "large-file-in-git", "data/train.csv", 1, 1),
        ("DP010", "large-file-in-git", "docs/video.mp4", 1, 1),
    ]
    assert lint.messages(repo, "DP010") == [
        "`data/train.csv` is a 2.0 MB data file committed to git, above the 1.0 MB threshold: "
        "keep it in DVC or Git LFS",
        "`docs/video.mp4` is a 11.0 MB file committed to git, above the 10.0 MB threshold: "
        "keep it in DVC or Git LFS",
    ]


def test_dvc_pipeline_outputs_are_fine_unless_kept_in_git_with_cache_false(lint, tmp_path):
    repo = _repo(
        tmp_path,
        {
            "dvc.yaml": """
                stages:
                  train:
                    cmd: python train.py
                    wdir: work
                    outs:
                      - models
                      - report.csv:
                          cache: false
            """,
            "work/models/model.onnx": _sized(2 * MB),
            "work/report.csv": _sized(2 * MB),
        },
    )
    assert lint(repo, "DP010") == [("DP010", "large-file-in-git", "work/report.csv", 1, 1)]


def test_lfs_rules_of_a_folder_above_the_project_apply(lint, tmp_path):
    _repo(
        tmp_path,
        {
            ".gitattributes": "svc/data/** filter=lfs\n",
            "svc/lens.toml": "schema_version = 1\n",
            "svc/data/a.csv": _sized(2 * MB),
        },
    )
    assert lint(tmp_path / "svc", "DP010") == []


def test_thresholds_come_from_the_settings_with_units(lint, tmp_path):
    repo = _repo(
        tmp_path,
        {"data/a.csv": _sized(2 * MB), "b.txt": _sized(300_000)},
    )
    (repo / "lens.toml").write_text(
        'schema_version = 1\n[lint]\nlarge-data-file-threshold = "3 MB"\n'
        "large_file_threshold = 250000\n",
        encoding="utf-8",
    )
    assert lint(repo, "DP010") == [("DP010", "large-file-in-git", "b.txt", 1, 1)]


@pytest.mark.parametrize(
    ("value", "size"),
    [(10, 10), ("10 MB", 10_000_000), ("512KiB", 524_288), ("1.5 GB", 1_500_000_000)],
)
def test_sizes_are_bytes_or_numbers_with_a_unit(value, size):
    assert parse_size(value) == size


def test_a_size_that_is_not_one_is_a_configuration_error():
    with pytest.raises(ConfigError, match="`large-file-threshold` must be a size in bytes"):
        layer_from_table({"large-file-threshold": "big"}, "pyproject.toml")


# -- DP012 missing-data-versioning -----------------------------------------------------------


def test_an_unversioned_s3_read_is_reported_and_pinned_or_unknown_reads_are_not(lint):
    assert lint("missing-data-versioning", "DP012") == [
        ("DP012", "missing-data-versioning", "src/prepare.py", 17, 14)
    ]
    assert lint.messages("missing-data-versioning", "DP012") == [
        "`pandas.read_csv` reads `s3://acme-raw/churn/events.csv`, whose content can change, "
        "and nothing versions the data: no DVC, Git LFS, lakeFS, Delta, S3 `VersionId=` or "
        "data set `revision=`"
    ]


def test_committed_data_with_nothing_versioning_it_is_reported(lint, tmp_path):
    repo = _repo(tmp_path, {"data/a.csv": _sized(700_000), "data/b.csv": _sized(600_000)})
    assert lint.messages(repo, "DP012") == [
        "2 data files (1.3 MB in all, the largest `data/a.csv`) are committed to git and "
        "nothing versions the data: no DVC, Git LFS, lakeFS or Delta"
    ]


@pytest.mark.parametrize(
    "files",
    [
        {"data/x.csv.dvc": "outs:\n- md5: a\n  path: x.csv\n"},
        {"load.py": "import lakefs\n"},
        {".gitattributes": "*.csv filter=lfs\n"},
        {"conf/config.yaml": "defaults:\n  - db: local\n"},
    ],
    ids=["dvc", "lakefs", "lfs", "hydra-without-locations"],
)
def test_versioned_or_locationless_data_is_not_reported(lint, tmp_path, files):
    code = 'import pandas as pd\npd.read_csv("s3://b/x.csv")\n'
    if "conf/config.yaml" in files:
        code = "import pandas as pd\npd.read_csv(path)\n"
    repo = _repo(tmp_path, {"train.py": code, **files})
    assert lint(repo, "DP012") == []


def test_reads_in_tests_and_tfds_loads_are_not_mutable_data(lint, tmp_path):
    repo = _repo(
        tmp_path,
        {
            "tests/test_loading.py": "import pandas as pd\npd.read_csv('s3://b/x.csv')\n",
            "src/test_io.py": "from datasets import load_dataset\nload_dataset('imdb')\n",
            "src/train.py": "import tensorflow_datasets as tfds\ntfds.load('mnist')\n",
        },
    )
    assert lint(repo, "DP012") == []


def test_local_data_paths_count_only_when_git_does_not_hold_them(lint, tmp_path):
    repo = _repo(
        tmp_path,
        {
            "src/train.py": """
                import pandas as pd
                pd.read_csv("data/small.csv")
                pd.read_parquet("../data/features.parquet")
            """,
            "data/small.csv": "a\n1\n",
        },
    )
    assert lint(repo, "DP012") == [("DP012", "missing-data-versioning", "src/train.py", 3, 1)]


def test_a_location_in_params_or_hydra_config_is_reported_at_its_key(lint, tmp_path):
    repo = _write(
        tmp_path,
        {
            "lens.toml": "schema_version = 1\n",
            "conf/config.yaml": "defaults:\n  - data: s3\n",
            "conf/data/s3.yaml": "train_uri: s3://acme/train/\nmodel_output: s3://acme/m/\n",
        },
    )
    assert lint(repo, "DP012") == [("DP012", "missing-data-versioning", "conf/data/s3.yaml", 1, 12)]
    assert lint.messages(repo, "DP012")[0].startswith(
        "`conf/data/s3.yaml` key `train_uri` names `s3://acme/train/`"
    )


# -- DP013 declared-versioning-not-used, DP014 undeclared-data-versioning ----------------------


def test_declared_dvc_without_any_dvc_file_is_reported_at_the_value(lint):
    assert lint("declared-versioning-not-used", "DP013") == [
        ("DP013", "declared-versioning-not-used", "lens.toml", 4, 14)
    ]
    assert lint.messages("declared-versioning-not-used", "DP013") == [
        '`data.versioning` is "dvc" but nothing in the repository uses DVC: no dvc.yaml, '
        "dvc.lock, *.dvc file or .dvc/config"
    ]


def test_declared_dvc_names_the_tool_really_used(lint, manifest):
    repo = manifest('schema_version = 1\n[data]\nversioning = "dvc"\n')
    _write(repo, {".gitattributes": "*.parquet filter=lfs\n"})
    assert lint.messages(repo, "DP013") == [
        '`data.versioning` is "dvc" but nothing in the repository uses DVC: no dvc.yaml, '
        "dvc.lock, *.dvc file or .dvc/config; the repository uses Git LFS"
    ]


def test_dvc_in_use_while_the_manifest_says_none_is_reported(lint):
    assert lint("undeclared-data-versioning", "DP014") == [
        ("DP014", "undeclared-data-versioning", "lens.toml", 4, 14)
    ]
    assert lint.messages("undeclared-data-versioning", "DP014") == [
        '`data.versioning` is "none" but DVC versions data here (`data/raw.csv.dvc`): '
        'declare `versioning = "dvc"`'
    ]


def test_lfs_for_models_only_is_not_data_versioning(lint, manifest):
    repo = manifest('schema_version = 1\n[data]\nversioning = "none"\n')
    _write(repo, {".gitattributes": "*.pt filter=lfs\n"})
    assert lint(repo, "DP014") == []
    _write(repo, {".gitattributes": "*.parquet filter=lfs\n"})
    assert lint.messages(repo, "DP014") == [
        '`data.versioning` is "none" but Git LFS versions data here (`.gitattributes`): '
        'remove `versioning = "none"`'
    ]


# -- DP015 missing-data-validation -----------------------------------------------------------


def test_reading_data_with_no_validation_is_reported_at_the_raw_data_read(lint):
    # src/evaluate.py reads what src/prepare.py writes (data/holdout.parquet) and a table
    # in data/processed/; src/train.py reads a path it is given; src/prepare.py reads the
    # raw export: the finding stands there.
    assert lint("missing-data-validation", "DP015") == [
        ("DP015", "missing-data-validation", "src/prepare.py", 7, 17)
    ]
    assert lint.messages("missing-data-validation", "DP015") == [
        "`pandas.read_csv` reads `data/raw/customers.csv` here (3 other reads too) but nothing "
        "validates the data: no schema or expectation checks (pandera, Great Expectations, "
        "TFDV, Deequ, deepchecks, whylogs, Evidently, pydantic) and no data tests"
    ]


def test_a_dvc_stage_output_is_an_intermediate_read_after_the_unknown_ones(lint, tmp_path):
    _write(
        tmp_path,
        {
            "dvc.yaml": "stages:\n  split:\n    cmd: python split.py\n    outs:\n    - out/\n",
            "a_train.py": "import pandas as pd\npd.read_csv('out/train.csv')\n",
            "b_score.py": "import pandas as pd\n\ndef score(path):\n    pd.read_csv(path)\n",
        },
    )
    assert [row[2:4] for row in lint(tmp_path, "DP015")] == [("b_score.py", 4)]


@pytest.mark.parametrize(
    "files",
    [
        {"src/schema.py": "import pandera as pa\n"},
        {"tests/test_data.py": "def test_columns():\n    pass\n"},
        {"tests/data/test_ranges.py": "def test_ranges():\n    pass\n"},
        {"gx/great_expectations.yml": "config_version: 3\n"},
        {"src/records.py": "from pydantic import BaseModel\n"},
    ],
    ids=["pandera", "test-data", "tests-data-folder", "great-expectations", "pydantic"],
)
def test_any_validation_evidence_silences_it(lint, tmp_path, files):
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", **files})
    _write(tmp_path, {"train.py": "import pandas as pd\npd.read_csv('x.csv')\n"})
    assert lint(tmp_path, "DP015") == []


def test_no_data_read_means_nothing_to_validate(lint, tmp_path):
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", "tests/test_model.py": "x = 1\n"})
    _write(tmp_path, {"train.py": "import pandas as pd\nframe = pd.DataFrame()\n"})
    assert lint(tmp_path, "DP015") == []


# -- parsers ---------------------------------------------------------------------------------


def test_dvc_files_give_their_outputs_relative_to_their_folder_and_wdir():
    pipeline = parse_dvc_pipeline(
        "stages:\n  s:\n    wdir: w\n    outs:\n    - a\n    - b:\n        cache: false\n"
        "    deps: [in.csv]\n    params: [seed]\n  t:\n    foreach: [1]\n    do:\n"
        "      outs: ['x/${item}']\nmetrics: [m.json]\n"
    )
    assert [(o.path, o.line, o.cache) for o in pipeline.outputs] == [
        ("w/a", 5, True),
        ("w/b", 6, False),
        ("m.json", 14, True),
    ]
    assert (pipeline.stages, pipeline.dependencies, pipeline.params) == (
        ("s", "t"),
        ("w/in.csv",),
        ("w/seed",),
    )
    tracked = parse_dvc_file("outs:\n- md5: abc\n  size: 3\n  path: data.xml\n")
    assert [(o.path, o.checksum) for o in tracked.outputs] == [("data.xml", "abc")]


def test_dvc_config_remotes_are_read_as_ini():
    config = parse_dvc_config(
        "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://acme/dvc\n"
    )
    assert (config.remotes, config.default_remote) == ({"storage": "s3://acme/dvc"}, "storage")


def test_gitattributes_follow_git_pattern_semantics():
    attributes = parse_gitattributes(
        "# models\n*.pt filter=lfs\ndata/** filter=lfs\ndata/keep.csv -filter\n"
        "raw/ filter=lfs\n[attr]big filter=lfs\n"
    )
    assert attributes.lfs("m/x.pt") is True
    assert attributes.lfs("data/a/b.csv") is True
    assert attributes.lfs("data/keep.csv") is False
    assert attributes.lfs("raw/a.csv") is None  # a folder pattern matches no file
    assert attributes.lfs("x.csv") is None


def test_mlproject_and_hydra_configs_give_their_values_with_positions():
    project = parse_mlproject(
        "name: churn\nentry_points:\n  main:\n    parameters:\n"
        "      data: {type: uri, default: 's3://a/b.csv'}\n    command: python train.py\n"
    )
    assert project.name == "churn"
    [entry] = project.entry_points
    assert (entry.name, entry.command) == ("main", "python train.py")
    assert [(v.key, v.value, v.line) for v in entry.parameters] == [
        ("entry_points.main.parameters.data.type", "uri", 5),
        ("entry_points.main.parameters.data.default", "s3://a/b.csv", 5),
    ]
    hydra = parse_config("defaults:\n  - model: xgb\n  - _self_\nseed: 7\n")
    assert hydra.defaults == ("model: xgb", "_self_")


# -- archives: data sets by their members ------------------------------------------------------

ARCHIVES = Path(__file__).parent / "fixtures" / "repos" / "missing-datasheet" / "archives"


def _archive_repo(tmp_path: Path, name: str) -> Path:
    repo = tmp_path / name
    shutil.copytree(ARCHIVES / name, repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    return repo


def test_a_zip_of_a_web_site_is_no_data_set(lint, tmp_path):
    # site/docs/handbook-site.zip holds HTML, CSS, a script, a font and a logo: it is no
    # data, so the 10 kB data threshold, data versioning and a datasheet do not apply.
    repo = _archive_repo(tmp_path, "site")
    assert lint(repo, "DP010", "DP012", "DP020") == []


def test_a_zip_of_images_and_labels_is_a_data_set(lint, tmp_path):
    # data/data/scans.zip holds images and their labels.
    repo = _archive_repo(tmp_path, "data")
    assert lint(repo, "DP010", "DP012", "DP020") == [
        ("DP010", "large-file-in-git", "data/scans.zip", 1, 1),
        ("DP012", "missing-data-versioning", "data/scans.zip", 1, 1),
        ("DP020", "missing-datasheet", "lens.toml", 1, 1),
    ]
    assert lint.messages(repo, "DP012") == [
        "1 data file (14.4 kB in all, the largest `data/scans.zip`) is committed to git and "
        "nothing versions the data: no DVC, Git LFS, lakeFS or Delta"
    ]


def _zip(members: dict[str, bytes], *, comment: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.comment = comment
    return buffer.getvalue()


def _names(data: bytes) -> tuple[str, ...] | None:
    return zip_member_names(len(data), lambda at, size: data[at : at + size])


def test_zip_member_names_come_from_the_central_directory():
    data = _zip({"a/b.csv": b"1,2\n", "c.png": b"\x89PNG"}, comment=b"x" * 500)
    assert _names(data) == ("a/b.csv", "c.png")
    assert _names(b"PK\x03\x04 not a whole archive") is None
    assert _names(b"") is None
    # A directory that says it lies past the end of the file is no directory.
    plain = _zip({"a.csv": b"1\n"})
    assert _names(plain[:-6] + struct.pack("<I", 10**9) + plain[-2:]) is None


def test_zip64_member_names_are_found_through_the_locator():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", allowZip64=True) as archive:
        for number in range(0x10001):  # more entries than a classic end record can count
            archive.writestr(f"rows/{number}.csv", b"")
    names = _names(buffer.getvalue())
    assert names is not None and names[:2] == ("rows/0.csv", "rows/1.csv")
    # Only the first MiB of the directory is read: a prefix of the members, in order.
    assert 0 < len(names) < 0x10001


def _tar(members: dict[str, bytes], *, form: int = tarfile.PAX_FORMAT, gz: bool = False) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=form) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()
    return gzip.compress(raw, mtime=0) if gz else raw


def _tar_names(data: bytes) -> tuple[str, ...] | None:
    return tar_member_names(len(data), lambda at, size: data[at : at + size])


def test_tar_member_names_come_from_the_headers_plain_or_gzip():
    long = "claims/" + "regional-" * 14 + "labels.csv"  # longer than a header's 100 bytes
    members = {"main.tf": b"resource {}\n", long: b"a\n" * 700, "b/rows.csv": b"1\n"}
    for form in (tarfile.PAX_FORMAT, tarfile.GNU_FORMAT):
        expected = ("main.tf", long, "b/rows.csv")
        assert _tar_names(_tar(members, form=form)) == expected
        assert _tar_names(_tar(members, form=form, gz=True)) == expected
    assert _tar_names(gzip.compress(b"claim_id,amount\n1,2\n")) is None  # a compressed CSV
    assert _tar_names(b"\x1f\x8b not gzip at all") is None
    assert _tar_names(b"") is None


def test_tar_member_names_decompress_no_more_than_the_bound():
    # A gzip of 64 MiB of zeros holding one header: read up to the bound, never further.
    bomb = gzip.compress(_tar({"rows.csv": b"1\n"}) + bytes(64 * 1024 * 1024), mtime=0)
    assert _tar_names(bomb) == ("rows.csv",)


def _pax_header(body: bytes) -> bytes:
    header = bytearray(_tar({"PaxHeader": b""})[:512])
    header[124:136] = b"%011o\0" % len(body)
    header[156] = ord("x")
    return bytes(header) + body + bytes(-len(body) % 512)


def test_tar_member_names_read_pax_records_by_their_length():
    member = _tar({"short.csv": b"1\n"})
    named = _pax_header(b"30 mtime=1700000000.123456789\n" + b"29 path=claims/labels\nv2.csv\n")
    assert _tar_names(named + member) == ("claims/labels\nv2.csv",)
    # A megabyte of digits where a record's length stands: no path, read in one pass.
    assert _tar_names(_pax_header(b"1" * 1024 * 1024) + member) == ("short.csv",)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=1200))
def test_tar_member_names_raise_nothing_on_any_bytes(data):
    header = _tar({"a.csv": b"1\n"})[:512]
    for candidate in (data, header + data, gzip.compress(header + data)):
        names = _tar_names(candidate)
        assert names is None or isinstance(names, tuple)


@pytest.mark.parametrize(
    ("names", "data"),
    [
        (("train.csv", "README.md"), True),
        (("images/1.jpg", "images/2.jpg"), True),
        (("site/index.html", "site/font.woff2", "site/rows.json"), False),
        (("lambda/handler.py", "lambda/config.json"), False),
        (("docs/", "LICENSE"), False),
    ],
)
def test_an_archive_is_data_when_it_holds_records_and_no_site_or_code(names, data):
    assert is_data_archive(names) is data


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=60))
def test_zip_member_names_raise_nothing_on_any_bytes(head, tail):
    for data in (head, head + b"PK\x05\x06" + tail, head + b"PK\x06\x07" + tail + b"PK\x05\x06"):
        names = _names(data)
        assert names is None or isinstance(names, tuple)


def test_only_downloads_of_data_files_are_data_reads(lint, tmp_path):
    # A settings file or an artefact of unknown name is not known to be a data set, and a
    # model archive is no data at all; a CSV object is.
    code = (
        "import boto3\n\ns3 = boto3.client('s3')\n"
        "s3.download_file('ci-bucket', key, '/tmp/artefact.zip')\n"
        "s3.download_file('models', 'churn/model.tar.gz', '/tmp/model.tar.gz')\n"
    )
    _write(tmp_path, {"job.py": code})
    assert lint(tmp_path, "DP012", "DP015") == []
    _write(tmp_path, {"job.py": code + "s3.download_file('raw', 'customers.csv', 'c.csv')\n"})
    assert [row[:4] for row in lint(tmp_path, "DP012", "DP015")] == [
        ("DP012", "missing-data-versioning", "job.py", 6),
        ("DP015", "missing-data-validation", "job.py", 6),
    ]
