"""Natural-language generation: seq2seq reply model, lexicalization, grounding check, templates."""
