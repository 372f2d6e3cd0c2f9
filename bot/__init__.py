"""opsbot composition root: config, wiring, CLI, ASGI server, scheduler and storage."""
