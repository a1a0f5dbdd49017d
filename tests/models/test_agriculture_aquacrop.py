"""AquaCrop yields (twin_core.models.agriculture.aquacrop_yields): the package's published
example, physical sense on the synthetic Côte-d'Or weather, the cache."""

from __future__ import annotations

import aquacrop  # noqa: F401  (a hard dependency: a broken install fails here, never skips)
import numpy as np
import pytest

from twin_core.models.agriculture import aquacrop_yields as aq

#: Dijon-like commune normals (Joly et al. 2010 variables): the order of magnitude of the
#: sample territory's farmland climate.
CLIMATE = aq.Climate(tmean_c=10.6, tam_c=17.5, precip_mm=760.0, rain_days_jan=12.0,
                     rain_days_jul=9.0, precip_dev_jan=0.0, precip_dev_jul=5.0, lat=47.3)


def test_bundled_tunis_example_gives_the_published_yield():
    """AquaCrop-OSPy's bundled example (Tunis 1979/80, wheat sown 1 October, sandy loam,
    rainfed, field capacity at start) gives 8.94 t/ha dry yield (package docs/notebooks;
    ../shared/notes/stack.md)."""
    from aquacrop.core import AquaCropModel
    from aquacrop.entities.crop import Crop
    from aquacrop.entities.inititalWaterContent import InitialWaterContent
    from aquacrop.entities.soil import Soil
    from aquacrop.utils.data import get_filepath
    from aquacrop.utils.prepare_weather import prepare_weather

    model = AquaCropModel(sim_start_time="1979/10/01", sim_end_time="1980/05/30",
                          weather_df=prepare_weather(get_filepath("tunis_climate.txt")),
                          soil=Soil("SandyLoam"), crop=Crop("Wheat", planting_date="10/01"),
                          initial_water_content=InitialWaterContent(value=["FC"]))
    model.run_model(till_termination=True)
    res = model.get_simulation_results()
    assert round(float(res["Dry yield (tonne/ha)"].iloc[0]), 2) == 8.94


def test_soil_classes_cover_the_lever_and_match_their_centres():
    assert aq.soil_class(50.0).name == "shallow"
    assert aq.soil_class(150.0).name == "medium"
    assert aq.soil_class(250.0).name == "deep"
    for cls in aq.SOIL_CLASSES:
        # rooting depth × (θFC − θWP) gives back the class RU (mm), within the 1 cm rounding
        assert abs(cls.z_res * cls.taw_per_m * 1000.0 - cls.ru_mm) <= 0.01 * cls.taw_per_m * 1e3
    centres = [c.ru_mm for c in aq.SOIL_CLASSES]
    assert centres == sorted(centres)


def test_weather_frame_warming_and_summer_rain():
    base = aq.weather_frame(CLIMATE, 1.7, 0.0, n_years=2)
    hot = aq.weather_frame(CLIMATE, 4.0, -30.0, n_years=2)
    assert list(base.columns) == ["MinTemp", "MaxTemp", "Precipitation", "ReferenceET", "Date"]
    assert np.allclose(hot["MaxTemp"] - base["MaxTemp"], 2.3)
    assert (hot["ReferenceET"] > base["ReferenceET"]).all()  # FAO-56 ET0 rises with T
    summer = base["Date"].dt.month.isin([6, 7, 8])
    assert np.allclose(hot.loc[summer, "Precipitation"], 0.7 * base.loc[summer, "Precipitation"])
    assert np.allclose(hot.loc[~summer, "Precipitation"], base.loc[~summer, "Precipitation"])
    # annual rain of the synthetic weather equals the normal
    assert abs(base["Precipitation"].sum() / 2 - CLIMATE.precip_mm) < 1e-6 * CLIMATE.precip_mm


@pytest.fixture(scope="module")
def small_cache():
    """A small grid (2 warming levels × 2 rain changes, 2 seasons) keeps the test fast."""
    return aq.YieldCache(CLIMATE, warming_grid=(1.7, 4.0), rain_grid=(-30.0, 0.0), n_seasons=2)


def test_warmer_and_drier_summer_lowers_rainfed_maize(small_cache):
    present = small_cache.yield_at("maize_grain", 150.0, 1.7, 0.0)
    hot_dry = small_cache.yield_at("maize_grain", 150.0, 4.0, -30.0)
    assert 0.0 < hot_dry < present
    assert small_cache.change_pct("maize_grain", 150.0, 4.0, -30.0) < 0.0
    # a shallower soil (less water) never gives more rainfed maize at the same climate
    assert small_cache.yield_at("maize_grain", 80.0, 1.7, 0.0) <= present + 1e-9


def test_cache_hit_returns_identical_values(small_cache):
    first = small_cache.table("maize_grain", aq.soil_class(150.0), 0.0)
    runs = small_cache.runs
    again = aq.YieldCache(CLIMATE, warming_grid=(1.7, 4.0), rain_grid=(-30.0, 0.0),
                          n_seasons=2).table("maize_grain", aq.soil_class(150.0), 0.0)
    assert small_cache.runs == runs  # no new AquaCrop run
    assert np.array_equal(first, again)
    # interpolation between cached grid points needs no run either and lies between them
    mid = small_cache.yield_at("maize_grain", 150.0, 2.85, 0.0)
    assert small_cache.runs == runs
    assert min(first) - 1e-9 <= mid <= max(first) + 1e-9


def test_disk_cache_serves_a_new_process_and_survives_damage(tmp_path, monkeypatch):
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path))
    grid = {"warming_grid": (1.7, 4.0), "rain_grid": (-30.0, 0.0), "n_seasons": 2,
            "seed": 99}
    first = aq.YieldCache(CLIMATE, **grid)
    table = first.table("maize_grain", aq.soil_class(150.0), 0.0)
    assert first.runs == 2
    files = sorted((tmp_path / "aquacrop").glob("*.npy"))
    assert len(files) == 2  # the yields and the phenology factor
    aq._STORE.clear()  # as in a new process: only the disk is left
    again = aq.YieldCache(CLIMATE, **grid)
    assert np.array_equal(again.table("maize_grain", aq.soil_class(150.0), 0.0), table)
    assert again.runs == 0
    # another seed is another key; a damaged file is recomputed, never trusted
    aq._STORE.clear()
    for f in files:
        f.write_bytes(b"garbage")
    third = aq.YieldCache(CLIMATE, **grid)
    assert np.array_equal(third.table("maize_grain", aq.soil_class(150.0), 0.0), table)
    assert third.runs == 2
    monkeypatch.setenv("TWIN_CACHE_DIR", "off")
    assert aq._disk_path(("x",)) is None


def test_fill_computes_the_whole_grid_once(tmp_path, monkeypatch):
    """``fill`` leaves no table of the grid missing (3 soil classes × rain changes × crops,
    and irrigated maize); a second fill, or a new process reading the disk, runs nothing."""
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path))
    grid = {"warming_grid": (2.7,), "rain_grid": (-20.0, 0.0), "n_seasons": 1, "seed": 7}
    cache = aq.YieldCache(CLIMATE, **grid)
    expected = len(aq.AQ_CROPS) * len(aq.SOIL_CLASSES) * 2 + 1
    assert len(cache.grid()) == expected and len(cache.missing()) == expected
    assert cache.fill() == expected
    assert cache.missing() == [] and cache.fill() == 0
    runs = cache.runs
    aq._STORE.clear()  # a new process: the disk holds the grid
    again = aq.YieldCache(CLIMATE, **grid)
    assert again.missing() == []
    for ru in (80.0, 150.0, 220.0):
        assert again.yield_at("maize_grain", ru, 2.7, -10.0) > 0.0
    assert again.runs == 0 and cache.runs == runs
