"""Follow-ups: which short messages lean on the one before, and what is searched then."""

from __future__ import annotations

import pytest

from actions.follow_ups import (
    asks_more,
    asks_whom,
    checks_back,
    is_follow_up,
    states_situation,
    with_context,
    without_acknowledgement,
    without_opener,
)


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("Top merci. Et pour un contractuel ?", "Et pour un contractuel ?"),
        ("merci bcp, et un téléphone ?", "et un téléphone ?"),
        ("d'accord, et c'est renouvelable ?", "et c'est renouvelable ?"),
        ("Ok super ! Du coup pour arrêter ?", "Du coup pour arrêter ?"),
        ("ok merci", "ok merci"),
        ("quel matériel est fourni ?", "quel matériel est fourni ?"),
        ("d'où vient la règle ?", "d'où vient la règle ?"),
    ],
)
def test_the_acknowledgement_before_a_message_is_left_out(text: str, rest: str) -> None:
    assert without_acknowledgement(text) == rest


@pytest.mark.parametrize(
    ("text", "leaning"),
    [
        ("et si je refuse ?", True),
        # « ça » opening a short question, a preposition left without its object.
        ("ça doit être par écrit ?", True),
        ("si ça se passe mal pendant je peux tout arrêter ?", True),
        ("merci ! et à 90 % ?", True),
        ("d'accord, et c'est renouvelable ?", True),
        ("donc 15 jours c'est ça ?", True),
        ("c'est bien 3 mois max ?", True),
        ("l'administration aussi doit respecter un délai ?", True),
        ("vraiment interdit même pour lire mes mails ?", True),
        ("mon chef peut y mettre fin pendant cette période ?", True),
        ("et je peux garder ma fille pendant ces jours-là ?", True),
        ("je px faire quoi alors ?", True),
        ("c'est quoi les pièces à fournir avec ?", True),
        ("pendant combien de temps ?", True),
        ("ça dure combien de temps ?", True),
        ("à partir de quand ?", True),
        ("combien de jours ?", False),
        ("quand ?", True),
        ("elle doit me donner une raison ?", True),
        ("avec quels outils ?", True),
        ("pour qui ?", True),
        ("avec mon ordinateur perso ?", False),
        ("qui valide le truc au final ?", True),
        ("il commence le 3 février, je mets quoi comme date de fin ?", True),
        ("je lui dis quoi ?", True),
        ("il faut un certificat médical ?", False),
        ("il est possible de télétravailler à l'étranger ?", False),
        ("il n'y a pas de délai ?", False),
        ("il y a un délai pour arrêter ?", False),
        ("y a un max de jours ?", False),
        ("c'est quoi ce que je dois joindre ?", False),
        ("c compte en jours ouvres ou calendaires ?", True),
        ("c payant ?", True),
        ("c quoi le délai pour arrêter ?", False),
        ("c'est obligatoire d'avoir une attestation ?", False),
        ("quel matériel est fourni ?", False),
        ("ok merci", False),
        ("et " + "encore " * 15 + "?", False),
    ],
)
def test_a_follow_up_is_recognised_by_how_it_leans(text: str, leaning: bool) -> None:
    assert is_follow_up(text) is leaning


@pytest.mark.parametrize(
    ("text", "recent", "searched"),
    [
        (
            "et si je refuse ?",
            ["le CHSCT peut visiter mon domicile ?", "et si je refuse ?"],
            "le CHSCT peut visiter mon domicile ? et si je refuse ?",
        ),
        (
            "même en CDD ?",
            ["un contractuel peut demander ?", "même en CDD ?"],
            "un contractuel peut demander ? même en CDD ?",
        ),
        (
            "top merci. et pour un contractuel ?",
            ["on m'a refusé le télétravail, un recours ?", "top merci. et pour un contractuel ?"],
            "on m'a refusé le télétravail, un recours ? et pour un contractuel ?",
        ),
        ("quel matériel est fourni ?", ["bonjour", "quel matériel est fourni ?"], None),
        (
            "mon taf c surtout l'accueil au guichet",
            ["j'ai droit au tt ?", "mon taf c surtout l'accueil au guichet"],
            "j'ai droit au tt ? mon taf c surtout l'accueil au guichet",
        ),
        ("Lefèvre Gaëlle", ["bonjour", "Lefèvre Gaëlle"], None),
        (
            "c renouvelable ?",
            ["mon médecin veut plus de jours, c possible ?", "c renouvelable ?"],
            "mon médecin veut plus de jours, c possible ? c renouvelable ?",
        ),
        ("et si je refuse ?", ["et si je refuse ?"], None),
        ("et pour le quota ?", ["/ask_quota", "et pour le quota ?"], None),
        (
            "mon taf c surtout l'accueil au guichet",
            [
                "jsuis contractuel, jai droit au tt ?",
                "et si mon contrat est prolongé ?",
                "mon taf c surtout l'accueil au guichet",
            ],
            "jsuis contractuel, jai droit au tt ? et si mon contrat est prolongé ?"
            " mon taf c surtout l'accueil au guichet",
        ),
        (
            "et si je refuse ?",
            [
                "quel matériel est fourni ?",
                "le CHSCT peut visiter mon domicile ?",
                "et si je refuse ?",
            ],
            "le CHSCT peut visiter mon domicile ? et si je refuse ?",
        ),  # the question before stands alone: the chain stops there
    ],
)
def test_a_follow_up_is_searched_with_the_message_before(
    text: str, recent: list[str], searched: str | None
) -> None:
    assert with_context(text, recent) == (searched if searched is not None else text)


@pytest.mark.parametrize(
    ("text", "more"),
    [
        ("merci ! et à 90 % ?", True),
        ("top merci. et pour un contractuel ?", True),
        ("merci, c'est quoi le délai pour arrêter ?", True),
        ("merci", False),
        ("ok merci beaucoup", False),
        ("merci, bonne journée", False),
        ("merci !!", False),
    ],
)
def test_a_thank_you_may_carry_a_question(text: str, more: bool) -> None:
    assert asks_more(text) is more


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("merci, et sinon qui peut visiter mon domicile ?", "qui peut visiter mon domicile ?"),
        ("Du coup pour arrêter ?", "pour arrêter ?"),
        ("autre question : qui paie ma box ?", "qui paie ma box ?"),
        ("autre chose, mon pass navigo baisse ?", "mon pass navigo baisse ?"),
        ("attends, faut joindre quoi avec la demande ?", "faut joindre quoi avec la demande ?"),
        ("et si je refuse ?", "si je refuse ?"),
        ("quel matériel est fourni ?", "quel matériel est fourni ?"),
        ("et ?", "et ?"),
        # A short « et … ? » closing what the agent states is the question searched.
        ("c bon g eu l'accord pour janvier. et le matériel ?", "le matériel ?"),
        (
            "je suis en DDT. et je peux partir télétravailler chez ma mère, loin du service ?",
            "je suis en DDT. et je peux partir télétravailler chez ma mère, loin du service ?",
        ),
        ("c'est refusé ? et le recours ?", "c'est refusé ? et le recours ?"),
    ],
)
def test_the_opening_words_are_not_searched(text: str, rest: str) -> None:
    assert without_opener(text) == rest


@pytest.mark.parametrize(
    ("text", "whom"),
    [
        ("et du coup je demande à qui ?", True),
        ("je m'adresse à qui ?", True),
        ("qui contacter alors ?", True),
        ("vers qui je me tourne ?", True),
        ("qui décide ?", False),
        ("c'est quoi le délai ?", False),
    ],
)
def test_asking_whom_to_turn_to(text: str, whom: bool) -> None:
    assert asks_whom(text) is whom


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("donc 15 jours c'est ça ?", True),
        ("c'est bien 2 mois ?", True),
        ("ça fait bien 8 jours par mois ?", True),
        ("15 jours", False),
        ("c'est quoi le délai ?", False),
    ],
)
def test_a_check_of_what_was_just_said(text: str, check: bool) -> None:
    assert checks_back(text) is check


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("mon taf c'est surtout l'accueil des usagers au guichet", True),
        ("il est arrivé sur le poste il y a 2 mois", True),
        ("jsuis contractuelle en cdd de 2 ans", True),
        ("est-ce que je peux télétravailler", False),
        ("est-il possible de télétravailler le lundi", False),
        ("je peux télétravailler ?", False),
        ("ok", False),
    ],
)
def test_a_situation_is_stated_without_asking(text: str, stated: bool) -> None:
    assert states_situation(text) is stated
