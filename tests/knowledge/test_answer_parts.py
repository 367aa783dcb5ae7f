"""Parts of one section are cited once (knowledge.answer.merge_parts, used by compose)."""

from __future__ import annotations

import pytest

from knowledge.answer import AnswerPart, merge_parts
from knowledge.models import Source

pytestmark = pytest.mark.unit


def _part(text: str) -> AnswerPart:
    source = Source(
        doc_id="maa-instruction-2019-781",
        title="Modalités pratiques",
        section="I – Le télétravail c'est quoi ? › 1 – Définition et principes généraux",
        date="2019-11-21",
        excerpt=text,
        score=1.0,
    )
    return AnswerPart(text, source)


def test_two_passages_of_one_section_become_one_part_with_one_citation() -> None:
    key = _part("Le télétravail est volontaire : il ne peut pas être imposé à l'agent.")
    other = _part("Il s'agit d'une démarche fondée sur la confiance réciproque.")
    merged = merge_parts([key, other])
    assert merged.text.startswith(key.text) and merged.text.endswith(other.text)
    assert merged.source.excerpt.startswith(key.text)  # the key sentence is in the excerpt
    assert merged.source.section == key.source.section


def test_a_single_part_is_left_as_it_is() -> None:
    part = _part("Le télétravail est réversible.")
    assert merge_parts([part]) is part
