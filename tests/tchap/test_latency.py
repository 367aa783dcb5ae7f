"""Latency of the Tchap bot, end to end (issue 13, « Measured »): ``make bench-tchap``.

Not part of the default run (marker ``bench``). Everything is real, as in the other tests of
this folder: Synapse, encrypted matrix-nio clients for the agent and the référent, the
``teletravail tchap`` process, Rasa and the action server of the project. Measured:

- the bot's answer: from the moment the agent's client sends a message in the encrypted
  direct conversation to the moment it has read (decrypted) the bot's reply, over 50
  messages sent one after the other (questions on the texts' topics and short messages);
- the référent's answer: from the moment the référent's client sends its reply in the
  ticket's thread to the moment the agent's client has read « Réponse du référent
  télétravail… », over ``TCHAP_BENCH_HANDOFFS`` hand-offs (10);
- for information, the agent's « oui » to the référents seeing the ticket: bounded by the
  bot's polling of the tickets (``TCHAP_HANDOFF_POLL_SECONDS``, its production default here).

Figures are printed (``-s``) with the machine's load; only behaviour is asserted (every
message answered, every answer relayed), never a time limit: the machine is shared.

The bot of this benchmark has its own account, référents' room, tickets database and Rasa
ports (16105/16155, ``TCHAP_BENCH_RASA_PORT``/``TCHAP_BENCH_ACTIONS_PORT``): it never meets
the bot of the other tests, nor a run of ``tests/tchap`` on 16005/16055.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from nio import RoomCreateResponse

from cli.stack import LocalStack
from tchap.formatting import ASSISTANT_UNAVAILABLE
from tchap.handoff import REFERENT_ANSWER
from tests.tchap.agents import ENCRYPTION, Agent, Received
from tests.tchap.conftest import Accounts, BotProcess, _bot_env, _start_with_database
from tests.tchap.synapse import Homeserver

pytestmark = [pytest.mark.bench, pytest.mark.integration, pytest.mark.slow]

ACTIONS_PORT = int(os.environ.get("TCHAP_BENCH_ACTIONS_PORT", "16155"))
RASA_PORT = int(os.environ.get("TCHAP_BENCH_RASA_PORT", "16105"))
HANDOFFS = int(os.environ.get("TCHAP_BENCH_HANDOFFS", "10"))
POLL_SECONDS = "5"  # TCHAP_HANDOFF_POLL_SECONDS: the production default (docs/tchap.md)
WAIT_S = 120.0  # per answer: generous, the machine may be loaded; a limit of behaviour only
OFFER = "Transmettre ma question à un référent télétravail ?"
TICKET = re.compile(r"demande n° (\d+)")

QUESTION = "question"
SHORT = "court"
# 50 messages, sent in this order in one conversation: questions on the topics of the texts
# (quotité, éligibilité, procédure, équipement, frais, santé, continuité) and short messages.
MESSAGES: tuple[tuple[str, str], ...] = (
    (SHORT, "bonjour"),
    (QUESTION, "Combien de jours par semaine puis-je télétravailler ?"),
    (QUESTION, "Quelle est la durée d'une autorisation de télétravail ?"),
    (SHORT, "merci"),
    (QUESTION, "Comment faire une demande de télétravail ?"),
    (QUESTION, "Mon chef peut-il refuser ma demande de télétravail ?"),
    (QUESTION, "Quels recours si mon télétravail est refusé ?"),
    (SHORT, "bonjour"),
    (QUESTION, "Y a-t-il une période d'adaptation au début du télétravail ?"),
    (QUESTION, "Quelles tâches ne peuvent pas être télétravaillées ?"),
    (QUESTION, "Qui fournit l'ordinateur portable pour télétravailler ?"),
    (SHORT, "ok merci"),
    (QUESTION, "Mes frais d'électricité et d'internet sont-ils remboursés ?"),
    (QUESTION, "Faut-il une attestation de conformité électrique du domicile ?"),
    (QUESTION, "Est-ce qu'il faut un détecteur de fumée chez moi pour télétravailler ?"),
    (SHORT, "salut"),
    (QUESTION, "Puis-je changer mon jour de télétravail une semaine donnée ?"),
    (QUESTION, "Mon employeur peut-il mettre fin à mon télétravail ?"),
    (QUESTION, "Comment renouveler mon autorisation de télétravail ?"),
    (SHORT, "merci beaucoup"),
    (QUESTION, "Un accident pendant une journée de télétravail est-il un accident de service ?"),
    (QUESTION, "Quelles sont mes horaires quand je télétravaille ?"),
    (QUESTION, "Ai-je droit au télétravail pour raison de santé ?"),
    (SHORT, "bonjour"),
    (QUESTION, "Le médecin de prévention peut-il demander plus de jours de télétravail ?"),
    (QUESTION, "Puis-je utiliser Chorus en télétravail ?"),
    (QUESTION, "Comment protéger les données quand je travaille chez moi ?"),
    (SHORT, "super"),
    (QUESTION, "Un agent à temps partiel peut-il télétravailler ?"),
    (QUESTION, "Peut-on télétravailler pendant une période de crise sanitaire ?"),
    (QUESTION, "Quel est le rôle du CHSCT dans le télétravail ?"),
    (SHORT, "merci"),
    (QUESTION, "Existe-t-il une formation au télétravail ?"),
    (QUESTION, "Comment se passe le suivi de l'agent en télétravail ?"),
    (QUESTION, "Puis-je télétravailler depuis un autre lieu que mon domicile ?"),
    (SHORT, "d'accord"),
    (QUESTION, "Le VPN est-il obligatoire en télétravail ?"),
    (QUESTION, "télétravail combien de jours max"),
    (QUESTION, "C'est quoi le forfait télétravail ?"),
    (SHORT, "bonsoir"),
    (QUESTION, "Quelles pièces joindre à ma demande de télétravail ?"),
    (QUESTION, "Faut-il un arrêté pour autoriser le télétravail ?"),
    (QUESTION, "Que dit la circulaire de février 2021 sur le télétravail ?"),
    (SHORT, "merci"),
    (QUESTION, "Le télétravail est-il réversible ?"),
    (QUESTION, "Quelle ergonomie pour le poste de travail à la maison ?"),
    (QUESTION, "Puis-je télétravailler si ma connexion internet est lente ?"),
    (SHORT, "bonjour"),
    (QUESTION, "Un stagiaire peut-il demander le télétravail ?"),
    (SHORT, "au revoir"),
)
# Questions passed on to a référent, one per hand-off (asked, then « je veux parler au
# référent », then « oui »).
HANDOFF_QUESTIONS: tuple[str, ...] = (
    "Puis-je télétravailler depuis un camping-car garé en Espagne ?",
    "Puis-je télétravailler depuis la maison de mes parents en Guadeloupe ?",
    "Mon chien peut-il assister à mes visioconférences en télétravail ?",
    "Puis-je télétravailler depuis un espace de coworking à Lisbonne ?",
    "Ai-je le droit de télétravailler pendant une grève des transports ?",
    "Puis-je télétravailler depuis ma résidence secondaire en Bretagne ?",
    "Le télétravail compte-t-il pour mes tickets restaurant ?",
    "Puis-je télétravailler depuis un train pendant mon trajet ?",
    "Puis-je télétravailler le jour de mon déménagement ?",
    "Mon imprimante personnelle peut-elle servir pour des documents de travail ?",
    "Puis-je télétravailler depuis un hôtel pendant une mission ?",
    "Puis-je télétravailler chez un voisin quand ma connexion est coupée ?",
)


@dataclass
class Bench:
    """The benchmark's own bot, its référents' room and the accounts it talks to."""

    bot: BotProcess
    bot_id: str
    referent_room: str
    homeserver: Homeserver
    accounts: Accounts
    workdir: Path

    def client(self, user_id: str) -> Agent:
        """A new device of ``user_id``, with a key store of its own."""
        password = self.accounts.passwords[user_id]
        return Agent.new_device(self.homeserver.url, user_id, password, self.workdir)


@dataclass
class Timings:
    """Measured durations, in seconds, with the machine's 1-minute load along the way."""

    answers: dict[str, list[float]] = field(default_factory=dict)
    relays: list[float] = field(default_factory=list)
    posted: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    sourced: int = 0  # answers that cite a text (« Source : »): the search was run

    def answer(self, kind: str, reply: Received, seconds: float) -> None:
        self.answers.setdefault(kind, []).append(seconds)
        self.sourced += "Source :" in reply.body
        self.loads.append(os.getloadavg()[0])

    @property
    def all_answers(self) -> list[float]:
        return [s for values in self.answers.values() for s in values]


@pytest.fixture(scope="module")
def bench_tickets_db(workdir: Path) -> str:
    """A tickets database of the benchmark only: no other bot posts its tickets."""
    return f"sqlite:///{workdir / 'bench-tickets.db'}"


@pytest.fixture(scope="module")
def bench_assistant(bench_tickets_db: str) -> Iterator[LocalStack]:
    """Rasa and the actions on the benchmark's ports, answering from the texts."""
    stack = LocalStack(actions_port=ACTIONS_PORT, rasa_port=RASA_PORT, with_api=False)
    _start_with_database(stack, bench_tickets_db)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def bench(
    homeserver: Homeserver,
    accounts: Accounts,
    workdir: Path,
    bench_tickets_db: str,
    bench_assistant: LocalStack,
) -> Iterator[Bench]:
    """A bot account of its own, a référents' room inviting it, the bot process started."""
    password = secrets.token_urlsafe(12)
    bot_id = homeserver.register(f"assistant-mesures-{secrets.token_hex(3)}", password)

    async def create_room() -> str:
        store = workdir / "agents" / "bench-referent-creator"
        referent_password = accounts.passwords[accounts.referent]
        async with Agent(homeserver.url, accounts.referent, referent_password, store) as creator:
            response = await creator.client.room_create(
                name="Référents télétravail (mesures)", invite=[bot_id], initial_state=[ENCRYPTION]
            )
            assert isinstance(response, RoomCreateResponse), response
            return str(response.room_id)

    room_id = asyncio.run(create_room())
    env = _bot_env(homeserver, bot_id, password, homeserver.server_name)
    env["RASA_URL"] = bench_assistant.rasa_url
    env["TCHAP_REFERENT_ROOM"] = room_id
    env["TCHAP_HANDOFF_POLL_SECONDS"] = POLL_SECONDS
    env["DATABASE_URL"] = bench_tickets_db
    process = BotProcess(env, workdir / "bench-bot-store", workdir / "bench-bot.log")
    process.start()
    try:
        yield Bench(process, bot_id, room_id, homeserver, accounts, workdir)
    finally:
        process.stop()


def percentile(values: Sequence[float], rank: float) -> float:
    """The ``rank``-th percentile (0-100), interpolated between the closest values."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * rank / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def seconds(value: float) -> str:
    """« 1,23 s », as written in French."""
    return f"{value:.2f} s".replace(".", ",")


def summary(values: Sequence[float]) -> str:
    """p50, p95 and max of ``values``."""
    return (
        f"p50 {seconds(percentile(values, 50))} · p95 {seconds(percentile(values, 95))} · "
        f"max {seconds(max(values))} (n = {len(values)})"
    )


def load(values: Sequence[float]) -> str:
    return " / ".join(f"{v:.2f}".replace(".", ",") for v in values)


async def timed_ask(agent: Agent, room_id: str, bot_id: str, text: str) -> tuple[Received, float]:
    """Send ``text``; return the bot's first message after it and the time it took to read."""
    before = len(agent.messages_from(bot_id, room_id))
    start = time.monotonic()
    await agent.say(room_id, text)
    await agent.wait_for(
        lambda: len(agent.messages_from(bot_id, room_id)) > before,
        WAIT_S,
        f"no answer from the bot to {text!r}",
    )
    reply = agent.messages_from(bot_id, room_id)[before]
    assert reply.encrypted and ASSISTANT_UNAVAILABLE not in reply.body, reply.body
    return reply, reply.received_at - start


async def first_message(agent: Agent, sender: str, room_id: str, prefix: str) -> Received:
    """Wait for the first message of ``sender`` in ``room_id`` that starts with ``prefix``."""

    def found() -> list[Received]:
        return [m for m in agent.messages_from(sender, room_id) if m.body.startswith(prefix)]

    await agent.wait_for(found, WAIT_S, f"no message « {prefix}… »")
    return found()[0]


async def hand_off(
    bench: Bench, camille: Agent, referent: Agent, room_id: str, question: str, timings: Timings
) -> None:
    """One hand-off: question, request, consent; the référent answers in the thread."""
    bot_id = bench.bot_id
    await timed_ask(camille, room_id, bot_id, question)
    offer, _ = await timed_ask(camille, room_id, bot_id, "je veux parler au référent")
    assert OFFER in offer.body and question in offer.body, offer.body
    consent = time.monotonic()
    done, _ = await timed_ask(camille, room_id, bot_id, "oui")
    match = TICKET.search(done.body)
    assert match is not None, done.body
    number = int(match.group(1))
    root = await first_message(referent, bot_id, bench.referent_room, f"Demande n° {number} ")
    timings.posted.append(root.received_at - consent)
    text = f"Réponse de test n° {number} : voyez la charte de votre service."
    relation: dict[str, Any] = {
        "rel_type": "m.thread",
        "event_id": root.event_id,
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": root.event_id},
    }
    start = time.monotonic()
    await referent.client.room_send(
        bench.referent_room,
        "m.room.message",
        {"msgtype": "m.text", "body": text, "m.relates_to": relation},
        ignore_unverified_devices=True,
    )
    prefix = f"{REFERENT_ANSWER} (demande n° {number})"
    relayed = await first_message(camille, bot_id, room_id, prefix)
    timings.relays.append(relayed.received_at - start)
    timings.loads.append(os.getloadavg()[0])
    assert relayed.encrypted and relayed.body.endswith(text), relayed.body


def report(timings: Timings, started: datetime, load_before: Sequence[float], took: float) -> str:
    """The figures, in French, as ``make bench-tchap`` prints them."""
    answers = timings.all_answers
    lines = [
        "",
        f"Latence du bot Tchap — {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} processeurs",
        "(Synapse local, clients matrix-nio chiffrés, teletravail tchap, Rasa et actions)",
        f"  Réponse du bot à un message de l'agent ({len(answers)} messages) : {summary(answers)}",
    ]
    for kind, label in ((QUESTION, "questions"), (SHORT, "messages courts")):
        if timings.answers.get(kind):
            lines.append(f"    dont {label} : {summary(timings.answers[kind])}")
    lines.append(f"    réponses citant une source (« Source : ») : {timings.sourced}")
    if timings.relays:
        lines += [
            "  Réponse du référent dans le fil → lue par l'agent "
            f"({len(timings.relays)} mises en relation) : {summary(timings.relays)}",
            f"  Pour information, « oui » de l'agent → demande lue par les référents "
            f"(relève toutes les {POLL_SECONDS} s) : {summary(timings.posted)}",
        ]
    lines += [
        f"  Charge (os.getloadavg, 1/5/15 min) : avant {load(load_before)}, "
        f"après {load(os.getloadavg())} ; 1 min pendant la mesure : "
        f"max {load([max(timings.loads)])}",
        f"  Durée de la mesure : {seconds(took)}",
    ]
    return "\n".join(lines)


def test_latency_of_answers_and_of_referent_replies(bench: Bench) -> None:
    accounts = bench.accounts
    timings = Timings()
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    clock = time.monotonic()

    async def scenario() -> None:
        # The référent's device is logged in first: the bot encrypts the thread roots for it.
        async with (
            bench.client(accounts.referent) as referent,
            bench.client(accounts.agent) as camille,
        ):
            room_id = await camille.open_direct_chat(bench.bot_id)
            for kind, text in MESSAGES:
                reply, took = await timed_ask(camille, room_id, bench.bot_id, text)
                timings.answer(kind, reply, took)
            for question in HANDOFF_QUESTIONS[:HANDOFFS]:
                await hand_off(bench, camille, referent, room_id, question, timings)

    asyncio.run(scenario())
    print(report(timings, started, load_before, time.monotonic() - clock))
    assert len(timings.all_answers) == len(MESSAGES) == 50
    assert len(timings.relays) == min(HANDOFFS, len(HANDOFF_QUESTIONS))
