"""Shared pieces of the op tests: lengths, dtype conversion, exact float64 views for goldens."""

from __future__ import annotations

import numpy as np

# 1 and 31: shorter than one 32-byte unit; 32*1024+1: a tail after whole tiles; primes: uneven
# multi-core splits with remainders; 10**7: every core busy, many tiles per core.
LENGTHS = [1, 31, 32 * 1024 + 1, 7919, 104729, 10**7]


def length_id(n: int) -> str:
    return f"{n}" if n < 10**6 else f"1e{len(str(n)) - 1}"


def as_dtype(values: np.ndarray, dtype: str) -> np.ndarray:
    if dtype == "bfloat16":
        import ml_dtypes

        return values.astype(ml_dtypes.bfloat16)
    return values.astype(dtype)


def wide(a: np.ndarray) -> np.ndarray:
    """The exact values of an input, for float64 goldens."""
    return a.astype(np.float64)
