"""Talking to a live ComfyUI server: the only package that does HTTP (client.py, state.py).

Nothing is imported here so that the command line can name defaults without loading urllib.
"""
DEFAULT_TIMEOUT = 30.0  # seconds per request
