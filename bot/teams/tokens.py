"""Card submit tokens that TED issues, so only TED's own buttons act.

Every Action.Submit on a card TED sends carries a fresh ``nonce`` and a ``sig``: an HMAC-SHA256, keyed with a
secret kept in this installation's SQLite (kb_meta), over the nonce, the action, its value, the card a form
updates (``origin``) and whether it is a form. A submit that was not signed by TED, or whose data was changed
(say, to point ``origin`` at another card), is refused before anything happens; a signed one is still acted on
once only (bot.teams.turns records the nonce on first use).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

import sqlite_utils

SECRET_KEY = "teams_card_secret"  # nosec: the name of the kb_meta row, not a secret
SIG_CHARS = 32  # 128 bits of the HMAC, hex


class CardSigner:
    def __init__(self, secret: bytes):
        if len(secret) < 16:
            raise ValueError("the card-signing secret is too short")
        self._secret = secret

    @classmethod
    def for_db(cls, db: sqlite_utils.Database) -> CardSigner:
        """This installation's signer; the secret is made on first use and kept in kb_meta (the connection
        autocommits, see core.db.connect, so the first writer wins and every process reads the same one)."""
        db.execute("insert or ignore into kb_meta (key, value) values (?, ?)", [SECRET_KEY, secrets.token_hex(32)])
        (value,) = db.execute("select value from kb_meta where key = ?", [SECRET_KEY]).fetchone()
        return cls(bytes.fromhex(value))

    def sign(self, nonce: str, action_id: str, value: str, origin: str = "", form: bool = False) -> str:
        message = json.dumps([nonce, action_id, value, origin, bool(form)], ensure_ascii=False).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:SIG_CHARS]

    def verify(self, sig: str, nonce: str, action_id: str, value: str, origin: str = "", form: bool = False) -> bool:
        if not sig or not nonce:
            return False
        return hmac.compare_digest(sig, self.sign(nonce, action_id, value, origin, form))

    def sign_card(self, content: dict) -> dict:
        """Adds ``sig`` to every Action.Submit in an Adaptive Card that carries a nonce (in place)."""

        def walk(node) -> None:
            if isinstance(node, dict):
                data = node.get("data") if node.get("type") == "Action.Submit" else None
                if isinstance(data, dict) and data.get("nonce"):
                    data["sig"] = self.sign(
                        data["nonce"],
                        str(data.get("action_id", "")),
                        str(data.get("value", "")),
                        str(data.get("origin", "")),
                        bool(data.get("form")),
                    )
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(content)
        return content
