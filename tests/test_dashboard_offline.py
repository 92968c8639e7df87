"""A full workshop with no network at all, driven by keyboard at 1280x720 (issue 12's "done when").

The server and Chromium run inside a network namespace that has only a loopback interface
(``unshare -n``, where the machine allows it; elsewhere the route-blocking tests of
test_dashboard_e2e.py stand in): no request can leave the laptop, so the page works offline or
not at all.  Inside, the trainer's path: the demonstration loaded from the address, play (which
stops by itself on the pause day, 180), a bookmark (B), the live move (M), a shock (S), a day at a
time (→), play and pause (space), the debrief pack (D), and a branch from the bookmark (sidebar),
with the screen checked for nothing below the fold and no text under 24 px, and every request
recorded.  Figures (page-ready time, days per second) are printed, not asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
LOWEST = """() => Math.max(document.scrollingElement.scrollHeight,
  ...[...document.querySelectorAll('.alignsim-projector, .alignsim-projector *')]
     .map(e => e.getBoundingClientRect().bottom))"""
SMALLEST = """() => {
  const out = [];
  const seen = (r) => r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.left < innerWidth;
  for (const t of document.querySelectorAll('svg text')) {
    const r = t.getBoundingClientRect(), svg = t.ownerSVGElement;
    if (seen(r) && t.textContent.trim())
      out.push([parseFloat(t.getAttribute('font-size')) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
                t.textContent]);
  }
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e || e.closest('svg, style, script, title')) continue;
    const range = document.createRange(); range.selectNodeContents(n);
    if ([...range.getClientRects()].some(seen)) out.push([parseFloat(getComputedStyle(e).fontSize), n.textContent]);
  }
  return out;
}"""


def _isolated() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    return subprocess.run(["unshare", "-n", "ip", "link", "set", "lo", "up"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _isolated(), reason="no network namespace here (unshare -n); the route-blocking "
                    "tests of test_dashboard_e2e.py check the offline promise instead")
def test_a_full_workshop_by_keyboard_in_a_namespace_without_network(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    out = tmp_path / "result.json"
    inside = f"ip link set lo up && exec {sys.executable} {Path(__file__)} --inside {out} {tmp_path}"
    done = subprocess.run(["unshare", "-n", "sh", "-c", inside], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0 and out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    r = json.loads(out.read_text())
    print(f"\noffline (loopback only): projector page ready {r['ready_s']:.1f} s, played "
          f"{r['days_per_s']:.1f} days/s at speed 40 to the pause day")
    assert r["internet_reachable"] is False, "the namespace must have no route out"
    assert r["foreign"] == [] and r["failed"] == [], "every request goes to 127.0.0.1 and succeeds"
    assert r["paused_at"] == 180 and r["after_step"] == 182
    assert set(r["marks"]) == {"bookmark", "lever", "shock"}
    assert r["lowest"] <= 720 and r["small_text"] == [], r["small_text"][:5]
    assert r["debrief_link"].endswith("-debrief.html") and r["debrief_slides"] == 5
    assert r["branch"] == ["A: as played", "B: branch, day 180"] and r["branch_day"] == 180
    assert r["disconnected"] is False


def _inside(out: Path, work: Path) -> None:
    """Run in the namespace: serve, drive the page, write what was seen to ``out``."""
    from playwright.sync_api import sync_playwright

    result: dict = {}
    try:
        socket.create_connection(("1.1.1.1", 80), timeout=3).close()
        result["internet_reachable"] = True
    except OSError:
        result["internet_reachable"] = False
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    debriefs = work / "debriefs"
    debriefs.mkdir()
    env = dict(os.environ, PYTHONUNBUFFERED="1", ALIGNSIM_WORKSHOP_DEBRIEFS=str(debriefs))
    server = subprocess.Popen([sys.executable, "-m", "sim", "workshop", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(480):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    break
            except OSError:
                time.sleep(0.25)
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=FLAGS,
                                                           headless=True, viewport={"width": 1280, "height": 720})
            page = context.new_page()
            page.set_default_timeout(240_000)
            requests, failed = [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/?demo=decision-rights&speed=40")
            page.get_by_test_id("who-1").wait_for()
            page.get_by_test_id("chart-friction_index").wait_for()
            result["ready_s"] = time.perf_counter() - start

            def day() -> int:
                return int(page.get_by_test_id("day").get_attribute("data-day"))

            page.keyboard.press("Space")  # play: stops by itself on day 180 (the demonstration's pause day)
            t0 = time.perf_counter()
            page.wait_for_function("document.querySelector('[data-testid=day]').dataset.day === '180'"
                                   " && document.querySelector('[data-testid=play]').innerText.includes('▶')")
            result["days_per_s"] = 180 / (time.perf_counter() - t0)
            page.wait_for_timeout(500)
            result["paused_at"] = day()
            page.keyboard.press("b")  # bookmark day 180
            page.keyboard.press("m")  # A's ownership to B's value
            page.keyboard.press("s")  # a shock
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            page.wait_for_function("document.querySelector('[data-testid=day]').dataset.day === '182'")
            result["after_step"] = day()
            chart = page.get_by_test_id("chart-friction_index")
            chart.locator(".mark-text-lever", has_text="ownership 0.15 -> 0.85 (A)").wait_for()
            result["marks"] = {k for k in ("bookmark", "lever", "shock")
                               if chart.locator(f".mark-text-{k}").count()}
            page.keyboard.press("Space")
            page.wait_for_function("document.querySelector('[data-testid=day]').dataset.day >= 200")
            page.keyboard.press("Space")
            page.keyboard.press("d")  # the debrief pack
            link = page.get_by_test_id("export-link")
            link.wait_for()
            result["debrief_link"] = link.get_attribute("download")
            folder = debriefs / result["debrief_link"].removesuffix(".html")
            result["debrief_slides"] = len(list(folder.glob("slide-*.png")))
            page.wait_for_timeout(500)
            result["lowest"] = page.evaluate(LOWEST)
            result["small_text"] = [(round(s, 1), t) for s, t in page.evaluate(SMALLEST) if s < 23.95]
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "20-offline-debrief.png"))
            page.get_by_test_id("panel").click()  # the sidebar: branch from the bookmark
            page.get_by_role("button", name="⎇", exact=True).first.click()
            page.get_by_test_id("who-1").filter(has_text="B: branch, day 180").wait_for()
            result["branch"] = [page.get_by_test_id(f"who-{k}").inner_text().split("\n")[0] for k in (0, 1)]
            result["branch_day"] = day()
            page.screenshot(path=str(ARTIFACTS / "21-offline-branch.png"))
            result["disconnected"] = page.get_by_test_id("disconnected").count() > 0
            result["foreign"] = [u for u in requests if not u.startswith(("data:", "blob:"))
                                 and urlparse(u).hostname != "127.0.0.1"]
            result["failed"] = [u for u in failed if not u.startswith(("data:", "blob:"))]
            result["marks"] = sorted(result["marks"])
            context.close()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    out.write_text(json.dumps(result))


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--inside":
    _inside(Path(sys.argv[2]), Path(sys.argv[3]))
