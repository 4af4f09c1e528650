"""opkit.mindspore.custom on the built-in ops: results, shapes, dtypes, attrs and errors in PyNative and GRAPH_MODE."""

from __future__ import annotations

import numpy as np
import pytest
from ms_helpers import cell

import opkit
from opkit.tolerances import assert_close

SEED = 11


def _inputs(n: int, shape: tuple[int, ...], dtype: str) -> list[np.ndarray]:
    rng = np.random.default_rng(SEED)
    return [rng.uniform(0.5, 2.0, shape).astype(dtype) for _ in range(n)]


def _close(got: np.ndarray, want: np.ndarray, dtype: str) -> None:
    assert_close(got, np.asarray(want, np.float64), dtype)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("shape", [(7,), (3, 1000), (2, 3, 4)])
def test_ops_match_numpy(ms, mode, dtype: str, shape: tuple[int, ...]) -> None:
    from opkit.mindspore import custom

    x, y, z = _inputs(3, shape, dtype)
    t = [ms.Tensor(a) for a in (x, y, z)]
    got = cell(ms, custom(opkit.ops.add_custom))(t[0], t[1]).asnumpy()
    assert got.shape == shape and got.dtype == np.dtype(dtype)
    _close(got, x.astype(np.float64) + y, dtype)
    _close(cell(ms, custom(opkit.ops.sinh_custom))(t[0]).asnumpy(), np.sinh(x.astype(np.float64)), dtype)
    got = cell(ms, custom(opkit.ops.addcdiv_custom, value=0.5))(*t).asnumpy()
    _close(got, x.astype(np.float64) + 0.5 * y.astype(np.float64) / z, dtype)


def test_attrs_reach_the_kernel_per_call(ms, mode) -> None:
    """Two Customs of one op with different attrs in one graph stay two calls (no merging)."""
    from opkit.mindspore import custom

    x, y, z = _inputs(3, (64,), "float32")
    half, double = custom(opkit.ops.addcdiv_custom, value=0.5), custom(opkit.ops.addcdiv_custom, value=2.0)

    def both(a, b, c):
        return half(a, b, c), double(a, b, c)

    a, b = cell(ms, both)(*(ms.Tensor(v) for v in (x, y, z)))
    _close(a.asnumpy(), x + 0.5 * y / z, "float32")
    _close(b.asnumpy(), x + 2.0 * y / z, "float32")
    assert custom(opkit.ops.addcdiv_custom, value=0.5) is half  # one primitive per (op, attrs, bprop)


def test_bad_shapes_raise_the_ops_own_error(ms, mode) -> None:
    from opkit.mindspore import custom

    x = ms.Tensor(np.ones(8, np.float32))
    with pytest.raises((ValueError, RuntimeError), match=r"InferShape rejected the input shapes x=\(8,\), y=\(5,\)"):
        cell(ms, custom(opkit.ops.add_custom))(x, ms.Tensor(np.ones(5, np.float32))).asnumpy()


def test_unsupported_dtype_is_refused_at_kernel_selection(ms) -> None:
    from opkit.mindspore import custom

    x = ms.Tensor(np.ones(8, np.float64))
    with pytest.raises((TypeError, RuntimeError, ValueError)):
        custom(opkit.ops.add_custom)(x, x).asnumpy()


def test_custom_refuses_what_it_cannot_pass(ms) -> None:
    from opkit.mindspore import custom

    with pytest.raises(opkit.OpkitError, match="no attr 'scale'.*attrs: value"):
        custom(opkit.ops.addcdiv_custom, scale=2.0)
    with pytest.raises(opkit.OpkitError, match="attr 'value' must be a float"):
        custom(opkit.ops.addcdiv_custom, value="x")
    with pytest.raises(opkit.OpkitError, match="is not an opkit op"):
        custom(np.add)


def test_shim_is_reentrant(ms) -> None:
    """The shim's function called from 8 threads at once (as MindSpore's kernel threads may) gives each
    call its own right answer."""
    import ctypes
    from concurrent.futures import ThreadPoolExecutor

    from opkit import device
    from opkit.mindspore import shim

    op = opkit.ops.add_custom
    lib = ctypes.CDLL(str(shim.build(op.spec, op._lib.dir, device.cache_root())))
    fn = getattr(lib, shim.symbol(op.spec))
    fn.restype = ctypes.c_int

    def call(k: int) -> bool:
        n = 4096 + 32 * k
        x = np.full(n, k, np.float32)
        y = np.arange(n, dtype=np.float32)
        z = np.empty(n, np.float32)
        params = (ctypes.c_void_p * 3)(x.ctypes.data, y.ctypes.data, z.ctypes.data)
        ndims = (ctypes.c_int * 3)(1, 1, 1)
        dims = [(ctypes.c_int64 * 1)(n) for _ in range(3)]
        shapes = (ctypes.POINTER(ctypes.c_int64) * 3)(*[ctypes.cast(d, ctypes.POINTER(ctypes.c_int64)) for d in dims])
        dtypes = (ctypes.c_char_p * 3)(b"float32", b"float32", b"float32")
        rc = fn(3, params, ndims, shapes, dtypes, None, None)
        return rc == 0 and np.array_equal(z, x + y)

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(call, range(32)))
