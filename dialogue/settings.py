"""The `dialogue:` and `handoff:` settings, owned by this package; bot.config composes them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DialogueSettings(_Section):
    session_ttl_minutes: float = Field(default=30.0, gt=0)
    confidence_threshold: float = Field(default=0.45, ge=0, le=1)
    fallbacks_before_handoff: int = Field(default=2, ge=1)
    faq_threshold: float = Field(default=0.40, ge=0, le=1)
    link_code_ttl_hours: float = Field(default=24.0, gt=0)
    default_language: Literal["en", "zh"] = Field(
        default="en", description="the reply language before a conversation has shown its own"
    )
    max_invoices_listed: int = Field(default=5, ge=1)


class HandoffSettings(_Section):
    claim_sla_minutes: float = Field(default=15.0, gt=0)
    resolve_sla_minutes: float = Field(default=240.0, gt=0)
    lead_user_id: str = ""
    vip_suppliers: tuple[str, ...] = ()
    order_value_threshold: float = Field(default=50000.0, ge=0)
    history_turns: int = Field(default=10, ge=1, description="turns shown in an escalation's summary")
