"""What a manager must know to instruct a request, each point with the sentence it comes from.

Most facts are the rules engine's own (``rules/data``); the few the engine does not need
(aptitude, organisation of the service, budget, interview, acte individuel, refusal,
follow-up) are quoted here in the same typed form, and ``tests/actions`` checks that every
quote is verbatim in its text. The same facts feed the manager guide, the quiz and the
description of the request form (annex 1).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from rules.models import Citation, Delay, Fact, load_rules

INSTRUCTION = "maa-instruction-2019-781"
_CRITERIA = "II – Les critères d'éligibilité"
_PROCEDURE = "III – La procédure de demande"
_ANNEX_1 = (
    "Annexe 1 – Formulaire de demande et de validation de l'exercice des fonctions en télétravail"
)
SECTIONS = {
    "criteria": _CRITERIA,
    "aptitude": f"{_CRITERIA} › 3 – L'aptitude de l'agent à télétravailler",
    "service": f"{_CRITERIA} › 4 – La capacité du service à s'organiser et à maintenir une "
    "dynamique collective",
    "budget": f"{_CRITERIA} › 5 – Les contraintes budgétaires",
    "request": f"{_PROCEDURE} › 1 – Formaliser une demande",
    "act": f"{_PROCEDURE} › 3 – La notification et le contenu de l'autorisation d'exercice des "
    "fonctions en télétravail",
    "appeal": f"{_PROCEDURE} › 5 – Les voies de recours",
    "follow_up": "V – L'accompagnement du télétravail › 3 – Le suivi individuel de l'agent en "
    "télétravail",
    "annex_1_step_1": f"{_ANNEX_1} › Étape 1",
    "annex_1_step_2": f"{_ANNEX_1} › Étape 2",
}


def _fact(note: str, *quotes: tuple[str, str]) -> Fact:
    citations = [Citation(doc_id=INSTRUCTION, section=SECTIONS[key], quote=q) for key, q in quotes]
    return Fact(note=note, sources=citations)


OUTCOMES = _fact(
    "Les critères peuvent mener à un accord, à un refus, ou à un accord sur moins de jours ou "
    "sur d'autres jours que ceux demandés.",
    (
        "criteria",
        "La prise en compte des critères ci-dessous peut conduire soit à un accord, soit à un "
        "refus du télétravail, soit à un accord sur un nombre de jours plus réduit ou sur des "
        "jours différents de ceux demandés initialement par l'agent.",
    ),
)
APTITUDE = _fact(
    "Autonomie, initiative, rigueur, organisation, capacité à travailler seul, à gérer son "
    "temps, à communiquer à distance et à travailler par objectifs ; l'ancienneté sur le poste "
    "compte aussi.",
    (
        "aptitude",
        "L'aptitude de l'agent est jugée notamment selon les critères suivants : autonomie, "
        "initiative, rigueur, organisation, capacité à travailler seul, à faire preuve de "
        "discipline, à gérer son temps, à communiquer à distance, à savoir travailler par "
        "objectifs et rendre des comptes.",
    ),
    ("aptitude", "L'ancienneté sur le poste constitue un critère d'appréciation."),
)
SERVICE = _fact(
    "Le service doit préserver le travail en commun et rester soutenable si d'autres agents "
    "demandent ensuite le télétravail : mieux vaut commencer par peu de jours.",
    (
        "service",
        "Le service doit trouver une organisation permettant de préserver un travail en commun "
        "et une convivialité indispensables à la fluidité des relations entre les agents.",
    ),
    (
        "service",
        "Il est donc recommandé de commencer par un nombre plus réduit de journées "
        "télétravaillées et de les augmenter ultérieurement, une fois que l'organisation du "
        "service aura démontré sa capacité d'adaptation.",
    ),
)
BUDGET = _fact(
    "Le télétravail a un coût pour l'administration, pris sur des budgets contraints.",
    (
        "budget",
        "La mise en place du télétravail pour un agent occasionne des coûts supplémentaires "
        "pour l'administration, pris sur des budgets de fonctionnement sous forte contrainte.",
    ),
)
INTERVIEW = _fact(
    "Un entretien avec l'agent sur la faisabilité du télétravail (étape 2 du formulaire), "
    "approfondi et formalisé.",
    (
        "request",
        "Ainsi, il est préconisé de prévoir un entretien approfondi et formalisé avec le "
        "supérieur hiérarchique au cours duquel peuvent être évoqués, notamment, les éventuels "
        "besoins de formation spécifiques à la situation de télétravail.",
    ),
    (
        "annex_1_step_2",
        "Entretien avec le supérieur hiérarchique pour échanger sur la faisabilité du télétravail",
    ),
)
REFUSAL = _fact(
    "Un refus d'autorisation ou de renouvellement, ou une cessation définitive, est "
    "expressément motivé et notifié ; l'agent peut saisir la CAP (fonctionnaire), la CCP "
    "(contractuel) ou le tribunal administratif.",
    (
        "appeal",
        "doit être expressément motivée et notifiée à l'agent, qui peut saisir la commission "
        "administrative paritaire (s'il est fonctionnaire) ou la commission consultative "
        "paritaire compétente (s'il est contractuel) ou le tribunal administratif "
        "territorialement compétent.",
    ),
    ("annex_1_step_2", "Motivation en cas de refus :"),
)
INDIVIDUAL_ACT = _fact(
    "L'autorisation prend la forme d'un acte individuel (modèle en annexe 4) qui fixe le "
    "nombre de jours et les jours eux-mêmes ; l'accord définitif est donné par le directeur "
    "de la structure.",
    (
        "act",
        "L'autorisation d'exercice en télétravail fait l'objet d'un acte individuel dont le "
        "modèle figure en annexe (cf. annexe 4 : modèle d'acte individuel).",
    ),
    (
        "act",
        "Cet acte précise, notamment, le nombre de jours sur lesquels porte le télétravail, de "
        "même que la définition des jours eux-mêmes.",
    ),
    ("request", "L'accord définitif est délivré par le directeur de la structure d'affectation."),
)
FOLLOW_UP = _fact(
    "Garder un contact régulier avec le télétravailleur, lui transmettre les informations "
    "utiles et faire régulièrement le point sur ses missions et résultats.",
    (
        "follow_up",
        "Le supérieur hiérarchique du télétravailleur doit maintenir un contact régulier avec "
        "l'agent.",
    ),
    (
        "follow_up",
        "faire un point régulier sur la bonne exécution de ces missions et des résultats attendus.",
    ),
)
REFERENT = _fact(
    "L'instruction recommande de désigner un référent télétravail, interlocuteur privilégié "
    "des agents et des encadrants.",
    (
        "follow_up",
        "Par ailleurs, la désignation d'un référent télétravail comme interlocuteur privilégié "
        "est recommandée pour accompagner à la fois les encadrants et les agents dans la mise "
        "en œuvre du télétravail.",
    ),
)
REQUEST_CONTENT = _fact(
    "La demande écrite précise les jours et le ou les lieux, les motivations, et joint les "
    "pièces demandées.",
    (
        "request",
        "Cette demande doit préciser les jours de la semaine concernés et le ou les lieux "
        "d'exercice.",
    ),
    ("annex_1_step_1", "Note 1 : Préciser base hebdomadaire ou mensuelle."),
)
PLACES_NOTE = (
    "Au domicile (installation électrique conforme, détecteur de fumée, connexion adaptée, "
    "assurance, pas d'enfant à garder) ou dans les locaux d'une autre administration ou d'une "
    "structure dédiée."
)
# What annex 1 asks, in the order of its first step (headings of the form itself).
ANNEX_1_FIELDS = (
    "nom, prénom, corps, affectation (structure, service, bureau) et intitulé du poste",
    "missions : intitulé, poids (%), part télétravaillable (%) et description des tâches "
    "télétravaillables",
    "motivations",
    "jours télétravaillés sollicités (deux choix possibles), base hebdomadaire ou mensuelle, "
    "et lieu(x) d'exercice",
    "temps de trajet pour rejoindre le lieu d'affectation",
    "date de début souhaitée (au 1er jour du mois)",
    "connexion Internet au débit adapté (oui/non)",
    "télétravail préconisé par le médecin de prévention, avec ou sans aménagement du poste",
)


_UNITS = {
    "working_days": ("jour ouvré", "jours ouvrés"),
    "calendar_days": ("jour", "jours"),
    "months": ("mois", "mois"),
}


class GuidePoint(NamedTuple):
    """One line of the manager guide: a short title and its cited fact."""

    title: str
    fact: Fact


def delay_text(delay: Delay) -> str:
    """Write a notice period: « 2 jours ouvrés », « 15 jours », « 2 mois »."""
    singular, plural = _UNITS[delay.unit]
    return f"{delay.amount} {singular if delay.amount == 1 else plural}"


def notice_fact() -> Fact:
    """The notice periods of the rules data, as one guide point."""
    events = load_rules().notice.events
    note = " ; ".join(f"{rule.label} : {delay_text(rule.value)}" for rule in events.values())
    sources = [citation for rule in events.values() for citation in rule.sources[:1]]
    return Fact(note=note[0].upper() + note[1:] + ".", sources=sources)


@lru_cache(maxsize=1)
def criteria() -> tuple[GuidePoint, ...]:
    """The evaluation criteria of a request, from the rules data and the texts."""
    rules = load_rules().eligibility
    return (
        GuidePoint("Nature des activités et intérêt du service", rules.discretion),
        GuidePoint("Tâches télétravaillables en quantité suffisante", rules.teleworkable_tasks),
        GuidePoint("Activités non télétravaillables", rules.activity_grouping),
        GuidePoint("Conditions matérielles", rules.places.model_copy(update={"note": PLACES_NOTE})),
        GuidePoint("Aptitude de l'agent", APTITUDE),
        GuidePoint("Capacité du service à s'organiser", SERVICE),
        GuidePoint("Contraintes budgétaires", BUDGET),
        GuidePoint("Issue possible", OUTCOMES),
    )


@lru_cache(maxsize=1)
def obligations() -> tuple[GuidePoint, ...]:
    """What the manager must do, from the interview to the follow-up."""
    return (
        GuidePoint("Entretien", INTERVIEW),
        GuidePoint("Refus motivé", REFUSAL),
        GuidePoint("Acte individuel", INDIVIDUAL_ACT),
        GuidePoint("Délais de prévenance", notice_fact()),
        GuidePoint("Suivi", FOLLOW_UP),
    )
