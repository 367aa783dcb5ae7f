"""The words of the text quoted with a computed answer: verbatim, the rule applied, bounded."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from knowledge.corpus import get_document
from rules import QuotaRequest, compute_quota
from rules.extracts import (
    MAX_EXTRACT_CHARS,
    notice_extract,
    quota_extract,
    relevant_quotes,
    render_extract,
)
from rules.models import Citation, load_rules

if TYPE_CHECKING:
    from conftest import SourceText, TableRow

pytestmark = pytest.mark.unit
INSTRUCTION = "maa-instruction-2019-781"
_QUOTED = re.compile(r"« (.+?) »")


def extract_for(quotite: float) -> str:
    return quota_extract(compute_quota(QuotaRequest.model_validate({"quotite": quotite})))


@pytest.mark.parametrize("row_index", range(5), ids=["50", "60", "70", "80", "90"])
def test_a_part_time_quota_shows_its_own_row_of_the_table(
    instruction_table: list[TableRow], row_index: int
) -> None:
    row = instruction_table[row_index]
    lines = extract_for(row.quotite).splitlines()
    source_lines = {line.strip() for line in get_document(INSTRUCTION).body.splitlines()}
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 3, "en-tête, séparateur et une seule ligne"
    assert all(line in source_lines for line in table), "recopiées telles quelles du texte"
    assert table[2].startswith(f"| {row.quotite} %")
    assert "Quotité de temps partiel" in table[0]


def test_a_quotite_the_text_states_in_words_gets_its_sentence_before_its_row() -> None:
    extract = extract_for(80)
    quotes = _QUOTED.findall(extract)
    table = load_rules().quota.part_time_table.sources
    assert quotes == [citation.quote for citation in table if "80 %" in citation.quote]
    assert extract.index("deux jours de télétravail") < extract.index("| 80 % |")
    assert _QUOTED.findall(extract_for(60)) == [], "60 % n'a que sa ligne du tableau"


def test_full_time_quotes_the_two_sentences_it_applies(
    source: Callable[[str], SourceText], normalised: Callable[[str], str]
) -> None:
    quotes = _QUOTED.findall(extract_for(100))
    assert len(quotes) == 2
    assert all(normalised(quote) in source(INSTRUCTION).normalised for quote in quotes)
    assert any("temps plein" in quote and "trois jours" in quote for quote in quotes)
    assert any("deux jours par semaine" in quote for quote in quotes)


def test_a_quotite_outside_the_table_quotes_the_rule_not_a_row() -> None:
    extract = extract_for(75)
    assert "|" not in extract
    assert "80 %" in extract and "temps plein" in extract


def test_the_quote_sharing_the_agents_words_is_chosen() -> None:
    citations = load_rules().notice.events["end"].sources  # type: ignore[index]
    chosen = relevant_quotes(citations, "je veux cesser l'exercice de mes fonctions en tt")
    assert chosen == [citations[1].quote]
    # Without a word in common, the data's first sentence (its main statement).
    assert relevant_quotes(citations, "azerty") == [citations[0].quote]


@pytest.mark.parametrize(
    "message",
    ["et si c'est mon chef qui arrête mon tt ?", "mon n+1 veut mettre fin à mon télétravail"],
)
def test_the_administrations_side_quotes_its_decision(message: str) -> None:
    extract = notice_extract(("end",), message)
    assert "Cette décision doit être formulée par écrit, motivée" in extract


def test_notice_extract_quotes_one_sentence_per_event_of_the_text() -> None:
    rules = load_rules().notice.events
    extract = notice_extract(("end_during_adaptation", "end"), "")
    quotes = _QUOTED.findall(extract)
    assert quotes == [
        rules["end_during_adaptation"].sources[0].quote,  # type: ignore[index]
        rules["end"].sources[0].quote,  # type: ignore[index]
    ]


def test_quotes_are_bounded_but_the_first_is_always_shown() -> None:
    long = "mot " * 200
    assert _QUOTED.findall(render_extract([long.strip(), "seconde"])) == [long.strip()]
    short = ["a" * 100] * 10
    assert len(_QUOTED.findall(render_extract(short))) == MAX_EXTRACT_CHARS // 100
    assert render_extract([]) == ""


def test_relevant_quotes_keep_each_sentence_once() -> None:
    twice = [Citation(doc_id=INSTRUCTION, section="s", quote="même phrase")] * 2
    assert relevant_quotes(twice, "même", count=2) == ["même phrase"]
