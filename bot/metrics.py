"""Prometheus metrics, on a registry owned by the running app (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from dialogue.handoff.model import Escalation


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.messages_in = Counter(
            "opsbot_messages_in_total", "Incoming messages stored in the inbox", ["platform"], registry=r
        )
        self.duplicates = Counter(
            "opsbot_duplicate_deliveries_total",
            "Duplicate deliveries acknowledged without work",
            ["platform"],
            registry=r,
        )
        self.messages_out = Counter(
            "opsbot_messages_out_total",
            "Outgoing messages by delivery result",
            ["platform", "result"],
            registry=r,
        )
        self.processing_seconds = Histogram(
            "opsbot_processing_seconds",
            "Time to handle one message (NLU, action, reply)",
            ["platform"],
            registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.processing_errors = Counter(
            "opsbot_processing_errors_total", "Failed processing attempts", ["platform"], registry=r
        )
        self.dead_letters = Counter(
            "opsbot_dead_letters_total", "Messages given up after max attempts", ["platform"], registry=r
        )
        self.nlg_fallbacks = Counter(
            "opsbot_nlg_fallbacks_total",
            "Model replies rejected by the grounding check",
            ["outcome"],
            registry=r,
        )
        self.intents = Counter("opsbot_intents_total", "Recognized intents", ["intent"], registry=r)
        self.queue_depth = Gauge("opsbot_queue_depth", "Unfinished rows per queue", ["queue"], registry=r)
        self.rejected_updates = Counter(
            "opsbot_rejected_updates_total",
            "Requests acknowledged without a usable message (unparseable, unsupported), kept for inspection",
            ["platform", "reason"],
            registry=r,
        )
        self.escalations = Counter(
            "opsbot_escalations_total", "Escalations opened, by their first reason", ["reason"], registry=r
        )
        self.escalation_outcomes = Counter(
            "opsbot_escalation_outcomes_total",
            "Escalations ended, by first reason and outcome (resolved, returned, withdrawn, closed)",
            ["reason", "outcome"],
            registry=r,
        )
        minutes = (30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400)
        self.time_to_claim = Histogram(
            "opsbot_escalation_time_to_claim_seconds", "From escalation to claim", registry=r, buckets=minutes
        )
        self.time_to_resolve = Histogram(
            "opsbot_escalation_time_to_resolve_seconds",
            "From escalation to resolution",
            registry=r,
            buckets=minutes,
        )
        self.link_failures = Counter(
            "opsbot_link_failures_total",
            "One-time link codes that linked nothing (wrong, used or expired)",
            ["platform"],
            registry=r,
        )
        self.open_escalations = Gauge(
            "opsbot_escalations_open", "Open escalations by status", ["status"], registry=r
        )
        self.llm_seconds = Histogram(
            "opsbot_llm_seconds",
            "Language model calls, by use and outcome (ok, timeout, connection, rate_limited, ...)",
            ["use", "outcome"],
            registry=r,
            buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32),
        )
        self.llm_tokens = Counter(
            "opsbot_llm_tokens_total",
            "Language model tokens, by use and direction (in, out)",
            ["use", "direction"],
            registry=r,
        )
        self.llm_fallbacks = Counter(
            "opsbot_llm_fallback_total",
            "Language model calls that gave nothing usable, so opsbot answered without the model",
            ["use", "reason"],
            registry=r,
        )
        self.llm_rejected = Counter(
            "opsbot_llm_rejected_total",
            "Language model answers not shown: they failed the grounding checks",
            ["use", "reason"],
            registry=r,
        )

    def observe_escalation(self, escalation: Escalation, change: str) -> None:
        """Count an escalation's change (the handoff service's observer)."""
        reason = escalation.reasons[0].code if escalation.reasons else "unknown"
        if change == "created":
            self.escalations.labels(reason).inc()
        elif change == "assigned" and escalation.assigned_at is not None:
            self.time_to_claim.observe((escalation.assigned_at - escalation.created_at).total_seconds())
        elif change in ("resolved", "returned", "withdrawn", "closed"):
            self.escalation_outcomes.labels(reason, change).inc()
            if change == "resolved" and escalation.resolved_at is not None:
                self.time_to_resolve.observe((escalation.resolved_at - escalation.created_at).total_seconds())
