"""Rules endpoints through the real application: contract shapes, French 422s, never a 500."""

from __future__ import annotations

import string

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from api.main import create_app

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False)


def test_quota_contract_shape(client: TestClient) -> None:
    response = client.get("/api/quota", params={"quotite": 80, "decharge": 0, "medical": "false"})
    assert response.status_code == 200
    body = response.json()
    for key in (
        "quotite_effective",
        "max_days_per_week",
        "max_days_per_month",
        "min_presence_days_per_week",
        "explanation",
        "sources",
    ):
        assert key in body
    assert (body["max_days_per_week"], body["max_days_per_month"]) == (2, 8)
    assert body["min_presence_days_per_week"] == 2
    source = body["sources"][0]
    assert set(source) == {"doc_id", "title", "section", "date", "excerpt", "score"}
    assert source["doc_id"] == "maa-instruction-2019-781"


def test_quota_defaults_to_full_time(client: TestClient) -> None:
    body = client.get("/api/quota").json()
    assert (body["quotite_effective"], body["max_days_per_week"], body["max_days_per_month"]) == (
        100,
        3,
        12,
    )


def test_quota_with_discharge_and_medical(client: TestClient) -> None:
    body = client.get(
        "/api/quota", params={"quotite": 100, "decharge": 20, "medical": "true"}
    ).json()
    assert body["quotite_effective"] == 80
    assert body["max_days_per_week"] == 2
    assert body["medical_derogation"]["max_months"] == 6


def test_quota_with_no_day_left(client: TestClient) -> None:
    body = client.get("/api/quota", params={"quotite": 40}).json()
    assert body["no_telework_left"] is True
    assert body["max_days_per_week"] == 0


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"quotite": 0}, "quotite"),
        ({"quotite": 150}, "quotite"),
        ({"quotite": "abc"}, "quotite"),
        ({"quotite": ""}, "quotite"),
        ({"quotite": 80, "decharge": 90}, "décharge"),
        ({"quotite": 80, "decharge": -1}, "decharge"),
        ({"quotite": 80, "base": "annuelle"}, "base"),
        ({"quotite": 80, "medical": "peut-être"}, "medical"),
    ],
)
def test_quota_bad_input_is_a_french_422(
    client: TestClient, params: dict[str, object], words: str
) -> None:
    response = client.get("/api/quota", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("Requête invalide")
    assert words in detail
    assert "attendu" in detail or "acceptées" in detail or "doit" in detail


@pytest.mark.parametrize(
    ("event", "day", "effective"),
    [
        ("ponctual_change", "2026-05-06", "2026-05-11"),
        ("ponctual_change", "2026-05-13", "2026-05-18"),
        ("calendar_change", "2026-05-06", "2026-05-21"),
        ("end_during_adaptation", "2026-01-31", "2026-02-28"),
        ("end", "2026-12-31", "2027-02-28"),
    ],
)
def test_notice_contract_shape(client: TestClient, event: str, day: str, effective: str) -> None:
    response = client.get("/api/notice", params={"event": event, "date": day})
    assert response.status_code == 200
    body = response.json()
    assert body["event"] == event
    assert body["from"] == day
    assert body["effective_date"] == effective
    assert body["explanation"] and body["sources"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"event": "resignation", "date": "2026-05-04"}, "valeurs acceptées"),
        ({"event": "end", "date": "2026-02-30"}, "AAAA-MM-JJ"),
        ({"event": "end", "date": "31/12/2026"}, "AAAA-MM-JJ"),
        ({"event": "end"}, "date"),
        ({"date": "2026-05-04"}, "event"),
    ],
)
def test_notice_bad_input_is_a_french_422(
    client: TestClient, params: dict[str, str], words: str
) -> None:
    response = client.get("/api/notice", params=params)
    assert response.status_code == 422
    assert words in response.json()["detail"]


def test_period_endpoint(client: TestClient) -> None:
    body = client.get(
        "/api/period", params={"period": "medical_derogation", "start": "2026-01-01"}
    ).json()
    assert body["last_day"] == "2026-06-30"
    assert body["last_day_if_renewed"] == "2026-12-31"


def test_eligibility_endpoint(client: TestClient) -> None:
    answers = {
        "status": "contractuel",
        "contract_months": 24,
        "has_teleworkable_tasks": True,
        "electrical_conformity": "certificat",
        "smoke_detector": True,
        "internet_suitable": True,
        "home_insurance": True,
        "children_during_telework": False,
        "ergonomic_workspace": True,
        "chorus": True,
    }
    response = client.post("/api/eligibility", json=answers)
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "eligible"
    codes = [doc["code"] for doc in body["documents"]]
    assert codes == [
        "annexe_1",
        "annexe_2",
        "certificat_conformite",
        "assurance_habitation",
        "annexe_5",
    ]
    assert all(criterion["sources"] for criterion in body["criteria"])


def test_eligibility_refuses_unknown_fields_without_echoing_them(client: TestClient) -> None:
    response = client.post(
        "/api/eligibility", json={"status": "fonctionnaire", "numero_secu": "1850575"}
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "champ non reconnu" in detail
    assert "1850575" not in detail and "numero_secu" not in detail


def test_impact_endpoint(client: TestClient) -> None:
    response = client.post(
        "/api/impact",
        json={"telework_days_per_week": 2, "distance_km": 20, "mode": "voiture_essence"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["km_avoided_per_year"] > 3000
    assert {a["kind"] for a in body["assumptions"]} >= {"user", "derived", "external"}


@pytest.mark.parametrize(
    "payload",
    [
        {"telework_days_per_week": 2, "distance_km": -5},
        {"telework_days_per_week": 0},
        {"telework_days_per_week": 2, "mode": "fusée"},
        [],
        "texte",
    ],
)
def test_impact_bad_input_is_a_french_422(client: TestClient, payload: object) -> None:
    response = client.post("/api/impact", json=payload)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("Requête invalide")
    assert "-5" not in detail and "fusée" not in detail


def test_malformed_json_is_a_422(client: TestClient) -> None:
    response = client.post(
        "/api/eligibility",
        content=b"{status: fonctionnaire",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422


_text = st.text(alphabet=string.printable + "éàç«»’%€", max_size=30)


@settings(max_examples=150, deadline=None)
@given(quotite=_text, decharge=_text, medical=_text, base=_text)
def test_quota_never_answers_500(
    client: TestClient, quotite: str, decharge: str, medical: str, base: str
) -> None:
    response = client.get(
        "/api/quota",
        params={"quotite": quotite, "decharge": decharge, "medical": medical, "base": base},
    )
    assert response.status_code in (200, 422)


@settings(max_examples=150, deadline=None)
@given(event=_text | st.sampled_from(["end", "ponctual_change"]), day=_text | st.dates().map(str))
def test_notice_never_answers_500(client: TestClient, event: str, day: str) -> None:
    response = client.get("/api/notice", params={"event": event, "date": day})
    assert response.status_code in (200, 422)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers()
    | _text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            ["telework_days_per_week", "distance_km", "mode", "one_way_minutes", "co2_kg_per_km"]
        ),
        json_values,
    )
)
def test_impact_never_answers_500(client: TestClient, fields: dict[str, object]) -> None:
    assert client.post("/api/impact", json=fields).status_code in (200, 422)


@settings(max_examples=150, deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "status",
                "contract_months",
                "non_teleworkable_activities",
                "place",
                "smoke_detector",
                "chorus",
            ]
        ),
        json_values,
    )
)
def test_eligibility_never_answers_500(client: TestClient, fields: dict[str, object]) -> None:
    assert client.post("/api/eligibility", json=fields).status_code in (200, 422)


def test_openapi_documents_the_rules_routes(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/quota", "/api/notice", "/api/period", "/api/eligibility", "/api/impact"):
        assert path in schema["paths"]
    assert "from" in schema["components"]["schemas"]["NoticeResult"]["properties"]
