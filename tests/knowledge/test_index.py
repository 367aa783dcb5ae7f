"""Index persistence: rebuilt only on change, never left half-written (real model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.config import KnowledgeSettings
from knowledge.dense import Embedder, Vectors, load_embedder
from knowledge.index import IndexMissingError, build_index, ensure_index, is_fresh, load_index
from knowledge.retrieval import Retriever

pytestmark = pytest.mark.integration

SMALL_TEXT = """---
doc_id: note-{n}
title: Note {n}
date: "2026-0{n}-01"
---
# Note {n}

## 1 – Les équipements

L'administration fournit un ordinateur portable et un téléphone.

## 2 – Les délais

Le délai de prévenance est de deux mois.
"""


@pytest.fixture
def small_settings(tmp_path: Path, settings: KnowledgeSettings) -> KnowledgeSettings:
    sources = tmp_path / "sources"
    sources.mkdir()
    for n in (1, 2):
        (sources / f"note-{n}.md").write_text(SMALL_TEXT.format(n=n), "utf-8")
    # No in-domain classifier here (tests/knowledge/test_domain.py covers it): it would
    # embed the whole NLU data at every small build.
    return settings.model_copy(
        update={
            "sources_dir": sources,
            "index_dir": tmp_path / "index",
            "domain_examples_dir": tmp_path / "no-nlu",
        }
    )


class CountingEmbedder:
    """The real model, counting how often passages are embedded."""

    def __init__(self, model: str) -> None:
        self.inner = load_embedder(model)
        self.name = model
        self.passage_calls = 0

    def embed_queries(self, texts: list[str]) -> Vectors:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str], progress: bool = False) -> Vectors:
        self.passage_calls += 1
        return self.inner.embed_passages(texts)


def test_index_is_rebuilt_only_when_a_source_changes(small_settings: KnowledgeSettings) -> None:
    embedder = CountingEmbedder(small_settings.embedding_model)
    with pytest.raises(IndexMissingError):
        load_index(small_settings)
    _, rebuilt = ensure_index(small_settings, lambda: embedder, progress=False)
    assert rebuilt and is_fresh(small_settings)
    calls = embedder.passage_calls

    _, rebuilt = ensure_index(small_settings, lambda: embedder, progress=False)
    assert not rebuilt and embedder.passage_calls == calls

    (small_settings.sources_dir / "note-1.md").write_text(
        SMALL_TEXT.format(n=1).replace("deux mois", "un mois"), "utf-8"
    )
    assert not is_fresh(small_settings)
    index, rebuilt = ensure_index(small_settings, lambda: embedder, progress=False)
    assert rebuilt and any("un mois" in chunk.text for chunk in index.chunks)


def test_loaded_index_finds_passages_with_sections(small_settings: KnowledgeSettings) -> None:
    embedder: Embedder = load_embedder(small_settings.embedding_model)
    build_index(small_settings, embedder, progress=False)
    retriever = Retriever(load_index(small_settings), embedder)
    best = retriever.search("qui fournit le portable ?", k=1)[0]
    assert best.chunk.section == "1 – Les équipements"
    assert best.chunk.doc_id in {"note-1", "note-2"}
    # Every passage has its sentence windows on the dense side, in passage order.
    index = retriever.index
    owners = index.window_owner.tolist()
    assert sorted(set(owners)) == list(range(len(index.chunks))) and owners == sorted(owners)
    assert index.window_vectors.ntotal == len(owners)


class FailingEmbedder(CountingEmbedder):
    def embed_passages(self, texts: list[str], progress: bool = False) -> Vectors:
        raise RuntimeError("coupure pendant l'indexation")


def test_interrupted_build_keeps_the_previous_index(small_settings: KnowledgeSettings) -> None:
    build_index(small_settings, load_embedder(small_settings.embedding_model), progress=False)
    before = load_index(small_settings).manifest
    (small_settings.sources_dir / "note-3.md").write_text(SMALL_TEXT.format(n=3), "utf-8")
    with pytest.raises(RuntimeError):
        build_index(small_settings, FailingEmbedder(small_settings.embedding_model), progress=False)
    assert load_index(small_settings).manifest == before
    leftovers = [
        p.name for p in small_settings.index_dir.parent.iterdir() if p.name.startswith(".index-")
    ]
    assert leftovers == []
