"""Supplier account linking: one-time codes (only their hash is stored) and the links they make."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.tables import LinkCodeRow, SupplierLinkRow, SupplierRow
from dialogue.backend import LinkResult
from dialogue.clock import Clock

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def new_link_code() -> str:
    """16 random characters with at least one letter and one digit, so a bare code is recognizable."""
    while True:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return code


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


# How long a link is remembered: one made in another process shows here after at most this.
LINK_CACHE = timedelta(seconds=10)


class SqlAccounts:
    """One-time link codes; only their hash is stored."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self._sm = sessionmaker
        self._clock = clock
        self._links: dict[tuple[str, str], tuple[str | None, datetime]] = {}

    async def invite(self, supplier_id: str, ttl: timedelta) -> tuple[str, datetime]:
        async with self._sm() as s, s.begin():
            if await s.get(SupplierRow, supplier_id) is None:
                raise LookupError(f"unknown supplier {supplier_id!r}")
            code = new_link_code()
            now = self._clock()
            s.add(
                LinkCodeRow(
                    code_hash=hash_code(code), supplier_id=supplier_id, created_at=now, expires_at=now + ttl
                )
            )
        return code, now + ttl

    async def linked_supplier(self, platform: str, user_id: str) -> str | None:
        """The supplier a user has linked; remembered for a few seconds, since every turn asks."""
        now = self._clock()
        known = self._links.get((platform, user_id))
        if known is not None and now - known[1] < LINK_CACHE:
            return known[0]
        async with self._sm() as s:
            linked = (
                await s.execute(
                    select(SupplierLinkRow.supplier_id).where(
                        SupplierLinkRow.platform == platform, SupplierLinkRow.user_id == user_id
                    )
                )
            ).scalar_one_or_none()
        if len(self._links) > 10_000:
            self._links.clear()
        self._links[(platform, user_id)] = (linked, now)
        return linked

    async def redeem(self, code: str, platform: str, user_id: str) -> LinkResult:
        if not code.strip():
            return LinkResult(False, reason="invalid")
        now = self._clock()
        who = f"{platform}:{user_id}"
        async with self._sm() as s, s.begin():
            row = await s.get(LinkCodeRow, hash_code(code))
            if row is None:
                return LinkResult(False, reason="invalid")
            if row.used_at is not None:
                if row.used_by == who:  # a reprocessed message: same answer, no second use
                    return LinkResult(True, row.supplier_id)
                return LinkResult(False, reason="used")
            if row.expires_at <= now:
                return LinkResult(False, reason="expired")
            claimed = await s.execute(
                update(LinkCodeRow)
                .where(LinkCodeRow.code_hash == row.code_hash, LinkCodeRow.used_at.is_(None))
                .values(used_at=now, used_by=who)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return LinkResult(False, reason="used")
            existing = (
                await s.execute(
                    select(SupplierLinkRow).where(
                        SupplierLinkRow.platform == platform, SupplierLinkRow.user_id == user_id
                    )
                )
            ).scalar_one_or_none()
            if existing is None:
                s.add(
                    SupplierLinkRow(
                        platform=platform, user_id=user_id, supplier_id=row.supplier_id, linked_at=now
                    )
                )
            else:
                existing.supplier_id = row.supplier_id
                existing.linked_at = now
        self._links[(platform, user_id)] = (row.supplier_id, now)
        return LinkResult(True, row.supplier_id)

    async def unlink(self, platform: str, user_id: str) -> bool:
        """Forget the supplier a user linked (the web chat's /logout); True when there was a link."""
        async with self._sm() as s, s.begin():
            gone = await s.execute(
                delete(SupplierLinkRow).where(
                    SupplierLinkRow.platform == platform, SupplierLinkRow.user_id == user_id
                )
            )
        self._links[(platform, user_id)] = (None, self._clock())
        return bool(gone.rowcount)  # type: ignore[attr-defined]
