"""The rules data: it validates, every quote is in its text, and bad data is refused."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from knowledge.corpus import SOURCES_DIR, load_document
from rules.models import DATA_DIR, Citation, RulesDataError, load_rules

if TYPE_CHECKING:
    from conftest import SourceText, TableRow

pytestmark = pytest.mark.unit

CONTRACT_DOC_IDS = {
    "maa-instruction-2019-781",
    "pndtt-plan-national",
    "cosinum-2020-12-03",
    "mi-circulaire-2021-02-02",
    "mi-newsletter-2020-04-02",
}
CITATIONS = sorted(
    {(c.doc_id, c.section, c.quote) for c in load_rules().citations()},
)


def test_rules_load_and_cite_only_contract_documents() -> None:
    book = load_rules()
    cited = {citation.doc_id for citation in book.citations()}
    assert cited <= CONTRACT_DOC_IDS
    assert cited <= set(book.documents)
    assert len(CITATIONS) > 40


@pytest.mark.parametrize(("doc_id", "section", "quote"), CITATIONS, ids=lambda v: str(v)[:40])
def test_quote_is_verbatim_in_its_text(
    source: Callable[[str], SourceText],
    normalised: Callable[[str], str],
    doc_id: str,
    section: str,
    quote: str,
) -> None:
    assert normalised(quote) in source(doc_id).normalised


@pytest.mark.parametrize(("doc_id", "section", "quote"), CITATIONS, ids=lambda v: str(v)[:40])
def test_section_path_names_real_headings(
    source: Callable[[str], SourceText],
    normalised: Callable[[str], str],
    doc_id: str,
    section: str,
    quote: str,
) -> None:
    text = source(doc_id)
    parts = [normalised(part) for part in section.split("›")]
    if text.is_markdown:
        headings = text.headings()
        positions = [headings.index(part) for part in parts]  # ValueError: not a heading
        assert positions == sorted(positions), "les sections ne suivent pas l'ordre du texte"
    else:  # raw seed: headings are not marked up, check each title piece is in the text
        body = text.normalised.casefold()
        for part in parts:
            for piece in part.split(" - "):
                assert piece.casefold() in body, piece


def test_quote_lies_under_its_section(
    source: Callable[[str], SourceText], normalised: Callable[[str], str]
) -> None:
    """Each quote appears after the last heading of its section path (Markdown texts)."""
    checked = 0
    for doc_id, section, quote in CITATIONS:
        text = source(doc_id)
        if not text.is_markdown:
            continue
        lines = text.raw.splitlines()
        last = normalised(section.split("›")[-1])
        start = next(
            i
            for i, line in enumerate(lines)
            if line.startswith("#") and normalised(line.lstrip("#")) == last
        )
        assert normalised(quote) in normalised("\n".join(lines[start:])), (section, quote)
        checked += 1
    assert checked > 0


def test_document_titles_and_dates_match_the_corpus(normalised: Callable[[str], str]) -> None:
    book = load_rules()
    compared = 0
    for doc_id, ref in book.documents.items():
        markdown = SOURCES_DIR / f"{doc_id}.md"
        if not markdown.exists():
            continue
        meta = load_document(markdown).meta
        assert normalised(meta.title) == normalised(ref.title), doc_id
        assert meta.date == ref.date, doc_id
        compared += 1
    if not compared:
        pytest.skip("aucun texte nettoyé pour comparer")


def test_yaml_table_is_the_instruction_table(instruction_table: list[TableRow]) -> None:
    rows = load_rules().quota.part_time_table.value
    assert [
        (r.quotite, r.worked_days_per_week, r.max_days_per_week, r.max_days_per_month) for r in rows
    ] == [
        (t.quotite, float(t.worked), float(t.weekly), float(t.monthly)) for t in instruction_table
    ]


def test_every_notice_event_and_period_is_cited() -> None:
    notice = load_rules().notice
    assert set(notice.events) == {
        "ponctual_change",
        "calendar_change",
        "end_during_adaptation",
        "end",
    }
    assert set(notice.periods) == {"authorisation", "adaptation", "medical_derogation"}
    for rule in [*notice.events.values(), *notice.periods.values()]:
        assert all(isinstance(c, Citation) for c in rule.sources) and rule.sources


def test_external_assumptions_say_where_they_come_from() -> None:
    impact = load_rules().impact
    externals = [impact.co2_density_kg_per_m3]
    for mode in impact.modes.values():
        externals += [
            a for a in (mode.fuel_litres_per_100km, mode.co2_kg_per_litre, mode.co2_kg_per_km) if a
        ]
    assert externals
    for assumption in externals:
        assert assumption.origin.startswith("Hypothèse"), assumption.label


# --- Bad data must stop the service at start-up -------------------------------------------


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_copy_of_the_data_loads(data_copy: Path) -> None:
    assert load_rules(data_copy).quota.min_presence_days_per_week.value == 2


def test_a_table_row_the_rule_does_not_give_is_refused(data_copy: Path) -> None:
    def wrong_row(data: dict) -> None:
        data["part_time_table"]["value"][3]["max_days_per_week"] = 3

    _edit(data_copy / "quota.yaml", wrong_row)
    with pytest.raises(RulesDataError, match="80 %"):
        load_rules(data_copy)


def test_a_changed_presence_rule_contradicts_the_table(data_copy: Path) -> None:
    def one_day(data: dict) -> None:
        data["min_presence_days_per_week"]["value"] = 1

    _edit(data_copy / "quota.yaml", one_day)
    with pytest.raises(RulesDataError):
        load_rules(data_copy)


def test_an_uncited_document_is_refused(data_copy: Path) -> None:
    def unknown_doc(data: dict) -> None:
        data["events"]["end"]["sources"][0]["doc_id"] = "texte-inconnu"

    _edit(data_copy / "notice.yaml", unknown_doc)
    with pytest.raises(RulesDataError, match="texte-inconnu"):
        load_rules(data_copy)


def test_a_missing_event_is_refused(data_copy: Path) -> None:
    _edit(data_copy / "notice.yaml", lambda data: data["events"].pop("calendar_change"))
    with pytest.raises(RulesDataError, match="calendar_change"):
        load_rules(data_copy)


def test_a_rule_without_source_is_refused(data_copy: Path) -> None:
    def no_source(data: dict) -> None:
        data["full_time_max_days_per_week"]["sources"] = []

    _edit(data_copy / "quota.yaml", no_source)
    with pytest.raises(RulesDataError):
        load_rules(data_copy)


def test_a_missing_file_is_reported(data_copy: Path) -> None:
    (data_copy / "impact.yaml").unlink()
    with pytest.raises(RulesDataError, match=r"impact\.yaml"):
        load_rules(data_copy)


def test_the_quote_check_can_fail(
    source: Callable[[str], SourceText], normalised: Callable[[str], str]
) -> None:
    text = source("maa-instruction-2019-781").normalised
    genuine = "Un agent qui travaille à 80 % ne peut bénéficier que de deux jours de télétravail"
    assert normalised(genuine) in text
    assert normalised(genuine.replace("deux", "trois")) not in text
    assert normalised(genuine.replace("80", "70")) not in text
    assert all(normalised(quote) for _, _, quote in CITATIONS)
