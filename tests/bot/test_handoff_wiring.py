"""One rule decides whether there is a Slack desk, for the server and the CLI alike (`build_handoff`)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.handoff_wiring import build_handoff, support_desk
from dialogue.messages import ConversationKey, Platform
from tests.conftest import make_config
from tests.fakes.backend import FakeBackend
from tests.fakes.escalations import MemoryEscalations

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SLACK_HTTP = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"}


def test_a_running_slack_with_a_support_channel_is_the_desk(tmp_path: Path) -> None:
    config = make_config(tmp_path, {"slack": {"support_channel": "C_SUPPORT"}}, env=SLACK_HTTP)
    service = build_handoff(config, store=MemoryEscalations(), backend=FakeBackend(), clock=lambda: NOW)
    assert service.has_desk
    assert service.desk.channel == ConversationKey(Platform.SLACK, "C_SUPPORT")


def test_a_token_alone_is_not_a_running_slack(tmp_path: Path) -> None:
    """In auto mode Slack needs a signing secret or an app token to run; the CLI used to think otherwise."""
    config = make_config(
        tmp_path, {"slack": {"support_channel": "C_SUPPORT"}}, env={"SLACK_BOT_TOKEN": "xoxb-test"}
    )
    assert support_desk(config) is None
    assert not build_handoff(
        config, store=MemoryEscalations(), backend=FakeBackend(), clock=lambda: NOW
    ).has_desk


def test_no_channel_no_desk_and_only_the_server_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(tmp_path, env=SLACK_HTTP)
    with caplog.at_level(logging.WARNING, logger="bot.handoff_wiring"):
        assert support_desk(config) is None  # a CLI command: quiet
        assert not caplog.records
        assert support_desk(config, announce=True) is None  # the server, at start-up
    assert "slack.support_channel is empty" in caplog.text
