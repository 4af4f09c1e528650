"""Per-dtype tolerances for comparing kernel outputs with numpy goldens: the one table.

A result passes when at most ``max_mismatch`` of its elements fall outside
``|out - golden| <= atol + rtol * |golden|`` (the official samples' criterion: rtol = atol = 1e-3 and
at most 1e-4 of fp16 elements may mismatch). Goldens are computed in float64 from the same inputs.
"""

from __future__ import annotations

import numpy as np

TOLERANCES: dict[str, dict[str, float]] = {
    "float16": {"rtol": 1e-3, "atol": 1e-3, "max_mismatch": 1e-4},
    "bfloat16": {"rtol": 8e-3, "atol": 8e-3, "max_mismatch": 1e-4},
    "float32": {"rtol": 1e-5, "atol": 1e-6, "max_mismatch": 0.0},
}


def tolerance(dtype: str, override: dict[str, float] | None = None) -> dict[str, float]:
    """The table's tolerance for ``dtype`` with the keys of ``override`` replaced (an op whose result
    legitimately differs more, e.g. a reduction summed in another order, loosens only what it must).

    >>> tolerance("float32", {"rtol": 1e-4})["rtol"], tolerance("float32")["rtol"]
    (0.0001, 1e-05)
    """
    tol = dict(TOLERANCES[dtype])
    for key, value in (override or {}).items():
        if key not in tol:
            raise KeyError(f"tolerance override {key!r}: not one of {', '.join(tol)}")
        tol[key] = float(value)
    return tol


def _mismatches(out: np.ndarray, golden: np.ndarray, dtype: str,
                override: dict[str, float] | None = None) -> tuple[np.ndarray, float]:
    tol = tolerance(dtype, override)
    o = np.asarray(out).astype(np.float64)
    g = np.asarray(golden).astype(np.float64)
    with np.errstate(invalid="ignore"):
        return _compare(o, g, tol)


def _compare(o: np.ndarray, g: np.ndarray, tol: dict[str, float]) -> tuple[np.ndarray, float]:
    same_inf = np.isinf(o) & np.isinf(g) & (np.sign(o) == np.sign(g))
    bad = ~(same_inf | (np.abs(o - g) <= tol["atol"] + tol["rtol"] * np.abs(g)))
    bad &= ~(np.isnan(o) & np.isnan(g))
    finite = ~same_inf & np.isfinite(g)
    err = float(np.max(np.abs(o - g)[finite])) if finite.any() else 0.0
    return bad, err


def assert_close_report(out: np.ndarray, golden: np.ndarray, dtype: str) -> tuple[bool, float]:
    """Return (passes, max abs error) of ``out`` against the float64 ``golden``."""
    bad, err = _mismatches(out, golden, dtype)
    return int(bad.sum()) <= TOLERANCES[dtype]["max_mismatch"] * bad.size, err


def assert_close(out: np.ndarray, golden: np.ndarray, dtype: str, override: dict[str, float] | None = None) -> None:
    """Raise AssertionError naming the worst elements unless ``out`` matches ``golden``
    (within the table's tolerance for ``dtype``, with ``override``'s keys replaced)."""
    if out.shape != golden.shape:
        raise AssertionError(f"shape {out.shape} != golden shape {golden.shape}")
    if str(out.dtype) != dtype:
        raise AssertionError(f"dtype {out.dtype} != expected {dtype}")
    tol = tolerance(dtype, override)
    bad, _ = _mismatches(out, golden, dtype, override)
    allowed = tol["max_mismatch"] * bad.size
    if bad.sum() > allowed:
        idx = np.flatnonzero(bad.ravel())[:5]
        detail = ", ".join(f"[{i}] got {out.ravel()[i]!r} want {golden.ravel()[i]!r}" for i in idx)
        raise AssertionError(f"{int(bad.sum())} of {bad.size} elements outside {dtype} tolerance "
                             f"{tol} (allowed {allowed:.0f}); first: {detail}")
