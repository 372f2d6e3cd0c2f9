"""The Slack app manifest asks for what the adapter uses: scopes for the relay, events for edits."""

from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parents[3] / "slack-app-manifest.yml"


def test_the_manifest_has_the_relays_scopes_and_events() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "files:read",
        "files:write",
        "chat:write",
        "reactions:write",
        "users:read",
        "usergroups:read",
    } <= scopes
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.channels", "message.groups", "message.im"} <= events  # edits are subtypes
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
