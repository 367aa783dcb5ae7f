"""Judge whole conversations: whether a scenario, typed as agents type, reaches its goal.

The answer benchmark (``knowledge/answer_evaluation.py``) judges one question in a new
conversation; conversations break on the second turn (issue 12): an offer answered « oui »,
a choice given as a letter, a date at the end of a sentence, a follow-up. This module plays
each scenario of a file as **one** conversation (a fresh sender id per scenario) through any
``send(sender, text) -> messages`` callable returning the Rasa REST shape (``[{"text",
"buttons", "custom"}]``), and judges every turn:

- the text of **all** the bot's messages for the turn, joined and folded (lowercase, no
  accents: :func:`knowledge.analysis.fold`), must match every ``expect`` regex and none of
  the ``forbid`` ones; button titles are recorded, not judged;
- a scenario reaches its goal when every one of its turns passes; a turn whose request failed
  (HTTP status other than 200, or no answer) fails.

Apart from the goal, every reply is checked for what no user should read (an empty reply, a
failed request, an internal name such as an enum value, a response or action name, a raw
validation error): a separate figure, whatever the scenario expects.

Plain Python on purpose (no Rasa import): the judge is unit-tested with hand-made messages.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.analysis import fold

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "tests" / "scenarios"
SCENARIO_SETS: dict[str, Path] = {"holdout": SCENARIO_DIR / "holdout.yaml"}

# Names from the code that must never reach a user: the notice API's event values, Rasa
# response and action names, raw validation errors, Python's ``None``, a traceback.
# Rasa's own fallback (``utter_default``, bot/domain.yml): the dialogue did not know what
# to do next — never what a turn should end with, even after a right answer.
CORE_FALLBACK = "Je ne suis pas sûr de pouvoir vous aider sur ce point."
INTERNAL_NAMES = re.compile(
    r"ponctual_change|calendar_change|end_during_adaptation|\butter_\w|\baction_\w"
    r"|[Vv]alue[ _][Ee]rror|\bNone\b|requested_slot|Traceback \(most recent",
)
REPLY_EXCERPT_CHARS = 200

Messages = list[dict[str, Any]]
Send = Callable[[str, str], Messages]


class ChannelError(RuntimeError):
    """The channel did not give the bot's messages (an HTTP status other than 200, a timeout).

    ``send`` raises it; the judge records the turn as failed and goes on with the scenario.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _strip_accents(pattern: str) -> str:
    r"""Fold a regex's accents without lowercasing it (``\S`` must not become ``\s``)."""
    decomposed = unicodedata.normalize("NFKD", pattern)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search(pattern: str, folded_text: str) -> bool:
    """Whether a scenario regex occurs in folded text, accents and case ignored."""
    return re.search(_strip_accents(pattern), folded_text, re.IGNORECASE) is not None


@dataclass(frozen=True)
class Turn:
    """What the user types, and what the bot's replies to it must and must not hold."""

    user: str
    expect: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """One conversation with a goal, played turn by turn."""

    id: str
    goal: str
    turns: tuple[Turn, ...]


def written_on(path: Path) -> dt.date | None:
    """The day a scenario file was written for (its ``today``: relative dates count from it)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    day = data.get("today") if isinstance(data, dict) else None
    return day if isinstance(day, dt.date) else None


def load_scenarios(path: Path) -> list[Scenario]:
    """Read a scenario file (``scenarios: [{id, goal, turns: [{user, expect, forbid}]}]``).

    Every regex is compiled here, so a malformed file stops before any conversation starts.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenarios = []
    for item in data["scenarios"]:
        turns = []
        for raw in item["turns"]:
            turn = Turn(
                user=str(raw["user"]),
                expect=tuple(str(p) for p in raw.get("expect") or ()),
                forbid=tuple(str(p) for p in raw.get("forbid") or ()),
            )
            for pattern in (*turn.expect, *turn.forbid):
                try:
                    re.compile(_strip_accents(pattern))
                except re.error as error:
                    raise ValueError(
                        f"{path} : scénario {item['id']}, expression invalide {pattern!r} : {error}"
                    ) from error
            turns.append(turn)
        scenarios.append(Scenario(str(item["id"]), str(item.get("goal", "")), tuple(turns)))
    ids = [s.id for s in scenarios]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{path} : identifiants en double : {', '.join(duplicates)}")
    return scenarios


@dataclass(frozen=True)
class TurnResult:
    """The bot's reply to one turn and the judge's decision on it."""

    turn: Turn
    index: int
    text: str = ""
    buttons: tuple[str, ...] = ()
    error: str = ""
    status: int | None = 200
    missing: tuple[str, ...] = ()
    matched_forbid: tuple[str, ...] = ()
    internal_names: tuple[str, ...] = ()
    core_fallback: bool = False

    @property
    def failed_request(self) -> bool:
        """The channel gave no messages (HTTP status other than 200, timeout)."""
        return bool(self.error)

    @property
    def empty(self) -> bool:
        """The request went through but the bot wrote nothing (no text, no button)."""
        return not self.failed_request and not self.text.strip() and not self.buttons

    @property
    def passed(self) -> bool:
        """Every expect found, no forbid found, and the request went through."""
        return not self.failed_request and not self.missing and not self.matched_forbid

    @property
    def anomalous(self) -> bool:
        """What no user should get, whatever the scenario expects."""
        return self.failed_request or self.empty or bool(self.internal_names) or self.core_fallback


def judge_turn(turn: Turn, index: int, messages: Messages) -> TurnResult:
    """Judge the bot's messages for one turn: the text of all of them, joined and folded."""
    texts = [str(m["text"]) for m in messages if isinstance(m, dict) and m.get("text")]
    buttons = tuple(
        str(button.get("title", ""))
        for m in messages
        if isinstance(m, dict)
        for button in (m.get("buttons") or [])
        if isinstance(button, dict)
    )
    text = "\n".join(texts)
    folded = fold(text)
    return TurnResult(
        turn=turn,
        index=index,
        text=text,
        buttons=buttons,
        missing=tuple(p for p in turn.expect if not search(p, folded)),
        matched_forbid=tuple(p for p in turn.forbid if search(p, folded)),
        internal_names=tuple(
            dict.fromkeys(m.group(0) for m in INTERNAL_NAMES.finditer("\n".join((text, *buttons))))
        ),
        core_fallback=CORE_FALLBACK in text,
    )


def failed_turn(turn: Turn, index: int, error: ChannelError) -> TurnResult:
    """A turn whose request failed: no reply to judge, every expect missing."""
    return TurnResult(
        turn=turn,
        index=index,
        error=str(error) or type(error).__name__,
        status=error.status,
        missing=turn.expect,
    )


@dataclass(frozen=True)
class ScenarioResult:
    """Every turn of one conversation, judged."""

    scenario: Scenario
    sender: str
    turns: tuple[TurnResult, ...]

    @property
    def reached(self) -> bool:
        """The scenario's goal: every turn passed."""
        return all(turn.passed for turn in self.turns)

    @property
    def first_failure(self) -> TurnResult | None:
        """The first turn that did not pass (later ones may only follow from it)."""
        return next((turn for turn in self.turns if not turn.passed), None)


def run_scenario(scenario: Scenario, send: Send, sender: str | None = None) -> ScenarioResult:
    """Play a scenario as one conversation (a fresh sender id unless one is given)."""
    sender = sender or f"scenario-{scenario.id}-{uuid.uuid4().hex}"
    results = []
    for index, turn in enumerate(scenario.turns):
        try:
            messages = send(sender, turn.user)
        except ChannelError as error:
            results.append(failed_turn(turn, index, error))
            continue
        results.append(judge_turn(turn, index, messages))
    return ScenarioResult(scenario, sender, tuple(results))


@dataclass
class ScenarioReport:
    """Figures over one scenario file."""

    set_name: str
    results: list[ScenarioResult] = field(default_factory=list)

    @property
    def turns(self) -> list[TurnResult]:
        """Every judged turn, scenario after scenario."""
        return [turn for result in self.results for turn in result.turns]

    def figures(self) -> dict[str, float]:
        """Goal share, turn pass rate, and the replies no user should read."""
        turns = self.turns
        reached = sum(result.reached for result in self.results)
        return {
            "scenarios": float(len(self.results)),
            "reached": float(reached),
            "goal_share": _share(reached, len(self.results)),
            "turns": float(len(turns)),
            "turns_passed": float(sum(turn.passed for turn in turns)),
            "turn_pass_rate": _share(sum(turn.passed for turn in turns), len(turns)),
            "anomalous_replies": float(sum(turn.anomalous for turn in turns)),
            "empty_replies": float(sum(turn.empty for turn in turns)),
            "failed_requests": float(sum(turn.failed_request for turn in turns)),
            "internal_name_replies": float(sum(bool(turn.internal_names) for turn in turns)),
            "core_fallback_replies": float(sum(turn.core_fallback for turn in turns)),
        }

    @property
    def failures(self) -> list[ScenarioResult]:
        """The scenarios that did not reach their goal, in file order."""
        return [result for result in self.results if not result.reached]


def evaluate_scenarios(
    set_name: str,
    scenarios: Iterable[Scenario],
    send: Send,
    progress: Callable[[int], None] | None = None,
) -> ScenarioReport:
    """Play every scenario through ``send`` and judge each turn."""
    report = ScenarioReport(set_name)
    for count, scenario in enumerate(scenarios, start=1):
        report.results.append(run_scenario(scenario, send))
        if progress is not None:
            progress(count)
    return report


def excerpt(text: str, limit: int = REPLY_EXCERPT_CHARS) -> str:
    """The reply on one line, cut to ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def describe_failure(turn: TurnResult) -> list[str]:
    """Why a turn failed, in French, one line per reason."""
    lines = []
    if turn.failed_request:
        status = f"statut {turn.status}" if turn.status is not None else "pas de réponse"
        lines.append(f"requête en échec ({status}) : {turn.error}")
    elif turn.empty:
        lines.append("réponse vide")
    lines += [f"attendu absent : {pattern}" for pattern in turn.missing if not turn.failed_request]
    lines += [f"interdit présent : {pattern}" for pattern in turn.matched_forbid]
    return lines


def format_scenario_report(report: ScenarioReport) -> str:
    """The French report printed by ``teletravail eval scenarios``."""
    f = report.figures()
    lines = [
        f"=== jeu de scénarios {report.set_name} : {int(f['scenarios'])} conversations, "
        f"{int(f['turns'])} tours ===",
        f"conversations qui atteignent leur but : {int(f['reached'])}/{int(f['scenarios'])} "
        f"({f['goal_share']:.1%})",
        f"tours réussis : {int(f['turns_passed'])}/{int(f['turns'])} ({f['turn_pass_rate']:.1%})",
        f"réponses à ne jamais lire : {int(f['anomalous_replies'])} "
        f"(vides {int(f['empty_replies'])}, requêtes en échec {int(f['failed_requests'])}, "
        f"noms internes {int(f['internal_name_replies'])}, "
        f"repli de Rasa {int(f['core_fallback_replies'])})",
    ]
    failures = report.failures
    if failures:
        lines += ["", "premier tour en échec de chaque conversation manquée :"]
    for result in failures:
        turn = result.first_failure
        assert turn is not None  # a failed scenario has a failing turn
        lines.append(
            f"  {result.scenario.id} (tour {turn.index + 1}/{len(result.turns)}) "
            f"{result.scenario.goal}"
        )
        lines.append(f"    agent : {turn.turn.user}")
        lines.append(f"    bot   : {excerpt(turn.text) or '(rien)'}")
        if turn.buttons:
            lines.append(f"    boutons : {' | '.join(turn.buttons)}")
        lines += [f"    {reason}" for reason in describe_failure(turn)]
    anomalies = [
        (result, turn) for result in report.results for turn in result.turns if turn.anomalous
    ]
    if anomalies:
        lines += ["", "réponses à ne jamais lire (tous tours confondus) :"]
    for result, turn in anomalies:
        kind = (
            "requête en échec"
            if turn.failed_request
            else "réponse vide"
            if turn.empty
            else "nom interne : " + ", ".join(turn.internal_names)
            if turn.internal_names
            else "repli de Rasa (« Je ne suis pas sûr… »)"
        )
        lines.append(f"  {result.scenario.id} tour {turn.index + 1} « {turn.turn.user} » : {kind}")
        if turn.internal_names:
            lines.append(f"    bot : {excerpt(turn.text)}")
    return "\n".join(lines)


def report_as_dict(report: ScenarioReport) -> dict[str, Any]:
    """The report for ``--json``: figures, then every failed scenario's first failing turn."""
    failures = []
    for result in report.failures:
        turn = result.first_failure
        assert turn is not None
        failures.append(
            {
                "id": result.scenario.id,
                "goal": result.scenario.goal,
                "turn": turn.index + 1,
                "user": turn.turn.user,
                "reply": excerpt(turn.text),
                "buttons": list(turn.buttons),
                "missing": list(turn.missing),
                "forbidden_found": list(turn.matched_forbid),
                "error": turn.error,
                "status": turn.status,
            }
        )
    anomalies = [
        {
            "id": result.scenario.id,
            "turn": turn.index + 1,
            "user": turn.turn.user,
            "empty": turn.empty,
            "failed_request": turn.failed_request,
            "internal_names": list(turn.internal_names),
            "core_fallback": turn.core_fallback,
            "reply": excerpt(turn.text),
        }
        for result in report.results
        for turn in result.turns
        if turn.anomalous
    ]
    return {
        "set": report.set_name,
        "figures": report.figures(),
        "failures": failures,
        "anomalies": anomalies,
    }


def _share(part: float, whole: int) -> float:
    return part / whole if whole else 0.0
