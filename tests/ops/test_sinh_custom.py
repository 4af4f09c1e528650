"""sinh_custom (y = sinh x) against numpy, in the session's mode."""

from __future__ import annotations

import numpy as np
import pytest
from op_inputs import LENGTHS, TINY_REFUSAL, length_id, refused_as_tiny, saturated, session_soc, wide

import opkit
from opkit.tolerances import assert_close


@pytest.mark.parametrize("n", LENGTHS, ids=length_id)
@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_sinh_custom(opkit_mode, rng, dtype, n):
    x = rng.uniform(-5, 5, n).astype(dtype)
    if refused_as_tiny(n, dtype):
        with pytest.raises(opkit.TilingError, match=TINY_REFUSAL):
            opkit.ops.sinh_custom(x)
        return
    assert_close(opkit.ops.sinh_custom(x), np.sinh(wide(x)), dtype)


def test_sinh_custom_every_finite_fp16(opkit_mode):
    # All 63488 finite fp16 values, subnormals to +-65504: sinh overflows fp16 past |x| ~ 11.78,
    # e^x alone already past 11.09, and near 0 (e^x - e^-x) cancels: each must come out right.
    bits = np.arange(65536, dtype=np.uint16).view(np.float16)
    x = bits[np.isfinite(bits)]
    with np.errstate(over="ignore"):
        golden = saturated(np.sinh(wide(x)).astype(np.float16), "float16")  # 910A/310P: +-65504 for inf
    y = opkit.ops.sinh_custom(x)
    np.testing.assert_array_equal(np.isinf(y), np.isinf(golden))
    # Stricter than the tolerance table, which has an absolute floor: within one fp16 ulp of the
    # correctly rounded result everywhere, including the tiny values where atol would hide errors.
    finite = np.isfinite(golden)
    with np.errstate(over="ignore"):  # spacing(65504) is inf: the largest fp16 has no next value
        ulp = np.spacing(np.abs(golden[finite])).astype(np.float64)
    ulp[np.isinf(ulp)] = 32.0  # its spacing below (the saturated golden on 910A/310P)
    err = np.abs(y[finite].astype(np.float64) - golden[finite].astype(np.float64))
    assert (err <= ulp).all(), f"{int((err > ulp).sum())} values more than 1 ulp off, e.g. x={x[finite][err > ulp][:3]}"


@pytest.mark.parametrize("lo, hi", [(-1e-6, 1e-6), (-1.0, 1.0), (0.9, 1.1), (-89.0, 89.0), (80.0, 89.4)],
                         ids=["tiny", "unit", "branch-edge", "wide", "near-overflow"])
def test_sinh_custom_fp32_ranges(opkit_mode, rng, lo, hi):
    x = rng.uniform(lo, hi, 20000).astype(np.float32)
    assert_close(opkit.ops.sinh_custom(x), np.sinh(wide(x)), "float32")


def test_sinh_custom_special_values(opkit_mode):
    x = np.zeros(16, np.float32)  # (16: at least one 32-byte block, as 910A/310P need)
    x[:7] = [0.0, -0.0, np.inf, -np.inf, np.nan, 89.5, -89.5]
    y = opkit.ops.sinh_custom(x)
    assert y[0] == 0 and y[1] == 0
    if not session_soc()["float_saturation"]:
        assert y[2] == np.inf and y[3] == -np.inf and np.isnan(y[4])
        assert y[5] == np.inf and y[6] == -np.inf  # sinh(89.5) > FLT_MAX
    else:
        # Note [Float saturation]: each instruction's inf becomes +-FLT_MAX and its NaN 0; the kernel's
        # last multiply by c = 0.9999986 leaves the overflowed results just under FLT_MAX
        big = np.float32(3.4e38)
        assert y[2] > big and y[3] < -big and y[4] == 0
        assert y[5] > big and y[6] < -big and np.isfinite(y).all()


def test_sinh_custom_fp16_special_values(opkit_mode):
    # The fp16 path (E - 1/(4E) rounded to fp16, then x itself where |x| < 2^-8) keeps inf, NaN and signed
    # zeros, and overflows to inf past |x| ~ 11.78 (910B: IEEE; 910A/310P saturate, test_sinh_custom_every_finite_fp16)
    x = np.zeros(32, np.float16)
    x[:9] = [0.0, -0.0, np.inf, -np.inf, np.nan, 11.8, -11.8, 2.0**-24, -(2.0**-24)]
    with np.errstate(over="ignore"):
        y = opkit.ops.sinh_custom(x, soc="Ascend910B1")
    assert y[0] == 0 and not np.signbit(y[0]) and y[1] == 0 and np.signbit(y[1])
    assert y[2] == np.inf and y[3] == -np.inf and np.isnan(y[4])
    assert y[5] == np.inf and y[6] == -np.inf
    assert y[7] == x[7] and y[8] == x[8]  # the smallest subnormals come back as themselves


@pytest.mark.parametrize("lo, hi", [(0.0, 1.0), (0.99, 1.01), (1.0, 12.0), (12.0, 89.41)],
                         ids=["small", "branch-edge", "mid", "large"])
def test_sinh_custom_fp32_within_3_ulp(opkit_mode, rng, lo, hi):
    # Tighter than the tolerance table: the kernel's error budget (the Exp instruction's, one
    # Reciprocal, the branch edge's cancellation) stays under 3 ulp of the float64 result. An Exp
    # argument rounded before the exponential (x - ln2 in fp32) alone costs up to 24 ulp at |x| ~ 89.
    x = rng.uniform(lo, hi, 20000).astype(np.float32) * rng.choice(np.float32([-1, 1]), 20000)
    golden = np.sinh(x.astype(np.float64))
    y = opkit.ops.sinh_custom(x).astype(np.float64)
    ulp = np.spacing(np.abs(golden).astype(np.float32)).astype(np.float64)
    err = np.abs(y - golden) / ulp
    assert err.max() < 3, f"max {err.max():.2f} ulp at x={x[np.argmax(err)]!r}"
