"""The report's charts: drawn by matplotlib, embedded in the page as inline SVG.

Three charts, each also shown as a table elsewhere in the report: findings by month of issuance
(one panel per status, each on its own scale), certificates audited and those with error or fatal findings by issuer, and
certificates per lint, worst status first. Counts are on a logarithmic scale with every bar
labelled, so that a notice on every certificate never shrinks a few errors to a sliver.

Labels come from certificates (issuer names) and from the run (lint names), so they are
attacker-controlled text. Three things keep them inert:
- matplotlib is told to write text as SVG `<text>` (not glyph paths), never to read `$...$` as
  mathtext, and never to call TeX; the label's invisible characters are shown as `⟨U+XXXX⟩`;
- the SVG it writes is parsed and written out again through an allowlist of elements and
  attributes: no `<style>`, `<metadata>`, `<script>`, `<foreignObject>`, `<image>`, event
  handler, or reference other than to an element of the same chart (`#id`, `url(#id)`);
- every text and attribute value is escaped again on the way out.
So the page stays self-contained: nothing in a chart can fetch, run or add markup. Element ids
get the chart's id as a prefix, so that several charts in one page never share one.

The output is the same for the same summary (matplotlib's SVG ids are salted with the chart's
id, and its date and version metadata are dropped), so a report renders to the same bytes.
"""

from __future__ import annotations

import functools
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec

import matplotlib
from markupsafe import Markup, escape
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from audit.report.text import visible

if TYPE_CHECKING:
    from audit.report.summary import GroupLine, LintFindings, Summary

# The report's colours for each status (its CSS uses the same).
STATUS_COLOURS = {
    "fatal": "#6b0f1a",
    "error": "#b3261e",
    "warn": "#9a5b00",
    "notice": "#1f5f99",
    "info": "#4a5560",
}
OTHER_COLOUR = "#000000"
POPULATION_COLOUR = "#d0d4d9"
MOST_BARS = 20  # bars in the issuer and lint charts; the rest are summed into one
MOST_MONTHS = 120  # a longer span of issuance is drawn by year
LABEL_CHARS = 56

P = ParamSpec("P")
_RC = {
    "svg.fonttype": "none",  # text stays text (escaped by the writer), not glyph outlines
    "text.parse_math": False,  # "$...$" in a certificate's name is text, not mathtext
    "text.usetex": False,
    "svg.image_inline": True,
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
}


def _styled(draw: Callable[P, Chart | None]) -> Callable[P, Chart | None]:
    """Draw under the report's rcParams: they are read when text is made, not when saved."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart | None:
        with matplotlib.rc_context(_RC):
            return draw(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Chart:
    id: str  # the HTML id of its <figure>
    title: str
    svg: Markup  # sanitised inline SVG
    caption: str


def charts(summary: Summary) -> list[Chart]:
    """The charts for this summary (none when there is nothing to draw)."""
    drawn = [
        month_chart(summary.by_month, summary.without_month),
        issuer_chart(summary.by_issuer),
        lint_chart(summary.lints),
    ]
    return [c for c in drawn if c is not None]


@_styled
def month_chart(by_month: list[tuple[str, dict[str, int]]], without: int = 0) -> Chart | None:
    if not by_month:
        return None
    months = by_month
    unit = "month"
    if len(months) > MOST_MONTHS:
        months = _by_year(months)
        unit = "year"
        if len(months) > MOST_MONTHS // 2:  # odd notBefore dates far apart: no empty years
            months = [(year, counts) for year, counts in months if counts]
    labels = [m for m, _ in months]
    statuses = [s for s in STATUS_COLOURS if any(c.get(s) for _, c in months)]
    others = sorted({s for _, c in months for s in c} - set(STATUS_COLOURS))
    drawn = [*statuses, *others] or ["error"]
    # One panel per status, each on its own scale: stacked on one axis, thousands of notices
    # would flatten a handful of errors to a sliver.
    fig = Figure(figsize=(9.5, 0.6 + 1.25 * len(drawn)), layout="constrained")
    axes = fig.subplots(len(drawn), 1, sharex=True, squeeze=False)[:, 0]
    ticks = _month_ticks(labels) if unit == "month" else list(range(len(labels)))
    totals: dict[str, int] = {}
    for ax, status in zip(axes, drawn, strict=True):
        heights = [c.get(status, 0) for _, c in months]
        totals[status] = sum(heights)
        ax.bar(range(len(months)), heights, color=STATUS_COLOURS.get(status, OTHER_COLOUR))
        noun = "finding" if totals[status] == 1 else "findings"
        ax.set_title(
            f"{_label(status)}: {totals[status]:,} {noun}, at most {max(heights):,} in a {unit}",
            fontsize=9,
        )
        ax.set_ylim(0, max(max(heights), 1) * 1.1)
        ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=3, integer=True))
        ax.set_xlim(-0.6, max(len(months), 12) - 0.4)  # a few months: bars of a usual width
    axes[-1].set_xticks(ticks, [labels[i] for i in ticks], rotation=0)
    fig.suptitle(f"Findings by {unit} of issuance (notBefore)", x=0.0, ha="left", fontweight="bold")
    fig.supylabel("findings", fontsize=9)
    total = sum(totals.values())
    caption = (
        f"{total:,} findings by the {unit} their certificate was issued, "
        f"{labels[0]} to {labels[-1]}, each status in its own panel, on its own scale: "
        + ", ".join(f"{status} {n:,}" for status, n in totals.items())
        + "."
    )
    if without:
        caption += f" {without:,} findings of certificates without a notBefore are not drawn."
    return Chart(
        "chart-months", "Findings by month of issuance", _svg(fig, "chart-months", caption), caption
    )


@_styled
def issuer_chart(by_issuer: list[GroupLine]) -> Chart | None:
    lines = [g for g in by_issuer if g.certificates]
    if not lines or not any(g.with_any for g in lines):
        return None
    shown = sorted(lines, key=lambda g: (-g.misissued, -g.with_any, -g.certificates, g.key or ""))[
        :MOST_BARS
    ]
    rest = [g for g in lines if g not in shown]
    labels = [_label(g.key if g.key is not None else "(unknown issuer)") for g in shown]
    misissued = [g.misissued for g in shown]
    totals = [g.certificates for g in shown]
    if rest:
        labels.append(f"{len(rest):,} other issuers")
        misissued.append(sum(g.misissued for g in rest))
        totals.append(sum(g.certificates for g in rest))
    fig = _bar_figure(len(labels))
    ax = fig.add_subplot()
    y = list(range(len(labels)))
    # Side by side, not one over the other: the audited bar always shows.
    audited = ax.barh([v - 0.2 for v in y], totals, height=0.4, color=POPULATION_COLOUR,
                      label="certificates audited")  # fmt: skip
    bad = ax.barh([v + 0.2 for v in y], misissued, height=0.4, color=STATUS_COLOURS["error"],
                  label="with error or fatal findings")  # fmt: skip
    ax.bar_label(audited, labels=[f"{n:,}" for n in totals], padding=3, fontsize=8)
    ax.bar_label(bad, labels=[f"{n:,}" for n in misissued], padding=3, fontsize=8)
    _log_axis(ax, max(totals))
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("certificates (logarithmic scale)")
    _title(fig, "Certificates with error or fatal findings, by issuer")
    fig.legend(loc="outside lower left", frameon=False, ncols=2)  # below: never on a bar
    caption = (
        "Per issuer: certificates audited (grey) and those with an error or fatal finding "
        "(red), each labelled with its count, on a logarithmic scale; the table “By issuer” "
        "gives the counts per status."
    )
    return Chart("chart-issuers", "By issuer", _svg(fig, "chart-issuers", caption), caption)


@_styled
def lint_chart(lints: list[LintFindings]) -> Chart | None:
    if not lints:
        return None
    shown = lints[:MOST_BARS]  # the summary's order: worst status first, then most certificates
    rest = lints[MOST_BARS:]
    labels = [_label(x.name) for x in shown]
    counts = [x.certificates for x in shown]
    colours = [STATUS_COLOURS.get(x.status, OTHER_COLOUR) for x in shown]
    by_status: dict[str, list[LintFindings]] = {}
    for x in rest:  # the rest summed per status, so that warnings never join the errors
        by_status.setdefault(x.status, []).append(x)
    for status, group in by_status.items():
        labels.append(f"{len(group):,} other {status} lint" + ("" if len(group) == 1 else "s"))
        counts.append(sum(x.certificates for x in group))
        colours.append(STATUS_COLOURS.get(status, OTHER_COLOUR))
    fig = _bar_figure(len(labels))
    ax = fig.add_subplot()
    y = list(range(len(labels)))
    bars = ax.barh(y, counts, color=colours)
    ax.bar_label(bars, labels=[f"{n:,}" for n in counts], padding=3, fontsize=8)
    _log_axis(ax, max(counts))
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("certificates (logarithmic scale)")
    _title(fig, "Certificates per lint, worst status first (colour: the lint's worst status)")
    caption = (
        "Certificates with a finding of each lint: fatal and error first, then warn and notice, "
        "each bar labelled with its count. The scale is logarithmic, so that a notice on every "
        "certificate does not shrink a few errors to a sliver; the table “Findings by lint” "
        "gives the same counts."
    )
    return Chart("chart-lints", "By lint", _svg(fig, "chart-lints", caption), caption)


# -- drawing helpers ------------------------------------------------------------------------


def _log_axis(ax: Axes, largest: int) -> None:
    """A logarithmic count axis with plain numbers (1, 10, 100: never mathtext, which the
    report does not parse), room for the bars' labels, and a zero drawn as no bar."""
    ax.set_xscale("log")
    ax.set_xlim(0.8, max(largest, 1) * 4)
    ax.xaxis.set_major_locator(ticker.LogLocator(base=10))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())


def _title(fig: Figure, text: str) -> None:
    """A bar chart's title, from the figure's left edge: over the axes, which start after the
    labels (up to LABEL_CHARS long), a long title would run past the figure's right edge."""
    fig.suptitle(text, x=0.0, ha="left", fontsize=10, fontweight="bold")


def _bar_figure(bars: int) -> Figure:
    return Figure(figsize=(9.5, 1.1 + 0.24 * bars), layout="constrained")


def _label(text: str) -> str:
    """A label as the report prints text: invisible characters made visible, kept short."""
    text = visible(text)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _by_year(months: list[tuple[str, dict[str, int]]]) -> list[tuple[str, dict[str, int]]]:
    years: dict[str, dict[str, int]] = {}
    for month, counts in months:
        year = years.setdefault(month[:4], {})
        for status, n in counts.items():
            year[status] = year.get(status, 0) + n
    return list(years.items())


def _month_ticks(labels: list[str]) -> list[int]:
    """At most about ten ticks: every month, or every 2, 3, 4, 6 or 12 months, starting at a
    month that puts the Januaries among them."""
    step = next((n for n in (1, 2, 3, 4, 6, 12) if len(labels) <= 10 * n), -(-len(labels) // 10))
    start = next((i for i, m in enumerate(labels[:step]) if (int(m[5:7]) - 1) % step == 0), 0)
    return list(range(start, len(labels), step))


def _svg(fig: Figure, chart_id: str, label: str) -> Markup:
    with matplotlib.rc_context(_RC | {"svg.hashsalt": chart_id}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return sanitize_svg(buf.getvalue(), chart_id, label=label)


# -- the SVG allowlist ----------------------------------------------------------------------

_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "path",
        "text",
        "tspan",
        "defs",
        "clipPath",
        "use",
        "rect",
        "line",
        "polyline",
        "polygon",
        "circle",
        "ellipse",
        "title",
        "desc",
    ]
)
_TEXT_ELEMENTS = frozenset({"text", "tspan", "title", "desc"})
_ATTRIBUTES = frozenset(
    [
        "id",
        "d",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "dx",
        "dy",
        "width",
        "height",
        "viewBox",
        "transform",
        "style",
        "clip-path",
        "points",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fill",
        "stroke",
        "stroke-width",
        "opacity",
        "text-anchor",
        "font-size",
        "font-family",
        "preserveAspectRatio",
        "clipPathUnits",
        "href",
    ]
)
_URL = re.compile(r"url\(\s*([^)]*)\)")
_REFERENCE = re.compile(r"#[A-Za-z0-9_.:-]+")
# Characters no attribute value matplotlib writes needs, and that CSS or markup could use.
_UNSAFE_VALUE = re.compile(r"[<>\\@]|expression|javascript|data:", re.I)


def sanitize_svg(svg: str, prefix: str, *, label: str | None = None) -> Markup:
    """The SVG document `svg` as an inline `<svg>` element holding only allowlisted elements
    and attributes, with every id prefixed by `prefix` and every value escaped."""
    root = ET.fromstring(svg)
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    out: list[str] = []
    _write(root, prefix, ids, out, top=True, label=label)
    return Markup("".join(out))


def _write(
    el: ET.Element,
    prefix: str,
    ids: set[str | None],
    out: list[str],
    *,
    top: bool,
    label: str | None,
) -> None:
    tag = el.tag.removeprefix(_SVG_NS)
    if tag not in _ELEMENTS:
        return  # <metadata>, <style> and anything unexpected, with all it holds
    attrs = _attributes(el, prefix, ids)
    if top:
        attrs = [(k, v) for k, v in attrs if k not in ("width", "height")]
        attrs += [("class", "chart"), ("role", "img")]
        attrs += [("aria-label", label)] if label else []
    out.append("<" + tag + "".join(f' {k}="{escape(v)}"' for k, v in attrs) + ">")
    if tag in _TEXT_ELEMENTS and el.text:
        out.append(str(escape(el.text)))
    for child in el:
        _write(child, prefix, ids, out, top=False, label=None)
        if tag in _TEXT_ELEMENTS and child.tail:
            out.append(str(escape(child.tail)))
    out.append(f"</{tag}>")


def _attributes(el: ET.Element, prefix: str, ids: set[str | None]) -> list[tuple[str, str]]:
    kept = []
    for name, value in el.attrib.items():
        name = "href" if name == _XLINK_HREF else name
        if name not in _ATTRIBUTES or name.startswith("on"):
            continue
        if name == "id":
            kept.append((name, f"{prefix}-{value}"))
            continue
        if name == "href":  # only to an element of this chart
            if _REFERENCE.fullmatch(value) and value[1:] in ids:
                kept.append((name, f"#{prefix}-{value[1:]}"))
            continue
        fixed = _local_urls(value, prefix, ids)
        if fixed is not None and not _UNSAFE_VALUE.search(fixed):
            kept.append((name, fixed))
    return kept


def _local_urls(value: str, prefix: str, ids: Iterable[str | None]) -> str | None:
    """`value` with each `url(#id)` pointed at the prefixed id; None if it has another url."""
    known = set(ids)
    bad = False

    def fix(match: re.Match[str]) -> str:
        nonlocal bad
        target = match.group(1).strip().strip("'\"")
        if not (_REFERENCE.fullmatch(target) and target[1:] in known):
            bad = True
            return ""
        return f"url(#{prefix}-{target[1:]})"

    fixed = _URL.sub(fix, value)
    return None if bad else fixed
