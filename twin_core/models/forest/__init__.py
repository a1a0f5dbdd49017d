"""Forest use case: fire weather (FWI / IFM), warming of real weather, species suitability."""

from twin_core.models.forest.fire_weather import fire_danger_summary, fwi_arrays, fwi_daily
from twin_core.models.forest.suitability import classify, envelopes, essence_group
from twin_core.models.forest.weather import read_meteofrance_daily, shift_weather

__all__ = ["classify", "envelopes", "essence_group", "fire_danger_summary", "fwi_arrays",
           "fwi_daily", "read_meteofrance_daily", "shift_weather"]
