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
from dataclasses import dataclass

from mllint_wa.evidence import Evidence
from mllint_wa.parsers.markdown import MarkdownDocument, parse_markdown


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
    _section("training data", r"training (data|details|set|dataset|procedure)|^datasets?$|^data$"),
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
        r"composition|structure|data fields|data instances|contents?|schema|data splits",
    ),
    _section("collection process", r"collect|source data|acquisition|provenance|origin"),
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
    """The project's model card by its usual names, or a Hugging Face card README."""
    return _find(ev, MODEL_CARD_NAMES, _HF_MODEL_KEYS)


def find_datasheet(ev: Evidence) -> str | None:
    """The project's datasheet by its usual names, or a Hugging Face dataset-card README."""
    return _find(ev, DATASHEET_NAMES, _HF_DATASET_KEYS)


def _find(ev: Evidence, names: tuple[str, ...], front_matter_keys: frozenset[str]) -> str | None:
    for name in names:
        if ev.exists(name):
            return name
    for readme in ("README.md", "readme.md"):
        if ev.exists(readme) and ev.mentions(readme, b"---"):
            document = ev.parse(readme, parse_markdown)
            if document is not None and front_matter_keys & set(document.front_matter):
                return readme
    return None
