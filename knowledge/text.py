"""Text normalisation for matching: folding, tokenising, a light stemmer, stopwords.

Questions arrive from chat with mention syntax, curly quotes, emoji and the odd typo; the
index holds policy prose. Both go through the same functions here so they meet halfway.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

import snowballstemmer

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                         "\u2014": "-", "\u00a0": " "})
# Slack/Teams mention and link syntax: <@U123>, <!channel>, <#C123|name>, <https://x|label>
_CHAT_MARKUP = re.compile(r"<[@!#][^>]*>|<(?:https?|mailto):[^>|]*(?:\|([^>]*))?>")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case-fold and normalise quotes, dashes, accents and white space."""
    if not text.isascii():  # most policy text is plain ASCII: skip the per-character work
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _SPACE.sub(" ", text).strip().lower()


def strip_chat_markup(text: str) -> str:
    """Remove mention syntax so it never reaches search or gets echoed back live."""
    return _CHAT_MARKUP.sub(lambda m: m.group(1) or " ", text)


def words(text: str) -> list[str]:
    """Folded words, apostrophes dropped ("council's" -> "councils" -> stem "council")."""
    return [w.replace("'", "") for w in _WORD.findall(fold(text))]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    raw = resources.files("knowledge.data").joinpath("stopwords.txt").read_text("utf-8")
    return frozenset(w.strip() for w in raw.split() if w.strip() and not w.startswith("#"))


_STEMMER = snowballstemmer.stemmer("english")


# Irregular past forms the stemmer can't join to their verb ("swore" -> "swear"), for the verbs people
# use when describing abuse or being contacted.
_IRREGULAR = {"swore": "swear", "sworn": "swear", "rang": "ring", "rung": "ring", "sent": "send",
              "told": "tell", "wrote": "write", "written": "write", "threatened": "threaten"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """English (Porter2) stem: post/posts/posting/posted -> post; swore/swears -> swear."""
    return _STEMMER.stemWord(_IRREGULAR.get(word, word))


def content_words(text: str) -> list[str]:
    """Words that carry meaning: folded, not stopwords, at least two characters."""
    sw = stopwords()
    return [w for w in words(text) if w not in sw and len(w) > 1]


def terms(text: str) -> list[str]:
    """Stemmed content words, in order, duplicates kept."""
    return [stem(w) for w in content_words(text)]
