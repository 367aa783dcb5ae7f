"""One answer engine per process, shared by the API, the CLI and the bot's actions."""

from __future__ import annotations

from functools import lru_cache

from knowledge.answer import AnswerEngine
from knowledge.config import KnowledgeSettings, get_settings
from knowledge.decision import ensure_decision
from knowledge.dense import load_embedder
from knowledge.index import ensure_index
from knowledge.retrieval import Retriever


def build_engine(settings: KnowledgeSettings, progress: bool = False) -> AnswerEngine:
    """Load the model, the index and the answer/abstain model fitted on it.

    The index is rebuilt if the sources changed, the decision fitted if missing or stale.
    """
    embedder = load_embedder(settings.embedding_model)
    index, _ = ensure_index(settings, lambda: embedder, progress=progress)
    engine = AnswerEngine(
        Retriever(
            index,
            embedder,
            lexical_weight=settings.lexical_weight,
            question_weight=settings.question_weight,
            question_lexical_weight=settings.question_lexical_weight,
        ),
        settings,
    )
    engine.decision = ensure_decision(engine, settings.index_dir)
    return engine


@lru_cache(maxsize=1)
def get_engine() -> AnswerEngine:
    """The process-wide engine for the default settings."""
    return build_engine(get_settings())
