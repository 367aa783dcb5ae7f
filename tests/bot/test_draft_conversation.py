"""A whole request conversation through the real Rasa REST webhook, ending with a DOCX.

Real processes (cli.stack.LocalStack): the action server, the Rasa server with the trained
model, and the API, on ports of their own (another run may use the default ones), with a
database and a drafts folder of this test. The DOCX is downloaded from the API by the link
the bot sent, and must hold what was typed.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from docx import Document

from cli.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PORTS = {"actions_port": 35055, "rasa_port": 35005, "api_port": 38000}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    root: Path = tmp_path_factory.mktemp("draft-stack")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", f"sqlite:///{root / 'stack.db'}")
        patch.setenv("TELETRAVAIL_DRAFTS_DIR", str(root / "drafts"))
        patch.setenv("TELETRAVAIL_PUBLIC_URL", f"http://127.0.0.1:{PORTS['api_port']}")
        patch.setenv("TELETRAVAIL_WARMUP", "0")
        with LocalStack(**PORTS) as running:
            yield running


class Chat:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.sender = uuid.uuid4().hex

    def say(self, text: str) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{self.stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
            timeout=120,
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()
        return messages


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def test_conversation_ends_with_a_docx_holding_what_was_typed(stack: LocalStack) -> None:
    chat = Chat(stack)
    first = text_of(chat.say("aide-moi à remplir ma demande de télétravail"))
    assert "annexe 1" in first and "Votre nom ?" in first
    assert "Votre prénom" in text_of(chat.say("Lefèvre"))
    assert "corps" in text_of(chat.say("Gaëlle"))
    chat.say("Attachée d'administration de l'État")
    chat.say("DRAAF Occitanie, service régional de l'alimentation")
    assert "missions" in text_of(chat.say("Chargée de mission plans de contrôle"))
    chat.say("Rédaction des plans de contrôle, 60 %, 90 % ; Réunions, 40 %, 50 %")
    assert "quotité" in text_of(chat.say("Réduire mes trajets de 1 h 30 par jour"))
    # Two values in one message, over the maximum: the medical question comes first…
    over = text_of(chat.say("je suis à 80 % et je voudrais le mardi, le mercredi et le jeudi"))
    assert "le maximum est de 2 jours par semaine" in over and "médecin de prévention" in over
    # … and without the medical « oui », the maximum is said and the days asked again.
    again = text_of(chat.say("non"))
    assert "2 jours par semaine" in again and "Quels jours" in again
    assert "Où télétravaillerez-vous" in text_of(chat.say("mardi et jeudi"))
    chat.say("Domicile, 12 rue des Acacias, Toulouse")
    chat.say("45 minutes")
    start = text_of(chat.say("15 mars 2031"))
    assert "1er avril 2031" in start
    chat.say("oui")  # internet
    summary = text_of(chat.say("non"))  # chorus → summary
    assert "Récapitulatif" in summary and "Lefèvre" in summary and "80 %" in summary
    corrected = text_of(chat.say("corriger le temps de trajet : 50 minutes"))
    assert "corrigé" in corrected and "50 minutes" in corrected
    final = chat.say("oui")
    final_text = text_of(final)
    assert "Vos documents sont prêts" in final_text
    payloads = [m["custom"] for m in final if isinstance(m.get("custom"), dict)]
    documents = next(p["documents"] for p in payloads if "documents" in p)
    assert set(documents) == {"annexe-1", "annexe-2"}
    assert set(documents["annexe-1"]) == {"docx", "pdf"}
    docx_url = f"{stack.api_url}{documents['annexe-1']['docx']}"
    assert docx_url in final_text  # the text carries the same link
    response = httpx.get(docx_url, timeout=30)
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    body = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    for typed in (
        "Lefèvre",
        "Gaëlle",
        "Attachée d'administration de l'État",
        "Rédaction des plans de contrôle",
        "Réduire mes trajets de 1 h 30 par jour",
        "mardi, jeudi (base hebdomadaire)",
        "Domicile, 12 rue des Acacias, Toulouse",
        "50 minutes",
        "01/04/2031",
    ):
        assert typed in body, typed

    # The manager, with the link the agent forwarded, gets the acte individuel (annex 4).
    manager = Chat(stack)
    opened = text_of(manager.say(f"prépare l'acte individuel pour {docx_url}"))
    assert "accord" in opened and "refus" in opened
    manager.say("accord")
    manager.say("comme demandé")
    assert "plages fixes" in text_of(manager.say("2 mois"))
    manager.say("9 h 30 - 12 h et 14 h - 16 h 30")
    decided = manager.say("lundi, mercredi et vendredi")
    act = next(p["documents"] for m in decided if isinstance(p := m.get("custom"), dict))
    act_docx = httpx.get(f"{stack.api_url}{act['annexe-4']['docx']}", timeout=30)
    act_text = " ".join(p.text for p in Document(io.BytesIO(act_docx.content)).paragraphs)
    assert "A compter du 01/04/2031 et jusqu'au 31/03/2032" in act_text
    assert "période d'adaptation de 2 mois" in act_text
    assert "de 09:30 à 12:00 et de 14:00 à 16:30" in act_text
    assert "les lundi, mercredi, vendredi" in act_text
    # And a refusal names the recourse.
    refusal = Chat(stack)
    asked = text_of(refusal.say(f"génère la lettre de refus pour {docx_url}"))
    assert "motifs" in asked  # « refus » was in the first message
    refusal.say("Les missions d'accueil du public occupent l'essentiel du poste.")
    letter = refusal.say("fonctionnaire")
    links = next(p["documents"] for m in letter if isinstance(p := m.get("custom"), dict))
    pdf = httpx.get(f"{stack.api_url}{links['refus']['pdf']}", timeout=30)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"


def test_conversation_can_be_cancelled(stack: LocalStack) -> None:
    chat = Chat(stack)
    chat.say("prépare ma demande de tt")
    chat.say("Lefèvre")
    cancelled = text_of(chat.say("annuler"))
    assert "rien n'a été enregistré" in cancelled
    assert "Votre prénom" not in text_of(chat.say("bonjour"))
