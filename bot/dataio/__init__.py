"""The operator's own data in opsbot's store: the data contract, and `opsbot import` (CSV, JSONL, Excel)."""
