"""Spill levels: every flood level of the connected bathtub from one pass over the DEM.

The connected bathtub (:func:`~twin_core.models.coast.submersion.flooded_mask`) floods a cell
when it lies below the still-water level and joins the sea through 4-neighbour cells that are
below the level too. For a family of levels indexed by one number ``L`` (a uniform level, or a
level field ``L + t`` with a fixed per-cell term ``t``, the estuary gradient), a cell is below
the level iff ``L ≥ θ`` for a per-cell threshold ``θ`` (:func:`below_threshold`), so a cell
floods at ``L`` iff some 4-connected path from a sea cell to it has all its thresholds ≤ ``L``,
i.e. iff its *spill level* — the minimum over such paths of the path's largest threshold (the
minimax or "bottleneck" path, computed by a priority flood: Barnes, Lehman & Mulla 2014,
Computers & Geosciences 62:117-127, doi:10.1016/j.cageo.2013.04.024, their "improved
priority-flood" with a plain queue for the cells that do not rise) — is ≤ ``L``
(:func:`spill_levels`). One priority flood per DEM and per-cell term then answers every level
with a comparison. The equivalence is exact (same float32 comparisons as the label-based
``flooded_mask``): checked on hand-built DEMs and on the sample territory in
tests/models/test_coast_spill.py.

The flood is computed only inside a window ``[floor, cap]`` of levels: below ``floor`` every
cell is reported at ``floor`` (a plain breadth-first fill, no ordering), above ``cap`` at
+inf (never processed). A query outside the window must recompute with a wider one
(:meth:`SpillField.covers`); inside it the answer is exact.
"""

from __future__ import annotations

import numpy as np

from twin_core.heap import compiled as heap_compiled
from twin_core.heap import heap_pop, heap_push

#: Window of levels one spill computation serves, around the level of its first query (m):
#: below it, a plain fill; above it, not computed. A tuning of the work per computation, not
#: of the results (a level outside the window recomputes with a wider one): the levels of a
#: scenario's series for one storm differ by the sea-level rise between 2025 and the horizon.
SPILL_BELOW_M = 1.0
SPILL_ABOVE_M = 2.5


def _ordered(x: np.ndarray) -> np.ndarray:
    """float32 → int64 keys in the same order (consecutive floats → consecutive keys)."""
    i = np.asarray(x, dtype=np.float32).view(np.int32).astype(np.int64)
    return np.where(i < 0, -(i & 0x7FFFFFFF), i)


def _unordered(k: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_ordered`."""
    i = np.where(k < 0, (-k) | -0x80000000, k).astype(np.int32)
    return i.view(np.float32)


def below_threshold(z: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
    """Per-cell threshold θ (float32) such that the cell is below the level iff ``L32 ≥ θ``,
    where ``L32`` is the level rounded to float32.

    ``t is None``: the test of ``flooded_mask`` for a scalar level, ``z < level`` (numpy
    compares a float32 array with a Python float in float32), so θ = the next float32 above z.
    Else the level field ``level + t`` (float32 arithmetic, as ``Prepared.level_field``):
    below iff ``z < fl32(L32 + t)``, monotone in ``L32``; θ = the smallest float32 for which
    it holds, found by bisection over the float32 values around ``z − t``. NaN elevations
    (nodata) get +inf: never below, never conducting water.
    """
    z = np.asarray(z, dtype=np.float32)
    finite = np.isfinite(z)
    if t is None:
        theta = np.nextafter(z, np.float32(np.inf))
        theta[~finite] = np.inf
        return theta
    t = np.broadcast_to(np.asarray(t, dtype=np.float32), z.shape)
    if not np.isfinite(t[finite]).all():
        raise ValueError("the level field's per-cell term t must be finite where z is")
    with np.errstate(invalid="ignore", over="ignore"):
        theta = z - t  # within an ulp or two of θ for nearly every cell
        below = theta + t > z
        prev = np.nextafter(theta, np.float32(-np.inf))
        exact = below & ~(prev + t > z)
    open_ = np.flatnonzero(finite & ~exact)
    if open_.size:
        theta.ravel()[open_] = _bisect(z.ravel()[open_], t.ravel()[open_])
    theta[~finite] = np.inf
    return theta


def _bisect(zf: np.ndarray, tf: np.ndarray) -> np.ndarray:
    """Smallest float32 x with ``fl32(x + tf) > zf`` per element: bracket around ``zf − tf``
    (widened until it holds), then bisection on the ordered float32 values."""
    guess = zf.astype(np.float64) - tf
    half = 4.0 * (np.abs(zf) + np.abs(tf) + 1e-30) * 2.0**-23
    for _ in range(64):
        lo = (guess - half).astype(np.float32)
        hi = (guess + half).astype(np.float32)
        with np.errstate(over="ignore", invalid="ignore"):
            bad = (lo + tf > zf) | ~(hi + tf > zf)
        if not bad.any():
            break
        half = np.where(bad, 2.0 * half, half)
    else:
        raise RuntimeError("below_threshold: no float32 bracket found")
    klo, khi = _ordered(lo), _ordered(hi)
    active = np.flatnonzero(khi - klo > 1)
    while active.size:
        mid = (klo[active] + khi[active]) // 2
        x = _unordered(mid)
        below = x + tf[active] > zf[active]
        khi[active] = np.where(below, mid, khi[active])
        klo[active] = np.where(below, klo[active], mid)
        active = active[khi[active] - klo[active] > 1]
    return _unordered(khi)


def _threshold_cell(z, t, has_t, floor, cap):  # pragma: no cover (compiled by numba)
    """θ of one cell (see :func:`below_threshold`), or ``floor`` when it is certainly ≤
    ``floor``, +inf when certainly > ``cap`` (a wall) or nodata."""
    if not np.isfinite(z):
        return np.float32(np.inf)
    if not has_t:
        x = np.nextafter(z, np.float32(np.inf))
        if x <= floor:
            return floor
        return x if x <= cap else np.float32(np.inf)
    x = z - t
    margin = np.float32(1e-6) * (abs(z) + abs(t))
    if x + margin < floor:
        return floor
    if x - margin > cap:
        return np.float32(np.inf)
    steps = 0
    while not (x + t > z) and steps < 8:
        x = np.nextafter(x, np.float32(np.inf))
        steps += 1
    while x + t > z and steps < 8:
        p = np.nextafter(x, np.float32(-np.inf))
        if not (p + t > z):
            break
        x = p
        steps += 1
    if steps >= 8:  # z ≈ t: the float32 values are dense near x; bisection on values
        g = np.float64(z) - np.float64(t)
        d = 4e-7 * (abs(np.float64(z)) + abs(np.float64(t))) + 1e-30
        lo = np.float32(g - d)
        hi = np.float32(g + d)
        while lo + t > z or not (hi + t > z):
            d *= 2.0
            lo = np.float32(g - d)
            hi = np.float32(g + d)
        while True:
            m = np.float32(0.5 * (np.float64(lo) + np.float64(hi)))
            if m == lo or m == hi:
                break
            if m + t > z:
                hi = m
            else:
                lo = m
        x = hi
        while True:
            p = np.nextafter(x, np.float32(-np.inf))
            if p + t > z:
                x = p
            else:
                break
    if x <= floor:
        return floor
    return x if x <= cap else np.float32(np.inf)


def _make_flood(threshold, push=heap_push, pop=heap_pop):
    """The priority flood calling ``threshold`` and the heap's ``push`` and ``pop`` (numba
    versions: :func:`_kernel`)."""
    def _priority_flood(z, t, has_t, seeds, floor, cap, out, queue, heap_v, heap_i
                        ):  # pragma: no cover (compiled by numba)
        """Spill level of every cell into ``out`` (+inf = above ``cap`` or not connected),
        from the flat ``seeds`` indices. ``out`` comes filled with +inf, or ``floor`` on a
        region already flooded whose edge cells are among the seeds; ``queue``, ``heap_v``,
        ``heap_i``: scratch arrays of one slot per cell (each cell enters once)."""
        nrow, ncol = z.shape
        zf = z.ravel()
        tf = t.ravel()
        res = out.ravel()
        q_head = 0
        q_tail = 0
        h_size = 0
        for s in seeds:
            if res[s] != np.inf:  # a cell of the region filled beforehand (at ``floor``)
                queue[q_tail] = s
                q_tail += 1
                continue
            v = threshold(zf[s], tf[s] if has_t else np.float32(0), has_t, floor, cap)
            if v == np.inf:
                continue
            res[s] = v
            if v <= floor:
                queue[q_tail] = s
                q_tail += 1
            else:
                h_size = push(heap_v, heap_i, h_size, v, s)
        while q_head < q_tail or h_size > 0:
            if q_head < q_tail:
                c = queue[q_head]
                q_head += 1
            else:  # the heap's minimum
                _, c, h_size = pop(heap_v, heap_i, h_size)
            v = res[c]
            r = c // ncol
            col = c - r * ncol
            for d in range(4):
                if d == 0:
                    if r == 0:
                        continue
                    m = c - ncol
                elif d == 1:
                    if r == nrow - 1:
                        continue
                    m = c + ncol
                elif d == 2:
                    if col == 0:
                        continue
                    m = c - 1
                else:
                    if col == ncol - 1:
                        continue
                    m = c + 1
                if res[m] != np.inf:
                    continue
                tm = threshold(zf[m], tf[m] if has_t else np.float32(0), has_t, floor, cap)
                if tm == np.inf:
                    continue
                if tm <= v:
                    res[m] = v
                    queue[q_tail] = m
                    q_tail += 1
                else:
                    res[m] = tm
                    h_size = push(heap_v, heap_i, h_size, tm, m)
    return _priority_flood


_COMPILED: list = []


def _kernel():
    """The priority flood compiled by numba on first use (≈ 2 s; ``cache=False``: no files
    written next to the package), for one signature."""
    if not _COMPILED:
        from numba import njit, types

        f32 = types.float32
        threshold = njit(f32(f32, f32, types.boolean, f32, f32), cache=False)(_threshold_cell)
        ro2 = types.Array(f32, 2, "C", readonly=True)
        i64 = types.Array(types.int64, 1, "C")
        sig = types.void(ro2, ro2, types.boolean, types.Array(types.int64, 1, "C",
                                                                 readonly=True),
                         f32, f32, types.Array(f32, 2, "C"), i64, types.Array(f32, 1, "C"), i64)
        push, pop = heap_compiled()
        _COMPILED.append(njit(sig, cache=False, nogil=True)(_make_flood(threshold, push, pop)))
    return _COMPILED[0]


def compile_spill_kernel() -> None:
    """Compile the priority flood now (≈ 1.5 s once per process) rather than in the first
    flood: the coast model calls it while it prepares a territory."""
    _kernel()


def sea_seeds(shape: tuple[int, int], sea: np.ndarray | None) -> np.ndarray:
    """Flat indices (int64) of the flood's seeds: the ``sea`` cells, or, when ``sea`` is None,
    the cells on the array's edge (as :func:`~twin_core.models.coast.submersion.flooded_mask`).
    """
    if sea is None:
        edge = np.zeros(shape, dtype=bool)
        edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
        return np.flatnonzero(edge).astype(np.int64)
    sea = np.asarray(sea, dtype=bool)
    if sea.shape != tuple(shape):
        raise ValueError(f"sea mask shape {sea.shape} differs from dem {tuple(shape)}")
    return np.flatnonzero(sea).astype(np.int64)


def spill_levels(z: np.ndarray, t: np.ndarray | None, seeds: np.ndarray, floor: float,
                 cap: float, start: np.ndarray | None = None) -> np.ndarray:
    """Spill level (float32) of every cell of the DEM ``z`` (2-D, NaN = nodata) for the level
    family ``L`` (``t`` None) or ``L + t`` (per-cell term, float32): the cell floods at
    ``L32`` (the level rounded to float32) iff its spill level ≤ ``L32``, for
    ``floor ≤ L32 ≤ cap``. ``seeds``: flat indices of the sea cells (:func:`sea_seeds`).
    Values below ``floor`` are reported as ``floor``; above ``cap``, and cells not connected to
    the sea, as +inf.

    ``start`` (optional): a region known to flood at ``floor`` (``floor`` there, +inf
    elsewhere, e.g. the spill of the same DEM with ``t`` None and ``cap = floor``, valid for a
    ``t ≥ 0``); then ``seeds`` must hold its edge cells and the sea cells outside it
    (:func:`region_seeds`), and only the cells outside it are visited.
    """
    z = np.ascontiguousarray(z, dtype=np.float32)
    if z.ndim != 2:
        raise ValueError(f"dem must be 2-D, got {z.ndim} dimensions")
    floor32 = np.float32(floor)
    cap32 = np.float32(min(float(cap), float(np.finfo(np.float32).max)))
    if not floor32 <= cap32:
        raise ValueError(f"floor {floor} must be ≤ cap {cap}")
    if t is None:
        tt = np.zeros((1, 1), dtype=np.float32)  # not read
    else:
        tt = np.ascontiguousarray(np.broadcast_to(np.asarray(t, dtype=np.float32), z.shape))
    n = z.size
    if start is None:
        out = np.full(z.shape, np.inf, dtype=np.float32)
    else:
        if start.shape != z.shape:
            raise ValueError(f"start region shape {start.shape} differs from dem {z.shape}")
        out = np.array(start, dtype=np.float32, order="C")
    _kernel()(z, tt, t is not None, np.ascontiguousarray(seeds, dtype=np.int64), floor32, cap32,
              out, np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float32),
              np.empty(n, dtype=np.int64))
    return out


def region_seeds(region: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Seeds of a flood started from ``region`` (boolean): its cells with a 4-neighbour
    outside it, and the ``seeds`` (flat indices) outside it."""
    region = np.asarray(region, dtype=bool)
    inner = region.copy()
    inner[1:, :] &= region[:-1, :]
    inner[:-1, :] &= region[1:, :]
    inner[:, 1:] &= region[:, :-1]
    inner[:, :-1] &= region[:, 1:]
    edge = np.flatnonzero(region & ~inner)
    rest = seeds[~region.ravel()[seeds]]
    return np.concatenate([edge, rest]).astype(np.int64)
