"""Time the dashboard's page updates on a result set, server side.

    python -m benchmarks.dashboard_speed RESULTS_DIR RESULT_ID [OTHER_RESULT_ID]

Loads the result set cold (cache cleared), then calls each page's update callback for
every value of its controls, as the browser would after a change, and prints the
median and worst time per page. Plotly draws in the browser afterwards (a few hundred
points per trace).
"""

from __future__ import annotations

import statistics
import sys
import time

from dashboards import data
from dashboards.app import create_app


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> None:
    results, first = sys.argv[1], sys.argv[2]
    second = sys.argv[3] if len(sys.argv) > 3 else first
    app = create_app(results, "scenarios")
    from dashboards.pages import arms_race, compare, export, losses

    with app.server.test_request_context():
        data._load.cache_clear()
        cold = timed(data.load_result, data.Path(results), first)
        rows = len(data.load_result(data.Path(results), first).timeseries)
        print(f"cold load of {first}: {cold:.2f} s ({rows:,} daily rows)")
        cases = {
            "losses": [(losses.update, (first, b, f, c)) for b in
                       ("total", "payer", "vector", "platform")
                       for f in ("daily", "weekly", "monthly") for c in ([], ["on"])],
            "arms race": [(arms_race.update, (first,))] * 3,
            "compare": [(compare.update, ([first, second], m, f)) for m in
                        ("gross_loss", "user_loss", "facepay_users")
                        for f in ("daily", "weekly", "monthly")],
            "export": [(export.show, (first, w)) for w in ("losses", "arms")] * 2,
        }
        for page, calls in cases.items():
            seconds = [timed(fn, *args) for fn, args in calls]
            print(f"{page:10} {len(calls):3} updates: median {statistics.median(seconds):.3f} s,"
                  f" worst {max(seconds):.3f} s")


if __name__ == "__main__":
    main()
