// Kiln dashboard: keeps the numbers on a page current without a full reload. Every element with both an id and a
// data-live attribute is refetched (the same page, rendered on the server again) and swapped in place, every
// data-live seconds (5 when empty; the page refreshes at its shortest). Nothing else is scripted: with JavaScript
// off, the pages read the same and reload by hand.
(() => {
  "use strict";
  const live = () => Array.from(document.querySelectorAll("[data-live][id]"));
  const regions = live();
  if (regions.length === 0) return;
  const seconds = Math.max(2, Math.min(...regions.map(r => Number(r.dataset.live) || 5)));
  let busy = false;
  async function refresh() {
    if (busy || document.hidden) return;
    // Do not swap while someone is typing in a form inside a live region.
    const active = document.activeElement;
    if (active && active.closest("[data-live]") && active.matches("input, select, textarea")) return;
    busy = true;
    try {
      const response = await fetch(location.href, { headers: { "Kiln-Live": "1" }, credentials: "same-origin", cache: "no-store" });
      if (!response.ok || response.redirected) return;
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const element of live()) {
        const fresh = next.getElementById(element.id);
        if (fresh && fresh.innerHTML !== element.innerHTML) element.replaceWith(document.importNode(fresh, true));
      }
      document.documentElement.dataset.refreshedAt = new Date().toISOString();
    } catch (_) {
      // The server is restarting or the network dropped: try again at the next tick.
    } finally {
      busy = false;
    }
  }
  setInterval(refresh, seconds * 1000);
})();
