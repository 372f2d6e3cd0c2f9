"""The human handoff: escalations, their state machine, the desks agents work at, and the SLA."""
