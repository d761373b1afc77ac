"""Database URLs as users give them: parsed strictly, shown only with the password masked, and
read from a file so that a password need not be on the command line.

SQLAlchemy ends the password at its first `@`: in `postgresql://user:p@ss@host/db` the password
is `p` and the host `ss@host`, so a connection error would print the rest of the password. Such a
URL is refused (never repaired by guessing) with the fix: percent-encode the password.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from audit.errors import InputError

# Mirrors SQLAlchemy's URL pattern: `scheme://user:password@rest`, the password up to the first @.
_AFTER_PASSWORD = re.compile(r"^[\w+]+://[^:/]*:[^@]*@(?P<rest>[^?]*)", re.DOTALL)
# Everything between `scheme://user:` and the last @ (which may be part of the password), and
# a password given as a query parameter (libpq and PyMySQL take one).
_PASSWORD_SPAN = re.compile(r"^(?P<head>[\w+]+://[^:/@]*:).*@(?P<tail>[^@]*)$", re.DOTALL)
_PASSWORD_QUERY = re.compile(r"(?P<key>[?&](?:password|passwd|pwd|sslpassword)=)[^&]*", re.I)
_ENCODE_HINT = (
    "percent-encode the user name and password ('@' as %40, ':' as %3A, '/' as %2F, '%' as %25)"
)


def mask_url(url: str | URL) -> str:
    """The URL as it may appear in output: every password replaced by ***."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return _masked_text(str(url)) or "<unparseable database URL>"
    if _ambiguous(url):
        return _masked_text(str(url)) or "<unparseable database URL>"
    return _PASSWORD_QUERY.sub(r"\g<key>***", parsed.render_as_string(hide_password=True))


def parse_url(url: str, source: str = "--db") -> URL:
    """The SQLAlchemy URL, or InputError naming `source` (an option or variable) whose message
    never holds the password."""
    masked = _masked_text(url)
    shown = f" ({masked})" if masked else ""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        hint = f"; {_ENCODE_HINT}" if url.count("@") > 1 else ""
        raise InputError(f"{source}: not a SQLAlchemy database URL{shown}{hint}") from None
    if _ambiguous(url):
        raise InputError(
            f"{source}: the URL's password holds an unencoded '@'{shown}: {_ENCODE_HINT}"
        )
    return parsed


def url_from_file(path: Path) -> str:
    """The database URL on the first line of `path` (--db-file)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"--db-file: {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"--db-file: {path} is not UTF-8 text") from None
    url = lines[0].strip() if lines else ""
    if not url:
        raise InputError(f"--db-file: the first line of {path} is empty: it must hold the URL")
    return url


def readable_by_others(path: Path) -> bool:
    """Whether every user of the machine may read `path` (a file holding a password)."""
    return bool(path.stat().st_mode & stat.S_IROTH)


def _ambiguous(url: str | URL) -> bool:
    """Whether an `@` follows the password's end outside the query: the password held one (or
    the database name does, which may be written %40 just as well)."""
    after = _AFTER_PASSWORD.match(url) if isinstance(url, str) else None
    return after is not None and "@" in after["rest"]


def _masked_text(url: str) -> str | None:
    """`url` with everything between `scheme://user:` and its last `@` masked; None when it
    does not have that shape (then nothing of it may be shown)."""
    found = _PASSWORD_SPAN.match(url)
    if found is None:
        return None
    return _PASSWORD_QUERY.sub(r"\g<key>***", f"{found['head']}***@{found['tail']}")
