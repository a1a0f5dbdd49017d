"""twin_core: the thin core library of the twin territorial digital twin.

Data flows one way: files -> Territory (checked layers) -> Scenario (parameters) -> model run ->
Result -> indicators -> comparison table / map layers -> dashboard or export.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("twin")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
