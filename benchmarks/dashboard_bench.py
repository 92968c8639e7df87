"""Workshop dashboard speed: steps per second with rendering, at workshop sizes.

Target (issue 4): at least 10 steps/s with rendering, up to 50 teams and 2,000 customers.
A report: it prints figures and never fails.

    python benchmarks/dashboard_bench.py              # in-process figures, then the browser
    python benchmarks/dashboard_bench.py --no-browser # in-process only
    python benchmarks/dashboard_bench.py --seconds 15 # longer browser runs

In-process, for each size, one organisation and twins:
  model      the model steps alone;
  svg        + a snapshot and every view drawn as SVG (what one redraw builds);
  page       + the page's own Solara components re-rendered through reacton, as the server does
             after each step (everything but the websocket and the browser).
In the browser (Debian's Chromium, headless, 1280x720): ``alignsim workshop`` in a subprocess, the
size chosen in the page and Reset, then Play at the default play interval (every step drawn)
for a few seconds: days advanced per second as the page shows them, and the page load time.
Then projector mode (``?demo=overreaction``: twins at workshop size), played with the space key at
the default speed (15 days/s) and at the fastest (``&speed=40``): days per second and the time
from navigation to a drawn page.
The machine is shared: run it twice and compare; numbers move with other load.

    python benchmarks/dashboard_bench.py --soak 30    # memory over a 30-minute session
    python benchmarks/dashboard_bench.py --projector  # projector mode only (page ready, days/s)

The soak (``--soak MINUTES``): one projector-mode tab (``?demo=overreaction&speed=40``: twins at
workshop size) plays the year, resets from the sidebar (⚙, Reset) and plays again, over and over,
as a long workshop would; the server's resident memory (VmRSS, from /proc) is sampled every
``--every`` seconds and printed, with the growth per year played over the second half.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = ("small", "workshop", "large")
SCENARIO = "overreacting-leadership"
TARGET = 10.0
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


def rate(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def in_process(n: int) -> None:
    import solara
    from mesa.visualization.utils import force_update

    from sim.dashboard import components, views
    from sim.dashboard.frame import take
    from sim.dashboard.state import Workshop

    warnings.simplefilter("ignore")
    print(f"in-process, {SCENARIO}, {n} steps after 30 warm-up steps (steps/s; target >= {TARGET:g} with rendering)")
    print(f"{'size':<9} {'orgs':>4} {'units':>5} {'customers':>9} {'model':>8} {'svg':>8} {'page':>8}")
    for size in SIZES:
        for twin in (False, True):
            session = Workshop(scenario_name=SCENARIO, size=size, twin=twin)
            for _ in range(30):
                session.step()
            model_rate = rate(session.step, n)

            def with_svg(session=session):
                session.step()
                frame = take(session, "backlog")
                views.grid(views.all_views(frame), len(frame.orgs), frame.day)

            svg_rate = rate(with_svg, n)
            if twin and size == "workshop":
                def projector(session=session):
                    session.step()
                    views.projector_grid(take(session, "alignment"))

                print(f"  (projector screen, twins, workshop: {rate(projector, n):.1f} steps/s with its SVG)")
            model = solara.reactive(session)
            metric, message = solara.reactive("backlog"), solara.reactive("")

            @solara.component
            def Box(model=model, metric=metric, message=message):
                components.DayCounter(model)
                components.LiveSettings(model, message)
                components.Views(model, metric)

            _, rc = solara.render(Box(), handle_error=False)
            page_rate = rate(lambda session=session: (session.step(), force_update()), n)
            rc.close()
            st = session.orgs[0].state
            print(f"{size:<9} {len(session.orgs):>4} {st.U:>5} {st.C:>9} {model_rate:>8.1f} {svg_rate:>8.1f} "
                  f"{page_rate:>8.1f}" + ("" if page_rate >= TARGET else "  (below target)"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def workshop_server(*args: str):
    """``alignsim workshop ARGS --port P`` on a free port, answered before it yields (port, process);
    stopped with Ctrl-C's signal afterwards."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "sim", "workshop", *args, "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        yield port, server
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _browser_run(page, url: str, size: str, twin: bool, seconds: float) -> tuple[float, float, str]:
    """Load the page, choose the size (and twins), Reset, play: (load s, steps/s, teams shown)."""
    start = time.perf_counter()
    page.goto(url)
    page.get_by_test_id("chart-friction_index").wait_for()
    load = time.perf_counter() - start
    if size != "workshop":
        page.locator(".v-select", has_text="Organisation size").click()
        page.locator(".v-overlay-container .v-list-item-title", has_text=size).first.click()
    if twin:
        page.get_by_label("Twin mode: A and B side by side").check()
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function("document.querySelector('[data-testid=day]').dataset.day === '0'")
    page.wait_for_timeout(500)
    day = page.get_by_test_id("day")
    page.get_by_role("button", name="▶").click()
    page.wait_for_timeout(1000)
    d0, t0 = int(day.get_attribute("data-day")), time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    d1, t1 = int(day.get_attribute("data-day")), time.perf_counter()
    page.get_by_role("button", name="❚❚").click()
    teams = page.get_by_test_id("setup").inner_text().split("·")[1].strip()
    return load, (d1 - d0) / (t1 - t0), teams


def _projector_run(page, url: str, speed: int | None, seconds: float) -> tuple[float, float]:
    """Projector mode with twins at workshop size, played by the space key: (ready s, days/s)."""
    start = time.perf_counter()
    page.goto(url + "?demo=overreaction" + (f"&speed={speed}" if speed else ""))
    page.get_by_test_id("who-1").wait_for()
    page.get_by_test_id("chart-friction_index").wait_for()
    ready = time.perf_counter() - start
    day = page.get_by_test_id("day")
    page.keyboard.press("Space")
    page.wait_for_timeout(1000)
    d0, t0 = int(day.get_attribute("data-day")), time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    d1, t1 = int(day.get_attribute("data-day")), time.perf_counter()
    page.keyboard.press("Space")
    return ready, (d1 - d0) / (t1 - t0)


def in_browser(seconds: float, sizes: tuple[str, ...] = SIZES) -> None:
    if not Path(CHROMIUM).exists():
        print(f"\nbrowser: skipped ({CHROMIUM} is missing)")
        return
    from playwright.sync_api import sync_playwright

    with workshop_server(SCENARIO) as (port, _server):
        url = f"http://127.0.0.1:{port}/"
        if sizes:
            print(f"\nin the browser (headless Chromium 1280x720, {SCENARIO}, default play interval, every step drawn)")
            print(f"{'size':<9} {'orgs':>4} {'load s':>7} {'steps/s':>8}")
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=FLAGS,
                                                           headless=True, viewport={"width": 1280, "height": 720})
            for size in sizes:
                for twin in (False, True):
                    page = context.new_page()
                    page.set_default_timeout(120_000)
                    try:
                        load, steps, teams = _browser_run(page, url, size, twin, seconds)
                    except Exception as exc:  # a report, not a test: say what failed and go on
                        print(f"{size:<9} {2 if twin else 1:>4}  failed: {type(exc).__name__}: {str(exc)[:200]}")
                        page.screenshot(path=str(Path(tempfile.gettempdir()) / f"bench-{size}-{twin}.png"))
                        continue
                    finally:
                        page.close()
                    print(f"{size:<9} {2 if twin else 1:>4} {load:>7.1f} {steps:>8.1f}  ({teams})"
                          + ("" if steps >= TARGET else "  (below target)"))
            print("\nprojector mode (?demo=overreaction: twins, workshop size), played with the space key")
            print(f"{'speed asked':<12} {'ready s':>7} {'days/s':>7}")
            for speed in (None, 40):
                page = context.new_page()
                page.set_default_timeout(120_000)
                try:
                    ready, days = _projector_run(page, url, speed, seconds)
                    print(f"{speed or 15:<12} {ready:>7.1f} {days:>7.1f}")
                except Exception as exc:  # a report, not a test
                    print(f"{speed or 15:<12}  failed: {type(exc).__name__}: {str(exc)[:200]}")
                finally:
                    page.close()
            context.close()


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def soak(minutes: float, every: float) -> None:
    """Memory of the server over a long projector session (see the module's docstring)."""
    from playwright.sync_api import sync_playwright

    samples: list[tuple[float, int, float]] = []  # (minutes, years played, MB)
    with workshop_server() as (port, server):
        url = f"http://127.0.0.1:{port}/?demo=overreaction&speed=40"
        print(f"\nsoak: {minutes:g} min of projector mode (overreaction, twins, workshop size, speed 40), "
              f"the year played then Reset, over and over; server memory (VmRSS)")
        print(f"{'minute':>7} {'years':>6} {'MB':>8}")
        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=FLAGS,
                                                           headless=True, viewport={"width": 1280, "height": 720})
            page = context.new_page()
            page.set_default_timeout(300_000)
            page.goto(url)
            page.get_by_test_id("who-1").wait_for()
            start, years, next_sample = time.perf_counter(), 0, 0.0
            while (elapsed := time.perf_counter() - start) < minutes * 60:
                if elapsed >= next_sample:
                    samples.append((elapsed / 60, years, _rss_mb(server.pid)))
                    print(f"{elapsed / 60:>7.1f} {years:>6} {samples[-1][2]:>8.1f}", flush=True)
                    next_sample += every
                day = int(page.get_by_test_id("day").get_attribute("data-day"))
                if day >= 365:
                    years += 1
                    page.get_by_test_id("panel").click()
                    page.get_by_role("button", name="Reset", exact=True).click()
                    page.wait_for_function("document.querySelector('[data-testid=day]').dataset.day === '0'")
                    page.get_by_test_id("panel").click()
                    page.get_by_test_id("who-0").click()
                elif page.get_by_test_id("play").inner_text().strip() == "▶":
                    page.keyboard.press("Space")
                page.wait_for_timeout(1000)
            samples.append((minutes, years, _rss_mb(server.pid)))
            context.close()
    first, last = samples[0], samples[-1]
    half = [s for s in samples if s[0] >= minutes / 2]
    print(f"start {first[2]:.1f} MB, end {last[2]:.1f} MB after {last[1]} years played in {minutes:g} min; "
          f"peak {max(s[2] for s in samples):.1f} MB")
    if len(half) >= 2 and half[-1][1] > half[0][1]:
        slope = (half[-1][2] - half[0][2]) / (half[-1][1] - half[0][1])
        print(f"second half: {half[-1][2] - half[0][2]:+.1f} MB over {half[-1][1] - half[0][1]} years "
              f"({slope:+.2f} MB per year played)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="steps per in-process measurement (default 100)")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds of play per browser run (default 8)")
    parser.add_argument("--no-browser", action="store_true", help="skip the browser measurements")
    parser.add_argument("--projector", action="store_true", help="only projector mode in the browser")
    parser.add_argument("--soak", type=float, metavar="MINUTES", help="only the memory soak, this long")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between memory samples (default 60)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.soak:
        soak(args.soak, args.every)
        return
    if args.projector:
        in_browser(args.seconds, sizes=())
    elif not args.no_browser:
        in_process(args.steps)
        in_browser(args.seconds)
    else:
        in_process(args.steps)


if __name__ == "__main__":
    main()
