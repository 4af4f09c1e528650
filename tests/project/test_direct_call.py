"""Note [Direct calls]: a plain op call runs in C++ (opkit._core.DirectOp) and must behave exactly as
the ctypes path through the project's aclnn library (OpLibrary.run): same results, same errors, the
same GM bounds, outputs written in place for a ref output, and the ctypes path for everything else."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

import opkit
from opkit import _core, isolation, simulator
from opkit.library import OpLibrary

HERE = Path(__file__).resolve().parent


def _load(tmp_path_factory: pytest.TempPathFactory, name: str, op: str) -> OpLibrary:
    root = tmp_path_factory.mktemp(name) / op
    shutil.copytree(HERE / name, root)
    return opkit.load(root)


@pytest.fixture(scope="module")
def crash(tmp_path_factory: pytest.TempPathFactory) -> OpLibrary:
    return _load(tmp_path_factory, "crash_custom", "CrashCustom")


@pytest.fixture(scope="module")
def inplace(tmp_path_factory: pytest.TempPathFactory) -> OpLibrary:
    return _load(tmp_path_factory, "scale_inplace", "ScaleInplace")


@pytest.fixture(autouse=True)
def in_process():
    """The pytest plugin isolates every call in a child process (the ctypes path), and --mode
    npu_simulator models every launch (the ctypes path too); these tests call in the test's own
    process and in cpu mode, where plain calls are direct, whatever the session's mode."""
    was = isolation.enabled()
    opkit.set_isolation(False)
    _core.set_simulator(0)
    yield
    _core.set_simulator(-1)
    opkit.set_isolation(was)


@pytest.fixture
def ctypes_path_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any call that reaches the ctypes path fails the test: the call under test was direct."""
    def refuse(*args, **kwargs):
        raise AssertionError("the call took the ctypes path")
    monkeypatch.setattr(OpLibrary, "run", refuse)


def _via_ctypes(lib: OpLibrary, name: str, *inputs: np.ndarray, **attrs):
    op = getattr(lib, name)
    full = {a.name: attrs.get(a.name, a.default) for a in op.spec.attrs}
    return lib.run(op.spec, list(inputs), full)


def test_a_plain_call_is_direct(ctypes_path_fails) -> None:
    x = np.arange(1000, dtype=np.float32)
    np.testing.assert_array_equal(opkit.ops.add_custom(x, x), x + x)
    got = opkit.ops.addcdiv_custom(x, x, x + 1, value=0.5)  # an attr by keyword
    np.testing.assert_allclose(got, x + 0.5 * x / (x + 1), rtol=1e-6)


def test_views_and_earlier_outputs_are_direct_inputs(ctypes_path_fails) -> None:
    batch = np.arange(3000, dtype=np.float32).reshape(3, 1000)
    x, y = batch[1], batch[2]  # views that start inside their buffer: copied, as aclrtMemcpy would
    z = opkit.ops.add_custom(x, y)
    np.testing.assert_array_equal(z, x + y)
    np.testing.assert_array_equal(opkit.ops.add_custom(z, z), 2 * (x + y))  # an output passed on: lent


def test_direct_outputs_are_like_ctypes_ones() -> None:
    x = np.arange(1000, dtype=np.float16)
    direct = opkit.ops.add_custom(x, x)
    lib = opkit.ops._lib()
    slow = _via_ctypes(lib, "add_custom", x, x)
    np.testing.assert_array_equal(direct, slow)
    assert direct.dtype == slow.dtype and direct.shape == slow.shape and direct.flags.writeable
    # opkit's outputs keep aclrtMalloc's room past their end, so passing one on is lent, not copied
    assert _core.gm_room(direct) >= direct.nbytes + 512  # Note [Output memory]


@pytest.mark.parametrize("make", [
    lambda: np.arange(300, dtype=np.float32),                       # numpy's own: no room, copied
    lambda: opkit.ops.add_custom(np.arange(300, dtype=np.float32), np.zeros(300, np.float32)),  # opkit's: lent
], ids=["copied", "lent"])
def test_ref_output_is_written_in_place(inplace, make) -> None:
    var = make()
    before = var.copy()
    out = inplace.scale_inplace(var, scale=3.0)
    assert out is var
    np.testing.assert_array_equal(var, before * 3)


def test_ref_output_of_a_view_inside_its_buffer(inplace) -> None:
    buf = np.arange(10, dtype=np.float32)
    view = buf[2:6]
    inplace.scale_inplace(view)
    np.testing.assert_array_equal(buf, [0, 1, 4, 6, 8, 10, 6, 7, 8, 9])


def test_bad_calls_take_the_ctypes_path_and_its_errors() -> None:
    x = np.ones(4, np.float32)
    with pytest.raises(opkit.OpkitError, match="not C-contiguous"):
        opkit.ops.add_custom(np.ones((4, 4), np.float32)[:, ::2], np.ones((4, 2), np.float32))
    with pytest.raises(opkit.OpkitError, match="dtype float64"):
        opkit.ops.add_custom(x.astype(np.float64), x.astype(np.float64))
    with pytest.raises(opkit.OpkitError, match="attr 'value' must be a float, got 'a'"):
        opkit.ops.addcdiv_custom(x, x, x, value="a")
    with pytest.raises(opkit.OpkitError, match="unexpected keyword argument 'scale'"):
        opkit.ops.add_custom(x, x, scale=1.0)


@pytest.mark.parametrize("kind", ["tiling", "kernel"])
def test_direct_errors_are_the_ctypes_ones(crash, kind) -> None:
    x = np.ones(8, np.float32)
    mode = 7 if kind == "tiling" else 4  # a TilingFunc that fails; a DataCopy past the end of x
    expected = opkit.TilingError if kind == "tiling" else opkit.KernelError
    with pytest.raises(expected) as slow:
        _via_ctypes(crash, "crash_custom", x, mode=mode)
    with pytest.raises(expected) as direct:
        crash.crash_custom(x, mode=mode)
    assert str(direct.value) == str(slow.value)
    if kind == "kernel":  # the GM bound is the aclrtMalloc block's, as on the ctypes path
        assert "input x with its aclrtMalloc padding (64 bytes)" in str(direct.value)


def test_infershape_errors_are_the_ctypes_ones() -> None:
    x, y = np.ones(4, np.float16), np.ones(5, np.float16)
    lib = opkit.ops._lib()
    with pytest.raises(opkit.TilingError) as slow:
        _via_ctypes(lib, "add_custom", x, y)
    with pytest.raises(opkit.TilingError) as direct:
        opkit.ops.add_custom(x, y)
    assert str(direct.value) == str(slow.value)


def test_simulated_calls_take_the_ctypes_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    run = OpLibrary.run
    monkeypatch.setattr(OpLibrary, "run", lambda *a, **k: calls.append(1) or run(*a, **k))
    x = np.ones(64, np.float32)
    with simulator.simulating() as sims:
        opkit.ops.add_custom(x, x)
    assert calls and len(sims) == 1  # recorded in the block, as every simulated launch is
    opkit.ops.add_custom(x, x, soc="Ascend910B4")  # soc= is the ctypes path's too
    assert len(calls) == 2


@pytest.mark.parametrize("dtype", ["float16", "float32", "bfloat16"])
def test_builtin_ops_give_the_ctypes_answers(dtype) -> None:
    import ml_dtypes

    np_dtype = ml_dtypes.bfloat16 if dtype == "bfloat16" else np.dtype(dtype)
    rng = np.random.default_rng(3)
    lib = opkit.ops._lib()
    for shape in [(1,), (33,), (1000,), (7, 129), (2, 3, 4097)]:
        x, y = (rng.uniform(-3, 3, shape).astype(np_dtype) for _ in range(2))
        z = rng.uniform(0.5, 3, shape).astype(np_dtype)
        for name, args, attrs in [("add_custom", (x, y), {}), ("sinh_custom", (x,), {}),
                                  ("addcdiv_custom", (x, y, z), {"value": -1.5})]:
            if dtype not in getattr(opkit.ops, name)._accepts["x"]:
                continue
            direct = getattr(opkit.ops, name)(*args, **attrs)
            slow = _via_ctypes(lib, name, *args, **attrs)
            assert direct.dtype == slow.dtype and direct.shape == slow.shape == shape
            np.testing.assert_array_equal(direct.view(np.uint8), slow.view(np.uint8), err_msg=f"{name} {shape}")


def test_direct_calls_from_threads() -> None:
    rng = np.random.default_rng(7)
    cases = [(rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32))
             for n in (1, 17, 1000, 4099, 70000)]
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(60):
                x, y = cases[(i + k) % len(cases)]
                np.testing.assert_array_equal(opkit.ops.add_custom(x, y), x + y)
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
