"""Answer first, compute on request: the routing decision on its own, without Rasa."""

from __future__ import annotations

import pytest

from actions.routing import (
    SECTION_COMPUTATIONS,
    Route,
    asks_about_referents,
    asks_for_guide,
    computation_of_passage,
    follow_up_events,
    is_explicit_request,
    mentions_date,
    names_a_change,
    notice_events,
    requested_document,
    requested_topic,
    route,
    situation_of,
    unsure_route,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    [
        "calcule mes jours de télétravail",
        "Calculer le nombre de jours auxquels j'ai droit",
        "ok alors simule mes économies de trajet",
        "je veux vérifier mon éligibilité",
        "Pourriez-vous estimer les économies liées à mon télétravail ?",
        "est-ce que tu peux calculer mes jours ?",
        "lance le simulateur",
        "simulation de mes gains de temps",
        "j'aimerais chiffrer ce que le télétravail m'apporte",
        "je voudrais savoir si je suis éligible au télétravail",
        "est ce que jsuis éligible au tt ? fais le test",  # the order opens its own clause
        "ouais calcule moi le delai si c moi qui arrete",
    ],
)
def test_requests_for_ones_own_computation(text: str) -> None:
    assert is_explicit_request(text)


def test_a_request_for_the_delay_names_the_notice() -> None:
    assert requested_topic("ouais calcule moi le delai si c moi qui arrete") == "notice"


@pytest.mark.parametrize(
    "text",
    [
        "combien de jours de télétravail en général ?",
        "mon autorisation vaut jusqu'à quand ?",
        "à quoi sert le simulateur du plan national ?",
        "comment le simulateur calcule-t-il les économies ?",
        "quels chiffres donne le plan national sur les trajets évités ?",
        "je peux faire combien de jours de tt ?",
        "combien j'économise avec le télétravail ?",
        "comment est calculé mon nombre de jours ?",
        "simulateur d'impact du télétravail",
        "qui est éligible au télétravail ?",
        "j'ai une décharge syndicale, comment on calcule mes jours dans ce cas",
        "je voudrais savoir comment se calcule mon nombre de jours",
        "",
    ],
)
def test_questions_about_a_calculator_or_a_figure_are_not_requests(text: str) -> None:
    assert not is_explicit_request(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("guide du manager pour le télétravail", True),
        ("je suis manager, aide-moi à instruire les demandes de mon équipe", True),
        ("on fait le quiz ?", True),
        ("tu as un guide pour les managers ?", True),
        ("montre moi le guide", True),
        ("agent en prefecture, y a un guide pr le tt au MI ? ou on le trouve", False),
        ("un agent et son manager peuvent-ils fixer les jours ensemble ?", False),
        ("je dois refuser le tt à un agent, comment je motive ma décision ?", False),
    ],
)
def test_the_guide_starts_only_when_asked_for(text: str, expected: bool) -> None:
    assert asks_for_guide(text) is expected


@pytest.mark.parametrize(
    ("intent", "text", "entities", "expected"),
    [
        # A question is answered and its calculator offered.
        ("ask_quota", "combien de jours de tt au maximum ?", (), Route("quota")),
        ("simulate_impact", "le simulateur du plan, c'est quoi ?", (), Route("impact")),
        ("ask_manager_guide", "un agent et son chef, qui décide ?", (), Route("manager_guide")),
        ("ask_changes", "je veux arrêter, quel délai ?", ("notice_event",), Route("notice")),
        ("ask_eligibility", "les contractuels y ont droit ?", ("status",), Route("eligibility")),
        # A request for one's own computation, or its parameters, starts it.
        ("ask_quota", "calcule mes jours", (), Route("quota", start=True)),
        ("ask_quota", "à 80 %, combien de jours ?", ("quotite",), Route("quota", start=True)),
        ("ask_quota", "3 jours c'est possible ?", ("telework_days",), Route("quota")),
        ("simulate_impact", "j'habite à 30 km", ("distance_km",), Route("impact", start=True)),
        (
            "simulate_impact",
            "j'habite à 200 km, si mon chef me rappelle un jour de tt le billet est remboursé ?",
            ("distance_km",),
            Route("impact"),
        ),
        (
            "ask_changes",
            "j'arrête le 30/06/2027, c'est effectif quand ?",
            ("notice_event", "date"),
            Route("notice", start=True),
        ),
        ("ask_manager_guide", "mode manager", (), Route("manager_guide", start=True)),
        # A topic button asks the topic's question; its entities may carry the parameters.
        ("ask_quota", "/ask_quota", (), Route("quota")),
        (
            "ask_changes",
            '/ask_changes{"notice_event": "end", "date": "15/01/2027"}',
            ("notice_event", "date"),
            Route("notice", start=True),
        ),
        # Topics without a calculator, out of scope and unsure NLU: the texts only.
        ("ask_equipment", "calcule le prix de mon écran", (), Route(None)),
        ("out_of_scope", "quel temps fera-t-il demain ?", (), Route(None)),
        # A request naming its calculator starts it, whatever the intent the NLU chose.
        ("nlu_fallback", "simule mes économies", (), Route("impact", start=True)),
        ("out_of_scope", "calcule ma date d'effet", (), Route("notice", start=True)),
        ("ask_quota", "calculer la date d'effet", (), Route("notice", start=True)),
    ],
)
def test_route(intent: str, text: str, entities: tuple[str, ...], expected: Route) -> None:
    assert route(intent, text, entities) == expected


@pytest.mark.parametrize(
    ("text", "events"),
    [
        ("je veux arrêter le télétravail", ("end", "end_during_adaptation")),
        ("arrêter le tt pendant la période d'adaptation", ("end_during_adaptation",)),
        (
            "je ne suis plus en période d'adaptation, je veux arrêter le tt",
            ("end", "end_during_adaptation"),
        ),
        ("changer mon jour de tt demain", ("ponctual_change",)),
        ("changer mes jours de télétravail durablement", ("calendar_change",)),
        ("si je change de poste mon tt continue ?", ()),
        ("si je change de poste en interne je garde mes jours de teletravail ?", ()),
        (
            "je change de service et je veux modifier mes jours de tt définitivement",
            ("calendar_change",),
        ),
        ("quel matériel pour le télétravail ?", ()),
        # « l'arrêté » is the decree; « je l'arrête » still stops.
        ("l'arrêté du ministère sur le tt prévoit combien de jours ?", ()),
        ("un arrêté encadre-t-il le télétravail ?", ()),
        ("le tt je l'arrête quand je veux ?", ("end", "end_during_adaptation")),
        ("l'arrêt de mon télétravail, quel délai ?", ("end", "end_during_adaptation")),
        # A sick leave is no end of telework, even as « pendant mon arrêt ».
        ("en arrêt maladie, je peux télétravailler pendant mon arrêt ?", ()),
        ("mon arrêt de travail finit lundi, je reprends le tt ?", ()),
        ("je suis en arrêt maladie et je veux arrêter le tt", ("end", "end_during_adaptation")),
        # The end or the change of something else: « fin de congé », « changer de sécu ».
        ("fin de congé parental, je peux faire du tt en gardant ma fille ?", ()),
        ("mal au dos en fin de journée de tt, quelle hauteur d'écran ?", ()),
        ("la participation à ma mutuelle change si je passe en télétravail ?", ()),
        ("changer pour de bon mon jour de tt, je préviens quand ?", ("calendar_change",)),
        ("frontalier, combien de jours de tt sans changer de sécu ?", ()),
        ("fin de congé parental, je veux arrêter le tt", ("end", "end_during_adaptation")),
        ("fin du télétravail, quel délai ?", ("end", "end_during_adaptation")),
        # A day moved to another, without a word of change.
        ("passer mon jour de tt du mercredi au vendredi pr de bon ?", ("calendar_change",)),
        ("je travaille du lundi au vendredi, cb de jours de tt ?", ()),
    ],
)
def test_notice_events_of_a_question(text: str, events: tuple[str, ...]) -> None:
    assert notice_events(text) == events


@pytest.mark.parametrize(
    ("text", "previous", "event"),
    [
        ("et si je préviens le 14 janvier 2027 ?", "calendar_change", "calendar_change"),
        (
            "bon en fait j'arrête carrement le tt, je préviens le 1er février",
            "calendar_change",
            "end",
        ),
        ("ah mais je suis encore en période d'adaptation", "end", "end_during_adaptation"),
        (
            "je ne suis plus en période d'adaptation, je préviens lundi",
            "end_during_adaptation",
            "end",
        ),
        (
            "et si c'est un changement définitif de mes jours ?",
            "ponctual_change",
            "calendar_change",
        ),
        ("je préviens lundi", "end", "end"),
        # « dedans »: the adaptation period just named.
        ("ok jsuis encore dedans, jveux arreter le 8 fevrier", "end", "end_during_adaptation"),
        ("et si elle etait deja finie ?", "end_during_adaptation", "end"),
    ],
)
def test_the_situation_of_a_follow_up(text: str, previous: str, event: str) -> None:
    assert situation_of(text, previous) == event


def test_a_conversation_on_the_adaptation_period_is_about_telework() -> None:
    conversation = (
        "on me propose une période d'adaptation, elle dure combien ? si ça se passe mal je"
        " peux tout arrêter ? je voudrais que ça s'arrête au 18/01/27, j'envoie avant qd ?"
    )
    assert notice_events(conversation, adaptation_is_telework=True) == ("end_during_adaptation",)
    # One question on the period asks its length, not how to end telework.
    question = "la période d'adaptation se termine quand ?"
    assert notice_events(question) == ()
    assert names_a_change("je voudrais que ça s'arrête au 18/01/27")
    assert not names_a_change("j'envoie ma lettre avant quand ?")


def test_a_follow_up_names_the_change_and_its_context_the_topic() -> None:
    context = "c'est quoi la période d'adaptation en tt ? et si je veux arrêter pendant ?"
    assert follow_up_events("et si je veux arrêter pendant ?", context) == (
        "end_during_adaptation",
    )
    assert (
        follow_up_events("et pour le matériel ?", "je veux arrêter le tt et pour le matériel ?")
        == ()
    )
    assert follow_up_events("et si je veux arrêter pendant ?", None) == ()


MAA, PLAN = "maa-instruction-2019-781", "pndtt-plan-national"


@pytest.mark.parametrize(
    ("doc_id", "section", "excerpt", "expected"),
    [
        (MAA, "I – Le télétravail c'est quoi ? › 2 – La quotité de télétravail", "…", "quota"),
        (MAA, "II – Les critères d'éligibilité › 2 – La nature des tâches", "…", "eligibility"),
        (
            MAA,
            "IV – L'organisation › 2 – La modification ou le report ponctuel des jours",
            "…",
            "notice",
        ),
        (MAA, "III – La procédure de demande › 4 – La période d'adaptation", "…", "notice"),
        (PLAN, "Mesure n°3 › Action n°20 – Créer un simulateur d'impacts", "…", "impact"),
        (PLAN, "Introduction", "moins d'émissions de CO2 liées aux trajets", "impact"),
        (PLAN, "Introduction", "Le télétravail est une forme d'organisation", None),
        (MAA, "IV – L'organisation › 6 – Frais inhérents", "émissions de CO2", None),
        ("mi-circulaire-2021-02-02", "1 – Conditions de recours au télétravail", "…", None),
    ],
)
def test_a_cited_passage_leads_to_its_sections_calculator(
    doc_id: str, section: str, excerpt: str, expected: str | None
) -> None:
    assert computation_of_passage(doc_id, section, excerpt) == expected


@pytest.mark.integration
def test_every_section_pattern_names_a_section_of_the_texts(engine: object) -> None:
    from knowledge.answer import AnswerEngine

    assert isinstance(engine, AnswerEngine)
    chunks = engine.retriever.index.chunks
    for computation, doc_id, section, passage in SECTION_COMPUTATIONS:
        found = [
            c for c in chunks if computation_of_passage(c.doc_id, c.section, c.text) == computation
        ]
        assert any(c.doc_id == doc_id for c in found), (computation, section, passage)


@pytest.mark.parametrize(
    ("candidates", "text", "entities", "expected"),
    [
        # The likeliest intent is followed when it would start its calculator anyway.
        (["ask_manager_guide", "out_of_scope"], "montre moi le guide manager", (), "manager_guide"),
        (["ask_quota"], "calcule mes jours de tt à 4/5e", ("quotite",), "quota"),
        # A calculator's words and its parameter, whatever the NLU's guesses.
        (["greet", "quiz_answer"], "jsuis a 4/5eme, cb de jrs de tt ?", ("quotite",), "quota"),
        (
            ["inform", "simulate_impact"],
            "simule pour 2 jours de tt, j'habite a 1200 km du bureau",
            ("telework_days", "distance_km"),
            "impact",
        ),
        # Nothing strong enough: the texts answer.
        (["ask_manager_guide"], "un manager peut-il refuser ?", (), None),
        (["greet"], "jsuis a 4/5eme", ("quotite",), None),
        (["ask_quota"], "combien de jours de tt ?", (), None),
        ([], "montre moi le guide manager", (), None),
        # An entity alone is weak evidence when the NLU is unsure.
        (["ask_quota"], "la DRH du MI fait la synthèse quel jour ?", ("quotite",), None),
        (["ask_quota"], "mon navigo est remboursé à 50 % ?", ("quotite",), None),
        (["ask_manager_guide"], "/ask_manager_guide", (), None),
    ],
)
def test_an_unsure_message_starts_a_calculator_only_on_strong_evidence(
    candidates: list[str], text: str, entities: tuple[str, ...], expected: str | None
) -> None:
    decided = unsure_route(candidates, text, entities)
    assert decided.computation == expected
    assert decided.start is (expected is not None)


@pytest.mark.parametrize(
    ("text", "document"),
    [
        ("aide moi a faire ma demande de tt, je suis a 80% et je veux le lundi", "request_draft"),
        ("tu peux me preparer l'acte individuel ?", "request_decision"),
        ("je voudrais remplir le formulaire de demande", "request_draft"),
        ("comment faire ma demande ?", None),
        ("l'acte individuel contient quoi ?", None),
        ("tu peux m'expliquer le délai de prévenance ?", None),
    ],
)
def test_a_document_requested_by_name(text: str, document: str | None) -> None:
    assert requested_document(text) == document


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("y a un referent tt par region ? il organise des rencontres ?", True),
        ("quel est le rôle du référent télétravail ?", True),
        ("je veux parler à un référent", False),
        ("comment contacter le référent ?", False),
        ("je peux poser ma question à un référent ?", False),
        ("référent ?", False),
        ("à qui je m'adresse pour ma question ?", False),  # a person, not the référents
        ("à quel référent je m'adresse ?", False),
    ],
)
def test_a_question_about_the_referents_is_not_a_request_to_reach_one(
    text: str, about: bool
) -> None:
    assert asks_about_referents(text) is about


@pytest.mark.parametrize(
    ("text", "dated"),
    [
        ("dans 15 jours", True),
        ("d'ici 3 semaines", True),
        ("et si je l'envoie ds 10 jours ?", True),
        ("si j'envoie ma demande aujd ?", True),
        ("j'ai 15 jours de congés", False),
    ],
)
def test_relative_dates_are_dates(text: str, dated: bool) -> None:
    assert mentions_date(text) is dated
