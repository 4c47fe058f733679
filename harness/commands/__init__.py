"""One module per ``python -m harness <command>``."""
