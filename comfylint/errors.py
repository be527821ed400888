"""The one kind of error a caller must handle: something the user gave cannot be used.

A configuration, a catalog source, a baseline, a rule selector: the message is written for the
user. The command line maps every ComfylintError to exit code 2 in one place (cli/__init__.py);
the library never prints or exits.
"""
from __future__ import annotations


class ComfylintError(Exception):
    """A problem with the run's inputs (not with a workflow: those are findings)."""
