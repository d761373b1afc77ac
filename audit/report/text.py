"""How the report, its charts and the incident drafts print text taken from certificates, and
times."""

from datetime import UTC, datetime


def visible(text: str) -> str:
    """Replace characters that are invisible or reorder text with a visible `⟨U+XXXX⟩` marker.

    Python's `isprintable` is False exactly for Unicode's Other and Separator categories
    (controls, format characters such as U+202E RIGHT-TO-LEFT OVERRIDE and zero-width spaces,
    unassigned code points, line separators), except the ASCII space. The result is still plain
    text: autoescaping (or Markdown escaping) then escapes it.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"⟨U+{ord(ch):04X}⟩" for ch in text)


def utc(value: datetime | None, *, seconds: bool = True) -> str:
    """A time in UTC as the report and the incident drafts print it: `2019-03-06 00:00:00Z`
    (`2019-03-06 00:00Z` without seconds, the CCADB timeline's minute granularity)."""
    if value is None:
        return ""
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ" if seconds else "%Y-%m-%d %H:%MZ")
