"""Prometheus metrics, on a registry owned by the running app (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


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
        self.end_to_end_seconds = Histogram(
            "opsbot_end_to_end_seconds",
            "From receipt to reply delivered",
            ["platform"],
            registry=r,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
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
