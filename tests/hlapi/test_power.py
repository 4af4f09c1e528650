"""Power in its three forms (tensor^tensor, tensor^scalar, scalar^tensor) for half and float against
numpy's IEEE pow, in cpu and npu_simulator mode, with both temporary-buffer forms; plus
GetPowerMaxMinTmpSize against CANN's formula. Program: programs/hl_power.cpp.

Inputs mix random values with the special cases the implementation fixes up (negative bases with
integer and non-integer exponents, 0 ** negative, 1 ** NaN, (-1) ** inf, x ** 0, -inf ** 0.5).

Run: pytest tests/hlapi/test_power.py -q
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hl_run import MODES, check_ok, run_program

from opkit.tolerances import assert_close

pytestmark = pytest.mark.modes("cpu")  # each test runs the program in both modes itself

SEED = 20241130
SPECIAL = [(0.0, 2.0), (0.0, -1.0), (1.0, np.nan), (-1.0, np.inf), (2.0, 0.0), (-np.inf, 0.5), (-2.0, 3.0),
           (-2.0, 0.5), (-1.5, -2.0), (np.nan, 0.0), (0.5, np.inf), (-0.5, -np.inf)]


def inputs(n: int, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    x = rng.uniform(-3, 3, n)
    y = rng.uniform(-3, 3, n)
    y[: n // 4] = np.round(y[: n // 4])  # integer exponents: negative bases stay real
    for i, (a, b) in enumerate(SPECIAL):
        x[n // 2 + i], y[n // 2 + i] = a, b
    return x.astype(dtype), y.astype(dtype)


def padded(a: np.ndarray) -> np.ndarray:
    block = 32 // a.itemsize
    return np.concatenate([a, np.zeros((-a.size) % block, a.dtype)])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tmp_form", ["shared", "framework"])
@pytest.mark.parametrize("form", ["tt", "ts", "st"])
@pytest.mark.parametrize("dtype, n", [("float32", 200), ("float32", 1000), ("float16", 333)])
def test_power(hl_programs: dict[str, Path], tmp_path: Path, dtype: str, n: int, form: str, tmp_form: str,
               mode: str) -> None:
    x, y = inputs(n, dtype)
    s = np.float32(2.5 if form == "ts" else 1.5)
    padded(x).tofile(tmp_path / "x0.bin")
    padded(y).tofile(tmp_path / "x1.bin")
    np.array([s], np.float32).tofile(tmp_path / "s.bin")
    size = np.dtype(dtype).itemsize
    rows = {"tt": 4, "ts": 5, "st": 5}[form] if size == 4 else 14  # GetPowerMaxMinTmpSize minValue
    tmp = 256 * rows + 256 if size == 4 else 256 * rows // 2 + 256
    proc = run_program(hl_programs["hl_power"], "half" if size == 2 else "float", form, tmp_form, n, tmp, tmp_path,
                       mode=mode)
    check_ok(proc, mode)
    got = np.fromfile(tmp_path / "y.bin", dtype)[:n]
    base = x.astype(np.float64) if form != "st" else np.full(n, float(np.asarray(s, dtype)))
    expo = y.astype(np.float64) if form != "ts" else np.full(n, float(np.asarray(s, dtype)))
    with np.errstate(all="ignore"):
        want = np.power(base, expo).astype(dtype)
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    assert_close(got[~nan], want[~nan], dtype=dtype)


@pytest.mark.parametrize("n, size, is_int, want", [
    (1000, 4, 0, "tt 16256 1280 ts 20256 1536 st 20256 1536"),
    (1000, 2, 0, "tt 28256 2048 ts 28256 2048 st 28256 2048"),
    (10, 4, 1, "tt 1536 1536 ts 1792 1792 st 1792 1792"),
])
def test_power_query(hl_programs: dict[str, Path], n: int, size: int, is_int: int, want: str) -> None:
    """CANN's formula (impl/adv_api/tiling/math/power_tiling_impl.cpp, arch 2201)."""
    proc = run_program(hl_programs["hl_power"], "query", n, size, is_int)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == want


def int_power_golden(base: np.ndarray, expo: np.ndarray) -> np.ndarray:
    """Note [int32 Power]: x ** |y| with int32 products wrapping modulo 2**32; for y < 0 the truncated
    reciprocal (v for v == +-1, else 0); 0 wherever that power is 0."""
    out = np.empty(base.size, np.int64)
    for i, (x, y) in enumerate(zip(base.tolist(), expo.tolist())):
        v = pow(int(x), abs(int(y)), 1 << 32)  # the value modulo 2**32, as the wrapping Mul leaves it
        v = v - (1 << 32) if v >= 1 << 31 else v
        out[i] = v if y >= 0 or v in (0, 1, -1) else 0
    return out.astype(np.int32)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tmp_form", ["shared", "framework"])
@pytest.mark.parametrize("form", ["tt", "ts", "st"])
@pytest.mark.parametrize("n", [200, 1000])
def test_power_int32(hl_programs: dict[str, Path], tmp_path: Path, n: int, form: str, tmp_form: str,
                     mode: str) -> None:
    rng = np.random.default_rng(SEED)
    x = rng.integers(-9, 10, n).astype(np.int32)
    y = rng.integers(-3, 12, n).astype(np.int32)
    # wrapping, large exponents, negative exponents of +-1 and 0, 0 ** 0, |INT32_MIN|
    special = [(3, 40), (2, 31), (2, 32), (-2, 31), (-1, -7), (1, -5), (0, -2), (0, 0), (-3, 0), (7, 2**31 - 1),
               (5, -(2**31)), (46341, 2), (-46341, 3), (2, -1)]
    for i, (a, b) in enumerate(special):
        x[n // 2 + i], y[n // 2 + i] = a, b
    s = {"ts": 5, "st": -3}.get(form, 0)
    padded(x).tofile(tmp_path / "x0.bin")
    padded(y).tofile(tmp_path / "x1.bin")
    np.array([s], np.float32).tofile(tmp_path / "s.bin")
    tmp = 256 * (6 if form == "tt" else 7)  # GetPowerMaxMinTmpSize's minimum for int32
    proc = run_program(hl_programs["hl_power"], "int32", form, tmp_form, n, tmp, tmp_path, mode=mode)
    check_ok(proc, mode)
    got = np.fromfile(tmp_path / "y.bin", np.int32)[:n]
    base = x if form != "st" else np.full(n, s, np.int32)
    expo = y if form != "ts" else np.full(n, s, np.int32)
    np.testing.assert_array_equal(got, int_power_golden(base, expo))
