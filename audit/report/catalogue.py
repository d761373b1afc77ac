"""The catalogue as a document: a compliance checklist grouped by source and section."""

from __future__ import annotations

from itertools import groupby

from audit.engine.registry import SOURCE_TITLES, Catalogue


def catalogue_text(catalogue: Catalogue) -> str:
    lines = [
        f"certcensus lint catalogue {catalogue.version} ({len(catalogue)} lints, digest {catalogue.digest[:16]})",
        "",
    ]
    for source, in_source in groupby(catalogue, key=lambda x: x.source):
        lints = list(in_source)
        title = SOURCE_TITLES.get(source, str(source))  # a source added without a title yet
        lines.append(f"{title} [{source}] — {len(lints)} lints")
        for section, in_section in groupby(lints, key=lambda x: x.section):
            lines.append(f"  {section}")
            for x in in_section:
                window = f"from {x.effective.date()}" + (
                    f" until {x.ineffective.date()}" if x.ineffective else ""
                )
                lines.append(f"    [{x.severity.label:<6}] {x.name}  ({x.citation}; {window})")
                lines.append(f"             {x.description}")
        lines.append("")
    return "\n".join(lines)
