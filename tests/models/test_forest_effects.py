"""Forest effects: head-fire intensity and flame length against BehavePlus 5, and the land
taken by urbanisation (every stand the same share)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from twin_core.models.forest import effects as fx
from twin_core.models.forest import fire_spread as fs
from twin_core.validation.reference import reference_table


def test_flame_length_and_intensity_reproduce_behaveplus5():
    ref = pd.read_csv(reference_table("rothermel_behaveplus5_subset"))
    assert len(ref) >= 30
    for row in ref.itertuples(index=False):
        herb = {"dry": 0.30, "mid": 0.75}[row.moisture_set]
        angle = 0.0 if np.isnan(row.aspect_deg) else (row.wind_dir_deg - row.aspect_deg) % 360
        fire = fs.rothermel_surface(row.fuel_model, 0.04, 0.04, 0.06, herb, 0.70,
                                    row.midflame_wind_mph * fs.MPH_TO_M_PER_S,
                                    row.slope_pct / 100.0, angle,
                                    wind_limit="rothermel_1972")  # BehavePlus 5's setting
        # the table is rounded to 0.1 ft, 1 Btu/ft/s and 0.01 min
        assert float(fire.flame_length_m) / 0.3048 == pytest.approx(row.flame_length_ft,
                                                                    abs=0.06)
        assert float(fire.fireline_intensity_btu_ft_s) == pytest.approx(
            row.fireline_intensity_btu_ft_s, abs=0.6, rel=0.005)
        if not np.isnan(row.residence_time_min):
            assert float(fire.residence_time_min) == pytest.approx(row.residence_time_min,
                                                                   abs=0.005)


def test_urbanisation_takes_the_same_share_of_every_stand():
    stands = gpd.GeoDataFrame({"area_ha": [10.0, 30.0, 60.0]},
                              geometry=[Point(0, 0), Point(1, 1), Point(2, 2)], crs=2154)
    out = fx.urbanised(stands, 25.0)
    assert out["area_ha"].tolist() == pytest.approx([7.5, 22.5, 45.0])
    assert out.attrs["forest_loss_applied_ha"] == pytest.approx(25.0)
    assert stands["area_ha"].tolist() == [10.0, 30.0, 60.0]  # input untouched
    assert fx.urbanised(stands, 500.0)["area_ha"].sum() == 0.0  # capped at the whole forest
    assert fx.urbanised(stands, 0.0)["area_ha"].tolist() == [10.0, 30.0, 60.0]


def test_exposure_threshold_is_4_ft():
    assert fx.EXPOSED_FLAME_M == pytest.approx(1.2192)
    # on a very dry windy day the shrubby pine/holm-oak fuel (TU5) is exposed, beech litter not
    fl = fx.flame_length_m(["TU5", "TL2"], "D1L1", 30.0, 0.3)
    assert fl[0] > fx.EXPOSED_FLAME_M > fl[1]
