"""Curated question layer: validation of the files, index freshness, effect on retrieval."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.chunking import Chunk
from knowledge.config import KnowledgeSettings
from knowledge.dense import Vectors, load_embedder
from knowledge.index import build_index, ensure_index, is_fresh
from knowledge.questions import QuestionsError, load_questions, questions_fingerprint
from knowledge.retrieval import Retriever

CORPUS = """---
doc_id: guide
title: Guide du travail à distance
date: "2026-01-01"
---
# Guide du travail à distance

## 1 – Le report

Le temps de télétravail non consommé au cours d'une semaine n'est pas reportable sur
la semaine suivante.

## 2 – Les jours de présence

L'agent est présent sur son lieu d'affectation au moins deux jours par semaine. Le chef de
service fixe ces jours et peut les changer pour les nécessités du service, en prévenant
l'agent.

## 2 bis – Le matériel

L'administration fournit un ordinateur portable et un téléphone mobile à chaque agent
autorisé à exercer ses fonctions en télétravail.

## 3 – Le délai de prévenance

Il peut être mis fin au télétravail à tout moment, par écrit, avec un délai de prévenance
de deux mois.

## 4 – La santé et la sécurité

L'agent en télétravail bénéficie de la même protection contre les accidents de service que
sur son lieu d'affectation. Le comité d'hygiène peut visiter le domicile.

## 5 – Les frais

Aucune prise en charge des frais de transport n'est modifiée par l'exercice du télétravail.
"""

QUESTIONS = """doc_id: guide
entries:
  - quote: "n'est pas
      reportable sur la semaine suivante"
    questions:
      - si je rate mon jour de tt je peux le rattraper plus tard ?
      - un jour de teletravail pas pris, il est garde pour la semaine d'apres ?
  - quote: avec un délai de prévenance
    questions:
      - mon chef peut arreter mon tt du jour au lendemain ?
      - combien de temps a l'avance on doit me prevenir si mon teletravail s'arrete ?
"""

OTHER_TEXT = """---
doc_id: note-equipement
title: Note sur l'équipement
date: "2026-02-01"
---
# Note sur l'équipement

## Les écrans

Un second écran et un casque peuvent être prêtés à l'agent pour son poste de travail à
domicile, sur demande à son service informatique.
"""

pytestmark = pytest.mark.unit


def _chunks() -> list[Chunk]:
    texts = [
        "Les jours non utilisés ne sont pas reportables.",
        "Le délai de prévenance est de deux mois.\nIl court à partir de la demande.",
        "Le délai de prévenance est fixé par l'arrêté.",
    ]
    return [Chunk("guide", f"section {i}", text, i) for i, text in enumerate(texts)]


def _write(folder: Path, name: str, content: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(content, "utf-8")
    return path


def test_questions_attach_to_the_passage_their_quote_is_in(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "guide-a.yaml",
        "doc_id: guide\nentries:\n"
        "  - quote: 'deux mois. Il court'\n"  # spans a line break of the passage
        "    questions: ['combien de temps pour prevenir ?', ' quel delai ? ']\n"
        "  - quote: ne sont pas reportables\n"
        "    questions: ['je peux reporter un jour ?']\n",
    )
    curated = load_questions(tmp_path, _chunks())
    assert [(q.chunk_id, q.text) for q in curated] == [
        (1, "combien de temps pour prevenir ?"),
        (1, "quel delai ?"),
        (0, "je peux reporter un jour ?"),
    ]


def test_missing_folder_or_file_adds_nothing(tmp_path: Path) -> None:
    assert load_questions(tmp_path / "absent", _chunks()) == []
    assert load_questions(tmp_path, _chunks()) == []


def test_a_quote_absent_from_the_text_names_the_file_and_the_entry(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "guide.yaml",
        "doc_id: guide\nentries:\n"
        "  - quote: ne sont pas reportables\n    questions: ['report ?']\n"
        "  - quote: trois jours par semaine\n    questions: ['combien de jours ?']\n",
    )
    with pytest.raises(QuestionsError) as error:
        load_questions(tmp_path, _chunks())
    message = str(error.value)
    assert "guide.yaml" in message and "entrée 2" in message
    assert "trois jours par semaine" in message and "introuvable" in message


def test_a_quote_found_in_two_passages_is_refused(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "guide.yaml",
        "doc_id: guide\nentries:\n  - quote: Le délai de prévenance\n    questions: ['delai ?']\n",
    )
    with pytest.raises(QuestionsError, match=r"guide\.yaml, entrée 1 .*2 passages"):
        load_questions(tmp_path, _chunks())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("doc_id: guide\nentries:\n  - quote: deux mois\n", r"entrée 1, questions"),
        ("doc_id: guide\nentries:\n  - quote: deux mois\n    questions: ['  ']\n", "vide"),
        ("doc_id: guide\nentries: [\n", "illisible"),
    ],
)
def test_invalid_files_get_a_french_message_naming_them(
    tmp_path: Path, content: str, expected: str
) -> None:
    _write(tmp_path, "guide.yaml", content)
    with pytest.raises(QuestionsError, match=expected) as error:
        load_questions(tmp_path, _chunks())
    assert str(error.value).startswith("guide.yaml")


def test_a_file_about_a_text_absent_from_the_sources_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write(tmp_path, "autre.yaml", "doc_id: autre\nentries:\n  - quote: x\n    questions: [y]\n")
    with caplog.at_level("WARNING"):
        assert load_questions(tmp_path, _chunks()) == []
    assert "autre.yaml" in caplog.text and "questions ignorées" in caplog.text


def test_a_file_must_be_named_after_its_document(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "autre.yaml",
        "doc_id: guide\nentries:\n  - quote: deux mois\n    questions: ['delai ?']\n",
    )
    with pytest.raises(QuestionsError, match="commencer par son doc_id"):
        load_questions(tmp_path, _chunks())


def test_fingerprint_follows_the_question_files(tmp_path: Path) -> None:
    empty = questions_fingerprint(tmp_path / "absent")
    path = _write(tmp_path, "guide.yaml", QUESTIONS)
    first = questions_fingerprint(tmp_path)
    assert first != empty
    path.write_text(QUESTIONS.replace("plus tard", "demain"), "utf-8")
    assert questions_fingerprint(tmp_path) != first


@pytest.fixture
def guide_settings(tmp_path: Path, settings: KnowledgeSettings) -> KnowledgeSettings:
    _write(tmp_path / "sources", "guide.md", CORPUS)
    return settings.model_copy(
        update={
            "sources_dir": tmp_path / "sources",
            "questions_dir": tmp_path / "questions",
            "index_dir": tmp_path / "index",
            "domain_examples_dir": tmp_path / "no-nlu",
        }
    )


@pytest.mark.integration
def test_a_changed_question_file_rebuilds_the_index(guide_settings: KnowledgeSettings) -> None:
    embedder = load_embedder(guide_settings.embedding_model)
    index, _ = ensure_index(guide_settings, lambda: embedder, progress=False)
    assert index.questions == [] and is_fresh(guide_settings)

    path = _write(guide_settings.questions_dir, "guide.yaml", QUESTIONS)
    assert not is_fresh(guide_settings)
    index, rebuilt = ensure_index(guide_settings, lambda: embedder, progress=False)
    assert rebuilt and len(index.questions) == 4
    assert {index.chunks[i].section for i in index.question_owner} == {
        "1 – Le report",
        "3 – Le délai de prévenance",
    }

    path.write_text(QUESTIONS.replace("plus tard", "la semaine suivante"), "utf-8")
    assert not is_fresh(guide_settings)


@pytest.mark.integration
def test_a_bad_question_file_stops_the_build(guide_settings: KnowledgeSettings) -> None:
    _write(guide_settings.questions_dir, "guide.yaml", QUESTIONS.replace("reportable", "perdu"))
    with pytest.raises(QuestionsError, match=r"guide\.yaml, entrée 1"):
        build_index(guide_settings, load_embedder(guide_settings.embedding_model), progress=False)


@pytest.mark.integration
@pytest.mark.slow
def test_a_curated_question_pulls_its_passage_up(guide_settings: KnowledgeSettings) -> None:
    """An agent's wording the passage does not use finds it through a curated question."""
    embedder = load_embedder(guide_settings.embedding_model)
    question = "j'ai pas pu prendre mon jour de tt, je le recupere quand ?"
    target = "1 – Le report"

    def ranks() -> dict[str, tuple[int, float]]:
        """Per method: the target's rank and its score lead over the best other passage."""
        retriever = Retriever(build_index(guide_settings, embedder, progress=False), embedder)
        found = {}
        for method in ("bm25", "dense", "hybrid"):
            hits = retriever.search(question, k=10, method=method)  # type: ignore[arg-type]
            rank = next(i for i, hit in enumerate(hits, start=1) if hit.chunk.section == target)
            other = max(hit.score for hit in hits if hit.chunk.section != target)
            found[method] = (rank, hits[rank - 1].score - other)
        return found

    without = ranks()
    _write(guide_settings.questions_dir, "guide.yaml", QUESTIONS)
    with_questions = ranks()
    # The question shares « jour » with another section, not a word with its own passage.
    assert with_questions["bm25"][0] < without["bm25"][0]
    assert with_questions["hybrid"][0] == 1 and with_questions["dense"][0] == 1
    assert with_questions["dense"][1] > without["dense"][1]
    assert with_questions["hybrid"][1] > without["hybrid"][1]


class EditingEmbedder:
    """The real model; edits the question file while the passages are being embedded."""

    def __init__(self, model: str, path: Path) -> None:
        self.inner = load_embedder(model)
        self.name = model
        self.path = path

    def embed_queries(self, texts: list[str]) -> Vectors:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str], progress: bool = False) -> Vectors:
        self.path.write_text(QUESTIONS.replace("plus tard", "demain"), "utf-8")
        return self.inner.embed_passages(texts)


@pytest.mark.integration
def test_a_file_edited_during_the_build_leaves_the_index_stale(
    guide_settings: KnowledgeSettings,
) -> None:
    path = _write(guide_settings.questions_dir, "guide.yaml", QUESTIONS)
    embedder = EditingEmbedder(guide_settings.embedding_model, path)
    build_index(guide_settings, embedder, progress=False)
    assert not is_fresh(guide_settings)


@pytest.mark.integration
@pytest.mark.slow
def test_a_text_without_curated_questions_is_not_pushed_down(
    guide_settings: KnowledgeSettings,
) -> None:
    """Question-to-question cosines run higher than question-to-text ones: unscaled, the
    passages that have curated questions would outrank a newly added text that has none."""
    _write(guide_settings.sources_dir, "note-equipement.md", OTHER_TEXT)
    _write(guide_settings.questions_dir, "guide.yaml", QUESTIONS)
    embedder = load_embedder(guide_settings.embedding_model)
    retriever = Retriever(build_index(guide_settings, embedder, progress=False), embedder)
    for question in (
        "on peut me preter un deuxieme ecran pour la maison ?",
        "je peux avoir un casque pour teletravailler ?",
    ):
        for method in ("dense", "hybrid"):
            best = retriever.search(question, k=1, method=method)[0]  # type: ignore[arg-type]
            assert best.chunk.doc_id == "note-equipement", (question, method)
