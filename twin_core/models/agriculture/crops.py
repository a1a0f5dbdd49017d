"""Crop parameters: FAO-56 crop coefficients and stages, FAO-33 yield response, COMIFER nitrogen.

Sources (see ../shared/reference/domain_facts.md, sections C1 and C3):
- Kc ini / mid / end: FAO-56 Table 12 (Allen et al. 1998), as transcribed in kthorp/pyfao56
  ``tools/tables.py`` (medium confidence): winter wheat 0.7/1.15/0.25 (non-frozen soils),
  barley 0.3/1.15/0.25, rapeseed/canola 0.35/1.10/0.35, maize grain 0.3/1.20/0.35 (dry),
  sunflower 0.35/1.10/0.35, grazing pasture (rotated) 0.40/0.90/0.85, cereals 0.3/1.15/0.4.
- Stage lengths (ini/dev/mid/late, days): FAO-56 Table 11: winter wheat "Mediterranean, Nov"
  30/140/40/30 (sown 1 Nov here → harvest ≈ end June, as in Burgundy); spring barley "barley/
  oats/wheat, 35–45° latitude, Mar–Apr" 20/25/60/30; maize grain "Spain, spring–summer, Apr"
  30/40/50/30; sunflower "Mediterranean, Apr–May" 25/35/45/25; grass pasture ini 10 / dev 20
  then until the autumn frosts. FAO-56 has no winter barley or winter rapeseed row: winter
  barley takes the winter-wheat lengths sown 15 Oct; rapeseed (sown late August, harvested early
  July) 60/150/50/50 is a documented assumption.
- Depletion fraction p (no stress): FAO-56 Table 22 (wheat, barley, maize 0.55, sunflower 0.45,
  rapeseed 0.60, pasture 0.60).
- Ky (seasonal yield response to water deficit): FAO-33, Doorenbos & Kassam (1979), Table 24
  (winter wheat 1.0, spring wheat 1.15 used for spring barley, maize 1.25, sunflower 0.95).
  Rapeseed, winter barley and grassland have no FAO-33 value: 1.0 is assumed (documented).
- N requirement per quintal (COMIFER "besoin", kg N/q): winter wheat 3.0, winter barley 2.4,
  spring barley 2.2, rapeseed 6.5, maize grain 2.3, sunflower 4.5 (fertilisation-edu.fr, "La
  méthode COMIFER", medium confidence).
- Côte-d'Or yields (q/ha): wheat 73.1, winter barley 62, rapeseed 37.2 (Chambre d'agriculture
  harvest surveys via agribourgogne.fr, medium). Spring barley 60 (Bourgogne winter barley ≈ 60
  q/ha, agri71.fr, used as the order of magnitude); maize 85 and sunflower 25 q/ha: NOT found
  in the corpus — documented defaults (Agreste "statistique agricole annuelle" for Côte-d'Or
  would settle them).
- ``autumn_n``: mineral N left in the soil at the start of the drainage season for a crop fed
  at the COMIFER balance (kg N/ha), before any surplus. Measured losses in a rapeseed–wheat
  rotation are 20–95 kg N/ha/yr, with 54 kg N/ha under the wheat following rapeseed vs 15 under
  rapeseed after wheat (Beaudoin 2022 via INRAE "Mots de l'agronomie", domain_facts C2): the
  crop values below are set in that range (rapeseed residues high, a rapeseed crop itself low;
  grassland ~10). Their absolute level is scaled by the calibrated factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin_core.errors import TwinInputError


@dataclass(frozen=True)
class CropParams:
    """One crop's parameters (see the module docstring for each source)."""

    kc_ini: float
    kc_mid: float
    kc_end: float
    plant_doy: int
    stages: tuple[int, int, int, int]  # ini, dev, mid, late (days)
    p: float  # FAO-56 depletion fraction for no stress
    ky: float  # FAO-33 seasonal yield response factor
    n_per_q: float  # COMIFER N requirement, kg N per quintal of grain (0: not a grain crop)
    yield_q: float  # reference yield, q/ha
    autumn_n: float  # mineral N at the start of the drainage season at balance, kg N/ha
    winter_bare: bool  # soil bare over winter unless a cover crop (CIPAN) is sown
    irrigable: bool = False  # irrigated on part of its area in Côte-d'Or
    cn_cover: str = "row"  # TR-55 runoff cover class (waterbalance.CURVE_NUMBERS)


#: Days per month (the daily models use 365-day years).
MONTHS_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

#: Off-season coefficient (bare soil, stubble, regrowth): FAO-56 §6 gives Kc ini ≈ 0.3–0.5 for
#: wet-soil evaporation in temperate winters; 0.4 is used between harvest and sowing.
KC_OFF = 0.4

CROPS: dict[str, CropParams] = {
    "winter_wheat": CropParams(0.7, 1.15, 0.25, 305, (30, 140, 40, 30), 0.55, 1.0, 3.0, 73.1,
                               30.0, False, cn_cover="grain"),
    "winter_barley": CropParams(0.7, 1.15, 0.25, 288, (30, 140, 40, 30), 0.55, 1.0, 2.4, 62.0,
                                30.0, False, cn_cover="grain"),
    "spring_barley": CropParams(0.3, 1.15, 0.25, 74, (20, 25, 60, 30), 0.55, 1.15, 2.2, 60.0,
                                35.0, True, cn_cover="grain"),
    "rapeseed": CropParams(0.35, 1.10, 0.35, 240, (60, 150, 50, 50), 0.60, 1.0, 6.5, 37.2,
                           50.0, False, cn_cover="grain"),
    "maize_grain": CropParams(0.3, 1.20, 0.35, 110, (30, 40, 50, 30), 0.55, 1.25, 2.3, 85.0,
                              45.0, True, irrigable=True),
    "sunflower": CropParams(0.35, 1.10, 0.35, 105, (25, 35, 45, 25), 0.45, 0.95, 4.5, 25.0,
                            40.0, True),
    "grassland": CropParams(0.40, 0.90, 0.85, 75, (10, 20, 200, 30), 0.60, 1.0, 0.0, 0.0,
                            10.0, False, cn_cover="pasture"),
    "other": CropParams(0.3, 1.15, 0.40, 74, (20, 25, 60, 30), 0.55, 1.0, 0.0, 0.0,
                        30.0, True),
}
CROP_NAMES: tuple[str, ...] = tuple(CROPS)


def crop_params(name: str, source: str = "crops") -> CropParams:
    """Parameters of crop ``name``; an unknown crop raises a clear TwinInputError."""
    try:
        return CROPS[name]
    except KeyError:
        raise TwinInputError("agri_unknown_crop", source, crop=name,
                             known=", ".join(CROP_NAMES)) from None


def kc_curve(params: CropParams, doy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily Kc (FAO-56 single crop coefficient, piecewise linear as in FAO-56 Fig. 25 /
    eq. 66) for days of year ``doy``, and the in-season mask. Seasons may cross 1 January."""
    ini, dev, mid, late = params.stages
    t = (np.asarray(doy) - params.plant_doy) % 365  # days since sowing
    kc = np.full(t.shape, KC_OFF, dtype=float)
    season = t < ini + dev + mid + late
    a = t < ini
    kc[a] = params.kc_ini
    b = (t >= ini) & (t < ini + dev)
    kc[b] = params.kc_ini + (t[b] - ini) / dev * (params.kc_mid - params.kc_ini)
    c = (t >= ini + dev) & (t < ini + dev + mid)
    kc[c] = params.kc_mid
    d = (t >= ini + dev + mid) & season
    kc[d] = params.kc_mid + (t[d] - ini - dev - mid) / late * (params.kc_end - params.kc_mid)
    return kc, season
