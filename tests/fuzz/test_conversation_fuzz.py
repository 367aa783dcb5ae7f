"""The conversation fuzzer against the real assistant: 0 violations over 2 000 turns (issue 12).

Real processes (:class:`cli.stack.LocalStack`): the action server and the Rasa server with the
trained model, on ports of their own (65055, 65005), with a database and a drafts folder of
this test. Every flow is entered and fuzzed (:mod:`tests.fuzz.fuzzer`); every reply and the
tracker after it are judged (:mod:`tests.fuzz.invariants`). On failure the message groups the
violations, with the seed and a transcript for each group; the full report is also written
to ``var/fuzz/report.txt``.

Environment: ``FUZZ_SEED`` (default: a fixed seed, so the test command is reproducible;
``random`` draws a new one), ``FUZZ_TURNS`` (default 2000), ``FUZZ_WORKERS`` (conversations
played at once, default 2), ``FUZZ_ONLY`` (comma-separated conversation numbers: replay only
those, e.g. ``FUZZ_ONLY=106`` for the conversation « <seed>-106 » of a report).
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.stack import RASA_MODEL, LocalStack
from tests.fuzz.fuzzer import (
    Conversation,
    Domain,
    FuzzRun,
    HttpBot,
    LogWatch,
    load_nlu_examples,
    make_draft,
    summary,
)
from tests.fuzz.invariants import SlotRules

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.fuzz]
ROOT = Path(__file__).resolve().parents[2]
ACTIONS_PORT, RASA_PORT = 65055, 65005
DEFAULT_SEED = 20261205
REPORT = ROOT / "var" / "fuzz" / "report.txt"


def _seed() -> int:
    value = os.environ.get("FUZZ_SEED", "")
    if value == "random":
        return random.SystemRandom().randrange(10**8)
    return int(value) if value else DEFAULT_SEED


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    if not RASA_MODEL.exists():
        pytest.skip("modèle Rasa absent (make train) : le fuzzer de conversations n'est pas lancé")
    root: Path = tmp_path_factory.mktemp("fuzz-stack")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", f"sqlite:///{root / 'fuzz.db'}")
        patch.setenv("TELETRAVAIL_DRAFTS_DIR", str(root / "drafts"))
        with LocalStack(actions_port=ACTIONS_PORT, rasa_port=RASA_PORT, with_api=False) as running:
            yield running


def _progress(conversation: Conversation) -> None:
    lines = [
        f"{conversation.seed} {conversation.flow}: {len(conversation.exchanges)} tours, "
        f"{len(conversation.violations)} violation(s)",
        *(f"   tour {e.index} !! {v.rule} : {v.detail[:200]}" for e, v in conversation.violations),
    ]
    print("\n".join(lines), file=sys.stderr, flush=True)


def test_no_violation_over_generated_conversations(stack: LocalStack) -> None:
    seed = _seed()
    turns = int(os.environ.get("FUZZ_TURNS", "2000"))
    workers = int(os.environ.get("FUZZ_WORKERS", "2"))
    bot = HttpBot(stack.rasa_url)
    run = FuzzRun(
        bot,
        Domain.load(),
        SlotRules.from_rules(ROOT / "rules" / "data" / "quota.yaml"),
        load_nlu_examples(),
        seed,
        draft_ids=make_draft(bot),
        logs=LogWatch([stack.log_dir / "actions.log", stack.log_dir / "rasa.log"]).start(),
    )
    only = [int(n) for n in os.environ.get("FUZZ_ONLY", "").split(",") if n.strip()]
    try:
        conversations = run.run(turns, workers=workers, progress=_progress, only=only)
    finally:
        bot.close()
    report = summary(conversations, seed)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    full = "\n\n".join([report, *(c.transcript() for c in conversations if c.violations)])
    REPORT.write_text(full + "\n", "utf-8")
    assert stack.is_alive("actions") and stack.is_alive("rasa"), "un service s'est arrêté"
    played = sum(len(c.exchanges) for c in conversations)
    assert only or played >= turns
    assert not any(c.violations for c in conversations), f"{report}\n(rapport : {REPORT})"
