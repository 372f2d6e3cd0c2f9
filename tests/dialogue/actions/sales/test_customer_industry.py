"""customer_industry: a known customer's industry, or a described company's."""

from __future__ import annotations

from tests.dialogue.actions.sales.chat import sales_chat


async def test_customer_industry_from_backend_data() -> None:
    chat = sales_chat()
    acme = await chat.one("what industry is ACME Corp in?")
    assert acme.outcome == "customer_industry"
    assert acme.facts["customer_name"] == "ACME Corp"
    assert acme.facts["industry"] == "retail"
    assert isinstance(acme.facts["confidence"], float) and 0.5 < acme.facts["confidence"] <= 1.0
    globex = await chat.one("which industry is Globex in?")
    assert globex.facts["industry"] == "manufacturing"
    zh = await chat.one("Globex 属于哪个行业？")
    assert zh.facts["industry"] == "制造" and zh.language == "zh"


async def test_industry_of_a_described_company() -> None:
    reply = await sales_chat().one("they do software development and IT services, which industry is that?")
    assert reply.outcome == "text_industry"
    assert reply.facts["industry"] == "technology"
    hotel = await sales_chat().one("what industry: a company that runs hotels and restaurants")
    assert hotel.facts["industry"] == "hospitality"
