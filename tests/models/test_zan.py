"""ZAN: the 2021-2031 envelope on the real Cerema file, the guarantee, allocation, demand."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin_core.errors import TwinInputError
from twin_core.i18n import t
from twin_core.models.registry import get_model
from twin_core.models.zan import allocate, decade_budgets, envelope_2031
from twin_core.models.zan.envelope import (
    allocate_with_floor,
    allocation_weights,
    check_communes,
    dwellings_needed,
    land_for_dwellings_ha,
    naf_column,
)
from twin_core.models.zan.model import ZanScenario, commune_trends, run_trajectory
from twin_core.models.zan.projection import (
    ain_rates,
    draw_scenarios,
    project_draws,
    synthetic_land_take,
)
from twin_core.territory import Territory

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "zan" / \
    "cerema_conso_naf_2009_2023_ain_9communes.csv"


@pytest.fixture(scope="module")
def conso():
    assert REAL.exists(), f"real Cerema file {REAL} is missing: clone ../shared beside the repo"
    return pd.read_csv(REAL, sep=";", dtype={"idcom": str})


def test_reference_is_the_sum_2011_to_2020(conso):
    env = envelope_2031(conso)
    row = conso.set_index("idcom").loc["01004"]
    expected = sum(row[naf_column(y)] for y in range(2011, 2021)) / 1e4
    assert env.loc["01004", "reference_ha"] == pytest.approx(expected)
    # the file's own 2009-2023 total checks our column reading: art09… == sum of yearly naf
    total = sum(row[naf_column(y)] for y in range(2009, 2023))
    assert total == pytest.approx(row["naf09art23"], rel=1e-6)


def test_halving_and_guarantee(conso):
    env = envelope_2031(conso, reduction=0.5, guarantee_ha=1.0)
    big = env["reference_ha"] * 0.5 >= 1.0
    assert np.allclose(env.loc[big, "envelope_ha"], env.loc[big, "reference_ha"] * 0.5)
    assert (env.loc[~big, "envelope_ha"] == 1.0).all()  # loi 2023-630: at least 1 ha
    assert (~big).sum() >= 1  # Ambléon (0.65 ha consumed) gets the guarantee
    assert env.loc["01006", "envelope_ha"] == 1.0
    no_guarantee = envelope_2031(conso, reduction=0.5, guarantee_ha=0.0)
    assert (no_guarantee["envelope_ha"] <= env["envelope_ha"]).all()
    with pytest.raises(ValueError):
        envelope_2031(conso, reduction=1.5)
    with pytest.raises(TwinInputError, match="naf15art16"):
        envelope_2031(conso.drop(columns="naf15art16"))


def test_allocation_conserves_the_total_exactly():
    weights = pd.Series([3.0, 1.0, 1.0, 0.0, 7.3], index=list("abcde"))
    shares = allocate(42.3217, weights)
    assert shares.sum() == pytest.approx(42.3217, abs=1e-9)
    assert shares["d"] == 0 and shares["e"] > shares["a"] > shares["b"]
    assert allocate(10.0, pd.Series([0.0, 0.0], index=["x", "y"])).tolist() == [5.0, 5.0]


def test_decade_budgets_reach_zero_and_shrink():
    b = decade_budgets(100.0, pace_2031_2041=0.5)
    assert b["2021-2031"] == 100.0 and b["2031-2041"] == 50.0
    assert 0 < b["2041-2050"] < b["2031-2041"]


def test_dwellings_need_grows_with_population_and_smaller_households():
    base = dwellings_needed(10_000, 0.0, 10, 2.2, 0.0, 0.05, 0.08)
    assert base == 0.0
    growth = dwellings_needed(10_000, 1.0, 10, 2.2, 0.0, 0.05, 0.08)
    smaller = dwellings_needed(10_000, 1.0, 10, 2.2, -0.5, 0.05, 0.08)
    assert 0 < growth < smaller
    # 10,000 people at 2.2 per home, +10.46 % in 10 years: ≈ 476 main residences, / 0.87 occupied
    assert growth == pytest.approx(10_000 * (1.01 ** 10 - 1) / 2.2 / 0.87, rel=1e-9)


@pytest.fixture(scope="module")
def territory():
    return Territory.load("zan")


def test_model_levers_move_the_right_way(territory):
    model = get_model("zan.trajectory")
    S = model.scenario_class
    base = model.run(territory, S(label="A"))
    denser = model.run(territory, S(label="B", density=40.0))
    reuse = model.run(territory, S(label="C", existing_fabric_pct=80.0))
    assert base.values["envelope_ha"] == pytest.approx(42.32, abs=0.01)  # real file, 50 %, 1 ha
    for alt in (denser, reuse):
        assert alt.values["projected_2021_2031_ha"] < base.values["projected_2021_2031_ha"]
    assert base.series["year"].min() == 2011 and base.series["year"].max() >= 2050
    observed = base.series[base.series["observed"]]
    assert observed["year"].max() == 2022
    assert base.synthetic_inputs == ()
    gironde = model.run(territory, S(label="G", group="gironde"))
    assert "conso_naf_synthetic" in gironde.synthetic_inputs
    assert len(gironde.layers["communes"]) > 20


# -- issue 6 checklist ---------------------------------------------------------------------------
def test_reference_sums_the_ten_yearly_columns_exactly(conso):
    env = envelope_2031(conso)
    cols = [naf_column(y) for y in range(2011, 2021)]
    m2 = conso.set_index("idcom")[cols].astype("int64").sum(axis=1)  # integer m², exact
    assert ((env["reference_ha"] * 1e4).round().astype("int64") == m2).all()
    assert cols[0] == "naf11art12" and cols[-1] == "naf20art21"  # 1 Jan 2011 → 1 Jan 2021


def test_full_reduction_gives_zero_envelope_guarantee_aside(conso):
    assert (envelope_2031(conso, reduction=1.0, guarantee_ha=0.0)["envelope_ha"] == 0).all()
    assert (envelope_2031(conso, reduction=1.0, guarantee_ha=1.0)["envelope_ha"] == 1.0).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e4), min_size=1, max_size=40), st.floats(0, 5000),
       st.sampled_from([0.0, 0.5, 1.0]))
def test_allocation_with_guarantee_conserves_the_envelope(weights, total, floor):
    w = pd.Series(weights, index=[f"c{i}" for i in range(len(weights))])
    shares = allocate_with_floor(total, w, floor)
    assert (shares >= floor - 1e-12).all()  # the guarantee is applied to every commune
    if total >= len(w) * floor:
        assert shares.sum() == pytest.approx(round(total * 1e4) / 1e4, abs=1e-8)
    else:  # not enough for everyone: the guarantee wins
        assert (shares == floor).all()


def test_allocation_rules_share_the_same_total(conso):
    env = envelope_2031(conso)
    growth = pd.to_numeric(conso.set_index("idcom")["pop1420"])
    total = float(env["envelope_ha"].sum())
    by_growth = allocate_with_floor(total, allocation_weights("growth", env["reference_ha"],
                                                              growth), 1.0)
    by_past = allocate_with_floor(total, allocation_weights("past", env["reference_ha"],
                                                            growth), 1.0)
    assert by_growth.sum() == pytest.approx(total, abs=1e-8)
    np.testing.assert_allclose(by_past, env["envelope_ha"], atol=1e-4)  # = the law's reading
    fastest = growth.idxmax()
    assert by_growth[fastest] > by_past[fastest] or growth[fastest] / growth.clip(0).sum() <= \
        env.loc[fastest, "reference_ha"] / env["reference_ha"].sum()
    declining = growth[growth <= 0].index
    assert (by_growth[declining] == 1.0).all()  # no growth: the guarantee only


@settings(max_examples=25, deadline=None)
@given(st.floats(2, 149), st.floats(0.1, 50), st.floats(0, 100), st.floats(-1, 3))
def test_higher_density_never_increases_consumption(conso, d, more, fabric, growth):
    communes = pd.DataFrame({"code_insee": conso["idcom"], "nom": conso["idcomtxt"]})
    model = get_model("zan.trajectory")
    kw = dict(existing_fabric_pct=fabric, population_growth_pct=growth)
    lo = run_trajectory(conso, communes, ZanScenario(density=d, **kw), model)
    hi = run_trajectory(conso, communes, ZanScenario(density=min(d + more, 150), **kw), model)
    for key in ("projected_2021_2031_ha", "projected_2031_2050_ha", "agricultural_land_lost_ha"):
        assert hi.values[key] <= lo.values[key] + 1e-9
    assert hi.values["dwellings_delivered"] >= lo.values["dwellings_delivered"] - 1e-9


def test_bad_inputs_have_clear_messages(conso):
    with pytest.raises(TwinInputError) as err:
        envelope_2031(conso.drop(columns="naf12art13"))
    assert err.value.code == "zan_missing_column" and "naf12art13" in err.value.message("fr")
    neg = conso.copy()
    neg.loc[2, "naf14art15"] = -50
    with pytest.raises(TwinInputError) as err:
        envelope_2031(neg)
    assert err.value.code == "zan_negative_area"
    assert "01004" in err.value.message("fr") and "naf14art15" in err.value.message("fr")
    with pytest.raises(TwinInputError) as err:
        check_communes(conso, conso["idcom"].iloc[1:])
    assert err.value.code == "zan_unknown_commune" and "01001" in err.value.message("fr")
    communes = pd.DataFrame({"code_insee": conso["idcom"].iloc[1:], "nom": "x"})
    with pytest.raises(TwinInputError, match="01001"):
        run_trajectory(conso, communes, ZanScenario(), get_model("zan.trajectory"))
    for bad in (0.0, -1.0, np.array([10.0, 0.0])):
        with pytest.raises(TwinInputError) as err:
            land_for_dwellings_ha(100.0, 0.3, bad)
        assert err.value.code == "zan_density_zero"
    draws = draw_scenarios(3, np.random.default_rng(0))
    draws["density"][1] = 0.0
    with pytest.raises(TwinInputError, match="dwellings/ha"):
        project_draws([100.0], 2.2, [1.0], [0.1], [0.05], draws)
    for code in ("zan_missing_column", "zan_negative_area", "zan_unknown_commune",
                 "zan_density_zero"):  # French first, with a fix for the user
        assert t(f"errors.{code}", "fr") != f"errors.{code}"
        assert t(f"errors.{code}_fix", "fr") != f"errors.{code}_fix"
    with pytest.raises(ValueError):  # the scenario bound keeps the UI away from density 0
        ZanScenario(density=0.0)


def test_vectorised_draws_match_the_model(conso):
    """project_draws with one draw = the default scenario reproduces the model's total."""
    communes = pd.DataFrame({"code_insee": conso["idcom"], "nom": conso["idcomtxt"]})
    s = ZanScenario()
    res = run_trajectory(conso, communes, s, get_model("zan.trajectory"))
    layer = res.layers["communes"].set_index("code_insee")
    c = conso.set_index("idcom")
    hh = (c["pop20"] / c["men20"]).to_numpy()
    housing = sum(c[f"art{y % 100:02d}hab{(y + 1) % 100:02d}"] for y in range(2011, 2021)) / 1e4
    ratio = (layer["reference_ha"].sum() - housing.sum()) / housing.sum()  # group, 2011-2021
    trends = commune_trends(c, layer.index)
    draw = {"growth_pct": [s.population_growth_pct], "household_trend_pct":
            [s.household_trend_pct], "vacancy_pct": [s.vacancy_pct],
            "secondary_pct": [s.secondary_pct], "existing_fabric_pct": [s.existing_fabric_pct],
            "density": [s.density], "other_land_pct": [s.other_land_pct],
            "reduction_pct": [s.reduction_pct], "guarantee_ha": [s.guarantee_ha]}
    out = project_draws(c["pop20"].to_numpy(float), hh, layer["reference_ha"].to_numpy(),
                        layer["consumed_2021_2022_ha"].to_numpy(), ratio, draw,
                        growth_offset_pct=trends["growth_gap"].to_numpy() * 100,
                        household_offset_pct=trends["household_gap"].to_numpy() * 100)
    assert out["consumption_ha"][0] == pytest.approx(res.values["projected_2021_2031_ha"],
                                                     rel=1e-9)
    assert out["envelope_ha"][0] == pytest.approx(res.values["envelope_ha"], rel=1e-9)
    assert out["communes_over_budget"][0] == res.values["communes_over_budget"]


def test_synthetic_land_take_follows_the_ain_rates(conso):
    rates = ain_rates(conso)
    assert 0.6 < rates.reference_share < 0.8  # 10 of the 14 years 2009-2022
    assert 0 < rates.housing_share < 1
    rng = np.random.default_rng(4)
    pop, area = np.full(20_000, 1000.0), np.full(20_000, 10.0)
    syn = synthetic_land_take(pop, area, rates, rng)
    expected = np.sqrt(1000 * rates.per_inh_m2 * 10 * rates.per_km2_m2) / 1e4
    # lognormal median = the expected value, times the reference share
    assert np.median(syn["reference_ha"]) == pytest.approx(expected * rates.reference_share,
                                                           rel=0.03)


def test_model_indicators_and_levers(territory):
    model = get_model("zan.trajectory")
    S = model.scenario_class
    base = model.run(territory, S(label="A"))
    v = base.values
    assert all(np.isfinite(x) for x in v.values())
    assert v["budget_used_pct"] == pytest.approx(v["projected_2021_2031_ha"] /
                                                 v["envelope_ha"] * 100)
    assert v["remaining_budget_ha"] == pytest.approx(v["envelope_ha"] -
                                                     v["consumed_2021_2023_ha"])
    assert 0 < v["dwellings_delivered_pct"] <= 100
    assert v["agricultural_land_lost_ha"] > 0 and v["m2_per_new_inhabitant"] > 0
    renat = model.run(territory, S(label="R", renaturation_ha_per_yr=2.0))
    assert renat.values["projected_2021_2031_ha"] == pytest.approx(
        v["projected_2021_2031_ha"])  # renaturation only counts from 2031
    assert renat.values["projected_2031_2050_ha"] == pytest.approx(
        v["projected_2031_2050_ha"] - 2.0 * 19)
    farm = model.run(territory, S(label="F", agricultural_share_pct=33.5))
    assert farm.values["agricultural_land_lost_ha"] == pytest.approx(
        v["agricultural_land_lost_ha"] / 2, rel=1e-6)
    incoming = model.run(territory, S(label="I", incoming_dwellings=400))
    assert incoming.values["dwellings_needed"] == pytest.approx(v["dwellings_needed"] + 400)
    assert incoming.values["projected_2021_2031_ha"] > v["projected_2021_2031_ha"]
    for rule in ("growth", "mix"):
        r = model.run(territory, S(label=rule, allocation_rule=rule))
        env = r.layers["communes"]["envelope_ha"]
        assert env.sum() == pytest.approx(v["envelope_ha"], abs=1e-4) and (env >= 1.0).all()
    traj = base.layers["trajectories"]
    assert set(traj["code_insee"]) == set(base.layers["communes"]["code_insee"])
    totals = traj.groupby("year")["consumption_ha"].sum()
    np.testing.assert_allclose(totals.to_numpy(), base.series["consumption_ha"].to_numpy())
    assert base.series.loc[base.series["year"] >= 2050, "allowed_ha"].eq(0).all()


# -- issue 15: per-commune demography, non-housing land, guarantee eligibility, hindcast ------
def _two_communes(conso, falling_pop=(1200, 1150), size=2.5):
    """Two real Ain rows with chosen census figures: 01001 grows 800 → 1,000, 01002 falls
    ``falling_pop``; every household size = ``size`` in 2014 and 2020."""
    two = conso[conso["idcom"].isin(["01001", "01002"])].copy().reset_index(drop=True)
    two["pop14"], two["pop20"] = [800, falling_pop[0]], [1000, falling_pop[1]]
    two["men14"] = two["pop14"] / size
    two["men20"] = two["pop20"] / size
    two["pop1420"] = two["pop20"] - two["pop14"]
    return two, pd.DataFrame({"code_insee": two["idcom"], "nom": two["idcomtxt"]})


def test_a_falling_commune_needs_no_housing_land_at_constant_household_size(conso):
    two, communes = _two_communes(conso)
    model = get_model("zan.trajectory")
    group = ((1000 + 1150) / (800 + 1200)) ** (1 / 6) - 1  # the group's observed growth
    s = ZanScenario(population_growth_pct=group * 100, household_trend_pct=0.0)
    layer = run_trajectory(two, communes, s, model).layers["communes"].set_index("code_insee")
    # each commune follows its own 2014-2020 trend: 01002 loses 50 of 1,200 inhabitants
    assert layer.loc["01002", "growth_pct"] == pytest.approx(((1150 / 1200) ** (1 / 6) - 1)
                                                             * 100)
    assert layer.loc["01002", "dwellings_needed"] == 0.0
    # no housing land, hence no non-housing land either: only the observed 2021-2022 take
    assert layer.loc["01002", "projected_2021_2031_ha"] == pytest.approx(
        layer.loc["01002", "consumed_2021_2022_ha"], abs=1e-12)
    assert layer.loc["01001", "dwellings_needed"] > 0
    # 01001: +25 % over 2014-2020 → 1.25^(10/6) over 2021-2031, 2.5 per home, 87 % occupied
    g1 = (1000 / 800) ** (1 / 6)
    expected = 1000 * (g1 ** 11 - g1 ** 1) / 2.5 / 0.87
    assert layer.loc["01001", "dwellings_needed"] == pytest.approx(expected, rel=1e-9)
    # the old rule (one growth rate for every commune) gave the falling commune new homes
    flat = run_trajectory(two, communes, ZanScenario(
        population_growth_pct=group * 100, household_trend_pct=0.0, commune_trends=False),
        model).layers["communes"].set_index("code_insee")
    assert flat.loc["01002", "dwellings_needed"] > 0


def test_shrinking_households_still_need_homes_in_a_falling_commune(conso):
    two, communes = _two_communes(conso, falling_pop=(1000, 990))
    group = ((1000 + 990) / (800 + 1000)) ** (1 / 6) - 1
    # the falling commune loses 0.17 %/yr, its households shrink by 1 %/yr
    s = ZanScenario(population_growth_pct=group * 100, household_trend_pct=-1.0)
    layer = run_trajectory(two, communes, s, get_model("zan.trajectory")
                           ).layers["communes"].set_index("code_insee")
    assert layer.loc["01002", "growth_pct"] < 0 < layer.loc["01002", "dwellings_needed"]


def test_non_housing_land_follows_housing_land_not_its_past_pace(territory):
    model = get_model("zan.trajectory")
    S = model.scenario_class
    base = model.run(territory, S(label="A"))
    none = model.run(territory, S(label="B", other_land_pct=0.0))
    double = model.run(territory, S(label="C", other_land_pct=200.0))
    obs = base.values["consumed_2021_2023_ha"]
    housing = none.values["projected_2021_2031_ha"] - obs
    conso = territory.layer("conso_naf")
    c = conso.set_index("idcom")
    hab = sum(c[f"art{y % 100:02d}hab{(y + 1) % 100:02d}"] for y in range(2011, 2021)).sum()
    ratio = (base.values["reference_ha"] * 1e4 - hab) / hab  # Cerema, 2011-2021, group
    assert 0.3 < ratio < 1.0  # Ain: non-housing ≈ 40 % of the land take
    assert base.values["projected_2021_2031_ha"] - obs == pytest.approx(housing * (1 + ratio),
                                                                         rel=1e-9)
    assert double.values["projected_2021_2031_ha"] - obs == pytest.approx(
        housing * (1 + 2 * ratio), rel=1e-9)
    # a group that stops growing stops taking land for housing and for its services
    still = model.run(territory, S(label="D", population_growth_pct=-2.0,
                                   household_trend_pct=1.0))
    assert still.values["projected_2021_2031_ha"] < base.values["projected_2021_2031_ha"]
    assert still.values["projected_2031_2050_ha"] < 0.1 * base.values["projected_2031_2050_ha"]


def test_guarantee_only_for_communes_with_a_planning_document(conso):
    both = envelope_2031(conso)
    assert both.loc["01006", "envelope_ha"] == 1.0  # 0.65 ha consumed: floored to 1 ha
    marked = conso.assign(planning_document=np.where(conso["idcom"] == "01006", "false",
                                                     "true"))
    env = envelope_2031(marked)
    assert env.loc["01006", "envelope_ha"] == pytest.approx(env.loc["01006", "reference_ha"]
                                                            * 0.5)
    assert env.loc["01006", "guarantee_ha"] == 0.0
    others = env.index != "01006"
    pd.testing.assert_series_equal(env.loc[others, "envelope_ha"],
                                   both.loc[others, "envelope_ha"])
    shares = allocate_with_floor(10.0, pd.Series(1.0, index=["a", "b", "c"]),
                                 pd.Series([0.0, 4.0, 4.0], index=["a", "b", "c"]))
    assert shares.tolist() == pytest.approx([2.0, 4.0, 4.0])
    assert shares.sum() == pytest.approx(10.0)


def test_synthetic_communes_carry_plausible_census_figures(territory):
    syn = territory.layer("conso_naf_synthetic")
    pop14, pop20 = syn["pop14"].astype(float), syn["pop20"].astype(float)
    growth = (pop20 / pop14) ** (1 / 6) - 1
    hh20 = pop20 / syn["men20"].astype(float)
    assert syn[["pop14", "men14", "men20"]].notna().all().all()
    assert (growth < 0).sum() >= 3 and (growth > 0).sum() >= 3  # declining communes included
    assert growth.abs().max() < 0.05 and hh20.between(1.6, 3.3).all()
    assert ((syn["pop1420"] == pop20 - pop14).all()
            and (syn["men1420"] == syn["men20"] - syn["men14"]).all())


def test_hindcast_on_the_real_ain_file(conso):
    from twin_core.models.zan.hindcast import hindcast

    table, sc = hindcast(conso)
    c = conso.set_index("idcom")
    observed = sum(c[naf_column(y)] for y in range(2014, 2020)) / 1e4
    np.testing.assert_allclose(table["observed_ha"], observed.reindex(table.index))
    gain = (c["pop20"] - c["pop14"]).sum()
    assert sc["observed_m2_per_new_inhabitant"] == pytest.approx(observed.sum() * 1e4 / gain)
    # communes whose households did not grow get no housing land in the hindcast
    no_growth = c["men20"] <= c["men14"]
    assert (table.loc[no_growth[no_growth].index, "model_ha"] == 0).all()
    # a denser scenario predicts less land: the hindcast uses the scenario's levers
    _, dense = hindcast(conso, ZanScenario(density=30.0))
    assert dense["model_total_ha"] < sc["model_total_ha"]
    assert -1 < sc["model_rel_error"] < 1 and sc["model_r2"] <= 1


def test_commune_draws_are_correlated_within_a_departement_only(conso):
    from twin_core.models.zan.projection import (
        COMMUNE_GROWTH_SD_PCT,
        commune_growth_sd,
        commune_noise,
    )

    assert commune_growth_sd(conso) == pytest.approx(COMMUNE_GROWTH_SD_PCT, abs=0.01)
    dep = np.array(["01", "01", "33", "33"])
    e = commune_noise(np.random.default_rng(3), 40_000, dep, 0.85, 0.5)
    c = np.corrcoef(e.T)
    assert c[0, 1] == pytest.approx(0.5, abs=0.02) and c[2, 3] == pytest.approx(0.5, abs=0.02)
    assert abs(c[0, 2]) < 0.02 and e.std(axis=0) == pytest.approx([0.85] * 4, rel=0.02)
    # in the national projection the communes now spread within one draw
    draws = draw_scenarios(50, np.random.default_rng(0))
    args = (np.full(4, 1000.0), 2.2, np.full(4, 5.0), np.zeros(4), 0.5, draws)
    flat = project_draws(*args)
    noisy = project_draws(*args, departement=dep, commune_sd_pct=0.85, seed=1)
    assert np.ptp(flat["mean_consumption_ha"]) == 0 < np.ptp(noisy["mean_consumption_ha"])
    again = project_draws(*args, departement=dep, commune_sd_pct=0.85, seed=1)
    np.testing.assert_array_equal(noisy["consumption_ha"], again["consumption_ha"])


def test_commune_draws_carry_the_declared_departement_correlation(conso):
    """Each draw of the ensemble gives every commune its own growth deviation, seeded by the
    draw (commune_draw): sd and within-département correlation as declared, none across
    départements; the model centres them on the territory (population-weighted mean 0, the
    territory's growth being drawn on its own), and the model run of a draw applies exactly
    that deviation."""
    from twin_core.models.zan.model import commune_inputs, drawn_deviation
    from twin_core.models.zan.projection import commune_deviation

    s = ZanScenario()
    assert (s.commune_growth_sd_pct, s.departement_correlation) == (0.87, 0.5)
    dep = np.repeat(np.arange(4), 5)  # 20 communes in 4 départements
    raw = np.stack([commune_deviation(k, dep, 4, 0.87, 0.5) for k in range(1, 4001)])
    np.testing.assert_allclose(raw.std(axis=0), 0.87, rtol=0.06)
    assert np.abs(raw.mean(axis=0)).max() < 0.06
    c = np.corrcoef(raw.T)
    same = dep[:, None] == dep[None, :]
    off = ~np.eye(len(dep), dtype=bool)
    assert np.abs(c[same & off] - 0.5).max() < 0.06
    assert np.abs(c[~same]).max() < 0.06
    # the model's draws on the nine Ain communes (one département): centred, so the
    # département's shared part, which would move the whole territory, is gone
    ci = commune_inputs(conso, s)
    pop = np.asarray(ci["pop"], dtype=float)
    eps = np.stack([drawn_deviation(ci, s, k) for k in range(1, 2001)]) * 100  # %/yr
    assert not drawn_deviation(ci, s, 0).any()  # draw 0: the central run
    np.testing.assert_allclose(eps @ pop / pop.sum(), 0.0, atol=1e-12)
    assert np.abs(eps.mean(axis=0)).max() < 0.06
    # one département: Var(ε_i − w·ε) = sd² (1 − ρ) (1 − 2 w_i + Σ w²), the shared part gone
    w = pop / pop.sum()
    expected_sd = 0.87 * np.sqrt(0.5 * (1 - 2 * w + (w ** 2).sum()))
    np.testing.assert_allclose(eps.std(axis=0), expected_sd, rtol=0.06)
    # the model run of one draw: its communes grow at the central rate + the draw's deviation
    territory = Territory.load("zan")
    model = get_model("zan.trajectory")
    central = model.run(territory, ZanScenario()).layers["communes"].set_index("code_insee")
    drawn = model.run(territory, ZanScenario(commune_draw=7)).layers["communes"].set_index(
        "code_insee")
    ci_ain = commune_inputs(territory.layer("conso_naf"), s)
    expected = pd.Series(drawn_deviation(ci_ain, s, 7) * 100, index=ci_ain["communal"].index)
    np.testing.assert_allclose(drawn["growth_pct"] - central["growth_pct"],
                               expected.reindex(drawn.index), rtol=1e-12, atol=1e-12)


def test_commune_draws_through_run_ensemble():
    """run_ensemble (what `twin run --draws` and the pages call) draws a commune seed per draw
    and takes the vectorised path; its mean over commune draws matches the central run when
    the deviations are small, and lies above it at the declared spread (a commune whose
    population falls gives no land back: demand is convex in growth)."""
    from twin_core.ensemble import run_ensemble
    from twin_core.models.zan import draws as zd

    ens = run_ensemble("zan.trajectory", "zan", ZanScenario(), 30, seed=4)
    assert ens.path == "vectorised" and ens.seeds == ("commune_draw",)
    seeds = ens.samples["commune_draw"]
    assert seeds.min() >= 1 and seeds.nunique() == 30
    territory = Territory.load("zan")
    model = get_model("zan.trajectory")
    n = 2000
    for sd, check in ((0.1, "matches"), (0.87, "above")):
        s = ZanScenario(commune_growth_sd_pct=sd)
        values, _ = zd.project(territory, s, np.full(n, s.population_growth_pct),
                               np.full(n, s.household_trend_pct), np.arange(1, n + 1))
        central = model.run(territory, s).values
        for key in ("projected_2021_2031_ha", "dwellings_needed"):
            draws = np.array([v[key] for v in values])
            se = draws.std() / np.sqrt(n)
            if check == "matches":
                assert abs(draws.mean() - central[key]) < max(4 * se, 0.01 * central[key]), key
            else:
                assert draws.mean() > central[key] + 2 * se, key
