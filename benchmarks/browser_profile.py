"""Where a slider step's time goes in the browser (a script, not a test): the companion of
``browser_latency.py`` used for issue 17.

    .venv/bin/python benchmarks/browser_profile.py coast [--rounds 2]

Serves the app (``twin serve``), opens the page in Chromium and, per slider step (the same
steps as ``browser_latency.py``), prints:

- the websocket messages from release on: time, size and what they change (Bokeh events by
  kind and attribute: ``children`` means new components, a whole-page re-layout; ``data`` an
  in-place update);
- the main thread's busy spells (Chrome DevTools Protocol sampling profiler, 0.5 ms) longer
  than 40 ms, each with the JavaScript functions on the stack in most of its samples
  (e.g. ``invalidate_layout``, ``blit_webgl``, ``drawImage``).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.browser_latency import (  # noqa: E402
    ROOT,
    SLIDER,
    STEP_JS,
    open_browser,
    start_server,
)


def describe(payload) -> str | None:
    """A text websocket frame as 'kind.attr ×n' (None for buffers and headers)."""
    if not isinstance(payload, str):
        return None
    try:
        msg = json.loads(payload)
    except ValueError:
        return None
    events = msg.get("events") if isinstance(msg, dict) else None
    if not events:
        return None
    kinds = collections.Counter(f"{e.get('kind')}.{e.get('attr')}" for e in events)
    return ", ".join(f"{k} ×{n}" for k, n in kinds.items())


def busy_spells(profile: dict, gap_us: float = 20_000, min_ms: float = 40) -> list[str]:
    """The profile's spells of non-idle samples, each with the functions present in most of
    its samples (share of samples)."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}

    def stack(node_id: int) -> set[str]:
        names = set()
        while node_id is not None:
            frame = nodes[node_id]["callFrame"]
            names.add(f"{frame['functionName'] or '(anonymous)'}:{frame['lineNumber']}")
            node_id = parent.get(node_id)
        return names

    t, spells, current = profile["startTime"], [], None
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        t += delta
        if nodes[sample]["callFrame"]["functionName"] == "(idle)":
            continue
        if current is None or t - current["end"] > gap_us:
            current = {"start": t, "end": t, "samples": []}
            spells.append(current)
        current["end"] = t
        current["samples"].append(sample)
    out = []
    for spell in spells:
        ms = (spell["end"] - spell["start"]) / 1000
        if ms < min_ms:
            continue
        counts = collections.Counter(f for s in spell["samples"] for f in stack(s))
        n = len(spell["samples"])
        top = [f"{f} {100 * c // n}%" for f, c in counts.most_common(16)
               if not f.startswith("(root)")]
        out.append(f"{(spell['start'] - profile['startTime']) / 1000:7.0f} ms  "
                   f"{ms:5.0f} ms busy: {', '.join(top)}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("route", choices=["coast", "forest", "agriculture", "zan"])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--settle", type=float, default=4.0)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    log = ROOT / ".benchmarks" / "browser_profile_serve.log"
    log.parent.mkdir(exist_ok=True)
    proc, base, _, _ = start_server(log)
    try:
        with sync_playwright() as pw:
            browser, page = open_browser(pw)
            frames: list[tuple[float, str, object]] = []
            page.on("websocket", lambda ws: (
                ws.on("framereceived", lambda p: frames.append((time.monotonic(), "in", p))),
                ws.on("framesent", lambda p: frames.append((time.monotonic(), "out", p)))))
            page.goto(f"{base}/{args.route}")
            page.locator(".twin-headline .twin-card .twin-value").first.wait_for(
                timeout=300_000)
            page.wait_for_timeout(4000)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 500})
            slider = SLIDER.get(args.route, "horizon")
            handle = page.locator(f".twin-scenario-A .twin-param-{slider} .noUi-handle").first
            for i in range(args.rounds):
                frames.clear()
                before = page.evaluate("window.__deepText(window.__deepFind('.twin-headline'))")
                handle.focus()
                cdp.send("Profiler.start")
                page.evaluate(f"args => {{ window.__step = ({STEP_JS})(args); }}",
                              [before, 60_000])
                t0 = time.monotonic()
                handle.press("End" if i % 2 == 0 else "Home")
                result = page.evaluate("window.__step")
                page.wait_for_timeout(args.settle * 1000)
                profile = cdp.send("Profiler.stop")["profile"]
                print(f"--- step {i + 1}: release → cards {result['cards']:.0f} ms, "
                      f"→ 'calcul…' gone {result['done'] or float('nan'):.0f} ms")
                for t, way, payload in frames:
                    what = describe(payload)
                    if what:
                        print(f"{(t - t0) * 1000:7.0f} ms  {way:3} {len(payload):8d} B  {what}")
                for line in busy_spells(profile):
                    print(line)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
