"""Teams with authentication on, end to end, on both SDK bindings: TED's real authentication pointed at a fake
OpenID metadata / JWKS endpoint on 127.0.0.1 that publishes a local RSA key, and activities carrying Bot
Framework tokens signed with it. A valid token for TED's app id is accepted; a valid token from another
tenant, or a token that is wrong in any way, is a 401 before anything happens.

Each SDK is pointed at the fake its own way (the `openid` fixture): botbuilder through its configuration
(bot.teams.sdk_botbuilder.auth_config), the Agents SDK through its table of the Bot Framework's key URLs.
The endpoint runs in a thread: botbuilder fetches the keys with blocking `requests.get` inside the event loop.
"""

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.fakes.bot_connector import TENANT
from tests.fakes.teams_world import ALEX, teams_test

APP_ID = "6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
ISSUER = "https://api.botframework.com"  # the Bot Framework's own issuer: tokens from Teams carry it
KID = "ted-test-key"
OUTBOUND = "token-ted-was-given-for-the-connector"
AUTH_ON = dict(
    teams_allow_unauthenticated=False,
    teams_app_id=APP_ID,
    teams_app_password="not-a-real-secret",
    teams_tenant_id=TENANT,
)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class OpenIdEndpoint:
    """/.well-known/openid-configuration and /keys, as login.botframework.com serves them."""

    def __init__(self):
        jwk = {
            **json.loads(RSAAlgorithm.to_jwk(KEY.public_key())),
            "kid": KID,
            "use": "sig",
            "endorsements": ["msteams"],
        }
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                docs = {
                    "/.well-known/openid-configuration": {
                        "issuer": ISSUER,
                        "jwks_uri": f"{outer.base}/keys",
                        "id_token_signing_alg_values_supported": ["RS256"],
                    },
                    "/keys": {"keys": [jwk]},
                }
                body = json.dumps(docs.get(self.path, {})).encode()
                self.send_response(200 if self.path in docs else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def openid(monkeypatch, teams_binding):
    endpoint = OpenIdEndpoint()
    if teams_binding == "agents":
        from microsoft_agents.authentication.msal import MsalAuth
        from microsoft_agents.hosting.core.authorization import _entra_issuers

        monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, ISSUER, f"{endpoint.base}/keys")

        async def outbound(self, resource_url, scopes, force_refresh=False):
            return OUTBOUND

        # TED's own token for calling the connector would come from Entra (MSAL); here it is a fixed string.
        monkeypatch.setattr(MsalAuth, "get_access_token", outbound)
    else:
        from botframework.connector.auth import MicrosoftAppCredentials

        from bot.teams import sdk_botbuilder

        real = sdk_botbuilder.auth_config

        def pointed_at_the_fake(settings, anonymous):
            config = real(settings, anonymous)
            config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = f"{endpoint.base}/.well-known/openid-configuration"
            config.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = ISSUER
            config.TO_CHANNEL_FROM_BOT_LOGIN_URL = f"https://login.microsoftonline.com/{TENANT}"
            config.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE = "https://api.botframework.com"
            return config

        monkeypatch.setattr(sdk_botbuilder, "auth_config", pointed_at_the_fake)
        monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token", lambda self, force_refresh=False: OUTBOUND)
    yield endpoint
    endpoint.close()


def token(service_url: str, key=KEY, **claims) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url, "nbf": now - 10, "exp": now + 600, **claims}
    body = {k: v for k, v in body.items() if v is not None}  # a claim given as None is left out
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": KID})


@teams_test(**AUTH_ON)
async def test_a_valid_token_is_accepted_and_a_wrong_tenant_is_refused(w, openid):
    bearer = {"Authorization": f"Bearer {token(w.connector.service_url)}"}
    status, body = await w.post(w.teams.personal(ALEX, "hello", tenant="tenant-elsewhere"), headers=bearer)
    assert status == 401, body
    assert w.connector.calls == [] and w.ted.db["teams_conversations"].count == 0
    status, body = await w.post(w.teams.personal(ALEX, "can I use the council logo?"), headers=bearer)
    assert status == 200, body
    (reply,) = w.connector.of("reply")
    assert reply.headers["Authorization"] == f"Bearer {OUTBOUND}" and "5.6" in reply.text


@pytest.mark.parametrize(
    "wrong",
    ["another key", "another app", "another issuer", "expired", "no expiry", "unreadable claims", "another service"],
)
@teams_test(**AUTH_ON)
async def test_a_token_wrong_in_any_way_is_401(w, openid, wrong):
    url = w.connector.service_url
    bad = {
        "another key": lambda: token(url, key=OTHER_KEY),
        "another app": lambda: token(url, aud="00000000-0000-0000-0000-000000000000"),
        "another issuer": lambda: token(url, iss="https://sts.evil.example/"),
        "expired": lambda: token(url, exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200),
        "no expiry": lambda: token(url, exp=None),  # good for ever, were it accepted
        "unreadable claims": lambda: "eyJhbGciOiJSUzI1NiJ9." + base64.urlsafe_b64encode(b"[" * 3000).decode() + ".x",
        "another service": lambda: token("https://smba.evil.example/"),
    }[wrong]()
    status, body = await w.post(w.teams.personal(ALEX, "hello"), headers={"Authorization": f"Bearer {bad}"})
    assert status == 401, body
    assert w.connector.calls == [] and w.ted.db["asked"].count == 0
