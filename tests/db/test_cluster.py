"""The same audit on an existing dask.distributed cluster (a `dask scheduler` and a `dask worker`
started here on loopback) gives the same results, row for row, as the local run. The remote
workers import the driver's PostgreSQL snapshot like local ones. The database password never
travels with the tasks: the workers take it from their own environment, and a `tls://`
scheduler is reached with dask's TLS settings."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dask
import pyarrow.dataset as ds
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.engine import make_url

from audit.errors import InputError
from audit.jobs.quarterly_audit import AuditRequest, run_audit
from audit.sample_db.products.population import ANCHOR
from audit.source.credentials import PASSWORD_FILE_VARIABLE
from tests.db.conftest import Sample

pytestmark = pytest.mark.db

RUN_SPECIFIC = {"run_id", "lint_version"}  # columns that may differ between two runs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # its own process group: the worker's nannies too
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _certificates(directory: Path) -> dict[str, str]:
    """A CA and a certificate for 127.0.0.1 signed by it, for dask's TLS on loopback: the
    scheduler, the workers and the client present the same one."""
    key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test cluster CA")])
    now = datetime.now(UTC)
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(leaf_key.public_key()).serial_number(2)
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    files = {
        "ca": directory / "ca.pem",
        "cert": directory / "cert.pem",
        "key": directory / "key.pem",
    }
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return {k: str(v) for k, v in files.items()}


@dataclass
class DaskCluster:
    address: str
    password_file: Path  # the workers' CERTCENSUS_DB_PASSWORD_FILE: write the password here
    tls: dict[str, str] | None  # the client's dask TLS settings, for a tls:// address


def _start_cluster(tmp_path: Path, tls: bool, worker_password: bool) -> Iterator[DaskCluster]:
    port = _free_port()
    scheme = "tls" if tls else "tcp"
    address = f"{scheme}://127.0.0.1:{port}"
    bin_dir = Path(sys.executable).parent
    dask_cli = str(bin_dir / "dask") if (bin_dir / "dask").exists() else "dask"
    password_file = tmp_path / "db-password"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTCENSUS_DB")}
    if worker_password:
        env[PASSWORD_FILE_VARIABLE] = str(password_file)
    tls_args: list[str] = []
    client_tls = None
    if tls:
        files = _certificates(tmp_path)
        tls_args = ["--tls-ca-file", files["ca"], "--tls-cert", files["cert"],
                    "--tls-key", files["key"]]  # fmt: skip
        client_tls = {
            "distributed.comm.tls.ca-file": files["ca"],
            "distributed.comm.tls.client.cert": files["cert"],
            "distributed.comm.tls.client.key": files["key"],
            "distributed.comm.require-encryption": True,
        }
    common = {"cwd": tmp_path, "start_new_session": True, "stdout": subprocess.DEVNULL,
              "stderr": subprocess.DEVNULL, "env": env}  # fmt: skip
    scheduler = subprocess.Popen(
        [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
         "--protocol", scheme, *tls_args],
        **common,  # type: ignore[call-overload]
    )  # fmt: skip
    worker = None
    try:
        worker = subprocess.Popen(
            [dask_cli, "worker", address, "--host", "127.0.0.1", "--nworkers", "2", "--nthreads", "1",
             "--no-dashboard", "--local-directory", str(tmp_path / "worker"), *tls_args],
            **common,  # type: ignore[call-overload]
        )  # fmt: skip
        from distributed import Client

        deadline = time.monotonic() + 60
        with dask.config.set(client_tls or {}), Client(address, timeout="30s") as client:
            while len(client.scheduler_info()["workers"]) < 2:
                assert time.monotonic() < deadline, "the dask workers did not join"
                assert worker.poll() is None, "dask worker exited"
                time.sleep(0.2)
        yield DaskCluster(address, password_file, client_tls)
    finally:
        if worker is not None:
            _stop(worker)
        _stop(scheduler)


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[DaskCluster]:
    yield from _start_cluster(tmp_path, tls=False, worker_password=True)


@pytest.fixture
def tls_cluster(tmp_path: Path) -> Iterator[DaskCluster]:
    yield from _start_cluster(tmp_path, tls=True, worker_password=True)


@pytest.fixture
def cluster_without_password(tmp_path: Path) -> Iterator[DaskCluster]:
    yield from _start_cluster(tmp_path, tls=False, worker_password=False)


def _sorted(run_dir: Path, name: str, keys: list[str]) -> list[dict]:
    rows = ds.dataset(run_dir / name, format="parquet").to_table().to_pylist()
    rows = [{k: v for k, v in r.items() if k not in RUN_SPECIFIC} for r in rows]
    return sorted(rows, key=lambda r: tuple(str(r.get(k)) for k in keys))


def _password_for_workers(cluster: DaskCluster, url: str) -> None:
    cluster.password_file.write_text(f"{make_url(url).password}\n")
    cluster.password_file.chmod(0o600)


def test_existing_cluster_gives_the_local_results_row_for_row(
    sample_of: Callable[[str, str], Sample], dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    sample = sample_of("ejbca", "postgresql")
    _password_for_workers(dask_cluster, sample.reader_url)
    common = {"db_url": sample.reader_url, "schema": "ejbca", "as_of": ANCHOR, "partitions": 4}
    local = run_audit(AuditRequest(out_dir=tmp_path / "local", workers=2, **common))  # type: ignore[arg-type]
    remote = run_audit(
        AuditRequest(out_dir=tmp_path / "remote", scheduler=dask_cluster.address, **common)  # type: ignore[arg-type]
    )
    assert remote.run["workers"] == 2
    for name, keys in (("certificates", ["cert_id"]), ("findings", ["cert_id", "lint"])):
        a = _sorted(local.run_dir, name, keys)
        b = _sorted(remote.run_dir, name, keys)
        assert len(a) == len(b) and a == b, name
    assert local.run["counts"] == remote.run["counts"]
    assert local.run["population_digest"] == remote.run["population_digest"]
    assert {
        r["cert_id"] for r in _sorted(local.run_dir, "certificates", ["cert_id"])
    } == sample.expected


def test_a_tls_scheduler_runs_the_audit_with_the_password_from_the_workers(
    sample_of: Callable[[str, str], Sample], tls_cluster: DaskCluster, tmp_path: Path
) -> None:
    """MariaDB checks the reader's password (PostgreSQL here trusts loopback): the audit
    completes only because the workers put back the password the tasks did not carry."""
    sample = sample_of("ejbca", "mariadb")
    _password_for_workers(tls_cluster, sample.reader_url)
    request = AuditRequest(
        out_dir=tmp_path / "out", scheduler=tls_cluster.address, db_url=sample.reader_url,
        schema="ejbca", as_of=ANCHOR, partitions=3,
    )  # fmt: skip
    assert tls_cluster.tls is not None
    with dask.config.set(tls_cluster.tls):
        done = run_audit(request)
    assert done.run["workers"] == 2
    audited = {r["cert_id"] for r in _sorted(done.run_dir, "certificates", ["cert_id"])}
    assert audited == sample.expected


def test_a_tls_scheduler_without_tls_settings_is_bad_input(tmp_path: Path) -> None:
    request = AuditRequest(out_dir=tmp_path / "out", scheduler="tls://127.0.0.1:1", as_of=ANCHOR)
    with pytest.raises(InputError, match="no TLS certificate configured"):
        run_audit(request)


def test_workers_without_the_password_say_how_to_give_it(
    sample_of: Callable[[str, str], Sample], cluster_without_password: DaskCluster, tmp_path: Path
) -> None:
    sample = sample_of("ejbca", "mariadb")
    request = AuditRequest(
        out_dir=tmp_path / "out", scheduler=cluster_without_password.address,
        db_url=sample.reader_url, schema="ejbca", as_of=ANCHOR, partitions=2,
    )  # fmt: skip
    with pytest.raises(InputError, match=PASSWORD_FILE_VARIABLE) as caught:
        run_audit(request)
    assert make_url(sample.reader_url).password not in str(caught.value)
