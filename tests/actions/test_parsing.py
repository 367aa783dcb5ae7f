"""Free-text readers: what agents type becomes a value, or None when unclear."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.parsing import (
    parse_date,
    parse_days,
    parse_discharge,
    parse_quotite,
    parse_status,
    parse_transport_mode,
    parse_yes_no,
    stated_days,
    stated_distance,
    works_at,
)

pytestmark = pytest.mark.unit
TODAY = dt.date(2026, 4, 1)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("80", 80.0),
        ("80 %", 80.0),
        ("je suis à 90%", 90.0),
        ("à 80 pour cent", 80.0),
        ("Temps plein", 100.0),
        ("temps complet", 100.0),
        ("mi-temps", 50.0),
        ("4/5", 80.0),
        ("4 jours sur 5", 80.0),
        ("jsuis a 4/5eme", 80.0),
        ("quatre cinquièmes", 80.0),
        # The figure one works at wins over another percentage or figure of the message.
        ("ma decharge c 30% donc jbosse a 70", 70.0),
        ("non en fait jsuis a 60, pas 80", 60.0),
        ("abc", None),
        (70, 70.0),
        (True, None),
    ],
)
def test_quotite(text: object, value: float | None) -> None:
    assert parse_quotite(text) == value


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("je bosse à 70", True),
        ("non en fait chui a 60, pas 80", True),
        ("je travaille a 80 %", True),
        ("je suis à 30 km", False),
        ("je suis à 12 minutes du bureau", False),
        ("je suis a 2 jours de tt", False),
        ("non merci", False),
    ],
)
def test_works_at_says_a_quotite_without_its_sign(text: str, said: bool) -> None:
    assert works_at(text) is said


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2", 2.0),
        ("2 jours", 2.0),
        ("deux jours et demi", 2.5),
        ("une demi-journée", 0.5),
        ("1,5", 1.5),
        ("trois", 3.0),
        ("beaucoup", None),
    ],
)
def test_days(text: str, value: float | None) -> None:
    assert parse_days(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("oui", True),
        ("Ouais bien sûr", True),
        ("pas de souci", True),
        ("non", False),
        ("pas vraiment", False),
        ("Non, pas tout", False),
        ("bof", None),
        ("bof je sais pas trop", None),
        ("aucune idée", None),
        ("nonobstant", None),
    ],
)
def test_yes_no(text: str, value: bool | None) -> None:
    assert parse_yes_no(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("je suis titulaire", "fonctionnaire"),
        ("stagiaire", "fonctionnaire"),
        ("en CDD", "contractuel"),
        ("Contractuelle", "contractuel"),
        ("ni l'un ni l'autre", None),
    ],
)
def test_status(text: str, value: str | None) -> None:
    assert parse_status(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("en train", "transports_en_commun"),
        ("à vélo", "velo"),
        ("à pied", "marche"),
        ("en scooter", "deux_roues"),
        ("ma voiture diesel", "voiture"),
        ("je télétravaille", None),
    ],
)
def test_transport_mode(text: str, value: str | None) -> None:
    assert parse_transport_mode(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("04/05/2026", dt.date(2026, 5, 4)),
        ("le 4 mai", dt.date(2026, 5, 4)),
        ("notifié le 12 mars 2026", dt.date(2026, 3, 12)),
        ("demain", dt.date(2026, 4, 2)),
        ("mardi prochain", dt.date(2026, 4, 7)),
        ("le 31/02/2026", None),
        ("je veux changer mes jours", None),
        ("", None),
    ],
)
def test_french_dates_day_first_future_preferred(text: str, value: dt.date | None) -> None:
    assert parse_date(text, today=TODAY) == value


@pytest.mark.parametrize(
    ("texts", "value"),
    [
        (["temps plein + 20 % de décharge syndicale"], 20.0),
        (["je suis à 100 %", "avec une décharge syndicale de 30%"], 30.0),
        (["je suis à 80 %"], None),
    ],
)
def test_union_discharge(texts: list[str], value: float | None) -> None:
    assert parse_discharge(texts) == value


@pytest.mark.parametrize(
    ("text", "km"),
    [("j'habite à 1200 km", "1200"), ("35km en fait", "35"), ("12,5 kilomètres", "12,5"),
     ("2 jours de tt", None), ("le 12 mars", None)],
)  # fmt: skip
def test_stated_distance(text: str, km: str | None) -> None:
    assert stated_distance(text) == km


@pytest.mark.parametrize(
    ("text", "days"),
    [("avec 8 jours de tt par semaine et 15 km", "8"), ("2j de tt", "2"), ("1,5 jour", "1,5"),
     ("8 jours par mois", None), ("à 35 km", None)],
)  # fmt: skip
def test_stated_days(text: str, days: str | None) -> None:
    assert stated_days(text) == days
