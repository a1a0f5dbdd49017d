"""Coast use case: shoreline retreat, marine submersion, exposed assets and adaptation options."""

from twin_core.models.coast.retreat import bruun_retreat, retreat_band, shoreline_retreat
from twin_core.models.coast.sea_level import sea_level_rise
from twin_core.models.coast.submersion import flood_depth, still_water_level

__all__ = ["bruun_retreat", "flood_depth", "retreat_band", "sea_level_rise",
           "shoreline_retreat", "still_water_level"]
