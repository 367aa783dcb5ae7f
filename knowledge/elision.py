"""Glued elisions of chat French: « lattestation », « depidemie », « jbosse ».

Agents often drop the apostrophe (« lattestation sur lhonneur ») or glue the subject to its
verb (« jbosse », « jrisque »). Neither spaCy, nor BM25, nor e5 reads such a word: it becomes
an unknown noun (counted as a topic no text covers) and the question loses its subject. A
word is split when it is rare in written French and what follows its first letter (or its
« qu ») is a common word, far more frequent than the glued form: « lattestation » (never
written) → « l'attestation », but « lavoir » or « dessus » (words of their own) are kept.

Frequencies come from wordfreq (already installed, no download), folded so that
« lelectricite » typed without accents meets « électricité ».
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

# A glued form this frequent (Zipf scale) is a word of its own (« lannee » is written 2.3).
MAX_GLUED_ZIPF = 2.5
# The word after the elision must be common...
MIN_WORD_ZIPF = 3.0
# ... and this much more frequent than the glued form (« détendues » is not « d'étendues »).
MIN_ZIPF_LEAD = 2.0
MIN_GLUED_CHARS = 5
MIN_WORD_CHARS = 3
_VOWELS = frozenset("aeiouyh")
_ELIDED = frozenset("ldmtsnj")
_TOKEN = re.compile(r"[^\W\d_]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1)
def _zipf() -> dict[str, float]:
    """Folded French word → its highest Zipf frequency among accented spellings."""
    from wordfreq import get_frequency_dict

    frequencies: dict[str, float] = {}
    for word, frequency in get_frequency_dict("fr").items():
        zipf = math.log10(frequency) + 9
        if zipf < 1.0:
            continue
        folded = _fold(word)
        if zipf > frequencies.get(folded, 0.0):
            frequencies[folded] = zipf
    return frequencies


def _split_word(word: str) -> str:
    """The word with its elision restored (« l'attestation », « je bosse »), or as it is."""
    folded = _fold(word)
    if len(folded) < MIN_GLUED_CHARS or word[0].isupper() or not folded.isascii():
        return word
    if folded.startswith("qu") and folded[2] in _VOWELS:
        cut, joint = 2, "'"
    elif folded[0] in _ELIDED and folded[1] in _VOWELS:
        cut, joint = 1, "'"
    elif folded[0] == "j":
        cut, joint = 1, "e "  # « jbosse »: a subject glued to a verb starting with a consonant
    else:
        return word
    zipf = _zipf()
    glued, rest = zipf.get(folded, 0.0), zipf.get(folded[cut:], 0.0)
    if len(folded) - cut < MIN_WORD_CHARS or glued >= MAX_GLUED_ZIPF or rest < MIN_WORD_ZIPF:
        return word
    if rest - glued < MIN_ZIPF_LEAD:
        return word
    return word[:cut] + joint + word[cut:]


def split_elisions(text: str) -> str:
    """Restore the apostrophes (and « je ») chat French leaves out, word by word."""
    return _TOKEN.sub(lambda match: _split_word(match.group()), text)
