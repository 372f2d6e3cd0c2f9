"""Small talk, help and the request for a person."""

from __future__ import annotations

from tests.fakes.conversation import Conversation


async def test_human_handoff_and_small_talk() -> None:
    chat = Conversation()
    assert (await chat.one("hello")).outcome == "greeting"
    assert (await chat.one("谢谢")).outcome == "thanks"
    help_ = await chat.one("what can you do")
    assert help_.outcome == "help" and "Order status" in str(help_.facts["capabilities"])
    assert (await chat.one("goodbye")).outcome == "goodbye"
    assert (await chat.one("talk to a human please")).outcome == "escalated"
    assert await chat.say("are you there?") == []  # a person has the conversation now
