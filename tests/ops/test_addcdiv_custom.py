"""addcdiv_custom (out = x + value * y / z) against numpy, in the session's mode."""

from __future__ import annotations

import numpy as np
import pytest
from op_inputs import LENGTHS, TINY_REFUSAL, length_id, refused_as_tiny, wide

import opkit
from opkit.tolerances import assert_close


def _inputs(rng, n, dtype):
    x = rng.uniform(-10, 10, n).astype(dtype)
    y = rng.uniform(-10, 10, n).astype(dtype)
    z = (rng.uniform(0.5, 10, n) * rng.choice([-1, 1], n)).astype(dtype)
    return x, y, z


@pytest.mark.parametrize("n", LENGTHS, ids=length_id)
@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_addcdiv_custom(opkit_mode, rng, dtype, n):
    x, y, z = _inputs(rng, n, dtype)
    if refused_as_tiny(n, dtype):
        with pytest.raises(opkit.TilingError, match=TINY_REFUSAL):
            opkit.ops.addcdiv_custom(x, y, z, value=0.75)
        return
    out = opkit.ops.addcdiv_custom(x, y, z, value=0.75)
    assert_close(out, wide(x) + 0.75 * wide(y) / wide(z), dtype)


@pytest.mark.parametrize("value", [1.0, -2.5, 0.0, 1e-3])
def test_addcdiv_custom_value(opkit_mode, rng, value):
    x, y, z = _inputs(rng, 4097, "float32")
    assert_close(opkit.ops.addcdiv_custom(x, y, z, value=value), wide(x) + value * wide(y) / wide(z), "float32")


def test_addcdiv_custom_default_value_is_one(opkit_mode, rng):
    x, y, z = _inputs(rng, 1000, "float16")
    np.testing.assert_array_equal(opkit.ops.addcdiv_custom(x, y, z), opkit.ops.addcdiv_custom(x, y, z, value=1.0))
    assert_close(opkit.ops.addcdiv_custom(x, y, z), wide(x) + wide(y) / wide(z), "float16")


def test_addcdiv_custom_fp16_rounds_once(opkit_mode, rng):
    # Computed in fp32 and rounded once: the result is the fp16 rounding of the fp32 result.
    x, y, z = _inputs(rng, 5000, "float16")
    f = [a.astype(np.float32) for a in (x, y, z)]
    expected = (f[0] + np.float32(0.3) * f[1] / f[2]).astype(np.float16)
    np.testing.assert_array_equal(opkit.ops.addcdiv_custom(x, y, z, value=0.3), expected)


def test_addcdiv_custom_rejects_unknown_attr(opkit_mode):
    a = np.ones(4, np.float32)
    with pytest.raises(opkit.OpkitError, match="unexpected keyword argument 'scale'"):
        opkit.ops.addcdiv_custom(a, a, a, scale=2.0)


@pytest.mark.parametrize("value", ["2", None, [1.0]], ids=["str", "none", "list"])
def test_addcdiv_custom_rejects_bad_attr(opkit_mode, value):
    a = np.ones(4, np.float32)
    with pytest.raises(opkit.OpkitError, match="addcdiv_custom: attr 'value' must be a float, got"):
        opkit.ops.addcdiv_custom(a, a, a, value=value)
