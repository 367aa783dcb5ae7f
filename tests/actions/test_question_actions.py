"""The one route for questions: answered from the texts, calculator offered or started.

The engine is the fake of ``test_answer_actions`` (real ``Answer`` type): these tests check
where each kind of message goes and the exact events, not the retrieval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rasa_sdk import Action, Tracker

from actions.answers import SUGGESTIONS_INTRO
from actions.notice_deadline import wishes_effect_on
from actions.questions import ActionAnswerQuestion
from knowledge.answer import ABSTENTION_MESSAGE
from tests.actions.helpers import Outcome, make_tracker, slot
from tests.actions.test_answer_actions import FakeEngine, use_engine

pytestmark = pytest.mark.unit
Run = Callable[[Action, Tracker], Outcome]
REFERENT, HELP = "/talk_to_human", "/help"


def ask(
    text: str, intent: str, entities: list[dict[str, Any]] | None = None, **slots: Any
) -> Tracker:
    """A question outside any form."""
    return make_tracker("question", text=text, intent=intent, entities=entities or [], slots=slots)


def in_form(text: str, intent: str) -> Tracker:
    """A message the quota form did not take as the quotité."""
    return make_tracker("quota_form_asking", text=text, intent=intent, entities=[])


def activates(form: str) -> dict[str, Any]:
    """The event ``ActiveLoop(form)`` as rasa-sdk returns it."""
    return {"event": "active_loop", "timestamp": None, "name": form}


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    return use_engine(monkeypatch, FakeEngine())


@pytest.mark.parametrize(
    ("intent", "text", "offer"),
    [
        ("ask_quota", "combien de jours de télétravail en général ?", "/start_quota"),
        ("ask_quota", "mon autorisation vaut jusqu'à quand ?", "/start_quota"),
        ("simulate_impact", "à quoi sert le simulateur du plan national ?", "/start_impact"),
        ("simulate_impact", "quels chiffres donne le plan sur les trajets ?", "/start_impact"),
        ("ask_eligibility", "les contractuels peuvent-ils télétravailler ?", "/start_eligibility"),
        ("ask_changes", "quel délai de prévenance ?", "/start_notice"),
        (
            "ask_manager_guide",
            "un agent et son manager fixent-ils les jours ensemble ?",
            "/start_manager_guide",
        ),
        ("ask_procedure", "comment faire ma demande ?", "/request_draft"),
        # Named by the question whatever its intent: the check alone, for « oui » to take it.
        ("ask_procedure", "comment savoir si je remplis les conditions ?", "/start_eligibility"),
    ],
)
def test_question_is_answered_then_its_calculator_offered(
    run: Run, engine: FakeEngine, intent: str, text: str, offer: str
) -> None:
    outcome = run(ActionAnswerQuestion(), ask(text, intent))
    assert outcome.events == []
    assert engine.questions == [text]
    assert outcome.texts[0] == FakeEngine.ANSWER
    assert outcome.sources  # the passages, with the offer on the same message
    assert outcome.payloads == [offer]
    assert "Mode manager" not in outcome.text and "quotité ?" not in outcome.text


@pytest.mark.parametrize(
    ("intent", "text", "form"),
    [
        ("ask_quota", "calcule mes jours de télétravail", "quota_form"),
        ("ask_eligibility", "je veux vérifier mon éligibilité", "eligibility_form"),
        ("ask_changes", "calcule mon délai de prévenance", "notice_form"),
    ],
)
def test_request_for_ones_own_computation_starts_the_form(
    run: Run, engine: FakeEngine, intent: str, text: str, form: str
) -> None:
    outcome = run(ActionAnswerQuestion(), ask(text, intent, quotite=None))
    assert outcome.events == [activates(form)]
    assert outcome.messages == []
    assert engine.questions == []


def test_quotite_in_the_question_is_computed_at_once(run: Run, engine: FakeEngine) -> None:
    tracker = ask("combien de jours à 80 % ?", "ask_quota", [{"entity": "quotite", "value": "80"}])
    outcome = run(ActionAnswerQuestion(), tracker)
    assert outcome.events == [slot("quotite", 80.0), slot("last_computation", {"kind": "quota"})]
    assert outcome.texts[0].startswith("À 80 % : 2 jours de télétravail par semaine au plus")
    assert engine.questions == []


def test_one_impact_parameter_starts_the_form_with_it(run: Run, engine: FakeEngine) -> None:
    tracker = ask(
        "j'habite à 30 km, combien je gagnerais ?",
        "simulate_impact",
        [{"entity": "distance_km", "value": "30"}],
    )
    outcome = run(ActionAnswerQuestion(), tracker)
    assert outcome.events == [
        slot("distance_km", 30.0),
        slot("telework_days", None),
        activates("impact_form"),
    ]
    assert outcome.messages == []


def test_both_impact_parameters_simulate_at_once(run: Run, engine: FakeEngine) -> None:
    entities = [
        {"entity": "distance_km", "value": "30"},
        {"entity": "telework_days", "value": "2"},
    ]
    outcome = run(ActionAnswerQuestion(), ask("30 km, 2 jours de tt", "simulate_impact", entities))
    assert outcome.events == [
        slot("distance_km", 30.0),
        slot("telework_days", 2.0),
        slot("last_computation", {"kind": "impact"}),
    ]
    assert outcome.texts[0].startswith("Avec 2 jours de télétravail par semaine")


def test_notice_event_and_date_are_computed(run: Run, engine: FakeEngine) -> None:
    tracker = make_tracker("notice")
    outcome = run(ActionAnswerQuestion(), tracker)
    assert outcome.events == [
        slot("date", None),
        slot("notice_event", None),
        slot(
            "last_computation", {"kind": "notice", "event": "calendar_change", "date": "2026-05-04"}
        ),
    ]
    assert outcome.texts[0].startswith("Date d'effet au plus tôt : mardi 19 mai 2026.")
    assert engine.questions == []


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("calcule mon délai pr un changement durable de mon calendrier de tt", "calendar_change"),
        ("calcule le délai pour arrêter mon tt, jsuis plus en période d'adaptation", "end"),
    ],
)
def test_a_request_to_compute_a_named_change_asks_its_date(
    run: Run, engine: FakeEngine, text: str, event: str
) -> None:
    """Asked to compute, the bot does not recite the rule: the form asks the date."""
    outcome = run(ActionAnswerQuestion(), ask(text, "ask_changes"))
    assert outcome.events == [
        slot("notice_event", event),
        slot("date", None),
        activates("notice_form"),
    ]
    assert engine.questions == []


def test_a_date_without_the_change_starts_the_form_with_the_date(
    run: Run, engine: FakeEngine
) -> None:
    """The date is the computation's parameter: kept, and the form asks which change."""
    text = "si je préviens le 4 janvier 2027 ça prend effet quand ?"
    outcome = run(ActionAnswerQuestion(), ask(text, "ask_changes"))
    assert outcome.events == [
        slot("date", "04/01/2027"),
        slot("notice_event", None),
        activates("notice_form"),
    ]
    assert engine.questions == []


def test_an_unsure_request_for_a_document_starts_its_form(run: Run, engine: FakeEngine) -> None:
    """Read as nlu_fallback, « aide moi a faire ma demande » still asks for the draft."""
    outcome = run(ActionAnswerQuestion(), ask("aide moi a faire ma demande de tt", "nlu_fallback"))
    assert {"event": "followup", "timestamp": None, "name": "draft_form"} in outcome.events
    assert engine.questions == []


def test_manager_asking_for_the_guide_gets_it(run: Run, engine: FakeEngine) -> None:
    outcome = run(ActionAnswerQuestion(), ask("guide du manager", "ask_manager_guide"))
    assert outcome.texts[0].startswith("Mode manager")
    assert "/start_quiz" in outcome.payloads
    assert engine.questions == []


def test_unsure_nlu_goes_to_the_texts_first(run: Run, engine: FakeEngine) -> None:
    outcome = run(ActionAnswerQuestion(), make_tracker("fallback"))
    assert engine.questions == ["jours tt combien svp enfin bref"]
    assert outcome.texts[0] == FakeEngine.ANSWER
    assert SUGGESTIONS_INTRO not in outcome.text


def test_unsure_nlu_and_abstention_suggest_the_likely_topics(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, FakeEngine(abstain=True))
    outcome = run(ActionAnswerQuestion(), make_tracker("fallback"))
    choices = "\n".join(
        [
            "1. Nombre de jours de télétravail",
            "2. Faire sa demande",
            "3. Raison médicale, handicap",
            "4. Contacter le référent",
            "5. Que pouvez-vous faire ?",
        ]
    )
    intro = f"{SUGGESTIONS_INTRO} Répondez par le numéro du choix :"
    assert outcome.texts == [f"{ABSTENTION_MESSAGE}\n\n{intro}\n{choices}"]
    assert outcome.payloads == ["/ask_quota", "/ask_procedure", "/ask_medical", REFERENT, HELP]


def test_out_of_scope_gets_the_engines_decision(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = use_engine(monkeypatch, FakeEngine(abstain=True))
    outcome = run(ActionAnswerQuestion(), ask("quel temps fera-t-il demain ?", "out_of_scope"))
    assert engine.questions == ["quel temps fera-t-il demain ?"]
    assert outcome.texts == [ABSTENTION_MESSAGE]
    assert outcome.payloads == [REFERENT, HELP]


def test_question_in_a_form_is_answered_without_offer(run: Run, engine: FakeEngine) -> None:
    text = "au fait on me donne un ordinateur portable ?"
    outcome = run(ActionAnswerQuestion(), in_form(text, "ask_equipment"))
    assert outcome.events == []
    assert engine.questions == ["on me donne un ordinateur portable ?"]  # « au fait » left out
    assert outcome.payloads == []


def test_request_in_a_form_does_not_switch_forms(run: Run, engine: FakeEngine) -> None:
    outcome = run(ActionAnswerQuestion(), in_form("simule mes économies", "simulate_impact"))
    assert outcome.events == []
    assert outcome.texts[0] == FakeEngine.ANSWER


@pytest.mark.parametrize(
    ("intent", "expected"),
    [("help", "utter_help"), ("bot_challenge", "utter_iamabot")],
)
def test_small_talk_in_a_form_gets_its_response(
    run: Run, engine: FakeEngine, intent: str, expected: str
) -> None:
    outcome = run(ActionAnswerQuestion(), in_form("tu sais faire quoi ?", intent))
    assert outcome.responses == [expected]
    assert engine.questions == []


def test_a_follow_up_read_as_help_in_a_form_is_answered(run: Run, engine: FakeEngine) -> None:
    """« c'est quoi les pièces à fournir avec ? » (help, 0.76) during a form: a question."""
    tracker = in_form("c'est quoi les pièces à fournir avec ?", "help")
    tracker.events.insert(0, {"event": "user", "text": "aide moi à faire ma demande"})
    outcome = run(ActionAnswerQuestion(), tracker)
    assert "utter_help" not in outcome.responses
    assert engine.questions and "pièces à fournir" in engine.questions[0]
    assert outcome.texts[0] == FakeEngine.ANSWER


def test_referent_in_a_form(run: Run, engine: FakeEngine) -> None:
    outcome = run(ActionAnswerQuestion(), in_form("je veux le référent", "talk_to_human"))
    assert "référent télétravail" in outcome.texts[0]
    assert engine.questions == []


def test_suggestions_do_not_repeat_the_referent_and_the_help(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, FakeEngine(abstain=True))
    ranking = [
        {"name": name, "confidence": 0.3}
        for name in ("nlu_fallback", "help", "talk_to_human", "ask_equipment", "greet")
    ]
    outcome = run(ActionAnswerQuestion(), make_tracker("fallback", ranking=ranking))
    assert outcome.payloads == ["/ask_equipment", REFERENT, HELP]


@pytest.mark.parametrize(
    ("text", "number", "counted"),
    [
        ("je peux garder mon fils de 3 ans pendant mes jours de tt ?", "3", True),
        ("je suis à 80 % et j'habite à 30 km", "80", False),
        ("80 jours par an ça fait combien", "80", True),
        ("j'arrête le tt, je préviens le 20 avril 2027", "20", True),
        ("le 3 mars 2027", "3", True),
        ("le 3 mars 2027", "3 mars", True),  # the NLU's span holds the month
        ("je suis à 80 % depuis mars", "80 %", False),
    ],
)
def test_a_number_counting_something_else_is_no_quotite(
    text: str, number: str, counted: bool
) -> None:
    from actions.questions import entity_names

    tracker = make_tracker("question", text=text, intent="ask_quota", entities=[])
    start = text.index(number)
    tracker.latest_message["entities"] = [
        {"entity": "quotite", "value": number, "start": start, "end": start + len(number)}
    ]
    assert ("quotite" in entity_names(tracker)) is not counted


@pytest.fixture
def monday(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Today is Monday 7 December 2026 for the actions."""
    from actions.settings import get_action_settings

    get_action_settings.cache_clear()
    monkeypatch.setenv("TELETRAVAIL_REFERENCE_DATE", "2026-12-07")
    yield
    monkeypatch.delenv("TELETRAVAIL_REFERENCE_DATE")
    get_action_settings.cache_clear()


@pytest.mark.usefixtures("monday")
def test_a_wished_date_gives_the_latest_notification(run: Run, engine: FakeEngine) -> None:
    """« à partir du 15/01/2027, je dois prévenir quand ? »: 15 days before, not after."""
    text = (
        "je veux changer definitivement mes jours de tt a partir du 15/01/2027, "
        "je dois prevenir quand au plus tard ?"
    )
    outcome = run(ActionAnswerQuestion(), ask(text, "ask_changes"))
    assert outcome.texts[0].startswith("À notifier au plus tard le jeudi 31 décembre 2026.")
    assert "vendredi 15 janvier 2027" in outcome.texts[0]
    assert "maa-instruction-2019-781" in {s["doc_id"] for s in outcome.sources}
    assert engine.questions == []


@pytest.mark.usefixtures("monday")
def test_a_wished_date_already_out_of_reach_is_said_too_late(run: Run, engine: FakeEngine) -> None:
    text = (
        "je veux arreter le tt le 2 fevrier 2027, je suis plus en periode d'adaptation, ca passe ?"
    )
    outcome = run(ActionAnswerQuestion(), ask(text, "ask_changes"))
    assert outcome.texts[0].startswith("Trop tard pour cette date.")
    assert "au plus tôt le dimanche 7 février 2027" in outcome.texts[0]


@pytest.mark.parametrize(
    ("text", "wished"),
    [
        ("à partir du 15 janvier je dois prévenir quand ?", True),
        ("je veux arrêter le 2 février, c'est possible ?", True),
        ("je voudrais échanger mon jour du 10 décembre, c'est encore temps ?", True),
        ("si je préviens le 15 mars 2027, ça prend effet quand ?", False),
        ("j'arrête le tt, je préviens le 20 avril 2027", False),
        ("je dépose ma demande le 3 janvier, c'est possible ?", False),
        # Asking for the deadline itself: the date is the wished one, whatever the verb.
        ("que ça s'arrête au 18/01/27, j'envoie ma lettre avant qd ?", True),
        ("bouger mon tt du lundi 14/12, je dois demander avant qd ?", True),
        ("j'arrête le tt, ça s'applique à partir de quand ? je préviens le 11 janvier", False),
        ("jvoudrais arrêter à partir du 1er avril 2027", True),
        ("le 04/02/27 ce serait bien, c jouable ?", True),
        ("go, le changement commencerait dans 3 semaines", True),
        ("ce serait pour le 8 avril", True),
        ("si je préviens le 4 février, ce serait bien ?", False),
        # A wish to stop or change on a day: that day is the one it should take effect.
        ("ok jsuis encore dedans, jveux arreter le 8 fevrier", True),
        ("je voudrais changer mon jour de tt le lundi 14/12", True),
        ("je veux arrêter le télétravail, je préviens le 8 février", False),
    ],
)
def test_which_date_is_the_wished_one(text: str, wished: bool) -> None:
    assert wishes_effect_on(text) is wished


@pytest.mark.usefixtures("monday")
def test_a_deadline_asked_after_the_day_is_computed_for_that_day(
    run: Run, engine: FakeEngine
) -> None:
    """« il doit me prévenir qd au plus tard ? »: the day named the message before."""
    tracker = ask("il doit me prevenir qd au plus tard ?", "ask_changes")
    before = "mon chef veut que je vienne au bureau mardi 15 décembre alors que c mon jour de tt"
    tracker.events.insert(0, {"event": "user", "text": before, "parse_data": {}})
    outcome = run(ActionAnswerQuestion(), tracker)
    # Mardi 15 décembre: 48 h before is Sunday 13, so Friday 11 in working days.
    assert outcome.texts[0].startswith("À notifier au plus tard le dimanche 13 décembre 2026")
    assert "vendredi 11 décembre 2026" in outcome.texts[0]
    assert engine.questions == []


@pytest.mark.usefixtures("monday")
def test_a_question_sent_again_after_a_failure_still_leans_on_the_message_before(
    run: Run, engine: FakeEngine
) -> None:
    """The failed turn stays in the history: its copy is not « the message before »."""
    tracker = ask("il doit me prevenir qd au plus tard ?", "ask_changes")
    before = "mon chef veut que je vienne au bureau mardi 15 décembre alors que c mon jour de tt"
    failed = "il doit me prevenir qd au plus tard ?"
    tracker.events[:0] = [
        {"event": "user", "text": before, "parse_data": {}},
        {"event": "user", "text": failed, "parse_data": {}},
    ]
    outcome = run(ActionAnswerQuestion(), tracker)
    assert "vendredi 11 décembre 2026" in outcome.texts[0]


def test_after_a_deadline_a_sending_date_is_the_notifications() -> None:
    # « et si je l'envoie dans 10 jours ? » after « j'envoie ma lettre avant quand ? »: the
    # date the letter leaves, not another wished date.
    assert wishes_effect_on("et si je l'envoie ds 10 jours ?", before=True) is False
    assert wishes_effect_on("et si je la dépose lundi ?", before=True) is False
    assert wishes_effect_on("et pour le 20 février ?", before=True) is True
