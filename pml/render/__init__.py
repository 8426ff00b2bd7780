"""The render stage: compiled program + context → layout boxes → written text → messages; budgets."""
