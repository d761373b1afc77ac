"""The database password stays off the cluster's wire: partition tasks carry the URL without it.

A task is pickled to the scheduler, kept in its task state and sent to a worker; on a cluster
that is network traffic (plain TCP unless the scheduler address is `tls://`) and memory that
other users of the cluster may inspect. So the job sends the URL with its password removed, and
a worker puts the password back from its own environment:

- `CERTCENSUS_DB_PASSWORD_FILE`: a file whose first line is the password (a mounted secret), or
- `CERTCENSUS_DB_PASSWORD`: the password itself.

On the local cluster the job starts, the driver sets `CERTCENSUS_DB_PASSWORD` in its worker
processes' environment when they are spawned (never through the scheduler). On an existing
cluster (`--scheduler`), the workers must be started with one of the two.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from audit.errors import InputError
from audit.source.urls import parse_url

PASSWORD_VARIABLE = "CERTCENSUS_DB_PASSWORD"
PASSWORD_FILE_VARIABLE = "CERTCENSUS_DB_PASSWORD_FILE"
_QUERY_PASSWORDS = ("password", "passwd", "pwd")  # libpq and PyMySQL also take one in the query


@dataclass(frozen=True)
class WorkerURL:
    """What a partition task carries: the URL without its password, and whether it had one."""

    url: str  # never holds a password
    password_withheld: bool

    def __repr__(self) -> str:
        return f"WorkerURL({self.url!r}, password_withheld={self.password_withheld})"


def split_password(url: str) -> tuple[WorkerURL, str | None]:
    """The URL to send to workers, and the password kept back (None: the URL had none)."""
    parsed = parse_url(url)
    password = parsed.password
    query = dict(parsed.query)
    for key in _QUERY_PASSWORDS:
        if key in query:
            value = query.pop(key)
            password = password or (value if isinstance(value, str) else value[0])
    # (URL.set takes password=None as "leave it as it is": build the URL anew.)
    stripped = URL.create(
        parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database, query
    )
    shown = stripped.render_as_string(hide_password=False)
    return WorkerURL(shown, password is not None), password


def on_worker(carried: WorkerURL) -> str:
    """The full URL, in a worker: the password put back from the worker's own environment."""
    if not carried.password_withheld:
        return carried.url
    password = _password_from_environment()
    if password is None:
        raise InputError(
            "the database password is not sent to the workers: start them with "
            f"{PASSWORD_FILE_VARIABLE} (a file holding it) or {PASSWORD_VARIABLE} set "
            "(README: 'Running on a cluster')"
        )
    url: URL = parse_url(carried.url).set(password=password)
    return url.render_as_string(hide_password=False)


def worker_environment(password: str | None) -> dict[str, str]:
    """The environment the local cluster's worker processes are spawned with."""
    return {PASSWORD_VARIABLE: password} if password is not None else {}


def _password_from_environment() -> str | None:
    path = os.environ.get(PASSWORD_FILE_VARIABLE)
    if path:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"{PASSWORD_FILE_VARIABLE}: {path}: {exc.strerror or exc}") from None
        return lines[0] if lines else ""
    return os.environ.get(PASSWORD_VARIABLE)
