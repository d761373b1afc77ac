"""What `certcensus lint` prints for each certificate: in text, its findings; in JSON, one object
per line with every lint's status (the contract's format). Judged by the rules of one date
(`--rules-as-of`), the text starts with a line that says so, and each JSON object names the date
(`rules_as_of`, after `profile`)."""

from __future__ import annotations

import json
from datetime import datetime

from audit.engine.registry import Catalogue
from audit.engine.runner import CertReport, Result
from audit.engine.status import Status
from audit.outputs.rules_date import headline, to_json


def text_head(rules_as_of: datetime | None) -> str:
    """The line before the text reports: which rules judged them, when not each certificate's
    own (empty then)."""
    return "" if rules_as_of is None else f"{headline(rules_as_of)}.\n"


def text_report(file: str, index: int, report: CertReport) -> str:
    """A head line naming the certificate, then its findings, most severe first (then by lint
    name), each with its citation; or the reason it is not a certificate. Ends in a newline."""
    head = f"{file}[{index}] sha256={report.sha256} profile={report.profile}"
    if report.error:
        return f"{head}\n  error: {report.error}\n"
    findings = sorted(report.findings, key=_most_severe_first)
    lines = [f"{head}: {len(findings)} finding(s)\n"]
    lines += [
        f"  {r.status.label:<7} {r.lint.name}: {r.message}  [{r.lint.citation}]\n" for r in findings
    ]
    return "".join(lines)


def _most_severe_first(result: Result) -> tuple[int, str]:
    return -result.status, result.lint.name


class JsonReport:
    """`--format json` lines for one catalogue: the certificate's file, index, SHA-256 and
    profile, and `results` with each lint of the catalogue, in its order (`na` where the engine
    gave none); or `error` and no `results` for bytes that are not a certificate.

    The text is exactly what `json.dumps` gives for that object, put together from parts encoded
    once per catalogue: each lint's key and each status without a message. A certificate has a
    status for every lint, and encoding them all anew was a fifth of the command's time."""

    def __init__(self, catalogue: Catalogue, rules_as_of: datetime | None = None) -> None:
        # after "profile" when certificates are judged by one date's rules
        self._judged = (
            "" if rules_as_of is None else f', "rules_as_of": {json.dumps(to_json(rules_as_of))}'
        )
        self._slot = {x: i for i, x in enumerate(catalogue)}
        self._key = [json.dumps(x.name) + ": " for x in catalogue]
        self._bare = {s: f'{{"status": "{s.label}"}}' for s in Status}
        self._with_message = {s: f'{{"status": "{s.label}", "message": ' for s in Status}
        # each lint's entry for each status without a message: most of a line's entries
        self._plain = [{s: key + bare for s, bare in self._bare.items()} for key in self._key]
        self._every_na = [plain[Status.NA] for plain in self._plain]

    def line(self, file: str, index: int, report: CertReport) -> str:
        """The object as one line, without its newline."""
        head = (
            f'{{"file": {json.dumps(file)}, "index": {index}, '
            f'"sha256": {json.dumps(report.sha256)}, "profile": {json.dumps(str(report.profile))}'
            f"{self._judged}"
        )
        if report.error:
            return f'{head}, "error": {json.dumps(report.error)}}}'
        results = self._every_na.copy()
        for r in report.results:
            slot = self._slot[r.lint]
            results[slot] = (
                f"{self._key[slot]}{self._with_message[r.status]}{json.dumps(r.message)}}}"
                if r.message
                else self._plain[slot][r.status]
            )
        return f'{head}, "results": {{{", ".join(results)}}}}}'
