"""The Data page as a viewer and as an editor see it, in Chromium (Playwright for Python).

Run inside the test's network namespace (the browser reaches nothing but loopback):

    ip netns exec NS python -m tests.users_browser http://127.0.0.1:PORT/ USERNAME PASSWORD

It prints one JSON object: for the viewer (not signed in), the edit controls the Data page
shows; for the editor, the same after signing in through the sidebar, and the sidebar's
greeting.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urljoin

from tests.dashboard_browser import CHROMIUM, CHROMIUM_ARGS, wait_healthy

# Whatever changes data on the page: uploads, and the main area's buttons (import, check,
# boundaries, demo reset).
EDIT_CONTROLS = (
    '[data-testid="stMain"] [data-testid="stFileUploader"], [data-testid="stMain"] button'
)


def _controls(page: Any) -> list[str]:
    texts: list[str] = page.locator(EDIT_CONTROLS).evaluate_all(
        "els => els.map(e => e.getAttribute('data-testid') === 'stFileUploader'"
        " ? 'uploader' : 'button: ' + e.innerText.trim())"
    )
    return texts


def visit(url: str, username: str, password: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    wait_healthy(urljoin(url, "/_stcore/health"))
    result: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(urljoin(url, "data"), wait_until="commit")
            page.get_by_text("Trang này dành cho cán bộ CNTT").wait_for(timeout=60000)
            result["viewer_controls"] = _controls(page)
            result["viewer_warning"] = page.locator('[data-testid="stAlert"]').all_inner_texts()

            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_text("Biên tập").click()  # open the sign-in box
            sidebar.get_by_label("Tên đăng nhập").fill(username)
            sidebar.get_by_label("Mật khẩu").fill(password)
            sidebar.get_by_role("button", name="Đăng nhập").click()
            page.locator('[data-testid="stMain"] [data-testid="stFileUploader"]').first.wait_for(
                timeout=60000
            )
            page.wait_for_timeout(500)  # the rest of the page after the first uploader
            result["editor_controls"] = _controls(page)
            result["greeting"] = sidebar.locator('[data-testid="stAlert"]').all_inner_texts()
            result["exceptions"] = page.locator('[data-testid="stException"]').all_inner_texts()
        finally:
            browser.close()
    return result


if __name__ == "__main__":
    print(json.dumps(visit(*sys.argv[1:4]), ensure_ascii=False))
