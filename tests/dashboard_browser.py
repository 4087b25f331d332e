"""Drive the running dashboard in Debian's Chromium (Playwright for Python), for the
end-to-end test and the benchmark.

Run as a script inside the same network namespace as the app, so that the browser can
reach nothing but loopback:

    ip netns exec NS python -m tests.dashboard_browser --url http://127.0.0.1:PORT/ \
        --units 11 --points 73 --screenshot shot.png

It prints one JSON object: every request the pages made, the failed ones, those to a
non-loopback host, the time from navigation until every shape and marker was drawn, the
page's headings, the legend's text, the tooltips and fills of the units asked for
(`--unit-info`), the text of a district's tooltip, and where a click on that district led.

The namespace helpers (`network_namespace`, `app_server`, `run_in_namespace`) are used by
the test and the benchmark from outside it.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAP_FRAME = "ictr_map"  # dashboard/map_component.py: the frame's address names it
UNIT_SELECTOR = "path.ictr-unit"
POINT_SELECTOR = "path.ictr-point"
CHROMIUM_ARGS = [
    "--no-sandbox",  # running as root in a container
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# In the map frame: a district's on-screen point where its own shape is topmost (no marker
# or neighbour over it), with its name; null if none is found.
FIND_UNIT_POINT = """
() => {
  const map = window.map;
  const found = [];
  map.eachLayer(layer => {
    const p = layer.feature && layer.feature.properties;
    if (!p || p.kind !== "unit" || !layer._path) return;
    const box = layer._path.getBoundingClientRect();
    for (let i = 1; i < 8; i++) for (let j = 1; j < 8; j++) {
      const x = box.left + box.width * i / 8, y = box.top + box.height * j / 8;
      if (document.elementFromPoint(x, y) === layer._path) {
        found.push({code: p.code, name: p.name, x: x, y: y});
        return;
      }
    }
  });
  return found.length ? found[0] : null;
}
"""

# In the map frame: open the popup of the point whose code is given; its text and whether
# any element was created inside it from the data.
OPEN_POPUP = """
(code) => {
  let text = null, elements = null;
  window.map.eachLayer(layer => {
    const p = layer.feature && layer.feature.properties;
    if (p && p.kind === "point" && p.code === code) {
      layer.openPopup();
      const node = document.querySelector(".leaflet-popup-content");
      text = node ? node.innerText : null;
      elements = node ? Array.from(node.querySelectorAll("*")).map(e => e.tagName) : null;
    }
  });
  return {text: text, elements: elements};
}
"""


# In the map frame: the units whose codes are given, each with its tooltip as text and its
# fill colour as drawn; and the legend's text.
UNIT_INFO = """
(codes) => {
  const units = {};
  window.map.eachLayer(layer => {
    const p = layer.feature && layer.feature.properties;
    if (!p || p.kind !== "unit" || !codes.includes(p.code)) return;
    const box = document.createElement("div");
    box.innerHTML = p.tooltip;
    units[p.code] = {
      tooltip: box.innerText,
      fill: layer._path ? layer._path.getAttribute("fill") : null,
    };
  });
  const legend = document.querySelector(".ictr-legend");
  return {units: units, legend: legend ? legend.innerText : null};
}
"""


def is_loopback_url(url: str) -> bool:
    """True for http(s)/ws(s) to 127.0.0.0/8, ::1 or localhost; other schemes (data:,
    blob:, about:) never leave the browser and count as local."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, timeout_s: float = 60.0) -> None:
    """Until `url` answers 200 (Streamlit: its /_stcore/health)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the dashboard at {url} did not answer within {timeout_s} s")
        time.sleep(0.2)


def _map_frame(page: Any, name: str = MAP_FRAME) -> Any | None:
    """The frame holding the map: the map component's frame, or with `name` "main" the
    page itself (a plain folium page, for the benchmark's baseline)."""
    if name == "main":
        return page.main_frame
    for frame in page.frames:
        if name in frame.url:
            return frame
    return None


def _drawn(page: Any, frame_name: str) -> tuple[int, int]:
    frame = _map_frame(page, frame_name)
    if frame is None:
        return 0, 0
    try:
        counts = frame.evaluate(
            f"() => [document.querySelectorAll('{UNIT_SELECTOR}').length,"
            f" document.querySelectorAll('{POINT_SELECTOR}').length]"
        )
    except Exception:  # the frame was replaced while we looked: look again
        return 0, 0
    return int(counts[0]), int(counts[1])


def load_once(
    browser: Any,
    url: str,
    *,
    units: int,
    points: int,
    timeout_s: float,
    log: dict[str, Any],
    frame_name: str = MAP_FRAME,
    ready: str = "",
) -> tuple[Any, Any, float, tuple[int, int]]:
    """Open a fresh page; seconds from navigation until `units` shapes and `points` markers
    are in the map frame's DOM (or the last counts seen when the timeout passes)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    context.on("request", lambda r: log["requests"].append(r.url))
    context.on("requestfailed", lambda r: log["failed"].append(f"{r.url} ({r.failure})"))
    context.on(
        "response",
        lambda r: log["failed"].append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None,
    )
    page = context.new_page()
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: log["page_errors"].append(str(e)))
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    deadline = start + timeout_s
    counts = (0, 0)
    while time.perf_counter() < deadline:
        if ready:  # a page without a map: until this selector shows
            if page.locator(ready).count():
                break
        else:
            counts = _drawn(page, frame_name)
            if counts[0] >= units and counts[1] >= points:
                break
        page.wait_for_timeout(20)  # not time.sleep: Playwright must run to see new frames
    return context, page, time.perf_counter() - start, counts


def open_ranking(page: Any) -> dict[str, Any]:
    """Open the Map page's ranking popover: the rows its table says it holds, or an error."""
    try:
        page.locator('[data-testid="stPopover"] button').first.click()
        grid = page.locator('[data-testid="stDataFrame"] [role="grid"]').first
        grid.wait_for(state="attached", timeout=20000)
        return {"rows": int(grid.get_attribute("aria-rowcount") or 0)}
    except Exception as exc:
        return {"error": str(exc)}


def _health_url(url: str, frame: str) -> str:
    parts = urlsplit(url)
    if frame == "main":
        return url
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/health"


def alternate(args: argparse.Namespace) -> dict[str, Any]:
    """Several pages loaded in turn, one load of each per round, in one browser: pages
    compared this way share whatever else the machine is doing at the time. `--targets` is
    a JSON list of {name, url, frame, ready, units, points}."""
    from playwright.sync_api import sync_playwright

    targets = json.loads(args.targets)
    for target in targets:
        wait_healthy(_health_url(target["url"], target.get("frame", MAP_FRAME)))
    log: dict[str, Any] = {"requests": [], "failed": [], "dialogs": [], "page_errors": []}
    result: dict[str, Any] = {"targets": {t["name"]: {"loads": [], "warmups": []} for t in targets}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for number in range(args.warmup + args.loads):
            for target in targets:
                context, _, seconds, counts = load_once(
                    browser, target["url"], units=target.get("units", 0),
                    points=target.get("points", 0), timeout_s=args.timeout, log=log,
                    frame_name=target.get("frame", MAP_FRAME), ready=target.get("ready", ""),
                )  # fmt: skip
                context.close()
                load = {"seconds": seconds, "units": counts[0], "points": counts[1]}
                kind = "loads" if number >= args.warmup else "warmups"
                result["targets"][target["name"]][kind].append(load)
        browser.close()
    result.update(log)
    result["non_loopback"] = [u for u in log["requests"] if not is_loopback_url(u)]
    return result


def drive(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    wait_healthy(_health_url(args.url, args.frame))
    log: dict[str, Any] = {"requests": [], "failed": [], "dialogs": [], "page_errors": []}
    result: dict[str, Any] = {"loads": [], "warmups": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = context = None
        for number in range(args.warmup + args.loads):
            if context is not None:
                context.close()
            context, page, seconds, counts = load_once(
                browser, args.url, units=args.units, points=args.points,
                timeout_s=args.timeout, log=log, frame_name=args.frame, ready=args.ready,
            )  # fmt: skip
            load = {"seconds": seconds, "units": counts[0], "points": counts[1]}
            result["loads" if number >= args.warmup else "warmups"].append(load)
        assert page is not None
        frame = _map_frame(page, args.frame)
        if frame is not None:
            codes = [c for c in args.unit_info.split(",") if c]
            result["map"] = frame.evaluate(UNIT_INFO, codes)
        result["headings"] = page.evaluate(
            "() => Array.from(document.querySelectorAll('h1')).map(h => h.innerText)"
        )
        if frame is not None and args.xss_code:
            result["popup"] = frame.evaluate(OPEN_POPUP, args.xss_code)
            frame.evaluate("() => window.map.closePopup()")
        if frame is not None and (args.hover or args.click):
            spot = frame.evaluate(FIND_UNIT_POINT)
            result["unit"] = spot
            if spot is not None:
                box = frame.frame_element().bounding_box()
                x, y = box["x"] + spot["x"], box["y"] + spot["y"]
                page.mouse.move(x - 3, y - 3)
                page.mouse.move(x, y, steps=4)
                try:
                    frame.wait_for_selector(".leaflet-tooltip", timeout=5000)
                    result["tooltip"] = frame.inner_text(".leaflet-tooltip")
                except Exception as exc:
                    result["tooltip_error"] = str(exc)
                if args.click:
                    page.mouse.click(x, y)
                    try:
                        page.wait_for_url("**/district**", timeout=20000)
                        page.wait_for_function(
                            "name => Array.from(document.querySelectorAll('h1'))"
                            ".some(h => h.innerText.includes(name))",
                            arg=spot["name"],
                            timeout=20000,
                        )
                    except Exception as exc:
                        result["click_error"] = str(exc)
                    result["after_click_url"] = page.url
                    result["after_click_heading"] = page.evaluate(
                        "() => Array.from(document.querySelectorAll('h1')).map(h => h.innerText)"
                    )
                    page.go_back()
                    # Back on the map: the page must not jump to the district again.
                    page.wait_for_timeout(3000)
                    result["after_back_url"] = page.url
        if args.ranking:
            result["ranking"] = open_ranking(page)
        result["exceptions"] = page.locator('[data-testid="stException"]').all_inner_texts()
        if args.screenshot:
            # The map page again, drawn, for a person to look at.
            context.close()
            context, page, _, _ = load_once(
                browser, args.url, units=args.units, points=args.points,
                timeout_s=args.timeout, log=log,
            )  # fmt: skip
            page.wait_for_timeout(500)
            page.screenshot(path=args.screenshot, full_page=True)
            result["screenshot"] = args.screenshot
        context.close()
        browser.close()
    result.update(log)
    result["non_loopback"] = [u for u in log["requests"] if not is_loopback_url(u)]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="the page to load (or --targets)")
    parser.add_argument("--targets", help="JSON list of pages loaded in turn (benchmark)")
    parser.add_argument("--units", type=int, default=0, help="shapes expected on the map")
    parser.add_argument("--points", type=int, default=0, help="markers expected")
    parser.add_argument("--loads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=0, help="loads before the timed ones")
    parser.add_argument(
        "--frame", default=MAP_FRAME, help="frame URL part holding the map, or 'main'"
    )
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--ready", default="", help="instead of a map, wait for this selector")
    parser.add_argument("--screenshot", default="")
    parser.add_argument("--hover", action="store_true")
    parser.add_argument("--click", action="store_true")
    parser.add_argument("--xss-code", default="", help="point code whose popup to open")
    parser.add_argument("--ranking", action="store_true", help="open the ranking popover")
    parser.add_argument(
        "--unit-info", default="", help="comma-separated unit codes: their tooltips and fills"
    )
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args(argv)
    if not args.targets and not args.url:
        parser.error("give --url or --targets")
    result = alternate(args) if args.targets else drive(args)
    print(json.dumps(result, ensure_ascii=False))


# --- From outside the namespace -------------------------------------------------------


@contextlib.contextmanager
def network_namespace(prefix: str = "ictr-dash") -> Iterator[str]:
    """A network namespace whose only interface is loopback; deleted afterwards."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


def in_namespace(namespace: str | None, argv: list[str]) -> list[str]:
    return ["ip", "netns", "exec", namespace, *argv] if namespace else argv


@contextlib.contextmanager
def app_server(
    *,
    database_url: str,
    port: int,
    namespace: str | None,
    log_path: Path,
    app_file: Path | None = None,
) -> Iterator[str]:
    """`ictr up`'s Streamlit command on 127.0.0.1:`port`; stopped (by its own pid) after.
    `app_file` runs another script the same way (the benchmark's bare page)."""
    from ictr.cli.serve import APP_FILE, streamlit_argv

    env = {
        **os.environ,
        "ICTR_DATABASE_URL": database_url,
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("ICTR_EDITOR_PASSWORD_HASH", None)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            in_namespace(
                namespace,
                [
                    str(app_file) if arg == str(APP_FILE) and app_file else arg
                    for arg in streamlit_argv(port, "127.0.0.1")
                ],
            ),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_driver(
    namespace: str | None,
    driver_args: list[str],
    timeout_s: float = 300,
    module: str = "tests.dashboard_browser",
) -> dict:
    """Run a driver module's `main` (this one unless `module` names another) in the namespace
    and return the JSON it printed last."""
    argv = in_namespace(namespace, [sys.executable, "-m", module, *driver_args])
    done = subprocess.run(
        argv,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    if done.returncode != 0:
        raise RuntimeError(f"browser driver failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
