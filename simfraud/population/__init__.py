"""The user population: column registry and initial build."""
