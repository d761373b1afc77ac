#!/usr/bin/env python3
"""Score certcensus against zlint's own test vectors (tests/data/zlint).

A copy of ../shared/checks/zlint_conformance.py (same scoring, same output), kept in the project
so that its tests need nothing beside the repository; only the corpus's default place and the
code's layout (for ruff) differ. The shared script can still be run by hand against its corpus.

Runs `certcensus lints --format json` (for each lint's `zlint` cross-reference) and
`certcensus lint --format json` over every corpus certificate, then compares, vector by
vector, the status certcensus gives with the status zlint's tests expect.

  python tests/zlint_conformance.py [--cmd "certcensus"] [--sources tls|all|cabf_br,rfc,...]
                                    [--show-disagreements N] [--json OUT.json] [--corpus DIR]

Where several certcensus lints name the same zlint lint, they are combined: the highest
failing status if any fails, else pass if any passes, else ne if any is ne, else na.
'loose' agreement compares classes (pass / na / ne / failed); 'strict' compares the exact
status (zlint's Notice = notice or info). `fatal` (could not lint) never agrees. Vectors that
need a zlint configuration are left out. The last line printed is the headline figure.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "zlint"
TLS = ["cabf_br", "cabf_ev", "rfc", "community", "mozilla", "apple", "chrome"]
ORDER = ["pass", "na", "ne", "info", "notice", "warn", "error", "fatal"]
FAIL = {"info", "notice", "warn", "error", "fatal"}
FINDING = {"info", "notice", "warn", "error"}  # fatal (could not lint) never agrees
ZL = {
    "Pass": "pass", "NA": "na", "NE": "ne", "Notice": "notice", "Warn": "warn",
    "Error": "error", "Fatal": "fatal",
}  # fmt: skip


def klass(status: str) -> str:
    return "fail" if status in FINDING else status


def strict_equal(ours: str, expected: str) -> bool:
    if expected == "notice":
        return ours in ("notice", "info")
    return ours == expected


def combine(statuses: list[str | None]) -> str | None:
    fails = [s for s in statuses if s in FAIL]
    if fails:
        return max(fails, key=ORDER.index)
    for s in ("pass", "ne", "na"):
        if s in statuses:
            return s
    return None


def run(cmd: str, args: list[str]) -> str:
    p = subprocess.run(shlex.split(cmd) + args, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(
            f"`{cmd} {' '.join(args[:3])} ...` exited {p.returncode}: {p.stderr.strip()[-500:]}"
        )
    return p.stdout


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cmd", default="certcensus")
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--sources", default="tls")
    ap.add_argument("--show-disagreements", type=int, default=0)
    ap.add_argument("--json", dest="json_out")
    a = ap.parse_args()
    sources = TLS if a.sources == "tls" else None if a.sources == "all" else a.sources.split(",")

    zl = json.loads(Path(a.corpus, "lints.json").read_text())
    listed = zl["lints"] if isinstance(zl, dict) and "lints" in zl else zl
    zl_lints = {lint["name"]: lint for lint in listed}
    with open(os.path.join(a.corpus, "expected.jsonl")) as lines:
        vectors = [json.loads(x) for x in lines]
    vectors = [
        v for v in vectors if not v.get("config") and (sources is None or v["source"] in sources)
    ]
    in_scope = {
        n
        for n, lint in zl_lints.items()
        if lint.get("lint_type", "certificate") == "certificate"
        and (sources is None or lint.get("source_dir") in sources)
    }

    catalogue = json.loads(run(a.cmd, ["lints", "--format", "json"]))
    alias = collections.defaultdict(list)
    for lint in catalogue:
        for z in lint.get("zlint") or []:
            alias[z].append(lint["name"])

    certs = sorted({v["cert"] for v in vectors})
    paths = [os.path.join(a.corpus, c) for c in certs]
    results = {}
    for line in run(a.cmd, ["lint", "--format", "json", *paths]).splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        key = os.path.relpath(os.path.abspath(obj["file"]), os.path.abspath(a.corpus))
        if obj.get("index", 0) == 0:
            results[key] = obj

    per: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    disagreements = []
    for v in vectors:
        src, expected = v["source"], ZL[v["expected"]]
        c = per[src]
        c["vectors"] += 1
        ours_names = alias.get(v["lint"])
        if not ours_names:
            c["unmapped"] += 1
            continue
        obj = results.get(v["cert"])
        if obj is None or "results" not in obj:
            ours = "fatal"
        else:
            ours = combine([obj["results"].get(n, {}).get("status") for n in ours_names])
        c["mapped"] += 1
        loose = ours is not None and klass(ours) == klass(expected)
        c["loose"] += loose
        c["strict"] += ours is not None and strict_equal(ours, expected)
        if not loose:
            disagreements.append((v["lint"], v["cert"], expected, ours, ours_names))

    mapped_lints = {z for z in in_scope if z in alias}
    print(
        f"{'source':<14}{'lints':>7}{'mapped':>8}{'vectors':>9}{'unmapped':>10}"
        f"{'loose':>8}{'strict':>8}"
    )
    tot: collections.Counter = collections.Counter()
    for src in sorted(per):
        c = per[src]
        nl = sum(1 for z in in_scope if zl_lints[z].get("source_dir") == src)
        ml = sum(1 for z in mapped_lints if zl_lints[z].get("source_dir") == src)
        tot.update(c)
        print(
            f"{src:<14}{nl:>7}{ml:>8}{c['vectors']:>9}{c['unmapped']:>10}"
            f"{c['loose']:>8}{c['strict']:>8}"
        )
    for d in disagreements[: a.show_disagreements]:
        print("disagree:", *d)
    lint_cov = len(mapped_lints) / max(1, len(in_scope))
    agree = tot["loose"] / max(1, tot["vectors"])
    agree_mapped = tot["loose"] / max(1, tot["mapped"])
    if a.json_out:
        figures = {
            "lints_in_scope": len(in_scope), "lints_mapped": len(mapped_lints),
            "vectors": tot["vectors"], "mapped_vectors": tot["mapped"], "loose": tot["loose"],
            "strict": tot["strict"], "disagreements": disagreements,
        }  # fmt: skip
        Path(a.json_out).write_text(json.dumps(figures, indent=1))
    print(
        f"zlint conformance ({a.sources}): lints mapped {len(mapped_lints)}/{len(in_scope)} "
        f"({lint_cov:.1%}); vectors agreed {tot['loose']}/{tot['vectors']} ({agree:.1%}) "
        f"[{agree_mapped:.1%} of mapped; strict {tot['strict']}]"
    )


if __name__ == "__main__":
    main()
