"""Performance benchmarks (run by hand; figures, not asserts)."""
