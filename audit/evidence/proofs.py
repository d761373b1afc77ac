"""`certcensus prove PACKAGE CERT_FILE`: that a certificate was (or was not) in the population
the package's run audited, as an RFC 6962 inclusion proof against the population digest.

The proof is computed from the package's own certificates dataset, after checking that its
files match the manifest and that the tree they give has the manifest's root; an auditor
checks it with `certcensus verify PACKAGE --proof PROOF.json`, or with any RFC 6962 verifier
given the root, the tree size, the leaf index and the audit path.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.engine.inputs import read_certificate_file
from audit.errors import InputError
from audit.evidence.archive import CONTROL, MANIFEST, extract
from audit.outputs.digest import (
    ALGORITHM,
    AbsenceProof,
    InclusionProof,
    MerkleTree,
    sorted_fingerprints,
)
from audit.outputs.parts import CERTIFICATES_DIR
from audit.outputs.runjson import RUN_JSON


@dataclass
class Proofs:
    run_id: str
    root: str
    tree_size: int
    proofs: list[InclusionProof | AbsenceProof]

    @property
    def all_included(self) -> bool:
        return all(isinstance(p, InclusionProof) for p in self.proofs)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "population_digest": {
                "algorithm": ALGORITHM,
                "root": self.root,
                "leaves": self.tree_size,
            },
            "proofs": [p.to_json() for p in self.proofs],
        }

    def summary(self) -> str:
        lines = []
        for p in self.proofs:
            if isinstance(p, InclusionProof):
                lines.append(
                    f"included: {p.sha256} is leaf {p.leaf_index} of the {p.tree_size:,} "
                    "certificates in the population digest"
                )
            else:
                lines.append(
                    f"NOT included: {p.sha256} is not among the {p.tree_size:,} certificates "
                    "in the population digest"
                )
        return "\n".join(lines)


def prove(package: Path, cert_file: Path) -> Proofs:
    package, cert_file = Path(package), Path(cert_file)
    fingerprints = _fingerprints(cert_file)
    if not package.is_file():
        raise InputError(f"{package}: no such file")

    with tempfile.TemporaryDirectory(prefix="certcensus-prove-") as tmp:
        wanted = {*CONTROL, RUN_JSON}
        got = extract(
            package, Path(tmp), want=lambda n: n in wanted or n.startswith(CERTIFICATES_DIR + "/")
        )
        manifest = _manifest(got.read(MANIFEST), package)
        listed = {f.get("path"): f for f in manifest.get("files") or [] if isinstance(f, dict)}
        damaged = [
            name
            for name, entry in listed.items()
            if str(name).startswith(CERTIFICATES_DIR + "/")
            and got.sha256.get(name) != entry.get("sha256")
        ]
        damaged += [
            n for n in got.sha256 if n.startswith(CERTIFICATES_DIR + "/") and n not in listed
        ]
        if damaged or got.problems:
            found = got.problems or damaged  # what was refused says more than a name
            more = f" and {len(found) - 1} more" if len(found) > 1 else ""
            raise InputError(
                f"{package}: its certificates dataset does not match its manifest "
                f"({found[0]}{more}); run `certcensus verify` on it"
            )
        tree = MerkleTree(sorted_fingerprints(got.root / CERTIFICATES_DIR))

    digest = manifest.get("population_digest") or {}
    if (tree.root.hex(), tree.size) != (digest.get("root"), digest.get("leaves")):
        raise InputError(
            f"{package}: its certificates give root {tree.root.hex()} over {tree.size}, "
            f"the manifest records {digest.get('root')} over {digest.get('leaves')}"
        )
    run_id = str((manifest.get("run") or {}).get("run_id"))
    return Proofs(run_id, tree.root.hex(), tree.size, [tree.prove(f) for f in fingerprints])


def _fingerprints(cert_file: Path) -> list[bytes]:
    """The SHA-256 of each certificate in CERT_FILE, read as `lint` reads it. A part that could
    not be decoded ends the command (exit 2): its fingerprint would prove nothing either way."""
    fingerprints = []
    for index, found in enumerate(read_certificate_file(cert_file)):
        if not isinstance(found, bytes):
            raise InputError(f"{cert_file}: certificate {index}: {found.reason}")
        fingerprints.append(hashlib.sha256(found).digest())
    return fingerprints


def _manifest(data: bytes | None, package: Path) -> dict[str, Any]:
    if data is None:
        raise InputError(f"{package}: not an evidence package (no {MANIFEST})")
    try:
        manifest = json.loads(data)
    except (ValueError, RecursionError):
        raise InputError(
            f"{package}: {MANIFEST} is not JSON; run `certcensus verify` on it"
        ) from None
    if not isinstance(manifest, dict):
        raise InputError(f"{package}: {MANIFEST} is not a JSON object")
    return manifest
