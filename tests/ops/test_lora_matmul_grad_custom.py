"""lora_matmul_grad_custom (the LoRA layer's backward with W frozen) against numpy float64, in the session's mode.

    dx = dy·W + s·(dy·B)·A      dA = s·(dy·B)ᵀ·xl      dB = s·dyᵀ·(xl·Aᵀ)

with n adapters picked per row by adapter_ids (-1: none), and xl the optional x_lora (the LoRA branch's
input, x after dropout in fine-tuning), else x; with x_lora, dx is x's own gradient dy·W (the LoRA term
is x_lora's, the caller's to take through its dropout). The kernel accumulates in fp32 on the cube and
rounds where the Matmul API writes to GM (kernels/lora_matmul_grad_custom.cpp, Note [LoRA backward phases]):
dy·B and x·Aᵀ to the input dtype, then their product with s·I (s itself rounded to the dtype), so the
rank-r intermediates carry up to three roundings; dx is round(dy·W) + round(s·G·A) added once more in the
dtype (as PEFT adds the base and LoRA parts); dA and dB are rounded once at the end.
Note [Honest bounds]: the table's rtol/atol cover each result's last rounding; on top of it an element may
carry the earlier roundings and the fp32 sums, bounded by u·(|s|·Σ|terms|) with the unit roundoff u of
the dtype (fp32's for sums of length K). A reduction over M (dA, dB) thus gets a bound that grows with
the magnitudes it sums, not a fixed atol that a large M would break, and an element that cancels to near
zero is judged by what its terms could have carried.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_inputs import as_dtype, registered_for_910b_only, wide

import opkit
from opkit.tolerances import tolerance

pytestmark = registered_for_910b_only("lora_matmul_grad_custom")

DTYPES = ["float16", "bfloat16"]
UNIT = {"float16": 2.0**-11, "bfloat16": 2.0**-8}
F32 = 2.0**-24


def golden(dy, x, w, a, b, s, ids, x_lora=None):
    """(dx, da, db) in float64 and their intermediate-error bounds (Note [Honest bounds])."""
    m = int(np.prod(x.shape[:-1], dtype=np.int64))
    dy2, w2 = wide(dy).reshape(m, -1), wide(w)
    x2 = wide(x if x_lora is None else x_lora).reshape(m, -1)  # the LoRA branch's input (dx does not read it)
    multi = a.ndim == 3
    a3, b3 = (wide(a), wide(b)) if multi else (wide(a)[None], wide(b)[None])
    rows = np.zeros(m, np.int64) if ids is None else ids.reshape(-1).astype(np.int64)
    u = UNIT[str(x.dtype)]
    dx = dy2 @ w2
    dx_b = u * np.abs(dx) + (dy2.shape[1] + 1) * F32 * (np.abs(dy2) @ np.abs(w2))  # round(dy·W), then the add
    da, db = np.zeros_like(a3), np.zeros_like(b3)
    da_b, db_b = np.zeros_like(a3), np.zeros_like(b3)
    for j in range(a3.shape[0]):
        sel = rows == j
        g, h = dy2[sel] @ b3[j], x2[sel] @ a3[j].T
        g_abs, h_abs = np.abs(dy2[sel]) @ np.abs(b3[j]), np.abs(x2[sel]) @ np.abs(a3[j]).T
        lora = s * g @ a3[j]
        if x_lora is None:  # with x_lora the LoRA term is x_lora's gradient, not x's
            dx[sel] += lora
            dx_b[sel] += u * np.abs(lora) + abs(s) * (3 * u + F32 * (dy2.shape[1] + a3.shape[1])) * (g_abs @ np.abs(a3[j]))
        da[j], db[j] = s * g.T @ x2[sel], s * dy2[sel].T @ h
        da_b[j] = abs(s) * (3 * u + F32 * (m + dy2.shape[1])) * (g_abs.T @ np.abs(x2[sel]))
        db_b[j] = abs(s) * (3 * u + F32 * (m + x2.shape[1])) * (np.abs(dy2[sel]).T @ h_abs)
    shape = (lambda t: t) if multi else (lambda t: t[0])
    return ((dx.reshape(x.shape), dx_b.reshape(x.shape)), (shape(da), shape(da_b)), (shape(db), shape(db_b)))


def check(out: np.ndarray, want: np.ndarray, bound: np.ndarray, dtype: str, name: str) -> None:
    assert out.shape == want.shape, f"{name}: shape {out.shape} != {want.shape}"
    assert str(out.dtype) == dtype, f"{name}: dtype {out.dtype} != {dtype}"
    tol = tolerance(dtype)
    err = np.abs(out.astype(np.float64) - want)
    bad = ~(err <= tol["atol"] + tol["rtol"] * np.abs(want) + bound)
    if bad.sum() > tol["max_mismatch"] * bad.size:
        i = np.flatnonzero(bad.ravel())[:4]
        raise AssertionError(f"{name}: {int(bad.sum())} of {bad.size} elements outside the {dtype} bound; first: " +
                             ", ".join(f"[{k}] got {out.ravel()[k]!r} want {want.ravel()[k]:.6g} "
                                       f"(bound {bound.ravel()[k]:.3g})" for k in i))


def inputs(rng, lead, k_in, k_out, r, n, dtype, id_mix="mixed"):
    u = lambda *shape: as_dtype(rng.uniform(-1, 1, shape), dtype)  # noqa: E731
    x, dy, w = u(*lead, k_in), u(*lead, k_out), u(k_out, k_in)
    if n == 0:
        return dy, x, w, u(r, k_in), u(k_out, r), None
    m = int(np.prod(lead, dtype=np.int64))
    ids = {"mixed": rng.integers(-1, n, m), "sorted": np.sort(rng.integers(0, n, m)),
           "first-only": np.zeros(m), "none": np.full(m, -1)}[id_mix].astype(np.int32).reshape(lead)
    return dy, x, w, u(n, r, k_in), u(n, k_out, r), ids


def dropped(rng, x, p=0.3):
    """x after inverted dropout (PEFT's lora_dropout): x * m, m in {0, 1/(1 - p)}, in x's dtype."""
    m = (rng.random(x.shape) >= p) / (1 - p)
    return as_dtype(wide(x) * m, str(x.dtype))


def run_and_check(dy, x, w, a, b, ids, scale, dtype, x_lora=None):
    dx, da, db = opkit.ops.lora_matmul_grad_custom(dy, x, w, a, b, ids, x_lora, scale=scale)
    for name, got, (want, bound) in zip(("dx", "da", "db"), (dx, da, db), golden(dy, x, w, a, b, scale, ids, x_lora)):
        check(got, want, bound, dtype, name)
    return dx, da, db


# (leading dims, in, out, r, n adapters (0: a 2-D a, no ids)): one fractal; in/out not multiples of 16; a
# GEMV row; leading dims; more rows than cores; several adapters; a wide rank
SHAPES = [((16,), 16, 16, 16, 0), ((17,), 33, 15, 4, 0), ((1,), 40, 24, 8, 0), ((2, 3), 5, 7, 1, 0),
          ((300,), 64, 72, 16, 0), ((130,), 48, 40, 8, 3), ((4, 25), 20, 36, 64, 2)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s[0])) + f"-in{s[1]}-out{s[2]}-r{s[3]}-n{s[4]}")
@pytest.mark.parametrize("dtype", DTYPES)
def test_lora_matmul_grad_custom(opkit_mode, rng, dtype, shape):
    lead, k_in, k_out, r, n = shape
    run_and_check(*inputs(rng, lead, k_in, k_out, r, n, dtype), scale=0.75, dtype=dtype)


def test_lora_matmul_grad_custom_adapters_without_rows_get_zeros(opkit_mode, rng):
    dy, x, w, a, b, ids = inputs(rng, (48,), 32, 24, 4, 3, "float16", "first-only")
    _, da, db = run_and_check(dy, x, w, a, b, ids, 2.0, "float16")
    assert not da[1:].any() and not db[1:].any() and da[0].any()
    dy, x, w, a, b, ids = inputs(rng, (48,), 32, 24, 4, 3, "float16", "none")
    dx, da, db = run_and_check(dy, x, w, a, b, ids, 2.0, "float16")
    assert not da.any() and not db.any()  # no row has an adapter: dx is dy·W alone


@pytest.mark.parametrize("n", [0, 3], ids=["one-adapter", "3-adapters"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lora_matmul_grad_custom_x_lora(opkit_mode, rng, dtype, n):
    # LoRA dropout: dA and dB come from x_lora = dropout(x); dx is x's own gradient, dy·W
    dy, x, w, a, b, ids = inputs(rng, (130,), 48, 40, 8, n, dtype, "sorted")
    x_lora = dropped(rng, x)
    dx, da, db = run_and_check(dy, x, w, a, b, ids, 0.75, dtype, x_lora)
    dx0, da0, db0 = opkit.ops.lora_matmul_grad_custom(dy, x, w, a, b, ids, scale=0.75)
    base = opkit.ops.lora_matmul_grad_custom(dy, x, w, a, np.zeros_like(b), ids, scale=0.75)[0]
    np.testing.assert_array_equal(dx, base)  # round(dy·W), bit for bit...
    assert np.abs(dx.astype(np.float64) - dx0.astype(np.float64)).max() > 0.01  # ...without the LoRA term
    for name, got, plain in (("da", da, da0), ("db", db, db0)):  # ...and not the gradients without x_lora
        assert np.abs(got.astype(np.float64) - plain.astype(np.float64)).max() > 0.1, name


@pytest.mark.parametrize("x_lora, match", [
    (np.ones((8, 15), np.float16), r"x_lora' has shape \(8, 15\) but x has \(8, 16\); .* must have x's shape"),
    (np.ones((8, 16), np.float32), r"x_lora' has dtype float32 but x has float16; .* must have x's dtype"),
], ids=["shape", "dtype"])
def test_lora_matmul_grad_custom_rejects_bad_x_lora(opkit_mode, rng, x_lora, match):
    dy, x, w, a, b, _ = inputs(rng, (8,), 16, 16, 2, 0, "float16")
    with pytest.raises(opkit.OpkitError, match=match):
        opkit.ops.lora_matmul_grad_custom(dy, x, w, a, b, x_lora=x_lora)
    op = opkit.ops.lora_matmul_grad_custom  # C++ callers meet the host's check, which names both shapes
    check, op.check = op.check, None
    try:
        with pytest.raises(opkit.OpkitError, match=r"x_lora has shape \(2, 8, 16\) but x has \(8, 16\)"):
            op(dy, x, w, a, b, x_lora=np.ones((2, 8, 16), np.float16))
    finally:
        op.check = check


@pytest.mark.parametrize("bad_id", [3, -2, 2**31 - 1])
def test_lora_matmul_grad_custom_rejects_bad_adapter_ids(opkit_mode, rng, bad_id):
    dy, x, w, a, b, ids = inputs(rng, (20,), 16, 16, 2, 3, "float16", "sorted")
    ids[7] = bad_id
    with pytest.raises(opkit.OpkitError, match=rf"adapter_ids\[7\] = {bad_id} is not an adapter: a has 3 \(ids 0..2, or -1"):
        opkit.ops.lora_matmul_grad_custom(dy, x, w, a, b, ids)


@pytest.mark.parametrize("change, match", [
    (lambda t: {**t, "w": t["w"][:, :5]}, r"x has shape \(8, 16\) but w \(16, 5\) is \[out, in\] with in = 5"),
    (lambda t: {**t, "dy": t["dy"][:, :3]}, r"dy has shape \(8, 3\); it must be x's leading dims \+ \[out\]"),
    (lambda t: {**t, "b": t["b"][:, :1]}, r"b has shape \(16, 1\); with a \(2, 16\) it must be \[out, r\] = \(16, 2\)"),
    (lambda t: {**t, "a": t["a"][None], "b": t["b"][None]}, r"no adapter_ids came; pass one int32 id per row"),
    (lambda t: {**t, "ids": np.zeros(5, np.int32)}, r"adapter_ids has shape \(5,\); it needs one id per row of x: 8"),
], ids=["w-in", "dy-out", "b-rank", "3d-without-ids", "ids-length"])
def test_lora_matmul_grad_custom_rejects_bad_shapes(opkit_mode, rng, change, match):
    dy, x, w, a, b, _ = inputs(rng, (8,), 16, 16, 2, 0, "float16")
    t = change({"dy": dy, "x": x, "w": w, "a": a, "b": b, "ids": None})
    args = [np.ascontiguousarray(t[k]) for k in ("dy", "x", "w", "a", "b")]
    with pytest.raises(opkit.OpkitError, match=match):
        opkit.ops.lora_matmul_grad_custom(*args, t["ids"])


def test_lora_matmul_grad_custom_rejects_rows_too_long_for_the_cube(opkit_mode):
    x, dy, w = np.ones((1, 65536), np.float16), np.ones((1, 1), np.float16), np.ones((1, 65536), np.float16)
    with pytest.raises(opkit.OpkitError, match=r"in = 65536, out = 1, n \* r = 1, M = 1: in, out and n \* r must each be"):
        opkit.ops.lora_matmul_grad_custom(dy, x, w, np.ones((1, 65536), np.float16), np.ones((1, 1), np.float16))


@settings(max_examples=8, deadline=None)
@given(lead=st.sampled_from([(1,), (7,), (33,), (2, 9), (70,)]), k_in=st.integers(1, 70), k_out=st.integers(1, 70),
       r=st.sampled_from([1, 2, 5, 16, 31, 100, 256]), n=st.integers(0, 3), dtype=st.sampled_from(DTYPES),
       mix=st.sampled_from(["mixed", "sorted", "first-only", "none"]), scale=st.sampled_from([1.0, 0.5, -2.0, 0.3]),
       with_x_lora=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_lora_matmul_grad_custom_property(lead, k_in, k_out, r, n, dtype, mix, scale, with_x_lora, seed):
    rng = np.random.default_rng(seed)
    dy, x, w, a, b, ids = inputs(rng, lead, k_in, k_out, r, n, dtype, mix)
    x_lora = dropped(rng, x) if with_x_lora else None
    run_and_check(dy, x, w, a, b, ids, scale=scale, dtype=dtype, x_lora=x_lora)
