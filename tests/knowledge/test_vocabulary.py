"""Nouns the texts never use lower the confidence; typos and verbs do not count (real spaCy)."""

from __future__ import annotations

import pytest

from knowledge.analysis import analyze_many
from knowledge.vocabulary import CorpusVocabulary, named_places

pytestmark = pytest.mark.unit

PASSAGES = [
    "L'administration fournit un ordinateur portable et un téléphone au télétravailleur.",
    "Le détecteur de fumée est obligatoire ; la connexion internet est à la charge de l'agent.",
]


@pytest.fixture(scope="module")
def vocabulary() -> CorpusVocabulary:
    return CorpusVocabulary(analyze_many(PASSAGES))


def test_a_noun_no_text_uses_is_reported(vocabulary: CorpusVocabulary) -> None:
    question = "j'ai droit a une mutuelle pour mon ordinateur ?"
    assert vocabulary.absent_nouns(question) == ["mutuelle"]


def test_typos_and_missing_accents_still_match_the_texts(vocabulary: CorpusVocabulary) -> None:
    assert vocabulary.knows("ordinateur")
    assert vocabulary.knows("ordinatuer")  # two letters swapped
    assert vocabulary.absent_nouns("un detecteur de fumee c obligatoire ?") == []
    assert vocabulary.absent_nouns("le telephone est fourni par l'administation ?") == []
    assert not vocabulary.knows("mutuelle")


def test_verbs_symbols_and_stop_words_are_not_topics(vocabulary: CorpusVocabulary) -> None:
    question = "on me refuse un ordinateur a 100 %, d'apres l'administration"
    assert vocabulary.absent_nouns(question) == []


def test_greetings_days_and_relatives_situate_the_question(vocabulary: CorpusVocabulary) -> None:
    question = "bonjour, mon fils est malade le mercredi, un ordinateur est fourni ?"
    assert vocabulary.absent_nouns(question) == []


def test_everyday_nouns_say_how_the_agent_talks_not_the_topic(
    vocabulary: CorpusVocabulary,
) -> None:
    """« au bout d'un an », « c'est vrai ? » are not topics; « mutuelle » still is."""
    question = "au bout d'un an c'est vrai qu'on perd l'ordinateur et la mutuelle ?"
    assert vocabulary.absent_nouns(question) == ["mutuelle"]


def test_a_verb_tagged_as_a_noun_counts_by_its_infinitive() -> None:
    """« portable demandai hier » (demander) is no new topic when the texts use the verb."""
    passages = ["L'agent peut demander un portable ; il fournit un justificatif."]
    vocabulary = CorpusVocabulary(analyze_many(passages))
    assert vocabulary.absent_nouns("portable demandai hier") == []
    assert vocabulary.absent_nouns("le montant du portable ?") == ["montant"]


def test_typed_contractions_are_read_as_the_words_they_stand_for(
    vocabulary: CorpusVocabulary,
) -> None:
    assert vocabulary.absent_nouns("jpeux avoir un ordinateur ? jsuis a 80 %") == []


def test_a_place_abroad_is_absent_whatever_its_tag(vocabulary: CorpusVocabulary) -> None:
    """Lower-cased, « portugal » is tagged an adverb; it is still a place no text names."""
    assert vocabulary.absent_nouns("je pars au portugal, un ordinateur est fourni ?") == [
        "portugal"
    ]
    assert vocabulary.absent_nouns("un ordinateur aux etats-unis ?") == ["etats unis"]
    # France, its overseas territories and a « réunion de service » are no place abroad.
    assert named_places("un ordinateur en France ou en Martinique ?") == []
    assert named_places("un ordinateur pour la réunion de service ?") == []


def test_a_typo_keeps_the_first_letter(vocabulary: CorpusVocabulary) -> None:
    """« déconnexion » is two letters from « connexion » but another topic."""
    assert vocabulary.knows("connexoin")
    assert not vocabulary.knows("deconnexion")


def test_a_joined_compound_is_known() -> None:
    """« coworking » for the texts' « co-working »."""
    vocabulary = CorpusVocabulary(analyze_many(["Des centres de co-working dans les territoires."]))
    assert vocabulary.absent_nouns("des centres de coworking ?") == []


def test_an_adverb_typed_without_accents_is_no_topic(vocabulary: CorpusVocabulary) -> None:
    """« equitablement » is tagged a noun; « logement » stays a noun the texts do not use."""
    assert vocabulary.absent_nouns("un ordinateur fourni equitablement ?") == []
    assert vocabulary.absent_nouns("un ordinateur pour le logement ?") == ["logement"]


def test_a_typo_may_drop_the_first_letter_of_the_word() -> None:
    """« change » for « échange » (its accented first letter dropped) is no new topic."""
    vocabulary = CorpusVocabulary(analyze_many(["Un échange de jour est possible."]))
    assert vocabulary.knows("change")
