"""LogSoftMax and CumSum (both axes) against numpy in cpu and npu_simulator mode, with their host size
queries checked against CANN's formulas. Program: programs/hl_scan.cpp.

LogSoftMax is the base-10 logarithm of SoftMax, as LogSoftMax.md's reference gives it (np.log10),
computed in float; sum and max come out as one 32-byte block per row. CumSum along the first axis
adds rows in order (half accumulates in float and rounds once per element), so its golden is
numpy's cumsum in float64 at the dtype's tolerance. Along the last axis (transposed, summed down
columns, transposed back: Note [CumSum along the last axis]) numpy's float32 cumsum is exact.

Run: pytest tests/hlapi/test_scan.py -q
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hl_run import MODES, check_ok, kernel_error, run_program

from opkit.tolerances import assert_close

pytestmark = pytest.mark.modes("cpu")  # each test runs the program in both modes itself

SEED = 20241130


def row_bytes(k: int, size: int) -> int:  # GetLogSoftMaxMinTmpSize: one block + k + 64 floats
    return (32 // size + k + 64) * 4


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype, m, k, rows_in_tmp", [("float32", 8, 64, 8), ("float32", 13, 40, 3),
                                                      ("float16", 16, 128, 16), ("float16", 5, 32, 2)])
def test_logsoftmax(hl_programs: dict[str, Path], tmp_path: Path, dtype: str, m: int, k: int, rows_in_tmp: int,
                    mode: str) -> None:
    size = np.dtype(dtype).itemsize
    x = (np.random.default_rng(SEED).standard_normal((m, k)) * 3).astype(dtype)
    x.tofile(tmp_path / "x.bin")
    tmp = rows_in_tmp * row_bytes(k, size)
    proc = run_program(hl_programs["hl_scan"], "logsoftmax", "half" if size == 2 else "float", m, k, tmp, tmp_path,
                       mode=mode)
    check_ok(proc, mode)
    assert f"splitM {rows_in_tmp} " in proc.stdout  # passes of the rows the buffer holds
    x64 = x.astype(np.float64)
    mx = x64.max(axis=1, keepdims=True)
    e = np.exp(x64 - mx)
    s = e.sum(axis=1, keepdims=True)
    want = np.log10(e / s)
    blk = 32 // size
    assert_close(np.fromfile(tmp_path / "y.bin", dtype).reshape(m, k), want.astype(dtype), dtype=dtype)
    assert_close(np.fromfile(tmp_path / "max.bin", dtype).reshape(m, blk), np.repeat(mx, blk, 1).astype(dtype),
                 dtype=dtype)
    assert_close(np.fromfile(tmp_path / "sum.bin", dtype).reshape(m, blk), np.repeat(s, blk, 1).astype(dtype),
                 dtype=dtype)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("form", ["shared", "framework"])
@pytest.mark.parametrize("dtype, m, k", [("float32", 7, 64), ("float32", 1, 8), ("float16", 9, 48)])
def test_cumsum_first_axis(hl_programs: dict[str, Path], tmp_path: Path, dtype: str, m: int, k: int, form: str,
                           mode: str) -> None:
    size = np.dtype(dtype).itemsize
    x = np.random.default_rng(SEED).uniform(-1, 1, (m, k)).astype(dtype)
    x.tofile(tmp_path / "x.bin")
    tmp = m * k * 4 if size == 2 else 0  # GetCumSumMaxMinTmpSize, first axis
    proc = run_program(hl_programs["hl_scan"], "cumsum", "half" if size == 2 else "float", form, m, k, tmp, tmp_path,
                       mode=mode)
    check_ok(proc, mode)
    want = np.cumsum(x.astype(np.float64), axis=0)
    y = np.fromfile(tmp_path / "y.bin", dtype).reshape(m, k)
    assert_close(y, want.astype(dtype), dtype=dtype)
    np.testing.assert_array_equal(np.fromfile(tmp_path / "last.bin", dtype), y[-1])


def last_axis_tmp(m: int, k: int, size: int, groups: int | None) -> int:
    """GetCumSumMaxMinTmpSize along the last axis: minValue per 16 rows (groups = None: maxValue)."""
    rows = 16 * (groups if groups is not None else (m + 15) // 16)
    return rows * k * size * 2 + (rows * k * 2 if size == 2 else 0)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("form, groups", [("shared", 1), ("shared", 2), ("shared", None), ("framework", 1)])
@pytest.mark.parametrize("dtype, m, k", [
    ("float32", 16, 8), ("float32", 32, 8),     # whole groups; more rows than columns: repeat over groups
    ("float32", 7, 64), ("float32", 40, 24),    # a last group of 7 / 8 rows (rows read again, dropped)
    ("float32", 1, 8), ("float32", 33, 136),
    ("float16", 16, 16), ("float16", 64, 32),
    ("float16", 5, 48), ("float16", 33, 16), ("float16", 21, 320),
])
def test_cumsum_last_axis(hl_programs: dict[str, Path], tmp_path: Path, dtype: str, m: int, k: int, form: str,
                          groups: int | None, mode: str) -> None:
    """Note [CumSum along the last axis]: rows summed in float, in order, so numpy's sequential float32
    cumsum (rounded once to half) is the exact answer; a smaller buffer only means more passes."""
    size = np.dtype(dtype).itemsize
    x = np.random.default_rng(SEED).uniform(-1, 1, (m, k)).astype(dtype)
    x.tofile(tmp_path / "x.bin")
    tmp = last_axis_tmp(m, k, size, groups)
    proc = run_program(hl_programs["hl_scan"], "cumsum_last", "half" if size == 2 else "float", form, m, k, tmp,
                       tmp_path, mode=mode)
    check_ok(proc, mode)
    want = np.cumsum(x.astype(np.float32), axis=1, dtype=np.float32).astype(dtype)
    y = np.fromfile(tmp_path / "y.bin", dtype).reshape(m, k)
    np.testing.assert_array_equal(y, want)
    np.testing.assert_array_equal(np.fromfile(tmp_path / "last.bin", dtype), y[-1])  # the last row, as CANN


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_cumsum_last_axis_buffer_too_small(hl_programs: dict[str, Path], tmp_path: Path, dtype: str) -> None:
    size = np.dtype(dtype).itemsize
    k = 32 // size
    np.zeros((20, k), dtype).tofile(tmp_path / "x.bin")
    need = last_axis_tmp(20, k, size, 1)
    proc = run_program(hl_programs["hl_scan"], "cumsum_last", "half" if size == 2 else "float", "shared", 20, k,
                       need - 32, tmp_path)
    kernel_error(proc, "CumSum", f"sharedTmpBuffer holds {need - 32} bytes", f"at least {need}",
                 "GetCumSumMaxMinTmpSize")


def test_cumsum_half_buffer_too_small(hl_programs: dict[str, Path], tmp_path: Path) -> None:
    np.zeros((4, 16), np.float16).tofile(tmp_path / "x.bin")
    proc = run_program(hl_programs["hl_scan"], "cumsum", "half", "shared", 4, 16, 128, tmp_path)
    kernel_error(proc, "CumSum", "sharedTmpBuffer holds 128 bytes", "256")


@pytest.mark.parametrize("m, k, size, want", [
    (8, 64, 2, "cumsum first 2048 2048 last 6144 6144 logsoftmax 4608 576"),
    (8, 64, 4, "cumsum first 0 0 last 8192 8192 logsoftmax 4352 544"),
    (20, 16, 2, "cumsum first 1280 1280 last 3072 1536 logsoftmax 7680 384"),
])
def test_queries(hl_programs: dict[str, Path], m: int, k: int, size: int, want: str) -> None:
    """CANN's formulas (impl/adv_api/tiling/math/cumsum_tiling.cpp, activation/logsoftmax_tiling.cpp)."""
    proc = run_program(hl_programs["hl_scan"], "query", m, k, size)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == want
