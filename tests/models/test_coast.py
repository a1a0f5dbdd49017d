"""Coast use case: sea level, Bruun retreat, connected flooding, damage, options, model."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from shapely.geometry import LineString, Point, box

from twin_core.errors import TwinInputError
from twin_core.models.coast import exposure as ex
from twin_core.models.coast.retreat import (
    BASELINE_YEAR,
    DEFAULT_ACTIVE_LENGTH_M,
    DEFAULT_BERM_HEIGHT_M,
    DEFAULT_CLOSURE_DEPTH_M,
    EMBEDDED_RATE_M_PER_YR,
    TREND_WINDOW,
    bruun_retreat,
    chronic_retreat,
    embedded_rate,
    retreat_band,
    shoreline_retreat,
)
from twin_core.models.coast.sea_level import OPTIONS, sea_level_rise, ssp_sea_level
from twin_core.models.coast.submersion import (
    EAD_RETURN_PERIODS,
    SURGE_M,
    burn_dike,
    flood_depth,
    still_water_level,
    surge_at,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "coast"

# IPCC AR6 WGI (2021): global mean sea-level rise, m, relative to 1995-2014, likely range; 2100
# from SPM B.5.3, 2050 from ch. 9 (Fox-Kemper et al.) Table 9.9. Restated as listed in
# ../shared/reference/README.md ("Sea level").
AR6_LIKELY_M = {
    ("SSP1-1.9", 2050): (0.15, 0.23), ("SSP1-1.9", 2100): (0.28, 0.55),
    ("SSP5-8.5", 2050): (0.20, 0.29), ("SSP5-8.5", 2100): (0.63, 1.01),
}


# -- sea level ---------------------------------------------------------------------------------
@pytest.mark.parametrize("ssp,gwl", [("SSP1-1.9", {2050: 1.6, 2100: 1.4}),
                                     ("SSP5-8.5", {2050: 2.4, 2100: 4.4})])
@pytest.mark.parametrize("year", [2050, 2100])
def test_sea_level_in_ar6_likely_range(ssp, gwl, year):
    lo, hi = AR6_LIKELY_M[(ssp, year)]
    for option in ("median", "upper"):
        value = sea_level_rise(year, gwl[year], option)
        assert lo - 1e-9 <= value <= hi + 1e-9, (ssp, year, option, value)
    assert ssp_sea_level(year, ssp, "upper") == pytest.approx(hi)
    assert ssp_sea_level(year, ssp, "low") == pytest.approx(lo)


def test_sea_level_physical_sense():
    years = np.arange(2020, 2101, 5)
    for option in OPTIONS:
        path = sea_level_rise(years, 3.0, option)
        assert np.all(np.diff(path) > 0), "sea level must rise with time"
    # more warming, more rise; options ordered
    assert sea_level_rise(2100, 1.5) < sea_level_rise(2100, 3.0) < sea_level_rise(2100, 4.4)
    assert sea_level_rise(2100, 3.0) < sea_level_rise(2100, 3.0, "upper") \
        < sea_level_rise(2100, 3.0, "high_end")
    # high-end: 2 m in 2100 at SSP5-8.5 warming (AR6 SPM B.5.3, low confidence)
    assert sea_level_rise(2100, 4.4, "high_end") == pytest.approx(2.0)
    # SSP2-4.5 (2.7 °C in 2081-2100) 2100 median 0.56 m, likely 0.44-0.76 (AR6 SPM B.5.3)
    assert sea_level_rise(2100, 2.7) == pytest.approx(0.56, abs=0.02)
    with pytest.raises(ValueError):
        sea_level_rise(2100, 2.0, "worst")


# -- retreat -----------------------------------------------------------------------------------
def test_bruun_hand_cases():
    # R = S L / (B + h): 0.5 m × 1000 m / (2 + 8) m = 50 m; 0.2 × 1200 / 25 = 9.6 m
    assert bruun_retreat(0.5, 1000.0, 2.0, 8.0) == pytest.approx(50.0)
    assert bruun_retreat(0.2, 1200.0, 10.0, 15.0) == pytest.approx(9.6)
    out = bruun_retreat(np.array([0.0, 0.1, 0.2]), 500.0, 1.0, 9.0)
    np.testing.assert_allclose(out, [0.0, 5.0, 10.0])
    with pytest.raises(ValueError, match="berm_height"):
        bruun_retreat(0.3, 1000.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="berm_height"):
        bruun_retreat(0.3, 1000.0, -5.0, 2.0)


def test_retreat_grows_with_time_and_sea_level():
    rate = np.array([-2.42, -0.66, 0.30, np.nan])  # Soulac, Lacanau, Le Verdon, no data
    r2050 = shoreline_retreat(rate, 2050, 0.20)
    r2100 = shoreline_retreat(rate, 2100, 0.60)  # AR6-like rises since 2010
    assert np.all(r2100 >= r2050) and r2100[0] > r2050[0]
    assert np.all(shoreline_retreat(rate, 2050, 0.4) > r2050)
    # chronic part: 2.42 m/yr × 40 yr since the 2010 shoreline; accretion and no data give none
    np.testing.assert_allclose(chronic_retreat(rate, 2050), [2.42 * 40, 0.66 * 40, 0, 0])
    # nourishment halves the chronic part, not the Bruun term
    assert chronic_retreat(-2.0, 2050, 50.0) == pytest.approx(40.0)
    half = shoreline_retreat(-2.0, 2050, 0.2, nourishment_pct=50.0, event_retreat_m=0.0,
                             embedded_rate_m_per_yr=0.0)
    assert half == pytest.approx(40.0 + bruun_retreat(0.2, 1250, 10, 15))


def test_embedded_rate_from_ar6_observed_rates():
    # AR6 WGI SPM A.1.7: 1.3 mm/yr 1901-1971, 1.9 mm/yr 1971-2006, 3.7 mm/yr 2006-2018.
    # 1950-2010 by hand: (21 × 1.3 + 35 × 1.9 + 4 × 3.7) / 60 = 108.6 / 60 = 1.81 mm/yr
    assert embedded_rate(1950, 2010) == pytest.approx(1.81e-3)
    assert embedded_rate(1901, 1971) == pytest.approx(1.3e-3)
    assert EMBEDDED_RATE_M_PER_YR == pytest.approx(1.81e-3)
    with pytest.raises(ValueError):
        embedded_rate(1850, 2000)


def test_bruun_only_beyond_the_embedded_rate_hand_case():
    # Le Cozannet et al. 2019: Bruun on the rise beyond the rate already in the trend.
    # Eroding arc −1 m/yr, 2010 → 2060 (50 yr), rise 0.30 m, embedded 2 mm/yr (0.10 m):
    # chronic 50 m + Bruun(0.20 m) = 0.20 × 1000 / (2 + 8) = 20 m, + storm 15 m = 85 m
    got = shoreline_retreat(-1.0, 2060, 0.30, active_length=1000.0, berm_height=2.0,
                            closure_depth=8.0, event_retreat_m=15.0,
                            embedded_rate_m_per_yr=0.002)
    assert got == pytest.approx(85.0)
    # with no embedded rate the whole 0.30 m would count (the double count): 30 m, not 20 m
    double = shoreline_retreat(-1.0, 2060, 0.30, active_length=1000.0, berm_height=2.0,
                               closure_depth=8.0, embedded_rate_m_per_yr=0.0)
    assert double - (got - 15.0) == pytest.approx(10.0)
    # a rise slower than the embedded rate adds no Bruun retreat
    assert shoreline_retreat(-1.0, 2060, 0.05, embedded_rate_m_per_yr=0.002) \
        == pytest.approx(50.0)
    # accreting (+0.5 m/yr × 50 = 25 m of advance) offsets the 20 m Bruun term: no retreat,
    # and no storm retreat on an accreting arc or one with no measured trend
    rates = np.array([0.5, np.nan, 0.0])
    out = shoreline_retreat(rates, 2060, 0.30, active_length=1000.0, berm_height=2.0,
                            closure_depth=8.0, event_retreat_m=15.0,
                            embedded_rate_m_per_yr=0.002)
    np.testing.assert_allclose(out, [0.0, 20.0, 35.0])


def test_bruun_defaults_inside_the_cited_ranges():
    # closure depth 5-20 m (Bosboom & Stive); Bruun ratio L/(B + h) within 50-100
    assert 5.0 <= DEFAULT_CLOSURE_DEPTH_M <= 20.0
    ratio = DEFAULT_ACTIVE_LENGTH_M / (DEFAULT_BERM_HEIGHT_M + DEFAULT_CLOSURE_DEPTH_M)
    assert 50.0 <= ratio <= 100.0
    # the baseline is the recent Cerema shoreline (2005-2014), inside the trend window's end
    assert 2005 <= BASELINE_YEAR <= 2014 and TREND_WINDOW[1] == BASELINE_YEAR


def test_retreat_band_clipped_to_land():
    arcs = gpd.GeoDataFrame({"code_insee": ["1"]}, geometry=[LineString([(0, 0), (0, 1000)])],
                            crs="EPSG:2154")
    land = box(0, -500, 2000, 1500)
    band = retreat_band(arcs, [100.0], land)
    # land side only: ≈ 100 m × 1000 m plus the quarter discs at the ends, within the land
    assert band["band_ha"].iloc[0] == pytest.approx(10 + np.pi * 100 ** 2 / 2 / 1e4, rel=0.01)
    assert band.geometry.iloc[0].bounds[0] >= 0


# -- submersion --------------------------------------------------------------------------------
def test_flood_depth_exact_and_hollow_stays_dry():
    dem = np.array([[-1.0, -1.0, -1.0, -1.0, -1.0],
                    [0.5, 1.0, 5.0, 5.0, 5.0],
                    [0.5, 1.5, 5.0, 0.2, 5.0],
                    [5.0, 5.0, 5.0, 5.0, 5.0]])
    depth = flood_depth(dem, 2.0)
    expected = np.array([[3.0, 3.0, 3.0, 3.0, 3.0],
                         [1.5, 1.0, 0.0, 0.0, 0.0],
                         [1.5, 0.5, 0.0, 0.0, 0.0],  # the 0.2 m hollow is cut off: dry
                         [0.0, 0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(depth, expected)
    # a diagonal link is not a connection (4-neighbours)
    diag = np.array([[0.0, 9.0, 9.0], [9.0, 0.0, 9.0], [9.0, 9.0, 9.0]])
    sea = np.zeros_like(diag, dtype=bool)
    sea[0, 0] = True
    np.testing.assert_allclose(flood_depth(diag, 1.0, sea=sea)[1, 1], 0.0)
    # the same hollow with an explicit sea mask elsewhere stays dry too
    assert flood_depth(dem, 2.0, sea=dem < 0)[2, 3] == 0.0


def test_flood_depth_nan_and_xarray():
    dem = np.array([[0.0, np.nan, 0.0], [0.0, np.nan, 0.0], [9.0, np.nan, 9.0]])
    sea = np.zeros(dem.shape, dtype=bool)
    sea[0, 0] = True
    depth = flood_depth(dem, 1.0, sea=sea)
    assert np.all(np.isfinite(depth))
    np.testing.assert_allclose(depth[:, 1], 0.0)  # nodata: not floodable
    np.testing.assert_allclose(depth[:, 2], 0.0)  # NaN column does not conduct water
    np.testing.assert_allclose(depth[:2, 0], 1.0)
    da = xr.DataArray(dem, dims=("y", "x"), coords={"y": [2.0, 1.0, 0.0], "x": [0, 1, 2]})
    out = flood_depth(da, 1.0, sea=sea)
    assert isinstance(out, xr.DataArray) and out.shape == da.shape
    np.testing.assert_allclose(out.values, depth)
    assert out.attrs["units"] == "m"


def test_dike_blocks_until_overtopped_and_only_behind_it():
    # sea on the left column; two low basins: the top one behind a dike line, the bottom open
    dem = np.full((7, 6), 5.0)
    dem[:, 0] = -2.0
    dem[1:3, 1:5] = 0.5  # basin A (rows 1-2), opens on the sea at column 1
    dem[4:6, 1:5] = 0.5  # basin B (rows 4-5)
    dike = np.zeros(dem.shape, dtype=bool)
    dike[1:3, 1] = True  # dike across basin A's mouth
    level = 2.0
    before = flood_depth(dem, level)
    assert before[1:3, 1:5].min() > 0 and before[4:6, 1:5].min() > 0
    diked = burn_dike(dem, dike, crest=3.0)
    after = flood_depth(diked, level)
    assert np.all(after[1:3, 2:5] == 0.0), "flood behind the dike must be removed"
    np.testing.assert_allclose(after[4:6, 1:5], before[4:6, 1:5])  # not elsewhere
    over = flood_depth(diked, 3.5)  # overtopped: floods again
    np.testing.assert_allclose(over[1:3, 2:5], 3.0)
    assert np.all(diked[dike] == 3.0) and np.all(dem[dike] == 0.5)  # input unchanged


def test_still_water_levels():
    levels = [still_water_level(rp) for rp in (10, 100, 1000)]
    assert levels == sorted(levels) and levels[0] > 0
    # 100-yr surge is Xynthia's 0.98 m at Le Verdon (SONEL/SHOM), rounded
    assert SURGE_M[100] == pytest.approx(0.98, abs=0.05)
    assert still_water_level(100, 0.5) == pytest.approx(still_water_level(100) + 0.5)
    with pytest.raises(TwinInputError) as err:
        still_water_level(100, surge={100: -0.3})
    assert err.value.code == "negative_surge"
    with pytest.raises(ValueError):
        still_water_level(0.5)
    # between the anchors the surge is linear in ln T: the 31.6-yr event is half way 10-100
    assert surge_at(10 ** 1.5) == pytest.approx((SURGE_M[10] + SURGE_M[100]) / 2)
    # below 10 yr: the 10-100 yr slope carried on (0.4 m per decade): 1 yr → 0.2 m, never < 0
    assert surge_at(1) == pytest.approx(SURGE_M[10] - (SURGE_M[100] - SURGE_M[10]))
    surges = [surge_at(t) for t in EAD_RETURN_PERIODS]
    assert surges == sorted(surges) and surges[0] >= 0


# -- damage and options ------------------------------------------------------------------------
def test_damage_curve_jrc():
    depth = np.linspace(0, 8, 161)
    frac = ex.damage_fraction(depth)
    assert ex.damage_fraction(0.0) == 0.0 and ex.damage_fraction(-1.0) == 0.0
    assert np.all(np.diff(frac) >= 0) and frac.max() == 1.0
    # Huizinga et al. 2017 Europe residential table
    for d, f in [(0.5, 0.25), (1.0, 0.40), (2.0, 0.60), (4.0, 0.85), (6.0, 1.0)]:
        assert ex.damage_fraction(d) == pytest.approx(f)
    assert ex.damage_fraction(0.75) == pytest.approx(0.325)  # linear in between
    # derived France residential maximum damage ≈ 776 €/m² (domain_facts A3)
    assert ex.MAX_DAMAGE_EUR_M2_2010["residential"] == pytest.approx(776, abs=1)
    # in 2023 € (BT01 2023 = 130.1, base 2010 = 100)
    assert ex.MAX_DAMAGE_EUR_M2["residential"] == pytest.approx(776 * 1.301, abs=2)
    b = gpd.GeoDataFrame({"use": ["residential"] * 3, "floor_area_m2": [100.0] * 3,
                          "height_m": [3.0, 6.0, 3.0]},
                         geometry=[Point(0, 0)] * 3, crs="EPSG:2154")
    dmg = ex.building_damage(b, np.array([1.0, 1.0, 0.0]))
    assert dmg[2] == 0.0 and dmg[0] == pytest.approx(0.40 * 776.0 * 1.301 * 100, rel=1e-3)
    assert dmg[1] == pytest.approx(dmg[0] / 2)  # two storeys: half the floor is ground floor


def test_expected_annual_damage_log_linear_hand_cases():
    # three points, damage 0 at 1 yr, 100 at 10 yr, 200 at 100 yr: D = 100·log10(T), i.e.
    # (100 / ln 10)·(−ln p); ∫ from p = 0.01 to 1 = (100 / ln 10)·[p − p ln p] = (100 / ln 10)
    # × (1 − 0.01 − 0.01·ln 100) = 40.995, + the tail 0.01 × 200 = 2 → 42.995 €/yr
    ead = ex.expected_annual_damage([1, 10, 100], [0.0, 100.0, 200.0])
    assert ead == pytest.approx(42.9952, abs=1e-4)
    # the trapezoid in probability gives 60.5 on the same points: not the same method
    assert ead < 0.9 * (0.9 * 50 + 0.09 * 150 + 2)
    assert ex.expected_annual_damage([10, 100, 1000], [0, 0, 0]) == 0.0
    # a constant damage D at every event from 1 yr is D per year exactly
    assert ex.expected_annual_damage([1, 2, 5, 10, 100, 1000], [7.0] * 6) == pytest.approx(7.0)
    # damage starting at 5 yr (0 there), 100 at 10 yr: by hand on [0.1, 0.2],
    # b = 100 / ln 2, D = b·(−ln p − ln 5) → b·(0.1 − 0.2 ln 0.2 + 0.1 ln 0.1) − b·ln 5·0.1 + 10
    b = 100 / np.log(2)
    hand = b * (0.1 - 0.2 * np.log(0.2) + 0.1 * np.log(0.1)) - b * np.log(5) * 0.1 + 10
    got = ex.expected_annual_damage([1, 2, 10], [0.0, 0.0, 100.0], start_rp=5.0)
    assert got == pytest.approx(hand) and got == pytest.approx(14.427, abs=1e-3)
    # an earlier damage start raises the EAD (Arnell 1989: the start frequency matters most)
    assert ex.expected_annual_damage([1, 2, 10], [0.0, 0.0, 100.0], start_rp=2.0) > got
    with pytest.raises(ValueError):
        ex.expected_annual_damage([1, 2, 10], [0.0, 5.0, 100.0], start_rp=5.0)
    with pytest.raises(ValueError):
        ex.expected_annual_damage([0.5, 10], [0.0, 1.0])


def test_discounting_and_costs():
    # 3.2 % over 2 years: 1 + 1/1.032
    assert ex.annuity_factor(2) == pytest.approx(1 + 1 / 1.032)
    m = ex.relocation(78)  # Le Signal: 78 flats ≈ 7 M€ of 2020, in 2023 € (BT01 130.1/112.3)
    assert m.present_cost(30) == pytest.approx(7.02e6 * 130.1 / 112.3)
    assert m.residual_value(30) == 0.0  # the homes are lost to the sea: nothing to resell
    dike = ex.raise_defence(1000, 1.0)
    assert dike.capex_eur == pytest.approx(615_000 * 1.301)
    assert ex.nourishment(1000, 0.5).present_cost(10) == pytest.approx(
        225_000 * 130.1 / 131.1 * ex.annuity_factor(10))


def test_cost_indexed_between_two_price_years():
    # INSEE BT01 annual means (base 2010 = 100): 2020 112.3, 2023 130.1
    assert ex.to_price_year(100.0, 2020, 2023) == pytest.approx(115.850, abs=1e-3)
    assert ex.to_price_year(100.0, 2023, 2023) == 100.0
    assert ex.to_price_year(ex.to_price_year(100.0, 2012, 2020), 2020, 2012) == pytest.approx(100)
    with pytest.raises(ValueError):
        ex.to_price_year(100.0, 1999)


def test_residual_value_linear_depreciation():
    # capex 1000 €, 50-yr life, 30-yr horizon: 20 years left → 1000 × 20/50 = 400 € at the
    # horizon (France Stratégie complément F, linear depreciation); at 0 % not discounted
    m = ex.Measure("dike", capex_eur=1000.0, lifetime_yr=50)
    assert m.residual_value(30, rate=0.0) == pytest.approx(400.0)
    assert m.present_cost(30, rate=0.0) == pytest.approx(600.0)
    # discounted from the horizon at 3.2 %
    assert m.residual_value(30) == pytest.approx(400.0 / 1.032 ** 30)
    # renewed at year 50: over 75 years the second dike has 25 of 50 years left
    assert m.residual_value(75, rate=0.0) == pytest.approx(500.0)
    assert m.present_cost(75, rate=0.0) == pytest.approx(1500.0)
    # a life ending exactly at the horizon leaves nothing
    assert m.residual_value(50, rate=0.0) == pytest.approx(0.0)
    assert ex.homes_avoided(100, 10, 0.0) == 0.0 and ex.homes_avoided(100, 10, 1.0) > 10


def test_select_relocated():
    b = gpd.GeoDataFrame({"dwellings": [10, 5, 5, 20]}, geometry=[Point(0, 0)] * 4)
    chosen = ex.select_relocated(b, np.array([1.0, 3.0, 2.0, 0.0]), 8)
    assert chosen.tolist() == [False, True, True, False]
    assert not ex.select_relocated(b, np.ones(4), 0).any()


# -- the registered model on a small synthetic territory ----------------------------------
def _write_territory(root: Path) -> Path:
    import rioxarray  # noqa: F401

    root.mkdir(parents=True, exist_ok=True)
    n, cell, x0, y0 = 40, 120.0, 370_000.0, 6_500_000.0
    z = np.full((n, n), 6.0, dtype="float32")
    z[:, :8] = -8.0  # sea (west)
    z[:, 8] = 0.5  # beach: below spring high water (2.4 m), today's foreshore
    z[5:35, 10:30] = 3.0  # low marsh behind the beach, above spring high water
    z[5:35, 9] = 2.6  # the beach opens on the marsh
    z[30:34, 32:36] = 0.3  # inland hollow, cut off by the 6 m ground
    xs = x0 + cell * (np.arange(n) + 0.5)
    ys = y0 - cell * (np.arange(n) + 0.5)
    dem = xr.DataArray(z, dims=("y", "x"), coords={"y": ys, "x": xs}).rio.write_crs(
        "EPSG:2154").rio.write_nodata(np.nan)
    dem.rio.to_raster(root / "dem.tif")
    shore = x0 + 8 * cell
    communes = gpd.GeoDataFrame(
        {"code_insee": ["33001", "33002"], "nom": ["Nord", "Sud"], "population": [800, 200],
         "area_ha": [1.0, 1.0]},
        geometry=[box(shore, y0 - 20 * cell, x0 + n * cell, y0),
                  box(shore, y0 - n * cell, x0 + n * cell, y0 - 20 * cell)], crs="EPSG:2154")
    communes["area_ha"] = communes.area / 1e4
    communes.to_file(root / "communes.gpkg")
    erosion = gpd.GeoDataFrame(
        {"code_insee": ["33001", "33002"], "nom": ["Nord", "Sud"],
         "taux_m_per_yr": [-2.0, -0.5], "erosion_class": ["fort", "moyen"]},
        geometry=[LineString([(shore, y0), (shore, y0 - 20 * cell)]),
                  LineString([(shore, y0 - 20 * cell), (shore, y0 - n * cell)])],
        crs="EPSG:2154")
    erosion.to_file(root / "erosion.gpkg")
    pts = [(shore + 30, y0 - 3 * cell), (shore + 100, y0 - 30 * cell),  # near the shore
           (x0 + 20 * cell, y0 - 10 * cell), (x0 + 25 * cell, y0 - 25 * cell),  # marsh
           (x0 + 34 * cell, y0 - 32 * cell),  # hollow
           (x0 + 36 * cell, y0 - 5 * cell)]  # high ground
    use = ["residential", "residential", "residential", "public", "residential", "commercial"]
    buildings = gpd.GeoDataFrame(
        {"building_id": [f"b{i}" for i in range(6)],
         "code_insee": ["33001", "33002", "33001", "33002", "33002", "33001"], "use": use,
         "dwellings": [10, 1, 4, 0, 2, 0], "residents": [22.0, 2.2, 8.8, 0.0, 4.4, 0.0],
         "floor_area_m2": [900.0, 120.0, 400.0, 800.0, 200.0, 300.0],
         "height_m": [12.0, 6.0, 6.0, 6.0, 6.0, 3.0]},
        geometry=[Point(p) for p in pts], crs="EPSG:2154")
    # a resort on high ground 250-350 m behind the north shore: an "urban front" to nourish
    resort = gpd.GeoDataFrame(
        {"building_id": [f"r{i}" for i in range(36)], "code_insee": "33001",
         "use": "residential", "dwellings": 1, "residents": 2.0, "floor_area_m2": 100.0,
         "height_m": 6.0},
        geometry=[Point(shore + 250 + 20 * (i % 6), y0 - 130 - 50 * (i // 6))
                  for i in range(36)], crs="EPSG:2154")
    buildings = pd.concat([buildings, resort], ignore_index=True)
    buildings.to_file(root / "buildings.gpkg")
    layers = {"communes": "communes.gpkg", "erosion": "erosion.gpkg", "dem": "dem.tif",
              "buildings_synthetic": "buildings.gpkg"}
    manifest = {"id": "coast_test", "name": {"en": "test"}, "layers": {
        k: {"path": v, "kind": "raster" if v.endswith(".tif") else "vector",
            "synthetic": k.endswith("synthetic"), "source": "test"} for k, v in layers.items()}}
    (root / "territory.json").write_text(json.dumps(manifest), "utf-8")
    return root


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    from twin_core.territory import Territory

    return Territory.load(_write_territory(tmp_path_factory.mktemp("coast")))


def _run(territory, **params):
    from twin_core.models.registry import get_model

    model = get_model("coast.risk")
    scen = model.scenario_class(**params)
    return model.run(territory, scen)


def test_model_on_toy_territory(toy):
    r = _run(toy, horizon=2050)
    v = r.values
    # marsh buildings flood (connected through the beach); the hollow and high ground do not
    layer = r.layers["buildings"].set_index("building_id")
    assert {"b2", "b3"} <= set(layer.index[layer["flood_depth_m"] > 0])
    assert "b4" not in layer.index and "b5" not in layer.index
    assert layer.loc["b0", "in_retreat_band"]  # 30 m from a 2 m/yr shoreline
    # b0, b1 stand on beach cells (0.5 m, below spring high water, connected to the sea): a
    # built cell is land (a polder the DEM does not resolve), so they flood; the beach's
    # unbuilt cells are foreshore. b2 (8.8 residents) and b3 (public) in the marsh
    for name in ("b0", "b1"):
        assert layer.loc[name, "flood_depth_m"] > 0
    assert v["public_flooded"] == 1 and v["residents_flooded"] == pytest.approx(8.8 + 24.2)
    # flooded land: the marsh 30 × 20 cells, column 9 (30 cells) and the 2 built beach cells,
    # not the rest of the beach (foreshore)
    assert v["flooded_ha"] == pytest.approx(632 * 1.44, rel=0.02)
    assert v["damage_event_meur"] > 0 and v["ead_meur"] > 0
    assert isinstance(r.layers["flood"], xr.DataArray)
    # deepest land cell: the built beach cells at 0.5 m (the sea and the unbuilt foreshore
    # cells are out of the flood layer)
    assert float(r.layers["flood"].max()) == pytest.approx(v["water_level_m"] - 0.5, abs=1e-4)
    assert r.layers["communes"]["residents_exposed"].sum() == pytest.approx(
        v["residents_exposed"])
    assert r.synthetic_inputs == ("buildings",)
    # a dike above the water level on the shoreline removes the flood behind it
    d = _run(toy, horizon=2050, dike_crest_m=6.0).values
    assert d["flooded_ha"] < 0.05 * v["flooded_ha"] and d["residents_flooded"] == 0
    assert d["option_cost_meur"] > 0 and d["option_benefit_meur"] > 0
    # a dike below the water level is overtopped: nothing changes
    low = _run(toy, horizon=2050, dike_crest_m=1.0).values
    assert low["flooded_ha"] == pytest.approx(v["flooded_ha"])


def test_model_levers_move_the_right_way(toy):
    base = _run(toy, horizon=2050).values
    later = _run(toy, horizon=2100).values
    assert later["retreat_median_m"] > base["retreat_median_m"]
    assert later["water_level_m"] > base["water_level_m"]
    assert later["retreat_band_ha"] > base["retreat_band_ha"]
    rare = _run(toy, horizon=2050, return_period=1000).values
    assert rare["damage_event_meur"] > base["damage_event_meur"]
    high = _run(toy, horizon=2100, sea_level_option="high_end").values
    assert high["slr_m"] > later["slr_m"]
    nour = _run(toy, horizon=2100, nourishment_pct=80).values
    assert nour["retreat_median_m"] < later["retreat_median_m"]
    # (its benefit may be negative here: a home saved from erosion on a beach then floods)
    assert nour["option_cost_meur"] > 0 and np.isfinite(nour["option_benefit_meur"])
    assert nour["residents_retreat"] <= later["residents_retreat"]
    rel = _run(toy, horizon=2050, relocate_dwellings=10).values
    assert rel["relocated_dwellings"] >= 10 and rel["residents_exposed"] < \
        base["residents_exposed"]
    assert rel["relocation_land_ha"] == pytest.approx(rel["relocated_dwellings"] / 20)
    sb = _run(toy, horizon=2050, setback_m=200).values
    assert sb["homes_avoided"] > 0 and sb["setback_band_ha"] > 0


def test_model_bad_input(toy, tmp_path):
    import rioxarray  # noqa: F401

    from twin_core.models.registry import get_model
    from twin_core.territory import Territory

    model = get_model("coast.risk")
    scen = model.scenario_class()
    assert model.validate(toy, scen) == []
    # a DEM that does not cover the coast
    root = _write_territory(tmp_path / "far")
    far = gpd.read_file(root / "erosion.gpkg")
    far["geometry"] = far.translate(50_000, 0)
    far.to_file(root / "erosion.gpkg")
    problems = model.validate(Territory.load(root), scen)
    assert [p.code for p in problems] == ["dem_not_covering_coast"]
    assert "2 of 2" in str(problems[0])
    # a coast layer in another CRS
    root = _write_territory(tmp_path / "crs")
    gpd.read_file(root / "erosion.gpkg").to_crs("EPSG:4326").to_file(root / "erosion.gpkg")
    with pytest.raises(TwinInputError) as err:
        model.run(Territory.load(root), scen)
    assert err.value.code == "wrong_crs" and "erosion" in str(err.value)
    # a DEM with a nodata hole inside the area
    root = _write_territory(tmp_path / "hole")
    dem = rioxarray.open_rasterio(root / "dem.tif", masked=True).squeeze("band", drop=True)
    dem.values[20:22, 20:22] = np.nan
    dem.load().rio.to_raster(root / "dem.tif")
    with pytest.raises(TwinInputError) as err:
        model.run(Territory.load(root), scen)
    assert err.value.code == "nodata_holes"
    # a dike line outside the territory
    root = _write_territory(tmp_path / "dike")
    manifest = json.loads((root / "territory.json").read_text("utf-8"))
    manifest["layers"]["dikes"] = {"path": "dikes.gpkg", "kind": "vector", "source": "test"}
    (root / "territory.json").write_text(json.dumps(manifest), "utf-8")
    gpd.GeoDataFrame({"crest_m": [5.0]}, geometry=[LineString([(0, 0), (100, 100)])],
                     crs="EPSG:2154").to_file(root / "dikes.gpkg")
    problems = model.validate(Territory.load(root), scen)
    assert [p.code for p in problems] == ["dike_outside"]


# -- the sample territory ----------------------------------------------------------------------
def test_model_on_sample_territory():
    from twin_core.indicators import compute_all
    from twin_core.territory import Territory

    assert (DATA / "territory.json").exists(), \
        "data/coast/territory.json is missing: the sample territories are committed (make data)"
    territory = Territory.load("coast")
    r2050 = _run(territory, horizon=2050)
    r2100 = _run(territory, horizon=2100)
    ind50, ind100 = compute_all(r2050), compute_all(r2100)
    for key in ("coast.slr_m", "coast.retreat_median_m", "coast.residents_exposed",
                "coast.flooded_ha", "coast.ead_meur"):
        assert np.isfinite(ind50[key]) and np.isfinite(ind100[key])
    assert ind100["coast.slr_m"] > ind50["coast.slr_m"]
    assert ind100["coast.retreat_median_m"] > ind50["coast.retreat_median_m"]
    assert ind100["coast.residents_exposed"] >= ind50["coast.residents_exposed"]
    assert ind100["coast.dwellings_retreat"] >= ind50["coast.dwellings_retreat"]
    series = r2100.series
    assert series["year"].iloc[0] == 2025 and series["year"].iloc[-1] == 2100
    assert np.all(np.diff(series["slr_m"]) > 0)
    assert r2050.layers["communes"].crs == "EPSG:2154"


# -- storm levels per reach and their sources ---------------------------------------------------
def test_estuary_levels_differ_by_reach_as_storm_martin():
    from twin_core.models.coast.submersion import MARTIN_1999_SURGE_M, reach_levels

    # storm Martin 1999 (Smiddest): surge +1.55 m Le Verdon, +2.32 m Ambès, +2.25 m Bordeaux
    lv = reach_levels(100)
    assert lv["ocean"] == pytest.approx(lv["le_verdon"])
    assert lv["le_verdon"] < lv["pauillac"] < lv["ambes"]
    surge = lv["le_verdon"] - 2.4
    assert (lv["ambes"] - 2.4) / surge == pytest.approx(
        MARTIN_1999_SURGE_M["ambes"] / MARTIN_1999_SURGE_M["le_verdon"], abs=0.01)
    assert (lv["bordeaux"] - 2.4) / surge == pytest.approx(
        MARTIN_1999_SURGE_M["bordeaux"] / MARTIN_1999_SURGE_M["le_verdon"], abs=0.05)
    # no gradient when the ratio is 1; sea-level rise lifts every reach alike
    flat = reach_levels(100, estuary_surge_ratio=1.0)
    assert len({round(v, 9) for v in flat.values()}) == 1
    up = reach_levels(100, slr=0.5)
    assert all(up[k] == pytest.approx(lv[k] + 0.5) for k in lv)


def test_every_level_term_has_a_source_or_is_a_named_assumption():
    from twin_core.indicators import all_indicators
    from twin_core.models.coast.submersion import LEVEL_SOURCES
    from twin_core.models.registry import discover

    discover()
    ev = all_indicators()["coast.water_level_m"].evidence
    flood = all_indicators()["coast.flooded_ha"].evidence
    assert ev.level == "assumption" and {"high_water_m", "surge_10yr"} <= set(ev.assumptions)
    for name, (level, source) in LEVEL_SOURCES.items():
        assert level in ("observed", "assumption") and len(source) > 20, name
        if level == "assumption":
            assert name in ev.assumptions and name in flood.assumptions, name
        else:
            assert source in ev.source and source in flood.source, name
    # the datum is stated once: levels, crests and the DEM in m above mean sea level
    assert "mean sea level" in ev.source and "datum" in ev.assumptions


def test_model_levels_rise_upstream_on_sample_territory():
    from twin_core.territory import Territory

    r = _run(Territory.load("coast"), horizon=2050)
    v = r.values
    assert v["water_level_upstream_m"] - v["water_level_m"] == pytest.approx(
        1.0 * (1.497 - 1.0), abs=0.01)  # 100-yr surge 1.0 m × (Martin ratio − 1)
    flat = _run(Territory.load("coast"), horizon=2050, estuary_surge_ratio=1.0)
    assert flat.values["flooded_ha"] < v["flooded_ha"]
    assert flat.values["water_level_upstream_m"] == pytest.approx(flat.values["water_level_m"])


# -- uncertainty --------------------------------------------------------------------------------
def test_ensemble_draws_slr_within_ar6_likely_range_and_keeps_a_zero_storm():
    from twin_core.ensemble import uncertainties
    from twin_core.models.coast.model import CoastScenario
    from twin_core.models.coast.sea_level import sea_level_in_likely_range

    # position ±1 gives the AR6 likely bounds on the SSP pathways (SPM B.5.3)
    for (ssp, year), (lo, hi) in AR6_LIKELY_M.items():
        gwl = {("SSP1-1.9", 2050): 1.6, ("SSP1-1.9", 2100): 1.4,
               ("SSP5-8.5", 2050): 2.4, ("SSP5-8.5", 2100): 4.4}[(ssp, year)]
        assert sea_level_in_likely_range(year, gwl, -1.0) == pytest.approx(lo)
        assert sea_level_in_likely_range(year, gwl, 1.0) == pytest.approx(hi)
        assert sea_level_in_likely_range(year, gwl, 0.0) == pytest.approx(
            sea_level_rise(year, gwl))
    rng = np.random.default_rng(1)
    by = {u.param: u for u in uncertainties("coast.risk")}
    s = CoastScenario()
    pos = by["slr_likely_position"].sample(s, rng, 500)
    assert pos.min() >= -1 and pos.max() <= 1 and pos.min() < -0.9 and pos.max() > 0.9
    # Martin 1999 range for the estuary ratio: 1.45 (Bordeaux) - 2.04 (above normal high tide)
    ratio = by["estuary_surge_ratio"].sample(s, rng, 500)
    assert ratio.min() >= 1.44 and ratio.max() <= 2.04
    # a storm retreat set to 0 stays 0; at 20 m the draws stay within 10-30 m (OCA 2016 ≈ 20 m)
    assert np.all(by["event_retreat_m"].sample(CoastScenario(event_retreat_m=0.0), rng, 50) == 0)
    ev = by["event_retreat_m"].sample(s, rng, 500)
    assert ev.min() >= 10 and ev.max() <= 30
