"""Reproducibility: rerun reproduces bytes; the JSON Schema matches the loader."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from simfraud.cli import main
from simfraud.scenario.jsonschema import scenario_json_schema
from simfraud.scenario.yaml12 import parse_yaml

ROOT = Path(__file__).resolve().parents[1]


def test_rerun_reproduces_timeseries_byte_for_byte(tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    assert main(["run", str(ROOT / "scenarios" / "uk-2024-psr.yaml"), "--out", str(first),
                 "--users", "3000", "--days", "60", "--replicates", "2", "--seed", "77",
                 "--set", "attackers.initial=45", "--quiet"]) == 0
    assert main(["rerun", str(first), "--out", str(again), "--quiet"]) == 0
    for name in ("timeseries.parquet", "vectors.parquet", "scenario.yaml"):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    manifest = json.loads((again / "manifest.json").read_text())
    assert manifest["rerun_of"] == str(first)


def test_rerun_of_a_sweep_run_keeps_its_replicate(tmp_path):
    sweep = tmp_path / "sweep"
    assert main(["sweep", str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(sweep),
                 "--grid", "attackers.initial=10,20", "--replicates", "2", "--users", "1500",
                 "--days", "20", "--workers", "1", "--quiet"]) == 0
    run = sweep / "runs" / "p0001-r001"
    assert main(["rerun", str(run), "--out", str(tmp_path / "again"), "--quiet"]) == 0
    assert ((run / "timeseries.parquet").read_bytes()
            == (tmp_path / "again" / "timeseries.parquet").read_bytes())


def test_rerun_needs_a_result_folder(tmp_path):
    assert main(["rerun", str(tmp_path), "--out", str(tmp_path / "x")]) == 2


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_shipped_scenarios_validate_against_the_json_schema(path):
    # Editors see YAML dates as text, as JSON does.
    data = json.loads(json.dumps(parse_yaml(path.read_text(), str(path)).data, default=str))
    jsonschema.validate(data, scenario_json_schema())


def test_the_json_schema_rejects_what_the_loader_rejects():
    schema = scenario_json_schema()
    for bad in ({"dayz": 3}, {"days": 0}, {"platforms": [{"name": "p", "fee_bps": -1}]},
                {"regulator": {"stance": "sometimes"}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_schema_command_prints_json():
    out = subprocess.run([sys.executable, "-m", "simfraud.cli", "schema"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0 and json.loads(out.stdout)["title"] == "simfraud scenario"


def test_rerun_reproduces_the_transaction_log(tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    assert main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(first),
                 "--users", "2000", "--days", "20", "--transactions", "0.3", "--quiet"]) == 0
    assert main(["rerun", str(first), "--out", str(again), "--quiet"]) == 0
    assert ((first / "transactions.parquet").read_bytes()
            == (again / "transactions.parquet").read_bytes())
