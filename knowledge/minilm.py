"""all-MiniLM-L6-v2 in numpy: BERT's forward pass, mean pooling and L2 normalisation, as sentence-transformers does.

No PyTorch: the weights are read with safetensors and every tensor is float32. knowledge/semantic.py finds and
checks the model files and is the module the rest of TED uses; this one only computes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from safetensors.numpy import load as load_safetensors
from threadpoolctl import threadpool_limits
from tokenizers import Tokenizer

F32 = np.float32
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model (sentence_bert_config.json)
_MASKED = F32(-1e9)  # added to the scores of padding keys: exp() of it is exactly 0

# numpy has no erf. Abramowitz & Stegun 7.1.26 approximates it to 1.5e-7 absolute, finer than float32 resolves
# around GELU's output, so this is BERT's exact (erf) GELU, not the tanh approximation.
_AS_P = F32(0.3275911 / math.sqrt(2.0))  # p, with the 1/sqrt(2) of GELU's erf(x/sqrt(2)) folded in
_AS_A = tuple(F32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))


def gelu(x: np.ndarray) -> np.ndarray:
    """0.5·x·(1 + erf(x/√2)), computed in place on x (a float32 array that is the caller's to give up).

    With erf(z) = sign(z)·(1 − poly(t)·exp(−z²)), GELU is 0.5·(x + |x|·(1 − poly(t)·exp(−x²/2))): no sign() needed.
    """
    a = np.abs(x)
    t = a * _AS_P
    t += F32(1)
    np.reciprocal(t, out=t)
    poly = t * _AS_A[0]
    for coef in _AS_A[1:]:
        poly += coef
        poly *= t
    e = np.square(x)
    e *= F32(-0.5)
    np.exp(e, out=e)
    poly *= e
    np.subtract(F32(1), poly, out=poly)
    poly *= a
    x += poly
    x *= F32(0.5)
    return x


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """In place over the last axis."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.square(x).mean(axis=-1, keepdims=True)
    var += F32(eps)
    np.sqrt(var, out=var)
    x /= var
    x *= gamma
    x += beta
    return x


@dataclass(frozen=True)
class TokenStates:
    """One text's word pieces (tokenizer ids) and their final hidden states, one unit-length row each."""

    ids: np.ndarray  # (k,) int32
    states: np.ndarray  # (k, dim)


@dataclass(frozen=True)
class _Layer:
    # Weights are stored (in, out) and C-contiguous, so every projection is a plain x @ w with no transpose flag,
    # and query/key/value are one matrix so each layer starts with a single GEMM instead of three.
    qkv_w: np.ndarray  # (hidden, 3·hidden); the query third is pre-scaled by 1/sqrt(head_dim)
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


class Encoder:
    """Sentence embeddings: `encode(texts)` gives one unit-length float32 row of `dim` numbers per text."""

    def __init__(self, tokenizer: Tokenizer, weights: Mapping[str, np.ndarray], config: Mapping) -> None:
        self.dim: int = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        head_dim = self.dim // self.heads
        if config.get("hidden_act") != "gelu" or self.dim % self.heads:
            raise ValueError("not a BERT encoder this module can run (needs erf GELU and whole attention heads)")

        def w(name: str) -> np.ndarray:
            return np.ascontiguousarray(weights[name], dtype=F32)

        def wt(name: str) -> np.ndarray:  # torch's Linear keeps (out, in); x @ w wants (in, out)
            return np.ascontiguousarray(w(name).T)

        self.word = w("embeddings.word_embeddings.weight")
        # Every sentence is segment 0, so segment 0's embedding is folded into the position table once.
        self.position = w("embeddings.position_embeddings.weight") + w("embeddings.token_type_embeddings.weight")[0]
        self.emb_ln = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        scale = F32(1 / math.sqrt(head_dim))
        self.layers: list[_Layer] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            q_w, k_w, v_w = (w(f"{a}self.{n}.weight") for n in ("query", "key", "value"))
            q_b, k_b, v_b = (w(f"{a}self.{n}.bias") for n in ("query", "key", "value"))
            layer = _Layer(
                qkv_w=np.ascontiguousarray(np.concatenate([q_w * scale, k_w, v_w]).T),
                qkv_b=np.concatenate([q_b * scale, k_b, v_b]),
                out_w=wt(a + "output.dense.weight"),
                out_b=w(a + "output.dense.bias"),
                ln1_g=w(a + "output.LayerNorm.weight"),
                ln1_b=w(a + "output.LayerNorm.bias"),
                up_w=wt(p + "intermediate.dense.weight"),
                up_b=w(p + "intermediate.dense.bias"),
                down_w=wt(p + "output.dense.weight"),
                down_b=w(p + "output.dense.bias"),
                ln2_g=w(p + "output.LayerNorm.weight"),
                ln2_b=w(p + "output.LayerNorm.bias"),
            )
            self.layers.append(layer)
        self.max_tokens = min(MAX_TOKENS, self.position.shape[0])
        # Our own padding (after sorting by length, in encode) replaces the fixed 128-token padding and
        # 128-token truncation that tokenizer.json ships with.
        tokenizer.no_padding()
        tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer = tokenizer
        # Two BLAS threads were measured 8x slower than one on these 2-core machines, with a far worse p99
        # (OpenBLAS threads busy-wait, competing with everything else on the other core). OMP_NUM_THREADS and
        # OPENBLAS_NUM_THREADS would come too late: numpy may be imported, and its BLAS pool started, before this
        # module. So threadpoolctl sets the live library to one thread, once for the whole process rather than
        # around each call: OpenBLAS's thread count is process-global, and two threads encoding at once would
        # otherwise restore it under each other's feet. Nothing else in TED uses BLAS.
        threadpool_limits(limits=1, user_api="blas")

    @classmethod
    def from_files(cls, files: dict[str, bytes]) -> Encoder:
        """Build from the contents of config.json, tokenizer.json and model.safetensors, keyed by file name.

        Each entry is taken out of `files` as it is parsed, so the 90 MB of raw weights is freed before the
        encoder's own arrays are built rather than after.
        """
        config = json.loads(files.pop("config.json"))
        tokenizer = Tokenizer.from_str(files.pop("tokenizer.json").decode("utf-8"))
        return cls(tokenizer, load_safetensors(files.pop("model.safetensors")), config)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalised; texts longer than 256 tokens are cut there."""
        return self._encode(texts, batch_size, None)

    def encode_tokens(self, texts: Sequence[str], batch_size: int = 32) -> tuple[np.ndarray, list[TokenStates]]:
        """`encode(texts)` and, from the same forward pass, each text's word pieces with their final hidden states
        (unit length, float32), [CLS] and [SEP] left out: what knowledge/tokensim.py matches word by word."""
        states: list[TokenStates] = [TokenStates(np.zeros(0, np.int32), np.zeros((0, self.dim), F32))] * len(texts)
        return self._encode(texts, batch_size, states), states

    def encode_one(self, text: str) -> np.ndarray:
        """(dim,) float32: `encode([text])[0]`."""
        return self.encode([text])[0]

    def _encode(self, texts: Sequence[str], batch_size: int, states: list[TokenStates] | None) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=F32)
        if not len(texts):
            return out
        # One text at a time: encode_batch would start the tokenizers thread pool for no gain at these sizes.
        ids = [self.tokenizer.encode(t).ids for t in texts]
        # Sorted by length, each batch pads only to its own longest text.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        step = max(1, batch_size)
        for start in range(0, len(order), step):
            chunk = order[start : start + step]
            h, mask = self._forward([ids[i] for i in chunk])
            out[chunk] = self._pool(h, mask)
            if states is not None:
                for row, i in enumerate(chunk):
                    inner = slice(1, len(ids[i]) - 1)  # without [CLS] and [SEP]
                    t = h[row, inner]
                    t = t / np.maximum(np.linalg.norm(t, axis=1, keepdims=True), F32(1e-12))
                    states[i] = TokenStates(np.array(ids[i][inner], dtype=np.int32), t.astype(F32, copy=False))
        return out

    def _forward(self, batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray | None]:
        """The final hidden states (n, length, dim) of a batch of token ids, and its padding mask (None: none)."""
        n, length = len(batch), max(len(x) for x in batch)
        if all(len(x) == length for x in batch):
            tokens, mask = np.array(batch, dtype=np.intp), None  # no padding: no mask work at all
        else:
            tokens = np.zeros((n, length), dtype=np.intp)  # 0 is [PAD]
            mask = np.zeros((n, length), dtype=F32)
            for row, x in enumerate(batch):
                tokens[row, : len(x)] = x
                mask[row, : len(x)] = 1
        h = self.word[tokens]  # (n, length, dim): a fresh array, so it is safe to work on in place
        h += self.position[:length]
        h = _layer_norm(h.reshape(n * length, self.dim), *self.emb_ln, self.eps)
        key_bias = None if mask is None else ((F32(1) - mask) * _MASKED)[:, None, None, :]
        for layer in self.layers:
            h = self._layer(h, layer, n, length, key_bias)
        return h.reshape(n, length, self.dim), mask

    @staticmethod
    def _pool(h: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
        if mask is None:
            pooled = h.mean(axis=1)
        else:
            pooled = (mask[:, None, :] @ h)[:, 0, :]  # sum over real tokens only
            pooled /= mask.sum(axis=1, keepdims=True)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), F32(1e-12))
        return pooled

    def _layer(self, h: np.ndarray, layer: _Layer, n: int, length: int, key_bias: np.ndarray | None) -> np.ndarray:
        heads, head_dim = self.heads, self.dim // self.heads
        qkv = h @ layer.qkv_w
        qkv += layer.qkv_b
        # (n·length, 3·dim) -> three (n, heads, length, head_dim) views; matmul takes the strides as they are.
        q, k, v = qkv.reshape(n, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2)  # (n, heads, length, length), already scaled via qkv_w
        if key_bias is not None:
            scores += key_bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, self.dim)
        attn = context @ layer.out_w
        attn += layer.out_b
        attn += h
        h = _layer_norm(attn, layer.ln1_g, layer.ln1_b, self.eps)
        up = h @ layer.up_w
        up += layer.up_b
        down = gelu(up) @ layer.down_w
        down += layer.down_b
        down += h
        return _layer_norm(down, layer.ln2_g, layer.ln2_b, self.eps)
