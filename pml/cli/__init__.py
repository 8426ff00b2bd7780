"""The `pml` command (`pml.cli.app`), its options, its error handling and its sub-commands."""
