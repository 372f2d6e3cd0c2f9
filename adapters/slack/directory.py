"""Who the support agents are on Slack, and what they are called (dialogue.handoff.desk.AgentDirectory).

Agents are the configured user ids plus the members of the configured user group
(`usergroups.users.list`), refreshed at most every `ttl_seconds`; when Slack cannot be asked, the
last known members are kept (with a warning) and Slack is asked again after `retry_seconds`.
Names come from `users.info` and are cached.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.outbound import describe_error
from dialogue.clock import Clock, system_clock

logger = logging.getLogger(__name__)

_LOOKUP_ERRORS = (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError, ValueError)
_MAX_NAMES = 10_000


class SlackAgentDirectory:
    """Configured agent ids and a user group's members (cached for a TTL), and users' display names."""

    def __init__(
        self,
        client: AsyncWebClient,
        agent_user_ids: Collection[str] = (),
        agent_usergroup: str = "",
        ttl_seconds: float = 300.0,
        clock: Clock = system_clock,
        retry_seconds: float = 30.0,
    ) -> None:
        self._client = client
        self._configured = frozenset(agent_user_ids)
        self._usergroup = agent_usergroup
        self._ttl = timedelta(seconds=ttl_seconds)
        self._retry = timedelta(seconds=min(retry_seconds, ttl_seconds))
        self._clock = clock
        self._members: frozenset[str] = frozenset()
        self._next_refresh: datetime | None = None
        self._names: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def is_agent(self, user_id: str) -> bool:
        """A configured agent, or a member of the agent user group."""
        if not user_id:
            return False
        if user_id in self._configured:
            return True
        return user_id in await self._group_members()

    async def name_of(self, user_id: str) -> str:
        """The user's display name, else real name, else user name; "" when Slack cannot tell."""
        if not user_id:
            return ""
        if user_id in self._names:
            return self._names[user_id]
        try:
            response = await self._client.users_info(user=user_id)
        except _LOOKUP_ERRORS as exc:
            logger.warning("slack: users.info %s failed: %s", user_id, describe_error(exc))
            return ""
        user = response.get("user")
        if not isinstance(user, dict):
            return ""
        profile = user.get("profile")
        profile = profile if isinstance(profile, dict) else {}
        name = next(
            (
                value.strip()
                for value in (
                    profile.get("display_name"),
                    profile.get("real_name"),
                    user.get("real_name"),
                    user.get("name"),
                )
                if isinstance(value, str) and value.strip()
            ),
            "",
        )
        if len(self._names) >= _MAX_NAMES:
            self._names.clear()
        self._names[user_id] = name
        return name

    async def _group_members(self) -> frozenset[str]:
        if not self._usergroup:
            return frozenset()
        async with self._lock:
            now = self._clock()
            if self._next_refresh is None or now >= self._next_refresh:
                await self._refresh(now)
            return self._members

    async def _refresh(self, now: datetime) -> None:
        try:
            response = await self._client.usergroups_users_list(usergroup=self._usergroup)
        except _LOOKUP_ERRORS as exc:
            logger.warning(
                "slack: usergroups.users.list %s failed (%s); keeping the %d members known",
                self._usergroup,
                describe_error(exc),
                len(self._members),
            )
            self._next_refresh = now + self._retry  # not on every message while Slack is down
            return
        users = response.get("users")
        listed = users if isinstance(users, list) else []
        self._members = frozenset(user for user in listed if isinstance(user, str))
        self._next_refresh = now + self._ttl
