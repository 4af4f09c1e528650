"""matmul_custom (y = x · w (+ bias), w as [K, N] or, with transpose_w, [N, K]) against numpy, in the session's mode.

The cube multiplies fp16/bf16 exactly into fp32 and accumulates in fp32; the result is rounded once to
the input dtype. The golden is float64 from the same inputs, so the table's fp16/bf16 tolerance (half an
ulp of the output plus fp32 accumulation error) applies.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_inputs import as_dtype, registered_for_910b_only, wide

import opkit
from opkit.tolerances import assert_close

pytestmark = registered_for_910b_only("matmul_custom")

DTYPES = ["float16", "bfloat16"]
# (leading dims of x, K, N): one fractal, non-multiples of 16, a GEMV row, and blocks over several cores
SHAPES = [((16,), 16, 16), ((17,), 33, 15), ((1,), 100, 40), ((2, 3), 5, 7), ((128,), 256, 256), ((300,), 64, 520)]


def golden(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None, transpose_w: bool) -> np.ndarray:
    y = wide(x) @ (wide(w).T if transpose_w else wide(w))
    return y + bias.astype(np.float64) if bias is not None else y


def inputs(rng: np.random.Generator, lead: tuple, k: int, n: int, dtype: str, transpose_w: bool):
    x = as_dtype(rng.uniform(-1, 1, (*lead, k)), dtype)
    w = as_dtype(rng.uniform(-1, 1, (n, k) if transpose_w else (k, n)), dtype)
    return x, w


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, (*s[0], s[1], s[2]))))
@pytest.mark.parametrize("transpose_w", [False, True], ids=["w_kn", "w_nk"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul_custom(opkit_mode, rng, dtype, transpose_w, shape):
    lead, k, n = shape
    x, w = inputs(rng, lead, k, n, dtype, transpose_w)
    y = opkit.ops.matmul_custom(x, w, transpose_w=transpose_w)
    assert y.shape == (*lead, n) and str(y.dtype) == dtype
    assert_close(y, golden(x, w, None, transpose_w), dtype)


@pytest.mark.parametrize("transpose_w", [False, True], ids=["w_kn", "w_nk"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul_custom_bias(opkit_mode, rng, dtype, transpose_w):
    x, w = inputs(rng, (40,), 72, 50, dtype, transpose_w)
    bias = rng.uniform(-2, 2, 50).astype(np.float32)
    y = opkit.ops.matmul_custom(x, w, bias, transpose_w=transpose_w)
    assert_close(y, golden(x, w, bias, transpose_w), dtype)


@pytest.mark.parametrize("x_shape, w_shape, bias_shape, match", [
    ((4, 16), (17, 8), None, "InferShape rejected"),
    ((4, 16), (16, 8), (9,), "InferShape rejected"),
    ((4, 16), (16,), None, "InferShape rejected"),
], ids=["k-mismatch", "bias-length", "w-1d"])
def test_matmul_custom_rejects_bad_shapes(opkit_mode, x_shape, w_shape, bias_shape, match):
    x = np.ones(x_shape, np.float16)
    w = np.ones(w_shape, np.float16)
    bias = None if bias_shape is None else np.ones(bias_shape, np.float32)
    with pytest.raises(opkit.OpkitError, match=match):
        opkit.ops.matmul_custom(x, w, bias)


def test_matmul_custom_is_refused_on_a_soc_it_is_not_registered_for(opkit_mode):
    # Note [Registered SoCs]: its OpDef adds only ascend910b; CANN would have no kernel to launch on 910A,
    # so the call is refused before tiling, naming AddConfig (the Matmul API's own 910A limit is
    # tests/runtime/test_matmul_api.py's)
    x = np.ones((16, 16), np.float16)
    with pytest.raises(opkit.OpkitError, match=r"registered for ascend910b .*AddConfig.*not for Ascend910A \(ascend910\)"):
        opkit.ops.matmul_custom(x, x, soc="Ascend910A")


@settings(max_examples=15, deadline=None)
@given(m=st.integers(1, 70), k=st.integers(1, 90), n=st.integers(1, 70), dtype=st.sampled_from(DTYPES),
       transpose_w=st.booleans(), with_bias=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_matmul_custom_property(m, k, n, dtype, transpose_w, with_bias, seed):
    rng = np.random.default_rng(seed)
    x, w = inputs(rng, (m,), k, n, dtype, transpose_w)
    bias = rng.uniform(-1, 1, n).astype(np.float32) if with_bias else None
    y = opkit.ops.matmul_custom(x, w, bias, transpose_w=transpose_w)
    assert_close(y, golden(x, w, bias, transpose_w), dtype)
