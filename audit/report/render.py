"""The self-audit report: one self-contained HTML file rendered from a finished run directory.

`render_report(run_dir)` reads only the run's outputs (see `summary.py`) and writes
`run_dir/report.html`. Certificate text is attacker-controlled, so the template is rendered
with autoescaping on, and every string it prints has its invisible or direction-changing
characters (right-to-left overrides, zero-width spaces, control characters) replaced by a
visible `⟨U+202E⟩` marker, so that what the reader sees is what the certificate holds. The page
also carries a Content-Security-Policy that forbids scripts and every network fetch.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from audit.engine.registry import SOURCE_TITLES
from audit.report.summary import DEFAULT_CAP, STATUSES, Summary, summarize

TEMPLATE = "report.html.j2"
BR_8_7_SAMPLE = 0.03  # BR 8.7: self-audit of at least 3% of certificates issued since the last


def render_report(run_dir: Path, *, cap: int = DEFAULT_CAP, out: Path | None = None) -> Path:
    """Render `run_dir/report.html` (or `out`) and return its path.

    The same run directory always gives the same bytes (no render time or other state is
    printed), so a report can be re-rendered and still match an evidence manifest.
    """
    run_dir = Path(run_dir)
    summary = summarize(run_dir, cap=cap)
    html = render_html(summary)
    target = Path(out) if out is not None else run_dir / "report.html"
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
    env.filters.update(n=_number, pct=_percent, ts=_timestamp, day=_day, source_title=_source)
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
    }


# -- what every printed value goes through -------------------------------------------------


def visible(text: str) -> str:
    """Replace characters that are invisible or reorder text with a visible `⟨U+XXXX⟩` marker.

    Python's `isprintable` is False exactly for Unicode's Other and Separator categories
    (controls, format characters such as U+202E RIGHT-TO-LEFT OVERRIDE and zero-width spaces,
    unassigned code points, line separators), except the ASCII space. The result is still plain
    text: autoescaping then escapes it, in element content and attribute values alike.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"⟨U+{ord(ch):04X}⟩" for ch in text)


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


def _source(value: str | None) -> str:
    return _SOURCE_TITLES.get(value, value) if value else ""


def _mask(url: str) -> str:
    """run.json already masks the password; mask again so no version of the job can leak one."""
    if not url:
        return ""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a SQLAlchemy URL: still never show a user:password@ part
        return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", url)
