"""The words of the text behind a computed answer, quoted with it.

A computation states a figure (« 1 jour par semaine », « date d'effet : 14 décembre »); the
agent should also read the sentence or the table row it applies, verbatim, so that the
answer can be checked against the text and a misread input is visible. Every rule of the data
carries its verbatim quotes (``rules/data/*.yaml``, checked against the texts by
``tests/rules/test_rules_data.py``); this module picks the ones a reply shows: the quotes of
the rule applied that share the most words with the agent's message, within a few lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from knowledge.analysis import fold
from rules.formatting import fr_number
from rules.models import Citation, load_rules
from rules.quota import QuotaResult

# A phone screen holds the computed answer and this much of the text.
MAX_EXTRACT_CHARS = 480
_WORD = re.compile(r"[0-9a-z]+")
# Words of four letters or more, compared by their first five: « modifier » meets
# « modification », « prévenir » meets « prévenance ».
_PREFIX = 5
_COMMON = frozenset({"dans", "pour", "avec", "sont", "etre", "cette", "celle", "leur", "plus"})


def _stems(text: str) -> set[str]:
    return {
        word[:_PREFIX]
        for word in _WORD.findall(fold(text))
        if len(word) >= 4 and word not in _COMMON
    }


# Agents name the administration's side by the person who acts for it: « mon chef arrête
# mon tt » asks for the sentence on the administration's decision, not the agent's request.
_ADMINISTRATION_SIDE = re.compile(
    r"\b(chef|cheffe|n ?\+ ?1|n1|hierarchi\w*|superieur|employeur|direction|directeur|"
    r"directrice|manager|responsable|administration|admin)\b"
)


# What the administration's own sentences say of it, added to such a message's words.
_ADMINISTRATION_STEMS = frozenset(_stems("décision motivée à l'initiative de l'administration"))


def names_administration(message: str) -> bool:
    """Whether the message speaks of the administration's side (« mon chef », « mon n+1 »)."""
    return _ADMINISTRATION_SIDE.search(fold(message)) is not None


def _message_stems(message: str) -> set[str]:
    words = _stems(message)
    if names_administration(message):
        words |= _ADMINISTRATION_STEMS
    return words


def relevant_quotes(citations: Sequence[Citation], message: str, count: int = 1) -> list[str]:
    """The ``count`` distinct quotes sharing the most words with the message, data order on ties."""
    words = _message_stems(message)
    quotes = list(dict.fromkeys(citation.quote for citation in citations))
    ranked = sorted(enumerate(quotes), key=lambda item: (-len(words & _stems(item[1])), item[0]))
    return [quote for _, quote in ranked[:count]]


def render_extract(quotes: Sequence[str], limit: int = MAX_EXTRACT_CHARS) -> str:
    """« Ce que dit le texte : « … » » with the quotes that fit (the first one always)."""
    shown: list[str] = []
    length = 0
    for quote in quotes:
        text = quote.strip()
        if shown and length + len(text) > limit:
            break
        shown.append(f"« {text} »")
        length += len(text)
    if not shown:
        return ""
    return "Ce que dit le texte : " + " ".join(shown)


@lru_cache(maxsize=1)
def _instruction_table() -> tuple[str, str, dict[str, str]]:
    """Header, rule line and rows (by quotité) of the part-time table, as the text prints them."""
    from knowledge.corpus import get_document

    doc_id = load_rules().quota.part_time_table.sources[0].doc_id
    lines = [line.strip() for line in get_document(doc_id).body.splitlines()]
    header_quote = load_rules().quota.full_time_days_per_week.sources[0].quote
    start = next(i for i, line in enumerate(lines) if line.startswith("|") and header_quote in line)
    rows: dict[str, str] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows[line.strip("|").split("|")[0].strip()] = line
    return lines[start], lines[start + 1], rows


def table_row(quotite: float) -> str | None:
    """The header and the row of the instruction's table for this quotité, if it has one."""
    try:
        header, rule, rows = _instruction_table()
    except Exception:  # no corpus here, or a text without the table: no row to show
        return None
    row = rows.get(f"{fr_number(quotite)} %")
    return f"{header}\n{rule}\n{row}" if row else None


def _naming_quotite(citations: Sequence[Citation], quotite: float) -> list[str]:
    """The quotes that state the rule for this very quotité (« Un agent qui travaille à 80 %… »).

    The agent reads the sentence in the text's words, not only a row of numbers.
    """
    named = re.compile(rf"(?<![\d,]){re.escape(fr_number(quotite))} %")
    return [citation.quote for citation in citations if named.search(citation.quote)]


def quota_extract(result: QuotaResult) -> str:
    """The sentences (full time) or the table row (part time) the quota was computed from."""
    quota = load_rules().quota
    row = table_row(result.quotite_effective) if result.quotite_effective != 100 else None
    if row is not None:
        named = _naming_quotite(quota.part_time_table.sources, result.quotite_effective)
        if named:  # the text's own sentence for this quotité, then its row of the table
            return f"{render_extract(named)}\nTableau de l'instruction :\n{row}"
        return f"Ce que dit le texte (tableau de l'instruction) :\n{row}"
    quotes = [
        quota.full_time_max_days_per_week.sources[0].quote,
        quota.min_presence_days_per_week.sources[0].quote,
    ]
    if result.quotite_effective != 100:
        quotes.append(quota.part_time_table.sources[0].quote)
    return render_extract(quotes)


def notice_extract(events: Sequence[str], message: str) -> str:
    """For each event (one or two), its quote closest to the agent's message.

    The end of telework comes with its exception (a cessation without notice): « faut
    vraiment attendre la fin du préavis ? » is answered by that sentence.
    """
    notice = load_rules().notice
    quotes = [
        relevant_quotes(notice.events[event].sources, message)[0]  # type: ignore[index]
        for event in events
    ]
    if any(event in ("end", "end_during_adaptation") for event in events):
        quotes.append(notice.immediate_end.sources[0].quote)
    return render_extract(quotes)
