"""Language model providers (`llm:` in config.yaml): OpenAI-compatible servers and local models."""
