"""The judge of ``teletravail eval answers``: what counts as a right reply, and why one fails."""

from __future__ import annotations

from cli.answers_commands import chat_reply_from_messages
from knowledge.answer_evaluation import (
    ANSWER_SETS,
    AnswerQuestion,
    AnswerReport,
    CitedSource,
    Reply,
    judge,
    load_answer_questions,
)

QUOTA = AnswerQuestion("r1", "combien de jours a 100 % ?", True, "maa", ("trois jours|3 jours",))
FORFAIT = AnswerQuestion("n1", "montant du forfait ?", False)


def test_fact_and_source_make_a_right_answer() -> None:
    reply = Reply("Au maximum trois jours par semaine.", (CitedSource("maa", "trois jours"),))
    verdict = judge(QUOTA, reply)
    assert verdict.correct and verdict.excerpt_holds_facts


def test_facts_are_matched_without_accents_or_case() -> None:
    question = AnswerQuestion("r2", "?", True, "maa", ("periode d.adaptation",))
    assert judge(
        question, Reply("Une PÉRIODE D’ADAPTATION de trois mois", (CitedSource("maa"),))
    ).correct


def test_missing_fact_with_the_right_text_is_classed_fact_missing() -> None:
    verdict = judge(QUOTA, Reply("Le télétravail est volontaire.", (CitedSource("maa"),)))
    assert (verdict.correct, verdict.failure) == (False, "fact_missing")


def test_fact_from_another_text_is_classed_wrong_source() -> None:
    verdict = judge(QUOTA, Reply("trois jours", (CitedSource("pndtt"),)))
    assert (verdict.correct, verdict.failure) == (False, "wrong_source")


def test_reply_without_source_is_an_abstention_fallback_or_form() -> None:
    assert judge(QUOTA, Reply("Je ne sais pas", abstained=True)).failure == "abstained"
    assert judge(QUOTA, Reply("Vouliez-vous dire… ?", fallback=True)).failure == "fallback"
    assert judge(QUOTA, Reply("Quelle est votre quotité ?")).failure == "no_source"


def test_uncovered_question_must_cite_nothing() -> None:
    assert judge(FORFAIT, Reply("Je ne trouve pas de réponse", abstained=True)).correct
    verdict = judge(FORFAIT, Reply("Le forfait…", (CitedSource("maa"),)))
    assert (verdict.correct, verdict.failure) == (False, "answered")


def test_report_figures_count_decisions_on_both_sides() -> None:
    report = AnswerReport("api")
    report.verdicts += [
        judge(QUOTA, Reply("trois jours", (CitedSource("maa", "trois jours"),), latency_ms=10)),
        judge(QUOTA, Reply("non", abstained=True, latency_ms=30)),
        judge(FORFAIT, Reply("non", abstained=True, latency_ms=20)),
        judge(FORFAIT, Reply("x", (CitedSource("maa"),), latency_ms=40)),
    ]
    figures = report.figures()
    assert figures["facts_and_source"] == 0.5
    assert figures["abstention_precision"] == 0.5
    assert figures["abstention_recall"] == 0.5
    assert figures["correct_decisions"] == 0.5
    assert figures["latency_p50_ms"] == 25
    assert set(report.failures_by_class()) == {"abstained", "answered"}


def test_chat_messages_become_one_reply_with_the_payload_sources() -> None:
    messages = [
        {"recipient_id": "x", "text": "Trois jours au plus."},
        {
            "text": "Source : Instruction.",
            "custom": {"sources": [{"doc_id": "maa", "excerpt": "e"}]},
        },
        {"text": "Autre ?", "custom": {"abstained": False}},
    ]
    reply = chat_reply_from_messages(messages, 12.0)
    assert reply.text == "Trois jours au plus.\nSource : Instruction.\nAutre ?"
    assert reply.sources == (CitedSource("maa", "e"),)
    assert not reply.abstained and reply.latency_ms == 12.0


def test_every_question_set_loads_with_valid_facts() -> None:
    for path in ANSWER_SETS.values():
        if not path.exists():
            continue
        questions = load_answer_questions(path)
        assert questions and all(q.facts for q in questions if q.answerable)
        assert all(q.doc_id for q in questions if q.answerable)


def test_upper_case_escapes_of_a_fact_keep_their_meaning() -> None:
    question = AnswerQuestion("r3", "?", True, "maa", (r"50\S*%",))
    assert judge(question, Reply("À 50 % : 0,5 jour", (CitedSource("maa"),))).correct is False
    assert judge(question, Reply("À 50% : 0,5 jour", (CitedSource("maa"),))).correct
