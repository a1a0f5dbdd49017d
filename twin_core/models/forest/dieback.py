"""Dieback risk fitted on the National Forest Inventory: logistic regression of "the plot has
dead trees" (n_dead > 0) on the plot's climate, with its out-of-sample skill.

Data: IGN Inventaire forestier national plots (dead trees per plot, 2005-2019 campaigns;
approximate public positions). Climate of a plot: the normals (Joly et al. 2010: mean annual
temperature ``tmean_c``, annual precipitation ``precip_mm``) of the NEAREST commune of the
territory — a coarse proxy: in the sample most plots lie several km outside the 19 communes and
share 19 climate values.

Fit: maximum likelihood with statsmodels ``Logit`` on standardised predictors, each
coefficient with its 95 % Wald interval (``conf_int``). Skill: AUC of predictions made out of
sample by k-fold cross-validation over spatial blocks — the plots' sylvo-ecoregions (``ser``,
IGN) when there are at least :data:`MIN_BLOCKS` of them, otherwise 10 km squares — so a plot is
never predicted by a fit that saw its neighbours (Roberts et al. 2017, Ecography 40:913,
"Cross-validation strategies for data with temporal, spatial, hierarchical, or phylogenetic
structure"). Under the project's rule (:mod:`twin_core.evidence`) the fit is a finding only if
that AUC is ≥ 0.6 and every climate effect's interval excludes zero; otherwise the model does
not use it (its indicators read NaN, the map does not show it).

Applied to each stand at the horizon with the commune climate shifted like the suitability
model (+ΔT, precipitation × (1 + p/100)); beyond the fitted climate range the logistic curve is
an extrapolation.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.special import expit
from scipy.stats import rankdata

from twin_core.evidence import Skill

FEATURES = ("tmean_c", "precip_mm")
#: Expected sign of each climate effect on the log-odds of dieback (warmer: +, wetter: −): a fit
#: whose effects go the other way is not used even with skill (issue 13).
EXPECTED_SIGN = {"tmean_c": 1.0, "precip_mm": -1.0}
#: Fewest spatial blocks for a block cross-validation; folds (at most) and the square size used
#: when the plots carry too few sylvo-ecoregions.
MIN_BLOCKS, N_FOLDS, BLOCK_M = 5, 5, 10_000.0


@dataclass(frozen=True)
class LogisticFit:
    """Coefficients on standardised predictors (intercept first), their 95 % intervals, the
    in-sample quality and the cross-validated skill."""

    coef: np.ndarray
    conf_int: np.ndarray  # (k, 2) on the same scale as coef
    mean: np.ndarray
    std: np.ndarray
    features: tuple[str, ...]
    n: int
    n_positive: int
    loglik: float
    loglik_null: float
    auc: float  # in sample
    cv_auc: float = float("nan")
    cv_method: str = ""

    @property
    def pseudo_r2(self) -> float:
        """McFadden's pseudo-R² = 1 − logL / logL(intercept only)."""
        return 1.0 - self.loglik / self.loglik_null if self.loglik_null != 0 else float("nan")

    @property
    def effects_clear(self) -> bool:
        """Every predictor's 95 % interval excludes zero, on the expected side
        (:data:`EXPECTED_SIGN`) for the climate predictors."""
        lo, hi = self.conf_int[1:, 0], self.conf_int[1:, 1]
        sign = np.array([EXPECTED_SIGN.get(f, 0.0) for f in self.features])
        side = np.where(sign > 0, lo > 0, np.where(sign < 0, hi < 0, (lo > 0) | (hi < 0)))
        return bool(np.all(side))

    def skill(self, name: str = "dieback") -> Skill:
        effects = {f: (float(c / s), float(lo / s), float(hi / s)) for f, c, s, (lo, hi) in zip(
            self.features, self.coef[1:], self.std, self.conf_int[1:], strict=True)}
        return Skill(fit=name, metric="auc", value=self.cv_auc, method=self.cv_method,
                     n=self.n, effects_clear=self.effects_clear, effects=effects)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Probability for rows of X (original units, columns = ``features``)."""
        z = (np.atleast_2d(np.asarray(X, dtype=float)) - self.mean) / self.std
        return expit(self.coef[0] + z @ self.coef[1:])

    def per_unit(self) -> dict[str, float]:
        """Change of the log-odds per unit of each predictor (original units)."""
        return {f: float(c / s) for f, c, s in zip(self.features, self.coef[1:], self.std,
                                                    strict=True)}


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U / (n1 n0), ties counted half)."""
    y = np.asarray(y).astype(bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = rankdata(np.asarray(score, dtype=float))
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _clean(X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(X).all(axis=1) & np.isfinite(y)
    return X[ok], y[ok], (None if groups is None else np.asarray(groups)[ok])


def _logit(X: np.ndarray, y: np.ndarray):
    mean, std = X.mean(axis=0), X.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    Z = sm.add_constant((X - mean) / std, has_constant="add")
    res = sm.Logit(y, Z).fit(disp=0, method="newton", maxiter=100)
    return res, mean, std


def fit_logistic(X: np.ndarray, y: np.ndarray, features: tuple[str, ...] = FEATURES,
                 groups: np.ndarray | None = None) -> LogisticFit:
    """Logistic regression of ``y`` (0/1) on the columns of ``X`` (statsmodels), with its
    out-of-sample AUC by cross-validation over ``groups`` (spatial blocks; None: 5 random
    folds, seeded)."""
    X, y, groups = _clean(X, y, groups)
    if len(y) < X.shape[1] + 2 or y.min() == y.max():
        raise ValueError("need both outcomes and more rows than predictors to fit")
    res, mean, std = _logit(X, y)
    cv, method = cross_validated_auc(X, y, groups)
    return LogisticFit(coef=np.asarray(res.params), conf_int=np.asarray(res.conf_int(0.05)),
                       mean=mean, std=std, features=tuple(features), n=len(y),
                       n_positive=int(y.sum()), loglik=float(res.llf),
                       loglik_null=float(res.llnull),
                       auc=auc(y, np.asarray(res.fittedvalues)), cv_auc=cv, cv_method=method)


def cross_validated_auc(X: np.ndarray, y: np.ndarray, groups: np.ndarray | None
                        ) -> tuple[float, str]:
    """AUC of out-of-fold predictions: GroupKFold over ``groups`` (scikit-learn), or 5 seeded
    random folds without groups. Folds lacking one outcome in training are predicted by the
    training prevalence (no information)."""
    from sklearn.model_selection import GroupKFold, KFold

    if groups is not None and len(np.unique(groups)) >= 2:
        k = min(N_FOLDS, len(np.unique(groups)))
        splits = GroupKFold(n_splits=k).split(X, y, groups)
        method = f"{k} folds by spatial block"
    else:
        splits = KFold(n_splits=N_FOLDS, shuffle=True, random_state=0).split(X)
        method = f"{N_FOLDS} random folds"
    pred = np.empty(len(y))
    for train, test in splits:
        if y[train].min() == y[train].max():
            pred[test] = y[train].mean()
            continue
        res, mean, std = _logit(X[train], y[train])
        Z = sm.add_constant((X[test] - mean) / std, has_constant="add")
        pred[test] = res.predict(Z)
    return auc(y, pred), method


def spatial_blocks(plots: gpd.GeoDataFrame) -> tuple[np.ndarray, str]:
    """Block of each plot: its sylvo-ecoregion when the plots span ≥ MIN_BLOCKS of them, else
    a 10 km square."""
    if "ser" in plots and plots["ser"].nunique() >= MIN_BLOCKS:
        return plots["ser"].astype(str).to_numpy(), "ser"
    x = np.floor(plots.geometry.x.to_numpy() / BLOCK_M).astype(int)
    y = np.floor(plots.geometry.y.to_numpy() / BLOCK_M).astype(int)
    return np.char.add(np.char.add(x.astype(str), "_"), y.astype(str)), "10 km"


def plot_climate(plots: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, normals: pd.DataFrame
                 ) -> pd.DataFrame:
    """Plots with the normals of their nearest commune (and the distance to it, m)."""
    j = gpd.sjoin_nearest(plots, communes[["code_insee", "geometry"]], how="left",
                          distance_col="distance_m")
    j = j[~j.index.duplicated()]
    cols = ["code_insee", *FEATURES]
    return pd.DataFrame(j.drop(columns="geometry")).merge(
        normals[cols].astype({"code_insee": str}), on="code_insee", how="left")


def fit_dieback(plots: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, normals: pd.DataFrame
                ) -> LogisticFit:
    """Fit P(n_dead > 0) on the nearest commune's climate normals; skill by spatial blocks."""
    groups, kind = spatial_blocks(plots)
    df = plot_climate(plots.assign(block=groups), communes, normals)
    fit = fit_logistic(df[list(FEATURES)].to_numpy(float), (df["n_dead"] > 0).to_numpy(int),
                       groups=df["block"].to_numpy())
    method = fit.cv_method.replace("spatial block", "sylvo-ecoregion" if kind == "ser"
                                   else "10 km square")
    return LogisticFit(**{**fit.__dict__, "cv_method": method})
