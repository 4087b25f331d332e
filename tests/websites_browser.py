"""Look at the map's websites layer on the running dashboard in Chromium (for
`test_dashboard_websites`).

Run inside the test's network namespace, like `tests.dashboard_browser`:

    ip netns exec NS python -m tests.websites_browser --url http://127.0.0.1:PORT/ \
        --units 11 --points 73 --websites 91 --website 91

It prints one JSON object: the shapes, points and website markers drawn, the status class
of each website marker, the tooltip and popup of one website, the legend, the dialogs and
page errors seen.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from tests.dashboard_browser import CHROMIUM, CHROMIUM_ARGS, _map_frame, load_once, wait_healthy
from tests.hostile_names_browser import LEGEND, READ_FEATURE

WEBSITE_SELECTOR = "path.ictr-website"


def drive(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    wait_healthy(f"{args.url.rstrip('/')}/_stcore/health")
    log: dict[str, Any] = {"requests": [], "failed": [], "dialogs": [], "page_errors": []}
    result: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        context, page, _, counts = load_once(
            browser, args.url, units=args.units, points=args.points, timeout_s=90, log=log
        )
        result["drawn"] = list(counts)
        frame = _map_frame(page)
        assert frame is not None, "no map frame"
        frame.wait_for_function(
            f"n => document.querySelectorAll('{WEBSITE_SELECTOR}').length >= n",
            arg=args.websites,
            timeout=30000,
        )
        result["website_classes"] = frame.evaluate(
            f"() => Array.from(document.querySelectorAll('{WEBSITE_SELECTOR}'))"
            ".map(e => e.getAttribute('class'))"
        )
        result["website"] = frame.evaluate(READ_FEATURE, ["website", args.website])
        result["legend"] = frame.evaluate(LEGEND)
        context.close()
        browser.close()
    result.update(log)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--units", type=int, default=11, help="shapes expected on the map")
    parser.add_argument("--points", type=int, default=0, help="point markers expected")
    parser.add_argument("--websites", type=int, required=True, help="website markers expected")
    parser.add_argument("--website", required=True, help="id of the website to read")
    parser.add_argument("--chromium", default=CHROMIUM)
    print(json.dumps(drive(parser.parse_args(argv)), ensure_ascii=False))


if __name__ == "__main__":
    main()
