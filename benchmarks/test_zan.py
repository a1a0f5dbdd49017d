"""ZAN benchmarks: a 1,000-draw ensemble over all communes of France through the generic
ensemble engine (``run_ensemble``, which uses the model's vectorised draw function), and one
scenario on the sample territory. Timings are reported, never asserted.

France: a territory folder written once per session with the 34,875 communes (type COM) of
../shared/data/communes (real population and area, geometries as published) and a synthetic
land-take table in the Cerema layout (yearly totals 2009-2022 drawn from the Ain Cerema rates
like the data build does, twin_core.models.zan.projection.synthetic_land_take, split by the
Ain year profile and housing share). The draws are the model's declared uncertain inputs
(population growth, household-size trend, warming, and each commune's own growth deviation —
sd 0.87 %/yr, correlation 0.5 within a département, none across: issue 15).
Each docstring says which caches are warm.
"""

from __future__ import annotations

import json
import resource
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin_core.ensemble import run_ensemble
from twin_core.models.registry import get_model
from twin_core.models.zan.envelope import naf_column
from twin_core.models.zan.projection import ain_rates
from twin_core.territory import Territory

ROOT = Path(__file__).resolve().parents[1]
COMMUNES = ROOT.parent / "shared" / "data" / "communes" / "communes_france.parquet"


@pytest.fixture(scope="module")
def france(tmp_path_factory) -> Path:
    """A France territory folder (see the module docstring)."""
    assert COMMUNES.exists(), f"{COMMUNES} missing: clone ../shared beside the repo"
    import geopandas as gpd

    g = gpd.read_parquet(COMMUNES, columns=["code_insee", "type", "nom",
                                            "population_municipale", "mairie_lon",
                                            "mairie_lat", "geometry"])
    g = g[g["type"] == "COM"].reset_index(drop=True)
    # 8 communes have no published outline: a 100 m square stands in, at the town hall or,
    # without one (the "villages morts pour la France" of the Meuse), at the mean centroid of
    # the département's communes
    empty = (g.geometry.isna() | g.geometry.is_empty).to_numpy()
    g = g.to_crs(2154)
    halls = gpd.GeoSeries(gpd.points_from_xy(g["mairie_lon"], g["mairie_lat"]), crs=4326
                          ).to_crs(2154)
    cent = g.geometry.centroid
    dep = g["code_insee"].str[:2]
    x = halls.x.fillna(cent.x.groupby(dep).transform("mean"))
    y = halls.y.fillna(cent.y.groupby(dep).transform("mean"))
    stand_in = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=2154).buffer(50, cap_style="square")
    g.loc[empty, "geometry"] = stand_in[empty]
    area_km2 = np.nan_to_num(g.geometry.to_crs(6933).area.to_numpy() / 1e6)  # equal-area
    pop = g["population_municipale"].fillna(0).to_numpy(float)
    ain = pd.read_csv(ROOT / "data" / "zan" / "conso_naf.csv", sep=";", dtype={"idcom": str})
    rates = ain_rates(ain)
    years = list(range(2009, 2023))
    profile = ain[[naf_column(y) for y in years]].astype(float).sum().to_numpy()
    profile = profile / profile.sum()
    rng = np.random.default_rng(20240917)
    expected = np.sqrt(pop * rates.per_inh_m2 * area_km2 * rates.per_km2_m2)  # m², 2009-2022
    total_m2 = expected * rng.lognormal(0.0, rates.sigma, pop.size)
    table = {"idcom": g["code_insee"].astype(str), "pop20": pop.astype(np.int64),
             "men20": np.nan, "pop1420": np.nan}
    for y, share in zip(years, profile, strict=True):
        table[naf_column(y)] = np.round(total_m2 * share)
        table[f"art{y % 100:02d}hab{(y + 1) % 100:02d}"] = np.round(
            total_m2 * share * rates.housing_share)
    root = tmp_path_factory.mktemp("france")
    pd.DataFrame(table).to_csv(root / "conso_naf.csv", sep=";", index=False)
    communes = gpd.GeoDataFrame({"code_insee": g["code_insee"].astype(str), "nom": g["nom"],
                                 "population": pop.astype(np.int64),
                                 "area_ha": area_km2 * 100.0}, geometry=g.geometry, crs=2154)
    communes.to_parquet(root / "communes.parquet")
    layers = {"communes": {"path": "communes.parquet", "kind": "vector", "synthetic": False,
                           "source": "IGN Admin Express / INSEE via ../shared/data/communes"},
              "conso_naf": {"path": "conso_naf.csv", "kind": "table", "synthetic": True,
                            "sep": ";", "source": "synthetic, Ain Cerema rates (benchmark)"}}
    (root / "territory.json").write_text(json.dumps({
        "id": "france", "name": {"fr": "France", "en": "France"}, "crs": "EPSG:2154",
        "layers": layers}))
    return root


def test_france_34875_communes_x_1000_draws_run_ensemble(benchmark, france):
    """1,000 draws over 34,875 communes through ``run_ensemble`` (vectorised path, its
    self-check run included), every commune drawing its own growth deviation in each draw
    (correlated within its département; blocks of draws keep memory bounded). Warm: the
    territory read and checked once by the engine (an untimed ensemble first); the draws are
    computed every round (ZAN keeps no result cache). Peak memory from one untimed run under
    tracemalloc; maxrss is the process's (pytest and the territory included)."""
    model = get_model("zan.trajectory")
    scenario = model.scenario_class(label="A", group="ain")
    territory = Territory.load(france)
    assert len(territory.layer("communes")) == 34_875
    start = time.perf_counter()
    one = model.run(territory, scenario)  # one run of the model, for the per-draw estimate
    one_run_s = time.perf_counter() - start

    def run():
        return run_ensemble("zan.trajectory", str(france), scenario, 1000, seed=1)

    run()  # territory read and checked once per process (cached by the engine)
    tracemalloc.start()
    ens = run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    ens = benchmark.pedantic(run, rounds=3, iterations=1)
    summary = ens.summary().set_index("indicator")
    from twin_core.models.zan.projection import departement_codes

    deps = np.unique(departement_codes(territory.layer("communes")["code_insee"])).size
    benchmark.extra_info.update({
        "path": ens.path,
        "departements": int(deps),
        "commune_sd_pct": scenario.commune_growth_sd_pct,
        "departement_correlation": scenario.departement_correlation,
        "peak_mib_tracemalloc": round(peak / 2**20, 1),
        "maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "one_model_run_s": round(one_run_s, 2),
        "reference_2011_2021_ha": round(one.values["reference_ha"]),
        "median_consumption_2021_2031_ha": round(
            summary.loc["zan.projected_2021_2031_ha", "median"]),
        "p05_p95_consumption_2021_2031_ha": [
            round(summary.loc["zan.projected_2021_2031_ha", q]) for q in ("p05", "p95")],
    })
    print(benchmark.extra_info)
    assert ens.path == "vectorised" and ens.values.shape[0] == 1000
    assert ens.samples["commune_draw"].nunique() == 1000  # every draw its own commune deviations


def test_one_scenario_on_the_sample(benchmark):
    """One default zan.trajectory run on the sample territory, the same every round. Warm:
    layers read and cached by the territory (an untimed run first); no result cache."""
    territory = Territory.load("zan")  # a committed sample: a loading error is a failure
    model = get_model("zan.trajectory")
    scenario = model.scenario_class(label="A")
    model.run(territory, scenario)  # layers read and cached by the territory
    benchmark.pedantic(model.run, args=(territory, scenario), rounds=10, iterations=1)
