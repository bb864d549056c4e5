"""Take a screenshot of every dashboard page from the running app.

    .venv/bin/python docs/screenshots.py [RESULTS_DIR]

Without a results folder it first makes a small demo set in ``results/screenshots``: a
comparison of the Zao scenario with an arm on passive 2D liveness (50,000 users,
3 replicates), so the pages show an experiment's arms with their replicates.
Needs Chromium and ChromeDriver (``apt-get install chromium chromium-driver``). Writes
``docs/img/dashboard-<page>.png``.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from dashboards.app import create_app
from simfraud.cli import main as simfraud

ROOT = Path(__file__).resolve().parents[1]
PAGES = [("losses", "/", "#losses-graph .main-svg"),
         ("arms-race", "/arms-race", "#arms-graph .main-svg"),
         ("compare", "/compare", "#compare-differences table"),
         ("run", "/run", "#run-validation .ok"),
         ("export", "/export", "#export-graph .main-svg")]


def demo_results(folder: Path) -> None:
    """A comparison to show: the Zao scenario, and an arm with passive 2D liveness."""
    out = folder / "zao"
    resume = ["--resume"] if (out / "experiment.json").exists() else []
    simfraud(["compare", str(ROOT / "scenarios" / "china-2019-zao.yaml"), "--out", str(out),
              "--arm", "passive 2d:platforms.0.liveness.level=passive_2d",
              "--users", "50000", "--replicates", "3", "--quiet", *resume])


def browser() -> webdriver.Chrome:
    """Headless Chromium with the flags this sandbox needs."""
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1000"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(options=options)


def main() -> None:
    """Serve the app on a free port and capture each page."""
    results = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "results" / "screenshots"
    if len(sys.argv) == 1:
        demo_results(results)
    app = create_app(results, ROOT / "scenarios")
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    driver = browser()
    out = ROOT / "docs" / "img"
    try:
        for name, path, ready in PAGES:
            driver.set_window_size(1400, 900)  # a short page is not stretched to the last
            driver.get(base + path)
            WebDriverWait(driver, 60).until(
                ec.presence_of_element_located((By.CSS_SELECTOR, ready)))
            time.sleep(1.5)  # let Plotly finish its transitions
            height = driver.execute_script(  # the page, plus the window's own frame
                "return document.documentElement.scrollHeight"
                " + window.outerHeight - window.innerHeight")
            driver.set_window_size(1400, max(900, min(height + 20, 2600)))
            time.sleep(0.5)
            driver.save_screenshot(str(out / f"dashboard-{name}.png"))
            print(f"wrote docs/img/dashboard-{name}.png")
    finally:
        driver.quit()
        server.shutdown()


if __name__ == "__main__":
    main()
