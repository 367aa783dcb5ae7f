"""Hybrid retrieval: BM25 over French lemmas and dense e5 vectors, fused.

Each side alone misses things the other catches: BM25 is precise on rare terms
(« NF C 15-100 », « Chorus »), the dense side on paraphrases. The dense score of a passage
averages its own cosine and the best cosine of its sentence windows (knowledge.index): the
passage vector sees the whole, the window the one point the question is about.

Curated questions (knowledge.questions) bring the agents' own words: a passage that has
some gets, on the dense side, a share of the best cosine between the agent's question and
them (question against question), and on the lexical side their terms are added to the
passage's before BM25 (the « doc2query » way of expanding documents). A passage without
curated questions keeps its own scores.

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


class Retriever:
    """Search the knowledge index with one of three methods."""

    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Embedder,
        lexical_weight: float = 0.4,
        question_weight: float = 0.5,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.lexical_weight = lexical_weight
        self.question_weight = question_weight
        expanded = [list(terms) for terms in index.chunk_terms]
        for owner, terms in zip(index.question_owner.tolist(), index.question_terms, strict=True):
            expanded[owner].extend(terms)
        self._bm25 = BM25Okapi([terms or [""] for terms in expanded])

    def bm25_idf(self) -> dict[str, float]:
        """Inverse document frequency of each index term (rarer terms weigh more)."""
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
        terms = analyze(question)
        bm25 = (
            np.asarray(self._bm25.get_scores(terms), dtype=np.float64) if terms else np.zeros(count)
        )
        vector = self.embed_query(question) if query_vector is None else query_vector
        dense = self._dense_scores(vector, count)

        if method == "bm25":
            fused = bm25
        elif method == "dense":
            fused = dense
        else:
            weight = self.lexical_weight
            fused = weight * _standardise(bm25) + (1 - weight) * _standardise(dense)
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Hit(
                chunk_id=int(i),
                chunk=self.index.chunks[int(i)],
                score=float(fused[i]),
                bm25_score=float(bm25[i]),
                dense_score=float(dense[i]),
            )
            for i in order
        ]

    def _dense_scores(self, vector: Vectors, count: int) -> np.ndarray:
        """Per passage: mean of its own cosine and of its best window's cosine."""
        chunk_scores, chunk_ids = self.index.chunk_vectors.search(vector, count)
        passage = np.zeros(count)
        passage[chunk_ids[0]] = chunk_scores[0]
        windows = self.index.window_vectors
        if windows.ntotal != len(self.index.window_owner):  # no windows: passages alone
            return passage
        best_window = _best_per_owner(windows, self.index.window_owner, vector, count)
        dense = (passage + best_window) / 2
        questions = self.index.question_vectors
        if questions.ntotal == 0 or questions.ntotal != len(self.index.question_owner):
            return dense
        best_question = _best_per_owner(questions, self.index.question_owner, vector, count)
        has = np.isfinite(best_question)
        weight = self.question_weight
        dense[has] = (1 - weight) * dense[has] + weight * best_question[has]
        return dense


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
