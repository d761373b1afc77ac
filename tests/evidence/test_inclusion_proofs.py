"""The population digest's inclusion proofs: RFC 6962 audit paths, checked against the RFC's
reference definition and the Certificate Transparency test vectors, and the prove/verify round
trip on a real package."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from audit.errors import InputError
from audit.evidence.package import PackageInfo
from audit.evidence.proofs import prove
from audit.evidence.verify import verify_package
from audit.jobs.quarterly_audit import AuditOutcome
from audit.outputs.digest import (
    AbsenceProof,
    InclusionProof,
    MerkleTree,
    leaf_hash,
    merkle_root,
    node_hash,
    proof_from_json,
    root_from_audit_path,
)
from audit.sample_db.certbuilder import OV_SPEC, pem

from .conftest import audited_cert_ids, certificate_der

# The Certificate Transparency reference implementation's Merkle tree test vectors: eight leaf
# inputs and the root of each prefix of them.
CT_LEAVES = [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]  # fmt: skip
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def rfc_mth(d: list[bytes]) -> bytes:
    """RFC 6962 2.1 MTH, as written there."""
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return leaf_hash(d[0])
    k = 1 << ((len(d) - 1).bit_length() - 1)  # the largest power of two smaller than n
    return node_hash(rfc_mth(d[:k]), rfc_mth(d[k:]))


def rfc_path(m: int, d: list[bytes]) -> list[bytes]:
    """RFC 6962 2.1.1 PATH(m, D[n]), as written there."""
    if len(d) <= 1:
        return []
    k = 1 << ((len(d) - 1).bit_length() - 1)
    if m < k:
        return rfc_path(m, d[:k]) + [rfc_mth(d[k:])]
    return rfc_path(m - k, d[k:]) + [rfc_mth(d[:k])]


def test_ct_vectors() -> None:
    leaves = [bytes.fromhex(x) for x in CT_LEAVES]
    for n, root in enumerate(CT_ROOTS, start=1):
        assert MerkleTree(leaves[:n]).root.hex() == root
        assert merkle_root(leaves[:n]).hex() == root


@pytest.mark.parametrize("n", [*range(0, 34), 100, 257])
def test_paths_follow_the_rfc(n: int) -> None:
    leaves = sorted(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(n))
    tree = MerkleTree(leaves)
    assert tree.root == rfc_mth(leaves) == merkle_root(leaves)
    for m in range(n):
        path = tree.audit_path(m)
        assert path == rfc_path(m, leaves)
        assert root_from_audit_path(leaves[m], m, n, path) == tree.root
        proof = tree.prove(leaves[m])
        assert isinstance(proof, InclusionProof) and proof.check() is None
        assert proof_from_json(json.loads(json.dumps(proof.to_json()))) == proof
    for outside in (b"\x00" * 32, b"\xff" * 32, hashlib.sha256(b"not audited").digest()):
        absent = tree.prove(outside)
        assert isinstance(absent, AbsenceProof) and absent.check() is None
        assert proof_from_json(json.loads(json.dumps(absent.to_json()))) == absent


def test_a_changed_proof_fails() -> None:
    leaves = sorted(hashlib.sha256(bytes([i])).digest() for i in range(11))
    tree = MerkleTree(leaves)
    good = tree.prove(leaves[6])
    assert isinstance(good, InclusionProof)
    path = list(good.audit_path)
    path[1] = hashlib.sha256(b"x").hexdigest()
    # (A path can fit several tree sizes; `verify` holds the size to the package's leaf count.)
    for bad in (
        InclusionProof(good.sha256, good.leaf_index, good.tree_size, good.root, tuple(path)),
        InclusionProof(good.sha256, 7, good.tree_size, good.root, good.audit_path),
        InclusionProof(good.sha256, good.leaf_index, 6, good.root, good.audit_path),
        InclusionProof(leaves[5].hex(), good.leaf_index, 11, good.root, good.audit_path),
        InclusionProof(good.sha256, good.leaf_index, 11, good.root, good.audit_path[:-1]),
    ):
        assert bad.check() is not None
    # An absence claim for a certificate that is there cannot be made to hold.
    before, after = tree.prove(leaves[5]), tree.prove(leaves[7])
    lie = AbsenceProof(leaves[6].hex(), 11, good.root, before, after)  # type: ignore[arg-type]
    assert lie.check() == "the two neighbours are not adjacent leaves"


def _cert_file(sample_db: str, run: AuditOutcome, folder: Path) -> tuple[Path, str]:
    """A PEM file of a certificate the run audited (its bytes as the database stores them)."""
    table = ds.dataset(run.run_dir / "certificates", format="parquet").to_table(
        columns=["cert_id", "sha256"]
    )
    recorded = dict(zip(table["cert_id"].to_pylist(), table["sha256"].to_pylist(), strict=True))
    for cert_id in audited_cert_ids(run.run_dir, limit=50):
        der = certificate_der(sample_db, cert_id)
        if hashlib.sha256(der).hexdigest() == recorded[cert_id]:
            body = base64.encodebytes(der).decode()
            path = folder / f"{cert_id}.pem"
            path.write_text(f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n")
            return path, recorded[cert_id]
    raise AssertionError("no certificate of the run is stored as plain DER")


def test_prove_and_verify_round_trip(
    signed_package: PackageInfo,
    recent_run: AuditOutcome,
    sample_db: str,
    keys_dir: Path,
    tmp_path: Path,
) -> None:
    cert, sha256 = _cert_file(sample_db, recent_run, tmp_path)
    proofs = prove(signed_package.path, cert)
    assert proofs.all_included
    (proof,) = proofs.proofs
    assert isinstance(proof, InclusionProof) and proof.sha256 == sha256
    assert proof.root == recent_run.run["population_digest"]["root"]
    saved = tmp_path / "proof.json"
    saved.write_text(json.dumps(proofs.to_json()))
    result = verify_package(
        signed_package.path, public_key=keys_dir / "ed25519.pub", proofs=[saved]
    )
    assert result.ok, result.text()
    assert f"{sha256} included" in result.text()

    # The same proof against another run's population digest does not hold.
    forged = proofs.to_json()
    forged["proofs"][0]["root"] = hashlib.sha256(b"another").hexdigest()
    saved.write_text(json.dumps(forged))
    result = verify_package(signed_package.path, proofs=[saved])
    assert not result.ok and "another population digest" in result.text()


def test_prove_cli_exit_status(
    signed_package: PackageInfo,
    recent_run: AuditOutcome,
    sample_db: str,
    keys_dir: Path,
    tmp_path: Path,
) -> None:
    def certcensus(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "audit", *args], capture_output=True, text=True, timeout=300
        )

    cert, sha256 = _cert_file(sample_db, recent_run, tmp_path)
    included = certcensus("prove", str(signed_package.path), str(cert))
    assert included.returncode == 0, included.stderr
    document = json.loads(included.stdout)
    assert document["proofs"][0]["sha256"] == sha256
    assert document["proofs"][0]["proof"] == "inclusion"

    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(pem(OV_SPEC))  # never in the sample database
    absent = certcensus("prove", str(signed_package.path), str(stranger))
    assert absent.returncode == 1
    assert "NOT included" in absent.stderr
    document = json.loads(absent.stdout)
    assert document["proofs"][0]["proof"] == "absence"
    saved = tmp_path / "absence.json"
    saved.write_text(absent.stdout)
    checked = certcensus(
        "verify", str(signed_package.path), "--public-key", str(keys_dir / "ed25519.pub"),
        "--proof", str(saved),
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout
    assert "NOT in the population (absence proved)" in checked.stdout

    unreadable = certcensus("prove", str(tmp_path / "missing.tar"), str(stranger))
    assert unreadable.returncode == 2 and "no such file" in unreadable.stderr


def test_prove_refuses_a_damaged_dataset(signed_package: PackageInfo, tmp_path: Path) -> None:
    with tarfile.open(signed_package.path) as tar:
        part = next(m for m in tar.getmembers() if m.name.startswith("certificates/"))
    data = bytearray(signed_package.path.read_bytes())
    data[part.offset_data + 100] ^= 0x01
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(pem(OV_SPEC))
    with pytest.raises(InputError, match="does not match its manifest"):
        prove(damaged, stranger)


def test_prove_reads_every_certificate_encoding(
    signed_package: PackageInfo, recent_run: AuditOutcome, sample_db: str, tmp_path: Path
) -> None:
    """DER, base64 and PKCS#7 (PEM and DER) of an included certificate are proved included,
    with the fingerprint of the DER the run stored; input holding no certificate exits 2."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    def certcensus(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "audit", *args], capture_output=True, text=True, timeout=300
        )

    cert, sha256 = _cert_file(sample_db, recent_run, tmp_path)
    loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    der = loaded.public_bytes(Encoding.DER)
    assert hashlib.sha256(der).hexdigest() == sha256
    forms = {
        "cert.der": der,
        "cert.b64": base64.encodebytes(der),
        "bundle.p7b": pkcs7.serialize_certificates([loaded], Encoding.DER),
        "bundle.p7c": pkcs7.serialize_certificates([loaded], Encoding.PEM),
    }
    for name, data in forms.items():
        (tmp_path / name).write_bytes(data)
        proofs = prove(signed_package.path, tmp_path / name)
        assert [(p.sha256, type(p)) for p in proofs.proofs] == [(sha256, InclusionProof)], name
    included = certcensus("prove", str(signed_package.path), str(tmp_path / "bundle.p7c"))
    assert included.returncode == 0, included.stderr
    assert included.stderr.startswith(f"included: {sha256}")

    readme = tmp_path / "README.md"
    readme.write_text("# Not a certificate\n\nJust text.\n")
    for path in (readme, tmp_path / "empty.pem"):
        path.touch()
        refused = certcensus("prove", str(signed_package.path), str(path))
        assert refused.returncode == 2 and refused.stdout == ""
        assert refused.stderr == (
            f"certcensus: {path}: holds no certificate (not PEM, DER, base64 or PKCS#7)\n"
        )
    unreadable = tmp_path / "unreadable.pem"
    unreadable.write_bytes(b"-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n")
    refused = certcensus("prove", str(signed_package.path), str(unreadable))
    assert refused.returncode == 2 and "NOT included" not in refused.stderr
    assert refused.stderr.startswith(f"certcensus: {unreadable}: certificate 0: ")
    assert len(refused.stderr.splitlines()) == 1
