"""The one settings object, read from the environment in one place.

Every variable here is documented in README.md (a test checks that).
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DB = "var/ted.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# The report categories TED_ACK_HOURS and TED_RESOLVE_DAYS name (handlers/reports/form.py has their labels).
REPORT_CATEGORIES = ("disparaging", "abuse_me", "abuse_colleague", "colleague_breach", "other")
MAX_SETTING = 1_000_000  # no count, hour or day TED reads comes near it
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DIGEST_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TEAMS_SDKS = ("botbuilder", "agents")  # TEAMS_SDK: which SDK carries Teams (bot/teams/sdk_*.py)


_CLOCK = re.compile(r"^\d\d:\d\d$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
MAX_WORKERS = 64


def _confidence(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    try:
        value = float(text) if text else default
        if text and not 0.0 <= value <= 1.0:  # also refuses nan
            raise ValueError
    except ValueError as exc:
        raise ValueError(f"{name} must be a number between 0 and 1, not {text!r}") from exc
    return value


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, not {text!r}") from exc
    if not math.isfinite(value):  # "nan" and "inf" parse, and would switch a limit off or crash later
        raise ValueError(f"{name} must be an ordinary number, not {text!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    if value > MAX_SETTING:
        raise ValueError(f"{name} is far too big ({text}); use a number up to {MAX_SETTING:,}")
    return value


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    value = _number(env, name, default)
    if value != int(value):
        raise ValueError(f"{name} must be a whole number, not {env.get(name, '').strip()!r}")
    return int(value)


def _networks(text: str) -> tuple[str, ...]:
    """TED_WEB_TRUSTED_PROXIES: comma-separated IP addresses or CIDR blocks, checked here so a typo fails at start."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError as exc:
            raise ValueError(f"TED_WEB_TRUSTED_PROXIES: {part!r} is not an IP address or CIDR block") from exc
    return tuple(out)


def _teams_sdk(text: str) -> str:
    value = text.strip().lower() or TEAMS_SDKS[0]
    if value not in TEAMS_SDKS:
        raise ValueError(f"TEAMS_SDK must be botbuilder or agents, not {text.strip()!r}.")
    return value


def _table(spec: str) -> dict[str, float]:
    table = {}
    for part in spec.split(","):
        key, _, value = part.partition("=")
        if key.strip() and value.strip():
            table[key.strip()] = float(value)
    return table


def _per_category(spec: str, defaults: str, category: str, default: float) -> float:
    """ "abuse_me=1" -> the number for `category`: as set, else as the documented defaults have it (setting one
    category leaves the others as they were), else `other`'s, else `default`."""
    table = _table(defaults) | _table(spec)
    return table.get(category, table.get("other", default))


def _digest_day(text: str) -> str:
    """ "mon", "Monday", "off": a day's first three letters, but only of a day's name ("monkey" is no day)."""
    value = text.strip().lower() or "mon"
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    if value == "off" or (len(value) >= 3 and any(n.startswith(value) for n in names)):
        return value[:3]
    raise ValueError(
        f"TED_DIGEST_DAY must be one of {', '.join(DIGEST_DAYS)} (or the day's name) or off, not {text.strip()!r}"
    )


_ON, _OFF = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    """An on/off setting: 1/true/yes/on or 0/false/no/off (any case); unset or empty is the default. Anything
    else is refused, never read as "off" (TED_PSEUDONYMISE_QUESTIONS=enabled must not leave names in the tables)."""
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value in _ON | _OFF:
        return value in _ON
    raise ValueError(f"{name} must be 1 or 0 (or true/false, yes/no, on/off), not {env.get(name)!r}")


def _public_url(value: str) -> str:
    url = value.strip().rstrip("/")
    if url and not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
        raise ValueError(
            f"TED_PUBLIC_URL must be the address people reach TED at, starting https:// or http://, not {value!r}"
        )
    scheme, sep, rest = url.partition("://")  # "HTTPS://…" is https (Secure cookies and links check for it)
    return f"{scheme.lower()}{sep}{rest}" if sep else url


@dataclass(frozen=True)
class Settings:
    db_path: str = DEFAULT_DB
    host: str = "127.0.0.1"
    port: int = 3978
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = DEFAULT_SLACK_API_URL
    comms_slack_channel: str = ""
    teams_app_id: str = ""
    teams_app_password: str = ""
    teams_app_type: str = "SingleTenant"
    teams_tenant_id: str = ""
    teams_allow_unauthenticated: bool = False
    teams_sdk: str = "botbuilder"  # or "agents": the Microsoft 365 Agents SDK
    comms_teams_conversation: str = ""  # a Teams channel conversation id TED holds a reference for
    public_url: str = ""
    fallback_contact: str = "the Communications Manager"
    min_confidence: float = -1.0  # below 0 (unset): the calibrated thresholds in knowledge/data/ranking.json
    # A "not covered" at this confidence or more still offers the closest clauses as "Did you mean" (1: never).
    suggest_confidence: float = 0.3
    semantic: bool = True  # the sentence-embedding signal (TED_SEMANTIC=0 turns it off)
    log_level: str = "INFO"
    log_level_set: bool = False
    working_hours: str = "09:00-17:00"
    timezone: str = "Europe/London"
    ack_hours: str = "abuse_me=4,abuse_colleague=4,disparaging=8,colleague_breach=8,other=8"
    resolve_days: str = "abuse_me=5,abuse_colleague=5,disparaging=10,colleague_breach=10,other=10"
    reminder_hours: float = 2.0
    at_risk_ack_minutes: int = 30
    retention_days: int = 365
    # Questions are personal data (UK GDPR): asked, unanswered, feedback and conversation memory are deleted
    # after this many days (handlers/ask/retention.py, run by the scheduler), and optionally kept pseudonymised.
    question_retention_days: int = 90
    pseudonymise_questions: bool = False
    pseudonym_key: str = ""  # the pseudonymisation key, kept outside the database; "" = one kept in it
    # Named on /privacy and /accessibility: who handles data-protection requests and accessibility problems.
    dpo_contact: str = "the council's Data Protection Officer"
    accessibility_contact: str = ""  # "" = fallback_contact
    outbox_interval_seconds: float = 2.0
    scheduler_interval_seconds: float = 60.0
    # TED Web Chat (bot/web/). With no user header, people pick who they are (local mode).
    web_user_header: str = ""  # e.g. X-Forwarded-Email, set by the intranet's reverse proxy
    web_trusted_proxies: tuple[str, ...] = ()  # IPs/CIDRs whose web_user_header is believed
    web_allow_local_identity: bool = False  # pick-who-you-are sign-in even when not bound to loopback
    web_secret: str = ""  # signs session cookies; "" = a random secret per process
    web_upload_dir: str = ""  # screenshots; "" = an "uploads" folder beside the database
    # The weekly knowledge-base digest (handlers/curation/reminders.py), in TED_TIMEZONE; day "off" = none.
    digest_day: str = "mon"
    digest_time: str = "09:00"
    # Screenshots per person per hour (count, and megabytes), and hours before one no report kept is removed
    upload_quota_count: int = 20
    upload_quota_mb: float = 50.0
    upload_orphan_hours: float = 24.0
    # Slow clients (bot/guard.py): a request's headers, and then its body, must arrive within these
    header_timeout_seconds: float = 15.0
    body_timeout_seconds: float = 60.0
    # /healthz: not ok when more notifications than this wait, or one has waited longer than this
    health_outbox_max: int = 100
    health_outbox_minutes: float = 15.0
    # `ted serve` answers in this many worker threads, each with its own connection (bot/pool.py); 0 = on the loop
    workers: int = 2

    def check(self) -> Settings:
        """Refuse settings that would only fail later (when someone files a report). Returns self."""
        from datetime import time
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        start, _, end = self.working_hours.partition("-")
        try:
            if not (_CLOCK.match(start.strip()) and _CLOCK.match(end.strip())):
                raise ValueError  # no seconds, no offsets: working hours are in TED_TIMEZONE
            if time.fromisoformat(end.strip()) <= time.fromisoformat(start.strip()):
                raise ValueError
        except ValueError as exc:
            raise ValueError(f"TED_WORKING_HOURS must look like 09:00-17:00, not {self.working_hours!r}") from exc
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"TED_TIMEZONE must be a time zone name like Europe/London, not {self.timezone!r}"
            ) from exc
        for name, spec, unit in (
            ("TED_ACK_HOURS", self.ack_hours, "hours"),
            ("TED_RESOLVE_DAYS", self.resolve_days, "working days"),
        ):
            for part in spec.split(","):
                key, _, value = part.partition("=")
                try:
                    amount = float(value)
                except ValueError:
                    amount = -1
                if not key.strip() or not 0 < amount <= 1000:
                    raise ValueError(
                        f"{name} must look like abuse_me=4,disparaging=8 ({unit} between 0 and 1000), not {spec!r}"
                    )
                if key.strip() not in REPORT_CATEGORIES:
                    raise ValueError(
                        f"{name}: {key.strip()!r} is not a report category (use {', '.join(REPORT_CATEGORIES)})"
                    )
        if self.log_level not in LOG_LEVELS:
            raise ValueError(f"TED_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}")
        if self.at_risk_ack_minutes < 1:
            raise ValueError("TED_AT_RISK_ACK_MINUTES must be at least 1 (0 would escalate again at every tick)")
        if self.retention_days < 1:
            raise ValueError("TED_REPORT_RETENTION_DAYS must be at least 1 (0 would purge a report as it is resolved)")
        if not 0 <= self.workers <= MAX_WORKERS:
            raise ValueError(f"TED_WORKERS must be from 0 to {MAX_WORKERS} (each holds a database connection)")
        if self.web_user_header and not _HEADER_NAME.match(self.web_user_header):
            raise ValueError(
                f"TED_WEB_USER_HEADER must be an HTTP header name like X-Forwarded-Email, not {self.web_user_header!r}"
            )
        api = urlsplit(self.slack_api_url)
        if api.scheme not in ("http", "https") or not api.netloc:
            raise ValueError(
                f"SLACK_API_URL must be an http(s) address like {DEFAULT_SLACK_API_URL}, not {self.slack_api_url!r}"
            )
        if self.question_retention_days < 1:
            raise ValueError("TED_QUESTION_RETENTION_DAYS must be at least 1 (follow-ups need the question before)")
        _teams_sdk(self.teams_sdk)
        if self.reminder_hours <= 0 or self.reminder_hours > 1000:
            raise ValueError("TED_REMINDER_HOURS must be more than 0 and at most 1000")
        if self.digest_day not in (*DIGEST_DAYS, "off"):
            raise ValueError(f"TED_DIGEST_DAY must be one of {', '.join(DIGEST_DAYS)} or off, not {self.digest_day!r}")
        try:
            if not _CLOCK.match(self.digest_time):
                raise ValueError  # "0900" or "09:00+05:00" would be read as something else, or the offset dropped
            time.fromisoformat(self.digest_time)
        except ValueError as exc:
            raise ValueError(f"TED_DIGEST_TIME must look like 09:00, not {self.digest_time!r}") from exc
        for name, value in (
            ("TED_HEADER_TIMEOUT_SECONDS", self.header_timeout_seconds),
            ("TED_BODY_TIMEOUT_SECONDS", self.body_timeout_seconds),
            ("TED_UPLOAD_ORPHAN_HOURS", self.upload_orphan_hours),
            ("TED_HEALTH_OUTBOX_MINUTES", self.health_outbox_minutes),
        ):
            if value <= 0:  # 0 would switch the limit off without saying so
                raise ValueError(f"{name} must be more than 0")
        return self

    def ack_hours_for(self, category: str) -> float:
        """Working hours allowed to acknowledge a report of this category (TED_ACK_HOURS)."""
        return _per_category(self.ack_hours, type(self).ack_hours, category, 8.0)

    def resolve_days_for(self, category: str) -> float:
        """Working days from filing to an outcome for a report of this category (TED_RESOLVE_DAYS)."""
        return _per_category(self.resolve_days, type(self).resolve_days, category, 10.0)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        port_text = e.get("TED_PORT", "3978").strip() or "3978"
        try:
            port = int(port_text)
        except ValueError as exc:
            raise ValueError(f"TED_PORT must be a whole number, not {port_text!r}") from exc
        if not 0 <= port <= 65535:
            raise ValueError(f"TED_PORT must be a port number from 1 to 65535 (0: any free port), not {port_text!r}")
        min_conf = _confidence(e, "TED_MIN_CONFIDENCE", -1.0)  # unset: the calibrated thresholds
        suggest = _confidence(e, "TED_SUGGEST_CONFIDENCE", 0.3)
        return cls(
            db_path=os.path.expanduser(e.get("TED_DB", "").strip() or DEFAULT_DB),
            host=e.get("TED_HOST", "").strip() or "127.0.0.1",
            port=port,
            slack_bot_token=e.get("SLACK_BOT_TOKEN", "").strip(),
            slack_signing_secret=e.get("SLACK_SIGNING_SECRET", "").strip(),
            slack_app_token=e.get("SLACK_APP_TOKEN", "").strip(),
            slack_api_url=e.get("SLACK_API_URL", "").strip() or DEFAULT_SLACK_API_URL,
            comms_slack_channel=e.get("TED_COMMS_SLACK_CHANNEL", "").strip(),
            teams_app_id=e.get("TEAMS_APP_ID", "").strip(),
            teams_app_password=e.get("TEAMS_APP_PASSWORD", "").strip(),
            teams_app_type=e.get("TEAMS_APP_TYPE", "").strip() or "SingleTenant",
            teams_tenant_id=e.get("TEAMS_TENANT_ID", "").strip(),
            teams_allow_unauthenticated=_flag(e, "TEAMS_ALLOW_UNAUTHENTICATED"),
            teams_sdk=_teams_sdk(e.get("TEAMS_SDK", "")),
            comms_teams_conversation=e.get("TED_COMMS_TEAMS_CONVERSATION", "").strip(),
            public_url=_public_url(e.get("TED_PUBLIC_URL", "")),
            fallback_contact=e.get("TED_FALLBACK_CONTACT", "").strip() or "the Communications Manager",
            min_confidence=min_conf,
            suggest_confidence=suggest,
            semantic=_flag(e, "TED_SEMANTIC", default=True),
            log_level=e.get("TED_LOG_LEVEL", "").strip().upper() or "INFO",
            log_level_set=bool(e.get("TED_LOG_LEVEL", "").strip()),
            working_hours=e.get("TED_WORKING_HOURS", "").strip() or "09:00-17:00",
            timezone=e.get("TED_TIMEZONE", "").strip() or "Europe/London",
            ack_hours=e.get("TED_ACK_HOURS", "").strip() or cls.ack_hours,
            resolve_days=e.get("TED_RESOLVE_DAYS", "").strip() or cls.resolve_days,
            reminder_hours=_number(e, "TED_REMINDER_HOURS", 2.0),
            at_risk_ack_minutes=_whole(e, "TED_AT_RISK_ACK_MINUTES", 30),
            retention_days=_whole(e, "TED_REPORT_RETENTION_DAYS", 365),
            question_retention_days=_whole(e, "TED_QUESTION_RETENTION_DAYS", 90),
            pseudonymise_questions=_flag(e, "TED_PSEUDONYMISE_QUESTIONS"),
            pseudonym_key=e.get("TED_PSEUDONYM_KEY", "").strip(),
            dpo_contact=e.get("TED_DPO_CONTACT", "").strip() or cls.dpo_contact,
            accessibility_contact=e.get("TED_ACCESSIBILITY_CONTACT", "").strip(),
            web_user_header=e.get("TED_WEB_USER_HEADER", "").strip(),
            web_trusted_proxies=_networks(e.get("TED_WEB_TRUSTED_PROXIES", "")),
            web_allow_local_identity=_flag(e, "TED_WEB_ALLOW_LOCAL_IDENTITY"),
            web_secret=e.get("TED_WEB_SECRET", "").strip(),
            web_upload_dir=e.get("TED_WEB_UPLOADS", "").strip(),
            digest_day=_digest_day(e.get("TED_DIGEST_DAY", "")),
            digest_time=e.get("TED_DIGEST_TIME", "").strip() or "09:00",
            upload_quota_count=_whole(e, "TED_UPLOAD_QUOTA_COUNT", 20),
            upload_quota_mb=_number(e, "TED_UPLOAD_QUOTA_MB", 50.0),
            upload_orphan_hours=_number(e, "TED_UPLOAD_ORPHAN_HOURS", 24.0),
            header_timeout_seconds=_number(e, "TED_HEADER_TIMEOUT_SECONDS", 15.0),
            body_timeout_seconds=_number(e, "TED_BODY_TIMEOUT_SECONDS", 60.0),
            health_outbox_max=_whole(e, "TED_HEALTH_OUTBOX_MAX", 100),
            health_outbox_minutes=_number(e, "TED_HEALTH_OUTBOX_MINUTES", 15.0),
            workers=_whole(e, "TED_WORKERS", 2),
        )

    @property
    def accessibility_contact_or_default(self) -> str:
        return self.accessibility_contact or self.fallback_contact

    @property
    def base_url(self) -> str:
        """Where people reach the web chat (used for links to clauses from Slack and Teams)."""
        return self.public_url or f"http://{self.host}:{self.port}"

    def db_file(self) -> Path:
        return Path(self.db_path)
