"""The self-audit report: one self-contained HTML file rendered from a finished run directory.

`render_report(run_dir)` reads only the run's outputs (see `summary.py`) and writes
`run_dir/report.html`. Certificate text is attacker-controlled, so the template is rendered
with autoescaping on, and every string it prints has its invisible or direction-changing
characters (right-to-left overrides, zero-width spaces, control characters) replaced by a
visible `⟨U+202E⟩` marker, so that what the reader sees is what the certificate holds. The page
also carries a Content-Security-Policy that forbids every network fetch and every script but
one: the filter (`filter.js`), inlined and allowed by its SHA-256, which reads only data-*
attributes and toggles `hidden`. The charts are inline SVG made inert by `charts.py`.

The page opens with the verdict. Each lint's section lists its first certificates by notBefore
in a `<details>` collapsed by default (the first few, then the rest up to the cap in a further
collapsed `<details>`; all opened when printed); the complete list is a CSV file in
`report-files/` beside the report, one per lint, written on every render: each part file's
task writes its rows of each lint (see `summary.summarize`), and `write_lists` appends them, in
part-file order, after the header. A CSV cell that a spreadsheet would read as a formula
(starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import jinja2
import pyarrow as pa
import pyarrow.csv as pacsv
from markupsafe import Markup

from audit.engine.profiles import FAMILY_TITLES, Family
from audit.engine.registry import SOURCE_TITLES
from audit.outputs.rules_date import RULES_AS_OF, headline, show
from audit.outputs.runjson import parse_time
from audit.population.batch_gcd import Mapper, local_map
from audit.report.charts import charts
from audit.report.lists import CSV_SCHEMA, file_stem
from audit.report.summary import (
    DEFAULT_CAP,
    MISISSUANCE,
    REVOCATION_DAYS,
    STATUSES,
    LintFindings,
    Summary,
    summarize,
)
from audit.report.text import visible

TEMPLATE = "report.html.j2"
BR_8_7_SAMPLE = 0.03  # BR 8.7: self-audit of at least 3% of certificates issued since the last
REPORT_FILES = "report-files"  # beside the report: the complete list of each lint, as CSV
_COPY_BYTES = 1 << 20  # read at once when a part file's CSV rows are appended to a list
SHOWN = 25  # affected certificates (and table rows) shown before the rest are collapsed
# The page's only script (the filter), inlined and allowed by its hash in the CSP: static text,
# no certificate data in it.
FILTER_SCRIPT = (Path(__file__).parent / "filter.js").read_text(encoding="utf-8")


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script's text."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_report(
    run_dir: Path,
    *,
    cap: int = DEFAULT_CAP,
    out: Path | None = None,
    map: Mapper = local_map,  # noqa: A002 - the name the callers use
) -> Path:
    """Render `run_dir/report.html` (or `out`) and return its path.

    The same run directory always gives the same bytes (no render time or other state is
    printed), so a report can be re-rendered and still match an evidence manifest; and the
    same bytes whatever `map` runs the part files' tasks (see `summarize`).
    """
    run_dir = Path(run_dir)
    target = Path(out) if out is not None else run_dir / "report.html"
    out_dir = target.parent / REPORT_FILES
    # The tasks' CSV rows, beside the report (storage a cluster's workers reach), hidden: never
    # packaged as evidence.
    rows = out_dir.with_name(f".{out_dir.name}.rows")
    shutil.rmtree(rows, ignore_errors=True)
    rows.mkdir(parents=True)
    try:
        summary = summarize(run_dir, cap=cap, map=map, lists=rows)
        write_lists(summary, out_dir)
    finally:
        shutil.rmtree(rows, ignore_errors=True)
    html = render_html(summary)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(target)  # a reader never sees half a report
    return target


def render_html(summary: Summary) -> str:
    return environment().get_template(TEMPLATE).render(**context(summary))


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("audit.templates", ""),
        # Always on: select_autoescape would not match the ".html.j2" suffix.
        autoescape=True,
        # run.json comes from another component and may lack a key: print it as missing.
        undefined=jinja2.ChainableUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        n=_number, pct=_percent, ts=_timestamp, day=_day, source_title=_source, days=_days,
        family_title=_family, family_short=_family_short,
    )  # fmt: skip
    return env


def context(summary: Summary) -> dict[str, Any]:
    meta = summary.meta
    counts = meta.get("counts") or {}
    return {
        "s": summary,
        "run": meta,
        "counts": counts,
        "database": meta.get("database") or {},
        "catalogue_info": meta.get("catalogue") or {},
        "database_url": _mask(str((meta.get("database") or {}).get("url") or "")),
        "population_digest": meta.get("population_digest") or {},
        "statuses": STATUSES,
        "br_sample": math.ceil(summary.population * BR_8_7_SAMPLE),
        "br_sample_share": BR_8_7_SAMPLE,
        "charts": charts(summary),
        "baseline": meta.get("baseline") if isinstance(meta.get("baseline"), dict) else None,
        "revocation_days": REVOCATION_DAYS,
        "misissuance": MISISSUANCE,
        "shown": SHOWN,
        "filter_script": Markup(FILTER_SCRIPT),
        "script_src": Markup(script_hash(FILTER_SCRIPT)),  # base64 and quotes only
        "sources": sorted({x.source for x in summary.lints if x.source}),
        "families": [line.key for line in summary.by_family],
        "problem_groups": problem_groups(summary.lints),
        **_judged_by(meta),
    }


def _judged_by(meta: dict[str, Any]) -> dict[str, str | None]:
    """`judged`: the headline when the run judged by one date's rules (else None), and
    `rules_date`: that date as the report prints it."""
    value = meta.get(RULES_AS_OF)
    if value is None:
        return {"judged": None, "rules_date": None}
    moment = parse_time(value)
    if moment is None:  # run.json holds something else: say so, as it is
        return {"judged": f"Judged by the rules in force on {value!r}", "rules_date": str(value)}
    return {"judged": headline(moment), "rules_date": show(moment)}


def problem_groups(lints: list[LintFindings]) -> list[tuple[str, list[tuple[str, list]]]]:
    """The problems by severity, then by source within each, in the order they are listed
    (worst first): [(severity, [(source, [lint, ...]), ...]), ...]."""
    groups: dict[str, dict[str, list[LintFindings]]] = {}
    for x in lints:
        groups.setdefault(x.status, {}).setdefault(x.source or "", []).append(x)
    return [(status, list(by_source.items())) for status, by_source in groups.items()]


# -- the complete lists, as CSV beside the report --------------------------------------------


def write_lists(summary: Summary, out_dir: Path) -> None:
    """Write `out_dir/<lint>.csv` for every lint with findings, and set each lint's `csv`.

    Each lint's file is its header, then its rows from each part file in the files' order, as
    the part files' tasks wrote them (`summarize(..., lists=...)`, `Summary.fragments`): only
    bytes are copied here. The directory is replaced whole: a list from an earlier render never
    stays behind.
    """
    if summary.fragments is None:
        raise ValueError("the summary has no CSV rows: summarize it with lists=<directory>")
    names: dict[str, str] = {}
    used: set[str] = set()
    for x in summary.lints:
        names[x.name] = file_stem(x.name, used) + ".csv"
        x.csv = f"{out_dir.name}/{names[x.name]}"
    staging = out_dir.with_name(f".{out_dir.name}.tmp")  # hidden: never packaged as evidence
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    header = _csv_header()
    for x in summary.lints:  # a lint with findings always has its file, even if empty
        with open(staging / names[x.name], "wb") as csv:
            csv.write(header)
            csv.flush()
            for fragment in summary.fragments.get(x.name, []):
                _append(Path(fragment), csv)
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _append(source: Path, target: BinaryIO) -> None:
    """Append the file's bytes to `target` (flushed), in the kernel where it can (half the
    time of copying them through Python: the lists are hundreds of MB at a million rows)."""
    with open(source, "rb") as rows:
        size, sent = os.fstat(rows.fileno()).st_size, 0
        try:
            while sent < size:
                n = os.sendfile(target.fileno(), rows.fileno(), sent, size - sent)
                if n == 0:
                    break
                sent += n
        except (AttributeError, OSError):  # no sendfile to a file here: copy what is left
            rows.seek(sent)
            shutil.copyfileobj(rows, target, _COPY_BYTES)
            target.flush()


def _csv_header() -> bytes:
    """The lists' header line, as pyarrow's CSV writer writes it."""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(CSV_SCHEMA.empty_table(), sink)
    return sink.getvalue().to_pybytes()


# -- what every printed value goes through -------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or isinstance(value, jinja2.Undefined)


def _finalize(value: Any) -> Any:
    if _missing(value):
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def _number(value: int | None) -> str:
    if _missing(value):
        return "–"
    try:
        return f"{value:,}"
    except (TypeError, ValueError):  # run.json holds something else: show it as it is
        return str(value)


def _percent(value: float | None) -> str:
    if _missing(value):
        return "–"
    if not isinstance(value, int | float):
        return str(value)
    return f"{value:.2%}".replace(".00%", "%")  # 3%, 100%, 99.97%


def _days(value: int | None) -> str:
    if _missing(value):
        return "–"
    return "1 day" if value == 1 else f"{value:,} days"


def _timestamp(value: datetime | str | None) -> str:
    """UTC, to the second: `2019-03-06 00:00:00Z`."""
    moment = _as_datetime(value)
    if moment is None:
        return "" if _missing(value) else str(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _day(value: datetime | str | None) -> str:
    moment = _as_datetime(value)
    if moment is None:
        return "" if _missing(value) else str(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return _as_datetime(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


_SOURCE_TITLES = {str(k): v for k, v in SOURCE_TITLES.items()}
_FAMILY_TITLES = {str(k): v for k, v in FAMILY_TITLES.items()}


def _source(value: str | None) -> str:
    return _SOURCE_TITLES.get(value, value) if value else ""


def _family(value: str | None) -> str:
    return _FAMILY_TITLES.get(value, value) if value else ""


# Within a line of text (a lint's families), where the titles would take a line of their own.
_FAMILY_SHORT = {
    str(k): v
    for k, v in {
        Family.CA: "CA", Family.TLS: "TLS", Family.SMIME: "S/MIME",
        Family.CODE_SIGNING: "code signing", Family.TIME_STAMPING: "time stamping",
        Family.OCSP: "OCSP", Family.OTHER: "other",
    }.items()
}  # fmt: skip


def _family_short(value: str | None) -> str:
    return _FAMILY_SHORT.get(value, value) if value else ""


def _mask(url: str) -> str:
    """run.json already masks the password; mask again so no version of the job can leak one."""
    if not url:
        return ""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a SQLAlchemy URL: still never show a user:password@ part
        return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", url)
