"""Dieback fitted on the whole National Forest Inventory: every plot with its own climate.

Data (../shared/data/forest): 93,043 IFN plots (Lambert-93 position, sylvo-ecoregion ``ser``,
campaign year 2005–2019) and 107,389 dead trees (a plot "has dead trees" when at least one dead
tree was recorded on it — trees dead for less than about five years, IGN field protocol).

Climate of a plot: the Joly et al. (2010) normals (``TMO`` mean annual temperature, ``PTO``
annual precipitation) of the commune that CONTAINS it (point in polygon with the national
communes layer; plots in communes merged since the normals were computed take the nearest
commune with normals within 5 km). Where the SRTM DEM covers the commune (43–44° N, 6–8° E),
the temperature is moved to the plot's elevation with the annual lapse rate
:data:`LAPSE_C_PER_M` (Rolland 2003, J. Climate 16:1032: 0.54–0.58 °C per 100 m in the Alps,
midpoint), relative to the commune's mean elevation; precipitation is not corrected.

Fit and skill: :func:`twin_core.models.forest.dieback.fit_logistic` (statsmodels Logit, 95 %
Wald intervals), cross-validated AUC with folds by sylvo-ecoregion. The fit is a finding only
if that AUC ≥ 0.6, every interval excludes zero AND the effects have the expected signs
(warmer → more dieback, wetter → less): otherwise the project does not use it. The plots file
carries no stand composition (the dead-tree species says what died, not what grows), so no
species covariate is fitted.

The fit takes ≈ 15 s; :func:`fit_national` is run by the sample build (``twin data build``),
which stores the result in the forest sample (``dieback_national_fit.json``); a test refits it
from the national files and compares.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from twin_core.models.forest.dieback import EXPECTED_SIGN, FEATURES, LogisticFit, fit_logistic
from twin_core.models.forest.suitability import LAPSE_C_PER_M

NEAREST_MAX_M = 5_000.0


def _commune_elevation(communes: gpd.GeoDataFrame, dem_path: Path) -> pd.Series:
    """Mean DEM elevation of each commune entirely covered by the DEM (index: code_insee)."""
    import rasterio
    from rasterio.features import rasterize

    with rasterio.open(dem_path) as src:
        dem = src.read(1).astype(float)
        dem[dem == src.nodata] = np.nan
        b = src.bounds
        c = communes.to_crs(src.crs)
        inside = c.cx[b.left:b.right, b.bottom:b.top]
        inside = inside[inside.within(_box(b))]
        if inside.empty:
            return pd.Series(dtype=float)
        ids = rasterize(((g, i + 1) for i, g in enumerate(inside.geometry)), out_shape=dem.shape,
                        transform=src.transform, fill=0, dtype="int32")
    ok = (ids > 0) & np.isfinite(dem)
    sums = np.bincount(ids[ok], weights=dem[ok], minlength=len(inside) + 1)[1:]
    counts = np.bincount(ids[ok], minlength=len(inside) + 1)[1:]
    mean = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return pd.Series(mean, index=inside["code_insee"].to_numpy())


def _box(b):
    import shapely

    return shapely.box(b.left, b.bottom, b.right, b.top)


def national_plots(data: Path) -> pd.DataFrame:
    """One row per IFN plot: idp, ser, year, x, y, n_dead, code_insee, tmean_c (lapse-corrected
    where the DEM covers the commune), precip_mm, elevation_m, lapse_corrected."""
    import rasterio

    plots = pd.read_csv(data / "forest" / "ifn_plots.csv")
    dead = pd.read_csv(data / "forest" / "ifn_dead_trees.csv", usecols=["idp"])
    normals = pd.read_csv(data / "forest" / "commune_climate_normals.csv", dtype={"INSEE": str},
                          usecols=["INSEE", "TMO", "PTO"]).rename(columns={
                              "INSEE": "code_insee", "TMO": "tmean_c", "PTO": "precip_mm"})
    normals = normals.replace(-9999.0, np.nan)  # the file's missing-value code
    communes = gpd.read_parquet(data / "communes" / "communes_france.parquet",
                                columns=["code_insee", "geometry"]).to_crs(2154)
    plots["n_dead"] = plots["idp"].map(dead.groupby("idp").size()).fillna(0).astype(int)
    pts = gpd.GeoDataFrame(plots, geometry=gpd.points_from_xy(plots["xl93"], plots["yl93"]),
                           crs=2154)
    cn = communes.merge(normals, on="code_insee", how="inner")
    j = gpd.sjoin(pts, cn, how="left", predicate="within")
    j = j[~j.index.duplicated()].drop(columns="index_right")
    miss = j["tmean_c"].isna()
    if miss.any():
        nn = gpd.sjoin_nearest(pts[miss], cn, how="left", max_distance=NEAREST_MAX_M)
        nn = nn[~nn.index.duplicated()]
        for col in ("code_insee", "tmean_c", "precip_mm"):
            j.loc[miss, col] = nn[col].to_numpy()
    j["elevation_m"] = np.nan
    j["lapse_corrected"] = False
    dem_path = data / "elevation" / "srtm3_43N_06E-08E.tif"
    if dem_path.exists():
        ref = _commune_elevation(communes, dem_path)
        with rasterio.open(dem_path) as src:
            lonlat = j.to_crs(src.crs).geometry
            b = src.bounds
            near = lonlat.x.between(b.left, b.right) & lonlat.y.between(b.bottom, b.top)
            vals = np.array([v[0] for v in src.sample(zip(lonlat.x[near], lonlat.y[near],
                                                          strict=True))], float)
            vals[vals == src.nodata] = np.nan
        j.loc[near, "elevation_m"] = vals
        z_ref = j["code_insee"].map(ref)
        ok = j["elevation_m"].notna() & z_ref.notna() & j["tmean_c"].notna()
        j.loc[ok, "tmean_c"] = j.loc[ok, "tmean_c"] - LAPSE_C_PER_M * (
            j.loc[ok, "elevation_m"] - z_ref[ok])
        j.loc[ok, "lapse_corrected"] = True
    return pd.DataFrame(j.drop(columns="geometry")).rename(columns={
        "xl93": "x", "yl93": "y", "Annee": "year"})[[
            "idp", "ser", "year", "x", "y", "n_dead", "code_insee", "tmean_c", "precip_mm",
            "elevation_m", "lapse_corrected"]]


def fit_national(data: Path) -> dict:
    """The national fit as a JSON-able record (coefficients, intervals, skill, sample)."""
    plots = national_plots(data)
    df = plots.dropna(subset=list(FEATURES))
    fit = fit_logistic(df[list(FEATURES)].to_numpy(float), (df["n_dead"] > 0).to_numpy(int),
                       groups=df["ser"].astype(str).to_numpy())
    method = fit.cv_method.replace("spatial block", "sylvo-ecoregion")
    per_unit = fit.per_unit()
    signs_ok = all(np.sign(per_unit[f]) == s for f, s in EXPECTED_SIGN.items())
    return {
        "features": list(FEATURES), "coef": fit.coef.tolist(),
        "conf_int": fit.conf_int.tolist(), "mean": fit.mean.tolist(),
        "std": fit.std.tolist(), "n": fit.n, "n_positive": fit.n_positive,
        "auc_in_sample": fit.auc, "cv_auc": fit.cv_auc, "cv_method": method,
        "pseudo_r2": fit.pseudo_r2, "effects_clear": fit.effects_clear,
        "loglik": fit.loglik, "loglik_null": fit.loglik_null,
        "signs_as_expected": bool(signs_ok), "per_unit": per_unit,
        "lapse_corrected_plots": int(df["lapse_corrected"].sum()),
        "lapse_c_per_m": LAPSE_C_PER_M,
        "plots_without_climate": int(len(plots) - len(df)),
    }


def save(record: dict, path: Path) -> Path:
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text("utf-8"))


def as_fit(record: dict) -> LogisticFit:
    """The stored national fit as a :class:`~twin_core.models.forest.dieback.LogisticFit`
    (its ``skill()`` applies the project's rule, expected signs included)."""
    return LogisticFit(coef=np.asarray(record["coef"]), conf_int=np.asarray(record["conf_int"]),
                       mean=np.asarray(record["mean"]), std=np.asarray(record["std"]),
                       features=tuple(record["features"]), n=int(record["n"]),
                       n_positive=int(record["n_positive"]),
                       loglik=float(record.get("loglik", "nan")),
                       loglik_null=float(record.get("loglik_null", "nan")),
                       auc=float(record["auc_in_sample"]),
                       cv_auc=float(record["cv_auc"]),
                       cv_method=f"{record['cv_method']}, national IFN")
