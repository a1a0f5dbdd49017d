"""Validation: every check of a model against published reference values or observations.

A check is a function registered with :func:`check` that computes, now, what the model gives and
compares it with the reference; it returns one :class:`CheckResult` per compared figure. The
tests (``tests/test_validation.py``), ``twin validate`` and the dashboards' Validation page all
call :func:`run_checks`: nothing on the page is typed by hand.

Statuses: ``pass`` / ``fail`` for a reference check (the model must reproduce the value within
the tolerance; a failure makes ``twin validate`` exit non-zero); ``skill`` / ``no_skill`` for the
out-of-sample skill of a fitted relation (a fit without skill is a finding about the data, not a
bug: it is reported and the model does not use the fit, see :mod:`twin_core.evidence`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

STATUSES = ("pass", "fail", "skill", "no_skill")
#: Page and command order of the use cases.
MODELS = ("core", "coast", "forest", "agriculture", "zan")


@dataclass(frozen=True)
class CheckResult:
    check: str  # check id, e.g. "forest.fwi_1985.ffmc"
    model: str  # use case: core | coast | forest | agriculture | zan
    compared: str  # what is compared (English; shown as is)
    reference: str  # citation
    obtained: float
    expected: str  # the reference figure or range, as published
    tolerance: str
    status: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")

    @property
    def failed(self) -> bool:
        return self.status == "fail"


@dataclass(frozen=True)
class Check:
    id: str
    model: str
    fn: Callable[[], list[CheckResult]]


_CHECKS: dict[str, Check] = {}


def check(id: str, model: str) -> Callable[[Callable[[], list[CheckResult]]], Check]:
    """Register ``fn() -> list[CheckResult]`` as the check ``id`` of ``model``."""

    def wrap(fn: Callable[[], list[CheckResult]]) -> Check:
        c = Check(id=id, model=model, fn=fn)
        _CHECKS[id] = c
        return c

    return wrap


def all_checks() -> dict[str, Check]:
    from twin_core.validation import checks  # noqa: F401  (registers the checks)

    return dict(_CHECKS)


def known(check_id: str) -> bool:
    """True when ``check_id`` names a registered check or a prefix of some (e.g.
    "forest.fwi_1985" for its six rows): what an indicator's Evidence may cite."""
    return any(c == check_id or c.startswith(check_id + ".") for c in all_checks())


def run_checks(model: str | None = None) -> list[CheckResult]:
    """Run every check (of one use case when ``model`` is given), in registration order."""
    out: list[CheckResult] = []
    order = {m: i for i, m in enumerate(MODELS)}
    for c in sorted(all_checks().values(), key=lambda c: order.get(c.model, len(order))):
        if model is None or c.model == model:
            out.extend(c.fn())
    return out


def within(obtained: float, expected: float, tol: float) -> str:
    """"pass" when |obtained − expected| ≤ tol (NaN fails)."""
    ok = math.isfinite(obtained) and abs(obtained - expected) <= tol + 1e-12
    return "pass" if ok else "fail"


def in_range(obtained: float, lo: float, hi: float) -> str:
    ok = math.isfinite(obtained) and lo - 1e-9 <= obtained <= hi + 1e-9
    return "pass" if ok else "fail"


def reference_table(name: str) -> Path:
    """Path of a packaged copy of a published reference table (twin_core/validation/reference),
    ``name`` with or without ``.csv``."""
    from twin_core.validation.reference import reference_table as _table

    return _table(name)
