"""`opsbot telegram set-webhook`: register_webhook against the fake Bot API, and bad input refused."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from adapters.telegram import ALLOWED_UPDATES, TelegramSetupError, register_webhook, unregister_webhook
from tests.adapters.telegram.support import make_settings
from tests.fakes.telegram_api import FakeTelegramAPI, text_update


def test_set_webhook_command(telegram_api: FakeTelegramAPI) -> None:
    import bot.cli.telegram  # noqa: F401  (registers the commands)
    from bot.cli import app

    env = {
        "TELEGRAM_BOT_TOKEN": telegram_api.token,
        "TELEGRAM_WEBHOOK_SECRET": "hook-secret",
        "OPSBOT_TELEGRAM__API_BASE_URL": telegram_api.base_url,
        "OPSBOT_CONFIG": "",
    }
    url = "https://ops.example.com/telegram/webhook"
    result = CliRunner().invoke(app, ["telegram", "set-webhook", url], env=env)
    assert result.exit_code == 0, result.output
    assert "webhook set" in result.output
    call = telegram_api.ok_calls("setWebhook")[0]
    assert call.params["url"] == url
    assert call.params["secret_token"] == "hook-secret"
    assert call.params["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert call.params.get("drop_pending_updates") is not True


@pytest.mark.parametrize(
    ("url", "env_secret", "message"),
    [
        ("http://ops.example.com/telegram/webhook", "s", "https"),
        ("https://ops.example.com/telegram/webhook", "", "TELEGRAM_WEBHOOK_SECRET"),
    ],
)
def test_set_webhook_command_refuses_bad_input(url: str, env_secret: str, message: str) -> None:
    import bot.cli.telegram  # noqa: F401
    from bot.cli import app

    env = {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_SECRET": env_secret, "OPSBOT_CONFIG": ""}
    result = CliRunner().invoke(app, ["telegram", "set-webhook", url], env=env)
    assert result.exit_code == 2
    assert message in result.output


def test_set_webhook_with_a_rejected_token_does_not_print_it(telegram_api: FakeTelegramAPI) -> None:
    import bot.cli.telegram  # noqa: F401
    from bot.cli import app

    env = {
        "TELEGRAM_BOT_TOKEN": "999:not-the-token",
        "TELEGRAM_WEBHOOK_SECRET": "s",
        "OPSBOT_TELEGRAM__API_BASE_URL": telegram_api.base_url,
        "OPSBOT_CONFIG": "",
    }
    result = CliRunner().invoke(
        app, ["telegram", "set-webhook", "https://x.example.com/telegram/webhook"], env=env
    )
    assert result.exit_code == 1
    assert "rejected" in result.output and "not-the-token" not in result.output
    assert telegram_api.calls("setWebhook") == []


async def test_register_then_unregister_keeps_pending_updates(telegram_api: FakeTelegramAPI) -> None:
    telegram_api.push_update(text_update(300, "hello"))
    settings = make_settings(telegram_api)
    info = await register_webhook(
        settings, telegram_api.token, "hook-secret", "https://x.example/telegram/webhook"
    )
    assert info == {
        "url": "https://x.example/telegram/webhook",
        "pending_update_count": 1,
        "allowed_updates": list(ALLOWED_UPDATES),
    }
    await unregister_webhook(settings, telegram_api.token)
    assert telegram_api.webhook == {}
    assert len(telegram_api.pending_updates) == 1  # polling picks it up
    with pytest.raises(TelegramSetupError, match="TELEGRAM_WEBHOOK_SECRET"):
        await register_webhook(settings, telegram_api.token, "", "https://x.example/telegram/webhook")
