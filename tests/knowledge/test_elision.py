"""Glued elisions of chat French are split before analysis (knowledge.elision)."""

from __future__ import annotations

import pytest

from knowledge.analysis import analyze, expand_abbreviations
from knowledge.elision import split_elisions


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("lattestation sur lhonneur", "l'attestation sur l'honneur"),
        ("lelectricite de ma maison", "l'electricite de ma maison"),
        ("en cas depidemie", "en cas d'epidemie"),
        ("jbosse au lycee", "je bosse au lycee"),
        ("mon chef menvoie des mails", "mon chef m'envoie des mails"),
    ],
)
def test_glued_elisions_are_split(typed: str, read: str) -> None:
    assert split_elisions(typed) == read


@pytest.mark.parametrize(
    "text",
    [
        "le lavoir est dessus",  # words of their own, however their tail reads
        "dans deux ans",
        "Morange a écrit",  # a name is not split
        "détendues",
        "l'attestation",  # already written with its apostrophe
    ],
)
def test_words_of_their_own_are_kept(text: str) -> None:
    assert split_elisions(text) == text


def test_the_split_word_reaches_the_lexical_terms() -> None:
    assert "attestation" in analyze("lattestation", prefixes=False)
    assert "attestation" not in analyze("lavoir", prefixes=False)


def test_a_split_elision_then_meets_its_phrase() -> None:
    # « periode dessai » → « période d'essai », a phrase of the synonyms file.
    assert expand_abbreviations("periode dessai") == expand_abbreviations("periode d'essai")
