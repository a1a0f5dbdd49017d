"""Forest fire spread: Rothermel (1972) with the Scott & Burgan (2005) fuel models against the
BehavePlus 5 reference table, physical sense, bad input, and the grid spread."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin_core.errors import TwinInputError
from twin_core.models.forest import fire_spread as fs
from twin_core.models.forest.fire_spread import rothermel_max_spread
from twin_core.validation.reference import reference_table

ROTHERMEL_TABLE = reference_table("rothermel_behaveplus5_subset")
DATA = Path(__file__).resolve().parents[2] / "data" / "forest"
# Reference README: validated implementations agree within 0.1 ch/h without wind, 0.3 with wind
# (measured here: ≤ 0.05 ch/h without wind, ≤ 0.07 with wind and slope).
TOL_NO_WIND, TOL_WIND = 0.1, 0.3
DRY = dict(m1h=0.04, m10h=0.04, m100h=0.06, m_herb=0.75, m_woody=0.70)  # reference "mid" set


def _reference_rows():
    ref = pd.read_csv(ROTHERMEL_TABLE)
    assert len(ref) >= 30, f"{ROTHERMEL_TABLE} holds {len(ref)} rows, expected the 6 x 5 table"
    return [pytest.param(row, id=f"{row.scenario}-{row.fuel_model}")
            for row in ref.itertuples(index=False)]


# BehavePlus 5 produced the reference table WITH Rothermel's 0.9 × I_R wind limit: that setting
# is checked against it; the default (no limit, Andrews, Cruz & Rothermel 2013) below.
BP5_LIMIT = "rothermel_1972"


@pytest.mark.parametrize("row", _reference_rows())
def test_rothermel_reproduces_behaveplus5_row(row):
    herb = {"dry": 0.30, "mid": 0.75}[row.moisture_set]
    # the API angle: where the wind blows TOWARD vs upslope = wind-from minus aspect
    angle = 0.0 if np.isnan(row.aspect_deg) else (row.wind_dir_deg - row.aspect_deg) % 360.0
    ros = rothermel_max_spread(row.fuel_model, 0.04, 0.04, 0.06, herb, 0.70,
                               row.midflame_wind_mph * fs.MPH_TO_M_PER_S, row.slope_pct / 100.0,
                               wind_from_upslope_deg=angle, wind_limit=BP5_LIMIT)
    tol = TOL_WIND if row.midflame_wind_mph > 0 else TOL_NO_WIND
    assert ros / fs.CH_PER_H_TO_M_PER_MIN == pytest.approx(row.ros_max_ch_per_h, abs=tol)
    fire = fs.rothermel_surface(row.fuel_model, 0.04, 0.04, 0.06, herb, 0.70,
                                row.midflame_wind_mph * fs.MPH_TO_M_PER_S,
                                row.slope_pct / 100.0, angle, wind_limit=BP5_LIMIT)
    if not np.isnan(row.reaction_intensity_btu_ft2_min):
        assert float(fire.reaction_intensity_btu_ft2_min) == pytest.approx(
            row.reaction_intensity_btu_ft2_min, rel=0.005)
    if not np.isnan(row.phi_w):
        assert float(fire.phi_w) == pytest.approx(row.phi_w, abs=0.06)
        assert float(fire.phi_s) == pytest.approx(row.phi_s, abs=0.06)
    if not np.isnan(row.effective_wind_mph):
        assert float(fire.effective_wind_mph) == pytest.approx(row.effective_wind_mph, abs=0.1)
    if not np.isnan(row.length_to_width):
        assert float(fire.length_to_width) == pytest.approx(row.length_to_width, abs=0.1)


@pytest.mark.parametrize("row", _reference_rows())
def test_without_wind_limit_behaveplus_rows_hold_where_the_limit_does_not_bind(row):
    """Default setting (no wind limit): where BehavePlus 5's 0.9 I_R limit did not bind, the
    same rate to the same tolerance; where it bound (TL3 with 10 mi/h), a faster, longer fire
    whose effective wind is the uncapped one."""
    herb = {"dry": 0.30, "mid": 0.75}[row.moisture_set]
    angle = 0.0 if np.isnan(row.aspect_deg) else (row.wind_dir_deg - row.aspect_deg) % 360.0
    args = (row.fuel_model, 0.04, 0.04, 0.06, herb, 0.70,
            row.midflame_wind_mph * fs.MPH_TO_M_PER_S, row.slope_pct / 100.0, angle)
    free = fs.rothermel_surface(*args)
    capped = fs.rothermel_surface(*args, wind_limit=BP5_LIMIT)
    limit_mph = 0.9 * float(free.reaction_intensity_btu_ft2_min) / 88.0
    tol = TOL_WIND if row.midflame_wind_mph > 0 else TOL_NO_WIND
    if float(free.effective_wind_mph) <= limit_mph:
        assert float(free.ros_max_ch_h) == pytest.approx(row.ros_max_ch_per_h, abs=tol)
        assert float(free.ros_max_m_min) == float(capped.ros_max_m_min)
    else:
        assert row.fuel_model == "TL3"
        assert float(free.ros_max_ch_h) > row.ros_max_ch_per_h + tol
        assert float(free.length_to_width) > float(capped.length_to_width)
        assert float(free.effective_wind_mph) > limit_mph == pytest.approx(
            float(capped.effective_wind_mph))


def test_wind_limit_settings_order_and_physical_sense():
    codes = np.array(fs.FUEL_MODELS, dtype=object)[:, None]
    winds = np.array([0.0, 1.0, 2.0, 4.0, 8.0, 16.0])[None, :]
    ros = {lim: fs.rothermel_max_spread(codes, **DRY, midflame_wind=winds, slope=0.0,
                                        wind_limit=lim) for lim in fs.WIND_LIMITS}
    # without a limit the rate rises strictly with wind for every fuel model
    assert np.all(np.diff(ros["none"], axis=1) > 0)
    # any limit only ever lowers the rate; without wind or slope none of them acts
    for lim in fs.WIND_LIMITS:
        assert np.all(ros[lim] <= ros["none"] * (1 + 1e-12))
        assert np.array_equal(ros[lim][:, 0], ros["none"][:, 0])
    # the 1972 limit flattens some low-intensity litters at 16 m/s midflame wind; the revised
    # limit is less restrictive than 0.9 I_R below I_R ≈ 1,116 Btu/ft²/min
    assert np.any(ros["rothermel_1972"][:, -1] < ros["none"][:, -1])
    ir = fs.rothermel_surface(codes[:, 0], **DRY, midflame_wind=0.0,
                              slope=0.0).reaction_intensity_btu_ft2_min
    low = ir < (96.8 / 0.9) ** 1.5
    assert np.all(ros["revised_2013"][low] >= ros["rothermel_1972"][low] * (1 - 1e-12))
    # the head rate never exceeds the effective midflame wind under "spread_le_wind"
    fire = fs.rothermel_surface(codes, **DRY, midflame_wind=winds, slope=0.0,
                                wind_limit="spread_le_wind")
    u_ft_min = fire.effective_wind_mph * 88.0
    ros_ft_min = fire.ros_max_m_min / fs.FT_PER_MIN_TO_M_PER_MIN
    assert np.all(ros_ft_min[:, 1:] <= u_ft_min[:, 1:] * (1 + 1e-9))
    with pytest.raises(TwinInputError):
        fs.rothermel_max_spread("GR2", **DRY, midflame_wind=1.0, slope=0.0, wind_limit="0.9")


def test_spread_rises_with_wind_and_slope_for_every_fuel_model():
    codes = np.array(fs.FUEL_MODELS, dtype=object)
    winds = np.array([0.0, 1.0, 2.0, 4.0, 8.0])
    ros_w = fs.rothermel_max_spread(codes[:, None], **DRY, midflame_wind=winds[None, :],
                                    slope=0.0)
    assert np.all(ros_w > 0)
    assert np.all(np.diff(ros_w, axis=1) >= -1e-9)
    assert np.all(ros_w[:, 2] > ros_w[:, 0])
    slopes = np.array([0.0, 0.2, 0.5, 1.0])
    ros_s = fs.rothermel_max_spread(codes[:, None], **DRY, midflame_wind=0.0,
                                    slope=slopes[None, :])
    assert np.all(np.diff(ros_s, axis=1) > 0)
    # wind across the slope spreads slower than wind straight upslope, faster than downslope
    up, cross, down = (fs.rothermel_max_spread("TU5", **DRY, midflame_wind=3.0, slope=0.3,
                                               wind_from_upslope_deg=a) for a in (0, 90, 180))
    assert up > cross > down > 0


def test_wetter_fuel_spreads_slower_and_saturated_dead_fuel_does_not_burn():
    wet = [fs.rothermel_max_spread("SH5", m, m + 0.01, m + 0.02, 0.6, 0.9, 2.0, 0.0)
           for m in (0.03, 0.06, 0.09, 0.12)]
    assert np.all(np.diff(wet) < 0)
    # above the dead extinction moisture (SH5: 15 %) of every dead class: no spread
    assert fs.rothermel_max_spread("SH5", 0.3, 0.3, 0.3, 0.6, 0.9, 2.0, 0.0) == 0.0


def test_fuel_model_table_is_scott_burgan_2005():
    tab = fs.fuel_models()
    assert len(tab) == 40
    # spot values of RMRS-GTR-153 Table 7
    assert tab.loc["GR2", "load_herb_t_ac"] == 1.0 and tab.loc["GR6", "heat_btu_lb"] == 9000
    assert tab.loc["SH5", "sav_1h_ft"] == 750 and tab.loc["TU4", "mx_dead_pct"] == 12
    assert tab.loc["SB1", "load_100h_t_ac"] == 11.0 and tab.loc["TL8", "load_1h_t_ac"] == 5.8
    assert set(fs.GROUP_FUEL_MODEL.values()) <= set(tab.index)


@pytest.mark.parametrize("kwargs, code", [
    (dict(fuel_model="XX9"), "forest_unknown_fuel_model"),
    (dict(m1h=0.9), "forest_bad_moisture"),
    (dict(m_woody=-0.1), "forest_bad_moisture"),
])
def test_bad_input_gives_a_clear_message(kwargs, code):
    args = dict(fuel_model="GR2", m1h=0.06, m10h=0.07, m100h=0.08, m_herb=0.6, m_woody=0.9,
                midflame_wind=1.0, slope=0.0)
    args.update(kwargs)
    with pytest.raises(TwinInputError) as err:
        fs.rothermel_max_spread(**args)
    assert err.value.code == code
    assert "{" not in err.value.message("fr") and "{" not in err.value.message("en")


def test_grid_spread_is_an_ellipse_with_the_head_downwind():
    ros = np.full((201, 201), 2.0)  # m/min
    t = fs.spread_grid(ros, 3.0, 90.0, (100, 100), duration_min=300.0, cell_m=10.0)
    burnt = np.isfinite(t)
    rows, cols = np.nonzero(burnt)
    head_m = (cols.max() - 100) * 10.0
    back_m = (100 - cols.min()) * 10.0
    assert head_m == pytest.approx(2.0 * 300.0, abs=20.0)  # R × t toward the east
    ecc = np.sqrt(8.0) / 3.0
    assert back_m == pytest.approx(2.0 * (1 - ecc) / (1 + ecc) * 300.0, abs=20.0)
    width = (rows.max() - rows.min()) * 10.0
    assert width == pytest.approx((head_m + back_m) / 3.0, rel=0.25)
    # arrival times increase away from the ignition and never exceed the duration
    assert t[100, 100] == 0.0 and t[100, 130] > t[100, 110] and np.nanmax(t[burnt]) <= 300.0


# Burnt area on uniform fuel and wind vs the model's own ellipse (BehavePlus SIZE module:
# π/4 × length × width, length = forward + backing spread, width = length / LW; Andrews 2018,
# RMRS-GTR-371, after Anderson 1983): within 5 % (issue 13). Measured: ≤ 0.5 %; the former
# 16-neighbour graph gave −3 % (L/W 1) to −51 % (L/W 5, wind along a grid axis).
@pytest.mark.parametrize("wind_dir", [0.0, 22.5, 45.0, 67.5, 90.0, 30.0])
@pytest.mark.parametrize("lw", [1.0, 2.0, 3.0, 4.0, 5.0])
def test_grid_spread_burns_its_own_ellipse(lw, wind_dir):
    ros, dur, cell = 1.0, 140.0, 1.0  # the head travels 140 cells, L/W 5 is 28 cells wide
    t = fs.spread_grid(np.full((301, 301), ros), lw, wind_dir, (150, 150), dur, cell)
    burnt = np.isfinite(t).sum() * cell ** 2 / 1e4
    assert burnt == pytest.approx(float(fs.fire_ellipse(ros, lw, dur)["area_ha"]), rel=0.05)
    # the head reaches R t downwind, to the cell
    head = np.radians(wind_dir)
    far = 150 + np.array([-np.cos(head), np.sin(head)]) * (ros * dur - 3.0)
    assert np.isfinite(t[tuple(np.round(far).astype(int))])


def test_simulated_fire_on_uniform_shrub_keeps_its_ellipse():
    """SH5 (Scott & Burgan high-load dry-climate shrub), D1L1, 18 km/h, 6 h, 50 m cells: the
    issue's case; the former 16-neighbour graph burnt 8.6 % less than the ellipse here."""
    moist = fs.MOISTURE_SCENARIOS["D1L1"]
    wind = fs.wind_to_midflame(18.0, 0.3)
    fire = fs.rothermel_surface("SH5", *moist, wind, 0.0)
    n = 260  # 13 km: the head runs 6 km from the centre
    grid = fs.FuelGrid(fuel=np.full((n, n), fs.FUEL_MODELS.index("SH5"), np.int16),
                       stand=np.full((n, n), -1, np.int32), x0=0.0, y0=n * 50.0, cell_m=50.0)
    x, y = grid.center_of(n // 2, n // 2)
    ellipse = float(fs.fire_ellipse(fire.ros_max_m_min, fire.length_to_width, 360.0)["area_ha"])
    for wind_from in (0.0, 315.0, 290.0):
        out = fs.simulate_fire(grid, x, y, moist, wind, wind_from, 360.0)
        assert out["burnt_ha"] == pytest.approx(ellipse, rel=0.05)
    old = fs.simulate_fire(grid, x, y, moist, wind, 0.0, 360.0, neighbours=16)
    assert old["burnt_ha"] < 0.95 * ellipse


def _extent_along_and_across(t, cell_m, head_deg):
    rows, cols = np.nonzero(np.isfinite(t))
    east, north = cols * cell_m, -rows * cell_m
    h = np.radians(head_deg)
    along = east * np.sin(h) + north * np.cos(h)
    across = east * np.cos(h) - north * np.sin(h)
    return np.ptp(along) + cell_m, np.ptp(across) + cell_m


def test_more_wind_burns_a_longer_narrower_fire():
    moist = fs.MOISTURE_SCENARIOS["D2L2"]
    shapes = []
    for kmh in (5.0, 20.0, 40.0):
        fire = fs.rothermel_surface("GR4", *moist, fs.wind_to_midflame(kmh, 0.4), 0.0)
        t = fs.spread_grid(np.full((401, 401), float(fire.ros_max_m_min)),
                           float(fire.length_to_width), 60.0, (200, 200), 60.0, 20.0)
        length, width = _extent_along_and_across(t, 20.0, 60.0)
        shapes.append((length, width, length / width, float(fire.length_to_width)))
    lengths, ratios = [s[0] for s in shapes], [s[2] for s in shapes]
    assert np.all(np.diff(lengths) > 0) and np.all(np.diff(ratios) > 0)
    for _, _, ratio, lw in shapes:  # the burnt shape's L/W is the model's, to a cell or two
        assert ratio == pytest.approx(lw, rel=0.1)


def test_grid_spread_goes_around_an_obstacle_not_through_it():
    ros = np.full((121, 121), 2.0)
    ros[50:53, 40:81] = 0.0  # a 3-cell-thick non-burnable bar north of the ignition
    t = fs.spread_grid(ros, 1.0, 0.0, (100, 60), duration_min=600.0, cell_m=10.0)
    free = fs.spread_grid(np.full((121, 121), 2.0), 1.0, 0.0, (100, 60), 600.0, 10.0)
    # right behind the bar the fire comes later than in the open (it has to go round)
    behind = t[45, 60]
    assert np.isfinite(behind) and behind > free[45, 60] * 1.05
    # and no earlier than the path round the bar's end: ignition → corner → cell
    corner = np.hypot(100 - 51, 81 - 60) + np.hypot(51 - 45, 81 - 60)
    assert behind >= corner * 10.0 / 2.0 * 0.99
    assert not np.isfinite(t[50:53, 40:81]).any()


def test_a_slower_fuel_band_delays_the_fire_beyond_it():
    ros = np.full((101, 101), 3.0)
    ros[:, 60:70] = 0.5  # a slow band east of the ignition
    t = fs.spread_grid(ros, 2.0, 90.0, (50, 30), duration_min=300.0, cell_m=10.0)
    free = fs.spread_grid(np.full((101, 101), 3.0), 2.0, 90.0, (50, 30), 300.0, 10.0)
    assert t[50, 80] > free[50, 80] + 10 * 10.0 / 0.5 * 0.9  # ~10 cells at the slow rate
    assert t[50, 50] == pytest.approx(free[50, 50])  # before the band: unchanged


def test_grid_spread_stops_at_non_burnable_cells_and_rejects_bad_ignition():
    ros = np.full((50, 50), 5.0)
    ros[:, 30] = 0.0  # a fuel break
    t = fs.spread_grid(ros, 1.0, 0.0, (25, 10), duration_min=600.0, cell_m=10.0)
    assert np.isfinite(t[:, :30]).all() and not np.isfinite(t[:, 30:]).any()
    with pytest.raises(TwinInputError) as err:
        fs.spread_grid(ros, 1.0, 0.0, (25, 30), duration_min=60.0, cell_m=10.0)
    assert err.value.code == "forest_ignition_outside"


@pytest.fixture(scope="module")
def forest():
    assert (DATA / "territory.json").exists(), \
        "data/forest/territory.json is missing: the sample territories are committed (make data)"
    from twin_core.models.registry import get_model
    from twin_core.territory import Territory
    return Territory.load("forest"), get_model("forest.climate_risk")


def test_model_fire_grows_with_wind_duration_and_dryness(forest):
    from twin_core.models.forest.model import ForestScenario

    territory, model = forest
    base = model.run(territory, ForestScenario())
    v = base.values
    assert v["burnt_area_ha"] > 0 and v["fire_ros_m_min"] > 0
    assert np.isfinite(base.layers["fire"]["area_ha"]).all()
    assert base.layers["fire"]["area_ha"].sum() == pytest.approx(v["burnt_area_ha"], rel=1e-6)
    windy = model.run(territory, ForestScenario(wind_kmh=60.0)).values
    longer = model.run(territory, ForestScenario(fire_duration_h=12.0)).values
    moist = model.run(territory, ForestScenario(fuel_moisture="D4L4")).values
    assert windy["burnt_area_ha"] > v["burnt_area_ha"]
    assert windy["fire_ros_m_min"] > v["fire_ros_m_min"]
    assert longer["burnt_area_ha"] > v["burnt_area_ha"]
    assert moist["burnt_area_ha"] < v["burnt_area_ha"]


def test_model_rejects_an_ignition_outside_the_forest(forest):
    from twin_core.models.forest.model import ForestScenario

    territory, model = forest
    problems = model.validate(territory, ForestScenario(ignition_x=1_020_000.0,
                                                        ignition_y=6_311_500.0))
    assert [p.code for p in problems] == ["forest_ignition_outside"]
    assert "Lambert-93" in problems[0].message("fr")
