"""Morris screening ranks an influential parameter above an inert one."""

import pandas as pd

from simfraud.cli import main
from simfraud.experiments.sensitivity import total_unit


def test_morris_ranks_attacker_numbers_above_an_inert_parameter(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(
        "days: 40\npopulation: {users: 3000}\n"
        "sensitivity:\n  metric: attempts\n  trajectories: 4\n  parameters:\n"
        "    attackers.initial: {low: 5, high: 80}\n"
        "    costs.step_up: {low: 1, high: 50}\n")  # friction prices: no effect on attempts
    out = tmp_path / "m"
    assert main(["sensitivity", str(path), "--out", str(out), "--workers", "2"]) == 0
    ranking = pd.read_csv(out / "sensitivity.csv")
    assert list(ranking["parameter"]) == ["attackers.initial", "costs.step_up"]
    assert ranking.loc[1, "mu_star"] == 0 and ranking.loc[0, "mu_star"] > 0
    assert set(ranking["unit"]) == {"attempts"}  # summed over the horizon
    index = pd.read_parquet(out / "index.parquet")
    assert len(index) == 4 * 3 and (index["status"] == "ok").all()
    assert index["grid.attackers.initial"].map(type).eq(int).all()  # integers stay integers
    assert "Morris ranking" in capsys.readouterr().out


def test_a_scenario_without_a_sensitivity_block_is_bad_input(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text("days: 10\n")
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "m")]) == 2
    assert "no sensitivity: block" in capsys.readouterr().err


def test_the_unit_of_a_total_says_what_was_summed():
    assert total_unit("gross_loss", "EUR") == "EUR minor units"
    assert total_unit("facepay_users", "GBP") == "users x days (daily stock summed)"
