"""Paired comparisons: statistics, tables and the HTML report."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simfraud.cli import main
from simfraud.experiments.stats import paired_difference
from simfraud.results.tail import needed_replicates, tail_row


def test_paired_difference_matches_a_t_interval():
    rng = np.random.default_rng(3)
    a = rng.normal(100, 10, 12)
    b = a + rng.normal(5, 2, 12)
    interval = paired_difference(a, b)
    diff = b - a
    half = stats.t.ppf(0.975, 11) * diff.std(ddof=1) / np.sqrt(12)
    assert interval.mean == pytest.approx(diff.mean())
    assert (interval.low, interval.high) == pytest.approx((diff.mean() - half,
                                                           diff.mean() + half))
    one = paired_difference(a[:1], b[:1])
    assert one.mean == pytest.approx(b[0] - a[0])
    assert np.isnan(one.low) and np.isnan(one.high)  # no interval from one replicate


def test_tail_risk_with_intervals_and_a_warning_when_replicates_are_few():
    values = np.arange(1, 401, dtype=float)
    risk = tail_row(values, "GBP")
    assert risk["var_95"] == pytest.approx(np.percentile(values, 95))
    assert risk["es_95"] == pytest.approx(values[values >= risk["var_95"]].mean())
    assert risk["es_99"] >= risk["var_99"] >= risk["var_95"]
    assert risk["var_95_low"] <= risk["var_95"] <= risk["var_95_high"]
    assert risk["es_99_low"] < risk["es_99_high"] and risk["warning"] == ""
    few = tail_row(values[:10], "GBP")
    assert few["es_95"] == few["es_99"] == 10.0  # the largest replicate
    assert "needs 40" in few["warning"] and "needs 200" in few["warning"]
    assert needed_replicates(95) == 40 and needed_replicates(99) == 200
    one = tail_row(values[:1], "GBP")
    assert np.isnan(one["es_95_low"])


def test_compare_writes_tables_and_a_self_contained_report(tmp_path, capsys):
    a = tmp_path / "status_quo.yaml"
    a.write_text("name: status quo\ndays: 60\nseed: 5\n")
    b = tmp_path / "mandate.yaml"
    b.write_text("name: mandate\ndays: 60\nseed: 999\nregulator:\n  stance: proactive\n"
                 "  instruments:\n    mandatory_reimbursement:\n      enabled: true\n"
                 "      vectors: [social_engineering, account_takeover]\n")
    out = tmp_path / "cmp"
    assert main(["compare", str(a), str(b), "--out", str(out), "--replicates", "3",
                 "--users", "4000", "--workers", "2", "--set", "attackers.attempts_per_day=200"]
                ) == 0
    assert "paired differences against status quo" in capsys.readouterr().out
    for table in ("summary", "differences", "payers", "social_cost", "tail",
                  "cost_effectiveness", "payers_by_platform"):
        assert (out / f"{table}.csv").exists() and (out / f"{table}.parquet").exists()
        assert "unit" in pd.read_csv(out / f"{table}.csv").columns
    index = pd.read_parquet(out / "index.parquet")
    assert len(index) == 6 and (index["status"] == "ok").all()
    # Common random numbers: replicate r of both scenarios uses the first file's seed.
    assert index.groupby("replicate")["seed"].nunique().eq(1).all()
    diffs = pd.read_parquet(out / "differences.parquet").set_index("metric")
    refunded = diffs.loc["refunded"]
    assert refunded["difference"] > 0 and refunded["ci95_low"] <= refunded["difference"]
    assert diffs.loc["user_loss", "difference"] < 0
    payers = pd.read_parquet(out / "payers.parquet")
    quo = payers[payers["scenario"] == "status quo"].set_index("payer")["share"]
    assert quo["users"] == pytest.approx(1.0)
    tail = pd.read_parquet(out / "tail.parquet")
    assert set(tail.columns) >= {"var_95", "var_99", "es_95", "es_99"}
    html = (out / "report.html").read_text()
    assert html.count("<script") >= 4 and "<script src=" not in html  # plotly inlined
    assert "Weekly fraud losses" in html and "Who bears the fraud loss" in html
    assert "Attack mix" in html and "Tail risk" in html
    assert "Difference against the reference" in html and "Cost-effectiveness" in html
    assert html.count('<table class="sortable">') == 2  # differences, cost-effectiveness


def test_compare_needs_two_scenarios_and_reports_all_bad_files(tmp_path, capsys):
    good = tmp_path / "g.yaml"
    good.write_text("days: 10\n")
    assert main(["compare", str(good), "--out", str(tmp_path / "o")]) == 2
    bad = tmp_path / "b.yaml"
    bad.write_text("dayz: 10\n")
    assert main(["compare", str(good), str(bad), str(tmp_path / "missing.yaml"),
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'days'" in err and "missing.yaml:1:1" in err
    assert not (tmp_path / "o").exists()


def seven_arms():
    """Weekly bands and paired differences of a reference and six arms (synthetic)."""
    names = ["reference", *(f"control {k}" for k in range(1, 7))]
    weeks = pd.date_range("2024-01-01", periods=10, freq="7D")
    weekly = pd.DataFrame([{"scenario": name, "week_start": week, "p10": k, "median": k + 1,
                            "p90": k + 2} for k, name in enumerate(names) for week in weeks])
    differences = pd.DataFrame([
        {"scenario": name, "metric": metric, "difference": -100.0 * k,
         "ci95_low": -100.0 * k - 50, "ci95_high": -100.0 * k + 50,
         "unit": "GBP minor units" if metric != "final_facepay_users" else "users"}
        for k, name in enumerate(names[1:], start=1)
        for metric in ("gross_loss", "final_facepay_users")])
    return names, weekly, differences


def test_a_report_with_many_arms_stays_readable():
    from simfraud.experiments.report_figures import difference_chart, losses_small_multiples

    names, weekly, differences = seven_arms()
    panels = losses_small_multiples(weekly, "GBP")
    titles = [a.text for a in panels.layout.annotations]
    assert titles == names  # one panel per arm, not seven overlapping bands
    medians = [t for t in panels.data if t.line.color and t.line.color != "grey"]
    assert len(medians) == 7 and len({t.xaxis for t in medians}) == 7
    reference = [t for t in panels.data if t.line.color == "grey"]
    assert len(reference) == 7 and all(list(t.y) == [1] * 10 for t in reference)
    chart = difference_chart(differences, ("gross_loss", "final_facepay_users"), "GBP")
    money, users = chart.data
    assert list(money.y) == names[1:] and list(money.x) == [-k for k in range(1, 7)]
    assert list(money.error_x.array) == [0.5] * 6  # major units
    assert list(users.x) == [-100.0 * k for k in range(1, 7)]
    assert chart.layout.xaxis.title.text == "GBP" and chart.layout.xaxis2.title.text == "users"
