"""Messages that lean on the one before: « et si je refuse ? », « merci ! et à 90 % ? ».

People rarely open a follow-up with the question alone. They thank first (« top merci. et
pour un contractuel ? »), acknowledge (« d'accord, et c'est renouvelable ? »), check what
they just read (« donc 15 jours c'est ça ? », « c'est bien 3 mois max ? ») or add the other
party (« l'administration aussi ? »). Such a message, searched alone, has too few words to
find its passage: it is searched with the message before it when it finds nothing alone
(:func:`actions.answers.answer_question`).

Plain Python, no Rasa import: unit-tested on its own, shared by the actions.
"""

from __future__ import annotations

import re

from knowledge.analysis import fold, sanitize_text

# Words that open a follow-up (after any acknowledgement).
FOLLOW_UP_OPENERS = frozenset(
    {"et", "mais", "meme", "sinon", "ou", "alors", "pareil", "idem", "aussi", "ensuite", "puis",
     "donc", "vraiment", "dc"}
)  # fmt: skip
# Words that close a message leaning on the one before (« je peux faire quoi alors ? »,
# « c'est quoi les pièces à fournir avec ? »: a preposition left without its object).
FOLLOW_UP_CLOSERS = frozenset({"alors", "donc", "dc", "avec", "dedans", "dessus", "apres"})
# Phrases that make a short message lean on the one before wherever they stand: the other
# party « aussi », a check of what was just said (« c'est bien… ? », « c'est ça ? »).
LEANING_PHRASES = (
    "aussi", "pareil", "idem", "du coup", "dans ce cas", "c est bien", "c est ca", "ca fait bien",
    "c est vrai", "meme chose", "non plus",
)  # fmt: skip
# Words that point back at what was just said (« cette période », « ces jours-là »).
DEMONSTRATIVES = frozenset({"cette", "cet", "ces", "celui", "celle", "ceux", "celles"})
# « ce » as a pronoun (« ce que », « c'est ») points at nothing said before.
_CE_PRONOUN = frozenset({"que", "qu", "qui", "quoi", "dont", "n", "sera", "serait", "soit"})
_THERE_IS = frozenset({"a", "aura", "avait", "aurait", "ait"})
# Third-person pronouns stand for someone or something named before (« elle doit me donner
# une raison ? », « il commence le 3 février ») — but the impersonal « il » names nothing:
# « il faut », « il y a », « il est possible de ».
_THIRD_PERSON = frozenset({"elle", "elles", "ils", "lui", "eux"})
_IMPERSONAL_AFTER_IL = frozenset(
    {"y", "faut", "fallait", "faudra", "faudrait", "est", "etait", "sera", "serait", "s",
     "suffit", "reste", "semble", "parait", "arrive", "vaut", "manque", "existe", "n", "ne"}
)  # fmt: skip
# A preposition left without its object, a subject right after it: « si ça se passe mal
# pendant, je peux tout arrêter ? » (pendant what was just said).
_DANGLING = frozenset({"pendant", "avant", "apres", "avec", "sans", "dedans", "dessus"})
_SUBJECTS = frozenset({"je", "j", "on", "il", "elle", "ils", "elles", "tu", "vous", "nous"})
# « ça » opening a short question stands for what was just said (« ça doit être par
# écrit ? », « ça compte comment ? »).
MAX_CA_WORDS = 8
# Nouns that name nothing but what was just talked about (« qui valide le truc au final ? »).
_VAGUE_NOUNS = frozenset({"truc", "trucs", "machin", "bidule"})
# A message made only of these words asks without saying about what (« pendant combien de
# temps ? », « à partir de quand ? », « c'est quoi le délai ? » has its subject: « délai »).
_INTERROGATIVES = frozenset({"combien", "quand", "quoi", "comment", "pourquoi", "ou"})
_BARE_ASKING = _INTERROGATIVES | {
    "pendant", "pour", "de", "d", "temps", "fois", "a", "partir", "jusqu", "jusque", "depuis",
    "en", "au", "bout", "c", "est", "ca", "ce", "sera", "et", "alors", "du", "coup", "dure",
    "durer",
}  # fmt: skip
# A question opened by a preposition and an interrogative asks about what was just said
# (« avec quels outils ? », « pour qui ? », « dans quel délai ? »).
_PREPOSITIONS = frozenset(
    {"avec", "pour", "par", "sur", "dans", "chez", "selon", "vers", "depuis", "apres", "avant"}
)
_WHICH = frozenset(
    {"quel", "quels", "quelle", "quelles", "qui", "quoi", "combien", "lequel", "laquelle",
     "lesquels", "lesquelles"}
)  # fmt: skip
# Words that thank or acknowledge before the real message (« merci bcp, et un téléphone ? »).
ACKNOWLEDGEMENTS = frozenset(
    {"merci", "mercii", "thanks", "thx", "ok", "okay", "oki", "okk", "dac", "daccord", "top",
     "super", "parfait", "cool", "genial", "nickel", "excellent", "impeccable", "bien", "tres",
     "beaucoup", "bcp", "mille", "ah", "oh", "bon", "ben", "bah", "euh", "hmm", "entendu",
     "compris", "note", "ouais", "oui", "yes", "tip"}
)  # fmt: skip
# « d'accord » and « d'acc » are two tokens once the apostrophe splits them.
_SPLIT_ACKNOWLEDGEMENTS = {("d", "accord"), ("d", "acc")}
# Discourse words that open a message without adding to its subject.
# « attends, … » interrupts a form to ask something: the question is what follows.
_OPENING_WORDS = frozenset(
    {"et", "sinon", "alors", "mais", "ensuite", "puis", "bon", "donc", "attends", "attendez",
     "euh", "bref", "tiens"}
)  # fmt: skip
_OPENING_PAIRS = {
    ("du", "coup"),
    ("au", "fait"),
    ("autre", "question"),
    ("autre", "chose"),
    ("autre", "sujet"),
    ("par", "contre"),
}
MAX_LEANING_WORDS = 12
# Beyond the acknowledgement, what makes a thank-you or a goodbye carry a question.
MIN_QUESTION_WORDS = 2
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _without_leading(text: str, words: frozenset[str], pairs: set[tuple[str, str]]) -> str:
    """``text`` from its first token that is none of ``words`` nor starts one of ``pairs``.

    A message made only of them is returned whole: there is nothing else to read.
    """
    tokens = list(_TOKEN.finditer(text))
    index = 0
    while index < len(tokens):
        word = fold(tokens[index].group())
        after = fold(tokens[index + 1].group()) if index + 1 < len(tokens) else ""
        if (word, after) in pairs:
            index += 2
        elif word in words:
            index += 1
        else:
            break
    if index == 0 or index >= len(tokens):
        return text
    return text[tokens[index].start() :]


def without_acknowledgement(text: str) -> str:
    """``text`` without the thanks and acknowledgements it opens with, punctuation included.

    « Top merci. Et pour un contractuel ? » → « Et pour un contractuel ? »; a message that is
    only an acknowledgement (« ok merci ») is returned whole.
    """
    return _without_leading(text, ACKNOWLEDGEMENTS, _SPLIT_ACKNOWLEDGEMENTS)


def without_opener(text: str) -> str:
    """``text`` without its acknowledgement and the discourse words that open it.

    « merci, et sinon qui peut visiter mon domicile ? » → « qui peut visiter mon
    domicile ? »: searched alone, « et sinon » only moves the question's vector away from the
    passages (the answer/abstain decision read it as a weaker match).
    """
    text = _last_question_after_statements(without_acknowledgement(text))
    return _without_leading(text, _OPENING_WORDS, _OPENING_PAIRS)


# A short « et … ? » closing a message after what the agent states.
MAX_CLOSING_QUESTION_WORDS = 6
_SENTENCE_END = re.compile(r"(?<=[.!])\s+")


def _last_question_after_statements(text: str) -> str:
    """« c bon g eu l'accord pour janvier. et le matériel ? » → « et le matériel ? ».

    The statements before tell what happened; the question is the short « et … ? » that
    closes the message, and searched with them it is answered from the statement's subject
    (the duration of the authorisation instead of the equipment).
    """
    sentences = [part for part in _SENTENCE_END.split(text.strip()) if part]
    if len(sentences) < 2 or "?" in " ".join(sentences[:-1]):
        return text
    last = sentences[-1]
    tokens = _words(last)
    if not last.rstrip().endswith("?") or not tokens or tokens[0] != "et":
        return text
    return last if len(tokens) <= MAX_CLOSING_QUESTION_WORDS else text


def _words(text: str) -> list[str]:
    return [fold(token) for token in _TOKEN.findall(text)]


def _points_back(tokens: list[str]) -> bool:
    """Whether the words point at something said before.

    « cette période », « y mettre fin », « elle doit me donner une raison ? », « qui valide
    le truc ? ».
    """
    if tokens and tokens[0] == "ca" and len(tokens) <= MAX_CA_WORDS:
        return True
    if len(tokens) > 1 and tokens[0] == "c" and len(tokens) <= MAX_CA_WORDS:
        # The texting « c » (« c compte en jours ouvrés ? », « c payant ? ») says « ça » or
        # « c'est » of what was just said; « c quoi le délai ? » names its subject.
        return tokens[1] not in _WHICH | _INTERROGATIVES | {"est", "etait"}
    for index, token in enumerate(tokens):
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token in _DANGLING and after in _SUBJECTS:
            return True
        if token in DEMONSTRATIVES or (token == "ce" and after and after not in _CE_PRONOUN):
            return True
        before = tokens[index - 1] if index else ""
        if token == "y" and before != "il" and after not in _THERE_IS:
            return True  # « y mettre fin », not « il y a » nor the chat's « y a »
        if token in _THIRD_PERSON or token in _VAGUE_NOUNS:
            return True
        if token == "il" and after and after not in _IMPERSONAL_AFTER_IL:
            return True  # « il commence quand ? », not « il faut » nor « il y a »
    return False


def is_follow_up(text: str, max_words: int = MAX_LEANING_WORDS) -> bool:
    """Whether a short message leans on the one before (« et si… ? », « c'est bien 2 mois ? »).

    ``max_words``: beyond it, a message stands on its own (a follow-up on a computation
    may be longer than one searched in the texts: its topic is known).
    """
    tokens = _words(without_acknowledgement(text))
    if not 0 < len(tokens) <= max_words:
        return False
    joined = f" {' '.join(tokens)} "
    if tokens[0] in FOLLOW_UP_OPENERS or any(f" {p} " in joined for p in LEANING_PHRASES):
        return True
    if len(tokens) > 1 and tokens[-1] in FOLLOW_UP_CLOSERS:
        return True  # « je fais comment alors ? »
    if len(tokens) > 1 and tokens[0] in _PREPOSITIONS and tokens[1] in _WHICH:
        return True  # « avec quels outils ? »
    if set(tokens) <= _BARE_ASKING and set(tokens) & _INTERROGATIVES:
        return True  # « pendant combien de temps ? »: a way of asking without a subject
    return _points_back(tokens)


# Beyond this many words, a statement says enough to be searched alone.
MAX_STATEMENT_WORDS = 15
_QUESTION_WORDS = _INTERROGATIVES | _WHICH | {"est", "peut", "peux", "faut", "dois", "doit"}


def states_situation(text: str) -> bool:
    """Whether a short message states a situation without asking.

    « mon taf c'est surtout l'accueil des usagers au guichet », after a question, asks that
    question for this situation.
    """
    tokens = _words(without_acknowledgement(text))
    if not 2 <= len(tokens) <= MAX_STATEMENT_WORDS or "?" in text:
        return False
    # « est-ce que », « est-il possible » ask; « c'est », « il est arrivé » state.
    asking = {t for i, t in enumerate(tokens) if t != "est" or _asks_with_est(tokens, i)}
    return not asking & _QUESTION_WORDS


def _asks_with_est(tokens: list[str], index: int) -> bool:
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    return index == 0 or after in {"ce", "il", "elle", "on"}


def _leans_on(text: str, previous: str) -> bool:
    """Whether ``text`` leans on ``previous``, the user message before it.

    A follow-up, a situation stated after a question, or a question of three words at most
    (« c renouvelable ? »: too short to say what about).
    """
    if not previous or previous.lstrip().startswith("/"):
        return False
    return (
        is_follow_up(text)
        or (states_situation(text) and "?" in previous)
        or (text.rstrip().endswith("?") and len(_words(without_acknowledgement(text))) <= 3)
    )


def with_context(text: str, recent: list[str]) -> str:
    """``text``, preceded by the previous user message when ``text`` leans on it.

    When that message leans itself on the one before (« et si mon contrat est prolongé à
    2 ans ? » after « je suis contractuel, j'ai droit au télétravail ? »), that one comes
    first too: the subject is there. The acknowledgement is left out: « merci » would only
    blur the search.
    """
    if not recent or recent[-1] != text:
        return text
    chain = [without_acknowledgement(text)]
    current = text
    for previous in reversed(recent[:-1]):
        if not _leans_on(current, previous):
            break
        chain.insert(0, sanitize_text(previous).strip())
        current = previous
    return " ".join(chain) if len(chain) > 1 else text


def asks_more(text: str) -> bool:
    """Whether a thank-you or a goodbye goes on with a question (« merci ! et à 90 % ? »).

    « merci, bonne journée » does not; « top merci. et pour un contractuel ? » does.
    """
    rest = without_acknowledgement(text)
    tokens = _words(rest)
    if rest == text and tokens and tokens[0] in ACKNOWLEDGEMENTS:
        return False  # nothing but acknowledgements
    if len(tokens) < MIN_QUESTION_WORDS:
        return False
    return rest.rstrip().endswith("?") or tokens[0] in FOLLOW_UP_OPENERS


# « je demande à qui ? », « qui contacter ? », « vers qui je me tourne ? »
_WHOM = re.compile(
    r"\b(a|vers|aupres de|avec) qui\b|\bqui (contacter|joindre|appeler|solliciter|peut m)\b"
)


def asks_whom(text: str) -> bool:
    """Whether a short message asks whom to turn to (after an abstention: the référent)."""
    tokens = _words(text)
    return 0 < len(tokens) <= MAX_LEANING_WORDS and bool(_WHOM.search(" ".join(tokens)))


# « c'est bien ça ? », « c'est ça ? », « ça fait bien… ? »: what was just said, checked.
_CHECK = re.compile(r"\b(c est (bien|ca|vrai|exact|correct|juste)|ca fait bien)\b")


def checks_back(text: str) -> bool:
    """Whether a question checks what was just said (« donc 15 jours c'est ça ? »)."""
    tokens = _words(text)
    asked = text.rstrip().endswith("?")
    return asked and 0 < len(tokens) <= MAX_LEANING_WORDS and bool(_CHECK.search(" ".join(tokens)))
