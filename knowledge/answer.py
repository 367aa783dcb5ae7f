"""Extractive, cited answers — or an honest abstention.

The answer is made of the text's own sentences (the ones closest to the question in the best
passage), never of words the code invents. Whether to answer at all is decided by a
confidence that mixes these signals, calibrated on the development questions the texts do
and do not answer (``teletravail eval retrieval``):

- how close the best sentence is to the question (e5 cosine, rescaled) — or, if closer, one
  of the curated questions of the best passages (knowledge.questions), less
  ``QUESTION_COSINE_OFFSET``: two questions are closer to each other than a question to a
  sentence, by a median 0.07 on the development questions the texts answer;
- how much of the question's rare vocabulary the best passages contain (IDF-weighted term
  coverage): « montant de l'indemnité » is close to telework in meaning, but no text
  mentions an amount, and the coverage shows it.

Each noun of the question that no text uses, even with a typo (knowledge.vocabulary), takes
``ABSENT_NOUN_PENALTY`` off the confidence (two at most): « titres-restaurant » or
« mutuelle » sound like telework to e5, but the texts never mention them.

The in-domain classifier (knowledge.domain, trained on the assistant's NLU examples) is
measured too; as it refused more covered questions than it caught uncovered ones
(docs/retrieval.md), it only abstains when ``domain_filter`` is switched on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from knowledge.analysis import analyze
from knowledge.config import KnowledgeSettings
from knowledge.models import Source
from knowledge.retrieval import Hit, Method, Retriever
from knowledge.vocabulary import CorpusVocabulary

ABSTENTION_MESSAGE = (
    "Je ne trouve pas de réponse à cette question dans les textes dont je dispose. "
    "Je préfère ne pas vous répondre au hasard : le référent télétravail de votre service "
    "peut vous renseigner."
)
# e5 cosines live in a narrow band: rescale [low, high] to [0, 1] before mixing.
COSINE_LOW, COSINE_HIGH = 0.80, 0.92
DENSE_WEIGHT = 0.7
ABSENT_NOUN_PENALTY = 0.15
QUESTION_COSINE_OFFSET = 0.07
MAX_ABSENT_NOUNS = 2
MAX_EXCERPT_CHARS = 600


@dataclass
class Answer:
    """What the API, the CLI and the bot return for a question."""

    answer: str
    abstained: bool
    sources: list[Source]
    confidence: float
    signals: dict[str, float] = field(default_factory=dict)


def _join_units(units: list[str]) -> str:
    """Sentences follow each other; a table keeps its own lines, set apart."""
    text = ""
    for unit in units:
        is_table = unit.startswith("|")
        separator = "\n\n" if is_table or text.endswith("|") else " "
        text = f"{text}{separator}{unit}" if text else unit
    return text


def _truncate(text: str, limit: int = MAX_EXCERPT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


class AnswerEngine:
    """Answers questions from a :class:`Retriever` with the abstention policy above."""

    def __init__(self, retriever: Retriever, settings: KnowledgeSettings) -> None:
        self.retriever = retriever
        self.settings = settings
        idf = retriever.bm25_idf()
        self._idf = idf
        self._unknown_idf = max(idf.values(), default=1.0)
        self.vocabulary = CorpusVocabulary(retriever.index.chunk_terms)

    def coverage(self, question_terms: list[str], hits: list[Hit]) -> float:
        """Share of the question's IDF mass found in the given passages."""
        if not question_terms:
            return 0.0
        found = {term for hit in hits for term in self.retriever.index.chunk_terms[hit.chunk_id]}
        weights = [max(self._idf.get(term, self._unknown_idf), 0.05) for term in question_terms]
        covered = sum(w for term, w in zip(question_terms, weights, strict=True) if term in found)
        return covered / sum(weights)

    def ask(self, question: str, top_k: int = 3, method: Method = "hybrid") -> Answer:
        """Answer one question with sources, or abstain."""
        query_vector = self.retriever.embed_query(question)
        hits = self.retriever.search(question, k=top_k, method=method, query_vector=query_vector)
        if not hits:
            return Answer(ABSTENTION_MESSAGE, True, [], 0.0)
        unit_scores = [
            self.retriever.index.unit_vectors[hit.chunk_id] @ query_vector[0] for hit in hits
        ]
        best_cosine = max((float(s.max()) for s in unit_scores if len(s)), default=0.0)
        question_cosines = [hit.question_cosine for hit in hits if hit.question_cosine is not None]
        best_question = max(question_cosines, default=0.0)
        best_cosine = max(best_cosine, best_question - QUESTION_COSINE_OFFSET)
        dense_signal = float(np.clip((best_cosine - COSINE_LOW) / (COSINE_HIGH - COSINE_LOW), 0, 1))
        coverage = self.coverage(analyze(question, prefixes=False), hits)
        absent = min(len(self.vocabulary.absent_nouns(question)), MAX_ABSENT_NOUNS)
        confidence = max(
            0.0,
            DENSE_WEIGHT * dense_signal
            + (1 - DENSE_WEIGHT) * coverage
            - ABSENT_NOUN_PENALTY * absent,
        )
        signals = {
            "cosine": round(best_cosine, 4),
            "question_cosine": round(best_question, 4),
            "coverage": round(coverage, 4),
            "absent_nouns": float(absent),
        }
        off_topic = False
        domain = self.retriever.index.domain
        if domain is not None:
            in_domain = domain.probability(query_vector)
            signals["in_domain"] = round(in_domain, 4)
            off_topic = self.settings.domain_filter and in_domain < domain.threshold
        signals["off_topic"] = float(off_topic)

        chosen = self._best_units(hits[0].chunk_id, unit_scores[0])
        sources = [
            self._source(hit, chosen if rank == 0 else self._best_units(hit.chunk_id, scores, 1))
            for rank, (hit, scores) in enumerate(zip(hits, unit_scores, strict=True))
        ]
        if off_topic or confidence < self.settings.abstain_threshold:
            return Answer(ABSTENTION_MESSAGE, True, sources, round(confidence, 4), signals)
        return Answer(_join_units(chosen), False, sources, round(confidence, 4), signals)

    def _best_units(self, chunk_id: int, scores: np.ndarray, limit: int | None = None) -> list[str]:
        """The passage's sentences closest to the question, in reading order."""
        units = self.retriever.index.units[chunk_id]
        if not units:
            return [self.retriever.index.chunks[chunk_id].text]
        limit = limit or self.settings.answer_sentences
        best = sorted(np.argsort(-scores)[:limit].tolist())
        return [units[i] for i in best]

    def _source(self, hit: Hit, excerpt_units: list[str]) -> Source:
        meta = self.retriever.index.documents[hit.chunk.doc_id]
        return Source(
            doc_id=hit.chunk.doc_id,
            title=meta.title,
            section=hit.chunk.section,
            date=meta.date,
            excerpt=_truncate(_join_units(excerpt_units)),
            score=round(hit.score, 4),
        )
