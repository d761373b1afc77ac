"""zlint's own test vectors as the yardstick (tests/zlint_conformance.py over tests/data/zlint,
the project's copies of ../shared/checks/zlint_conformance.py and its corpus).

Thresholds from issue 3: at least 95% of zlint's TLS lints have a certcensus counterpart, at
least 97% of their vectors agree, and no vector comes back `fatal`.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

from tests import zlint_conformance
from tests.zlint_conformance import CORPUS

SCRIPT = zlint_conformance.__file__

MIN_LINTS_MAPPED = 0.95
MIN_VECTORS_AGREED = 0.97


def test_zlint_conformance_meets_the_thresholds(tmp_path: Path) -> None:
    assert (CORPUS / "expected.jsonl").is_file(), f"the zlint corpus is expected at {CORPUS}"
    out = tmp_path / "conformance.json"
    cmd = f"{shlex.quote(sys.executable)} -m audit"
    done = subprocess.run(
        [sys.executable, SCRIPT, "--cmd", cmd, "--corpus", str(CORPUS), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    print(done.stdout.splitlines()[-1])
    figures = json.loads(out.read_text())
    assert figures["lints_mapped"] / figures["lints_in_scope"] >= MIN_LINTS_MAPPED
    assert figures["loose"] / figures["vectors"] >= MIN_VECTORS_AGREED, done.stdout
    fatal = [d for d in figures["disagreements"] if d[3] == "fatal"]
    assert not fatal, fatal[:10]
