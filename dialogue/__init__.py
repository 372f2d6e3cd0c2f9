"""Platform-independent core: messages, dialogue manager, policy, actions, NLG, handoff, backend protocol."""
