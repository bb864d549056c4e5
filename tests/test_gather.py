"""Reading one table of many runs at once (``results.gather``) and the cached versions."""

import pandas as pd
import pytest

from simfraud.results.gather import concat_parquet
from simfraud.results.versions import versions


def _run_table(replicate: int) -> pd.DataFrame:
    return pd.DataFrame({
        "replicate": [replicate] * 3,
        "day": [0, 1, 2],
        "vector": pd.Categorical(["mask_3d", "photo_replay", "mask_3d"],
                                 categories=["photo_replay", "mask_3d"]),
        "loss": [10 * replicate, 0, 7],
        "share": [0.5, 0.25, 0.125 * replicate],
        "date": pd.date_range("2025-01-01", periods=3),
    })


def test_runs_read_together_equal_the_runs_read_one_by_one(tmp_path):
    paths = []
    for replicate in range(5):
        path = tmp_path / f"r{replicate}.parquet"
        _run_table(replicate).to_parquet(path)
        paths.append(path)
    together = concat_parquet(paths)
    one_by_one = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    pd.testing.assert_frame_equal(together, one_by_one, check_exact=True)
    assert list(together["replicate"]) == [r for r in range(5) for _ in range(3)]
    assert isinstance(together["vector"].dtype, pd.CategoricalDtype)


def test_no_runs_is_an_error_as_with_pandas():
    with pytest.raises(ValueError, match="No objects to concatenate"):
        concat_parquet([])


def test_versions_are_read_once_and_each_caller_gets_its_own_copy():
    first = versions()
    first["numpy"] = "changed by a caller"
    second = versions()
    assert second["numpy"] != "changed by a caller"
    assert set(second) >= {"simfraud", "numpy", "pandas", "numba"}
