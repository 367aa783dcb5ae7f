"""The verbatim wording of the official forms (``drafts/data/forms.yaml``), typed and cached.

Every string is a quote of an annex of the instruction; tests check each one against the
text, so a document never puts words in the administration's mouth.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

DATA_FILE = Path(__file__).resolve().parent / "data" / "forms.yaml"


class FormWording(BaseModel):
    """The quoted strings of one form and where they come from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_id: str
    section: str
    text: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.text[key]


@lru_cache(maxsize=1)
def load_wording(path: Path = DATA_FILE) -> dict[str, FormWording]:
    """Read the wording of every form once (fails at start-up on a broken file)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: FormWording.model_validate(data) for name, data in raw.items()}


def wording(form: str) -> FormWording:
    """The wording of one form (``annexe_1``, ``annexe_2``, ``annexe_4``, ``annexe_5``...)."""
    return load_wording()[form]
