"""Where each entity of the contract lives in the store, its key, and what it refers to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table

from bot.dataio.contract import (
    CustomerIn,
    InvoiceIn,
    OrderIn,
    OrderLineIn,
    ProductIn,
    Record,
    StockIn,
    SupplierIn,
)
from bot.storage.tables import (
    CustomerRow,
    InventoryRow,
    InvoiceRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SupplierRow,
)

FORMATS = (".csv", ".jsonl", ".ndjson", ".xlsx")


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    model: type[Record]
    table: Table
    key: tuple[str, ...]  # the contract's fields that identify a row (the upsert key)
    refs: tuple[tuple[str, str], ...] = ()  # (field, entity it names)
    checked_only: tuple[str, ...] = ()  # contract fields with no column (checked, not stored)

    columns: tuple[str, ...] = ()  # the contract's fields that are stored (set from the model)

    def __post_init__(self) -> None:
        stored = tuple(f for f in self.model.model_fields if f not in self.checked_only)
        object.__setattr__(self, "columns", stored)


def _table(row: type) -> Table:
    table = row.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


ENTITIES: tuple[Entity, ...] = (  # in the order of their dependencies: each refers only to earlier ones
    Entity("suppliers", SupplierIn, _table(SupplierRow), ("id",)),
    Entity("customers", CustomerIn, _table(CustomerRow), ("id",)),
    Entity("products", ProductIn, _table(ProductRow), ("sku",), (("supplier_id", "suppliers"),)),
    Entity(
        "orders",
        OrderIn,
        _table(OrderRow),
        ("id",),
        (("supplier_id", "suppliers"), ("customer_id", "customers")),
    ),
    Entity(
        "order_lines",
        OrderLineIn,
        _table(OrderLineRow),
        ("order_id", "sku"),
        (("order_id", "orders"), ("sku", "products")),
    ),
    Entity(
        "invoices",
        InvoiceIn,
        _table(InvoiceRow),
        ("id",),
        (("order_id", "orders"), ("supplier_id", "suppliers")),
    ),
    Entity(
        "stock",
        StockIn,
        _table(InventoryRow),
        ("sku",),
        (("supplier_id", "suppliers"), ("sku", "products")),
        checked_only=("supplier_id",),
    ),
)
BY_NAME = {e.name: e for e in ENTITIES}


def entity_of(path: Path) -> Entity | None:
    """The entity a file holds, from its name: `orders.csv`, `order_lines.jsonl`, `stock.xlsx`, …"""
    if path.suffix.lower() not in FORMATS:
        return None
    return BY_NAME.get(path.stem.lower().replace("-", "_"))


def key_column(entity_name: str) -> str:
    """The one column that identifies a row of an entity others refer to (id, or sku)."""
    return BY_NAME[entity_name].key[0]
