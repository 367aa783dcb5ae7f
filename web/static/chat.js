/*
 * The web chat: sends the agent's messages to /api/chat and shows the assistant's turns.
 *
 * One bot turn (all the messages Rasa returns for one user message) is one block of the log: its
 * texts, its quick replies, its sources as expandable citations, its document links and the
 * 👍 / 👎 feedback. The conversation id is random, kept in sessionStorage (one per tab, not
 * personal data). Every request has an explicit timeout; a failure shows a French message
 * with a retry button that resends the same message.
 */
"use strict";

(function () {
  const CHAT_TIMEOUT_MS = 45000; // the API gives Rasa 30 s
  const FEEDBACK_TIMEOUT_MS = 10000;
  const STORAGE_KEY = "teletravail.conversation";
  const MAX_ANSWER_CHARS = 4000;
  const SHOWN_SOURCES = 3; // the others behind « Voir les N autres sources »
  const REASONS = [
    ["incorrect", "Réponse incorrecte"],
    ["incomplete", "Réponse incomplète"],
    ["source_manquante", "Source manquante"],
    ["autre", "Autre raison"],
  ];
  const DOCUMENT_FORMATS = [["docx", "DOCX (Word)"], ["pdf", "PDF"]];
  const { render, safeHref } = window.TeletravailMarkup;

  const list = document.getElementById("messages");
  const form = document.getElementById("formulaire");
  const input = document.getElementById("message");
  const sendButton = document.getElementById("envoyer");
  const typing = document.getElementById("ecriture");
  const errorBox = document.getElementById("erreur");
  const errorText = document.getElementById("erreur-texte");
  const retryButton = document.getElementById("reessayer");
  const newButton = document.getElementById("nouvelle-conversation");

  let pending = null; // {message, shown} being sent, resent by « Réessayer »
  let busy = false;
  let turnCount = 0;

  function randomId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    const bytes = new Uint8Array(16); // non-secure contexts lack randomUUID
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function conversationId() {
    let id = sessionStorage.getItem(STORAGE_KEY);
    if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      id = randomId();
      sessionStorage.setItem(STORAGE_KEY, id);
    }
    return id;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scrollToEnd() {
    list.scrollTop = list.scrollHeight;
  }

  /** POST JSON with a timeout; resolves to {ok, status, data}, rejects on network failure. */
  async function postJson(url, body, timeoutMs) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      let data = null;
      try {
        data = await response.json();
      } catch (error) {
        data = null;
      }
      return { ok: response.ok, status: response.status, data };
    } finally {
      clearTimeout(timer);
    }
  }

  function showError(message, canRetry) {
    errorText.textContent = message;
    retryButton.hidden = !canRetry;
    errorBox.hidden = false;
  }

  function hideError() {
    errorBox.hidden = true;
    errorText.textContent = "";
  }

  function addUserTurn(shown) {
    const item = element("div", "turn turn--user");
    item.append(element("p", "fr-sr-only", "Vous :"));
    item.append(element("p", "bubble bubble--user", shown));
    list.append(item);
    scrollToEnd();
  }

  /** The end of a section path (« I – … › 2 – La quotité » → « 2 – La quotité »), with its
   * parent when the last step alone says little (« Annexe 1 – … › Étape 1 »). */
  function shortSection(section) {
    const parts = String(section || "").split("›").map((part) => part.trim());
    const last = parts[parts.length - 1];
    return last.length < 20 && parts.length > 1 ? parts.slice(-2).join(" › ") : last;
  }

  function citation(source) {
    const details = element("details", "citation");
    const summary = element("summary", "citation__summary");
    summary.append(element("span", "citation__section",
      shortSection(source.section) || source.title || "Texte officiel"));
    summary.append(element("span", "citation__title fr-text--xs",
      source.title || source.doc_id || ""));
    details.append(summary);
    const meta = [];
    if (source.section) meta.push("Section : " + source.section);
    if (source.date) meta.push("Date : " + source.date);
    if (meta.length) details.append(element("p", "citation__meta fr-text--xs", meta.join(" — ")));
    if (source.excerpt) {
      const quote = element("blockquote", "citation__excerpt fr-text--sm");
      quote.append(render(source.excerpt));
      details.append(quote);
    }
    return details;
  }

  /** The distinct cited sections, in the order given (the payload may repeat a section). */
  function distinctSources(sources) {
    const seen = new Set();
    return sources.filter((source) => {
      if (!source || typeof source !== "object") return false;
      const key = `${source.doc_id}|${source.section}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  function sourcesBlock(allSources) {
    const sources = distinctSources(allSources);
    const block = element("div", "sources");
    block.append(element("p", "sources__title fr-text--sm", sources.length > 1
      ? `Sources citées (${sources.length})` : "Source citée"));
    sources.slice(0, SHOWN_SOURCES).forEach((source) => block.append(citation(source)));
    if (sources.length > SHOWN_SOURCES) {
      const more = element("details", "sources__more");
      more.append(element("summary", "fr-text--sm",
        `Voir les ${sources.length - SHOWN_SOURCES} autres sources`));
      sources.slice(SHOWN_SOURCES).forEach((source) => more.append(citation(source)));
      block.append(more);
    }
    return block;
  }

  function documentsBlock(documents) {
    const block = element("div", "documents");
    block.append(element("p", "documents__title fr-text--sm", "Vos documents"));
    const ul = element("ul", "documents__list");
    for (const [name, formats] of Object.entries(documents)) {
      if (!formats || typeof formats !== "object") continue;
      for (const [format, label] of DOCUMENT_FORMATS) {
        const href = safeHref(formats[format]);
        if (!href) continue;
        const li = element("li");
        const link = element("a", "fr-link fr-link--download", `Télécharger ${name} — ${label}`);
        link.href = href;
        link.setAttribute("download", "");
        li.append(link);
        ul.append(li);
      }
    }
    block.append(ul);
    return ul.children.length ? block : null;
  }

  function quickReplies(buttons) {
    const group = element("div", "quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Réponses proposées");
    for (const button of buttons) {
      if (!button || typeof button.title !== "string") continue;
      const payload = typeof button.payload === "string" ? button.payload : button.title;
      const node = element("button", "fr-btn fr-btn--sm fr-btn--secondary", button.title);
      node.type = "button";
      node.addEventListener("click", () => send(payload, button.title));
      group.append(node);
    }
    return group;
  }

  function feedbackBlock(record) {
    const box = element("div", "feedback");
    const id = `avis-${turnCount}`;
    const question = element("p", "feedback__question fr-text--xs", "Cette réponse vous a-t-elle aidé ?");
    question.id = id;
    const buttons = element("div", "feedback__buttons");
    buttons.setAttribute("role", "group");
    buttons.setAttribute("aria-labelledby", id);
    // 👍 / 👎 as the DSFR's thumb icons (icon-only buttons: the text is the accessible name).
    const up = element("button", "fr-btn fr-btn--sm fr-btn--tertiary fr-icon-thumb-up-line",
      "Oui, réponse utile");
    up.type = "button";
    up.title = "Oui, réponse utile";
    const down = element("button", "fr-btn fr-btn--sm fr-btn--tertiary fr-icon-thumb-down-line",
      "Non, réponse pas utile");
    down.type = "button";
    down.title = "Non, réponse pas utile";
    buttons.append(up, down);
    box.append(question, buttons);

    const status = element("p", "feedback__status fr-text--xs");
    status.setAttribute("role", "status");

    async function submit(rating, reason) {
      up.disabled = true;
      down.disabled = true;
      status.textContent = "Envoi de votre avis…";
      try {
        const result = await postJson("/api/feedback", {
          sender: conversationId(),
          rating,
          reason: reason || null,
          ...record,
        }, FEEDBACK_TIMEOUT_MS);
        if (result.ok) {
          status.textContent = "Merci pour votre avis.";
          reasons.hidden = true;
          return;
        }
        status.textContent = (result.data && typeof result.data.detail === "string")
          ? result.data.detail : "Votre avis n'a pas pu être enregistré.";
      } catch (error) {
        status.textContent = "Votre avis n'a pas pu être envoyé : le service ne répond pas.";
      }
      up.disabled = false;
      down.disabled = false;
    }

    const reasons = element("fieldset", "fr-fieldset feedback__reasons");
    reasons.hidden = true;
    const legend = element("legend", "fr-fieldset__legend fr-text--xs", "Pourquoi ? (facultatif)");
    reasons.append(legend);
    for (const [value, label] of REASONS) {
      const wrapper = element("div", "fr-fieldset__element fr-fieldset__element--inline");
      const radio = element("div", "fr-radio-group fr-radio-group--sm");
      const inputId = `${id}-${value}`;
      const option = element("input");
      option.type = "radio";
      option.name = `${id}-raison`;
      option.id = inputId;
      option.value = value;
      const optionLabel = element("label", "fr-label", label);
      optionLabel.htmlFor = inputId;
      radio.append(option, optionLabel);
      wrapper.append(radio);
      reasons.append(wrapper);
    }
    const confirm = element("button", "fr-btn fr-btn--sm", "Envoyer mon avis");
    confirm.type = "button";
    const confirmWrapper = element("div", "fr-fieldset__element");
    confirmWrapper.append(confirm);
    reasons.append(confirmWrapper);

    up.addEventListener("click", () => submit("up", null));
    down.addEventListener("click", () => {
      reasons.hidden = false;
      down.setAttribute("aria-expanded", "true");
      reasons.querySelector("input").focus();
    });
    down.setAttribute("aria-expanded", "false");
    confirm.addEventListener("click", () => {
      const chosen = reasons.querySelector("input:checked");
      submit("down", chosen ? chosen.value : null);
    });
    box.append(reasons, status);
    return box;
  }

  function isSourceLine(text) {
    return /^Sources?\s*:/.test(text.trim());
  }

  /**
   * The custom payload of one bot message, read field by field like the Python model it
   * mirrors (knowledge/payload.py, BotPayload): whatever is missing or malformed reads as
   * « nothing to show », never as an error.
   */
  function readPayload(message) {
    const custom = message && message.custom && typeof message.custom === "object"
      && !Array.isArray(message.custom) ? message.custom : {};
    const documents = custom.documents;
    return {
      abstained: custom.abstained === true,
      fallback: custom.fallback === true,
      sources: Array.isArray(custom.sources)
        ? custom.sources.filter((s) => s && typeof s === "object") : [],
      documents: documents && typeof documents === "object" && !Array.isArray(documents)
        ? documents : {},
      handoff: custom.handoff && Number.isInteger(custom.handoff.ticket)
        && custom.handoff.ticket >= 1 ? { ticket: custom.handoff.ticket } : null,
      intent: typeof custom.intent === "string" && custom.intent
        ? custom.intent.slice(0, 64) : null,
    };
  }

  /** Render one bot turn (Rasa's messages for one user message) as one block of the log. */
  function addBotTurn(messages, question) {
    turnCount += 1;
    const item = element("div", "turn turn--bot");
    item.append(element("p", "fr-sr-only", "L'assistant :"));
    const texts = [];
    const sources = [];
    let abstained = false;
    messages.forEach((message, index) => {
      if (!message || typeof message !== "object") return;
      const payload = readPayload(message);
      const nextHasSources = readPayload(messages[index + 1]).sources.length > 0;
      if (typeof message.text === "string" && message.text.trim()) {
        texts.push(message.text);
        // The « Source : » line is shown as the citation block that follows it.
        if (!((nextHasSources || payload.sources.length) && isSourceLine(message.text))) {
          const bubble = element("div", "bubble bubble--bot");
          bubble.append(render(message.text));
          item.append(bubble);
        }
      }
      if (payload.abstained) abstained = true;
      if (payload.sources.length) {
        sources.push(...payload.sources);
        item.append(sourcesBlock(payload.sources));
      }
      if (Object.keys(payload.documents).length) {
        const block = documentsBlock(payload.documents);
        if (block) item.append(block);
      }
      if (Array.isArray(message.buttons) && message.buttons.length) {
        item.append(quickReplies(message.buttons));
      }
    });
    if (!texts.length && !sources.length && item.children.length === 1) {
      item.append(element("p", "bubble bubble--bot", "(L'assistant n'a rien répondu.)"));
    }
    // Rated: answers from the texts or the rules (they cite sources) and abstentions; not
    // the questions of a form or small talk.
    if (texts.length && question && (sources.length || abstained)) {
      item.append(feedbackBlock({
        question,
        answer: texts.join("\n\n").slice(0, MAX_ANSWER_CHARS),
        sources: distinctSources(sources).map((s) => ({
          doc_id: String(s.doc_id || ""),
          title: String(s.title || ""),
          section: String(s.section || ""),
          date: String(s.date || ""),
        })).slice(0, 10),
      }));
    }
    list.append(item);
    // Read a long answer from its start: scroll the log to the top of the new turn.
    list.scrollTop = item.offsetTop - 8; // the log is the item's offsetParent (CSS)
  }

  function setBusy(value) {
    busy = value;
    typing.hidden = !value;
    sendButton.disabled = value;
    list.setAttribute("aria-busy", value ? "true" : "false");
  }

  /** Send a message (typed text or a quick reply's payload) and show the bot's turn. */
  async function send(message, shown, options = {}) {
    if (busy) return;
    hideError();
    pending = { message, shown, silent: Boolean(options.silent) };
    if (!options.silent && !options.retry) addUserTurn(shown);
    setBusy(true);
    try {
      const result = await postJson("/api/chat", { sender: conversationId(), message },
        CHAT_TIMEOUT_MS);
      if (result.ok && Array.isArray(result.data)) {
        pending = null;
        addBotTurn(result.data, options.silent ? null : message);
        return;
      }
      const detail = result.data && typeof result.data.detail === "string"
        ? result.data.detail : null;
      if (result.status >= 400 && result.status < 500) {
        pending = null;
        showError(detail || "Votre message n'a pas pu être envoyé.", false);
      } else {
        showError(detail || "L'assistant ne répond pas pour le moment. Réessayez dans quelques "
          + "instants.", true);
      }
    } catch (error) {
      const timedOut = error && error.name === "AbortError";
      showError(timedOut
        ? "L'assistant met trop de temps à répondre. Réessayez dans quelques instants."
        : "Le service ne répond pas : vérifiez votre connexion, puis réessayez.", true);
    } finally {
      setBusy(false);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      showError("Écrivez votre question avant d'envoyer.", false);
      input.focus();
      return;
    }
    if (busy) return;
    input.value = "";
    send(text, text);
    input.focus();
  });

  retryButton.addEventListener("click", () => {
    if (!pending) return;
    send(pending.message, pending.shown, { retry: true, silent: pending.silent });
  });

  newButton.addEventListener("click", () => {
    sessionStorage.setItem(STORAGE_KEY, randomId());
    list.replaceChildren();
    hideError();
    pending = null;
    send("/greet", "", { silent: true });
    input.focus();
  });

  send("/greet", "", { silent: true });
})();
