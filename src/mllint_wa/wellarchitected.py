"""The AWS Well-Architected Tool custom lens of the ML Lens practices the rules check, and the
checks that keep it within the lens format's limits.

One question per ML Lens question (``MLOPS03``: one pillar, one lifecycle phase), one choice
per practice of it that a rule checks (``MLOPS03-BP01`` → choice ``MLOPS03_BP01``), and a
"None of these" choice (``MLOPS03_no``) as the format expects. The answers that
``--format wellarchitected`` suggests use the same identifiers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from mllint_wa import __version__
from mllint_wa.lens import PRACTICE_BY_ID, Practice
from mllint_wa.model import Phase, Pillar, Risk, Rule
from mllint_wa.records import dataclass

SCHEMA_VERSION = "2021-11-01"
LENS_NAME = "mllint-wa: ML repository checks (ML Lens)"

# The Framework's own pillar ids, so that the lens's risks roll up under the standard pillars.
PILLARS: dict[Pillar, tuple[str, str]] = {
    Pillar.OPERATIONAL_EXCELLENCE: ("operationalExcellence", "Operational Excellence"),
    Pillar.SECURITY: ("security", "Security"),
    Pillar.RELIABILITY: ("reliability", "Reliability"),
    Pillar.PERFORMANCE_EFFICIENCY: ("performance", "Performance Efficiency"),
    Pillar.COST_OPTIMIZATION: ("costOptimization", "Cost Optimization"),
    Pillar.SUSTAINABILITY: ("sustainability", "Sustainability"),
}

PHASE_NAMES: dict[Phase, str] = {
    Phase.BUSINESS_GOAL: "Business goal identification",
    Phase.PROBLEM_FRAMING: "ML problem framing",
    Phase.DATA_PROCESSING: "Data processing",
    Phase.MODEL_DEVELOPMENT: "Model development",
    Phase.DEPLOYMENT: "Deployment",
    Phase.MONITORING: "Monitoring",
}


@dataclass(frozen=True)
class Limits:
    """The lens format's limits: the user guide's "Lens format specification", and where the
    API reference is stricter (a pillar id of at most 64, a choice id of at most 64), that."""

    name: int = 128
    description: int = 2048
    pillars: int = 10
    questions_per_pillar: int = 20
    choices_per_question: int = 15
    risk_rules_per_question: int = 3
    id_min: int = 3
    id_max: int = 64
    title: int = 128
    choice_description: int = 1024
    display_text: int = 2048
    url: int = 1024
    file_bytes: int = 500_000


LIMITS = Limits()
ID_PATTERN = re.compile(r"[A-Za-z0-9_]+")
# Starts at a run's first digit only: tried from each digit, a long run is read once per digit.
_TRAILING_NUMBER = re.compile(r"(?<!\d)\d+$")
RISKS = ("NO_RISK", "MEDIUM_RISK", "HIGH_RISK")
NONE_SUFFIX = "_no"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def question_id(practice_id: str) -> str:
    """``MLOPS03-BP01`` → ``MLOPS03``, the ML Lens question the practice answers."""
    return practice_id.split("-", 1)[0]


def choice_id(practice_id: str) -> str:
    """``MLOPS03-BP01`` → ``MLOPS03_BP01``: lens ids allow letters, digits and ``_`` only."""
    return practice_id.replace("-", "_")


def none_choice_id(question: str) -> str:
    return question + NONE_SUFFIX


@dataclass(frozen=True)
class Question:
    id: str
    pillar: Pillar
    phase: Phase
    # The practices of the question that a rule checks, in ML Lens order, each with its rules.
    practices: tuple[tuple[Practice, tuple[Rule, ...]], ...]


def questions(rules: Iterable[Rule]) -> tuple[Question, ...]:
    """The ML Lens questions some rule checks a practice of, in pillar and question order."""
    by_practice: dict[str, list[Rule]] = {}
    for item in rules:
        for ref in item.lens_refs:
            by_practice.setdefault(ref, []).append(item)
    grouped: dict[str, list[tuple[Practice, tuple[Rule, ...]]]] = {}
    for practice_id in sorted(by_practice, key=_practice_order):
        practice = PRACTICE_BY_ID[practice_id]
        checked_by = tuple(sorted(by_practice[practice_id], key=lambda r: r.code))
        grouped.setdefault(question_id(practice_id), []).append((practice, checked_by))
    found = [
        Question(qid, items[0][0].pillar, items[0][0].phase, tuple(items))
        for qid, items in grouped.items()
    ]
    pillar_rank = {pillar: rank for rank, pillar in enumerate(Pillar)}
    return tuple(sorted(found, key=lambda q: (pillar_rank[q.pillar], _question_number(q.id))))


def _question_number(qid: str) -> int:
    digits = _TRAILING_NUMBER.search(qid)
    return int(digits.group()) if digits else 0


def _practice_order(practice_id: str) -> tuple[int, str, int]:
    qid, _, bp = practice_id.partition("-BP")
    return (_question_number(qid), qid, int(bp) if bp.isdigit() else 0)


def practice_risk(checked_by: Sequence[Rule]) -> Risk:
    """How much is at stake when the practice is missing: its riskiest rule's risk."""
    return max((r.risk for r in checked_by), key=lambda risk: risk.rank)


def _rule_list(checked_by: Sequence[Rule]) -> str:
    return ", ".join(f"{r.code} {r.name}" for r in checked_by)


def _choice(practice: Practice, checked_by: Sequence[Rule]) -> dict[str, object]:
    fixes = " ".join(f"{r.code}: {r.fix}" for r in checked_by)
    return {
        "id": choice_id(practice.id),
        "title": clip(practice.title, LIMITS.title),
        "description": clip(
            f"{practice.id} ({practice.legacy_id}). Checked by mllint-wa rules "
            f"{_rule_list(checked_by)}.",
            LIMITS.choice_description,
        ),
        "helpfulResource": {
            "displayText": clip(f"ML Lens {practice.id}: {practice.title}", LIMITS.display_text),
            "url": practice.url,
        },
        "improvementPlan": {
            "displayText": clip(fixes, LIMITS.display_text),
            "url": practice.url,
        },
    }


def risk_rules(question: Question) -> list[dict[str, str]]:
    """All practices met: no risk. Every practice whose rules include a high-risk one met:
    medium risk. Otherwise high risk — or medium risk, if no practice is high-risk (a
    question of medium- and low-risk practices cannot make a high-risk issue). Listed least
    risky first with ``default`` last, as the tool takes the first rule that holds."""
    every = [choice_id(p.id) for p, _ in question.practices]
    high = [choice_id(p.id) for p, rules in question.practices if practice_risk(rules) is Risk.HIGH]
    found = [{"condition": " && ".join(every), "risk": "NO_RISK"}]
    if not high:
        found.append({"condition": "default", "risk": "MEDIUM_RISK"})
        return found
    if len(high) < len(every):
        found.append({"condition": " && ".join(high), "risk": "MEDIUM_RISK"})
    found.append({"condition": "default", "risk": "HIGH_RISK"})
    return found


def question_title(question: Question) -> str:
    pillar = PILLARS[question.pillar][1].lower()
    return clip(
        f"{question.id} {PHASE_NAMES[question.phase]}: which {pillar} practices are in place?",
        LIMITS.title,
    )


def _question(question: Question) -> dict[str, object]:
    first = question.practices[0][0]
    codes = sorted({r.code for _, rules in question.practices for r in rules})
    return {
        "id": question.id,
        "title": question_title(question),
        "description": clip(
            f"ML Lens question {question.id}: the {PILLARS[question.pillar][1]} pillar in the "
            f"{PHASE_NAMES[question.phase].lower()} phase. The choices are the practices that "
            f"mllint-wa checks in a repository (rules {', '.join(codes)}); "
            "`mllint-wa --format wellarchitected` suggests the answer.",
            LIMITS.description,
        ),
        "helpfulResource": {
            "displayText": clip(
                f"ML Lens {PILLARS[question.pillar][1]} best practices, starting with "
                f"{first.id}: {first.title}",
                LIMITS.display_text,
            ),
            "url": first.url,
        },
        "choices": [
            *(_choice(practice, rules) for practice, rules in question.practices),
            {
                "id": none_choice_id(question.id),
                "title": "None of these",
                "description": "None of these practices is in place.",
            },
        ],
        "riskRules": risk_rules(question),
    }


def build_lens(rules: Iterable[Rule]) -> dict[str, object]:
    """The custom lens JSON document for the practices ``rules`` check."""
    found = questions(rules)
    pillars = [
        {
            "id": pillar_id,
            "name": pillar_name,
            "questions": [_question(q) for q in found if q.pillar is pillar],
        }
        for pillar, (pillar_id, pillar_name) in PILLARS.items()
        if any(q.pillar is pillar for q in found)
    ]
    return {
        "schemaVersion": SCHEMA_VERSION,
        "name": LENS_NAME,
        "description": clip(
            f"The AWS Well-Architected Machine Learning Lens practices that mllint-wa "
            f"{__version__} checks in a repository: one question per ML Lens question, one "
            "choice per practice, each with the rules that check it and how to fix their "
            "findings. Answer it with `mllint-wa --format wellarchitected`.",
            LIMITS.description,
        ),
        "pillars": pillars,
    }


# ---------------------------------------------------------------------------------------------
# Checking a lens document against the format


_TOKEN = re.compile(r"\s*(?:(\(|\)|!|&&|\|\|)|([A-Za-z0-9_]+))")


def condition_choices(condition: str) -> set[str]:
    """The choice ids a risk-rule condition names; ValueError if it is not a Boolean
    expression of ids with ``&&``, ``||``, ``!`` and parentheses."""
    tokens: list[str] = []
    position = 0
    text = condition.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"unexpected {text[position:].lstrip()[:10]!r}")
        tokens.append(match.group(1) or match.group(2))
        position = match.end()
    names: set[str] = set()

    def expression(at: int) -> int:  # term ("||" term)*
        at = term(at)
        while at < len(tokens) and tokens[at] == "||":
            at = term(at + 1)
        return at

    def term(at: int) -> int:  # factor ("&&" factor)*
        at = factor(at)
        while at < len(tokens) and tokens[at] == "&&":
            at = factor(at + 1)
        return at

    def factor(at: int) -> int:  # "!"* (id | "(" expression ")")
        while at < len(tokens) and tokens[at] == "!":
            at += 1
        if at >= len(tokens):
            raise ValueError("the condition ends where a choice id is expected")
        if tokens[at] == "(":
            at = expression(at + 1)
            if at >= len(tokens) or tokens[at] != ")":
                raise ValueError("a parenthesis is not closed")
            return at + 1
        if not ID_PATTERN.fullmatch(tokens[at]):
            raise ValueError(f"{tokens[at]!r} where a choice id is expected")
        names.add(tokens[at])
        return at + 1

    end = expression(0)
    if end != len(tokens):
        raise ValueError(f"unexpected {tokens[end]!r}")
    return names


def lens_problems(lens: object) -> list[str]:
    """Everything in ``lens`` that the lens format does not allow; empty when it is valid."""
    problems: list[str] = []
    if not isinstance(lens, dict):
        return ["the lens is not a JSON object"]
    size = len(json.dumps(lens, ensure_ascii=False).encode("utf-8"))
    if size > LIMITS.file_bytes:
        problems.append(f"the lens is {size} bytes, over {LIMITS.file_bytes}")
    if lens.get("schemaVersion") != SCHEMA_VERSION:
        problems.append(f"schemaVersion is not {SCHEMA_VERSION!r}")
    _text(problems, "lens", lens, "name", LIMITS.name)
    _text(problems, "lens", lens, "description", LIMITS.description)
    pillars = _items(problems, "lens", lens, "pillars", 1, LIMITS.pillars)
    _unique_ids(problems, "lens", pillars)
    every_question: list[dict[str, object]] = []
    for pillar in pillars:
        where = f"pillar {pillar.get('id')!r}"
        _id(problems, where, pillar)
        _text(problems, where, pillar, "name", LIMITS.name)
        found = _items(problems, where, pillar, "questions", 1, LIMITS.questions_per_pillar)
        every_question.extend(found)
        for question in found:
            _question_problems(problems, question)
    _unique_ids(problems, "lens questions", every_question)
    return problems


def _question_problems(problems: list[str], question: dict[str, object]) -> None:
    where = f"question {question.get('id')!r}"
    _id(problems, where, question)
    _text(problems, where, question, "title", LIMITS.title)
    _text(problems, where, question, "description", LIMITS.description, required=False)
    _resource(problems, where, question, "helpfulResource", required=False)
    choices = _items(problems, where, question, "choices", 1, LIMITS.choices_per_question)
    _unique_ids(problems, where, choices)
    for choice in choices:
        at = f"{where} choice {choice.get('id')!r}"
        _id(problems, at, choice)
        _text(problems, at, choice, "title", LIMITS.title)
        _text(problems, at, choice, "description", LIMITS.choice_description, required=False)
        _resource(problems, at, choice, "helpfulResource", required=False)
        is_none = str(choice.get("id", "")).endswith(NONE_SUFFIX)
        _resource(problems, at, choice, "improvementPlan", required=not is_none, url=False)
    ids = {c.get("id") for c in choices}
    rules = _items(problems, where, question, "riskRules", 1, LIMITS.risk_rules_per_question)
    risks = [r.get("risk") for r in rules]
    if any(risk not in RISKS for risk in risks) or len(set(risks)) != len(risks):
        problems.append(f"{where}: risks {risks} are not distinct levels of {list(RISKS)}")
    conditions = [r.get("condition") for r in rules]
    if conditions.count("default") != 1 or conditions[-1:] != ["default"]:
        problems.append(f"{where}: the risk rules do not end with the one `default` rule")
    for condition in conditions:
        if condition == "default":
            continue
        if not isinstance(condition, str):
            problems.append(f"{where}: condition {condition!r} is not a string")
            continue
        try:
            named = condition_choices(condition)
        except ValueError as error:
            problems.append(f"{where}: condition {condition!r}: {error}")
            continue
        problems.extend(
            f"{where}: condition {condition!r} names no choice {name!r}"
            for name in sorted(named - ids)
        )


def _items(
    problems: list[str], where: str, parent: dict[str, object], key: str, least: int, most: int
) -> list[dict[str, object]]:
    value = parent.get(key)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        problems.append(f"{where}: `{key}` is not a list of objects")
        return []
    if not least <= len(value) <= most:
        problems.append(f"{where}: {len(value)} {key}, not {least} to {most}")
    return value


def _id(problems: list[str], where: str, item: dict[str, object]) -> None:
    value = item.get("id")
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        problems.append(f"{where}: id {value!r} is not letters, digits and `_`")
    elif not LIMITS.id_min <= len(value) <= LIMITS.id_max:
        problems.append(f"{where}: id {value!r} is not {LIMITS.id_min}-{LIMITS.id_max} long")


def _unique_ids(problems: list[str], where: str, items: list[dict[str, object]]) -> None:
    ids = [item.get("id") for item in items]
    problems.extend(
        f"{where}: id {i!r} is used twice"
        for i in sorted({str(i) for i in ids if ids.count(i) > 1})
    )


def _text(
    problems: list[str],
    where: str,
    item: dict[str, object],
    key: str,
    limit: int,
    *,
    required: bool = True,
) -> None:
    value = item.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: `{key}` is missing or empty")
    elif len(value) > limit:
        problems.append(f"{where}: `{key}` is {len(value)} characters, over {limit}")


def _resource(
    problems: list[str],
    where: str,
    item: dict[str, object],
    key: str,
    *,
    required: bool,
    url: bool = True,
) -> None:
    """``{displayText, url}``: the text always, the URL (http or https) when ``url``."""
    value = item.get(key)
    if value is None and not required:
        return
    if not isinstance(value, dict):
        problems.append(f"{where}: `{key}` is missing")
        return
    _text(problems, f"{where} {key}", value, "displayText", LIMITS.display_text)
    link = value.get("url")
    if link is None and not url:
        return
    if not isinstance(link, str) or not re.fullmatch(r"https?://\S+", link):
        problems.append(f"{where}: `{key}.url` {link!r} is not an http(s) URL")
    elif len(link) > LIMITS.url:
        problems.append(f"{where}: `{key}.url` is over {LIMITS.url} characters")
