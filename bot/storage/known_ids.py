"""The store's ids for the NLU (nlu.gazetteer), rebuilt when the data changed.

`opsbot import` runs in another process and the push API in another role, so the running bot cannot
be told: it asks. A version of the data (the last import's row id and how many orders, invoices,
products, customers and suppliers there are) costs one small query; when it moved, the ids are read
again and the automaton is built in a thread, then swapped in whole (a turn sees the old or the new).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.tables import CustomerRow, DataImportRow, InvoiceRow, OrderRow, ProductRow, SupplierRow
from nlu.gazetteer import IdGazetteer, KnownId

logger = logging.getLogger(__name__)

Version = tuple[int, ...]


class StoreIds:
    """The gazetteer of the store's ids; `refresh_if_changed` keeps it current."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sm = sessionmaker
        self._gazetteer: IdGazetteer | None = None
        self._version: Version | None = None
        self._lock = asyncio.Lock()

    def id_gazetteer(self) -> IdGazetteer | None:
        return self._gazetteer

    async def version(self) -> Version:
        counted = [
            select(func.count()).select_from(table).scalar_subquery()
            for table in (OrderRow, InvoiceRow, ProductRow, CustomerRow, SupplierRow)
        ]
        last_import = select(func.coalesce(func.max(DataImportRow.id), 0)).scalar_subquery()
        async with self._sm() as s:
            row = (await s.execute(select(last_import, *counted))).one()
        return tuple(int(v) for v in row)

    async def refresh(self) -> None:
        """Read every id and build the gazetteer again."""
        async with self._lock:
            await self._rebuild(await self.version())

    async def refresh_if_changed(self) -> bool:
        """Rebuild if the data's version moved since the last build (one cheap query when it did not)."""
        if self._lock.locked():
            return False  # being rebuilt right now: this turn keeps the current ids
        async with self._lock:
            version = await self.version()
            if version == self._version:
                return False
            await self._rebuild(version)
            return True

    async def _rebuild(self, version: Version) -> None:
        ids = await self._read()
        gazetteer = await asyncio.to_thread(IdGazetteer, ids)
        self._gazetteer, self._version = gazetteer, version
        logger.info("ids for the NLU: %s known, version %s", len(gazetteer), version)

    async def _read(self) -> Sequence[KnownId]:
        async with self._sm() as s:
            orders = (await s.execute(select(OrderRow.id))).scalars().all()
            invoices = (await s.execute(select(InvoiceRow.id))).scalars().all()
            skus = (await s.execute(select(ProductRow.sku))).scalars().all()
            customers = (await s.execute(select(CustomerRow.id, CustomerRow.name))).all()
            suppliers = (await s.execute(select(SupplierRow.id, SupplierRow.name, SupplierRow.name_zh))).all()
        ids = [KnownId("order_id", i, i) for i in orders]
        ids += [KnownId("invoice_id", i, i) for i in invoices]
        ids += [KnownId("sku", i, i) for i in skus]
        for c in customers:
            ids += [KnownId("customer", c.id, c.id), KnownId("customer", c.name, c.id)]
        for sp in suppliers:
            ids += [KnownId("supplier", sp.id, sp.id), KnownId("supplier", sp.name, sp.id)]
            if sp.name_zh:
                ids.append(KnownId("supplier", sp.name_zh, sp.id))
        return ids
