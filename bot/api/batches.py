"""The queue of pushed batches: one row per accepted request, applied in order by a worker.

A batch is stored under its idempotency key (the `Idempotency-Key` header, else the SHA-256 of the
body), per entity: the same request again finds the batch and gets the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.storage.tables import ApiBatchRow

QUEUED, APPLYING, APPLIED, REJECTED, FAILED = "queued", "applying", "applied", "rejected", "failed"
LEASE = timedelta(minutes=10)  # an "applying" batch older than this was left by a process that died


@dataclass(frozen=True, slots=True)
class Batch:
    id: int
    entity: str
    status: str
    rows: int
    body_sha256: str
    result: dict[str, Any] | None
    received_at: datetime
    finished_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "batch_id": self.id,
            "entity": self.entity,
            "status": self.status,
            "rows": self.rows,
            "status_url": f"/api/v1/batches/{self.id}",
            "received_at": self.received_at.isoformat(),
        }
        if self.finished_at is not None:
            out["finished_at"] = self.finished_at.isoformat()
        if self.result:
            out.update(self.result)
        return out


def _batch(row: ApiBatchRow) -> Batch:
    return Batch(
        row.id,
        row.entity,
        row.status,
        row.rows,
        row.body_sha256,
        row.result,
        row.received_at,
        row.finished_at,
    )


class BatchQueue:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def find(self, entity: str, key: str) -> Batch | None:
        async with self._sessionmaker() as s:
            row = (
                await s.execute(select(ApiBatchRow).where(ApiBatchRow.idempotency_key == f"{entity}:{key}"))
            ).scalar_one_or_none()
            return _batch(row) if row is not None else None

    async def get(self, batch_id: int) -> Batch | None:
        async with self._sessionmaker() as s:
            row = await s.get(ApiBatchRow, batch_id)
            return _batch(row) if row is not None else None

    async def enqueue(
        self, entity: str, key: str, *, body_sha256: str, rows: int, body: str, now: datetime
    ) -> tuple[Batch, bool]:
        """The batch stored under `key` (new: True), or the one a request with that key stored before."""
        row = ApiBatchRow(
            entity=entity,
            idempotency_key=f"{entity}:{key}",
            body_sha256=body_sha256,
            status=QUEUED,
            rows=rows,
            body=body,
            received_at=now,
        )
        try:
            async with self._sessionmaker() as s, s.begin():
                s.add(row)
            return _batch(row), True
        except IntegrityError:  # the same request, at the same moment, from another connection
            earlier = await self.find(entity, key)
            if earlier is None:
                raise
            return earlier, False

    async def claim(self, now: datetime) -> tuple[Batch, str] | None:
        """The oldest queued batch (and its body), marked applying; None when there is none, or while
        another process applies one (batches are applied one at a time, in order)."""
        stale = now - LEASE
        other = aliased(ApiBatchRow)
        busy = exists().where(
            and_(other.status == APPLYING, other.claimed_at > stale, other.id != ApiBatchRow.id)
        )
        due = or_(
            ApiBatchRow.status == QUEUED,
            and_(ApiBatchRow.status == APPLYING, ApiBatchRow.claimed_at <= stale),
        )
        async with self._sessionmaker() as s, s.begin():
            first = (
                await s.execute(select(ApiBatchRow.id).where(due).order_by(ApiBatchRow.id).limit(1))
            ).scalar_one_or_none()
            if first is None:
                return None
            claimed = await s.execute(
                update(ApiBatchRow)
                .where(ApiBatchRow.id == first, due, ~busy)
                .values(status=APPLYING, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = await s.get(ApiBatchRow, first, populate_existing=True)
            assert row is not None
            return _batch(row), row.body

    async def finish(self, batch_id: int, status: str, result: dict[str, Any], now: datetime) -> None:
        async with self._sessionmaker() as s, s.begin():
            await s.execute(
                update(ApiBatchRow)
                .where(ApiBatchRow.id == batch_id)
                .values(
                    status=status,
                    result=result,
                    finished_at=now,
                    **({} if status == FAILED else {"body": ""}),
                )
                .execution_options(synchronize_session=False)
            )
