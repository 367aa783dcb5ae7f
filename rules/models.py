"""Rules as typed data: every value travels with the sentence of the text it comes from.

The YAML files of ``rules/data`` are the only place where the numbers and quotes live. This
module types them and checks them once, when first loaded: an unknown document, a table row
that the rule does not reproduce or a missing event stops the service at start-up instead of
giving an agent a wrong number. It also turns citations into API
:class:`~knowledge.models.Source` records. Reading user input is in :mod:`rules.inputs`,
French formatting in :mod:`rules.formatting`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar, get_args

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from knowledge.models import Source
from rules.inputs import exact

DATA_DIR = Path(__file__).resolve().parent / "data"
logger = logging.getLogger(__name__)
T = TypeVar("T")

NoticeEvent = Literal["ponctual_change", "calendar_change", "end_during_adaptation", "end"]
PeriodKind = Literal["authorisation", "adaptation", "medical_derogation"]
ActivityCode = Literal[
    "accueil_public",
    "presence_physique",
    "donnees_confidentielles",
    "dossiers_papier",
    "logiciels_restreints",
    "encadrement",
    "travail_collegial",
    "laboratoires_soins_animaux",
]
HomeCondition = Literal[
    "electrical_conformity", "smoke_detector", "internet", "insurance", "no_children", "ergonomics"
]
DocumentCondition = Literal["always", "home", "home_certificate", "chorus", "medical"]
TransportModeCode = Literal[
    "moyenne_nationale", "voiture_essence", "voiture_gazole", "transports_en_commun", "velo_marche"
]


class RulesDataError(RuntimeError):
    """The rules data cannot be read or contradicts itself: fix the YAML, not the code."""


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(_Data):
    """Where a rule comes from: the text, its section path and the verbatim sentence."""

    doc_id: str
    section: str
    quote: str = Field(min_length=1)


class Fact(_Data):
    """A statement of the texts that the engine explains without computing with it."""

    note: str = ""
    sources: list[Citation] = Field(min_length=1)


class Rule(Fact, Generic[T]):
    """A value the engine computes with, quoted from the texts."""

    value: T


class DocumentRef(_Data):
    """Title and date of a cited text, used when the corpus has no front matter for it."""

    title: str
    date: str


# --- Quotas ----------------------------------------------------------------------------


class PartTimeRow(_Data):
    """One row of the instruction's part-time table."""

    quotite: int
    worked_days_per_week: float
    max_days_per_week: float
    max_days_per_month: float


class MedicalDerogationRules(_Data):
    """What a medical derogation allows and what it never allows."""

    thresholds: Fact
    new_authorisation: Fact
    ineligible_activities: Fact


class QuotaRules(_Data):
    """Presence on site, full-time ceiling and the part-time table."""

    min_presence_days_per_week: Rule[float]
    full_time_max_days_per_week: Rule[float]
    full_time_days_per_week: Rule[float]
    weeks_per_month: Rule[float]
    part_time_table: Rule[list[PartTimeRow]]
    union_discharge: Fact
    working_time_regimes: Fact
    presence_on_site: Fact
    monthly_base: Fact
    medical_derogation: MedicalDerogationRules

    def worked_days(self, quotite: Fraction) -> Fraction:
        """Count the days worked in a week at this quotité (in percent)."""
        return exact(self.full_time_days_per_week.value) * quotite / 100

    def weekly_ceiling(self, worked_days: Fraction) -> Fraction:
        """Count the telework days left once the minimum presence is kept, capped at full time."""
        left = worked_days - exact(self.min_presence_days_per_week.value)
        return max(Fraction(0), min(exact(self.full_time_max_days_per_week.value), left))

    def monthly_ceiling(self, weekly: Fraction) -> Fraction:
        """Scale the weekly ceiling to a monthly base, as the table counts it."""
        return weekly * exact(self.weeks_per_month.value)

    @model_validator(mode="after")
    def _rule_reproduces_table(self) -> QuotaRules:
        for row in self.part_time_table.value:
            worked = self.worked_days(Fraction(row.quotite))
            weekly = self.weekly_ceiling(worked)
            expected = tuple(
                exact(x)
                for x in (row.worked_days_per_week, row.max_days_per_week, row.max_days_per_month)
            )
            if (worked, weekly, self.monthly_ceiling(weekly)) != expected:
                raise ValueError(f"la ligne {row.quotite} % du tableau ne suit pas la règle")
        return self


# --- Notice periods and durations ------------------------------------------------------


class Delay(_Data):
    """A notice period: an amount of working days, calendar days or calendar months."""

    amount: int = Field(gt=0)
    unit: Literal["working_days", "calendar_days", "months"]


class PeriodSpec(_Data):
    """A maximum duration in calendar months and the renewals the text allows (None: unsaid)."""

    months: int = Field(gt=0)
    renewals: int | None = None


class WorkingDays(_Data):
    """Which days count as jours ouvrés: weekdays and a public-holiday calendar."""

    weekdays: list[int]
    holiday_calendar: str

    @model_validator(mode="after")
    def _known_calendar(self) -> WorkingDays:
        if not self.weekdays or any(day not in range(7) for day in self.weekdays):
            raise ValueError("jours de la semaine attendus entre 0 (lundi) et 6 (dimanche)")
        if self.holiday_calendar not in holidays.list_supported_countries():
            raise ValueError(f"calendrier de jours fériés inconnu : {self.holiday_calendar}")
        return self


class EventRule(Rule[Delay]):
    """A notice period with the French name of the event."""

    label: str


class PeriodRule(Rule[PeriodSpec]):
    """A maximum duration with the French name of the period."""

    label: str


class NoticeRules(_Data):
    """Notice periods per event, maximum durations, and the facts around them."""

    working_days: Rule[WorkingDays]
    events: dict[NoticeEvent, EventRule]
    periods: dict[PeriodKind, PeriodRule]
    immediate_end: Fact
    change_of_post: Fact

    @model_validator(mode="after")
    def _complete(self) -> NoticeRules:
        _require_keys(self.events, NoticeEvent, "événement")
        _require_keys(self.periods, PeriodKind, "durée")
        return self


# --- Eligibility -----------------------------------------------------------------------


class StatusSpec(_Data):
    """Contract length a contractuel needs (strictly more than this many months)."""

    min_contract_months_exclusive: int = Field(gt=0)


class Activity(Fact):
    """A kind of activity the texts exclude from telework, with the nuance they give."""

    label: str
    nuance: str = ""


class HomeConditionRule(Fact):
    """A requirement on the home when telework happens there."""

    requirement: str
    if_not_met: str


class ChorusRules(_Data):
    """Extra form and home-only rule when the agent uses Chorus remotely."""

    form: Fact
    home_only: Fact


class RequiredDocument(Fact):
    """A document to join to the request, and when it is required."""

    code: str
    label: str
    when: DocumentCondition


class EligibilityRules(_Data):
    """The checklist a request is examined against."""

    status: Rule[StatusSpec]
    discretion: Fact
    teleworkable_tasks: Fact
    activity_grouping: Fact
    non_teleworkable_activities: dict[ActivityCode, Activity]
    places: Fact
    home_conditions: dict[HomeCondition, HomeConditionRule]
    chorus: ChorusRules
    medical: Fact
    documents: list[RequiredDocument]

    @model_validator(mode="after")
    def _complete(self) -> EligibilityRules:
        _require_keys(self.non_teleworkable_activities, ActivityCode, "activité")
        _require_keys(self.home_conditions, HomeCondition, "condition du domicile")
        return self


# --- Impact simulator ------------------------------------------------------------------


class Figure(Rule[float]):
    """A national figure quoted from the plan, with its unit."""

    unit: str
    label: str


class ExternalAssumption(_Data):
    """A value the texts do not give: always shown with its origin, always overridable."""

    value: float = Field(ge=0)
    unit: str
    label: str
    origin: str = Field(min_length=1)


class NationalFigures(_Data):
    """Commuting figures of the national plan."""

    active_workers: Figure
    round_trip_km_per_day: Figure
    round_trip_hours_per_day: Figure
    total_km_per_year: Figure
    total_fuel_litres_per_year: Figure
    total_co2_m3_per_year: Figure


class TransportMode(_Data):
    """Fuel and CO2 factors of a transport mode (national average, or external assumptions)."""

    label: str
    national_average: bool = False
    fuel_litres_per_100km: ExternalAssumption | None = None
    co2_kg_per_litre: ExternalAssumption | None = None
    co2_kg_per_km: ExternalAssumption | None = None
    co2_missing: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> TransportMode:
        if self.national_average == (self.fuel_litres_per_100km is not None):
            raise ValueError("un mode suit la moyenne nationale ou donne sa consommation")
        has_co2 = self.co2_kg_per_km is not None or self.co2_kg_per_litre is not None
        if not self.national_average and not has_co2 and not self.co2_missing:
            raise ValueError("un mode sans facteur CO2 doit expliquer pourquoi (co2_missing)")
        return self


class ImpactRules(_Data):
    """National averages and transport modes of the impact simulator."""

    simulator: Fact
    national: NationalFigures
    co2_density_kg_per_m3: ExternalAssumption
    default_mode: TransportModeCode
    modes: dict[TransportModeCode, TransportMode]

    @model_validator(mode="after")
    def _complete(self) -> ImpactRules:
        _require_keys(self.modes, TransportModeCode, "mode de transport")
        return self


# --- The whole book --------------------------------------------------------------------


class RuleBook(_Data):
    """Every rule of the engine, checked as a whole."""

    documents: dict[str, DocumentRef]
    quota: QuotaRules
    notice: NoticeRules
    eligibility: EligibilityRules
    impact: ImpactRules

    def citations(self) -> Iterator[Citation]:
        """Yield every citation of the book, to check them against the texts."""
        yield from _walk_citations(self)

    @model_validator(mode="after")
    def _known_documents(self) -> RuleBook:
        unknown = {c.doc_id for c in self.citations()} - set(self.documents)
        if unknown:
            raise ValueError(f"documents cités sans titre ni date : {sorted(unknown)}")
        return self


def _require_keys(mapping: Mapping[Any, object], kind: Any, what: str) -> None:
    missing = set(get_args(kind)) - set(mapping)
    if missing:
        raise ValueError(f"{what} sans règle : {sorted(missing)}")


def _walk_citations(node: object) -> Iterator[Citation]:
    if isinstance(node, Citation):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _walk_citations(getattr(node, name))
    elif isinstance(node, dict):
        for value in node.values():
            yield from _walk_citations(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_citations(item)


RULE_FILES = ("documents", "quota", "notice", "eligibility", "impact")


@lru_cache(maxsize=4)
def load_rules(data_dir: Path = DATA_DIR) -> RuleBook:
    """Read and check every rules file once (call it at start-up to fail fast).

    Raises:
        RulesDataError: a file is missing, unreadable or contradicts the texts' rules.

    """
    raw: dict[str, object] = {}
    for name in RULE_FILES:
        path = data_dir / f"{name}.yaml"
        try:
            raw[name] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise RulesDataError(f"{path.name} illisible : {error}") from error
    try:
        return RuleBook.model_validate(raw)
    except ValidationError as error:
        raise RulesDataError(f"Règles invalides dans {data_dir} :\n{error}") from error


# --- Citations as API sources ----------------------------------------------------------


@lru_cache(maxsize=32)
def _corpus_meta(doc_id: str) -> tuple[str, str] | None:
    """Read title and date from the corpus front matter, when the cleaned text is there."""
    try:
        from knowledge.corpus import get_document

        meta = get_document(doc_id).meta
    except Exception:  # any corpus problem: the rules data has the title and date too
        logger.warning("Métadonnées de %s lues dans les règles, pas dans le corpus", doc_id)
        return None
    return meta.title, meta.date


def cite(*facts: Fact | Iterable[Fact]) -> list[Source]:
    """Turn the citations of some facts into API sources, in order and without duplicates."""
    book = load_rules()
    flat: list[Fact] = []
    for item in facts:
        flat.extend([item] if isinstance(item, Fact) else item)
    sources = []
    for citation in (c for fact in flat for c in fact.sources):
        fallback = book.documents[citation.doc_id]
        title, date = _corpus_meta(citation.doc_id) or (fallback.title, fallback.date)
        sources.append(
            Source(
                doc_id=citation.doc_id,
                title=title or fallback.title,
                section=citation.section,
                date=date or fallback.date,
                excerpt=citation.quote,
                score=None,
            )
        )
    return unique_sources(sources)


def unique_sources(sources: Iterable[Source]) -> list[Source]:
    """Keep each citation once, in order, even when several parts of a result cite it."""
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for source in sources:
        key = (source.doc_id, source.section, source.excerpt)
        if key not in seen:
            seen.add(key)
            kept.append(source)
    return kept
