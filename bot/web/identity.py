"""Who is using the web chat: signed session cookies, CSRF tokens, and the two ways of knowing a person.

Local mode (no TED_WEB_USER_HEADER, the default): a person picks who they are from the staff directory and
the choice lives in the signed session cookie. Proxy mode: the intranet's reverse proxy puts the signed-in
person's email in TED_WEB_USER_HEADER, and TED believes that header only when the TCP peer is one of
TED_WEB_TRUSTED_PROXIES. The peer address is used, never X-Forwarded-For, which any client can write.
Picking is switched off in proxy mode.

The cookie is `base64url(JSON).base64url(HMAC-SHA256)`: HttpOnly, SameSite=Lax, Secure when TED_PUBLIC_URL
is https. A CSRF token is an HMAC of the session id and the person's email, so it needs no storage and
changes when the person does; every state-changing request must send it in the X-CSRF-Token header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass

from aiohttp import web

from core.settings import Settings
from handlers.directory import Directory, Person

log = logging.getLogger("ted.web")

PLATFORM = "web"  # the web chat's platform name; its user ids are people's emails (Identity.user_id)
COOKIE = "ted_session"
CSRF_HEADER = "X-CSRF-Token"
SESSION_MAX_AGE = 12 * 3600  # a working day and then some; an expired session simply starts afresh
LOCAL, PROXY = "local", "proxy"
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\\[\]]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63}$")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def normalise_email(text: str | None) -> str:
    """A plausible email address, lower-cased, or "" for anything else."""
    value = (text or "").strip().lower()
    return value if len(value) <= 254 and _EMAIL.match(value) else ""


@dataclass(frozen=True)
class Session:
    sid: str
    email: str = ""  # who the person picked (local mode only)
    issued: int = 0


class SessionCodec:
    def __init__(self, secret: str | bytes, max_age: int = SESSION_MAX_AGE):
        self.key = secret.encode("utf-8") if isinstance(secret, str) else secret
        self.max_age = max_age

    def _sign(self, purpose: str, text: str) -> str:
        return _b64(hmac.new(self.key, f"{purpose}|{text}".encode(), hashlib.sha256).digest())

    def new(self, email: str = "") -> Session:
        return Session(secrets.token_urlsafe(18), email, int(time.time()))

    def dumps(self, s: Session) -> str:
        payload = _b64(json.dumps({"s": s.sid, "e": s.email, "t": s.issued}, separators=(",", ":")).encode())
        return f"{payload}.{self._sign('session', payload)}"

    def loads(self, value: str | None, now: float | None = None) -> Session | None:
        payload, _, sig = (value or "").partition(".")
        if not payload or not sig or not hmac.compare_digest(sig, self._sign("session", payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
            s = Session(str(data["s"]), str(data.get("e", "")), int(data.get("t", 0)))
        except (ValueError, KeyError, TypeError) as exc:  # signed by TED, yet not a session: start afresh
            log.info("web session cookie unreadable error=%s; a new session starts", type(exc).__name__)
            return None
        if not s.sid or (now if now is not None else time.time()) - s.issued > self.max_age:
            return None
        return s

    def csrf_token(self, s: Session, email: str) -> str:
        return self._sign("csrf", f"{s.sid}|{email}")

    def csrf_ok(self, s: Session, email: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token(s, email))


@dataclass(frozen=True)
class Identity:
    """The person behind one request ("" email: nobody signed in, a guest in local mode)."""

    session: Session
    email: str
    person: Person | None
    mode: str
    fresh: bool  # the session cookie must be (re)sent

    @property
    def user_id(self) -> str:
        """The web platform's user id: the email, or a per-session guest id before anyone is picked."""
        return self.email or f"guest-{self.session.sid[:12]}"

    @property
    def name(self) -> str:
        return self.person.name if self.person else self.email

    @property
    def is_admin(self) -> bool:
        return bool(self.person and self.person.active and (self.person.is_admin or self.person.is_comms))


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError as exc:  # a host name other than localhost
        log.debug("TED_HOST is not an IP address (%s): not loopback", type(exc).__name__)
        return False


SESSION_SECRET_KEY = "web_session_secret"  # nosec: the name of the kb_meta row, not a secret


def kept_secret(db) -> bytes:
    """The key for session cookies when TED_WEB_SECRET is unset: made on first use and kept in the database
    (kb_meta), so signed-in people stay signed in across a restart and every process signs alike."""
    db.execute("insert or ignore into kb_meta (key, value) values (?, ?)", [SESSION_SECRET_KEY, secrets.token_hex(32)])
    (value,) = db.execute("select value from kb_meta where key = ?", [SESSION_SECRET_KEY]).fetchone()
    return bytes.fromhex(value)


class WebIdentity:
    def __init__(self, settings: Settings, directory: Directory):
        db = getattr(directory, "db", None)  # none: a stand-in directory, and a key for this process only
        self.codec = SessionCodec(
            settings.web_secret or (kept_secret(db) if db is not None else secrets.token_bytes(32))
        )
        self.header = settings.web_user_header
        self.trusted = [ipaddress.ip_network(n, strict=False) for n in settings.web_trusted_proxies]
        self.secure = settings.public_url.startswith("https://")
        self.directory = directory
        if self.header and not self.trusted:
            log.warning("TED_WEB_USER_HEADER is set but TED_WEB_TRUSTED_PROXIES is empty: nobody can sign in")
        # Picking who you are is for trying TED on your own machine. Reachable from the network, it would let
        # anyone be the Communications Manager, so it needs loopback or an explicit opt-in.
        self.local_allowed = is_loopback(settings.host) or settings.web_allow_local_identity
        if not self.header and not self.local_allowed:
            log.warning(
                "web chat: local sign-in is off because TED_HOST is not loopback; set TED_WEB_USER_HEADER "
                "(production) or TED_WEB_ALLOW_LOCAL_IDENTITY=1 (a trusted test network)"
            )

    @property
    def mode(self) -> str:
        return PROXY if self.header else LOCAL

    def trusted_peer(self, remote: str | None) -> bool:
        try:
            addr = ipaddress.ip_address((remote or "").split("%", 1)[0])
        except ValueError as exc:  # no peer address (e.g. a Unix socket): not a trusted proxy
            log.debug("web peer address is not an IP address (%s): not a trusted proxy", type(exc).__name__)
            return False
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
            addr = addr.ipv4_mapped
        return any(addr in net for net in self.trusted)

    def identify(self, request: web.Request) -> Identity:
        session = self.codec.loads(request.cookies.get(COOKIE))
        fresh = session is None
        if session is None:
            session = self.codec.new()
        if self.header:
            raw = request.headers.get(self.header)
            if raw is not None and not self.trusted_peer(request.remote):
                log.warning("ignored %s from untrusted peer %s", self.header, request.remote)
                raw = None
            email = normalise_email(raw)
            return Identity(session, email, self.directory.get(email) if email else None, PROXY, fresh)
        person = self.directory.get(session.email) if session.email and self.local_allowed else None
        if person is None or not person.active:
            return Identity(session, "", None, LOCAL, fresh)
        return Identity(session, person.email, person, LOCAL, fresh)

    def switch(self, person: Person | None) -> Identity:
        """Local mode: become someone else (or nobody). A new session id, so a new CSRF token and a new
        conversation: the next person does not inherit the last one's context."""
        if not self.local_allowed:
            person = None
        session = self.codec.new(person.email if person else "")
        return Identity(session, person.email if person else "", person, LOCAL, True)

    def csrf_token(self, who: Identity) -> str:
        return self.codec.csrf_token(who.session, who.email)

    def csrf_ok(self, who: Identity, request: web.Request) -> bool:
        return self.codec.csrf_ok(who.session, who.email, request.headers.get(CSRF_HEADER))

    def set_cookie(self, response: web.StreamResponse, who: Identity) -> None:
        response.set_cookie(
            COOKIE,
            self.codec.dumps(who.session),
            httponly=True,
            samesite="Lax",
            secure=self.secure,
            path="/",
            max_age=SESSION_MAX_AGE,
        )
