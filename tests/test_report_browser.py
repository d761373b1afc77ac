"""The report in a real browser: headless Chromium from Debian's packages (`.ci/run` installs it).

Chromium is driven over the Chrome DevTools Protocol on a pipe (`--remote-debugging-pipe`: the
protocol's JSON messages, NUL-terminated, on file descriptors 3 and 4), so no driver, websocket
library or downloaded browser is needed. What is checked, on a real audit run and on a run
crafted with hostile certificate text:
- the page loads with no console error, no CSP violation, no JavaScript dialog (every hostile
  string calls `alert`) and no request other than for the page itself;
- hostile subjects, SANs (quoted in messages) and issuer names render as text: they appear in
  the DOM's text, and no element (no <img>, no <script>, no extra <svg>) comes from them;
- the charts are drawn (inline SVG with a size); collapsed lists are shown when printing;
- a screenshot and a PDF print are kept in tests/artifacts/ (ignored by git).

Without Chromium the tests fail, saying how to install it: they never skip.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from audit.report.render import render_report
from tests.test_report import (
    HOSTILE_ISSUER,
    HOSTILE_SANS,
    HOSTILE_SUBJECT,
    LOCALITY,
    VALIDITY,
    cert,
    hostile_run,
)

ARTIFACTS = Path(__file__).parent / "artifacts"
SCREENSHOT = ARTIFACTS / "report.png"
HOSTILE_SCREENSHOT = ARTIFACTS / "report-hostile.png"
PDF = ARTIFACTS / "report.pdf"
WIDTH, HEIGHT = 1280, 4000
FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--font-render-hinting=none",
    f"--window-size={WIDTH},{HEIGHT}",
]
# Elements certificate text must never become, whatever it holds.
FORBIDDEN = {"script", "img", "iframe", "object", "embed", "foreignobject", "image", "link"}


# Run as `python -c _ON_3_AND_4 IN OUT CHROMIUM ARGS...`: IN on fd 3, OUT on fd 4, exec CHROMIUM.
# Both are first copied above 9, so that neither is overwritten by the other's dup2.
_ON_3_AND_4 = """
import fcntl, os, sys
high = [fcntl.fcntl(int(fd), fcntl.F_DUPFD_CLOEXEC, 10) for fd in sys.argv[1:3]]
os.dup2(high[0], 3)
os.dup2(high[1], 4)
os.execv(sys.argv[3], sys.argv[3:] + ["about:blank"])
"""


def chromium_binary() -> str:
    found = shutil.which(os.environ.get("CHROMIUM") or "chromium")
    if not found:
        pytest.fail(
            "Chromium is not installed, and the report's browser test needs it: "
            "install Debian's package (`apt-get install -y chromium`); .ci/run does this in CI",
            pytrace=False,
        )
    return found


class DevTools:
    """A headless Chromium and its DevTools protocol, over a pipe."""

    def __init__(self, binary: str, profile: Path) -> None:
        browser_in, self._send = os.pipe()  # we write, Chromium reads (its fd 3)
        self._receive, browser_out = os.pipe()  # Chromium writes (its fd 4), we read
        self.log_path = profile / "chromium.log"
        self._log = self.log_path.open("wb")
        args = [binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"]
        # A small Python puts the pipe ends on descriptors 3 and 4, then becomes Chromium.
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ON_3_AND_4, str(browser_in), str(browser_out), *args],
            pass_fds=(browser_in, browser_out),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        os.close(browser_in)
        os.close(browser_out)
        self._buffer = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def call(
        self, method: str, params: dict | None = None, session: str | None = None, timeout=60.0
    ) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._send, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline, f"the reply to {method}")
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event["params"]
            self.events.append(self._next(deadline, method))

    def settle(self, seconds: float) -> None:
        """Collect the events that arrive in the next `seconds` (late console messages)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._next(deadline, "events"))
        except TimeoutError:
            pass

    def session_events(self, session: str, *methods: str) -> list[dict[str, Any]]:
        return [
            e["params"]
            for e in self.events
            if e.get("sessionId") == session and e.get("method") in methods
        ]

    def _next(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {waiting_for} from Chromium")
            ready, _, _ = select.select([self._receive], [], [], left)
            if ready:
                chunk = os.read(self._receive, 1 << 20)
                if not chunk:
                    raise AssertionError(f"Chromium exited; its log:\n{self.log_tail()}")
                self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(raw)

    def log_tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def close(self) -> None:
        with contextlib.suppress(AssertionError, TimeoutError, OSError):
            self.call("Browser.close", timeout=10)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()  # only the process this test started
            self.process.wait()
        os.close(self._send)
        os.close(self._receive)
        self._log.close()


class Page:
    """One tab with the report loaded, and what happened while it loaded."""

    def __init__(self, tools: DevTools, path: Path) -> None:
        self.tools = tools
        self.url = path.resolve().as_uri()
        target = tools.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.target = target
        self.session = tools.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network", "Audits"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        self.call("Page.navigate", {"url": self.url})
        tools.wait_for("Page.loadEventFired", self.session)
        tools.settle(1.0)
        dialogs = self.events("Page.javascriptDialogOpening")
        if dialogs:  # a dialog would block everything after it: dismiss, then fail
            self.call("Page.handleJavaScriptDialog", {"accept": False})
            raise AssertionError(f"the page ran script and opened a dialog: {dialogs}")

    def call(self, method: str, params: dict | None = None) -> dict[str, Any]:
        return self.tools.call(method, params, self.session)

    def events(self, *methods: str) -> list[dict[str, Any]]:
        return self.tools.session_events(self.session, *methods)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, CSP violations, dialogs."""
        out = []
        for p in self.events("Log.entryAdded"):
            entry = p["entry"]
            if entry.get("level") == "error":
                out.append(f"console {entry.get('source')}: {entry.get('text')}")
        for p in self.events("Runtime.consoleAPICalled"):
            if p.get("type") in ("error", "assert"):
                out.append(f"console.{p['type']}: {p.get('args')}")
        for p in self.events("Runtime.exceptionThrown"):
            out.append(f"exception: {p['exceptionDetails'].get('text')}")
        for p in self.events("Audits.issueAdded"):
            if "ContentSecurityPolicy" in p["issue"]["code"]:
                out.append(f"CSP issue: {p['issue']}")
        out += [f"dialog: {p.get('message')}" for p in self.events("Page.javascriptDialogOpening")]
        return out

    def requests(self) -> list[str]:
        return [p["request"]["url"] for p in self.events("Network.requestWillBeSent")]

    def screenshot(self, path: Path) -> Path:
        height = self.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": WIDTH, "height": min(height, HEIGHT), "scale": 1}
        shot = self.call(
            "Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def pdf(self, path: Path) -> Path:
        printed = self.call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(printed["data"]))
        return path

    def close(self) -> None:
        self.tools.call("Target.closeTarget", {"targetId": self.target})


DOM = """(() => {
  const all = [...document.querySelectorAll('*')];
  return {
    tags: all.map(e => e.localName.toLowerCase()),
    handlers: all.filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on')))
                 .map(e => e.outerHTML.slice(0, 200)),
    text: document.body.textContent,
    visible_text: document.body.innerText,
    chart_text: [...document.querySelectorAll('svg.chart text')].map(t => t.textContent),
    charts: [...document.querySelectorAll('svg.chart')].map(s => {
      const r = s.getBoundingClientRect(); return [r.width, r.height];
    }),
    resources: performance.getEntriesByType('resource').map(e => e.name),
  };
})()"""

COLLAPSED = """(() => {
  const d = document.querySelector('details.more-rows');
  if (!d) return null;
  return {open: d.open, row: d.querySelector('tbody tr').checkVisibility(),
          summary: d.querySelector('summary').checkVisibility()};
})()"""


@pytest.fixture(scope="module")
def devtools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    tools = DevTools(chromium_binary(), tmp_path_factory.mktemp("chromium-profile"))
    try:
        tools.call("Browser.getVersion", timeout=60)
        yield tools
    finally:
        tools.close()


@pytest.fixture
def open_page(devtools: DevTools) -> Iterator[Any]:
    pages: list[Page] = []

    def open_(path: Path) -> Page:
        pages.append(Page(devtools, path))
        return pages[-1]

    yield open_
    for page in pages:
        page.close()


def keep(path: Path, what: str) -> None:
    """Say where an artifact is, even when pytest captures the output."""
    print(f"{what}: {path}")
    os.write(2, f"\n{what}: {path} ({path.stat().st_size:,} bytes)\n".encode())


def assert_clean_load(page: Page, report: Path) -> dict[str, Any]:
    assert page.problems() == [], page.tools.log_tail()
    # Nothing fetched but the page itself (data: URLs would be inline, and there are none).
    assert page.requests() == [page.url]
    dom = page.evaluate(DOM)
    assert dom["resources"] == []
    assert not FORBIDDEN & set(dom["tags"]), sorted(set(dom["tags"]))
    assert dom["handlers"] == []
    assert dom["tags"].count("svg") == len(dom["charts"]) == 3
    assert all(w > 300 and h > 100 for w, h in dom["charts"]), dom["charts"]
    return dom


def test_report_of_a_real_run_in_chromium(recent_run: Any, open_page: Any) -> None:
    report = recent_run.run_dir / "report.html"
    page = open_page(report)
    dom = assert_clean_load(page, report)
    text = dom["visible_text"]
    assert "Certificate self-audit report" in text and "Changes since the previous run" in text
    assert "Appendix: the catalogue applied" in text
    shot = page.screenshot(SCREENSHOT)
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 50_000
    keep(shot, "report screenshot")
    pdf = page.pdf(PDF)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000
    keep(pdf, "report printed to PDF")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hostile subjects, SANs and issuers, and a list long enough to be collapsed."""
    b = hostile_run()
    for i in range(100, 140):
        b.add(cert(i, issuer=HOSTILE_ISSUER), (VALIDITY, "error", HOSTILE_SANS[i % 4]))
    run_dir = b.write(
        tmp_path_factory.mktemp("hostile-browser") / "run",
        finished_at=(datetime(2026, 11, 26, 21, tzinfo=UTC) + timedelta(seconds=12)).isoformat(),
    )
    return render_report(run_dir)


def test_hostile_certificate_text_renders_as_text(hostile_report: Path, open_page: Any) -> None:
    page = open_page(hostile_report)
    dom = assert_clean_load(page, hostile_report)
    text = dom["text"]
    for shown in (
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(2)>',
        "OU={{ 7*7 }}",
        "L=⟨U+202E⟩gnp.exe",
        "<script>alert(6)</script>.example.com",
        '"><img src=x onerror=alert(7)>.example.com',
        "'{{7*7}}.example.com'",
        "moc.⟨U+202E⟩evil.example.com",
        "CN=<svg onload=alert(3)><script>alert(4)</script>",
    ):
        assert shown in text, shown
    assert "\u202e" not in text and "OU=49" not in text
    assert HOSTILE_SUBJECT.split(",")[0] in dom["visible_text"]
    # The issuer chart labels the hostile issuer with text, not markup.
    labels = [t for t in dom["chart_text"] if t.startswith("CN=<svg onload")]
    assert labels and all(label.startswith(HOSTILE_ISSUER[:40]) for label in labels)
    shot = page.screenshot(HOSTILE_SCREENSHOT)
    assert shot.stat().st_size > 50_000
    keep(shot, "hostile report screenshot")
    assert f"lint-{LOCALITY}" in page.evaluate(
        "[...document.querySelectorAll('section.lint')].map(s => s.id).join(' ')"
    )


def test_collapsed_lists_open_when_printed(hostile_report: Path, open_page: Any) -> None:
    page = open_page(hostile_report)
    on_screen = page.evaluate(COLLAPSED)
    assert on_screen == {"open": False, "row": False, "summary": True}
    page.call("Emulation.setEmulatedMedia", {"media": "print"})
    printed = page.evaluate(COLLAPSED)
    assert printed == {"open": False, "row": True, "summary": False}
    assert page.problems() == []


def test_the_checks_catch_a_page_that_breaks_the_rules(tmp_path: Path, open_page: Any) -> None:
    """A control: a page with the report's CSP and an inline script and a remote image gives
    console errors, and the script does not run (else the checks above would prove nothing)."""
    html = (hostile_report_head() + '<script>alert("ran")</script>'
            '<img src="http://127.0.0.1:9/x.png"></body></html>')  # fmt: skip
    page_path = tmp_path / "bad.html"
    page_path.write_text(html)
    page = open_page(page_path)
    problems = page.problems()
    assert any("Content Security Policy" in p for p in problems), problems
    assert not page.events("Page.javascriptDialogOpening")


def hostile_report_head() -> str:
    """The report's own <head> (its CSP), from the template."""
    template = (Path(__file__).parents[1] / "templates" / "report.html.j2").read_text()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy"[^>]*>', template)
    assert csp
    return f"<!DOCTYPE html><html><head>{csp.group(0)}</head><body>"
