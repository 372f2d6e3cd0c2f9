"""Platform adapters: translate Telegram, Slack and web payloads to and from core messages."""
