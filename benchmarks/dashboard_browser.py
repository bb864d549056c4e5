"""Time dashboard updates end to end in headless Chromium (control change to new figure).

    python -m benchmarks.dashboard_browser RESULTS_DIR

For each page: load it, change a control, and time until the figure shows the change.
Prints the median of five changes per page.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from dashboards.app import create_app
from docs.screenshots import browser

CHANGES = {
    "/": ("#losses-breakdown input[value='{v}']", ["vector", "payer", "platform", "total"],
          "#losses-graph .gtitle"),
    "/compare": ("#compare-frequency input[value='{v}']", ["daily", "monthly", "weekly"],
                 "#compare-graph .gtitle"),
}


def main() -> None:
    app = create_app(sys.argv[1], "scenarios")
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    driver = browser()
    try:
        for path, (selector, values, title) in CHANGES.items():
            driver.get(base + path)
            wait = WebDriverWait(driver, 60, poll_frequency=0.01)
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, title)))
            seconds = []
            for k in range(5):
                value = values[k % len(values)]
                before = driver.find_element(By.CSS_SELECTOR, title).text
                start = time.perf_counter()
                driver.find_element(By.CSS_SELECTOR, selector.format(v=value)).click()
                wait.until(lambda d, b=before, t=title:
                           d.find_element(By.CSS_SELECTOR, t).text != b)
                seconds.append(time.perf_counter() - start)
            print(f"{path:10} median {statistics.median(seconds):.2f} s, worst "
                  f"{max(seconds):.2f} s over {len(seconds)} changes")
    finally:
        driver.quit()
        server.shutdown()


if __name__ == "__main__":
    main()
