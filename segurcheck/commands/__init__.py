"""Sub-commands whose logic is more than glue (kept out of cli.py)."""
