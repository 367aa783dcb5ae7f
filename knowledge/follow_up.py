"""A follow-up about what was just cited: « et si je refuse ? », « et ça dure combien de temps ? ».

Searched alone, such a message finds the passages its few words are closest to anywhere in
the texts (« combien de temps » → the adaptation period), not the passage the agent has just
read. When the follow-up has few words of its own (``MAX_SUBJECT_WORDS``: more make a
question that stands alone, « et sinon qui peut visiter mon domicile ? ») and the section the
bot just cited holds them at least as well as the best passages found alone, the follow-up
is about that section: the answer is its units nearest the question, composed and cited as
any answer. Otherwise (« et pour un contractuel ? », a word the section lacks) the follow-up
is a new question, searched as usual.

Only the chat has a « just cited »: ``/api/ask`` answers single questions.
"""

from __future__ import annotations

import re

from knowledge.analysis import expand_abbreviations, fold, term_alternatives
from knowledge.answer import COSINE_LOW, Answer, AnswerEngine
from knowledge.dense import KnownQueryVector
from knowledge.retrieval import Hit

# Ways of asking whose nouns say nothing of the subject (« combien de temps » asks a
# duration, and so does « ça leur prend combien de temps »): left out when the follow-up's
# words are looked for in the cited section.
_ASKING = re.compile(
    r"\b((prend\w* )?combien de (temps|fois)|a partir de quand|jusqu a quand"
    r"|de quelle (facon|maniere)|en combien de temps|au bout de combien de temps)\b"
)
# Beyond this many words of its own, a follow-up is a question that stands alone.
MAX_SUBJECT_WORDS = 2
# The index keeps « un » (« un an », « un mois » count); in a follow-up it says nothing of
# the subject: counted, « et pour un contractuel ? » had a word the recourse section lacks
# and was searched alone (who may telework), not asked of the recourse just cited.
_NO_SUBJECT = frozenset({("un",)})


def subject_words(question: str) -> list[tuple[str, ...]]:
    """The question's terms, without those of its way of asking (nor an article)."""
    folded = re.sub(r"[^0-9a-z]+", " ", fold(expand_abbreviations(question)))
    return [term for term in term_alternatives(_ASKING.sub(" ", folded)) if term not in _NO_SUBJECT]


# A word of the question and one of a passage are one when either starts the other, this
# long at least: « refusé » (lemma « refuser ») is the texts' « refus ». Compared exactly,
# neither the cited section nor the passages found held « refuser », and the tie kept « et
# si c refusé ? » on a section that never says it. Shorter, the index's 4-letter prefixes
# (« cont ») would match anything (« contractuel »); « dure » meets them exactly.
MIN_SHARED_PREFIX = 5


def _share_held(terms: list[tuple[str, ...]], hits: list[Hit]) -> float:
    """Share of the follow-up's terms that the passages hold, a word's family counting."""
    if not terms:
        return 0.0
    held = {term for hit in hits for term in hit.terms}
    long = [word for word in held if len(word) >= MIN_SHARED_PREFIX]

    def holds(form: str) -> bool:
        if form in held:
            return True
        if len(form) < MIN_SHARED_PREFIX:
            return False
        return any(word.startswith(form) or form.startswith(word) for word in long)

    return sum(any(holds(form) for form in forms) for forms in terms) / len(terms)


def answer_about(
    engine: AnswerEngine,
    question: str,
    doc_id: str,
    section: str,
    known: KnownQueryVector | None = None,
) -> Answer | None:
    """The answer from one cited section, or None when the question is not about it.

    ``known``: the question's vector from the NLU, reused when it is the question's (the
    chat has just searched the same words alone: they are not encoded a third time).
    """
    terms = subject_words(question)
    if len(terms) > MAX_SUBJECT_WORDS:
        return None
    retriever = engine.retriever
    query = retriever.query(question, known=known)
    hits = retriever.section_hits(doc_id, section, query)
    if not hits:
        return None
    found = retriever.search(question, k=engine.settings.answer_passages, query=query)
    held = _share_held(terms, hits)
    if held < _share_held(terms, found) or (terms and held == 0):
        # The question has words the cited section lacks: a new question (« et pour un
        # contractuel ? » is not about the plan's action on exceptional circumstances, even
        # when the passages found alone lack the word too).
        return None
    scores = [hit.sentence_scores(query) for hit in hits]
    best = max((float(s.max()) for s in scores if len(s)), default=0.0)
    if best < COSINE_LOW:
        return None  # nothing in the section is close to it
    parts = engine.compose(question, hits, scores, query.vector)
    signals = engine.signals(query, hits, scores)
    return Answer(
        "\n\n".join(part.text for part in parts),
        False,
        [part.source for part in parts],
        round(signals.confidence(), 4),
        signals.as_dict() | {"follow_up": 1.0},
    )
