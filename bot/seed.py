"""Deterministic demo data (`opsbot db seed-demo`). Dates are relative to the day of seeding."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import (
    CustomerIssueRow,
    CustomerRow,
    InventoryRow,
    InvoiceRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SupplierRow,
)

SUPPLIERS = [
    ("SUP-001", "Sunrise Textiles", "旭日纺织", "Li Wei", "li.wei@sunrise-textiles.example", "CN", False),
    ("SUP-002", "Huaqiang Electronics", "华强电子", "Zhang Min", "zhang.min@huaqiang.example", "CN", True),
    ("SUP-003", "Nordic Home Goods", "", "Anna Berg", "anna@nordichome.example", "SE", False),
    ("SUP-004", "Pacific Packaging Co", "太平洋包装", "Chen Jie", "chen.jie@pacpack.example", "CN", False),
    ("SUP-005", "Atlas Industrial Supply", "", "Mark Davis", "mark@atlas-industrial.example", "US", False),
]

CUSTOMERS = [
    (
        "CUS-001",
        "ACME Corp",
        "Nationwide retail chain of home and lifestyle stores with an online shop.",
        "retail",
        "Sarah Miller",
        "sarah.miller@acme.example",
        "+1 415 555 0101",
    ),
    (
        "CUS-002",
        "Globex Industries",
        "Manufacturer of industrial equipment and machine components.",
        "manufacturing",
        "Hank Scorpio",
        "hank@globex.example",
        "+1 212 555 0199",
    ),
    (
        "CUS-003",
        "Initech Software",
        "Software development and IT services for banks.",
        "technology",
        "Peter Gibbons",
        "peter@initech.example",
        "+1 512 555 0142",
    ),
    (
        "CUS-004",
        "Umbrella Health",
        "Private hospitals and outpatient clinics.",
        "healthcare",
        "Alice Abernathy",
        "alice@umbrella-health.example",
        "+44 20 5550 1234",
    ),
    (
        "CUS-005",
        "Stark Logistics",
        "Freight forwarding, warehousing and last-mile delivery.",
        "logistics",
        "Pepper Potts",
        "pepper@starklog.example",
        "+1 646 555 0177",
    ),
    (
        "CUS-006",
        "Wayne Hospitality",
        "Hotel group with restaurants and conference venues.",
        "hospitality",
        "Alfred Pennyworth",
        "alfred@waynehosp.example",
        "+1 312 555 0123",
    ),
    (
        "CUS-007",
        "Cyberdyne Labs",
        "Research laboratory building robotics and sensors.",
        "technology",
        "Miles Dyson",
        "miles@cyberdyne.example",
        "+1 408 555 0166",
    ),
    (
        "CUS-008",
        "Soylent Foods",
        "Packaged food producer and grocery wholesaler.",
        "food_and_beverage",
        "Sol Roth",
        "sol@soylent.example",
        "+1 305 555 0110",
    ),
    (
        "CUS-009",
        "Oceanic Airlines",
        "Regional airline with cargo services.",
        "transportation",
        "Jack Shephard",
        "jack@oceanic.example",
        "+61 2 5550 4815",
    ),
    (
        "CUS-010",
        "Vandelay Imports",
        "Importer and distributor of latex goods and household products.",
        "wholesale",
        "Art Vandelay",
        "art@vandelay.example",
        "+1 718 555 0134",
    ),
    (
        "CUS-011",
        "Bluth Construction",
        "Residential construction and property development.",
        "construction",
        "Michael Bluth",
        "michael@bluth.example",
        "+1 949 555 0188",
    ),
    (
        "CUS-012",
        "Pied Piper Edu",
        "Online education platform for schools and universities.",
        "education",
        "Richard Hendricks",
        "richard@piedpiper.example",
        "+1 650 555 0112",
    ),
]

# sku, supplier, name, category, material, size, features, price
PRODUCTS = [
    (
        "AB-1020",
        "SUP-001",
        "Organic Cotton Bath Towel",
        "Home Textiles",
        "organic cotton",
        "70x140 cm",
        "quick-dry, 500 gsm, OEKO-TEX certified",
        "8.50",
    ),
    (
        "KX-550",
        "SUP-001",
        "Linen Table Runner",
        "Home Textiles",
        "linen",
        "40x180 cm",
        "hemstitched, washable",
        "6.20",
    ),
    (
        "AB-1030",
        "SUP-001",
        "Bamboo Bed Sheet Set",
        "Home Textiles",
        "bamboo viscose",
        "queen",
        "breathable, hypoallergenic, 4 pieces",
        "32.00",
    ),
    (
        "TX-210",
        "SUP-001",
        "Cotton Canvas Tote Bag",
        "Bags",
        "cotton canvas",
        "38x42 cm",
        "reinforced handles",
        "2.40",
    ),
    (
        "TX-220",
        "SUP-001",
        "Polyester Work Apron",
        "Workwear",
        "polyester",
        "one size",
        "stain-resistant, adjustable strap",
        "4.10",
    ),
    (
        "HE-100",
        "SUP-002",
        "USB-C Charging Cable",
        "Electronics",
        "braided nylon",
        "1.5 m",
        "60W fast charge",
        "1.90",
    ),
    (
        "HE-110",
        "SUP-002",
        "Wireless Earbuds",
        "Electronics",
        "ABS plastic",
        "compact case",
        "Bluetooth 5.3, noise cancelling",
        "14.50",
    ),
    (
        "HE-120",
        "SUP-002",
        "LED Desk Lamp",
        "Electronics",
        "aluminium",
        "45 cm",
        "dimmable, USB powered",
        "11.00",
    ),
    (
        "HE-130",
        "SUP-002",
        "Power Bank 10000mAh",
        "Electronics",
        "aluminium",
        "pocket size",
        "dual output, fast charge",
        "9.80",
    ),
    (
        "HE-140",
        "SUP-002",
        "Smart Plug",
        "Electronics",
        "PC plastic",
        "EU plug",
        "Wi-Fi, energy monitoring",
        "5.60",
    ),
    (
        "NH-300",
        "SUP-003",
        "Ceramic Dinner Plate",
        "Kitchenware",
        "stoneware",
        "27 cm",
        "dishwasher safe",
        "3.20",
    ),
    (
        "NH-310",
        "SUP-003",
        "Oak Cutting Board",
        "Kitchenware",
        "oak wood",
        "40x25 cm",
        "oiled, juice groove",
        "12.40",
    ),
    (
        "NH-320",
        "SUP-003",
        "Glass Storage Jar",
        "Kitchenware",
        "borosilicate glass",
        "1 L",
        "airtight bamboo lid",
        "4.30",
    ),
    (
        "NH-330",
        "SUP-003",
        "Wool Throw Blanket",
        "Home Textiles",
        "merino wool",
        "130x170 cm",
        "soft, fringed edges",
        "29.00",
    ),
    (
        "PP-400",
        "SUP-004",
        "Corrugated Shipping Box",
        "Packaging",
        "recycled cardboard",
        "40x30x20 cm",
        "double wall",
        "0.65",
    ),
    (
        "PP-410",
        "SUP-004",
        "Kraft Paper Mailer",
        "Packaging",
        "kraft paper",
        "A4",
        "self-seal, recyclable",
        "0.22",
    ),
    (
        "PP-420",
        "SUP-004",
        "Bubble Wrap Roll",
        "Packaging",
        "polyethylene",
        "50 cm x 100 m",
        "perforated",
        "9.50",
    ),
    (
        "PP-430",
        "SUP-004",
        "Compostable Food Container",
        "Packaging",
        "sugarcane bagasse",
        "750 ml",
        "microwave safe",
        "0.18",
    ),
    (
        "AT-500",
        "SUP-005",
        "Nitrile Safety Gloves",
        "Safety",
        "nitrile",
        "L",
        "powder-free, box of 100",
        "6.90",
    ),
    (
        "AT-510",
        "SUP-005",
        "Steel Toe Work Boots",
        "Safety",
        "leather",
        "EU 42",
        "slip-resistant, S3 rated",
        "38.00",
    ),
    (
        "AT-520",
        "SUP-005",
        "Cordless Drill",
        "Tools",
        "steel and ABS",
        "18V",
        "two batteries, LED light",
        "54.00",
    ),
    (
        "AT-530",
        "SUP-005",
        "Industrial Shelf Unit",
        "Storage",
        "galvanized steel",
        "180x90x40 cm",
        "5 tiers, 300 kg per shelf",
        "79.00",
    ),
    (
        "AT-540",
        "SUP-005",
        "High-Visibility Vest",
        "Safety",
        "polyester mesh",
        "XL",
        "reflective strips, EN 20471",
        "2.80",
    ),
    ("AT-550", "SUP-005", "Hard Hat", "Safety", "HDPE", "adjustable", "ventilated, EN 397", "7.40"),
]

STOCK = {"AB-1020": 120, "KX-550": 0}
CARRIERS = ["DHL Express", "FedEx", "UPS", "SF Express", "Maersk"]
ISSUES = {
    "CUS-001": ["Damaged towels in delivery of last month", "Request for updated price list"],
    "CUS-002": ["Late delivery penalty dispute on a safety equipment order"],
    "CUS-005": ["Missing packing list on shipment"],
}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


async def is_empty(sm: async_sessionmaker[AsyncSession]) -> bool:
    async with sm() as s:
        return int((await s.execute(select(func.count()).select_from(SupplierRow))).scalar_one()) == 0


async def seed_demo(sm: async_sessionmaker[AsyncSession], *, today: date) -> dict[str, int]:
    """Write the demo data set; the fixed part is documented in README.md."""
    rng = random.Random(20261122)
    prices = {p[0]: Decimal(p[7]) for p in PRODUCTS}
    by_supplier: dict[str, list[str]] = {}
    for p in PRODUCTS:
        by_supplier.setdefault(p[1], []).append(p[0])
    now = _at(today, 8)
    async with sm() as s, s.begin():
        for sid, name, name_zh, contact, email, country, vip in SUPPLIERS:
            s.add(
                SupplierRow(
                    id=sid,
                    name=name,
                    name_zh=name_zh,
                    contact_name=contact,
                    email=email,
                    country=country,
                    vip=vip,
                )
            )
        for cid, name, desc, industry, contact, email, phone in CUSTOMERS:
            s.add(
                CustomerRow(
                    id=cid,
                    name=name,
                    description=desc,
                    industry=industry,
                    contact_name=contact,
                    email=email,
                    phone=phone,
                    country="",
                )
            )
        await s.flush()
        for sku, sid, name, cat, mat, size, feat, price in PRODUCTS:
            s.add(
                ProductRow(
                    sku=sku,
                    supplier_id=sid,
                    name=name,
                    category=cat,
                    material=mat,
                    size=size,
                    features=feat,
                    unit_price=Decimal(price),
                    currency="USD",
                )
            )
        await s.flush()
        for sku, *_ in PRODUCTS:
            qty = STOCK.get(sku, rng.randrange(50, 5000, 10))
            s.add(InventoryRow(sku=sku, quantity=qty, updated_at=now, updated_by="seed"))

        later: list[object] = []  # rows that reference orders, added once the orders are flushed

        def add_order(
            oid: str,
            sid: str,
            cid: str,
            status: str,
            created: date,
            lines: list[tuple[str, int]],
            **extra: object,
        ) -> Decimal:
            total = sum((prices[sku] * q for sku, q in lines), Decimal(0))
            s.add(
                OrderRow(
                    id=oid,
                    supplier_id=sid,
                    customer_id=cid,
                    status=status,
                    created_at=_at(created),
                    total=total,
                    currency="USD",
                    **extra,
                )
            )
            later.extend(
                OrderLineRow(order_id=oid, sku=sku, quantity=q, unit_price=prices[sku]) for sku, q in lines
            )
            return total

        # --- the fixed part (README.md documents it) ---
        t1 = add_order(
            "PO-1001",
            "SUP-001",
            "CUS-001",
            "shipped",
            today - timedelta(days=6),
            [("AB-1020", 400), ("AB-1030", 50)],
            carrier="DHL Express",
            tracking_number="JD014600003721",
            eta=today + timedelta(days=3),
            promised_date=today + timedelta(days=4),
        )
        add_order(
            "PO-1002",
            "SUP-001",
            "CUS-002",
            "pending_confirmation",
            today - timedelta(days=1),
            [("TX-220", 300)],
            promised_date=today + timedelta(days=14),
        )
        t3 = add_order(
            "PO-1003",
            "SUP-001",
            "CUS-001",
            "delivered",
            today - timedelta(days=30),
            [("KX-550", 200), ("TX-210", 500)],
            carrier="SF Express",
            tracking_number="SF1234567890",
            eta=today - timedelta(days=20),
            delivered_at=today - timedelta(days=21),
        )
        add_order(
            "PO-2001",
            "SUP-002",
            "CUS-003",
            "shipped",
            today - timedelta(days=4),
            [("HE-110", 200), ("HE-100", 1000)],
            carrier="FedEx",
            tracking_number="FX778899001122",
            eta=today + timedelta(days=2),
            promised_date=today + timedelta(days=2),
        )
        later.append(
            InvoiceRow(
                id="INV-2001",
                order_id="PO-1003",
                supplier_id="SUP-001",
                amount=t3,
                currency="USD",
                status="paid",
                issued_at=today - timedelta(days=21),
                due_date=today - timedelta(days=1),
                paid_at=today - timedelta(days=3),
            )
        )
        later.append(
            InvoiceRow(
                id="INV-2002",
                order_id="PO-1001",
                supplier_id="SUP-001",
                amount=t1,
                currency="USD",
                status="scheduled",
                issued_at=today - timedelta(days=5),
                due_date=today + timedelta(days=25),
                scheduled_date=today + timedelta(days=10),
            )
        )

        # --- generated history: ~90 days of orders across suppliers and customers ---
        customer_ids = [c[0] for c in CUSTOMERS]
        favourite = {cid: rng.sample(list(by_supplier), 2) for cid in customer_ids}
        favourite["CUS-001"] = ["SUP-001", "SUP-003"]
        favourite["CUS-002"] = ["SUP-005", "SUP-004"]
        inv_no = 3001
        for n in range(80):
            oid = f"PO-{3001 + n}"
            cid = rng.choice(customer_ids)
            sid = rng.choice(favourite[cid]) if rng.random() < 0.8 else rng.choice(list(by_supplier))
            created = today - timedelta(days=rng.randint(0, 90))
            skus = rng.sample(by_supplier[sid], k=min(len(by_supplier[sid]), rng.randint(1, 3)))
            lines = [(sku, rng.randrange(20, 800, 10)) for sku in skus]
            age = (today - created).days
            if age > 20:
                status = "delivered" if rng.random() < 0.92 else "cancelled"
            elif age > 5:
                status = rng.choice(["shipped", "shipped", "delivered", "confirmed"])
            else:
                status = rng.choice(["pending_confirmation", "confirmed", "shipped"])
            eta = created + timedelta(days=rng.randint(7, 18))
            extra: dict[str, object] = {"promised_date": eta}
            if status in ("shipped", "delivered"):
                extra.update(
                    carrier=rng.choice(CARRIERS),
                    tracking_number=f"TRK{rng.randrange(10**9, 10**10)}",
                    eta=eta,
                )
            if status == "delivered":
                extra["delivered_at"] = min(today, eta + timedelta(days=rng.randint(-2, 3)))
            total = add_order(oid, sid, cid, status, created, lines, **extra)
            if status in ("shipped", "delivered"):
                due = created + timedelta(days=45)
                paid = status == "delivered" and due - timedelta(days=10) < today
                inv_status = "paid" if paid else ("overdue" if due < today else "open")
                later.append(
                    InvoiceRow(
                        id=f"INV-{inv_no}",
                        order_id=oid,
                        supplier_id=sid,
                        amount=total,
                        currency="USD",
                        status=inv_status,
                        issued_at=created + timedelta(days=2),
                        due_date=due,
                        paid_at=(due - timedelta(days=rng.randint(1, 10))) if paid else None,
                    )
                )
                inv_no += 1
        await s.flush()
        s.add_all(later)
        for cid, titles in ISSUES.items():
            for title in titles:
                s.add(CustomerIssueRow(customer_id=cid, title=title, status="open", created_at=now))
    async with sm() as s:
        counts = {
            "suppliers": len(SUPPLIERS),
            "customers": len(CUSTOMERS),
            "products": len(PRODUCTS),
            "orders": int((await s.execute(select(func.count()).select_from(OrderRow))).scalar_one()),
            "invoices": int((await s.execute(select(func.count()).select_from(InvoiceRow))).scalar_one()),
        }
    return counts
