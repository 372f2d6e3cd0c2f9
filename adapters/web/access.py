"""Who may use the web surfaces: one set of rules for the chat, the console, /web/files and the push API.

- **Local** means a loopback client, with a loopback Host (against DNS rebinding) and no forwarding
  header (a reverse proxy on this machine makes every client look local; its X-Forwarded-For gives
  it away). Local mode (`web.allow_remote` off) serves local requests only.
- **A change** must be JSON from the page's own origin (CSRF): a `text/plain` form post from another
  site is refused by its Content-Type, and a request whose Origin or Sec-Fetch-Site names another
  site is refused.
- **Headers:** every response carries a Content-Security-Policy whose `frame-ancestors` is 'none'
  (plus X-Frame-Options: DENY), or the allow-list `web.embed_origins` for portals that embed the chat.
- **Tokens** (the console's, the push API's) are compared in constant time.
- **Rates:** `RateLimits` counts hits per key in the shared `limits` storage (Redis with REDIS_URL).
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from adapters.pacing import EpochClock, storage_from_uri

COOKIE = "opsbot_agent"
_LOOPBACK_NAMES = {"localhost", "testclient"}  # "testclient": Starlette's TestClient's client address
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
LOCAL_ONLY = "the web chat is for local use (set web.allow_remote to serve other machines)"
CONSOLE_LOCAL_ONLY = (
    "the agent console is for local use; to open it to other machines set web.allow_remote "
    "and the AGENT_CONSOLE_TOKEN environment variable"
)
NO_TOKEN = (
    "web.allow_remote is on, so the agent console needs an agent token, and none is configured: "
    "set the AGENT_CONSOLE_TOKEN environment variable"
)
_SAME_ORIGIN_FETCHES = {"same-origin", "none"}  # "none": the user typed the address


def is_loopback_name(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def client_address(request: Request) -> str:
    """The client's address (the proxy's X-Forwarded-For when the server runs with --proxy-headers)."""
    return request.client.host if request.client else ""


def is_local_client(request: Request) -> bool:
    """A loopback client that no proxy forwarded."""
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    return is_loopback_name(client_address(request))


def host_is_local(request: Request) -> bool:
    host = request.headers.get("host", "")
    name = urlsplit(f"//{host}").hostname or ""
    return is_loopback_name(name)


def is_local(request: Request) -> bool:
    """This machine's user: a loopback client, not forwarded, asking for a loopback Host."""
    return is_local_client(request) and host_is_local(request)


def error(
    message: str, status: int, *, headers: dict[str, str] | None = None, **extra: object
) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def refuse_non_local(request: Request, message: str = LOCAL_ONLY) -> Response | None:
    """403 unless the request is local (loopback client and Host): the rebinding check of local mode."""
    return None if is_local(request) else error(message, 403)


def refuse_cross_site(request: Request) -> Response | None:
    """A change must be JSON from this origin: 415 for another body type, 403 for another site."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return error("send JSON (Content-Type: application/json)", 415)
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
        return error("cross-site requests are refused", 403)
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in _SAME_ORIGIN_FETCHES:
        return error("cross-site requests are refused", 403)
    return None


def token_matches(presented: str, expected: str) -> bool:
    """A bearer token or password, compared in constant time; an empty one never matches."""
    return bool(presented) and bool(expected) and hmac.compare_digest(presented.encode(), expected.encode())


def bearer(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def security_headers(embed_origins: Sequence[str] = ()) -> dict[str, str]:
    """CSP and framing rules: framed by nobody, or by the listed portals only."""
    ancestors = " ".join(embed_origins) if embed_origins else "'none'"
    headers = {
        "Content-Security-Policy": (
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            f"frame-ancestors {ancestors}; form-action 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if not embed_origins:  # X-Frame-Options cannot name origins; frame-ancestors overrides it anyway
        headers["X-Frame-Options"] = "DENY"
    return headers


Endpoint = Callable[[Request], Awaitable[Response]]


def with_headers(endpoint: Endpoint, headers: dict[str, str]) -> Endpoint:
    """The endpoint, with `headers` on each of its responses (unless the response sets its own)."""

    async def wrapped(request: Request) -> Response:
        response = await endpoint(request)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    return wrapped


# --- rate limits ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `amount` hits per key in a window of `seconds` (a fixed window from the first hit)."""

    name: str
    amount: int
    seconds: int

    def item(self) -> RateLimitItem:
        return RateLimitItemPerSecond(self.amount, self.seconds, namespace=f"opsbot:web:{self.name}")


def too_many(message: str, retry_after: float) -> JSONResponse:
    seconds = max(1, math.ceil(retry_after))
    return error(message, 429, headers={"Retry-After": str(seconds)}, retry_after=seconds)


class RateLimits:
    """Hits per key in the shared `limits` storage: memory:// for one process, Redis for all of them."""

    def __init__(
        self, *, storage_uri: str = "memory://", storage: Storage | None = None, clock: EpochClock = time.time
    ) -> None:
        self.storage = storage if storage is not None else storage_from_uri(storage_uri)
        self._limiter = FixedWindowRateLimiter(self.storage)
        self._clock = clock

    async def exceeded(self, limit: Limit, keys: Sequence[str]) -> float:
        """Seconds until every key is under `limit` again; 0.0 when none is at it (nothing is counted)."""
        item, wait = limit.item(), 0.0
        for key in keys:
            if not await self._limiter.test(item, key):
                stats = await self._limiter.get_window_stats(item, key)
                wait = max(wait, stats.reset_time - self._clock(), 0.001)
        return wait

    async def hit(self, limit: Limit, keys: Sequence[str]) -> float:
        """Count one hit for each key; seconds to wait when a key was already at the limit, else 0.0."""
        wait = await self.exceeded(limit, keys)
        if wait:
            return wait
        item = limit.item()
        for key in keys:
            await self._limiter.hit(item, key)
        return 0.0


# --- the agent console's gate -----------------------------------------------------------------------


class ConsoleAccess:
    """The agent console's gate: `refuse(request)` is None when the request may go on.

    Local mode: a local request (loopback client and Host). Remote mode (`web.allow_remote`): the agent
    token, as a Bearer header or the HttpOnly cookie that POST /agent/login sets.
    """

    def __init__(self, *, allow_remote: bool, token: str) -> None:
        self._remote = allow_remote
        self._token = token

    def refuse_page(self, request: Request) -> Response | None:
        """The page holds no data: served locally, or to everyone in remote mode (it asks for the token)."""
        if self._remote:
            return None
        return refuse_non_local(request, CONSOLE_LOCAL_ONLY)

    def refuse(self, request: Request, *, change: bool = False) -> Response | None:
        """The API: local mode needs a local request; remote mode needs the token."""
        if change:
            problem = refuse_cross_site(request)
            if problem is not None:
                return problem
        if not self._remote:
            return refuse_non_local(request, CONSOLE_LOCAL_ONLY)
        if not self._token:
            return error(NO_TOKEN, 403)
        if not token_matches(bearer(request) or request.cookies.get(COOKIE, ""), self._token):
            return error("the agent token is missing or wrong", 401, login=True)
        return None

    def login(self, request: Request, token: object) -> Response:
        """Exchange the token typed into the page for an HttpOnly cookie."""
        problem = refuse_cross_site(request)
        if problem is not None:
            return problem
        if not self._remote:
            return error("the console is local: no token is needed", 400)
        if not self._token:
            return error(NO_TOKEN, 403)
        if not isinstance(token, str) or not token_matches(token, self._token):
            return error("wrong agent token", 401, login=True)
        response = JSONResponse({"ok": True})
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/agent",
        )
        return response
