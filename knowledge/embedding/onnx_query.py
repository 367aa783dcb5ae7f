"""Question vectors from the ONNX export of e5: one encoder for Rasa, the actions and the API.

Why: every user message is encoded by e5 in Rasa's NLU (intent features) and was encoded a
second time by the action server for the search. Both now run this very module over the
same ONNX file (``knowledge.embedding.onnx_export``), single-threaded, one text at a time,
and round the result to float16, the precision in which the NLU carries the vector to the
action server (``bot/components/e5_featurizer.py``). So the vector the action reads from the
parsed message is exactly the one it would compute, and ``/api/ask``, which encodes the
question itself, gets the same vector as the chat: the question is encoded once per message,
and the two channels give the same answer.

Only ``numpy``, ``onnxruntime`` and ``tokenizers`` are imported, so that Rasa's Python 3.10
environment can load this module too. The ONNX graph is the sentence-transformers folder's
model (same weights, ``query: `` prefix, mean pooling, L2 norm) at a cosine ≥ 0.99999;
passages are still encoded by that folder when the index is built.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

ONNX_DIR = "onnx"  # inside the e5 model folder
ONNX_FILE = "query.onnx"
TOKENIZER_FILE = "tokenizer.json"
STAMP_FILE = "stamp.json"
QUERY_PREFIX = "query: "
MAX_TOKENS = 512  # e5's positions; the tokenizer cuts longer texts


class OnnxModelMissing(RuntimeError):
    """The ONNX export is absent or incomplete (``make model`` builds it)."""


def onnx_folder(model_folder: str | Path) -> Path:
    """Where the export of a sentence-transformers e5 folder lives."""
    return Path(model_folder) / ONNX_DIR


def read_stamp(folder: str | Path) -> dict[str, Any] | None:
    """The export's stamp (its SHA-256 and what it was built from), None if incomplete."""
    folder = Path(folder)
    try:
        stamp = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    complete = (folder / ONNX_FILE).is_file() and (folder / TOKENIZER_FILE).is_file()
    return stamp if complete and isinstance(stamp, dict) else None


def as_carried(vector: NDArray[Any]) -> NDArray[np.float32]:
    """``vector`` at the precision it travels in (float16), L2-normalised again."""
    rounded = np.asarray(vector, dtype="<f2").astype(np.float32)
    norm = float(np.linalg.norm(rounded))
    return rounded / norm if norm > 0 else rounded


class OnnxQueryEncoder:
    """e5 ``query:`` vectors of short texts, by onnxruntime on one thread."""

    def __init__(self, folder: str | Path, threads: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        folder = Path(folder)
        stamp = read_stamp(folder)
        if stamp is None or not isinstance(stamp.get("onnx_sha256"), str):
            raise OnnxModelMissing(
                f"Modèle e5 ONNX absent ou incomplet dans {folder} : lancez « make model »."
            )
        self.model_id: str = stamp["onnx_sha256"]
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initialisers are not ours
        self._session = onnxruntime.InferenceSession(
            str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def embed_one(self, text: str) -> NDArray[np.float32]:
        """The vector of one text (one row, float16 precision, L2-normalised)."""
        encoding = self._tokenizer.encode(QUERY_PREFIX + text)
        ids = np.asarray([encoding.ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        vector = self._session.run(None, feeds)[0][0]
        return as_carried(vector).reshape(1, -1)

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Vectors of ``texts``, each computed alone (a batch would pad, and so round apart)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self.embed_one(text) for text in texts])
