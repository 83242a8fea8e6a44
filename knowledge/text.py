"""Text normalisation for matching: folding, tokenising, a light stemmer, stopwords.

Questions arrive as plain text (each chat adapter resolves its platform's mentions and links before a
handler sees them) with curly quotes, emoji and the odd typo; the index holds policy prose. Both go
through the same functions here so they meet halfway.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources

import snowballstemmer

_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
    # Zero-width characters (pasted from a web page or a phone) split a word in two without showing it.
    | {c: None for c in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")}
)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case-fold and normalise quotes, dashes, accents and white space."""
    if not text.isascii():  # most policy text is plain ASCII: skip the per-character work
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _SPACE.sub(" ", text).strip().lower()


def words(text: str) -> list[str]:
    """Folded words, apostrophes dropped ("council's" -> "councils" -> stem "council")."""
    return [w.replace("'", "") for w in _WORD.findall(fold(text))]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    raw = resources.files("knowledge.data").joinpath("stopwords.txt").read_text("utf-8")
    return frozenset(w.strip() for w in raw.split() if w.strip() and not w.startswith("#"))


# snowballstemmer's pure-Python stemmer keeps each word's working state on the object, so two threads (the
# server's answer workers) sharing one get wrong stems and IndexErrors: one stemmer per thread.
_STEMMERS = threading.local()


def _stemmer():
    s = getattr(_STEMMERS, "english", None)
    if s is None:
        s = _STEMMERS.english = snowballstemmer.stemmer("english")
    return s


# Irregular past forms the stemmer can't join to their verb ("swore" -> "swear"), for the verbs people
# use when describing abuse or being contacted.
_IRREGULAR = {
    "swore": "swear",
    "sworn": "swear",
    "rang": "ring",
    "rung": "ring",
    "sent": "send",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "threatened": "threaten",
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """English (Porter2) stem: post/posts/posting/posted -> post; swore/swears -> swear."""
    return _stemmer().stemWord(_IRREGULAR.get(word, word))


def content_words(text: str) -> list[str]:
    """Words that carry meaning: folded, not stopwords, at least two characters."""
    sw = stopwords()
    return [w for w in words(text) if w not in sw and len(w) > 1]


def terms(text: str) -> list[str]:
    """Stemmed content words, in order, duplicates kept."""
    return [stem(w) for w in content_words(text)]


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    """English words from pyspellchecker's bundled frequency list (read from the installed package; it
    downloads nothing). Empty when the package is missing, so typo correction then falls back to the index."""
    import gzip
    import json

    try:
        raw = resources.files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return frozenset()
    return frozenset(json.loads(gzip.decompress(raw)))


# The list is American: "organisation", "colour", "recognised" are words here too.
_UK = (
    (re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"our(s|ed|ing)?$"), r"or\1"),
    (re.compile(r"yse(s|d)?$"), r"yze\1"),
    (re.compile(r"tre(s)?$"), r"ter\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
    (re.compile(r"ence(s)?$"), r"ense\1"),
    (re.compile(r"lled$"), "led"),
    (re.compile(r"lling$"), "ling"),
)


def is_english_word(word: str) -> bool | None:
    """True for a real English word (so never "corrected"), False for a non-word, None when unknown
    (no word list installed)."""
    known = _english()
    if not known:
        return None
    if word in known:
        return True
    return any(rx.search(word) and rx.sub(us, word) in known for rx, us in _UK)


def transpositions(word: str) -> set[str]:
    """The word with two neighbouring letters swapped: the slip a hurried typist makes ("reprot")."""
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)} - {word}


# Platforms people type in two words ("face book", "you tube"): read as the one word the policy uses. On the
# question's side only (knowledge.search.analyse): the index's own words never change.
_SPLIT_NAMES = {
    ("face", "book"): "facebook",
    ("you", "tube"): "youtube",
    ("linked", "in"): "linkedin",
    ("tik", "tok"): "tiktok",
    ("insta", "gram"): "instagram",
    ("snap", "chat"): "snapchat",
    ("whats", "app"): "whatsapp",
    ("next", "door"): "nextdoor",
}


def joined(ws: list[str]) -> list[str]:
    """Words with a platform's name typed in two put back together."""
    out: list[str] = []
    i = 0
    while i < len(ws):
        pair = tuple(ws[i : i + 2])
        if pair in _SPLIT_NAMES:
            out.append(_SPLIT_NAMES[pair])
            i += 2
        else:
            out.append(ws[i])
            i += 1
    return out


_SPLIT_NAME_RE = re.compile(r"\b(" + "|".join(rf"{a}\s+{b}" for a, b in _SPLIT_NAMES) + r")\b", re.IGNORECASE)


def split_names_joined(text: str) -> str:
    """The question as the sentence model should read it: "face book" as "facebook" (see `joined`)."""
    return _SPLIT_NAME_RE.sub(lambda m: _SPLIT_NAMES[tuple(m.group(1).lower().split())], text)
