"""ZAN use case: land take per commune, the 2031 and 2050 trajectories."""

from twin_core.models.zan.envelope import allocate, decade_budgets, envelope_2031

__all__ = ["allocate", "decade_budgets", "envelope_2031"]
