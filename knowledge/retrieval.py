"""Hybrid retrieval: BM25 over French lemmas and dense e5 vectors, fused.

Each side alone misses things the other catches: BM25 is precise on rare terms
(« NF C 15-100 », « Chorus »), the dense side on paraphrases. Their scores are not
comparable, so each is min-max scaled over the corpus before a weighted sum; on the
development set this beat reciprocal-rank fusion (docs/retrieval.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
        self, index: KnowledgeIndex, embedder: Embedder, lexical_weight: float = 0.5
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.lexical_weight = lexical_weight
        self._bm25 = BM25Okapi([terms or [""] for terms in index.chunk_terms])

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
        dense_scores, dense_ids = self.index.chunk_vectors.search(vector, count)
        dense = np.zeros(count)
        dense[dense_ids[0]] = dense_scores[0]

        if method == "bm25":
            fused = bm25
        elif method == "dense":
            fused = dense
        else:
            weight = self.lexical_weight
            fused = weight * _min_max(bm25) + (1 - weight) * _min_max(dense)
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


def _min_max(scores: np.ndarray) -> np.ndarray:
    """Scale scores to [0, 1] over the corpus (all equal → all zero: no evidence)."""
    low, high = float(scores.min()), float(scores.max())
    if high - low < 1e-12:
        return np.zeros_like(scores)
    return (scores - low) / (high - low)
