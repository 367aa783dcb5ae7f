"""Pure parts of the Tchap bot: formatting, settings, store, conversation ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tchap.config import TchapSettings, server_name
from tchap.formatting import NO_ANSWER, notice, render, strip_reply_fallback
from tchap.rasa import conversation_id
from tchap.store import BotStore, Session

pytestmark = pytest.mark.unit
AGENT = "@camille.martin-finances.gouv.fr:agent.finances.tchap.gouv.fr"


def test_render_joins_texts_numbers_buttons_and_escapes_html() -> None:
    message = render(
        [
            {"text": "Réponse <b>2 jours</b> & plus\nSource : Instruction (21/11/2019)."},
            {
                "text": "Voulez-vous calculer ?",
                "buttons": [
                    {"title": "Calculer mes jours", "payload": "/start_quota"},
                    {"title": "Non merci", "payload": "/deny"},
                ],
            },
        ]
    )
    assert message.body == (
        "Réponse <b>2 jours</b> & plus\nSource : Instruction (21/11/2019).\n\n"
        "Voulez-vous calculer ?\n1. Calculer mes jours\n2. Non merci"
    )
    assert message.formatted_body == (
        "<p>Réponse &lt;b&gt;2 jours&lt;/b&gt; &amp; plus<br>Source : Instruction (21/11/2019).</p>"
        "<p>Voulez-vous calculer ?<br>1. Calculer mes jours<br>2. Non merci</p>"
    )
    content = message.content()
    assert content["msgtype"] == "m.text" and content["format"] == "org.matrix.custom.html"


def test_render_lists_draft_documents_and_never_sends_an_empty_message() -> None:
    documents = {"documents": {"annexe-1": {"docx": "http://x/a.docx", "pdf": "http://x/a.pdf"}}}
    assert (
        "annexe-1 — DOCX : http://x/a.docx, PDF : http://x/a.pdf"
        in render([{"custom": documents}]).body
    )
    assert render([]).body == NO_ANSWER
    assert render([{"custom": {"sources": []}}]).body == NO_ANSWER


def test_notice_is_an_m_notice() -> None:
    assert notice("a\nb").content()["msgtype"] == "m.notice"
    assert notice("a\nb").formatted_body == "<p>a<br>b</p>"


def test_reply_fallback_is_stripped() -> None:
    body = "> <@bot:serveur> Quelle est votre quotité ?\n> 1. Temps plein\n\n80 %"
    assert strip_reply_fallback(body) == "80 %"
    assert strip_reply_fallback("80 %") == "80 %"


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCHAP_HOMESERVER", "https://matrix.agent.finances.tchap.gouv.fr/")
    monkeypatch.setenv("TCHAP_BOT_USER", "@assistant:agent.finances.tchap.gouv.fr")
    monkeypatch.setenv("TCHAP_BOT_PASSWORD", "secret")
    monkeypatch.setenv(
        "TCHAP_ALLOWED_DOMAINS", "agent.finances.tchap.gouv.fr, Agent.Interieur.Tchap.Gouv.Fr"
    )
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:5005/")
    monkeypatch.delenv("TCHAP_STORE_DIR", raising=False)
    settings = TchapSettings()  # type: ignore[call-arg]
    assert settings.homeserver == "https://matrix.agent.finances.tchap.gouv.fr"
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.store_dir == Path("var/tchap")
    assert settings.serves(AGENT)
    assert settings.serves("@x:agent.interieur.tchap.gouv.fr")
    assert not settings.serves("@x:e.tchap.gouv.fr")  # external accounts
    assert not settings.serves("@x:finances.tchap.gouv.fr")  # no sub-domain matching
    assert server_name(AGENT) == "agent.finances.tchap.gouv.fr"


def test_settings_refuse_a_partial_user_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCHAP_HOMESERVER", "https://matrix.example")
    monkeypatch.setenv("TCHAP_BOT_USER", "assistant")
    monkeypatch.setenv("TCHAP_BOT_PASSWORD", "secret")
    with pytest.raises(ValidationError, match="identifiant complet"):
        TchapSettings()  # type: ignore[call-arg]


def test_conversation_id_is_keyed_stable_and_fits_the_api_pattern() -> None:
    first = conversation_id("secret", AGENT, "!room:server")
    assert first == conversation_id("secret", AGENT, "!room:server")
    assert first != conversation_id("secret", AGENT, "!other:server")
    assert first != conversation_id("other-secret", AGENT, "!room:server")
    assert first.startswith("tchap-") and len(first) == 46 and "camille" not in first


def test_store_keeps_session_secret_and_handled_events(tmp_path: Path) -> None:
    store = BotStore(tmp_path / "tchap")
    assert store.load_session("@bot:s") is None
    store.save_session(Session("@bot:s", "DEVICE", "token"))
    assert (tmp_path / "tchap" / "session.json").stat().st_mode & 0o077 == 0
    assert store.claim_event("$event")
    assert not store.claim_event("$event")
    secret = store.secret("conversation-id")
    store.close()
    reopened = BotStore(tmp_path / "tchap")
    assert reopened.load_session("@bot:s") == Session("@bot:s", "DEVICE", "token")
    assert reopened.load_session("@other:s") is None
    assert not reopened.claim_event("$event")  # a restart never handles it again
    assert reopened.secret("conversation-id") == secret
    reopened.forget_session()
    assert reopened.load_session("@bot:s") is None
    reopened.close()


def test_thread_root_shows_number_question_context_and_how_to_answer() -> None:
    from types import SimpleNamespace

    from tchap.handoff import HELP_LINE, thread_root

    ticket = SimpleNamespace(
        id=7,
        channel="web",
        question="Et <le> samedi ?",
        intent="ask_rights",
        sources=[{"doc_id": "pndtt-plan-national", "section": "2.1"}],
        turns=[{"who": "agent", "text": "Et <le> samedi ?"}, {"who": "bot", "text": "x " * 300}],
    )
    message = thread_root(ticket)
    lines = message.body.split("\n")
    assert lines[0] == "Demande n° 7 (chat web) : « Et <le> samedi ? »"
    assert "Sources consultées : pndtt-plan-national › 2.1" in lines
    assert lines[-1] == HELP_LINE
    assert len(max(lines, key=len)) <= max(len(HELP_LINE), 220)
    assert "&lt;le&gt;" in message.formatted_body and "<le>" not in message.formatted_body


def test_replies_in_thread_or_to_the_root_and_commands() -> None:
    from tchap.handoff import command_of, in_thread, relayed_answer, root_of

    assert root_of({"m.relates_to": {"rel_type": "m.thread", "event_id": "$root"}}) == "$root"
    assert root_of({"m.relates_to": {"m.in_reply_to": {"event_id": "$root"}}}) == "$root"
    assert root_of({"body": "hors fil"}) is None
    content = in_thread(notice("Demande n° 7 close."), "$root")
    assert content["m.relates_to"]["rel_type"] == "m.thread"
    assert root_of(content) == "$root"
    assert command_of(" !Clore ") == "close" and command_of("!publier") == "publish"
    assert command_of("!clore la demande") is None and command_of("oui") is None
    assert (
        relayed_answer(7, " Oui. ").body
        == "Réponse du référent télétravail (demande n° 7) :\n\nOui."
    )


def test_store_remembers_the_room_of_a_conversation(tmp_path: Path) -> None:
    store = BotStore(tmp_path)
    assert store.room_of("tchap-1") is None
    store.remember_room("tchap-1", "!a:server")
    store.remember_room("tchap-1", "!b:server")
    assert store.room_of("tchap-1") == "!b:server"
    store.close()
    assert BotStore(tmp_path).room_of("tchap-1") == "!b:server"
