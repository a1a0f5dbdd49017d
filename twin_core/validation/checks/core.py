"""Checks shared by every use case."""

from __future__ import annotations

from twin_core.validation import CheckResult, check, within

TRACC = "TRACC, ministère de la Transition écologique (2023): France +2.0/+2.7/+4.0 °C"


@check("core.tracc", "core")
def _tracc() -> list[CheckResult]:
    from twin_core.scenario import tracc_warming

    return [CheckResult(f"core.tracc.{year}", "core", f"TRACC warming of France in {year} (°C)",
                        TRACC, float(tracc_warming(year)), f"{ref}", "0.01",
                        within(float(tracc_warming(year)), ref, 0.01))
            for year, ref in ((2030, 2.0), (2050, 2.7), (2100, 4.0))]
