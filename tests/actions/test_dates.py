"""The one date reader: the date wherever it stands, never from a fragment, two dates asked.

Issue 12: « …quand est-ce que ça prend effet si je préviens le 15 mars 2027 ? » was read as
« dimanche 5 décembre 2027 » (today's day and month, the sentence's year) and a wrong
effective date was stated with confidence. Today is fixed: samedi 5 décembre 2026.
"""

from __future__ import annotations

import datetime as dt

import pytest

from actions import dates
from actions.dates import DateReading, read, read_date
from actions.parsing import parse_date

pytestmark = pytest.mark.unit
TODAY = dt.date(2026, 12, 5)  # a Saturday
D = dt.date


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # The formats people write.
        ("le 15 mars 2027", D(2027, 3, 15)),
        ("15 mars 2027", D(2027, 3, 15)),
        ("15/03/2027", D(2027, 3, 15)),
        ("15/3/2027", D(2027, 3, 15)),
        ("15-03-27", D(2027, 3, 15)),
        ("15.03.2027", D(2027, 3, 15)),
        ("2027-03-15", D(2027, 3, 15)),
        ("15/03", D(2027, 3, 15)),
        ("je préviens le 15/03 pour arrêter", D(2027, 3, 15)),
        ("le 15/03/2027 jour de la notification", D(2027, 3, 15)),
        ("à partir du 15/03/2027, je préviens quand ?", D(2027, 3, 15)),
        ("2027-03-15, c'est bon ?", D(2027, 3, 15)),
        ("15 mars", D(2027, 3, 15)),  # the next one to come
        ("le 15 mars prochain", D(2027, 3, 15)),
        ("le 1er avril", D(2027, 4, 1)),
        ("le premier avril", D(2027, 4, 1)),
        ("1 er avril 2027", D(2027, 4, 1)),
        ("le 1er janv. 2027", D(2027, 1, 1)),
        ("le 10 déc.", D(2026, 12, 10)),
        ("le 4 mai 1970", D(1970, 5, 4)),  # a past year is read (the rules say if it is allowed)
        ("le 20 décembre", D(2026, 12, 20)),  # later this month
        ("le 1er décembre", D(2027, 12, 1)),  # already past this year: next year's
        ("lundi 15 mars 2027", D(2027, 3, 15)),  # the weekday agrees with the date
        # Relative days.
        ("aujourd'hui", TODAY),
        ("aujourd’hui", TODAY),
        ("aujourdhui", TODAY),
        ("si j envoie ma demande aujd ca s applique qd ?", TODAY),  # as typed in a chat
        ("demain", D(2026, 12, 6)),
        ("Demain !", D(2026, 12, 6)),
        ("après-demain", D(2026, 12, 7)),
        ("apres demain", D(2026, 12, 7)),
        ("hier", D(2026, 12, 4)),
        ("avant-hier", D(2026, 12, 3)),
        ("dans 3 jours", D(2026, 12, 8)),
        ("dans trois jours", D(2026, 12, 8)),
        ("d'ici deux semaines", D(2026, 12, 19)),
        ("et si je l'envoie ds 10 jours ?", D(2026, 12, 15)),
        ("dans un mois", D(2027, 1, 5)),
        # Weekdays said as a day: the next one after today.
        ("lundi", D(2026, 12, 7)),
        ("lundi prochain", D(2026, 12, 7)),
        ("mardi prochain", D(2026, 12, 8)),
        ("mardi", D(2026, 12, 8)),
        ("ce jeudi", D(2026, 12, 10)),
        ("samedi", D(2026, 12, 12)),  # today is Saturday: « samedi » is the next one
        ("vendredi qui vient", D(2026, 12, 11)),
        ("le mardi prochain", D(2026, 12, 8)),
        ("lundi en huit", D(2026, 12, 14)),
        ("lundi dernier", D(2026, 11, 30)),
        ("vendredi passé", D(2026, 12, 4)),
        ("mardi 15", D(2026, 12, 15)),  # the coming 15th is a Tuesday
        ("le jeudi 10", D(2026, 12, 10)),
        ("lundi matin", D(2026, 12, 7)),
    ],
)
def test_the_formats_people_write(text: str, day: dt.date) -> None:
    reading = read(text, TODAY)
    assert reading.date == day, reading
    assert reading.ambiguous == ()


@pytest.mark.parametrize(
    "text",
    [
        # The observed failure: the date at the end of a long question.
        "Bonjour, je voudrais savoir quand est-ce que ça prend effet si je préviens le 15 mars "
        "2027 ?",
        # At the start, in the middle, at the end.
        "Le 15 mars 2027, je préviens mon chef que j'arrête le télétravail.",
        "Si je préviens mon chef le 15/03/2027 de l'arrêt, quand est-ce effectif ?",
        "J'arrête le télétravail, je préviens mon responsable le 15-03-27",
        "je compte prévenir ma hiérarchie du changement de mes jours le lundi 15 mars 2027 "
        "au matin, c'est bon ?",
        "Pour un changement durable de calendrier notifié 15 mars 2027, la date d'effet ?",
        "j'ai 2 enfants et je préviens le 15 mars 2027",  # a count is not a date
        "à 80 %, je préviens le 15 mars 2027 pour changer mes 2 jours",
    ],
)
def test_a_date_wherever_it_stands_in_a_long_sentence(text: str) -> None:
    assert read_date(text, TODAY) == D(2027, 3, 15)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("je veux changer un jour de télétravail ponctuellement demain", D(2026, 12, 6)),
        ("je préviens mon chef lundi prochain pour arrêter", D(2026, 12, 7)),
        ("si je le dis à mon chef mardi prochain, ça prend effet quand ?", D(2026, 12, 8)),
        ("j'ai prévenu avant-hier, c'est bon pour lundi en huit ?", None),  # two dates
        ("je l'ai dit à mon chef aujourd'hui", TODAY),
        ("dans 3 jours je préviens", D(2026, 12, 8)),
    ],
)
def test_relative_dates_in_sentences(text: str, day: dt.date | None) -> None:
    assert read_date(text, TODAY) == day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("le 15 mrs 2027", D(2027, 3, 15)),
        ("le 15 mras 2027", D(2027, 3, 15)),
        ("le 3 setpembre", D(2027, 9, 3)),
        ("le 3 septmbre 2027", D(2027, 9, 3)),
        ("le 12 janvir", D(2027, 1, 12)),
        ("le 2 févirer 2027", D(2027, 2, 2)),
        ("le 15 MARS 2027", D(2027, 3, 15)),
        ("mardi prochian", D(2026, 12, 8)),
        ("mecredi prochain", D(2026, 12, 9)),
        ("demian", D(2026, 12, 6)),
        ("vendredi prochainn", D(2026, 12, 11)),
    ],
)
def test_common_typos(text: str, day: dt.date) -> None:
    assert read_date(text, TODAY) == day


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "je veux changer mes jours",
        "quand est-ce que ça prend effet ?",
        "je",  # dateparser reads « je » as « jeudi »
        "2027",  # a lone year: dateparser gives today's day and month in 2027
        "en 2027",
        "je suis né en 1985",
        "le 15",  # a day without its month
        "le 1er",
        "mars 2027",  # a month is not a day (only with ``vague``)
        "fin mars",
        "le mois prochain",
        "la semaine prochaine",
        "le mardi et le jeudi",  # days of telework, not a start date
        "le mardi",
        "les lundis",
        "chaque vendredi",
        "tous les mercredis",
        "mon mari travaille aussi",
        "mais demandez à votre domaine",
        "31/02/2027",  # does not exist
        "30 février",
        "03/15/2027",  # not read month first
        "15/13/2027",
        "je travaille 2-3 jours par semaine",
        "1,5 jour",
        "une 1/2 journée",
        "3/4 d'heure",
        "1.5",
        "de 9 h 30 à 12 h",
        "12 km",
        "90 %",
    ],
)
def test_no_date_is_none(text: str) -> None:
    reading = read(text, TODAY)
    assert reading == DateReading(None, (), "")


def test_short_numeric_dates_can_be_turned_off_where_a_fraction_is_a_quotite() -> None:
    assert read_date("à 4/5", TODAY) == D(2027, 5, 4)
    assert read_date("à 4/5", TODAY, short_numeric=False) is None
    assert read_date("le 04/05/2027", TODAY, short_numeric=False) == D(2027, 5, 4)


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("le 15 mars ou le 20 mars ?", (D(2027, 3, 15), D(2027, 3, 20))),
        ("du 15/03/2027 au 20/03/2027", (D(2027, 3, 15), D(2027, 3, 20))),
        ("demain ou après-demain", (D(2026, 12, 6), D(2026, 12, 7))),
        ("mardi et jeudi", (D(2026, 12, 8), D(2026, 12, 10))),
        ("j'ai prévenu hier pour le 1er janvier 2027", (D(2026, 12, 4), D(2027, 1, 1))),
        # A weekday that contradicts the date: the date or the nearest such weekday.
        ("mardi 15 mars 2027", (D(2027, 3, 15), D(2027, 3, 16))),
        ("jeudi 15/03/2027", (D(2027, 3, 15), D(2027, 3, 18))),
        # « mardi 16 »: the coming 16th is a Wednesday.
        ("mardi 16", (D(2026, 12, 8), D(2026, 12, 16))),
    ],
)
def test_two_different_dates_are_ambiguous(text: str, dates: tuple[dt.date, ...]) -> None:
    reading = read(text, TODAY)
    assert reading.date is None
    assert reading.ambiguous == dates
    assert read_date(text, TODAY) is None


def test_weekdays_beside_a_date_are_the_days_of_telework_moved() -> None:
    text = "le 3 fevrier je change mes jours de tt pour de bon (lundi -> jeudi)"
    assert read_date(text, TODAY) == D(2027, 2, 3)
    assert read_date("le 3 février, jeudi au lieu de lundi", TODAY) == D(2027, 2, 3)
    # One weekday beside the date may be the day of notice: asked, not chosen.
    assert read("je préviens lundi pour le 3 février", TODAY).ambiguous == (
        D(2026, 12, 7),
        D(2027, 2, 3),
    )


def test_the_same_date_said_twice_is_one_date() -> None:
    reading = read("demain, le 6 décembre", TODAY)
    assert reading.date == D(2026, 12, 6) and reading.ambiguous == ()
    assert reading.text == "demain ; 6 decembre"


def test_the_reading_says_what_it_read() -> None:
    reading = read("si je préviens le 15 mars 2027 ?", TODAY)
    assert reading == DateReading(D(2027, 3, 15), (), "15 mars 2027")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("mars 2027", D(2027, 3, 1)),
        ("en septembre", D(2027, 9, 1)),
        ("début avril", D(2027, 4, 1)),
        ("mi-mars 2027", D(2027, 3, 15)),
        ("fin février 2028", D(2028, 2, 29)),
        ("le mois prochain", D(2027, 1, 1)),
        ("la semaine prochaine", D(2026, 12, 12)),
        ("le 15 mars 2027", D(2027, 3, 15)),
    ],
)
def test_months_and_weeks_only_when_vague_dates_are_enough(text: str, day: dt.date) -> None:
    assert read_date(text, TODAY, vague=True) == day


def test_weekdays_can_be_turned_off_for_a_start_of_telework() -> None:
    assert read_date("mardi prochain", TODAY, weekdays=False) is None
    assert read_date("mardi et jeudi à partir du 1er mars 2027", TODAY, weekdays=False) == D(
        2027, 3, 1
    )


def test_today_defaults_to_the_machine_date() -> None:
    assert read_date("demain") == dt.date.today() + dt.timedelta(days=1)


@pytest.mark.parametrize("value", [None, 42, 3.5, ["15 mars"]])
def test_only_text_holds_a_date(value: object) -> None:
    assert read(value, TODAY) == DateReading(None)


def test_the_parsing_helper_is_the_same_reader() -> None:
    text = "quand est-ce que ça prend effet si je préviens le 15 mars 2027 ?"
    assert parse_date(text, TODAY) == D(2027, 3, 15)
    assert parse_date("le 15 mars ou le 20 mars", TODAY) is None


def test_relative_dates_count_from_the_reference_date_when_one_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from actions.settings import get_action_settings

    get_action_settings.cache_clear()
    monkeypatch.setenv("TELETRAVAIL_REFERENCE_DATE", "2026-12-05")
    try:
        assert read_date("je previens demain") == dt.date(2026, 12, 6)
        monkeypatch.delenv("TELETRAVAIL_REFERENCE_DATE")
        get_action_settings.cache_clear()
        tomorrow = dt.date.today() + dt.timedelta(days=1)
        assert read_date("je previens demain") == tomorrow
    finally:
        get_action_settings.cache_clear()


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("jveux arrêter début février, jsuis plus en période d'adaptation", "début février"),
        ("courant avril", "courant avril"),
        ("vers mi-janvier", "mi-janvier"),
        ("le 3 février", None),
        ("fin mars ou le 2 avril", None),
        ("à la fin de la période d'adaptation", None),
    ],
)
def test_a_month_named_without_its_day_is_found(text: str, vague: str | None) -> None:
    assert dates.vague_date(text) == vague
