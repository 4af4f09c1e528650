"""add_custom (z = x + y) against numpy, in the session's mode."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_inputs import BF16_REFUSAL, LENGTHS, TINY_REFUSAL, as_dtype, length_id, refused_as_bf16, refused_as_tiny, wide

import opkit
from opkit.tolerances import assert_close

DTYPES = ["float16", "float32", "bfloat16"]


@pytest.mark.parametrize("n", LENGTHS, ids=length_id)
@pytest.mark.parametrize("dtype", DTYPES)
def test_add_custom(opkit_mode, rng, dtype, n):
    x = as_dtype(rng.uniform(-100, 100, n), dtype)
    y = as_dtype(rng.uniform(-100, 100, n), dtype)
    if refused_as_bf16(dtype) or refused_as_tiny(n, dtype):
        with pytest.raises(opkit.TilingError, match=BF16_REFUSAL if refused_as_bf16(dtype) else TINY_REFUSAL):
            opkit.ops.add_custom(x, y)
        return
    z = opkit.ops.add_custom(x, y)
    assert_close(z, wide(x) + wide(y), dtype)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_add_custom_is_correctly_rounded(opkit_mode, rng, dtype):
    # The vector unit rounds each fp16/fp32 sum to nearest even, exactly like numpy.
    x = rng.uniform(-1e3, 1e3, 4099).astype(dtype)
    y = rng.uniform(-1e-1, 1e-1, 4099).astype(dtype)
    np.testing.assert_array_equal(opkit.ops.add_custom(x, y), x + y)


def test_add_custom_2d_shape(opkit_mode, rng):
    x = rng.standard_normal((8, 2048)).astype(np.float16)
    y = rng.standard_normal((8, 2048)).astype(np.float16)
    z = opkit.ops.add_custom(x, y)
    assert z.shape == (8, 2048)
    np.testing.assert_array_equal(z, x + y)


@pytest.mark.parametrize("soc", ["Ascend910A", "Ascend310P3", "Ascend910B4"])
@pytest.mark.parametrize("n", [16, 17, 1000, 100003])
def test_add_custom_other_socs(opkit_mode, rng, soc, n):
    # 910A and 310P have no DataCopyPad: the tail is an aligned window ending at the range's end.
    x = rng.standard_normal(n).astype(np.float16)
    y = rng.standard_normal(n).astype(np.float16)
    np.testing.assert_array_equal(opkit.ops.add_custom(x, y, soc=soc), x + y)


def test_add_custom_without_datacopypad_needs_one_block(opkit_mode):
    x = np.ones(3, np.float16)
    with pytest.raises(opkit.TilingError, match="AddCustom"):
        opkit.ops.add_custom(x, x, soc="Ascend910A")


def test_add_custom_bf16_only_where_the_soc_has_it(opkit_mode):
    # Note [Registered SoCs]: AddCustom's OpAICoreConfig for ascend910 and ascend310p lists float16 and float32
    import ml_dtypes

    x = np.ones(64, ml_dtypes.bfloat16)
    for soc, short in [("Ascend910A", "ascend910"), ("Ascend310P3", "ascend310p")]:
        with pytest.raises(opkit.TilingError, match=rf"no dtype column of its OpAICoreConfig for {short} .*x=bfloat16"):
            opkit.ops.add_custom(x, x, soc=soc)
    np.testing.assert_array_equal(opkit.ops.add_custom(x, x, soc="Ascend910B4"), x + x)


@pytest.mark.parametrize("soc", ["Ascend910B1", "Ascend910A"])
def test_add_custom_empty_on_every_soc(opkit_mode, soc):
    z = opkit.ops.add_custom(np.zeros(0, np.float16), np.zeros(0, np.float16), soc=soc)
    assert z.shape == (0,) and z.dtype == np.float16


def test_add_custom_empty(opkit_mode):
    z = opkit.ops.add_custom(np.zeros(0, np.float32), np.zeros(0, np.float32))
    assert z.shape == (0,) and z.dtype == np.float32


@pytest.mark.parametrize("x, y, match", [
    (np.ones(4, np.float16), np.ones(5, np.float16), r"InferShape rejected the input shapes x=\(4,\), y=\(5,\)"),
    (np.ones(4, np.float64), np.ones(4, np.float64), "dtype float64; AddCustom takes"),
    (np.ones(4, np.float16), np.ones(4, np.float32), "no dtype column takes x=float16, y=float32"),
    (np.ones((4, 4), np.float32)[:, ::2], np.ones((4, 2), np.float32), "not C-contiguous"),
    ([1.0, 2.0], np.ones(2, np.float32), "must be a numpy array, got list"),
], ids=["shape-mismatch", "float64", "mixed-dtypes", "non-contiguous", "list"])
def test_add_custom_rejects_bad_input(opkit_mode, x, y, match):
    with pytest.raises(opkit.OpkitError, match=match):
        opkit.ops.add_custom(x, y)


@pytest.mark.parametrize("soc, match", [
    ("Ascend999", r"add_custom: soc='Ascend999': 'Ascend999' is not a known SoC \(known: .*Ascend910B1"),
    (5, r"add_custom: soc=5: expected a SoC name \(str\)"),
], ids=["unknown", "not-a-string"])
def test_add_custom_bad_soc_is_an_opkit_error(opkit_mode, soc, match):
    x = np.ones(4, np.float16)
    with pytest.raises(opkit.OpkitError, match=match):
        opkit.ops.add_custom(x, x, soc=soc)


def test_add_custom_wrong_arity(opkit_mode):
    with pytest.raises(opkit.OpkitError, match="add_custom"):
        opkit.ops.add_custom(np.ones(2, np.float32))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=70000), dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**32 - 1))
def test_add_custom_property(n, dtype, seed):
    rng = np.random.default_rng(seed)
    x = as_dtype(rng.uniform(-1e4, 1e4, n), dtype)
    y = as_dtype(rng.uniform(-1e4, 1e4, n), dtype)
    if refused_as_bf16(dtype) or refused_as_tiny(n, dtype):
        with pytest.raises(opkit.TilingError, match=BF16_REFUSAL if refused_as_bf16(dtype) else TINY_REFUSAL):
            opkit.ops.add_custom(x, y)
        return
    assert_close(opkit.ops.add_custom(x, y), wide(x) + wide(y), dtype)


def test_add_custom_1e8(opkit_mode):
    # The top of the supported length range: 10**8 fp16 elements (the length field is 32-bit).
    x = (np.arange(10**8, dtype=np.int32) % 60000 - 30000).astype(np.float16)
    y = np.full(10**8, 0.5, np.float16)
    np.testing.assert_array_equal(opkit.ops.add_custom(x, y), x + y)


@pytest.mark.parametrize("soc, expected", [("Ascend910B1", np.inf), ("Ascend910A", 65504.0), ("Ascend310P3", 65504.0)])
def test_add_custom_overflow_follows_the_socs_float_mode(opkit_mode, soc, expected):
    # Note [Float saturation]: 910A/310P only saturate (inf -> max); 910B keeps IEEE inf.
    x = np.full(100, 60000, np.float16)
    z = opkit.ops.add_custom(x, -x / 2, soc=soc)
    assert (z == np.float16(30000)).all()  # no overflow: the same on every SoC
    z = opkit.ops.add_custom(x, x, soc=soc)
    assert (z.astype(np.float64) == expected).all()
