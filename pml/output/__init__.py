"""The output stage: rendered messages → payloads (`Rendered`, provider targets, cache plans, reports)."""
