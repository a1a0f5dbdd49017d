"""Helpers shared by the benchmarks (`make bench`)."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class PeakRSS:
    """Peak resident memory of this process during a block, not since the process started.

    On Linux the kernel's high-water mark (VmHWM) is reset on entry (``/proc/self/clear_refs``)
    and read on exit, so what earlier benchmarks of the session allocated does not count, only
    what the process still holds (``start_gib``, reported with it). Where the reset is not
    available, falls back to ``ru_maxrss`` (the process's lifetime peak) and says so
    (``exact`` False)."""

    def __enter__(self) -> PeakRSS:
        self.exact = False
        try:
            _CLEAR_REFS.write_text("5")
            self.exact = _status_kib("VmHWM") is not None
        except OSError:
            pass
        self.start_gib = (_status_kib("VmRSS") or 0) / 2**20
        return self

    def __exit__(self, *exc) -> None:
        hwm = _status_kib("VmHWM") if self.exact else None
        kib = hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.peak_gib = kib / 2**20

    def info(self) -> dict:
        return {"peak_rss_gib": round(self.peak_gib, 2),
                "rss_at_start_gib": round(self.start_gib, 2),
                "peak_rss_exact": self.exact}


@pytest.fixture
def peak_rss():
    """A fresh :class:`PeakRSS` (use it as a context manager around the measured call)."""
    return PeakRSS()
