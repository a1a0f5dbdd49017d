"""Crown-fire initiation (Van Wagner 1977) on the Rothermel surface fire: hand-computed I0,
physical sense, the area indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin_core.models.forest import crown as cr
from twin_core.models.forest import fire_spread as fs


def test_critical_intensity_by_hand():
    # hand computation (not a value printed in the paper): CBH 6 m, FMC 100 %
    # (0.010 × 6 × (460 + 25.9 × 100))^1.5 = (0.06 × 3050)^1.5 = 183^1.5 = 2475.6 kW/m
    assert cr.critical_surface_intensity(6.0, 100.0) == pytest.approx(183.0 ** 1.5, rel=1e-12)
    assert cr.critical_surface_intensity(6.0, 100.0) == pytest.approx(2475.6, abs=0.1)
    # CBH 3 m, FMC 100 %: (0.03 × 3050)^1.5 = 91.5^1.5 = 875.2 kW/m
    assert cr.critical_surface_intensity(3.0) == pytest.approx(875.2, abs=0.1)
    assert cr.critical_surface_intensity(0.0) == 0.0
    with pytest.raises(ValueError):
        cr.critical_surface_intensity(-1.0)


def test_higher_canopy_or_wetter_foliage_needs_a_stronger_surface_fire():
    cbh = np.array([1.0, 2.0, 4.0, 8.0])
    assert np.all(np.diff(cr.critical_surface_intensity(cbh)) > 0)
    fmc = np.array([70.0, 100.0, 130.0])
    assert np.all(np.diff(cr.critical_surface_intensity(4.0, fmc)) > 0)


def test_byram_intensity_in_kw_m_matches_the_surface_fire():
    fire = fs.rothermel_surface("TU5", *fs.MOISTURE_SCENARIOS["D1L1"], 2.0, 0.0)
    kw = cr.surface_intensity_kw_m(["TU5"], fs.MOISTURE_SCENARIOS["D1L1"], 2.0)[0]
    assert kw == pytest.approx(float(fire.fireline_intensity_btu_ft_s) * 3.46141, rel=1e-4)


def test_crowning_needs_a_conifer_and_grows_with_wind_and_dryness():
    groups = ["aleppo_pine", "maritime_pine", "scots_pine", "fir_spruce", "holm_oak", "beech"]
    stands = pd.DataFrame({"group": groups, "area_ha": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]})
    out = cr.crown_fire_initiation(groups, fs.MOISTURE_SCENARIOS["D1L1"], 5.0)
    assert list(out["conifer"]) == [True, True, True, True, False, False]
    assert not out.loc[~out["conifer"], "crown_possible"].any()  # holm oak (TU5) too
    assert out["i0_kw_m"].iloc[0] == pytest.approx(cr.critical_surface_intensity(3.0))
    area = {(m, w): cr.crown_fire_ha(stands, fs.MOISTURE_SCENARIOS[m], w)
            for m in ("D1L1", "D4L4") for w in (0.5, 2.0, 8.0)}
    for m in ("D1L1", "D4L4"):
        assert area[(m, 0.5)] <= area[(m, 2.0)] <= area[(m, 8.0)]
    for w in (0.5, 2.0, 8.0):
        assert area[("D4L4", w)] <= area[("D1L1", w)]
    assert area[("D1L1", 8.0)] >= 30.0  # both Mediterranean pines crown in a dry gale
    assert area[("D4L4", 0.5)] == 0.0
    # a higher canopy base lowers the area; a drier foliage raises it
    high = cr.crown_fire_ha(stands, fs.MOISTURE_SCENARIOS["D1L1"], 2.0,
                            cbh_m={"aleppo_pine": 8.0, "maritime_pine": 8.0})
    dry = cr.crown_fire_ha(stands, fs.MOISTURE_SCENARIOS["D2L2"], 2.0, fmc_pct=70.0)
    assert high <= area[("D1L1", 2.0)]
    assert dry >= cr.crown_fire_ha(stands, fs.MOISTURE_SCENARIOS["D2L2"], 2.0)


def test_every_conifer_default_is_sourced_or_marked_an_assumption():
    for group, (cbh, source) in cr.CANOPY_BASE_HEIGHT_M.items():
        assert cbh > 0 and group in fs.GROUP_FUEL_MODEL
        assert source.startswith("assumption") or "20" in source
