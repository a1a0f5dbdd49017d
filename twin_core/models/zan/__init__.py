"""ZAN use case: land take per commune, the 2031 and 2050 trajectories."""

from twin_core.models.zan.envelope import (
    allocate,
    allocate_with_floor,
    allocation_weights,
    decade_budgets,
    dwellings_needed,
    envelope_2031,
    land_for_dwellings_ha,
)
from twin_core.models.zan.projection import project_draws, synthetic_land_take

__all__ = ["allocate", "allocate_with_floor", "allocation_weights", "decade_budgets",
           "dwellings_needed", "envelope_2031", "land_for_dwellings_ha", "project_draws",
           "synthetic_land_take"]
