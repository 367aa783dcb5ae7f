"""Which words of a question the texts never use — a sign that they do not cover it.

« titres-restaurant », « Portugal » or « mutuelle » appear in none of the five texts: a
question built on such a noun is most likely about something they do not answer, however
close to telework it sounds. Verbs and adjectives are left out (agents write « bosser »,
« refuser » where the texts say « travail », « refus »), and a word one or two letters away
from a word of the texts counts as present, so that typos are not mistaken for new topics.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from itertools import pairwise

from rapidfuzz import fuzz, process
from wordfreq import zipf_frequency

from knowledge.analysis import content_nouns, fold

# Minimum similarity (rapidfuzz ratio, 0–100) for a typo to count as the word of the texts;
# 84 lets about one letter in six differ (« teletravial », « detecteur » for « détecteurs »).
TYPO_SIMILARITY = 84.0
MIN_TYPO_LENGTH = 5
MAX_CACHED_WORDS = 10_000
MAX_JOINED_PREFIX = 3
# Nouns that situate the agent, not the topic: a greeting, a day of the week, a relative
# (« bonjour, maman solo, le mercredi je garde mon fils… »). The texts have no reason to use
# them, and a question that mentions them is not, for that, about something they leave out.
# fmt: off
CONTEXT_NOUNS = frozenset({
    "bonjour", "bonsoir", "salut", "merci", "madame", "monsieur",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "maman", "papa", "mere", "pere", "fils", "fille", "filles", "enfant", "enfants", "bebe",
    "mari", "epouse", "conjoint", "conjointe", "compagnon", "compagne",
})
# fmt: on
# A noun this common in written French (wordfreq's Zipf scale: 5.1 is about once every 80 000
# words — « bout », « vrai », « chose », « passe ») says how the agent talks, not what about:
# « au bout d'un an », « c'est vrai ? ». Topic nouns the texts leave out are rarer
# (« retraite » 4.8, « mairie » 4.5, « mutuelle » 3.9, « Navigo » 3.1).
EVERYDAY_ZIPF = 5.1


# Territory codes that name no place abroad: France and its overseas territories (an agent of a
# DAAF works there; the texts apply), and groupings (European Union, euro area, UN, unknown).
_NOT_ABROAD = frozenset(
    {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF", "CP",
     "EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}
)  # fmt: skip


@cache
def _places() -> dict[tuple[str, ...], str]:
    """The world's countries and territories in French (CLDR, via Babel), as folded words.

    « je pars au Portugal, je peux télétravailler de là-bas ? »: lower-cased, spaCy tags
    « portugal » an adverb and the noun check misses it, yet a place abroad is what the texts
    leave out (telework abroad). Babel carries the names in the package: no download.
    """
    from babel import Locale

    names = [
        name
        for code, name in Locale("fr").territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_ABROAD
    ]
    places: dict[tuple[str, ...], str] = {}
    for name in names:
        words = _place_words(name)
        if words and all(word.isalpha() for word in words):
            places[words] = " ".join(words)
    return places


def _place_words(text: str) -> tuple[str, ...]:
    """Folded words, hyphens and apostrophes as separators (« États-Unis » → etats, unis)."""
    return tuple(fold(text).replace("-", " ").replace("'", " ").replace("’", " ").split())


def named_places(question: str) -> list[str]:
    """The countries and territories a question names (folded, as in :func:`_places`)."""
    tokens = ["".join(c for c in token if c.isalpha()) for token in _place_words(question)]
    found: list[str] = []
    for size in (3, 2, 1):
        for start in range(len(tokens) - size + 1):
            name = _places().get(tuple(tokens[start : start + size]))
            if name and name not in found:
                found.append(name)
    return found


class CorpusVocabulary:
    """The index terms of every passage, queried with typo tolerance."""

    def __init__(self, chunk_terms: list[list[str]]) -> None:
        self._terms = {term for terms in chunk_terms for term in terms}
        # A short first part joined to the next term: « co-working » typed « coworking ».
        self._terms |= {
            first + second
            for terms in chunk_terms
            for first, second in pairwise(terms)
            if len(first) <= MAX_JOINED_PREFIX
        }
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for term in self._terms:
            self._by_length[len(term)].append(term)
        self._known: dict[str, bool] = {}

    def knows(self, word: str) -> bool:
        """Whether the texts use this folded word, or one a typo away — or it is everyday French."""
        if word in self._terms or word in CONTEXT_NOUNS or word.isdigit() or len(word) < 3:
            return True
        if zipf_frequency(word, "fr") >= EVERYDAY_ZIPF:
            return True
        if len(word) < MIN_TYPO_LENGTH:
            return False
        if word not in self._known:
            # A typo keeps the first letter or drops the term's (« change » for « échange »):
            # « deconnexion », two letters added in front, is no typo of « connexion ».
            candidates = [
                term
                for length in range(len(word) - 2, len(word) + 3)
                for term in self._by_length.get(length, ())
                if term[0] == word[0] or term.endswith(word)
            ]
            close = process.extractOne(
                word, candidates, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY
            )
            if len(self._known) >= MAX_CACHED_WORDS:  # questions are untrusted input
                self._known.clear()
            self._known[word] = close is not None
        return self._known[word]

    def absent_nouns(self, question: str) -> list[str]:
        """The question's nouns, and the places it names, that no text uses.

        A noun counts under any of its forms; a place (:func:`named_places`) counts whatever
        its tag, unless the texts name it (« France »).
        """
        nouns = [
            forms[0]
            for forms in content_nouns(question)
            if not any(self.knows(form) for form in forms)
        ]
        places = [
            place
            for place in named_places(question)
            if not all(word in self._terms for word in place.split())
        ]
        return list(dict.fromkeys([*nouns, *places]))
