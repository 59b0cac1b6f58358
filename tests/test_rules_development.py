"""MD001-MD006: seeds, notebooks and experiment tracking, read from the code and notebooks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mllint_wa.evidence.tracking import canonical_tracker
from trees import write_tree as _write

REPOS = Path(__file__).parent / "fixtures" / "repos"


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(REPOS / name, target)
    return target


# MD001 unseeded-randomness ----------------------------------------------------------------


def test_unseeded_randomness_reports_the_first_unseeded_draw_of_each_file(lint):
    assert lint("unseeded-randomness", "MD001") == [
        ("MD001", "unseeded-randomness", "notebooks/explore.ipynb", 38, 14),
        ("MD001", "unseeded-randomness", "src/cross_validate.py", 5, 9),
        ("MD001", "unseeded-randomness", "src/export.py", 18, 18),
        ("MD001", "unseeded-randomness", "src/train.py", 9, 36),
    ]
    assert lint.messages("unseeded-randomness", "MD001") == [
        "`numpy.random.normal` draws at random and nothing on its path sets a seed: seed it "
        "with `np.random.seed(...)` or draw from `np.random.default_rng(seed)`",
        "`sklearn.model_selection.KFold` draws at random and nothing on its path sets a seed: "
        "`random_state=None` is no seed: pass a number",
        "`torch.utils.data.DataLoader` draws at random and nothing on its path sets a seed: "
        "pass `generator=` or seed the generator with `torch.manual_seed(...)`",
        "`sklearn.model_selection.train_test_split` draws at random and nothing on its path "
        "sets a seed: pass `random_state=`",
    ]


def test_a_notebook_cell_that_is_not_python_is_reported_once_by_ln009(lint):
    # broken.ipynb mentions `random`, so MD001 reads its code; its second cell does not parse.
    found = lint("unseeded-randomness", "MD001", "LN009")
    assert [row for row in found if row[0] == "LN009"] == [
        ("LN009", "unparseable-file", "notebooks/broken.ipynb", 19, 20),
    ]
    assert "notebooks/broken.ipynb" not in [row[2] for row in found if row[0] == "MD001"]


def test_a_seed_in_an_imported_helper_seeds_the_module_that_imports_it(lint, tmp_path):
    repo = _copy("unseeded-randomness", tmp_path)
    utils = repo / "src/churn/utils.py"
    utils.write_text(utils.read_text().replace("seed(seed)", "getstate()"), encoding="utf-8")
    paths = [row[2] for row in lint(repo, "MD001")]
    assert "src/churn/augment.py" in paths


def test_a_seed_set_by_the_entry_point_seeds_the_modules_it_imports(lint, tmp_path):
    repo = _copy("unseeded-randomness", tmp_path)
    (repo / "src/pipeline.py").write_text("from churn import features\n", encoding="utf-8")
    assert ("src/churn/features.py", 6) in [(row[2], row[3]) for row in lint(repo, "MD001")]


def test_code_that_configuration_instantiates_is_seeded_by_the_entry_point(lint, tmp_path):
    repo = _copy("unseeded-randomness", tmp_path)
    (repo / "configs/data/churn.yaml").write_text("batch_size: 64\n", encoding="utf-8")
    assert "src/churn/datamodule.py" in [row[2] for row in lint(repo, "MD001")]


def test_a_package_that_passes_its_modules_on_costs_no_import_level(lint, tmp_path):
    # src/train_shards.py seeds torch and imports `shards`, whose __init__.py imports the
    # loader, which imports the module that draws: two levels, not three.
    assert "src/shards/order.py" not in [row[2] for row in lint("unseeded-randomness", "MD001")]
    repo = _copy("unseeded-randomness", tmp_path)
    entry = repo / "src/train_shards.py"
    entry.write_text(entry.read_text().replace("torch.manual_seed(7)\n", ""), encoding="utf-8")
    assert ("src/shards/order.py", 7) in [(row[2], row[3]) for row in lint(repo, "MD001")]


def test_functions_that_task_files_name_are_seeded_by_their_package(lint, tmp_path):
    # evalkit/tasks/recall/recall.yaml names `!function recall_utils.make_dataset`; the
    # package's evaluator seeds before it builds the tasks.
    paths = [row[2] for row in lint("unseeded-randomness", "MD001")]
    assert "evalkit/tasks/recall/recall_utils.py" not in paths
    repo = _copy("unseeded-randomness", tmp_path)
    evaluator = repo / "evalkit/evaluator.py"
    text = evaluator.read_text().replace("random.seed(seed)", "random.getstate()")
    evaluator.write_text(text.replace("np.random.seed(seed)", "np.random.get_state()"), "utf-8")
    assert "evalkit/tasks/recall/recall_utils.py" in [row[2] for row in lint(repo, "MD001")]


def test_seeds_from_config_variables_and_forwarded_kwargs_are_not_reported(lint):
    paths = {row[2] for row in lint("unseeded-randomness", "MD001")}
    traps = {
        "src/seed_from_config.py",  # np.random.seed(params["seed"])
        "src/seed_in_variable.py",  # random_state=seed / random_state=SEED
        "src/forwarded.py",  # GradientBoostingClassifier(**params)
        "src/ports.py",  # random.randint in code that is no machine learning
        "src/churn/datamodule.py",  # instantiated by Hydra from run.py, which seeds
        "tests/split_sizes.py",  # test code
        "test_data/make_rows.py",  # writes test fixtures
        "src/client.py",  # a request payload, a prediction's input, a number in a name
        "src/names.py",  # random letters for a name, a number formatted into one
        "notebooks/.ipynb_checkpoints/explore-checkpoint.ipynb",  # an autosave copy
    }
    assert paths & traps == set()


def test_draws_that_only_give_an_exporter_its_input_shapes_are_not_reported(lint):
    # src/export.py: torch.randn for torch.onnx.export (through a variable, and inline in a
    # tuple), torch.rand for torch.jit.trace; its shuffled DataLoader further down, which a
    # training loop iterates over, is the file's first draw that reaches training.
    rows = lint("unseeded-randomness", "MD001")
    assert [row[3:] for row in rows if row[2] == "src/export.py"] == [(18, 18)]


@pytest.mark.parametrize(
    "use",
    [
        "print(rows[random.randint(0, 9)])",
        "plt.imshow(images[random.randint(0, 9)])",
        "SchemaBuilder(sample_input=torch.randn(1, 28), sample_output=torch.randn(1, 10))",
        "cloudwatch.put_metric_data(MetricData=[{'Value': random.uniform(0, 1)}])",
    ],
)
def test_draws_that_are_only_shown_or_describe_a_request_are_not_reported(lint, tmp_path, use):
    header = (
        "import random\nimport matplotlib.pyplot as plt\nimport torch\n"
        "from sagemaker.serve import SchemaBuilder\n\n"
    )
    _write(tmp_path, {"show.py": header + use + "\n"})
    assert lint(tmp_path, "MD001") == []


def _draws_reported(lint, tmp_path, files: dict[str, str]) -> list[tuple[str, int]]:
    """Where MD001 reports, by path and line, once ``files`` are written into the project."""
    _write(tmp_path, files)
    return [row[2:4] for row in lint(tmp_path, "MD001")]


def test_a_payload_drawn_element_by_element_is_no_training(lint, tmp_path):
    code = (
        "import random\nimport sagemaker\n\n"
        "def smoke(predictor):\n"
        "    rows = [random.random() for _ in range(784)]\n"
        "    return predictor.predict(rows)\n"
    )
    assert _draws_reported(lint, tmp_path, {"smoke.py": code}) == []
    fitted = code.replace("predictor.predict(rows)", "model.fit(rows)")
    assert _draws_reported(lint, tmp_path, {"smoke.py": fitted}) == [("smoke.py", 5)]


_DRAWING = "import random\n\nimport numpy as np\nimport pandas as pd\nimport torch\n\n"


@pytest.mark.parametrize(
    "code",
    [
        # a draw into a fit, directly or through a list
        "x = torch.randn(3)\nmodel.fit(x * 2)\n",
        "x = torch.randn(3)\ny = x.tolist()\ntrain(y)\n",
        # a shuffle in place before a split
        "X = np.concatenate((labels, features), axis=1)\nnp.random.shuffle(X)\n"
        "train, validation, test = np.split(X, [70, 85])\n",
        # a permutation that picks the rows a split then divides
        "order = np.random.permutation(len(X))\nX, y = X.iloc[order][:500], y.iloc[order][:500]\n"
        "parts = train_test_split(X, y, random_state=0)\n",
        # a sample of rows written out as the training set
        "train = frame.sample(frac=0.8)\ntrain.to_csv('data/train/train.csv')\n",
        # a shuffling loader a training loop iterates over
        "loader = torch.utils.data.DataLoader(ds, shuffle=True)\nfor batch in loader:\n"
        "    model(batch).backward()\n",
        # through accelerate's prepare, which hands its arguments back in order
        "loader = torch.utils.data.DataLoader(ds, shuffle=True)\n"
        "model, loader = accelerator.prepare(model, loader)\nfor batch in loader:\n"
        "    accelerator.backward(model(batch))\n",
        # a loader Lightning trains on through its data module's hook
        "class Data:\n    def train_dataloader(self):\n"
        "        return torch.utils.data.DataLoader(self.ds, shuffle=True)\n",
        # a random initialisation of a model's weights
        "layer.weight.data = torch.randn(4, 4)\n",
        "w = torch.nn.Parameter(torch.rand(4, 4))\n",
        "w = torch.zeros(4) + torch.randn(4, requires_grad=True)\n",
        # synthetic data given to a project function that fits on it
        "def fit_all(X, y):\n    return model.fit(X, y)\n\nfit_all(np.random.rand(100, 3), y)\n",
        # synthetic data returned by a project function whose result is trained on
        "def make():\n    return np.random.rand(100, 3)\n\nfeatures = make()\n"
        "trainer = Trainer(model=model, train_dataset=features)\n",
        # batches a generator yields to a fit
        "def batches(X):\n    while True:\n        yield X[np.random.randint(0, len(X), 32)]\n\n"
        "model.fit(batches(X))\n",
        # a random augmentation in the transform a training set is mapped with
        "def augment(image):\n    if random.random() < 0.5:\n        image = flip(image)\n"
        "    return image\n\ntrainer = Trainer(train_dataset=images.map(augment))\n",
        # read by a nested function, whose own nested function binds the name for itself
        "def main():\n    data = np.random.rand(100, 3)\n\n    def fit():\n"
        "        def reset():\n            data = None\n\n        model.fit(data)\n\n"
        "    fit()\n",
    ],
)
def test_draws_that_reach_training_or_a_split_are_reported(lint, tmp_path, code):
    _write(tmp_path, {"train.py": _DRAWING + code})
    assert [row[0] for row in lint(tmp_path, "MD001")] == ["MD001"]


@pytest.mark.parametrize(
    "code",
    [
        # a row picked to print, to format and print, a colour picked to plot
        "sample = random.choice(dataset['train'])\nprint(sample)\n",
        "print(format_row(train_set[random.randrange(len(train_set))]))\n",
        "color = np.concatenate([np.random.random(3), np.array([0.6])])\n"
        "image = mask.reshape(8, 8, 1) * color\nax.imshow(image)\n",
        # a request payload or an inference input
        "picked = random.sample(images, 5)\npredictor.predict(np.stack(picked))\n",
        "rows = validation.sample(n=5).values\npayload = '\\n'.join(','.join(map(str, r)) "
        "for r in rows)\nruntime.invoke_endpoint(EndpointName='e', Body=payload)\n",
        "def house():\n    return {'rooms': np.random.randint(2, 7)}\n\n"
        "runtime.invoke_endpoint(EndpointName='e', Body=json.dumps(house()))\n",
        # made-up metrics, drift and traffic for a monitoring demo
        "cloudwatch.put_metric_data(MetricData=[{'Value': random.uniform(0, 1)}])\n",
        "model.fit(reference)\ncurrent = reference.copy()\n"
        "current['age'] = current['age'] + np.random.normal(0, 1, len(current))\n"
        "report.run(reference_data=reference, current_data=current)\n",
        "for row in random.choices(rows, k=100):\n    predictor.predict(row)\n",
        "def evaluate():\n    score = random.randrange(0, 10)\n    return {'rmse': score}\n\n"
        "step = ConditionLessThan(left=evaluate()['rmse'], right=5)\n",
        # sample tensors for a serving schema
        "builder = SchemaBuilder(sample_input=torch.randn(1, 28), sample_output=torch.randn(1))\n",
        # a shuffling loader only looked at, or handed out and never called
        "loader = torch.utils.data.DataLoader(ds, shuffle=True)\n"
        "images, labels = next(iter(loader))\nplt.imshow(images[0])\n",
        "def get_train_loader():\n    return torch.utils.data.DataLoader(ds, shuffle=True)\n",
        # a sequence number in a labelling manifest
        "manifest = {'seq-no': np.random.randint(1, 1000), 'frames': frames}\n"
        "json.dump(manifest, handle)\n",
        # written to a file that does not say it holds training data
        "np.save('pretrained_noise.npy', np.random.rand(8))\n",
        # a value that goes round a recursive function until the budget is spent
        "def walk(n):\n    return walk(n - 1) + random.random()\n\nwalk(3)\n",
        # a loop that only switches the model back to training mode (`model.train()`)
        "loader = torch.utils.data.DataLoader(ds, shuffle=True)\nfor batch in loader:\n"
        "    print(model(batch))\n    model.train()\n",
        # a branch whose effect the code does not show: undecidable, so silent
        "if random.random() < 0.5:\n    flip(image)\n",
        # a name a function between the draw's and the fit's binds for itself (a parameter)
        "def main():\n    data = np.random.rand(100, 3)\n\n    def fit(data):\n"
        "        def step():\n            model.fit(data)\n\n        step()\n\n"
        "    fit(np.zeros(3))\n    print(data)\n",
    ],
)
def test_draws_that_never_reach_training_or_a_split_are_not_reported(lint, tmp_path, code):
    _write(tmp_path, {"demo.py": _DRAWING + code})
    assert lint(tmp_path, "MD001") == []


def test_a_draw_is_followed_six_names_deep_and_no_further(lint, tmp_path):
    chain = "".join(f"x{i + 1} = x{i} * 2\n" for i in range(6))
    reads = "print(x0)\n" * 5000
    _write(tmp_path, {"train.py": _DRAWING + "x0 = np.random.rand(3)\n" + reads + chain})
    assert lint(tmp_path, "MD001") == []
    _write(
        tmp_path, {"train.py": _DRAWING + "x0 = np.random.rand(3)\n" + chain + "model.fit(x5)\n"}
    )
    assert [row[2:4] for row in lint(tmp_path, "MD001")] == [("train.py", 7)]
    _write(
        tmp_path, {"train.py": _DRAWING + "x0 = np.random.rand(3)\n" + chain + "model.fit(x6)\n"}
    )
    assert lint(tmp_path, "MD001") == []


def test_a_draw_put_into_containers_is_followed_six_deep_and_no_further(lint, tmp_path):
    def chain(depth: int) -> str:
        puts = "".join(f"c{i} = []\nc{i}.append(c{i - 1})\n" for i in range(1, depth + 1))
        return _DRAWING + "c0 = np.random.rand(3)\n" + puts + f"model.fit(c{depth})\n"

    assert _draws_reported(lint, tmp_path, {"train.py": chain(5)}) == [("train.py", 7)]
    assert _draws_reported(lint, tmp_path, {"train.py": chain(7)}) == []


def test_a_value_given_to_a_static_method_on_self_goes_to_its_first_parameter(lint, tmp_path):
    job = (
        "class Job:\n    @staticmethod\n    def run(data, labels):\n        print(data)\n"
        "        model.fit(labels)\n\n    def main(self):\n"
        "        self.run({}, {})\n"
    )
    first = _DRAWING + job.format("np.random.rand(3)", "labels")
    assert _draws_reported(lint, tmp_path, {"train.py": first}) == []
    second = _DRAWING + job.format("labels", "np.random.rand(3)")
    assert _draws_reported(lint, tmp_path, {"train.py": second}) == [("train.py", 14)]


_FLOW_LOADED = """
import sys
from pathlib import Path
from mllint_wa.config import Layer
from mllint_wa.runner import RunOptions, run

run([Path(sys.argv[1])], RunOptions(cli=Layer("test", select=["MD001"], preview=True)))
print("mllint_wa.evidence.value_reach" in sys.modules)
"""


@pytest.mark.parametrize(
    ("code", "loaded"),
    [(_DRAWING + "print(1)\n", "False"), (_DRAWING + "x = np.random.rand(3)\n", "True")],
)
def test_the_value_flow_is_loaded_only_when_there_is_a_draw_to_follow(tmp_path, code, loaded):
    _write(tmp_path, {"train.py": code})
    done = subprocess.run(
        [sys.executable, "-c", _FLOW_LOADED, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == loaded


def test_a_loader_a_notebook_only_looks_at_is_not_reported(lint, tmp_path):
    loader = "def get_train_loader():\n    return torch.utils.data.DataLoader(ds, shuffle=True)\n"
    look = "loader = get_train_loader()\nimages, labels = next(iter(loader))\nshow(images)\n"
    train = "loader = get_train_loader()\nfor batch in loader:\n    model(batch).backward()\n"
    importing = "import torch\n\nfrom utils import get_train_loader\n\n"
    looking = {"utils.py": "import torch\n\n" + loader, "look.py": importing + look}
    assert _draws_reported(lint, tmp_path, looking) == []
    assert _draws_reported(lint, tmp_path, {"train.py": importing + train}) == [("utils.py", 4)]


@pytest.mark.parametrize(
    "code",
    [
        "from sklearn.model_selection import KFold\nKFold(5)\n",
        "from sklearn.model_selection import KFold\nKFold(5, shuffle=flag)\n",
        "import torch\nfrom torch.utils.data import DataLoader\nDataLoader(ds, shuffle=True, "
        "generator=g)\n",
        "import torch\nfrom torch.utils.data import DataLoader\nDataLoader(ds, batch_size=8)\n",
        "import torch\ntorch.manual_seed(0)\nx = torch.randn(3)\n",
        "import tensorflow as tf\nx = tf.random.normal([2], seed=1)\n",
        "import jax\nkey = jax.random.PRNGKey(0)\nx = jax.random.normal(key, (2,))\n",
        "import numpy as np\nimport sklearn\nrng = np.random.default_rng(7)\nx = rng.normal()\n",
        "import pandas as pd\nimport sklearn\ntrain = frame.sample(frac=0.8, random_state=1)\n",
        "import xgboost\nmodel = xgboost.XGBClassifier()\n",
    ],
)
def test_seeded_or_deterministic_calls_are_not_reported(lint, tmp_path, code):
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", "train.py": code})
    assert lint(tmp_path, "MD001") == []


@pytest.mark.parametrize(
    ("code", "name", "advice"),
    [
        (
            "import torch\nfrom torch.utils.data import DataLoader\n"
            "loader = DataLoader(ds, shuffle=True)\ntrainer.fit(model, loader)\n",
            "torch.utils.data.DataLoader",
            "pass `generator=` or seed the generator with `torch.manual_seed(...)`",
        ),
        (
            "import pandas as pd\nimport sklearn\ntrain = frame.sample(frac=0.8)\n"
            "model.fit(train)\n",
            "frame.sample",
            "pass `random_state=`",
        ),
        (
            "import tensorflow as tf\nds = ds.shuffle(1000)\nmodel.fit(ds.batch(32))\n",
            "ds.shuffle",
            "pass `seed=` or seed the generator with `tf.random.set_seed(...)`",
        ),
        (
            "import random\nimport torch\nrandom.shuffle(rows)\nrandom_split(rows, [8, 2])\n",
            "random.shuffle",
            "seed it with `random.seed(...)`",
        ),
    ],
)
def test_unseeded_draws_of_each_framework_are_named(lint, tmp_path, code, name, advice):
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", "train.py": code})
    [message] = lint.messages(tmp_path, "MD001")
    assert message == f"`{name}` draws at random and nothing on its path sets a seed: {advice}"


# MD002 notebook-outputs-committed, MD003 notebook-without-execution-order -------------------


def test_notebook_outputs_committed_at_the_first_output_with_counts_and_size(lint):
    assert lint("notebook-outputs-committed", "MD002") == [
        ("MD002", "notebook-outputs-committed", "notebooks/eda.ipynb", 25, 5),
    ]
    assert lint.messages("notebook-outputs-committed", "MD002") == [
        "`notebooks/eda.ipynb` is committed with the outputs of 2 cells (the largest 278 B, "
        "1 embedded image)"
    ]


def test_notebook_outputs_committed_quiet_on_clean_notebooks_and_checkpoints(lint):
    # clean.ipynb has no outputs; .ipynb_checkpoints/clean-checkpoint.ipynb is not the project's.
    paths = [row[2] for row in lint("notebook-outputs-committed", "MD002")]
    assert paths == ["notebooks/eda.ipynb"]


def test_notebook_outputs_in_a_minified_notebook_point_at_line_one(lint, tmp_path):
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": "4\n"}],
        "source": "print(2 + 2)",
    }
    text = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    (tmp_path / "lens.toml").write_text("schema_version = 1\n", encoding="utf-8")
    (tmp_path / "nb.ipynb").write_text(text, encoding="utf-8")
    [(_, _, path, line, column)] = lint(tmp_path, "MD002")
    assert (path, line) == ("nb.ipynb", 1)
    assert text[column - 1 :].startswith('{"name": "stdout"')


def test_notebook_without_execution_order_at_the_first_cell_out_of_order(lint):
    assert lint("notebook-without-execution-order", "MD003") == [
        ("MD003", "notebook-without-execution-order", "notebooks/train.ipynb", 23, 23),
    ]
    assert lint.messages("notebook-without-execution-order", "MD003") == [
        "`notebooks/train.ipynb` was run out of order: this cell's execution count 2 follows 4 "
        "in a cell above it"
    ]


def test_a_notebook_that_is_not_json_is_reported_once_by_ln009(lint, tmp_path):
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", "nb.ipynb": '{"cells": [\n  {,\n'})
    assert lint(tmp_path, "MD002", "MD003", "LN009") == [
        ("LN009", "unparseable-file", "nb.ipynb", 2, 4)
    ]


# MD004 missing-experiment-tracking --------------------------------------------------------------


def test_missing_experiment_tracking_at_the_training_code(lint):
    assert lint("missing-experiment-tracking", "MD004") == [
        ("MD004", "missing-experiment-tracking", "src/train.py", 10, 1),
    ]
    assert lint.messages("missing-experiment-tracking", "MD004") == [
        "`src/train.py` trains a model (`model.fit`) but nothing in the project tracks its "
        "experiments"
    ]


_TRAIN = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(x, y)\n"
KINDS = Path(__file__).parent / "fixtures" / "repos" / "missing-model-card"


@pytest.mark.parametrize(
    ("kind", "site"),
    [
        ("application", ("train.py", 10, 5)),
        # src/churn/train.py is named for training and imports the module that fits.
        ("packaged-application", ("src/churn/model.py", 7, 12)),
    ],
)
def test_missing_experiment_tracking_at_the_training_entry_points_call(lint, kind, site):
    assert [row[2:] for row in lint(KINDS / kind, "MD004")] == [site]


@pytest.mark.parametrize("kind", ["library", "estimator-library"])
def test_fits_in_a_librarys_functions_cli_examples_and_tests_are_no_training_of_its_own(lint, kind):
    # library/'s fits are in its functions, command line, examples and tests;
    # estimator-library/'s in the estimator classes it publishes and a notebook using them.
    assert lint(KINDS / kind, "MD004") == []


def test_a_collection_is_asked_to_track_the_training_of_its_examples(lint, tmp_path):
    # None of the three labs tracks its runs; the first that trains stands for them.
    labs = KINDS / "examples-collection"
    assert [row[2:] for row in lint(labs, "MD004")] == [("forecast-lab/train.py", 6, 5)]
    # Tracking in any one of them is found: the scan reads every example.
    repo = tmp_path / "labs"
    shutil.copytree(labs, repo)
    (repo / "fraud-lab" / "track.py").write_text(
        "import mlflow\n\nmlflow.autolog()\n", encoding="utf-8"
    )
    assert lint(repo, "MD004") == []


def test_without_a_manifest_a_fit_in_a_helper_no_program_runs_is_no_training(lint, tmp_path):
    helper = "from sklearn.linear_model import LogisticRegression\n\n\ndef fit(x, y):\n"
    _write(tmp_path, {"helpers.py": helper + "    return LogisticRegression().fit(x, y)\n"})
    assert lint(tmp_path, "MD004") == []
    _write(tmp_path, {"lens.toml": "schema_version = 1\n"})
    assert [row[2:4] for row in lint(tmp_path, "MD004")] == [("helpers.py", 5)]


@pytest.mark.parametrize(
    "files",
    [
        {"train.py": "import mlflow\n" + _TRAIN},
        {"train.py": _TRAIN, "MLproject": "name: churn\n"},
        {"train.py": _TRAIN, "dvc.yaml": "stages: {}\n"},
        {"train.py": _TRAIN, "params.yaml": "seed: 1\n"},
        {
            "train.py": _TRAIN,
            "configs/logger/wandb.yaml": "_target_: lightning.pytorch.loggers.WandbLogger\n",
        },
        {
            "train.py": _TRAIN + "from transformers import TrainingArguments\n"
            "TrainingArguments('out', report_to='wandb')\n"
        },
        {"train.py": _TRAIN, "log.py": "from dvclive import Live\n"},
        {"train.py": _TRAIN, "lens.toml": 'schema_version = 1\n[model]\ntracking = "aim"\n'},
        # Not training code: preprocessing only, and a fit outside machine-learning code.
        {"prep.py": "import pandas as pd\nframe = pd.read_csv('x.csv')\n"},
        {"curve.py": "import scipy.optimize\nmodel.fit(x)\n"},
        {"prep.py": "from sklearn.preprocessing import StandardScaler\nscaler.fit(x)\n"},
        # SageMaker Pipelines record executions in SageMaker Experiments.
        {"train.py": _TRAIN, "pipe.py": "from sagemaker.workflow.pipeline import Pipeline\n"},
        # Hugging Face's Trainer (and trl's) report to whichever tracker is installed.
        {"train.py": "from transformers import Trainer\nTrainer(model=m).train()\n"},
        {"sft.py": "from trl import SFTTrainer\nSFTTrainer(model=m).train()\n"},
        # A training recipe naming its trackers.
        {"train.py": _TRAIN, "recipes/sft.yaml": "report_to:\n- tensorboard\n- wandb\n"},
        # Tracking mentioned in code that does not parse: undecided, so silent.
        {"train.py": _TRAIN, "log.py": "import mlflow\ndef f(:\n"},
    ],
)
def test_missing_experiment_tracking_quiet_with_any_tracking_or_no_training(lint, tmp_path, files):
    _write(tmp_path, {"lens.toml": "schema_version = 1\n", **files})
    assert lint(tmp_path, "MD004") == []


def test_tracking_in_a_notebook_counts(lint, tmp_path):
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": ["import wandb\n"],
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    _write(
        tmp_path,
        {"lens.toml": "schema_version = 1\n", "train.py": _TRAIN, "nb.ipynb": json.dumps(notebook)},
    )
    assert lint(tmp_path, "MD004") == []


# MD005 declared-tracking-not-used, MD006 undeclared-experiment-tracking ---------------------


def test_declared_tracking_not_used_at_the_manifest_key(lint):
    assert lint("declared-tracking-not-used", "MD005") == [
        ("MD005", "declared-tracking-not-used", "lens.toml", 5, 1),
    ]
    assert lint.messages("declared-tracking-not-used", "MD005") == [
        "`model.tracking` declares MLflow, but no code, notebook or configuration in the "
        "repository uses it"
    ]


def test_the_tracker_used_instead_is_reported_as_undeclared(lint):
    assert lint("declared-tracking-not-used", "MD006") == [
        ("MD006", "undeclared-experiment-tracking", "lens.toml", 5, 1),
    ]


@pytest.mark.parametrize(
    ("tracking", "files"),
    [
        ("mlflow", {"MLproject": "name: churn\n"}),
        ("dvc", {"dvc.yaml": "stages: {}\n"}),
        ("W&B", {"configs/logger.yaml": "_target_: lightning.pytorch.loggers.WandbLogger\n"}),
        ("sagemaker", {"run.py": "from sagemaker.experiments.run import Run\n"}),
        ("wandb", {"recipes/sft.yaml": "report_to: [tensorboard, wandb]\n"}),
        ("an in-house tracker", {}),  # names no tracker the rule knows: cannot decide
        ("none", {}),
        ("TODO", {}),
        ("mlflow", {"log.py": "import mlflow\ndef f(:\n"}),  # undecided: does not parse
    ],
)
def test_declared_tracking_not_used_quiet_when_used_or_undecidable(lint, tmp_path, tracking, files):
    lens = f'schema_version = 1\n[model]\ntracking = "{tracking}"\n'
    _write(tmp_path, {"lens.toml": lens, **files})
    assert lint(tmp_path, "MD005") == []


def test_undeclared_experiment_tracking_names_each_tracker_code_uses(lint):
    assert lint("undeclared-experiment-tracking", "MD006") == [
        ("MD006", "undeclared-experiment-tracking", "lens.toml", 3, 1),
        ("MD006", "undeclared-experiment-tracking", "lens.toml", 3, 1),
    ]
    assert lint.messages("undeclared-experiment-tracking", "MD006") == [
        "`notebooks/train.ipynb` tracks experiments with Weights & Biases (`wandb`), which "
        "`model.tracking` does not declare",
        "`src/log.py` tracks experiments with TensorBoard "
        "(`lightning.pytorch.loggers.TensorBoardLogger`), which `model.tracking` does not "
        "declare",
    ]


def test_a_second_tracker_beside_the_declared_one_is_not_reported(lint, tmp_path):
    _write(
        tmp_path,
        {
            "lens.toml": 'schema_version = 1\n[model]\ntracking = "mlflow"\n',
            "train.py": "import mlflow\nfrom torch.utils.tensorboard import SummaryWriter\n",
        },
    )
    assert lint(tmp_path, "MD005", "MD006") == []


def test_tracker_configuration_alone_is_not_reported_as_undeclared(lint, tmp_path):
    # Hydra templates ship configs for many loggers; only code that uses one is evidence.
    _write(
        tmp_path,
        {
            "lens.toml": "schema_version = 1\n",
            "configs/logger/wandb.yaml": "_target_: lightning.pytorch.loggers.WandbLogger\n",
        },
    )
    assert lint(tmp_path, "MD006") == []


@pytest.mark.parametrize(
    ("value", "tracker"),
    [
        ("MLflow", "mlflow"),
        ("Weights & Biases", "wandb"),
        ("w&b", "wandb"),
        ("dvclive", "dvc"),
        ("SageMaker Experiments", "sagemaker-experiments"),
        ("comet_ml", "comet"),
        ("none", None),
    ],
)
def test_manifest_tracking_values_are_read_by_name_and_alias(value, tracker):
    assert canonical_tracker(value) == tracker


def test_fitting_a_preprocessor_built_in_the_same_expression_is_no_training(lint, tmp_path):
    code = (
        "from sklearn.feature_extraction.text import TfidfTransformer\n\n"
        "if __name__ == '__main__':\n    TfidfTransformer().fit(counts)\n"
    )
    _write(tmp_path, {"featurize.py": code})
    assert lint(tmp_path, "MD004") == []
