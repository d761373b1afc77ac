"""Errors that end a command with a one-line message and exit status 2 (bad usage or input)."""


class InputError(Exception):
    """Bad usage or input: the CLI prints the message on one line and exits 2."""
