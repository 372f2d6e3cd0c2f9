"""Who may use the web pages: the chat is local unless `web.allow_remote`; the console also needs a token.

Local means a loopback client. Behind a reverse proxy every client looks local, so once remote use is
allowed the console asks every client for the agent token (a Bearer header, or the cookie set by
POST /agent/login), compared in constant time. The console also refuses requests that a page of
another site could make in the agent's browser: in local mode the Host must be a loopback name (DNS
rebinding), and a change must be JSON from the same origin (CSRF).
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

COOKIE = "opsbot_agent"
_LOOPBACK_NAMES = {"localhost", "testclient"}
LOCAL_ONLY = "the web chat is for local use (set web.allow_remote to serve other machines)"
CONSOLE_LOCAL_ONLY = (
    "the agent console is for local use; to open it to other machines set web.allow_remote "
    "and the AGENT_CONSOLE_TOKEN environment variable"
)
NO_TOKEN = (
    "web.allow_remote is on, so the agent console needs an agent token, and none is configured: "
    "set the AGENT_CONSOLE_TOKEN environment variable"
)


def _is_loopback_name(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_local_client(request: Request) -> bool:
    return _is_loopback_name(request.client.host if request.client else "")


def _host_is_local(request: Request) -> bool:
    host = request.headers.get("host", "")
    name = urlsplit(f"//{host}").hostname or ""
    return _is_loopback_name(name)


def _error(message: str, status: int, **extra: object) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


class ConsoleAccess:
    """The agent console's gate: `refuse(request)` is None when the request may go on."""

    def __init__(self, *, allow_remote: bool, token: str) -> None:
        self._remote = allow_remote
        self._token = token.encode()

    def refuse_page(self, request: Request) -> Response | None:
        """The page holds no data: served locally, or to everyone in remote mode (it asks for the token)."""
        if self._remote:
            return None
        return self._refuse_non_local(request)

    def refuse(self, request: Request, *, change: bool = False) -> Response | None:
        """The API: local mode needs a loopback client and Host; remote mode needs the token."""
        if change:
            problem = self._refuse_cross_site(request)
            if problem is not None:
                return problem
        if not self._remote:
            return self._refuse_non_local(request)
        if not self._token:
            return _error(NO_TOKEN, 403)
        if not self._token_matches(self._presented(request)):
            return _error("the agent token is missing or wrong", 401, login=True)
        return None

    def login(self, request: Request, token: object) -> Response:
        """Exchange the token typed into the page for an HttpOnly cookie."""
        problem = self._refuse_cross_site(request)
        if problem is not None:
            return problem
        if not self._remote:
            return _error("the console is local: no token is needed", 400)
        if not self._token:
            return _error(NO_TOKEN, 403)
        if not isinstance(token, str) or not self._token_matches(token):
            return _error("wrong agent token", 401, login=True)
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

    def _refuse_non_local(self, request: Request) -> Response | None:
        if not is_local_client(request) or not _host_is_local(request):
            return _error(CONSOLE_LOCAL_ONLY, 403)
        return None

    def _refuse_cross_site(self, request: Request) -> Response | None:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error("send JSON (Content-Type: application/json)", 415)
        origin = request.headers.get("origin")
        if origin is not None and urlsplit(origin).netloc != request.headers.get("host", ""):
            return _error("cross-site requests are refused", 403)
        return None

    def _presented(self, request: Request) -> str:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return request.cookies.get(COOKIE, "")

    def _token_matches(self, presented: str) -> bool:
        return bool(presented) and hmac.compare_digest(presented.encode(), self._token)
