"""Questions for the texts: answer and sources, abstention, odd input, slowness, failures.

Unit tests use a fake engine with the real ``Answer`` type; integration tests load the real
retrieval engine over the real texts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import ClassVar

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.answers as answers
from actions.answers import (
    BUSY_MESSAGE,
    EMPTY_MESSAGE,
    FAILURE_MESSAGE,
    INTENT_QUESTIONS,
    NO_WORDS_MESSAGE,
    TRUNCATED_NOTE,
    topic_of,
)
from actions.questions import ActionAnswerQuestion
from knowledge.answer import ABSTENTION_MESSAGE, Answer
from knowledge.models import Source
from tests.actions.helpers import Outcome, make_tracker

Run = Callable[[Action, Tracker], Outcome]
SECTION = "IV – L'organisation et la mise en œuvre du télétravail › 4 – Équipement à disposition"
REFERENT = "/talk_to_human"


class FakeEngine:
    """Answers every question with one cited sentence, or abstains, and records questions."""

    ANSWER = "L'administration fournit un ordinateur portable."
    SOURCES: ClassVar[list[Source]] = [
        Source(
            doc_id="maa-instruction-2019-781",
            title="Modalités pratiques",
            section=SECTION,
            date="2019-11-21",
            excerpt="L'administration fournit un ordinateur portable.",
            score=0.91,
        ),
        Source(
            doc_id="mi-newsletter-2020-04-02",
            title="Lettre d'information",
            section="Matériel",
            date="2020-04-02",
            excerpt="Un ordinateur portable est fourni.",
            score=0.5,
        ),
    ]

    def __init__(self, abstain: bool = False, delay: float = 0.0, fail: bool = False) -> None:
        self.abstain, self.delay, self.fail = abstain, delay, fail
        self.questions: list[str] = []

    def ask(self, question: str) -> Answer:
        self.questions.append(question)
        time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("index illisible")
        if self.abstain:
            return Answer(ABSTENTION_MESSAGE, True, self.SOURCES, 0.2)
        return Answer(self.ANSWER, False, self.SOURCES, 0.8)


def use_engine(monkeypatch: pytest.MonkeyPatch, engine: FakeEngine) -> FakeEngine:
    """Make the actions use ``engine`` instead of loading the real one."""
    monkeypatch.setattr(answers, "get_engine", lambda: engine)
    return engine


@pytest.mark.unit
def test_answer_then_source_line_and_payload(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = use_engine(monkeypatch, FakeEngine())
    outcome = run(ActionAnswerQuestion(), make_tracker("question"))
    assert outcome.events == []
    assert engine.questions == ["Qui fournit l'ordinateur portable ?"]
    # Every passage the answer is composed from is cited, not only the first.
    assert outcome.texts == [
        FakeEngine.ANSWER,
        f"Source : Modalités pratiques (2019-11-21), {SECTION}.\n"
        "Source : Lettre d'information (2020-04-02), Matériel.",
    ]
    assert outcome.sources == [s.model_dump() for s in FakeEngine.SOURCES]
    assert outcome.payloads == []  # equipment: no calculator to offer


@pytest.mark.unit
def test_abstention_says_so_and_offers_the_referent(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, FakeEngine(abstain=True))
    outcome = run(ActionAnswerQuestion(), make_tracker("question"))
    assert outcome.events == []
    assert outcome.texts == [ABSTENTION_MESSAGE]
    assert outcome.payloads == [REFERENT, "/help"]
    assert outcome.sources == []


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", EMPTY_MESSAGE),
        ("   \n\t", EMPTY_MESSAGE),
        ("😀😀😀", NO_WORDS_MESSAGE),
        ("?!", NO_WORDS_MESSAGE),
    ],
)
def test_no_words_gets_a_french_answer_without_retrieval(
    run: Run, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    engine = use_engine(monkeypatch, FakeEngine())
    outcome = run(ActionAnswerQuestion(), make_tracker("question", text=text))
    assert outcome.events == []
    assert outcome.texts == [message]
    assert engine.questions == []


@pytest.mark.unit
def test_huge_text_is_truncated_before_retrieval(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = use_engine(monkeypatch, FakeEngine())
    outcome = run(ActionAnswerQuestion(), make_tracker("question", text="télétravail " * 1000))
    assert outcome.texts[0] == TRUNCATED_NOTE
    assert len(engine.questions[0]) == 2000
    assert outcome.texts[1] == FakeEngine.ANSWER


@pytest.mark.unit
def test_button_payload_asks_the_question_it_stands_for(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = use_engine(monkeypatch, FakeEngine())
    run(
        ActionAnswerQuestion(),
        make_tracker("question", text="/ask_procedure", intent="ask_procedure"),
    )
    assert engine.questions == [INTENT_QUESTIONS["ask_procedure"]]


@pytest.mark.unit
def test_slow_retrieval_times_out_with_a_french_message(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_engine(monkeypatch, FakeEngine(delay=0.5))
    monkeypatch.setattr(answers, "ASK_TIMEOUT_S", 0.05)
    outcome = run(ActionAnswerQuestion(), make_tracker("question"))
    assert outcome.events == []
    assert outcome.texts == [BUSY_MESSAGE]
    assert outcome.payloads == [REFERENT]


@pytest.mark.unit
def test_engine_failure_is_reported_not_raised(
    run: Run, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    use_engine(monkeypatch, FakeEngine(fail=True))
    outcome = run(
        ActionAnswerQuestion(), make_tracker("question", text="mon numéro est 0612345678")
    )
    assert outcome.texts == [FAILURE_MESSAGE]
    assert outcome.payloads == [REFERENT]
    assert "0612345678" not in caplog.text  # message text is never logged


# --- With the real engine ----------------------------------------------------------------


@pytest.mark.integration
def test_real_answer_cites_the_quotite_section(run: Run, engine: object) -> None:
    tracker = make_tracker(
        "question", text="Combien de jours de télétravail à temps plein ?", intent="ask_quota"
    )
    outcome = run(ActionAnswerQuestion(), tracker)
    assert "trois jours" in outcome.texts[0]
    assert outcome.texts[1].startswith("Source : Modalités pratiques de mise en oeuvre")
    first = outcome.sources[0]
    assert first["doc_id"] == "maa-instruction-2019-781"
    assert "La quotité de télétravail" in first["section"]
    assert set(first) == {"doc_id", "title", "section", "date", "excerpt", "score"}


@pytest.mark.integration
def test_real_abstention_outside_the_texts(run: Run, engine: object) -> None:
    tracker = make_tracker("question", text="Quel temps fera-t-il demain à Lyon ?")
    outcome = run(ActionAnswerQuestion(), tracker)
    assert outcome.texts == [ABSTENTION_MESSAGE]
    assert REFERENT in outcome.payloads


@pytest.mark.integration
@pytest.mark.parametrize(
    "text",
    ["<script>alert('x')</script>", "What is the weather in London?", "a" * 10_000, "🏠💻" * 50],
)
def test_real_engine_survives_odd_input(run: Run, engine: object, text: str) -> None:
    outcome = run(ActionAnswerQuestion(), make_tracker("question", text=text))
    assert outcome.events == []
    assert outcome.texts  # always a French answer of some kind


CHSCT = (
    "IV – L'organisation et la mise en œuvre du télétravail › 8 – Le rôle des comités "
    "techniques (CT) et des comités d'hygiène, de sécurité et des conditions de travail (CHSCT)"
)


def _after_cited_answer(text: str, section: str, *after: dict[str, object]) -> Tracker:
    """A tracker where the bot has answered citing ``section``, then ``after``, then ``text``."""
    tracker = make_tracker("question", text=text, intent="ask_question")
    state = tracker.current_state()
    source = Source(
        doc_id="maa-instruction-2019-781",
        title="Modalités",
        section=section,
        date="2019-11-21",
        excerpt="Parmi les attributions du CHSCT figure la possibilité d'effectuer des visites.",
    )
    earlier = [
        {"event": "user", "timestamp": 1.0, "text": "qui peut visiter mon domicile ?",
         "parse_data": {"intent": {"name": "ask_question", "confidence": 0.9}, "entities": []}},
        {"event": "bot", "timestamp": 2.0, "text": "Parmi les attributions du CHSCT…",
         "data": {"custom": {"sources": [source.model_dump(mode="json")]}}},
        *after,
    ]  # fmt: skip
    last_user = max(i for i, e in enumerate(state["events"]) if e["event"] == "user")
    state["events"][last_user:last_user] = earlier
    return Tracker.from_dict(state)


@pytest.mark.unit
def test_cited_section_is_the_first_source_of_the_last_answer() -> None:
    tracker = _after_cited_answer("et si je refuse ?", CHSCT)
    assert answers.cited_section(tracker) == ("maa-instruction-2019-781", CHSCT)
    # Nothing cited in the bot's last turn: nothing to lean on.
    assert answers.cited_section(make_tracker("question", text="et si je refuse ?")) is None


def _turn(text: str, custom: dict[str, object] | None) -> list[dict[str, object]]:
    bot: dict[str, object] = {"event": "bot", "timestamp": 4.0, "text": "…"}
    if custom is not None:
        bot["data"] = {"custom": custom}
    intent = {"name": "ask_question", "confidence": 0.9}
    user = {"event": "user", "timestamp": 3.0, "text": text, "parse_data": {"intent": intent}}
    return [user, bot]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("custom", "cited"),
    [({"abstained": True}, True), (None, False), ({"abstained": True, "fallback": True}, True)],
)
def test_an_abstention_in_between_keeps_the_section_cited_before(
    custom: dict[str, object] | None, cited: bool
) -> None:
    tracker = _after_cited_answer("elle sert à quoi cette période ?", CHSCT,
                                  *_turn("j'envoie ma lettre avant quand ?", custom))  # fmt: skip
    expected = ("maa-instruction-2019-781", CHSCT) if cited else None
    # A reply that is no abstention (a form's question, a computation) changed the subject.
    assert answers.cited_section(tracker) == expected


QUOTITE = "I – Le télétravail c'est quoi ? › 2 – La quotité de télétravail"
MEDICAL = "VI – Le cas particulier des dérogations pour raisons médicales"


def _citing_both(text: str) -> Tracker:
    """The bot's last answer cited the quotité first, then the medical derogation."""
    tracker = _after_cited_answer(text, QUOTITE)
    bot = next(e for e in tracker.events if e.get("event") == "bot")
    sources = bot["data"]["custom"]["sources"]
    sources.append({**sources[0], "section": MEDICAL})
    return tracker


@pytest.mark.unit
def test_every_section_the_last_answer_cited_is_kept_in_order() -> None:
    doc = "maa-instruction-2019-781"
    assert answers.cited_sections(_citing_both("ça dure combien ?")) == [
        (doc, QUOTITE),
        (doc, MEDICAL),
    ]
    assert answers.cited_section(_citing_both("ça dure combien ?")) == (doc, QUOTITE)


@pytest.mark.integration
def test_real_follow_up_is_answered_from_the_second_section_cited(run: Run, engine: object) -> None:
    """« ça dure combien ? » after the quotité and the medical derogation: the derogation's."""
    outcome = run(ActionAnswerQuestion(), _citing_both("ça dure combien ?"))
    assert "6 mois" in outcome.texts[0]
    assert outcome.sources[0]["section"] == MEDICAL


@pytest.mark.integration
def test_real_follow_up_is_answered_from_the_section_just_cited(run: Run, engine: object) -> None:
    outcome = run(ActionAnswerQuestion(), _after_cited_answer("et si je refuse ?", CHSCT))
    assert "suspension" in outcome.texts[0]
    assert CHSCT in outcome.sources[0]["section"]
    # Searched as any follow-up, alone then with the message before it, the refusal found
    # the recourse against a refused authorisation (dev3, before knowledge.follow_up).
    assert "recours" not in outcome.texts[0]


class RequestEngine(FakeEngine):
    """Finds nothing for a question alone; answers it once framed as about the request."""

    def ask(self, question: str) -> Answer:
        self.questions.append(question)
        if question.endswith("(demande de télétravail)"):
            return Answer(self.ANSWER, False, self.SOURCES, 0.8)
        return Answer(ABSTENTION_MESSAGE, True, self.SOURCES, 0.2)


def _in_form(form: str, text: str) -> Tracker:
    latest = {"text": text, "intent": {"name": "ask_procedure", "confidence": 0.9}, "entities": []}
    events = [{"event": "user", "timestamp": 1.0, "text": text, "parse_data": latest}]
    state = {"sender_id": "web8", "slots": {}, "latest_message": latest, "events": events,
             "active_loop": {"name": form}, "latest_action_name": "action_listen"}  # fmt: skip
    return Tracker.from_dict(state)


@pytest.mark.unit
@pytest.mark.parametrize(("form", "answered"), [("draft_form", True), ("quota_form", False)])
def test_a_question_in_the_request_form_is_about_the_request(
    monkeypatch: pytest.MonkeyPatch, form: str, answered: bool
) -> None:
    from actions.questions import answer_in_form

    engine = use_engine(monkeypatch, RequestEngine())
    dispatcher = CollectingDispatcher()
    asyncio.run(answer_in_form(dispatcher, _in_form(form, "faut joindre quoi avec la demande ?")))
    framed = [q for q in engine.questions if q.endswith("(demande de télétravail)")]
    assert bool(framed) is answered
    assert (dispatcher.messages[0]["text"] == FakeEngine.ANSWER) is answered


@pytest.mark.parametrize(
    ("section", "topic"),
    [
        ("III – La procédure de demande › 4 – La période d'adaptation", "La période d'adaptation"),
        ("Méthode", "Méthode"),
        ("VI – Le cas particulier des dérogations", "Le cas particulier des dérogations"),
    ],
)
def test_a_follow_up_is_completed_by_the_topic_of_the_section_just_cited(
    section: str, topic: str
) -> None:
    assert topic_of(section) == topic


class ChainEngine(FakeEngine):
    """Answers only a search that holds ``subject``; abstains on anything else."""

    def __init__(self, subject: str, answer: str = FakeEngine.ANSWER) -> None:
        super().__init__()
        self.subject = subject
        self.answer = answer

    def ask(self, question: str) -> Answer:
        self.questions.append(question)
        if self.subject in question:
            return Answer(self.answer, False, self.SOURCES, 0.8)
        return Answer(ABSTENTION_MESSAGE, True, self.SOURCES, 0.2)


def _conversation(*texts: str) -> Tracker:
    events = [
        {"event": "user", "timestamp": float(i), "text": text,
         "parse_data": {"text": text, "intent": {"name": "ask_eligibility", "confidence": 0.9}}}
        for i, text in enumerate(texts)
    ]  # fmt: skip
    latest = dict(events[-1]["parse_data"], entities=[])  # type: ignore[call-overload]
    state = {"sender_id": "web9", "slots": {}, "latest_message": latest, "events": events,
             "latest_action_name": "action_listen"}  # fmt: skip
    return Tracker.from_dict(state)


# An answer that holds the situation's words (« accueil », « guichet »).
ABOUT_THE_SITUATION = "L'accueil du public au guichet n'est pas une activité télétravaillable."
CHAIN = (
    "jsuis contractuel, jai droit au tt ?",
    "et si mon contrat est prolongé à 2 ans ?",
    "mon taf c surtout l'accueil au guichet",
)


@pytest.mark.unit
def test_a_follow_up_of_a_follow_up_is_searched_with_the_whole_chain_last(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = use_engine(monkeypatch, ChainEngine("contractuel", ABOUT_THE_SITUATION))
    outcome = run(ActionAnswerQuestion(), _conversation(*CHAIN))
    assert outcome.texts[0] == ABOUT_THE_SITUATION
    # Alone, then with the message before only, and the chain last.
    assert engine.questions[-1] == " ".join(CHAIN)
    assert f"{CHAIN[1]} {CHAIN[2]}" in engine.questions


@pytest.mark.unit
def test_the_chains_answer_is_not_kept_when_it_does_not_speak_of_the_situation(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The chain finds the equipment, which says nothing of the reception desk just stated.
    engine = use_engine(monkeypatch, ChainEngine("contractuel"))
    outcome = run(ActionAnswerQuestion(), _conversation(*CHAIN))
    assert " ".join(CHAIN) in engine.questions
    assert FakeEngine.ANSWER not in outcome.texts


@pytest.mark.unit
def test_the_chain_is_not_searched_when_the_message_before_is_enough(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = use_engine(monkeypatch, ChainEngine("prolongé"))
    outcome = run(ActionAnswerQuestion(), _conversation(*CHAIN))
    assert outcome.texts[0] == FakeEngine.ANSWER
    assert " ".join(CHAIN) not in engine.questions


class SituationEngine(FakeEngine):
    """Finds nothing for a statement; answers it once asked what it changes for telework."""

    def ask(self, question: str) -> Answer:
        self.questions.append(question)
        if question.endswith(answers.SITUATION_QUESTION):
            return Answer(self.ANSWER, False, self.SOURCES, 0.8)
        return Answer(ABSTENTION_MESSAGE, True, self.SOURCES, 0.2)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("jsuis contractuelle ds un lycée agricole", True),
        ("mon taf c'est surtout l'accueil des usagers au guichet", True),
        # A question is searched as asked: nothing implied.
        ("qui paie la chaise de bureau ?", False),
    ],
)
def test_a_situation_stated_alone_asks_what_it_changes(
    monkeypatch: pytest.MonkeyPatch, text: str, asked: bool
) -> None:
    engine = use_engine(monkeypatch, SituationEngine())
    dispatcher = CollectingDispatcher()
    asyncio.run(answers.answer_question(dispatcher, text))
    implied = [q for q in engine.questions if q.endswith(answers.SITUATION_QUESTION)]
    assert bool(implied) is asked
    assert (dispatcher.messages[0]["text"] == FakeEngine.ANSWER) is asked


@pytest.mark.integration
def test_real_status_stated_alone_gets_its_rule(run: Run, engine: object) -> None:
    """« jsuis contractuel a la draaf »: what applies to a contractuel, cited."""
    tracker = make_tracker("question", text="jsuis contractuel a la draaf")
    outcome = run(ActionAnswerQuestion(), tracker)
    assert "contrat d'une durée supérieure à un an" in outcome.texts[0]
    assert outcome.sources
