"""Who is asking the web chat, and whether they may ask now.

A **local** visitor (see `adapters.web.access.is_local`) is this machine's user: the page's `sender`
names the conversation, and with `web.trust_supplier_id` the picker names the supplier. Anyone else,
once `web.allow_remote` lets them in, is a **session**: the signed cookie names the conversation, the
supplier is the one its link code linked, and the chat is a supplier DM, as on Telegram. Sessions are
rate-limited per session and per client address, and so are link-code attempts; too many wrong codes
lock linking for a while (`opsbot_link_failures_total` counts them).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from adapters.web.access import LOCAL_ONLY, Limit, RateLimits, client_address, error, is_local, too_many
from adapters.web.session import CookieState, SessionCookies, WebSession
from adapters.web.settings import WebSettings
from dialogue.messages import OutgoingMessage

logger = logging.getLogger(__name__)

NO_SECRET = "the web chat is not open to other machines: its sessions need WEB_SESSION_SECRET"
TAMPERED = "this chat session is not valid (its cookie was changed); reload the page to start a new one"
# A link code alone (as the dialogue manager recognises it) or "/start CODE".
_CODE = re.compile(r"(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{16}")
WRONG_CODE = "link_invalid_code"  # the reply outcome of a code that links nothing


def is_code_attempt(text: str) -> bool:
    text = text.strip()
    if text.lower().startswith("/start") and text[6:7] in (" ", ""):
        return bool(text[6:].strip())
    return _CODE.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who sent a request: local (session None) or a remote session, from `address`."""

    address: str
    local: bool
    session: WebSession | None = None  # always None for a local visitor; None remotely: none yet

    @property
    def keys(self) -> tuple[str, ...]:
        return (f"session:{self.session.id}", f"address:{self.address}") if self.session else ()


class ChatGate:
    def __init__(
        self,
        settings: WebSettings,
        *,
        sessions: SessionCookies | None,
        limits: RateLimits,
        on_link_failure: Callable[[], None] | None = None,
    ) -> None:
        """`sessions` None: no WEB_SESSION_SECRET, so no remote visitor is served."""
        self._remote = settings.allow_remote
        self._sessions = sessions
        self._limits = limits
        self._on_link_failure = on_link_failure
        self._per_session = Limit("messages", settings.messages_per_minute, 60)
        self._per_address = Limit("messages-by-address", settings.messages_per_minute_per_address, 60)
        self._attempts = Limit("link-attempts", settings.link_attempts_per_hour, 3600)
        self._failures = Limit(
            "link-failures", settings.link_failures_before_lock, settings.link_lock_minutes * 60
        )

    def visitor(self, request: Request, *, start: bool, replace_broken: bool = False) -> Visitor | Response:
        """The visitor, or the refusal to send. `start`: a request without a session starts one;
        `replace_broken`: so does one with a tampered cookie (the page), instead of being refused."""
        if is_local(request):
            return Visitor(client_address(request), local=True)
        if not self._remote:
            return error(LOCAL_ONLY, 403)
        if self._sessions is None:
            return error(NO_SECRET, 403)
        read = self._sessions.read(request)
        if read.state is CookieState.TAMPERED and not replace_broken:
            refused = error(TAMPERED, 403)
            self._sessions.clear(refused, request)
            return refused
        if read.session is not None:
            return Visitor(client_address(request), local=False, session=read.session)
        if read.state is not CookieState.NONE:
            logger.info("a web chat session cookie was %s; a new session starts", read.state.value)
        return Visitor(client_address(request), local=False, session=self._sessions.new() if start else None)

    async def admit(self, visitor: Visitor, text: str) -> Response | None:
        """429 with Retry-After when a session or its address sends too much, or tries codes too often."""
        if visitor.local or visitor.session is None:
            return None
        session_key, address_key = visitor.keys
        wait = max(
            await self._limits.hit(self._per_session, (session_key,)),
            await self._limits.hit(self._per_address, (address_key,)),
        )
        if wait:
            return too_many("too many messages; wait a little", wait)
        if not is_code_attempt(text):
            return None
        locked = await self._limits.exceeded(self._failures, visitor.keys)
        if locked:
            return too_many("too many wrong codes: linking is locked for a while", locked)
        wait = await self._limits.hit(self._attempts, visitor.keys)
        if wait:
            return too_many("too many link attempts; try again later", wait)
        return None

    async def answered(self, visitor: Visitor, replies: Sequence[OutgoingMessage]) -> None:
        """Count a wrong code (the reply says it linked nothing) against the session and its address."""
        if visitor.session is None or not any(r.metadata.get("outcome") == WRONG_CODE for r in replies):
            return
        if self._on_link_failure is not None:
            self._on_link_failure()
        await self._limits.hit(self._failures, visitor.keys)

    def keep(self, response: Response, visitor: Visitor, request: Request) -> Response:
        """Set or renew the session's cookie on the response (its idle time starts again)."""
        if self._sessions is not None and visitor.session is not None:
            self._sessions.write(response, visitor.session, request)
        return response

    def end(self, response: Response, request: Request) -> Response:
        """Start the visitor afresh: a new session, unlinked, in a new conversation."""
        if self._sessions is not None:
            self._sessions.write(response, self._sessions.new(), request)
        return response
