"""Species suitability from EU-Trees4F (Mauri et al. 2022, Scientific Data 9:37), a published
ensemble of species-distribution models, for the species it covers.

Layers: the ensemble SDM probability of presence ``prob_pot`` (0–1000 scaled to 0–1) and its
standard deviation across the ensemble ``std_pot`` (same scale), EPSG:4326, 5 arc-minutes, for
the current period (``cur2005``, 1991–2020) and the periods centred on 2035, 2065 and 2095 under
RCP4.5 and RCP8.5. The territory's cells are extracted at build time into one table
(``eu_trees4f`` layer: species, layer, lon, lat, prob, sd) with each species' presence threshold.

Threshold: EU-Trees4F publishes binary maps (``bin_pot``) made from the same probabilities with a
per-species cut-off; the cut-off is recovered as the probability that best reproduces the
current binary map over Europe (bin_pot sampled at the centres of the probability grid, the
threshold maximising the agreement) — :func:`presence_threshold`.

Warming level → layer: each layer is mapped to the global warming (°C vs 1850–1900) its period
reaches under its pathway, from IPCC AR5 WGI SPM Table SPM.2 (RCP4.5: +1.4 °C in 2046–2065,
+1.8 °C in 2081–2100; RCP8.5: +2.0 and +3.7 °C; relative to 1986–2005, which is +0.61 °C above
1850–1900) and SPM E.1 (2016–2035: +0.3 to +0.7, taken as +0.5): linear in time between the
period centres, 2021–2050 and 2051–2080 interpolated, 2081–2110 taken as 2081–2100. The
scenario's France warming is turned into a global one with the TRACC ratio (France +4.0 °C ↔
world +3.0 °C: ÷ 4/3) and the layer with the nearest global level is used (the "global
warming level" approach of IPCC AR6 WGI Ch. 4.6). ``cur2005``: +0.85 °C (AR6, 1995–2014).

Status of a stand (the groups this module covers, :data:`GROUP_SPECIES`): "unsuitable" when the
probability at its centroid is below the species' threshold, "at_risk" when it is above but the
ensemble's own spread reaches below it (prob − 2·sd < threshold), "suitable" otherwise; a mixed
group (fir–spruce) keeps its better member.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Latin names in EU-Trees4F → the forest model's species groups.
SPECIES = ("Abies_alba", "Picea_abies", "Fagus_sylvatica", "Quercus_petraea", "Quercus_robur",
           "Carpinus_betulus", "Fraxinus_excelsior")
#: Species groups of the model covered by EU-Trees4F (the others keep their envelopes). The
#: deciduous oaks of the Mediterranean are mostly pubescent oak (Quercus pubescens), which
#: EU-Trees4F does not cover here, so that group stays on its envelope.
GROUP_SPECIES: dict[str, tuple[str, ...]] = {
    "fir_spruce": ("Abies_alba", "Picea_abies"),
    "beech": ("Fagus_sylvatica",),
}
#: Layer → global warming vs 1850–1900 (°C), derivation in the module docstring.
LAYER_GLOBAL_WARMING: dict[str, float] = {
    "cur2005": 0.85,
    "rcp45_fut2035": 1.39, "rcp85_fut2035": 1.58,
    "rcp45_fut2065": 2.11, "rcp85_fut2065": 3.09,
    "rcp45_fut2095": 2.41, "rcp85_fut2095": 4.31,
}
#: TRACC: France +4.0 °C ↔ world +3.0 °C in 2100 (ratio 4/3 at every anchor).
FRANCE_TO_GLOBAL = 3.0 / 4.0
SOURCE = "EU-Trees4F (Mauri et al. 2022, Scientific Data 9:37), ensemble SDM prob_pot/std_pot"


def layer_for(france_warming: float) -> str:
    """The EU-Trees4F layer whose global warming is nearest the scenario's."""
    g = france_warming * FRANCE_TO_GLOBAL
    return min(LAYER_GLOBAL_WARMING, key=lambda k: (abs(LAYER_GLOBAL_WARMING[k] - g), k))


def _files(root: Path, species: str, layer: str) -> tuple[Path, Path | None]:
    folder = root / f"EU-Trees4F_{species}" / "ens_sdms"
    prob = folder / f"{species}_ens-sdms_{layer}_prob_pot.tif"
    std = folder / f"{species}_ens-sdms_{layer}_std_pot.tif"
    return prob, (std if std.exists() else None)


def presence_threshold(root: Path, species: str) -> float:
    """Probability cut-off (0–1) that best reproduces the current binary map over Europe."""
    return threshold_and_agreement(root, species)[0]


def threshold_and_agreement(root: Path, species: str) -> tuple[float, float]:
    """The cut-off and the share of European cells where ``prob ≥ cut-off`` equals the
    published binary map (``bin_pot``, cur2005)."""
    import rasterio
    from rasterio.warp import transform

    prob_path, _ = _files(root, species, "cur2005")
    bin_path = prob_path.with_name(prob_path.name.replace("prob_pot", "bin_pot"))
    with rasterio.open(prob_path) as src:
        prob = src.read(1).astype(float)
        nod = src.nodata
        rows, cols = np.nonzero(prob != nod)
        xs, ys = rasterio.transform.xy(src.transform, rows, cols)
    with rasterio.open(bin_path) as b:
        bx, by = transform("EPSG:4326", b.crs, list(xs), list(ys))
        band = b.read(1)
        br, bc = rasterio.transform.rowcol(b.transform, bx, by)
        br, bc = np.asarray(br), np.asarray(bc)
        inside = (br >= 0) & (br < b.height) & (bc >= 0) & (bc < b.width)
        vals = np.full(len(br), b.nodata, dtype=float)
        vals[inside] = band[br[inside], bc[inside]]
        ok = vals != b.nodata
    p = prob[rows, cols][ok] / 1000.0
    y = vals[ok] > 0
    grid = np.round(np.arange(0.01, 1.0, 0.005), 3)
    agreement = [np.mean((p >= c) == y) for c in grid]
    best = int(np.argmax(agreement))
    return float(grid[best]), float(agreement[best])


def extract(root: Path, lon: tuple[float, float], lat: tuple[float, float],
            pad_deg: float = 0.1) -> pd.DataFrame:
    """Cells of every species and layer inside the lon/lat box (+ pad): species, layer, lon,
    lat, prob (0–1), sd (0–1, NaN for cur2005 which has no std layer), threshold and its
    agreement with the published binary map."""
    import rasterio
    from rasterio.windows import from_bounds

    frames = []
    for species in SPECIES:
        threshold, agreement = threshold_and_agreement(root, species)
        for layer in LAYER_GLOBAL_WARMING:
            prob_path, std_path = _files(root, species, layer)
            with rasterio.open(prob_path) as src:
                win = from_bounds(lon[0] - pad_deg, lat[0] - pad_deg, lon[1] + pad_deg,
                                  lat[1] + pad_deg, src.transform).round_offsets().round_lengths()
                prob = src.read(1, window=win).astype(float)
                nodata = src.nodata
                tr = src.window_transform(win)
            r, c = np.nonzero(prob != nodata)
            x, y = rasterio.transform.xy(tr, r, c)
            sd = np.full(len(r), np.nan)
            if std_path is not None:
                with rasterio.open(std_path) as s:
                    vals = np.array([v[0] for v in s.sample(zip(x, y, strict=True))], float)
                    sd = np.where(vals == s.nodata, np.nan, vals / 1000.0)
            frames.append(pd.DataFrame({
                "species": species, "layer": layer, "lon": np.round(x, 5),
                "lat": np.round(y, 5), "prob": prob[r, c] / 1000.0, "sd": sd,
                "threshold": threshold, "agreement": round(agreement, 5)}))
    return pd.concat(frames, ignore_index=True)


class Cells:
    """The ``eu_trees4f`` table with one search tree per (species, layer), built on first use
    and kept (a scenario looks the same cells up once per year of its series)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self._by: dict[tuple[str, str], tuple] = {}
        #: (group, layer) → (lon, lat, status) of the last points looked up
        #: (:func:`group_status_of_points`)
        self._status: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def forget_statuses(self) -> None:
        """Drop the statuses kept by :func:`group_status_of_points` (the search trees stay)."""
        self._status.clear()

    def _cells(self, species: str, layer: str) -> tuple | None:
        key = (species, layer)
        if key not in self._by:
            from scipy.spatial import cKDTree

            t = self.table[(self.table["species"] == species) & (self.table["layer"] == layer)]
            self._by[key] = None if t.empty else (
                cKDTree(t[["lon", "lat"]].to_numpy(float)), t["prob"].to_numpy(float),
                t["sd"].to_numpy(float), float(t["threshold"].iloc[0]))
        return self._by[key]


def probability_at(table: pd.DataFrame | Cells, species: str, layer: str, lon: np.ndarray,
                   lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Probability and sd of the cell containing each point (nearest cell centre within half a
    cell; NaN outside the table), and the species' threshold."""
    cells = (table if isinstance(table, Cells) else Cells(table))._cells(species, layer)
    if cells is None:
        n = len(np.atleast_1d(lon))
        return np.full(n, np.nan), np.full(n, np.nan), float("nan")
    tree, prob_c, sd_c, threshold = cells
    d, i = tree.query(np.column_stack([np.atleast_1d(lon), np.atleast_1d(lat)]))
    half_diag = (5 / 60) * 0.75  # 5 arc-minute cells: a point is within ~0.71 cell of a centre
    ok = d <= half_diag
    return np.where(ok, prob_c[i], np.nan), np.where(ok, sd_c[i], np.nan), threshold


def group_status(table: pd.DataFrame | Cells, group: str, layer: str, lon: np.ndarray,
                 lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(status, probability, sd) of each point for a covered group at one layer; a mixed group
    keeps its better member (the highest probability relative to its threshold)."""
    best = None
    for species in GROUP_SPECIES[group]:
        prob, sd, thr = probability_at(table, species, layer, lon, lat)
        margin = prob - thr
        if best is None:
            best = (margin, prob, np.nan_to_num(sd, nan=0.0), np.full(len(prob), thr))
        else:
            better = np.nan_to_num(margin, nan=-9) > np.nan_to_num(best[0], nan=-9)
            best = tuple(np.where(better, new, old) for new, old in zip(
                (margin, prob, np.nan_to_num(sd, nan=0.0), np.full(len(prob), thr)), best,
                strict=True))
    margin, prob, sd, thr = best
    status = np.where(prob < thr, "unsuitable",
                      np.where(prob - 2 * sd < thr, "at_risk", "suitable")).astype(object)
    status[np.isnan(prob)] = "unknown"
    return status, prob, sd


def group_status_of_points(table: pd.DataFrame | Cells, group: str, layer: str,
                           lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The status of :func:`group_status` at each point, kept on a :class:`Cells` table per
    (group, layer) for the same points (a scenario asks it for every year of its series and
    every candidate species; the stands do not move). Each point's status depends on that point
    only, so callers may index the result."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if not isinstance(table, Cells):
        return group_status(table, group, layer, lon, lat)[0]
    kept = table._status.get((group, layer))
    if kept is not None and np.array_equal(kept[0], lon) and np.array_equal(kept[1], lat):
        return kept[2].copy()
    status = group_status(table, group, layer, lon, lat)[0]
    table._status[(group, layer)] = (lon.copy(), lat.copy(), status.copy())
    return status
