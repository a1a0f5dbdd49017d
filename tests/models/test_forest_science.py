"""Forest science of issue 13: EU-Trees4F suitability, terrain (lapse rate), both humidity
bounds of the fire danger, and the national dieback fit with its skill rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin_core import runs
from twin_core.models.forest import dieback as db
from twin_core.models.forest import dieback_national as dn
from twin_core.models.forest import eutrees as et
from twin_core.models.forest import suitability as su
from twin_core.models.forest import weather as wx
from twin_core.models.registry import get_model

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(scope="module")
def forest():
    return runs.territory("forest")


def test_warming_levels_map_to_the_nearest_eu_trees4f_layer():
    # TRACC France +2.0 / +2.7 / +4.0 °C ↔ world +1.5 / +2.0 / +3.0 °C
    assert et.layer_for(2.0) == "rcp85_fut2035"  # 1.58 °C global
    assert et.layer_for(2.7) == "rcp45_fut2065"  # 2.11 °C
    assert et.layer_for(4.0) == "rcp85_fut2065"  # 3.09 °C
    assert et.layer_for(1.1) == "cur2005"
    levels = [et.LAYER_GLOBAL_WARMING[et.layer_for(w)] for w in np.arange(1.0, 6.0, 0.1)]
    assert levels == sorted(levels) or all(np.diff(levels) > -0.4)  # monotone but for 2095/4.5


def test_beech_falls_at_plus_4_in_the_mediterranean_part(forest):
    table = forest.layer("eu_trees4f")
    beech = table[table["species"] == "Fagus_sylvatica"]
    south = beech["lat"] < 43.9  # the lower Var and Estéron: the Mediterranean part
    now = beech[(beech["layer"] == et.layer_for(2.0)) & south]
    hot = beech[(beech["layer"] == et.layer_for(4.0)) & south]
    assert len(now) == len(hot) > 3
    assert hot["prob"].mean() < now["prob"].mean()
    # the candidate beech: more of the massif unsuitable at +4 than at +2 °C
    stands = runs.territory("forest").layer("stands").geometry.representative_point()
    ll = stands.to_crs(4326)
    s2 = et.group_status(table, "beech", et.layer_for(2.0), ll.x.to_numpy(), ll.y.to_numpy())[0]
    s4 = et.group_status(table, "beech", et.layer_for(4.0), ll.x.to_numpy(), ll.y.to_numpy())[0]
    assert (s4 == "unsuitable").sum() > (s2 == "unsuitable").sum()


def test_eu_trees4f_indicator_rises_with_warming(forest):
    m = get_model("forest.climate_risk")
    S = m.scenario_class
    w2 = m.run(forest, S(warming_source="custom", custom_warming=2.0)).values
    w4 = m.run(forest, S(warming_source="custom", custom_warming=4.0)).values
    assert w2["eutrees_area_ha"] > 500  # fir, spruce and beech stands covered
    assert w4["eutrees_unsuitable_pct"] > w2["eutrees_unsuitable_pct"]


def test_lapse_rate_replaces_the_cap_where_there_is_terrain():
    t = np.array([12.0, 12.0, 12.0])
    groups = np.array(["scots_pine"] * 3, dtype=object)  # Tmax 12 °C in the envelope table
    out, anchored = su.stand_temperature(t, groups, 1.5, np.array([1000.0, -200.0, np.nan]))
    assert out[0] == pytest.approx(12.0 - su.LAPSE_C_PER_M * 1000.0)  # 1,000 m higher: -5.6 °C
    assert out[1] == pytest.approx(12.0 + su.LAPSE_C_PER_M * 200.0)  # lower: warmer
    assert out[2] == pytest.approx(10.5) and anchored.tolist() == [False, False, True]


def test_the_forest_sample_lies_inside_its_dem(forest):
    stands = forest.layer("stands")
    from twin_core.models.forest.model import _prepare

    st = _prepare(forest)[0]
    covered = st["elevation_offset_m"].notna()
    # the SRTM tile stops at 44° N: the northern tips of 4 communes have no terrain, there the
    # documented cap applies (and only there)
    assert covered.mean() > 0.9
    r = get_model("forest.climate_risk").run(forest, get_model(
        "forest.climate_risk").scenario_class())
    anchored = r.layers["stands"]["anchored"].to_numpy(bool)
    assert not (anchored & covered.to_numpy()).any()
    assert r.values["anchored_pct"] < 5.0
    assert forest.layer("dem").rio.crs.to_epsg() == 2154
    # stands higher than their commune's mean elevation are colder
    assert np.corrcoef(st.loc[covered, "elevation_m"], st.loc[covered, "elevation_offset_m"]
                       )[0, 1] > 0.3
    assert len(stands) == len(st)


def test_both_humidity_bounds():
    days = pd.date_range("2024-07-01", periods=3, freq="D")
    w = pd.DataFrame({"temp": [25.0, 30.0, 20.0], "rh": [40.0, 30.0, 60.0],
                      "wind": [10.0] * 3, "rain": [0.0] * 3, "month": [7] * 3}, index=days)
    rh = wx.shift_weather_many(w, np.array([0.0, 2.0]), humidity="rh")
    dew = wx.shift_weather_many(w, np.array([0.0, 2.0]), humidity="dew_point")
    np.testing.assert_allclose(rh["rh"][:, 1], w["rh"])  # relative humidity held
    assert np.all(dew["rh"][:, 1] < w["rh"])  # dew point held: drier air (≈ 6 %/°C)
    assert np.allclose(dew["rh"][:, 1] / w["rh"], 0.88, atol=0.015)
    with pytest.raises(ValueError):
        wx.shift_weather_many(w, np.array([1.0]), humidity="both")


def test_dieback_effects_must_have_the_expected_signs():
    rng = np.random.default_rng(0)
    n = 4000
    t, p = rng.normal(11, 2, n), rng.normal(900, 150, n)
    # a strong relation the wrong way round: warmer → LESS dieback
    y = (rng.random(n) < 1 / (1 + np.exp(-(-0.8 * (t - 11))))).astype(int)
    fit = db.fit_logistic(np.column_stack([t, p]), y)
    assert fit.cv_auc > 0.65  # skilful...
    assert not fit.effects_clear and not fit.skill().finding  # ...but not physical: not used
    y2 = (rng.random(n) < 1 / (1 + np.exp(-(0.8 * (t - 11) - 0.01 * (p - 900))))).astype(int)
    good = db.fit_logistic(np.column_stack([t, p]), y2)
    assert good.skill().finding
    # with skill, a hotter and drier plot is never less at risk
    pr = good.predict(np.array([[10.0, 900.0], [12.0, 900.0], [12.0, 700.0]]))
    assert pr[0] < pr[1] < pr[2]


def test_stored_national_dieback_fit_is_what_the_code_computes(forest):
    stored = dn.load(forest.root / forest.manifest["fits"]["dieback_national"])
    fresh = dn.fit_national(SHARED)
    assert fresh["n"] == stored["n"] > 90_000
    np.testing.assert_allclose(fresh["coef"], stored["coef"], rtol=1e-6)
    assert fresh["cv_auc"] == pytest.approx(stored["cv_auc"], abs=1e-9)
    assert fresh["lapse_corrected_plots"] == stored["lapse_corrected_plots"] > 1000
    # the model uses the national fit: its skill is the stored one, and without skill the
    # dieback indicators are not computed
    r = get_model("forest.climate_risk").run(forest, get_model(
        "forest.climate_risk").scenario_class())
    assert r.fits["dieback"].n == stored["n"]
    assert r.fits["dieback"].finding == (stored["cv_auc"] >= 0.6 and stored["effects_clear"]
                                         and stored["signs_as_expected"])


def test_the_schedule_never_exceeds_the_annual_cap():
    from twin_core.models.forest import plan as pl

    rng = np.random.default_rng(5)
    area = rng.uniform(1, 60, 40)
    gain = rng.uniform(-0.2, 1, 40)
    chosen = pl.plan_cut_replant(area, gain, 4500.0, 5e6, 30.0 * 8)
    cuts = pl.schedule(area, gain, chosen, 30.0, 2025, 8)
    per_year = cuts.groupby("year")["area_ha"].sum()
    assert per_year.max() <= 30.0 + 1e-9 and per_year.index.max() <= 2032
    # every chosen stand is cut in full, nothing else
    done = cuts.groupby("stand")["area_ha"].sum()
    np.testing.assert_allclose(done.to_numpy(), area[done.index.to_numpy()], atol=1e-6)
    assert set(done.index) == set(np.flatnonzero(chosen))


def test_a_fresh_cut_does_not_get_the_mature_fuel():
    from twin_core.models.forest import fire_spread as fs
    from twin_core.models.forest import plan as pl

    fuels = pl.fuel_after_cut("TL3", np.array([-1, 0, 2, 3, 12, 13, 30]), 10.0)
    assert fuels.tolist() == ["", "SB2", "SB2", "GS2", "GS2", "TL3", "TL3"]
    ros = fs.rothermel_max_spread(np.array(["SB2", "GS2", "TL3"], dtype=object),
                                  *fs.MOISTURE_SCENARIOS["D1L1"],
                                  fs.wind_to_midflame(20.0, 0.4), 0.0)
    assert ros[0] > ros[2] and ros[1] > ros[2]  # slash and regrowth burn faster than litter


def test_plan_effects_follow_the_schedule(forest):
    m = get_model("forest.climate_risk")
    S = m.scenario_class
    r = m.run(forest, S(budget_keur=2000.0, annual_cap_ha=50.0))
    v = r.values
    assert v["plan_max_year_ha"] <= 50.0 + 1e-6
    # the slash years are worse than before the plan; the peak is at least the horizon value
    assert v["fire_exposed_peak_ha"] >= max(v["fire_exposed_ha"], v["fire_exposed_after_plan_ha"])
    cut_years = r.layers["plan"]["cut_year"]
    assert cut_years.between(2025, 2025 + S().plan_years - 1).all()


def test_tree_carbon_uses_ipcc_expansion_and_root_factors():
    from twin_core.models.forest import plan as pl

    # 150 m³/ha of pine: BCEF_S 0.55 (Mediterranean conifers > 80 m³/ha) → AGB 82.5 t/ha,
    # R 0.29 (temperate conifers, AGB 50-150 t/ha): 82.5 × 1.29 × 0.47 × 44/12 t CO2/ha
    pine = pl.stand_carbon_tco2_per_ha(np.array(["scots_pine"], dtype=object), 150.0)[0]
    assert pine == pytest.approx(82.5 * 1.29 * 0.47 * 44 / 12)
    # beech: BCEF_S 0.66 → AGB 99 t/ha, R 0.23 (broadleaves 75-150 t/ha)
    beech = pl.stand_carbon_tco2_per_ha(np.array(["beech"], dtype=object), 150.0)[0]
    assert beech == pytest.approx(99.0 * 1.23 * 0.47 * 44 / 12)


def _station_territory(tmp_path, forest, years: dict[int, float]):
    """A copy of the forest sample with a Météo-France daily station file (one year per key,
    the real Nice 2024 noon weather shifted by the value in °C)."""
    import json
    import shutil

    from twin_core.models.forest.model import _baseline_weather
    from twin_core.territory import Territory

    root = tmp_path / "forest_station"
    shutil.copytree(forest.root, root)
    nice = _baseline_weather(forest)
    rows = []
    for year, dt in years.items():
        for day, w in nice.iterrows():
            if day.month == 2 and day.day == 29:
                continue
            rows.append({"NUM_POSTE": "06088001", "AAAAMMJJ": f"{year}{day:%m%d}",
                         "LAT": 43.648, "RR": round(w["rain"], 1),
                         "TX": round(w["temp"] + dt, 1), "FFM": round(w["wind"] / 3.6, 2),
                         "UN": round(w["rh"])})
    pd.DataFrame(rows).to_csv(root / "weather_station.csv", sep=";", index=False)
    manifest = json.loads((root / "territory.json").read_text("utf-8"))
    manifest["layers"]["weather_station"] = {
        "path": "weather_station.csv", "kind": "table", "sep": ";", "synthetic": False,
        "source": "test: Météo-France daily layout", "description": "station file"}
    (root / "territory.json").write_text(json.dumps(manifest), "utf-8")
    return Territory.load(root)


def test_a_station_file_with_several_years_sets_the_fire_baseline(tmp_path, forest):
    m = get_model("forest.climate_risk")
    s = m.scenario_class()
    both = m.run(_station_territory(tmp_path / "a", forest, {2021: 0.0, 2022: 2.0}), s)
    one = m.run(_station_territory(tmp_path / "b", forest, {2021: 0.0}), s)
    hot = m.run(_station_territory(tmp_path / "c", forest, {2022: 2.0}), s)
    assert both.notes["fire_weather"] == "Météo-France station 06088001, 2021-2022 (2 years)"
    for key in ("days_fwi_threshold_present", "days_fwi_threshold", "days_fwi_threshold_rh"):
        assert both.values[key] == pytest.approx((one.values[key] + hot.values[key]) / 2)
    assert hot.values["days_fwi_threshold_present"] > one.values["days_fwi_threshold_present"]
    from twin_core.indicators import all_indicators

    tip = all_indicators()["forest.days_fwi_threshold"].assess(both).tooltip("fr")
    assert "06088001, 2021-2022" in tip


def test_spread_runs_faster_up_a_30_pct_slope_with_the_wind():
    from dataclasses import replace

    from twin_core.models.forest import fire_spread as fs

    n, cell = 201, 50.0
    fuel = np.full((n, n), fs.FUEL_MODELS.index("GR2"), dtype=np.int16)
    flat = fs.FuelGrid(fuel=fuel, stand=np.zeros((n, n), np.int32), x0=1e6, y0=6.3e6,
                       cell_m=cell)
    hill = replace(flat, slope=np.full((n, n), 0.3), upslope_az=np.zeros((n, n)))  # rises N
    x, y = 1e6 + 100.5 * cell, 6.3e6 - 100.5 * cell
    moist = fs.MOISTURE_SCENARIOS["D1L1"]
    up = fs.simulate_fire(hill, x, y, moist, 1.0, 180.0, 120.0)  # wind from S: blows upslope
    down = fs.simulate_fire(hill, x, y, moist, 1.0, 0.0, 120.0)  # wind from N: downslope
    f = fs.simulate_fire(flat, x, y, moist, 1.0, 180.0, 120.0)
    assert up["ros_ignition_m_min"] > f["ros_ignition_m_min"] > down["ros_ignition_m_min"]
    assert up["burnt_ha"] > f["burnt_ha"]
    rows = np.where(np.isfinite(up["arrival_min"]).any(axis=1))[0]
    assert 100 - rows.min() > rows.max() - 100  # the head runs north, upslope


def test_with_terrain_reads_slope_and_aspect_from_a_dem():
    import rioxarray  # noqa: F401
    import xarray as xr

    from twin_core.models.forest import fire_spread as fs

    n, cell = 40, 50.0
    xs = 1e6 + (np.arange(n) + 0.5) * cell
    ys = 6.3e6 - (np.arange(n) + 0.5) * cell
    z = 0.2 * (xs[None, :] - xs[0]) + 0.0 * ys[:, None]  # 20 % slope rising to the east
    dem = xr.DataArray(z, coords={"y": ys, "x": xs}, dims=("y", "x")).rio.write_crs(2154)
    grid = fs.FuelGrid(fuel=np.zeros((n, n), np.int16), stand=np.zeros((n, n), np.int32),
                       x0=1e6, y0=6.3e6, cell_m=cell)
    t = fs.with_terrain(grid, dem)
    inner = (slice(5, -5), slice(5, -5))
    np.testing.assert_allclose(t.slope[inner], 0.2, atol=1e-6)
    np.testing.assert_allclose(t.upslope_az[inner], 90.0, atol=1e-6)


def test_the_sample_fire_sees_the_terrain(forest):
    from twin_core.models.forest.model import _fuel_grid

    grid = _fuel_grid(forest)
    burnable = grid.fuel >= 0
    slope = grid.slope[burnable]
    assert np.isfinite(slope).mean() > 0.9  # the SRTM tile covers the massif
    assert np.nanmedian(slope) > 0.2  # Alpes-Maritimes valleys: steep


def test_cards_say_where_there_is_no_terrain(forest):
    from twin_core.indicators import all_indicators

    r = get_model("forest.climate_risk").run(forest, get_model(
        "forest.climate_risk").scenario_class())
    note = r.notes["terrain"]
    share = int(note.split("under ")[1].split("%")[0])
    assert 90 <= share < 100  # the northern tips beyond 44° N have no DEM
    assert "flat terrain" in all_indicators()["forest.burnt_area_ha"].assess(r).tooltip("en")
