"""lora_matmul_custom (y = x · wᵀ (+ bias) + scale · (xl · A[id]ᵀ) · B[id]ᵀ) against numpy, in the session's mode.

xl is the optional x_lora (the LoRA branch's input: x after dropout in fine-tuning), else x.

The cube multiplies fp16/bf16 exactly into fp32 and accumulates in fp32; s·(x·Aᵀ) enters the cube as two
dtype parts (Note [Two-part T] in kernels/lora_matmul_custom.cpp), so the golden is plain float64 from the
same inputs and the table's fp16/bf16 tolerance applies unchanged. Ids: one per row of x, -1 for none.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_inputs import as_dtype, registered_for_910b_only, wide

import opkit
from opkit import simulator
from opkit.tolerances import assert_close

pytestmark = registered_for_910b_only("lora_matmul_custom")

DTYPES = ["float16", "bfloat16"]
# (leading dims of x, in, out, r): one fractal, non-multiples of 16, a GEMV row, leading dims, r = 1 and
# r = 256, and tiles over several cores
SHAPES = [((16,), 16, 16, 16), ((17,), 33, 15, 3), ((1,), 100, 40, 1), ((2, 3), 5, 7, 2),
          ((300,), 64, 520, 20), ((40,), 24, 30, 256)]


def golden(x, w, a, b, scale, bias=None, ids=None, x_lora=None):
    X = wide(x).reshape(-1, x.shape[-1])
    XL = X if x_lora is None else wide(x_lora).reshape(X.shape)  # the LoRA branch's input
    y = X @ wide(w).T
    if bias is not None:
        y += bias.astype(np.float64)
    if ids is None:
        y += scale * (XL @ wide(a).T) @ wide(b).T
    else:
        for i, ad in enumerate(np.asarray(ids).ravel()):
            if ad >= 0:
                y[i] += scale * (XL[i] @ wide(a[ad]).T) @ wide(b[ad]).T
    return y.reshape(*x.shape[:-1], w.shape[0])


def dropped(rng, x, p=0.3):
    """x after inverted dropout (PEFT's lora_dropout): x * m, m in {0, 1/(1 - p)}, in x's dtype."""
    m = (rng.random(x.shape) >= p) / (1 - p)
    return as_dtype(wide(x) * m, str(x.dtype))


def inputs(rng, lead, k, n, r, dtype, adapters=None):
    x = as_dtype(rng.uniform(-1, 1, (*lead, k)), dtype)
    w = as_dtype(rng.uniform(-1, 1, (n, k)), dtype)
    pre = () if adapters is None else (adapters,)
    a = as_dtype(rng.uniform(-1, 1, (*pre, r, k)), dtype)
    b = as_dtype(rng.uniform(-1, 1, (*pre, n, r)), dtype)
    return x, w, a, b


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, (*s[0], s[1], s[2]))) + f"-r{s[3]}")
@pytest.mark.parametrize("dtype", DTYPES)
def test_lora_matmul_custom(opkit_mode, rng, dtype, shape):
    lead, k, n, r = shape
    x, w, a, b = inputs(rng, lead, k, n, r, dtype)
    y = opkit.ops.lora_matmul_custom(x, w, a, b, scale=0.5)
    assert y.shape == (*lead, n) and str(y.dtype) == dtype
    assert_close(y, golden(x, w, a, b, 0.5), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_lora_matmul_custom_bias(opkit_mode, rng, dtype):
    x, w, a, b = inputs(rng, (40,), 72, 50, 8, dtype)
    bias = rng.uniform(-2, 2, 50).astype(np.float32)
    y = opkit.ops.lora_matmul_custom(x, w, a, b, bias, scale=2.0)
    assert_close(y, golden(x, w, a, b, 2.0, bias), dtype)


# (how the rows pick adapters): contiguous requests with a no-adapter one, one id per row at random,
# every row without an adapter, one row
MIXES = {
    "segments": lambda rng, m, n: np.repeat(np.array([2, -1, 0, 1, 2], np.int32), [37, 20, 50, 3, m - 110]),
    "per-row": lambda rng, m, n: rng.integers(-1, n, m).astype(np.int32),
    "none": lambda rng, m, n: np.full(m, -1, np.int32),
}


@pytest.mark.parametrize("mix", sorted(MIXES))
@pytest.mark.parametrize("dtype", DTYPES)
def test_lora_matmul_custom_adapters(opkit_mode, rng, dtype, mix):
    x, w, a, b = inputs(rng, (150,), 40, 60, 12, dtype, adapters=3)
    ids = MIXES[mix](rng, 150, 3)
    bias = rng.uniform(-1, 1, 60).astype(np.float32)
    y = opkit.ops.lora_matmul_custom(x, w, a, b, bias, ids, scale=0.25)
    assert_close(y, golden(x, w, a, b, 0.25, bias, ids), dtype)


@pytest.mark.parametrize("adapters, r", [(8, 32), (5, 96), (3, 20)], ids=["8x-r32", "5x-r96", "3x-r20"])
def test_lora_matmul_custom_many_adapters_per_tile(opkit_mode, rng, adapters, r):
    # every 16-row group mixes adapters: phase 1 stacks their A rows (one or several batches), phase 2
    # runs one adapter step per adapter in each tile
    x, w, a, b = inputs(rng, (140,), 56, 300, r, "float16", adapters=adapters)
    ids = rng.integers(-1, adapters, 140).astype(np.int32)
    y = opkit.ops.lora_matmul_custom(x, w, a, b, adapter_ids=ids, scale=0.3)
    assert_close(y, golden(x, w, a, b, 0.3, None, ids), "float16")


@pytest.mark.parametrize("with_bias", [False, True], ids=["no-bias", "bias"])
@pytest.mark.parametrize("adapters", [None, 3], ids=["one-adapter", "3-adapters"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lora_matmul_custom_x_lora(opkit_mode, rng, dtype, adapters, with_bias):
    # LoRA dropout: the adapter reads x_lora = dropout(x), the base product x itself
    x, w, a, b = inputs(rng, (150,), 40, 60, 12, dtype, adapters)
    x_lora = dropped(rng, x)
    ids = None if adapters is None else MIXES["segments"](rng, 150, adapters)
    bias = rng.uniform(-1, 1, 60).astype(np.float32) if with_bias else None
    y = opkit.ops.lora_matmul_custom(x, w, a, b, bias, ids, x_lora, scale=0.5)
    want = golden(x, w, a, b, 0.5, bias, ids, x_lora)
    assert_close(y, want, dtype)
    # ...and it is not the answer without x_lora (the adapter term here is far above the tolerance)
    assert np.abs(y.astype(np.float64) - golden(x, w, a, b, 0.5, bias, ids)).max() > 0.1


def test_lora_matmul_custom_x_lora_same_as_x(opkit_mode, rng):
    # x_lora = x is the plain layer, bit for bit (phase 1 reads equal bytes)
    x, w, a, b = inputs(rng, (2, 9), 20, 18, 4, "bfloat16", adapters=2)
    ids = np.array([[0, 1, -1, 1, 1, 0, 0, 0, 1]] * 2, np.int32)
    y = opkit.ops.lora_matmul_custom(x, w, a, b, adapter_ids=ids, x_lora=x.copy(), scale=1.5)
    np.testing.assert_array_equal(y, opkit.ops.lora_matmul_custom(x, w, a, b, adapter_ids=ids, scale=1.5))


@pytest.mark.parametrize("x_lora, match", [
    (np.ones((4, 15), np.float16), r"input 'x_lora' has shape \(4, 15\) but x has \(4, 16\); .* must have x's shape"),
    (np.ones((2, 2, 16), np.float16), r"input 'x_lora' has shape \(2, 2, 16\) but x has \(4, 16\)"),
    (np.ones((4, 16), np.float32), r"input 'x_lora' has dtype float32 but x has float16; .* must have x's dtype"),
    (as_dtype(np.ones((4, 16)), "bfloat16"), r"input 'x_lora' has dtype bfloat16 but x has float16"),
], ids=["in", "leading-dims", "float32", "bfloat16"])
def test_lora_matmul_custom_rejects_bad_x_lora(opkit_mode, x_lora, match):
    x, w, a, b = (np.ones(s, np.float16) for s in ((4, 16), (8, 16), (2, 16), (8, 2)))
    with pytest.raises(opkit.OpkitError, match=match):
        opkit.ops.lora_matmul_custom(x, w, a, b, x_lora=x_lora)


@contextlib.contextmanager
def host_checks_only():
    """lora_matmul_custom without its Python-side checks: what a C++ aclnn caller meets."""
    op = opkit.ops.lora_matmul_custom
    check, op.check = op.check, None
    try:
        yield op
    finally:
        op.check = check


def test_lora_matmul_custom_host_refuses_bad_x_lora(opkit_mode):
    # C++ callers meet the host's own check, which names both shapes
    with host_checks_only() as op:
        x, w, a, b = (np.ones(s, np.float16) for s in ((4, 16), (8, 16), (2, 16), (8, 2)))
        with pytest.raises(opkit.OpkitError, match=r"x_lora has shape \(4, 15\) but x has \(4, 16\)"):
            op(x, w, a, b, x_lora=np.ones((4, 15), np.float16))


def test_lora_matmul_custom_ids_in_x_shape(opkit_mode, rng):
    x, w, a, b = inputs(rng, (2, 9), 20, 18, 4, "float16", adapters=2)
    ids = np.array([[0, 1, -1, 1, 1, 0, 0, 0, 1]] * 2, np.int32)
    y = opkit.ops.lora_matmul_custom(x, w, a, b, adapter_ids=ids, scale=1.5)
    assert_close(y, golden(x, w, a, b, 1.5, None, ids), "float16")


@pytest.mark.parametrize("shapes, ids, match", [
    (((4, 16), (8, 17), (2, 16), (8, 2)), None, r"input 'w' has shape \(8, 17\); it must be \[out, in\]"),
    (((4, 16), (8, 16), (2, 15), (8, 2)), None, r"input 'a' has shape \(2, 15\); its last dimension must be in = 16"),
    (((4, 16), (8, 16), (2, 16), (2, 8)), None, r"input 'b' has shape \(2, 8\); .* must be \(8, 2\)"),
    (((4, 16), (8, 16), (300, 16), (8, 300)), None, r"rank r = 300 .* r must be 1..256"),
    (((4, 16), (8, 16), (3, 2, 16), (3, 8, 2)), None, r"adapter_ids is missing"),
    (((4, 16), (8, 16), (3, 2, 16), (3, 8, 2)), [0, 1, 3, -1], r"adapter_ids\[2\] = 3 is not an adapter: a holds 3"),
    (((4, 16), (8, 16), (3, 2, 16), (3, 8, 2)), [0, 1, -2, -1], r"adapter_ids\[2\] = -2 is not an adapter"),
    (((4, 16), (8, 16), (3, 2, 16), (3, 8, 2)), [0, 1, 2], r"input 'adapter_ids' has shape \(3,\); .* \(4,\)"),
], ids=["w-in", "a-in", "b-shape", "rank", "ids-missing", "id-too-big", "id-below-minus-one", "ids-length"])
def test_lora_matmul_custom_rejects_bad_inputs(opkit_mode, shapes, ids, match):
    x, w, a, b = (np.ones(s, np.float16) for s in shapes)
    adapter_ids = None if ids is None else np.array(ids, np.int32)
    with pytest.raises(opkit.OpkitError, match=match):
        opkit.ops.lora_matmul_custom(x, w, a, b, adapter_ids=adapter_ids)


def test_lora_matmul_custom_host_refuses_bad_ids(opkit_mode):
    # C++ callers meet the host's check (the ids are a value-depend input): the Python check is bypassed here
    with host_checks_only() as op:
        ones = [np.ones(s, np.float16) for s in ((4, 16), (8, 16), (3, 2, 16), (3, 8, 2))]
        with pytest.raises(opkit.OpkitError, match="TilingFunc returned GRAPH_FAILED"):
            op(*ones, adapter_ids=np.array([0, 7, 0, 0], np.int32))


@settings(max_examples=12, deadline=None)
@given(m=st.integers(1, 70), k=st.integers(1, 80), n=st.integers(1, 70), r=st.sampled_from([1, 5, 16, 33, 64]),
       adapters=st.sampled_from([None, 1, 4]), dtype=st.sampled_from(DTYPES), with_bias=st.booleans(),
       mix=st.sampled_from(sorted(MIXES)), with_x_lora=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_lora_matmul_custom_property(m, k, n, r, adapters, dtype, with_bias, mix, with_x_lora, seed):
    rng = np.random.default_rng(seed)
    x, w, a, b = inputs(rng, (m,), k, n, r, dtype, adapters)
    ids = None
    if adapters is not None:  # segments: sorted random ids, so requests of every length
        ids = np.sort(rng.integers(-1, adapters, m)).astype(np.int32) if mix == "segments" else MIXES[mix](rng, m, adapters)
    bias = rng.uniform(-1, 1, n).astype(np.float32) if with_bias else None
    x_lora = dropped(rng, x) if with_x_lora else None
    y = opkit.ops.lora_matmul_custom(x, w, a, b, bias, ids, x_lora, scale=0.75)
    assert_close(y, golden(x, w, a, b, 0.75, bias, ids, x_lora), dtype)


def test_lora_matmul_custom_model_gives_the_cube_its_ai_cores_gm_share(rng):
    # Note [GM share of a MIX launch] (runtime/src/sim.cpp): the AIVs of this MIX launch are idle while
    # the cube streams x and w, so the launch can draw well over a third of the chip's peak (a static
    # split over all 72 cores capped it at 24 x 12 B/cycle, 33%)
    x, w, a, b = inputs(rng, (768,), 2048, 1024, 16, "float16")
    with simulator.simulating() as sims:
        opkit.ops.lora_matmul_custom(x, w, a, b, scale=0.5)
    sim = sims[-1]
    assert sim.achieved_bytes_per_second > 0.6 * sim.peak_bytes_per_second, sim.text
    assert not sim.findings
