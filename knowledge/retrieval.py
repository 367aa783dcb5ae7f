"""Hybrid retrieval: BM25 over French lemmas and dense e5 vectors, fused.

Each side alone misses things the other catches: BM25 is precise on rare terms
(« NF C 15-100 », « Chorus »), the dense side on paraphrases. The dense score of a passage
averages its own cosine and the best cosine of its sentence windows (knowledge.index): the
passage vector sees the whole, the window the one point the question is about.

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

from dataclasses import dataclass
from typing import Literal

import faiss
import numpy as np
from rank_bm25 import BM25Okapi

from knowledge.analysis import analyze, expand_abbreviations
from knowledge.chunking import Chunk
from knowledge.dense import Embedder, Vectors
from knowledge.index import KnowledgeIndex

Method = Literal["bm25", "dense", "hybrid"]
METHODS: tuple[Method, ...] = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with the evidence of each side."""

    chunk_id: int
    chunk: Chunk
    score: float
    bm25_score: float
    dense_score: float
    # Best cosine between the question and the passage's curated questions (None: it has
    # none); the answer's confidence uses it (knowledge.answer).
    question_cosine: float | None = None


class Retriever:
    """Search the knowledge index with one of three methods."""

    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Embedder,
        lexical_weight: float = 0.2,
        question_weight: float = 0.6,
        question_lexical_weight: float = 0.3,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.lexical_weight = lexical_weight
        self.question_weight = question_weight
        self.question_lexical_weight = question_lexical_weight
        self._bm25 = BM25Okapi([terms or [""] for terms in index.chunk_terms])
        self._has_questions = bool(index.questions) and index.question_vectors.ntotal == len(
            index.question_owner
        )
        self._question_bm25 = (
            BM25Okapi([terms or [""] for terms in index.question_terms])
            if self._has_questions
            else None
        )

    def bm25_idf(self) -> dict[str, float]:
        """Inverse document frequency of each term of the texts (rarer terms weigh more)."""
        return {str(term): float(value) for term, value in self._bm25.idf.items()}

    def embed_query(self, question: str) -> Vectors:
        """The question's vector (one row), reusable for answer extraction.

        Chat abbreviations are expanded first (« ordi perso »): the model knows the words
        of the texts better than the agents' shorthand.
        """
        return self.embedder.embed_queries([expand_abbreviations(question)])

    def search(
        self,
        question: str,
        k: int = 5,
        method: Method = "hybrid",
        query_vector: Vectors | None = None,
    ) -> list[Hit]:
        """The ``k`` best passages for a question, best first."""
        count = len(self.index.chunks)
        if count == 0:
            return []
        lexical = self._lexical_scores(analyze(question), count)
        vector = self.embed_query(question) if query_vector is None else query_vector
        dense, best_question = self._dense_scores(vector, count)

        if method == "bm25":
            fused = lexical
        elif method == "dense":
            fused = dense
        else:
            weight = self.lexical_weight
            fused = weight * _standardise(lexical) + (1 - weight) * _standardise(dense)
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Hit(
                chunk_id=int(i),
                chunk=self.index.chunks[int(i)],
                score=float(fused[i]),
                bm25_score=float(lexical[i]),
                dense_score=float(dense[i]),
                question_cosine=(
                    float(best_question[i]) if np.isfinite(best_question[i]) else None
                ),
            )
            for i in order
        ]

    def _lexical_scores(self, terms: list[str], count: int) -> np.ndarray:
        """BM25 of the passage, mixed with the BM25 of its best-matching curated question.

        See :func:`_mix_views` for how a passage without curated questions stays comparable.
        """
        if not terms:
            return np.zeros(count)
        passage = np.asarray(self._bm25.get_scores(terms), dtype=np.float64)
        if self._question_bm25 is None:
            return passage
        by_question = np.asarray(self._question_bm25.get_scores(terms), dtype=np.float64)
        best = np.full(count, -np.inf)
        np.maximum.at(best, self.index.question_owner, by_question)
        return _mix_views(passage, best, self.question_lexical_weight)

    def _dense_scores(self, vector: Vectors, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Per passage: its dense score, and its best curated question's cosine (or −inf).

        The passage's own score is the mean of its cosine and of its best window's; with
        curated questions, it is mixed with the best of their cosines (:func:`_mix_views`).
        """
        chunk_scores, chunk_ids = self.index.chunk_vectors.search(vector, count)
        passage = np.zeros(count)
        passage[chunk_ids[0]] = chunk_scores[0]
        dense = passage
        windows = self.index.window_vectors
        if windows.ntotal == len(self.index.window_owner):  # else no windows: passages alone
            dense = (passage + _best_per_owner(windows, self.index.window_owner, vector, count)) / 2
        if not self._has_questions:
            return dense, np.full(count, -np.inf)
        best_question = _best_per_owner(
            self.index.question_vectors, self.index.question_owner, vector, count
        )
        return _mix_views(dense, best_question, self.question_weight), best_question


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
