"""Grain yields under a warming level with the FAO AquaCrop model (AquaCrop-OSPy), cached.

Model: AquaCrop (Steduto, Hsiao, Raes & Fereres 2009, Agron. J. 101:426; Raes et al. 2009,
Agron. J. 101:438), in its Python port AquaCrop-OSPy (Foster et al. 2017, Environ. Model.
Softw. 89:113; Kelly & Foster 2021, Agric. Water Manag. 254:106976), package ``aquacrop``
3.1.0. Its bundled example (Tunis 1979/80 wheat, sandy loam, rainfed) gives 8.94 t/ha dry
yield (tested). AquaCrop simulates canopy growth in growing degree days, water- and
temperature-stress on canopy, transpiration and harvest index, so a warmer climate shortens the
cycle and raises ET0 as well as changing the water balance — what the FAO-33 Ky response
(Doorenbos & Kassam 1979) used for the other crops cannot show.

Set-up (every choice documented; none is fitted):
- crops: the package's built-in growing-degree-day parameter files, unchanged except the
  rooting depth (below): ``"WheatLongGDD"`` for winter wheat (long-season wheat, flowering at
  2252 °C·d, maturity 3390 °C·d, base 0 °C — the package's calendar-day ``"Wheat"`` is the
  Tunis spring-sown-in-autumn wheat, mature in 197 days, i.e. end of April in Burgundy, and
  flowers in winter) and ``"MaizeGDD"`` for maize grain (maturity 1700 °C·d, base 8 °C).
  Growing degree days make a warmer climate shorten the cycle. Phenology calibration
  (:func:`phenology_scale`): the built-in varieties are too late for the cool Côte-d'Or weather
  (wheat would mature in late August or not within a year, maize would not reach its 1700 °C·d),
  so every degree-day stage length is scaled by one factor per crop and climate, chosen so that
  the crop matures on average on 15 July (wheat) / 10 October (maize) at the PRESENT climate
  (+1.7 °C) — regional harvest periods, ASSUMPTION (no Côte-d'Or source in the corpus). The
  factor is then held fixed, so a warmer climate brings maturity forward. Sowing dates: winter
  wheat 15 October, maize 25 April —
  ASSUMPTION for Burgundy (typical regional sowing windows, mid-October for wheat, late April
  for maize; no Côte-d'Or source in the corpus). All other crops keep the FAO-33 Ky response
  (:mod:`.crops`, :func:`.pipeline.evaluate`).
- weather: the project's seeded SYNTHETIC daily weather (:func:`.weather.synthetic_weather`)
  for the territory's representative climate (farmland-weighted mean of the commune normals),
  ``n_seasons`` + 1 years dated from 1 January 2001 (365-day synthetic years on the real
  calendar: a drift of one day per leap year, negligible here); ``MinTemp``/``MaxTemp`` shifted
  by the warming above the 1971–2000 normals, ``ReferenceET`` the project's FAO-56
  Penman–Monteith ET0 (:func:`.et0.et0_fao56`, relative humidity kept, radiation from
  Hargreaves' temperature-range formula, FAO-56 eq. 50), ``Precipitation`` with June–August
  rain scaled by the summer rain change. The same random weather is used at every warming level
  (common random numbers), so differences between levels are the climate signal, not noise.
- CO2: the package default (observed Mauna Loa series at the simulated years 2001–2010,
  ≈ 370–390 ppm, the same at every warming level): NO CO2 fertilisation is applied, a
  conservative choice — the yield changes are those of temperature and water alone.
- soil: AquaCrop built-in textures, the crop's maximum rooting depth ``Zmax`` capped at the
  soil depth ``z_res`` = centre / (θFC − θWP), so that the total available water of the
  deepest root zone equals the class centre (AquaCrop-OSPy 3.1.0 stores but does not use the
  ``Soil(z_res=…)`` restrictive layer, hence the cap on ``Zmax``). The soil water capacity
  lever (RU, mm) is mapped to one of :data:`SOIL_CLASSES`:

  =========  ===========  ===============  ==============================================
  class      RU (mm)      texture          why
  =========  ===========  ===============  ==============================================
  shallow    < 110        ``ClayLoam``     clay-limestone plateau soils (Châtillonnais,
                                           arrière-côte), shallow over limestone: 80 mm
  medium     110 – 190    ``SiltClayLoam`` plain and slope soils: 150 mm
  deep       ≥ 190        ``SiltLoam``     deep silty soils of the Saône plain: 220 mm
  =========  ===========  ===============  ==============================================

  (θFC − θWP of the built-in textures: ClayLoam 0.16, SiltClayLoam 0.21, SiltLoam 0.20 m³/m³).
  The class bounds and centres are documented assumptions.
- initial water content: field capacity at the start of each run (1 October for wheat, 1
  January for maize: Burgundy soils are refilled by winter rain).
- irrigated maize: AquaCrop's net-irrigation mode (``irrigation_method=4``, root zone kept
  above 80 % of TAW, the package default), medium soil, no rain change (irrigation removes the
  rain effect): only the temperature effect remains.

Cache: yields are computed on a grid of warming levels (:data:`WARMING_GRID`, France °C vs
1850–1900; it contains the present +1.7 and the TRACC +2.7 and +4 °C, so those figures are
exact runs) × summer rain changes (:data:`RAIN_GRID`, %), per crop, soil class and climate,
lazily on first use, in a module-level dict (:data:`_STORE`) shared by every preparation of the
same climate. A scenario then interpolates linearly (warming, rain): microseconds.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin_core.models.agriculture.weather import NORMALS_WARMING, synthetic_weather

#: France warming levels (°C vs 1850–1900) of the cache: present (2023), TRACC +2.7 (2050),
#: TRACC +4 (2100), +5.5. Levels below the present are clamped to it: at the 1971–2000 normals
#: (+0.5 °C) the long-season wheat of the package does not reach maturity within a year on the
#: territory's cool synthetic weather (AquaCrop refuses such a crop calendar).
WARMING_GRID = (1.7, 2.7, 4.0, 5.5)
#: June–August rain changes (%) of the cache (the lever spans −40 … +20 %).
RAIN_GRID = (-40.0, -20.0, 0.0, 20.0)
#: Seasons simulated per grid point (each costs ≈ 0.3–0.45 s here).
N_SEASONS = 6
PRESENT_WARMING = 1.7
ELEVATION_M = 300.0


@dataclass(frozen=True)
class AquaCropCrop:
    """An AquaCrop crop set-up: built-in parameter file and sowing date (see module doc)."""

    aquacrop_name: str
    planting_date: str  # MM/DD
    start_mmdd: str  # first simulated day of each season's year
    crosses_year: bool  # harvest in the year after sowing
    harvest_target: str  # MM/DD of maturity at the present climate (phenology calibration)


#: Crop parameters given in growing degree days (scaled by the phenology calibration) and the
#: rates per degree day (divided by it).
GDD_DURATIONS = ("Emergence", "MaxRooting", "Senescence", "Maturity", "HIstart", "Flowering",
                 "YldForm")
GDD_RATES = ("CGC", "CDC")


#: The crops simulated with AquaCrop (keys are the project's crop names, :mod:`.crops`).
AQ_CROPS: dict[str, AquaCropCrop] = {
    "winter_wheat": AquaCropCrop("WheatLongGDD", "10/15", "10/01", True, "07/15"),
    "maize_grain": AquaCropCrop("MaizeGDD", "04/25", "01/01", False, "10/10"),
}


@dataclass(frozen=True)
class SoilClass:
    name: str
    ru_max: float  # upper RU bound of the class (mm, exclusive)
    ru_mm: float  # class centre: total available water of the root zone (mm)
    texture: str  # AquaCrop built-in soil texture
    taw_per_m: float  # θFC − θWP of that texture (m³/m³ = mm/mm)

    @property
    def z_res(self) -> float:
        """Depth (m) of the restrictive layer giving ``ru_mm`` of available water."""
        return round(self.ru_mm / 1000.0 / self.taw_per_m, 2)


SOIL_CLASSES: tuple[SoilClass, ...] = (
    SoilClass("shallow", 110.0, 80.0, "ClayLoam", 0.16),
    SoilClass("medium", 190.0, 150.0, "SiltClayLoam", 0.21),
    SoilClass("deep", np.inf, 220.0, "SiltLoam", 0.20),
)


def soil_class(ru_mm: float) -> SoilClass:
    """The AquaCrop soil class of a soil water capacity (RU, mm): see the module table."""
    for cls in SOIL_CLASSES:
        if ru_mm < cls.ru_max:
            return cls
    return SOIL_CLASSES[-1]


@dataclass(frozen=True)
class Climate:
    """Commune normals (Joly et al. 2010 variables, model names) of one representative site."""

    tmean_c: float
    tam_c: float
    precip_mm: float
    rain_days_jan: float
    rain_days_jul: float
    precip_dev_jan: float
    precip_dev_jul: float
    lat: float

    @classmethod
    def from_mapping(cls, m) -> Climate:
        return cls(**{k: round(float(m[k]), 3) for k in cls.__dataclass_fields__})


def weather_frame(climate: Climate, warming: float, rain_change_pct: float = 0.0,
                  n_years: int = N_SEASONS + 1, seed: int = 2154,
                  elevation: float = ELEVATION_M) -> pd.DataFrame:
    """AquaCrop weather table (MinTemp, MaxTemp, Precipitation, ReferenceET, Date) of the
    SYNTHETIC daily weather at a France warming level (°C vs 1850–1900)."""
    c = climate
    wx = synthetic_weather(c.tmean_c, c.tam_c, c.precip_mm, c.rain_days_jan, c.rain_days_jul,
                           c.lat, c.precip_dev_jan, c.precip_dev_jul, n_years=n_years, seed=seed)
    dt = float(warming) - NORMALS_WARMING
    et0 = wx.et0([elevation], [c.lat], dt)[0]
    month = pd.to_datetime(wx.doy - 1, unit="D", origin="2001-01-01").month
    summer = (month >= 6) & (month <= 8)
    rain = wx.precip[0] * np.where(summer, 1.0 + rain_change_pct / 100.0, 1.0)
    return pd.DataFrame({"MinTemp": wx.tmin[0] + dt, "MaxTemp": wx.tmax[0] + dt,
                         "Precipitation": rain, "ReferenceET": np.maximum(et0, 0.1),
                         "Date": pd.date_range("2001-01-01", periods=wx.doy.size, freq="D")})


def gdd_method3(tmin: np.ndarray, tmax: np.ndarray, tbase: float, tupp: float) -> np.ndarray:
    """Daily growing degree days, AquaCrop method 3 (as in AquaCrop-OSPy)."""
    tx = np.clip(tmax, tbase, tupp)
    tn = np.minimum(tmin, tupp)
    return np.maximum((tx + tn) / 2.0, tbase) - tbase


def phenology_scale(crop: str, weather: pd.DataFrame, n_seasons: int = N_SEASONS) -> float:
    """Phenology calibration: the factor applied to the crop's degree-day stage lengths so that
    it matures on average on ``harvest_target`` in ``weather`` (the present climate). AquaCrop's
    manual asks for local calibration of the phenology; the built-in varieties are too late for
    the cool synthetic Côte-d'Or weather (the Burgundy varieties are earlier)."""
    from aquacrop.entities.crop import Crop

    spec = AQ_CROPS[crop]
    c = Crop(spec.aquacrop_name, planting_date=spec.planting_date)
    gdd = pd.Series(gdd_method3(weather["MinTemp"].to_numpy(), weather["MaxTemp"].to_numpy(),
                                c.Tbase, c.Tupp), index=pd.DatetimeIndex(weather["Date"]))
    y0 = weather["Date"].iloc[0].year
    totals = []
    for k in range(n_seasons):
        sow = pd.Timestamp(f"{y0 + k}/{spec.planting_date}")
        end = pd.Timestamp(f"{y0 + k + (1 if spec.crosses_year else 0)}/{spec.harvest_target}")
        totals.append(gdd[sow:end].sum())
    return float(np.mean(totals) / c.Maturity)


def run_aquacrop(crop: str, weather: pd.DataFrame, soil: SoilClass, n_seasons: int = N_SEASONS,
                 irrigated: bool = False, gdd_scale: float = 1.0) -> np.ndarray:
    """Dry grain yield (t/ha) of each of ``n_seasons`` seasons simulated by AquaCrop, the
    degree-day stage lengths of the crop multiplied by ``gdd_scale``."""
    # aquacrop/__init__ skips its imports when '-m' is in sys.argv (e.g. `pytest -m …`)
    from aquacrop.core import AquaCropModel
    from aquacrop.entities.crop import Crop
    from aquacrop.entities.inititalWaterContent import InitialWaterContent
    from aquacrop.entities.irrigationManagement import IrrigationManagement
    from aquacrop.entities.soil import Soil

    spec = AQ_CROPS[crop]
    y0 = weather["Date"].iloc[0].year
    start = f"{y0}/{spec.start_mmdd}"
    end = f"{y0 + n_seasons}/{spec.start_mmdd}"
    end = (pd.Timestamp(end) - pd.Timedelta(days=1)).strftime("%Y/%m/%d")
    base = Crop(spec.aquacrop_name, planting_date=spec.planting_date)
    scaled = {k: getattr(base, k) * gdd_scale for k in GDD_DURATIONS}
    scaled.update({k: getattr(base, k) / gdd_scale for k in GDD_RATES})
    crop_obj = Crop(spec.aquacrop_name, planting_date=spec.planting_date, **scaled)
    crop_obj.Zmax = min(crop_obj.Zmax, soil.z_res)  # rooting limited by the soil depth
    model = AquaCropModel(
        sim_start_time=start, sim_end_time=end, weather_df=weather,
        soil=Soil(soil.texture),
        crop=crop_obj,
        initial_water_content=InitialWaterContent(value=["FC"]),
        irrigation_management=IrrigationManagement(irrigation_method=4 if irrigated else 0))
    model.run_model(till_termination=True)
    res = model.get_simulation_results()
    return res["Dry yield (tonne/ha)"].to_numpy(dtype=float)[:n_seasons]


#: Module-level store: key → mean dry yield (t/ha) per warming level of the grid (and the
#: phenology factors).
_STORE: dict[tuple, np.ndarray | float] = {}
#: Bump when a change here alters the yields: entries of the disk cache carry it in their key.
DISK_CACHE_VERSION = 1


def cache_dir() -> Path | None:
    """The disk cache's folder of AquaCrop yields (``TWIN_CACHE_DIR``, default ~/.cache/twin,
    then ``aquacrop``); None when ``TWIN_CACHE_DIR=off`` disables it."""
    root = os.environ.get("TWIN_CACHE_DIR", str(Path.home() / ".cache" / "twin"))
    return None if root.lower() == "off" else Path(root) / "aquacrop"


def _disk_path(key: tuple) -> Path | None:
    """Where the disk cache (:func:`cache_dir`) keeps ``key``. The file name hashes the whole
    key (climate, grids, seasons, seed, crop, soil, rain, irrigation) with the aquacrop
    version, so a different input can never read another's yields."""
    folder = cache_dir()
    if folder is None:
        return None
    from importlib.metadata import version

    text = repr((DISK_CACHE_VERSION, version("aquacrop"), key))
    return folder / f"{hashlib.sha256(text.encode()).hexdigest()}.npy"


def _cached(key: tuple, compute: Callable[[], np.ndarray | float]) -> np.ndarray | float:
    """``_STORE[key]``, else the disk cache, else ``compute()`` (then kept in both; a disk that
    cannot be written only costs the next process a recomputation)."""
    if key in _STORE:
        return _STORE[key]
    path = _disk_path(key)
    if path is not None and path.exists():
        try:
            value = np.load(path, allow_pickle=False)
            _STORE[key] = float(value) if value.ndim == 0 else value
            return _STORE[key]
        except (OSError, ValueError):
            pass  # a damaged file: recompute and overwrite it
    value = compute()
    _STORE[key] = value
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp",
                                             delete=False) as tmp:
                np.save(tmp, np.asarray(value, dtype=float))
            os.replace(tmp.name, path)
        except OSError:
            pass
    return value


@dataclass
class YieldCache:
    """AquaCrop yields of one climate, computed lazily per (crop, soil class, rain change,
    irrigated) over :attr:`warming_grid` and kept in :data:`_STORE`."""

    climate: Climate
    warming_grid: tuple[float, ...] = WARMING_GRID
    rain_grid: tuple[float, ...] = RAIN_GRID
    n_seasons: int = N_SEASONS
    seed: int = 2154
    runs: int = field(default=0)  # AquaCrop runs made by this object (cache misses)

    def _key(self, crop: str, soil: SoilClass, rain: float, irrigated: bool) -> tuple:
        return (self.climate, tuple(self.warming_grid), self.n_seasons, self.seed, crop,
                soil.name, float(rain), irrigated)

    def table(self, crop: str, soil: SoilClass, rain: float = 0.0,
              irrigated: bool = False) -> np.ndarray:
        """Mean dry yield (t/ha) at each warming level of the grid (cached)."""
        if irrigated:  # irrigation removes the soil and rain effects (module docstring)
            soil, rain = SOIL_CLASSES[1], 0.0
        def compute() -> np.ndarray:
            scale = self.gdd_scale(crop)
            out = []
            for w in self.warming_grid:
                wx = weather_frame(self.climate, w, rain, self.n_seasons + 1, self.seed)
                out.append(run_aquacrop(crop, wx, soil, self.n_seasons, irrigated,
                                        scale).mean())
                self.runs += 1
            return np.array(out)

        return _cached(self._key(crop, soil, rain, irrigated), compute)

    def gdd_scale(self, crop: str) -> float:
        """Phenology calibration factor of ``crop`` at the present climate (cached)."""
        def compute() -> float:
            wx = weather_frame(self.climate, PRESENT_WARMING, 0.0, self.n_seasons + 1,
                               self.seed)
            return phenology_scale(crop, wx, self.n_seasons)

        return float(_cached(("gdd_scale", self.climate, self.n_seasons, self.seed, crop),
                             compute))

    def yield_at(self, crop: str, ru_mm: float, warming: float, rain_change_pct: float = 0.0,
                 irrigated: bool = False) -> float:
        """Mean dry yield (t/ha), linear in warming and in summer rain change between grid
        points (clamped to the grids)."""
        soil = soil_class(ru_mm)
        rg = np.asarray(self.rain_grid, float)
        r = float(np.clip(rain_change_pct, rg[0], rg[-1]))
        j = int(min(np.searchsorted(rg, r, side="right") - 1, len(rg) - 2))
        f = (r - rg[j]) / (rg[j + 1] - rg[j])
        nodes = [(n, wt) for n, wt in ((rg[j], 1.0 - f), (rg[j + 1], f)) if wt > 0]
        if irrigated:
            nodes = [(0.0, 1.0)]
        wg = np.asarray(self.warming_grid, float)
        return float(sum(wt * np.interp(warming, wg, self.table(crop, soil, rn, irrigated))
                         for rn, wt in nodes))

    def change_pct(self, crop: str, ru_mm: float, warming: float, rain_change_pct: float = 0.0,
                   present_warming: float = PRESENT_WARMING, irrigated: bool = False) -> float:
        """Yield change (%) at a climate vs the present climate (present warming, no rain
        change), same soil."""
        y0 = self.yield_at(crop, ru_mm, present_warming, 0.0, irrigated)
        y = self.yield_at(crop, ru_mm, warming, rain_change_pct, irrigated)
        return float((y / y0 - 1.0) * 100.0) if y0 > 0 else float("nan")

    def build(self, ru_values: tuple[float, ...] = (150.0,), rains: tuple[float, ...] = (0.0,),
              irrigated_maize: bool = True) -> None:
        """Fill the cache eagerly (e.g. at territory preparation)."""
        for crop in AQ_CROPS:
            for ru in ru_values:
                for rain in rains:
                    self.table(crop, soil_class(ru), rain)
        if irrigated_maize and "maize_grain" in AQ_CROPS:
            self.table("maize_grain", SOIL_CLASSES[1], 0.0, irrigated=True)

    def grid(self) -> list[tuple[str, SoilClass, float, bool]]:
        """Every table a scenario can ask for: each crop × soil class × rain change of the
        grid, rainfed, and the irrigated maize table (irrigation removes soil and rain)."""
        out = [(crop, soil, float(rain), False) for crop in AQ_CROPS for soil in SOIL_CLASSES
               for rain in self.rain_grid]
        if "maize_grain" in AQ_CROPS:
            out.append(("maize_grain", SOIL_CLASSES[1], 0.0, True))
        return out

    def missing(self) -> list[tuple[str, SoilClass, float, bool]]:
        """The tables of :meth:`grid` neither in memory nor in the disk cache."""
        out = []
        for crop, soil, rain, irrigated in self.grid():
            key = self._key(crop, soil, rain, irrigated)
            path = _disk_path(key)
            if key not in _STORE and (path is None or not path.exists()):
                out.append((crop, soil, rain, irrigated))
        return out

    def fill(self) -> int:
        """Compute the :meth:`missing` tables (kept in memory and on disk); how many were.
        ``twin cache aquacrop`` runs it in a low-priority process after the server's warm-up,
        so that moving the soil or summer-rain lever later costs no AquaCrop run (the 18 tables
        the sample's warm-up leaves missing took 94 s here, ≈ 5 s each)."""
        todo = self.missing()
        for crop, soil, rain, irrigated in todo:
            self.table(crop, soil, rain, irrigated)
        return len(todo)
