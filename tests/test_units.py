"""Units stored in Parquet tables: written from the registry, refused when missing."""

import pandas as pd
import pyarrow.parquet as pq
import pytest

from simfraud.core.metrics import TIMESERIES, VECTOR_METRICS
from simfraud.results.units import (
    read_currency,
    read_units,
    timeseries_units,
    vectors_units,
    with_units,
)
from simfraud.scenario.reference import parameter_unit


def test_units_cover_the_registry_with_money_in_the_currency():
    units = timeseries_units("EUR")
    assert {m.name for m in TIMESERIES} <= set(units)
    assert units["gross_loss"] == ("EUR minor units", "flow")
    assert units["attacker_profit"] == ("EUR minor units per crew per day", "ratio")
    assert units["facepay_users"] == ("users", "stock")
    assert set(VECTOR_METRICS) <= set(vectors_units("EUR"))


def test_a_table_keeps_its_data_and_gains_units(tmp_path):
    frame = pd.DataFrame({"replicate": pd.array([0, 1], dtype="int32"),
                          "gross_loss": [5, 7], "platform": ["a", "b"]})
    pq.write_table(with_units(frame, timeseries_units("USD"), "USD"), tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), frame)
    assert read_units(tmp_path / "t.parquet") == {"replicate": "replicate number",
                                                   "gross_loss": "USD minor units"}
    assert read_currency(tmp_path / "t.parquet") == "USD"


def test_a_numeric_column_without_a_unit_is_refused():
    with pytest.raises(ValueError, match="columns without a unit: mystery"):
        with_units(pd.DataFrame({"day": [0], "mystery": [1.5]}), timeseries_units("GBP"),
                   "GBP")


def test_parameter_units_come_from_the_schema():
    assert parameter_unit("population.users") == "users"
    assert parameter_unit("platforms.0.monitoring.cost_per_user_day") == \
        "minor units/user/day"
    assert parameter_unit("platforms.0.nothing") == ""
    assert parameter_unit("nothing.at.all") == ""
    assert parameter_unit("timeline.2.set.platforms.0.reimbursement.share") == \
        parameter_unit("platforms.0.reimbursement.share") == "share of loss"
