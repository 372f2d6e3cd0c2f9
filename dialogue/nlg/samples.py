"""Plausible fact values for every catalog fact: used by evaluation, benchmarks and tests."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal

from dialogue.nlg.catalog import Outcome
from dialogue.nlg.corpus import ProductTables
from dialogue.nlg.types import FactValue
from nlu.types import Money

_BLOCKS: dict[str, str] = {
    "capabilities": "• order status (PO numbers)\n• invoices and payments\n• stock levels and updates",
    "invoice_list": "• INV-2001: $1,200.00, due Dec 1, 2026\n• INV-2007: $380.00, due Dec 9, 2026",
    "stock_table": "AB-1020  450\nAB-1021  0\nCD-3300  1,200",
    "answer": "Payment terms are net 30 from the invoice date.",
    "last_orders": "• PO-1002 (shipped)\n• PO-0998 (delivered)",
    "open_issues": "• ESC-311 late delivery",
    "top_suppliers": "1. Shenzhen Bright Co.\n2. Harbor Metals",
    "top_categories": "1. Drinkware\n2. Office furniture",
    "product_list": "• AB-1020 Harbor Insulated Bottle\n• AB-1044 Orchid Ceramic Mug",
}


def sample_facts(
    outcome: Outcome, facts: Sequence[str], rng: random.Random, products: ProductTables | None = None
) -> dict[str, FactValue]:
    """Values for the named facts of an outcome."""
    day = dt.date(2026, 11, 1) + dt.timedelta(days=rng.randrange(60))
    values: dict[str, FactValue] = {
        "user_name": rng.choice(["Li Wei", "Anna", "Mr. Chen"]),
        "supplier_name": rng.choice(["Shenzhen Bright Co.", "Harbor Metals Ltd"]),
        "option_a": "check an order status",
        "option_b": "update your stock",
        "channel_hint": "#sales-emea",
        "file_name": "packing-list.pdf",
        "rating": rng.randint(1, 5),
        "order_id": f"PO-{rng.randint(1000, 1999)}",
        "carrier": rng.choice(["DHL Express", "SF Express", "Maersk"]),
        "tracking_number": f"JD{rng.randint(10**8, 10**9 - 1)}",
        "eta": day,
        "status": rng.choice(["pending_confirmation", "in_production", "ready_to_ship"]),
        "delivered_date": day,
        "invoice_id": f"INV-{rng.randint(2000, 2999)}",
        "amount": Money(Decimal(rng.randint(10000, 9999999)) / 100, rng.choice(["USD", "CNY", "EUR"])),
        "paid_date": day,
        "scheduled_date": day,
        "due_date": day,
        "count": rng.randint(2, 9),
        "sku": f"AB-{rng.randint(1000, 1999)}",
        "qty": rng.randint(1, 5000),
        "old_qty": rng.randint(1, 5000),
        "ticket_id": f"ESC-{rng.randint(100, 999)}",
        "customer_name": rng.choice(["Northwind Traders", "Contoso Retail", "上海丰华贸易"]),
        "contact_name": "Ana Ruiz",
        "email": "ana.ruiz@northwind.example",
        "lifetime_value": Money(Decimal(rng.randint(10**6, 10**8)) / 100, "USD"),
        "order_count": rng.randint(1, 300),
        "period": rng.choice(["last week", "November 2026"]),
        "revenue": Money(Decimal(rng.randint(10**6, 10**8)) / 100, "USD"),
        "late_orders": rng.randint(0, 9),
        "escalations": rng.randint(0, 9),
        "industry": rng.choice(["hospitality", "construction", "healthcare"]),
        "confidence": round(rng.uniform(0.5, 0.99), 2),
    }
    values.update(_BLOCKS)
    if products is not None:
        tables = products.translations
        values.update(
            {
                "name": rng.choice(products.names) if products.names else "Harbor Bottle",
                "category": rng.choice(list(tables["category"]) or ["bottle"]),
                "material": rng.choice(list(tables["material"]) or ["steel"]),
                "color": rng.choice(list(tables["color"]) or ["black"]),
                "size": rng.choice(products.sizes) if products.sizes else "500 ml",
                "features": ", ".join(
                    rng.sample(list(tables["features"]), k=min(2, len(tables["features"])))
                ),
            }
        )
    return {name: values.get(name, f"{name} value") for name in facts if name in outcome.facts}
