"""Is a question about telework at all? A small classifier on e5 query vectors.

The abstention confidence (knowledge.answer) looks at how well the retrieved passages match
the question; it cannot tell « quel temps fera-t-il demain ? » from a clumsy telework question
whose words are not those of the texts. This classifier adds the missing prior: trained at
index time, from files of the repository that were NOT written from the evaluation sets,

- in-domain: the examples of the assistant's telework question intents (``ask_*`` in
  ``data/nlu/*.yml``) and the texts' own sentences;
- off-topic: the examples of the ``out_of_scope`` intent (weather, leave, pay, passwords…).

It is a logistic regression (scikit-learn) over the normalised e5 query vector; its decision
threshold is the one that maximises balanced accuracy on 5-fold cross-validated
probabilities, so nothing of the evaluation sets enters it. Only the weights, the bias and
the threshold are stored (``domain.npz`` in the index folder): loading is a numpy read and
scoring one question is a dot product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from knowledge.dense import Embedder, Vectors

OFF_TOPIC_INTENT = "out_of_scope"
IN_DOMAIN_PREFIX = "ask_"
_ENTITY = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
DOMAIN_FILE = "domain.npz"


@dataclass(frozen=True)
class DomainModel:
    """Weights of the in-domain classifier and its calibrated threshold."""

    weights: np.ndarray
    bias: float
    threshold: float
    cv_balanced_accuracy: float

    def probability(self, query_vector: Vectors) -> float:
        """Probability that the question (one e5 query vector) is about telework."""
        logit = float(query_vector.reshape(-1) @ self.weights + self.bias)
        return float(1.0 / (1.0 + np.exp(-logit)))

    def save(self, folder: Path) -> None:
        """Write the model next to the index."""
        np.savez(
            folder / DOMAIN_FILE,
            weights=self.weights,
            meta=np.array([self.bias, self.threshold, self.cv_balanced_accuracy]),
        )

    @classmethod
    def load(cls, folder: Path) -> DomainModel | None:
        """Read the model, or None when the index was built without training data."""
        path = folder / DOMAIN_FILE
        if not path.exists():
            return None
        with np.load(path) as data:
            bias, threshold, accuracy = (float(v) for v in data["meta"])
            return cls(np.asarray(data["weights"], dtype=np.float32), bias, threshold, accuracy)


def training_examples(nlu_dir: Path) -> tuple[list[str], list[str]]:
    """In-domain and off-topic example questions of the Rasa NLU data (entities unwrapped)."""
    in_domain: list[str] = []
    off_topic: list[str] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            intent = str(item.get("intent", ""))
            if intent != OFF_TOPIC_INTENT and not intent.startswith(IN_DOMAIN_PREFIX):
                continue
            examples = [
                _ENTITY.sub(r"\1", line.strip()[2:]).strip()
                for line in str(item.get("examples", "")).splitlines()
                if line.strip().startswith("- ")
            ]
            target = off_topic if intent == OFF_TOPIC_INTENT else in_domain
            target.extend(example for example in examples if example)
    return in_domain, off_topic


def nlu_fingerprint(nlu_dir: Path) -> str:
    """Content hash of the training data: the index is rebuilt when it changes."""
    import hashlib

    digest = hashlib.sha256()
    if not nlu_dir.is_dir():
        return ""
    for path in sorted(nlu_dir.glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def train_domain_model(
    embedder: Embedder, nlu_dir: Path, text_sentences: list[str]
) -> DomainModel | None:
    """Fit the classifier; None when there is no off-topic or no in-domain example."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    if not nlu_dir.is_dir():
        return None
    in_domain, off_topic = training_examples(nlu_dir)
    positives = in_domain + text_sentences
    if len(off_topic) < 10 or len(positives) < 10:
        return None
    vectors = embedder.embed_queries(positives + off_topic)
    labels = np.array([1] * len(positives) + [0] * len(off_topic))
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    probabilities = cross_val_predict(model, vectors, labels, cv=folds, method="predict_proba")
    threshold, accuracy = _best_threshold(probabilities[:, 1], labels)
    model.fit(vectors, labels)
    return DomainModel(
        weights=model.coef_[0].astype(np.float32),
        bias=float(model.intercept_[0]),
        threshold=threshold,
        cv_balanced_accuracy=accuracy,
    )


def _best_threshold(probabilities: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Threshold with the best balanced accuracy (mean of both classes' recall)."""
    best = (0.5, 0.0)
    for threshold in np.linspace(0.05, 0.95, 91):
        kept = probabilities >= threshold
        recall_in = float(kept[labels == 1].mean())
        recall_off = float((~kept)[labels == 0].mean())
        accuracy = (recall_in + recall_off) / 2
        if accuracy > best[1]:
            best = (float(threshold), accuracy)
    return best
