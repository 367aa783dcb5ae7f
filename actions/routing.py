"""Answer first, compute on request: where a question goes, decided in plain Python.

A question is answered from the texts whatever its topic; the calculator of that topic (quota,
impact simulator, eligibility check, notice period, manager guide) is then *offered*. It
starts at once only when the user asks for their own computation — a request to calculate,
simulate, estimate or check, in the first person or as an order (« calcule mes jours », « je
veux vérifier mon éligibilité », « simule mes économies ») — or gives what it needs (a
quotité, a distance, an event and its date). A question *about* a calculator or a figure
(« à quoi sert le simulateur du plan ? ») is not a request to run it.

The rules are general (words of request, person, interrogatives), never a list of questions,
and this module imports nothing from Rasa so that it can be tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from actions.dates import COUNT
from knowledge.analysis import fold

Computation = Literal["quota", "impact", "eligibility", "notice", "manager_guide"]

# The calculator each topic intent offers.
TOPIC_COMPUTATIONS: dict[str, Computation] = {
    "ask_quota": "quota",
    "simulate_impact": "impact",
    "ask_eligibility": "eligibility",
    "ask_changes": "notice",
    "ask_manager_guide": "manager_guide",
}

# The calculator a cited passage leads to, when the intent named none: (calculator, doc_id,
# pattern of the section title, pattern of the passage or None), folded. The passages are
# those of the texts in knowledge/sources: the quotité section of the MAA instruction, its
# eligibility criteria, its rules on changing days and ending telework, and the impact
# simulator of the national plan (action 20) or any passage on the trips' emissions.
SECTION_COMPUTATIONS: tuple[tuple[Computation, str, str, str | None], ...] = (
    ("quota", "maa-instruction-2019-781", r"la quotite de teletravail", None),
    ("eligibility", "maa-instruction-2019-781", r"criteres d eligibilite", None),
    (
        "notice",
        "maa-instruction-2019-781",
        r"modification ou le report ponctuel|reversibilite|periode d adaptation",
        None,
    ),
    ("impact", "pndtt-plan-national", r"simulateur d impacts", None),
    ("impact", "pndtt-plan-national", r"", r"carbone|co2|effet de serre|pollution|emission"),
)


def computation_of_passage(doc_id: str, section: str, excerpt: str) -> Computation | None:
    """The calculator a cited passage leads to (:data:`SECTION_COMPUTATIONS`), if any."""
    section, excerpt = " ".join(words(section)), " ".join(words(excerpt))
    for computation, document, section_pattern, passage_pattern in SECTION_COMPUTATIONS:
        if document != doc_id or not re.search(section_pattern, section):
            continue
        if passage_pattern is None or re.search(passage_pattern, excerpt):
            return computation
    return None


# Stems of the words that ask for a computation (calculer, simulation, estimez, vérif…).
_COMPUTE = re.compile(r"^(calcul|simul|estim|verif|evalu|chiffr|mesur|test|check)")
# Words that ask for the manager guide itself rather than for one of its facts.
_GUIDE = re.compile(r"\b(guide|mode manager|quiz|aide[sz]? moi|accompagne[sz]? moi)\b")
_MANAGER_WORDS = frozenset(
    {"manager", "managers", "encadrant", "encadrants", "encadrement", "chef", "cheffe",
     "instruire", "instruction", "responsable", "responsables"}
)  # fmt: skip
_FIRST_PERSON = frozenset({"je", "j", "me", "m", "moi", "mon", "ma", "mes"})
# An order or an infinitive opening the message: « calcule… », « lancer la simulation ».
_ORDERS = frozenset(
    {
        "calcule", "calculez", "calculer", "simule", "simulez", "simuler", "estime",
        "estimez", "estimer", "verifie", "verifiez", "verifier", "evalue", "evaluez",
        "evaluer", "chiffre", "chiffrez", "chiffrer", "teste", "testez", "tester", "lance",
        "lancez", "lancer", "fais", "faites", "faire", "refais", "check",
    }
)  # fmt: skip
# A noun opening a short request that is not a question: « calcul date d'effet ».
_NOUN_ORDERS = frozenset({"calcul", "simulation", "estimation", "verification"})
# Words that may come before the order without changing it.
_LEAD_IN = frozenset(
    {"ok", "okay", "ouais", "ouai", "yes", "go", "bon", "alors", "oui", "bonjour", "salut",
     "stp", "svp", "merci", "maintenant", "vas", "y", "et", "du", "coup", "allez", "please"}
)  # fmt: skip
# A polite or wishful request: « peux-tu… », « je voudrais… », « aide-moi à… ».
_REQUEST = re.compile(
    r"\b(peux tu|pouvez vous|pourrais tu|pourriez vous|tu peux|vous pouvez|tu pourrais|"
    r"vous pourriez|je veux|je voudrais|je souhaite|je souhaiterais|j aimerais|"
    r"j ai besoin|aide moi|aidez moi|merci de)\b"
)
# Whether oneself is eligible, asked as such: the eligibility check is the answer.
_SELF_ELIGIBILITY = re.compile(r"\bsi (je|j) (suis|serais|serai) (bien |vraiment )?eligible")
# Openings of a question about how or what (then the first person alone is not a request).
_INTERROGATIVE = frozenset(
    {"comment", "pourquoi", "quel", "quelle", "quels", "quelles", "que", "qu", "qui", "quoi",
     "ou", "quand", "combien", "est", "c", "a"}
)  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")
# Fewer words than this is a request or a word typed alone (« référent ? »), not a question.
MIN_QUESTION_WORDS = 4
# « comment » or « pourquoi » this close before the word of computation makes a question of it.
_HOW = frozenset({"comment", "pourquoi"})
MAX_HOW_DISTANCE = 3


@dataclass(frozen=True)
class Route:
    """Where a question goes: the calculator of its topic, and whether to start it now."""

    computation: Computation | None
    start: bool = False


def words(text: str) -> list[str]:
    """Folded words, apostrophes and hyphens as separators (« Peux-tu » → peux, tu)."""
    return _WORD.findall(fold(text))


def is_explicit_request(text: str) -> bool:
    """Tell whether the user asks the assistant to compute something for them.

    A word of computation is needed (calculer, simuler, estimer, vérifier, évaluer,
    chiffrer, mesurer, tester), with either an order opening the message, a polite or
    wishful request, or — outside a how/what question — the first person (« simulation de
    mes économies »). « Comment le simulateur calcule-t-il ? » or « quels chiffres donne le
    plan ? » ask about something: they are answered, not run.
    """
    tokens = words(text)
    if _SELF_ELIGIBILITY.search(" ".join(tokens)):
        return True  # « je voudrais savoir si je suis éligible »: the check answers it
    if not any(_COMPUTE.match(token) for token in tokens):
        return False
    lead = [t for t in tokens if t not in _LEAD_IN]
    if lead and lead[0] in _ORDERS:
        return True
    if any(_ordered(clause) for clause in _CLAUSE_END.split(text)[1:]):
        return True  # « je suis éligible ? fais le test »: the order opens its own clause
    if lead and lead[0] in _NOUN_ORDERS and not text.rstrip().endswith("?"):
        return True
    if _asks_how(tokens):
        return False  # « je voudrais savoir comment se calcule… »: the rule is the answer
    if _REQUEST.search(" ".join(tokens)):
        return True
    is_question = text.rstrip().endswith("?") or bool(lead and lead[0] in _INTERROGATIVE)
    return not is_question and any(t in _FIRST_PERSON for t in tokens)


_CLAUSE_END = re.compile(r"[?!.;,]")


def _ordered(clause: str) -> bool:
    """Whether a clause is an order to compute (« fais le test », « calcule stp »)."""
    lead = [t for t in words(clause) if t not in _LEAD_IN]
    return bool(lead) and lead[0] in _ORDERS and any(_COMPUTE.match(t) for t in lead)


def _asks_how(tokens: Sequence[str]) -> bool:
    """« …, comment on calcule mes jours dans ce cas » asks how, even without « ? » at the end."""
    first = next(i for i, token in enumerate(tokens) if _COMPUTE.match(token))
    return any(token in _HOW for token in tokens[max(0, first - MAX_HOW_DISTANCE) : first])


def asks_for_guide(text: str) -> bool:
    """Tell whether a manager asks for the guide or the quiz, not for one fact of it.

    A question about a guide that is not the manager's (« y a un guide pr le tt au MI ? où
    on le trouve ») asks what the texts say of it: the guide starts on a question only when
    it names the managers.
    """
    tokens = words(text)
    found = _GUIDE.search(" ".join(tokens))
    if found is None:
        return False
    if found.group(1) != "guide":
        return True
    asked = "?" in text or bool(tokens and tokens[0] in _INTERROGATIVE)
    return not asked or bool(_MANAGER_WORDS & set(tokens))


# Words that ask to reach a person, not to learn about the référents.
_REACH = re.compile(
    r"\b(contact\w*|parl\w*|joindre|joins|joignable|transm\w*|relation|appel\w*|ecri\w*"
    r"|humain\w*|quelqu un|personne|poser|pose|envoy\w*|ticket|rappel\w*|adress\w*|tourn\w*)\b"
)


def asks_about_referents(text: str) -> bool:
    """Tell whether a message mentioning the référents asks *about* them, not to reach one.

    « y a un référent tt par région ? il organise des rencontres ? » asks what the texts say
    of the référents: it is answered, and the référent offered after; « je veux parler à un
    référent », « comment contacter le référent ? » or « référent » alone ask for a person.
    """
    tokens = words(text)
    if not any(token.startswith("referent") for token in tokens):
        return False  # « à qui je m'adresse ? » asks for a person, not about the référents
    if _REACH.search(" ".join(tokens)) or len(tokens) < MIN_QUESTION_WORDS:
        return False
    return text.rstrip().endswith("?") or tokens[0] in _INTERROGATIVE


# Who pays a journey or a cost: what the texts say, not what the simulator computes.
_WHO_PAYS = re.compile(
    r"\b(rembours\w*|pris en charge|prise en charge|frais|billets?|qui paie|qui paye"
    r"|indemni\w*)\b"
)


def asks_who_pays(text: str) -> bool:
    """Whether a question asks who pays (« j'habite à 200 km, le billet est remboursé ? »).

    Its distance is the situation, not a parameter to simulate savings with: the question
    is answered from the texts, the simulator offered after.
    """
    return "?" in text and bool(_WHO_PAYS.search(" ".join(words(text))))


def has_parameters(computation: Computation, entities: Collection[str]) -> bool:
    """Tell whether the message gives what the calculator needs to run at once."""
    if computation == "quota":
        return "quotite" in entities
    if computation == "impact":
        return bool({"distance_km", "telework_days"} & set(entities))
    if computation == "notice":
        return {"notice_event", "date"} <= set(entities)
    return False


# Words naming a calculator in a request (« calcule ma date d'effet »), whatever the intent.
_TOPIC_WORDS: tuple[tuple[Computation, re.Pattern[str]], ...] = (
    (
        "notice",
        re.compile(r"\b(date d effet|delais?|prevenance|preavis|prendr?a? effet|effecti(f|ve))\b"),
    ),
    ("eligibility", re.compile(r"\b(eligib\w*|rempli\w* (les |toutes les )?conditions)")),
    ("impact", re.compile(r"\b(economies?|trajets?|co2|carburant|kilometres|km|simul\w*)\b")),
    ("quota", re.compile(r"\b(quotite|(mes|de|nombre de) (jours|jrs) de (tt|teletravail))\b")),
)


def requested_topic(text: str) -> Computation | None:
    """The calculator an explicit request names by its words, if exactly one."""
    folded = " ".join(words(text))
    found = [computation for computation, pattern in _TOPIC_WORDS if pattern.search(folded)]
    return found[0] if len(found) == 1 else None


def route(intent: str, text: str, entities: Collection[str] = ()) -> Route:
    """Decide whether a question is answered (with its calculator offered) or computed.

    Args:
        intent: the NLU intent of the message (``ask_quota``, ``nlu_fallback``…).
        text: what the user typed; a button payload (« /ask_quota ») asks the topic's
            question unless its entities give the calculator's parameters.
        entities: the names of the entities found in the message.

    """
    computation = TOPIC_COMPUTATIONS.get(intent)
    if not text.lstrip().startswith("/") and is_explicit_request(text):
        named = requested_topic(text)
        if named is not None and not has_parameters(computation or named, entities):
            return Route(named, start=True)
    if computation is None:
        return Route(None)
    if has_parameters(computation, entities):
        return Route(computation, start=not asks_who_pays(text))
    if text.lstrip().startswith("/"):
        return Route(computation)
    if computation == "manager_guide":
        return Route(computation, start=asks_for_guide(text))
    return Route(computation, start=is_explicit_request(text))


def unsure_route(candidates: Sequence[str], text: str, entities: Collection[str] = ()) -> Route:
    """Where a message the NLU was unsure of goes: a calculator only on strong evidence.

    ``candidates``: the NLU's intents, likeliest first (``nlu_fallback`` left out). The
    likeliest one is followed only on an explicit request for its calculator, or for the
    guide asked for by name (« montre moi le guide manager ») — not on an entity alone (« au
    MI » read as « mi-temps », « remboursé à 50 % » as a quotité); else a calculator whose
    words and parameters the message both holds (« jsuis à 4/5e, cb de jrs de tt ? »).
    Anything else is searched in the texts (Route(None)).
    """
    if text.lstrip().startswith("/"):
        return Route(None)
    likeliest = candidates[0] if candidates else ""
    computation = TOPIC_COMPUTATIONS.get(likeliest)
    if computation == "manager_guide" and asks_for_guide(text):
        return Route(computation, start=True)
    if computation is not None and is_explicit_request(text):
        return Route(computation, start=True)
    named = requested_topic(text)
    if named is not None and has_parameters(named, entities) and not asks_who_pays(text):
        return Route(named, start=True)
    return Route(None)


# A document the assistant drafts, named in a request: the agent's request (annex 1), the
# manager's individual act or decision.
_DRAFT = re.compile(
    r"\b(prepar\w*|redig\w*|rempli\w*|faire|fais|ecri\w*)\b(?: \w+){0,3} "
    r"(ma|la|une|mon|le) (demande|dossier|formulaire)\b"
)
_DECISION = re.compile(r"\b(acte individuel|arrete d autorisation|decision de refus)\b")
_DOCUMENT_ORDERS = _ORDERS | {"prepare", "redige"}


def requested_document(text: str) -> str | None:
    """The document flow a request names (``request_draft``, ``request_decision``), if any.

    For a message the NLU was unsure of: « aide moi a faire ma demande de tt, je suis a 80 % »,
    « tu peux me préparer l'acte individuel ? ». A question about the document (« comment
    faire ma demande ? ») is no request: it is answered from the texts.
    """
    tokens = words(text)
    joined = " ".join(tokens)
    lead = [t for t in tokens if t not in _LEAD_IN]
    if not (_REQUEST.search(joined) or (lead and lead[0] in _DOCUMENT_ORDERS)):
        return None
    if _DECISION.search(joined):
        return "request_decision"
    return "request_draft" if _DRAFT.search(joined) else None


# Words of a change of telework days, and of an end of telework (folded, stems).
_CHANGE = re.compile(
    r"\b(chang\w*|modifi\w*|echang\w*|deplac\w*|permut\w*|report\w*|decal\w*|bouger|inverser)\b"
)
# A change word next to what changes: the days or the calendar, or the telework itself
# (« modifier mon tt »); « la participation à ma mutuelle change si je passe en
# télétravail ? » changes something else.
_DAYS = r"(jours?|journees?|calendrier|planning|dates?|lundi|mardi|mercredi|jeudi|vendredi)"
_CHANGE_OF_DAYS = re.compile(
    rf"{_CHANGE.pattern}\W+(\w+\W+){{0,4}}{_DAYS}\b"
    rf"|{_CHANGE.pattern}\W+(\w+\W+){{0,2}}(tt|teletravail)\b"
    rf"|\b({_DAYS}|tt|teletravail)\W+(\w+\W+){{0,3}}{_CHANGE.pattern}"
)
# A day moved to another (« passer mon jour de tt du mercredi au vendredi »), without a word
# of change: a verb of moving, then one weekday to another.
_WEEKDAY = r"(lundi|mardi|mercredi|jeudi|vendredi)s?"
_DAY_MOVED = re.compile(
    rf"\b(pass\w*|mettre|mets|bascul\w*|gliss\w*|transfer\w*)\W+(\w+\W+){{0,6}}"
    rf"(du|le) {_WEEKDAY} (au|a|pour le|contre le|par le|vers le|au lieu du) {_WEEKDAY}\b"
)
_END = re.compile(
    r"\b(arret\w*|fin|cess\w*|stopp\w*|termin\w*|quitt\w*|renonc\w*|abandonn\w*|sortir)\b"
)
# Called to the office on a telework day (« mon chef veut que je vienne au bureau mardi alors
# que c'est mon jour de tt »): a ponctual change of that day.
_CALLED_IN = re.compile(
    r"\b(venir|vienne|viens|revenir|revienne|presentiel)\b.{0,80}\b(jour|journee)s? (de )?"
    r"(tt|teletravail)\b"
)
# « l'arrêté », « un arrêté » : the decree, not « arrêter » (« je l'arrête » still stops).
_DECREE = re.compile(
    r"(?<!\bje )(?<!\bon )(?<!\bil )(?<!\belle )(?<!\bvous )(?<!\bnous )(?<!\btu )"
    r"\b(l|un|cet|les|des|par|ce|d un|mon|notre|votre|leur) arretes?\b"
)
# « en arrêt maladie », « mon arrêt de travail »: a leave, not the end of telework.
_SICK_LEAVE = re.compile(r"\b(arrets? (maladie|de travail|de maladie)|en arret)\b")
_ADAPTATION = re.compile(r"\b(adaptation|periode d essai)\b")
# The adaptation period named as over (« je ne suis plus en période d'adaptation », « après
# la période d'adaptation », « mon adaptation est finie »): then it is not the event.
_ADAPTATION_OVER = re.compile(
    r"\b(plus|pas|apres|hors|au dela|au-dela|fini\w*|termine\w*|passe\w*|sorti\w*)\W+"
    r"(\w+\W+){0,4}(adaptation|essai)|(adaptation|essai)\W+(\w+\W+){0,3}"
    r"(finie?|terminee?|passee?|ecoulee?|achevee?)\b"
)
# What is not the telework itself, after « fin de »; after « changer de », not the days either.
_TELEWORK_ITSELF = (
    r"dates?|calendrier|planning|tt|teletravail|la periode|periode|l adaptation|mon tt|"
    r"mon teletravail|ma periode"
)
_NOT_TELEWORK = rf"(?!(jours?|journees?|{_TELEWORK_ITSELF})\b)\w+"
# A change of something else than the days (« si je change de poste, mon tt continue ? »,
# « sans changer de sécu »): « changer de jour » names the days.
_OTHER_CHANGE = re.compile(r"\bchang\w* (de|d|du) " + _NOT_TELEWORK)
# The end of something else (« fin de congé parental », « fin de contrat », « en fin de
# journée »): left out.
_OTHER_END = re.compile(rf"\bfin (de|d|du) (?!({_TELEWORK_ITSELF})\b)\w+")
_DURABLE = re.compile(
    r"\b(durabl\w*|definiti\w*|calendrier|planning|tous les|toutes les|chaque semaine|"
    r"mes jours|habituel\w*|fixes?|(pour|pr) de bon|permanent\w*|pour toujours)\b"
)
_PONCTUAL = re.compile(
    r"\b(ponctuel\w*|exceptionnel\w*|une fois|demain|apres demain|cette semaine|"
    r"semaine prochaine|un jour|mon jour|occasion\w*)\b"
)


def names_adaptation(text: str) -> bool:
    """Whether a message speaks of the adaptation period (over or not)."""
    return _ADAPTATION.search(" ".join(words(text))) is not None


def adaptation_over(folded: str) -> bool:
    """Whether a folded message says the adaptation period is over (« je n'y suis plus »)."""
    return _ADAPTATION_OVER.search(folded) is not None


# Said of the adaptation period after a computation for an end (« ah non elle est finie »),
# or a time in telework longer than its three months at most (« jsuis en tt depuis 2 ans »).
_OVER_BY_NOW = re.compile(
    r"\b(elle|c|ca) (est |etait |serait )?(deja )?(finie?|terminee?|passee?)\b"
    r"|\b(tt|teletravail)\W+(\w+\W+){0,2}depuis\W+(plus d\W+)?(\d+|un|deux|trois|quatre) ans?\b"
    r"|\b(plus dedans|n y suis plus|y suis plus|en suis sortie?)\b"
)
# Said of the adaptation period just named (« c quoi déjà la période d'adaptation ? » —
# « ok jsuis encore dedans »): the agent is still in it.
_STILL_IN = re.compile(r"\b(encore|toujours) dedans\b|\by suis (encore|toujours)\b")


def states_adaptation(text: str) -> bool:
    """Whether a follow-up of an end says where the agent stands (in the period or past it)."""
    folded = " ".join(words(text))
    return bool(
        _ADAPTATION.search(folded) or _OVER_BY_NOW.search(folded) or _STILL_IN.search(folded)
    )


def follow_up_events(text: str, context: str | None) -> tuple[str, ...]:
    """The notice events of a message, or of its follow-up context if it names a change.

    « et si je veux arrêter pendant ? » names the change, its context the telework and the
    adaptation period; « et pour le matériel ? » names none, its context is not read.
    """
    events = notice_events(text)
    if events or not context:
        return events
    return notice_events(context) if names_a_change(text) else ()


def called_in(text: str) -> bool:
    """Whether a message says the agent is asked to come in on a telework day."""
    return _CALLED_IN.search(" ".join(words(text))) is not None


def names_a_change(text: str) -> bool:
    """Whether a message names a change or an end, of what it may not say (« ça s'arrête »)."""
    folded = " ".join(words(text))
    return any(p.search(folded) for p in (_CHANGE, _END, _ADAPTATION))


def notice_events(text: str, adaptation_is_telework: bool = False) -> tuple[str, ...]:
    """The notice events a message is about, likeliest first; empty when it names none.

    ``adaptation_is_telework``: the adaptation period stands for telework, as in a
    conversation about it (« on me propose une période d'adaptation… je voudrais que ça
    s'arrête au 18/01 »); not in one question, where « la période d'adaptation se termine
    quand ? » asks its length.

    « arrêter le télétravail » → the end after the adaptation period, then during it;
    « pendant l'adaptation » → during it only; « changer mon jour demain » → a ponctual
    change; « changer mes jours durablement » → a change of calendar; « changer de jour »
    alone → both changes, ponctual first.
    """
    folded = _DECREE.sub(" ", " ".join(words(text)))
    if _SICK_LEAVE.search(folded):  # then « pendant mon arrêt » is that leave too
        folded = re.sub(r"\barrets?\b", " ", _SICK_LEAVE.sub(" ", folded))
    folded = _OTHER_END.sub(" ", folded)
    adaptation = bool(_ADAPTATION.search(folded)) and not adaptation_over(folded)
    about_telework = re.search(r"\btt\b|teletravail", folded) or (
        adaptation_is_telework and _ADAPTATION.search(folded)
    )
    if _OTHER_CHANGE.search(folded) and len(_CHANGE.findall(folded)) < 2:
        # « si je change de poste, je garde mes jours ? »: the post changes, not the days
        # (« je change de service et je veux modifier mes jours » names both).
        return ()
    if _END.search(folded) and about_telework:
        return ("end_during_adaptation",) if adaptation else ("end", "end_during_adaptation")
    moved = _CHANGE_OF_DAYS.search(folded) or _DAY_MOVED.search(folded)
    if moved and (about_telework or re.search(r"\bjours?\b", folded)):
        if _DURABLE.search(folded):
            return ("calendar_change",)
        if _PONCTUAL.search(folded):
            return ("ponctual_change",)
        return ("ponctual_change", "calendar_change")
    return ()


END_EVENTS = ("end", "end_during_adaptation")


def situation_of(text: str, previous: str) -> str:
    """The notice event of a follow-up message, after a computation for ``previous``.

    The event it names (« j'arrête le tt » after a change of days), or the previous one
    moved by the adaptation period it mentions (« je suis encore en période d'adaptation »,
    « ah non elle est finie » after an end), else the previous one (« et si je préviens le
    14 janvier ? »).
    """
    folded = " ".join(words(text))
    named = notice_events(text)
    ending = named[0] in END_EVENTS if named else previous in END_EVENTS
    if ending and _ADAPTATION.search(folded):
        return "end" if adaptation_over(folded) else "end_during_adaptation"
    if ending and _OVER_BY_NOW.search(folded):
        return "end"
    if ending and _STILL_IN.search(folded):
        return "end_during_adaptation"
    if len(named) == 1:
        return named[0]
    if named:
        return previous if previous in named else named[0]
    return previous


_EXPLICIT_DATE = re.compile(
    r"\b\d{1,2}(?:er)? ?[/.-] ?\d{1,2}\b|\b\d{1,2}(?:er)? (?:janv|fevr|mars|avr|mai|juin|juil|aout|"
    r"sept|oct|nov|dec)\w*|\b(?:demain|aujourd hui|aujd|auj|ajd|lundi|mardi|mercredi|jeudi|"
    r"vendredi|samedi|dimanche)\b|\b1er\b|\b20\d\d\b"
    rf"|\b(?:dans|ds|d ici) (?:{COUNT}) (?:jours?|semaines?|mois)\b"
)


def mentions_date(text: str) -> bool:
    """Whether a message names a date (« le 15 mars 2027 », « 04/05 », « demain », « mardi »)."""
    folded = fold(text).replace("'", " ")
    return bool(_EXPLICIT_DATE.search(folded) or _EXPLICIT_DATE.search(" ".join(words(text))))
