"""In-memory doubles for dialogue tests: demo backend, accounts, handoff, keyword NLU, recording renderer.

The demo data mirrors `opsbot db seed-demo` (bot/seed.py), relative to the test clock's day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dialogue.actions.base import Services
from dialogue.actions.registry import default_actions
from dialogue.backend import (
    Customer,
    CustomerProfile,
    EscalationTicket,
    Invoice,
    LinkResult,
    Order,
    Product,
    PurchaseLine,
    SalesSummary,
    StockChange,
    StockItem,
    Supplier,
)
from dialogue.clock import ManualClock
from dialogue.embedding import Embedder, HashingEmbedder
from dialogue.manager import DialogueManager, Policy
from dialogue.messages import (
    Button,
    ChannelKind,
    ConversationKey,
    IncomingMessage,
    Platform,
    Sender,
)
from dialogue.nlg.types import RenderedReply
from dialogue.session import Session
from nlu.entities import EntityExtractor
from nlu.language import detect_language
from nlu.types import OUT_OF_SCOPE, KnownName, NluResult

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
TODAY = START.date()


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


SUPPLIERS = {
    "SUP-001": Supplier("SUP-001", "Sunrise Textiles", "旭日纺织"),
    "SUP-002": Supplier("SUP-002", "Huaqiang Electronics", "华强电子", vip=True),
    "SUP-003": Supplier("SUP-003", "Nordic Home Goods"),
}
CUSTOMERS = {
    c.id: c
    for c in (
        Customer(
            "CUS-001",
            "ACME Corp",
            "Nationwide retail chain of home and lifestyle stores with an online shop.",
            "retail",
            "Sarah Miller",
            "sarah.miller@acme.example",
        ),
        Customer(
            "CUS-002",
            "Globex Industries",
            "Manufacturer of industrial equipment and machine components.",
            "manufacturing",
            "Hank Scorpio",
            "hank@globex.example",
        ),
        Customer(
            "CUS-003",
            "Initech Software",
            "Software development and IT services for banks.",
            "technology",
            "Peter Gibbons",
            "peter@initech.example",
        ),
        Customer(
            "CUS-006",
            "Wayne Hospitality",
            "Hotel group with restaurants and conference venues.",
            "hospitality",
            "Alfred Pennyworth",
            "alfred@waynehosp.example",
        ),
        Customer(
            "CUS-010",
            "Vandelay Imports",
            "Importer and distributor of latex goods and household products.",
            "wholesale",
            "Art Vandelay",
            "art@vandelay.example",
        ),
    )
}
PRODUCTS = {
    p.sku: p
    for p in (
        Product("AB-1020", "SUP-001", "Organic Cotton Bath Towel", "Home Textiles", "organic cotton",
                "70x140 cm",
                "quick-dry, 500 gsm, OEKO-TEX certified", Decimal("8.50")),
        Product("KX-550", "SUP-001", "Linen Table Runner", "Home Textiles", "linen", "40x180 cm",
                "hemstitched, washable", Decimal("6.20")),
        Product("AB-1030", "SUP-001", "Bamboo Bed Sheet Set", "Home Textiles", "bamboo viscose", "queen",
                "breathable, hypoallergenic, 4 pieces", Decimal("32.00")),
        Product("TX-210", "SUP-001", "Cotton Canvas Tote Bag", "Bags", "cotton canvas", "38x42 cm",
                "reinforced handles", Decimal("2.40")),
        Product("TX-220", "SUP-001", "Polyester Work Apron", "Workwear", "polyester", "one size",
                "stain-resistant, adjustable strap", Decimal("4.10")),
        Product("HE-100", "SUP-002", "USB-C Charging Cable", "Electronics", "braided nylon", "1.5 m",
                "60W fast charge", Decimal("1.90")),
        Product("HE-110", "SUP-002", "Wireless Earbuds", "Electronics", "ABS plastic", "compact case",
                "Bluetooth 5.3, noise cancelling", Decimal("14.50")),
        Product("NH-300", "SUP-003", "Ceramic Dinner Plate", "Kitchenware", "stoneware", "27 cm",
                "dishwasher safe", Decimal("3.20")),
        Product("NH-320", "SUP-003", "Glass Storage Jar", "Kitchenware", "borosilicate glass", "1 L",
                "airtight bamboo lid", Decimal("4.30")),
        Product("NH-330", "SUP-003", "Wool Throw Blanket", "Home Textiles", "merino wool", "130x170 cm",
                "soft, fringed edges", Decimal("29.00")),
        Product("AT-500", "SUP-003", "Nitrile Safety Gloves", "Safety", "nitrile", "L",
                "powder-free, box of 100", Decimal("6.90")),
        Product("AT-510", "SUP-003", "Steel Toe Work Boots", "Safety", "leather", "EU 42",
                "slip-resistant, S3 rated", Decimal("38.00")),
    )
}  # fmt: skip


def demo_orders(today: date) -> dict[str, Order]:
    d = timedelta
    orders = [
        Order("PO-1001", "SUP-001", "CUS-001", "shipped", _at(today - d(6)), Decimal("4999.00"),
              carrier="DHL Express", tracking_number="JD014600003721", eta=today + d(3),
              promised_date=today + d(4)),
        Order("PO-1002", "SUP-001", "CUS-002", "pending_confirmation", _at(today - d(1)), Decimal("1230.00"),
              promised_date=today + d(14)),
        Order("PO-1003", "SUP-001", "CUS-001", "delivered", _at(today - d(30)), Decimal("2440.00"),
              carrier="SF Express", tracking_number="SF1234567890", eta=today - d(20),
              delivered_at=today - d(21)),
        Order("PO-2001", "SUP-002", "CUS-003", "shipped", _at(today - d(4)), Decimal("4800.00"),
              carrier="FedEx", tracking_number="FX778899001122", eta=today + d(2),
              promised_date=today + d(2)),
        Order("PO-3001", "SUP-003", "CUS-006", "delivered", _at(today - d(40)), Decimal("900.00"),
              delivered_at=today - d(30)),
        Order("PO-3002", "SUP-003", "CUS-010", "shipped", _at(today - d(2)), Decimal("640.00"),
              carrier="UPS", tracking_number="1Z999", eta=today - d(1), promised_date=today - d(1)),
        Order("PO-3003", "SUP-003", "CUS-002", "delivered", _at(today - d(50)), Decimal("1500.00"),
              delivered_at=today - d(44)),
    ]  # fmt: skip
    return {o.id: o for o in orders}


LINES = [
    ("PO-1001", "AB-1020", 400), ("PO-1001", "AB-1030", 50), ("PO-1002", "TX-220", 300),
    ("PO-1003", "KX-550", 200), ("PO-1003", "TX-210", 500), ("PO-2001", "HE-110", 200),
    ("PO-2001", "HE-100", 1000), ("PO-3001", "AB-1020", 100), ("PO-3001", "NH-330", 40),
    ("PO-3001", "NH-300", 200), ("PO-3002", "AB-1020", 50), ("PO-3002", "KX-550", 60),
    ("PO-3002", "NH-320", 120), ("PO-3003", "AT-500", 500), ("PO-3003", "AT-510", 30),
]  # fmt: skip
ISSUES = {"CUS-001": ("Damaged towels in delivery of last month", "Request for updated price list")}


class FakeBackend:
    """The Backend protocol over dictionaries; every supplier read is scoped like the SQL one."""

    def __init__(self, today: date = TODAY) -> None:
        self.today = today
        self.orders = demo_orders(today)
        d = timedelta
        self.invoices = {
            i.id: i
            for i in (
                Invoice("INV-2001", "PO-1003", "SUP-001", Decimal("2440.00"), "USD", "paid", today - d(21),
                        today - d(1), paid_at=today - d(3)),
                Invoice("INV-2002", "PO-1001", "SUP-001", Decimal("4999.00"), "USD", "scheduled",
                        today - d(5),
                        today + d(25), scheduled_date=today + d(10)),
                Invoice("INV-2101", "PO-2001", "SUP-002", Decimal("4800.00"), "USD", "overdue", today - d(40),
                        today - d(2)),
            )
        }  # fmt: skip
        self.stock = {"AB-1020": 120, "KX-550": 0, "AB-1030": 300, "TX-210": 800, "TX-220": 50, "HE-100": 900,
                      "HE-110": 75}  # fmt: skip
        self.stock_writes: list[tuple[str, str, int, str, str]] = []
        self._changes: dict[str, StockChange] = {}

    async def get_supplier(self, supplier_id: str) -> Supplier | None:
        return SUPPLIERS.get(supplier_id)

    async def get_order(self, supplier_id: str, order_id: str) -> Order | None:
        order = self.orders.get(order_id.upper())
        return order if order and order.supplier_id == supplier_id else None

    async def open_orders(self, supplier_id: str) -> Sequence[Order]:
        found = [o for o in self.orders.values() if o.supplier_id == supplier_id and o.is_open]
        return sorted(found, key=lambda o: o.created_at, reverse=True)

    async def get_invoice(self, supplier_id: str, invoice_id: str) -> Invoice | None:
        inv = self.invoices.get(invoice_id.upper())
        return inv if inv and inv.supplier_id == supplier_id else None

    async def invoices_for_order(self, supplier_id: str, order_id: str) -> Sequence[Invoice]:
        return [i for i in self.invoices.values() if i.supplier_id == supplier_id and i.order_id == order_id]

    async def open_invoices(self, supplier_id: str, limit: int) -> Sequence[Invoice]:
        found = [
            i
            for i in self.invoices.values()
            if i.supplier_id == supplier_id and i.status in ("open", "scheduled", "overdue")
        ]
        return sorted(found, key=lambda i: i.issued_at, reverse=True)[:limit]

    def _owned(self, supplier_id: str, sku: str) -> bool:
        product = PRODUCTS.get(sku.upper())
        return product is not None and product.supplier_id == supplier_id and sku.upper() in self.stock

    async def get_stock(self, supplier_id: str, sku: str) -> StockItem | None:
        if not self._owned(supplier_id, sku):
            return None
        return StockItem(sku.upper(), PRODUCTS[sku.upper()].name, self.stock[sku.upper()])

    async def list_stock(self, supplier_id: str) -> Sequence[StockItem]:
        return [
            StockItem(sku, PRODUCTS[sku].name, qty)
            for sku, qty in self.stock.items()
            if self._owned(supplier_id, sku)
        ]

    async def set_stock(
        self, supplier_id: str, sku: str, quantity: int, *, changed_by: str, request_id: str
    ) -> StockChange | None:
        if request_id in self._changes:
            return self._changes[request_id]
        if not self._owned(supplier_id, sku):
            return None
        old = self.stock[sku.upper()]
        self.stock[sku.upper()] = quantity
        self.stock_writes.append((supplier_id, sku.upper(), quantity, changed_by, request_id))
        change = StockChange(sku.upper(), old, quantity, changed_by)
        self._changes[request_id] = change
        return change

    async def get_product(self, sku: str) -> Product | None:
        return PRODUCTS.get(sku.upper())

    async def list_products(self) -> Sequence[Product]:
        return list(PRODUCTS.values())

    async def find_customer(self, name_or_id: str) -> Customer | None:
        key = name_or_id.strip().casefold()
        if not key:
            return None
        for c in CUSTOMERS.values():
            if key in (c.id.casefold(), c.name.casefold()):
                return c
        return next((c for c in CUSTOMERS.values() if key in c.name.casefold()), None)

    async def customer_profile(self, customer_id: str) -> CustomerProfile | None:
        customer = CUSTOMERS.get(customer_id)
        if customer is None:
            return None
        orders = sorted(
            (o for o in self.orders.values() if o.customer_id == customer_id),
            key=lambda o: o.created_at,
            reverse=True,
        )
        skus = tuple(
            dict.fromkeys(line.sku for line in await self.purchase_lines() if line.customer_id == customer_id)
        )
        return CustomerProfile(
            customer=customer,
            lifetime_value=sum((o.total for o in orders if o.status != "cancelled"), Decimal(0)),
            order_count=len(orders),
            last_orders=tuple(orders[:5]),
            open_issues=ISSUES.get(customer_id, ()),
            purchased_skus=skus,
        )

    async def purchase_lines(self) -> Sequence[PurchaseLine]:
        return [
            PurchaseLine(oid, self.orders[oid].customer_id, sku, qty)
            for oid, sku, qty in LINES
            if oid in self.orders
        ]

    async def sales_summary(self, start: date, end: date) -> SalesSummary:
        orders = [
            o for o in self.orders.values() if start <= o.created_at.date() < end and o.status != "cancelled"
        ]
        by_supplier: dict[str, Decimal] = {}
        for o in orders:
            name = SUPPLIERS[o.supplier_id].name
            by_supplier[name] = by_supplier.get(name, Decimal(0)) + o.total
        by_category: dict[str, Decimal] = {}
        ids = {o.id for o in orders}
        for oid, sku, qty in LINES:
            if oid in ids:
                cat = PRODUCTS[sku].category
                by_category[cat] = by_category.get(cat, Decimal(0)) + PRODUCTS[sku].unit_price * qty
        late = tuple(
            sorted(
                o.id
                for o in orders
                if o.is_open and (o.eta or o.promised_date) and (o.eta or o.promised_date) < self.today  # type: ignore[operator]
            )
        )
        top = sorted(by_supplier.items(), key=lambda kv: -kv[1])[:3]
        cats = sorted(by_category.items(), key=lambda kv: -kv[1])[:3]
        return SalesSummary(start, end, len(orders), sum((o.total for o in orders), Decimal(0)), "USD",
                            tuple(top), tuple(cats), late, escalations=1)  # fmt: skip

    def known_names(self) -> Sequence[KnownName]:
        return [KnownName("customer", c.id, c.name) for c in CUSTOMERS.values()] + [
            KnownName("supplier", s.id, s.name, (s.name_zh,) if s.name_zh else ()) for s in SUPPLIERS.values()
        ]


class FakeAccounts:
    def __init__(self, codes: Mapping[str, str] | None = None) -> None:
        self.codes = dict(codes or {"LINK-SUNRISE": "SUP-001"})
        self.links: dict[tuple[str, str], str] = {}

    async def linked_supplier(self, platform: str, user_id: str) -> str | None:
        return self.links.get((platform, user_id))

    async def redeem(self, code: str, platform: str, user_id: str) -> LinkResult:
        supplier = self.codes.pop(code, None)
        if supplier is None:
            return LinkResult(False, reason="invalid")
        self.links[(platform, user_id)] = supplier
        return LinkResult(True, supplier)


@dataclass
class FakeHandoff:
    escalations: list[dict[str, Any]] = field(default_factory=list)
    open: dict[str, EscalationTicket] = field(default_factory=dict)

    async def escalate(
        self,
        *,
        conversation_key: str,
        supplier_id: str | None,
        reason: str,
        detail: str,
        priority: str,
        order_ids: Sequence[str],
        request_id: str,
    ) -> EscalationTicket:
        if conversation_key in self.open:
            existing = self.open[conversation_key]
            return EscalationTicket(existing.id, False, existing.status)
        ticket = EscalationTicket(len(self.escalations) + 1, True, "pending")
        self.escalations.append(
            {"conversation_key": conversation_key, "supplier_id": supplier_id, "reason": reason,
             "detail": detail, "priority": priority, "order_ids": list(order_ids)}
        )  # fmt: skip
        self.open[conversation_key] = ticket
        return ticket

    async def open_escalation(self, conversation_key: str) -> EscalationTicket | None:
        return self.open.get(conversation_key)


# --- NLU double ----------------------------------------------------------------------------------

_RULES: list[tuple[str, str]] = [
    (r"complain|unacceptable|terrible|ridiculous|投诉|太差|不满", "complaint"),
    (r"\bhuman\b|\bagent\b|real person|人工", "human_handoff"),
    (r"^(hi|hello|hey)\b|^你好|^您好", "greeting"),
    (r"\b(bye|goodbye)\b|再见", "goodbye"),
    (r"\bthank|谢谢", "thanks"),
    (r"^help$|what can you do|帮助", "help"),
    (r"industry|sector|行业", "customer_industry"),
    (r"recommend|pitch|similar|推荐|类似", "recommend_products"),
    (r"description|listing|描述|文案", "product_description"),
    (r"\bsales\b|revenue|销售", "sales_summary"),
    (r"tell me about|look ?up|\bcustomer\b|客户|查一下", "customer_lookup"),
    (r"\b(set|update|change)\b.*(\d|stock)|make it|改成|改为|更新.*库存", "inventory_update"),
    (r"\bstock\b|inventory|库存", "inventory_query"),
    (
        r"payment terms|return|penalt|label|moq|minimum order|policy|deduct"
        r"|政策|罚|标签|起订量|退货|账期|付款条件|扣",
        "policy_question",
    ),
    (r"register|registration|documents|verif|onboard|sign up|注册|资料|审核|入驻|证书", "onboarding"),
    (r"invoice|\bpaid\b|payment|发票|付款|货款", "payment_status"),
    (r"\border\b|\bpo\b|po-|shipment|where is|订单|到哪|发货", "order_status"),
]
_NEGATIVE = re.compile(r"unacceptable|terrible|ridiculous|angry|worst|太差|生气|气愤", re.I)


class FakeParser:
    """Keyword intents in EN and ZH; entities from the real rule-based nlu.entities.EntityExtractor."""

    def __init__(self, backend: FakeBackend, today: date = TODAY) -> None:
        self._extractor = EntityExtractor(name_lookup=backend, clock=lambda: today)

    async def parse(self, text: str) -> NluResult:
        intent = next((name for pattern, name in _RULES if re.search(pattern, text, re.I)), OUT_OF_SCOPE)
        confidence = 0.9 if intent != OUT_OF_SCOPE else 0.2
        return NluResult(
            text=text,
            intent=intent,
            confidence=confidence,
            ranking=((intent, confidence),),
            entities=self._extractor.extract(text),
            language=detect_language(text),
            sentiment="negative" if _NEGATIVE.search(text) else "neutral",
        )


# --- renderer double -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    outcome: str
    facts: Mapping[str, object]
    language: str


class RecordingRenderer:
    """Renders "outcome|fact=value|..." and records what it was asked to render."""

    def __init__(self) -> None:
        self.calls: list[Rendered] = []

    async def render(
        self, outcome: str, facts: Mapping[str, object], *, language: str, user_text: str = ""
    ) -> RenderedReply:
        self.calls.append(Rendered(outcome, dict(facts), language))
        text = "|".join([outcome, *(f"{k}={v}" for k, v in facts.items())])
        return RenderedReply(text, outcome, language, text, used_fallback=False)

    async def describe_product(self, attributes: Mapping[str, str], *, language: str) -> RenderedReply:
        self.calls.append(Rendered("product_description", dict(attributes), language))
        text = "product_description|" + "|".join(f"{k}={v}" for k, v in attributes.items())
        return RenderedReply(text, "product_description", language, text, False, is_draft=True)


# --- a conversation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Said:
    """One bot reply as a test sees it."""

    outcome: str
    facts: Mapping[str, object]
    language: str
    text: str
    buttons: tuple[Button, ...]
    table: tuple[tuple[str, ...], ...]


class Conversation:
    """One user talking to a DialogueManager wired with the default actions and the fakes."""

    def __init__(
        self,
        *,
        supplier_id: str | None = "SUP-001",
        channel: ChannelKind = ChannelKind.PRIVATE,
        platform: Platform = Platform.TELEGRAM,
        embedder: Embedder | None = None,
        faq_threshold: float = 0.36,
        backend: FakeBackend | None = None,
        user: str = "u1",
    ) -> None:
        self.clock = ManualClock(START)
        self.backend = backend or FakeBackend()
        self.accounts = FakeAccounts()
        self.handoff = FakeHandoff()
        self.renderer = RecordingRenderer()
        self.parser = FakeParser(self.backend)
        self.actions = default_actions(embedder=embedder or HashingEmbedder(), faq_threshold=faq_threshold)
        self.manager = DialogueManager(
            nlu=self.parser,
            renderer=self.renderer,
            services=Services(self.backend, self.accounts, self.handoff),
            clock=self.clock,
            actions=self.actions,
            policy=Policy(),
        )
        self.platform = platform
        self.channel = channel
        self.user = user
        key = ConversationKey(platform, f"chat-{user}")
        self.session = Session(key=key, started_at=START, last_activity_at=START, supplier_id=supplier_id)
        self._n = 0

    async def say(
        self, text: str, *, callback_data: str = "", command: str = "", args: str = ""
    ) -> list[Said]:
        self._n += 1
        self.clock.advance(seconds=5)
        message = IncomingMessage(
            platform=self.platform,
            conversation=self.session.key,
            sender=Sender(self.user, "Li Wei"),
            text=text,
            external_id=f"m{self._n}",
            timestamp=self.clock(),
            channel_kind=self.channel,
            command=command,
            command_args=args,
            callback_data=callback_data,
            message_id=f"m{self._n}",
        )
        start = len(self.renderer.calls)
        out = await self.manager.handle(message, self.session)
        calls = self.renderer.calls[start:]
        assert len(calls) == len(out)
        return [
            Said(c.outcome, c.facts, c.language, o.text, o.buttons, o.table)
            for c, o in zip(calls, out, strict=True)
        ]

    async def one(self, text: str, **kwargs: str) -> Said:
        replies = await self.say(text, **kwargs)
        assert len(replies) == 1, replies
        return replies[0]

    async def press(self, value: str, label: str = "") -> Said:
        return await self.one(label, callback_data=value)
