"""The integrated sample territory (``data/integrated``): coast, forest and ZAN on the same
communes, so that the links between use cases are spatial (:mod:`twin_core.coupling`).

The two agglomerations of the Estérel, all inside the SRTM tile of ../shared/data/elevation
(43-44° N, 6-8° E): CA Estérel Côte d'Azur Agglomération (Fréjus, Saint-Raphaël, Roquebrune-sur-
Argens, Puget-sur-Argens, Les Adrets-de-l'Estérel: the Argens plain and its beaches) and CA
Cannes Pays de Lérins (Cannes, Mandelieu-la-Napoule, Théoule-sur-Mer, Le Cannet, Mougins):
eroding beaches, a flood plain, one of France's most fire-prone massifs and strong land-take
pressure. Each agglomeration has inland communes (Les Adrets, Puget; Le Cannet, Mougins) that
receive homes relocated from its coast.

Built like any ``twin territory create`` territory (:mod:`twin_core.territory.create`), with its
own seed. Layers: real communes, Cerema erosion arcs (those with a measured rate), SRTM DEM at
90 m, BD Forêt stands, IFN plots, climate normals, Nice SYNOP weather (≈ 35-55 km), EU-Trees4F;
synthetic buildings (no BD TOPO in ../shared/data) and synthetic land take (the national Cerema
file is not there: only 9 Ain communes), both labelled ``synthetic``. No agriculture layers:
the Naïades copy covers Côte-d'Or only.

Called from :data:`twin_core.territory.build.BUILDERS` (``--only integrated``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: The two EPCIs (SIREN) and their communes.
EPCIS = {"200035319": "CA Estérel Côte d'Azur Agglomération",
         "200039915": "CA Cannes Pays de Lérins"}
CODES = ("06029", "06030", "06079", "06085", "06138",
         "83001", "83061", "83099", "83107", "83118")
SUBSEED = 6
#: Building points (the samples' cap is 40,000): 20,000 keeps the folder near 3 MB; a point
#: then stands for up to a few houses (said in the layer's description).
MAX_BUILDING_POINTS = 20_000


def build_integrated(src, dest: Path) -> list[Path]:
    from twin_core.territory import build as B
    from twin_core.territory import create as C

    inp = C.Inputs(src.root)
    sel = C.select_communes(inp, communes=CODES)
    assert set(sel["epci_code"]) == set(EPCIS), sorted(set(sel["epci_code"]))
    rng = np.random.default_rng([B.SEED, SUBSEED])
    cap, B.MAX_BUILDING_POINTS = B.MAX_BUILDING_POINTS, MAX_BUILDING_POINTS
    try:
        return _write(C, inp, sel, dest, rng)
    finally:
        B.MAX_BUILDING_POINTS = cap


def _write(C, inp, sel, dest: Path, rng) -> list[Path]:
    return C.write_territory(
        inp, sel, Path(dest), "integrated",
        "Estérel, Fréjus–Saint-Raphaël, plaine de l'Argens et pays de Cannes (territoire intégré)",
        "Estérel, Fréjus–Saint-Raphaël, Argens plain and pays de Cannes (integrated territory)",
        rng, selection={"communes": list(CODES), "epci": sorted(EPCIS), "departement": None,
                        "source": "../shared/data"}, log=lambda _msg: None)
