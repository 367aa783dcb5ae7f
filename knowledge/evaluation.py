"""Measure retrieval and answers on the development and the held-out question sets.

The development set is the one everything is tuned on; the held-out set, written before the
last round of tuning and never used to choose anything, tells whether the gains generalise.

Prints, in one run and side by side, hit@1, hit@3, MRR and fact accuracy for BM25 alone,
dense alone and hybrid, the abstention precision/recall and the latency. The abstention
threshold is calibrated here too: the grid shows, for each threshold, how many unanswerable
questions are refused and how many answerable ones are wrongly refused.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.analysis import fold
from knowledge.answer import DENSE_WEIGHT, AnswerEngine
from knowledge.chunking import Chunk
from knowledge.retrieval import METHODS, Method

EVAL_DIR = Path(__file__).resolve().parent / "eval"
DEV_SET = EVAL_DIR / "dev_questions.yaml"
# Written before any tuning and never used to tune: it tells whether gains generalise.
HOLDOUT_SET = EVAL_DIR / "holdout_questions.yaml"
QUESTION_SETS: dict[str, Path] = {"dev": DEV_SET, "holdout": HOLDOUT_SET}


@dataclass(frozen=True)
class EvalQuestion:
    """One question of the set, with what a correct answer must cite and contain."""

    id: str
    question: str
    answerable: bool
    doc_id: str = ""
    sections: tuple[str, ...] = ()
    fact: str = ""

    def matches(self, chunk: Chunk) -> bool:
        """Whether a passage is one the question expects."""
        if chunk.doc_id != self.doc_id:
            return False
        section = fold(chunk.section)
        return not self.sections or any(fold(s) in section for s in self.sections)

    def fact_found(self, text: str) -> bool:
        """Whether the answer text holds the expected fact."""
        return re.search(fold(self.fact), fold(text)) is not None


def load_questions(path: Path = DEV_SET) -> list[EvalQuestion]:
    """Read the YAML question set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = []
    for item in data["questions"]:
        section = item.get("section", "")
        sections = tuple(section) if isinstance(section, list) else ((section,) if section else ())
        questions.append(
            EvalQuestion(
                id=str(item["id"]),
                question=str(item["question"]),
                answerable=bool(item.get("answerable", True)),
                doc_id=str(item.get("doc_id", "")),
                sections=sections,
                fact=str(item.get("fact", "")),
            )
        )
    return questions


@dataclass
class MethodReport:
    """Figures of one retrieval method."""

    ranks: list[int | None] = field(default_factory=list)
    facts: list[bool] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    def hit_at(self, k: int) -> float:
        """Share of questions whose expected passage is in the top ``k``."""
        return sum(1 for r in self.ranks if r is not None and r <= k) / max(len(self.ranks), 1)

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank of the first expected passage (top 10)."""
        return sum(1 / r for r in self.ranks if r is not None) / max(len(self.ranks), 1)

    @property
    def fact_accuracy(self) -> float:
        """Share of answerable questions answered (not refused) with the expected fact."""
        return sum(self.facts) / max(len(self.facts), 1)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[min(max(int(q) - 1, 0), 98)]


@dataclass
class EvalReport:
    """Everything ``teletravail eval retrieval`` prints."""

    methods: dict[Method, MethodReport]
    abstain_truth: list[bool]
    signals: list[dict[str, float]]
    threshold: float
    answer_latencies_ms: list[float]
    failures: list[str]

    def abstention(
        self, threshold: float | None = None, domain_filter: bool = True
    ) -> dict[str, float]:
        """Precision/recall of refusing, and the share of correct decisions on each side.

        With ``domain_filter`` off, the in-domain classifier's verdict is ignored: the
        report shows both, so that what the classifier adds is measured.
        """
        t = self.threshold if threshold is None else threshold
        predicted = [
            _confidence(s) < t or (domain_filter and s.get("off_topic", 0.0) > 0)
            for s in self.signals
        ]
        tp = sum(p and a for p, a in zip(predicted, self.abstain_truth, strict=True))
        fp = sum(p and not a for p, a in zip(predicted, self.abstain_truth, strict=True))
        fn = sum(not p and a for p, a in zip(predicted, self.abstain_truth, strict=True))
        negatives = sum(not a for a in self.abstain_truth)
        return {
            "precision": tp / max(tp + fp, 1),
            "recall": tp / max(tp + fn, 1),
            "answered_when_answerable": (negatives - fp) / max(negatives, 1),
            "correct_decisions": (len(predicted) - fp - fn) / max(len(predicted), 1),
        }


def _confidence(signals: dict[str, float]) -> float:
    return signals["confidence"]


def evaluate(engine: AnswerEngine, questions: list[EvalQuestion]) -> EvalReport:
    """Run every question through every method and the answer engine."""
    reports: dict[Method, MethodReport] = {method: MethodReport() for method in METHODS}
    truth: list[bool] = []
    signals: list[dict[str, float]] = []
    answer_latencies: list[float] = []
    failures: list[str] = []
    retriever = engine.retriever
    for question in questions:
        for method in METHODS:
            started = time.perf_counter()
            hits = retriever.search(question.question, k=10, method=method)
            elapsed = (time.perf_counter() - started) * 1000
            report = reports[method]
            report.latencies_ms.append(elapsed)
            if not question.answerable:
                continue
            rank = next((i + 1 for i, h in enumerate(hits) if question.matches(h.chunk)), None)
            report.ranks.append(rank)
            answer = engine.ask(question.question, method=method)
            report.facts.append(not answer.abstained and question.fact_found(answer.answer))
            if method == "hybrid" and (rank is None or rank > 3):
                failures.append(f"{question.id} (rang {rank or '>10'}) : {question.question}")
        started = time.perf_counter()
        answer = engine.ask(question.question)
        answer_latencies.append((time.perf_counter() - started) * 1000)
        truth.append(not question.answerable)
        signals.append(answer.signals | {"confidence": answer.confidence})
    return EvalReport(
        reports, truth, signals, engine.settings.abstain_threshold, answer_latencies, failures
    )


def format_report(report: EvalReport) -> str:
    """The French table printed by the CLI."""
    lines = [
        f"{'méthode':<8} {'hit@1':>6} {'hit@3':>6} {'MRR':>6} {'faits':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7}",
    ]
    for method, r in report.methods.items():
        lines.append(
            f"{method:<8} {r.hit_at(1):>6.3f} {r.hit_at(3):>6.3f} {r.mrr:>6.3f} "
            f"{r.fact_accuracy:>6.3f} {percentile(r.latencies_ms, 50):>7.1f} "
            f"{percentile(r.latencies_ms, 95):>7.1f}"
        )
    answerable = len(report.methods["hybrid"].ranks)
    refused = sum(report.abstain_truth)
    a = report.abstention()
    plain = report.abstention(domain_filter=False)
    with_domain = any("in_domain" in s for s in report.signals)
    lines += [
        "",
        f"questions : {answerable} avec réponse dans les textes, {refused} sans",
        f"abstention (seuil {report.threshold:.2f}, poids dense {DENSE_WEIGHT}) : "
        f"précision {a['precision']:.3f}, rappel {a['recall']:.3f}, "
        f"réponses données aux questions couvertes {a['answered_when_answerable']:.3f}",
        *(
            [
                f"  sans le classifieur de domaine : précision {plain['precision']:.3f}, "
                f"rappel {plain['recall']:.3f}, réponses données "
                f"{plain['answered_when_answerable']:.3f}, décisions correctes "
                f"{plain['correct_decisions']:.3f}"
            ]
            if with_domain
            else []
        ),
        f"réponse complète (recherche + extraction) : p50 "
        f"{percentile(report.answer_latencies_ms, 50):.1f} ms, p95 "
        f"{percentile(report.answer_latencies_ms, 95):.1f} ms",
        "",
        f"décisions correctes (répondre ou s'abstenir à bon escient) : "
        f"{a['correct_decisions']:.3f}",
        "",
        "calibration du seuil : rappel d'abstention / réponses aux questions couvertes / "
        "décisions correctes",
    ]
    for step in range(20, 81, 5):
        t = step / 100
        c = report.abstention(t)
        lines.append(
            f"  seuil {t:.2f} : {c['recall']:.3f} / {c['answered_when_answerable']:.3f} / "
            f"{c['correct_decisions']:.3f}"
        )
    if report.failures:
        lines += [
            "",
            "hybride, passage attendu absent du top 3 :",
            *(f"  {f}" for f in report.failures),
        ]
    return "\n".join(lines)
