"""Curated questions: what agents ask, written per passage, matched as well as the passage.

Agents rarely use the words of the texts (« rattraper mon jour » for « jours non
reportables »): like the Code du travail numérique, which curates the questions each of its
fiches answers, the knowledge base can carry, for a passage, questions written by people
from that passage alone. Retrieval compares the agent's question with them too
(knowledge.retrieval).

One YAML file (or several) per document, ``<doc_id>*.yaml`` in ``knowledge/questions/``::

    doc_id: maa-instruction-2019-781
    entries:
      - quote: "au maximum de trois jours télétravaillés par semaine"
        questions:
          - combien de jours de tt par semaine au max ?

The quote, an exact extract of the passage (whitespace aside), anchors the entry: it must be
found in exactly one passage of its document, so that re-chunking a text can never silently
attach questions to the wrong passage — the index build stops with a French message naming
the file and the entry instead. The layer is optional: a document without a file, or no
folder at all, simply has no curated questions; a file about a document that is not among
the sources is skipped with a warning.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.chunking import Chunk
from knowledge.corpus import files_fingerprint

logger = logging.getLogger(__name__)
QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"
MAX_QUESTION_CHARS = 500


class QuestionsError(ValueError):
    """A curated question file is unreadable or does not anchor to the texts."""


class QuestionEntry(BaseModel):
    """Questions answered by one fact of a passage, anchored by a quote of it."""

    model_config = ConfigDict(extra="forbid")

    quote: str = Field(min_length=1)
    questions: list[str] = Field(min_length=1)

    @field_validator("questions")
    @classmethod
    def _non_blank(cls, questions: list[str]) -> list[str]:
        cleaned = [question.strip() for question in questions]
        if any(not question for question in cleaned):
            raise ValueError("question vide")
        if any(len(question) > MAX_QUESTION_CHARS for question in cleaned):
            raise ValueError(f"question de plus de {MAX_QUESTION_CHARS} caractères")
        return cleaned


class QuestionFile(BaseModel):
    """One curated question file."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(min_length=1)
    entries: list[QuestionEntry] = Field(min_length=1)


@dataclass(frozen=True)
class CuratedQuestion:
    """A question and the passage (index in the chunk list) that answers it."""

    chunk_id: int
    text: str
    # The exact extract of the passage that answers it (the answer's key sentence).
    quote: str = ""


def question_files(directory: Path = QUESTIONS_DIR) -> list[Path]:
    """The question files of a folder in a stable order (none if the folder is absent)."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.yaml"))


def questions_fingerprint(directory: Path = QUESTIONS_DIR) -> str:
    """Content hash of the question files (names and bytes): a change rebuilds the index."""
    return files_fingerprint(question_files(directory))


def normalise(text: str) -> str:
    """Unicode NFC and single spaces: a quote on one line matches a passage on several."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def read_question_file(path: Path) -> QuestionFile:
    """Parse and validate one file.

    Raises:
        QuestionsError: the YAML or its shape is invalid (the message names the file).

    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise QuestionsError(f"{path.name} : fichier de questions illisible ({error}).") from error
    try:
        return QuestionFile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{_location(issue['loc'])} : {issue['msg']}" for issue in error.errors()
        )
        raise QuestionsError(f"{path.name} : forme invalide ({problems}).") from error


def _location(loc: tuple[int | str, ...]) -> str:
    """« entrée 3, questions » rather than pydantic's ``('entries', 2, 'questions')``."""
    parts: list[str] = []
    for i, part in enumerate(loc):
        if part == "entries" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            continue
        if isinstance(part, int) and i > 0 and loc[i - 1] == "entries":
            parts.append(f"entrée {part + 1}")
        elif isinstance(part, int):
            parts.append(f"n° {part + 1}")
        else:
            parts.append(str(part))
    return ", ".join(parts) or "fichier"


def load_questions(directory: Path, chunks: list[Chunk]) -> list[CuratedQuestion]:
    """Every curated question of the folder, attached to the one passage its quote is in.

    Raises:
        QuestionsError: a file is invalid or not named after its document, or one of its
            quotes is found in no passage of the document or in several. A file whose
            document is not among the sources is skipped, with a warning.

    """
    by_doc: dict[str, list[tuple[int, str]]] = {}
    for chunk_id, chunk in enumerate(chunks):
        by_doc.setdefault(chunk.doc_id, []).append((chunk_id, normalise(chunk.text)))
    curated: list[CuratedQuestion] = []
    for path in question_files(directory):
        content = read_question_file(path)
        if not path.stem.startswith(content.doc_id):
            raise QuestionsError(
                f"{path.name} : le nom du fichier doit commencer par son doc_id "
                f"« {content.doc_id} »."
            )
        if content.doc_id not in by_doc:
            # Sources configured elsewhere (TELETRAVAIL_SOURCES_DIR) or a text withdrawn:
            # its questions have nothing to anchor to, and the other texts still index.
            logger.warning(
                "%s : le document « %s » n'est pas dans les sources, questions ignorées.",
                path.name,
                content.doc_id,
            )
            continue
        passages = by_doc[content.doc_id]
        for number, entry in enumerate(content.entries, start=1):
            quote = normalise(entry.quote)
            found = [chunk_id for chunk_id, text in passages if quote in text]
            where = f"{path.name}, entrée {number} (« {_shorten(entry.quote)} »)"
            if not found:
                raise QuestionsError(
                    f"{where} : citation introuvable dans le document « {content.doc_id} » "
                    "(elle doit reprendre le texte du passage mot pour mot)."
                )
            if len(found) > 1:
                positions = ", ".join(str(chunks[chunk_id].position) for chunk_id in found)
                raise QuestionsError(
                    f"{where} : citation présente dans {len(found)} passages (positions "
                    f"{positions}) ; allongez-la pour qu'elle n'en désigne qu'un."
                )
            curated.extend(
                CuratedQuestion(found[0], question, quote) for question in entry.questions
            )
    return curated


def _shorten(text: str, limit: int = 60) -> str:
    text = normalise(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
