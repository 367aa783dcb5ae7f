"""Which words of a question the texts never use — a sign that they do not cover it.

« titres-restaurant », « Portugal » or « mutuelle » appear in none of the five texts: a
question built on such a noun is most likely about something they do not answer, however
close to telework it sounds. Verbs and adjectives are left out (agents write « bosser »,
« refuser » where the texts say « travail », « refus »), and a word one or two letters away
from a word of the texts counts as present, so that typos are not mistaken for new topics.
"""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import fuzz, process
from wordfreq import zipf_frequency

from knowledge.analysis import content_nouns

# Minimum similarity (rapidfuzz ratio, 0–100) for a typo to count as the word of the texts;
# 84 lets about one letter in six differ (« teletravial », « detecteur » for « détecteurs »).
TYPO_SIMILARITY = 84.0
MIN_TYPO_LENGTH = 5
MAX_CACHED_WORDS = 10_000
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


class CorpusVocabulary:
    """The index terms of every passage, queried with typo tolerance."""

    def __init__(self, chunk_terms: list[list[str]]) -> None:
        self._terms = {term for terms in chunk_terms for term in terms}
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
            candidates = [
                term
                for length in range(len(word) - 2, len(word) + 3)
                for term in self._by_length.get(length, ())
            ]
            close = process.extractOne(
                word, candidates, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY
            )
            if len(self._known) >= MAX_CACHED_WORDS:  # questions are untrusted input
                self._known.clear()
            self._known[word] = close is not None
        return self._known[word]

    def absent_nouns(self, question: str) -> list[str]:
        """The question's nouns that no text uses (under any of their forms)."""
        return [
            forms[0]
            for forms in content_nouns(question)
            if not any(self.knows(form) for form in forms)
        ]
