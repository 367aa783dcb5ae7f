"""``teletravail quota|notice|period|eligibility|impact``: text and JSON, French errors."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from cli import rules_commands

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    application = typer.Typer()
    rules_commands.register(application)
    return application


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def run_json(runner: CliRunner, app: typer.Typer, *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_registers_the_commands(app: typer.Typer) -> None:
    names = {command.name for command in app.registered_commands}
    assert {"quota", "notice", "eligibility", "impact"} <= names


def test_quota_json_has_the_api_shape(runner: CliRunner, app: typer.Typer) -> None:
    body = run_json(runner, app, "quota", "100", "--decharge", "20")
    assert (body["quotite_effective"], body["max_days_per_week"], body["max_days_per_month"]) == (
        80,
        2,
        8,
    )
    assert body["sources"][0]["doc_id"] == "maa-instruction-2019-781"


def test_quota_text_answers_then_cites(runner: CliRunner, app: typer.Typer) -> None:
    result = runner.invoke(app, ["quota", "80", "--medical"])
    assert result.exit_code == 0
    assert "au plus 2 jours de télétravail par semaine, 8 jours par mois" in result.stdout
    assert "Sources :" in result.stdout
    assert "6 mois au plus" in result.stdout


def test_notice_json_uses_from(runner: CliRunner, app: typer.Typer) -> None:
    body = run_json(runner, app, "notice", "ponctual_change", "2026-05-13")
    assert body["from"] == "2026-05-13"
    assert body["effective_date"] == "2026-05-18"


def test_notice_text(runner: CliRunner, app: typer.Typer) -> None:
    result = runner.invoke(app, ["notice", "end", "2026-12-31"])
    assert result.exit_code == 0
    assert "Date d'effet au plus tôt : dimanche 28 février 2027." in result.stdout


def test_period_json(runner: CliRunner, app: typer.Typer) -> None:
    body = run_json(runner, app, "period", "adaptation", "2026-01-31")
    assert body["last_day"] == "2026-04-30"


def test_eligibility_flags(runner: CliRunner, app: typer.Typer) -> None:
    body = run_json(
        runner,
        app,
        "eligibility",
        "--status",
        "contractuel",
        "--contract-months",
        "18",
        "--teleworkable-tasks",
        "--activity",
        "encadrement",
        "--electrical-conformity",
        "attestation_sur_l_honneur",
        "--smoke-detector",
        "--internet",
        "--home-insurance",
        "--no-children",
        "--ergonomic",
    )
    assert body["verdict"] == "to_discuss"
    assert [c["code"] for c in body["criteria"] if c["status"] != "ok"] == ["activity:encadrement"]


def test_eligibility_text_gives_the_verdict(runner: CliRunner, app: typer.Typer) -> None:
    result = runner.invoke(app, ["eligibility", "--status", "fonctionnaire", "--no-smoke-detector"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Verdict : non éligible.")


def test_impact_json_and_overrides(runner: CliRunner, app: typer.Typer) -> None:
    body = run_json(
        runner,
        app,
        "impact",
        "--telework-days",
        "1",
        "--distance",
        "10",
        "--weeks",
        "40",
        "--mode",
        "voiture_gazole",
    )
    assert body["km_avoided_per_year"] == 800
    assert body["mode"] == "voiture_gazole"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["quota", "abc"], "quotité"),
        (["quota", "0"], "quotité"),
        (["quota", "150"], "quotité"),
        (["quota", "80", "--decharge", "90"], "décharge"),
        (["notice", "resignation", "2026-05-04"], "valeurs acceptées"),
        (["notice", "end", "2026-02-30"], "AAAA-MM-JJ"),
        (["impact", "--telework-days", "2", "--distance", "-4"], "distance"),
        (["eligibility", "--status", "pdg"], "statut"),
    ],
)
def test_bad_input_exits_2_with_a_french_message(
    runner: CliRunner, app: typer.Typer, args: list[str], words: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Erreur" in result.output and words in result.output
    assert "Traceback" not in result.output
