"""One answer engine per process, shared by the API, the CLI and the bot's actions."""

from __future__ import annotations

from functools import lru_cache

from knowledge.answer import AnswerEngine
from knowledge.config import KnowledgeSettings, get_settings
from knowledge.decision import ensure_decision
from knowledge.dense import load_embedder
from knowledge.hubness import ensure_hubness
from knowledge.index import ensure_index
from knowledge.retrieval import Retriever


def build_engine(settings: KnowledgeSettings, progress: bool = False) -> AnswerEngine:
    """Load the model, the index and the answer/abstain model fitted on it.

    The index is rebuilt if the sources changed, the passages' hubness computed and the
    decision fitted if missing or stale.
    """
    embedder = load_embedder(settings.embedding_model)
    index, _ = ensure_index(settings, lambda: embedder, progress=progress)
    hubness = None
    if settings.hub_weight:  # a weight of 0 needs no vector: the NLU examples are not embedded
        passages = index.chunk_vectors.reconstruct_n(0, index.chunk_vectors.ntotal)
        hubness = ensure_hubness(
            embedder, passages, settings.index_dir, settings.domain_examples_dir
        )
    engine = AnswerEngine(
        Retriever(
            index,
            embedder,
            lexical_weight=settings.lexical_weight,
            question_weight=settings.question_weight,
            question_lexical_weight=settings.question_lexical_weight,
            hubness=hubness,
            hub_weight=settings.hub_weight,
        ),
        settings,
    )
    engine.decision = ensure_decision(engine, settings.index_dir)
    return engine


@lru_cache(maxsize=1)
def get_engine() -> AnswerEngine:
    """The process-wide engine for the default settings."""
    return build_engine(get_settings())
