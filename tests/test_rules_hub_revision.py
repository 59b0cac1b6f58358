"""MD024 unpinned-hub-revision: models and data sets downloaded from the Hugging Face Hub
without a pinned revision, in code, notebooks and configuration files."""

from __future__ import annotations

from trees import write_tree


def test_unpinned_hub_revision_in_code_notebooks_and_configs(lint):
    # Silent in traps/ and tests/: local folders (./, /, a folder of the project, a folder
    # the file saves to or trains into), a path to a file, a bare name, a parameter,
    # **kwargs, a revision from the environment, full and short commit shas, a builder
    # name (csv), the project's own pushed repository, another library's from_pretrained,
    # a task config that runs no code or pins its revision, argument files with a local
    # path or a pinned revision, a model's config.json, and test code.
    assert lint("unpinned-hub-revision", "MD024") == [
        ("MD024", "unpinned-hub-revision", "configs/sft-small.json", 2, 3),
        ("MD024", "unpinned-hub-revision", "configs/sft.yaml", 2, 21),
        ("MD024", "unpinned-hub-revision", "notebooks/explore.ipynb", 18, 14),
        ("MD024", "unpinned-hub-revision", "src/serve.py", 9, 10),
        ("MD024", "unpinned-hub-revision", "src/serve.py", 12, 12),
        ("MD024", "unpinned-hub-revision", "src/serve.py", 13, 14),
        ("MD024", "unpinned-hub-revision", "src/train.py", 9, 13),
        ("MD024", "unpinned-hub-revision", "src/train.py", 11, 11),
        ("MD024", "unpinned-hub-revision", "tasks/ticket_qa.yaml", 2, 15),
    ]


def test_unpinned_hub_revision_messages_say_what_moves_and_what_runs(lint):
    result = lint.result("unpinned-hub-revision", "MD024")
    messages = {f"{f.path}:{f.line}": f.message for f in result.findings}
    hub = "from the Hugging Face Hub"
    assert messages["configs/sft.yaml:2"] == (
        f"`model_name_or_path` downloads `acme-research/ticket-llm` {hub} at `main`, a branch "
        "or tag that can move, and `trust_remote_code` runs the repository's code as it is "
        "that day"
    )
    assert messages["src/serve.py:12"] == (
        f"`SentenceTransformer` downloads `acme-research/ticket-embeddings` {hub} without a "
        "pinned revision: it gets whatever the repository holds that day"
    )
    assert messages["tasks/ticket_qa.yaml:2"].startswith(
        f"`dataset_path` downloads `acme-research/ticket-qa` {hub} without a pinned revision, "
        "and `trust_remote_code` runs"
    )
    # The tokenizer and the model of one repository in one file: one finding, the other
    # download a related place.
    [train] = [f for f in result.findings if f.path == "src/train.py" and f.line == 9]
    assert [(r.line, r.message.split(" downloads ")[0]) for r in train.related] == [
        (10, "`AutoModelForSequenceClassification.from_pretrained`")
    ]


def test_a_hub_id_followed_through_names_and_silent_when_unknown(lint, tmp_path):
    repo = write_tree(
        tmp_path,
        {
            "load.py": """
                from datasets import load_dataset as load

                NAME = "acme/tickets"
                if __debug__:
                    OTHER = "acme/other"
                else:
                    OTHER = "acme/third"
                first = load(NAME)
                second = load(OTHER)
                third = load(f"acme/{NAME}")
            """,
        },
    )
    assert lint(repo, "MD024") == [("MD024", "unpinned-hub-revision", "load.py", 8, 9)]


def test_a_project_folder_named_like_the_owner_makes_the_id_a_local_path(lint, tmp_path):
    repo = write_tree(
        tmp_path,
        {
            "acme/model/config.json": "{}\n",
            "app/load.py": "from transformers import AutoModel\n"
            'AutoModel.from_pretrained("acme/model")\n',
        },
    )
    assert lint(repo, "MD024") == []
