"""Replicates stepped together in batches give what they give one by one, bit for bit."""

import pytest

from simfraud.cli import main
from simfraud.core.batches import BATCH_REPLICATES, BATCH_USERS, default_batch, task_batch
from simfraud.model import FraudModel
from simfraud.model.replicates import run_replicates
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
    err = capsys.readouterr().err
    assert "--batch: must be 1 to 1,000, got 0" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("users, runs, slots, expected", [
    (10_000, 80, 2, 8),     # 80 runs // (2 slots x 4) = 10, at most 8
    (10_000, 48, 2, 6),     # 48 // 8 = 6
    (10_000, 16, 2, 1),     # 2 x 8: too few runs to share out in batches
    (50_000, 1_000, 2, 1),  # 2 replicates fit 100,000 users: not worth a coarser task
    (20_000, 1_000, 1, 5),  # 2 x 500 on one slot: 5 fit 100,000 users
    (20_000, 1_000, 0, 1),  # no worker has joined yet: one run a task
])
def test_task_batch_keeps_enough_tasks_per_slot(users, runs, slots, expected):
    assert task_batch(users, runs, slots) == expected


def _tasks(arms: int, replicates: list[int], users: int = 1_000):
    from simfraud.experiments.dispatch import Task
    from simfraud.experiments.plan import RunSpec

    tasks = []
    for arm in range(arms):
        base = {"population": {"users": users}, "arm": arm}
        tasks += [Task(base, RunSpec(f"s{arm}-r{r:03d}", arm, r, {}), seed=r)
                  for r in replicates]
    return tasks


def test_experiment_tasks_hold_consecutive_replicates_of_one_variant():
    from simfraud.experiments.dispatch import batched

    tasks = _tasks(2, [*range(0, 10), *range(11, 21)])  # replicate 10 already done
    groups = batched(tasks, slots=1)  # 40 runs // 4 = 10, at most 8
    assert [[t.spec.run_id for t in g] for g in groups][:4] == [
        [f"s0-r{r:03d}" for r in range(0, 8)], ["s0-r008", "s0-r009"],
        [f"s0-r{r:03d}" for r in range(11, 19)], ["s0-r019", "s0-r020"]]
    assert [t for g in groups for t in g] == tasks
    for group in groups:
        assert len({t.spec.point for t in group}) == 1
    assert all(len(g) == 1 for g in batched(tasks, slots=4))  # 40 // 16 = 2: one run a task


def test_a_batched_compare_writes_the_runs_of_one_by_one(tmp_path, monkeypatch):
    from simfraud.experiments import dispatch

    a = tmp_path / "a.yaml"
    a.write_text("name: a\ndays: 8\nattackers: {initial: 30}\n")
    b = tmp_path / "b.yaml"
    b.write_text("name: b\ndays: 8\nattackers: {initial: 30}\n"
                 "platforms:\n  - name: bank\n    liveness: {level: depth_3d}\n")
    args = ["compare", str(a), str(b), "--replicates", "8", "--users", "500", "--workers", "1",
            "--quiet"]
    sizes = []
    real = dispatch.batched
    monkeypatch.setattr(dispatch, "batched",
                        lambda todo, slots: sizes.extend(map(len, real(todo, slots)))
                        or real(todo, slots))
    assert main([*args, "--out", str(tmp_path / "batched")]) == 0
    assert sizes == [4, 4, 4, 4]  # 16 runs on one slot: 16 // 4 = 4 a task
    monkeypatch.setattr(dispatch, "batched", lambda todo, slots: [[t] for t in todo])
    assert main([*args, "--out", str(tmp_path / "alone")]) == 0
    runs = sorted(p.name for p in (tmp_path / "alone" / "runs").iterdir())
    assert len(runs) == 16
    for run in runs:
        for name in ("timeseries.parquet", "vectors.parquet", "summary.json"):
            assert ((tmp_path / "batched" / "runs" / run / name).read_bytes()
                    == (tmp_path / "alone" / "runs" / run / name).read_bytes()), (run, name)
    for name in ("differences.csv", "summary.csv"):
        assert ((tmp_path / "batched" / name).read_bytes()
                == (tmp_path / "alone" / name).read_bytes()), name


def test_a_run_whose_folder_fails_to_write_fails_alone(tmp_path, monkeypatch):
    from simfraud.experiments import worker
    from simfraud.experiments.plan import RunSpec
    from simfraud.results import folder

    base = scenario_with(users=300, days=3).model_dump(mode="json")
    specs = [RunSpec(f"s0-r{r:03d}", 0, r, {}) for r in range(4)]
    write = folder.write_run_folder

    def fails_for_r002(writer, scenario, result, fields, timings):
        if fields["run_id"] == "s0-r002":
            raise OSError("disk full")
        return write(writer, scenario, result, fields, timings)

    monkeypatch.setattr(folder, "write_run_folder", fails_for_r002)
    outcomes = worker.execute_runs(base, specs, str(tmp_path))
    assert [(o.run_id, o.status) for o in outcomes] == [
        ("s0-r000", "ok"), ("s0-r001", "ok"), ("s0-r002", "failed"), ("s0-r003", "ok")]
    assert "disk full" in outcomes[2].error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s0-r000", "s0-r001", "s0-r003"]


def test_a_batch_that_fails_to_simulate_runs_again_one_by_one(tmp_path, monkeypatch):
    from simfraud.experiments import worker
    from simfraud.experiments.plan import RunSpec
    from simfraud.model import replicates

    base = scenario_with(users=300, days=3).model_dump(mode="json")
    specs = [RunSpec(f"s0-r{r:03d}", 0, r, {}) for r in range(3)]
    real = replicates.replicate_runs
    batches = []

    def fails_in_batches_and_for_r001(scenario, count, first_replicate=0, batch=None):
        batches.append(batch)
        if batch > 1 or first_replicate == 1:
            raise RuntimeError(f"broken at {first_replicate}")
        return real(scenario, count, first_replicate=first_replicate, batch=batch)

    monkeypatch.setattr(replicates, "replicate_runs", fails_in_batches_and_for_r001)
    outcomes = worker.execute_runs(base, specs, str(tmp_path))
    assert batches == [3, 1, 1, 1]
    assert [(o.run_id, o.status) for o in outcomes] == [
        ("s0-r000", "ok"), ("s0-r001", "failed"), ("s0-r002", "ok")]
    assert "RuntimeError: broken at 1" in outcomes[1].error


def test_a_lost_worker_fails_only_the_runs_it_had_not_written(tmp_path):
    from simfraud.experiments import worker
    from simfraud.experiments.dispatch import _outcomes

    tasks = _tasks(1, [0, 1])
    base = scenario_with(users=300, days=3).model_dump(mode="json")
    worker.execute_runs(base, [tasks[0].spec], str(tmp_path))  # r000 written, then lost

    class Lost:
        def result(self):
            raise RuntimeError("KilledWorker: worker died")

    outcomes = _outcomes(Lost(), tasks, tmp_path)
    assert [(o.run_id, o.status) for o in outcomes] == [("s0-r000", "ok"), ("s0-r001", "failed")]
    assert "worker died" in outcomes[1].error


def test_batches_follow_the_population_a_variant_sets():
    from simfraud.experiments.dispatch import Task, batched
    from simfraud.experiments.plan import RunSpec

    base = {"population": {"users": 1_000, "contacts": 4}}
    points = {0: {}, 1: {"population.users": 90_000}, 2: {"population": {"users": 60_000}}}
    tasks = [Task(base, RunSpec(f"s{p}-r{r:03d}", p, r, changes), seed=r)
             for p, changes in points.items() for r in range(40)]
    sizes = {p: {len(g) for g in batched(tasks, slots=1) if g[0].spec.point == p}
             for p in points}
    assert sizes == {0: {8}, 1: {1}, 2: {1}}


def test_task_keys_name_every_batch_apart():
    from simfraud.experiments.dispatch import _task_key, batched

    tasks = _tasks(2, list(range(40)))
    keys = [_task_key("compare", g) for g in batched(tasks, slots=1)]
    assert len(set(keys)) == len(keys) == 10 and keys[0] == "compare-s0-r000..s0-r007"
    assert _task_key("compare", tasks[:1]) == "compare-s0-r000"


def test_batched_replicates_equal_models_run_alone():
    scenario = scenario_with(BUSY, users=1_000, days=12)
    batched = run_replicates(scenario, 3, batch=3)
    for replicate in range(3):
        model = FraudModel(scenario, replicate=replicate)
        model.run()
        ours = batched.timeseries[batched.timeseries["replicate"] == replicate]
        assert ours.reset_index(drop=True).equals(
            model.metrics.timeseries(replicate, scenario.start_date))
        vectors = batched.vectors[batched.vectors["replicate"] == replicate]
        assert vectors.reset_index(drop=True).equals(model.metrics.vector_table(replicate))


def test_models_are_let_go_once_their_results_are_read(monkeypatch):
    import gc
    import weakref

    from simfraud.model import replicates

    made = []
    real = replicates._simulate_batch

    def remembering(*args):
        models, built, simulated = real(*args)
        made.extend(weakref.ref(model) for model in models)
        return models, built, simulated

    monkeypatch.setattr(replicates, "_simulate_batch", remembering)
    run_replicates(scenario_with(users=300, days=3), 4, batch=2)
    gc.collect()
    assert len(made) == 4 and all(ref() is None for ref in made)


@pytest.mark.parametrize("batch", [0, -1, 2.5, True])
def test_the_api_refuses_a_batch_that_is_not_a_whole_number_from_1(batch):
    from simfraud.experiments.api import run

    with pytest.raises(ValueError, match="batch must be a whole number of at least 1"):
        run(scenario_with(users=100, days=2), 2, batch=batch)
