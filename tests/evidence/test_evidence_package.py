"""The evidence package: what it holds, and that `verify` fails, naming what failed, when any
single byte of it changes (in the manifest, in the signature, in each file, and in the tar
structure around them)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from audit.errors import InputError
from audit.evidence.archive import MANIFEST, MANIFEST_SUM, SIGNATURE
from audit.evidence.package import PackageInfo, build_package
from audit.evidence.verify import Verification, verify_package
from audit.jobs.quarterly_audit import AuditOutcome


def certcensus(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit", *args], capture_output=True, text=True, timeout=300
    )


def members(package: Path) -> list[tarfile.TarInfo]:
    with tarfile.open(package, "r:") as tar:
        return tar.getmembers()


def flipped(package: Path, offset: int, target: Path) -> Path:
    data = bytearray(package.read_bytes())
    data[offset] ^= 0x01
    target.write_bytes(bytes(data))
    return target


def failed(result: Verification) -> dict[str, str]:
    return {c.name: c.detail for c in result.failures}


def test_signed_package_verifies_and_holds_the_run(
    signed_package: PackageInfo, recent_run: AuditOutcome, keys_dir: Path
) -> None:
    result = verify_package(signed_package.path, public_key=keys_dir / "ed25519.pub")
    assert result.ok, result.text()
    assert "checked with the given public key" in result.text()
    names = [m.name for m in members(signed_package.path)]
    assert names[:3] == [MANIFEST, MANIFEST_SUM, SIGNATURE]
    for required in ("run.json", "catalogue.json", "catalogue.txt", "report.html"):
        assert required in names
    run_dir = recent_run.run_dir
    for dataset in ("certificates", "findings"):
        parts = sorted(p.relative_to(run_dir).as_posix() for p in (run_dir / dataset).iterdir())
        assert parts and set(parts) <= set(names)
    assert "incidents/README.md" in names
    assert any(n.startswith("incidents/") and n.endswith(".csv") for n in names)
    with tarfile.open(signed_package.path) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    assert manifest["population_digest"] == recent_run.run["population_digest"]
    assert {f["path"] for f in manifest["files"]} == set(names[3:])
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])


def test_every_single_byte_change_fails_and_is_named(
    signed_package: PackageInfo, keys_dir: Path, tmp_path: Path
) -> None:
    """One byte flipped in each member's data, and in a header, a padding block and the
    end-of-archive blocks: verify fails every time, and names the part that changed."""
    package = signed_package.path
    public = keys_dir / "ed25519.pub"
    infos = members(package)
    cases: list[tuple[str, int, set[str]]] = []
    for info in infos:
        middle = info.offset_data + info.size // 2
        if info.name == MANIFEST:
            expected = {MANIFEST_SUM, "signature"}  # the checksum and the signature both fail
        elif info.name == SIGNATURE:
            expected = {"signature"}
        else:
            expected = {info.name}
        cases.append((f"data of {info.name}", middle, expected))
    last = infos[-1]
    cases.append(
        (
            "header of run.json",
            next(i.offset for i in infos if i.name == "run.json") + 3,
            {"archive layout"},
        )
    )
    padding = next(i for i in infos if i.size % 512)
    cases.append(("padding", padding.offset_data + padding.size, {"archive layout"}))
    cases.append(
        ("end blocks", last.offset_data + last.size + (-last.size % 512) + 700, {"archive layout"})
    )

    assert len(cases) == len(infos) + 3
    for what, offset, expected in cases:
        damaged = flipped(package, offset, tmp_path / "damaged.tar")
        result = verify_package(damaged, public_key=public)
        assert not result.ok, what
        names = set(failed(result))
        assert expected <= names, (what, result.text())


def test_a_damaged_header_names_the_member(signed_package: PackageInfo, tmp_path: Path) -> None:
    info = next(i for i in members(signed_package.path) if i.name.startswith("findings/"))
    damaged = flipped(signed_package.path, info.offset + 10, tmp_path / "damaged.tar")
    result = verify_package(damaged)
    assert not result.ok
    assert f"the header of {info.name}" in failed(result)["archive layout"]


def test_unsigned_manifest_change_is_caught_by_its_checksum(
    recent_run: AuditOutcome, tmp_path: Path
) -> None:
    package = build_package(recent_run.run_dir, tmp_path / "plain.tar").path
    assert verify_package(package, allow_unsigned=True).ok
    info = next(i for i in members(package) if i.name == MANIFEST)
    text = package.read_bytes()[info.offset_data : info.offset_data + info.size]
    at = info.offset_data + text.index(b'"created_at": "') + len(b'"created_at": "') + 2
    result = verify_package(flipped(package, at, tmp_path / "damaged.tar"), allow_unsigned=True)
    assert MANIFEST_SUM in failed(result)


def test_wrong_or_missing_key_fails(
    signed_package: PackageInfo, recent_run: AuditOutcome, keys_dir: Path, tmp_path: Path
) -> None:
    wrong = verify_package(signed_package.path, public_key=keys_dir / "other.pub")
    assert "not by the given key" in failed(wrong)["signature"]
    unsigned = build_package(recent_run.run_dir, tmp_path / "plain.tar").path
    demanded = verify_package(unsigned, public_key=keys_dir / "ed25519.pub")
    assert "not signed" in failed(demanded)["signature"]
    # The key the package names shows only that the manifest is as its signer left it.
    own_key = verify_package(signed_package.path)
    assert set(failed(own_key)) == {"signer"}
    assert "integrity, not who signed" in own_key.text()


def test_ecdsa_signature(recent_run: AuditOutcome, keys_dir: Path, tmp_path: Path) -> None:
    package = build_package(recent_run.run_dir, tmp_path / "ec.tar", sign_key=keys_dir / "p384.pem")
    assert package.signature and package.signature["algorithm"] == "ecdsa-p384-sha384"
    assert verify_package(package.path, public_key=keys_dir / "p384.pub").ok


def test_same_run_same_time_same_bytes(recent_run: AuditOutcome, tmp_path: Path) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    a = build_package(recent_run.run_dir, tmp_path / "a.tar", now=now)
    b = build_package(recent_run.run_dir, tmp_path / "b.tar", now=now)
    assert a.path.read_bytes() == b.path.read_bytes()


def test_a_run_that_does_not_reconcile_is_refused(recent_run: AuditOutcome, tmp_path: Path) -> None:
    copy = shutil.copytree(recent_run.run_dir, tmp_path / "run")
    run = json.loads((copy / "run.json").read_text())
    run["counts"]["scanned"] += 1
    (copy / "run.json").write_text(json.dumps(run))
    with pytest.raises(InputError, match="counts"):
        build_package(copy, tmp_path / "p.tar")


def test_an_archive_with_a_hostile_path_is_refused(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.tar"
    with tarfile.open(hostile, "w") as tar:
        for name, data in (("../escape.txt", b"x"), (MANIFEST, b"{}")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    result = verify_package(hostile)
    assert not result.ok
    assert "not allowed" in failed(result)["archive"]
    assert not (tmp_path.parent / "escape.txt").exists()


def test_incident_drafts_in_the_package(signed_package: PackageInfo) -> None:
    with tarfile.open(signed_package.path) as tar:
        drafts = [m for m in tar.getmembers() if m.name.endswith(".md") and "README" not in m.name]
        assert drafts
        texts = [tar.extractfile(d).read().decode() for d in drafts]
    # The CCADB format: a full report's sections, and a preliminary report for each.
    assert any("## Root Cause Analysis" in t and "## Appendix" in t for t in texts)
    assert any("## Executive Summary" in t for t in texts)


def test_cli_evidence_and_verify(recent_run: AuditOutcome, keys_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.tar"
    made = certcensus(
        "evidence",
        str(recent_run.run_dir),
        "--out",
        str(out),
        "--sign-key",
        str(keys_dir / "ed25519.pem"),
    )
    assert made.returncode == 0, made.stderr
    assert "signed ed25519" in made.stdout
    ok = certcensus("verify", str(out), "--public-key", str(keys_dir / "ed25519.pub"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines()[-1].startswith("verified:")
    run_json = next(i for i in members(out) if i.name == "run.json")
    bad = certcensus("verify", str(flipped(out, run_json.offset_data + 5, tmp_path / "bad.tar")))
    assert bad.returncode == 1
    assert "FAIL  run.json: SHA-256 is" in bad.stdout
    missing = certcensus("verify", str(tmp_path / "nothing.tar"))
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "no such file" in missing.stderr
    not_a_run = certcensus("evidence", str(tmp_path), "--out", str(tmp_path / "x.tar"))
    assert not_a_run.returncode == 2 and "not a run directory" in not_a_run.stderr
