"""The documentation site builds cleanly and the parameter reference is in sync."""

import os
import subprocess
import sys
from pathlib import Path

from simfraud.scenario.reference import parameter_reference
from simfraud.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]


def test_parameter_reference_is_up_to_date():
    assert (ROOT / "docs" / "parameters.md").read_text() == parameter_reference(), (
        "regenerate with python -m simfraud.scenario.reference > docs/parameters.md")


def test_parameter_reference_lists_every_leaf_field():
    text = parameter_reference()
    for name in Scenario.model_fields:
        assert f"`{name}" in text
    for path in ("platforms[].liveness.level", "attackers.attempt_cost.deepfake_injection",
                 "regulator.instruments.mandatory_reimbursement.cap",
                 "defences.liveness.depth_3d.bpcer", "population.segments[].vigilance"):
        assert f"`{path}`" in text, path
    assert "PSR PS23/4" in text  # sources travel with the defaults


def test_docs_site_builds_with_warnings_as_errors(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d",
                             str(tmp_path / "site")], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "parameters" / "index.html").exists()


def test_metric_table_in_the_cli_docs_is_up_to_date():
    from simfraud.core.metrics import metrics_table

    assert metrics_table() in (ROOT / "docs" / "cli.md").read_text(), (
        "regenerate the table in docs/cli.md with python -m simfraud.core.metrics")
