"""What the benchmarks share: a size measured in a fresh process, so that each peak memory
figure belongs to that size alone."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from typing import Any


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_measured(module: str, args: list[str], what: str) -> dict[str, Any]:
    """Run `python -m module *args` and return the JSON object its last line of output prints;
    exit with its stderr's tail when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
