"""Who is using the web chat: local picking, the reverse proxy's header (trusted only from configured
addresses), signed sessions and CSRF tokens."""

import aiohttp
import pytest

from bot.web.identity import SessionCodec, WebIdentity, normalise_email
from core.settings import Settings
from handlers import messages
from tests.fakes.web_world import ALEX, CASEY, web_test
from tests.fakes.world import SUPPLIER

PROXY = {"web_user_header": "X-Forwarded-Email", "web_trusted_proxies": ("127.0.0.1/32", "::1/128")}


@web_test()
async def test_local_mode_lets_a_person_pick_who_they_are_from_the_directory(w):
    b = await w.browser()
    me = await b.me()
    assert (me["mode"], me["can_switch"], me["signed_in"]) == ("local", True, False)
    _, people = await b.get("/api/people")
    assert ALEX in [p["email"] for p in people["people"]]
    old_token = b.csrf
    me = await b.sign_in(ALEX)
    assert me["name"] == "Alex Reed" and me["signed_in"] and not me["is_admin"]
    assert me["csrf_token"] != old_token
    status, out = await b.post("/api/chat", {"text": SUPPLIER}, headers={"X-CSRF-Token": old_token})
    assert status == 403 and out["error"] == messages.WEB_CSRF  # the token belonged to the guest session
    status, out = await b.post("/api/identity", {"email": "nobody@tendring.example"})
    assert status == 404 and out["error"] == messages.WEB_UNKNOWN_PERSON
    status, out = await b.post("/api/identity", {"email": ["x"]})
    assert status == 400
    assert (await b.me())["email"] == ALEX
    me = await b.sign_in(CASEY)
    assert me["is_admin"] and "communications_manager" in me["roles"]
    status, me = await b.post("/api/identity", {"email": ""})
    assert status == 200 and not me["signed_in"]


@web_test()
async def test_every_state_changing_request_needs_the_sessions_csrf_token(w):
    alex, other = await w.browser(ALEX), await w.browser()
    for path, body in (
        ("/api/chat", {"text": "hi"}),
        ("/api/action", {"action_id": "ted.feedback.up"}),
        ("/api/identity", {"email": CASEY}),
    ):
        assert (await alex.post(path, body, csrf=False))[0] == 403, path
        status, out = await alex.post(path, body, headers={"X-CSRF-Token": other.csrf})
        assert status == 403 and out["error"] == messages.WEB_CSRF, path
        assert (await alex.post(path, body, headers={"X-CSRF-Token": alex.csrf + "x"}))[0] == 403, path
    assert (await alex.me())["email"] == ALEX  # the forged switch did nothing
    assert w.ted.db["asked"].count == 0


@web_test()
async def test_a_tampered_session_cookie_is_a_new_guest_session(w):
    b = await w.browser(ALEX)
    cookie = next(c for c in b.http.cookie_jar if c.key == "ted_session")
    payload, sig = cookie.value.split(".")
    forged = SessionCodec(b"someone else's secret").dumps(w.web.identity.codec.loads(cookie.value))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as raw:
        for bad in (cookie.value, forged, payload + "." + sig[::-1], "garbage", ""):
            async with raw.get(w.base + "/api/me", headers={"Cookie": f"ted_session={bad}"}) as r:
                me = await r.json()
            assert r.status == 200 and me["signed_in"] == (bad == cookie.value), bad


@web_test(**PROXY)
async def test_proxy_mode_believes_the_header_from_a_trusted_proxy_and_disables_picking(w):
    b = await w.browser(headers={"X-Forwarded-Email": " Alex.Lifeguard@Tendring.example "})
    me = await b.me()
    assert (me["mode"], me["can_switch"], me["email"], me["name"]) == ("proxy", False, ALEX, "Alex Reed")
    assert (await b.get("/api/people"))[0] == 403
    status, out = await b.post("/api/identity", {"email": CASEY})
    assert status == 403 and out["error"] == messages.WEB_NO_PICKING
    assert (await w.ask(SUPPLIER, as_=b))[0]["citations"][0]["clause"] == "5.13"
    nobody = await w.browser()
    me = await nobody.me()
    assert not me["signed_in"]
    status, out = await nobody.post("/api/chat", {"text": SUPPLIER})
    assert status == 401 and out["error"] == messages.WEB_NOT_SIGNED_IN
    assert (await nobody.get("/api/inbox"))[0] == 401
    assert (await nobody.post("/api/ask", {"question": SUPPLIER}, csrf=False))[0] == 401
    odd = await w.browser(headers={"X-Forwarded-Email": "<script>@x"})
    assert not (await odd.me())["signed_in"]


@web_test(web_user_header="X-Forwarded-Email", web_trusted_proxies=("10.0.0.0/8",))
async def test_the_header_is_ignored_from_an_address_that_is_not_a_trusted_proxy(w):
    b = await w.browser(headers={"X-Forwarded-Email": CASEY, "X-Forwarded-For": "10.1.2.3"})
    me = await b.me()
    assert not me["signed_in"] and not me["is_admin"]
    assert (await b.get("/api/admin"))[0] == 401
    assert (await b.post("/api/chat", {"text": SUPPLIER}))[0] == 401


def test_trusted_proxies_match_addresses_and_blocks_and_nothing_else():
    ident = WebIdentity(
        Settings(web_user_header="X-Email", web_trusted_proxies=("10.0.0.0/8", "192.168.1.5/32", "fd00::/8")), None
    )
    assert ident.trusted_peer("10.20.30.40") and ident.trusted_peer("192.168.1.5")
    assert ident.trusted_peer("::ffff:10.0.0.1") and ident.trusted_peer("fd00::1")
    for peer in ("192.168.1.6", "127.0.0.1", "", None, "not-an-ip", "11.0.0.1"):
        assert not ident.trusted_peer(peer), peer


def test_trusted_proxies_setting_is_checked_at_start():
    s = Settings.from_env(
        {"TED_WEB_USER_HEADER": "X-Forwarded-Email", "TED_WEB_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12,,"}
    )
    assert s.web_trusted_proxies == ("10.0.0.1/32", "172.16.0.0/12") and s.web_user_header == "X-Forwarded-Email"
    with pytest.raises(ValueError, match="TED_WEB_TRUSTED_PROXIES"):
        Settings.from_env({"TED_WEB_TRUSTED_PROXIES": "10.0.0.300"})


def test_sessions_expire_and_emails_are_checked():
    codec = SessionCodec("secret", max_age=60)
    s = codec.new(ALEX)
    assert codec.loads(codec.dumps(s)) == s
    assert codec.loads(codec.dumps(s), now=s.issued + 61) is None
    assert codec.csrf_ok(s, ALEX, codec.csrf_token(s, ALEX)) and not codec.csrf_ok(s, CASEY, codec.csrf_token(s, ALEX))
    assert normalise_email("A@B.example") == "a@b.example"
    for bad in ("", "no-at-sign", "a b@c.example", "x@y", "<a>@b.example", "a@b@c.example", "a" * 300 + "@b.uk"):
        assert normalise_email(bad) == "", bad


def test_local_picker_is_off_when_not_bound_to_loopback():
    from bot.web.identity import WebIdentity, is_loopback
    from core.settings import Settings as S

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.5")

    class Dir:
        def get(self, email):
            from handlers.directory import Person

            return Person(email, "Casey", roles=frozenset({"communications_manager"}))

    exposed = WebIdentity(S(host="0.0.0.0"), Dir())
    assert exposed.switch(Dir().get("casey.comms@tendring.example")).person is None
    opted_in = WebIdentity(S(host="0.0.0.0", web_allow_local_identity=True), Dir())
    assert opted_in.switch(Dir().get("casey.comms@tendring.example")).person is not None


@web_test()
async def test_a_signed_in_session_survives_a_restart_without_a_configured_secret(w):
    from bot.web.identity import WebIdentity

    alex = await w.browser(ALEX)
    cookie = next(iter(alex.http.cookie_jar)).value
    again = WebIdentity(w.ted.settings, w.ted.directory)  # what the next `ted serve` on this database makes
    assert again.codec.loads(cookie) is not None
