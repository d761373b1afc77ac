"""What `verify` and `prove` may trust: without the signer's public key a package proves only its
own consistency, so verify says so and fails unless told to accept that; and an archive is read
only as far as its manifest says, member by member, so a hostile one cannot make them expand it."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from audit.evidence.archive import FORMAT, MANIFEST, MANIFEST_SUM, manifest_sum
from audit.evidence.package import PackageInfo, build_package
from audit.evidence.verify import verify_package
from audit.jobs.quarterly_audit import AuditOutcome
from audit.sample_db.certbuilder import OV_SPEC, pem

from .conftest import without_one_certificate

NOT_AUTHENTICATED = (
    "signer not authenticated: give --public-key, or --allow-unsigned to accept an "
    "unauthenticated package"
)
MiB = 1 << 20


def certcensus(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit", *args], capture_output=True, text=True, timeout=300
    )


# -- item 10: the signer ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def forged_run(recent_run: AuditOutcome, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir, _ = without_one_certificate(
        recent_run.run_dir, tmp_path_factory.mktemp("forged") / "run"
    )
    forged = json.loads((run_dir / "run.json").read_text())["population_digest"]
    assert forged["leaves"] == recent_run.run["population_digest"]["leaves"] - 1
    return run_dir


@pytest.mark.parametrize("signer", [None, "other.pem"], ids=["unsigned", "attacker-signed"])
def test_a_package_rebuilt_without_a_certificate_needs_the_public_key(
    forged_run: Path, keys_dir: Path, tmp_path: Path, signer: str | None
) -> None:
    package = tmp_path / "forged.tar"
    build_package(forged_run, package, sign_key=keys_dir / signer if signer else None)

    plain = certcensus("verify", str(package))
    assert plain.returncode == 1, plain.stdout + plain.stderr
    verdict = plain.stdout.splitlines()[-1]
    assert verdict.startswith("NOT verified:") and verdict.endswith(NOT_AUTHENTICATED)
    assert "1 of " in verdict and "checks failed (signer)" in verdict  # nothing else is wrong

    genuine_key = certcensus("verify", str(package), "--public-key", str(keys_dir / "ed25519.pub"))
    assert genuine_key.returncode == 1
    assert "FAIL  signature" in genuine_key.stdout

    # Accepting an unauthenticated package: its own checks hold, and the output says plainly
    # that nobody vouched for who made it.
    accepted = certcensus("verify", str(package), "--allow-unsigned")
    assert accepted.returncode == 0, accepted.stdout
    assert "signer NOT authenticated" in accepted.stdout.splitlines()[-1]


def test_the_genuine_package_without_its_key(
    signed_package: PackageInfo, recent_run: AuditOutcome, tmp_path: Path
) -> None:
    result = verify_package(signed_package.path)
    assert not result.ok
    assert NOT_AUTHENTICATED in result.text()
    allowed = verify_package(signed_package.path, allow_unsigned=True)
    assert allowed.ok, allowed.text()
    assert "signer NOT authenticated" in allowed.text()
    unsigned = build_package(recent_run.run_dir, tmp_path / "plain.tar").path
    assert not verify_package(unsigned).ok
    assert verify_package(unsigned, allow_unsigned=True).ok


def test_public_key_and_allow_unsigned_exclude_each_other(
    signed_package: PackageInfo, keys_dir: Path
) -> None:
    both = certcensus(
        "verify", str(signed_package.path), "--public-key", str(keys_dir / "ed25519.pub"),
        "--allow-unsigned",
    )  # fmt: skip
    assert both.returncode == 2
    assert both.stderr.count("\n") == 1 and "exclude each other" in both.stderr


# -- item 9: counts that say what they count ---------------------------------------------------


def test_verify_names_what_it_counts(
    signed_package: PackageInfo, recent_run: AuditOutcome, keys_dir: Path
) -> None:
    text = verify_package(signed_package.path, public_key=keys_dir / "ed25519.pub").text()
    counts, digest = recent_run.run["counts"], recent_run.run["population_digest"]
    without = counts["scanned"] - digest["leaves"]
    assert without >= 1, "the sample run holds a row whose certificate column is NULL"
    last = text.splitlines()[-1]
    assert f"{counts['scanned']:,} rows audited, of which {without:,} store" in last
    assert f"population digest over {digest['leaves']:,} certificates" in last
    assert "signer authenticated" in last
    summary = signed_package.summary()
    assert f"{counts['scanned']:,} rows audited" in summary
    assert f"population digest over {digest['leaves']:,} certificates" in summary


# -- item 12: bounded reading ------------------------------------------------------------------


def _octal(n: int) -> bytes:
    return f"{n:011o}".encode() + b"\0"


def sparse_member(name: str, realsize: int) -> bytes:
    """A GNU sparse ('S') member that stores one byte and claims `realsize` bytes: tarfile
    reads the rest of it as a hole of zeros."""
    info = tarfile.TarInfo(name)
    info.size, info.type, info.mode = 1, tarfile.GNUTYPE_SPARSE, 0o644
    header = bytearray(info.tobuf(format=tarfile.GNU_FORMAT))
    header[386:410] = _octal(0) + _octal(1)  # the one data chunk: 1 byte at offset 0
    header[483:495] = _octal(realsize)
    header[148:156] = b" " * 8
    header[148:156] = f"{sum(header):06o}".encode() + b"\0 "
    return bytes(header) + b"x" + bytes(511)


def regular_member(name: str, data: bytes) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info.tobuf(format=tarfile.USTAR_FORMAT) + data + bytes(-len(data) % 512)


def sparse_package(path: Path) -> Path:
    """A package of 400 KB whose members claim 656 MiB: a manifest that lists them at the sizes
    they claim, and GNU sparse members, 400 of a mebibyte (verify would hold the drafts in
    memory, prove write the parts to disk) and one of 256 MiB (written to disk by both)."""
    claims = {f"incidents/draft-{i:03d}.md": MiB for i in range(200)}
    claims |= {f"certificates/part-{i:05d}.parquet": MiB for i in range(200)}
    claims["certificates/part-99999.parquet"] = 256 * MiB
    manifest = json.dumps(
        {
            "format": FORMAT,
            "archive": {"format": "ustar", "mtime": 0},
            "run": {"run_id": "hostile"},
            "population_digest": {"root": "00" * 32, "leaves": 1},
            "signature": None,
            "files": [{"path": p, "size": s, "sha256": "00" * 32} for p, s in claims.items()],
        }
    ).encode()
    parts = [
        regular_member(MANIFEST, manifest),
        regular_member(MANIFEST_SUM, manifest_sum(manifest)),
    ]
    parts += [sparse_member(name, size) for name, size in claims.items()]
    path.write_bytes(b"".join(parts) + bytes(1024))
    return path


def run_bounded(args: list[str], tmp: Path) -> tuple[int, str, float, float]:
    """certcensus with TMPDIR at `tmp` and no file it writes allowed past 4 MiB (a safety net:
    the test measures what it wrote); its exit status, output, peak memory and MiB written."""
    tmp.mkdir()
    limit = 4 * MiB

    def file_size_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = tmp.parent / "output.txt"
    peak_file = tmp.parent / "peak.txt"
    with out.open("w") as sink:
        child = subprocess.Popen(
            [sys.executable, "-c", MEASURED, str(peak_file), sys.executable, "-m", "audit", *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "TMPDIR": str(tmp)},
            preexec_fn=file_size_limit,
        )
        child.wait()
    peak_kib, blocks = (int(x) for x in peak_file.read_text().split())
    written = blocks * 512 / MiB  # blocks written (0 where the file system is in memory)
    return child.returncode, out.read_text(), peak_kib / 1024, written


# The command runs as the child of a small launcher, which reports its peak memory and blocks
# written. Measured on a direct child of the test process instead, the peak is at least the
# test process's own at the fork (Linux keeps a forked process's high-water mark across exec):
# under pytest-xdist a worker that had grown past the bound failed the test for it.
MEASURED = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as peak:
    peak.write(f"{usage.ru_maxrss} {usage.ru_oublock}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_verify_refuses_sparse_members_without_expanding_them(tmp_path: Path) -> None:
    package = sparse_package(tmp_path / "sparse.tar")
    assert package.stat().st_size < 500_000
    status, output, peak, written = run_bounded(
        ["verify", str(package), "--allow-unsigned"], tmp_path / "tmp"
    )
    # An archive verify can read, holding what a package may not: the package is wanting.
    assert status == 1, output
    assert "FAIL  certificates/part-99999.parquet: is a GNU sparse file" in output
    assert "FAIL  archive: member 'incidents/draft-000.md' is a GNU sparse file" in output
    assert peak < 300, f"verify held {peak:.0f} MiB"
    assert written < 8, f"verify wrote {written:.0f} MiB"
    assert not any((tmp_path / "tmp").iterdir())


def test_prove_refuses_sparse_members_without_expanding_them(tmp_path: Path) -> None:
    package = sparse_package(tmp_path / "sparse.tar")
    cert = tmp_path / "cert.pem"
    cert.write_bytes(pem(OV_SPEC))
    status, output, peak, written = run_bounded(
        ["prove", str(package), str(cert)], tmp_path / "tmp"
    )
    # prove cannot answer from a package it cannot read whole: bad input, as for any package
    # whose certificates do not match its manifest (it points at `verify`).
    assert status == 2, output
    assert output.count("\n") == 1 and "GNU sparse file" in output
    assert peak < 300, f"prove held {peak:.0f} MiB"
    assert written < 8, f"prove wrote {written:.0f} MiB"


def test_only_plain_members_named_and_sized_by_the_manifest_are_read(tmp_path: Path) -> None:
    manifest = json.dumps(
        {
            "format": FORMAT,
            "archive": {"format": "ustar", "mtime": 0},
            "signature": None,
            "files": [
                {"path": "report.html", "size": 3, "sha256": "00" * 32},
                {"path": "link.txt", "size": 0, "sha256": "00" * 32},
                # Listed as 3 GiB and absent: rebuilding the canonical archive must not make it.
                {"path": "ghost.parquet", "size": 3 << 30, "sha256": "00" * 32},
            ],
        }
    ).encode()
    link = tarfile.TarInfo("link.txt")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    folder = tarfile.TarInfo("incidents")
    folder.type = tarfile.DIRTYPE
    hostile = tmp_path / "hostile.tar"
    hostile.write_bytes(
        regular_member(MANIFEST, manifest)
        + regular_member(MANIFEST_SUM, manifest_sum(manifest))
        + regular_member("report.html", b"four")  # the manifest says 3 bytes
        + regular_member("extra.txt", b"not listed")
        + link.tobuf(format=tarfile.USTAR_FORMAT)
        + folder.tobuf(format=tarfile.USTAR_FORMAT)
        + bytes(1024)
    )
    status, output, peak, written = run_bounded(
        ["verify", str(hostile), "--allow-unsigned"], tmp_path / "tmp"
    )
    assert status == 1, output
    assert "'report.html' is 4 bytes, the manifest says 3: not read" in output
    assert "'extra.txt' is not listed in the manifest: not read" in output
    assert "'link.txt' is a symbolic link" in output
    assert "'incidents' is a directory" in output
    assert "FAIL  archive layout" in output
    assert peak < 300, f"verify held {peak:.0f} MiB"
    assert written < 8, f"verify wrote {written:.0f} MiB"


def test_verify_of_a_file_that_is_not_a_tar_archive_is_bad_input(tmp_path: Path) -> None:
    text = tmp_path / "notes.tar"
    text.write_text("these are not the archives you are looking for\n" * 40)
    result = certcensus("verify", str(text), "--allow-unsigned")
    assert result.returncode == 2, result.stdout
    assert result.stderr.count("\n") == 1 and "not a tar archive" in result.stderr
    assert result.stdout == ""


def test_headers_and_manifests_that_break_parsers_are_one_line(tmp_path: Path) -> None:
    """A GNU sparse header promising extension blocks the file does not hold (tarfile's parser
    raises IndexError on it), and a manifest nested deeper than JSON parsers recurse."""
    info = tarfile.TarInfo(MANIFEST)
    info.size, info.type = 1, tarfile.GNUTYPE_SPARSE
    header = bytearray(info.tobuf(format=tarfile.GNU_FORMAT))
    header[386:410] = _octal(0) + _octal(1)
    header[482] = 1  # extension blocks follow: none does
    header[148:156] = b" " * 8
    header[148:156] = f"{sum(header):06o}".encode() + b"\0 "
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(bytes(header))
    result = certcensus("verify", str(truncated), "--allow-unsigned")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "not a tar archive" in result.stderr

    deep = b"[" * 200_000
    nested = tmp_path / "nested.tar"
    nested.write_bytes(
        regular_member(MANIFEST, deep)
        + regular_member(MANIFEST_SUM, manifest_sum(deep))
        + bytes(1024)
    )
    checked = certcensus("verify", str(nested), "--allow-unsigned")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "FAIL  MANIFEST.json: not JSON" in checked.stdout
    cert = tmp_path / "cert.pem"
    cert.write_bytes(pem(OV_SPEC))
    proved = certcensus("prove", str(nested), str(cert))
    assert proved.returncode == 2
    assert proved.stderr.count("\n") == 1 and "is not JSON" in proved.stderr
