"""The web chat's sessions for remote users: a random id in a signed, HttpOnly, SameSite=Lax cookie.

The id names the conversation ("web:session-<id>") and the user a link code links, so a client can
neither choose nor guess another's. The cookie is signed with WEB_SESSION_SECRET by itsdangerous
(the signer Starlette's SessionMiddleware uses; the middleware itself would sit in front of every
route of the shared app, the Telegram and Slack webhooks too, and fixes `Secure` at start-up where
this follows each request's scheme). Each signature carries its time: a cookie older than
`web.session_ttl_minutes` is refused, and every message signs it again, so a session ends after that
long without a message.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from adapters.pacing import EpochClock

SESSION_COOKIE = "opsbot_session"
SESSION_PREFIX = "session-"  # conversation ids of sessions; the local picker's names may not start so
_SALT = "opsbot.web.session"
MIN_SECRET_CHARS = 32


@dataclass(frozen=True, slots=True)
class WebSession:
    id: str  # 22 url-safe characters: 128 random bits

    @property
    def user_id(self) -> str:
        """The chat's user and conversation id: "session-<id>"."""
        return f"{SESSION_PREFIX}{self.id}"


class CookieState(Enum):
    NONE = "none"  # no cookie: a new visitor
    VALID = "valid"
    EXPIRED = "expired"  # signed by us, but too old: a new session starts
    TAMPERED = "tampered"  # not signed by us (or mangled): refused


@dataclass(frozen=True, slots=True)
class CookieRead:
    state: CookieState
    session: WebSession | None = None


class SessionCookies:
    """Issue and check session cookies; `clock` tells the time the signatures carry (epoch seconds)."""

    def __init__(self, secret: str, *, ttl: timedelta, clock: EpochClock = time.time) -> None:
        if not secret:
            raise ValueError("a session secret is required (WEB_SESSION_SECRET)")

        class _Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock())

        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT, signer=_Signer)
        self._ttl = ttl

    def new(self) -> WebSession:
        return WebSession(secrets.token_urlsafe(16))

    def read(self, request: Request) -> CookieRead:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return CookieRead(CookieState.NONE)
        try:
            data = self._serializer.loads(raw, max_age=int(self._ttl.total_seconds()))
        except SignatureExpired:
            return CookieRead(CookieState.EXPIRED)
        except BadSignature:
            return CookieRead(CookieState.TAMPERED)
        sid = data.get("sid") if isinstance(data, dict) else None
        if not isinstance(sid, str) or not 16 <= len(sid) <= 64:
            return CookieRead(CookieState.TAMPERED)
        return CookieRead(CookieState.VALID, WebSession(sid))

    def write(self, response: Response, session: WebSession, request: Request) -> None:
        """Set (or renew) the cookie: HttpOnly, SameSite=Lax, Secure when the request came over HTTPS."""
        response.set_cookie(
            SESSION_COOKIE,
            self._serializer.dumps({"sid": session.id}),
            max_age=int(self._ttl.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )

    def clear(self, response: Response, request: Request) -> None:
        response.delete_cookie(
            SESSION_COOKIE, httponly=True, samesite="lax", secure=request.url.scheme == "https", path="/"
        )
