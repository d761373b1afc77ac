"""`certcensus evidence RUN_DIR --out PACKAGE [--sign-key KEY.pem]`: one archive an auditor can
check on their own (see archive.py for its layout, verify.py for what is checked).

It holds run.json, both Parquet datasets, the report, the catalogue that was applied (JSON, and
as text), the incident drafts with their CSVs, any other file the run wrote, and a manifest with
the SHA-256 of each, signed when a key is given. A run directory whose digest or counts do not
reconcile is refused: evidence is only built from a run that verifies.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audit import __version__
from audit.errors import InputError
from audit.evidence import keys
from audit.evidence.archive import (
    CONTROL,
    FORMAT,
    MANIFEST,
    MANIFEST_SUM,
    SIGNATURE,
    Member,
    bytes_member,
    file_member,
    hash_file,
    manifest_sum,
    safe_path,
    write_archive,
)
from audit.evidence.checks import check_run_dir
from audit.outputs.parts import CERTIFICATES_DIR, FINDINGS_DIR
from audit.outputs.reader import RunDirectory
from audit.outputs.runjson import (
    CATALOGUE_JSON,
    RUN_JSON,
    finished_run_dir,
    parse_time,
    population_counts,
)

REPORT = "report.html"
CATALOGUE_TXT = "catalogue.txt"
INCIDENTS = "incidents"
REQUIRED = (RUN_JSON, CATALOGUE_JSON, REPORT)
GENERATED = (CATALOGUE_TXT, INCIDENTS)  # written for the package, not taken from the run


@dataclass
class PackageInfo:
    path: Path
    size: int  # bytes
    files: int  # files listed in the manifest
    seconds: float
    run_id: str
    root: str  # the population digest's root
    population: str  # what the run audited, each count naming what it counts
    manifest_sha256: str
    signature: dict[str, str] | None  # algorithm and key fingerprint
    incidents: int
    skipped: list[str] = field(default_factory=list)  # run files not packaged, with why

    def summary(self) -> str:
        signed = (
            f"signed {self.signature['algorithm']} by key SHA256:{self.signature['public_key_sha256']}"
            if self.signature
            else "not signed"
        )
        return (
            f"evidence package: {self.path} ({self.size:,} bytes; {self.files:,} files listed "
            f"in the manifest, holding {self.incidents:,} incident drafts; {self.seconds:.2f}s)\n"
            f"run {self.run_id}: {self.population}, root {self.root}\n"
            f"manifest SHA-256 {self.manifest_sha256}; {signed}"
        )


def build_package(
    run_dir: Path, out: Path, *, sign_key: Path | None = None, now: datetime | None = None
) -> PackageInfo:
    clock = time.perf_counter()
    run_dir, out = Path(run_dir), Path(out)
    key = keys.load_private_key(sign_key) if sign_key else None
    run = _read_run(run_dir)
    failed = [c for c in check_run_dir(run_dir, run) if not c.ok]
    if failed:
        raise InputError(
            f"{run_dir} does not reconcile, so it cannot be evidence: "
            + "; ".join(f"{c.name}: {c.detail}" for c in failed)
        )
    now = now or datetime.now(UTC)
    files, skipped = _run_files(run_dir, out)

    with tempfile.TemporaryDirectory(prefix="certcensus-evidence-") as staging:
        stage = Path(staging)
        (stage / CATALOGUE_TXT).write_text(_catalogue_text(run_dir, run), encoding="utf-8")
        from audit.report.incidents import write_incident_drafts

        drafts = write_incident_drafts(run_dir, stage / INCIDENTS)
        files += [(CATALOGUE_TXT, stage / CATALOGUE_TXT)]
        files += [(f"{INCIDENTS}/{p.name}", p) for p in sorted((stage / INCIDENTS).iterdir())]

        listed = []
        for name, path in files:
            digest, size = hash_file(path)
            listed.append({"path": name, "size": size, "sha256": digest})
        public = key.public_key() if key else None
        signature_meta = (
            {
                "algorithm": keys.algorithm_of(public),
                "public_key_sha256": keys.fingerprint(public),
                "public_key": keys.public_pem(public),
            }
            if public
            else None
        )
        mtime = int((parse_time(run.get("finished_at")) or now).timestamp())
        manifest = _manifest(run, listed, now, mtime, signature_meta)
        members: list[Member] = [
            bytes_member(MANIFEST, manifest),
            bytes_member(MANIFEST_SUM, manifest_sum(manifest)),
        ]
        if key:
            members.append(bytes_member(SIGNATURE, keys.sign(key, manifest)))
        members += [file_member(name, path) for name, path in files]

        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        try:
            with tmp.open("wb") as sink:
                write_archive(sink, members, mtime)
            tmp.replace(out)  # a reader never sees half a package
        except (OSError, ValueError) as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(f"{out}: cannot write the package ({exc})") from None

    return PackageInfo(
        path=out,
        size=out.stat().st_size,
        files=len(listed),
        seconds=time.perf_counter() - clock,
        run_id=str(run.get("run_id")),
        root=str(run["population_digest"]["root"]),
        population=population_counts(run),
        manifest_sha256=hashlib.sha256(manifest).hexdigest(),
        signature={k: v for k, v in signature_meta.items() if k != "public_key"}
        if signature_meta
        else None,
        incidents=len(drafts),
        skipped=skipped,
    )


def _manifest(
    run: dict[str, Any],
    files: list[dict[str, Any]],
    now: datetime,
    mtime: int,
    signature: dict[str, str] | None,
) -> bytes:
    counts = run.get("counts") or {}
    data = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "tool": "certcensus",
        "tool_version": __version__,
        "run": {
            "run_id": run.get("run_id"),
            "as_of": run.get("as_of"),
            "finished_at": run.get("finished_at"),
            "catalogue": run.get("catalogue"),
            "scanned": counts.get("scanned"),
            "active_in_database": counts.get("active_in_database"),
        },
        "population_digest": run.get("population_digest"),
        "archive": {"format": "ustar", "mtime": mtime},
        "signature": signature,
        "files": files,
    }
    return (json.dumps(data, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def _read_run(run_dir: Path) -> dict[str, Any]:
    finished_run_dir(run_dir)  # a partial run is no evidence
    for name in REQUIRED:
        if not (run_dir / name).is_file():
            hint = f"; run `certcensus report {run_dir}` first" if name == REPORT else ""
            raise InputError(f"{run_dir}: {name} is missing{hint}")
    run = RunDirectory.open(run_dir).meta
    if not isinstance(run.get("population_digest"), dict):
        raise InputError(f"{run_dir / RUN_JSON}: no population digest")
    return run


def _run_files(run_dir: Path, out: Path) -> tuple[list[tuple[str, Path]], list[str]]:
    """The run's files in package order: run.json, the catalogue, the report, the datasets,
    then whatever else the run wrote (CSV lists, first-seen dates), each once."""
    out = out.resolve()
    found: dict[str, Path] = {}
    skipped = []
    for path in sorted(run_dir.rglob("*")):
        name = path.relative_to(run_dir).as_posix()
        top = name.split("/", 1)[0]
        if path.is_dir() or top in GENERATED or name in CONTROL:
            continue
        if any(part.startswith(".") for part in name.split("/")) or name.endswith(".tmp"):
            continue
        if path.resolve() == out or path.resolve() == out.with_name(out.name + ".tmp"):
            continue
        if path.is_symlink() or not path.is_file():
            skipped.append(f"{name}: not a regular file")
        elif not safe_path(name):
            skipped.append(f"{name}: a name the package format does not allow")
        else:
            found[name] = path

    def rank(name: str) -> tuple[int, str]:
        if name in REQUIRED:
            return REQUIRED.index(name), name
        for i, d in enumerate((CERTIFICATES_DIR, FINDINGS_DIR)):
            if name.startswith(d + "/"):
                return len(REQUIRED) + i, name
        return len(REQUIRED) + 2, name

    return [(n, found[n]) for n in sorted(found, key=rank)], skipped


def _catalogue_text(run_dir: Path, run: dict[str, Any]) -> str:
    """The applied catalogue as text: from this version's lints when they are the ones the run
    applied (same digest), else from catalogue.json as recorded."""
    from audit.engine.registry import Catalogue
    from audit.report.catalogue import catalogue_text

    entries = json.loads((run_dir / CATALOGUE_JSON).read_text(encoding="utf-8"))
    recorded = (run.get("catalogue") or {}).get("digest")
    try:
        live = Catalogue.load().by_name
        applied = Catalogue(tuple(live[e["name"]] for e in entries))
        if applied.digest == recorded:
            return catalogue_text(applied)
    except (KeyError, TypeError):
        pass
    lines = [
        f"certcensus lint catalogue {(run.get('catalogue') or {}).get('version')} "
        f"({len(entries)} lints, digest {str(recorded)[:16]}), as recorded in {CATALOGUE_JSON}",
        "",
    ]
    for e in entries:
        until = f" until {e['ineffective_date']}" if e.get("ineffective_date") else ""
        lines.append(
            f"[{e.get('severity', ''):<6}] {e.get('name')}  ({e.get('citation')}; "
            f"from {e.get('effective_date')}{until}) [{e.get('source')}]"
        )
        lines.append(f"         {e.get('description')}")
    return "\n".join(lines) + "\n"
