"""Experiments: sweeps, paired comparisons and sensitivity analyses, local or on Dask."""
