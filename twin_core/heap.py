"""A binary min-heap on two parallel arrays (``keys``, ``vals``) for numba kernels: the
priority queue of the forest's fire spread (arrival times, Dijkstra) and of the coast's
priority flood (spill levels, Barnes et al. 2014). Plain Python here; :func:`compiled` gives
the numba versions, which the kernels call."""

from __future__ import annotations

__all__ = ["compiled", "heap_pop", "heap_push"]


def heap_push(keys, vals, size, key, val):  # pragma: no cover (compiled by numba)
    """Insert ``(key, val)`` into the heap of ``size`` items; returns the new size."""
    i = size
    while i > 0:
        p = (i - 1) >> 1
        if keys[p] <= key:
            break
        keys[i] = keys[p]
        vals[i] = vals[p]
        i = p
    keys[i] = key
    vals[i] = val
    return size + 1


def heap_pop(keys, vals, size):  # pragma: no cover (compiled by numba)
    """Remove the smallest key; returns it, its value and the new size."""
    key, val = keys[0], vals[0]
    size -= 1
    lk, lv = keys[size], vals[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and keys[c + 1] < keys[c]:
            c += 1
        if keys[c] >= lk:
            break
        keys[i] = keys[c]
        vals[i] = vals[c]
        i = c
    if size > 0:
        keys[i] = lk
        vals[i] = lv
    return key, val, size


_COMPILED: list = []


def compiled():
    """``(heap_push, heap_pop)`` compiled by numba (once per process, ``cache=False``)."""
    if not _COMPILED:
        from numba import njit

        _COMPILED.extend((njit(cache=False)(heap_push), njit(cache=False)(heap_pop)))
    return _COMPILED[0], _COMPILED[1]
