"""Per-user results do not depend on how many users are simulated.

Crews are stated at the reference population and platforms decide per user (Gordon-Loeb
spend per user, monitoring learning from frauds per 100,000 users), so a 10,000-user
run is a sample of the same market as an 80,000-user one. Replicate r of every size
shares its seed. For each per-user figure the test takes the paired ratio of each size
to 10,000 users over the replicates and asks that its 95% interval lies within x0.7 to
x1.43 (an equivalence test), narrow enough to exclude the changes the model
used to show (x0.58 loss per user, x1.51 investment, x2.43 monitoring stops from 10,000
to 40,000 users): a bound that holds because the interval is wide would prove nothing.
"""

import numpy as np
import pytest
from scipy import stats

from simfraud.model.replicates import run_replicates
from tests.support import scenario_with

pytestmark = pytest.mark.slow
SIZES = (10_000, 20_000, 40_000, 80_000)
REPLICATES = 10  # 6 gave loss per user at 80,000 users [0.84, 1.52] (CI, 2 Dec 2026)
DAYS = 365
# A gordon_loeb platform with refunds, so that investment is not zero.
MARKET = {"platforms": [{"name": "p", "security": {"upgrade_rule": "gordon_loeb"},
                         "reimbursement": {"policy": "voluntary_full"}}]}


def per_user_figures(users: int) -> dict[str, np.ndarray]:
    result = run_replicates(scenario_with(MARKET, users=users, days=DAYS), REPLICATES)
    totals = result.timeseries.groupby("replicate")[
        ["gross_loss", "security_spend", "attempts", "stopped_monitoring", "successes"]].sum()
    return {
        "loss per user": totals["gross_loss"].to_numpy() / users,
        "security spend per user": totals["security_spend"].to_numpy() / users,
        "attempts per user": totals["attempts"].to_numpy() / users,
        "monitoring stops per attempt": (totals["stopped_monitoring"]
                                         / totals["attempts"]).to_numpy(),
        "success share of attempts": (totals["successes"] / totals["attempts"]).to_numpy(),
    }


def ratio_interval(reference: np.ndarray, other: np.ndarray) -> tuple[float, float]:
    """95% t interval of the mean paired log ratio, as a ratio."""
    logs = np.log(other / reference)
    half = stats.t.ppf(0.975, len(logs) - 1) * logs.std(ddof=1) / np.sqrt(len(logs))
    return float(np.exp(logs.mean() - half)), float(np.exp(logs.mean() + half))


@pytest.fixture(scope="module")
def figures():
    return {users: per_user_figures(users) for users in SIZES}


@pytest.mark.parametrize("users", SIZES[1:])
def test_per_user_results_do_not_depend_on_the_simulated_population(figures, users):
    assert figures[SIZES[0]]["security spend per user"].min() > 0  # investment happens
    for name, reference in figures[SIZES[0]].items():
        assert reference.min() > 0, name  # not vacuous: fraud, stops and spend happen
        low, high = ratio_interval(reference, figures[users][name])
        # Equivalence: the whole interval within x0.7-x1.43, which excludes the old changes.
        # (A residual ~6% in spend per user remains at 80,000 users: docs/decisions.md.)
        assert low > 0.7 and high < 1.43, (name, users, low, high)
