"""The forms' wording is the texts' wording: every label is found verbatim in its annex."""

from __future__ import annotations

import re
import unicodedata

import pytest

from drafts.wording import load_wording
from knowledge.corpus import SOURCES_DIR

pytestmark = pytest.mark.unit


def _flat(text: str) -> str:
    """Compare words and punctuation only (Markdown emphasis, tags and spacing aside)."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    text = re.sub(r"</?[a-zA-Z][^>]*>|[*_]", "", text)
    return " ".join(text.split())


WORDING = [
    (form, key, value) for form, data in load_wording().items() for key, value in data.text.items()
]


@pytest.mark.parametrize(("form", "key", "value"), WORDING, ids=lambda v: str(v)[:30])
def test_label_is_in_the_annex(form: str, key: str, value: str) -> None:
    data = load_wording()[form]
    source = _flat((SOURCES_DIR / f"{data.doc_id}.md").read_text(encoding="utf-8"))
    heading = _flat(data.section.split("›")[-1])
    start = source.index(heading)
    assert _flat(value) in source[start:], f"{form}.{key} absent du texte"


def test_every_form_is_described() -> None:
    assert set(load_wording()) == {"annexe_1", "annexe_2", "annexe_4", "annexe_5", "refusal"}
