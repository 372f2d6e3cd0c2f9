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


async def test_top_three_with_confidences_and_the_nearest_examples() -> None:
    reply = await sales_chat().one("what industry: a company that runs hotels and restaurants")
    candidates = str(reply.facts["candidates"]).splitlines()
    assert len(candidates) == 3 and candidates[0].startswith("• hospitality ")
    assert all(line.endswith("%") for line in candidates)
    assert str(reply.facts["reasons"]).startswith("• ")


async def test_a_description_is_not_taken_for_a_customer_name() -> None:
    chat = sales_chat()
    assert (await chat.one("which industry is this customer in?")).outcome == "customer_ask_name"
    answer = await chat.one("Distributor buying electronics")
    assert answer.outcome == "text_industry"
    zh = sales_chat()
    await zh.one("这个客户属于什么行业")
    reply = await zh.one("一家生产医用口罩并运营三家私立医院")
    assert reply.outcome == "text_industry" and reply.language == "zh"
    lookup = await sales_chat().one("look up the customer that runs a chain of dental clinics")
    assert lookup.outcome == "text_industry"
