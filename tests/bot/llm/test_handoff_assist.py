"""Help for agents through the whole application: a supplier on Telegram, agents in Slack, the model on the
fake OpenAI-compatible server. The card gets its summary after it is posted, "Suggest a reply" answers the
clicker ephemerally and sends nothing, and a Chinese supplier and an English agent read each other."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dialogue.actions.registry import default_actions
from tests.bot.llm.conftest import Served
from tests.conftest import MakeRuntime
from tests.fakes.slack_api import FakeSlackApi, slack_api_fixture, slack_api_server_fixture
from tests.fakes.slack_events import BOT_TOKEN, SIGNING_SECRET
from tests.fakes.telegram_api import FakeTelegramAPI, telegram_api, telegram_api_server
from tests.test_handoff_end_to_end import (
    CHAT,
    DESK,
    TG_SECRET,
    Agent,
    Supplier,
    _card_ts,
    card_posts,
    ephemerals,
    eventually,
    link,
    served,
    thread_posts,
)

__all__ = ["slack_api_fixture", "slack_api_server_fixture", "telegram_api", "telegram_api_server"]

SUMMARY = [
    "The supplier wants a person about PO-1001.",
    "PO-1001 is shipped, per the card.",
    "Open: confirm the delivery with the supplier.",
]
DRAFT = "Hello, PO-1001 has shipped; I am checking the delivery date with the carrier now."
TRANSLATIONS = {
    "PO-1001 的货到哪里了？我等了5天。": "Where is the shipment of PO-1001? I have waited 5 days.",
    "PO-1001 arrives in 3 days.": "PO-1001 将在 3 天内送达。",
    "Sorry, PO-1001 is 2 days late.": "抱歉，PO-1001 延迟了 4 天。",  # a changed number
}


def model_answer(body: dict[str, Any]) -> str:
    system, said = body["messages"][0]["content"], body["messages"][-1]["content"]
    if system.startswith("Summarise"):
        return json.dumps({"lines": SUMMARY})
    if system.startswith("You draft"):
        return DRAFT
    return TRANSLATIONS.get(said, "?")


async def start(
    make_runtime: MakeRuntime,
    telegram: FakeTelegramAPI,
    slack: FakeSlackApi,
    model: Served | None,
    uses: Sequence[str] = ("assist", "translate"),
) -> Any:
    slack.users.update({"UANN": {"id": "UANN", "name": "ann", "profile": {"display_name": "Ann"}}})
    overrides: dict[str, Any] = {
        "telegram": {
            "mode": "webhook",
            "api_base_url": telegram.base_url,
            "file_base_url": telegram.file_base_url,
            "bot_username": telegram.bot_username,
            "per_chat_interval_seconds": 0.0,
        },
        "slack": {
            "mode": "http",
            "api_base_url": slack.base_url,
            "support_channel": DESK,
            "agent_user_ids": ["UANN"],
            "per_channel_interval_seconds": 0,
        },
        "pipeline": {"poll_interval_seconds": 0.05, "send_backoff_base_seconds": 0.05},
        "web": {"enabled": False},
        "handoff": {"agent_language": "en"},
    }
    if model is not None:
        model.fake.answer = model_answer
        overrides["llm"] = {
            "provider": "openai",
            "base_url": model.root,
            "model": "fake-model",
            "uses": list(uses),
        }
    runtime = await make_runtime(
        overrides=overrides,
        env={
            "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        },
        actions=default_actions(embedder=None),
    )
    await link(runtime)
    return runtime


def card_updates(slack: FakeSlackApi) -> list[str]:
    return [json.dumps(c.args.get("blocks"), ensure_ascii=False) for c in slack.calls_to("chat.update")]


async def test_the_card_gets_a_summary_and_a_suggestion_reaches_the_agent_alone(
    make_runtime: MakeRuntime,
    telegram_api: FakeTelegramAPI,
    slack_api: FakeSlackApi,
    openai_server: Served,
) -> None:
    runtime = await start(make_runtime, telegram_api, slack_api, openai_server)
    try:
        async with served(runtime) as client:
            supplier, ann = Supplier(client, telegram_api), Agent(client, slack_api, "UANN")
            await supplier.says("I want to talk to a real person about PO-1001")
            [told] = await eventually(lambda: supplier.received())
            assert told.startswith("escalated")
            [card] = await eventually(lambda: card_posts(slack_api))
            card_ts = await eventually(lambda: _card_ts(slack_api))
            # the summary comes as an update of the card, once the model has answered
            updated = await eventually(lambda: [b for b in card_updates(slack_api) if SUMMARY[1] in b])
            assert all(line in updated[0] for line in SUMMARY)
            assert "Suggest a reply" in json.dumps(card.args["blocks"])

            await ann.clicks("handoff:claim:1", card_ts)
            await eventually(lambda: any("has taken over" in t for t in supplier.received()))
            sent = len(supplier.received())
            await ann.clicks("handoff:suggest:1", card_ts)
            [draft] = await eventually(lambda: ephemerals(slack_api, "UANN"))
            assert draft.endswith(DRAFT)
            await eventually(
                lambda: (
                    runtime.metrics.registry.get_sample_value(
                        "opsbot_llm_seconds_count", {"use": "assist", "outcome": "ok"}
                    )
                    == 2
                )
            )
            assert len(supplier.received()) == sent  # nothing went to the supplier

            await ann.writes(DRAFT, card_ts)  # the agent sends it: now it goes
            assert await eventually(lambda: supplier.received()[sent:]) == [DRAFT]
    finally:
        await runtime.models.aclose()


async def test_a_chinese_supplier_and_an_english_agent(
    make_runtime: MakeRuntime,
    telegram_api: FakeTelegramAPI,
    slack_api: FakeSlackApi,
    openai_server: Served,
) -> None:
    runtime = await start(make_runtime, telegram_api, slack_api, openai_server)
    try:
        async with served(runtime) as client:
            supplier, ann = Supplier(client, telegram_api), Agent(client, slack_api, "UANN")
            await supplier.says("我要人工客服")
            card_ts = await eventually(lambda: _card_ts(slack_api))
            await ann.clicks("handoff:claim:1", card_ts)
            await eventually(lambda: len(supplier.received()) >= 2)

            await supplier.says("PO-1001 的货到哪里了？我等了5天。")
            [mirrored] = await eventually(lambda: thread_posts(slack_api, card_ts))
            assert mirrored.endswith("↳ English: Where is the shipment of PO-1001? I have waited 5 days.")

            sent = len(supplier.received())
            await ann.writes("PO-1001 arrives in 3 days.", card_ts)
            assert await eventually(lambda: supplier.received()[sent:]) == ["PO-1001 将在 3 天内送达。"]
            await eventually(
                lambda: "Sent in Chinese: PO-1001 将在 3 天内送达。" in thread_posts(slack_api, card_ts)
            )

            await ann.writes("Sorry, PO-1001 is 2 days late.", card_ts)
            [why] = await eventually(lambda: [t for t in ephemerals(slack_api, "UANN") if "Not sent" in t])
            assert "changed or added a number (2, 4)" in why and "starting with original:" in why
            await ann.writes("original: Sorry, PO-1001 is 2 days late.", card_ts)
            relayed = await eventually(lambda: supplier.received()[sent + 1 :])
            assert relayed == ["Sorry, PO-1001 is 2 days late."]
    finally:
        await runtime.models.aclose()


async def test_with_the_model_off_the_handoff_is_unchanged(
    make_runtime: MakeRuntime, telegram_api: FakeTelegramAPI, slack_api: FakeSlackApi
) -> None:
    runtime = await start(make_runtime, telegram_api, slack_api, None)
    async with served(runtime) as client:
        supplier, ann = Supplier(client, telegram_api), Agent(client, slack_api, "UANN")
        await supplier.says("我要人工客服")
        [card] = await eventually(lambda: card_posts(slack_api))
        card_ts = await eventually(lambda: _card_ts(slack_api))
        assert "Suggest a reply" not in json.dumps(card.args["blocks"])
        await ann.clicks("handoff:claim:1", card_ts)
        await eventually(lambda: len(supplier.received()) >= 2)
        await supplier.says("PO-1001 的货到哪里了？")
        [mirrored] = await eventually(lambda: thread_posts(slack_api, card_ts))
        assert "English" not in mirrored
        await ann.writes("original: PO-1001 arrives in 3 days.", card_ts)
        assert (await eventually(lambda: supplier.received()[2:]))[
            0
        ] == "original: PO-1001 arrives in 3 days."
    assert runtime.handoff.help.assists is False and CHAT
