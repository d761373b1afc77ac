"""Errors that end a command with a one-line message on stderr, never a traceback.

Exit status: 2 for bad usage or input (`InputError`), 3 for an operational failure
(`OperationalError`: the database lost beyond retries, the disk full, workers lost, the run
interrupted). The CLI maps them in `audit.cli.main`.
"""


class InputError(Exception):
    """Bad usage or input: the CLI prints the message on one line and exits 2."""


class OperationalError(Exception):
    """The job could not finish for a reason outside its input: the CLI prints the cause on
    one line and exits 3."""
