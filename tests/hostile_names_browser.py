"""Look at hostile names on the running dashboard in Chromium (for `test_hostile_names`).

Run inside the test's network namespace, like `tests.dashboard_browser`:

    ip netns exec NS python -m tests.hostile_names_browser --url http://127.0.0.1:PORT/ \
        --points HP-00,HP-01 --district 026 --screenshot shot.png

It prints one JSON object: the text and the elements of every point's tooltip and popup,
of the district's tooltip and of the legend; the headings and select boxes of the
district, inventory and network pages; the text of every page, the dialogs, page errors
and Streamlit exceptions seen.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from tests.dashboard_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _map_frame,
    load_once,
    run_driver,
    wait_healthy,
)

# In the map frame: open the tooltip and the popup of a feature (kind, code) and read them.
READ_FEATURE = """
([kind, code]) => {
  const read = node => node ? {
    text: node.innerText,
    elements: Array.from(node.querySelectorAll("*")).map(e => e.tagName.toLowerCase()),
  } : null;
  let out = null;
  window.map.eachLayer(layer => {
    const p = layer.feature && layer.feature.properties;
    if (!p || p.kind !== kind || p.code !== code) return;
    out = {};
    layer.openTooltip();
    out.tooltip = read(layer.getTooltip() && layer.getTooltip().getElement());
    layer.closeTooltip();
    if (layer.getPopup()) {
      layer.openPopup();
      const popup = layer.getPopup().getElement();
      out.popup = read(popup && popup.querySelector(".leaflet-popup-content"));
      layer.closePopup();
    }
  });
  return out;
}
"""
LEGEND = """
() => {
  const node = document.querySelector(".ictr-legend");
  return node ? {
    text: node.innerText,
    elements: Array.from(node.querySelectorAll("*")).map(e => e.tagName.toLowerCase()),
  } : null;
}
"""
# The elements Markdown would have made of a name: links (but the anchor Streamlit gives
# every heading), images, emphasis, code, maths, icons.
MADE_FROM_MARKDOWN = (
    "a:not([aria-label='Link to heading']), img, strong, em, code, del, .katex,"
    " span[data-testid='stIconMaterial']"
)


def _settle(page: Any, timeout_ms: int = 60000) -> None:
    """Until the page's script has run to its end."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms
    )
    page.wait_for_timeout(300)


def _page_view(page: Any) -> dict[str, Any]:
    main = page.locator('[data-testid="stMain"]')
    headings = page.locator("h1")
    return {
        "url": page.url,
        "h1": headings.all_inner_texts(),
        "h1_made": page.locator(f"h1 :is({MADE_FROM_MARKDOWN})").evaluate_all(
            "nodes => nodes.map(n => n.outerHTML)"
        ),
        "text": main.inner_text() if main.count() else page.inner_text("body"),
        "exceptions": page.locator('[data-testid="stException"]').all_inner_texts(),
        "selects": page.locator('[data-testid="stSelectbox"]').all_inner_texts(),
    }


def _open_options(page: Any, index: int) -> list[str]:
    """The options a select box lists once opened (what a user reads)."""
    page.locator('[data-testid="stSelectbox"]').nth(index).click()
    dropdown = page.locator('[data-testid="stSelectboxVirtualDropdown"]')
    dropdown.wait_for(timeout=10000)
    options = dropdown.locator('[role="option"]').all_inner_texts()
    page.keyboard.press("Escape")
    return options


def drive(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    base = args.url.rstrip("/")
    wait_healthy(f"{base}/_stcore/health")
    codes = args.points.split(",")
    log: dict[str, Any] = {"requests": [], "failed": [], "dialogs": [], "page_errors": []}
    result: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        # The map of a date (`--at`): the hostile district is a 2020 unit.
        map_url = f"{base}/?at={args.at}" if args.at else args.url
        context, page, _, counts = load_once(
            browser, map_url, units=args.units, points=len(codes), timeout_s=90, log=log
        )
        result["drawn"] = list(counts)
        _settle(page)
        frame = _map_frame(page)
        assert frame is not None, "no map frame"
        result["points"] = {c: frame.evaluate(READ_FEATURE, ["point", c]) for c in codes}
        result["district"] = frame.evaluate(READ_FEATURE, ["unit", args.district])
        result["legend"] = frame.evaluate(LEGEND)
        result["map_frame_text"] = frame.inner_text("body")
        result["map"] = _page_view(page)
        if args.screenshot:
            # The map with the injection's point open, for a person to look at.
            frame.evaluate(
                """(code) => window.map.eachLayer(layer => {
                    const p = layer.feature && layer.feature.properties;
                    if (p && p.kind === "point" && p.code === code) { layer.openPopup(); }
                })""",
                args.screenshot_point or codes[0],
            )
            page.wait_for_timeout(500)
            page.screenshot(path=args.screenshot, full_page=True)
        pages: dict[str, Any] = {}
        for name, path in (
            ("district", f"district?code={args.district}"),
            ("inventory", "inventory"),
            ("network", "network"),
        ):
            page.goto(f"{base}/{path}")
            _settle(page)
            pages[name] = _page_view(page)
            pages[name]["options"] = _open_options(page, 0)
        result["pages"] = pages
        context.close()
        browser.close()
    result.update(log)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--points", required=True, help="comma-separated point codes")
    parser.add_argument("--district", required=True, help="code of the district to read")
    parser.add_argument("--units", type=int, default=11, help="shapes expected on the map")
    parser.add_argument("--at", default="", help="the map's date (YYYY-MM-DD)")
    parser.add_argument("--screenshot", default="")
    parser.add_argument("--screenshot-point", default="", help="point whose popup to open")
    parser.add_argument("--chromium", default=CHROMIUM)
    print(json.dumps(drive(parser.parse_args(argv)), ensure_ascii=False))


def run_in(namespace: str, driver_args: list[str], timeout_s: float = 300) -> dict[str, Any]:
    """Run `main` inside the namespace and return its JSON."""
    return run_driver(namespace, driver_args, timeout_s, module="tests.hostile_names_browser")


if __name__ == "__main__":
    main()
