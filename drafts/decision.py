"""The manager's documents, from a stored request: annex 4 (acte individuel) or a refusal.

Annex 4 follows the model of the instruction article by article: dates within the one-year
maximum of an authorisation, an optional adaptation period of at most three months (both
from ``rules/data/notice.yaml``), telework and on-site days, the fixed hours the agent must
be reachable, and the recourse mention. The days granted are checked by the same quota rule
as the request. A refusal must be expressly motivated and name the recourse (CAP for a
fonctionnaire, CCP for a contractuel, tribunal administratif), as section III.5 says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from drafts.forms import DRAFT_NOTICE, days_text, short_date
from drafts.layout import EMPTY, Block, FieldLine, Form, Heading, Para, Title
from drafts.models import WEEKDAYS, DecisionRequest, DraftRequest, parse_day
from drafts.validation import DraftRuleError, check_quota, next_first_of_month
from drafts.wording import wording
from rules.formatting import fr_date
from rules.models import load_rules
from rules.notice import last_day_of_period

MANAGER_FORMS = {
    "annexe-4": "Annexe 4 – Acte individuel autorisant le télétravail",
    "refus": "Refus motivé d'autorisation de télétravail",
}


@dataclass
class Decided:
    """The decision's document and what the manager should check before signing."""

    form: Form
    warnings: list[str] = field(default_factory=list)


def _person(civilite: str) -> str:
    return {"Mme": "madame", "M.": "monsieur"}.get(civilite, "madame/monsieur")


def _full_name(request: DraftRequest) -> str:
    return f"{request.prenom} {request.nom}"


def decide(request: DraftRequest, decision: DecisionRequest, requested_on: dt.date) -> Decided:
    """Build annex 4 (``accord``) or the refusal letter (``refus``).

    Raises:
        DraftRuleError: dates beyond the maximum durations, days over the quota, a refusal
            without motives, on-site and telework on the same day, hours that end first.

    """
    if decision.decision == "refus":
        return Decided(refusal(request, decision, requested_on))
    return acte_individuel(request, decision, requested_on)


def acte_individuel(
    request: DraftRequest, decision: DecisionRequest, requested_on: dt.date
) -> Decided:
    """Annex 4, filled from the request and the manager's choices."""
    text, periods = wording("annexe_4"), load_rules().notice.periods
    warnings: list[str] = []
    start = decision.date_debut or next_first_of_month(request.date_debut)
    latest_end = last_day_of_period(start, periods["authorisation"].value.months)
    end = decision.date_fin or latest_end
    if not start <= end <= latest_end:
        raise DraftRuleError(
            "date_fin",
            f"l'autorisation dure un an au plus : à partir du {fr_date(start)}, elle prend fin "
            f"au plus tard le {fr_date(latest_end)} (et pas avant son début).",
        )
    max_adaptation = periods["adaptation"].value.months
    if decision.adaptation_mois is not None and decision.adaptation_mois > max_adaptation:
        raise DraftRuleError(
            "adaptation_mois",
            f"la période d'adaptation dure {max_adaptation} mois au plus.",
        )
    days = decision.jours or request.jours
    pattern = request.motif_mensuel if decision.motif_mensuel is None else decision.motif_mensuel
    granted = request.model_copy(update={"jours": days, "motif_mensuel": pattern})
    check_quota(granted)
    onsite = _onsite_days(request, days, decision.jours_sur_site, warnings)
    hours = _hours(decision, warnings)
    name, person = _full_name(request), _person(decision.civilite)
    service = decision.service or request.affectation
    heading = (
        f"{text['heading_prefix']} {EMPTY} autorisant {decision.civilite or 'Mme/M.'} "
        f"{name} {text['heading_suffix']}"
    )
    visas = [text["vu_1"], text["vu_2"]]
    if decision.statut == "contractuel":
        visas.append(text["vu_contractuel"])
    visas += [text["vu_3"], text["vu_4"], text["vu_5"]]
    visas.append(
        f"Vu la demande de {person} {name} en date du {short_date(requested_on)} "
        f"{text['vu_demande']}"
    )
    if request.medical:
        medecin = short_date(decision.date_avis_medecin) if decision.date_avis_medecin else EMPTY
        visas.append(f"{text['vu_medecin']} {medecin} ;")
    avis_date = short_date(decision.date_avis_chef) if decision.date_avis_chef else EMPTY
    visas.append(
        f"Vu l'avis de {decision.chef_service or EMPTY} (chef de service) en date du {avis_date},"
    )
    article_1 = (
        f"A compter du {short_date(start)} et jusqu'au {short_date(end)} (durée maximale d'un an), "
        f"{person} {name} {text['authorised']} {request.poste}."
    )
    blocks: list[Block] = [
        Title(heading, text["annex"]),
        Para(DRAFT_NOTICE.replace("votre supérieur hiérarchique", "l'agent"), "notice"),
        FieldLine("Autorité :", decision.autorite),
        *(Para(visa) for visa in visas),
        Heading(text["arrete"]),
        Heading(text["article_1"], 2),
        Para(article_1),
    ]
    if decision.adaptation_mois:
        ends = last_day_of_period(start, decision.adaptation_mois)
        blocks.append(
            Para(
                f"{text['adaptation']} {decision.adaptation_mois} mois qui s'achève le "
                f"{short_date(ends)} (durée maximale de trois mois)."
            )
        )
    blocks += [
        Heading(text["article_2"], 2),
        Para(
            f"{text['places']} {'; '.join(request.lieux)}, {text['located']} "
            f"{decision.adresse or EMPTY}."
        ),
        Heading(text["article_3"], 2),
        Para(f"{text['days']} {days_text(days, request.base, pattern)}."),
        Para(f"{text['changes']}."),
        Para(
            f"{person.capitalize()} {name} est à la disposition de {service} et "
            f"{text['reachable']} {hours}."
        ),
        Heading(text["article_4"], 2),
        Para(f"{text['onsite']} {onsite}."),
        FieldLine(text["done"]),
        Para(text["recourse"], "italic"),
    ]
    return Decided(Form("annexe-4", MANAGER_FORMS["annexe-4"], blocks), warnings)


def _onsite_days(
    request: DraftRequest, days: list[str], onsite: list[str] | None, warnings: list[str]
) -> str:
    telework = {parse_day(day)[0] for day in days if parse_day(day)[1] is None}
    if onsite is not None:
        clash = telework & {parse_day(day)[0] for day in onsite if parse_day(day)[1] is None}
        if clash:
            raise DraftRuleError(
                "jours_sur_site",
                "un même jour ne peut pas être à la fois télétravaillé et sur site.",
            )
        return ", ".join(onsite) or EMPTY
    if request.quotite == 100:
        return ", ".join(day for day in WEEKDAYS if day not in telework)
    warnings.append("Temps partiel : précisez les jours travaillés sur site (article 4).")
    return EMPTY


def _hours(decision: DecisionRequest, warnings: list[str]) -> str:
    if not decision.plages_fixes:
        warnings.append("Précisez les plages fixes pendant lesquelles l'agent est joignable.")
        return f"{EMPTY} à {EMPTY}"
    for plage in decision.plages_fixes:
        if plage.fin <= plage.debut:
            raise DraftRuleError("plages_fixes", "une plage fixe doit finir après son début.")
    return " et de ".join(
        f"{plage.debut.strftime('%H:%M')} à {plage.fin.strftime('%H:%M')}"
        for plage in decision.plages_fixes
    )


def refusal(request: DraftRequest, decision: DecisionRequest, requested_on: dt.date) -> Form:
    """A motivated refusal letter that names the recourse the agent has."""
    if not decision.motifs:
        raise DraftRuleError(
            "motifs", "un refus doit être expressément motivé : indiquez les motifs."
        )
    text = wording("refusal")
    committee = {
        "fonctionnaire": text["cap"],
        "contractuel": text["ccp"],
    }.get(decision.statut, f"{text['cap']} ou {text['ccp']}")
    person, name = _person(decision.civilite), _full_name(request)
    interview = (
        f" et de notre entretien du {short_date(decision.date_entretien)}"
        if decision.date_entretien
        else ""
    )
    blocks: list[Block] = [
        Title("Refus d'autorisation d'exercice des fonctions en télétravail", "Décision"),
        Para(DRAFT_NOTICE.replace("votre supérieur hiérarchique", "l'agent"), "notice"),
        FieldLine("Autorité :", decision.autorite),
        FieldLine("Destinataire :", f"{person.capitalize()} {name}, {request.corps}"),
        FieldLine("Affectation :", request.affectation),
        FieldLine("Objet :", "refus d'autorisation d'exercice des fonctions en télétravail"),
        Para(
            f"{person.capitalize()}, à la suite de votre demande du {short_date(requested_on)} "
            f"d'exercer en télétravail les fonctions de {request.poste}, les "
            f"{days_text(request.jours, request.base, request.motif_mensuel)}{interview}, "
            "j'ai le regret de vous informer que cette demande est refusée."
        ),
        Heading("Motifs du refus", 2),
        Para(decision.motifs),
        Heading("Voies de recours", 2),
        Para(
            "Conformément à l'instruction SG/SRH/SDDPRS/2019-781 (III, 5 – Les voies de "
            "recours), la décision portant refus d'autorisation de télétravail "
            f"{text['motivated']}"
        ),
        Para(f"Vous pouvez ainsi saisir {committee}, ou {text['tribunal']}."),
        FieldLine("Fait le"),
        FieldLine("Signature :"),
    ]
    return Form("refus", MANAGER_FORMS["refus"], blocks)
