"""Natural-language understanding: intents, out-of-scope detection, entities, language and sentiment."""
