"""The data contract: one pydantic model per entity, with the field names of `dialogue/backend.py`.

The import (`opsbot import`), the JSON Schemas (`docs/schemas/`) and `docs/data.md` all come from these
models. Amounts are decimals with at most two places, dates and datetimes are ISO 8601 (a datetime
without a zone is read as UTC), and text keeps whatever script it is written in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Text64 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Price = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Quantity = Annotated[int, Field(ge=0, le=2_000_000_000)]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Instant = Annotated[datetime, AfterValidator(_utc)]


class OrderStatus(StrEnum):
    PENDING_CONFIRMATION = "pending_confirmation"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class InvoiceStatus(StrEnum):
    OPEN = "open"
    SCHEDULED = "scheduled"
    PAID = "paid"
    OVERDUE = "overdue"


class Record(BaseModel):
    """Unknown fields are refused (a misspelt column is an error); a number is accepted for a text field."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True, coerce_numbers_to_str=True)


class SupplierIn(Record):
    """A supplier: whom the Telegram chats link to; every order, invoice and SKU belongs to one."""

    id: Id
    name: Name
    name_zh: Text200 = ""
    vip: bool = False
    contact_name: Text200 = ""
    email: Text200 = ""
    phone: Text64 = ""
    country: Text64 = ""


class CustomerIn(Record):
    """A customer (buyer) of the platform, as the sales team sees it."""

    id: Id
    name: Name
    description: str = ""
    industry: Text64 = ""
    contact_name: Text200 = ""
    email: Text200 = ""
    phone: Text64 = ""
    country: Text64 = ""


class ProductIn(Record):
    """A product (SKU) and the supplier who sells it."""

    sku: Id
    supplier_id: Id
    name: Name
    name_zh: Text200 = ""
    category: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    material: Text100 = ""
    size: Text100 = ""
    features: str = ""
    unit_price: Price
    currency: Currency = "USD"


class OrderIn(Record):
    """A purchase order from a customer, fulfilled by one supplier."""

    id: Id
    supplier_id: Id
    customer_id: Id
    status: OrderStatus
    created_at: Instant
    total: Amount
    currency: Currency = "USD"
    carrier: Text64 | None = None
    tracking_number: Text64 | None = None
    eta: date | None = None
    promised_date: date | None = None
    delivered_at: date | None = None


class OrderLineIn(Record):
    """One SKU of an order; an order has at most one line per SKU (the key is order_id + sku)."""

    order_id: Id
    sku: Id
    quantity: Quantity
    unit_price: Price


class InvoiceIn(Record):
    """A supplier's invoice for an order."""

    id: Id
    order_id: Id
    supplier_id: Id
    amount: Amount
    currency: Currency = "USD"
    status: InvoiceStatus
    issued_at: date
    due_date: date
    scheduled_date: date | None = None
    paid_at: date | None = None


class StockIn(Record):
    """A supplier's stock level of one of their SKUs; without `updated_at`, the time of the import."""

    supplier_id: Id
    sku: Id
    quantity: Quantity
    updated_at: Instant | None = None


EXAMPLES: dict[str, dict[str, object]] = {
    "suppliers": {"id": "4711", "name": "Sunrise Textiles", "name_zh": "旭日纺织", "vip": True},
    "customers": {"id": "C-0042", "name": "ACME Corp", "industry": "retail", "email": "buyer@acme.example"},
    "products": {
        "sku": "TX-77-0345",
        "supplier_id": "4711",
        "name": "Cotton tote bag",
        "name_zh": "棉质手提袋",
        "category": "bags",
        "unit_price": "3.40",
        "currency": "USD",
    },
    "orders": {
        "id": "4500987654",
        "supplier_id": "4711",
        "customer_id": "C-0042",
        "status": "shipped",
        "created_at": "2026-03-02T09:30:00Z",
        "total": "1360.00",
        "currency": "EUR",
        "carrier": "DHL Express",
        "tracking_number": "JD0146000032",
        "eta": "2026-03-16",
    },
    "order_lines": {"order_id": "4500987654", "sku": "TX-77-0345", "quantity": 400, "unit_price": "3.40"},
    "invoices": {
        "id": "RE-2026-0099",
        "order_id": "4500987654",
        "supplier_id": "4711",
        "amount": "1360.00",
        "currency": "EUR",
        "status": "scheduled",
        "issued_at": "2026-03-03",
        "due_date": "2026-04-02",
        "scheduled_date": "2026-03-30",
    },
    "stock": {"supplier_id": "4711", "sku": "TX-77-0345", "quantity": 1200},
}
