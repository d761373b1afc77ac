"""A SELECT-only account whose password holds '@', ':', '/' and '%': the URL may come from the
environment or a file (not the command line), and the password appears nowhere: not on stdout or
stderr, not in any file of the run directory, not in the report."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy.engine import make_url

from audit.sample_db.products.population import ANCHOR
from tests.db.conftest import Sample

pytestmark = pytest.mark.db


@pytest.mark.parametrize(("server", "via"), [("postgresql", "env"), ("mariadb", "file")])
def test_a_password_with_url_delimiters_audits_and_is_never_written(
    server: str, via: str, sample_of: Callable[[str, str], Sample], tmp_path: Path
) -> None:
    sample = sample_of("ejbca", server)
    password = f"p@ss:w/rd%{secrets.token_hex(6)}"
    url = sample.server.create_reader(sample.database, password=password)
    assert quote(password, safe="") in url  # percent-encoded, as the error for '@' asks
    env = {**os.environ}
    args = ["run", "--schema", "ejbca", "--as-of", ANCHOR.isoformat(), "--workers", "1"]
    if via == "env":
        env["CERTCENSUS_DB"] = url
    else:
        url_file = tmp_path / "db-url"
        url_file.write_text(url + "\n")
        url_file.chmod(0o600)
        args += ["--db-file", str(url_file)]
    runs = tmp_path / "runs"
    out = subprocess.run(
        [sys.executable, "-m", "audit", *args, "--out", str(runs)],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert url not in " ".join(args)  # not on the command line

    [run_dir] = runs.iterdir()
    run = json.loads((run_dir / "run.json").read_text())
    assert run["database"]["url"] == make_url(url).render_as_string(hide_password=True)
    assert run["counts"]["scanned"] == len(sample.expected)
    secrets_ = [password, quote(password, safe=""), password.split("@")[1]]
    written = [p for p in run_dir.rglob("*") if p.is_file()]
    assert run_dir / "report.html" in written
    for secret in secrets_:
        assert secret not in out.stdout + out.stderr
        for path in written:
            assert secret.encode() not in path.read_bytes(), path
