"""The demo data set (dialogue/data/demo.yml) as Backend records, with its dates resolved against a day.

bot/seed.py writes it to the SQL tables; the in-memory test backend serves it. Reading it here, in
dialogue, lets both use the records the Backend protocol already defines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dialogue.backend import Customer, Invoice, Order, Product, Supplier
from dialogue.errors import OpsbotError

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo.yml"
ORDER_HOUR = 10  # orders are placed at 10:00 UTC of their day


class DemoDataError(OpsbotError):
    """dialogue/data/demo.yml is missing or malformed."""


@dataclass(frozen=True, slots=True)
class SupplierContact:
    supplier_id: str
    contact_name: str
    email: str
    country: str
    phone: str = ""


@dataclass(frozen=True, slots=True)
class OrderLine:
    order_id: str
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class DemoData:
    """Every record of the demo data set; dates are absolute (see `load_demo`)."""

    suppliers: tuple[Supplier, ...]
    contacts: tuple[SupplierContact, ...]
    customers: tuple[Customer, ...]
    products: tuple[Product, ...]
    stock: tuple[tuple[str, int], ...]  # (sku, quantity) of the SKUs with a fixed stock level
    orders: tuple[Order, ...]
    lines: tuple[OrderLine, ...]
    invoices: tuple[Invoice, ...]
    issues: tuple[tuple[str, str], ...]  # (customer id, open issue title)

    def product(self, sku: str) -> Product:
        return next(p for p in self.products if p.sku == sku)

    def order(self, order_id: str) -> Order:
        return next(o for o in self.orders if o.id == order_id)


def order_time(day: date) -> datetime:
    """When an order of that day was placed."""
    return datetime.combine(day, time(ORDER_HOUR, 0), tzinfo=UTC)


def order_total(lines: list[OrderLine] | tuple[OrderLine, ...]) -> Decimal:
    return sum((line.unit_price * line.quantity for line in lines), Decimal(0))


class _Record:
    """One mapping of the file, with accessors that name the record and key in their errors."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise DemoDataError(f"{where}: expected a mapping")
        self._data: Mapping[str, Any] = data
        self.where = where

    def text(self, key: str, default: str | None = None) -> str:
        value = self._data.get(key, default)
        if value is None:
            raise DemoDataError(f"{self.where}: missing {key!r}")
        return str(value)

    def optional_text(self, key: str) -> str | None:
        value = self._data.get(key)
        return None if value is None else str(value)

    def day(self, key: str, today: date) -> date | None:
        """An offset in days from `today`, or None when the key is absent."""
        value = self._data.get(key)
        if value is None:
            return None
        if not isinstance(value, int):
            raise DemoDataError(f"{self.where}: {key!r} must be a day offset (an integer)")
        return today + timedelta(days=value)

    def required_day(self, key: str, today: date) -> date:
        value = self.day(key, today)
        if value is None:
            raise DemoDataError(f"{self.where}: missing {key!r}")
        return value

    def raw(self, key: str) -> Any:
        return self._data.get(key)


def _read(path: Path) -> Mapping[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DemoDataError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise DemoDataError(f"{path}: the top level must be a mapping")
    return raw


def _records(raw: Mapping[str, Any], key: str, path: Path) -> list[_Record]:
    items = raw.get(key) or []
    if not isinstance(items, list):
        raise DemoDataError(f"{path}: {key!r} must be a list")
    return [_Record(item, f"{path}: {key}[{i}]") for i, item in enumerate(items)]


def _decimal(value: object, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise DemoDataError(f"{where}: not an amount: {value!r}") from exc


def _lines(order: _Record, prices: Mapping[str, Decimal]) -> list[OrderLine]:
    order_id = order.text("id")
    raw = order.raw("lines")
    if not isinstance(raw, list) or not raw:
        raise DemoDataError(f"{order.where}: 'lines' must be a non-empty list of [sku, quantity(, price)]")
    lines = []
    for item in raw:
        if not isinstance(item, list) or len(item) not in (2, 3) or not isinstance(item[1], int):
            raise DemoDataError(f"{order.where}: bad line {item!r}")
        sku = str(item[0])
        if sku not in prices:
            raise DemoDataError(f"{order.where}: unknown SKU {sku}")
        price = _decimal(item[2], order.where) if len(item) == 3 else prices[sku]
        lines.append(OrderLine(order_id, sku, item[1], price))
    return lines


@lru_cache(maxsize=8)
def load_demo(today: date, path: Path = DEMO_FILE) -> DemoData:
    """The demo data set with every day offset resolved against `today` (read once per day and path)."""
    raw = _read(path)
    suppliers, contacts = [], []
    for r in _records(raw, "suppliers", path):
        sid = r.text("id")
        suppliers.append(
            Supplier(
                sid,
                r.text("name"),
                r.text("name_zh", ""),
                bool(r.raw("vip")),
                contact_name=r.text("contact", ""),
                email=r.text("email", ""),
                phone=r.text("phone", ""),
            )
        )
        contacts.append(
            SupplierContact(
                sid, r.text("contact", ""), r.text("email", ""), r.text("country", ""), r.text("phone", "")
            )
        )
    customers = [
        Customer(
            id=r.text("id"),
            name=r.text("name"),
            description=r.text("description", ""),
            industry=r.text("industry", ""),
            contact_name=r.text("contact", ""),
            email=r.text("email", ""),
            phone=r.text("phone", ""),
        )
        for r in _records(raw, "customers", path)
    ]
    products = [
        Product(
            sku=r.text("sku"),
            supplier_id=r.text("supplier"),
            name=r.text("name"),
            category=r.text("category"),
            material=r.text("material", ""),
            size=r.text("size", ""),
            features=r.text("features", ""),
            unit_price=_decimal(r.text("price"), r.where),
        )
        for r in _records(raw, "products", path)
    ]
    prices = {p.sku: p.unit_price for p in products}
    orders: list[Order] = []
    lines: list[OrderLine] = []
    for r in _records(raw, "orders", path):
        order_lines = _lines(r, prices)
        lines.extend(order_lines)
        orders.append(
            Order(
                id=r.text("id"),
                supplier_id=r.text("supplier"),
                customer_id=r.text("customer"),
                status=r.text("status"),
                created_at=order_time(r.required_day("created", today)),
                total=order_total(order_lines),
                carrier=r.optional_text("carrier"),
                tracking_number=r.optional_text("tracking_number"),
                eta=r.day("eta", today),
                promised_date=r.day("promised", today),
                delivered_at=r.day("delivered", today),
            )
        )
    by_id = {o.id: o for o in orders}
    invoices = []
    for r in _records(raw, "invoices", path):
        order = by_id.get(r.text("order"))
        if order is None:
            raise DemoDataError(f"{r.where}: unknown order {r.text('order')}")
        invoices.append(
            Invoice(
                id=r.text("id"),
                order_id=order.id,
                supplier_id=order.supplier_id,
                amount=order.total,
                currency=order.currency,
                status=r.text("status"),
                issued_at=r.required_day("issued", today),
                due_date=r.required_day("due", today),
                scheduled_date=r.day("scheduled", today),
                paid_at=r.day("paid", today),
            )
        )
    stock = raw.get("stock") or {}
    issues = raw.get("issues") or {}
    if not isinstance(stock, dict) or not isinstance(issues, dict):
        raise DemoDataError(f"{path}: 'stock' and 'issues' must be mappings")
    return DemoData(
        suppliers=tuple(suppliers),
        contacts=tuple(contacts),
        customers=tuple(customers),
        products=tuple(products),
        stock=tuple((str(sku), int(qty)) for sku, qty in stock.items()),
        orders=tuple(orders),
        lines=tuple(lines),
        invoices=tuple(invoices),
        issues=tuple((str(cid), str(title)) for cid, titles in issues.items() for title in titles),
    )
