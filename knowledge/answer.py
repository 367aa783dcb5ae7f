"""Extractive, cited answers — or an honest abstention.

The answer is made of the text's own sentences (the ones closest to the question in the best
passage), never of words the code invents. Whether to answer at all is decided by a
confidence that mixes these signals, calibrated on the development questions the texts do
and do not answer (``teletravail eval retrieval``):

- how close the best sentence is to the question (e5 cosine, rescaled) — or, if closer, one
  of the curated questions of the best passages (knowledge.questions), less
  ``QUESTION_COSINE_OFFSET``: two questions are closer to each other than a question to a
  sentence, by a median 0.07 on the development questions the texts answer;
- how much of the question's rare vocabulary the best passages contain (IDF-weighted term
  coverage): « montant de l'indemnité » is close to telework in meaning, but no text
  mentions an amount, and the coverage shows it.

Each noun of the question that no text uses, even with a typo (knowledge.vocabulary), takes
``ABSENT_NOUN_PENALTY`` off the confidence (two at most): « titres-restaurant » or
« mutuelle » sound like telework to e5, but the texts never mention them.

A question closer to a topic the texts leave out (knowledge.uncovered: meal vouchers,
telework abroad, the private sector…) than to every curated question, by
``uncovered_margin``, and with words the best passages lack (coverage under
``uncovered_coverage``), is abstained on whatever the confidence; the abstention names the
topic.

The in-domain classifier (knowledge.domain, trained on the assistant's NLU examples) is
measured too; as it refused more covered questions than it caught uncovered ones
(docs/retrieval.md), it only abstains when ``domain_filter`` is switched on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from knowledge.analysis import fold, term_alternatives, without_greeting
from knowledge.composition import (
    MAX_PART_CHARS,
    answer_span,
    key_span,
    list_heading,
    render,
    single_gaps,
    trim_table,
)
from knowledge.config import KnowledgeSettings
from knowledge.decision import DecisionModel
from knowledge.dense import KnownQueryVector
from knowledge.models import Source
from knowledge.retrieval import Hit, Method, Query, Retriever
from knowledge.sentences import Unit, clean_markup, structured_units
from knowledge.vocabulary import CorpusVocabulary

# What every refusal to answer says (abstention, uncovered topic): the dialogue recognises it.
NOT_ANSWERED = "Je préfère ne pas vous répondre au hasard"
_TO_THE_REFERENT = (
    f"{NOT_ANSWERED} : le référent télétravail de votre service peut vous renseigner."
)
ABSTENTION_MESSAGE = (
    "Je ne trouve pas de réponse à cette question dans les textes dont je dispose. "
    + _TO_THE_REFERENT
)
UNCOVERED_MESSAGE = (
    "Votre question semble porter sur {topic}, un sujet que les textes dont je dispose ne "
    "traitent pas. " + _TO_THE_REFERENT
)
# e5 cosines live in a narrow band: rescale [low, high] to [0, 1] before mixing.
COSINE_LOW, COSINE_HIGH = 0.80, 0.92
DENSE_WEIGHT = 0.7
ABSENT_NOUN_PENALTY = 0.15
QUESTION_COSINE_OFFSET = 0.07
MAX_ABSENT_NOUNS = 2
MAX_EXCERPT_CHARS = MAX_PART_CHARS + 100
# At most this many sections joined by closeness in one answer, each with its citation (the
# sentence closest to the question may add one more: see compose).
MAX_PARTS = 2
# A unit shorter than this is not taken as answering a quote that merely contains it.
MIN_ANCHOR_CHARS = 20
# The longest answer, the closest sentence included (a phone screen and a half).
MAX_ANSWER_CHARS = 1300
# The closest sentence joins with what it needs to read on its own, within this much.
CLOSEST_PART_CHARS = 400
# A table inside an answer keeps its header and the rows nearest the question that fit.
MAX_TABLE_CHARS = 450


@dataclass
class Answer:
    """What the API, the CLI and the bot return for a question."""

    answer: str
    abstained: bool
    sources: list[Source]
    confidence: float
    signals: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerPart:
    """One self-contained piece of the answer and the citation it comes with."""

    text: str
    source: Source


def _truncate(text: str, limit: int = MAX_EXCERPT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _question_anchors(retriever: Retriever, settings: KnowledgeSettings) -> list[tuple[int, str]]:
    """(passage, folded quote) of each curated question, in the index's order, or none."""
    from knowledge.questions import QuestionsError, load_questions, normalise

    try:
        curated = load_questions(settings.questions_dir, retriever.index.chunks)
    except (QuestionsError, OSError):
        return []
    if [q.text for q in curated] != retriever.index.questions:
        return []  # the index was built from other questions: no anchors
    return [(q.chunk_id, fold(clean_markup(normalise(q.quote)))) for q in curated]


def _anchor_units(
    units: list[Unit], anchors: list[tuple[int, str]], chunk_id: int
) -> dict[int, list[int]]:
    """For each curated question of the passage, the units its quote is in or covers."""
    folded = [fold(unit.text) for unit in units]
    found: dict[int, list[int]] = {}
    for question, (owner, quote) in enumerate(anchors):
        if owner != chunk_id or not quote:
            continue
        matches = [
            i
            for i, text in enumerate(folded)
            if quote in text or (len(text) >= MIN_ANCHOR_CHARS and text in quote)
        ]
        if matches:
            found[question] = matches
    return found


# Blanks of a template to fill in: « les XXX (lundi, mardi,...) », « Motivation : ……… ».
_BLANKS = re.compile(r"…{2,}|\.{4,}|\bX{3,}\b|\bYY\b|_{3,}")


# A line of a letter's heading: its signatory, place and date, or an addressee (« Le préfet, »,
# « Paris, le 2 février 2021 », « - Mesdames et messieurs les préfets »).
_LETTERHEAD = re.compile(
    r"^(- )?(madame|monsieur|mesdames|messieurs|le prefet|le directeur|directeur|a$"
    r"|[a-z]+, le \d)"
)
MAX_LETTERHEAD_CHARS = 120


def is_letterhead(text: str) -> bool:
    """Whether a unit is a line of a letter's heading, not a sentence that answers.

    Titles (« Monsieur le directeur général de la police nationale ») are close to any
    question naming a director or a manager: such a line is never the key of an answer.
    """
    folded = fold(text).strip()
    return (
        len(folded) <= MAX_LETTERHEAD_CHARS
        and not folded.endswith(".")
        and bool(_LETTERHEAD.search(folded))
    )


def has_blanks(text: str) -> bool:
    """Whether a unit is a line of a form or template to fill in (the annexes' models).

    A table whose rows are empty but for their first cell (« | 1 |  |  | ») is one too: the
    request form's grid of days to choose.
    """
    return bool(_BLANKS.search(text)) or _empty_grid(text)


def _empty_grid(text: str) -> bool:
    rows = [line for line in text.split("\n") if line.lstrip().startswith("|")][2:]
    cells = [[cell.strip() for cell in row.strip().strip("|").split("|")] for row in rows]
    return bool(cells) and all(not any(row[1:]) for row in cells)


def _fill_single_gaps(
    shown: list[list[Unit]], chosen: dict[int, list[int]], order: list[int]
) -> None:
    """Show a unit left out alone between two shown ones of a passage, within the hard cap.

    The extract then reads on without a jump (dev4 0.900 → 0.917, the other sets unchanged).
    """
    total = sum(len(shown[rank][i].text) for rank in chosen for i in set(chosen[rank]))
    for rank in order:
        for index in single_gaps(sorted(set(chosen[rank]))):
            if total + len(shown[rank][index].text) <= MAX_ANSWER_CHARS:
                chosen[rank].append(index)
                total += len(shown[rank][index].text)


def _visible(units: list[Unit], indices: list[int]) -> list[int]:
    """The units of a span worth showing.

    Neither a line to fill in (nor the source's empty heading « XXXXXX ») nor what introduces
    nothing once they are gone (« Date et signature : »).
    """
    kept = [i for i in indices if not has_blanks(units[i].text)]
    return [i for i in kept if not _dangles(units, i, kept)]


def _dangles(units: list[Unit], index: int, shown: list[int]) -> bool:
    """Whether a unit introduces (« … : ») what is not shown after it.

    The form's last field « Date et signature du supérieur hiérarchique : », left alone once
    the lines to fill in around it are removed, says nothing.
    """
    if units[index].kind != "sentence" or not units[index].text.rstrip(" *_").endswith(":"):
        return False
    after = index + 1
    return after not in shown or units[after].kind == "sentence"


def merge_parts(parts: list[AnswerPart]) -> AnswerPart:
    """Parts of one section (two passages of it) under one citation, the key part first."""
    if len(parts) == 1:
        return parts[0]
    text = "\n\n".join(part.text for part in parts)
    source = parts[0].source.model_copy(update={"excerpt": _truncate(text)})
    return AnswerPart(text, source)


def _row_overlap(row: str, words: set[str]) -> float:
    return float(len(words & set(re.findall(r"[0-9a-z]+", fold(row)))))


@dataclass(frozen=True)
class Signals:
    """What the answer/abstain decision reads, computed in one place (:meth:`signals`)."""

    cosine: float
    question_cosine: float
    coverage: float
    absent_nouns: int
    in_domain: float | None = None
    # The closest question about a topic no text covers (knowledge.uncovered), if any.
    uncovered_cosine: float = 0.0
    uncovered_topic: str | None = None
    # Fused retrieval score of the best passage, and its lead over the second one.
    top_score: float = 0.0
    score_gap: float = 0.0

    def uncovered(self, margin: float, max_coverage: float = 1.0) -> bool:
        """Whether the question is about a topic the texts leave out (module docstring).

        Only a question with words the passages lack can be: « est-ce que je peux
        télétravailler ? » is as close to « puis-je télétravailler depuis l'étranger ? » as
        to any curated question, but every word of it is in the texts.
        """
        if self.coverage >= max_coverage:
            return False
        return self.uncovered_topic is not None and self.uncovered_lead() >= margin

    def uncovered_lead(self) -> float:
        """How much closer the question is to a topic no text covers than to a covered one.

        Closeness to the texts is on the question-to-question scale: the best curated
        question — or, for texts without any, the best sentence lifted by the usual gap
        between the two (a sentence alone catches less: decisions 0.974 → 0.942 on dev).
        """
        covered = self.question_cosine or self.cosine + QUESTION_COSINE_OFFSET
        return self.uncovered_cosine - covered

    def confidence(self) -> float:
        """The mix calibrated on the development set (module docstring)."""
        dense = float(np.clip((self.cosine - COSINE_LOW) / (COSINE_HIGH - COSINE_LOW), 0, 1))
        mixed = DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * self.coverage
        return max(0.0, mixed - ABSENT_NOUN_PENALTY * min(self.absent_nouns, MAX_ABSENT_NOUNS))

    def as_dict(self) -> dict[str, float]:
        """For the evaluation report and logs (rounded)."""
        values = {
            "cosine": round(self.cosine, 4),
            "question_cosine": round(self.question_cosine, 4),
            "coverage": round(self.coverage, 4),
            "absent_nouns": float(min(self.absent_nouns, MAX_ABSENT_NOUNS)),
        }
        if self.in_domain is not None:
            values["in_domain"] = round(self.in_domain, 4)
        if self.uncovered_topic is not None:
            values["uncovered_cosine"] = round(self.uncovered_cosine, 4)
        return values


class AnswerEngine:
    """Answers questions from a :class:`Retriever` with the abstention policy above.

    One decision for every channel: ``/api/ask``, the chat's question action, the CLI and
    the Tchap bot all call :meth:`ask`.
    """

    def __init__(self, retriever: Retriever, settings: KnowledgeSettings) -> None:
        self.retriever = retriever
        self.settings = settings
        idf = retriever.bm25_idf()
        self._idf = idf
        self._unknown_idf = max(idf.values(), default=1.0)
        self.vocabulary = CorpusVocabulary(retriever.index.chunk_terms)
        self._units: dict[int, list[Unit]] = {}
        self._anchors = _question_anchors(retriever, settings)
        self._anchored_units: dict[int, dict[int, list[int]]] = {}
        # The fitted answer/abstain model (knowledge.decision.ensure_decision); None: the rule.
        self.decision: DecisionModel | None = None

    def coverage(self, question_terms: list[tuple[str, ...]], hits: list[Hit]) -> float:
        """Share of the question's IDF mass found in the given passages.

        Each term comes with its other spelling (:func:`knowledge.analysis.term_alternatives`):
        found when any form is in a passage, weighted by the first form the texts know.
        """
        if not question_terms:
            return 0.0
        found = {term for hit in hits for term in hit.terms}
        weights = [self._term_weight(forms) for forms in question_terms]
        covered = sum(
            weight
            for forms, weight in zip(question_terms, weights, strict=True)
            if any(form in found for form in forms)
        )
        return covered / sum(weights)

    def _term_weight(self, forms: tuple[str, ...]) -> float:
        known = [self._idf[form] for form in forms if form in self._idf]
        return max(known[0] if known else self._unknown_idf, 0.05)

    def signals(self, query: Query, hits: list[Hit], sentence_scores: list[np.ndarray]) -> Signals:
        """Every confidence signal of one question (see the module docstring)."""
        best_cosine = max((float(s.max()) for s in sentence_scores if len(s)), default=0.0)
        question_cosines = [hit.question_cosine for hit in hits if hit.question_cosine is not None]
        best_question = max(question_cosines, default=0.0)
        index = self.retriever.index
        domain = index.domain
        uncovered_cosine, uncovered_topic = 0.0, None
        if len(index.uncovered_topics):
            similarities = index.uncovered_vectors @ np.ravel(query.vector)
            best = int(similarities.argmax())
            uncovered_cosine = float(similarities[best])
            uncovered_topic = index.uncovered_topics[best]
        return Signals(
            cosine=max(best_cosine, best_question - QUESTION_COSINE_OFFSET),
            question_cosine=best_question,
            coverage=self.coverage(term_alternatives(query.text), hits),
            absent_nouns=len(self.vocabulary.absent_nouns(query.text)),
            in_domain=domain.probability(query.vector) if domain is not None else None,
            uncovered_cosine=uncovered_cosine,
            uncovered_topic=uncovered_topic,
            top_score=hits[0].score if hits else 0.0,
            score_gap=hits[0].score - hits[1].score if len(hits) > 1 else 0.0,
        )

    def is_uncovered(self, signals: Signals) -> bool:
        """Whether the question is about a topic no text covers, with these settings."""
        return signals.uncovered(self.settings.uncovered_margin, self.settings.uncovered_coverage)

    def should_abstain(self, signals: Signals) -> bool:
        """The one answer/abstain decision, shared by every channel.

        The fitted model (knowledge.decision), or the hand-made rule when there is none;
        off topic by the domain classifier too when it is switched on.
        """
        domain = self.retriever.index.domain
        off_topic = (
            self.settings.domain_filter
            and domain is not None
            and signals.in_domain is not None
            and signals.in_domain < domain.threshold
        )
        if self.decision is not None:
            return off_topic or not self.decision.answers(signals)
        return off_topic or not self.rule_answers(signals)

    def rule_answers(self, signals: Signals) -> bool:
        """The hand-made rule: enough confidence, and not a topic the texts leave out."""
        return (
            not self.is_uncovered(signals)
            and signals.confidence() >= self.settings.abstain_threshold
        )

    def observe(self, question: str) -> Signals:
        """The signals of a question, as :meth:`ask` computes them (for calibration)."""
        return self._search(question)[3]

    def _search(
        self,
        question: str,
        top_k: int | None = None,
        method: Method = "hybrid",
        known: KnownQueryVector | None = None,
    ) -> tuple[Query, list[Hit], list[np.ndarray], Signals]:
        """The passages of a question, the scores of their units, and its signals."""
        searched = without_greeting(question)
        if searched != question:
            question, known = searched, None  # the NLU's vector is that of the whole text
        query = self.retriever.query(question, known=known)
        k = top_k or self.settings.answer_passages
        hits = self.retriever.search(question, k=k, method=method, query=query)
        sentence_scores = [hit.sentence_scores(query) for hit in hits]
        return query, hits, sentence_scores, self.signals(query, hits, sentence_scores)

    def ask(
        self,
        question: str,
        top_k: int | None = None,
        method: Method = "hybrid",
        known: KnownQueryVector | None = None,
    ) -> Answer:
        """Answer one question with sources, or abstain.

        ``known``: the question's vector computed by the NLU, reused only for the very text
        and encoder (:meth:`Retriever.reusable`): the question is then not encoded again.
        """
        query, hits, sentence_scores, signals = self._search(question, top_k, method, known)
        if not hits:
            return Answer(ABSTENTION_MESSAGE, True, [], 0.0)
        confidence = round(signals.confidence(), 4)
        abstain = self.should_abstain(signals)
        report = signals.as_dict() | {
            "off_topic": float(abstain and confidence >= self.settings.abstain_threshold)
        }
        parts = self.compose(question, hits, sentence_scores, query.vector)
        sources = [part.source for part in parts]
        if abstain:
            uncovered = self.is_uncovered(signals)
            named = uncovered and signals.uncovered_cosine >= self.settings.uncovered_named_floor
            message = (
                UNCOVERED_MESSAGE.format(topic=signals.uncovered_topic)
                if named
                else ABSTENTION_MESSAGE
            )
            report["uncovered"] = float(uncovered)
            return Answer(message, True, sources, confidence, report)
        text = "\n\n".join(part.text for part in parts)
        return Answer(text, False, sources, confidence, report)

    def units(self, hit: Hit) -> list[Unit]:
        """The passage's units with their layout (sentence, list item, table)."""
        cached = self._units.get(hit.chunk_id)
        if cached is None:
            cached = structured_units(hit.chunk.text)
            if [unit.text for unit in cached] != hit.sentences:
                # An index built by another splitter: its units are plain sentences.
                cached = [Unit(text, "sentence", line) for line, text in enumerate(hit.sentences)]
            self._units[hit.chunk_id] = cached
        return cached

    def compose(
        self,
        question: str,
        hits: list[Hit],
        unit_scores: list[np.ndarray],
        query_vector: np.ndarray | None = None,
    ) -> list[AnswerPart]:
        """The parts of the texts that answer: the key one first, each with its citation.

        Every unit of the retrieved passages is scored by its closeness to the question
        (e5 cosine, or that of a curated question anchored on it), minus a little per rank of
        its passage's section (the share of the question's rare words it holds was measured and
        brought nothing, docs/answers.md). The best one is the key; other units join when they score
        within ``settings.answer_margin`` of it — another point of the same passage, or of
        another section when the question spans two. Each is widened into the self-contained
        unit of text around it (knowledge.composition), the key one also with the next
        sentence of its paragraph; the answer stays within ``settings.answer_chars`` and
        ``MAX_PARTS`` sections, but for the unit closest to the question, always shown whatever
        its section's rank (within ``MAX_ANSWER_CHARS``), and a unit left alone between two
        shown ones of a passage (same cap). Units
        of one passage form one part, in reading order; a part that starts with a list
        without its introduction is introduced by its section title.
        """
        words = {w for w in re.findall(r"[0-9a-z]+", fold(question)) if len(w) > 1}
        candidates: list[tuple[float, int, int]] = []
        # Units by their closeness to the question before any rank penalty: the closest is
        # shown whatever its rank.
        raw: list[tuple[float, int, int]] = []
        question_cosines = self._question_cosines(query_vector)
        # A section cut into several passages is one text: its passages share the rank of
        # the first (the list of principles, cut in two, had its key item pushed down).
        section_ranks: dict[tuple[str, str], int] = {}
        for hit in hits:
            section_ranks.setdefault((hit.chunk.doc_id, hit.chunk.section), len(section_ranks))
        for rank, (hit, scores) in enumerate(zip(hits, unit_scores, strict=True)):
            anchored = self._anchored_scores(hit, question_cosines)
            place = section_ranks[(hit.chunk.doc_id, hit.chunk.section)]
            penalty = self.settings.answer_rank_penalty * place
            units = self.units(hit)
            for index, cosine in enumerate(np.maximum(scores, anchored).tolist()):
                candidates.append((cosine - penalty, rank, index))
                if not has_blanks(units[index].text):
                    raw.append((cosine, rank, index))
        if not candidates:
            return [AnswerPart(hits[0].chunk.text, self._source(hits[0], hits[0].chunk.text))]
        # A model to fill in (« A compter du XXX et jusqu'au XXX… ») is never the key when
        # a unit of text is there to answer.
        filled = [c for c in candidates if not has_blanks(self.units(hits[c[1]])[c[2]].text)]
        candidates = filled or candidates
        candidates.sort(key=lambda c: -c[0])
        # Nor is a line of a letter's heading: it may join the answer, after the key.
        key = next(
            (c for c in candidates if not is_letterhead(self.units(hits[c[1]])[c[2]].text)),
            candidates[0],
        )
        candidates.remove(key)
        candidates.insert(0, key)
        best = candidates[0][0]
        chosen: dict[int, list[int]] = {}
        order: list[int] = []
        length = 0
        shown = [self._shown_units(hit, words) for hit in hits]
        sections = [(hit.chunk.doc_id, hit.chunk.section) for hit in hits]
        for score, rank, index in candidates:
            if score < best - self.settings.answer_margin:
                break
            new_section = sections[rank] not in {sections[r] for r in chosen}
            if index in chosen.get(rank, []) or (
                new_section and len({sections[r] for r in chosen}) >= MAX_PARTS
            ):
                continue
            units = shown[rank]
            if chosen and has_blanks(units[index].text):
                continue  # a line of a form to fill in (« les XXX (lundi…) ») adds nothing
            spanner = key_span if not chosen else answer_span
            span = [i for i in spanner(units, index) if i not in chosen.get(rank, [])]
            added = sum(len(units[i].text) for i in span)
            if chosen and length + added > self.settings.answer_chars:
                # Its paragraph does not fit: the unit with what completes it may.
                span = [i for i in key_span(units, index) if i not in chosen.get(rank, [])]
                added = sum(len(units[i].text) for i in span)
            if chosen and length + added > self.settings.answer_chars:
                continue
            chosen.setdefault(rank, []).extend(span)
            if rank not in order:
                order.append(rank)
            length += added
        # The unit closest to the question is always shown, even when the rank of its
        # section put another key first, and even as a third section: « Toutefois, à
        # l'initiative de l'administration… 48 h » answers « mon chef veut que je vienne
        # demain, il a le droit ? » from the fourth section found (dev3 0.838 → 0.863, the
        # other sets unchanged; taking the second section's place instead: dev4 0.883 →
        # 0.850). Bounded: its part within CLOSEST_PART_CHARS, the answer MAX_ANSWER_CHARS.
        closest = max(raw, default=(-np.inf, 0, 0))
        _, rank, index = closest
        if index in chosen.get(rank, []):
            # Already shown: the next closest unit not shown yet takes its place (« mon pc
            # perso ? » after the equipment list: the ban on personal computers, in the data
            # protection section; API facts dev9 0.717 → 0.767, dev10 0.850 → 0.883, dev6
            # to dev8 and dev11 + 1 each, the others unchanged).
            rest = sorted((c for c in raw if c[2] not in chosen.get(c[1], [])), reverse=True)
            _, rank, index = rest[0] if rest else closest
        span = [
            i
            for i in answer_span(shown[rank], index, CLOSEST_PART_CHARS)
            if i not in chosen.get(rank, [])
        ]
        room = length + sum(len(shown[rank][i].text) for i in span) <= MAX_ANSWER_CHARS
        if index not in chosen.get(rank, []) and room:
            chosen.setdefault(rank, []).extend(span)
            if rank not in order:
                order.append(rank)
        _fill_single_gaps(shown, chosen, order)
        by_section: dict[tuple[str, str], list[AnswerPart]] = {}
        for rank in order:
            visible = _visible(shown[rank], sorted(set(chosen[rank])))
            if visible:
                part = self._part(hits[rank], visible, words)
                by_section.setdefault(sections[rank], []).append(part)
        if not by_section:  # nothing but lines to fill in: the key passage's, as they are
            return [self._part(hits[order[0]], sorted(set(chosen[order[0]])), words)]
        return [merge_parts(parts) for parts in by_section.values()]

    def _question_cosines(self, query_vector: np.ndarray | None) -> np.ndarray | None:
        """Cosine of the question with every curated question (None: no anchors)."""
        vectors = self.retriever.index.question_vectors
        if query_vector is None or not self._anchors or vectors.ntotal != len(self._anchors):
            return None
        scores, ids = vectors.search(query_vector, vectors.ntotal)
        cosines = np.empty(vectors.ntotal)
        cosines[ids[0]] = scores[0]
        return cosines

    def _anchored_scores(self, hit: Hit, question_cosines: np.ndarray | None) -> np.ndarray:
        """Per unit, the best curated question its text answers, less the question offset.

        A curated question is anchored to the sentence that answers it (its quote): when the
        agent's question is close to it, that sentence is the key one, even if e5 finds
        another sentence of the passage a little closer.
        """
        units = self.units(hit)
        anchored = np.full(len(units), -np.inf)
        if question_cosines is None:
            return anchored
        by_question = self._anchored_units.get(hit.chunk_id)
        if by_question is None:
            by_question = _anchor_units(units, self._anchors, hit.chunk_id)
            self._anchored_units[hit.chunk_id] = by_question
        for question, unit_indices in by_question.items():
            for index in unit_indices:
                score = question_cosines[question] - QUESTION_COSINE_OFFSET
                anchored[index] = max(anchored[index], score)
        return anchored

    def _shown_units(self, hit: Hit, words: set[str]) -> list[Unit]:
        """The passage's units as shown: a long table cut to its rows nearest the question."""
        shown = []
        for unit in self.units(hit):
            if unit.kind == "table":
                rows = unit.text.split("\n")[2:]
                scores = [_row_overlap(row, words) for row in rows]
                unit = Unit(trim_table(unit.text, scores, MAX_TABLE_CHARS), "table", unit.line)
            shown.append(unit)
        return shown

    def _part(self, hit: Hit, indices: list[int], words: set[str]) -> AnswerPart:
        units = self._shown_units(hit, words)
        text = render(units, indices)
        heading = list_heading(units, indices, hit.chunk.section)
        if heading:
            colon = " :" if units[indices[0]].kind == "item" else ""
            text = f"{heading}{colon}\n{text}"
        return AnswerPart(text, self._source(hit, text))

    def _source(self, hit: Hit, excerpt: str) -> Source:
        return Source(
            doc_id=hit.chunk.doc_id,
            title=hit.document.title,
            section=hit.chunk.section,
            date=hit.document.date,
            excerpt=_truncate(excerpt),
            score=round(hit.score, 4),
        )
