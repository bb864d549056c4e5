"""The model: ``FraudModel`` (the phases of a day), its agents and the ledger."""

from simfraud.model.fraud_model import ENGINES, FraudModel

__all__ = ["ENGINES", "FraudModel"]
