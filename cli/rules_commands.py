"""Rules sub-commands: ``quota``, ``notice``, ``period``, ``eligibility``, ``impact``.

Arguments are read as text and validated by the same request models as the API, so that a
référent gets the same French message on the command line as an agent gets from the web.
Each command prints a short answer, the explanation and the sources, or with ``--json`` the
API's JSON shape.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from knowledge.models import Source
from rules import (
    EligibilityRequest,
    ImpactRequest,
    NoticeRequest,
    PeriodRequest,
    QuotaRequest,
    compute_notice,
    compute_period,
    compute_quota,
    evaluate_eligibility,
    simulate_impact,
)
from rules.formatting import fr_date, fr_days, fr_number

RequestT = TypeVar("RequestT", bound=BaseModel)
JsonOption = Annotated[bool, typer.Option("--json", help="Sortie JSON (même forme que l'API).")]
VERDICTS = {"eligible": "éligible", "not_eligible": "non éligible", "to_discuss": "à examiner"}


def _validate(model: type[RequestT], **fields: Any) -> RequestT:
    """Build a request, or print every French message and stop with status 2."""
    try:
        return model.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "entrée"
            message = str(item["msg"]).removeprefix("Value error, ")
            typer.echo(f"Erreur : « {field} » : {message}.", err=True)
        raise typer.Exit(code=2) from None


def _emit(result: BaseModel, as_json: bool, headline: str) -> None:
    if as_json:
        payload = result.model_dump(mode="json", by_alias=True)
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    typer.echo(headline)
    typer.echo("")
    typer.echo(str(getattr(result, "explanation", "")))
    sources: list[Source] = getattr(result, "sources", [])
    if sources:
        typer.echo("")
        typer.echo("Sources :")
        for source in sources:
            typer.echo(f"  - {source.title} ({source.date}), {source.section} :")
            typer.echo(f"    « {source.excerpt} »")


def quota(
    quotite: Annotated[str, typer.Argument(help="Quotité de travail en % (100 : temps plein).")],
    decharge: Annotated[
        str, typer.Option(help="Décharge syndicale partielle, en points de quotité.")
    ] = "0",
    medical: Annotated[
        bool, typer.Option("--medical", help="Demande pour raison médicale.")
    ] = False,
    base: Annotated[str, typer.Option(help="hebdomadaire ou mensuelle.")] = "hebdomadaire",
    regime: Annotated[
        str | None, typer.Option(help="temps_plein, temps_partiel ou temps_incomplet.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Jours de télétravail possibles par semaine et par mois pour une quotité."""
    request = _validate(
        QuotaRequest, quotite=quotite, decharge=decharge, medical=medical, base=base, regime=regime
    )
    result = compute_quota(request)
    headline = (
        f"Quotité retenue {fr_number(result.quotite_effective)} % : au plus "
        f"{fr_days(result.max_days_per_week)} de télétravail par semaine, "
        f"{fr_days(result.max_days_per_month)} par mois ; présence sur site d'au moins "
        f"{fr_days(result.min_presence_days_per_week)} par semaine."
    )
    _emit(result, as_json, headline)


def notice(
    event: Annotated[
        str,
        typer.Argument(help="ponctual_change, calendar_change, end_during_adaptation ou end."),
    ],
    date: Annotated[
        str | None, typer.Argument(help="Date de notification AAAA-MM-JJ (aujourd'hui sinon).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Date d'effet au plus tôt d'un changement de télétravail notifié à une date."""
    request = _validate(NoticeRequest, event=event, date=date or dt.date.today().isoformat())
    result = compute_notice(request)
    headline = f"Date d'effet au plus tôt : {fr_date(result.effective_date)}."
    _emit(result, as_json, headline)


def period(
    kind: Annotated[str, typer.Argument(help="authorisation, adaptation ou medical_derogation.")],
    start: Annotated[
        str | None, typer.Argument(help="Premier jour AAAA-MM-JJ (aujourd'hui sinon).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Dernier jour couvert par une autorisation, une adaptation ou une dérogation médicale."""
    request = _validate(PeriodRequest, period=kind, start=start or dt.date.today().isoformat())
    result = compute_period(request)
    _emit(result, as_json, f"Jusqu'au {fr_date(result.last_day)} inclus au plus.")


def eligibility(
    status: Annotated[str, typer.Option(help="fonctionnaire ou contractuel.")],
    contract_months: Annotated[str | None, typer.Option(help="Durée du contrat en mois.")] = None,
    permanent_contract: Annotated[
        bool, typer.Option("--permanent-contract", help="Contrat à durée indéterminée.")
    ] = False,
    teleworkable_tasks: Annotated[
        bool | None, typer.Option(help="Tâches télétravaillables en quantité suffisante.")
    ] = None,
    activity: Annotated[
        list[str] | None,
        typer.Option(help="Activité non télétravaillable exercée (répétable), ex. encadrement."),
    ] = None,
    place: Annotated[str, typer.Option(help="domicile ou tiers_lieu.")] = "domicile",
    electrical_conformity: Annotated[
        str | None, typer.Option(help="certificat, attestation_sur_l_honneur ou non.")
    ] = None,
    smoke_detector: Annotated[bool | None, typer.Option(help="Détecteur de fumée.")] = None,
    internet: Annotated[bool | None, typer.Option(help="Connexion Internet adaptée.")] = None,
    home_insurance: Annotated[
        bool | None, typer.Option(help="Assurance habitation couvrant le télétravail.")
    ] = None,
    children: Annotated[
        bool | None, typer.Option(help="Enfants à garder pendant le télétravail.")
    ] = None,
    ergonomic: Annotated[bool | None, typer.Option(help="Poste de travail ergonomique.")] = None,
    chorus: Annotated[bool, typer.Option("--chorus", help="Utilisation de Chorus.")] = False,
    medical: Annotated[bool, typer.Option("--medical", help="Raison médicale.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Pré-examen d'éligibilité au télétravail, chaque point cité, avec les pièces à joindre."""
    request = _validate(
        EligibilityRequest,
        status=status,
        contract_months=contract_months,
        permanent_contract=permanent_contract,
        has_teleworkable_tasks=teleworkable_tasks,
        non_teleworkable_activities=activity or [],
        place=place,
        electrical_conformity=electrical_conformity,
        smoke_detector=smoke_detector,
        internet_suitable=internet,
        home_insurance=home_insurance,
        children_during_telework=children,
        ergonomic_workspace=ergonomic,
        chorus=chorus,
        medical=medical,
    )
    result = evaluate_eligibility(request)
    _emit(result, as_json, f"Verdict : {VERDICTS[result.verdict]}.")


def impact(
    telework_days: Annotated[str, typer.Option(help="Jours de télétravail par semaine.")],
    distance: Annotated[str | None, typer.Option(help="Distance aller simple en km.")] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            help="moyenne_nationale, voiture_essence, voiture_gazole, transports_en_commun "
            "ou velo_marche."
        ),
    ] = None,
    minutes: Annotated[str | None, typer.Option(help="Trajet aller simple en minutes.")] = None,
    weeks: Annotated[str | None, typer.Option(help="Semaines de trajets par an.")] = None,
    fuel: Annotated[str | None, typer.Option(help="Consommation en L/100 km.")] = None,
    co2_per_litre: Annotated[str | None, typer.Option(help="kg de CO2 par litre.")] = None,
    co2_per_km: Annotated[str | None, typer.Option(help="kg de CO2 par km.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Heures, km, carburant et CO2 évités par an ; chaque hypothèse affichée et modifiable."""
    request = _validate(
        ImpactRequest,
        telework_days_per_week=telework_days,
        distance_km=distance,
        mode=mode,
        one_way_minutes=minutes,
        weeks_per_year=weeks,
        fuel_litres_per_100km=fuel,
        co2_kg_per_litre=co2_per_litre,
        co2_kg_per_km=co2_per_km,
    )
    result = simulate_impact(request)
    co2 = result.co2_kg_avoided_per_year
    headline = (
        f"Par an : {fr_number(result.hours_saved_per_year, 0)} h et "
        f"{fr_number(result.km_avoided_per_year, 0)} km de trajet évités"
        + (f", {fr_number(co2, 0)} kg de CO2." if co2 is not None else ".")
    )
    _emit(result, as_json, headline)


COMMANDS: dict[str, Callable[..., None]] = {
    "quota": quota,
    "notice": notice,
    "period": period,
    "eligibility": eligibility,
    "impact": impact,
}


def register(app: typer.Typer) -> None:
    """Attach the rules commands to the ``teletravail`` application."""
    for name, command in COMMANDS.items():
        app.command(name)(command)
