"""Generated documents, opened as a reader would: python-docx, pypdf, a rendered page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx import Document
from pypdf import PdfReader

from drafts.decision import decide
from drafts.docx_render import render_docx
from drafts.files import write_atomically
from drafts.forms import agent_forms
from drafts.layout import Form
from drafts.models import DecisionRequest, DraftRequest
from drafts.pdf_render import font_dir, render_pdf
from drafts.validation import DraftRuleError, check_request
from tests.drafts.conftest import request_data

pytestmark = pytest.mark.integration
RENDERS = Path(__file__).resolve().parents[2] / "var" / "test-renders"
HOSTILE = {
    "nom": "{{ 7*7 }}",
    "prenom": "<script>alert(1)</script>",
    "poste": "${7*7} {% raw %} ]]> &amp; \\x00",
    "motivations": "Motivé " + "long " * 997 + "la fin!!",
    "corps": "Ingé\x07nieur\x1b[31m",
    "affectation": "مديرية الزراعة — שלום",
}


def docx_text(path: Path) -> str:
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def docx_headings(path: Path) -> list[str]:
    return [
        p.text
        for p in Document(str(path)).paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]


def pdf_text(path: Path) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(str(path)).pages)


def write(form: Form, folder: Path) -> tuple[Path, Path]:
    docx, pdf = folder / f"{form.name}.docx", folder / f"{form.name}.pdf"
    render_docx(form, docx)
    render_pdf(form, pdf)
    return docx, pdf


def forms_for(**overrides: object) -> dict[str, Form]:
    checked = check_request(DraftRequest.model_validate(request_data(**overrides)))
    return {form.name: form for form in agent_forms(checked)}


def test_annex_1_holds_the_values_and_the_form(tmp_path: Path) -> None:
    docx, pdf = write(forms_for(date_debut="2031-03-15")["annexe-1"], tmp_path)
    text = docx_text(docx)
    for value in (
        "Lefèvre",
        "Gaëlle",
        "Attachée d'administration de l'État",
        "Rédaction des plans de contrôle",
        "mardi, jeudi (base hebdomadaire)",
        "Domicile, 12 rue des Acacias",
        "45 minutes",
        "01/04/2031",
    ):
        assert value in text, value
    headings = docx_headings(docx)
    for heading in (
        "Formulaire de demande et de validation de l'exercice des fonctions en télétravail",
        "Étape 1",
        "Organisation",
        "Pièces à joindre à la demande",
        "Étape 2",
        "Modalités de télétravail validées avec le supérieur hiérarchique",
    ):
        assert any(h.startswith(heading) for h in headings), heading
    assert any(h.startswith("Étape 3") for h in headings)
    assert "Préciser base hebdomadaire ou mensuelle" in text  # footnote
    assert "Attestation d'assurance habitation" in text
    # Mission total: 60 % × 90 % + 40 % × 50 % = 74 % of 4 days = 2,96 days.
    assert "Soit en équivalents jours par semaine : 2,96 jours" in text
    extracted = " ".join(pdf_text(pdf).split())
    for value in (
        "Lefèvre",
        "Gaëlle",
        "Étape 1",
        "Étape 2",
        "Étape 3",
        "01/04/2031",
        "Pièces à joindre",
        "Formulaire de demande et de validation",
    ):
        assert value in extracted, value
    assert "☒ OUI ☐ NON" in " ".join(docx_text(docx).split())  # internet: oui


def test_annex_2_prefills_identity_and_leaves_boxes(tmp_path: Path) -> None:
    docx, pdf = write(forms_for()["annexe-2"], tmp_path)
    text = docx_text(docx)
    assert "Lefèvre" in text and "Gaëlle" in text
    assert "Attestation de conformité du domicile à l'exercice du télétravail" in text
    assert "☒" not in text and text.count("☐") == 5
    assert "NORME C15-100" in pdf_text(pdf)


def test_annex_5_only_with_chorus(tmp_path: Path) -> None:
    assert set(forms_for()) == {"annexe-1", "annexe-2"}
    forms = forms_for(chorus=True, email="gaelle.lefevre@agriculture.gouv.fr")
    assert set(forms) == {"annexe-1", "annexe-2", "annexe-5"}
    docx, pdf = write(forms["annexe-5"], tmp_path)
    assert "gaelle.lefevre@agriculture.gouv.fr" in docx_text(docx)
    assert "Chorus" in pdf_text(pdf) and "VPN Mercure V2" in pdf_text(pdf)


def test_hostile_values_come_out_as_inert_text(tmp_path: Path) -> None:
    forms = forms_for(**HOSTILE)
    for form in forms.values():
        docx, pdf = write(form, tmp_path)
        text = docx_text(docx)
        assert "{{ 7*7 }}" in text and "49" not in text.replace("2049", "")
        assert "<script>alert(1)</script>" in text
        assert "\x07" not in text and "\x1b" not in text
        assert "مديرية الزراعة" in text
        assert PdfReader(str(pdf)).pages  # opens
    annex_1 = docx_text(tmp_path / "annexe-1.docx")
    assert "${7*7} {% raw %} ]]> &amp;" in annex_1
    assert annex_1.count("long ") == 997
    extracted = pdf_text(tmp_path / "annexe-1.pdf")
    assert "{{ 7*7 }}" in extracted and "<script>alert(1)</script>" in extracted
    assert len(PdfReader(str(tmp_path / "annexe-1.pdf")).pages) >= 3  # 5,000 chars flow on


def test_pdf_page_renders_to_a_non_blank_image() -> None:
    RENDERS.mkdir(parents=True, exist_ok=True)
    _, pdf = write(forms_for(affectation="DRAAF Occitanie — مديرية — שלום")["annexe-1"], RENDERS)
    page = pdfium.PdfDocument(str(pdf))[0]
    image = page.render(scale=1.5).to_pil().convert("L")
    image.save(RENDERS / "annexe-1-page-1.png")
    histogram = image.histogram()
    dark = sum(histogram[:128]) / (image.width * image.height)
    assert 0.01 < dark < 0.5, f"page blanche ou noire ({dark:.3f} de pixels sombres)"
    assert font_dir() is not None, "DejaVu absent : paquet Debian fonts-dejavu-core"


def test_acte_individuel(tmp_path: Path) -> None:
    request = DraftRequest.model_validate(request_data(medical=True))
    decision = DecisionRequest.model_validate(
        {
            "decision": "accord",
            "civilite": "Mme",
            "date_debut": "2031-03-01",
            "adaptation_mois": 3,
            "plages_fixes": [
                {"debut": "09:30", "fin": "12:00"},
                {"debut": "14:00", "fin": "16:30"},
            ],
            "jours_sur_site": ["lundi", "mercredi"],
            "adresse": "12 rue des Acacias, Toulouse",
            "chef_service": "M. Martin",
            "statut": "contractuel",
        }
    )
    decided = decide(request, decision, dt.date(2031, 1, 10))
    docx, pdf = write(decided.form, tmp_path)
    text = " ".join(docx_text(docx).split())
    assert "A compter du 01/03/2031 et jusqu'au 29/02/2032" in text or (
        "jusqu'au 28/02/2032" in text
    )
    assert "période d'adaptation de 3 mois qui s'achève le 31/05/2031" in text
    assert "madame Gaëlle Lefèvre" in text
    assert "les mardi, jeudi (base hebdomadaire)" in text
    assert "de 09:30 à 12:00 et de 14:00 à 16:30" in text
    assert "Les jours travaillés sur site sont : les lundi, mercredi" in text
    assert "délai de prévenance de 48h" in text
    assert "Vu l'avis du médecin de prévention" in text  # medical request
    assert "agents contractuels" in text  # visa of decree 86-83
    assert "tribunal administratif territorialement compétent" in text
    assert "dans un délai de deux mois" in pdf_text(pdf)
    assert decided.warnings == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"date_debut": "2031-03-01", "date_fin": "2032-03-01"}, "date_fin", "29 février 2032"),
        ({"adaptation_mois": 4}, "adaptation_mois", "3 mois au plus"),
        ({"jours": ["lundi", "mardi", "jeudi"]}, "jours", "2 jours par semaine"),
        ({"jours_sur_site": ["mardi"]}, "jours_sur_site", "à la fois"),
        ({"plages_fixes": [{"debut": "12:00", "fin": "09:00"}]}, "plages_fixes", "finir après"),
    ],
)
def test_acte_individuel_rules(changes: dict[str, object], field: str, words: str) -> None:
    request = DraftRequest.model_validate(request_data())
    decision = DecisionRequest.model_validate({"decision": "accord", **changes})
    with pytest.raises(DraftRuleError) as error:
        decide(request, decision, dt.date(2031, 1, 10))
    assert error.value.field == field and words in str(error.value)


def test_refusal_is_motivated_and_names_the_recourse(tmp_path: Path) -> None:
    request = DraftRequest.model_validate(request_data())
    without = DecisionRequest.model_validate({"decision": "refus"})
    with pytest.raises(DraftRuleError, match="motivé"):
        decide(request, without, dt.date(2031, 1, 10))
    decision = DecisionRequest.model_validate(
        {
            "decision": "refus",
            "statut": "fonctionnaire",
            "date_entretien": "2031-01-20",
            "motifs": "Les missions d'accueil du public occupent l'essentiel du poste.",
        }
    )
    docx, pdf = write(decide(request, decision, dt.date(2031, 1, 10)).form, tmp_path)
    text = " ".join(docx_text(docx).split())
    assert "Les missions d'accueil du public occupent l'essentiel du poste." in text
    assert "commission administrative paritaire" in text
    assert "commission consultative paritaire" not in text.split("Vous pouvez ainsi saisir")[1]
    assert "tribunal administratif territorialement compétent" in text
    assert "entretien du 20/01/2031" in text
    assert "Voies de recours" in pdf_text(pdf)


def test_a_crash_mid_write_leaves_no_document(tmp_path: Path) -> None:
    target = tmp_path / "annexe-1.pdf"

    def crash(path: Path) -> None:
        path.write_bytes(b"%PDF-1.7 half")
        raise OSError("disque plein")

    with pytest.raises(OSError):
        write_atomically(target, crash)
    assert list(tmp_path.iterdir()) == []
    write_atomically(target, lambda path: path.write_bytes(b"ok"))
    with pytest.raises(OSError):
        write_atomically(target, crash)
    assert target.read_bytes() == b"ok" and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_five_thousand_characters_without_a_space(tmp_path: Path) -> None:
    docx, pdf = write(forms_for(motivations="x" * 5000)["annexe-1"], tmp_path)
    assert "x" * 5000 in docx_text(docx)
    assert pdf_text(pdf).replace("\n", "").count("x") >= 5000
