"""A seeded conversation fuzzer: enter every form, then answer anything, and judge each reply.

Issue 12 asks that no turn of any conversation gives a user an empty reply, English, an
internal name, a 5xx or a form left in an inconsistent state, whatever they type. Written
scenarios cover what we thought of; this walks every flow (quota, impact simulator,
eligibility, notice, draft request, manager decision, manager guide and quiz) and at each
step sends a turn drawn at random from what people actually send: an answer that fits the
current question, a button of the previous reply (payload or title), an NLU example of any
intent, a number, a letter, a date, a oui/non variant, or noise. Every reply is judged by
:mod:`tests.fuzz.invariants`, and so are the tracker (Rasa's HTTP API) after it and the
services' logs (:class:`LogWatch`: an action's exception only shows there).

A plain seeded ``random.Random`` rather than hypothesis: the system under test is a live
server whose answers steer the next turn (buttons, requested slot), hypothesis' shrinking
would replay hundreds of slow HTTP turns, and a seed plus the printed transcript is enough to
reproduce and read a failure. Each conversation has its own generator derived from the run's
seed and its index, so ``FUZZ_SEED`` reproduces a run and the transcript shows the turn.

Plain Python, no Rasa import: the bot is reached through a :class:`Bot` (HTTP here,
anything in unit tests).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
import yaml

from knowledge.analysis import sanitize_text
from tests.fuzz.invariants import (
    Messages,
    SlotRules,
    Violation,
    active_form,
    buttons_of,
    check_choice,
    check_form_switch,
    check_reply,
    check_tracker,
    reply_texts,
)

ROOT = Path(__file__).resolve().parents[2]
MAX_MESSAGE_CHARS = 2000  # the API's limit on a chat message (api/routes/chat.py)
TURN_TIMEOUT_S = 60.0

# How each flow is entered: a button payload, or the words people use.
FLOWS: dict[str, tuple[str, ...]] = {
    "quota": ("/start_quota", "calcule mes jours de télétravail", "je suis à 80 %, combien ?"),
    "impact": ("/start_impact", "simule mes économies de trajet", "combien j'économise en tt ?"),
    "eligibility": ("/start_eligibility", "je veux vérifier si je suis éligible"),
    "notice": (
        "/start_notice",
        "quel délai de prévenance pour arrêter le télétravail ?",
        "je veux changer mon jour de télétravail",
    ),
    "draft": ("aide-moi à remplir ma demande", "/request_draft", "prépare ma demande de tt"),
    "decision": ("prépare l'acte individuel de mon agent", "/request_decision"),
    "guide": ("/start_manager_guide", "guide du manager", "je suis manager, comment instruire ?"),
    "quiz": ("/start_quiz", "je veux faire le quiz", "lance le quiz manager"),
}

# Answers that fit each question (key: requested slot; ``quiz`` when a quiz question waits).
FITTING: dict[str, tuple[str, ...]] = {
    "quotite": ("80 %", "temps plein", "mi-temps", "90", "je suis à 70 %"),
    "notice_event": (
        "changer un jour ponctuellement",
        "mettre fin au télétravail",
        "changer mon calendrier",
        "arrêter pendant la période d'adaptation",
    ),
    "date": ("15/03/2027", "le 1er avril 2027", "demain", "mardi prochain", "le 2 mai"),
    "distance_km": ("25 km", "12", "à 40 kilomètres", "3,5 km"),
    "telework_days": ("2", "1,5 jour", "trois jours", "1"),
    "status": ("fonctionnaire", "contractuel", "je suis titulaire", "CDD"),
    "contract_over_one_year": ("oui", "non", "oui, 3 ans"),
    "activities_teleworkable": ("oui", "non", "en partie oui"),
    "home_conditions_ok": ("oui", "non", "oui j'ai un bureau"),
    "draft_nom": ("Dupont", "Martin-Leroy"),
    "draft_prenom": ("Marie", "Jean-Luc"),
    "draft_corps": ("attaché d'administration", "ingénieur de l'agriculture"),
    "draft_affectation": ("DDT du Rhône", "DRAAF Bretagne"),
    "draft_poste": ("chargée d'études", "instructeur des aides"),
    "draft_missions": (
        "Instruction des dossiers, 60 %",
        "Rédaction des rapports, 60 %, 80 % ; Accueil, 40 %, 0 %",
    ),
    "draft_motivations": ("réduire mon temps de trajet", "mieux me concentrer sur mes dossiers"),
    "draft_quotite": ("100 %", "80 %", "temps plein"),
    "draft_jours": ("mardi", "mardi et jeudi", "le lundi"),
    "draft_lieux": ("mon domicile", "à la maison, 3 rue des Lilas à Lyon"),
    "draft_temps_trajet": ("45 minutes", "1 h 30", "passer"),
    "draft_date_debut": ("1er mars 2027", "01/09/2027", "le 1er janvier 2028"),
    "draft_connexion_internet": ("oui", "non"),
    "draft_medical": ("non", "oui"),
    "draft_amenagement_poste": ("non", "oui"),
    "draft_chorus": ("non", "oui"),
    "draft_email": ("marie.dupont@agriculture.gouv.fr", "passer"),
    "draft_confirmation": ("oui", "non"),
    "decision_kind": ("accord", "refus"),
    "decision_start": ("comme demandé", "1er mars 2031"),
    "decision_adaptation": ("2 mois", "pas de période d'adaptation", "3 mois"),
    "decision_hours": ("9 h 30 - 12 h et 14 h - 16 h 30",),
    "decision_onsite": ("lundi, mercredi et vendredi", "lundi"),
    "decision_motifs": ("nécessités du service : accueil du public",),
    "decision_statut": ("fonctionnaire", "contractuel"),
    "quiz": ("a", "b", "c", "réponse b", "la c"),
}

NUMBERS = (
    "1",
    "2",
    "3",
    "0",
    "250",
    "-3",
    "80 %",
    "5%",
    "5 %",
    "100",
    "150 %",
    "1,5",
    "0,5",
    "12 km",
    "999999999",
    "3.14",
    "80",
)
LETTERS = ("a", "B", "c)", "d", "A.", "la b", "x", "1)", "2.")
DATES = (
    "15/03/2027",
    "demain",
    "le 31 février",
    "mardi prochain",
    "le 15 mars 2027",
    "32/13/2027",
    "hier",
    "01/01/1900",
    "dans 3 semaines",
    "2027-03-15",
    "le 1er",
)
YES_NO = (
    "oui",
    "non",
    "ok",
    "volontiers",
    "non merci",
    "laisse tomber",
    "ouais",
    "nan",
    "oui oui",
    "d'accord",
    "pas du tout",
    "annuler",
    "stop",
    "passer",
)
NOISE_FIXED = (
    "",
    " ",
    "?",
    "!!!",
    "...",
    "😀",
    "👍🏼🎉",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{}",
    "/",
    "/inexistant",
    "/inform{",
    '/inform{"quotite": "abc"}',
    "%s %d {0}",
    "\\n\\t",
    "What is the weather in London?",
    "yes please",
    "I want to telework two days",
    "merci bcp 🙏",
    "????",
    "null",
    "None",
)
NOISE_WORDS = (
    "télétravail",
    "jours",
    "hello",
    "bureau",
    "réunion",
    "café",
    "lundi",
    "ok",
    "mais",
    "donc",
    "PC",
    "vpn",
    "chef",
    "☕",
    "🚆",
    "x",
    "123",
    "%",
)

TURN_KINDS: tuple[tuple[str, int], ...] = (
    ("fit", 30),
    ("button", 15),
    ("nlu", 14),
    ("number", 8),
    ("letter", 6),
    ("date", 7),
    ("yes_no", 9),
    ("noise", 8),
    ("restart", 1),
)

SHORT_KINDS = ("number", "letter", "date", "yes_no")
_EXCEPTION_LINE = re.compile(r"^(?:[\w.]+\.)?(\w*(?:Error|Exception|Exit)(?::.*)?)$")
_OUR_FRAME = re.compile(
    r'File "(?![^"]*-packages)[^"]*/((?:actions|knowledge|rules|drafts|bot)/[^"]+)", '
    r"line (\d+), in (\w+)"
)
_SENDER_ID = re.compile(r'"sender_id":\s*"(fuzz-[\w-]+?)-[0-9a-f]{12}"')
_USER_TEXT = re.compile(r'"text": "(?:[^"\\]|\\.)*"')
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def load_nlu_examples(nlu_dir: Path = ROOT / "data" / "nlu") -> list[tuple[str, str]]:
    """Every ``(intent, text)`` of the training data, entity annotations removed."""
    examples = []
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    examples.append((str(block["intent"]), _ANNOTATION.sub(r"\1", text)))
    return examples


@dataclass(frozen=True)
class Domain:
    """What the invariants need from ``bot/domain.yml``: forms and slot declarations."""

    forms: Mapping[str, Any]
    slots: Mapping[str, Any]

    @classmethod
    def load(cls, path: Path = ROOT / "bot" / "domain.yml") -> Domain:
        """Read the domain file."""
        data = yaml.safe_load(path.read_text("utf-8"))
        return cls(forms=data.get("forms") or {}, slots=data.get("slots") or {})


class Bot(Protocol):
    """A way to talk to the assistant and to read its tracker."""

    def send(self, sender: str, text: str) -> tuple[int | None, Messages, str]:
        """Send one message; return (HTTP status, messages, error text if no reply)."""
        ...

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's tracker (``{}`` when it cannot be read)."""
        ...


@dataclass
class HttpBot:
    """Rasa through its REST channel, and its HTTP API (``--enable-api``) for the tracker."""

    rasa_url: str
    timeout: float = TURN_TIMEOUT_S
    _client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=TURN_TIMEOUT_S))

    def send(self, sender: str, text: str) -> tuple[int | None, Messages, str]:
        """POST /webhooks/rest/webhook."""
        try:
            response = self._client.post(
                f"{self.rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                timeout=self.timeout,
            )
        except httpx.HTTPError as error:
            return None, [], f"{type(error).__name__}: {error}"
        if response.status_code != 200:
            return response.status_code, [], response.text[:300]
        try:
            messages = response.json()
        except ValueError:
            return response.status_code, [], f"JSON illisible : {response.text[:200]}"
        return response.status_code, messages, ""

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def tracker(self, sender: str) -> dict[str, Any]:
        """GET /conversations/{sender}/tracker (all events)."""
        try:
            response = self._client.get(
                f"{self.rasa_url}/conversations/{sender}/tracker", timeout=self.timeout
            )
            data = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


@dataclass
class LogWatch:
    """Errors the services logged since the last look.

    An exception in the action server never reaches the user as such: Rasa logs « Encountered
    an exception while running action … », drops the action's events, and the REST channel
    still answers 200 with whatever was said before. The logs are the only place it shows.
    With several conversations at once, an error is attributed to the turn that ended first
    after it was written (one of the turns in flight).
    """

    paths: Sequence[Path]
    _offsets: dict[Path, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> LogWatch:
        """Ignore what was logged so far (start-up)."""
        for path in self.paths:
            self._offsets[path] = path.stat().st_size if path.exists() else 0
        return self

    def errors(self) -> list[Violation]:
        """Violations for the ERROR lines and exceptions written since the last call."""
        violations = []
        with self._lock:
            for path in self.paths:
                if not path.exists():
                    continue
                with path.open("rb") as log:
                    log.seek(self._offsets.get(path, 0))
                    chunk = log.read()
                self._offsets[path] = self._offsets.get(path, 0) + len(chunk)
                violations += _log_violations(path.stem, chunk.decode("utf-8", "replace"))
        return violations


def _log_violations(service: str, text: str) -> list[Violation]:
    """ERROR lines of any log; the exceptions (last line of a traceback) of the action server."""
    found, frame = [], ""
    for line in text.splitlines():
        ours = _OUR_FRAME.search(line)
        if ours:
            frame = f"{ours.group(1)}:{ours.group(2)} dans {ours.group(3)}"
        elif " ERROR " in line:
            message = _USER_TEXT.sub('"text": …', line.split(" ERROR ", 1)[1].strip())
            found.append(Violation(f"erreur dans le journal {service}", message[:300]))
        elif service == "actions" and (match := _EXCEPTION_LINE.match(line)):
            # Rasa's own traceback of the same failure is left out: its ERROR line says it.
            where = f" ({frame})" if frame else ""
            found.append(Violation(f"exception dans {service}", f"{match.group(1)[:200]}{where}"))
            frame = ""
    senders = sorted(set(_SENDER_ID.findall(text)))
    if senders:  # Rasa's traceback names the conversation: say which one it was
        found = [Violation(v.rule, f"{v.detail} [{', '.join(senders)}]") for v in found]
    return list(dict.fromkeys(found))


@dataclass
class Exchange:
    """One turn as it happened: what was sent, why, and what came back."""

    index: int
    kind: str
    user: str
    status: int | None
    messages: Messages
    elapsed: float
    form: str | None = None
    requested: str | None = None
    violations: list[Violation] = field(default_factory=list)

    def render(self) -> str:
        """Two or three lines of the transcript."""
        user = self.user if len(self.user) <= 160 else f"{self.user[:150]}… ({len(self.user)} car.)"
        lines = [f"  {self.index:>2} > [{self.kind}] {user!r}"]
        for text in reply_texts(self.messages):
            lines.append("       < " + text.replace("\n", "\n         ")[:600])
        titles = [f"{b.get('title')} = {b.get('payload')}" for b in buttons_of(self.messages)]
        if titles:
            lines.append(f"       [boutons] {' | '.join(titles)[:300]}")
        if self.status != 200:
            lines.append(f"       [HTTP {self.status}]")
        lines.append(f"       (formulaire : {self.form}, question : {self.requested})")
        for violation in self.violations:
            lines.append(f"       !! {violation.rule} : {violation.detail}")
        return "\n".join(lines)


@dataclass
class Conversation:
    """One generated conversation: its seed, its flow, its turns."""

    seed: str
    flow: str
    sender: str
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def violations(self) -> list[tuple[Exchange, Violation]]:
        """Every violation, with the turn it happened on."""
        return [(e, v) for e in self.exchanges for v in e.violations]

    def transcript(self) -> str:
        """The whole conversation, readable, with its seed to replay it."""
        head = f"conversation {self.seed} (parcours {self.flow}, sender {self.sender})"
        return "\n".join([head, *(e.render() for e in self.exchanges)])


@dataclass
class Generator:
    """Draws the next user turn from the conversation so far (seeded, reproducible)."""

    rng: random.Random
    nlu: Sequence[tuple[str, str]]
    draft_ids: Sequence[str] = ()
    today: dt.date = field(default_factory=dt.date.today)

    def entry(self, flow: str) -> str:
        """A way into the flow."""
        return self.rng.choice(FLOWS[flow])

    def kind(self, has_buttons: bool) -> str:
        """The kind of the next turn (no button turn when the last reply had none)."""
        kinds = [(k, w) for k, w in TURN_KINDS if has_buttons or k != "button"]
        return self.rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]

    def turn(self, kind: str, last: Messages, requested: str | None, flow: str) -> str:
        """A user message of the given kind."""
        rng = self.rng
        if kind == "button":
            button = rng.choice(buttons_of(last))
            return str(button.get("payload") if rng.random() < 0.7 else button.get("title"))
        if kind == "fit":
            return self.fitting(last, requested, flow)
        if kind == "nlu":
            return rng.choice(self.nlu)[1]
        if kind == "number":
            return rng.choice(NUMBERS) if rng.random() < 0.7 else str(rng.randint(-10, 400))
        if kind == "letter":
            return rng.choice(LETTERS)
        if kind == "date":
            if rng.random() < 0.3:
                day = self.today + dt.timedelta(days=rng.randint(-400, 900))
                return day.strftime(rng.choice(("%d/%m/%Y", "%d/%m", "le %d/%m/%Y")))
            return rng.choice(DATES)
        if kind == "yes_no":
            return rng.choice(YES_NO)
        if kind == "restart":
            return self.entry(rng.choice(list(FLOWS)))
        return self.noise()

    def fitting(self, last: Messages, requested: str | None, flow: str) -> str:
        """An answer to the question being asked: a slot value, a quiz letter, a button."""
        rng = self.rng
        if requested == "decision_draft_id":
            known = rng.random() < 0.8  # drawn first: the stream does not depend on the ids
            if known and self.draft_ids:
                return f"la demande {rng.choice(self.draft_ids)}"
            return str(uuid.UUID(int=rng.getrandbits(128)))
        if requested in FITTING:
            return rng.choice(FITTING[requested])
        buttons = buttons_of(last)
        if buttons and rng.random() < 0.6:
            button = rng.choice(buttons)
            return str(button.get("title") if rng.random() < 0.5 else button.get("payload"))
        if flow == "quiz" or any("quiz_answer" in str(b.get("payload")) for b in buttons):
            return rng.choice(FITTING["quiz"])
        return rng.choice(("oui", "non", "merci", self.entry(flow)))

    def noise(self) -> str:
        """Emoji, punctuation, mixed English, very long text up to the API's limit."""
        rng = self.rng
        pick = rng.random()
        if pick < 0.5:
            return rng.choice(NOISE_FIXED)
        if pick < 0.75:
            return " ".join(rng.choice(NOISE_WORDS) for _ in range(rng.randint(1, 12)))
        if pick < 0.88:
            unit = rng.choice(("télétravail ", "a", "😀", "jours de tt à 80 % ", "? "))
            return (unit * (MAX_MESSAGE_CHARS // len(unit) + 1))[
                : rng.randint(300, MAX_MESSAGE_CHARS)
            ]
        alphabet = "abcdefghijklmnopqrstuvwxyzéèàç0123456789 ,.;:!?%/-'\"()"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80)))


def draft_ids_in(messages: Messages) -> list[str]:
    """Draft ids found in a reply's document links (text or ``custom.documents``)."""
    found = _UUID.findall(str(messages))
    return list(dict.fromkeys(found))


@dataclass
class FuzzRun:
    """Plays generated conversations against a :class:`Bot` and collects what broke."""

    bot: Bot
    domain: Domain
    rules: SlotRules
    nlu: Sequence[tuple[str, str]]
    seed: int
    # Drafts made before the run (:func:`make_draft`), fixed so that a seed replays the run.
    draft_ids: Sequence[str] = ()
    logs: LogWatch | None = None
    min_turns: int = 6
    max_turns: int = 18

    def length(self, index: int) -> int:
        """How many turns conversation ``index`` has (from its own seed)."""
        return random.Random(f"{self.seed}-{index}-length").randint(self.min_turns, self.max_turns)

    def play(self, index: int, flow: str) -> Conversation:
        """One conversation: the flow's entry, then random turns until its length is reached."""
        seed = f"{self.seed}-{index}"
        rng = random.Random(seed)
        generator = Generator(rng, self.nlu, tuple(self.draft_ids))
        sender = f"fuzz-{seed}-{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}"
        conversation = Conversation(seed, flow, sender)
        length = self.length(index)
        last: Messages = []
        requested: str | None = None
        form: str | None = None
        users: list[str] = []
        seen_events = 0
        for turn in range(length):
            if turn == 0:
                kind, text = "entrée", generator.entry(flow)
            else:
                kind = generator.kind(bool(buttons_of(last)))
                text = generator.turn(kind, last, requested, flow)
            # What ``POST /api/chat`` forwards: cleaned, and never blank (it answers 422).
            text = sanitize_text(text).strip() or "?"
            users.append(text)
            started = time.monotonic()
            status, messages, error = self.bot.send(sender, text)
            elapsed = time.monotonic() - started
            violations = check_reply(status, messages, users, error)
            if status == 200:
                violations += check_choice(text, last, messages)
            tracker = self.bot.tracker(sender)
            events = tracker.get("events") or []
            if tracker:
                violations += check_tracker(
                    tracker,
                    events[seen_events:],
                    self.domain.forms,
                    self.domain.slots,
                    self.rules,
                )
            else:
                violations.append(Violation("tracker", "tracker illisible (API Rasa)"))
            seen_events = len(events)
            violations += check_form_switch(kind in SHORT_KINDS, form, active_form(tracker), text)
            if self.logs is not None:
                violations += self.logs.errors()
            form = active_form(tracker)
            requested = (tracker.get("slots") or {}).get("requested_slot")
            conversation.exchanges.append(
                Exchange(turn, kind, text, status, messages, elapsed, form, requested, violations)
            )
            last = messages if status == 200 else []
        return conversation

    def run(
        self,
        turns: int,
        workers: int = 2,
        progress: Callable[[Conversation], None] | None = None,
        only: Sequence[int] = (),
    ) -> list[Conversation]:
        """Conversations over every flow in turn, until ``turns`` turns were played.

        How many conversations is decided first (each one's length comes from its seed), so a
        seed replays the same conversations whatever the order they finish in; ``only`` replays
        just the conversations of these indices (``turns`` is then ignored).
        """
        flows = list(FLOWS)
        jobs = [(index, flows[index % len(flows)]) for index in only]
        planned = turns if only else 0
        while planned < turns:
            jobs.append((len(jobs), flows[len(jobs) % len(flows)]))
            planned += self.length(len(jobs) - 1)
        conversations: list[Conversation] = []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for conversation in pool.map(lambda job: self.play(*job), jobs):
                conversations.append(conversation)
                if progress is not None:
                    progress(conversation)
        return conversations


def summary(conversations: Sequence[Conversation], seed: int, examples: int = 1) -> str:
    """Violations grouped by rule and detail, with the count and one transcript per group."""
    turns = sum(len(c.exchanges) for c in conversations)
    groups: dict[str, list[tuple[Conversation, Exchange, Violation]]] = {}
    for conversation in conversations:
        for exchange, violation in conversation.violations:
            key = f"{violation.rule} : {_shape(violation.detail)}"
            groups.setdefault(key, []).append((conversation, exchange, violation))
    total = sum(len(v) for v in groups.values())
    flows = Counter(c.flow for c in conversations)
    times = sorted(e.elapsed for c in conversations for e in c.exchanges) or [0.0]
    lines = [
        f"Fuzzer de conversations : graine {seed}, {len(conversations)} conversations, "
        f"{turns} tours ({', '.join(f'{k} {v}' for k, v in sorted(flows.items()))}), "
        f"{total} violation(s) en {len(groups)} groupe(s).",
        f"Réponse : médiane {times[len(times) // 2] * 1000:.0f} ms, p95 "
        f"{times[int(len(times) * 0.95)] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms.",
        f"Rejouer : FUZZ_SEED={seed} FUZZ_TURNS={turns} .venv/bin/pytest "
        "tests/fuzz/test_conversation_fuzz.py ; une conversation « <graine>-<n> » seule : "
        "FUZZ_ONLY=<n>",
    ]
    for key, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        conversation, exchange, violation = items[0]
        lines.append("")
        lines.append(f"== {len(items)} × {key}")
        lines.append(f"   exemple : {violation.detail[:300]}  (tour {exchange.index})")
        for conversation, _, _ in items[:examples]:
            lines.append(_excerpt(conversation, exchange.index))
    return "\n".join(lines)


def _shape(detail: str) -> str:
    """A violation's detail with its variable parts removed, to group alike violations.

    What the user typed (« … ») and the conversation tags go; what the bot answered (after
    « → ») stays, so « not understood » and « asked again » are separate groups.
    """
    typed, arrow, answer = detail.partition(" → ")
    typed = re.sub(r"« [^»]* »", "« … »", typed)
    typed = re.sub(r"= .*?( \(|$)", r"= …\1", typed)
    typed = re.sub(r" \[fuzz-[^\]]*\]$", "", typed)
    typed = re.sub(r"bouton \d+", "bouton n", typed)
    return f"{typed}{arrow}{answer}"[:140]


def _excerpt(conversation: Conversation, index: int, before: int = 4) -> str:
    """The turns leading to ``index`` (the whole conversation is long to read)."""
    head = f"   conversation {conversation.seed} (parcours {conversation.flow})"
    shown = conversation.exchanges[max(0, index - before) : index + 1]
    return "\n".join([head, *(e.render() for e in shown)])


def make_draft(bot: Bot, max_turns: int = 40) -> list[str]:
    """Fill a whole request with fitting answers; return the draft ids of its links.

    The manager's decision form starts by asking for a request: with a real draft id the
    fuzzer can walk the whole decision form, not only its « not found » answer.
    """
    sender = f"fuzz-draft-{uuid.uuid4().hex[:12]}"
    status, messages, _ = bot.send(sender, FLOWS["draft"][0])
    for _ in range(max_turns):
        ids = draft_ids_in(messages)
        if ids:
            return ids
        requested = (bot.tracker(sender).get("slots") or {}).get("requested_slot")
        if status != 200 or requested not in FITTING:
            return []
        status, messages, _ = bot.send(sender, FITTING[str(requested)][0])
    return draft_ids_in(messages)
