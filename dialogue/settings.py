"""The `dialogue:` and `handoff:` settings, owned by this package; bot.config composes them."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from nlu.settings import SettingsSection


def known_timezone(value: str) -> str:
    """A pydantic check: `value` names an IANA timezone."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {value!r}") from exc
    return value


class KnowledgeRoutingSettings(SettingsSection):
    """When the knowledge base answers beside the intent (dialogue.routing; docs/knowledge.md)."""

    sure: float = Field(
        default=0.7, ge=0, description="from here the best entry answers even if the second is close"
    )
    offer: float = Field(default=0.425, ge=0, le=1, description="from here to faq_threshold: offer 2 entries")
    margin: float = Field(
        default=0.06, ge=0, le=1, description="the best entry's lead needed to answer alone"
    )
    override: float = Field(default=0.45, ge=0, description="another intent's message: answer from here ...")
    slope: float = Field(default=0.05, ge=0, description="... plus this times the intent's confidence")
    choose: float = Field(default=0.0, ge=0, le=1, description="this far below that: intent or entry?")


class KnowledgeSettings(SettingsSection):
    """The `knowledge:` settings: the handbook the bot answers from (dialogue.handbook; docs/knowledge.md)."""

    dir: Path | None = Field(
        default=None,
        description="a folder of Markdown files (en/ and zh/, or *.zh.md); empty = the demo's handbook",
    )
    store: Path = Field(
        default=Path("var/knowledge"), description="where `opsbot knowledge sync` keeps the synced handbook"
    )
    heading_level: int = Field(default=2, ge=1, le=6, description="headings of this level start an entry")
    reload: bool = Field(default=True, description="adopt a new sync at the next turn, without a restart")


class DialogueSettings(SettingsSection):
    session_ttl_minutes: float = Field(default=30.0, gt=0)
    confidence_threshold: float = Field(default=0.45, ge=0, le=1)
    fallbacks_before_handoff: int = Field(default=2, ge=1)
    faq_threshold: float = Field(
        default=0.45,
        ge=0,
        le=1,
        description="a knowledge question is answered from its best entry from here",
    )
    knowledge: KnowledgeRoutingSettings = KnowledgeRoutingSettings()
    link_code_ttl_hours: float = Field(default=24.0, gt=0)
    default_language: Literal["en", "zh"] = Field(
        default="en", description="the reply language before a conversation has shown its own"
    )
    max_invoices_listed: int = Field(default=5, ge=1)
    reorder_lead_time_days: int = Field(
        default=14, ge=0, le=365, description="demand_forecast: days from a reorder to the goods in stock"
    )


class BusinessHoursSettings(SettingsSection):
    """When the SLA clock runs; off by default, so it runs around the clock."""

    enabled: bool = False
    timezone: str = "UTC"
    days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = (
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
    )
    start: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str = Field(default="18:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")

    _known_timezone = field_validator("timezone")(known_timezone)

    @model_validator(mode="after")
    def _opens_before_closing(self) -> BusinessHoursSettings:
        if self.enabled and (not self.days or self.start >= self.end):
            raise ValueError("business hours need at least one day and a start before the end")
        return self


class HandoffSettings(SettingsSection):
    claim_sla_minutes: float = Field(
        default=15.0, gt=0, description="unclaimed this long: the desk is re-notified"
    )
    resolve_sla_minutes: float = Field(default=240.0, gt=0, description="from escalation to resolution")
    warn_at_fraction: float = Field(default=0.8, gt=0, lt=1, description="warn in the thread at this share")
    lead_user_id: str = Field(default="", description="who gets a DM when an escalation breaches its SLA")
    business_hours: BusinessHoursSettings = BusinessHoursSettings()
    vip_suppliers: tuple[str, ...] = ()
    order_value_threshold: float = Field(default=50000.0, ge=0)
    history_turns: int = Field(default=10, ge=1, description="turns shown in an escalation's summary")
    auto_close_hours: float = Field(default=24.0, gt=0, description="a resolved escalation closes after this")
    csat: bool = Field(default=True, description="ask the supplier to rate a resolved conversation")
    csat_cooldown_hours: float = Field(default=24.0, ge=0, description="at most one survey per supplier per")
    sla_scan_seconds: float = Field(default=30.0, gt=0, description="how often the SLA timers are checked")
    agent_language: str = Field(
        default="",
        pattern=r"^(|en|zh)$",
        description="the agents' language: with `translate` in llm.uses, a supplier's message in another "
        "language reaches them translated, and their replies reach the supplier translated (empty: off)",
    )
