"""Load the official texts from disk, whatever their format, as Markdown with metadata.

A text dropped into the sources folder is picked up without code change: Markdown with a
YAML front matter is the curated format; plain text, PDF (pypdf) and DOCX (python-docx) are
converted on the fly, their metadata taken from an optional ``<name>.yaml`` beside them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.models import DocumentMeta

SOURCES_DIR = Path(__file__).resolve().parent / "sources"
SUPPORTED_SUFFIXES = (".md", ".txt", ".pdf", ".docx")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


class CorpusError(ValueError):
    """A source file cannot be read or lacks what the knowledge base needs."""


@dataclass(frozen=True)
class Document:
    """One official text: its metadata and its body as Markdown."""

    meta: DocumentMeta
    body: str
    path: Path

    @property
    def doc_id(self) -> str:
        """The fixed identifier used in citations."""
        return self.meta.doc_id


def _read_sidecar(path: Path) -> dict[str, object]:
    sidecar = path.with_suffix(".yaml")
    if not sidecar.exists():
        return {}
    data = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise CorpusError(
            f"{sidecar.name} : métadonnées illisibles (un dictionnaire YAML attendu)."
        )
    return data


def _pdf_to_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
    return "\n".join(_pdf_heading(line) for line in text.splitlines())


# A numbered title (« 1. Objet », « 2.3 – Les jours », « II – La procédure », « Article 3 »)
# or a short line in capitals: what a PDF's headings look like once its layout is gone.
_NUMBERED_TITLE = re.compile(
    r"^(?:(?P<num>\d+(?:\.\d+)*)\.?|[IVXLC]+\.?|[A-H]\)|article\s+\d+\w*)\s*[–—.)-]?\s+\S",
    re.IGNORECASE,
)


def _pdf_heading(line: str) -> str:
    """A line that looks like a heading becomes a Markdown one, so chunks get its section."""
    stripped = line.strip()
    if not 3 <= len(stripped) <= 90 or stripped[-1] in ".,;:!?" or stripped.startswith("#"):
        return line
    numbered = _NUMBERED_TITLE.match(stripped)
    letters = [c for c in stripped if c.isalpha()]
    capitals = len(letters) >= 4 and all(c.isupper() for c in letters)
    if not numbered and not capitals:
        return line
    depth = numbered.group("num").count(".") if numbered and numbered.group("num") else 0
    return f"{'#' * (2 + min(depth, 3))} {stripped}"


def _docx_to_markdown(path: Path) -> str:
    """Keep Word headings as Markdown headings so that chunks follow the sections."""
    import docx

    lines: list[str] = []
    for paragraph in docx.Document(str(path)).paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        match = re.match(r"(?:Heading|Titre)\s*(\d)", style)
        if style == "Title":
            lines.append(f"# {text}")
        else:
            lines.append(f"{'#' * int(match.group(1))} {text}" if match else text)
    return "\n\n".join(lines)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip("# \t")
        if stripped:
            return stripped[:200]
    return ""


def load_document(path: Path) -> Document:
    """Read one source file into a :class:`Document`.

    Raises:
        CorpusError: the format is not supported or the metadata is invalid.

    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise CorpusError(f"{path.name} : format non pris en charge ({suffix}).")
    meta_fields: dict[str, object]
    if suffix == ".md":
        raw = path.read_text(encoding="utf-8")
        match = _FRONT_MATTER.match(raw)
        meta_fields = dict(yaml.safe_load(match.group(1)) or {}) if match else {}
        body = raw[match.end() :] if match else raw
    else:
        if suffix == ".txt":
            body = path.read_text(encoding="utf-8", errors="replace")
        elif suffix == ".pdf":
            body = _pdf_to_text(path)
        else:
            body = _docx_to_markdown(path)
        meta_fields = _read_sidecar(path)
    meta_fields.setdefault("doc_id", path.stem)
    meta_fields.setdefault("title", _first_line(body) or path.stem)
    meta_fields = {k: (str(v) if k != "doc_id" else v) for k, v in meta_fields.items()}
    try:
        meta = DocumentMeta.model_validate(meta_fields)
    except ValueError as error:
        raise CorpusError(f"{path.name} : métadonnées invalides ({error}).") from error
    return Document(meta=meta, body=body.strip() + "\n", path=path)


def source_files(directory: Path = SOURCES_DIR) -> list[Path]:
    """The source files of a folder, in a stable order (sidecar YAML files excluded)."""
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)


def load_corpus(directory: Path = SOURCES_DIR) -> list[Document]:
    """Every text of the sources folder; doc ids must be unique."""
    documents = [load_document(path) for path in source_files(directory)]
    seen: set[str] = set()
    for document in documents:
        if document.doc_id in seen:
            raise CorpusError(f"Identifiant de document en double : {document.doc_id}.")
        seen.add(document.doc_id)
    return documents


def files_fingerprint(paths: Iterable[Path]) -> str:
    """Content hash of files, names and bytes, in the given order (the index's freshness)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def corpus_fingerprint(directory: Path = SOURCES_DIR) -> str:
    """Content hash of the sources and their metadata sidecars, to rebuild only on change."""
    paths: list[Path] = []
    for path in source_files(directory):
        paths.append(path)
        sidecar = path.with_suffix(".yaml")
        if path.suffix.lower() != ".md" and sidecar.exists():
            paths.append(sidecar)
    return files_fingerprint(paths)


@lru_cache(maxsize=1)
def _default_corpus() -> dict[str, Document]:
    return {document.doc_id: document for document in load_corpus()}


def get_document(doc_id: str) -> Document:
    """A document of the project's own sources folder by its fixed id.

    Raises:
        KeyError: no such document.

    """
    return _default_corpus()[doc_id]
