"""The questions of annex 1, one table: how each answer is read, hinted and shown.

A field of the request used to be spelled out in about ten places (name tuples, a reader,
a hint, a summary line, three parts of the domain). :data:`FIELDS` is now the one list:
:mod:`actions.draft_dialogue` reads answers, asks again and writes the summary from it,
:mod:`actions.draft_form` names the slots from it, and a test checks that ``draft_form``'s
required slots, the slots and the questions (``utter_ask_draft_<name>``) of
``bot/domain.yml`` match it. The readers keep only a value of the right shape (None: the
message holds none) and raise :class:`ValueError` with a French reason when a value is
there but wrong; the request model's limits (:class:`drafts.models.DraftRequest`) apply.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from actions.draft_values import (
    check_text,
    example_date,
    parse_days,
    parse_missions,
    read_email,
    read_places,
    read_quotite,
    read_start_date,
    read_travel_time,
)
from actions.parsing import parse_yes_no
from rules.formatting import fr_date, fr_number

Reader = Callable[[str, dt.date], Any]
SLOT_PREFIX = "draft_"
# Values that come with the days (not questions of their own).
HIDDEN = ("base", "motif_mensuel")


def _text_reader(name: str) -> Reader:
    return lambda text, today: check_text(name, text)


def _yes_no(text: str, today: dt.date) -> bool | None:
    return parse_yes_no(text)


def _shown_plain(value: Any, values: Mapping[str, Any]) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value) if value not in (None, "") else "—"


def _shown_missions(value: Any, values: Mapping[str, Any]) -> str:
    return " ; ".join(
        f"{m['intitule']} ({fr_number(m['poids'])} %, télétravaillable à "
        f"{fr_number(m['part_teletravaillable'])} %)"
        for m in value
    )


def _shown_days(value: Any, values: Mapping[str, Any]) -> str:
    monthly = values.get("base") == "mensuelle"
    base = f" – {values.get('motif_mensuel')} (base mensuelle)" if monthly else ""
    return ", ".join(value) + (base or " (base hebdomadaire)")


def _always(values: Mapping[str, Any]) -> bool:
    return True


YES_NO_HINT = "Je n'ai pas compris : répondez par « oui » ou par « non » (ou « passer »)."


@dataclass(frozen=True)
class DraftField:
    """One question of the request form.

    Attributes:
        name: the request model's field (``POST /api/drafts``); the slot is ``draft_<name>``.
        label: how the summary and the messages name it (French).
        read: the value in a message (None: not there; ValueError: there but wrong).
        hint: why an answer was not kept, with an example (French); ``{date}`` and
            ``{numeric}`` stand for an example start date (see :meth:`hint_for`).
        optional: « passer » skips it, « aller à la fin » leaves it out.
        whole: the answer is the whole message (a name, a list of places…), so it is not
            searched for other values and « corriger le nom » alone does not set it.
        alone: not searched for other values either (a duration is not a quotité).
        words: folded words that name it in « corriger la quotité ».
        show: the value as the summary writes it.
        applies: whether the question is asked, from the answers so far.
        in_request: part of the request model (the final « oui » is not).

    """

    name: str
    label: str
    read: Reader
    hint: str = YES_NO_HINT
    optional: bool = False
    whole: bool = False
    alone: bool = False
    words: tuple[str, ...] = ()
    show: Callable[[Any, Mapping[str, Any]], str] = _shown_plain
    applies: Callable[[Mapping[str, Any]], bool] = _always
    in_request: bool = True

    @property
    def slot(self) -> str:
        """The Rasa slot that holds the answer."""
        return f"{SLOT_PREFIX}{self.name}"

    def hint_for(self, today: dt.date) -> str:
        """The hint, with the example dates counted from ``today``."""
        return self.hint.format(date=example_date(today), numeric=example_date(today, numeric=True))

    def shown(self, values: Mapping[str, Any]) -> str:
        """The answer as the agent reads it in the summary (« — » when empty)."""
        value = values.get(self.name)
        return self.show(value, values) if value not in (None, "", []) else "—"


def _free_text(name: str, label: str, *words: str) -> DraftField:
    return DraftField(name, label, _text_reader(name), whole=True, words=words)


# The questions, in the order of annex 1.
FIELDS: tuple[DraftField, ...] = (
    _free_text("nom", "nom", "nom"),
    _free_text("prenom", "prénom", "prenom"),
    _free_text("corps", "corps", "corps", "grade"),
    _free_text("affectation", "affectation", "affectation", "service"),
    _free_text("poste", "intitulé du poste", "intitule", "fonction"),
    DraftField(
        "missions",
        "missions",
        lambda text, today: parse_missions(text),
        whole=True,
        words=("mission",),
        show=_shown_missions,
    ),
    _free_text("motivations", "motivations", "motivation"),
    DraftField(
        "quotite",
        "quotité",
        lambda text, today: read_quotite(text),
        hint="Je n'ai pas reconnu de quotité : répondez par exemple « 80 % » ou « temps plein ».",
        words=("quotite", "temps partiel"),
        show=lambda value, values: f"{fr_number(value)} %",
    ),
    DraftField(
        "jours",
        "jours télétravaillés",
        lambda text, today: parse_days(text)[0] or None,
        hint="Je n'ai pas reconnu de jour : répondez par exemple « mardi et "
        "jeudi », ou « le lundi des semaines impaires ».",
        words=("jour",),
        show=_shown_days,
    ),
    DraftField(
        "lieux",
        "lieu(x) de télétravail",
        lambda text, today: read_places(text),
        hint="Je n'ai pas reconnu de lieu : répondez par exemple « Domicile, 12 rue "
        "des Acacias, Toulouse ».",
        whole=True,
        words=("lieu", "adresse"),
        show=lambda value, values: " ; ".join(value),
    ),
    DraftField(
        "temps_trajet",
        "temps de trajet",
        lambda text, today: read_travel_time(text),
        hint="Je n'ai pas reconnu de durée : répondez par exemple « 45 minutes » "
        "ou « 1 h 15 » (ou « passer »).",
        optional=True,
        alone=True,
        words=("trajet",),
    ),
    DraftField(
        "date_debut",
        "date de début",
        read_start_date,
        hint="Je n'ai pas reconnu de date de début : répondez par exemple "
        "« {date} », « {numeric} » ou "
        "« le mois prochain ».",
        words=("date", "debut"),
        show=lambda value, values: fr_date(dt.date.fromisoformat(value)),
    ),
    DraftField(
        "connexion_internet",
        "connexion Internet",
        _yes_no,
        optional=True,
        words=("internet", "connexion"),
    ),
    DraftField(
        "medical",
        "préconisation du médecin de prévention",
        _yes_no,
        optional=True,
        words=("medecin", "medical"),
    ),
    DraftField(
        "amenagement_poste",
        "aménagement du poste",
        _yes_no,
        optional=True,
        words=("amenagement", "poste"),
        applies=lambda values: values.get("medical") is True,
    ),
    DraftField("chorus", "utilisation de Chorus", _yes_no, optional=True, words=("chorus",)),
    DraftField(
        "email",
        "adresse électronique",
        lambda text, today: read_email(text),
        hint="Je n'ai pas reconnu d'adresse électronique : répondez par exemple "
        "« prenom.nom@agriculture.gouv.fr » (ou « passer »).",
        optional=True,
        alone=True,
        words=("adresse electronique", "adresse mail", "courriel", "mail"),
        applies=lambda values: values.get("chorus") is True,
    ),
    DraftField("confirmation", "confirmation", _yes_no, in_request=False),
)
BY_NAME = {item.name: item for item in FIELDS}
NAMES = tuple(BY_NAME)
OPTIONAL = tuple(item.name for item in FIELDS if item.optional)
# Words naming a field, longest first: « adresse électronique » before « adresse ».
_WORDS = sorted(
    ((word, item.name) for item in FIELDS for word in item.words), key=lambda w: -len(w[0])
)


def field_named_in(folded: str) -> str | None:
    """The field named first in « corriger le temps de trajet : … » (not in the new value)."""
    named = re.split(r"[:=]", folded, maxsplit=1)[0]
    found = []
    for rank, (word, name) in enumerate(_WORDS):
        match = re.search(rf"\b{word}", named)
        if match:
            found.append((match.start(), rank, name))
    return min(found)[2] if found else None
