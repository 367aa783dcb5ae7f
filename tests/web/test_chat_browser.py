"""The web chat in Debian's Chromium, against the real API + Rasa + action server.

Each test opens a fresh browser context (its own sessionStorage, hence its own conversation)
and acts as an agent would: typing, pressing Enter, clicking or tabbing to the quick replies,
opening the citations, rating an answer. Screenshots (desktop 1280 px, phone 375 px) are
saved under var/screenshots/ for review.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.web.conftest import AXE_SCRIPT, DESKTOP, MOBILE, REFERENT_TOKEN, ROOT, WebStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ANSWER_TIMEOUT_MS = 60_000
QUOTA_QUESTION = "combien de jours de télétravail à 80 % ?"
XSS_PAYLOADS = ["<img src=x onerror=alert(1)>", "<svg onload=alert(1)>"]
SERIOUS = ("serious", "critical")


class Chat:
    """A page of the web chat, with what the browser reported."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str) -> Chat:
        self.page.goto(url)
        self.wait_for_turns(1)  # the greeting
        return self

    @property
    def bot_turns(self) -> Any:
        return self.page.locator("#messages .turn--bot")

    def wait_for_turns(self, count: int) -> Any:
        self.page.wait_for_function(
            "n => document.querySelectorAll('#messages .turn--bot').length >= n",
            arg=count,
            timeout=ANSWER_TIMEOUT_MS,
        )
        self.page.wait_for_selector("#ecriture", state="hidden", timeout=ANSWER_TIMEOUT_MS)
        return self.bot_turns.nth(count - 1)

    def ask(self, text: str) -> Any:
        """Type a message, press Enter, return the bot turn that answers it."""
        before = self.bot_turns.count()
        self.page.fill("#message", text)
        self.page.press("#message", "Enter")
        return self.wait_for_turns(before + 1)


@pytest.fixture
def chat(web: WebStack, browser: Any) -> Iterator[Chat]:
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    yield Chat(context.new_page())
    context.close()


def referent_csv(web: WebStack, name: str) -> list[list[str]]:
    response = httpx.get(
        f"{web.url}/referent/export/{name}.csv",
        headers={"Authorization": f"Bearer {REFERENT_TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200
    import csv
    import io

    return list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))


def test_page_is_a_french_dsfr_page_served_without_cdn(web: WebStack, chat: Chat) -> None:
    chat.open(web.url)
    page = chat.page
    assert page.get_attribute("html", "lang") == "fr"
    assert "République" in (page.text_content(".fr-header .fr-logo") or "")
    assert page.inner_text(".fr-header__service-title") == "Assistant télétravail"
    assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.get_attribute("#messages", "aria-live") == "polite"
    assert page.inner_text("label[for=message]").startswith("Votre question")
    assert "informations médicales" in page.inner_text("#donnees")
    assert all(url.startswith(web.url) for url in chat.requests), chat.requests
    assert chat.errors == []


def test_quota_question_shows_the_answer_and_its_source(web: WebStack, chat: Chat) -> None:
    chat.open(web.url)
    turn = chat.ask(QUOTA_QUESTION)
    assert "2 jours" in turn.inner_text()
    citation = turn.locator("details.citation").first
    assert citation.get_attribute("open") is None
    citation.locator("summary").click()
    assert citation.get_attribute("open") is not None
    assert citation.locator(".citation__excerpt").is_visible()
    assert "Section :" in citation.inner_text()
    assert chat.page.locator(".turn--user .bubble").last.inner_text() == QUOTA_QUESTION


def test_quick_reply_sends_its_payload_and_shows_its_title(web: WebStack, chat: Chat) -> None:
    chat.open(web.url)
    first = chat.bot_turns.nth(0).locator(".quick-replies button").first
    title = first.inner_text()
    first.click()
    turn = chat.wait_for_turns(2)
    assert chat.page.locator(".turn--user .bubble").last.inner_text() == title
    assert turn.inner_text().strip()


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markup_in_a_message_is_shown_as_text_and_runs_nothing(
    web: WebStack, chat: Chat, payload: str
) -> None:
    chat.open(web.url)
    chat.page.evaluate("window.__ran = false")
    chat.ask(payload)
    chat.page.wait_for_timeout(500)
    assert chat.page.locator(".turn--user .bubble").last.inner_text() == payload
    assert chat.page.locator("#messages img, #messages svg").count() == 0
    assert chat.dialogs == []
    assert chat.errors == []


def test_bot_text_rendering_keeps_only_safe_markup(web: WebStack, chat: Chat) -> None:
    chat.open(web.url)
    rendered = chat.page.evaluate(
        """() => {
        const box = document.createElement('div');
        box.append(window.TeletravailMarkup.render(
          '**<b>gras</b>** [texte](javascript:alert(1)) [ok](https://www.fonction-publique.gouv.fr)'
          + ' [relatif](/docs)\\n- un\\n- <img src=x onerror=alert(1)>'));
        return {
          strong: box.querySelector('strong').textContent,
          links: [...box.querySelectorAll('a')].map(a => a.getAttribute('href')),
          items: [...box.querySelectorAll('li')].map(li => li.textContent),
          elements: box.querySelectorAll('b, img, script').length,
        };
      }"""
    )
    assert rendered == {
        "strong": "<b>gras</b>",
        "links": ["https://www.fonction-publique.gouv.fr/", "/docs"],
        "items": ["un", "<img src=x onerror=alert(1)>"],
        "elements": 0,
    }


def _tab_to(page: Any, predicate: str, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches a JS predicate."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"focus jamais atteint : {predicate}")


def test_whole_flow_with_the_keyboard_alone(web: WebStack, chat: Chat) -> None:
    chat.open(web.url)
    page = chat.page
    _tab_to(page, "el.id === 'message'")
    page.keyboard.type(QUOTA_QUESTION)
    page.keyboard.press("Enter")
    turn = chat.wait_for_turns(2)
    assert "2 jours" in turn.inner_text()
    # Back into the answer: the citation opens with Enter.
    _tab_to(page, "el.tagName === 'SUMMARY'", backwards=True)
    page.keyboard.press("Enter")
    assert turn.locator("details.citation[open]").count() == 1
    # 👎, a reason chosen with the arrows, then « Envoyer mon avis ».
    _tab_to(page, "el.title === 'Non, réponse pas utile'")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.value") == "incorrect"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    _tab_to(page, "el.textContent === 'Envoyer mon avis'")
    page.keyboard.press("Enter")
    status = turn.locator(".feedback__status")
    status.filter(has_text="Merci").wait_for(timeout=10_000)
    # A quick reply of the greeting, by keyboard too.
    _tab_to(
        page,
        "el.closest('.quick-replies') !== null"
        " && el.closest('.turn') === document.querySelector('#messages .turn--bot')",
        backwards=True,
    )
    page.keyboard.press("Enter")
    chat.wait_for_turns(3)
    assert chat.errors == []
    [header, *rows] = referent_csv(web, "avis")
    mine = [row for row in rows if row[header.index("question")] == QUOTA_QUESTION]
    assert mine, rows
    row = dict(zip(header, mine[0], strict=True))
    assert (row["avis"], row["raison"]) == ("pas utile", "incomplete")
    assert row["intention"] == "ask_quota"
    assert "maa-instruction-2019-781" in row["sources"]
    assert "2 jours" in row["reponse"]


def test_unanswered_question_reaches_the_referent_page(
    web: WebStack, chat: Chat, browser: Any, screenshots: Path
) -> None:
    chat.open(web.url)
    question = "Puis-je faire du télétravail depuis une station spatiale en orbite ?"
    turn = chat.ask(question)
    assert turn.locator("details.citation").count() == 0
    # Stored just after the reply has gone (a background task): allow it a few seconds.
    for _ in range(50):
        [header, *rows] = referent_csv(web, "questions-sans-reponse")
        if [question] in [[row[header.index("question")]] for row in rows]:
            break
        time.sleep(0.1)
    assert [question] in [[row[header.index("question")]] for row in rows], rows
    # The référent logs in with the token and sees it.
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{web.url}/referent")
    page.fill("#jeton", "mauvais")
    page.press("#jeton", "Enter")
    assert "incorrect" in page.inner_text("[role=alert]")
    page.fill("#jeton", REFERENT_TOKEN)
    page.press("#jeton", "Enter")
    page.wait_for_selector("#sans-reponse")
    assert question in page.inner_text("main")
    page.screenshot(path=str(screenshots / "referent-desktop.png"), full_page=True)
    violations = run_axe(page)
    (screenshots / "axe-referent.json").write_text(
        json.dumps(violations, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    context.close()
    assert serious(violations) == [], json.dumps(serious(violations), ensure_ascii=False)


def test_backend_down_shows_a_french_error_with_retry(web: WebStack, chat: Chat) -> None:
    page = chat.page
    page.goto(web.down_url)
    error = page.locator("#erreur")
    error.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    assert "ne répond pas" in error.inner_text()
    page.fill("#message", "bonjour")
    page.press("#message", "Enter")
    page.wait_for_selector("#ecriture", state="hidden")
    assert page.locator(".turn--user").count() == 1
    page.click("#reessayer")
    page.wait_for_selector("#ecriture", state="hidden")
    assert page.locator(".turn--user").count() == 1  # the retry does not duplicate it
    assert error.is_visible() and "Réessayer" in error.inner_text()


def test_new_conversation_gets_a_new_random_id(web: WebStack, chat: Chat) -> None:
    chat.open(web.url)
    chat.ask(QUOTA_QUESTION)
    before = chat.page.evaluate("sessionStorage.getItem('teletravail.conversation')")
    chat.page.click("#nouvelle-conversation")
    chat.wait_for_turns(1)
    after = chat.page.evaluate("sessionStorage.getItem('teletravail.conversation')")
    assert before and after and before != after
    assert chat.page.locator(".turn--user").count() == 0


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result
    ]


def serious(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in SERIOUS]


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("mobile", MOBILE)])
def test_accessibility_and_screenshots(
    web: WebStack, browser: Any, screenshots: Path, name: str, viewport: dict[str, int]
) -> None:
    # bypass_csp: axe-core is injected as an inline script, which the page's CSP refuses.
    context = browser.new_context(
        viewport=viewport, locale="fr-FR", bypass_csp=True, is_mobile=name == "mobile"
    )
    chat = Chat(context.new_page()).open(web.url)
    turn = chat.ask(QUOTA_QUESTION)
    turn.locator("details.citation summary").first.click()
    turn.get_by_title("Non, réponse pas utile").click()
    width = chat.page.evaluate("document.documentElement.scrollWidth")
    chat.page.screenshot(path=str(screenshots / f"chat-{name}.png"), full_page=True)
    # The full-page capture scrolls the log back to its top: show the end of the answer
    # (citations, feedback) in a capture of the panel.
    chat.page.evaluate("document.getElementById('messages').scrollTop = 1e6")
    chat.page.locator(".chat").screenshot(path=str(screenshots / f"chat-{name}-panel.png"))
    violations = run_axe(chat.page)
    (screenshots / f"axe-{name}.json").write_text(
        json.dumps(violations, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    context.close()
    assert width <= viewport["width"], "la page déborde horizontalement"
    assert serious(violations) == [], json.dumps(serious(violations), ensure_ascii=False)


def _draft_form() -> str | None:
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    forms = domain.get("forms") or {}
    return next((name for name in forms if "draft" in name), None)


# The answers of tests/bot/test_draft_conversation.py, typed in the page this time.
DRAFT_ANSWERS = [
    "Lefèvre",
    "Gaëlle",
    "Attachée d'administration de l'État",
    "DRAAF Occitanie, service régional de l'alimentation",
    "Chargée de mission plans de contrôle",
    "Rédaction des plans de contrôle, 60 %, 90 % ; Réunions, 40 %, 50 %",
    "Réduire mes trajets de 1 h 30 par jour",
    "je suis à 80 % et je voudrais le mardi et le jeudi",
    "Domicile, 12 rue des Acacias, Toulouse",
    "45 minutes",
    "15 mars 2031",
    "oui",  # internet
    "non",  # medical
    "non",  # chorus
    "non",
]


def test_draft_conversation_ends_with_a_docx_download(
    web: WebStack, chat: Chat, tmp_path: Path
) -> None:
    if _draft_form() is None:
        pytest.skip(
            "le formulaire de brouillon (request_draft) n'existe pas encore dans bot/domain.yml"
        )
    from docx import Document

    chat.open(web.url)
    first = chat.ask("aide-moi à remplir ma demande de télétravail")
    assert "Votre nom" in first.inner_text()
    turn = first
    for answer in DRAFT_ANSWERS:
        turn = chat.ask(answer)
        if "Récapitulatif" in turn.inner_text():
            break
    assert "Récapitulatif" in turn.inner_text(), turn.inner_text()
    final = chat.ask("oui")
    link = final.locator(".documents a", has_text="DOCX").first
    assert link.is_visible(), final.inner_text()
    with chat.page.expect_download() as download_info:
        link.click()
    saved = tmp_path / "annexe-1.docx"
    download_info.value.save_as(saved)
    document = Document(str(saved))
    body = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    assert "Lefèvre" in body and "Gaëlle" in body
    assert chat.errors == []
