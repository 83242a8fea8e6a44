"""The signed-in person's routes: who am I, switching person (local mode), my reports, my inbox.

The inbox is the web chat as a delivery channel: the escalation messages the outbox posted for this person
(through bot/web/sender.py, stored by handlers/reports/inbox.py), each with its Acknowledge / Add note /
Reassign / Resolve buttons, pressed through `POST /api/action` like any other button and authorised by the same
handlers as on Slack and Teams.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.endpoint import WebChat, endpoint, require_person
from bot.web.identity import LOCAL, PLATFORM, Identity, normalise_email
from bot.web.input import BadInput, read_json
from bot.web.render import inbox_json, report_json
from handlers import messages


def me_json(w: WebChat, who: Identity) -> dict:
    p = who.person
    return {
        "mode": w.identity.mode,
        "can_switch": can_pick(w),
        "signed_in": bool(who.email),
        "email": who.email,
        "name": who.name,
        "service_area": p.service_area if p else "",
        "roles": sorted(p.roles) if p else [],
        "in_directory": p is not None,
        "is_admin": who.is_admin,
        "csrf_token": w.identity.csrf_token(who),
        "greeting": w.ted.asker.greeting(),
    }


@endpoint()
async def me(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    return web.json_response(me_json(w, who))


def can_pick(w: WebChat) -> bool:
    """Picking who you are: local mode, and TED bound to loopback (or TED_WEB_ALLOW_LOCAL_IDENTITY=1)."""
    return w.identity.mode == LOCAL and w.identity.local_allowed


def refuse_picking(w: WebChat) -> None:
    if w.identity.mode != LOCAL:
        raise BadInput(messages.WEB_NO_PICKING, 403)
    if not w.identity.local_allowed:  # reachable from the network: the directory is not for anyone to list
        raise BadInput(messages.WEB_PICKING_OFF, 403)


@endpoint()
async def people(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    """The directory to pick from: only where picking is allowed (local mode, on loopback or by explicit opt-in).
    In proxy mode the intranet says who you are; bound to the network, anyone could list every member of staff."""
    refuse_picking(w)
    return web.json_response(
        {
            "people": [
                {"email": p.email, "name": p.name, "service_area": p.service_area, "roles": sorted(p.roles)}
                for p in w.ted.directory.everyone()
            ]
        }
    )


@endpoint(write=True)
async def identity(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    refuse_picking(w)
    body = await read_json(request)
    raw = body.get("email")
    if raw is not None and not isinstance(raw, str):
        raise BadInput(messages.WEB_BAD_JSON)
    person = None
    if raw:
        email = normalise_email(raw)
        person = w.ted.directory.get(email) if email else None
        if person is None or not person.active:
            raise BadInput(messages.WEB_UNKNOWN_PERSON, 404, "email")
    new = w.identity.switch(person)
    resp = web.json_response(me_json(w, new))
    w.identity.set_cookie(resp, new)
    return resp


@endpoint()
async def my_reports(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    require_person(w, who)
    rows = w.ted.reports.for_reporter(who.email, PLATFORM, who.user_id)
    return web.json_response({"reports": [report_json(r) for r in rows]})


@endpoint()
async def inbox(request: web.Request, w: WebChat, who: Identity) -> web.Response:
    require_person(w, who)
    rows = w.inbox.for_person(who.email) if who.email else []
    return web.json_response({"messages": [inbox_json(r) for r in rows]})
