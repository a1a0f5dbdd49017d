"""Forest: FWI system (Van Wagner & Pickett 1985 table), weather readers and warming, species
suitability, and the registered forest.climate_risk model on the sample territory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin_core.errors import TwinInputError
from twin_core.models.forest import fire_weather as fw
from twin_core.models.forest import suitability as su
from twin_core.models.forest import weather as wx
from twin_core.validation.reference import reference_table

FWI_TABLE = reference_table("fwi_van_wagner_pickett_1985")
DATA = Path(__file__).resolve().parents[2] / "data" / "forest"

# Agreement achieved on the 49 days of the 1985 table (measured: FFMC, DC, ISI ≤ 0.05 — the
# table's rounding —, DMC ≤ 0.091, BUI ≤ 0.098, FWI ≤ 0.06). The criterion is 0.1 on each index.
TOLERANCE = 0.1


@pytest.fixture(scope="module")
def fwi_reference() -> pd.DataFrame:
    return pd.read_csv(FWI_TABLE)


def _as_weather(ref: pd.DataFrame) -> pd.DataFrame:
    return ref.rename(columns={"ws": "wind", "pr": "rain", "mth": "month"})[
        ["temp", "rh", "wind", "rain", "month"]]


# -- FWI system ---------------------------------------------------------------------------------
def test_fwi_reproduces_van_wagner_pickett_1985_row_by_row(fwi_reference):
    ref = fwi_reference
    lat = float(ref["lat"].iloc[0])
    out = fw.fwi_daily(_as_weather(ref), lat=lat, ffmc0=85.0, dmc0=6.0, dc0=15.0)
    assert list(out.columns) == ["ffmc", "dmc", "dc", "isi", "bui", "fwi"]
    for i in range(len(ref)):
        for col in fw.OUTPUT_COLUMNS:
            assert out[col].iloc[i] == pytest.approx(ref[col].iloc[i], abs=TOLERANCE), \
                f"day {ref['mth'].iloc[i]}/{ref['day'].iloc[i]} {col}"


def test_fwi_2d_matches_1d_and_cells_are_independent(fwi_reference):
    w = _as_weather(fwi_reference)
    one = fw.fwi_daily(w, lat=44.0)
    n = len(w)
    temp = np.column_stack([w["temp"], w["temp"] + 5.0, w["temp"]])
    rh = np.column_stack([w["rh"]] * 3)
    wind = np.column_stack([w["wind"]] * 3)
    rain = np.column_stack([w["rain"], w["rain"], np.zeros(n)])
    out = fw.fwi_arrays(temp, rh, wind, rain, w["month"].to_numpy(), lat=44.0)
    assert out["fwi"].shape == (n, 3)
    np.testing.assert_allclose(out["fwi"][:, 0], one["fwi"], atol=1e-9)
    # hotter → drier codes; no rain → drier codes
    assert np.all(out["dc"][:, 1] >= out["dc"][:, 0] - 1e-9)
    assert np.all(out["dmc"][:, 2] >= out["dmc"][:, 0] - 1e-9)
    assert out["fwi"][:, 1].mean() > out["fwi"][:, 0].mean()


def test_fwi_step_functions_match_the_fast_loop(fwi_reference):
    w = _as_weather(fwi_reference)
    out = fw.fwi_daily(w, lat=44.0)
    f, d, c = 85.0, 6.0, 15.0
    for i, row in enumerate(w.itertuples()):
        f = fw.ffmc_step(np.array(f), row.temp, row.rh, row.wind, row.rain)
        d = fw.dmc_step(np.array(d), row.temp, row.rh, row.rain,
                        fw.dmc_day_length(44.0, row.month))
        c = fw.dc_step(np.array(c), row.temp, row.rain, fw.dc_day_length_factor(44.0, row.month))
        assert float(f) == pytest.approx(out["ffmc"].iloc[i], abs=1e-9)
        assert float(d) == pytest.approx(out["dmc"].iloc[i], abs=1e-9)
        assert float(c) == pytest.approx(out["dc"].iloc[i], abs=1e-9)


def test_day_length_bands():
    # France (41-51 °N) uses the standard northern tables of Van Wagner (1987)
    for lat in (41.0, 44.0, 51.0):
        assert fw.dmc_day_length(lat, 6) == 13.9 and fw.dc_day_length_factor(lat, 7) == 6.4
    assert fw.dmc_day_length(0.0, 6) == 9.0 and fw.dc_day_length_factor(0.0, 6) == 1.39
    assert fw.dmc_day_length(-45.0, 1) == 11.5 and fw.dc_day_length_factor(-45.0, 1) == 6.4


def test_fwi_rejects_gaps_and_bad_months(fwi_reference):
    w = _as_weather(fwi_reference)
    gap = w.copy()
    gap.loc[3, "rh"] = np.nan
    with pytest.raises(ValueError, match="missing"):
        fw.fwi_daily(gap, 44.0)
    with pytest.raises(ValueError, match="month"):
        fw.fwi_daily(w.assign(month=13), 44.0)


def test_danger_indicators():
    fwi = np.array([0, 5, 21, 10, 35, 19, 20, 3], dtype=float)
    month = np.array([5, 6, 6, 7, 8, 9, 9, 10])
    s = fw.fire_danger_summary(fwi, month, threshold=20.0)
    assert s["days_fwi_threshold"] == 3
    assert s["days_fwi_30"] == 1
    assert s["season_length_days"] == 5  # index 2 … index 6
    assert s["mean_fwi_jjas"] == pytest.approx(np.mean([5, 21, 10, 35, 19, 20]))
    assert fw.season_length(np.zeros(10)) == 0


# -- weather and warming ------------------------------------------------------------------------
def test_shift_keeps_dew_point_and_dries_air():
    w = pd.DataFrame({"temp": [10.0, 25.0, 30.0], "rh": [80.0, 40.0, 20.0],
                      "wind": [10.0, 5.0, 20.0], "rain": [2.0, 0.0, 10.0], "month": [4, 7, 8]})
    s = wx.shift_weather(w, 2.0, precip_change_pct=-20.0)
    np.testing.assert_allclose(s["temp"], w["temp"] + 2.0)
    e_before = w["rh"] / 100 * wx.saturation_vapour_pressure(w["temp"])
    e_after = s["rh"] / 100 * wx.saturation_vapour_pressure(s["temp"])
    np.testing.assert_allclose(e_after, e_before, rtol=1e-12)  # same vapour pressure
    assert np.all(s["rh"] < w["rh"])
    # ≈ 6-7 % of RH per °C (Clausius-Clapeyron)
    assert float(s["rh"].iloc[1] / w["rh"].iloc[1]) ** 0.5 == pytest.approx(0.937, abs=0.01)
    np.testing.assert_allclose(s["rain"], w["rain"] * 0.8)
    np.testing.assert_allclose(s["wind"], w["wind"])
    many = wx.shift_weather_many(w, np.array([0.0, 2.0]), -20.0)
    np.testing.assert_allclose(many["rh"][:, 1], s["rh"])


def test_magnus_saturation_vapour_pressure():
    # FAO-56 Example 3 (Allen et al. 1998): e°(24.5 °C) = 3.075 kPa, e°(15 °C) = 1.705 kPa
    assert wx.saturation_vapour_pressure(24.5) / 10 == pytest.approx(3.075, abs=0.01)
    assert wx.saturation_vapour_pressure(15.0) / 10 == pytest.approx(1.705, abs=0.01)


def test_warming_path_follows_tracc_from_present():
    years = [2023, 2030, 2050, 2100]
    np.testing.assert_allclose(wx.warming_path(years, 2100, 4.0), [1.7, 2.0, 2.7, 4.0])
    np.testing.assert_allclose(wx.warming_path([2023, 2061.5, 2100], 2100, 3.5, tracc=False),
                               [1.7, 2.6, 3.5])


def _write_mf(path: Path, rows: list[str], header: str) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_read_meteofrance_daily(tmp_path):
    header = ("NUM_POSTE;NOM_USUEL;LAT;LON;ALTI;AAAAMMJJ;RR;QRR;TN;QTN;TX;QTX;TM;QTM;"
              "FFM;QFFM;FXY;QFXY")
    rows = ["06088001;NICE;43.648;7.209;2;20240701;0.0;1;20.1;1;28.4;1;24.0;1;5.0;1;12.0;1",
            "06088001;NICE;43.648;7.209;2;20240702;3.2;1;19.0;1;26.0;1;22.5;1;2.5;1;9.0;1",
            "06088001;NICE;43.648;7.209;2;20240703;;1;18.5;1;25.5;1;22.0;1;3.0;1;8.0;1"]
    base = _write_mf(tmp_path / "Q_06_RR-T-Vent.csv", rows, header)
    hum = _write_mf(tmp_path / "Q_06_autres-parametres.csv",
                    ["06088001;20240701;45;80;60", "06088001;20240702;55;90;70",
                     "06088001;20240703;50;85;65"], "NUM_POSTE;AAAAMMJJ;UN;UX;UM")
    w = wx.read_meteofrance_daily(base, humidity_path=hum)
    assert list(w.columns) == ["temp", "rh", "wind", "rain", "month"]
    assert w["temp"].tolist() == [28.4, 26.0, 25.5]  # TX as the noon temperature
    assert w["rh"].tolist() == [45.0, 55.0, 50.0]  # UN as the noon humidity
    np.testing.assert_allclose(w["wind"], [18.0, 9.0, 10.8])  # FFM m/s → km/h
    assert w["rain"].tolist() == [0.0, 3.2, 0.0]
    assert w["month"].tolist() == [7, 7, 7]
    out = fw.fwi_daily(w, lat=43.65)
    assert np.isfinite(out.to_numpy()).all()
    # without humidity: a clear error naming what is missing
    with pytest.raises(TwinInputError) as err:
        wx.read_meteofrance_daily(base)
    assert err.value.code == "forest_missing_weather"
    # several stations: the user must choose one
    two = _write_mf(tmp_path / "two.csv", rows + [rows[0].replace("06088001", "06004002")],
                    header)
    with pytest.raises(TwinInputError) as err:
        wx.read_meteofrance_daily(two, humidity_path=hum)
    assert err.value.code == "forest_several_stations"
    w2 = wx.read_meteofrance_daily(two, humidity_path=hum, station="06088001")
    assert len(w2) == 3


# -- suitability --------------------------------------------------------------------------------
def test_envelope_table_is_documented():
    env = su.envelopes()
    for g in su.CANDIDATE_SPECIES:
        assert g in env.index
    assert len(su.CANDIDATE_SPECIES) == 13
    assert (env["tmin_c"] < env["tmax_c"]).all()
    assert env["source"].str.len().gt(10).all() and env["confidence"].str.len().gt(2).all()
    # Aleppo pine rainfall bound: NAFLO, 220 mm/yr (domain_facts B1, medium)
    assert env.loc["aleppo_pine", "pmin_mm"] == 220.0
    assert "medium" in env.loc["aleppo_pine", "confidence"]
    assert set(su.ESSENCE_TO_GROUP.values()) <= set(env.index)


def test_essence_mapping_uses_bd_foret_values():
    ess = pd.Series(["Pin d'Alep", "Chênes décidus", "Mélèze", "NR", "Sapin, épicéa", "?"])
    assert su.essence_group(ess).tolist() == ["aleppo_pine", "deciduous_oaks", "larch",
                                              "unknown", "fir_spruce", "unknown"]


def test_hotter_and_drier_never_improves_drought_sensitive_species():
    env = su.envelopes()
    sensitive = env.index[env["drought_sensitive"]]
    assert len(sensitive) >= 3
    rng = np.random.default_rng(1)
    t0 = rng.uniform(0, 20, 400)
    p0 = rng.uniform(300, 1500, 400)
    rank = su.STATUS_CODE
    for g in sensitive:
        groups = np.full(400, g)
        before = su.classify(groups, t0, p0)
        for dt, dp in [(1.0, 0.0), (2.5, -10.0), (0.0, -25.0)]:
            t1, p1 = su.horizon_climate(t0, p0, warming=dt, precip_change_pct=dp,
                                        normals_warming=0.0)
            after = su.classify(groups, t1, p1)
            assert all(rank[a] >= rank[b] for a, b in zip(after, before, strict=True)), g


def test_classify_rules():
    g = np.array(["beech"] * 5 + ["nothing", "aleppo_pine"])
    t = np.array([9.0, 12.5, 14.0, 9.0, 9.0, 9.0, 12.0])
    p = np.array([900, 900, 900, 620, 500, 900, 500], dtype=float)
    s = su.classify(g, t, p, margin_c=1.0, margin_precip_pct=10.0)
    assert s.tolist() == ["suitable", "at_risk", "unsuitable", "at_risk", "unsuitable",
                          "unknown", "suitable"]
    # the cold limit applies only when asked (candidate species)
    cold = su.classify(np.array(["aleppo_pine"]), np.array([8.0]), np.array([600.0]),
                       cold_limit=True)
    assert cold.tolist() == ["unsuitable"]
    assert np.isnan(su.status_code(np.array(["unknown"]))[0])
    a = su.area_by_status(s, np.ones(7))
    assert a["unsuitable_ha"] == 2 and a["unknown_ha"] == 1
    assert a["suitable_pct"] + a["at_risk_pct"] + a["unsuitable_pct"] == pytest.approx(100.0)


def test_stand_temperature_cap_is_monotone():
    groups = np.array(["larch"] * 4 + ["unknown"])
    t, anchored = su.stand_temperature(np.array([5.0, 7.4, 11.0, 14.0, 14.0]), groups, 1.5)
    np.testing.assert_allclose(t, [5.0, 7.4, 7.5, 7.5, 14.0])  # larch Tmax 9 − 1.5
    assert anchored.tolist() == [False, False, True, True, False]
    assert np.all(np.diff(t[:4]) >= 0)


# -- the registered model on the sample territory ----------------------------------------------
@pytest.fixture(scope="module")
def forest():
    from twin_core.territory import Territory, sample_territories

    assert "forest" in sample_territories(), \
        "data/forest/territory.json is missing: the sample territories are committed (make data)"
    return Territory.load("forest")


@pytest.fixture(scope="module")
def model():
    from twin_core.models.registry import get_model

    return get_model("forest.climate_risk")


def test_model_runs_on_sample_territory(forest, model):
    from twin_core.indicators import compute_all

    s = model.scenario_class()
    assert model.validate(forest, s) == []
    r = model.run(forest, s)
    no_finding = {"dieback_prob_pct", "dieback_prob_present_pct"} if not r.fits[
        "dieback"].finding else set()  # a fit without skill is not computed (evidence rule)
    for k, v in r.values.items():
        assert np.isfinite(v) or k in no_finding, k
    stands = r.layers["stands"]
    assert stands.crs.to_epsg() == 2154
    assert set(stands["status_code"].dropna().unique()) <= {0.0, 1.0, 2.0}
    total = r.values["suitable_ha"] + r.values["at_risk_ha"] + r.values["unsuitable_ha"]
    assert total + r.values["unknown_ha"] == pytest.approx(stands["area_ha"].sum(), rel=1e-9)
    assert r.series["year"].tolist() == [2025, 2030, 2035, 2040, 2045, 2050]
    assert set(model.spec.series_y) <= set(r.series.columns)
    assert r.series["warming_c"].is_monotonic_increasing
    # danger: 365/366 days at most, season ≥ days above the threshold
    assert 0 < r.values["days_fwi_threshold"] <= r.values["season_length_days"] <= 366
    assert r.values["days_fwi_30"] <= r.values["days_fwi_threshold"]
    # real weather today: warming from the present adds danger days
    assert r.values["days_fwi_threshold"] >= r.values["days_fwi_threshold_present"]
    # every indicator is a number, except those of a fit without skill (not a finding) and the
    # homes the fire reaches, which need a buildings layer the forest sample does not have
    wui = {"forest.fire_wui_homes", "forest.fire_wui_residents"}
    values = compute_all(r)
    assert all(np.isfinite(v) for k, v in values.items()
               if k.removeprefix("forest.") not in no_finding and k not in wui)
    assert not forest.has_layer("buildings") and all(np.isnan(values[k]) for k in wui)
    # both humidity bounds: holding RH keeps the air moister than holding the dew point
    assert r.values["days_fwi_threshold_rh"] <= r.values["days_fwi_threshold"]
    assert r.values["days_fwi_threshold_present"] <= r.values["days_fwi_threshold_rh"]


def test_model_levers_move_the_right_way(forest, model):
    S = model.scenario_class
    base = model.run(forest, S(horizon=2050)).values
    hot = model.run(forest, S(horizon=2100)).values
    assert hot["unsuitable_pct"] > base["unsuitable_pct"]
    assert hot["days_fwi_threshold"] > base["days_fwi_threshold"]
    assert hot["mean_fwi_jjas"] > base["mean_fwi_jjas"]
    # +4 °C vs +2 °C (custom levels): more unsuitable area
    w2 = model.run(forest, S(warming_source="custom", custom_warming=2.0)).values
    w4 = model.run(forest, S(warming_source="custom", custom_warming=4.0)).values
    assert w4["unsuitable_ha"] > w2["unsuitable_ha"]
    dry = model.run(forest, S(horizon=2050, precip_change_pct=-30.0)).values
    assert dry["unsuitable_pct"] >= base["unsuitable_pct"]
    assert dry["days_fwi_threshold"] >= base["days_fwi_threshold"]
    low = model.run(forest, S(horizon=2050, fwi_threshold=10.0)).values
    assert low["days_fwi_threshold"] > base["days_fwi_threshold"]
    assert low["days_fwi_30"] == base["days_fwi_30"]


def test_model_rejects_unknown_species(model):
    from twin_core.scenario import Scenario

    good = model.scenario_class(candidate_species="cork_oak").to_dict()
    assert Scenario.from_dict(good).candidate_species == "cork_oak"
    good["params"]["candidate_species"] = "eucalyptus"
    with pytest.raises(TwinInputError) as err:
        Scenario.from_dict(good)
    assert err.value.code == "bad_value" and "candidate_species" in str(err.value)


# -- dieback fit --------------------------------------------------------------------------------
def test_auc_definition():
    from twin_core.models.forest import dieback as db

    y = np.array([0, 0, 1, 1])
    assert db.auc(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert db.auc(y, np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    # three concordant (positive, negative) pairs and one tie counted half: 3.5 / 4
    assert db.auc(y, np.array([0.1, 0.5, 0.5, 0.9])) == pytest.approx(0.875)
    # three concordant pairs and one discordant: 3 / 4
    assert db.auc(y, np.array([0.1, 0.6, 0.5, 0.9])) == pytest.approx(0.75)


def test_logistic_fit_recovers_known_coefficients():
    from twin_core.models.forest import dieback as db

    rng = np.random.default_rng(3)
    n = 20_000
    t = rng.normal(11.0, 2.0, n)
    p = rng.normal(900.0, 150.0, n)
    logit = -1.0 + 0.5 * (t - 11.0) - 0.004 * (p - 900.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    fit = db.fit_logistic(np.column_stack([t, p]), y)
    per_unit = fit.per_unit()
    assert per_unit["tmean_c"] == pytest.approx(0.5, rel=0.08)
    assert per_unit["precip_mm"] == pytest.approx(-0.004, rel=0.15)
    assert 0.6 < fit.auc < 1.0 and 0.0 < fit.pseudo_r2 < 1.0
    # probabilities rise with temperature and fall with rain, as fitted
    pr = fit.predict(np.array([[9.0, 900.0], [13.0, 900.0], [13.0, 600.0]]))
    assert pr[0] < pr[1] < pr[2]
    with pytest.raises(ValueError):
        db.fit_logistic(np.column_stack([t, p]), np.zeros(n))


def test_dieback_fit_quality_is_reported(forest, model):
    r = model.run(forest, model.scenario_class())
    v = r.values
    assert v["dieback_n_plots"] > 100
    assert 0.0 <= v["dieback_auc"] <= 1.0 and 0.0 <= v["dieback_pseudo_r2"] < 1.0
    skill = r.fits["dieback"]
    assert skill.value == v["dieback_cv_auc"]
    prob = r.layers["stands"]["dieback_prob"]
    if skill.finding:  # probabilities only when the fit predicts out of sample
        assert 0.0 < v["dieback_prob_pct"] < 100.0 and prob.between(0, 1).all()
    else:
        assert np.isnan(v["dieback_prob_pct"]) and prob.isna().all()


def test_unknown_bd_foret_species_is_reported():
    from twin_core.models.registry import get_model
    from twin_core.territory import Territory

    territory = Territory.load("forest")
    stands = territory.layer("stands").copy()
    stands.loc[stands.index[0], "essence"] = "Eucalyptus"
    territory.set_layer("stands", stands, source="my_stands.gpkg")
    model = get_model("forest.climate_risk")
    problems = model.validate(territory, model.scenario_class())
    assert problems and problems[0].code == "forest_unknown_species"
    assert "Eucalyptus" in str(problems[0]) and "Pin d'Alep" in str(problems[0])
