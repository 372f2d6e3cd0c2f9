"""Slack's errors reach the outbox typed: `response["error"]` and Retry-After become a kind and a wait."""

from __future__ import annotations

import pytest

from dialogue.errors import DeliveryError, DeliveryFailure
from dialogue.messages import ConversationKey, OutgoingMessage, Platform
from tests.adapters.conftest import PacingTime
from tests.adapters.slack.support import make_adapter
from tests.fakes.slack_api import SALES, FakeSlackApi

HELLO = OutgoingMessage(ConversationKey(Platform.SLACK, SALES, "1.1"), "hello")


async def failure(base_url: str, **adapter: object) -> DeliveryError:
    sender, _ = make_adapter(base_url, **adapter)
    with pytest.raises(DeliveryError) as caught:
        await sender.send(HELLO)
    return caught.value


async def test_ratelimited_carries_retry_after(slack_api: FakeSlackApi, pacing_time: PacingTime) -> None:
    slack_api.rate_limit_next("chat.postMessage", retry_after=5)
    error = await failure(slack_api.base_url, time=pacing_time)
    assert (error.kind, error.retry_after, error.permanent) == (DeliveryFailure.RATE_LIMITED, 5, False)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("channel_not_found", DeliveryFailure.CHAT_GONE),
        ("is_archived", DeliveryFailure.CHAT_GONE),
        ("not_in_channel", DeliveryFailure.BLOCKED),
        ("restricted_action", DeliveryFailure.BLOCKED),
        ("msg_too_long", DeliveryFailure.TOO_LARGE),
        ("invalid_auth", DeliveryFailure.OTHER),
    ],
)
async def test_permanent_errors_say_what_they_are_about(
    slack_api: FakeSlackApi, code: str, kind: DeliveryFailure
) -> None:
    slack_api.fail_next("chat.postMessage", error=code)
    error = await failure(slack_api.base_url, per_channel_interval_seconds=0)
    assert (error.kind, error.permanent, error.reason) == (kind, True, f"slack: {code}")


async def test_slacks_own_trouble_is_a_network_error(slack_api: FakeSlackApi) -> None:
    slack_api.fail_next("chat.postMessage", error="internal_error", status=500)
    error = await failure(slack_api.base_url, per_channel_interval_seconds=0)
    assert (error.kind, error.permanent) == (DeliveryFailure.NETWORK, False)


async def test_an_unreachable_api_is_a_network_error() -> None:
    error = await failure("http://127.0.0.1:9/api/", per_channel_interval_seconds=0)  # nothing listens
    assert (error.kind, error.permanent) == (DeliveryFailure.NETWORK, False)
