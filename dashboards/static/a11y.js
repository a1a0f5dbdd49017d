// Accessible names for widget internals that Panel / Bokeh do not let the app set: the
// noUiSlider handles (named after their slider's title), checkboxes (after their text),
// scrollable panes (made focusable so the keyboard can scroll them) and Choices.js options
// (aria-selected only where the role allows it). Runs after each change of the page, across
// the open shadow roots Panel renders into; never fetches anything. Only the roots that changed
// are looked at again (each shadow root has its own observer): walking every element of the
// page after each change took 0.1-0.2 s of the browser's main thread per refresh (issue 17).
(function () {
  const seen = new WeakSet();
  const dirty = new Set();
  let pending = false;
  const text = (el) => (el && el.textContent || "").replace(/\s+/g, " ").trim();
  function fix(root) {
    for (const handle of root.querySelectorAll(".noUi-handle:not([aria-label])")) {
      const title = root.querySelector(".bk-slider-title");
      const name = text(title).replace(/:\s*[^:]*$/, "") || "curseur";
      handle.setAttribute("aria-label", name);
    }
    for (const box of root.querySelectorAll("input[type=checkbox]:not([aria-label])")) {
      // Bokeh puts <input> and <div class="bk-label"> side by side in the shadow root
      let name = text(box.closest("label")) || text(box.nextElementSibling)
                 || text(root.querySelector(".bk-label"));
      for (let el = box.parentElement, up = 0; el && !name && up < 4; up++, el = el.parentElement) {
        name = text(el);
      }
      if (name) box.setAttribute("aria-label", name);
    }
    for (const item of root.querySelectorAll("[data-id][aria-selected]:not([role])")) {
      item.removeAttribute("aria-selected");  // a chosen item, not an option of a listbox
    }
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot && !seen.has(el.shadowRoot)) visit(el.shadowRoot);
      if (!el.hasAttribute("tabindex") && el.scrollHeight > el.clientHeight + 4) {
        const style = getComputedStyle(el);
        if (/(auto|scroll)/.test(style.overflowY) && !el.querySelector("a, button, input, select, textarea, [tabindex]")) {
          el.setAttribute("tabindex", "0");
        }
      }
    }
  }
  function schedule(root) {
    dirty.add(root);
    if (pending) return;
    pending = true;
    const run = () => {
      pending = false;
      const roots = [...dirty];
      dirty.clear();
      for (const r of roots) fix(r);
    };
    if (window.requestIdleCallback) window.requestIdleCallback(run, {timeout: 500});
    else window.setTimeout(run, 200);
  }
  function visit(root) {
    if (!seen.has(root)) {
      seen.add(root);
      new MutationObserver(() => schedule(root)).observe(root, {childList: true, subtree: true});
    }
    fix(root);
  }
  visit(document);
})();
