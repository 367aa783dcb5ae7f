"""The agent's forms, laid out like the annexes: annex 1 (request), 2 (home), 5 (Chorus).

Labels are the annexes' own words (:mod:`drafts.wording`); the values are the agent's,
inserted as plain text. Annex 1 has step 1 filled and steps 2 and 3 left blank for the
manager and the director, with the form's footnotes and its list of documents to join.
"""

from __future__ import annotations

import datetime as dt

from drafts.layout import (
    EMPTY,
    Block,
    Box,
    Bullets,
    Choice,
    FieldLine,
    Form,
    Heading,
    PageBreak,
    Para,
    Table,
    Title,
)
from drafts.models import DraftRequest
from drafts.validation import Checked, equivalent_days, teleworkable_share
from drafts.wording import wording
from rules.formatting import fr_days, fr_number

DRAFT_NOTICE = (
    "Brouillon préparé par l'assistant télétravail à partir de vos réponses : relisez-le, "
    "complétez-le si besoin, datez-le et signez-le avant de le remettre à votre supérieur "
    "hiérarchique."
)
AGENT_FORMS = {
    "annexe-1": "Annexe 1 – Demande de télétravail",
    "annexe-2": "Annexe 2 – Attestation de conformité du domicile",
    "annexe-5": "Annexe 5 – Utilisation de Chorus en télétravail",
}


def short_date(day: dt.date) -> str:
    """« 01/03/2027 », as one writes a date on a form."""
    return day.strftime("%d/%m/%Y")


def yes_no(value: bool | None) -> str | None:
    """The box to tick for a oui/non answer (None: left for the agent)."""
    return None if value is None else ("OUI" if value else "NON")


def days_text(days: list[str], base: str, pattern: str) -> str:
    """« mardi, jeudi (base hebdomadaire) » or « lundi des semaines impaires (base mensuelle) »."""
    listed = ", ".join(days)
    if base == "mensuelle":
        return f"{listed}{f' – {pattern}' if pattern else ''} (base mensuelle)"
    return f"{listed} (base hebdomadaire)"


def annex_1(checked: Checked) -> Form:
    """Annex 1: step 1 filled from the request, steps 2 and 3 blank."""
    request, text = checked.request, wording("annexe_1")
    worked = checked.quota.worked_days_per_week
    start = checked.proposed_start or request.date_debut
    missions = tuple(
        (m.intitule, fr_number(m.poids), fr_number(m.part_teletravaillable), m.taches)
        for m in request.missions
    )
    total_weight = fr_number(sum(m.poids for m in request.missions))
    total = (
        text["total"],
        total_weight,
        fr_number(teleworkable_share(request)),
        f"{text['equivalent']} {fr_days(equivalent_days(request, worked))}",
    )
    comment = "Dérogation pour raison médicale demandée" if request.medical else ""
    if request.chorus:
        comment = "; ".join(filter(None, [comment, "utilisation de Chorus (annexe 5 jointe)"]))
    blocks: list[Block] = [
        Title(text["title"], text["annex"]),
        Para(DRAFT_NOTICE, "notice"),
        Heading(text["step_1"]),
        FieldLine(text["nom"], request.nom),
        FieldLine(text["prenom"], request.prenom),
        FieldLine(text["corps"], request.corps),
        FieldLine(text["affectation"], request.affectation),
        FieldLine(text["poste"], request.poste),
        Table(
            (text["col_mission"], text["col_poids"], text["col_part"], text["col_taches"]),
            (*missions, total),
            (3, 1.3, 1.3, 4),
        ),
        FieldLine(text["motivations"], request.motivations),
        Heading(text["organisation"], 2),
        Table(
            (
                text["col_choix"],
                f"{text['col_jours']} ¹",
                text["col_lieux"],
                text["col_commentaires"],
            ),
            (
                (
                    "1",
                    days_text(request.jours, request.base, request.motif_mensuel),
                    "\n".join(request.lieux),
                    comment,
                ),
                ("2", "", "", ""),
            ),
            (0.8, 3, 3, 2.5),
        ),
        FieldLine(text["trajet"], request.temps_trajet),
        FieldLine(text["date_debut"], short_date(start)),
        Choice(text["internet"], yes_no(request.connexion_internet)),
        Choice(f"{text['medical']} ²", yes_no(request.medical)),
        Choice(text["amenagement"], yes_no(request.amenagement_poste) if request.medical else None),
        FieldLine(text["signature_agent"]),
        FieldLine(text["signature_reception"]),
        Para(f"¹ {text['note_1']}", "small"),
        Para(f"² {text['note_2']}", "small"),
        Heading(text["pieces"], 2),
        Bullets((text["piece_attestation"], text["piece_assurance"])),
        PageBreak(),
        *_validation_step(text["step_2"], text["validated_manager"], "³", manager=True),
        *_validation_step(text["step_3"] + " ⁴", text["validated_director"], "⁵", manager=False),
        Para(f"³ {text['note_3']}", "small"),
        Para(f"⁴ {text['note_4']}", "small"),
        Para(f"⁵ {text['note_3']}", "small"),
    ]
    return Form("annexe-1", AGENT_FORMS["annexe-1"], blocks)


def _validation_step(heading: str, subtitle: str, note: str, *, manager: bool) -> list[Block]:
    """Step 2 (manager) or 3 (director) of annex 1, every field left blank."""
    text = wording("annexe_1")
    blocks: list[Block] = [Heading(heading)]
    if manager:
        blocks += [
            Box(text["entretien"]),
            FieldLine(text["date_entretien"]),
            Choice(text["decision"]),
        ]
    signature = text["signature_manager"] if manager else text["signature_director"]
    return [
        *blocks,
        Heading(subtitle, 2),
        FieldLine(text["date_debut_validee"]),
        FieldLine(f"{text['jours_valides'].removesuffix(' :')} {note} :"),
        FieldLine(text["lieux_valides"]),
        FieldLine(text["refus"]),
        FieldLine(signature),
    ]


def identity(request: DraftRequest) -> list[Block]:
    """The agent's identity, prefilled at the top of annexes 2 and 5."""
    text = wording("annexe_5")
    return [
        FieldLine(text["nom"], request.nom),
        FieldLine(text["prenom"], request.prenom),
        FieldLine(text["affectation"], request.affectation),
    ]


def annex_2(request: DraftRequest) -> Form:
    """Annex 2: the home attestation, identity prefilled, every box left to the agent."""
    text = wording("annexe_2")
    blocks: list[Block] = [
        Title(text["title"], text["annex"]),
        Para(DRAFT_NOTICE, "notice"),
        *identity(request),
        Heading(text["electrical"]),
        Para(text["norm"]),
        Para(text["norm_why"]),
        Box(text["certificate"]),
        Para("ou", "bold"),
        Box(text["honour"]),
        Para(text["breaker_intro"]),
        Bullets((text["breaker_1"], text["breaker_2"], text["breaker_3"])),
        Para(text["earth"]),
        Heading(text["smoke"]),
        Para(text["smoke_law"]),
        Para(text["smoke_norm"]),
        Para(text["smoke_intro"]),
        Bullets((text["smoke_small"], text["smoke_large"])),
        Box(text["smoke_attest"]),
        Heading(text["ergonomics"]),
        Box(text["ergonomics_attest"]),
        Heading(text["internet"]),
        Box(text["internet_attest"]),
        FieldLine(text["signature"]),
    ]
    return Form("annexe-2", AGENT_FORMS["annexe-2"], blocks)


def annex_5(request: DraftRequest) -> Form:
    """Annex 5: the Chorus form, identity prefilled; the IT and CCH parts left blank."""
    text = wording("annexe_5")
    checks = [Choice(text[f"it_{n}"]) for n in range(1, 8)]
    blocks: list[Block] = [
        Title(text["title"], text["annex"]),
        Para(DRAFT_NOTICE, "notice"),
        Heading(text["identity"]),
        *identity(request),
        FieldLine(text["email"], request.email),
        Heading(text["it_config"]),
        *checks,
        FieldLine(text["it_signature"]),
        Heading(text["commitments"]),
        Heading(text["security"], 2),
        Choice(text["wifi"]),
        Choice(text["charter"]),
        Para(text["pledge"]),
        FieldLine(text["agent_signature"]),
        Heading(text["cch"]),
        Choice(text["cch_1"]),
        FieldLine(text["cch_signature"]),
    ]
    return Form("annexe-5", AGENT_FORMS["annexe-5"], blocks)


def agent_forms(checked: Checked) -> list[Form]:
    """The forms an agent joins: annexes 1 and 2, and 5 when Chorus is used."""
    forms = [annex_1(checked), annex_2(checked.request)]
    if checked.request.chorus:
        forms.append(annex_5(checked.request))
    return forms


__all__ = ["AGENT_FORMS", "EMPTY", "agent_forms", "annex_1", "annex_2", "annex_5"]
