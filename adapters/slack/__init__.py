"""Slack: Events API (HTTP or Socket Mode) and button clicks in, Web API out."""

from adapters.slack.adapter import EVENTS_PATH, SlackAdapter
from adapters.slack.blocks import BUTTON_ACTION_PREFIX, escape_mrkdwn
from adapters.slack.directory import SlackAgentDirectory
from adapters.slack.outbound import SlackSender, make_web_client, slack_pacer
from adapters.slack.settings import SlackDigestSettings, SlackSettings

__all__ = [
    "BUTTON_ACTION_PREFIX",
    "EVENTS_PATH",
    "SlackAdapter",
    "SlackAgentDirectory",
    "SlackDigestSettings",
    "SlackSender",
    "SlackSettings",
    "escape_mrkdwn",
    "make_web_client",
    "slack_pacer",
]
