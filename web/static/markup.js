/*
 * Safe rendering of the assistant's text: DOM nodes built with textContent, never innerHTML.
 *
 * The bot's answers quote official texts and may echo what the user typed, so nothing in them
 * is ever parsed as HTML. A tiny Markdown subset is recognised: **bold**, list lines
 * (« - », « * », « • », « 1. ») and [links](url) whose address is http(s) or relative to this
 * site; anything else is shown as plain text.
 */
"use strict";

(function () {
  const LIST_ITEM = /^\s*(?:[-*•]|\d+[.)])\s+(.*)$/;
  const INLINE = /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

  /** The address if it is http(s) or same-site relative, else null (javascript:, data:…). */
  function safeHref(value) {
    if (typeof value !== "string") return null;
    const href = value.trim();
    if (href.startsWith("/") && !href.startsWith("//")) return href;
    try {
      const url = new URL(href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  /** Append the inline content of one line (bold, links, text) to a parent element. */
  function appendInline(parent, line) {
    let last = 0;
    for (const match of line.matchAll(INLINE)) {
      if (match.index > last) parent.append(line.slice(last, match.index));
      if (match[1] !== undefined) {
        const strong = document.createElement("strong");
        strong.textContent = match[1];
        parent.append(strong);
      } else {
        const href = safeHref(match[3]);
        if (href) {
          const link = document.createElement("a");
          link.href = href;
          link.textContent = match[2];
          if (!href.startsWith("/")) {
            link.target = "_blank";
            link.rel = "noopener noreferrer";
            link.title = match[2] + " — nouvelle fenêtre";
          }
          parent.append(link);
        } else {
          parent.append(match[0]);
        }
      }
      last = match.index + match[0].length;
    }
    if (last < line.length) parent.append(line.slice(last));
  }

  /** A fragment for a bot text: paragraphs (lines kept), lists, bold and safe links. */
  function render(text) {
    const fragment = document.createDocumentFragment();
    let paragraph = null;
    let list = null;
    for (const line of String(text).split("\n")) {
      const item = line.match(LIST_ITEM);
      if (item) {
        paragraph = null;
        if (!list) {
          list = document.createElement("ul");
          fragment.append(list);
        }
        const li = document.createElement("li");
        appendInline(li, item[1]);
        list.append(li);
      } else if (line.trim() === "") {
        paragraph = null;
        list = null;
      } else {
        list = null;
        if (paragraph) {
          paragraph.append(document.createElement("br"));
        } else {
          paragraph = document.createElement("p");
          fragment.append(paragraph);
        }
        appendInline(paragraph, line);
      }
    }
    return fragment;
  }

  window.TeletravailMarkup = { render, safeHref };
})();
