"""Timed work: APScheduler jobs, each taking only what it needs, and the one process that runs them."""
