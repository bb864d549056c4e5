"""Users: the column registry, the initial population, the numba user day and the two engines."""
