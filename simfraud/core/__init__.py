"""Registries every layer shares: attack vectors and liveness levels, random streams, metrics."""
