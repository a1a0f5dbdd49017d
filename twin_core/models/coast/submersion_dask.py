"""Connected flooding on rasters larger than memory, in row strips with Dask.

Same rule as :func:`twin_core.models.coast.submersion.flood_depth` with ``sea=None``: a cell
floods when it is below the water level and 4-connected, through below-level cells, to a
below-level cell on the raster's edge; NaN never floods nor conducts; depth = level − elevation.

Two passes over strips of full-width rows:
1. each strip labels its below-level cells (scipy.ndimage.label) and returns only its top and
   bottom label rows and the labels touching the raster's edge;
2. the labels of all strips are joined in one sparse graph (vertical contacts between strips,
   plus a "sea" node joined to every edge-touching label); its connected components
   (scipy.sparse.csgraph) tell which labels reach the sea; each strip is labelled again and
   mapped to depth.
Memory stays at a few strips per worker plus the label lookup, whatever the raster's size.
"""

from __future__ import annotations

import dask
import dask.array as da
import numpy as np
from scipy import ndimage, sparse
from scipy.sparse.csgraph import connected_components


def _labels(block: np.ndarray, level: float) -> tuple[np.ndarray, int]:
    with np.errstate(invalid="ignore"):
        wet = block < level  # NaN compares False: never wet
    return ndimage.label(wet)


def _summary(block: np.ndarray, level: float, first: bool, last: bool):
    labels, n = _labels(block, level)
    edge = [labels[:, 0], labels[:, -1]]
    if first:
        edge.append(labels[0])
    if last:
        edge.append(labels[-1])
    touching = np.unique(np.concatenate(edge))
    return n, labels[0].copy(), labels[-1].copy(), touching[touching > 0]


def flooded_labels(dem: da.Array, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Pass 1 and the graph: (offset of each strip's labels, boolean lookup of flooded labels
    indexed by global label, 0 = dry)."""
    blocks = dem.to_delayed().ravel()
    k = len(blocks)
    parts = dask.compute(*[dask.delayed(_summary)(b, level, i == 0, i == k - 1)
                           for i, b in enumerate(blocks)])
    counts = np.array([p[0] for p in parts], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    total = int(counts.sum())
    sea = total + 1  # node ids: 1..total labels, total + 1 the sea, 0 unused
    rows, cols = [], []
    for i, (_, _top, bottom, touching) in enumerate(parts):
        rows.append(touching + offsets[i])
        cols.append(np.full(len(touching), sea))
        if i + 1 < k:
            top_next = parts[i + 1][1]
            both = (bottom > 0) & (top_next > 0)
            rows.append(bottom[both] + offsets[i])
            cols.append(top_next[both] + offsets[i + 1])
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    graph = sparse.coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)),
                              shape=(total + 2, total + 2))
    _, component = connected_components(graph, directed=False)
    lookup = component == component[sea]
    lookup[0] = False
    lookup[sea] = False
    return offsets, lookup


def flood_depth_dask(dem: da.Array, water_level: float, strip_rows: int | None = None
                     ) -> da.Array:
    """Lazy flood depth (m) of a 2-D dask array of elevations (m; NaN = nodata).

    The array is rechunked to strips of full-width rows (``strip_rows``, default its row
    chunks); pass 1 runs now (it is needed to know which labels reach the sea), pass 2 stays
    lazy: reduce it (e.g. ``(depth > 0).sum()``) or store it block by block.
    """
    if dem.ndim != 2:
        raise ValueError(f"dem must be 2-D, got {dem.ndim} dimensions")
    rows = strip_rows or dem.chunks[0][0]
    dem = dem.rechunk((rows, dem.shape[1]))
    offsets, lookup = flooded_labels(dem, water_level)
    dtype = dem.dtype if np.issubdtype(dem.dtype, np.floating) else np.float64

    def depth(block: np.ndarray, block_info=None) -> np.ndarray:
        i = block_info[0]["chunk-location"][0]
        labels, _ = _labels(block, water_level)
        wet = lookup[np.where(labels > 0, labels + offsets[i], 0)]
        out = np.zeros(block.shape, dtype=dtype)
        np.subtract(water_level, block, out=out, where=wet)
        return out

    return dem.map_blocks(depth, dtype=dtype)
