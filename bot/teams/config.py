"""Whether Teams is on, and in which mode, from the settings alone (no botbuilder import: the server
asks this before paying for the SDK's import, and says why Teams is off when it is)."""

from __future__ import annotations

import ipaddress
import logging

AUTHENTICATED = "Teams"
UNAUTHENTICATED = "Teams (unauthenticated, loopback only)"
log = logging.getLogger("ted.teams.config")
APP_TYPES = {"singletenant": "SingleTenant", "multitenant": "MultiTenant", "userassignedmsi": "UserAssignedMSI"}


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError as exc:  # a host name other than localhost
        log.debug("TED_HOST is not an IP address (%s): not loopback", type(exc).__name__)
        return False


def teams_mode(settings) -> tuple[str, str]:
    """(mode, "") when Teams is on; ("", why it is off) when it is not."""
    s = settings
    if s.teams_allow_unauthenticated:
        if not is_loopback(s.host):
            return "", (
                f"Teams is off: TEAMS_ALLOW_UNAUTHENTICATED=1 is refused because TED_HOST={s.host} is not "
                "a loopback address (it is for the Bot Framework Emulator and tests on 127.0.0.1 only). "
                "Unset it and set TEAMS_APP_ID and TEAMS_APP_PASSWORD."
            )
        return UNAUTHENTICATED, ""
    if not s.teams_app_id and not s.teams_app_password:
        return "", "Teams is off: TEAMS_APP_ID and TEAMS_APP_PASSWORD are not set (see README, Microsoft Teams)."
    app_type = APP_TYPES.get(s.teams_app_type.strip().lower())
    if app_type is None:
        return "", (f"Teams is off: TEAMS_APP_TYPE={s.teams_app_type} is not one of {', '.join(APP_TYPES.values())}.")
    missing = [
        name
        for name, value in (("TEAMS_APP_ID", s.teams_app_id), ("TEAMS_APP_PASSWORD", s.teams_app_password))
        if not value and not (name == "TEAMS_APP_PASSWORD" and app_type == "UserAssignedMSI")
    ]
    if app_type in ("SingleTenant", "UserAssignedMSI") and not s.teams_tenant_id:
        missing.append("TEAMS_TENANT_ID")
    if missing:
        return "", f"Teams is off: {app_type} needs {', '.join(missing)} as well."
    return AUTHENTICATED, ""


def off_level(settings) -> int:
    """How loudly to say Teams is off: an error for a refused TEAMS_ALLOW_UNAUTHENTICATED, a warning for
    half a configuration, plain information when Teams was never configured."""
    if settings.teams_allow_unauthenticated:
        return logging.ERROR
    if settings.teams_app_id or settings.teams_app_password or settings.teams_tenant_id:
        return logging.WARNING
    return logging.INFO
