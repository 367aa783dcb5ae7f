"""The conversation judge, on hand-made REST messages (no Rasa, no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.scenario_judge import (
    SCENARIO_SETS,
    ChannelError,
    Messages,
    Scenario,
    Turn,
    evaluate_scenarios,
    format_scenario_report,
    judge_turn,
    load_scenarios,
    report_as_dict,
    run_scenario,
    written_on,
)

pytestmark = pytest.mark.unit


def _text(*texts: str, buttons: tuple[str, ...] = ()) -> Messages:
    messages: Messages = [{"text": text} for text in texts]
    if buttons:
        messages.append(
            {
                "buttons": [
                    {"title": title, "payload": f"/choice{i}"} for i, title in enumerate(buttons)
                ]
            }
        )
    return messages


class Scripted:
    """A channel answering from a script, recording the senders it saw."""

    def __init__(self, replies: dict[str, Messages | Exception]) -> None:
        self.replies = replies
        self.senders: list[str] = []

    def __call__(self, sender: str, text: str) -> Messages:
        self.senders.append(sender)
        reply = self.replies[text]
        if isinstance(reply, Exception):
            raise reply
        return reply


QUOTA = Scenario(
    "q1",
    "80 % après « oui »",
    (
        Turn("combien de jours ?", forbid=(r"vouliez-vous\sdire",)),
        Turn("oui"),
        Turn("80%", expect=(r"2\sjours|deux\sjours", r"8\sjours|huit\sjours")),
    ),
)


def test_a_scenario_whose_every_turn_passes_reaches_its_goal() -> None:
    send = Scripted(
        {
            "combien de jours ?": _text("Voulez-vous calculer vos jours ?", buttons=("Oui", "Non")),
            "oui": _text("Quelle est votre quotité ?"),
            "80%": _text("À 80 %, au plus 2 jours par semaine", "soit 8 jours par mois."),
        }
    )
    result = run_scenario(QUOTA, send)
    assert result.reached
    assert result.first_failure is None
    assert len(set(send.senders)) == 1  # one conversation
    assert result.turns[0].buttons == ("Oui", "Non")


def test_expects_are_searched_in_all_the_messages_of_the_turn() -> None:
    # « 2 jours » in the first message, « 8 jours » in the second: both count.
    turn = QUOTA.turns[2]
    assert judge_turn(turn, 2, _text("au plus 2 jours par semaine", "8 jours par mois")).passed
    assert judge_turn(turn, 2, _text("au plus 2 jours par semaine")).missing == (
        r"8\sjours|huit\sjours",
    )


def test_a_missing_expect_fails_the_scenario_at_that_turn() -> None:
    send = Scripted(
        {
            "combien de jours ?": _text("Voulez-vous calculer vos jours ?"),
            "oui": _text("Puis-je vous aider sur autre chose ?"),
            "80%": _text("À 80 %, les plafonds ne laissent aucun jour."),
        }
    )
    result = run_scenario(QUOTA, send)
    assert not result.reached
    failure = result.first_failure
    assert failure is not None and failure.index == 2
    assert set(failure.missing) == set(QUOTA.turns[2].expect)
    assert failure.turn.user == "80%"


def test_a_matching_forbid_fails_the_turn_even_with_every_expect_found() -> None:
    turn = Turn("et a 70 ?", expect=(r"6\sjours",), forbid=(r"vouliez-vous\sdire",))
    verdict = judge_turn(turn, 1, _text("Vouliez-vous dire : 6 jours de congés ?"))
    assert not verdict.missing
    assert verdict.matched_forbid == (r"vouliez-vous\sdire",)
    assert not verdict.passed


def test_accents_and_case_are_ignored_on_both_sides() -> None:
    turn = Turn("x", expect=("éligible", r"date\sd'effet"), forbid=("refusé",))
    assert judge_turn(turn, 0, _text("Vous êtes ELIGIBLE. Date d'EFFET : lundi")).passed
    assert judge_turn(turn, 0, _text("Vous êtes éligible ; date d'effet lundi")).passed
    assert not judge_turn(turn, 0, _text("Éligible, date d'effet… mais REFUSE")).passed


def test_uppercase_regex_escapes_keep_their_meaning() -> None:
    # Lowercasing the pattern would turn « \S » (non-space) into « \s » (space).
    turn = Turn("x", forbid=(r"1\S*\smai\s2027",))
    assert judge_turn(turn, 0, _text("le 1er mai 2027")).matched_forbid
    assert judge_turn(turn, 0, _text("le 15 mai 2027")).matched_forbid
    assert not judge_turn(turn, 0, _text("le 1 - mai 2027")).matched_forbid


def test_internal_names_are_counted_apart_from_the_goal() -> None:
    turn = Turn("je change un jour demain")
    leaked = judge_turn(
        turn,
        0,
        _text("Événement : valeur non reconnue ; valeurs acceptées : ponctual_change (48 h)"),
    )
    assert leaked.passed  # no expect: the goal does not see it…
    assert leaked.internal_names == ("ponctual_change",)
    assert leaked.anomalous  # …the separate figure does
    for text in ("utter_ask_quotite", "action_compute_notice", "Value error, x", "Date : None"):
        assert judge_turn(turn, 0, _text(text)).internal_names, text
    assert judge_turn(turn, 0, _text("x", buttons=("calendar_change",))).internal_names
    clean = "Délai de prévenance : 48 heures, soit 2 jours ouvrés. Aucune action requise."
    assert not judge_turn(turn, 0, _text(clean)).internal_names


def test_rasas_own_fallback_after_an_answer_is_an_anomaly() -> None:
    turn = Turn("merci ! et à 90 % ?", expect=("2,5 jours",))
    answer = "À 90 % : 2,5 jours de télétravail par semaine au plus."
    fallback = "Je ne suis pas sûr de pouvoir vous aider sur ce point. Le référent…"
    judged = judge_turn(turn, 0, [{"text": answer}, {"text": fallback}])
    assert judged.passed and judged.core_fallback and judged.anomalous
    assert not judge_turn(turn, 0, _text(answer)).anomalous


def test_empty_replies_and_failed_requests_are_anomalies_and_failed_requests_fail() -> None:
    scenario = Scenario("e1", "", (Turn("bonjour"), Turn("oui"), Turn("merci", expect=("rien",))))
    send = Scripted(
        {
            "bonjour": [],
            "oui": ChannelError("Internal Server Error", 500),
            "merci": _text("De rien !"),
        }
    )
    result = run_scenario(scenario, send)
    empty, failed, last = result.turns
    assert empty.empty and empty.anomalous and empty.passed  # no expect on that turn
    assert failed.failed_request and failed.status == 500 and not failed.passed
    assert last.passed  # the conversation goes on after a failed turn
    assert result.first_failure is failed


def test_report_figures_failures_and_fresh_senders() -> None:
    good = Scenario("ok", "", (Turn("a", expect=("alpha",)),))
    bad = Scenario("ko", "but raté", (Turn("a"), Turn("b", expect=("beta",))))
    send = Scripted({"a": _text("alpha"), "b": _text("gamma action_listen", buttons=("Oui",))})
    report = evaluate_scenarios("test", [good, bad], send)
    figures = report.figures()
    assert figures["goal_share"] == 0.5
    assert figures["turns"] == 3 and figures["turns_passed"] == 2
    assert figures["internal_name_replies"] == 1
    assert len(set(send.senders)) == 2  # one conversation per scenario
    text = format_scenario_report(report)
    assert "1/2" in text and "ko (tour 2/2)" in text and "attendu absent : beta" in text
    assert "boutons : Oui" in text
    payload = report_as_dict(report)
    assert [f["id"] for f in payload["failures"]] == ["ko"]
    assert payload["failures"][0]["missing"] == ["beta"]


def test_loading_refuses_an_invalid_regex(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "scenarios:\n  - id: a\n    goal: g\n    turns:\n      - user: x\n        expect: ['(']\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="expression invalide"):
        load_scenarios(path)


def test_the_holdout_loads() -> None:
    scenarios = load_scenarios(SCENARIO_SETS["holdout"])
    assert len(scenarios) >= 30
    assert all(scenario.turns for scenario in scenarios)


def test_every_scenario_set_says_the_day_it_was_written_for() -> None:
    import datetime as dt

    from cli.scenario_commands import SETS

    assert set(SETS) >= {"holdout", "dev", "dev2", "dev3"}
    for path in SETS.values():
        day = written_on(Path(path))
        assert day is not None and day >= dt.date(2026, 12, 5), path
    assert written_on(Path(SETS["holdout"])) == dt.date(2026, 12, 5)
