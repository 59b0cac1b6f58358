"""Model cards and datasheets: where they are and which of their sections they have.

Section names differ between templates (Hugging Face model and dataset cards, Google's Model
Card Toolkit, SageMaker Model Cards, Datasheets for Datasets), so each required section is a
set of title patterns; a heading or a label that matches any of them provides the section,
when something stands under it. Labels are how the Model Cards paper and many published cards
title the parts of a section (``**Out-of-scope uses**`` under ``## Intended Use``, or a list
item ``- Primary intended users: …``).
"""

from __future__ import annotations

import re

from mllint_wa.evidence import Evidence
from mllint_wa.parsers.markdown import MarkdownDocument, parse_markdown
from mllint_wa.records import dataclass


@dataclass(frozen=True)
class Section:
    name: str
    pattern: re.Pattern[str]
    # Headings that look like this section but are another one ("Out-of-scope use" is not
    # the intended use).
    unless: re.Pattern[str] | None = None


def _section(name: str, pattern: str, unless: str | None = None) -> Section:
    return Section(name, re.compile(pattern), re.compile(unless) if unless else None)


MODEL_CARD_SECTIONS = (
    _section(
        "intended use",
        r"intended (use|purpose|users)|^uses?$|use cases?|direct use|downstream use|^purpose"
        r"|^usage$|how to use",
        unless=r"out[- ]of[- ]scope|misuse|not intended",
    ),
    _section(
        "out-of-scope use",
        r"out[- ]of[- ]scope|misuse|not intended|unintended|prohibited|restrictions",
    ),
    _section(
        "training data",
        r"training (data|details|set|dataset|procedure)|^datasets?$|^data$|data ?set source",
    ),
    _section(
        "evaluation data and metrics",
        r"evaluation|metrics?|results|performance|quantitative analysis|testing data|benchmark",
    ),
    # The Model Cards paper has no limitations section of its own: its caveats hold them.
    _section("limitations", r"limitation|\brisks?\b|failure modes?|caveat"),
    _section("ethical considerations or bias", r"ethic|bias|fairness|responsible|societal"),
    _section(
        "caveats and recommendations", r"caveat|recommendation|warning|known issues|trade-?offs"
    ),
)

DATASHEET_SECTIONS = (
    _section("motivation", r"motivation|rationale|purpose|dataset summary|summary"),
    _section(
        "composition",
        r"composition|structure|data fields|data instances|contents?|schema|data splits"
        r"|^(data ?set )?description$",
    ),
    _section(
        "collection process",
        r"collect|source data|data ?set source|data source|acquisition|provenance|origin",
    ),
    _section(
        "preprocessing and labelling",
        r"pre-?process|cleaning|label|annotation|processing",
    ),
    _section("uses", r"\buses?\b|usage|considerations for using|intended|applications?"),
    _section("distribution", r"distribution|licen[cs]|access|sharing|terms"),
    _section("maintenance", r"maint|curators?|contact|updates?|versioning|owner"),
)

MODEL_CARD_NAMES = (
    "MODEL_CARD.md",
    "model_card.md",
    "MODELCARD.md",
    "ModelCard.md",
    "model-card.md",
    "docs/MODEL_CARD.md",
    "docs/model_card.md",
    "docs/model-card.md",
    "model_card.json",
    "model-card.json",
)
DATASHEET_NAMES = (
    "DATASHEET.md",
    "datasheet.md",
    "DATA_CARD.md",
    "data_card.md",
    "DATASET_CARD.md",
    "dataset_card.md",
    "docs/datasheet.md",
    "docs/DATASHEET.md",
    "docs/data_card.md",
    "docs/dataset_card.md",
    "data/README.md",
)
# Headings that make a project's README its datasheet: a section on where the data comes
# from or what it holds ("## Dataset source"); and its model card: that, and a section on
# what the model is for ("## Use Case"), as a collection of examples with a "Use cases" list
# has no data of its own. A README's "Usage" or "How to use" is about the code.
_README_DATASHEET = re.compile(
    r"data ?set (source|description|card)|data (source|description|card)|source data|"
    r"datasheet|about the data|^data ?sets?$|training data"
)
_README_USE = re.compile(r"intended (use|purpose)|use cases?\b|model card|model details")
_README_MODEL_CARD = (_README_USE, _README_DATASHEET)
# Front-matter keys that make a README a Hugging Face model card or dataset card.
_HF_MODEL_KEYS = frozenset({"model-index", "pipeline_tag", "library_name", "base_model"})
_HF_DATASET_KEYS = frozenset({"dataset_info", "task_categories", "configs", "size_categories"})


def missing_sections(document: MarkdownDocument, sections: tuple[Section, ...]) -> list[str]:
    """The names of the sections that no heading or label of ``document`` with content
    under it provides."""
    titles = [heading.text.lower() for heading in document.headings if not heading.empty] + [
        label.text.lower() for label in document.labels if not label.empty
    ]
    return [
        section.name
        for section in sections
        if not any(
            section.pattern.search(text) and not (section.unless and section.unless.search(text))
            for text in titles
        )
    ]


def find_model_card(ev: Evidence) -> str | None:
    """The project's model card by its usual names, a Hugging Face card README, or a README
    with a section on the model's intended use or use case and one on its data."""
    return _find(ev, MODEL_CARD_NAMES, _HF_MODEL_KEYS, _README_MODEL_CARD)


def find_datasheet(ev: Evidence) -> str | None:
    """The project's datasheet by its usual names, a Hugging Face dataset-card README, or a
    README with a section on the data set's source or description."""
    return _find(ev, DATASHEET_NAMES, _HF_DATASET_KEYS, (_README_DATASHEET,))


def _find(
    ev: Evidence,
    names: tuple[str, ...],
    front_matter_keys: frozenset[str],
    readme_sections: tuple[re.Pattern[str], ...],
) -> str | None:
    for name in names:
        if ev.exists(name):
            return name
    for readme in ("README.md", "readme.md"):
        document = ev.parse(readme, parse_markdown) if ev.exists(readme) else None
        if document is None:
            continue
        titles = [heading.text.lower() for heading in document.headings if not heading.empty]
        if front_matter_keys & set(document.front_matter) or all(
            any(section.search(title) for title in titles) for section in readme_sections
        ):
            return readme
    return None
