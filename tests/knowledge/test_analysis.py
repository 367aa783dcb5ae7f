"""French analysis: lemmas, folded accents, agents' abbreviations."""

from __future__ import annotations

import pytest

from knowledge.analysis import analyze, fold, sanitize_text

pytestmark = pytest.mark.unit


def test_accents_and_case_are_folded() -> None:
    assert fold("Télétravail À Domicile") == "teletravail a domicile"


def test_query_without_accents_meets_text_with_accents() -> None:
    assert set(analyze("jours de teletravail")) & set(analyze("Les jours télétravaillés"))
    assert "jour" in analyze("Combien de jours ?")


def test_abbreviation_tt_means_teletravail() -> None:
    assert "teletravail" in analyze("combien de jours de TT")


def test_stop_words_and_punctuation_are_dropped_but_numbers_kept() -> None:
    terms = analyze("Est-ce que je peux, à 80 %, le faire ?")
    assert "80" in terms
    assert not {"est", "ce", "que", "je", "le", "?"} & set(terms)


def test_sanitize_removes_control_characters_and_lone_surrogates() -> None:
    assert sanitize_text("a\x00b\ud800c\n") == "a b?c\n"
