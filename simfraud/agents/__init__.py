"""Mesa agents: platforms, fraud crews, regulators, and users for the reference engine."""
