"""« je veux arrêter le 2 février, ça passe ? »: the date is the wished one, not the notice's.

A date in a question about changing or ending telework is usually the day the agent
notifies (« si je préviens le 15 mars, ça prend effet quand ? »). Sometimes it is the day the
change should take effect (« à partir du 15 janvier, je dois prévenir quand au plus tard ? »,
« … le 2 février, c'est possible ? »): computed forward from it, the reply would give a
true but useless date — or, worse, let the agent believe a late notice is in time. Such
messages get the latest notification date and, when it is past, what notifying today
reaches (:func:`rules.deadline.compute_deadline`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import dates
from actions.common import RULES_TIMEOUT_S, failure_text, remember, run_in_thread, send_sources
from knowledge.analysis import expand_abbreviations, fold
from rules.deadline import compute_deadline, working_day_before
from rules.extracts import notice_extract
from rules.formatting import fr_date

logger = logging.getLogger(__name__)

# Words that make the date the wished effective one: « à partir du », « dès le », « pour
# le », a wish (« ce serait le 4 février »), a start (« ça commencerait dans 3 semaines »),
# or a question on whether it is still possible / by when to notify.
_WISHED = re.compile(
    r"\b(a partir du?|a compter du?|des le|d ici le|pour le)\b"
    r"|\b(au plus tard|date limite|derniere limite)\b"
    r"|\b(ca passe|c est possible|jouable|faisable|trop tard|encore temps|dans les temps"
    r"|dans les delais|je suis dans les clous|c est encore bon|ce serait|ca serait)\b"
    r"|\b(prevenir|previens|informer|deposer|envoyer|demander|faire la demande)\b"
    r".{0,30}\b(quand|avant quelle date|a quelle date|avant quand)\b"
    r"|\b(quand|avant quelle date|avant quand)\b.{0,30}\b(prevenir|deposer|envoyer|informer)\b"
    r"|\b(s arrete\w*|s appliqu\w*|prenne effet|commence\w*|demarre\w*)\W+"
    r"(au|le|a partir du?|des le|pour le|dans|ds)\b"
    # A wish to stop or change on a day (« jveux arrêter le 8 février », « je voudrais
    # changer mon jour de tt le lundi 14 »): that day is the one it should take effect.
    r"|\b(veux|voudrais|voudrait|aimerais|souhaite|souhaiterais|compte)\W+(\w+\W+){0,2}?"
    r"(arreter|finir|stopper|cesser|changer|modifier|decaler|bouger)\W+(\w+\W+){0,4}?"
    r"(le|au|du|a partir du?|des le)\W+(\d|1er|lundi|mardi|mercredi|jeudi|vendredi|samedi"
    r"|dimanche)"
)
# Asking for the deadline itself (« j'envoie ma lettre avant quand ? », « il aurait dû me
# prévenir quand au plus tard ? »): the date is the wished one, whatever verb of notifying
# the message uses.
_DEADLINE_ASKED = re.compile(
    r"\b(avant quand|avant quelle date|date limite|dernier delai|quand au plus tard"
    r"|au plus tard quand)\b|\bau plus tard\W*$"
)
# Words that make it the notification date (« si je préviens le… », « ça prend effet quand ? »).
_NOTIFIED = re.compile(
    r"\b(previens|prevenu|previendrai|notifi\w*|prend\w* effet|date d effet|effet quand"
    r"|(je|j) (l |la |les |leur |lui )?(depose|envoie|donne|remets|transmets)\b)"
)
UNAVAILABLE = "Je n'arrive pas à faire ce calcul pour le moment. Réessayez dans un instant."
# Both follow-ups work: another wished date, or the date read as the notification's.
DEADLINE_HINT = (
    "Pour une autre date, dites par exemple « et à partir du 1er mars ? » ; si c'est le jour "
    "où vous prévenez, dites « et si je préviens le 4 janvier ? »."
)


def _folded(text: str) -> str:
    """The message as the patterns read it: abbreviations expanded, folded, no apostrophes."""
    return fold(expand_abbreviations(text)).replace("'", " ")


def wishes_effect_on(text: str, before: bool = False) -> bool:
    """Whether the date of the message is the day the change should take effect.

    ``before``: the date of the previous computation was a wished one; a follow-up that
    gives another (« et si c'est à partir de lundi prochain ? ») is one too, unless it says
    it is the notification's (« et si je préviens lundi ? »).
    """
    folded = _folded(text)
    if _DEADLINE_ASKED.search(folded):
        return True
    return (before or bool(_WISHED.search(folded))) and not _NOTIFIED.search(folded)


def asks_deadline(text: str) -> bool:
    """Whether the message asks by when to notify (« il doit me prévenir qd au plus tard ? »)."""
    return _DEADLINE_ASKED.search(_folded(text)) is not None


def names_notification(text: str) -> bool:
    """Whether the message says its date is the day of the notification (« si je préviens… »)."""
    return _NOTIFIED.search(_folded(text)) is not None


def other_reading(event: str, day: dt.date, message: str) -> str:
    """The deadline for ``day`` read as the wished effective date, when the message allows it.

    « mes jours changent le 5 mars », or « le 15 février » given to the date question, may
    name the day the change should take effect as well as the day it is notified: the reply
    computed from the notification adds, in one sentence, by when to notify for the other
    reading — unless the message says it notifies on that day, or the day is already here.
    """
    today = dates.current_day()
    if day <= today or names_notification(message):
        return ""
    result = compute_deadline(event, day, today)  # type: ignore[arg-type]
    # « le dimanche 6 décembre (en jour ouvré : le vendredi 4 décembre 2026) », as the deadline.
    latest = fr_date(result.latest_notification) + working_day_before(result.latest_notification)
    if result.too_late:
        return (
            f"Si le {fr_date(day)} est plutôt le jour où le changement doit prendre effet, "
            f"c'est trop tard : il fallait notifier au plus tard le {latest}."
        )
    return (
        f"Si le {fr_date(day)} est plutôt le jour où le changement doit prendre effet : "
        f"à notifier au plus tard le {latest}."
    )


async def reply_deadline(
    dispatcher: CollectingDispatcher, event: str, wished: dt.date, message: str = ""
) -> bool:
    """Send by when ``event`` must be notified to take effect on ``wished`` (False: failed).

    The reply restates the change and the date read, as every computation does, and quotes
    the sentence of the text that sets the delay.
    """
    today = dates.current_day()
    try:
        result = await run_in_thread(
            compute_deadline, event, wished, today, timeout=RULES_TIMEOUT_S
        )
    except Exception as error:
        logger.exception("Calcul de la date limite de prévenance impossible")
        dispatcher.utter_message(text=failure_text(error, UNAVAILABLE))
        return False
    headline = f"À notifier au plus tard le {fr_date(result.latest_notification)}."
    if result.too_late:
        headline = "Trop tard pour cette date. " + headline
    extract = notice_extract((event,), message)
    dispatcher.utter_message(
        text=f"{headline}\n\n{result.explanation}\n\n{extract}\n\n{DEADLINE_HINT}"
    )
    send_sources(dispatcher, result.sources)
    return True


def remember_wished(event: str, wished: dt.date) -> SlotSet:
    """Keep the computation for its follow-ups, the date marked as the wished one."""
    return remember("notice", event=event, date=wished.isoformat(), wished=True)
