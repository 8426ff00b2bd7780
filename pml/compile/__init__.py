"""The compile stage: syntax tree + styles → the compiled program (with its modules and checks)."""
