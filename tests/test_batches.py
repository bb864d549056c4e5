"""Replicates stepped together in batches give what they give one by one, bit for bit."""

import pytest

from simfraud.cli import main
from simfraud.model import FraudModel
from simfraud.model.replicates import (
    BATCH_REPLICATES,
    BATCH_USERS,
    default_batch,
    run_replicates,
)
from tests.support import scenario_with

BUSY = {
    "attackers": {"initial": 40},
    "platforms": [
        {"name": "a", "market_share": 0.6, "liveness": {"level": "depth_3d"},
         "security": {"upgrade_rule": "gordon_loeb"}},
        {"name": "b", "market_share": 0.4, "liveness": {"level": "none"}},
    ],
    "regulator": {"stance": "proactive", "effective_day": 5,
                  "instruments": {"mandatory_reimbursement": {"enabled": True}}},
    "timeline": [
        {"type": "tool_release", "day": 4, "vector": "deepfake_injection", "quality": 4},
        {"type": "rule_change", "day": 9,
         "set": {"platforms.1.liveness.injection_detection": True}},
    ],
}
"""Two platforms, a mandate coming into force, a tool release and a rule change."""


@pytest.fixture(scope="module")
def one_by_one():
    return run_replicates(scenario_with(BUSY, users=1_500, days=15), 5, first_replicate=2,
                          transaction_share=0.05, batch=1)


@pytest.mark.parametrize("batch", [2, 5, None])
def test_batches_give_the_tables_of_one_by_one(one_by_one, batch):
    batched = run_replicates(scenario_with(BUSY, users=1_500, days=15), 5, first_replicate=2,
                             transaction_share=0.05, batch=batch)
    assert sorted(batched.timeseries["replicate"].unique()) == [2, 3, 4, 5, 6]
    assert batched.timeseries.equals(one_by_one.timeseries)
    assert batched.vectors.equals(one_by_one.vectors)
    assert batched.transactions.equals(one_by_one.transactions)
    assert len(batched.transactions) > 0 and batched.timeseries["gross_loss"].sum() > 0
    assert set(batched.phase_seconds) == {name for name, _ in FraudModel.PHASES}


def test_stepping_together_leaves_each_model_as_its_own_steps_would():
    scenario = scenario_with(BUSY, users=1_000, days=12)
    alone = [FraudModel(scenario, replicate=r) for r in range(3)]
    together = [FraudModel(scenario, replicate=r) for r in range(3)]
    for _ in range(scenario.days):
        for model in alone:
            model.step()
        FraudModel.step_together(together)
    for a, b in zip(alone, together, strict=True):
        assert (a.steps, a.day, a.running) == (b.steps, b.day, b.running) == (12, 12, False)
        assert a.datacollector.get_model_vars_dataframe().equals(
            b.datacollector.get_model_vars_dataframe())
        assert a.ledger.gross_loss == b.ledger.gross_loss > 0


def test_progress_counts_every_replicate_day():
    days = []
    run_replicates(scenario_with(users=300, days=4), 3, batch=2, on_day=lambda: days.append(1))
    assert len(days) == 3 * 4


@pytest.mark.parametrize("users, replicates, engine, expected", [
    (10_000, 1_000, "columnar", BATCH_REPLICATES),
    (BATCH_USERS // 2, 1_000, "columnar", 2),
    (10_000, 3, "columnar", 3),
    (BATCH_USERS, 8, "columnar", 1),
    (10 * BATCH_USERS, 8, "columnar", 1),
    (1_000, 8, "agents", 1),
])
def test_default_batch_is_bounded_by_users_and_replicates(users, replicates, engine,
                                                          expected):
    assert default_batch(users, replicates, engine) == expected


def test_a_batch_below_one_is_refused():
    with pytest.raises(ValueError, match="batch must be at least 1, got 0"):
        run_replicates(scenario_with(users=100, days=2), 2, batch=0)


def test_run_command_batch_writes_the_same_files(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: tiny\nattackers: {initial: 40}\n")
    outs = []
    for batch in ("1", "3"):
        out = tmp_path / f"batch-{batch}"
        assert main(["run", str(scenario), "--out", str(out), "--users", "800", "--days", "10",
                     "--replicates", "3", "--batch", batch, "--quiet"]) == 0
        outs.append(out)
    for name in ("timeseries.parquet", "vectors.parquet", "summary.json"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_run_command_refuses_a_batch_of_zero(tmp_path, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: tiny\n")
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(scenario), "--out", str(tmp_path / "o"), "--batch", "0"])
    assert exit_.value.code == 2
    assert "--batch: must be 1 to" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
