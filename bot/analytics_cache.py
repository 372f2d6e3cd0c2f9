"""The store's analytics reads, cached until the data changes or the day does.

A customer's profile reads every order the customer ever placed; a trend, a forecast, a recommendation
aggregate years of order lines. Those figures change when the data does (an `opsbot import`, a push to
`/api/v1`, a stock update), not from one message to the next. `CachedSqlBackend` keeps each such result
under a key made of the call, today's date and the data's version: the latest import, the latest
applied push, the latest stock change, the latest change event and the number of orders. One small
query reads the version, at most once a second; a new version (another process's import too) makes
every older entry unreachable.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func, select

from bot.api.batches import APPLIED
from bot.storage.backend import SqlBackend
from bot.storage.tables import ApiBatchRow, DataChangeRow, DataImportRow, InventoryRow, OrderRow
from dialogue.analytics.render_pool import ResultCache
from dialogue.backend import (
    Customer,
    CustomerProfile,
    DailySales,
    DemandHistory,
    Product,
    PurchaseLine,
    StockChange,
)
from dialogue.queries import SalesNames

logger = logging.getLogger(__name__)

T = TypeVar("T")
CACHE_SIZE = 512
VERSION_SECONDS = 1.0  # how long a read of the data's version is trusted


class CachedSqlBackend(SqlBackend):
    """SqlBackend whose analytics reads are cached per (call, day, data version)."""

    def __init__(self, *args: Any, monotonic: Callable[[], float] = time.monotonic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._results = ResultCache(CACHE_SIZE)
        self._monotonic = monotonic
        self._version: tuple[object, ...] = ()
        self._version_at: float | None = None

    @property
    def results(self) -> ResultCache:
        return self._results

    async def data_version(self) -> tuple[object, ...]:
        """What changes when the data does; read at most every VERSION_SECONDS."""
        now = self._monotonic()
        if self._version_at is not None and now - self._version_at < VERSION_SECONDS:
            return self._version
        latest = (
            select(func.max(DataImportRow.id)).scalar_subquery(),
            select(func.max(ApiBatchRow.finished_at)).where(ApiBatchRow.status == APPLIED).scalar_subquery(),
            select(func.max(InventoryRow.updated_at)).scalar_subquery(),
            select(func.max(DataChangeRow.id)).scalar_subquery(),
            select(func.count()).select_from(OrderRow).scalar_subquery(),
        )
        async with self._sm() as s:
            row = (await s.execute(select(*latest))).one()
        self._version, self._version_at = tuple(row), now
        return self._version

    def forget(self) -> None:
        """Drop every cached result and the version (after a write this process made)."""
        self._results.clear()
        self._version_at = None

    async def _cached(self, name: str, args: tuple[object, ...], read: Callable[[], Awaitable[T]]) -> T:
        version = await self.data_version()
        key = hashlib.blake2b(
            pickle.dumps((name, args, self._clock().date(), version)), digest_size=16
        ).digest()

        async def frozen() -> Any:
            found = await read()
            return tuple(found) if isinstance(found, list) else found  # shared: nobody may change it

        result: T = await self._results.get(key, frozen)
        return result

    # --- the cached reads ------------------------------------------------------------------------

    async def customer_profile(self, customer_id: str) -> CustomerProfile | None:
        return await self._cached(
            "customer_profile",
            (customer_id,),
            lambda: super(CachedSqlBackend, self).customer_profile(customer_id),
        )

    async def find_customer(self, name_or_id: str) -> Customer | None:
        """Asked for every name-like phrase of a rep's message about a customer: cached too."""
        return await self._cached(
            "find_customer", (name_or_id,), lambda: super(CachedSqlBackend, self).find_customer(name_or_id)
        )

    async def purchase_lines(self) -> Sequence[PurchaseLine]:
        return await self._cached(
            "purchase_lines", (), lambda: super(CachedSqlBackend, self).purchase_lines()
        )

    async def sales_names(self) -> SalesNames:
        """Read for every message of a sales rep (does it name a customer, a category…?): cached too."""
        return await self._cached("sales_names", (), lambda: super(CachedSqlBackend, self).sales_names())

    async def list_products(self) -> Sequence[Product]:
        return await self._cached("list_products", (), lambda: super(CachedSqlBackend, self).list_products())

    async def daily_sales(self, start: date, end: date, *, by: str) -> Sequence[DailySales]:
        return await self._cached(
            "daily_sales",
            (start, end, by),
            lambda: super(CachedSqlBackend, self).daily_sales(start, end, by=by),
        )

    async def weekly_demand(
        self, sku: str, *, end: date, weeks: int, supplier_id: str | None = None
    ) -> DemandHistory | None:
        return await self._cached(
            "weekly_demand",
            (sku, end, weeks, supplier_id),
            lambda: super(CachedSqlBackend, self).weekly_demand(
                sku, end=end, weeks=weeks, supplier_id=supplier_id
            ),
        )

    # --- writes this process makes: seen at once, not after VERSION_SECONDS -----------------------

    async def set_stock(
        self, supplier_id: str, sku: str, quantity: int, *, changed_by: str, request_id: str
    ) -> StockChange | None:
        try:
            return await super().set_stock(
                supplier_id, sku, quantity, changed_by=changed_by, request_id=request_id
            )
        finally:
            self.forget()

    async def refresh_names(self) -> None:
        self.forget()  # after an import or a push this process applied
        await super().refresh_names()
