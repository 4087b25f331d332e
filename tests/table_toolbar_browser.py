"""The buttons a dashboard table's toolbar offers, as a user sees them in Chromium.

Run inside the test's network namespace (the browser reaches nothing but loopback):

    ip netns exec NS python -m tests.table_toolbar_browser http://127.0.0.1:PORT/inventory

It prints one JSON object: the toolbar's button labels of the page's first table.
"""

from __future__ import annotations

import json
import sys
from urllib.parse import urljoin

from tests.dashboard_browser import CHROMIUM, CHROMIUM_ARGS, wait_healthy


def toolbar_labels(url: str) -> list[str]:
    from playwright.sync_api import sync_playwright

    wait_healthy(urljoin(url, "/_stcore/health"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(url, wait_until="commit")
            table = page.locator('[data-testid="stDataFrame"]').first
            table.wait_for(timeout=60000)
            table.hover()  # the toolbar shows on hover
            buttons = page.locator('[data-testid="stElementToolbar"] button')
            buttons.first.wait_for(timeout=20000)
            labels: list[str] = buttons.evaluate_all(
                "els => els.map(e => e.getAttribute('aria-label') || e.innerText)"
            )
            return labels
        finally:
            browser.close()


if __name__ == "__main__":
    print(json.dumps({"labels": toolbar_labels(sys.argv[1])}))
