"""Follow-ups answered from the section just cited (knowledge.follow_up), on the real index."""

from __future__ import annotations

from typing import Any

from knowledge.analysis import fold
from knowledge.follow_up import answer_about, subject_words

DOC = "maa-instruction-2019-781"
CHSCT = (
    "IV – L'organisation et la mise en œuvre du télétravail › 8 – Le rôle des comités "
    "techniques (CT) et des comités d'hygiène, de sécurité et des conditions de travail (CHSCT)"
)
MEDICAL = "VI – Le cas particulier des dérogations pour raisons médicales"
ADAPTATION = "III – La procédure de demande › 4 – La période d'adaptation"
RECOURSE = "III – La procédure de demande › 5 – Les voies de recours"
DEFINITION = "I – Le télétravail c'est quoi ? › 1 – Définition et principes généraux du télétravail"


def test_the_way_of_asking_is_not_the_subject() -> None:
    assert subject_words("et ça dure combien de temps ?") == subject_words("et ça dure ?")
    assert subject_words("à partir de quand ?") == []
    assert subject_words("et ça leur prend cb de temps ?") == []
    # Typed as in a chat: « cb » is « combien », a way of asking too.
    assert subject_words("elle dure cb de temps ?") == subject_words("elle dure combien de temps ?")


def test_refusal_after_the_visits_is_answered_from_their_section(engine: Any) -> None:
    answer = answer_about(engine, "et si je refuse ?", DOC, CHSCT)
    assert answer is not None and not answer.abstained
    assert "suspension" in fold(answer.answer)
    assert answer.sources[0].section == CHSCT


def test_duration_after_the_medical_derogation_is_its_own(engine: Any) -> None:
    answer = answer_about(engine, "et ça dure combien de temps ?", DOC, MEDICAL)
    assert answer is not None
    assert "6 mois" in answer.answer
    # Alone, the same words find another duration (the adaptation period's).
    assert "6 mois" not in engine.ask("et ça dure combien de temps ?").answer


def test_a_word_the_section_lacks_makes_a_new_question(engine: Any) -> None:
    assert answer_about(engine, "et pour un contractuel ?", DOC, ADAPTATION) is None


def test_a_status_after_the_recourse_is_answered_from_it(engine: Any) -> None:
    # « un » is a word of the index (« un an »), not of the follow-up's subject: counted, the
    # recourse section lacked it and the follow-up was searched alone (who may telework).
    assert subject_words("et pr un contractuel ?") == subject_words("et pour contractuel ?")
    answer = answer_about(engine, "et pr un contractuel ?", DOC, RECOURSE)
    assert answer is not None
    assert "commission consultative paritaire" in fold(answer.answer)
    assert answer.sources[0].section == RECOURSE


def test_a_word_of_the_family_the_section_lacks_makes_a_new_question(engine: Any) -> None:
    # « refusé » is the texts' « refus »: the recourse has it, the definition never says it.
    assert answer_about(engine, "et si c refuse ?", DOC, DEFINITION) is None


def test_an_unknown_section_gives_nothing(engine: Any) -> None:
    assert answer_about(engine, "et si je refuse ?", DOC, "Section qui n'existe pas") is None


def test_a_question_with_words_of_its_own_stands_alone(engine: Any) -> None:
    question = "merci, et sinon qui peut venir visiter mon domicile pour vérifier mon poste ?"
    assert answer_about(engine, question, DOC, ADAPTATION) is None
