"""The managers' quiz: questions built from the rules data and the quoted texts.

Every right answer is read from the data (a ceiling, a notice period, a duration, a quoted
obligation), so the quiz changes when the rules do; wrong choices are neighbouring values or
practices the texts do not allow. Each question carries the explanation and the sources
shown after the user's reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from actions.guide import INDIVIDUAL_ACT, REFUSAL, delay_text
from knowledge.models import Source
from rules.formatting import fr_days
from rules.models import Fact, NoticeEvent, cite, load_rules

LETTERS = ("a", "b", "c", "d")


class QuizQuestion(NamedTuple):
    """A question, its four choices (a–d), the right letter, why, and where it is written."""

    prompt: str
    choices: tuple[str, str, str, str]
    answer: str
    explanation: str
    sources: list[Source]


def _question(
    prompt: str, choices: Sequence[str], right: str, explanation: str, *facts: Fact
) -> QuizQuestion:
    if len(choices) != len(LETTERS) or len(set(choices)) != len(LETTERS):
        raise ValueError(f"quatre choix distincts attendus : {prompt}")
    answer = LETTERS[list(choices).index(right)]
    a, b, c, d = choices
    return QuizQuestion(prompt, (a, b, c, d), answer, explanation, cite(*facts))


def _ceilings() -> list[QuizQuestion]:
    quota = load_rules().quota
    full = quota.full_time_max_days_per_week.value
    row = next(r for r in quota.part_time_table.value if r.quotite == 80)
    table = sorted({r.max_days_per_week for r in quota.part_time_table.value})
    around = sorted(table, key=lambda v: (abs(v - row.max_days_per_week), v))[:4]
    presence = quota.min_presence_days_per_week.value
    return [
        _question(
            "Un agent à temps plein peut télétravailler au maximum…",
            [f"{fr_days(full + k)} par semaine" for k in (-1, 0, 1, 2)],
            f"{fr_days(full)} par semaine",
            f"Au plus {fr_days(full)} par semaine à temps plein : la présence sur site ne peut "
            f"être inférieure à {fr_days(presence)} par semaine.",
            quota.full_time_max_days_per_week,
            quota.min_presence_days_per_week,
        ),
        _question(
            f"Un agent à {row.quotite} % peut télétravailler au maximum…",
            [f"{fr_days(v)} par semaine" for v in sorted(around)],
            f"{fr_days(row.max_days_per_week)} par semaine",
            f"À {row.quotite} %, l'agent travaille {fr_days(row.worked_days_per_week)} par "
            f"semaine ; il en garde {fr_days(presence)} sur site, d'où "
            f"{fr_days(row.max_days_per_week)} au plus ({fr_days(row.max_days_per_month)} sur "
            "base mensuelle).",
            quota.part_time_table,
        ),
    ]


def _notices() -> list[QuizQuestion]:
    events = load_rules().notice.events
    choices = [delay_text(rule.value) for rule in events.values()]
    prompts: dict[NoticeEvent, str] = {
        "ponctual_change": "Quel délai de prévenance pour modifier ponctuellement un jour "
        "télétravaillé ?",
        "calendar_change": "Quel délai de prévenance pour modifier durablement le calendrier "
        "des jours télétravaillés ?",
        "end": "Quel délai de prévenance pour mettre fin au télétravail après la période "
        "d'adaptation ?",
    }
    return [
        _question(
            prompt,
            choices,
            delay_text(events[event].value),
            f"{events[event].label.capitalize()} : {delay_text(events[event].value)}. "
            f"{events[event].note}",
            events[event],
        )
        for event, prompt in prompts.items()
    ]


def _durations() -> list[QuizQuestion]:
    rules = load_rules()
    periods = rules.notice.periods
    authorisation, medical = periods["authorisation"], periods["medical_derogation"]
    months = sorted({p.value.months for p in periods.values()} | {1, 24})[:4]
    limit = rules.eligibility.status.value.min_contract_months_exclusive
    renew = "renouvelable une fois" if medical.value.renewals == 1 else "renouvelable"
    right_medical = f"{medical.value.months} mois, {renew}"
    return [
        _question(
            "Quelle est la durée maximale d'une autorisation de télétravail ?",
            [f"{m} mois" for m in months],
            f"{authorisation.value.months} mois",
            f"{authorisation.value.months} mois au plus. {authorisation.note}",
            authorisation,
        ),
        _question(
            "Une dérogation pour raison médicale est accordée pour…",
            [
                f"{medical.value.months // 2} mois, non renouvelable",
                right_medical,
                f"{medical.value.months * 2} mois, renouvelable sans limite",
                "toute la durée de l'autorisation",
            ],
            right_medical,
            f"{right_medical.capitalize()}. {medical.note}",
            medical,
        ),
        _question(
            "Quelle durée de contrat faut-il à un agent contractuel pour demander le télétravail ?",
            [
                "aucune durée minimale",
                f"au moins {limit // 2} mois",
                f"plus de {limit} mois",
                f"plus de {limit * 2} mois",
            ],
            f"plus de {limit} mois",
            f"Un contrat de plus de {limit} mois. {rules.eligibility.status.note}",
            rules.eligibility.status,
        ),
    ]


def _activities() -> list[QuizQuestion]:
    rules = load_rules()
    excluded = rules.eligibility.non_teleworkable_activities["accueil_public"]
    manager = rules.eligibility.non_teleworkable_activities["encadrement"]
    derogation = rules.quota.medical_derogation.ineligible_activities
    return [
        _question(
            "Laquelle de ces activités les textes excluent-ils du télétravail ?",
            [
                "la rédaction de comptes rendus",
                "la planification",
                "les dossiers en propre d'un encadrant",
                excluded.label,
            ],
            excluded.label,
            f"Exclu : {excluded.label}. Un encadrant peut en revanche télétravailler pour ses "
            "comptes rendus, sa planification ou ses dossiers en propre.",
            excluded,
            manager,
        ),
        _question(
            "Une dérogation pour raison médicale permet-elle de télétravailler une activité non "
            "télétravaillable ?",
            [
                "oui, sur avis du médecin de prévention",
                "oui, pour six mois au plus",
                "non, jamais",
                "seulement avec une RQTH",
            ],
            "non, jamais",
            derogation.note,
            derogation,
        ),
    ]


def _obligations() -> list[QuizQuestion]:
    act = "un acte individuel (modèle en annexe 4)"
    return [
        _question(
            "Un refus de télétravail doit être…",
            [
                "expressément motivé et notifié à l'agent",
                "simplement annoncé à l'oral",
                "motivé seulement si l'agent le demande",
                "validé par le référent télétravail",
            ],
            "expressément motivé et notifié à l'agent",
            REFUSAL.note,
            REFUSAL,
        ),
        _question(
            "Quel document formalise l'autorisation de télétravail ?",
            ["un courriel du supérieur", "le formulaire Chorus (annexe 5)", act, "aucun"],
            act,
            INDIVIDUAL_ACT.note,
            INDIVIDUAL_ACT,
        ),
    ]


@lru_cache(maxsize=1)
def questions() -> tuple[QuizQuestion, ...]:
    """All the quiz's questions, in the order they are asked."""
    return (*_ceilings(), *_notices(), *_durations(), *_activities(), *_obligations())


def score_comment(score: int, total: int) -> str:
    """A short French comment on a score."""
    if score == total:
        return "Sans faute : vous connaissez l'instruction sur le bout des doigts."
    if Fraction(score, total) >= Fraction(3, 4):
        return "Très bien : revoyez simplement les points manqués."
    return "Le guide du manager reprend chaque point avec sa source : n'hésitez pas à le relire."
