"""The support desk's agents: configured ids, the agent user group (cached, kept when Slack fails), names."""

from __future__ import annotations

import pytest

from adapters.slack import SlackAgentDirectory, make_web_client
from dialogue.clock import ManualClock
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackApi


def directory(slack_api: FakeSlackApi, clock: ManualClock, **kwargs: object) -> SlackAgentDirectory:
    client = make_web_client(BOT_TOKEN, slack_api.base_url)
    return SlackAgentDirectory(client, ("UCONF",), "SAGENTS", ttl_seconds=300, clock=clock, **kwargs)  # type: ignore[arg-type]


async def test_configured_ids_and_group_members_are_agents(slack_api: FakeSlackApi) -> None:
    slack_api.usergroups["SAGENTS"] = ["UANN", "UBEN"]
    agents = directory(slack_api, ManualClock())
    assert await agents.is_agent("UCONF") and await agents.is_agent("UANN")
    assert not await agents.is_agent("UREP") and not await agents.is_agent("")
    assert len(slack_api.calls_to("usergroups.users.list")) == 1  # cached


async def test_the_group_is_asked_again_after_the_ttl(slack_api: FakeSlackApi) -> None:
    clock = ManualClock()
    slack_api.usergroups["SAGENTS"] = ["UANN"]
    agents = directory(slack_api, clock)
    assert await agents.is_agent("UANN")
    slack_api.usergroups["SAGENTS"] = ["UBEN"]  # Ann left the group
    clock.advance(seconds=299)
    assert await agents.is_agent("UANN")
    clock.advance(seconds=2)
    assert not await agents.is_agent("UANN") and await agents.is_agent("UBEN")


async def test_when_slack_fails_the_last_known_members_are_kept(
    slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()
    slack_api.usergroups["SAGENTS"] = ["UANN"]
    agents = directory(slack_api, clock)
    assert await agents.is_agent("UANN")
    clock.advance(seconds=301)
    slack_api.fail_next("usergroups.users.list", error="internal_error")
    assert await agents.is_agent("UANN")
    assert "keeping the 1 members known" in caplog.text
    clock.advance(seconds=10)
    assert len(slack_api.calls_to("usergroups.users.list")) == 2  # not on every message while down
    clock.advance(seconds=25)
    assert await agents.is_agent("UANN") and len(slack_api.calls_to("usergroups.users.list")) == 3


async def test_names_prefer_the_display_name_and_are_cached(slack_api: FakeSlackApi) -> None:
    slack_api.users["UANN"] = {"id": "UANN", "name": "ann.k", "real_name": "Ann Kim",
                               "profile": {"display_name": "Ann", "real_name": "Ann Kim"}}  # fmt: skip
    slack_api.users["UBEN"] = {
        "id": "UBEN",
        "name": "ben",
        "profile": {"display_name": "", "real_name": "Ben Ode"},
    }
    slack_api.users["UCAL"] = {"id": "UCAL", "name": "cal", "profile": {}}
    agents = directory(slack_api, ManualClock())
    assert [await agents.name_of(u) for u in ("UANN", "UBEN", "UCAL")] == ["Ann", "Ben Ode", "cal"]
    assert await agents.name_of("UANN") == "Ann"
    assert len(slack_api.calls_to("users.info")) == 3


async def test_a_name_slack_cannot_tell_is_empty(slack_api: FakeSlackApi) -> None:
    slack_api.fail_next("users.info", error="user_not_found")
    assert await directory(slack_api, ManualClock()).name_of("UGONE") == ""
