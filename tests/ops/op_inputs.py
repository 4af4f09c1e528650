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


# The SoC every call without soc= runs on: $OPKIT_SOC or the default (README, "sweeping SoCs").
def session_soc() -> dict:
    from opkit import _core

    return _core.soc(None)


# Note [Elementwise split]: without DataCopyPad (910A, 310P) a tile moves whole 32-byte blocks, so the
# tiling refuses an input of less than one block (an empty one launches nothing and is fine).
TINY_REFUSAL = "less than one 32-byte block"


def refused_as_tiny(n: int, dtype: str) -> bool:
    return not session_soc()["has_data_copy_pad"] and 0 < n * as_dtype(np.zeros(0), dtype).itemsize < 32


# 910A and 310P have no bfloat16: the ops register it only for 910B-class SoCs (Note [Registered SoCs]).
BF16_REFUSAL = "OpAICoreConfig for ascend"


def refused_as_bf16(dtype: str) -> bool:
    return dtype == "bfloat16" and not session_soc()["has_bf16"]


def saturated(golden: np.ndarray, dtype: str) -> np.ndarray:
    """The golden as the session's SoC gives it: 910A and 310P saturate float results (inf -> +-max,
    Note [Float saturation]); 910B keeps IEEE inf. (float16 or float32: those SoCs have no bfloat16.)"""
    if not session_soc()["float_saturation"]:
        return golden
    big = float(np.finfo(dtype).max)
    return np.where(np.isinf(golden), np.copysign(big, golden), golden)


def registered_for_910b_only(op: str):
    """Module mark for the cube ops, whose OpDefs add only ascend910b: on another session SoC their
    calls are refused (test_matmul_custom_is_refused_on_a_soc_it_is_not_registered_for checks that)."""
    import pytest

    soc = session_soc()
    return pytest.mark.skipif(soc["short_name"] != "ascend910b",
                              reason=f"{op} is registered for ascend910b only; this session runs {soc['name']}")

