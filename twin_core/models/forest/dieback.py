"""Dieback risk fitted on the National Forest Inventory: logistic regression of "the plot has
dead trees" (n_dead > 0) on the plot's climate.

Data: IGN Inventaire forestier national plots (dead trees per plot, 2005-2019 campaigns;
approximate public positions). Climate of a plot: the normals (Joly et al. 2010: mean annual
temperature ``tmean_c``, annual precipitation ``precip_mm``) of the NEAREST commune of the
territory — a coarse proxy: in the sample, most plots lie several km outside the 19 communes,
so the fit's quality (AUC, McFadden pseudo-R², reported with every result) is what it is; read
the coefficients before trusting the map. Fit: maximum likelihood with scipy.optimize (BFGS on
standardised predictors, a tiny ridge term for stability). Applied to each stand at the horizon
with the commune climate shifted like the suitability model (+ΔT, precipitation × (1 + p/100));
beyond the fitted climate range the logistic curve is an extrapolation.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import rankdata

FEATURES = ("tmean_c", "precip_mm")


@dataclass(frozen=True)
class LogisticFit:
    """Coefficients on standardised predictors (intercept first) and the fit's quality."""

    coef: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    features: tuple[str, ...]
    n: int
    n_positive: int
    loglik: float
    loglik_null: float
    auc: float

    @property
    def pseudo_r2(self) -> float:
        """McFadden's pseudo-R² = 1 − logL / logL(intercept only)."""
        return 1.0 - self.loglik / self.loglik_null if self.loglik_null != 0 else float("nan")

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


def fit_logistic(X: np.ndarray, y: np.ndarray, features: tuple[str, ...] = FEATURES,
                 ridge: float = 1e-6) -> LogisticFit:
    """Maximum-likelihood logistic regression of ``y`` (0/1) on the columns of ``X``."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(X).all(axis=1) & np.isfinite(y)
    X, y = X[ok], y[ok]
    if len(y) < X.shape[1] + 2 or y.min() == y.max():
        raise ValueError("need both outcomes and more rows than predictors to fit")
    mean, std = X.mean(axis=0), X.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    Z = np.column_stack([np.ones(len(y)), (X - mean) / std])

    def nll(b: np.ndarray) -> tuple[float, np.ndarray]:
        eta = Z @ b
        ll = np.sum(y * eta - np.logaddexp(0.0, eta))
        grad = Z.T @ (expit(eta) - y)
        pen = ridge * np.sum(b[1:] ** 2)
        return -ll + pen, grad + 2 * ridge * np.concatenate([[0.0], b[1:]])

    res = minimize(nll, np.zeros(Z.shape[1]), jac=True, method="BFGS",
                   options={"gtol": 1e-8, "maxiter": 500})
    b = res.x
    eta = Z @ b
    ll = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
    p0 = y.mean()
    ll0 = float(len(y) * (p0 * np.log(p0) + (1 - p0) * np.log(1 - p0)))
    return LogisticFit(coef=b, mean=mean, std=std, features=tuple(features), n=len(y),
                       n_positive=int(y.sum()), loglik=ll, loglik_null=ll0,
                       auc=auc(y, eta))


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
    """Fit P(n_dead > 0) on the nearest commune's climate normals."""
    df = plot_climate(plots, communes, normals)
    return fit_logistic(df[list(FEATURES)].to_numpy(float), (df["n_dead"] > 0).to_numpy(int))
