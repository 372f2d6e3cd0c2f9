"""What a person formatted in Slack reaches the relay as light Markdown; the NLU still reads plain text."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.slack.mrkdwn import to_markdown
from tests.adapters.slack.support import post_event
from tests.fakes.slack_api import SUPPORT, event_body


@pytest.mark.parametrize(
    ("mrkdwn", "markdown"),
    [
        ("*bold* _italic_ ~gone~", "**bold** _italic_ ~~gone~~"),
        ("`a &lt; b` and ```x *y*```", "`a < b` and ```x *y*```"),
        ("see <https://x.example/a?b=1&amp;c=2|the docs>", "see [the docs](https://x.example/a?b=1&c=2)"),
        ("<https://y.example> <mailto:a@b.example|a@b.example>", "https://y.example a@b.example"),
        ("ask <@U123> or <@U9|ann> in <#C1|sales> <!here>", "ask <@U123> or <@U9> in #sales @here"),
        ("done :white_check_mark: :smile: :+1: :wave::skin-tone-3:", "done ✅ 😄 👍 👋🏼"),
        ("a &amp; b &lt;c&gt;", "a & b <c>"),
        ("2*3*4 = 24 and snake_case_name", "2*3*4 = 24 and snake_case_name"),
        ("<https://x.example/:smile:/|link :smile:>", "[link 😄](https://x.example/:smile:/)"),
    ],
)
def test_mrkdwn_becomes_light_markdown(mrkdwn: str, markdown: str) -> None:
    assert to_markdown(mrkdwn) == markdown


async def test_a_thread_reply_carries_plain_and_rich_text(http: Any) -> None:
    client, inbox, _ = http
    reply = {"type": "message", "channel_type": "channel", "channel": SUPPORT, "user": "UAGENT",
             "text": "Ship *today* :truck: &amp; tell <@U42>", "ts": "1700000000.000901",
             "thread_ts": "1700000000.000001"}  # fmt: skip
    await post_event(client, event_body(reply, event_id="EvRich"))
    [message] = inbox.messages
    assert message.text == "Ship *today* :truck: & tell @U42"  # what the NLU reads, as before
    assert message.rich_text == "Ship **today** 🚚 & tell <@U42>"
