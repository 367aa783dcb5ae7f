"""What the answer shows, on the real index: the sentence closest to the question is in it."""

from __future__ import annotations

from typing import Any

import numpy as np

from knowledge.answer import has_blanks


def _closest_unit(engine: Any, question: str) -> tuple[tuple[str, str], str]:
    """Section and text of the unit the engine finds closest to the question (any passage)."""
    query, hits, scores, _ = engine._search(question)
    question_cosines = engine._question_cosines(query.vector)
    best: tuple[float, tuple[str, str], str] | None = None
    for hit, unit_scores in zip(hits, scores, strict=True):
        anchored = engine._anchored_scores(hit, question_cosines)
        for unit, cosine in zip(engine.units(hit), np.maximum(unit_scores, anchored), strict=True):
            if has_blanks(unit.text):
                continue  # a template line is never the added closest one
            if best is None or cosine > best[0]:
                best = (float(cosine), (hit.chunk.doc_id, hit.chunk.section), unit.text)
    assert best is not None
    return best[1], best[2]


def test_the_closest_sentence_is_shown_even_from_a_lower_ranked_section(engine: Any) -> None:
    """The rank of its section put another key first; the closest sentence still joins."""
    question = "a quoi sert le simulateur d'impacts ?"
    section, text = _closest_unit(engine, question)
    answer = engine.ask(question)
    cited = [(source.doc_id, source.section) for source in answer.sources]
    assert not answer.abstained
    assert section in cited[1:], "une autre section passe en premier"
    assert text in answer.answer


def test_template_lines_to_fill_in_are_not_added_to_an_answer(engine: Any) -> None:
    """The decision model's « les XXX (lundi, mardi,...) » was added next to the rule."""
    for question in (
        "je voudrais passer definitivement mon jour de tt du lundi au vendredi, quelle demarche ?",
        "si je suis en formation ou en controle sur le terrain ca compte comment ?",
    ):
        answer = engine.ask(question)
        assert not answer.abstained
        assert not has_blanks(answer.answer), answer.answer
    # An empty heading of the source (« XXXXXX ») between two items is left out too.
    answer = engine.ask("quels outils interministeriels de collaboration pour tous les agents ?")
    assert "Tchap" in answer.answer and "XXXXXX" not in answer.answer
    assert has_blanks("Les jours travaillés sur site sont : les XXX (lundi, mardi,...).")
    assert has_blanks("Motivation en cas de refus : ………")
    assert not has_blanks("La durée de l'autorisation est d'un an maximum...")


def test_a_model_to_fill_in_is_never_the_key_nor_a_lone_label(engine: Any) -> None:
    """The annex's « A compter du XXX… » came first; « Date et signature… : » stood alone."""
    answer = engine.ask("l'autorisation de tt elle est valable combien de temps ?")
    assert not answer.abstained
    assert "an maximum" in answer.answer.split("\n\n")[0]
    assert "XXX" not in answer.answer
    answer = engine.ask("mon n+1 a refuse ma demande de tt, je peux faire quoi ?")
    assert "commission" in answer.answer
    assert "signature" not in answer.answer, answer.answer


def test_an_empty_grid_to_fill_in_is_a_blank_and_a_table_of_values_is_not() -> None:
    grid = "| Choix | Jours | Lieu |\n|---|---|---|\n| 1 |  |  |\n| 2 |  |  |"
    values = "| Quotité | Jours |\n|---|---|\n| 50 % | 2,5 |"
    assert has_blanks(grid)
    assert not has_blanks(values)


def test_a_close_unit_whose_paragraph_does_not_fit_joins_with_what_completes_it(
    engine: Any,
) -> None:
    """The adaptation period's duration and « comprise dans la durée de l'autorisation »:
    two sentences of one section, the second's whole paragraph too long to join."""
    answer = engine.ask("les 3 mois d'adaptation c'est en plus de l'année autorisée ?")
    folded = answer.answer.replace("’", "'")
    assert "comprise dans la durée de l'autorisation" in folded
    assert "trois mois maximum" in folded


def test_a_line_of_a_letters_heading_is_never_the_key(engine: Any) -> None:
    """« Monsieur le directeur général… » is close to any question naming a director."""
    answer = engine.ask("et le directeur dans tout ça, il décide ?")
    assert not answer.answer.startswith("Le préfet, Directeur de cabinet")
    assert "accord du directeur de la structure" in answer.answer


def test_a_greeting_does_not_change_the_answer(engine: Any) -> None:
    greeted = engine.ask("bjr, jsuis a temps partiel")
    plain = engine.ask("jsuis a temps partiel")
    assert not greeted.abstained
    assert greeted.answer == plain.answer


def test_when_the_closest_unit_is_shown_the_next_closest_joins(engine: Any) -> None:
    """The equipment list is shown and closest; the ban on personal computers, next closest in
    another section, joins it instead of being left out."""
    answer = engine.ask("le portable du taf rame, je peux bosser sur mon pc perso a la maison ?")
    assert "micro-ordinateur portable" in answer.answer
    assert "matériel informatique personnel est interdit" in answer.answer
