"""simfraud: agent-based simulation of the payment-fraud arms race around face payment."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("simfraud")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
