"""run.json: what was audited, with what, and the counts that must reconcile with the Parquet."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RUN_JSON = "run.json"
CATALOGUE_JSON = "catalogue.json"


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    tmp.replace(path)


def read_run(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / RUN_JSON).read_text())
