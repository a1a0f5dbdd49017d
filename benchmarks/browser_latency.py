"""Browser benchmark (a script, not a test): what a user waits for in a real browser.

    .venv/bin/python benchmarks/browser_latency.py [--rounds 3] [--out .benchmarks/browser.json]

1. ``twin serve`` is launched on a free port; time until the home page answers over HTTP and
   until Chromium shows its header (the warm-up runs in the background meanwhile).
2. Once ``/ready`` answers (the warm-up is over; its time is recorded), per use-case page,
   once its cards are shown and the page is idle: the horizon slider of
   scenario A is moved with the keyboard (End, then Home, alternately: 2050 → 2100 → 2030 …),
   which is a slider release (noUiSlider sends the throttled value at once). Measured in the
   page: release → headline cards showing new values (polled every animation frame from
   the cards' shadow root), release → the "calcul…" indicator gone (map and chart refreshed),
   and the long tasks (PerformanceObserver "longtask", > 50 ms) of the main thread in the
   ``--settle`` seconds after the release: the longest and their sum.

Medians over ``--rounds`` steps per page are printed as a table and written as JSON. Offline:
every non-loopback request is aborted. Debian's Chromium (/usr/bin/chromium) drives it.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("TWIN_CHROMIUM", "/usr/bin/chromium")
PAGES = ("coast", "forest", "agriculture", "zan")
#: The slider moved per page (scenario A): the horizon, except on the ZAN page whose headline
#: (2021-2031) does not depend on it: the density of new housing there.
SLIDER = {"zan": "density"}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: In-page helpers: find an element across shadow roots, read the text of a subtree including
#: its shadow roots, record long tasks.
INIT_JS = """
window.__longtasks = [];
new PerformanceObserver(list => {
  for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});
window.__deepFind = (sel, root = document) => {
  const hit = root.querySelector(sel);
  if (hit) return hit;
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) { const h = window.__deepFind(sel, el.shadowRoot); if (h) return h; }
  }
  return null;
};
window.__deepText = (el) => {
  let out = el.textContent || '';
  const walk = (node) => {
    if (node.shadowRoot) { out += node.shadowRoot.textContent; walk(node.shadowRoot); }
    for (const c of node.children || []) walk(c);
  };
  walk(el);
  return out;
};
"""

#: Press the key on the focused handle and time, from the release, the cards' new text and the
#: end of the "calcul…" indicator; resolves with both times (ms, null when not seen).
STEP_JS = """
([before, timeout]) => new Promise(resolve => {
  const cards = window.__deepFind('.twin-headline');
  const busyHost = window.__deepFind('.twin-busy');
  const t0 = performance.now();
  window.__t0 = t0;
  let cardsAt = null, doneAt = null, sawBusy = false;
  const busyRoot = busyHost && (busyHost.shadowRoot || busyHost);
  const busy = () => busyRoot !== null && window.__deepFind('[role="status"]', busyRoot) !== null;
  const tick = () => {
    const now = performance.now();
    if (cardsAt === null && window.__deepText(cards) !== before) cardsAt = now - t0;
    const b = busy();
    sawBusy = sawBusy || b;
    if (cardsAt !== null && !b && doneAt === null) doneAt = now - t0;
    if ((cardsAt !== null && doneAt !== null) || now - t0 > timeout) {
      resolve({cards: cardsAt, done: doneAt, sawBusy});
    } else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _offline(route) -> None:
    url = route.request.url
    host = url.split("/")[2] if "://" in url else ""
    if host.startswith(("127.0.0.1", "localhost")) or url.startswith("data:"):
        route.continue_()
    else:
        route.abort()


def start_server(log: Path) -> tuple[subprocess.Popen, str, float, float]:
    """``twin serve``; returns the process, base URL, and seconds to the home page over HTTP."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "twin_core.cli", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"twin serve exited with {proc.returncode} (see {log})")
        try:
            with urllib.request.urlopen(f"{base}/", timeout=60) as r:
                if r.status == 200:
                    return proc, base, t0, time.monotonic() - t0
        except OSError:
            time.sleep(0.05)


def open_browser(pw):
    """Chromium, offline, 1400 × 900, with the in-page helpers: the browser and a new page."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    ctx.route("**/*", _offline)
    ctx.add_init_script(INIT_JS)
    return browser, ctx.new_page()


def wait_ready(base: str, seconds: float = 600) -> float:
    """Poll ``/ready`` (200 once every model is warm); the monotonic time it answered."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/ready", timeout=30) as r:
                if r.status == 200:
                    return time.monotonic()
        except OSError:  # 503 while warming up
            time.sleep(0.2)
    raise RuntimeError(f"{base}/ready did not answer 200 within {seconds:.0f} s")


def measure_page(page, base: str, route: str, rounds: int, settle: float) -> dict:
    page.goto(f"{base}/{route}")
    page.locator(".twin-headline .twin-card .twin-value, .twin-headline .twin-no-finding"
                 ).first.wait_for(timeout=300_000)
    page.locator(".bk-Canvas, canvas").first.wait_for(state="attached", timeout=120_000)
    page.wait_for_timeout(3000)  # the page idle: map, chart and extras drawn
    slider = SLIDER.get(route, "horizon")
    handle = page.locator(f".twin-scenario-A .twin-param-{slider} .noUi-handle").first
    steps = []
    for i in range(rounds):
        before = page.evaluate("window.__deepText(window.__deepFind('.twin-headline'))")
        handle.focus()
        page.evaluate(f"args => {{ window.__step = ({STEP_JS})(args); }}", [before, 60_000])
        handle.press("End" if i % 2 == 0 else "Home")
        result = page.evaluate("window.__step")
        page.wait_for_timeout(settle * 1000)
        tasks = page.evaluate("window.__longtasks.filter(t => t[0] >= window.__t0 - 5)"
                              ".map(t => [Math.round(t[0] - window.__t0), Math.round(t[1])])")
        durations = [d for _, d in tasks]
        steps.append({**result, "longest_task": max(durations, default=0.0),
                      "long_tasks_sum": sum(durations), "long_tasks": len(durations),
                      "tasks": tasks})
    med = {k: statistics.median([s[k] for s in steps if s[k] is not None] or [float("nan")])
           for k in ("cards", "done", "longest_task", "long_tasks_sum", "long_tasks")}
    return {"route": route, "slider": slider, "steps": steps, "median": med}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--settle", type=float, default=4.0, help="seconds watched after a step")
    ap.add_argument("--pages", nargs="*", default=list(PAGES))
    ap.add_argument("--out", default=str(ROOT / ".benchmarks" / "browser_latency.json"))
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    log = ROOT / ".benchmarks" / "browser_latency_serve.log"
    log.parent.mkdir(exist_ok=True)
    proc, base, t0, http_home = start_server(log)
    out = {"home_http_s": round(http_home, 2), "pages": []}
    try:
        with sync_playwright() as pw:
            browser, page = open_browser(pw)
            page.goto(f"{base}/")
            page.locator(".twin-header").first.wait_for(timeout=120_000)
            out["home_browser_s"] = round(time.monotonic() - t0, 2)
            # the steps are timed once the background warm-up is over (it would otherwise
            # compete with the first steps for the CPU): its own duration is recorded
            out["ready_s"] = round(wait_ready(base) - t0, 2)
            for route in args.pages:
                out["pages"].append(measure_page(page, base, route, args.rounds, args.settle))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    Path(args.out).write_text(json.dumps(out, indent=2))
    print(f"twin serve -> home page: {out['home_http_s']} s (HTTP), "
          f"{out['home_browser_s']} s (header shown in Chromium); "
          f"-> /ready (warm-up over): {out['ready_s']} s")
    print(f"{'page':12} {'release→cards':>14} {'release→done':>13} {'longest task':>13} "
          f"{'long tasks Σ':>13} {'n':>4}")
    for p in out["pages"]:
        m = p["median"]
        print(f"{p['route']:12} {m['cards']:>11.0f} ms {m['done']:>10.0f} ms "
              f"{m['longest_task']:>10.0f} ms {m['long_tasks_sum']:>10.0f} ms "
              f"{m['long_tasks']:>4.0f}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
