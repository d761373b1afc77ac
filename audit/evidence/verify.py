"""`certcensus verify PACKAGE [--public-key PUB.pem | --allow-unsigned] [--proof PROOF.json]`.

Checks, each reported by name: the archive reads and holds only regular files with safe
paths, each listed in the manifest at the size it has (any other member is refused unread, so
a hostile archive cannot make verify expand it); the manifest matches its checksum and, when
signed, its signature; who signed it: only a given public key authenticates the signer (a
signature checked with the key the package itself names shows integrity, not authorship, and
so does an unsigned package's checksum), so without --public-key the package fails unless
--allow-unsigned accepts it unauthenticated; every file's size and SHA-256 match the manifest
and no file is unlisted; the archive is byte for byte the canonical archive of its members (so
a changed header or padding byte fails too); run.json is the run the manifest names; the
population digest recomputes from the certificates dataset; run.json's counts reconcile with
both datasets; the catalogue matches its recorded digest. A changed byte anywhere in the
package fails at least one.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit.errors import InputError
from audit.evidence import keys
from audit.evidence.archive import (
    CONTROL,
    FORMAT,
    MANIFEST,
    MANIFEST_SUM,
    SIGNATURE,
    CompareSink,
    Differs,
    Extracted,
    Member,
    Zeros,
    extract,
    layout,
    manifest_sum,
    safe_path,
    write_archive,
)
from audit.evidence.checks import Check, check_run_dir
from audit.outputs.digest import AbsenceProof, InclusionProof, proof_from_json
from audit.outputs.parts import CERTIFICATES_DIR, FINDINGS_DIR
from audit.outputs.runjson import CATALOGUE_JSON, RUN_JSON, population_counts

NOT_AUTHENTICATED = (
    "signer not authenticated: give --public-key, or --allow-unsigned to accept an "
    "unauthenticated package"
)
_PROBLEMS_SHOWN = 5  # an archive check names this many problems, then counts the rest


@dataclass
class Verification:
    package: Path
    checks: list[Check] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    run: dict[str, Any] | None = None  # run.json, as the package holds it
    authenticated: bool = False  # signed, and with the public key the verifier gave
    needs_key: bool = False  # no public key given, and an unauthenticated signer not accepted

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def text(self) -> str:
        lines = [c.line() for c in self.checks]
        if self.ok:
            run = self.run or {}
            digest = run.get("population_digest") or {}
            signer = (
                "signer authenticated"
                if self.authenticated
                else "signer NOT authenticated (accepted with --allow-unsigned)"
            )
            lines.append(
                f"verified: {self.package} — run {run.get('run_id')}: {population_counts(run)}, "
                f"root {digest.get('root')}; {signer}"
            )
        else:
            failed = ", ".join(c.name for c in self.failures[:_PROBLEMS_SHOWN])
            more = ", …" if len(self.failures) > _PROBLEMS_SHOWN else ""
            why = f"; {NOT_AUTHENTICATED}" if self.needs_key else ""
            lines.append(
                f"NOT verified: {self.package} — {len(self.failures)} of {len(self.checks)} "
                f"checks failed ({failed}{more}){why}"
            )
        return "\n".join(lines) + "\n"


def verify_package(
    package: Path,
    *,
    public_key: Path | None = None,
    allow_unsigned: bool = False,
    proofs: list[Path] = (),
) -> Verification:
    package = Path(package)
    if public_key and allow_unsigned:
        raise InputError("--public-key and --allow-unsigned exclude each other")
    if not package.is_file():
        raise InputError(f"{package}: no such file")
    given = keys.load_public_key(public_key) if public_key else None
    loaded = [(p, _load_proof(p)) for p in proofs]
    result = Verification(package, needs_key=given is None and not allow_unsigned)
    with tempfile.TemporaryDirectory(prefix="certcensus-verify-") as tmp:
        got = extract(package, Path(tmp), on_disk=_checked_as_files)
        add = result.checks.append
        add(_archive(got))
        manifest_bytes = got.read(MANIFEST)
        if manifest_bytes is None:
            add(Check(MANIFEST, False, got.refused.get(MANIFEST, "missing from the package")))
            return result
        add(_checksum(got, manifest_bytes))
        manifest = _parse_manifest(manifest_bytes, add)
        if manifest is None:
            if got.read(SIGNATURE) is not None:
                add(_signature_of_unreadable(got, manifest_bytes, given))
            return result
        result.manifest = manifest
        signature = _signature(got, manifest, manifest_bytes, given)
        result.authenticated = given is not None and signature.ok
        add(signature)
        add(_signer(given, result.authenticated, allow_unsigned))
        result.checks += _files(got, manifest)
        add(_layout(package, got, manifest))
        run = _run(got, manifest, add)
        result.run = run
        if run is not None:
            result.checks += [
                Check(f"{c.name} (from the package)", c.ok, c.detail)
                for c in check_run_dir(got.root, run)
            ]
        for path, proof in loaded:
            add(check_proof(proof, manifest, str(path)))
    return result


def _archive(got: Extracted) -> Check:
    if not got.problems:
        return Check("archive", True, f"{len(got.order)} members, each a regular file")
    shown = got.problems[:_PROBLEMS_SHOWN]
    if more := len(got.problems) - len(shown):
        shown.append(f"and {more} more problems")
    return Check("archive", False, "; ".join(shown))


def _signer(given: keys.PublicKey | None, authenticated: bool, allow_unsigned: bool) -> Check:
    """Who made the package: only a key the verifier brings can say. A signature checked with
    the key the package names, or an unsigned package's checksum, shows only that the package
    is as its maker left it, whoever that was."""
    if given is not None:
        if authenticated:
            return Check("signer", True, f"authenticated: SHA256:{keys.fingerprint(given)}")
        return Check("signer", False, "not authenticated: no valid signature by the given key")
    if allow_unsigned:
        return Check(
            "signer", True, "NOT authenticated (no --public-key): accepted with --allow-unsigned"
        )
    return Check("signer", False, "not authenticated: no --public-key given")


def _checksum(got: Extracted, manifest: bytes) -> Check:
    recorded = got.read(MANIFEST_SUM)
    if recorded is None:
        return Check(MANIFEST_SUM, False, "missing from the package")
    if recorded != manifest_sum(manifest):
        return Check(MANIFEST_SUM, False, f"does not match {MANIFEST}: one of the two was changed")
    return Check(MANIFEST_SUM, True, f"{MANIFEST} is intact")


def _parse_manifest(data: bytes, add: Any) -> dict[str, Any] | None:
    try:
        manifest = json.loads(data)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested past any real manifest
        add(Check(MANIFEST, False, f"not JSON ({exc})"))
        return None
    problem = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        problem = f"not a {FORMAT} manifest"
    elif not isinstance(manifest.get("files"), list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) for f in manifest["files"]
    ):
        problem = "its file list is malformed"
    elif not isinstance((manifest.get("archive") or {}).get("mtime"), int):
        problem = "no archive time"
    add(Check(MANIFEST, problem is None, problem or f"{len(manifest['files'])} files listed"))
    return manifest if problem is None else None


def _signature(
    got: Extracted, manifest: dict[str, Any], data: bytes, given: keys.PublicKey | None
) -> Check:
    declared = manifest.get("signature")
    signature = got.read(SIGNATURE)
    if declared is None:
        if signature is not None:
            return Check(
                "signature", False, f"{SIGNATURE} is present but the manifest names no key"
            )
        if given is not None:
            return Check(
                "signature", False, "the package is not signed, but a public key was given"
            )
        return Check("signature", True, "none: the package is not signed")
    if signature is None:
        return Check("signature", False, f"the manifest names a key but {SIGNATURE} is missing")
    if not isinstance(declared, dict):
        return Check("signature", False, "the manifest's signature entry is malformed")
    try:
        embedded = keys.public_key_from_pem(str(declared.get("public_key")))
    except (ValueError, InputError) as exc:
        return Check("signature", False, f"the manifest's public key cannot be read ({exc})")
    named = keys.fingerprint(embedded)
    if named != declared.get("public_key_sha256"):
        return Check("signature", False, "the manifest's public key does not match its fingerprint")
    if given is not None and keys.fingerprint(given) != named:
        return Check(
            "signature",
            False,
            f"signed by key SHA256:{named}, not by the given key SHA256:{keys.fingerprint(given)}",
        )
    algorithm = str(declared.get("algorithm"))
    if not keys.signature_holds(given or embedded, algorithm, signature, data):
        return Check(
            "signature", False, f"{SIGNATURE} is not a valid {algorithm} signature of {MANIFEST}"
        )
    whose = (
        "the given public key"
        if given is not None
        else "the key the package names, which shows integrity, not who signed"
    )
    return Check("signature", True, f"{algorithm} by key SHA256:{named}, checked with {whose}")


def _signature_of_unreadable(got: Extracted, data: bytes, given: keys.PublicKey | None) -> Check:
    """The manifest does not parse, so it cannot name its key; a given key still tells."""
    if given is None:
        return Check("signature", False, f"cannot be checked: {MANIFEST} is unreadable")
    signature = got.read(SIGNATURE) or b""
    if keys.signature_holds(given, keys.algorithm_of(given), signature, data):
        return Check(
            "signature", True, "valid with the given key, though the manifest is unreadable"
        )
    return Check("signature", False, f"{SIGNATURE} is not a valid signature of {MANIFEST}")


def _files(got: Extracted, manifest: dict[str, Any]) -> list[Check]:
    checks, listed = [], set()
    for entry in manifest["files"]:
        name = entry["path"]
        listed.add(name)
        if not safe_path(name) or name in CONTROL:
            checks.append(Check(name, False, "the manifest lists a path that is not allowed"))
        elif name in got.refused:
            checks.append(Check(name, False, got.refused[name]))
        elif name not in got.sha256:
            checks.append(Check(name, False, "listed in the manifest but missing from the archive"))
        elif got.size[name] != entry.get("size"):
            checks.append(
                Check(name, False, f"{got.size[name]} bytes, the manifest says {entry.get('size')}")
            )
        elif got.sha256[name] != entry.get("sha256"):
            checks.append(
                Check(
                    name,
                    False,
                    f"SHA-256 is {got.sha256[name]}, the manifest says {entry.get('sha256')}",
                )
            )
    for name in got.order:
        if name not in listed and name not in CONTROL:
            checks.append(Check(name, False, "in the archive but not listed in the manifest"))
    if not checks:
        checks.append(
            Check("files", True, f"all {len(listed)} files listed match their size and SHA-256")
        )
    return checks


def _layout(package: Path, got: Extracted, manifest: dict[str, Any]) -> Check:
    """The archive is byte for byte the canonical archive of the members it holds."""
    members = []
    for name in CONTROL:
        if name in got.sha256:
            members.append(_member(got, name, 0))
    for entry in manifest["files"]:
        name = entry["path"]
        if safe_path(name) and name not in CONTROL:
            size = entry.get("size")
            members.append(_member(got, name, size if isinstance(size, int) and size >= 0 else 0))
    with package.open("rb") as existing:
        sink = CompareSink(existing)
        try:
            write_archive(sink, members, manifest["archive"]["mtime"])  # type: ignore[arg-type]
            trailing = sink.trailing()
        except Differs:
            trailing = False
        except (ValueError, OSError) as exc:
            return Check("archive layout", False, f"cannot be rebuilt ({exc})")
    if sink.first_difference is not None:
        at = sink.first_difference
        where = next(what for start, end, what in layout(members) if start <= at < end)
        return Check(
            "archive layout", False, f"byte {at} differs from the canonical archive, in {where}"
        )
    if trailing:
        return Check("archive layout", False, "bytes follow the end of the archive")
    return Check("archive layout", True, "canonical, byte for byte")


def _member(got: Extracted, name: str, size: int) -> Member:
    if name in got.sha256:
        return Member(name, got.size[name], got.opener(name))
    return Member(name, size, lambda: Zeros(size))  # made only as far as they are compared


def _checked_as_files(name: str) -> bool:
    """The members `check_run_dir` reads from the extracted run directory."""
    return name == CATALOGUE_JSON or name.startswith((CERTIFICATES_DIR + "/", FINDINGS_DIR + "/"))


def _run(got: Extracted, manifest: dict[str, Any], add: Any) -> dict[str, Any] | None:
    data = got.read(RUN_JSON)
    if data is None:
        add(Check(RUN_JSON, False, "missing from the package"))
        return None
    try:
        run = json.loads(data)
        assert isinstance(run, dict)
    except (ValueError, AssertionError, RecursionError):
        add(Check(RUN_JSON, False, "not a JSON object"))
        return None
    named = manifest.get("run") or {}
    problems = []
    if run.get("run_id") != named.get("run_id"):
        problems.append(f"run id {run.get('run_id')!r}, the manifest names {named.get('run_id')!r}")
    if run.get("population_digest") != manifest.get("population_digest"):
        problems.append("its population digest differs from the manifest's")
    add(Check(RUN_JSON, not problems, "; ".join(problems) or f"run {run.get('run_id')}"))
    return run


# -- proofs ------------------------------------------------------------------------------------


def _load_proof(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path}: not JSON ({exc})") from None


def check_proof(document: Any, manifest: dict[str, Any], label: str) -> Check:
    """A proof `prove` printed (the whole document, or one proof from it), checked against the
    package's population digest."""
    digest = manifest.get("population_digest") or {}
    if isinstance(document, dict) and "proofs" in document:
        items = document.get("proofs")
    else:
        items = [document]
    if not isinstance(items, list) or not items:
        return Check(f"proof {label}", False, "holds no proof")
    outcomes = []
    for item in items:
        try:
            proof = proof_from_json(item)
        except ValueError as exc:
            return Check(f"proof {label}", False, f"not a proof ({exc})")
        if (proof.root, proof.tree_size) != (digest.get("root"), digest.get("leaves")):
            return Check(
                f"proof {label}",
                False,
                f"for {proof.sha256}: proved against another population digest",
            )
        if problem := proof.check():
            return Check(f"proof {label}", False, f"for {proof.sha256}: {problem}")
        if isinstance(proof, InclusionProof):
            outcomes.append(
                f"{proof.sha256} included (leaf {proof.leaf_index} of {proof.tree_size})"
            )
        else:
            assert isinstance(proof, AbsenceProof)
            outcomes.append(f"{proof.sha256} NOT in the population (absence proved)")
    return Check(f"proof {label}", True, "; ".join(outcomes))
