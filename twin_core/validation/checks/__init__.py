"""The registered checks (see :mod:`twin_core.validation`), one module per use case. Each reads
the model's own functions at call time, so a broken constant or equation shows here, in the
tests and on the page."""

from twin_core.validation.checks import agriculture, coast, core, forest, zan  # noqa: F401
