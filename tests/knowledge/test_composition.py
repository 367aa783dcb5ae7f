"""Answer composition: the part of the text around the key sentence must read on its own."""

from __future__ import annotations

import pytest

from knowledge.answer import is_letterhead
from knowledge.composition import (
    answer_span,
    key_span,
    leans_on_previous,
    list_heading,
    render,
    single_gaps,
    trim_table,
)
from knowledge.sentences import split_units, structured_units

EQUIPMENT = """Pour les agents, l'administration prend en charge :

- la fourniture d'un micro-ordinateur portable ;
- la fourniture d'un téléphone portable ;
- les fournitures de bureau.

Les caractéristiques techniques du matériel peuvent varier."""

RECOURSE = """La décision portant :

- refus d'autorisation de télétravail ;
- cessation définitive de télétravail ;

doit être expressément motivée et notifiée à l'agent, qui peut saisir la commission."""

MEDICAL = (
    "Les demandes peuvent être traitées à tout moment. Les seuils peuvent faire l'objet de "
    "dérogations après avis du médecin. Ces dérogations sont accordées pour une durée de 6 "
    "mois maximum. Par ailleurs, le service informe l'agent."
)


def _index(units: list, start: str) -> int:
    return next(i for i, unit in enumerate(units) if unit.text.startswith(start))


def test_a_list_item_comes_with_its_introduction_and_the_whole_list() -> None:
    units = structured_units(EQUIPMENT)
    text = render(units, answer_span(units, _index(units, "les fournitures")))
    assert text.startswith("Pour les agents, l'administration prend en charge :")
    assert "- la fourniture d'un micro-ordinateur portable ;" in text
    assert text.endswith("- les fournitures de bureau.")
    assert "caractéristiques" not in text


def test_the_introducing_sentence_brings_its_list() -> None:
    units = structured_units(EQUIPMENT)
    text = render(units, answer_span(units, 0))
    assert "téléphone portable" in text and "fournitures de bureau" in text


def test_a_sentence_split_by_a_list_is_given_whole() -> None:
    units = structured_units(RECOURSE)
    text = render(units, answer_span(units, _index(units, "doit être")))
    assert text.startswith("La décision portant :")
    assert "- cessation définitive de télétravail ;" in text
    assert text.endswith("qui peut saisir la commission.")


def test_a_sentence_brings_the_one_that_completes_it() -> None:
    units = structured_units(MEDICAL)
    text = render(units, answer_span(units, _index(units, "Les seuils")))
    assert text.endswith("pour une durée de 6 mois maximum.")
    assert "traitées à tout moment" not in text and "Par ailleurs" not in text


def test_a_sentence_that_leans_on_the_previous_one_brings_it() -> None:
    units = structured_units(MEDICAL)
    text = render(units, answer_span(units, _index(units, "Ces dérogations")))
    assert text.startswith("Les seuils peuvent faire l'objet de dérogations")


def test_anaphora_detection_ignores_accents_and_case() -> None:
    assert leans_on_previous("Toutefois, l'agent peut…")
    assert leans_on_previous("« Ces dérogations »")
    assert not leans_on_previous("Le télétravail est volontaire.")


def test_a_long_list_keeps_its_introduction_and_the_nearest_items() -> None:
    items = "\n".join(
        f"- élément numéro {i} de la liste, assez long pour compter ;" for i in range(30)
    )
    units = structured_units(f"La liste suivante :\n\n{items}")
    chosen = answer_span(units, 20, limit=300)
    assert chosen[0] == 0 and 20 in chosen
    assert len(render(units, chosen)) <= 330


def test_a_long_table_keeps_its_header_and_the_best_rows() -> None:
    table = "| quotité | jours |\n|---|---|\n" + "\n".join(
        f"| {q} % | {q / 40} |" for q in range(50, 100)
    )
    trimmed = trim_table(
        table, [1.0 if row.startswith("| 80") else 0.0 for row in table.split("\n")[2:]], 60
    )
    assert trimmed.split("\n")[:2] == ["| quotité | jours |", "|---|---|"]
    assert "| 80 % |" in trimmed


def test_structured_units_are_the_indexed_units() -> None:
    for text in (EQUIPMENT, RECOURSE, MEDICAL):
        assert [unit.text for unit in structured_units(text)] == split_units(text)


def test_curated_quotes_anchor_the_sentences_they_are_taken_from() -> None:
    from knowledge.analysis import fold
    from knowledge.answer import _anchor_units

    units = structured_units(MEDICAL)
    anchors = [
        (7, fold("Ces dérogations sont accordées pour une durée de 6 mois")),
        (7, fold("Les seuils peuvent faire l'objet de dérogations après avis du médecin. Ces")),
        (8, fold("Ces dérogations sont accordées")),
    ]
    found = _anchor_units(units, anchors, chunk_id=7)
    assert found == {0: [2], 1: [1]}


def test_an_abbreviation_in_brackets_does_not_end_the_sentence() -> None:
    units = split_units("« Le télétravail désigne… ». (art. 2 du décret précité). Il suit.")
    assert units == ["« Le télétravail désigne… ».", "(art. 2 du décret précité).", "Il suit."]


def test_a_semicolon_inside_brackets_does_not_end_the_sentence() -> None:
    units = split_units("La mise en place des postes (29 947 installés ; 15 137 en cours). Fin.")
    assert units == ["La mise en place des postes (29 947 installés ; 15 137 en cours).", "Fin."]


VISITS = (
    "Parmi les attributions du CHSCT figure la visite des locaux. Cependant, la visite est "
    "limitée au bureau.\n\nCes visites ne peuvent être programmées qu'avec l'accord de "
    "l'agent.\n\nToutefois, le refus de l'agent peut suspendre l'autorisation.\n\nLes modalités "
    "sont définies localement."
)


def test_a_chain_of_leaning_sentences_comes_whole() -> None:
    units = structured_units(VISITS)
    text = render(units, answer_span(units, 0))
    assert text.endswith("le refus de l'agent peut suspendre l'autorisation.")
    assert "modalités" not in text
    assert leans_on_previous("Dans ce contexte, les médecins assurent une permanence.")
    assert not leans_on_previous("Dès lors que l'agent le demande, il est reçu.")


def test_the_key_sentence_brings_the_next_one_of_its_paragraph() -> None:
    units = structured_units(
        "Les services établiront un suivi hebdomadaire. La synthèse sera transmise au "
        "Cabinet.\n\nAutre paragraphe."
    )
    assert render(units, key_span(units, 0)).endswith("transmise au Cabinet.")
    assert key_span(units, 1) == [1]


def test_a_list_without_introduction_is_introduced_by_its_section_title() -> None:
    units = structured_units("- Action n°7 – Inscrire\n- Action n°8 – Permettre")
    section = "Plan › 21 actions proposées en faveur du télétravail"
    assert list_heading(units, [0, 1], section) == "21 actions proposées en faveur du télétravail"
    bare = structured_units("3 mesures :\n\n- Mesure n°1\n- Mesure n°2")
    assert list_heading(bare, [0, 1, 2], section) is not None
    assert list_heading(structured_units(EQUIPMENT), [0, 1], section) is None
    assert list_heading(units, [0], "Introduction") is None


PRINCIPLES = """Cinq principes généraux organisent le télétravail :

- **le télétravail est volontaire** : il ne peut pas être imposé à l'agent ;
- **le télétravail est programmé et régulier** : les jours sont planifiés. \
Le télétravail revêt un caractère régulier. Aussi, les jours sont fixes ;
- **le télétravail est réversible** : l'agent peut y mettre fin à tout moment ;
- **le lien avec la communauté de travail est maintenu** : l'agent garde son bureau ;
- **le télétravailleur a les mêmes droits** que les autres agents."""


def test_a_list_item_of_several_sentences_is_kept_whole_on_one_bullet() -> None:
    """Trimming a long list must not show an item's second sentence as a bullet of its own."""
    units = structured_units(PRINCIPLES)
    key = _index(units, "Le télétravail revêt")
    text = render(units, answer_span(units, key, limit=220))
    assert "- le télétravail est programmé et régulier : les jours sont planifiés. Le" in text
    assert "- Le télétravail revêt" not in text
    assert text.startswith("Cinq principes généraux")


def test_a_unit_left_out_alone_between_two_shown_ones_is_a_gap() -> None:
    assert single_gaps([1, 3, 7]) == [2]
    assert single_gaps([0, 2, 4]) == [1, 3]
    assert single_gaps([0, 1, 5]) == []  # two or more units apart: another point of the text
    assert single_gaps([]) == []


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("Le préfet,", True),
        ("Paris, le 2 février 2021", True),
        ("Monsieur le directeur général de la police nationale", True),
        ("Mesdames et Messieurs les directrices et directeurs", True),
        ("L'accord définitif est délivré par le directeur de la structure d'affectation.", False),
        ("Le directeur de la structure donne son accord.", False),
    ],
)
def test_lines_of_a_letters_heading(text: str, heading: bool) -> None:
    assert is_letterhead(text) is heading
