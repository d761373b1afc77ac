// The report's filter: shows the problems whose lint name or issuer holds the typed text, whose
// severity and source match the choices, and that found something in the chosen certificate
// family. It reads only data-* attributes and toggles
// `hidden`; it never builds HTML. Allowed by the page's CSP through this file's SHA-256.
// It also opens a problem's collapsed line when a link (or the address) leads to it.
(() => {
  const reveal = (id) => {
    const target = id ? document.getElementById(id) : null;
    const details = target ? target.querySelector("details.lint-details") : null;
    if (details) details.open = true;
  };
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
    if (link) reveal(link.getAttribute("href").slice(1));
  });
  reveal(location.hash.slice(1));
  const bar = document.getElementById("filter");
  if (!bar) return;
  const text = bar.querySelector("[name=text]");
  const severity = bar.querySelector("[name=severity]");
  const source = bar.querySelector("[name=source]");
  const family = bar.querySelector("[name=family]");
  const count = bar.querySelector(".filter-count");
  const apply = () => {
    const wanted = text.value.trim().toLowerCase();
    const items = document.querySelectorAll("[data-lint]");
    let shown = 0;
    for (const item of items) {
      const d = item.dataset;
      const match =
        (!severity.value || d.severity === severity.value) &&
        (!source.value || d.source === source.value) &&
        (!family.value || (d.families || "").split(" ").includes(family.value)) &&
        (!wanted || d.lint.toLowerCase().includes(wanted) ||
          (d.issuers || "").toLowerCase().includes(wanted));
      item.hidden = !match;
      if (match && item.localName === "section") shown += 1;
    }
    count.textContent = shown + " of " + document.querySelectorAll("section[data-lint]").length + " problems shown";
  };
  bar.addEventListener("input", apply);
  bar.addEventListener("change", apply);
  bar.hidden = false;
  apply();
})();
