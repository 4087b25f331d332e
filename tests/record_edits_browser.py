"""A computer's detail view as a viewer and as an editor see it, in Chromium (Playwright for
Python): the viewer gets no edit control; the editor signs in, changes the computer's OS and
sees the change in its history.

Run inside the test's network namespace (the browser reaches nothing but loopback):

    ip netns exec NS python -m tests.record_edits_browser URL USERNAME PASSWORD TAG OS SHOT

It prints one JSON object: the edit controls (forms, inputs) each saw on the inventory page,
the success message, the history table's text after the save, and any exception shown.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urljoin

from tests.dashboard_browser import CHROMIUM, CHROMIUM_ARGS, wait_healthy

MAIN = '[data-testid="stMain"]'
# Whatever writes a record: a form, and the inputs inside one.
EDIT_CONTROLS = f'{MAIN} [data-testid="stForm"], {MAIN} [data-testid="stForm"] input'


def _open_computer(page: Any, tag: str) -> None:
    page.get_by_text("Chi tiết một máy tính").click()
    picker = page.locator(MAIN).get_by_label("Mã tài sản").last
    picker.click()
    picker.fill(tag)
    page.get_by_role("option", name=tag, exact=True).click()
    page.wait_for_timeout(1500)


def _grid_text(page: Any) -> list[str]:
    """The text of the data grids (Glide renders an accessible table beside its canvas)."""
    texts: list[str] = page.locator(f'{MAIN} [data-testid="stDataFrame"] table').all_inner_texts()
    return texts


def visit(url: str, username: str, password: str, tag: str, os_name: str, shot: str) -> dict:
    from playwright.sync_api import sync_playwright

    wait_healthy(urljoin(url, "/_stcore/health"))
    result: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(urljoin(url, "inventory"), wait_until="commit")
            page.get_by_text("Chi tiết một máy tính").wait_for(timeout=60000)
            _open_computer(page, tag)
            result["viewer_controls"] = page.locator(EDIT_CONTROLS).count()

            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_text("Biên tập").click()
            sidebar.get_by_label("Tên đăng nhập").fill(username)
            sidebar.get_by_label("Mật khẩu").fill(password)
            sidebar.get_by_role("button", name="Đăng nhập").click()
            sidebar.get_by_text("Đã đăng nhập").wait_for(timeout=60000)
            form = page.locator(f'{MAIN} [data-testid="stForm"]').filter(has_text="Lưu")
            form.first.wait_for(timeout=60000)
            result["editor_controls"] = page.locator(EDIT_CONTROLS).count()
            os_box = form.first.get_by_label("Hệ điều hành")
            result["os_before"] = os_box.input_value()
            os_box.fill(os_name)
            form.first.get_by_role("button", name="Lưu").click()
            saved = page.locator(MAIN).get_by_text("Đã lưu (lượt thay đổi số")
            saved.wait_for(timeout=60000)
            result["saved"] = saved.inner_text()
            # The main area scrolls by itself (a full-page shot would not show it): the
            # history's heading to the top of the window, then the window's shot.
            # While Streamlit reruns, the old and the new heading can both be on the page.
            heading = page.get_by_text("Lịch sử của máy").last
            heading.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(1500)
            result["history"] = _grid_text(page)
            page.screenshot(path=shot)
            result["exceptions"] = page.locator('[data-testid="stException"]').all_inner_texts()
        finally:
            browser.close()
    return result


if __name__ == "__main__":
    print(json.dumps(visit(*sys.argv[1:7]), ensure_ascii=False))
