/*
 * The référent's answers in the web chat, without a reload.
 *
 * Once the assistant has created a hand-off ticket in this tab (its message « votre demande
 * n° … »), the page asks GET /api/chat/<conversation>/referent-replies every 10 seconds
 * while it is visible (and at once when it becomes visible again). Each answer comes once
 * and is shown in the log, marked « Réponse du référent télétravail » : a person's answer,
 * not an extract of the texts. Polling rather than a socket: the API stays stateless and
 * works behind any proxy; the request is one indexed query.
 */
"use strict";

(function () {
  const STORAGE_KEY = "teletravail.conversation"; // chat.js's conversation id
  const PENDING_KEY = "teletravail.referent-pending";
  const POLL_MS = 10000;
  const TIMEOUT_MS = 8000;
  const TICKET_MARK = /votre demande n° \d+/;

  const list = document.getElementById("messages");
  const newButton = document.getElementById("nouvelle-conversation");
  if (!list) return;
  let timer = null;

  function conversation() {
    const id = sessionStorage.getItem(STORAGE_KEY) || "";
    return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : "";
  }

  function show(reply) {
    const item = document.createElement("div");
    item.className = "turn turn--bot turn--referent";
    const who = document.createElement("p");
    who.className = "fr-sr-only";
    who.textContent = "Le référent :";
    const bubble = document.createElement("div");
    bubble.className = "bubble bubble--bot bubble--referent";
    const label = document.createElement("p");
    label.className = "fr-text--bold fr-mb-1w";
    label.textContent = `${reply.label} (demande n° ${reply.ticket})`;
    bubble.append(label);
    String(reply.text || "").split(/\n{2,}/).forEach((paragraph) => {
      const p = document.createElement("p");
      p.textContent = paragraph; // never HTML: the answer is shown as typed
      bubble.append(p);
    });
    item.append(who, bubble);
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  async function poll() {
    const id = conversation();
    if (!id || document.visibilityState === "hidden") return;
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await fetch(`/api/chat/${encodeURIComponent(id)}/referent-replies`, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const data = await response.json();
      (Array.isArray(data.replies) ? data.replies : []).forEach(show);
    } catch (error) {
      // Offline or slow: the next round asks again; nothing is lost (not marked delivered).
    } finally {
      clearTimeout(timeout);
    }
  }

  function start() {
    sessionStorage.setItem(PENDING_KEY, "1");
    if (timer === null) {
      timer = setInterval(poll, POLL_MS);
      poll();
    }
  }

  new MutationObserver((changes) => {
    if (timer !== null) return;
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.textContent && TICKET_MARK.test(node.textContent)) {
          start();
          return;
        }
      }
    }
  }).observe(list, { childList: true });

  document.addEventListener("visibilitychange", () => {
    if (timer !== null && document.visibilityState === "visible") poll();
  });
  if (newButton) {
    newButton.addEventListener("click", () => sessionStorage.removeItem(PENDING_KEY));
  }
  if (sessionStorage.getItem(PENDING_KEY) === "1") start();
})();
