"""Topics next to telework that none of the texts covers: « tickets resto », telework abroad.

e5 finds « on a droit aux titres-restaurant les jours de télétravail ? » close to the texts
(it is about telework days), and the passage on telework days has most of its words: the
confidence alone answers it. What tells the assistant it should not is knowing the subjects
agents ask about that the texts leave out — the négatif of the curated questions
(knowledge.questions). ``knowledge/uncovered_topics.yaml`` lists them, each with a few
questions written for it; they are embedded as queries at index time, and a question closer
to one of them than to every curated question is abstained on, the abstention naming the
topic (knowledge.answer).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.corpus import files_fingerprint

UNCOVERED_FILE = Path(__file__).resolve().parent / "uncovered_topics.yaml"
MAX_TOPIC_CHARS = 200
MAX_QUESTION_CHARS = 500


class UncoveredError(ValueError):
    """The uncovered-topics file is unreadable or malformed (the message says where)."""


class UncoveredTopic(BaseModel):
    """One subject the texts do not cover, and questions agents ask about it."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(min_length=3, max_length=MAX_TOPIC_CHARS)
    questions: list[str] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _well_formed(cls, questions: list[str]) -> list[str]:
        cleaned = [" ".join(question.split()) for question in questions]
        if any(not question or len(question) > MAX_QUESTION_CHARS for question in cleaned):
            raise ValueError(f"question vide ou de plus de {MAX_QUESTION_CHARS} caractères")
        return cleaned


class UncoveredFile(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid")

    topics: list[UncoveredTopic] = Field(default_factory=list)


def load_uncovered(path: Path = UNCOVERED_FILE) -> list[UncoveredTopic]:
    """The topics, or none when the file does not exist (the layer is optional).

    Raises:
        UncoveredError: the YAML or its shape is invalid.

    """
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return UncoveredFile.model_validate(data).topics
    except (yaml.YAMLError, ValidationError) as error:
        raise UncoveredError(
            f"{path.name} : fichier des sujets non couverts invalide ({error})"
        ) from error


def uncovered_fingerprint(path: Path = UNCOVERED_FILE) -> str:
    """Content hash of the file (empty when absent): a change rebuilds the index."""
    return files_fingerprint([path]) if path.exists() else ""


def flatten(topics: list[UncoveredTopic]) -> tuple[list[str], list[str]]:
    """(questions, topic of each question), in file order — what the index stores."""
    questions = [question for topic in topics for question in topic.questions]
    labels = [topic.topic for topic in topics for _ in topic.questions]
    return questions, labels
