"""The actions keep the domain's contract, and what they quote is in the texts."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import ActionExecutor

from actions.answers import INTENT_QUESTIONS
from actions.guide import (
    APTITUDE,
    BUDGET,
    FOLLOW_UP,
    INDIVIDUAL_ACT,
    INTERVIEW,
    OUTCOMES,
    REFERENT,
    REFUSAL,
    REQUEST_CONTENT,
    SERVICE,
)
from actions.handoff import FORM_SLOTS
from actions.questions import INTENT_TITLES, OFFERS
from knowledge.corpus import SOURCES_DIR
from rules.models import Fact

pytestmark = pytest.mark.unit
ACTIONS_DIR = Path(__file__).resolve().parents[2] / "actions"
SOURCE_CODE = "\n".join(p.read_text(encoding="utf-8") for p in sorted(ACTIONS_DIR.glob("*.py")))
GUIDE_FACTS = [
    APTITUDE,
    BUDGET,
    FOLLOW_UP,
    INDIVIDUAL_ACT,
    INTERVIEW,
    OUTCOMES,
    REFERENT,
    REFUSAL,
    REQUEST_CONTENT,
    SERVICE,
]


def _intents(domain: dict[str, Any]) -> set[str]:
    return {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}


def test_every_domain_action_is_served_and_nothing_else(domain: dict[str, Any]) -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(domain["actions"])


def test_button_payloads_name_domain_intents_and_entities(domain: dict[str, Any]) -> None:
    intents = set(re.findall(r"""["']/(\w+)""", SOURCE_CODE))
    entities = set(re.findall(r"""["']/\w+\{\{?"(\w+)":""", SOURCE_CODE))
    assert "quiz_answer" in intents and entities == {"quiz_choice"}
    assert intents <= _intents(domain)
    assert entities <= set(domain["entities"])
    assert set(INTENT_TITLES) <= _intents(domain)
    assert {b["payload"].lstrip("/") for b in OFFERS.values()} <= _intents(domain)
    assert set(INTENT_QUESTIONS) <= _intents(domain)


def test_responses_and_slots_used_exist(domain: dict[str, Any]) -> None:
    assert set(re.findall(r'response="(\w+)"', SOURCE_CODE)) <= set(domain["responses"])
    used = set(re.findall(r'SlotSet\("(\w+)"', SOURCE_CODE)) | set(FORM_SLOTS)
    assert used <= set(domain["slots"]) | {"requested_slot"}


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"<[^>]+>|[*_]", "", text)
    text = re.sub(r"[’‘ʼ`]", "'", text)
    text = re.sub(r"[«»“”\"]", " ", text)
    text = re.sub(r"[‐‑‒–—]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def _citations() -> list[tuple[str, str, str]]:
    return [(c.doc_id, c.section, c.quote) for fact in GUIDE_FACTS for c in fact.sources]


@pytest.mark.parametrize(("doc_id", "section", "quote"), _citations(), ids=lambda v: str(v)[:40])
def test_guide_quotes_are_verbatim_under_real_headings(
    doc_id: str, section: str, quote: str
) -> None:
    raw = (SOURCES_DIR / f"{doc_id}.md").read_text(encoding="utf-8")
    headings = [_normalise(line.lstrip("#")) for line in raw.splitlines() if line.startswith("#")]
    positions = [headings.index(_normalise(part)) for part in section.split("›")]
    assert positions == sorted(positions)
    last_heading = next(
        line
        for line in raw.splitlines()
        if line.startswith("#")
        and _normalise(line.lstrip("#")) == _normalise(section.split("›")[-1])
    )
    after = raw[raw.index(last_heading) :]
    assert _normalise(quote) in _normalise(after)


def test_guide_facts_are_rules_facts() -> None:
    assert all(isinstance(fact, Fact) and fact.note for fact in GUIDE_FACTS)
