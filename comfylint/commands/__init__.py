"""CLI commands beyond `check`: each module defines one click command; cli.py registers it."""
