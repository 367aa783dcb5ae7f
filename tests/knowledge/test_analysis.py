"""French analysis: lemmas, folded accents, agents' abbreviations."""

from __future__ import annotations

import pytest

from knowledge.analysis import (
    analyze,
    expand_abbreviations,
    fold,
    sanitize_text,
    term_alternatives,
    without_greeting,
)

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


def test_chat_abbreviations_are_expanded() -> None:
    assert expand_abbreviations("cmb de jrs de tt qd on est a 80 %") == (
        "combien de jours de télétravail quand on est a 80 %"
    )


def test_everyday_phrases_become_the_words_of_the_texts() -> None:
    expanded = expand_abbreviations("la Période d'essai et la periode d essai, ma Période d’essai")
    assert expanded.count("période d'adaptation") == 3
    assert "médecin de prévention" in expand_abbreviations("la médecine du travail dit oui")
    # « qui paie » is asked of what the texts say the administration « prend en charge »;
    # the salary slip (« fiche de paie ») is not.
    assert expand_abbreviations("qui paie l'écran ?") == "qui prend en charge l'écran ?"
    assert expand_abbreviations("ma fiche de paie") == "ma fiche de paie"
    assert expand_abbreviations("jpeux ? jsuis a 80 %") == "je peux ? je suis a 80 %"


def test_a_compound_has_its_parts_expanded_but_not_two_letter_ones() -> None:
    assert expand_abbreviations("trajet domicile-boulot") == "trajet domicile-travail"
    assert expand_abbreviations("je suis à mi-temps") == "je suis à mi-temps"


def test_an_unaccented_word_keeps_its_written_form_beside_its_lemma() -> None:
    """spaCy lemmatises « ministere » (typed without accent) as « minister », « eligible »
    as « eligibl »; each question term must still meet the word of the accented text."""
    text_terms = set(analyze("Le ministère juge l'activité éligible", prefixes=False))
    for word in ("ministere", "eligible"):
        (forms,) = [forms for forms in term_alternatives(f"le {word} ?") if word in forms]
        assert set(forms) & text_terms


def test_modal_verbs_are_not_words_of_the_subject() -> None:
    """« il faut », « je peux », « je dois » would weigh on the coverage like the subject."""
    terms = {
        form
        for forms in term_alternatives("faut joindre quoi, je peux ou je dois ?")
        for form in forms
    }
    assert terms == {"joindre"}
    assert not {"falloir", "pouvoir", "devoir"} & set(analyze("il faudrait que je puisse"))


def test_giving_is_not_a_word_of_the_subject() -> None:
    """« on me donne quoi ? »: its prefix « donn » met « données », the data-protection rule."""
    terms = set(analyze("qu'est-ce qu'on me donne comme matériel ?"))
    assert "materiel" in terms
    assert not any(term.startswith("donn") for term in terms)
    assert any(term.startswith("donn") for term in analyze("la protection des données"))


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("bjr, jsuis à temps partiel", "jsuis à temps partiel"),
        ("Bonjour ! je suis à 80 %, combien de jours ?", "je suis à 80 %, combien de jours ?"),
        ("salut", "salut"),  # a greeting alone stays whole
        ("saluti tutti", "saluti tutti"),
        ("bonjour-bonsoir", "bonjour-bonsoir"),
        ("je dis bonjour au chef ?", "je dis bonjour au chef ?"),
    ],
)
def test_the_greeting_opening_a_message_is_not_searched(text: str, rest: str) -> None:
    assert without_greeting(text) == rest
