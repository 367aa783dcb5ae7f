"""Hybrid retrieval: BM25 over French lemmas and dense e5 vectors, fused.

Each side alone misses things the other catches: BM25 is precise on rare terms
(« NF C 15-100 », « Chorus »), the dense side on paraphrases. Each side is a
:class:`Scorer` — one score per passage for a :class:`Query` — so that a side can be swapped,
measured alone or added (a reranker would be one more) without touching the others; the
fusion is :func:`fuse`, on its own.

The dense score of a passage averages its own cosine and the best cosine of its sentence
windows (knowledge.index): the passage vector sees the whole, the window the one point the
question is about.

Curated questions (knowledge.questions) bring the agents' own words: a passage that has
some gets, on the dense side, a share of the best cosine between the agent's question and
them (question against question), and on the lexical side a share of the BM25 score of its
best-matching curated question (BM25 over the questions, each one a document), both on
standardised scores so that a passage without curated questions is not pushed down. With
the questions the dense side is the stronger one, hence a lexical weight of 0.2 instead of
0.4; the weights were chosen on the development set (docs/retrieval.md, « troisième tour »).

The two sides' scores are not comparable, so each is standardised over the corpus (minus
its mean, over its spread) before a weighted sum: unlike min-max scaling, one outlier does
not squeeze every other score together. On the development set this beat min-max scaling
and reciprocal-rank fusion (docs/retrieval.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import faiss
import numpy as np
from rank_bm25 import BM25Okapi

from knowledge.analysis import analyze, expand_abbreviations
from knowledge.chunking import Chunk
from knowledge.dense import Embedder, KnownQueryVector, Vectors
from knowledge.index import KnowledgeIndex
from knowledge.models import DocumentMeta

Method = Literal["bm25", "dense", "hybrid"]
METHODS: tuple[Method, ...] = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Query:
    """A question as every scorer needs it: its words, its lexical terms and its vector."""

    text: str
    terms: list[str]
    vector: Vectors


class Scorer(Protocol):
    """One view of the corpus: a relevance score per passage (higher is closer)."""

    def scores(self, query: Query) -> np.ndarray:
        """One score per passage of the index, in index order."""
        ...


@dataclass(frozen=True)
class Hit:
    """One retrieved passage, with the evidence of each side and what an answer needs."""

    chunk_id: int
    chunk: Chunk
    document: DocumentMeta
    score: float
    bm25_score: float
    dense_score: float
    # The passage's answer units (sentences, list items, tables) and their vectors.
    sentences: list[str]
    sentence_vectors: Vectors
    # The passage's lexical terms (the answer's coverage signal reads them).
    terms: list[str]
    # Best cosine between the question and the passage's curated questions (None: it has
    # none); the answer's confidence uses it (knowledge.answer).
    question_cosine: float | None = None

    def sentence_scores(self, query: Query) -> np.ndarray:
        """Cosine of the question with each answer unit of the passage."""
        if not len(self.sentences):
            return np.zeros(0)
        return np.asarray(self.sentence_vectors @ query.vector[0], dtype=np.float64)


class LexicalScorer:
    """BM25 of the passage, mixed with the BM25 of its best-matching curated question."""

    def __init__(self, index: KnowledgeIndex, question_share: float = 0.3) -> None:
        self.index = index
        self.question_share = question_share
        self.bm25 = BM25Okapi([terms or [""] for terms in index.chunk_terms])
        self._questions = (
            BM25Okapi([terms or [""] for terms in index.question_terms])
            if _has_questions(index)
            else None
        )

    def idf(self) -> dict[str, float]:
        """Inverse document frequency of each term of the texts (rarer terms weigh more)."""
        return {str(term): float(value) for term, value in self.bm25.idf.items()}

    def scores(self, query: Query) -> np.ndarray:
        """See :func:`_mix_views` for how a passage without curated questions stays comparable."""
        count = len(self.index.chunks)
        if not query.terms:
            return np.zeros(count)
        passage = np.asarray(self.bm25.get_scores(query.terms), dtype=np.float64)
        if self._questions is None:
            return passage
        by_question = np.asarray(self._questions.get_scores(query.terms), dtype=np.float64)
        best = np.full(count, -np.inf)
        np.maximum.at(best, self.index.question_owner, by_question)
        return _mix_views(passage, best, self.question_share)


class DenseScorer:
    """Passage and window cosines, mixed with the best curated question's cosine.

    ``hubness`` (knowledge.hubness): how close each passage is to questions in general; the
    final score (standardised once mixed with the questions') loses ``hub_weight`` times its
    excess over the mean cosine — a nudge of a few hundredths of a standard deviation, enough
    to settle near-ties against a passage near every question.
    """

    def __init__(
        self,
        index: KnowledgeIndex,
        question_share: float = 0.6,
        hubness: np.ndarray | None = None,
        hub_weight: float = 0.0,
    ) -> None:
        self.index = index
        self.question_share = question_share
        self._has_questions = _has_questions(index)
        self._hub_penalty = (
            hub_weight * (hubness - hubness.mean())
            if hubness is not None and len(hubness) == len(index.chunks) and hub_weight
            else None
        )

    def question_cosines(self, query: Query) -> np.ndarray:
        """Per passage, the best cosine of its curated questions (−inf: it has none)."""
        count = len(self.index.chunks)
        if not self._has_questions:
            return np.full(count, -np.inf)
        return _best_per_owner(
            self.index.question_vectors, self.index.question_owner, query.vector, count
        )

    def scores(self, query: Query) -> np.ndarray:
        """The mean of passage and best-window cosines, mixed with the curated questions'."""
        count = len(self.index.chunks)
        chunk_scores, chunk_ids = self.index.chunk_vectors.search(query.vector, count)
        passage = np.zeros(count)
        passage[chunk_ids[0]] = chunk_scores[0]
        dense = passage
        windows = self.index.window_vectors
        if windows.ntotal == len(self.index.window_owner):  # else no windows: passages alone
            owner = self.index.window_owner
            dense = (passage + _best_per_owner(windows, owner, query.vector, count)) / 2
        if self._has_questions:
            dense = _mix_views(dense, self.question_cosines(query), self.question_share)
        return dense if self._hub_penalty is None else dense - self._hub_penalty


def fuse(views: Sequence[tuple[np.ndarray, float]]) -> np.ndarray:
    """Weighted sum of standardised scores (each view's weight; the weights sum to one)."""
    fused = np.zeros_like(views[0][0], dtype=np.float64)
    for scores, weight in views:
        fused += weight * _standardise(scores)
    return fused


class Retriever:
    """Search the knowledge index with one side or both."""

    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Embedder,
        lexical_weight: float = 0.2,
        question_weight: float = 0.6,
        question_lexical_weight: float = 0.3,
        hubness: np.ndarray | None = None,
        hub_weight: float = 0.0,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.lexical_weight = lexical_weight
        self.lexical = LexicalScorer(index, question_lexical_weight)
        self.dense = DenseScorer(index, question_weight, hubness, hub_weight)

    def bm25_idf(self) -> dict[str, float]:
        """Inverse document frequency of each term of the texts (rarer terms weigh more)."""
        return self.lexical.idf()

    def embed_query(self, question: str) -> Vectors:
        """The question's vector (one row), reusable for answer extraction.

        Chat abbreviations are expanded first (« ordi perso »): the model knows the words
        of the texts better than the agents' shorthand.
        """
        return self.embedder.embed_queries([expand_abbreviations(question)])

    def reusable(self, question: str, known: KnownQueryVector | None) -> Vectors | None:
        """``known``'s vector if it is exactly what :meth:`embed_query` would compute.

        That is: the same text once abbreviations are expanded, and a vector computed by the
        same ONNX file as this retriever's queries (knowledge.embedding.onnx_query: the NLU
        runs the same code, so the vector is identical).
        """
        if known is None or known.text != expand_abbreviations(question):
            return None
        if known.model != getattr(self.embedder, "source_id", None):
            return None
        return known.vector

    def query(
        self, question: str, vector: Vectors | None = None, known: KnownQueryVector | None = None
    ) -> Query:
        """Analyse and embed a question once, for every scorer and the answer.

        ``vector``: the question's vector, already computed; ``known``: a vector computed
        elsewhere, used only if it is the question's (:meth:`reusable`).
        """
        embedded = vector if vector is not None else self.reusable(question, known)
        if embedded is None:
            embedded = self.embed_query(question)
        return Query(question, analyze(question), embedded)

    def search(
        self,
        question: str,
        k: int = 5,
        method: Method = "hybrid",
        query_vector: Vectors | None = None,
        query: Query | None = None,
    ) -> list[Hit]:
        """The ``k`` best passages for a question, best first (``query``: already analysed)."""
        if not self.index.chunks:
            return []
        query = query or self.query(question, query_vector)
        fused, lexical, dense, best_question = self._scored(query, method)
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            self._hit(int(i), float(fused[i]), float(lexical[i]), float(dense[i]), best_question)
            for i in order
        ]

    def section_hits(self, doc_id: str, section: str, query: Query) -> list[Hit]:
        """Every passage of one section, in reading order, scored against ``query``.

        For a follow-up about what was just cited (knowledge.follow_up): the section is
        known, only its sentences are to rank.
        """
        fused, lexical, dense, best_question = self._scored(query, "hybrid")
        return [
            self._hit(i, float(fused[i]), float(lexical[i]), float(dense[i]), best_question)
            for i, chunk in enumerate(self.index.chunks)
            if chunk.doc_id == doc_id and chunk.section == section
        ]

    def _scored(
        self, query: Query, method: Method
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every passage's fused, lexical and dense scores, and its best curated question."""
        lexical = self.lexical.scores(query)
        dense = self.dense.scores(query)
        if method == "bm25":
            fused = lexical
        elif method == "dense":
            fused = dense
        else:
            weight = self.lexical_weight
            fused = fuse([(lexical, weight), (dense, 1 - weight)])
        return fused, lexical, dense, self.dense.question_cosines(query)

    def _hit(
        self, i: int, score: float, lexical: float, dense: float, best_question: np.ndarray
    ) -> Hit:
        chunk = self.index.chunks[i]
        return Hit(
            chunk_id=i,
            chunk=chunk,
            document=self.index.documents[chunk.doc_id],
            score=score,
            bm25_score=lexical,
            dense_score=dense,
            sentences=self.index.units[i],
            sentence_vectors=self.index.unit_vectors[i],
            terms=self.index.chunk_terms[i],
            question_cosine=float(best_question[i]) if np.isfinite(best_question[i]) else None,
        )


def _has_questions(index: KnowledgeIndex) -> bool:
    return bool(index.questions) and index.question_vectors.ntotal == len(index.question_owner)


def _mix_views(own: np.ndarray, questions: np.ndarray, share: float) -> np.ndarray:
    """A passage's own score and its best curated question's (−inf: it has none), mixed.

    Each view is standardised over the passages that have it, then a passage with
    questions gets ``(1 − share) × own + share × questions`` and one without keeps its own.
    Raw scores would not do: a question is closer to a question than to the texts (by a
    median 0.07 of cosine over their best sentence), so a text added without curated
    questions would sink below all the others — measured, the questions of the MAA
    instruction fell from hit@3 0.90 to 0.43 once its own curated questions were taken away
    (docs/retrieval.md).
    """
    mixed = _standardise(own)
    has = np.isfinite(questions)
    if has.sum() > 1:
        mixed[has] = (1 - share) * mixed[has] + share * _standardise(questions[has])
    return mixed


def _best_per_owner(
    vectors: faiss.Index, owner: np.ndarray, query: Vectors, count: int
) -> np.ndarray:
    """Best cosine of the query per passage over the vectors it owns (−inf: owns none)."""
    scores, ids = vectors.search(query, vectors.ntotal)
    by_vector = np.empty(vectors.ntotal)
    by_vector[ids[0]] = scores[0]
    best = np.full(count, -np.inf)
    np.maximum.at(best, owner, by_vector)
    return best


def _standardise(scores: np.ndarray) -> np.ndarray:
    """Centre and scale scores over the corpus (all equal → all zero: no evidence)."""
    spread = float(scores.std())
    if spread < 1e-12:
        return np.zeros_like(scores)
    return (scores - scores.mean()) / spread
