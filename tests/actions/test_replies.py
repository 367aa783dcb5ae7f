"""Replies to the bot's own questions, read without Rasa (actions/replies.py)."""

from __future__ import annotations

from typing import Any

import pytest

from actions.replies import (
    Choice,
    asks_in_passing,
    attempted_choice,
    last_choices,
    names_offer,
    numbered,
    parse_payload,
    pick,
    pick_by_words,
    read_reply,
    yes_or_no,
)

STATUS = [
    Choice("Fonctionnaire", '/inform{"status": "fonctionnaire"}'),
    Choice("Contractuel", '/inform{"status": "contractuel"}'),
]
OFFER = [Choice("Calculer pour ma situation", "/start_quota")]
QUIZ = [Choice(f"{x}) choix {x}", f'/quiz_answer{{"quiz_choice":"{x}"}}') for x in "abcd"]
YES_NO = [Choice("Oui", "/affirm"), Choice("Non", "/deny")]
REFERENT = Choice("Contacter le référent", "/talk_to_human")


@pytest.mark.unit
@pytest.mark.parametrize(
    "text", ["oui", "ouais vas-y", "ok", "volontiers", "d'accord", "ok merci", "oui stp", "go"]
)
def test_yes_variants(text: str) -> None:
    assert yes_or_no(text) is True


@pytest.mark.unit
@pytest.mark.parametrize(
    "text",
    ["non", "non merci", "laisse tomber", "pas maintenant", "plus tard", "nan", "bof jarrete la"],
)
def test_no_variants(text: str) -> None:
    assert yes_or_no(text) is False


@pytest.mark.unit
@pytest.mark.parametrize(
    "text", ["oui mais combien de jours à 80 % ?", "je sais pas", "80 %", "bof", ""]
)
def test_more_than_a_yes_or_a_no(text: str) -> None:
    assert yes_or_no(text) is None


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "index"),
    [("2", 1), ("b", 1), ("B)", 1), ("le 2", 1), ("contractuel", 1), ("Fonctionnaire", 0)],
)
def test_pick_by_number_letter_or_title(text: str, index: int) -> None:
    assert pick(text, STATUS) == STATUS[index]


def test_pick_a_title_typed_whole_with_its_letter_or_number() -> None:
    assert pick("c) choix c", QUIZ) == QUIZ[2]
    assert pick("d) Choix D", QUIZ) == QUIZ[3]
    numbered = [Choice("1. Mes jours de télétravail", "/start_quota"), *STATUS]
    assert pick("1. mes jours de teletravail", numbered) == numbered[0]


@pytest.mark.unit
@pytest.mark.parametrize("text", ["80", "5 %", "3", "titulaire", "e"])
def test_pick_nothing(text: str) -> None:
    assert pick(text, STATUS) is None


def _quiz(*titles: str) -> list[Choice]:
    return [
        Choice(f"{x}) {title}", f'/quiz_answer{{"quiz_choice":"{x}"}}')
        for x, title in zip("abcd", titles, strict=True)
    ]


DELAYS = _quiz("2 jours ouvrés", "15 jours", "1 mois", "2 mois")
CEILINGS = _quiz(*(f"{n} jours par semaine" for n in (2, 3, 4, 5)))


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "choices", "index"),
    [
        ("je dirais 3 jours par semaine", CEILINGS, 1),
        ("trois jours", CEILINGS, 1),
        ("je pense 2 jours ouvrés", DELAYS, 0),
        ("c'est 2 mois", DELAYS, 3),
        ("quinze jours je crois", DELAYS, 1),
        ("un mois ?", DELAYS, 2),
    ],
)
def test_a_quiz_choice_named_in_a_sentence(text: str, choices: list[Choice], index: int) -> None:
    assert pick_by_words(text, choices) == choices[index]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "choices"),
    [
        ("2 jours ouvrés ou 2 mois", DELAYS),  # two choices named
        ("pas 2 mais 3 jours par semaine", CEILINGS),
        ("attends, le délai pour un changement ponctuel c'est combien déjà ?", DELAYS),
        ("et à 80 % on a droit à combien de jours par semaine déjà ?", CEILINGS),
        ("je sais pas", DELAYS),
    ],
)
def test_no_quiz_choice_in_a_question_or_between_two(text: str, choices: list[Choice]) -> None:
    assert pick_by_words(text, choices) is None


@pytest.mark.unit
def test_a_yes_accepts_the_one_offer_and_a_no_declines() -> None:
    assert read_reply("ouais vas-y", OFFER).choice == OFFER[0]
    assert read_reply("non merci", OFFER).kind == "no"
    assert read_reply("oui", YES_NO).choice == YES_NO[0]
    assert read_reply("non", YES_NO).choice == YES_NO[1]


QUOTA_OFFER = Choice("Calculer pour ma situation", "/start_quota")
NOTICE_OFFER = Choice("Calculer la date d'effet", "/start_notice")
IMPACT_OFFER = Choice("Simuler mes économies", "/start_impact")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "offered", "expected"),
    [
        ("d'accord, calcule pour moi", [QUOTA_OFFER, REFERENT], QUOTA_OFFER),
        ("calcule pour moi", [QUOTA_OFFER], QUOTA_OFFER),
        ("ok vas-y simule", [IMPACT_OFFER, REFERENT], IMPACT_OFFER),
        ("calcule la date d'effet stp", [NOTICE_OFFER, REFERENT], NOTICE_OFFER),
        ("calcule la date de fin", [NOTICE_OFFER], None),  # « fin » is no word of the offer
        ("calcule pour moi ?", [QUOTA_OFFER], None),  # a question, not a request
        ("montre moi le guide", [QUOTA_OFFER], None),  # « montre » is no word of the offer
        ("calcule", [QUOTA_OFFER, NOTICE_OFFER], None),  # two offers named alike
        ("contacte le referent", [QUOTA_OFFER, REFERENT], None),  # the référent is no offer
        ("5", [Choice("d) 5 jours par semaine", "/quiz_answer")], None),  # a number, not a verb
    ],
)
def test_a_request_naming_the_offer_by_its_verb_accepts_it(
    text: str, offered: list[Choice], expected: Choice | None
) -> None:
    assert names_offer(text, offered) == expected


@pytest.mark.unit
def test_a_choice_that_fits_none_is_unclear_and_a_value_is_not_a_reply() -> None:
    assert read_reply("7", QUIZ).kind == "unclear"
    assert read_reply("oui", STATUS).kind == "unclear"
    assert read_reply("80 %", OFFER).kind == "none"
    assert read_reply("qui fournit l'ordinateur ?", OFFER).kind == "none"
    assert read_reply("oui", []).kind == "none"
    assert attempted_choice("4") and not attempted_choice("80")


@pytest.mark.unit
def test_quiz_number_is_a_letter_not_a_quotite() -> None:
    assert read_reply("1", QUIZ).choice == QUIZ[0]
    assert read_reply("c", QUIZ).choice == QUIZ[2]


@pytest.mark.unit
def test_payload_and_numbered_lines() -> None:
    assert parse_payload('/inform{"quotite": "80"}') == ("inform", {"quotite": "80"})
    assert parse_payload("/start_quota") == ("start_quota", {})
    assert numbered(STATUS) == "1. Fonctionnaire\n2. Contractuel"
    assert numbered(QUIZ[:2], letters=True) == "a) choix a\nb) choix b"


@pytest.mark.unit
def test_choices_are_the_buttons_of_the_bots_last_turn_only() -> None:
    old: dict[str, Any] = {
        "event": "bot",
        "text": "ancienne",
        "data": {"buttons": [{"title": "X", "payload": "/x"}]},
    }
    new: dict[str, Any] = {
        "event": "bot",
        "text": "Voulez-vous ?",
        "data": {"buttons": [{"title": "Oui", "payload": "/affirm"}]},
    }
    events: list[dict[str, Any]] = [old, {"event": "user"}, new, {"event": "user"}]
    assert last_choices(events) == [Choice("Oui", "/affirm")]
    # A message with no reply at all was lost (the action server was down): « oui » sent
    # again still answers the offer; after two messages without reply, nothing is pending.
    assert last_choices([old, {"event": "user"}, {"event": "user"}]) == [Choice("X", "/x")]
    assert last_choices([old, *[{"event": "user"}] * 3]) == []


@pytest.mark.unit
def test_choices_are_those_of_the_last_question_of_the_turn() -> None:
    abstention: dict[str, Any] = {
        "event": "bot",
        "data": {"buttons": [{"title": "Contacter le référent", "payload": "/talk_to_human"}]},
    }
    question: dict[str, Any] = {
        "event": "bot",
        "data": {"buttons": [{"title": "Temps plein (100 %)", "payload": "/inform"}]},
    }
    events: list[dict[str, Any]] = [{"event": "user"}, abstention, question, {"event": "user"}]
    assert last_choices(events) == [Choice("Temps plein (100 %)", "/inform")]


@pytest.mark.unit
def test_a_yes_accepts_the_referent_only_when_it_is_the_one_button() -> None:
    assert read_reply("oui", [REFERENT]).choice == REFERENT
    help_button = Choice("Que pouvez-vous faire ?", "/help")
    assert read_reply("oui", [REFERENT, help_button]).kind == "unclear"


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("c'est quoi le préavis ?", True),
        ("il faut combien de détecteurs ? je suis dans un 95 m2", True),
        ("Lefèvre", False),
        ("je veux savoir ? " + "parce que " * 6, False),
    ],
)
def test_a_question_may_end_with_what_it_is_about(text: str, asks: bool) -> None:
    assert asks_in_passing(text) is asks
