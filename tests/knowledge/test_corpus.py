"""The curated sources: metadata, structure, faithfulness to the seeds, other formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.chunking import chunk_document
from knowledge.corpus import CorpusError, corpus_fingerprint, load_corpus, load_document
from tests.conftest import SEEDS_DIR

pytestmark = pytest.mark.unit

DOC_IDS = {
    "maa-instruction-2019-781",
    "pndtt-plan-national",
    "cosinum-2020-12-03",
    "mi-circulaire-2021-02-02",
    "mi-newsletter-2020-04-02",
}


# Running page headers and link markers of the extractions: layout, not facts.
LAYOUT_NOISE = {
    "pndtt-plan-national": [r"^\s*(MESURE N°\d\s*)+$", r"^6 21 propositions pour un plan.*$"],
    "mi-newsletter-2020-04-02": [r"\[\d\]", r"HYPERLINK[^\n]*"],
}


def _numbers(text: str) -> list[str]:
    # Footnote markers (<sup>n</sup>) are dropped on purpose: not facts.
    plain = re.sub(r"<[^>]+>", " ", re.sub(r"<sup>.*?</sup>", " ", text))
    return re.findall(r"\d+", plain)


def test_every_contract_document_is_present_with_its_metadata() -> None:
    documents = {d.doc_id: d for d in load_corpus()}
    assert set(documents) >= DOC_IDS
    for doc_id in DOC_IDS:
        meta = documents[doc_id].meta
        assert meta.title and meta.issuer and meta.kind and meta.scope, doc_id
        assert re.match(r"^\d{4}", meta.date), (doc_id, meta.date)
        assert not re.search(r"</?[a-zA-Z][^>]*>", documents[doc_id].body), f"HTML in {doc_id}"


def test_truncated_circular_says_so() -> None:
    circular = next(d for d in load_corpus() if d.doc_id == "mi-circulaire-2021-02-02")
    assert "tronqu" in circular.meta.note.lower()
    assert "tronqu" in circular.body.lower()


@pytest.mark.skipif(
    not SEEDS_DIR.exists(), reason="../shared/seeds absent : comparaison impossible"
)
@pytest.mark.parametrize("doc_id", sorted(DOC_IDS))
def test_cleaning_keeps_every_number_of_the_seed(doc_id: str) -> None:
    seed = (SEEDS_DIR / f"{doc_id}.txt").read_text(encoding="utf-8")
    for pattern in LAYOUT_NOISE.get(doc_id, []):
        seed = re.sub(pattern, " ", seed, flags=re.MULTILINE)
    cleaned = (Path("knowledge/sources") / f"{doc_id}.md").read_text(encoding="utf-8")
    missing = [
        n for n in set(_numbers(seed)) if _numbers(cleaned).count(n) < _numbers(seed).count(n)
    ]
    assert not missing, f"nombres perdus au nettoyage de {doc_id} : {missing}"


def test_part_time_table_stays_one_table_in_one_chunk() -> None:
    maa = next(d for d in load_corpus() if d.doc_id == "maa-instruction-2019-781")
    chunks = [c for c in chunk_document(maa) if "| 50 %" in c.text or "| 90 %" in c.text]
    assert len(chunks) == 1
    rows = [line for line in chunks[0].text.splitlines() if line.startswith("|")]
    assert len(rows) == 7  # header, separator, five quotités
    assert "La quotité de télétravail" in chunks[0].section


def test_plain_text_with_sidecar_metadata(tmp_path: Path) -> None:
    (tmp_path / "note-2026.txt").write_text(
        "Note de service\n\nLe télétravail est possible.", "utf-8"
    )
    (tmp_path / "note-2026.yaml").write_text("title: Note 2026\ndate: '2026-01-05'\n", "utf-8")
    document = load_document(tmp_path / "note-2026.txt")
    assert (document.doc_id, document.meta.title, document.meta.date) == (
        "note-2026",
        "Note 2026",
        "2026-01-05",
    )


def test_docx_headings_become_sections(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.add_heading("Circulaire test", level=1)
    word.add_heading("1 – Les équipements", level=2)
    word.add_paragraph("Un ordinateur portable est fourni à chaque agent.")
    word.save(str(tmp_path / "circulaire.docx"))
    document = load_document(tmp_path / "circulaire.docx")
    chunks = chunk_document(document)
    assert [(c.section, c.text) for c in chunks] == [
        ("1 – Les équipements", "Un ordinateur portable est fourni à chaque agent.")
    ]


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text (Helvetica), built by hand for the test."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    (tmp_path / "fiche.pdf").write_bytes(_minimal_pdf("Le teletravail est volontaire."))
    document = load_document(tmp_path / "fiche.pdf")
    assert document.doc_id == "fiche"
    assert "teletravail est volontaire" in document.body


def test_unsupported_format_and_duplicate_ids_are_refused(tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    with pytest.raises(CorpusError):
        load_document(tmp_path / "image.png")
    (tmp_path / "a.md").write_text("---\ndoc_id: same\ntitle: A\n---\ntexte", "utf-8")
    (tmp_path / "b.md").write_text("---\ndoc_id: same\ntitle: B\n---\ntexte", "utf-8")
    with pytest.raises(CorpusError, match="double"):
        load_corpus(tmp_path)


def test_fingerprint_changes_with_content(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ndoc_id: a\ntitle: A\n---\nun", "utf-8")
    before = corpus_fingerprint(tmp_path)
    assert corpus_fingerprint(tmp_path) == before
    (tmp_path / "a.md").write_text("---\ndoc_id: a\ntitle: A\n---\ndeux", "utf-8")
    assert corpus_fingerprint(tmp_path) != before


def test_pdf_headings_become_sections(tmp_path: Path) -> None:
    from knowledge.corpus import _pdf_heading

    assert _pdf_heading("1. Objet de la note") == "## 1. Objet de la note"
    assert _pdf_heading("2.3 – Les jours de télétravail") == "### 2.3 – Les jours de télétravail"
    assert _pdf_heading("II – LA PROCÉDURE") == "## II – LA PROCÉDURE"
    assert _pdf_heading("MODALITÉS PRATIQUES") == "## MODALITÉS PRATIQUES"
    assert _pdf_heading("Le télétravail est volontaire.") == "Le télétravail est volontaire."
    assert _pdf_heading("3 jours par semaine au plus, selon la quotité,") == (
        "3 jours par semaine au plus, selon la quotité,"
    )


def test_docx_title_and_level_one_sections(tmp_path: Path) -> None:
    """A Word note with a « Title » and « Heading 1 » sections is cited by section."""
    import docx

    word = docx.Document()
    word.add_heading("Note de service", level=0)
    word.add_heading("Objet", level=1)
    word.add_paragraph("Le télétravail est ouvert à tous les agents du service.")
    word.add_heading("Modalités", level=1)
    word.add_paragraph("Deux jours par semaine au plus.")
    word.save(str(tmp_path / "note.docx"))
    chunks = chunk_document(load_document(tmp_path / "note.docx"))
    assert [c.section for c in chunks] == ["Objet", "Modalités"]
