"""One answer engine per process, shared by the API, the CLI and the bot's actions."""

from __future__ import annotations

from functools import lru_cache

from knowledge.answer import AnswerEngine
from knowledge.config import KnowledgeSettings, get_settings
from knowledge.dense import load_embedder
from knowledge.index import ensure_index
from knowledge.retrieval import Retriever


def build_engine(settings: KnowledgeSettings, progress: bool = False) -> AnswerEngine:
    """Load the model and the index (rebuilding the index if the sources changed)."""
    embedder = load_embedder(settings.embedding_model)
    index, _ = ensure_index(settings, lambda: embedder, progress=progress)
    return AnswerEngine(
        Retriever(
            index,
            embedder,
            lexical_weight=settings.lexical_weight,
            question_weight=settings.question_weight,
            question_lexical_weight=settings.question_lexical_weight,
        ),
        settings,
    )


@lru_cache(maxsize=1)
def get_engine() -> AnswerEngine:
    """The process-wide engine for the default settings."""
    return build_engine(get_settings())
